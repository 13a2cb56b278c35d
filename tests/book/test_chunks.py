"""Chunked parallel builds (issue 6): the same book as one pass, a working cache, clean failures."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from anthology.errors import BuildError, WorkerDied
from anthology.fonts.families import resolve
from anthology.pdf import worker, write_pdf
from anthology.sources import load_manuscript
from anthology.sources.manuscript import Part

from . import DATA
from .pdfcheck import (
    flat,
    fonts,
    ghostscript_problems,
    label_mismatches,
    line_break_violations,
    page_texts,
)

BOOK = DATA / "volumes" / "small.toml"
CHUNK = 4  # pages: the small volume becomes five chunks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def manuscript():
    return load_manuscript(BOOK)


@pytest.fixture(scope="module")
def books(manuscript, tmp_path_factory):
    """Each variant built in one pass and in chunks by two workers."""
    out = tmp_path_factory.mktemp("chunks")
    built = {}
    for variant in ("print", "screen"):
        single = write_pdf(manuscript, out / f"single-{variant}.pdf", variant, stock=True)
        chunked = write_pdf(
            manuscript, out / f"chunked-{variant}.pdf", variant, chunk_pages=CHUNK, workers=2
        )
        built[variant] = (single, chunked)
    return built


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_chunked_equals_single_pass_page_by_page(books, variant):
    single, chunked = books[variant]
    assert chunked.chunks >= 4
    assert chunked.pages == single.pages
    assert page_texts(chunked.path, layout=True) == page_texts(single.path, layout=True)
    assert chunked.chapter_pages == single.chapter_pages
    assert line_break_violations(chunked.path) == []
    for row in fonts(chunked.path):
        assert (row[-5], row[-4]) == ("yes", "yes"), row


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_every_page_draws_in_ghostscript_without_error(books, variant):
    """Blank versos included (the join adds them between chunks; an empty content stream is a
    "Page drawing error" for Ghostscript and the RIPs built on it)."""
    single, chunked = books[variant]
    assert any(not text.strip() for text in page_texts(chunked.path))  # blank pages are there
    assert ghostscript_problems(single.path) == []
    assert ghostscript_problems(chunked.path) == []


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_page_labels_are_the_printed_folios(books, variant):
    """A viewer's page number is the folio a proofreader reads on the page."""
    for result in books[variant]:
        labels = PdfReader(result.path).page_labels
        assert labels[0] == "i" and "1" in labels and labels.index("1") % 2 == 0
        assert label_mismatches(result.path) == []


def test_chunked_print_stays_pdfx_with_boxes(books):
    single, chunked = books["print"]
    with pikepdf.open(chunked.path) as pdf, pikepdf.open(single.path) as reference:
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX" and "/DestOutputProfile" in intent
        assert b"PDF/X-4" in pdf.Root.Metadata.read_bytes()
        for page, model in zip(pdf.pages, reference.pages, strict=True):
            for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
                assert [float(x) for x in page.obj[box]] == [float(x) for x in model.obj[box]]
            assert "/Annots" not in page.obj
        # one ICC profile and one font program per face, not one per chunk
        profiles = {o.objgen for o in pdf.objects if isinstance(o, pikepdf.Stream)
                    and o.get("/N") == 4}  # fmt: skip
        assert len(profiles) == 1


def test_chunked_screen_keeps_tags_links_and_outline(books, manuscript):
    single, chunked = books["screen"]
    with pikepdf.open(chunked.path) as pdf:
        root = pdf.Root
        assert root.Lang == "zh-CN" and root.MarkInfo.Marked
        document = root.StructTreeRoot.K[0]
        assert len(document.K) > 10  # the chunks' structure is grafted on the front's
        keys = [int(k) for k in root.StructTreeRoot.ParentTree.Nums[::2]]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        for page in pdf.pages:
            if "/StructParents" in page.obj:
                assert int(page.obj.StructParents) in keys
        names = dict(pikepdf.NameTree(root.Names.Dests).items())
        index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        links = [a for page in pdf.pages[:8] for a in page.obj.get("/Annots", [])]
        targets = {str(a.Dest) for a in links if "/Dest" in a}
        for chapter in manuscript.chapters():
            assert chapter.id in targets
            page = index[names[chapter.id][0].objgen]
            text = flat(page_texts(chunked.path)[page])
            assert flat(chapter.title) in text
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
            children = [c.title for item in outline.root for c in item.children]
    for part in manuscript.parts():
        assert part.title in titles
    for chapter in manuscript.stories():
        assert chapter.title in children


def _build(manuscript, tmp_path, cache, name="book.pdf", **kwargs):
    return write_pdf(
        manuscript, tmp_path / name, "print", chunk_pages=CHUNK, workers=2, cache_dir=cache,
        **kwargs,
    )  # fmt: skip


def _edit_story(manuscript, story_id: str, text: str):
    body = []
    for item in manuscript.body:
        if isinstance(item, Part):
            chapters = tuple(
                dataclasses.replace(c, body=c.body + text) if c.id == story_id else c
                for c in item.chapters
            )
            item = dataclasses.replace(item, chapters=chapters)
        body.append(item)
    return dataclasses.replace(manuscript, body=tuple(body))


def test_cache_is_reused_and_invalidated(manuscript, tmp_path):
    cache = tmp_path / "cache"
    first = _build(manuscript, tmp_path, cache)
    assert first.cached_chunks == 0
    again = _build(manuscript, tmp_path, cache, "again.pdf")
    assert again.cached_chunks == again.chunks
    assert page_texts(again.path) == page_texts(first.path)
    # one story changes: only its chunk is rendered again
    edited = _edit_story(manuscript, "story-103", "\n\n改过的一句话。")
    after_edit = _build(edited, tmp_path, cache, "edited.pdf")
    assert after_edit.cached_chunks == after_edit.chunks - 1
    assert "改过的一句话" in flat("".join(page_texts(after_edit.path)))
    # a different CSS (crop marks) or font set invalidates every chunk
    marks = _build(manuscript, tmp_path, cache, "marks.pdf", marks=True)
    assert marks.cached_chunks == 0
    resolved, _ = resolve(manuscript.meta.fonts)
    other_fonts = dataclasses.replace(resolved, fingerprint="another-font-file")
    refont = _build(manuscript, tmp_path, cache, "fonts.pdf", fonts=other_fonts)
    assert refont.cached_chunks == 0


def test_a_moved_chunk_is_rendered_again_with_its_new_folios(manuscript, tmp_path):
    """More pages before a chunk: same content, new starting page, so new folios."""
    cache = tmp_path / "cache"
    _build(manuscript, tmp_path, cache)
    longer = _edit_story(manuscript, "story-101", "\n\n" + "加长的段落。" * 400)
    chunked = _build(longer, tmp_path, cache, "longer.pdf")
    single = write_pdf(longer, tmp_path / "single.pdf", "print", stock=True)
    assert chunked.cached_chunks < chunked.chunks - 1
    assert page_texts(chunked.path, layout=True) == page_texts(single.path, layout=True)


def test_a_failing_chunk_fails_the_build_cleanly(manuscript, tmp_path, monkeypatch):
    real = worker._layout

    def layout(html):
        if "阿拉丁的灯" in html and "chapter-title" in html:
            raise ValueError("the renderer choked")
        return real(html)

    monkeypatch.setattr(worker, "_layout", layout)
    cache = tmp_path / "cache"
    with pytest.raises(BuildError) as info:
        _build(manuscript, tmp_path, cache)
    message = str(info.value)
    assert "阿拉丁的灯" in message and "the renderer choked" in message
    assert not (tmp_path / "book.pdf").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "cache"] == []
    assert not list(cache.glob(".*"))  # no half-written chunk


def test_a_crashing_worker_fails_the_build_cleanly(manuscript, tmp_path, monkeypatch):
    real = worker._layout
    coordinator = os.getpid()  # it lays out the front matter (whose TOC names the story)

    def layout(html):
        if "最后一个故事" in html and "chapter-title" in html and os.getpid() != coordinator:
            os._exit(3)  # a crash or the out-of-memory killer
        return real(html)

    monkeypatch.setattr(worker, "_layout", layout)
    with pytest.raises(WorkerDied) as info:  # a BuildError the site reports as a crash
        _build(manuscript, tmp_path, None)
    assert "worker process died" in str(info.value)
    assert not (tmp_path / "book.pdf").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_progress_events_say_the_chunks_done_and_the_pages(manuscript, tmp_path):
    events = []
    result = _build(manuscript, tmp_path, None, progress=events.append)
    assert {e.phase for e in events} == {"print"}
    total = events[0].chunks_total
    assert events[0].message == f"print: {total} chunks (0 from the cache), 2 worker(s)"
    assert total > 2 and {e.chunks_total for e in events} == {total}
    done = [e.chunks_done for e in events]
    assert done == sorted(done) and done[0] == 0 and done[-1] == total
    pages = [e.pages for e in events]
    assert pages == sorted(pages) and 0 < pages[-1] <= result.pages
    assert all(e.message for e in events)  # the command line prints every one of them


def test_chunk_workers_end_when_their_coordinator_is_killed(tmp_path):
    """kill -9 of a build (a crash, the out-of-memory killer, a killed site worker) leaves no
    chunk worker waiting for ever."""
    command = [sys.executable, str(Path(__file__).parents[2] / "build.py"), str(BOOK), "-q",
               "--format", "print", "--out", str(tmp_path), "--no-cache", "--chunk-pages", "4",
               "--workers", "2"]  # fmt: skip
    build = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        children: list[int] = []
        deadline = time.monotonic() + 60
        while len(children) < 2 and build.poll() is None and time.monotonic() < deadline:
            children = _children(build.pid)
            time.sleep(0.05)
        assert len(children) >= 2, "the build started no workers"
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if _alive(pid)]
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "stat").read_text().split()[3] == str(pid):
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _front(manuscript, numbers):
    from anthology.pdf.html import css, front_html
    from anthology.pdf.weasy import justify, speedups
    from anthology.pdf.worker import _layout

    justify.install()
    speedups.install()
    fonts_, _ = resolve(manuscript.meta.fonts)
    html = front_html(manuscript, css(manuscript.meta, fonts_, "print"), "print", numbers)
    return _layout(html)


def test_a_chunk_that_begins_on_a_left_hand_page_is_mirrored(manuscript, tmp_path):
    """A chunk cut at a story that starts on the next page is laid out from a recto; when its
    first folio turns out even it is moved to the left-hand side (margins swapped, the verso's
    running head and folio): every word where the single pass puts it."""
    from anthology.fonts.families import resolve as resolve_fonts
    from anthology.pdf.chunks import plan

    longer = _edit_story(manuscript, "story-101", "\n\n" + "加长的段落。" * 120)
    fonts_, _ = resolve_fonts(longer.meta.fonts)
    firsts = [c.blocks[0] for c in plan(longer, "", "print", fonts_, CHUNK)]
    assert any(b.id == "story-102" and b.start == "page" for b in firsts)
    chunked = _build(longer, tmp_path, None, "mirrored.pdf")
    single = write_pdf(longer, tmp_path / "single.pdf", "print", stock=True)
    assert chunked.chapter_pages == single.chapter_pages
    assert chunked.chapter_pages["story-102"] % 2 == 0  # on a verso, after a page of story-101
    assert page_texts(chunked.path, layout=True) == page_texts(single.path, layout=True)
    assert _words(chunked.path) == _words(single.path)


def _contributor_pages(pdf: Path) -> dict[str, str]:
    """《title》 -> the page the print contributors list gives it."""
    text = "".join(page_texts(pdf, layout=True))
    lines = [flat(line) for line in text[text.index("按笔名拼音排序") :].splitlines()]
    return dict(m.groups() for m in map(re.compile(r"《([^》]+)》\.{3,}(\d+)$").match, lines) if m)


def _assert_contributors_pages(result, manuscript) -> None:
    listed = _contributor_pages(result.path)
    texts = page_texts(result.path)
    labels = PdfReader(result.path).page_labels
    stories = [c for c in manuscript.stories() if c.story]
    assert len(listed) == len(stories) > 1
    for chapter in stories:
        page = str(result.chapter_pages[chapter.id])
        assert listed[flat(chapter.title)] == page, chapter.title
        assert flat(chapter.title) in flat(texts[labels.index(page)])  # it begins there


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_contributors_list_gives_each_story_its_page(books, manuscript, variant):
    for result in books[variant]:  # one pass (target-counter) and chunked (put in)
        _assert_contributors_pages(result, manuscript)


@pytest.mark.parametrize("refused", [False, True], ids=["rewritten", "laid-out-again"])
def test_contributors_pages_put_in_once_the_stories_are_counted(
    books, manuscript, tmp_path, monkeypatch, refused
):
    """The contributors chunk is laid out before the stories are counted, with estimated
    pages (here far off: three digits); the real ones are put into its lines, or it is laid
    out again where they do not fit. The book equals the single pass, and the cache key holds
    the pages (a build with other pages does not take that chunk from the cache)."""
    from anthology.pdf import chunks

    real = chunks.estimated_pages
    monkeypatch.setattr(
        chunks, "estimated_pages", lambda m, c: {k: v + 100 for k, v in real(m, c).items()}
    )
    if refused:
        monkeypatch.setattr(worker, "rewrite_pages", lambda pages, numbers: False)
    cache = tmp_path / "cache"
    chunked = _build(manuscript, tmp_path, cache)
    single = books["print"][0]
    assert page_texts(chunked.path, layout=True) == page_texts(single.path, layout=True)
    _assert_contributors_pages(chunked, manuscript)
    longer = _edit_story(manuscript, "story-101", "\n\n" + "加长的段落。" * 400)
    moved = _build(longer, tmp_path, cache, "longer.pdf")
    _assert_contributors_pages(moved, longer)
    assert moved.chapter_pages["story-102"] != chunked.chapter_pages["story-102"]


def _words(pdf: Path) -> list[list[tuple[str, int, int]]]:
    from .test_speedups import _glyph_boxes, _without_dots

    return [_without_dots(page) for page in _glyph_boxes(pdf)]


def test_toc_numbers_put_into_a_laid_out_front_matter(manuscript, tmp_path):
    """The front matter laid out early with guessed numbers, then given the real ones, prints
    like the front matter laid out with the real numbers (words in place within 0.05 pt)."""
    from anthology.pdf.html import body_blocks
    from anthology.pdf.weasy.folios import rewrite_toc

    ids = [b.id for b in body_blocks(manuscript, html=False)]
    guessed = {id_: 5 + 4 * i for i, id_ in enumerate(ids)}  # one and two digits
    real = {id_: 97 + 7 * i for i, id_ in enumerate(ids)}  # two, three and four digits...
    real[ids[-1]] = 1234
    early = _front(manuscript, guessed)
    assert rewrite_toc(early, {k: str(v) for k, v in real.items()})
    early.write_pdf(tmp_path / "rewritten.pdf")
    _front(manuscript, real).write_pdf(tmp_path / "direct.pdf")
    rewritten, direct = _words(tmp_path / "rewritten.pdf"), _words(tmp_path / "direct.pdf")
    assert rewritten == direct
    assert any(w == "1234" for page in rewritten for w, _, _ in page)
    assert page_texts(tmp_path / "rewritten.pdf", layout=True) == page_texts(
        tmp_path / "direct.pdf", layout=True
    )


def test_toc_numbers_refused_where_the_lines_would_change(manuscript):
    """A number too wide for its line: the front matter must be laid out again."""
    from anthology.pdf.html import body_blocks
    from anthology.pdf.weasy.folios import rewrite_toc

    ids = [b.id for b in body_blocks(manuscript, html=False)]
    early = _front(manuscript, dict.fromkeys(ids, 1))
    assert not rewrite_toc(early, dict.fromkeys(ids, "1" * 60))
    assert not rewrite_toc(early, {})  # a number missing


def test_font_declarations_are_safe_from_threads():
    """The join subsets faces in threads; their first use declares HarfBuzz functions once."""
    import threading
    import time

    import cffi

    from anthology.pdf.weasy import fontshare

    class SlowFFI(cffi.FFI):
        def cdef(self, *args, **kwargs):
            time.sleep(0.05)  # another thread asks meanwhile
            return super().cdef(*args, **kwargs)

    ffi = SlowFFI()
    ffi.cdef("typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;")
    errors = []

    def declare():
        try:
            fontshare._declare(ffi)
        except Exception as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=declare) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ffi._anthology_declared


def test_the_last_block_is_handed_out_before_the_last_three_chunks(manuscript):
    """With two workers the last chunk (one block: the contributors list is slow) is laid out
    beside the last ones; with one worker it stays last (it would wait for chunks behind it)."""
    from anthology.pdf import chunks as chunking

    resolved, _ = resolve(manuscript.meta.fonts)
    plan = chunking.plan(manuscript, "css", "print", resolved, CHUNK)
    assert len(plan) >= 5 and len(plan[-1].blocks) == 1
    assert plan[-1].blocks[0].kind == "back"  # the afterword, after the contributors list
    two = chunking._order(plan, plan, workers=2)
    assert [c.index for c in two] == [
        *[c.index for c in plan[:-4]],
        plan[-1].index,
        *[c.index for c in plan[-4:-1]],
    ]
    assert chunking._order(plan, plan, workers=1) == plan
    assert chunking._order(plan[:-1], plan, workers=2) == plan[:-1]  # cached: nothing to move
