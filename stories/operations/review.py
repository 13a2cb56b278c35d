"""Editors' verbs: start a review, ask for a revision, accept, reject, edit, notes and tags.

Every decision is a `Decision` row (who, when, what, the message) plus an audit event; accepted
and rejected stories name their editor and time (a database check constraint guarantees it).
Status changes and edits are conditional UPDATEs (`WHERE status = ...` / `WHERE version = ...`),
so two editors acting at once cannot both win: the second gets a typed error, nothing is lost.

Verbs flush and leave the commit to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from anthology.text.markdown import clean_text
from stories.db import utcnow
from stories.labels import status_label
from stories.models import (
    Consent,
    ConsentKind,
    Decision,
    DecisionAction,
    FlagStatus,
    MailKind,
    PrivacyFlag,
    Role,
    Story,
    StoryStatus,
    User,
)
from stories.operations import OperationError, audit, flags, pictures
from stories.operations.mail import messages

MESSAGE_MAX = 5000
NOTE_MAX = 5000
TITLE_MAX = 200  # the column's size
TAG_MAX = 50

S = StoryStatus
# The decisions the author is told of by mail (stories.operations.mail.messages).
AUTHOR_MAIL = {
    DecisionAction.request_revision: MailKind.revision,
    DecisionAction.accept: MailKind.accepted,
    DecisionAction.reject: MailKind.rejected,
}


class Message(StrEnum):
    """Whether a decision carries a message to the author."""

    none = "none"
    optional = "optional"
    required = "required"


@dataclass(frozen=True)
class Rule:
    """One kind of decision: from which statuses, to which status, with what message.

    The view, the decision form and the story page's template all read this table; an action
    without a rule is refused, never taken for another one.
    """

    action: DecisionAction
    allowed_from: frozenset[StoryStatus]
    result: StoryStatus
    message: Message
    gated: bool = False  # the acceptance gate applies (open flags, missing consents)
    clears_decision: bool = False  # reopening: the story no longer names a decision


RULES: dict[DecisionAction, Rule] = {
    rule.action: rule
    for rule in (
        Rule(DecisionAction.start_review,
             frozenset({S.submitted, S.revision_requested, S.accepted, S.rejected}),
             S.in_review, Message.none, clears_decision=True),
        Rule(DecisionAction.request_revision, frozenset({S.submitted, S.in_review}),
             S.revision_requested, Message.required),
        Rule(DecisionAction.accept, frozenset({S.submitted, S.in_review}),
             S.accepted, Message.optional, gated=True),
        Rule(DecisionAction.reject, frozenset({S.submitted, S.in_review, S.revision_requested}),
             S.rejected, Message.optional),
    )
}  # fmt: skip


def rules_for(status: StoryStatus) -> list[Rule]:
    """The decisions that can be taken on a story in `status`, in the table's order."""
    return [rule for rule in RULES.values() if status in rule.allowed_from]


class ReviewError(OperationError):
    """An editorial change was refused."""


class StoryNotFound(ReviewError):
    pass


class NotAllowedNow(ReviewError):
    """The decision does not fit the story's current status (maybe another editor just acted)."""


class MessageRequired(ReviewError):
    pass


class UnknownDecision(ReviewError):
    """An action with no rule in RULES."""


class AcceptanceRefused(ReviewError):
    """The acceptance gate: open privacy flags or a missing consent. `problems` says which."""

    def __init__(self, message: object, problems: Sequence[object]) -> None:
        super().__init__(message)
        self.problems = list(problems)


class OverrideNotAllowed(ReviewError):
    """Only an admin may accept past the gate, and only with a written reason."""


def get_story(session: Session, story_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise StoryNotFound(_l("There is no story number %(id)s.", id=story_id))
    return story


# --- The acceptance gate ---------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    open_flags: int
    missing_consents: tuple[ConsentKind, ...]
    unreviewed_pictures: int = 0  # no override: an unreviewed picture has nothing to print

    @property
    def passed(self) -> bool:
        return not self.open_flags and not self.missing_consents and not self.unreviewed_pictures

    def problems(self) -> list[object]:
        found: list[object] = []
        if self.open_flags:
            found.append(_l("%(n)s privacy flags are not resolved yet.", n=self.open_flags))
        if self.unreviewed_pictures:
            found.append(
                _l("%(n)s picture(s) still to review for privacy.", n=self.unreviewed_pictures)
            )
        if ConsentKind.licence in self.missing_consents:
            found.append(_l("The author has not agreed to the publication licence."))
        if ConsentKind.people in self.missing_consents:
            found.append(_l("The author has not confirmed consent for the people in the story."))
        return found

    def details(self) -> dict[str, object]:
        return {
            "open_flags": self.open_flags,
            "missing_consents": [kind.value for kind in self.missing_consents],
        }  # an override never passes unreviewed pictures, so they are not listed


def acceptance_gate(session: Session, story_id: int) -> Gate:
    """What stands between a story and acceptance: open privacy flags, missing consents,
    pictures still to review.

    Flags are counted as the privacy panel lists them: one per text, however often it occurs."""
    story = session.get(Story, story_id)
    if story is not None:  # a long text's scan may still wait in the queue: scan it now
        flags.ensure_scanned(session, story)
    distinct_texts = (
        select(PrivacyFlag.kind, PrivacyFlag.text)
        .where(PrivacyFlag.story_id == story_id, PrivacyFlag.status == FlagStatus.open)
        .distinct()
        .subquery()
    )
    open_flags = session.exec(select(func.count()).select_from(distinct_texts)).one()
    given = set(session.exec(select(Consent.kind).where(Consent.story_id == story_id)).all())
    missing = tuple(kind for kind in ConsentKind if kind not in given)
    unreviewed = pictures.unreviewed(session, story) if story is not None else 0
    return Gate(open_flags=open_flags, missing_consents=missing, unreviewed_pictures=unreviewed)


# --- Decisions -------------------------------------------------------------------------------


def _decide(
    session: Session,
    story: Story,
    editor: User,
    rule: Rule,
    message: str = "",
    override_reason: str = "",
    details: dict[str, object] | None = None,
) -> Decision:
    action = rule.action
    old = story.status
    if old not in rule.allowed_from:
        raise NotAllowedNow(
            _l(
                "This cannot be done while the story is in the status %(status)s.",
                status=status_label(old),
            )
        )
    new = rule.result
    now = utcnow()
    values: dict[str, object] = {"status": new, "updated_at": now, "last_activity_at": now}
    if new in (S.accepted, S.rejected):
        values.update(decided_by_id=editor.id, decided_at=now)
    elif rule.clears_decision:
        values.update(decided_by_id=None, decided_at=None, editor_message="")
    if rule.message != Message.none:
        values["editor_message"] = message
    result = session.execute(
        update(Story).where(col(Story.id) == story.id, col(Story.status) == old).values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(story)
        raise NotAllowedNow(_l("Another editor has just changed this story. Please look again."))
    for key, value in values.items():
        set_committed_value(story, key, value)
    decision = Decision(
        story_id=story.id or 0,
        action=action,
        editor_id=editor.id or 0,
        message=message,
        override_reason=override_reason,
        from_status=old,
        created_at=now,
    )
    session.add(decision)
    audit.record(
        session,
        editor,
        f"story.{action.value}",
        story=story,
        details={"from": old.value, "to": new.value, **({"message": message} if message else {}),
                 **(details or {})},
    )  # fmt: skip
    session.flush()
    if action in AUTHOR_MAIL:
        messages.decision(session, story, AUTHOR_MAIL[action], message)
    return decision


def _message(text: str, required: bool) -> str:
    text = clean_text(text or "").strip()
    if required and not text:
        raise MessageRequired(_l("Please write a message to the author."))
    if len(text) > MESSAGE_MAX:
        raise ReviewError(_l("The message is too long (at most %(n)s characters).", n=MESSAGE_MAX))
    return text


def decide(
    session: Session,
    story: Story,
    editor: User,
    action: DecisionAction | str,
    message: str = "",
    override_reason: str = "",
) -> Decision:
    """Take the decision `action` by its rule in RULES; an unknown action is refused.

    A gated decision (accept) passes the acceptance gate, or an admin overrides it with a
    written reason (both logged).
    """
    rule = rule_for(action)
    if rule is None:
        raise UnknownDecision(_l("This decision is not known."))
    text = (
        "" if rule.message == Message.none else _message(message, rule.message == Message.required)
    )
    if not rule.gated:
        return _decide(session, story, editor, rule, message=text)
    reason = clean_text(override_reason or "").strip()
    gate = acceptance_gate(session, story.id or 0)
    if gate.passed:
        return _decide(session, story, editor, rule, message=text)
    if not reason or gate.unreviewed_pictures:
        raise AcceptanceRefused(_l("The story cannot be accepted yet."), problems=gate.problems())
    if editor.role != Role.admin:
        raise OverrideNotAllowed(_l("Only an admin can accept a story past the privacy gate."))
    if len(reason) > MESSAGE_MAX:
        raise ReviewError(_l("The reason is too long (at most %(n)s characters).", n=MESSAGE_MAX))
    decision = _decide(
        session, story, editor, rule, message=text, override_reason=reason,
        details={"override": True},
    )  # fmt: skip
    audit.record(
        session, editor, "story.override", story=story, details={"reason": reason, **gate.details()}
    )
    session.flush()
    return decision


def rule_for(action: DecisionAction | str | None) -> Rule | None:
    """The rule of `action` (an enum member or its value), or None when there is none."""
    try:
        return RULES.get(DecisionAction(action or ""))
    except ValueError:
        return None


def start_review(session: Session, story: Story, editor: User) -> Decision:
    return decide(session, story, editor, DecisionAction.start_review)


def request_revision(session: Session, story: Story, editor: User, message: str) -> Decision:
    """Ask the author for changes; the message appears on the author's status page."""
    return decide(session, story, editor, DecisionAction.request_revision, message)


def reject_story(session: Session, story: Story, editor: User, message: str = "") -> Decision:
    return decide(session, story, editor, DecisionAction.reject, message)


def accept_story(
    session: Session, story: Story, editor: User, message: str = "", override_reason: str = ""
) -> Decision:
    """Accept, if the gate passes; an admin may override it with a written reason (logged)."""
    return decide(session, story, editor, DecisionAction.accept, message, override_reason)


def decisions(session: Session, story_id: int) -> list[tuple[Decision, str]]:
    """A story's decisions, oldest first, with the editor's username."""
    query = (
        select(Decision, User.username)
        .join(User, col(Decision.editor_id) == col(User.id))
        .where(Decision.story_id == story_id)
        .order_by(col(Decision.created_at), col(Decision.id))
    )
    return [(decision, username) for decision, username in session.exec(query).all()]
