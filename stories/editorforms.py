"""The forms on a story's editorial page (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from stories.models import DecisionAction

ACTIONS = [action.value for action in DecisionAction]


class DecisionForm(FlaskForm):
    action = HiddenField(validators=[InputRequired(), AnyOf(ACTIONS)])
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


class ConfirmForm(FlaskForm):
    """A button with nothing but the CSRF token."""
