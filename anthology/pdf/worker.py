"""The worker side of the chunked build (anthology.pdf.chunks): lay out, wait, place, draw.

Workers are forked from the coordinator, so they inherit `state` (the manuscript, the CSS,
the variant) and get the shared page counts through `init_worker`.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from pathlib import Path

from anthology.errors import BuildError
from anthology.pdf.document import anchor_pages, pdf_options, render
from anthology.pdf.html import Block, chunk_html
from anthology.pdf.plan import references, with_pages
from anthology.pdf.weasy import fontshare, justify, placement, speedups, tagging
from anthology.pdf.weasy.folios import rewrite_pages
from anthology.pdf.weasy.pagemap import page_starts
from anthology.pdf.weasy.placement import placing

WAIT_SECONDS = 0.2
UNKNOWN, FAILED = -1, -2

state: dict = {}  # inherited from the coordinator, then filled by init_worker


class EarlierChunkFailed(BuildError):
    """This chunk stopped because a chunk before it failed (whose error is the one to report)."""


def init_worker(counts, block_pages, condition, font_folder: str, freeze: bool = True) -> None:
    if freeze:  # a worker process, not the coordinator
        _die_with_coordinator()
    justify.install()
    tagging.install()
    speedups.install()
    placement.install()
    fontshare.install(Path(font_folder))
    if freeze:
        # A worker keeps WeasyPrint and the manuscript for its whole life: keep them out of
        # the collections that run during every chunk (and after it, see render_chunk).
        gc.freeze()
    state.update(counts=counts, block_pages=block_pages, condition=condition)


def _die_with_coordinator() -> None:
    """A worker whose coordinator is killed (kill -9, out of memory) is killed too, instead of
    waiting forever for chunks that will never come (Linux's PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != state.get("coordinator", os.getppid()):  # it died before the prctl
        os._exit(1)


def _chunk_html(blocks: list[Block], pages: dict | None = None) -> str:
    if pages is not None:  # the pages of the stories the contributors list names
        blocks = [with_pages(block, pages) for block in blocks]
    return chunk_html(state["manuscript"], state["style"], state["variant"], blocks)


class _Relayout(Exception):  # noqa: N818 - not an error: lay out again with these numbers
    def __init__(self, numbers: dict[str, str]) -> None:
        self.numbers = numbers


def _layout(html: str):
    return render(html, _font_config())


def _font_config():
    """One WeasyPrint font configuration per process, shared by the chunks it lays out.

    WeasyPrint makes a new one (a new Pango font map, new faces) for every document; sharing
    one keeps the faces, so anthology.pdf.weasy.fontshare reads each face's file once per
    process.
    """
    pid, config = state.get("font_config", (None, None))
    if pid != os.getpid():  # never use a configuration inherited through fork
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        state["font_config"] = (os.getpid(), config)
    return config


def render_chunk(index: int, blocks: list[Block], first_block: int, target: str) -> dict:
    """Worker task: paginate, publish the page count, wait for the first folio, lay out the
    margin boxes for it (anthology.pdf.weasy.placement), draw."""
    counts, condition, variant = state["counts"], state["condition"], state["variant"]
    block_ids = [b.id for b in blocks]
    times = [time.perf_counter()]
    placed: dict = {}
    # A chunk that prints other chapters' pages (the contributors list) is laid out with the
    # real ones when they are known, else with estimates that `place` replaces; it publishes
    # its own count only then (a layout with other numbers could have other pages).
    refs = references(blocks)
    numbers = _numbers(refs, index) if refs else None

    def place(pages) -> int:
        """Called once the chunk is paginated: its first folio, once the chunks before it are
        counted."""
        local = _first_pages(pages, block_ids)
        times.append(time.perf_counter())
        with condition:
            if not refs:
                _publish(index, pages, local, first_block)
            while any(counts[j] == UNKNOWN for j in range(index)):
                if any(counts[j] == FAILED for j in range(index)):
                    raise EarlierChunkFailed("an earlier chunk failed")
                condition.wait(WAIT_SECONDS)
            if any(counts[j] == FAILED for j in range(index)):
                raise EarlierChunkFailed("an earlier chunk failed")
            if refs:
                real = _numbers(refs, index)
                if real != numbers and not rewrite_pages(pages, real):
                    raise _Relayout(real)
                _publish(index, pages, local, first_block)
            start = first_folio(counts, state["rights"], index)
        times.append(time.perf_counter())
        placed.update(start=start, local=local)
        return start

    try:
        while True:
            try:
                with placing(place):
                    document = _layout(_chunk_html(blocks, numbers))
                break
            except _Relayout as again:  # the real numbers change its lines
                numbers = again.numbers
        anchors = anchor_pages(document)
        if [anchors.get(id_, 0) for id_ in block_ids] != placed.get("local"):
            raise BuildError("the chunk's pages were not placed as they were laid out")
    except BaseException:
        with condition:
            if counts[index] == UNKNOWN:
                counts[index] = FAILED
            condition.notify_all()
        raise
    starts = page_starts(document) if variant == "print" else []
    fontshare.take_used()
    document.write_pdf(target, **pdf_options(variant))
    fonts = fontshare.take_used()
    times.append(time.perf_counter())
    seconds = [b - a for a, b in zip(times, times[1:], strict=False)]
    pages = len(document.pages)
    del document
    gc.collect()  # a laid-out chunk holds big cycles (fonts, boxes): free them before the next
    return {"index": index, "pages": pages, "start": placed["start"], "local": placed["local"],
            "fonts": fonts, "seconds": seconds, "starts": starts}  # fmt: skip


def _publish(index: int, pages, local: list[int], first_block: int) -> None:
    """The chunk's page count and its blocks' first pages, for the other processes (under the
    condition's lock)."""
    for offset, page in enumerate(local):
        state["block_pages"][first_block + offset] = page
    state["counts"][index] = len(pages)
    state["condition"].notify_all()


def _numbers(ids: tuple[str, ...], index: int) -> dict[str, str]:
    """The folios of chapters `ids`: real once the chunks before chunk `index` are counted,
    else estimated."""
    counts = state["counts"]
    if any(counts[j] < 0 for j in range(index)):
        guess = state["guess"]
        return {id_: str(guess[id_]) for id_ in ids}
    known = chapter_folios(index, counts, state["block_pages"], state["chunk_ids"],
                           state["rights"])  # fmt: skip
    return {id_: str(known[id_]) for id_ in ids}


def _first_pages(pages, ids: list[str]) -> list[int]:
    """The index of the page where each of the body blocks `ids` begins, from the page boxes
    (a block is an element of the body: html > body > block, anonymous boxes between)."""
    wanted, found = set(ids), {}
    for number, page in enumerate(pages):
        level = list(page.children[:1])
        for _depth in range(4):
            below = []
            for box in level:
                element = box.element
                id_ = element.get("id") if element is not None else None
                if id_ in wanted and id_ not in found:
                    found[id_] = number
                below.extend(getattr(box, "children", ()))
            level = below
    return [found.get(id_, 0) for id_ in ids]


def lay_out(html: str):
    """A laid-out WeasyPrint document (the front matter, in the coordinating process)."""
    return _layout(html)


def draw_front(
    document, target: str, variant: str
) -> tuple[int, dict[str, int], dict[str, list[int]]]:
    """Draw the front matter; returns its page count, its anchors' page indexes, its fonts and
    where its pages begin (print)."""
    fontshare.take_used()
    starts = page_starts(document) if variant == "print" else []
    document.write_pdf(target, **pdf_options(variant))
    return len(document.pages), anchor_pages(document), fontshare.take_used(), starts


def padded(pages: int) -> int:
    """Pages a run takes before a run that starts on a right-hand page: one that ends on a
    recto is followed by a blank verso."""
    return pages + pages % 2


def next_folio(folio: int, pages: int, right: bool) -> int:
    """The first folio of the chunk after one of `pages` pages from `folio`: a blank verso
    comes between them if the next starts on a right-hand page (`right`) after a recto."""
    folio += pages
    return folio + 1 if right and folio % 2 == 0 else folio


def chapter_folios(index: int, counts, block_pages, chunk_ids, rights) -> dict[str, int]:
    """The first folio of every block of the chunks before chunk `index` (all counted)."""
    out: dict[str, int] = {}
    folio, first = 1, 0
    for j in range(index):
        for offset, id_ in enumerate(chunk_ids[j]):
            out[id_] = folio + block_pages[first + offset]
        first += len(chunk_ids[j])
        folio = next_folio(folio, counts[j], rights[j + 1])
    return out


def first_folio(counts, rights, index: int) -> int:
    """The first folio of chunk `index`, from the page counts of the chunks before it and
    whether each chunk starts on a right-hand page (`rights`)."""
    folio = 1
    for j in range(index):
        folio = next_folio(folio, counts[j], rights[j + 1])
    return folio
