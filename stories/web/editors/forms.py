"""The editorial pages' forms: a story's page, the privacy panel, the queue, volumes and accounts.

Flask-WTF: every POST carries a CSRF token. The confirm-only form is
`stories.web.common.ConfirmForm`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from stories import passwords
from stories.labels import ROLE
from stories.models import Role
from stories.operations import privacy, review


def _known_decision(_form: Any, field: Any) -> None:
    """Only an action with a rule in stories.operations.review.RULES; anything else is a 400."""
    if review.rule_for(field.data) is None:
        raise ValidationError(_l("This decision is not known."))


class DecisionForm(FlaskForm):
    action = HiddenField(validators=[InputRequired(), _known_decision])
    message = TextAreaField(_l("Message to the author"), validators=[Length(max=5000)])
    override_reason = TextAreaField(
        _l("Reason for accepting despite the gate (admins only)"), validators=[Length(max=5000)]
    )


class EditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=200_000)])
    note = StringField(_l("What did you change? (optional)"), validators=[Length(max=500)])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1)])


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=5000)])


class TagForm(FlaskForm):
    name = StringField(_l("Tag"), validators=[DataRequired(), Length(max=50)])


# --- Accounts (admin) ---


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(label)) for role, label in ROLE.items()]


class CreateUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Display name"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=role_choices, default=Role.editor.value)
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=passwords.MIN_LENGTH, max=200)]
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices)


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=passwords.MIN_LENGTH, max=200)],
    )


# --- The privacy panel ---


class PseudonymForm(FlaskForm):
    pseudonym = StringField(
        _l("Pseudonym"), validators=[DataRequired(), Length(max=privacy.PSEUDONYM_MAX)]
    )
    version = HiddenField()


class DismissForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=privacy.REASON_MAX)])


# --- Volumes ---


class VolumeForm(FlaskForm):
    slug = StringField(
        _l("Slug (joins content/volumes/<slug>.toml)"), validators=[DataRequired(), Length(max=64)]
    )
    title = StringField(_l("Working title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])


# --- The queue's bulk actions ---

BULK_ACTIONS = ("tag", "assign", "export")


class BulkForm(FlaskForm):
    action = StringField(validators=[AnyOf(BULK_ACTIONS)])
    tag = StringField(validators=[Length(max=50)])
    volume = StringField(validators=[Length(max=64)])
