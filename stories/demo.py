"""Demo content for `make serve`, loaded once.

`content/demo/stories.json` (the export format of README.md, also the demo book's input) holds the
accepted stories; `content/demo/submissions.json` a few stories waiting in the editorial queue.
Every demo story is found again by its submission token `demo-<id>` (`demo-<key>` for the queue),
so loading twice creates nothing new. The demo volume's book (settings and chapters) comes from
its recipe `content/volumes/demo.toml` and the chapter files it names, through the same import
as a recipe sent from the book page, once: a volume that has book settings keeps them. All demo
text is fictional.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlmodel import Session, select

from anthology import resources
from stories import db
from stories.models import (
    Consent,
    ConsentKind,
    Decision,
    DecisionAction,
    Role,
    ServiceField,
    Story,
    StoryStatus,
    User,
    Volume,
)
from stories.operations import flags, submission, volumes
from stories.operations.books import contents, recipes, settings

CONTENT = resources.CONTENT / "demo"
RECIPES = resources.CONTENT / "volumes"
STORIES = CONTENT / "stories.json"
SUBMISSIONS = CONTENT / "submissions.json"
EDITOR = "demo-editor"
UNUSABLE_PASSWORD = "!"  # never matches a hash: the demo editor cannot log in  # noqa: S105


class DemoError(RuntimeError):
    """The demo files are missing or malformed; the message names the file."""


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DemoError(f"{path}: {error}") from error


def demo_editor(session: Session) -> User:
    """The editor named in the demo decisions (created once, with an unusable password)."""
    user = session.exec(select(User).where(User.username == EDITOR)).first()
    if user is None:
        user = User(
            username=EDITOR,
            display_name="演示编辑",
            password_hash=UNUSABLE_PASSWORD,
            role=Role.editor,
        )
        session.add(user)
        session.flush()
    return user


def _exists(session: Session, token: str) -> bool:
    return session.exec(select(Story.id).where(Story.submission_token == token)).first() is not None


def _add_story(
    session: Session,
    entry: dict[str, Any],
    token: str,
    status: StoryStatus,
    decided: tuple[User, datetime] | None = None,
) -> Story:
    submitted = _time(entry.get("submitted_at"))
    assert submitted is not None, "every demo story has submitted_at"
    code = entry.get("tracking_code")
    story = Story(
        title=entry["title"],
        body=entry["body"],
        pen_name=entry["pen_name"],
        real_name=entry.get("real_name", ""),
        organisation=entry.get("organisation", ""),
        province=entry.get("province", ""),
        city=entry.get("city", ""),
        service_field=ServiceField(entry["service_field"]),
        years_in_practice=entry.get("years_in_practice"),
        contact_phone=entry.get("contact_phone", ""),
        contact_email=entry.get("contact_email", ""),
        status=status,
        editor_message=entry.get("editor_message", ""),
        submission_token=token,
        tracking_hash=submission.tracking_hash(code) if code else None,
        created_at=submitted,
        updated_at=submitted,
        submitted_at=submitted,
        last_activity_at=decided[1] if decided else submitted,
        decided_by_id=decided[0].id if decided else None,
        decided_at=decided[1] if decided else None,
    )
    session.add(story)
    session.flush()
    assert story.id is not None
    submission.add_original_revision(session, story, "original submission (demo)", submitted)
    _add_consents(session, story.id, entry.get("consents") or {}, submitted)
    return story


def _add_consents(
    session: Session, story_id: int, consents: dict[str, Any], submitted: datetime
) -> None:
    """The site's consent wording, with the version and time the demo file gives."""
    config = current_app.config
    texts = {ConsentKind.licence: config["LICENCE_TEXT"],
             ConsentKind.people: config["PEOPLE_CONSENT_TEXT"]}  # fmt: skip
    for kind, text in texts.items():
        given = consents.get(kind.value) or {}
        session.add(
            Consent(
                story_id=story_id,
                kind=kind,
                text=text,
                version=given.get("version", config["LICENCE_VERSION"]),
                accepted_at=_time(given.get("accepted_at")) or submitted,
            )
        )


def _decisions(
    session: Session, story: Story, editor: User, steps: list[tuple[DecisionAction, StoryStatus]]
) -> None:
    """The editorial history a demo story would have had."""
    for action, from_status in steps:
        session.add(
            Decision(
                story_id=story.id or 0,
                action=action,
                editor_id=editor.id or 0,
                message=story.editor_message if action != DecisionAction.start_review else "",
                from_status=from_status,
                created_at=story.last_activity_at,
            )
        )


def load_into(session: Session) -> int:
    """Create the demo stories that are not there yet; return how many were created."""
    created = 0
    editor = demo_editor(session)
    book = _read(STORIES)
    if book.get("format") != "social-work-stories" or book.get("version") != 1:
        raise DemoError(f"{STORIES}: not a version 1 stories file")
    for part in book["parts"]:
        for entry in part["stories"]:
            token = f"demo-{entry['id']}"
            if _exists(session, token):
                continue
            accepted = _time(entry.get("accepted_at")) or _time(entry["submitted_at"])
            assert accepted is not None
            story = _add_story(session, entry, token, StoryStatus.accepted, (editor, accepted))
            _decisions(session, story, editor, [
                (DecisionAction.start_review, StoryStatus.submitted),
                (DecisionAction.accept, StoryStatus.in_review),
            ])  # fmt: skip
            created += 1
    for entry in _read(SUBMISSIONS)["stories"]:
        token = f"demo-{entry['key']}"
        if _exists(session, token):
            continue
        story = _add_story(session, entry, token, StoryStatus(entry["status"]))
        if story.status == StoryStatus.revision_requested:
            _decisions(session, story, editor, [
                (DecisionAction.start_review, StoryStatus.submitted),
                (DecisionAction.request_revision, StoryStatus.in_review),
            ])  # fmt: skip
        flags.scan_story(session, story)  # the queue shows the detector's flags
        created += 1
    session.flush()
    _place_in_volume(session, book, editor)
    _load_book(session, book, editor)
    return created


def _place_in_volume(session: Session, book: dict[str, Any], editor: User) -> None:
    """The accepted demo stories in the volume `demo`, with the parts and order of the file."""
    meta = book.get("volume") or {}
    slug = meta.get("slug", "demo")
    if session.exec(select(Volume).where(Volume.slug == slug)).first() is not None:
        return
    volume = volumes.create_volume(
        session, editor, slug, meta.get("title", slug), meta.get("description", "")
    )
    for part in book["parts"]:
        target = volumes.add_part(session, editor, volume, part["title"]) if part["title"] else None
        for entry in part["stories"]:
            token = f"demo-{entry['id']}"
            story_id = session.exec(select(Story.id).where(Story.submission_token == token)).first()
            if story_id is not None:
                volumes.assign(session, editor, volume, story_id, target.id if target else None)
    session.flush()


def _load_book(session: Session, book: dict[str, Any], editor: User) -> bool:
    """The demo volume's settings and chapters from its recipe, unless it has a book already."""
    slug = (book.get("volume") or {}).get("slug", "demo")
    volume = session.exec(select(Volume).where(Volume.slug == slug)).first()
    recipe = RECIPES / f"{slug}.toml"
    if volume is None or not recipe.is_file() or settings.current(session, volume) is not None:
        return False
    if contents.all_chapters(session, volume):
        return False
    try:
        recipes.import_file(session, editor, volume, recipe)
    except recipes.RecipeError as error:
        problems = "; ".join(str(problem) for problem in error.problems)
        raise DemoError(f"{recipe}: {problems}") from error
    session.flush()
    return True


def load() -> int:
    """Load the demo stories unless they are already there; return how many were created."""
    with db.session_scope() as session:
        return load_into(session)
