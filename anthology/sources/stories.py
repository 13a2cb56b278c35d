"""The stories of a volume: a stories.json export (format version 1), or the same data read from
the database, as parts of story chapters in the editors' order; and the list of contributors.
"""

from __future__ import annotations

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
    return parse_stories(data, Source(str(path)), text)


def parse_stories(data: Any, source: Source, text: str = "") -> list[Part]:
    """A stories.json document (format version 1) -> parts of story chapters, editors' order."""
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
        chapters = tuple(_story(s, path, id_lines) for s in part.get("stories", []))
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


def _story(s: Any, path: str, id_lines: dict[int, int]) -> Chapter:
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
    )


def contributors_of(chapters: list[Chapter]) -> tuple[Contributor, ...]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for chapter in chapters:
        if chapter.story is None:
            continue
        s = chapter.story
        grouped.setdefault((s.pen_name, s.organisation, s.region), []).append(chapter.id)
    return sort_contributors([Contributor(*key, tuple(ids)) for key, ids in grouped.items()])
