"""Decisions for several stories at once, from the queue: only "request a revision" and "do not
accept", each with a message from a template (filled in per story). Accepting is never done in
bulk. Each story is decided in a savepoint of its own, so one refusal (another editor was
quicker, a status that does not allow it) leaves the others done; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from stories.models import DecisionAction, Story, User
from stories.operations import OperationError, review
from stories.operations.editorial import templates

BULK_DECISIONS = (DecisionAction.request_revision, DecisionAction.reject)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # story id, why


def decide_many(
    session: Session,
    editor: User,
    story_ids: list[int],
    action: DecisionAction | str,
    template_id: int,
    language: str,
    site: str,
) -> BulkResult:
    try:
        action = DecisionAction(action)
    except ValueError:
        action = DecisionAction.accept  # refused just below
    if action not in BULK_DECISIONS:
        raise review.ReviewError(
            _l("Only “request a revision” and “do not accept” can be done for several stories.")
        )
    template = templates.get(session, template_id)
    if template.action != action.value:
        raise review.ReviewError(_l("This template is for another decision."))
    text = templates.body(template, language)
    result = BulkResult()
    for story_id in story_ids:
        story = session.get(Story, story_id)
        if story is None:
            result.refused.append((story_id, str(_l("There is no such story."))))
            continue
        message = templates.fill(text, story, site)
        try:
            with session.begin_nested():
                review.decide(session, story, editor, action, message)
        except OperationError as error:
            session.refresh(story)
            result.refused.append((story_id, str(error)))
        else:
            result.done.append(story_id)
    return result
