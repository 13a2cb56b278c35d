"""Privacy review: pseudonymise or dismiss each flag (the flags are found by `flags`).

Pseudonymising replaces every occurrence of the flagged text in the title and body through
`editing.edit_story` (a new editor revision; the original stays), and records the mapping in
`Pseudonym` so the same real text always becomes the same pseudonym in that story.
Every resolution is an audit event (without the real text).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from anthology.text.markdown import clean_text, escape_markdown
from anthology.text.privacy import markdown_text, markdown_view
from stories.db import utcnow
from stories.labels import privacy_kind_label
from stories.models import (
    FlagStatus,
    PrivacyFlag,
    PrivacyKind,
    Pseudonym,
    Story,
    StoryRevision,
    User,
)
from stories.operations import OperationError, audit
from stories.operations.editorial import editing
from stories.operations.flags import FlagRow

REASON_MAX = 500
PSEUDONYM_MAX = 200


class PrivacyError(OperationError):
    """A flag resolution was refused."""


# Suggested replacements are book text (Chinese); editors may type anything else.
PLACEHOLDERS = {
    PrivacyKind.phone: "（电话已隐去）",
    PrivacyKind.landline: "（电话已隐去）",
    PrivacyKind.id_number: "（身份证号已隐去）",
    PrivacyKind.bank_card: "（银行卡号已隐去）",
    PrivacyKind.email: "（邮箱已隐去）",
    PrivacyKind.wechat: "（微信号已隐去）",
    PrivacyKind.qq: "（QQ号已隐去）",
    PrivacyKind.address: "（地址已隐去）",
    PrivacyKind.plate: "（车牌号已隐去）",
}
PSEUDONYM_SURNAMES = "林秦苏叶沈韩唐陆许顾范程邱孟柳严"
# When the sentence already names what the number is (电话：139..., 身份证号 ...), the
# replacement does not say it again: 电话（已隐去）, not 电话（电话已隐去）.
LABELS = {
    PrivacyKind.phone: ("电话", "手机", "号码", "手机号", "热线", "拨打", "打"),
    PrivacyKind.landline: ("电话", "座机", "固话", "号码", "热线", "拨打", "打"),
    PrivacyKind.id_number: ("身份证", "身份证号", "证件号", "号码"),
    PrivacyKind.bank_card: ("卡号", "银行卡", "卡", "账号"),
    PrivacyKind.email: ("邮箱", "邮件", "电子邮件", "email", "E-mail"),
    PrivacyKind.wechat: ("微信", "微信号"),
    PrivacyKind.qq: ("QQ", "QQ号", "qq", "扣扣"),
    PrivacyKind.plate: ("车牌", "车牌号", "牌照"),
}
_LABEL_GLUE = " \u3000:：是为的"
_REGION = re.compile(r"^.*?(?:自治区|省|自治州|市|县)")


def _placeholder(body: str, row: FlagRow) -> str:
    """A replacement that reads naturally where the text stood."""
    if row.kind == PrivacyKind.address:
        region = _REGION.match(row.text)
        prefix = region.group() if region else ""
        if row.text.endswith(("村", "组", "屯")):
            return prefix + "某村"
        return prefix + ("某小区" if "小区" in row.text else "某处")
    before = "" if row.in_title else markdown_text(body)
    position = before.find(row.text)
    before = before[max(0, position - 12) : position].rstrip(_LABEL_GLUE) if position >= 0 else ""
    if before.endswith(LABELS.get(row.kind, ())):
        return "（已隐去）"
    return PLACEHOLDERS.get(row.kind, "（已隐去）")


def suggestions(body: str, rows: list[FlagRow]) -> dict[int, str]:
    """A suggested pseudonym per open flag: a fresh surname for names, a placeholder otherwise."""
    used = set(body)
    free = [s for s in PSEUDONYM_SURNAMES if s not in used]
    by_text: dict[str, str] = {}
    result: dict[int, str] = {}
    for row in rows:
        if row.status != FlagStatus.open:
            continue
        if row.text not in by_text:
            if row.kind != PrivacyKind.person_name:
                by_text[row.text] = _placeholder(body, row)
            else:
                surname = free.pop(0) if free else "某"
                by_text[row.text] = _renamed(row.text, surname)
        result[row.id] = by_text[row.text]
    return result


def _renamed(name: str, surname: str) -> str:
    if len(name) == 2 and name[0] in "小老阿":
        return name[0] + surname
    if name.endswith(
        (
            "阿姨",
            "大爷",
            "奶奶",
            "爷爷",
            "大妈",
            "大娘",
            "大叔",
            "叔叔",
            "婆婆",
            "先生",
            "女士",
            "老师",
            "师傅",
        )
    ):
        return surname + name[-2:]
    return surname + "某"


def pseudonym_map(session: Session, story_id: int) -> dict[str, str]:
    query = select(Pseudonym).where(Pseudonym.story_id == story_id).order_by(col(Pseudonym.id))
    return {p.real_text: p.pseudonym for p in session.exec(query)}


def _open_flag(session: Session, story: Story, flag_id: int) -> PrivacyFlag:
    flag = session.get(PrivacyFlag, flag_id)
    if flag is None or flag.story_id != story.id:
        raise PrivacyError(_l("There is no such privacy flag on this story."))
    if flag.status != FlagStatus.open:
        raise PrivacyError(_l("This flag has been resolved already."))
    return flag


def _same_text(session: Session, story: Story, flag: PrivacyFlag) -> list[PrivacyFlag]:
    query = select(PrivacyFlag).where(
        PrivacyFlag.story_id == story.id,
        PrivacyFlag.text == flag.text,
        PrivacyFlag.status == FlagStatus.open,
    )
    return list(session.exec(query))


def _resolve(
    session: Session,
    story: Story,
    flag: PrivacyFlag,
    editor: User,
    status: FlagStatus,
    **fields: str,
) -> list[PrivacyFlag]:
    """Mark the flag and every open flag of the same text as resolved by `editor`, now."""
    now = utcnow()
    resolved = _same_text(session, story, flag)
    for row in resolved:
        row.status, row.resolved_by_id, row.resolved_at = status, editor.id, now
        for name, value in fields.items():
            setattr(row, name, value)
        session.add(row)
    return resolved


def _replace_all(body: str, real: str, replacement: str) -> tuple[str, int]:
    """Replace every occurrence of the plain text `real` in a Markdown body."""
    view = markdown_view(body)
    spans = []
    position = view.text.find(real)
    while position >= 0:
        spans.append(view.source_span(position, position + len(real)))
        position = view.text.find(real, position + len(real))
    for start, end in reversed(spans):
        body = body[:start] + replacement + body[end:]
    return body, len(spans)


def pseudonymise(
    session: Session,
    story: Story,
    editor: User,
    flag_id: int,
    pseudonym: str,
    expected_version: int,
) -> StoryRevision | None:
    """Replace the flagged text everywhere in the story by its pseudonym (a new revision)."""
    flag = _open_flag(session, story, flag_id)
    pseudonym = " ".join(clean_text(pseudonym or "").split())[:PSEUDONYM_MAX]
    mapping = pseudonym_map(session, story.id or 0)
    if flag.text in mapping:
        if pseudonym and pseudonym != mapping[flag.text]:
            raise PrivacyError(
                _l(
                    "In this story this text is already replaced by %(pseudonym)s.",
                    pseudonym=mapping[flag.text],
                )
            )
        pseudonym = mapping[flag.text]
    if not pseudonym:
        raise PrivacyError(_l("Please enter the pseudonym."))
    if pseudonym == flag.text:
        raise PrivacyError(_l("The pseudonym must differ from the original text."))
    for real, used in mapping.items():
        if used == pseudonym and real != flag.text:
            raise PrivacyError(_l("This pseudonym already stands for someone else in this story."))
    body, count = _replace_all(story.body, flag.text, escape_markdown(pseudonym))
    title = story.title.replace(flag.text, pseudonym)
    count += story.title.count(flag.text)
    resolved = _resolve(session, story, flag, editor, FlagStatus.pseudonymised, pseudonym=pseudonym)
    if flag.text not in mapping:
        session.add(
            Pseudonym(
                story_id=story.id or 0,
                real_text=flag.text,
                pseudonym=pseudonym,
                created_by_id=editor.id,
            )
        )
    session.flush()
    revision = None
    if count:
        revision = editing.edit_story(
            session,
            story,
            editor,
            title,
            body,
            expected_version,
            note=str(_l("Pseudonym for a %(kind)s", kind=privacy_kind_label(flag.kind))),
        )
    audit.record(
        session,
        editor,
        "flag.pseudonymise",
        story=story,
        details={
            "flags": [row.id for row in resolved],
            "kind": flag.kind.value,
            "pseudonym": pseudonym,
            "replaced": count,
            "revision": revision.number if revision else None,
        },
    )
    session.flush()
    return revision


def dismiss(session: Session, story: Story, editor: User, flag_id: int, reason: str) -> int:
    """Mark the flagged text as not personal data (all its occurrences); returns how many."""
    flag = _open_flag(session, story, flag_id)
    reason = " ".join(clean_text(reason or "").split())[:REASON_MAX]
    if not reason:
        raise PrivacyError(_l("Please say why this is not personal data."))
    resolved = _resolve(session, story, flag, editor, FlagStatus.dismissed, reason=reason)
    audit.record(
        session,
        editor,
        "flag.dismiss",
        story=story,
        details={"flags": [row.id for row in resolved], "kind": flag.kind.value, "reason": reason},
    )
    session.flush()
    return len(resolved)


def plain_positions(body: str, rows: list[FlagRow]) -> dict[int, int]:
    """Each flag's position (1 = the first character) in the text as read, without escapes."""
    view = markdown_view(body)
    plain_at = {start: index for index, start in enumerate(view.starts)}
    return {
        row.id: plain_at[row.start] + 1
        for row in rows
        if row.start in plain_at and not row.in_title
    }


def highlighted(body: str, rows: list[FlagRow]) -> list[tuple[str, FlagRow | None]]:
    """The body as read (unescaped), cut into segments; flagged segments carry their flag.

    The page escapes every segment and wraps the flagged ones in <mark>."""
    view = markdown_view(body)
    plain_at = {start: index for index, start in enumerate(view.starts)}
    segments: list[tuple[str, FlagRow | None]] = []
    position = 0
    body_rows = (r for r in rows if r.status == FlagStatus.open and not r.in_title)
    for row in sorted(body_rows, key=lambda r: r.start):
        start = plain_at.get(row.start)
        end = plain_at.get(row.end, len(view.text)) if row.end < len(body) else len(view.text)
        if start is None or start < position or end <= start:
            continue
        segments.append((view.text[position:start], None))
        segments.append((view.text[start:end], row))
        position = end
    segments.append((view.text[position:], None))
    return [(text, row) for text, row in segments if text]
