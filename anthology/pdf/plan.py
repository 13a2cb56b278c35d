"""The plan of a chunked build (anthology.pdf.chunks): the body cut into chunks, their cache
keys, the estimated page of each block, and the chapters a chunk prints the pages of."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

from anthology import resources
from anthology.fonts.families import ResolvedFonts
from anthology.pdf.geometry import geometry
from anthology.pdf.html import Block, body_blocks
from anthology.sources.manuscript import Manuscript

CACHE_VERSION = "5"  # bump when the chunk format or the folio logic changes


@dataclass(frozen=True)
class Chunk:
    index: int
    blocks: tuple[Block, ...]  # without their HTML: the worker renders the Markdown
    key: str  # content key: the same chunk content gives the same key, whatever its start

    @property
    def references(self) -> tuple[str, ...]:
        """The chapters whose pages it prints (the contributors list's stories)."""
        return references(list(self.blocks))

    @property
    def right(self) -> bool:
        """Whether it starts on a right-hand page (else on the next page, either side)."""
        return self.blocks[0].start == "right"

    def describe(self) -> str:
        first, last = self.blocks[0], self.blocks[-1]
        names = f"《{first.head}》" + (f" … 《{last.head}》" if last is not first else "")
        return f"chunk {self.index + 1} {names} ({first.source or first.id})"


def estimate_pages(block: Block, chars_per_page: float) -> float:
    """A rough page count, padded to even for a block that starts on a recto."""
    if block.kind == "part":
        return 2
    length = len(block.markdown) + 40 * sum(1 + len(p.stories) for p in block.people)
    pages = max(1.0, length / chars_per_page + 0.3)
    if block.start == "right":
        return 2 * math.ceil(pages / 2)
    return math.ceil(pages) if block.start == "page" else pages


def plan(
    manuscript: Manuscript,
    style: str,
    variant: str,
    fonts: ResolvedFonts,
    chunk_pages: int,
) -> list[Chunk]:
    """Cut the body into runs of blocks of about `chunk_pages` pages."""
    chars_per_page = _chars_per_page(manuscript)
    blocks = body_blocks(manuscript, html=False)
    sizes = [estimate_pages(block, chars_per_page) for block in blocks]
    runs = _cut(blocks, sizes, chunk_pages)
    # The last runs (two at least, about twice `chunk_pages`) cut into small chunks: the
    # workers finish together, and the front matter, which waits for the last layout, starts
    # early.
    run_pages = [sum(estimate_pages(block, chars_per_page) for block in run) for run in runs]
    tail = 0
    while tail < len(runs) - 1 and (tail < 2 or sum(run_pages[-tail:]) < 2 * chunk_pages):
        tail += 1
    if tail >= 2:
        first = len(blocks) - sum(len(run) for run in runs[-tail:])
        small = _cut(blocks[first:], sizes[first:], max(1, chunk_pages // 4))
        runs = runs[:-tail] + small
    if len(runs[-1]) > 1 and runs[-1][-1].start == "right":
        # The last block (the contributors list or an afterword) alone: no page number in the
        # table of contents depends on its length, so the front matter need not wait for it.
        runs.append([runs[-1].pop()])
    weasyprint_version = metadata.version("weasyprint")  # without importing it
    common = hashlib.sha256()
    for part in (CACHE_VERSION, weasyprint_version, variant, fonts.fingerprint, style,
                 repr(manuscript.meta), _code_fingerprint()):  # fmt: skip
        common.update(part.encode())
        common.update(b"\0")
    chunks = []
    for index, run in enumerate(r for r in runs if r):
        digest = common.copy()
        digest.update(repr(run).encode())
        chunks.append(Chunk(index, tuple(run), digest.hexdigest()[:32]))
    return chunks


def _cut(blocks: list[Block], sizes: list[float], target: float) -> list[list[Block]]:
    """Runs of about `target` estimated pages. A run is cut before a block that starts on a
    right-hand page, or on the next page when the run that it begins is long enough before the
    next right-hand start (a run that begins on the next page ends there: it could be
    mirrored, the blank versos before a right-hand start could not). The contributors list
    begins a run: the stories whose pages it prints are then all in the runs before it."""
    ahead, rest = [0.0] * len(blocks), 0.0  # pages from each block to the next right start
    for index in range(len(blocks) - 1, -1, -1):
        rest = sizes[index] + (0.0 if blocks[index].start == "right" else rest)
        ahead[index] = rest
    runs: list[list[Block]] = [[]]
    pages = 0.0
    for index, block in enumerate(blocks):
        run = runs[-1]
        right = (
            bool(run)
            and block.start == "right"
            and (pages >= target or run[0].start != "right" or bool(block.people))
        )
        page = block.start == "page" and pages >= target and ahead[index] >= target / 2
        if run and (right or page):
            runs.append([])
            pages = 0.0
        runs[-1].append(block)
        pages += sizes[index]
    return runs


def _chars_per_page(manuscript: Manuscript) -> float:
    g = geometry(manuscript.meta)
    pt = g.font_size * 25.4 / 72
    return (g.text_width / pt) * ((g.height - g.top - g.bottom) / (g.pitch * 25.4 / 72))


def estimated_pages(manuscript: Manuscript, chunks: list[Chunk]) -> dict[str, int]:
    """Each body block's first folio as estimated from its length (for a provisional TOC)."""
    chars_per_page = _chars_per_page(manuscript)
    out, page = {}, 1.0
    for chunk in chunks:
        for block in chunk.blocks:
            if block.start == "right":
                page += (page - 1) % 2  # onto a recto
            out[block.id] = int(page)
            page += estimate_pages(block, chars_per_page)
    return out


# The code that turns blocks into HTML and folios, relative to the anthology package.
CODE = ("pdf/html.py", "pdf/geometry.py", "pdf/document.py", "pdf/inks.py", "pdf/worker.py",
        "text/typeset.py", "text/markdown.py", "text/pictures.py", "text/lines.py",
        "sources/figures.py", "pdf/weasy/folios.py", "pdf/weasy/justify.py", "pdf/imprint.py",
        "pdf/weasy/fill.py", "pdf/front.py",
        "pdf/weasy/fontshare.py", "pdf/weasy/speedups.py", "pdf/weasy/leaders.py",
        "pdf/weasy/tagging.py", "pdf/weasy/placement.py", "pdf/plan.py", "pdf/weasy/notes.py",
        "pdf/weasy/rhythm.py")  # fmt: skip


def _code_fingerprint() -> str:
    """The templates and the code that turn blocks into HTML and folios (part of every key)."""
    digest = hashlib.sha256()
    files = sorted((resources.TEMPLATES / "book").glob("*.*"))
    package = Path(__file__).resolve().parent.parent
    files += [package / name for name in CODE]
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def references(blocks: list[Block]) -> tuple[str, ...]:
    """The chapters whose pages `blocks` print (the contributors list's stories)."""
    return tuple(
        story.id for block in blocks for person in block.people for story in person.stories
    )


def with_pages(block: Block, pages: dict[str, int | str]) -> Block:
    """The block with the pages of the stories it refers to (chunked build)."""
    if not block.people:
        return block
    people = tuple(
        replace(person, stories=tuple(replace(story, page=str(pages[story.id]))
                                      for story in person.stories))
        for person in block.people
    )  # fmt: skip
    return replace(block, people=people)
