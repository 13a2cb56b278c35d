"""Authors' verbs: submit a story, revise it, withdraw it, get new links to one's stories.

The tracking codes, which find a story again (`stories.operations.codes`), are importable from
here too.

Verbs take the session first, flush, and leave the commit to the caller, except `submit_story`,
which must start in a fresh transaction (it rolls back to recover from a concurrent duplicate).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from stories.db import utcnow
from stories.models import (
    Consent,
    ConsentKind,
    RevisionSource,
    ServiceField,
    Story,
    StoryRevision,
    StoryStatus,
)
from stories.operations import OperationError, audit, flags, pictures
from stories.operations.codes import (  # the codes' names, as the authors' verbs give them
    ALPHABET,
    CODE_LENGTH,
    find_by_mail_link,
    find_by_token,
    find_by_tracking_code,
    format_code,
    new_token,
    normalise_code,
    token_hash,
    tracking_code_for,
    tracking_hash,
    valid_token,
)
from stories.operations.editorial import duplicates
from stories.operations.mail import messages
from stories.queries import search

WITHDRAWABLE = frozenset(
    {
        StoryStatus.draft,
        StoryStatus.submitted,
        StoryStatus.in_review,
        StoryStatus.revision_requested,
    }
)

SUBMIT = "story.submit"
REVISE = "story.revise"
WITHDRAW = "story.withdraw"
RENEW = "story.new_code"


class SubmissionError(OperationError):
    """An author's change was refused."""


class NotRevisable(SubmissionError):
    """The story is not waiting for a revision from its author."""


class NotWithdrawable(SubmissionError):
    """The story has been decided (or withdrawn) and can no longer be withdrawn."""


class StaleVersion(SubmissionError):
    """The story changed since the author's form was shown (e.g. a double click)."""


@dataclass(frozen=True)
class ConsentText:
    """The wording an author ticked, with its version."""

    text: str
    version: str


@dataclass(frozen=True)
class Submission:
    """A validated, cleaned submission. `body` is Markdown (the author's text escaped)."""

    title: str
    body: str
    pen_name: str
    service_field: ServiceField
    real_name: str = ""
    organisation: str = ""
    province: str = ""
    city: str = ""
    years_in_practice: int | None = None
    contact_phone: str = ""
    contact_email: str = ""
    licence: ConsentText | None = None
    people: ConsentText | None = None
    language: str = "zh_CN"  # the form's language: the author's mails are written in it


@dataclass(frozen=True)
class Receipt:
    """What the author gets back: the story and its tracking code (the code is never stored)."""

    story_id: int
    tracking_code: str  # grouped, e.g. ABCD-EFGH-JKMN
    created: bool  # False when the same form had already been submitted


# --- verbs -------------------------------------------------------------------------------------


def prepare(title: str, body: str, *others: str, queued: bool = False) -> None:
    """The costly work on an author's text, done before the write transaction begins: word
    segmentation for the search index, the privacy detector and the near-duplicate fingerprint.
    The verbs below then find the results ready (stories.queries.search.field_words,
    stories.operations.flags.detect_body, stories.operations.editorial.duplicates.fingerprint);
    `queued`: only the fingerprint, for a text the queue scans and indexes after the send."""
    duplicates.fingerprint(title, body)
    if queued:  # the queue's worker scans and indexes it (stories.jobs.scans)
        return
    for text in (title, body, *others):
        search.field_words(text)
    flags.detect_body(body)


def submit_story(
    session: Session,
    submission: Submission,
    token: str,
    secret: str,
    now: datetime | None = None,
    queued: bool = False,
) -> Receipt:
    """Store a new story with revision 1 and both consents, and return its tracking code.

    The same token submitted again returns the existing story (created=False) and the same code.
    Run it in a fresh transaction: a concurrent duplicate is detected by the unique token and
    rolled back. `queued=True` leaves the privacy scan and the search index to the queue
    (stories.jobs.scans): `story.scan_pending` is true until then.
    """
    if not valid_token(token):
        raise SubmissionError(_l("The form is incomplete. Please reload the page."))
    if submission.licence is None or submission.people is None:
        raise SubmissionError(_l("Both consent statements must be accepted."))
    code = tracking_code_for(token, secret)
    existing = find_by_token(session, token)
    if existing is not None:
        return _repeat(existing, code)
    now = now or utcnow()
    story = _new_story(submission, tracking_hash(code), token_hash(token), now)
    if queued:
        story.scan_pending = True
        search.defer(session, story)
    try:
        session.add(story)
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = find_by_token(session, token)
        if existing is None:
            raise
        return _repeat(existing, code)
    assert story.id is not None
    _add_original(session, story, submission, now)
    audit.record(session, None, SUBMIT, story=story.id)
    session.flush()
    if not queued:
        flags.scan_story(session, story)  # personal data in the text: flags for the editors
    pictures.sync(session, story)  # each picture starts "to review"
    duplicates.check_story(session, story)  # "looks like story #N" for the editors
    messages.receipt(session, story, format_code(code))
    return Receipt(story_id=story.id, tracking_code=format_code(code), created=True)


def _new_story(submission: Submission, code_hash: str, token_digest: str, now: datetime) -> Story:
    return Story(
        title=submission.title,
        body=submission.body,
        pen_name=submission.pen_name,
        real_name=submission.real_name,
        organisation=submission.organisation,
        province=submission.province,
        city=submission.city,
        service_field=submission.service_field,
        years_in_practice=submission.years_in_practice,
        contact_phone=submission.contact_phone,
        contact_email=submission.contact_email,
        language=submission.language,
        status=StoryStatus.submitted,
        tracking_hash=code_hash,
        submission_token=token_digest,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        last_activity_at=now,
    )


def add_original_revision(session: Session, story: Story, note: str, at: datetime) -> None:
    """Revision 1: the story as its author first sent it, never changed afterwards."""
    assert story.id is not None
    session.add(
        StoryRevision(
            story_id=story.id,
            number=1,
            title=story.title,
            body=story.body,
            source=RevisionSource.author,
            note=note,
            created_at=at,
        )
    )


def _add_original(session: Session, story: Story, submission: Submission, now: datetime) -> None:
    """Revision 1 (the original, never changed) and the exact consent wording accepted."""
    assert story.id is not None and submission.licence and submission.people
    add_original_revision(session, story, "original submission", now)
    for kind, consent in ((ConsentKind.licence, submission.licence),
                          (ConsentKind.people, submission.people)):  # fmt: skip
        session.add(
            Consent(
                story_id=story.id,
                kind=kind,
                text=consent.text,
                version=consent.version,
                accepted_at=now,
            )
        )


def _repeat(story: Story, code: str) -> Receipt:
    assert story.id is not None
    if story.tracking_hash != tracking_hash(code):
        # The secret changed since the first submission: the code cannot be shown again.
        raise SubmissionError(
            _l(
                "This form has already been sent. Use the tracking code you were shown then, "
                "or write to the organisers."
            )
        )
    return Receipt(story_id=story.id, tracking_code=format_code(code), created=False)


def revisions(session: Session, story_id: int) -> list[StoryRevision]:
    query = select(StoryRevision).where(StoryRevision.story_id == story_id)
    return list(session.exec(query.order_by(StoryRevision.number)).all())  # type: ignore[arg-type]


def _compare_and_set(session: Session, story: Story, **values: object) -> None:
    """Change the story only if nobody (an editor, a second click) changed it meanwhile."""
    result = session.execute(
        update(Story)
        .where(
            col(Story.id) == story.id,
            col(Story.version) == story.version,
            col(Story.status) == story.status,
        )  # fmt: skip
        .values(version=story.version + 1, **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(story)
        raise StaleVersion(_l("The story has just changed. Please look at its status again."))
    set_committed_value(story, "version", story.version + 1)
    for key, value in values.items():
        set_committed_value(story, key, value)


def revise_story(
    session: Session,
    story: Story,
    title: str,
    body: str,
    expected_version: int | None = None,
    note: str = "",
) -> StoryRevision:
    """The author answers a revision request: a new revision; the story is submitted again.

    `expected_version` is the story's version when the form was shown: a second send of the
    same form (a double click) is refused with StaleVersion instead of making two revisions.
    """
    if expected_version is not None and story.version != expected_version:
        if story.status == StoryStatus.revision_requested:
            raise StaleVersion(
                _l("The text was changed meanwhile. Please check your revision and send it again.")
            )
        raise StaleVersion(_l("Your revision has already been received."))
    if story.status != StoryStatus.revision_requested:
        raise NotRevisable(_l("This story is not waiting for a revision."))
    assert story.id is not None
    now = utcnow()
    _compare_and_set(
        session, story, title=title, body=body, status=StoryStatus.submitted,
        updated_at=now, last_activity_at=now, revised_by_author_at=now,
    )  # fmt: skip
    last = session.exec(
        select(func.max(StoryRevision.number)).where(StoryRevision.story_id == story.id)
    ).one()
    revision = StoryRevision(
        story_id=story.id,
        number=(last or 0) + 1,
        title=title,
        body=body,
        source=RevisionSource.author,
        note=note[:500],
        created_at=now,
    )
    session.add(revision)
    audit.record(session, None, REVISE, story=story, details={"revision": revision.number})
    session.flush()
    search.index_story(session, story)  # the UPDATE above bypasses the index hook
    flags.scan_story(session, story)
    pictures.sync(session, story)
    duplicates.check_story(session, story)
    return revision


def withdraw_story(session: Session, story: Story) -> Story:
    """The author takes the story back. Possible at any time before a decision."""
    if story.status not in WITHDRAWABLE:
        raise NotWithdrawable(_l("This story can no longer be withdrawn."))
    now = utcnow()
    previous = story.status
    _compare_and_set(
        session, story, status=StoryStatus.withdrawn, updated_at=now, last_activity_at=now
    )
    audit.record(session, None, WITHDRAW, story=story, details={"from": previous.value})
    session.flush()
    messages.withdrawn(session, story)
    return story


def new_links(session: Session, email: str) -> list[tuple[Story, str]]:
    """ "Send me my links": a new tracking code for every story sent with this address (the
    old codes stop working); the stories with their new grouped codes, for the mail."""
    address = email.strip().lower()
    if not address:
        return []
    query = select(Story).where(
        func.lower(Story.contact_email) == address, col(Story.tracking_hash).is_not(None)
    )
    renewed = []
    for story in session.exec(query.order_by(col(Story.id))).all():
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        story.tracking_hash = tracking_hash(code)
        session.add(story)
        audit.record(session, None, RENEW, story=story)
        renewed.append((story, format_code(code)))
    session.flush()
    return renewed


__all__ = [  # the codes' names (stories.operations.codes)
    "ALPHABET",
    "CODE_LENGTH",
    "find_by_mail_link",
    "find_by_token",
    "find_by_tracking_code",
    "format_code",
    "new_token",
    "normalise_code",
    "token_hash",
    "tracking_code_for",
    "tracking_hash",
    "valid_token",
]
