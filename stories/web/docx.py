"""Word (.docx) -> Markdown for a story or a book chapter: paragraphs, headings, bold, italic,
lists and pictures. The authors' form and the publishers' chapter pages both use it.

mammoth turns the document into simple HTML (it escapes the text); this module walks that HTML
and writes Markdown with every piece of the author's text escaped, so `<`, `*` or `#` in a Word
file appear as typed. With a picture store (the authors' form), each picture is decoded with
limits, re-encoded without metadata and kept by its content hash, and the text gets a reference
to it (`anthology.text.pictures`): the story text never holds a picture's bytes. Without one (a
publisher's chapter) pictures become `data:` URLs (PNG, JPEG and GIF only, the formats the
sanitizer allows). The file is checked to be a real .docx package whatever its name.

Before the conversion, the bounds of `anthology.text.limits` are checked (the size of the XML
inside, a zip bomb's expansion, the text's length, read as a stream), and the conversion itself
runs in a child process with a time and a memory limit; a picture is refused above a pixel
count read from its header, before anything decodes it. The pictures found in the child come
back as bytes and are stored by the parent (re-encoding takes longer than converting text).
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import mammoth
from flask_babel import lazy_gettext as _l

from anthology.text import limits
from anthology.text import pictures as references
from anthology.text.markdown import clean_text, escape_markdown
from stories.pictures import PictureError, Store

IMAGE_TYPES = {"image/png": "image/png", "image/jpeg": "image/jpeg", "image/jpg": "image/jpeg",
               "image/gif": "image/gif"}  # fmt: skip
MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
         "image/gif": (b"GIF87a", b"GIF89a")}  # fmt: skip
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc files and password-protected .docx


class DocxError(ValueError):
    """The upload is not a usable .docx file; `message` is safe to show to the author."""

    def __init__(self, message: Any, filename: str = "") -> None:
        super().__init__(f"{filename or 'upload'}: {message}")
        self.message = message
        self.filename = filename


@dataclass(frozen=True)
class Converted:
    markdown: str
    images: int = 0  # pictures kept
    dropped_images: int = 0  # pictures in formats we cannot show (EMF, WMF, TIFF, ...)
    pictures: tuple[str, ...] = ()  # references of the stored pictures, in order
    too_many: int = 0  # pictures over the limit of a story, left out


@dataclass(frozen=True)
class _Found:
    """What the bounded child found: the Markdown (pictures referenced by placeholders, which
    look like references) and the pictures' bytes, for the parent to store."""

    converted: Converted
    payloads: tuple[bytes, ...] = ()


def check_package(data: bytes, filename: str = "", max_chars: int | None = None) -> None:
    """Refuse anything but a .docx package (a ZIP holding word/document.xml) within bounds."""
    if not data:
        raise DocxError(_l("The file is empty."), filename)
    if data.startswith(OLE_MAGIC):
        raise DocxError(
            _l(
                "This is an old Word (.doc) file or a password-protected file. In Word choose "
                "“Save as” and the format “Word document (.docx)”, then upload it again."
            ),
            filename,
        )
    not_docx = _l("This is not a Word .docx file. Please upload a file saved by Word as .docx.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise DocxError(not_docx, filename) from error
    with archive:
        names = {entry.filename for entry in archive.infolist()}
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise DocxError(not_docx, filename)
        try:
            limits.check_docx(archive, max_chars)
        except limits.DocxTooLong as error:
            raise DocxError(
                _l(
                    "The Word file holds more than %(n)s characters, more than a story may have. "
                    "Please shorten it or send the story in parts.",
                    n=f"{error.limit:,}",
                ),
                filename,
            ) from error
        except limits.LimitError as error:
            raise DocxError(_l("The Word file is too large or damaged."), filename) from error
        except (zipfile.BadZipFile, OSError, SyntaxError, EOFError) as error:
            raise DocxError(
                _l("The Word file could not be read. Is it damaged?"), filename
            ) from error


def _picture_error(error: limits.PictureTooLarge, filename: str) -> DocxError:
    return DocxError(
        _l(
            "A picture in the Word file is too large (%(size)s; at most %(limit)s megapixels). "
            "In Word select the picture, choose “Compress pictures”, save and upload again.",
            size=f"{error.width} × {error.height}" if error.width else "?",
            limit=error.limit // 1_000_000,
        ),
        filename,
    )


def convert(
    data: bytes,
    filename: str = "",
    store: Store | None = None,
    max_pictures: int = 30,
    max_chars: int | None = None,
) -> Converted:
    """Convert a .docx file to story Markdown; raises DocxError for anything unusable.
    With `store`, pictures are kept there and referenced (see the module's docstring)."""
    check_package(data, filename, max_chars)
    try:
        found = limits.bounded(lambda: _convert(data, store is not None, max_pictures))
    except limits.PictureTooLarge as error:
        raise _picture_error(error, filename) from error
    except limits.TooCostly as error:
        raise DocxError(
            _l("The Word file is too complex to convert. Please save a simpler copy."), filename
        ) from error
    except limits.LimitError as error:
        raise DocxError(_l("The Word file could not be read. Is it damaged?"), filename) from error
    if found is None:
        raise DocxError(_l("The Word file could not be read. Is it damaged?"), filename)
    converted = _stored(found, store) if store is not None else found.converted
    if not converted.markdown.strip():
        raise DocxError(_l("The Word file contains no text."), filename)
    return converted


def _placeholder(number: int) -> str:
    return f"{number:064x}"  # the form of a reference, never a real SHA-256 in practice


def _stored(found: _Found, store: Store) -> Converted:
    """The child's pictures kept in the store, their placeholders replaced by references (a
    picture the store refuses is left out, counted as dropped)."""
    markdown, kept, dropped = found.converted.markdown, [], 0
    for number, payload in enumerate(found.payloads):
        placeholder = _placeholder(number)
        try:
            ref, _picture = store.add(payload)
        except PictureError:
            dropped += 1
            pattern = r"!\[[^\]\n]*\]\(picture:" + placeholder + r"[^)\n]*\)\n*"
            markdown = re.sub(pattern, "", markdown)
            continue
        kept.append(ref)
        markdown = markdown.replace(f"picture:{placeholder}", f"picture:{ref}")
    return Converted(
        markdown,
        images=len(kept),
        dropped_images=found.converted.dropped_images + dropped,
        pictures=tuple(dict.fromkeys(kept)),
        too_many=found.converted.too_many,
    )


def _convert(data: bytes, keep_pictures: bool = False, max_pictures: int = 30) -> _Found | None:
    """mammoth and our writer (in the bounded child); None when mammoth cannot read the file.
    With `keep_pictures` the pictures' bytes come back for the store, placeholders in the text."""
    counts = {"kept": 0, "dropped": 0, "over": 0}
    payloads: list[bytes] = []

    def convert_image(image: Any) -> list[Any]:
        content_type = IMAGE_TYPES.get((image.content_type or "").lower())
        with image.open() as handle:
            payload = handle.read(limits.MAX_XML_BYTES + 1)
        if keep_pictures:
            return keep_image(payload, image.alt_text or "")
        if content_type is None or not payload.startswith(MAGIC[content_type]):
            counts["dropped"] += 1
            return []
        try:
            limits.picture_size(payload)  # PictureTooLarge refuses the file
        except limits.UnreadablePicture:
            counts["dropped"] += 1
            return []
        counts["kept"] += 1
        attributes = {"src": f"data:{content_type};base64,{base64.b64encode(payload).decode()}"}
        if image.alt_text:
            attributes["alt"] = image.alt_text
        return [mammoth.html.element("img", attributes)]

    def keep_image(payload: bytes, alt: str) -> list[Any]:
        if len(payloads) >= max_pictures:
            counts["over"] += 1
            return []
        try:
            limits.picture_size(payload)  # PictureTooLarge refuses the file
        except limits.UnreadablePicture:
            pass  # the store may still read it (HEIC); else it is dropped there
        payloads.append(payload)
        ref = _placeholder(len(payloads) - 1)
        return [mammoth.html.element("img", {"src": f"picture:{ref}", "alt": alt})]

    try:
        result = mammoth.convert_to_html(
            io.BytesIO(data), convert_image=convert_image, external_file_access=False
        )
    except limits.LimitError:
        raise
    except Exception:  # mammoth raises many kinds for damaged files
        return None
    writer = _MarkdownWriter()
    writer.feed(result.value)
    writer.close()
    converted = Converted(
        writer.markdown(),
        images=counts["kept"],
        dropped_images=counts["dropped"],
        too_many=counts["over"],
    )
    return _Found(converted, tuple(payloads))


# --- mammoth's HTML -> Markdown ----------------------------------------------------------------

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote"}
_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
_LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass
class _List:
    ordered: bool
    count: int = 0


@dataclass
class _Inline:
    pieces: list[str] = field(default_factory=list)
    marks: list[tuple[str, int]] = field(default_factory=list)  # (marker, index in pieces)
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, index in pieces)


class _MarkdownWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[int | None, str]] = []  # (list group or None, text)
        self.lists: list[_List] = []
        self.inline = _Inline()
        self.heading = 0
        self.group = 0
        self.skip_link_text = 0

    # blocks

    def _flush(self, tag: str = "p") -> None:
        text = "".join(self.inline.pieces).strip()
        self.inline = _Inline()
        if not text:
            return
        if self.lists:
            current = self.lists[-1]
            indent = "    " * (len(self.lists) - 1)
            marker = f"{current.count}." if current.ordered else "-"
            self.blocks.append((self.group, f"{indent}{marker} {text}"))
        elif self.heading:
            self.blocks.append((None, "#" * min(self.heading + 1, 6) + " " + text))
        else:
            self.blocks.append((None, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("ul", "ol"):
            self._flush()  # the text of the enclosing item comes before its sub-list
            if not self.lists:
                self.group += 1
            self.lists.append(_List(ordered=tag == "ol"))
        elif tag == "li":
            self._flush()
            if self.lists:
                self.lists[-1].count += 1
        elif tag in _BLOCKS:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = int(tag[1:])
        elif tag in _MARKS:
            self.inline.marks.append((_MARKS[tag], len(self.inline.pieces)))
        elif tag == "a":
            href = (attributes.get("href") or "").strip()
            if href.startswith("#footnote-ref") or href.startswith("#endnote-ref"):
                self.skip_link_text += 1  # the "↑" back-link of a footnote
            self.inline.links.append((href, len(self.inline.pieces)))
        elif tag == "br":
            self.inline.pieces.append(" " if self.lists or self.heading else "  \n")
        elif tag == "img":
            self._image(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li" or tag in _BLOCKS:
            self._flush()
            self.heading = 0
        elif tag in _MARKS:
            self._close_mark()
        elif tag == "a":
            self._close_link()

    def handle_data(self, data: str) -> None:
        if self.skip_link_text:
            return
        text = clean_text(data).replace("\n", " ")
        if text:
            self.inline.pieces.append(escape_markdown(text))

    # inline

    def _close_mark(self) -> None:
        if not self.inline.marks:
            return
        marker, start = self.inline.marks.pop()
        inner = "".join(self.inline.pieces[start:])
        del self.inline.pieces[start:]
        core = inner.strip()
        if not core:
            self.inline.pieces.append(inner)
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        self.inline.pieces.append(f"{lead}{marker}{core}{marker}{trail}")

    def _close_link(self) -> None:
        if not self.inline.links:
            return
        href, start = self.inline.links.pop()
        if href.startswith("#footnote-ref") or href.startswith("#endnote-ref"):
            self.skip_link_text = max(0, self.skip_link_text - 1)
            return
        inner = "".join(self.inline.pieces[start:]).strip()
        if not inner or not href.lower().startswith(_LINK_SCHEMES):
            return  # anchors, bookmarks and other schemes keep only their text
        del self.inline.pieces[start:]
        url = clean_text(href).replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        url = url.replace("<", "%3C").replace(">", "%3E").replace("\n", "")
        self.inline.pieces.append(f"[{inner}]({url})")

    def _image(self, attributes: dict[str, str | None]) -> None:
        src = attributes.get("src") or ""
        ref = src[len("picture:") :] if src.startswith("picture:") else ""
        if references.REF.match(ref):
            alt = clean_text(attributes.get("alt") or "")
            # A picture stands in a paragraph of its own: a figure with its caption.
            self._flush()
            self.blocks.append((None, references.reference(ref, alt)))
            return
        if not src.startswith("data:image/"):
            return
        alt = escape_markdown(clean_text(attributes.get("alt") or "").replace("\n", " "))
        self.inline.pieces.append(f"![{alt}]({src})")

    def markdown(self) -> str:
        self._flush()
        out: list[str] = []
        previous: int | None = None
        for group, text in self.blocks:
            if out:
                out.append("\n" if group is not None and group == previous else "\n\n")
            out.append(text)
            previous = group
        return "".join(out) + ("\n" if out else "")
