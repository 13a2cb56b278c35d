"""Phase two of the EPUB: the files made from the complete shelf of documents.

The navigation document (TOC with nested parts, landmarks, the print page-list), the optional
font subsets, the stylesheet, the NCX for older readers and the package document (metadata,
manifest, spine), each rendered from `templates/book/epub/` and parsed once to prove it is
well-formed before it goes into the container.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree

from anthology.epub import fontsubset, metadata, xhtml
from anthology.epub.documents import PACKAGE_DIR, NavEntry
from anthology.epub.shelf import Shelf
from anthology.epub.xhtml import XML_PARSER, x

CONTAINER = f"""<?xml version="1.0" encoding="utf-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles>
<rootfile full-path="{PACKAGE_DIR}/package.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"""
# Classes the stylesheet sets in the heading face (Hei), besides h1-h6 and nav.
SANS_CLASSES = {"byline", "book-subtitle", "part-number"}
LANDMARK_LABELS = {"cover": "封面", "toc": "目录", "bodymatter": "正文"}


def files(shelf: Shelf, moment: datetime, embed_fonts: bool) -> list[tuple[str, bytes]]:
    """Every file of the container after `mimetype`, in a fixed order."""
    nav = next(doc for doc in shelf.docs if doc.id == "nav")
    nav.data = _navigation(shelf)
    xhtml.check(f"{PACKAGE_DIR}/text/nav.xhtml", nav.data)
    faces: list[fontsubset.Face] = []
    if embed_fonts:
        faces = fontsubset.embed(shelf.manuscript.meta.fonts, characters(shelf))
        shelf.fonts = [face.resource for face in faces]
    css = shelf.env.get_template("book.css").render(
        fonts=faces, embedded=fontsubset.families(faces)
    )
    out = [("META-INF/container.xml", CONTAINER.encode("utf-8"))]
    out.append((f"{PACKAGE_DIR}/package.opf", _package(shelf, moment)))
    out += [(f"{PACKAGE_DIR}/text/{doc.file}", doc.data) for doc in shelf.docs]
    out.append((f"{PACKAGE_DIR}/css/book.css", css.encode("utf-8")))
    out += [(f"{PACKAGE_DIR}/{r.name}", r.data) for r in [*shelf.images.values(), *shelf.fonts]]
    out.append((f"{PACKAGE_DIR}/toc.ncx", _ncx(shelf)))
    return out


def _xml(text: str, doctype: str | None = None) -> bytes:
    root = etree.fromstring(text.strip().encode("utf-8"), XML_PARSER)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, doctype=doctype)


def _navigation(shelf: Shelf) -> bytes:
    text = shelf.env.get_template("nav.xhtml").render(
        lang=shelf.lang,
        title="目录",
        matter="frontmatter",
        toc=_entries(shelf.toc, in_text=True),
        landmarks=[
            {"type": kind, "href": href, "label": LANDMARK_LABELS.get(kind, kind)}
            for kind, href in shelf.landmarks
        ],
        pages=[{"label": label, "href": href} for label, href in shelf.pages],
    )
    return _xml(text, "<!DOCTYPE html>")


def _entries(
    entries: list[NavEntry], in_text: bool, counter: list[int] | None = None
) -> list[dict[str, Any]]:
    """TOC entries with hrefs relative to text/ (nav) or to the package (NCX), in play order."""
    counter = counter if counter is not None else [0]
    out = []
    for entry in entries:
        counter[0] += 1
        out.append(
            {
                "label": entry.label,
                "href": entry.doc.file if in_text else f"text/{entry.doc.file}",
                "ncx_id": f"ncx-{entry.doc.id}",
                "order": counter[0],
                "children": _entries(entry.children, in_text, counter),
            }
        )
    return out


def _depth(entries: list[dict[str, Any]]) -> int:
    return 1 + max((_depth(e["children"]) for e in entries if e["children"]), default=0)


def _ncx(shelf: Shelf) -> bytes:
    toc = _entries(shelf.toc, in_text=False)
    text = shelf.env.get_template("toc.ncx").render(
        lang=shelf.lang,
        identifier=metadata.identifier(shelf.manuscript),
        title=shelf.manuscript.meta.title,
        toc=toc,
        depth=_depth(toc),
    )
    return _xml(text)


def characters(shelf: Shelf) -> dict[str, str]:
    """The characters each embedded face must have, by role (see book.css)."""
    roles: dict[str, set[str]] = {
        "serif": set(),
        "bold": set(),
        "sans": set(),
        "sans-regular": set(),
    }
    headings = {x(f"h{n}") for n in range(1, 7)}
    bold = {x("strong"), x("b"), x("th"), x("dt")}
    for doc in shelf.docs:
        body = etree.fromstring(doc.data, XML_PARSER).find(x("body"))
        if body is None:
            continue
        roles["serif"].update("".join(body.itertext()))
        for element in body.iter():
            classes = set((element.get("class") or "").split())
            if element.tag in headings:
                roles["sans"].update("".join(element.itertext()))
            elif element.tag == x("nav") or SANS_CLASSES & classes:
                roles["sans-regular"].update("".join(element.itertext()))
            elif element.tag in bold:
                roles["bold"].update("".join(element.itertext()))
    return {role: "".join(sorted(chars)) for role, chars in roles.items()}


def _item(item_id: str, href: str, media_type: str, properties: str = "") -> dict[str, str]:
    return {"id": item_id, "href": href, "media_type": media_type, "properties": properties}


def _manifest(shelf: Shelf) -> list[dict[str, str]]:
    items = [
        _item(doc.id, f"text/{doc.file}", "application/xhtml+xml", "nav" if doc.id == "nav" else "")
        for doc in shelf.docs
    ]
    items.append(_item("css", "css/book.css", "text/css"))
    for n, resource in enumerate([*shelf.images.values(), *shelf.fonts], 1):
        if resource.name.startswith("images/cover."):
            items.append(_item("cover-image", resource.name, resource.media_type, "cover-image"))
        else:
            items.append(_item(f"res-{n}", resource.name, resource.media_type))
    items.append(_item("ncx", "toc.ncx", "application/x-dtbncx+xml"))
    return items


def _package(shelf: Shelf, moment: datetime) -> bytes:
    manuscript = shelf.manuscript
    meta = manuscript.meta
    facts = metadata.Facts(page_list=bool(shelf.pages), **shelf.facts)
    text = shelf.env.get_template("package.opf").render(
        lang=shelf.lang,
        meta=meta,
        identifier=metadata.identifier(manuscript),
        creators=metadata.people(manuscript),
        date=str(meta.year or ""),
        description=metadata.description(manuscript),
        subjects=metadata.subjects(manuscript),
        print_source=metadata.print_source(manuscript) if shelf.pages else "",
        modified=metadata.w3cdtf(moment),
        accessibility=metadata.accessibility(facts, meta.publisher),
        manifest=_manifest(shelf),
        spine=shelf.docs,
    )
    return _xml(text)
