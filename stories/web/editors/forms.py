"""The editorial pages' forms: a story's page, the privacy panel, the queue, volumes, the book
(settings, chapters, recipes) and accounts.

Flask-WTF: every POST carries a CSRF token. The confirm-only form is
`stories.web.common.ConfirmForm`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
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
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from stories import passwords
from stories.labels import ROLE
from stories.models import ChapterSection, Role
from stories.operations import privacy, review
from stories.operations.books import press as book_press
from stories.operations.books import settings as book_settings


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


class MailSettingsForm(FlaskForm):
    """An account's e-mail address and the daily digest (the account page)."""

    email = StringField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=200),
            Regexp(
                r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$",
                message=_l("Please enter a valid e-mail address, such as name@example.org."),
            ),
        ],
    )
    digest = BooleanField(_l("Send me a daily digest of new submissions and revisions"))


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
        _l("Short name (lower-case letters, digits and dashes; used in addresses and file names)"),
        validators=[DataRequired(), Length(max=64)],
    )
    title = StringField(_l("Working title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])


# --- The queue's bulk actions ---

BULK_ACTIONS = ("tag", "assign", "export", "request_revision", "reject")


class BulkForm(FlaskForm):
    action = StringField(validators=[AnyOf(BULK_ACTIONS)])
    tag = StringField(validators=[Length(max=50)])
    volume = StringField(validators=[Length(max=64)])


# --- The book: settings, chapters, recipes ---

L = book_settings.FIELD_LABELS


def trim_choices() -> list[tuple[str, str]]:
    sizes = {"16开": "185 × 260 mm", "大32开": "140 × 203 mm", "A5": "148 × 210 mm"}
    return [(name, f"{name} ({size})") for name, size in sizes.items()] + [
        ("custom", str(_l("custom size")))
    ]


def fold_choices() -> list[tuple[str, str]]:
    return [("", str(_l("the trim's usual fold")))] + [(str(n), f"{n}开") for n in book_press.FOLDS]


def inks_choices() -> list[tuple[str, str]]:
    return [("cmyk", str(_l("four colours (CMYK)"))), ("grey", str(_l("one colour (grey)")))]


def opening_choices(allowed: tuple[str, ...]):
    """The choices of where a block begins (the recipe's story_start etc.)."""
    names = {
        "page": _l("On the next page (另页起)"),
        "right": _l("On a right-hand page (右页起; a blank page before it if need be)"),
        "same": _l("On the same page, under a short rule (接排)"),
    }

    def choices() -> list[tuple[str, str]]:
        return [(key, str(names[key])) for key in allowed]

    return choices


def footnote_choices() -> list[tuple[str, str]]:
    return [
        ("page", str(_l("from ① on every page"))),
        ("chapter", str(_l("from ① in every chapter"))),
    ]


def stories_choices() -> list[tuple[str, str]]:
    return [
        ("after", str(_l("after the history parts"))),
        ("before", str(_l("before the history parts"))),
        ("none", str(_l("no stories in this book"))),
    ]


class BookSettingsForm(FlaskForm):
    """Everything a recipe holds; checked by stories.operations.books.settings.normalise."""

    title = StringField(L["title"])
    subtitle = StringField(L["subtitle"])
    series = StringField(L["series"])
    editors = TextAreaField(L["editors"])
    publisher = StringField(L["publisher"])
    isbn = StringField(L["isbn"])
    isbn_demo = BooleanField(L["isbn_demo"])
    cip = TextAreaField(L["cip"])
    edition = StringField(L["edition"])
    printing = StringField(L["printing"])
    year = StringField(L["year"])
    price = StringField(L["price"])
    copyright = StringField(L["copyright"])
    description = TextAreaField(L["description"])
    trim = SelectField(L["trim"], choices=trim_choices, validate_choice=False)
    width_mm = StringField(L["width_mm"])
    height_mm = StringField(L["height_mm"])
    bleed_mm = StringField(L["bleed_mm"])
    font_body = StringField(L["font_body"])
    font_heading = StringField(L["font_heading"])
    font_quote = StringField(L["font_quote"])
    responsible_editors = TextAreaField(L["responsible_editors"])
    cover_designers = TextAreaField(L["cover_designers"])
    proofreaders = TextAreaField(L["proofreaders"])
    address = StringField(L["address"])
    postcode = StringField(L["postcode"])
    printer = StringField(L["printer"])
    distributor = StringField(L["distributor"])
    seller = StringField(L["seller"])
    paper = StringField(L["paper"])
    fold = SelectField(L["fold"], choices=fold_choices, validate_choice=False)
    paper_caliper_mm = StringField(L["paper_caliper_mm"])
    inks = SelectField(L["inks"], choices=inks_choices, validate_choice=False)
    press_condition = StringField(L["press_condition"])
    story_start = SelectField(L["story_start"], choices=opening_choices(book_press.LAYOUT[
        "story_start"]), validate_choice=False)  # fmt: skip
    part_start = SelectField(L["part_start"], choices=opening_choices(book_press.LAYOUT[
        "part_start"]), validate_choice=False)  # fmt: skip
    history_start = SelectField(L["history_start"], choices=opening_choices(book_press.LAYOUT[
        "history_start"]), validate_choice=False)  # fmt: skip
    footnote_numbering = SelectField(L["footnote_numbering"], choices=footnote_choices,
                                     validate_choice=False)  # fmt: skip
    icc_profile = HiddenField()
    profile_file = FileField(_l("Upload the printer's ICC profile (.icc)"))
    remove_profile = BooleanField(_l("Use the default profile again (remove the printer's)"))
    contributors = BooleanField(L["contributors"])
    stories = SelectField(L["stories"], choices=stories_choices, validate_choice=False)
    note = StringField(_l("What did you change? (optional)"), validators=[Length(max=500)])
    base = HiddenField()


def section_choices() -> list[tuple[str, str]]:
    return [
        (ChapterSection.front.value, str(_l("Front matter (preface)"))),
        (ChapterSection.history.value, str(_l("History chapter (body)"))),
        (ChapterSection.back.value, str(_l("Back matter (afterword)"))),
    ]


class ChapterForm(FlaskForm):
    """A chapter; checked by stories.operations.books.chapters. `origin` says whether the text
    came from a Word file."""

    section = SelectField(_l("Where"), choices=section_choices, validate_choice=False)
    part_title = StringField(_l("History part (history chapters only)"))
    title = StringField(_l("Title"))
    subtitle = StringField(_l("Subtitle"))
    author = StringField(_l("Author"))
    body = TextAreaField(_l("Text (Markdown)"))
    docx = FileField(_l("Or take the text from a Word file (.docx)"))
    note = StringField(_l("What did you change? (optional)"), validators=[Length(max=500)])
    base = HiddenField()
    origin = HiddenField(default="typed", validators=[AnyOf(("typed", "word"))])


class RecipeForm(FlaskForm):
    recipe = FileField(_l("Recipe file"))
    chapters = MultipleFileField(_l("Its chapter files (optional)"))
