"""Everything that goes into one EPUB, held in memory until it is complete and checked.

Content documents are rendered from `templates/book/epub/` (Jinja2, autoescaped: text from
authors is always text), parsed as XML, completed (chapter body, print page-break marker) and
serialized again, then checked to be well-formed with a non-empty body.
"""

from __future__ import annotations

from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup

from anthology.epub import pagebreaks, xhtml
from anthology.epub.documents import PACKAGE_DIR, Doc, NavEntry
from anthology.epub.xhtml import EPUB_TYPE, XML_PARSER, Converted, Resource, x
from anthology.resources import TEMPLATES
from anthology.sources.manuscript import Manuscript


def page_id(label: str) -> str:
    """The id of the page-break marker of print page `label` (e.g. page-12, page-iii)."""
    return "page-" + xhtml.safe_id(label)


def xml_text(value: Any) -> Any:
    """Every value a template prints, without characters that would make the XML ill-formed."""
    if isinstance(value, str):
        cleaned = xhtml.xml_safe(value)
        # Removing characters from markup that was already safe keeps it safe.
        return Markup(cleaned) if isinstance(value, Markup) else cleaned  # noqa: S704
    return value


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "book" / "epub"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=xml_text,
    )


class Shelf:
    def __init__(
        self,
        manuscript: Manuscript,
        chapter_pages: dict[str, int | str],
        print_pages: int = 0,
        page_starts: tuple[tuple[str, str, int, int], ...] = (),
    ):
        self.manuscript = manuscript
        self.print_pages = print_pages  # the print edition's pages (0: not laid out)
        self.lang = manuscript.meta.language or "zh-CN"
        self.chapter_pages = chapter_pages
        # Every print page: document id -> [(label, element index, characters before)].
        self.page_starts: dict[str, list[tuple[str, int, int]]] = {}
        for label, doc_id, block, offset in page_starts:
            self.page_starts.setdefault(doc_id, []).append((label, block, offset))
        self.env = _environment()
        self.docs: list[Doc] = []
        self.images: dict[str, Resource] = {}
        self.fonts: list[Resource] = []
        self.pages: list[tuple[str, str]] = []  # (label, href) in reading order
        self.toc: list[NavEntry] = []
        self.landmarks: list[tuple[str, str]] = []  # (epub:type, href)
        self.warnings: list[str] = []
        self.facts = {"images": 0, "images_with_alt": 0, "notes": 0, "tables": 0}

    @property
    def font_count(self) -> int:
        return len(self.fonts)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    # -- content documents -------------------------------------------------------------------

    def add_image(self, name: str, data: bytes, media_type: str) -> str:
        self.images.setdefault(name, Resource(name, data, media_type))
        return name

    def count_image(self, alt: str) -> None:
        self.facts["images"] += 1
        self.facts["images_with_alt"] += 1 if alt.strip() else 0

    def add_doc(self, doc_id: str, title: str, template: str, matter: str, **context: Any) -> Doc:
        body: Converted | None = context.pop("body", None)
        text = self.env.get_template(template).render(
            lang=self.lang, title=title, matter=matter, **context
        )
        root = etree.fromstring(text.strip().encode("utf-8"), XML_PARSER)
        blocks = self._fill(root, body) if body is not None else []
        doc = Doc(doc_id, title, f"{doc_id}.xhtml")
        if self.page_starts:
            self._page_markers(root, doc, blocks)
        else:
            self._page_marker(root, doc)
        doc.data = etree.tostring(
            root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
        )
        xhtml.check(f"{PACKAGE_DIR}/text/{doc.file}", doc.data)
        self.docs.append(doc)
        return doc

    def _fill(self, root: etree._Element, body: Converted) -> list[etree._Element]:
        """Put the chapter's body in; returns its top-level elements (as print counts them)."""
        slot = next(e for e in root.iter(x("div")) if e.get("data-slot") == "body")
        del slot.attrib["data-slot"]
        slot.extend(body.elements)
        blocks = list(body.elements)
        for img in slot.iter(x("img")):
            img.set("src", "../" + img.get("src", ""))
        for resource in body.images:
            self.add_image(resource.name, resource.data, resource.media_type)
        for alt in body.image_alts:
            self.count_image(alt)
        self.facts["notes"] += body.notes
        self.facts["tables"] += sum(1 for _ in slot.iter(x("table")))
        return blocks

    def _page_markers(self, root: etree._Element, doc: Doc, blocks: list) -> None:
        """A page-break marker for every print page that begins in this document, where it
        begins (anthology.epub.pagebreaks)."""
        section = next(root.iter(x("section")), None)
        starts = self.page_starts.get(doc.id, [])
        if section is None or not starts:
            return
        # The last first: markers at one place then stand in page order.
        for label, block, offset in reversed(starts):
            pagebreaks.place(
                section, blocks, block, offset, pagebreaks.marker(page_id(label), label)
            )
        self.pages.extend((label, f"{doc.file}#{page_id(label)}") for label, _b, _o in starts)

    def _page_marker(self, root: etree._Element, doc: Doc) -> None:
        """A page-break marker for the print page where this document starts, if known."""
        if doc.id not in self.chapter_pages:
            return
        label = str(self.chapter_pages[doc.id])
        marker_id = page_id(label)
        if any(href.endswith(f"#{marker_id}") for _, href in self.pages):
            self.warn(f"print page {label} starts more than one chapter; marked once")
            return
        section = next(root.iter(x("section")))
        marker = etree.Element(x("span"), {"id": marker_id, "role": "doc-pagebreak"})
        marker.set(EPUB_TYPE, "pagebreak")
        marker.set("aria-label", label)
        marker.set("title", label)
        marker.tail = section.text
        section.text = None
        section.insert(0, marker)
        self.pages.append((label, f"{doc.file}#{marker_id}"))

    def check_pages(self) -> None:
        known = {doc.id for doc in self.docs}
        unknown = sorted(set(self.chapter_pages) - known)
        if unknown:
            self.warn(f"print pages given for ids not in the EPUB: {', '.join(unknown)}")

    def add_nav_slot(self) -> None:
        self.docs.append(Doc("nav", "目录", "nav.xhtml"))

    def landmark(self, kind: str, doc_id: str, fragment: str = "") -> None:
        self.landmarks.append((kind, f"{doc_id}.xhtml" + (f"#{fragment}" if fragment else "")))

    def landmark_once(self, kind: str, doc: Doc) -> None:
        if all(k != kind for k, _ in self.landmarks):
            self.landmark(kind, doc.id)
