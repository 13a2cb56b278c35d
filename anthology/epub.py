"""The EPUB 3 edition of a volume: the same manuscript, order and text as the print PDF.

`write_epub` works in two phases (DESIGN 5.4): first every file of the book is built in memory
and checked (each content document must be well-formed XHTML with a non-empty body), then the
container is written deterministically (`anthology.archive`). The package is written here from
templates in `templates/book/epub/` rather than through ebooklib, whose writer re-parses XHTML
with an HTML parser, silently empties a chapter it cannot parse, labels navigation in English and
stamps the current time into the file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markupsafe import Markup, escape

from anthology import archive, cover, metadata, typeset, xhtml
from anthology.errors import BuildError
from anthology.figures import figures
from anthology.manuscript import Chapter, Kind, Manuscript, Part
from anthology.shelf import Doc, NavEntry, Shelf

CONTRIBUTORS_ID = "back-contributors"
CONTRIBUTORS_TITLE = "作者名录"
# epub:type and DPUB-ARIA role of a front or back chapter, by a word in its id.
SECTION_TYPES = {
    "preface": ("preface", "doc-preface"),
    "foreword": ("foreword", "doc-foreword"),
    "introduction": ("introduction", "doc-introduction"),
    "afterword": ("afterword", "doc-afterword"),
    "epilogue": ("epilogue", "doc-epilogue"),
    "acknowledg": ("acknowledgments", "doc-acknowledgments"),
    "appendix": ("appendix", "doc-appendix"),
}


@dataclass(frozen=True)
class EpubResult:
    path: Path
    bytes: int
    documents: int  # XHTML content documents, the navigation document included
    pages: int  # entries in the page-list (print page equivalents)
    images: int
    fonts: int  # embedded font files
    seconds: float
    identifier: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def write_epub(
    manuscript: Manuscript,
    out_path: str | Path,
    *,
    chapter_pages: dict[str, int | str] | None = None,
    embed_fonts: bool = False,
    cover_image: str | Path | None = None,
    modified: datetime | None = None,
) -> EpubResult:
    """Write `manuscript` as EPUB 3 to `out_path`.

    chapter_pages: chapter or part id -> the print folio where it starts (from the PDF build);
      gives the page-list and page-break markers. embed_fonts: embed subsets of the CJK faces.
    cover_image: the volume's own cover (PNG/JPEG/GIF); default the recipe's `cover`, else one
      is drawn from the title.
    modified: dcterms:modified; default SOURCE_DATE_EPOCH, else now.
    """
    started = time.perf_counter()
    out_path = Path(out_path)
    shelf = Shelf(manuscript, chapter_pages or {})
    moment = metadata.modified(modified)
    try:
        cover_image = cover_image or manuscript.meta.cover
        picture = cover.load(Path(cover_image)) if cover_image else _drawn_cover(manuscript)
    except cover.CoverError as exc:
        raise BuildError(str(exc)) from exc  # the message names the file
    _gather(shelf, picture)
    files = shelf.files(moment, embed_fonts)
    archive.write(out_path, files, moment)
    return EpubResult(
        path=out_path,
        bytes=out_path.stat().st_size,
        documents=len(shelf.docs),
        pages=len(shelf.pages),
        images=len(shelf.images),
        fonts=shelf.font_count,
        seconds=round(time.perf_counter() - started, 3),
        identifier=metadata.identifier(manuscript),
        warnings=tuple(shelf.warnings),
    )


def _drawn_cover(manuscript: Manuscript) -> cover.Cover:
    meta = manuscript.meta
    return cover.draw(meta.title, meta.subtitle, str(meta.year or ""), meta.publisher)


def _gather(shelf: Shelf, picture: cover.Cover) -> None:
    """Phase one: every content document in reading order, and the table of contents."""
    manuscript = shelf.manuscript
    titlepage = _front_pages(shelf, picture)
    for chapter in manuscript.front:
        shelf.toc.append(_chapter(shelf, chapter, "frontmatter"))
    shelf.add_nav_slot()
    shelf.landmark("toc", "nav", fragment="toc")
    parts = 0
    for item in manuscript.body:
        if isinstance(item, Part):
            parts += 1
            shelf.toc.append(_part(shelf, item, parts))
        else:
            shelf.toc.append(_chapter(shelf, item, "bodymatter"))
    if manuscript.show_contributors and manuscript.contributors:
        shelf.toc.append(_contributors(shelf))
    for chapter in manuscript.back:
        shelf.toc.append(_chapter(shelf, chapter, "backmatter"))
    if not shelf.toc:  # a volume with no chapter yet: the TOC may not be empty
        shelf.toc.append(NavEntry(manuscript.meta.title, titlepage))
    shelf.check_pages()


def _front_pages(shelf: Shelf, picture: cover.Cover) -> Doc:
    """Cover, title page (returned) and imprint page."""
    manuscript = shelf.manuscript
    meta = manuscript.meta
    image = shelf.add_image(f"images/cover.{picture.extension}", picture.data, picture.media_type)
    alt = f"封面：{meta.title}" + (f"——{meta.subtitle}" if meta.subtitle else "")
    shelf.add_doc("cover", "封面", "cover.xhtml", "frontmatter", image=image, alt=alt)
    shelf.count_image(alt)
    shelf.landmark("cover", "cover")
    titlepage = shelf.add_doc("titlepage", meta.title, "titlepage.xhtml", "frontmatter", meta=meta)
    cip_lines = [line.strip() for line in meta.cip.strip().splitlines()]
    words = manuscript.word_count()
    shelf.add_doc(
        "imprint",
        "版权页",
        "imprint.xhtml",
        "frontmatter",
        meta=meta,
        cip_lines=cip_lines,
        words=f"{max(1, round(words / 1000))}千字",
        paged=bool(shelf.chapter_pages),
    )
    return titlepage


def _typeset(text: str) -> Markup:
    """A plain-text title through the typesetting pass, as safe markup (text stays text)."""
    # Safe: the text is escaped first; the pass adds only <span class="nobr"> around dashes.
    return Markup(typeset.typeset_text(str(escape(text))))  # noqa: S704


def chinese_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 23 -> 二十三 (part numbers, as in the print book)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens = "" if n < 20 else digits[n // 10]
        return tens + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _part(shelf: Shelf, part: Part, number: int) -> NavEntry:
    doc = shelf.add_doc(
        part.id,
        part.title,
        "part.xhtml",
        "bodymatter",
        part=part,
        heading=_typeset(part.title),
        number=f"第{chinese_number(number)}部分",
    )
    shelf.landmark_once("bodymatter", doc)
    children = [_chapter(shelf, chapter, "bodymatter") for chapter in part.chapters]
    return NavEntry(part.title, doc, children)


def _section_type(chapter: Chapter) -> tuple[str, str]:
    if chapter.kind in (Kind.story, Kind.history):
        return "chapter", "doc-chapter"
    for word, kinds in SECTION_TYPES.items():
        if word in chapter.id:
            return kinds
    return "", ""


def _chapter(shelf: Shelf, chapter: Chapter, matter: str) -> NavEntry:
    html = figures(typeset.chapter_html(chapter.body))  # lone images become captioned figures
    images_from = None
    if chapter.kind is not Kind.story and chapter.source.path:
        images_from = Path(chapter.source.path).parent  # content files may ship images
    body = xhtml.convert(html, images_from=images_from)
    for warning in body.warnings:
        shelf.warn(f"{chapter.source}: {warning}")
    section_type, role = _section_type(chapter)
    try:
        doc = shelf.add_doc(
            chapter.id,
            chapter.title,
            "chapter.xhtml",
            matter,
            body=body,
            chapter=chapter,
            heading=_typeset(chapter.title),
            subtitle=_typeset(chapter.subtitle),
            kind=chapter.kind.value,
            section_type=section_type,
            role=role,
        )
    except ValueError as exc:
        raise BuildError(str(exc), chapter.source.path, chapter.source.line) from exc
    if matter == "bodymatter":
        shelf.landmark_once("bodymatter", doc)
    return NavEntry(chapter.title, doc)


def _contributors(shelf: Shelf) -> NavEntry:
    manuscript = shelf.manuscript
    titles = {c.id: c.title for c in manuscript.chapters()}
    people = [
        {
            "pen_name": person.pen_name,
            "details": "，".join(x for x in (person.organisation, person.region) if x),
            "stories": [
                {"href": f"{story_id}.xhtml", "title": titles[story_id]}
                for story_id in person.story_ids
                if story_id in titles
            ],
        }
        for person in manuscript.contributors
    ]
    doc = shelf.add_doc(
        CONTRIBUTORS_ID,
        CONTRIBUTORS_TITLE,
        "contributors.xhtml",
        "backmatter",
        contributors=people,
    )
    return NavEntry(CONTRIBUTORS_TITLE, doc)
