"""The one Markdown pipeline for user text: site preview, PDF and EPUB all call `render`.

User text is untrusted. It is cleaned (`clean_text`), stored as Markdown, rendered by one
configured Python-Markdown instance and sanitized by nh3 with a fixed allow-list.
"""

from __future__ import annotations

import html
import re
import unicodedata

import markdown
import nh3

from anthology.text import pictures as _pictures

EXTENSIONS = ["footnotes", "tables", "sane_lists", "fenced_code"]
EXTENSION_CONFIGS = {"footnotes": {"BACKLINK_TITLE": "返回正文", "SUPERSCRIPT_TEXT": "{}"}}

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del",
    "sub", "sup", "blockquote", "ul", "ol", "li", "a", "img", "figure", "figcaption", "code",
    "pre", "table", "thead", "tbody", "tr", "th", "td", "div", "span", "section",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "sup": {"id", "class"},
    "li": {"id"},
    "div": {"class"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}
URL_SCHEMES = {"http", "https", "mailto", "data", _pictures.SCHEME}
IMAGE_DATA_URL = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]+$")

# C0/C1 control characters except tab and newline; NUL included.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates (Trojan-source characters).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Characters that Markdown would read as syntax; escaped in plain text from authors. Only the
# characters Python-Markdown can unescape get a backslash (`:` needs none); `~` (fences) becomes
# an entity, because a backslash before it would stay visible.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def clean_text(text: str) -> str:
    """Normalise untrusted text: NFC, \\n line endings, no control or bidi-override characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _BIDI.sub("", text)
    return unicodedata.normalize("NFC", text)


def escape_markdown(text: str) -> str:
    """Escape one line of plain text so that Markdown renders it exactly as typed."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("~", "&#126;")


def plain_to_markdown(text: str) -> str:
    """Plain text where every non-empty line is a paragraph -> escaped Markdown."""
    lines = (line.strip() for line in clean_text(text).split("\n"))
    return "\n\n".join(escape_markdown(line) for line in lines if line)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src") and value.lower().startswith("picture:"):
        ref = value[len("picture:") :]
        return value if tag == "img" and attribute == "src" and _pictures.REF.match(ref) else None
    if attribute in ("href", "src") and value.lower().startswith("data:"):
        if tag == "img" and attribute == "src" and IMAGE_DATA_URL.match(value):
            return value
        return None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_attribute_filter,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render(text: str, pictures: _pictures.Pictures = None) -> str:
    """Markdown from a user -> safe HTML. The only way user text becomes HTML anywhere.

    `pictures` maps the picture references of the text to their addresses
    (`anthology.text.pictures`); a reference without one is left out."""
    md = markdown.Markdown(
        extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    # clean_text again on the output: a character reference (&#x202E;, &#1;) would otherwise
    # bring back the bidi overrides and control characters that clean_text removed.
    html = clean_text(sanitize(md.convert(clean_text(text))))
    return _pictures.resolve(html, pictures)


# -- a story's text seen by an author: its length (字数), Markdown back to plain lines --

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
