"""A recipe's problems in plain words, with the line they are on.

anthology's reader raises `ContentError(message, path, line)` with a technical message in
English; `content_problem` turns the known ones into a translated sentence and names the line of
the recipe (or the chapter file and its line) without any folder of the server. `field_problems`
gives the settings' field messages the line of their key in the recipe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from anthology.errors import ContentError
from stories.operations.books import settings

# (pattern of anthology's message, plain words); named groups fill the message.
PLAIN: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^invalid TOML"),
     _l("This line cannot be read: check its quotation marks, brackets and equals sign.")),
    (re.compile(r"^volume recipe is not UTF-8|^not UTF-8"),
     _l("The file is not saved as UTF-8 text.")),
    (re.compile(r"^volume recipe not found"), _l("The recipe file is missing.")),
    (re.compile(r"^the recipe needs `(?P<key>\w+)`"), _l("The recipe needs “%(key)s”.")),
    (re.compile(r"^`(?P<key>\w+)` must be text"), _l("“%(key)s” must be text in quotation marks.")),
    (re.compile(r"^invalid ISBN-13 '(?P<isbn>[^']*)'"),
     _l("The ISBN %(isbn)s has a wrong check digit: please check the last digit.")),
    (re.compile(r"^unknown trim '(?P<trim>[^']*)'"),
     _l("The trim size %(trim)s is not known: use 16开, 大32开, A5 or custom.")),
    (re.compile(r"^a custom trim needs"),
     _l("A custom trim needs a width and a height in millimetres (50 to 1000).")),
    (re.compile(r"^missing YAML front matter"),
     _l("The chapter file does not begin with its title and author between two lines “---”.")),
    (re.compile(r"^front matter is not closed"),
     _l("The title and author at the top of the chapter file are not followed by a line “---”.")),
    (re.compile(r"^bad YAML front matter|^front matter must be a mapping"),
     _l("The title and author at the top of the chapter file cannot be read (write “title: ...”)."
        )),
    (re.compile(r"^front matter needs a `title`"), _l("The chapter file has no title.")),
    (re.compile(r"^`order` must be a whole number"),
     _l("The order of a chapter must be a whole number.")),
]  # fmt: skip

KEY_NAMES = {"title": _l("Title"), "subtitle": _l("Subtitle"), "author": _l("Author")}

# Where each settings field is written in a recipe: (table or None, key).
FIELD_KEYS = {
    **{name: (None, name) for name in settings.FIELDS},
    "trim": ("page", "trim"), "width_mm": ("page", "width_mm"),
    "height_mm": ("page", "height_mm"), "bleed_mm": ("page", "bleed_mm"),
    "font_body": ("fonts", "body"), "font_heading": ("fonts", "heading"),
    "font_quote": ("fonts", "quote"), "stories": ("structure", "body"),
    "contributors": ("structure", "back"),
}  # fmt: skip


def key_line(text: str, key: str, table: str | None = None) -> int | None:
    """The line where `key = ...` is written (in `[table]`, or before any table)."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+", line)
        if header:
            current = header.group(1).split(".")[0]
            continue
        if current == table and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return None


def needle_line(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


@dataclass
class Where:
    """Where a recipe is being read: its content folder (never shown), and its text."""

    root: Path
    uploaded: bool = False
    text: str = ""

    def line(self, line: int | None, message: object) -> object:
        if line is None:
            return message
        return _l("Line %(line)s of the recipe: %(problem)s", line=line, problem=message)

    def at(self, needle: str, message: object) -> object:
        """`message` with the line of the recipe that holds `needle`."""
        return self.line(needle_line(self.text, needle) if needle else None, message)

    def missing(self, name: str) -> object:
        if self.uploaded:
            return _l(
                "The recipe names the chapter file %(name)s: please send it along.", name=name
            )
        return _l("The chapter file %(name)s does not exist.", name=name)

    def name(self, path: str) -> str:
        """A file's name relative to the content folder (no folder of the server)."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return Path(path).name


def _plain(message: str) -> object | None:
    for pattern, words in PLAIN:
        found = pattern.search(message)
        if found:
            values = {k: str(KEY_NAMES.get(v, v)) for k, v in found.groupdict().items()}
            return str(words) % values if values else words
    return None


def content_problem(error: ContentError, where: Where) -> object:
    """anthology's ContentError as a sentence with its line, in the user's language."""
    words = _plain(error.message)
    if words is None:  # an unknown message: anthology's own words, without server folders
        words = error.message.replace(str(where.root.resolve()) + "/", "").replace(
            str(where.root) + "/", ""
        )
    path = error.path or ""
    if not path or path.endswith(".toml"):
        return where.line(error.line, words)
    name = where.name(path)
    if error.line is None:
        return _l("The chapter file %(name)s: %(problem)s", name=name, problem=words)
    return _l(
        "The chapter file %(name)s, line %(line)s: %(problem)s",
        name=name,
        line=error.line,
        problem=words,
    )


def field_problems(fields: Mapping[str, object], where: Where) -> list[object]:
    """The settings' problems, each with the line of its key in the recipe."""
    problems = []
    for name, message in fields.items():
        table, key = FIELD_KEYS.get(name, (None, name))
        problems.append(where.line(key_line(where.text, key, table), message))
    return problems
