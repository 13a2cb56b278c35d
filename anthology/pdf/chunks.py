"""Chunked, parallel, cached rendering of the book body (issue 6).

The body (parts, chapters, back matter) is cut into chunks, runs of blocks that each begin on a
new page: at a block that starts on a right-hand page (a part, the history section, the back
matter; stories too when the recipe says so) or on the next page (stories by default), never
at one that continues on the same page. A chunk is laid out on its own, from a recto. Worker
processes (anthology.pdf.worker) lay chunks out in order; each one publishes its page count as
soon as its layout is done, waits for the counts of the chunks before it (they started
earlier), learns its first folio, lays out its running heads and folios for it and draws
its PDF. A chunk that begins at a next-page start whose first folio turns out even (a verso)
is moved onto the other side between its pagination and its margin boxes
(anthology.pdf.weasy.placement); such a chunk holds no right-hand start after its first block
(a part starts a new chunk), so its blank pages do not depend on its side.

The front matter, numbered in roman, is laid out by this process while the workers render,
with estimated TOC page numbers; once the real ones are known they are put into its
laid-out lines (`rewrite_toc`, or a new layout where the lines would change). The last block
(the contributors list) is a chunk of its own: no TOC number depends on its length, so the
front matter is laid out while it is; it is drawn once the whole book's page count is known,
with the imprint's 印张 and 字数 written in (anthology.pdf.front). anthology.pdf.join then
joins everything into one PDF.

A chunk's PDF is cached in `cache_dir` (anthology.pdf.cache) under a key made of its HTML (which
contains the CSS), the fonts' fingerprint, the variant, the WeasyPrint version, the templates and
code that make it, and its first folio: a chunk whose inputs are unchanged is not rendered again.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from anthology.errors import BuildError, WorkerDied
from anthology.fonts.families import ResolvedFonts
from anthology.pdf import worker
from anthology.pdf.cache import ChunkCache
from anthology.pdf.front import FrontMatter
from anthology.pdf.join import join
from anthology.pdf.plan import Chunk, estimated_pages, plan
from anthology.pdf.weasy.pagemap import joined
from anthology.pdf.worker import (
    FAILED,
    UNKNOWN,
    WAIT_SECONDS,
    EarlierChunkFailed,
    chapter_folios,
    first_folio,
    init_worker,
    render_chunk,
)
from anthology.progress import Progress, ProgressCallback
from anthology.sources.manuscript import Manuscript


def build_chunked(
    manuscript: Manuscript,
    style: str,
    variant: str,
    fonts: ResolvedFonts,
    target: Path,
    *,
    chunk_pages: int,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[int, dict[str, int | str], tuple[int, int]]:
    """Render and join; returns (pages, chapter_pages, (chunks, chunks taken from the cache))."""
    run = _Run(manuscript, style, variant, fonts, chunk_pages, cache_dir, progress)
    try:
        return run.build(target, workers)
    finally:
        run.cache.close()


class _Run:
    """One chunked build: the plan, the shared page counts, the cache and the worker pool."""

    def __init__(self, manuscript, style, variant, fonts, chunk_pages, cache_dir, progress):
        self.manuscript, self.style, self.variant = manuscript, style, variant
        self.progress = progress or (lambda _event: None)
        self.done: set[int] = set()  # chunks finished or taken from the cache
        self.cache = ChunkCache(cache_dir, variant)
        self.chunks = plan(manuscript, style, variant, fonts, chunk_pages)
        sizes = [len(c.blocks) for c in self.chunks]
        self.first_block = [sum(sizes[:i]) for i in range(len(sizes))]
        self.ctx = multiprocessing.get_context("fork")
        self.counts = self.ctx.Array("i", [UNKNOWN] * len(self.chunks), lock=False)
        self.block_pages = self.ctx.Array("i", [0] * max(1, sum(sizes)), lock=False)
        self.condition = self.ctx.Condition()
        self.front = FrontMatter(
            manuscript, style, variant, self.cache, self.say, self.chunks[0].key
        )
        self.fonts = str(self.cache.folder / "fonts")
        # Inherited by the forked workers (they render the chunks' HTML themselves).
        self.rights = [chunk.right for chunk in self.chunks]
        self.chunk_ids = [[block.id for block in chunk.blocks] for chunk in self.chunks]
        worker.state.update(manuscript=manuscript, style=style, variant=variant,
                            coordinator=os.getpid(), rights=self.rights, chunk_ids=self.chunk_ids,
                            guess=estimated_pages(manuscript, self.chunks))  # fmt: skip

    def build(self, target: Path, workers: int | None):
        hits = self.cache.fill(
            self.chunks, self.counts, self.block_pages, self.first_block, self.rights, self.key
        )
        self.done = set(hits)
        pending = [c for c in self.chunks if c.index not in hits]
        workers = min(max(1, workers or os.cpu_count() or 1), max(1, len(pending)))
        self.say(f"{self.variant}: {len(self.chunks)} chunks ({len(hits)} from the cache), "
                 f"{workers} worker(s)")  # fmt: skip
        # WeasyPrint is imported (and patched) once, here: the workers inherit it through fork,
        # and this process lays out the front matter with it.
        init_worker(self.counts, self.block_pages, self.condition, self.fonts,
                    freeze=False)  # fmt: skip
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=self.ctx, initializer=init_worker,
            initargs=(self.counts, self.block_pages, self.condition, self.fonts),
        )  # fmt: skip
        futures: dict[Future, Chunk] = {}
        try:
            futures = {self._submit(pool, c): c for c in _order(pending, self.chunks, workers)}
            if pending:
                self._lay_out_front_early()
            self._collect(futures)
            stale = [
                c for c in self.chunks if not self.cache.pdf(self.key(c), self.start(c)).is_file()
            ]
            if stale:  # a re-rendered chunk changed its page count: later cached chunks moved
                self.say(f"{self.variant}: {len(stale)} cached chunk(s) moved; rendering again")
                hits -= {c.index for c in stale}
                self.done -= {c.index for c in stale}
                futures = {self._submit(pool, c): c for c in stale}
                self._collect(futures)
        except BrokenProcessPool as exc:
            raise WorkerDied(
                "a worker process died (crash or out of memory) while rendering "
                + _running(futures)
            ) from exc
        finally:
            self._release_waiting()
            pool.shutdown(wait=True, cancel_futures=True)
            for stray in self.cache.folder.glob(f".*.{os.getpid()}.*"):
                stray.unlink(missing_ok=True)
        if not self.front.prepared:
            self.front.prepare(self._chapter_pages(), None)
        body = self._body_pages()
        assert body is not None
        front_pdf, front_pages, chapter_pages = self.front.finish(body)
        parts = [self.cache.pdf(self.key(c), self.start(c)) for c in self.chunks]
        self.say(f"{self.variant}: joining {front_pages} front pages and {len(parts)} chunks")
        glyphs: dict[str, set[int]] = {}
        for meta in [self.cache.meta(self.key(c)) for c in self.chunks] + [self.front.meta]:
            for key, used in (meta or {}).get("fonts", {}).items():
                glyphs.setdefault(key, set()).update(used)
        pages = join(front_pdf, parts, target, self.variant, self.manuscript, chapter_pages,
                     [self.start(c) for c in self.chunks],
                     fonts=(Path(self.fonts), glyphs))  # fmt: skip
        self.cache.prune(used=[*parts, front_pdf])
        return pages, chapter_pages, (len(self.chunks), len(hits)), self._page_starts(front_pages)

    def _page_starts(self, front_pages: int) -> tuple:
        """Where every page of the joined book begins (print), with its folio."""
        if self.variant != "print":
            return ()
        front = self.front.meta.get("starts") or [None] * front_pages
        metas = [self.cache.meta(self.key(chunk)) or {} for chunk in self.chunks]
        body = [(self.start(c), m.get("starts") or [None] * m.get("pages", 0))
                for c, m in zip(self.chunks, metas, strict=True)]  # fmt: skip
        return joined(front, body)

    def say(self, message: str) -> None:
        """The command line's message, with the chunks done and the pages laid out so far."""
        pages = sum(max(0, self.counts[i]) for i in self.done)
        self.progress(Progress(message, self.variant, len(self.done), len(self.chunks), pages))

    def _release_waiting(self) -> None:
        """Chunks waiting for the page counts of chunks that will never be laid out (the build
        failed or was stopped) stop waiting: they end with EarlierChunkFailed. No lock and no
        notify: a worker that died holding the lock, or waiting on it, would block them for
        ever; the waiting workers look at the counts every WAIT_SECONDS anyway."""
        for index in range(len(self.chunks)):
            if self.counts[index] == UNKNOWN:
                self.counts[index] = FAILED

    def key(self, chunk: Chunk) -> str | None:
        """The cache key of the chunk's PDF: its content key, and for a chunk that prints the
        pages of other chapters (the contributors list) those pages too (None while they are
        not known)."""
        if not chunk.references:
            return chunk.key
        if any(self.counts[j] < 0 for j in range(chunk.index)):
            return None
        folios = chapter_folios(chunk.index, self.counts, self.block_pages, self.chunk_ids,
                                self.rights)  # fmt: skip
        pages = ",".join(f"{id_}={folios[id_]}" for id_ in chunk.references)
        return f"{chunk.key}.{hashlib.sha256(pages.encode()).hexdigest()[:16]}"

    def start(self, chunk: Chunk) -> int:
        return first_folio(self.counts, self.rights, chunk.index)

    def _submit(self, pool, chunk: Chunk) -> Future:
        target = str(_temporary(self.cache, chunk))
        return pool.submit(
            render_chunk, chunk.index, list(chunk.blocks), self.first_block[chunk.index], target
        )

    def _collect(self, futures: dict[Future, Chunk]) -> None:
        """Store finished chunks; render the front matter as soon as every count is known."""
        remaining = set(futures)
        while remaining:
            done, remaining = wait(remaining, timeout=WAIT_SECONDS, return_when=FIRST_COMPLETED)
            failed = [f for f in done if f.exception() is not None]
            # A chunk that stopped because an earlier one failed is not the news: wait for the
            # earlier chunk's own error (it is still running or in a later batch).
            causes = [f for f in failed if not isinstance(f.exception(), EarlierChunkFailed)]
            if causes or (failed and not remaining):
                first = min(causes or failed, key=lambda f: futures[f].index)
                error = first.exception()
                if isinstance(error, BrokenProcessPool):
                    raise error
                for future in remaining:
                    future.cancel()
                raise BuildError(f"{futures[first].describe()} failed: {error}") from error
            for future in done:
                if future.exception() is None:
                    self._store(futures[future], future.result())
            if not self.front.prepared and remaining and self._numbers_known():
                # overlaps the workers' last chunks
                self.front.prepare(self._chapter_pages(), self._body_pages())

    def _numbers_known(self) -> bool:
        """Whether every page number of the table of contents is known: all chunks are laid
        out, except perhaps a last chunk of one block (it starts after all the others)."""
        counts = list(self.counts)
        if len(self.chunks[-1].blocks) == 1:
            counts = counts[:-1]
        return all(n >= 0 for n in counts)

    def _store(self, chunk: Chunk, result: dict) -> None:
        key = self.key(chunk)
        assert key is not None  # the chunks before it are counted: it waited for them
        os.replace(_temporary(self.cache, chunk), self.cache.pdf(key, result["start"]))
        meta = {"pages": result["pages"], "local": result["local"], "fonts": result["fonts"],
                "starts": result["starts"]}  # fmt: skip
        self.cache.store_meta(key, meta)
        self.done.add(chunk.index)
        last = result["start"] + result["pages"] - 1
        layout, waited, draw = result["seconds"]
        self.say(f"  {chunk.describe()}: pages {result['start']}-{last} "
                 f"(layout {layout:.1f} s, wait {waited:.1f} s, draw {draw:.1f} s)")  # fmt: skip

    def _lay_out_front_early(self) -> None:
        """Lay out the front matter now, with estimated TOC numbers, while the workers render
        the chunks (anthology.pdf.front puts the real numbers in)."""
        self.front.lay_out_early(estimated_pages(self.manuscript, self.chunks))

    def _chapter_pages(self) -> dict[str, int | str]:
        chapter_pages: dict[str, int | str] = {}
        for chunk in self.chunks:
            for offset, block in enumerate(chunk.blocks):
                local = self.block_pages[self.first_block[chunk.index] + offset]
                chapter_pages[block.id] = self.start(chunk) + local
        return chapter_pages

    def _body_pages(self) -> int | None:
        """The body's pages as joined (a blank verso before a chunk that starts on a right-hand
        page after a recto), or None while a chunk's count is not known."""
        counts = list(self.counts)
        if any(n < 0 for n in counts):
            return None
        return first_folio(counts, self.rights, len(counts) - 1) + counts[-1] - 1


def _order(pending: list[Chunk], chunks: list[Chunk], workers: int) -> list[Chunk]:
    """The order in which the chunks are handed to the workers.

    The last chunk is one block (usually the contributors list, slow to lay out for its length:
    floats) and nothing waits for its page count: with two workers or more it goes before the
    last three chunks, so that it is laid out while they are and the build does not end with it.
    (It then waits for their page counts before drawing; with one worker it would wait for
    chunks queued behind it, so there it stays last.)
    """
    last = chunks[-1]
    if workers < 2 or len(pending) < 5 or pending[-1] is not last or len(last.blocks) != 1:
        return pending
    return [*pending[:-4], last, *pending[-4:-1]]


def _temporary(cache: ChunkCache, chunk: Chunk) -> Path:
    return cache.folder / f".{chunk.key}.{os.getpid()}.{chunk.index}.part"


def _running(futures: dict[Future, Chunk]) -> str:
    broken = [c for f, c in futures.items() if f.done() and f.exception() is not None]
    chunk = min(broken, key=lambda c: c.index) if broken else next(iter(futures.values()))
    return chunk.describe()
