"""Message templates for decisions, in Chinese and English, edited by admins.

A template's text may hold the placeholders {title}, {pen_name} and {site}; `fill` puts in the
story's values (other braces stay as written). The caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from anthology.text.markdown import clean_text
from stories.db import utcnow
from stories.models import TEMPLATE_ACTIONS, MessageTemplate, Role, Story, User
from stories.operations import OperationError, audit

NAME_MAX = 100
BODY_MAX = 5000
PLACEHOLDERS = ("title", "pen_name", "site")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
LANGUAGES = ("zh", "en")


# The templates migration 0009 starts with (action, name, Chinese, English); `add_defaults` puts
# back those missing (a database emptied by hand, the tests' PostgreSQL).
DEFAULTS = [
    (
        "request_revision",
        "请补充细节 / More detail, please",
        "{pen_name}，您好！谢谢您投来《{title}》，我们读得很认真。为了让更多读者走进这个故事，"
        "想请您再补充一些细节：……。修改时不必着急，有任何问题都可以在状态页面留言。",
        "Dear {pen_name}, thank you for sending us “{title}”; we read it with care. To help more "
        "readers into the story, could you add a little more detail about …? Take your time, and "
        "ask us anything on the status page.",
    ),
    (
        "reject",
        "暂不采用 / Not this time",
        "{pen_name}，您好！非常感谢您分享《{title}》和您在一线的付出。经过编辑组讨论，这一次我们"
        "暂时不能采用这篇故事：……。这并不是对您工作的否定，欢迎您以后继续投稿。",
        "Dear {pen_name}, thank you very much for sharing “{title}” and the work behind it. After "
        "discussing it, the editors cannot take the story this time: …. This says nothing against "
        "your work, and we hope you will write to us again.",
    ),
    (
        "accept",
        "采用 / Accepted",
        "{pen_name}，您好！《{title}》已被采用，谢谢您！编辑在出版前可能会做少量文字修改，"
        "并按约定隐去个人信息。",
        "Dear {pen_name}, “{title}” has been accepted: thank you! The editors may make small "
        "changes before publication and will remove personal details as agreed.",
    ),
]


class TemplateError(OperationError):
    """A template change was refused."""


@dataclass(frozen=True)
class Choice:
    """One template in one language, as the decision forms offer it."""

    id: int
    action: str
    name: str
    language: str
    body: str


def templates(session: Session, action: str | None = None) -> list[MessageTemplate]:
    query = select(MessageTemplate).order_by(col(MessageTemplate.action), col(MessageTemplate.id))
    if action:
        query = query.where(MessageTemplate.action == action)
    return list(session.exec(query))


def choices(session: Session, action: str) -> list[Choice]:
    found = []
    for template in templates(session, action):
        for language in LANGUAGES:
            body = template.body_zh if language == "zh" else template.body_en
            if body.strip():
                found.append(Choice(template.id or 0, action, template.name, language, body))
    return found


def get(session: Session, template_id: int) -> MessageTemplate:
    template = session.get(MessageTemplate, template_id)
    if template is None:
        raise TemplateError(_l("There is no such message template."))
    return template


def body(template: MessageTemplate, language: str) -> str:
    text = template.body_en if language == "en" else template.body_zh
    return text or template.body_zh or template.body_en


def fill(text: str, story: Story, site: str) -> str:
    """The template's text with the story's title, pen name and the site's name put in."""
    values = {"title": story.title, "pen_name": story.pen_name, "site": site}
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _clean(value: str, limit: int) -> str:
    return clean_text(value or "").strip()[:limit]


def save(
    session: Session,
    admin: User,
    template_id: int | None,
    action: str,
    name: str,
    body_zh: str,
    body_en: str,
) -> MessageTemplate:
    """Create (template_id None) or change a template; admins only."""
    if admin.role != Role.admin:
        raise TemplateError(_l("Only an admin can change the message templates."))
    if action not in TEMPLATE_ACTIONS:
        raise TemplateError(_l("This decision has no message templates."))
    name, zh, en = _clean(name, NAME_MAX), _clean(body_zh, BODY_MAX), _clean(body_en, BODY_MAX)
    if not name:
        raise TemplateError(_l("Please give the template a name."))
    if not zh and not en:
        raise TemplateError(_l("Please write the message in at least one language."))
    clash = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.action == action, MessageTemplate.name == name
        )
    ).first()
    if clash is not None and clash.id != template_id:
        raise TemplateError(_l("A template of this decision already has this name."))
    if template_id is None:
        template = MessageTemplate(action=action, name=name)
    else:
        template = get(session, template_id)
        template.action, template.name = action, name
    template.body_zh, template.body_en = zh, en
    template.updated_by_id, template.updated_at = admin.id, utcnow()
    session.add(template)
    session.flush()
    audit.record(
        session,
        admin,
        "template.save",
        details={"template": template.id, "action": action, "name": name},
    )
    return template


def delete(session: Session, admin: User, template_id: int) -> None:
    if admin.role != Role.admin:
        raise TemplateError(_l("Only an admin can change the message templates."))
    template = get(session, template_id)
    session.delete(template)
    audit.record(
        session,
        admin,
        "template.delete",
        details={"template": template_id, "action": template.action, "name": template.name},
    )
    session.flush()


def add_defaults(session: Session) -> int:
    """Add the starting templates whose (action, name) is missing; returns how many."""
    have = {(t.action, t.name) for t in templates(session)}
    added = 0
    for action, name, zh, en in DEFAULTS:
        if (action, name) not in have:
            session.add(MessageTemplate(action=action, name=name, body_zh=zh, body_en=en))
            added += 1
    session.flush()
    return added
