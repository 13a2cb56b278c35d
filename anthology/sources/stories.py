"""The stories of a volume: a stories.json export (format version 1), or the same data read from
the database, as parts of story chapters in the editors' order; and the list of contributors.

A story's `pictures` name the picture files next to the stories file (`pictures/<ref>.jpg`, as
the export writes them): the builder reads those files and no other (a path outside the stories
file's folder is refused). Data from the database gives absolute paths.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from anthology.errors import ContentError
from anthology.sources.manuscript import (
    Chapter,
    Consent,
    Contributor,
    Kind,
    Part,
    PictureFile,
    Source,
    StoryInfo,
    sort_contributors,
)
from anthology.sources.recipe import line_of

STORIES_FORMAT = "social-work-stories"


def load_stories(path: str | Path) -> list[Part]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError("stories file not found", path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentError(f"invalid JSON: {exc.msg}", path, exc.lineno) from None
    return parse_stories(data, Source(str(path)), text, base=path.parent)


def parse_stories(
    data: Any, source: Source, text: str = "", base: Path | None = None
) -> list[Part]:
    """A stories.json document (format version 1) -> parts of story chapters, editors' order.
    Picture files are relative to `base` (the stories file's folder); without it, absolute."""
    path = source.path
    if not isinstance(data, dict) or data.get("format") != STORIES_FORMAT:
        raise ContentError(f"not a stories file (format must be {STORIES_FORMAT!r})", path, 1)
    if data.get("version") != 1:
        raise ContentError(
            f"unsupported stories file version {data.get('version')!r} (expected 1)",
            path,
            line_of(text, '"version"'),
        )
    id_lines = _id_lines(text)
    parts = []
    for p_index, part in enumerate(data.get("parts", []), 1):
        chapters = tuple(_story(s, path, id_lines, base) for s in part.get("stories", []))
        title = str(part.get("title", "")).strip()
        line = line_of(text, f'"{title}"') or 1 if text else 1
        parts.append(Part(f"part-{p_index}", title, chapters, Source(path, line)))
    return parts


def _id_lines(text: str) -> dict[int, int]:
    """Story id -> line of its `"id": N` in the stories file (one pass over the text)."""
    out: dict[int, int] = {}
    line, position = 1, 0
    for match in re.finditer(r'"id":\s*(\d+)', text):
        line += text.count("\n", position, match.start())
        position = match.start()
        out.setdefault(int(match.group(1)), line)
    return out


REVIEWS = ("to_review", "fine", "blurred", "left_out")
_REF = re.compile(r"^[0-9a-f]{64}$")


def _pictures(s: dict, path: str, line: int, base: Path | None) -> tuple[PictureFile, ...]:
    out = []
    for entry in s.get("pictures") or []:
        if not isinstance(entry, dict) or not _REF.match(str(entry.get("ref", ""))):
            raise ContentError(f"story {s['id']}: a picture needs a `ref` (64 hex digits)", path,
                               line)  # fmt: skip
        ref, review = entry["ref"], entry.get("review")
        if review not in REVIEWS:
            raise ContentError(f"story {s['id']}: picture {ref[:12]}: unknown review {review!r}",
                               path, line)  # fmt: skip
        file = entry.get("file")
        if review not in ("fine", "blurred"):
            out.append(PictureFile(ref, review))
            continue
        if not file:
            raise ContentError(f"story {s['id']}: picture {ref[:12]} ({review}) has no `file`",
                               path, line)  # fmt: skip
        out.append(PictureFile(ref, review, *_picture_file(str(file), s, path, line, base)))
    return tuple(out)


def _picture_file(file: str, s: dict, path: str, line: int, base: Path | None) -> tuple[str, str]:
    """The picture's path (checked to be inside `base`) and the SHA-256 of its content."""
    where = f"story {s['id']}: picture file {file}"
    if base is not None:
        folder = base.resolve()
        target = (folder / file).resolve()
        if not target.is_relative_to(folder):
            raise ContentError(f"{where} is outside the stories file's folder", path, line)
    elif Path(file).is_absolute():
        target = Path(file)
    else:
        raise ContentError(f"{where} needs an absolute path", path, line)
    try:
        data = target.read_bytes()
    except OSError:
        raise ContentError(f"{where} not found", path, line) from None
    return str(target), hashlib.sha256(data).hexdigest()


def _story(s: Any, path: str, id_lines: dict[int, int], base: Path | None = None) -> Chapter:
    if not isinstance(s, dict) or not isinstance(s.get("id"), int):
        raise ContentError("a story needs an integer `id`", path, None)
    line = id_lines.get(s["id"], 1)
    for key in ("title", "body", "pen_name"):
        if not isinstance(s.get(key), str) or not s[key].strip():
            raise ContentError(f"story {s['id']} needs `{key}` (text)", path, line)
    consents = tuple(
        Consent(kind, str(c.get("version", "")), str(c.get("accepted_at", "")))
        for kind, c in (s.get("consents") or {}).items()
        if isinstance(c, dict) and c.get("accepted_at")
    )
    privacy = s.get("privacy") or {}
    info = StoryInfo(
        story_id=s["id"],
        pen_name=s["pen_name"].strip(),
        organisation=(s.get("organisation") or "").strip(),
        province=(s.get("province") or "").strip(),
        city=(s.get("city") or "").strip(),
        service_field=s.get("service_field") or "other",
        years_in_practice=s.get("years_in_practice"),
        revision=s.get("revision"),
        submitted_at=s.get("submitted_at"),
        accepted_at=s.get("accepted_at"),
        consents=consents,
        unresolved_flags=int(privacy.get("unresolved_flags") or 0),
        override_reason=privacy.get("override_reason") or None,
    )
    return Chapter(
        id=f"story-{s['id']}",
        kind=Kind.story,
        title=s["title"].strip(),
        body=s["body"],
        source=Source(path, line),
        story=info,
        pictures=_pictures(s, path, line, base),
    )


def contributors_of(chapters: list[Chapter]) -> tuple[Contributor, ...]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for chapter in chapters:
        if chapter.story is None:
            continue
        s = chapter.story
        grouped.setdefault((s.pen_name, s.organisation, s.region), []).append(chapter.id)
    return sort_contributors([Contributor(*key, tuple(ids)) for key, ids in grouped.items()])
