"""Personal data in Chinese story text: find it so editors can pseudonymise it.

`detect(text)` returns non-overlapping `Flag`s (kind, start, end, text), sorted by position. Number
kinds are found with patterns plus checks (ID check digit and date, Luhn for bank cards:
anthology.text.contacts); person names and whole addresses by a tagger trained on labelled
sentences (anthology.text.tagger), over jieba's tagged words. `detect_markdown` and
`markdown_view` read a Markdown body as its reader will. Used by the editorial site and the book
builder; it never imports Flask or `stories`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anthology.text import pictures, words
from anthology.text.contacts import contact_flags, id_number_valid, luhn_valid
from anthology.text.flags import KINDS, PHONE_KINDS, Flag, without_overlaps
from anthology.text.tagger import model
from anthology.text.tagger.addresses import address_flags
from anthology.text.tagger.names import name_flags


def detect(text: str) -> list[Flag]:
    """All personal data found in `text`, without overlaps, in text order."""
    if not text:
        return []
    tokens = words.words(text)
    marked = model.spans(text, tokens)
    candidates = (
        contact_flags(text) + address_flags(text, tokens, marked) + name_flags(text, tokens, marked)
    )
    return without_overlaps(candidates)


def detect_contact_data(text: str) -> list[Flag]:
    """Numbers, e-mail addresses, labelled IDs and plates only: no word segmentation.

    About a hundred times faster than `detect`, so the book builder can check a whole volume.
    """
    return without_overlaps(contact_flags(text)) if text else []


# Markdown bodies carry the escapes of `anthology.text.markdown.escape_markdown` (139\-2233\-4455,
# qq\.com, &amp;): the detector reads the unescaped text and the flags point into the Markdown.
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])|&(amp|lt|gt|#126);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "#126": "~"}


@dataclass(frozen=True)
class MarkdownView:
    """Markdown read as plain text: `text[i]` comes from `markdown[starts[i]:ends[i]]`."""

    markdown: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The Markdown span of the plain-text span [start, end)."""
        if start >= end:
            position = self.starts[start] if start < len(self.starts) else len(self.markdown)
            return position, position
        return self.starts[start], self.ends[end - 1]


def markdown_view(markdown: str) -> MarkdownView:
    """The text as read; picture references count as spaces (their hash is no personal data)."""
    source = pictures.masked(markdown) if "picture:" in markdown else markdown
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for match in _MARKDOWN_ESCAPE.finditer(source):
        for index in range(position, match.start()):
            chars.append(source[index])
            starts.append(index)
            ends.append(index + 1)
        chars.append(match.group(1) or _ENTITIES[match.group(2)])
        starts.append(match.start())
        ends.append(match.end())
        position = match.end()
    for index in range(position, len(source)):
        chars.append(source[index])
        starts.append(index)
        ends.append(index + 1)
    return MarkdownView(markdown, "".join(chars), tuple(starts), tuple(ends))


def markdown_text(markdown: str) -> str:
    """`markdown_view(markdown).text`, without the positions (much faster)."""
    source = pictures.masked(markdown) if "picture:" in markdown else markdown
    return _MARKDOWN_ESCAPE.sub(lambda m: m.group(1) or _ENTITIES[m.group(2)], source)


def detect_markdown(markdown: str) -> list[Flag]:
    """`detect` on a Markdown body: `text` as read, `start`/`end` into the Markdown."""
    view = markdown_view(markdown)
    flags = []
    for flag in detect(view.text):
        start, end = view.source_span(flag.start, flag.end)
        flags.append(Flag(flag.kind, start, end, flag.text))
    return flags


__all__ = [
    "KINDS",
    "PHONE_KINDS",
    "Flag",
    "MarkdownView",
    "detect",
    "detect_contact_data",
    "detect_markdown",
    "id_number_valid",
    "luhn_valid",
    "markdown_text",
    "markdown_view",
]
