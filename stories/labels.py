"""Translated names for the enums shown on pages (status, role, decision, audit action)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from stories.models import DecisionAction, Role, ServiceField, StoryStatus

STATUS = {
    StoryStatus.draft: _l("Draft"),
    StoryStatus.submitted: _l("Submitted"),
    StoryStatus.in_review: _l("In review"),
    StoryStatus.revision_requested: _l("Revision requested"),
    StoryStatus.accepted: _l("Accepted"),
    StoryStatus.rejected: _l("Rejected"),
    StoryStatus.withdrawn: _l("Withdrawn"),
}

ROLE = {
    Role.editor: _l("Editor"),
    Role.publisher: _l("Publisher"),
    Role.admin: _l("Admin"),
}

DECISION = {
    DecisionAction.start_review: _l("Started the review"),
    DecisionAction.request_revision: _l("Asked the author for a revision"),
    DecisionAction.accept: _l("Accepted"),
    DecisionAction.reject: _l("Rejected"),
}


DECISION_BUTTON = {
    DecisionAction.start_review: _l("Start the review"),
    DecisionAction.request_revision: _l("Ask the author to revise"),
    DecisionAction.accept: _l("Accept"),
    DecisionAction.reject: _l("Reject"),
}


def status_label(status: StoryStatus | str) -> str:
    return str(STATUS.get(StoryStatus(status), status))


def role_label(role: Role | str) -> str:
    return str(ROLE.get(Role(role), role))


def decision_label(action: DecisionAction | str) -> str:
    return str(DECISION.get(DecisionAction(action), action))


def decision_button(action: DecisionAction | str) -> str:
    return str(DECISION_BUTTON[DecisionAction(action)])


def field_label(field: ServiceField | str) -> str:
    """The service field as shown in the submission form."""
    value = ServiceField(field).value
    try:
        from stories.forms import SERVICE_FIELDS  # the one list of labels, kept with the form
    except ImportError:  # pragma: no cover - the submission form is part of the site
        return value
    labels = {getattr(c, "value", None) or c[0]: getattr(c, "label", None) or c[1]
              for c in SERVICE_FIELDS}  # fmt: skip  # SelectChoice or (value, label)
    return str(labels.get(value, value))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        status_label=status_label,
        role_label=role_label,
        decision_label=decision_label,
        decision_button=decision_button,
        field_label=field_label,
    )
