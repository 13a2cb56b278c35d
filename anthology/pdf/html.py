"""Plain data -> book HTML (templates/book). No WeasyPrint here.

The book is a list of body blocks (part pages, chapters, the contributors list), each starting on
a right-hand page. `book_html` renders everything in one document (the single pass);
`front_html` and `chunk_html` render the front matter and runs of blocks as separate documents
for the chunked build (anthology.pdf.chunks), from the same templates and CSS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from anthology.fonts.families import ResolvedFonts
from anthology.pdf.geometry import Geometry, geometry, trim_label
from anthology.pdf.inks import print_pictures
from anthology.resources import TEMPLATES
from anthology.sources.figures import book_pictures, figures
from anthology.sources.manuscript import (
    CONTRIBUTORS_ID,
    CONTRIBUTORS_TITLE,
    Chapter,
    Kind,
    Manuscript,
    Openings,
    Part,
    PictureFile,
    VolumeMeta,
    part_number,
)
from anthology.text.lines import compress_pairs, keep_last_line
from anthology.text.typeset import chapter_html
from anthology.text.typeset import typeset_title as _typeset_title

DEFAULT_ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
TOC_LINK_SCHEME = "chapter:"  # front-matter links into other chunks, resolved when joining


@dataclass(frozen=True)
class Block:
    """One body block in reading order; `first_body` marks the block where folio 1 is."""

    kind: str  # "part", "history", "story", "back", "contributors" (and "front" for preface)
    id: str
    title: str
    head: str = ""  # running head on right-hand pages
    subtitle: str = ""
    byline: str = ""
    html: str = ""  # filled from `markdown` by `with_html`, in the process that renders
    markdown: str = ""
    number: str = ""  # part number, e.g. 第一部分
    people: tuple[Person, ...] = ()
    first_body: bool = False
    source: str = ""  # file:line, for error messages
    pictures: tuple[PictureFile, ...] = ()  # a story's pictures (their digests key the cache)
    start: str = (
        "right"  # "right" (a right-hand page), "page" (the next page), "same" (under a rule)
    )


@dataclass(frozen=True)
class StoryRef:
    """A story in the contributors list: its title and the page where it begins."""

    id: str
    title: str  # typeset, in 《》
    page: str | None = None  # known page (chunked build); None: target-counter (single pass)

    @property
    def href(self) -> str:
        """The screen PDF's link to the story (in another chunk when the page is known)."""
        return f"{TOC_LINK_SCHEME}{self.id}" if self.page is not None else f"#{self.id}"


@dataclass(frozen=True)
class Person:
    pen_name: str
    details: str
    stories: tuple[StoryRef, ...] = ()  # their stories


@dataclass(frozen=True)
class TocEntry:
    level: str  # "part", "matter" (front and back matter, at the parts' level) or "chapter"
    id: str
    title: str
    href: str
    numbering: str  # "arabic" or "roman"
    byline: str = ""
    page: str | None = None  # known page (chunked build); None: target-counter (single pass)


def typeset_title(text: str) -> Markup:
    """A title or a line of plain text, typeset for print (punctuation pairs compressed)."""
    return Markup(compress_pairs(_typeset_title(text)))  # noqa: S704 - escaped by the pass


def chapter_block(chapter: Chapter, first_body: bool = False, html: bool = True) -> Block:
    block = Block(
        kind=chapter.kind.value,
        id=chapter.id,
        title=typeset_title(chapter.title),
        head=chapter.title,
        subtitle=typeset_title(chapter.subtitle),
        byline=chapter.byline,
        markdown=chapter.body,
        first_body=first_body,
        source=str(chapter.source),
        pictures=chapter.pictures,
    )
    return with_html(block) if html else block


def with_html(block: Block) -> Block:
    if block.markdown and not block.html:
        return replace(block, html=body_html(block.markdown, block.pictures))
    return block


@lru_cache(maxsize=4096)
def body_html(markdown: str, pictures: tuple[PictureFile, ...] = ()) -> str:
    """A chapter's Markdown -> sanitized, typeset HTML with figures and page-foot footnotes,
    punctuation pairs compressed, no paragraph ending in a lone character (孤字), figures and
    tables on the line grid; a story's
    pictures come from the files the stories file names (data: URLs)."""
    html = chapter_html(markdown, book_pictures(pictures))
    return on_grid(footnotes(figures(keep_last_line(compress_pairs(html)))))


_GRID_BLOCK = re.compile(r"<(figure|table)\b")


def on_grid(html: str) -> str:
    """Mark figures and tables to be made a whole number of lines high (pdf.weasy.rhythm)."""
    return _GRID_BLOCK.sub(r"<\1 data-grid", html)


_FOOTNOTE_DIV = re.compile(r'<div class="footnote">.*</div>\s*$', re.S)
_FOOTNOTE_ITEM = re.compile(r'<li id="fn:([^"]+)">(.*?)</li>', re.S)
_FOOTNOTE_REF = re.compile(
    r'<sup id="fnref\d*:([^"]+)"><a class="footnote-ref" href="#fn:[^"]+"[^>]*>[^<]*</a></sup>'
)
_BACKREF = re.compile(r'(?:&#160;|&nbsp;|\u00a0)?<a class="footnote-backref"[^>]*>.*?</a>', re.S)


def footnotes(html: str) -> str:
    """Move Python-Markdown's footnote list into the text, as `float: footnote` spans."""
    block = _FOOTNOTE_DIV.search(html)
    if not block:
        return html
    notes = {}
    for key, text in _FOOTNOTE_ITEM.findall(block.group(0)):
        text = _BACKREF.sub("", text).strip()
        text = re.sub(r"</?p>", "", text).strip()
        notes[key] = text
    html = html[: block.start()]
    return _FOOTNOTE_REF.sub(lambda m: f'<span class="fn">{notes.get(m.group(1), "")}</span>', html)


def body_blocks(manuscript: Manuscript, html: bool = True) -> list[Block]:
    """Parts, chapters and back matter in reading order (without chapter HTML if not `html`)."""
    blocks: list[Block] = []
    parts = 0
    for item in manuscript.body:
        if isinstance(item, Part):
            parts += 1
            blocks.append(
                Block(
                    "part",
                    item.id,
                    typeset_title(item.title),
                    head=item.title,
                    number=part_number(parts),
                    source=str(item.source),
                )
            )
            blocks.extend(chapter_block(c, html=html) for c in item.chapters)
        else:
            blocks.append(chapter_block(item, html=html))
    if manuscript.show_contributors and manuscript.contributors:
        titles = {c.id: c.title for c in manuscript.stories()}
        people = tuple(
            Person(
                c.pen_name,
                typeset_title("，".join(x for x in (c.organisation, c.region) if x)),
                tuple(
                    StoryRef(i, typeset_title(f"《{titles[i]}》"))
                    for i in c.story_ids
                    if i in titles
                ),
            )
            for c in manuscript.contributors
        )
        blocks.append(
            Block(
                "contributors",
                CONTRIBUTORS_ID,
                CONTRIBUTORS_TITLE,
                head=CONTRIBUTORS_TITLE,
                people=people,
            )
        )
    blocks.extend(chapter_block(c, html=html) for c in manuscript.back)
    if blocks:
        blocks[0] = replace(blocks[0], first_body=True)
    return with_starts(blocks, manuscript.meta.openings)


def with_starts(blocks: list[Block], openings: Openings) -> list[Block]:
    """Where each block starts: stories, parts and history chapters as the recipe says; the
    first body block, back matter and the chapter after a part page on a right-hand page (the
    part page's verso stays blank)."""
    chosen = {"story": openings.story, "part": openings.part, "history": openings.history}
    out = []
    for index, block in enumerate(blocks):
        start = chosen.get(block.kind, "right")
        after_part = index and blocks[index - 1].kind == "part"
        if block.first_body or after_part or (start == "same" and index == 0):
            start = "right"
        out.append(replace(block, start=start))
    return out


def toc_entries(
    manuscript: Manuscript, pages: dict[str, int | str] | None = None
) -> list[TocEntry]:
    """The table of contents; `pages` (chunked build) gives the folios, else CSS counts them."""

    def entry(level: str, id_: str, title: str, byline: str = "", roman: bool = False):
        known = pages is not None and not roman  # front matter is in the TOC's own document
        href = f"{TOC_LINK_SCHEME}{id_}" if known else f"#{id_}"
        page = str(pages[id_]) if known and pages is not None else None
        numbering = "roman" if roman else "arabic"
        return TocEntry(level, id_, typeset_title(title), href, numbering, byline, page)

    out = [entry("matter", c.id, c.title, roman=True) for c in manuscript.front]
    pen_names = {c.id: c.story.pen_name for c in manuscript.stories() if c.story}
    in_part = False
    for block in body_blocks(manuscript, html=False):
        # Parts and the front and back matter at the left edge, chapters indented under parts.
        in_part = in_part or block.kind == "part"
        level = {"part": "part", "back": "matter", "contributors": "matter"}.get(block.kind)
        level = level or ("chapter" if in_part else "matter")
        byline = pen_names.get(block.id, "")
        out.append(entry(level, block.id, block.head, byline))
    return out


def _css_string(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return text.replace("<", "\\3c ")


def css(
    meta: VolumeMeta, fonts: ResolvedFonts, variant: str, marks: bool = False, proof: str = ""
) -> str:
    """The book's stylesheet; `proof` is the line a proof prints at the foot of every page."""
    g = geometry(meta)
    icc = output_profile(meta)
    head_style = (
        f'font-family: "{fonts.heading}"; font-size: 8pt; vertical-align: bottom; '
        "padding-bottom: 5mm; letter-spacing: 0.08em;"
    )
    folio_style = (
        f'font-family: "{fonts.body}"; font-size: 9pt; vertical-align: top; padding-top: 4mm;'
    )
    return (
        _env()
        .get_template("book/book.css")
        .render(
            g=g,
            f=fonts,
            variant=variant,
            marks=marks and variant == "print",
            ink="device-cmyk(0 0 0 1)" if variant == "print" else "rgb(0, 0, 0)",
            icc_url=icc.as_uri() if variant == "print" else "",
            head_left=_css_string(meta.title),
            head_style=head_style,
            folio_style=folio_style,
            proof=_css_string(proof),
        )
    )


def provisional_figures(meta: VolumeMeta) -> dict[str, str]:
    """The imprint's 印张 and 字数 before the page count is known (anthology.pdf.imprint),
    about as wide as the real ones, which anthology.pdf.weasy.fill writes in."""
    return {"sheets": "00.000" if meta.paper is not None else "", "words": "000千字"}


def _page(
    manuscript: Manuscript,
    style: str,
    variant: str,
    *,
    front: bool,
    blocks: list[Block],
    toc: list[TocEntry],
) -> str:
    meta = manuscript.meta
    view = {**meta.__dict__, "trim_label": trim_label(meta)}
    html = (
        _env()
        .get_template("book/book.html")
        .render(
            meta=_Obj(view),
            variant=variant,
            css=style,
            front=front,
            front_chapters=[chapter_block(c) for c in manuscript.front] if front else [],
            blocks=[with_html(b) for b in blocks],
            toc=toc,
            figures=_Obj(provisional_figures(meta)),
        )
    )
    if variant == "print":  # no link annotations, pictures in the press's inks
        html = print_pictures(_HREF.sub(r"\1", html), output_profile(meta), meta.inks)
    return html


def output_profile(meta: VolumeMeta) -> Path:
    """The print PDF's output intent: the printer's CMYK profile, else Ghostscript's default."""
    return Path(meta.icc_profile) if meta.icc_profile else DEFAULT_ICC


_HREF = re.compile(r'(<a\b[^>]*?)\shref="[^"]*"')


def book_html(manuscript: Manuscript, style: str, variant: str) -> str:
    """The whole book in one document (the single pass)."""
    return _page(
        manuscript,
        style,
        variant,
        front=True,
        blocks=body_blocks(manuscript),
        toc=toc_entries(manuscript),
    )


def front_html(
    manuscript: Manuscript, style: str, variant: str, pages: dict[str, int | str]
) -> str:
    """Title page, imprint, preface and the TOC with known body folios (chunked build)."""
    return _page(
        manuscript, style, variant, front=True, blocks=[], toc=toc_entries(manuscript, pages)
    )


def chunk_html(manuscript: Manuscript, style: str, variant: str, blocks: list[Block]) -> str:
    """A run of body blocks as its own document (chunked build); it starts on a recto."""
    return _page(manuscript, style, variant, front=False, blocks=blocks, toc=[])


def proof_html(manuscript: Manuscript, style: str, chapter: Chapter) -> str:
    """One chapter alone as its own document (a proof): it starts as the first body page."""
    block = chapter_block(chapter, first_body=True)
    return _page(manuscript, style, "print", front=False, blocks=[block], toc=[])


def proof_mark(chapter: Chapter, stamp: str | None = None) -> str:
    """The line at the foot of every proof page: what it is, which revision, when (`stamp`,
    else now), and that it is not for press (book text, in the book's language)."""
    stamp = stamp or datetime.now().strftime("%Y-%m-%d %H:%M")
    revision = chapter.story.revision if chapter.story and chapter.story.revision else None
    draft = f"第{revision}稿" if revision else ""
    parts = ["校样", f"《{chapter.title}》", draft, stamp, "不得付印"]
    return " · ".join(p for p in parts if p)


class _Obj(dict):
    __getattr__ = dict.__getitem__


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=False,
    )


__all__ = [
    "Block",
    "Geometry",
    "Kind",
    "book_html",
    "chunk_html",
    "css",
    "front_html",
    "proof_html",
]
