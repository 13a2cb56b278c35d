"""The authors' forms: a story (with an optional Word file), a revision, a tracking code.

Every text field is cleaned with `anthology.text.markdown.clean_text` (NFC, no control or
bidi-override characters, \\n line endings). Messages are translated; the form keeps what the
author typed.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from anthology.text import pictures as references
from anthology.text.markdown import clean_text, plain_length, plain_to_markdown
from anthology.text.markdown import length as text_length
from anthology.text.privacy import Flag
from stories import i18n, labels
from stories.models import ServiceField
from stories.operations import flags, submission

_PHONE_JUNK = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(\+?86)?0\d{2,3}\d{7,8}(转\d{1,6})?$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
FINDINGS_MAX_AGE = 24 * 3600  # seconds a preview's signed findings are used (then rescanned)


def single_line(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return " ".join(clean_text(value).split())


def multi_line(value: Any) -> Any:
    return clean_text(value).strip() if isinstance(value, str) else value


def _docx_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="stories.docx-markdown")


def sign_markdown(markdown: str) -> str:
    """The converted Word text travels between the steps of the form, signed by the server."""
    return _docx_signer().dumps(markdown)


def unsign_markdown(signed: str) -> str | None:
    try:
        value = _docx_signer().loads(signed)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def _findings_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="stories.privacy-findings")


def sign_findings(markdown: str, found: tuple[Flag, ...]) -> str:
    """The detector's findings for this text, as the preview found them, signed by the server and
    bound to the text's SHA-256: the send uses them instead of running the detector again."""
    flags_found = [[f.kind, f.start, f.end, f.text] for f in found]
    return _findings_signer().dumps({"text": flags.digest(markdown), "flags": flags_found})


def unsign_findings(signed: str, markdown: str) -> tuple[Flag, ...] | None:
    """The findings signed for exactly this text within the form's lifetime, else None (then the
    detector runs again). A value the server did not sign is never used."""
    if not signed:
        return None
    try:
        value = _findings_signer().loads(signed, max_age=FINDINGS_MAX_AGE)
        if value["text"] != flags.digest(markdown):
            return None
        return tuple(Flag(str(k), int(a), int(b), str(t)) for k, a, b, t in value["flags"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def _phone(_form: Any, field: Any) -> None:
    if field.data and not (_MOBILE.match(_PHONE_JUNK.sub("", field.data)) or
                           _LANDLINE.match(_PHONE_JUNK.sub("", field.data))):  # fmt: skip
        raise ValidationError(
            _l("Please enter a mobile number (11 digits) or a landline with its area code.")
        )


def _email(_form: Any, field: Any) -> None:
    if field.data and not _EMAIL.match(field.data):
        raise ValidationError(_l("Please enter a valid e-mail address, such as name@example.org."))


def _years(_form: Any, field: Any) -> None:
    if not field.data:
        return
    if not field.data.isdigit() or not 0 <= int(field.data) <= 80:
        raise ValidationError(_l("Please enter a whole number of years between 0 and 80."))


class TextFields(FlaskForm):
    """Title and text, shared by a new story and a revision."""

    title = StringField(
        _l("Title"),
        filters=[single_line],
        # DataRequired (not InputRequired): the value after the filters, so spaces are empty.
        validators=[DataRequired(message=_l("Please give your story a title."))],
    )
    body = TextAreaField(_l("Your story"), filters=[multi_line])
    docx = FileField(_l("Or upload a Word file (.docx)"))
    docx_markdown = HiddenField()
    docx_name = HiddenField(filters=[single_line])
    pictures = MultipleFileField(_l("Add pictures (JPEG, PNG or HEIC)"))
    pictures_markdown = HiddenField()  # the added pictures' references, signed like the Word text

    def validate_title(self, field: Any) -> None:
        limit = current_app.config["TITLE_MAX_CHARS"]
        if len(field.data or "") > limit:
            raise ValidationError(
                _l(
                    "The title may have at most %(n)s characters (now %(m)s).",
                    n=limit,
                    m=len(field.data),
                )  # fmt: skip
            )

    def word_markdown(self) -> str | None:
        """The converted Word text, if the author uses a Word file (and the signature holds)."""
        if not self.docx_markdown.data:
            return None
        return unsign_markdown(self.docx_markdown.data)

    def added_pictures(self) -> str:
        """The references of the pictures added on the form (one paragraph each), or ""."""
        if not self.pictures_markdown.data:
            return ""
        return unsign_markdown(self.pictures_markdown.data) or ""

    def markdown(self) -> str:
        """The story text as stored: Word text, or the textarea with every line a paragraph;
        then the pictures added on the form."""
        word = self.word_markdown()
        text = word if word is not None else plain_to_markdown(self.body.data or "")
        added = self.added_pictures()
        return f"{text.rstrip()}\n\n{added}" if added else text

    def picture_references(self) -> list[references.Reference]:
        seen: set[str] = set()
        out = []
        for found in references.references(self.markdown()):
            if found.ref not in seen:
                seen.add(found.ref)
                out.append(found)
        return out

    def add_picture(self, ref: str) -> None:
        added = self.added_pictures()
        if ref in references.refs(added) or ref in references.refs(self.markdown()):
            return
        added = f"{added}\n\n{references.reference(ref)}" if added else references.reference(ref)
        self.pictures_markdown.data = sign_markdown(added.strip())

    def picture_texts(self, values: Any) -> None:
        """The descriptions and captions typed on the preview (`picture-description-<ref>`,
        `picture-caption-<ref>`, `picture-remove-<ref>`), written into the signed texts."""
        word, added = self.word_markdown(), self.added_pictures()
        for found in self.picture_references():
            ref = found.ref
            remove = values.get(f"picture-remove-{ref}")
            description = values.get(f"picture-description-{ref}")
            caption = values.get(f"picture-caption-{ref}")
            if not remove and description is None and caption is None:
                continue
            description = single_line(description if description is not None else found.description)
            caption = single_line(caption if caption is not None else found.caption)

            def change(
                text: str, ref: str = ref, d: str = description, c: str = caption, r: Any = remove
            ) -> str:
                if r:
                    return references.without(text, ref)
                return references.describe(text, ref, d[:300], c[:300])

            if word is not None and ref in references.refs(word):
                word = change(word)
            if ref in references.refs(added):
                added = change(added).strip()
        if word is not None:
            self.docx_markdown.data = sign_markdown(word)
        self.pictures_markdown.data = sign_markdown(added) if added else ""

    def validate_body(self, field: Any) -> None:
        if self.docx_markdown.data and self.word_markdown() is None:
            self.docx_markdown.data = ""
            raise ValidationError(_l("The converted Word text was damaged. Upload the file again."))
        count = self.length()
        low, high = current_app.config["STORY_MIN_CHARS"], current_app.config["STORY_MAX_CHARS"]
        if count == 0:
            raise ValidationError(_l("Please write your story or upload a Word file."))
        if count < low:
            raise ValidationError(
                _l("The story needs at least %(n)s characters (now %(m)s).", n=low, m=count)
            )
        if count > high:
            raise ValidationError(
                _l("The story may have at most %(n)s characters (now %(m)s).", n=high, m=count)
            )

    def length(self) -> int:
        """Characters without white space; typed text is counted without rendering it."""
        word = self.word_markdown()
        if word is not None:
            return text_length(word)
        return plain_length(self.body.data or "")


class StoryForm(TextFields):
    pen_name = StringField(
        _l("Pen name"),
        filters=[single_line],
        validators=[
            DataRequired(message=_l("Please enter the name to print with your story.")),
            Length(max=40, message=_l("At most %(max)d characters.")),
        ],
    )
    real_name = StringField(
        _l("Real name"),
        filters=[single_line],
        validators=[Optional(), Length(max=50, message=_l("At most %(max)d characters."))],
    )
    organisation = StringField(
        _l("Organisation"),
        filters=[single_line],
        validators=[Optional(), Length(max=100, message=_l("At most %(max)d characters."))],
    )
    province = SelectField(
        _l("Province"),
        choices=[SelectChoice("", _l("Please choose")), *labels.PROVINCES],
        validators=[InputRequired(message=_l("Please choose a province."))],
    )
    city = StringField(
        _l("City"),
        filters=[single_line],
        validators=[Optional(), Length(max=50, message=_l("At most %(max)d characters."))],
    )
    service_field = SelectField(
        _l("Field of service"),
        choices=[SelectChoice("", _l("Please choose")), *labels.service_field_choices()],
        validators=[InputRequired(message=_l("Please choose the field of service."))],
    )
    years_in_practice = StringField(
        _l("Years in practice"), filters=[single_line], validators=[_years]
    )
    contact_phone = StringField(
        _l("Phone"), filters=[single_line], validators=[Optional(), Length(max=40), _phone]
    )
    contact_email = StringField(
        _l("E-mail"), filters=[single_line], validators=[Optional(), Length(max=200), _email]
    )
    consent_licence = BooleanField(_l("I accept the publication licence above."))
    consent_people = BooleanField(_l("I confirm the statement about the people in my story."))
    submission_token = HiddenField()
    privacy_findings = HiddenField()  # the preview's findings, signed (sign_findings)
    draft_code = HiddenField()  # the draft this form was opened from (stories.operations.drafts)

    # What a draft keeps: every field (the Word text as Markdown, signed again when shown).
    DRAFT_FIELDS = ("title", "body", "docx_name", "pen_name", "real_name", "organisation",
                    "province", "city", "service_field", "years_in_practice", "contact_phone",
                    "contact_email", "submission_token")  # fmt: skip

    def draft_data(self) -> dict[str, str]:
        data = {name: getattr(self, name).data or "" for name in self.DRAFT_FIELDS}
        data["docx_markdown"] = self.word_markdown() or ""
        return data

    @classmethod
    def from_draft(cls, data: dict[str, str], code: str) -> StoryForm:
        values = {name: data.get(name, "") for name in cls.DRAFT_FIELDS}
        word = data.get("docx_markdown") or ""
        values["docx_markdown"] = sign_markdown(word) if word else ""
        return cls(formdata=None, data={**values, "draft_code": code})

    def valid_email(self) -> bool:
        return bool(self.contact_email.data) and _EMAIL.match(self.contact_email.data) is not None

    def ensure_token(self) -> str:
        if not submission.valid_token(self.submission_token.data):
            self.submission_token.data = submission.new_token()
        return self.submission_token.data

    def validate_consents(self) -> bool:
        ok = True
        for field in (self.consent_licence, self.consent_people):
            if not field.data:
                field.errors = [_l("Please tick this box to send your story.")]
                ok = False
        return ok

    def to_submission(self) -> submission.Submission:
        config = current_app.config
        years = self.years_in_practice.data
        return submission.Submission(
            title=self.title.data,
            body=self.markdown(),
            pen_name=self.pen_name.data,
            service_field=ServiceField(self.service_field.data),
            real_name=self.real_name.data or "",
            organisation=self.organisation.data or "",
            province=self.province.data or "",
            city=self.city.data or "",
            years_in_practice=int(years) if years else None,
            contact_phone=self.contact_phone.data or "",
            contact_email=self.contact_email.data or "",
            licence=submission.ConsentText(config["LICENCE_TEXT"], config["LICENCE_VERSION"]),
            people=submission.ConsentText(config["PEOPLE_CONSENT_TEXT"], config["LICENCE_VERSION"]),
            language=i18n.current_language(),
        )


class RevisionForm(TextFields):
    version = HiddenField()
    note = TextAreaField(
        _l("A note to the editors (optional)"),
        filters=[multi_line],
        validators=[Optional(), Length(max=500, message=_l("At most %(max)d characters."))],
    )

    def expected_version(self) -> int | None:
        return int(self.version.data) if (self.version.data or "").isdigit() else None


class TrackForm(FlaskForm):
    code = StringField(
        _l("Tracking code"),
        filters=[single_line],
        validators=[InputRequired(message=_l("Please enter your tracking code."))],
    )

    def validate_code(self, field: Any) -> None:
        if submission.normalise_code(field.data or "") is None:
            raise ValidationError(
                _l("A tracking code has 12 letters and digits, such as ABCD-EFGH-JKMN.")
            )


class LostForm(FlaskForm):
    """ "Send me my links": the address the stories were sent with."""

    email = StringField(
        _l("E-mail"),
        filters=[single_line],
        validators=[InputRequired(message=_l("Please enter your e-mail address.")),
                    Length(max=200), _email],
    )  # fmt: skip
