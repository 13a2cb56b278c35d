"""Pictures in story Markdown: a stable reference to a stored file, resolved by the one pipeline.

A story's text never holds a picture's bytes. It holds a reference to the picture's content hash
(SHA-256 of the stored, metadata-free file), with the author's description (alt text) and caption:

    ![A handmade birthday card](picture:3f2a…64 hex… "The card the children made")

`anthology.text.markdown.render` resolves every reference with a mapping ref -> `Picture` given by
its caller: the site maps it to its own (signed) address, the book builder to the published file
of the source tree it was given. A reference without a mapping (or mapped to `src=""`, a picture
left out of the book) disappears from the output; a paragraph holding only a picture becomes a
`<figure>` with the caption as its `<figcaption>` and the description as the image's `alt`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SCHEME = "picture"
REF = re.compile(r"^[0-9a-f]{64}$")
# A reference as the Markdown holds it: the description, the hash, the caption in quotes.
REFERENCE = re.compile(
    r'!\[(?P<alt>(?:\\.|[^\]\\])*)\]\(picture:(?P<ref>[0-9a-f]{64})(?:\s+"(?P<title>(?:\\.|[^"\\])*)")?\)'
)
_IMG = re.compile(r'<img\b[^>]*\bsrc="picture:([0-9a-f]{64})"[^>]*>')
_ATTR = re.compile(r'\b(alt|title)="([^"]*)"')
_LONE = re.compile(r'<p>\s*(<img\b[^>]*\bsrc="picture:[0-9a-f]{64}"[^>]*>)\s*</p>')
_ESCAPED = re.compile(r"\\(.)")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_QUOTES = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Picture:
    """How one reference is shown: `src` is the address the HTML uses ("" = left out)."""

    ref: str
    src: str
    width: int | None = None
    height: int | None = None


Pictures = Mapping[str, Picture] | Iterable[Picture] | None


@dataclass(frozen=True)
class Reference:
    """One reference found in a Markdown text, its description and caption as typed."""

    ref: str
    description: str
    caption: str
    start: int
    end: int


def references(markdown: str) -> list[Reference]:
    """Every picture reference of a Markdown text, in order (a picture may appear twice)."""
    return [
        Reference(
            m.group("ref"),
            _unescape(m.group("alt")),
            _unescape(m.group("title") or ""),
            m.start(),
            m.end(),
        )
        for m in REFERENCE.finditer(markdown or "")
    ]


def refs(markdown: str) -> list[str]:
    """The distinct picture hashes of a text, in the order they first appear."""
    return list(dict.fromkeys(r.ref for r in references(markdown)))


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def _escape(text: str) -> str:
    # A straight quote would end the Markdown title: pairs become Chinese quotation marks.
    one_line = _QUOTES.sub(r"“\1”", " ".join((text or "").split())).replace('"', "”")
    return _MD_SPECIAL.sub(r"\\\1", one_line)


def reference(ref: str, description: str = "", caption: str = "") -> str:
    """The Markdown of one picture reference (the texts escaped, on one line)."""
    if not REF.match(ref):
        raise ValueError(f"not a picture reference: {ref!r}")
    title = f' "{_escape(caption)}"' if caption.strip() else ""
    return f"![{_escape(description)}](picture:{ref}{title})"


def describe(markdown: str, ref: str, description: str, caption: str) -> str:
    """The text with every reference to `ref` given this description and caption."""
    new = reference(ref, description, caption)
    return REFERENCE.sub(lambda m: new if m.group("ref") == ref else m.group(0), markdown)


def without(markdown: str, ref: str) -> str:
    """The text without the references to `ref` (and without the paragraphs left empty)."""
    text = REFERENCE.sub(lambda m: "" if m.group("ref") == ref else m.group(0), markdown)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def masked(markdown: str) -> str:
    """The text with each reference's hash replaced by spaces of the same length: what the
    privacy detector reads (the hash is no personal data; description and caption are)."""
    return REFERENCE.sub(
        lambda m: m.group(0).replace(m.group("ref"), " " * 64).replace("picture:", " " * 8),
        markdown,
    )


def resolve(html_text: str, pictures: Pictures) -> str:
    """Sanitized HTML with `src="picture:…"` images -> figures with the given addresses."""
    if "picture:" not in html_text:
        return html_text
    if pictures is None:
        found: Mapping[str, Picture] = {}
    elif isinstance(pictures, Mapping):
        found = pictures
    else:
        found = {p.ref: p for p in pictures}

    def figure(match: re.Match[str]) -> str:
        img = match.group(1)
        return f"<figure>{img}{_caption(img)}</figure>" if _shown(img, found) else ""

    html_text = _LONE.sub(figure, html_text)
    return _IMG.sub(lambda m: _image(m.group(0), found), html_text)


def _shown(img: str, found: Mapping[str, Picture]) -> bool:
    match = _IMG.search(img)
    picture = found.get(match.group(1)) if match else None
    return picture is not None and bool(picture.src)


def _caption(img: str) -> str:
    attributes = dict(_ATTR.findall(img))
    title = attributes.get("title", "")
    return f"<figcaption>{title}</figcaption>" if title else ""


def _image(img: str, found: Mapping[str, Picture]) -> str:
    ref = _IMG.search(img)
    picture = found.get(ref.group(1)) if ref else None
    if picture is None or not picture.src:
        return ""
    attributes = dict(_ATTR.findall(img))
    parts = [f'src="{html.escape(picture.src, quote=True)}"', f'alt="{attributes.get("alt", "")}"']
    if picture.width and picture.height:
        parts.append(f'width="{picture.width}" height="{picture.height}"')
    return f"<img {' '.join(parts)}>"
