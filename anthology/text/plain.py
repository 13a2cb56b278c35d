"""A story's text seen by an author: its length in characters, and Markdown back to plain lines."""

from __future__ import annotations

import html
import re

from anthology.text.markdown import clean_text, render

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr|figcaption)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _visible_text(markdown: str) -> str:
    """The text a reader sees, one block per line (the HTML comes from the sanitizer)."""
    rendered = _BLOCK_END.sub("\n", render(markdown))
    return html.unescape(_TAG.sub("", rendered))


def length(markdown: str) -> int:
    """Characters a reader sees, without white space and pictures (the Chinese 字数)."""
    return len(_SPACE.sub("", _visible_text(markdown)))


def plain_length(text: str) -> int:
    """The same count for typed plain text (which renders to exactly its own characters)."""
    return len(_SPACE.sub("", clean_text(text)))


def to_plain(markdown: str) -> str:
    """Markdown -> plain text with one paragraph per line, for the author's revision textarea.

    Formatting (headings, bold, pictures) is not kept; authors who need it upload a Word file.
    """
    lines = (line.strip() for line in _visible_text(markdown).split("\n"))
    return "\n".join(line for line in lines if line)
