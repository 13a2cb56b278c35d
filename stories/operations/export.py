"""The stories file (`stories.json`, format version 1, documented in README.md).

A volume's accepted stories in the editors' order, with the current (anonymised) text and the
public metadata only: never the real name, phone number or e-mail address of the author.
Every export is an audit event. A story's `pictures` name the published picture files
(`pictures/<ref>.jpg`, blurred where the review says so; none for a picture left out): the
document carries their bytes until `pictures.write_files` writes them next to the JSON
(`write`), or `archive` puts both into one zip file.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from anthology.sources.manuscript import SERVICE_FIELDS
from stories import db
from stories import pictures as picture_store
from stories.config import default_database_url
from stories.db import utcnow
from stories.models import (
    Consent,
    Decision,
    DecisionAction,
    FlagStatus,
    PrivacyFlag,
    Story,
    StoryRevision,
    StoryStatus,
    User,
    Volume,
    VolumeEntry,
    VolumePart,
)
from stories.operations import OperationError, audit, pictures, volumes

FORMAT = "social-work-stories"
VERSION = 1


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def story_entry(session: Session, story: Story) -> dict[str, Any]:
    revision = session.exec(
        select(func.max(StoryRevision.number)).where(StoryRevision.story_id == story.id)
    ).one()
    accept = session.exec(
        select(Decision)
        .where(Decision.story_id == story.id, Decision.action == DecisionAction.accept)
        .order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
    ).first()
    consents = {
        consent.kind.value: {"version": consent.version, "accepted_at": _time(consent.accepted_at)}
        for consent in session.exec(select(Consent).where(Consent.story_id == story.id))
    }
    open_flags = session.exec(
        select(func.count())
        .select_from(PrivacyFlag)
        .where(PrivacyFlag.story_id == story.id, PrivacyFlag.status == FlagStatus.open)
    ).one()
    return {
        "id": story.id,
        "title": story.title,
        "body": story.body,
        "pen_name": story.pen_name,
        "organisation": story.organisation,
        "province": story.province,
        "city": story.city,
        "service_field": story.service_field.value,
        "years_in_practice": story.years_in_practice,
        "revision": revision or 1,
        "submitted_at": _time(story.submitted_at),
        "accepted_at": _time(accept.created_at if accept else story.decided_at),
        "consents": consents,
        "privacy": {
            "unresolved_flags": open_flags,
            "override_reason": (accept.override_reason or None) if accept else None,
        },
        "pictures": pictures.export_entries(session, story, picture_store.store()),
    }


def document(volume: dict[str, str], parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(utcnow()),
        "volume": volume,
        "parts": parts,
    }


def volume_document(session: Session, actor: User | None, volume: Volume) -> dict[str, Any]:
    """The stories file of a volume: its accepted stories, part by part, in order."""
    parts = []
    count = 0
    for part in volumes.arrangement(session, volume):
        stories = []
        for entry in part.entries:
            story = session.get(Story, entry.story_id)
            if story is not None and story.status == StoryStatus.accepted:
                stories.append(story_entry(session, story))
        if stories:
            parts.append({"title": part.title, "stories": stories})
            count += len(stories)
    audit.record(session, actor, "volume.export", details={"volume": volume.slug, "stories": count})
    meta = {"slug": volume.slug, "title": volume.title, "description": volume.description}
    return document(meta, parts)


def selection_document(
    session: Session, actor: User | None, story_ids: list[int], title_text: str
) -> dict[str, Any]:
    """The stories file of chosen stories (accepted ones only), in the given order.

    Each story goes into a part: the part of the volume it is placed in, else the part of its
    service field (as "parts from the service fields" names them); parts come in the order of
    their first story. No accepted story: no part at all (the caller says so)."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for story_id in story_ids:
        story = session.get(Story, story_id)
        if story is None or story.status != StoryStatus.accepted:
            continue
        entry = session.exec(select(VolumeEntry).where(VolumeEntry.story_id == story_id)).first()
        part = session.get(VolumePart, entry.part_id) if entry and entry.part_id else None
        title = part.title if part else SERVICE_FIELDS[story.service_field.value].part
        parts.setdefault(title, []).append(story_entry(session, story))
    audit.record(
        session,
        actor,
        "story.export",
        details={"stories": [s["id"] for group in parts.values() for s in group]},
    )
    meta = {"slug": "selection", "title": title_text, "description": ""}
    return document(meta, [{"title": name, "stories": group} for name, group in parts.items()])


def json_text(document: dict[str, Any]) -> str:
    """The document as stories.json (picture bytes left out: `write` or `archive` them)."""
    clean = _without_bytes(document)
    return json.dumps(clean, ensure_ascii=False, indent=2) + "\n"


def _without_bytes(document: dict[str, Any]) -> dict[str, Any]:
    parts = [
        {**part, "stories": [
            {**story, "pictures": [
                {k: v for k, v in entry.items() if k != "_data"}
                for entry in story.get("pictures", [])
            ]}
            for story in part["stories"]
        ]}
        for part in document.get("parts", [])
    ]  # fmt: skip
    return {**document, "parts": parts}


def has_picture_files(document: dict[str, Any]) -> bool:
    return any(
        "_data" in entry
        for part in document.get("parts", [])
        for story in part["stories"]
        for entry in story.get("pictures", [])
    )


def write(document: dict[str, Any], path: Path) -> int:
    """stories.json at `path` and its picture files next to it; returns the picture count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = pictures.write_files(document, path.parent)
    path.write_text(json_text(document), encoding="utf-8")
    return count


def archive(document: dict[str, Any], name: str = "stories.json") -> bytes:
    """A zip file holding the stories file and its pictures (the offline build's input)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for part in document.get("parts", []):
            for story in part["stories"]:
                for entry in story.get("pictures", []):
                    if "_data" in entry:  # JPEGs do not shrink: stored as they are
                        bundle.writestr(entry["file"], entry["_data"], zipfile.ZIP_STORED)
        bundle.writestr(name, json_text(document))
    return out.getvalue()


def volume_stories(
    slug: str, database_url: str | None = None, folder: Path | None = None
) -> dict[str, Any]:
    """The accepted stories of volume `slug` as a stories.json dict, straight from the database
    (`build.py --from-db`). The session is closed before the book builder sees the data, so
    rendering never touches the database. The picture files are written into `folder` and named
    by their absolute paths (without a folder, a story with pictures cannot be printed)."""
    engine = db.make_engine(database_url or default_database_url())
    try:
        with db.session_scope(engine) as session:
            volume = volumes.get(session, slug)
            document = volume_document(session, None, volume)
        if folder is not None:
            pictures.write_files(document, folder)
            for part in document["parts"]:
                for story in part["stories"]:
                    for entry in story["pictures"]:
                        if "file" in entry:
                            entry["file"] = str((Path(folder) / entry["file"]).resolve())
        return _without_bytes(document)
    except OperationError as error:
        raise LookupError(str(error)) from error
    finally:
        engine.dispose()
