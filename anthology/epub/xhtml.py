"""Sanitized, typeset HTML (from `anthology.text.typeset.chapter_html`) -> EPUB 3 XHTML elements.

The HTML is parsed with lxml's HTML parser and rebuilt element by element in the XHTML
namespace, so the result is well-formed by construction and text stays text (lxml escapes it).
On the way:
- Python-Markdown's footnotes become EPUB 3 note references and `<aside epub:type="footnote">`;
- every id is renamed into a namespace of its own (`n-`, `fn-`, `fnref-`) so that user ids can
  never collide with the writer's (`page-N`) and internal links are rewritten to match;
- embedded images (data URLs) become files of the book; remote or missing images become their
  alternative text, because an EPUB may not load images from the web.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree
from PIL import Image

from anthology.sources.manuscript import circled

XHTML = "http://www.w3.org/1999/xhtml"
EPUB = "http://www.idpf.org/2007/ops"
NSMAP = {None: XHTML, "epub": EPUB}
EPUB_TYPE = f"{{{EPUB}}}type"

XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
IMAGE_TYPES = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
}
_FOOTNOTE_ID = re.compile(r"^(fn|fnref\d*):(.+)$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_DIGITS = re.compile(r"^\d{1,5}$")


# Characters XML 1.0 does not allow (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters that XML cannot hold."""
    return _NOT_XML.sub("", text)


def x(tag: str) -> str:
    """The qualified XHTML name of `tag`."""
    return f"{{{XHTML}}}{tag}"


def safe_id(text: str) -> str:
    """An ASCII token for ids: letters, digits, _ and - kept, anything else as _hex."""
    return _UNSAFE.sub(lambda m: f"_{ord(m.group(0)):x}", text) or "_"


@dataclass(frozen=True)
class Resource:
    """A file of the book other than a content document (image, font, stylesheet)."""

    name: str  # path inside the EPUB's content folder, e.g. images/3f2a….png
    data: bytes
    media_type: str


@dataclass
class Converted:
    """One chapter's body as XHTML elements plus what it needs."""

    elements: list[etree._Element]
    images: list[Resource] = field(default_factory=list)
    image_alts: list[str] = field(default_factory=list)  # alt text of every image, "" if none
    warnings: list[str] = field(default_factory=list)
    notes: int = 0


def convert(html: str, *, images_from: Path | None = None) -> Converted:
    """HTML fragment -> XHTML elements. `images_from` allows relative image files in that folder."""
    root = lxml.html.fragment_fromstring(html or "", create_parent="div")
    div = _rebuild(root)
    out = Converted(elements=[])
    out.notes = _footnotes(div)
    _ids_and_links(div)
    _images(div, out, images_from)
    _obsolete_attributes(div)
    out.elements = list(div)
    return out


def _rebuild(element: etree._Element) -> etree._Element:
    """Copy an lxml.html tree into the XHTML namespace (comments and PIs dropped)."""
    new = etree.Element(x(element.tag), nsmap=NSMAP)
    for name, value in element.attrib.items():
        if ":" not in name:  # the sanitizer allows no namespaced attribute; never copy one
            new.set(name, xml_safe(value))
    new.text = xml_safe(element.text) if element.text else None
    for child in element:
        if not isinstance(child.tag, str):  # comment or processing instruction
            continue
        copy = _rebuild(child)
        copy.tail = xml_safe(child.tail) if child.tail else None
        new.append(copy)
    return new


def _footnotes(div: etree._Element) -> int:
    """Python-Markdown footnotes -> noteref links and footnote asides; returns the note count."""
    for ref in div.iter(x("a")):
        if "footnote-ref" in (ref.get("class") or "").split():
            sup = ref.getparent()
            if sup is not None and sup.tag == x("sup") and sup.get("id"):
                ref.set("id", sup.attrib.pop("id"))
            ref.set(EPUB_TYPE, "noteref")
            ref.set("role", "doc-noteref")
            if (ref.text or "").strip().isdigit():  # ① ② ... as in the print edition
                ref.text = circled(int(ref.text.strip()))
    count = 0
    for block in list(div.iter(x("div"))):
        if "footnote" not in (block.get("class") or "").split():
            continue
        section = etree.Element(x("section"), {"class": "footnotes"})
        for item in block.iter(x("li")):
            aside = etree.SubElement(section, x("aside"), {"id": item.get("id", "")})
            aside.set(EPUB_TYPE, "footnote")
            aside.set("role", "doc-footnote")
            aside.text = item.text
            aside.extend(list(item))
            count += 1
            _number(aside, count)
        for back in section.iter(x("a")):
            if "footnote-backref" in (back.get("class") or "").split():
                back.set("role", "doc-backlink")
        section.tail = block.tail
        block.getparent().replace(block, section)
    return count


def _number(aside: etree._Element, number: int) -> None:
    """The note's number (①) at the start of its text, as a reader sees it in print."""
    label = etree.Element(x("span"), {"class": "note-number"})
    label.text = circled(number)
    label.tail = "\u2002"
    leads = len(aside) and aside[0].tag == x("p") and not (aside.text or "").strip()
    host = aside[0] if leads else aside
    label.tail += host.text or ""
    host.text = None
    host.insert(0, label)


def _new_id(old: str) -> str:
    match = _FOOTNOTE_ID.match(old)
    if match:
        kind = "fn" if match.group(1) == "fn" else "fnref" + match.group(1)[5:]
        return f"{kind}-{safe_id(match.group(2))}"
    return f"n-{safe_id(old)}"


def _ids_and_links(div: etree._Element) -> None:
    """Rename ids into the body's own namespace, dedupe, and rewrite `#fragment` links."""
    renamed: dict[str, str] = {}
    used: set[str] = set()
    for element in div.iter():
        old = element.get("id")
        if old is None:
            continue
        new = base = _new_id(old)
        n = 2
        while new in used:
            new, n = f"{base}-{n}", n + 1
        used.add(new)
        renamed.setdefault(old, new)
        element.set("id", new)
    for link in div.iter(x("a")):
        href = link.get("href") or ""
        if href.startswith("#") and href[1:] in renamed:
            link.set("href", f"#{renamed[href[1:]]}")
            link.attrib.pop("rel", None)
        elif not re.match(r"^(https?|mailto):", href, re.I):
            # A link to nothing inside the book (a missing fragment, a relative file) would be an
            # EPUBCheck error: keep the text, drop the link and the attributes that need one.
            for name in ("href", "rel", "target", "hreflang", "type", "download", "ping"):
                link.attrib.pop(name, None)


def _decode_data_url(src: str) -> bytes | None:
    try:
        return base64.b64decode(src.split(",", 1)[1], validate=False)
    except (IndexError, binascii.Error):
        return None


def _image_resource(data: bytes) -> Resource | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format or ""
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
        return None
    if kind not in IMAGE_TYPES:
        return None
    media_type, extension = IMAGE_TYPES[kind]
    name = f"images/{hashlib.sha256(data).hexdigest()[:20]}.{extension}"
    return Resource(name, data, media_type)


def _image_data(src: str, images_from: Path | None) -> bytes | None:
    if src.lower().startswith("data:"):
        return _decode_data_url(src)
    if images_from is None or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("/"):
        return None
    folder = images_from.resolve()
    path = (folder / src).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return None
    return path.read_bytes()


def _images(div: etree._Element, out: Converted, images_from: Path | None) -> None:
    for img in list(div.iter(x("img"))):
        src = img.get("src", "")
        alt = (img.get("alt") or "").strip()
        data = _image_data(src, images_from)
        resource = _image_resource(data) if data is not None else None
        if resource is None:
            shown = src if not src.lower().startswith("data:") else "data:…"
            out.warnings.append(
                f"image {shown[:80]!r} cannot be put into the EPUB; its alt text is"
            )
            _replace_with_text(img, alt)
            continue
        img.set("src", resource.name)  # made relative to the document by the writer
        img.set("alt", alt)
        for size in ("width", "height"):
            if size in img.attrib and not _DIGITS.match(img.get(size, "")):
                del img.attrib[size]
        if resource.name not in {r.name for r in out.images}:
            out.images.append(resource)
        out.image_alts.append(alt)


def _replace_with_text(element: etree._Element, text: str) -> None:
    span = etree.Element(x("span"), {"class": "missing-image"})
    span.text = f"［{text}］" if text else ""
    span.tail = element.tail
    element.getparent().replace(element, span)


def _obsolete_attributes(div: etree._Element) -> None:
    """HTML attributes that EPUB's HTML5 rules reject, turned into their CSS equivalent."""
    for cell in div.iter(x("th"), x("td")):
        align = cell.attrib.pop("align", None)
        if align in ("left", "right", "center", "justify"):
            cell.set("style", f"text-align: {align}")


def check(name: str, data: bytes) -> None:
    """Raise ValueError unless `data` is well-formed XHTML with a non-empty body."""
    try:
        root = etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{name} is not well-formed XHTML: {exc}") from exc
    if root.tag != x("html"):
        raise ValueError(f"{name}: the root element is {root.tag}, not XHTML <html>")
    body = root.find(x("body"))
    if body is None or (len(body) == 0 and not (body.text or "").strip()):
        raise ValueError(f"{name} has an empty body")
