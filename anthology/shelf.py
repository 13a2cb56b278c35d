"""Everything that goes into one EPUB, held in memory until it is complete and checked.

Content documents are rendered from `templates/book/epub/` (Jinja2, autoescaped: text from
authors is always text), parsed as XML, completed (chapter body, print page-break marker) and
serialized again, then checked to be well-formed with a non-empty body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup

from anthology import fontsubset, metadata, xhtml
from anthology.manuscript import Manuscript
from anthology.xhtml import EPUB_TYPE, Converted, Resource, x

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "book" / "epub"
ROOT = "EPUB"  # the folder of the package inside the container
CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles>
<rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"""
# Elements the stylesheet sets in the heading face (Hei).
SANS_CLASSES = {"byline", "book-subtitle", "part-number"}
LANDMARK_LABELS = {"cover": "封面", "toc": "目录", "bodymatter": "正文"}
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def page_id(label: str) -> str:
    """The id of the page-break marker of print page `label` (e.g. page-12, page-iii)."""
    return "page-" + xhtml.safe_id(label)


@dataclass
class Doc:
    id: str  # manifest id, and the key into chapter_pages
    title: str
    file: str  # file name inside text/
    data: bytes = b""
    linear: bool = True


@dataclass
class NavEntry:
    label: str
    doc: Doc
    children: list[NavEntry] = field(default_factory=list)


def xml_text(value: Any) -> Any:
    """Every value a template prints, without characters that would make the XML ill-formed."""
    if isinstance(value, str):
        cleaned = xhtml.xml_safe(value)
        # Removing characters from markup that was already safe keeps it safe.
        return Markup(cleaned) if isinstance(value, Markup) else cleaned  # noqa: S704
    return value


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=xml_text,
    )


class Shelf:
    def __init__(self, manuscript: Manuscript, chapter_pages: dict[str, int | str]):
        self.manuscript = manuscript
        self.lang = manuscript.meta.language or "zh-CN"
        self.chapter_pages = chapter_pages
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
        if body is not None:
            self._fill(root, body)
        doc = Doc(doc_id, title, f"{doc_id}.xhtml")
        self._page_marker(root, doc)
        doc.data = etree.tostring(
            root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
        )
        xhtml.check(f"{ROOT}/text/{doc.file}", doc.data)
        self.docs.append(doc)
        return doc

    def _fill(self, root: etree._Element, body: Converted) -> None:
        slot = next(e for e in root.iter(x("div")) if e.get("data-slot") == "body")
        del slot.attrib["data-slot"]
        slot.extend(body.elements)
        for img in slot.iter(x("img")):
            img.set("src", "../" + img.get("src", ""))
        for resource in body.images:
            self.add_image(resource.name, resource.data, resource.media_type)
        for alt in body.image_alts:
            self.count_image(alt)
        self.facts["notes"] += body.notes
        self.facts["tables"] += sum(1 for _ in slot.iter(x("table")))

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

    # -- phase two: the package files --------------------------------------------------------

    def files(self, moment: datetime, embed_fonts: bool) -> list[tuple[str, bytes]]:
        nav = next(doc for doc in self.docs if doc.id == "nav")
        nav.data = self._render_xhtml(
            "nav.xhtml",
            "目录",
            toc=self._entries(self.toc, "nav"),
            landmarks=self._landmarks(),
            pages=self._pages(),
        )
        xhtml.check(f"{ROOT}/text/nav.xhtml", nav.data)
        faces: list[fontsubset.Face] = []
        if embed_fonts:
            faces = fontsubset.embed(self.manuscript.meta.fonts, self._characters())
            self.fonts = [face.resource for face in faces]
        css = self.env.get_template("book.css").render(
            fonts=faces, embedded=fontsubset.families(faces)
        )
        files = [("META-INF/container.xml", CONTAINER.encode("utf-8"))]
        files.append((f"{ROOT}/package.opf", self._package(moment)))
        files += [(f"{ROOT}/text/{doc.file}", doc.data) for doc in self.docs]
        files.append((f"{ROOT}/css/book.css", css.encode("utf-8")))
        files += [(f"{ROOT}/{r.name}", r.data) for r in [*self.images.values(), *self.fonts]]
        files.append((f"{ROOT}/toc.ncx", self._ncx()))
        return files

    def _render_xhtml(self, template: str, title: str, **context: Any) -> bytes:
        text = self.env.get_template(template).render(
            lang=self.lang, title=title, matter="frontmatter", **context
        )
        root = etree.fromstring(text.strip().encode("utf-8"), XML_PARSER)
        return etree.tostring(
            root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
        )

    def _entries(self, entries: list[NavEntry], prefix: str, counter: list[int] | None = None):
        counter = counter if counter is not None else [0]
        out = []
        for entry in entries:
            counter[0] += 1
            out.append(
                {
                    "label": entry.label,
                    "href": entry.doc.file if prefix == "nav" else f"text/{entry.doc.file}",
                    "ncx_id": f"ncx-{entry.doc.id}",
                    "order": counter[0],
                    "children": self._entries(entry.children, prefix, counter),
                }
            )
        return out

    def _landmarks(self) -> list[dict[str, str]]:
        return [
            {"type": kind, "href": href, "label": LANDMARK_LABELS.get(kind, kind)}
            for kind, href in self.landmarks
        ]

    def _pages(self) -> list[dict[str, str]]:
        return [{"label": label, "href": href} for label, href in self.pages]

    def _characters(self) -> dict[str, str]:
        """The characters each embedded face must have, by role (see book.css)."""
        roles: dict[str, set[str]] = {"serif": set(), "bold": set(), "sans": set()}
        sans = {x(f"h{n}") for n in range(1, 7)} | {x("nav")}
        bold = {x("strong"), x("b"), x("th"), x("dt")}
        for doc in self.docs:
            body = etree.fromstring(doc.data, XML_PARSER).find(x("body"))
            if body is None:
                continue
            roles["serif"].update("".join(body.itertext()))
            for element in body.iter():
                classes = set((element.get("class") or "").split())
                if element.tag in sans or SANS_CLASSES & classes:
                    roles["sans"].update("".join(element.itertext()))
                elif element.tag in bold:
                    roles["bold"].update("".join(element.itertext()))
        return {role: "".join(sorted(chars)) for role, chars in roles.items()}

    def _ncx(self) -> bytes:
        toc = self._entries(self.toc, "ncx")
        text = self.env.get_template("toc.ncx").render(
            lang=self.lang,
            identifier=metadata.identifier(self.manuscript),
            title=self.manuscript.meta.title,
            toc=toc,
            depth=_depth(toc),
        )
        root = etree.fromstring(text.strip().encode("utf-8"), XML_PARSER)
        return etree.tostring(root, encoding="utf-8", xml_declaration=True)

    def _manifest(self) -> list[dict[str, str]]:
        items = [
            {
                "id": doc.id,
                "href": f"text/{doc.file}",
                "media_type": "application/xhtml+xml",
                "properties": "nav" if doc.id == "nav" else "",
            }
            for doc in self.docs
        ]
        items.append(
            {"id": "css", "href": "css/book.css", "media_type": "text/css", "properties": ""}
        )
        for n, resource in enumerate([*self.images.values(), *self.fonts], 1):
            is_cover = resource.name.startswith("images/cover.")
            items.append(
                {
                    "id": "cover-image" if is_cover else f"res-{n}",
                    "href": resource.name,
                    "media_type": resource.media_type,
                    "properties": "cover-image" if is_cover else "",
                }
            )
        items.append(
            {
                "id": "ncx",
                "href": "toc.ncx",
                "media_type": "application/x-dtbncx+xml",
                "properties": "",
            }
        )
        return items

    def _package(self, moment: datetime) -> bytes:
        manuscript = self.manuscript
        meta = manuscript.meta
        facts = metadata.Facts(page_list=bool(self.pages), **self.facts)
        text = self.env.get_template("package.opf").render(
            lang=self.lang,
            meta=meta,
            identifier=metadata.identifier(manuscript),
            creators=metadata.people(manuscript),
            date=str(meta.year or ""),
            description=metadata.description(manuscript),
            subjects=metadata.subjects(manuscript),
            print_source=metadata.print_source(manuscript) if self.pages else "",
            modified=metadata.w3cdtf(moment),
            accessibility=metadata.accessibility(facts, meta.publisher),
            manifest=self._manifest(),
            spine=self.docs,
        )
        root = etree.fromstring(text.strip().encode("utf-8"), XML_PARSER)
        return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _depth(entries: list[dict[str, Any]]) -> int:
    return 1 + max((_depth(e["children"]) for e in entries if e["children"]), default=0)
