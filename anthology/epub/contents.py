"""Phase one of the EPUB: every content document of the book, in the print edition's reading
order (cover, title page, imprint, front matter, the navigation slot, parts and chapters, the
contributors, back matter), put on the shelf with its table-of-contents entry and landmarks.
"""

from __future__ import annotations

from pathlib import Path

from anthology.epub import xhtml
from anthology.epub.cover import Cover
from anthology.epub.documents import Doc, NavEntry
from anthology.epub.shelf import Shelf
from anthology.errors import BuildError
from anthology.pdf.imprint import figures as press_figures
from anthology.sources.figures import book_pictures, figures
from anthology.sources.manuscript import (
    CONTRIBUTORS_ID,
    CONTRIBUTORS_TITLE,
    Chapter,
    Kind,
    Part,
    part_number,
    word_count_label,
)
from anthology.text.typeset import chapter_html, typeset_title

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


def gather(shelf: Shelf, picture: Cover) -> None:
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


def _front_pages(shelf: Shelf, picture: Cover) -> Doc:
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
    shelf.add_doc(
        "imprint",
        "版权页",
        "imprint.xhtml",
        "frontmatter",
        meta=meta,
        cip_lines=cip_lines,
        words=press_figures(meta, shelf.print_pages).words  # the print edition's 字数
        if shelf.print_pages
        else word_count_label(manuscript.word_count()),
        paged=bool(shelf.chapter_pages),
    )
    return titlepage


def _part(shelf: Shelf, part: Part, number: int) -> NavEntry:
    doc = shelf.add_doc(
        part.id,
        part.title,
        "part.xhtml",
        "bodymatter",
        part=part,
        heading=typeset_title(part.title),
        number=part_number(number),
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
    # Lone images become captioned figures; a story's pictures are the files it was given.
    html = figures(chapter_html(chapter.body, book_pictures(chapter.pictures)))
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
            heading=typeset_title(chapter.title),
            subtitle=typeset_title(chapter.subtitle),
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
