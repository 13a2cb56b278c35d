"""Command line of the book builder: `python build.py RECIPE --format print,screen,epub`.

Two phases (DESIGN 5.4): gather and validate everything (recipe, chapter files, stories, fonts,
the publication gate, images), then render. Errors are typed and name the file and line; the
exit code is non-zero; outputs are written into a temporary folder inside --out and moved into
place only when every requested format has been built, so nothing half-written is left.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anthology import cover, epub, pdf, resources
from anthology.cover.screen import front_words, prepend_front
from anthology.epub.validator import ValidatorUnavailable, check
from anthology.errors import BuildError, BuildWarning, ContentError
from anthology.fonts.families import ResolvedFonts, harfbuzz_warning, resolve
from anthology.pdf.geometry import geometry
from anthology.pdf.html import DEFAULT_ICC, body_html, proof_mark
from anthology.pdf.inks import profile_problem
from anthology.progress import Progress, ProgressCallback
from anthology.sources import load_manuscript
from anthology.sources.figures import check_pictures, image_warnings
from anthology.sources.gate import check_gate, privacy_warnings
from anthology.sources.manuscript import Manuscript

FORMATS = ("print", "screen", "epub", "cover")
DEFAULT_CHUNK_PAGES = 60  # about 60 pages per chunk: see bench/build.py
DbLoader = Callable[[str, str | None], dict[str, Any]]


def recipe_path(name: str) -> str:
    """RECIPE as given, or for a bare slug (`demo`) the recipe content/volumes/<slug>.toml."""
    if not os.path.exists(name) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", name):
        candidate = resources.CONTENT / "volumes" / f"{name}.toml"
        if candidate.is_file():
            return str(candidate)
    return name


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build.py",
        description="Build a volume (content/volumes/<slug>.toml) as PDF and EPUB.",
    )
    p.add_argument(
        "recipe",
        type=recipe_path,
        help="the volume recipe, e.g. content/volumes/demo.toml, or a slug such as demo",
    )
    p.add_argument(
        "--format", default="print,screen,epub", help="print, screen, epub, cover (the printer's)"
    )
    p.add_argument("--out", default="dist/", help="output folder")
    p.add_argument("--stories", help="stories.json exported by `flask stories export`")
    p.add_argument(
        "--from-db",
        nargs="?",
        const="",
        metavar="DATABASE_URL",
        help="take the volume's accepted stories from the database (default: $DATABASE_URL, "
        "else instance/stories.db)",
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--marks", action="store_true", help="crop marks on the print PDF")
    p.add_argument(
        "--chunk-pages",
        type=int,
        default=None,
        help="render the body in chunks of about N pages in parallel (0: one single pass; "
        "default: chunked)",
    )
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: cores)")
    p.add_argument("--cache-dir", default=".cache/book", help="chunk cache folder")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    p.add_argument(
        "--embed-fonts",
        action="store_true",
        help="EPUB: embed subsets of the CJK fonts (only the characters the book uses)",
    )
    p.add_argument(
        "--check", action="store_true", help="EPUB: run EPUBCheck; an error or warning fails"
    )
    p.add_argument(
        "--proof",
        metavar="CHAPTER_ID",
        help="only a proof PDF of one chapter (e.g. story-12) in the volume's trim and fonts, "
        "marked as a proof; the publication gate does not apply",
    )
    p.add_argument(
        "--proof-time",
        metavar="TEXT",
        help="the time the proof mark gives (default: now, in this machine's time zone)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    return p


@dataclass(frozen=True)
class Gathered:
    manuscript: Manuscript
    fonts: ResolvedFonts
    formats: tuple[str, ...]
    warnings: tuple[BuildWarning, ...]


def gather(args: argparse.Namespace, db_loader: DbLoader | None = None) -> Gathered:
    """Phase one: read and check everything; raises BuildError/ContentError, writes nothing."""
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise BuildError(f"unknown format {', '.join(unknown) or '(none)'} (use {FORMATS})")
    stories_data = None
    if args.from_db is not None:
        if db_loader is None:
            raise BuildError("--from-db needs the web app's package (run build.py from the repo)")
        slug = Path(args.recipe).stem
        try:
            stories_data = db_loader(slug, args.from_db or None)
        except LookupError as exc:
            raise BuildError(f"database: {exc}") from None
    manuscript = load_manuscript(args.recipe, args.stories, stories_data)
    warnings: list[BuildWarning] = []
    fonts, font_warnings = resolve(manuscript.meta.fonts, args.recipe)
    warnings += font_warnings
    if args.proof:
        formats = ("print",)
        if args.proof not in {c.id for c in manuscript.chapters()}:
            raise ContentError(f"--proof: the volume has no chapter {args.proof!r}", args.recipe)
    else:
        check_gate(manuscript)
    warnings += privacy_warnings(manuscript)
    if {"print", "epub", "cover"} & set(formats):  # each needs the print edition's layout
        icc = Path(manuscript.meta.icc_profile) if manuscript.meta.icc_profile else DEFAULT_ICC
        if not icc.is_file():
            hint = "" if manuscript.meta.icc_profile else " (apt-get install libgs-common)"
            raise ContentError(f"CMYK colour profile not found: {icc}{hint}", args.recipe)
        unusable = profile_problem(icc)
        if unusable:
            raise ContentError(
                f"the CMYK colour profile {icc} cannot be used: {unusable}", args.recipe
            )
    page = geometry(manuscript.meta)
    for chapter in manuscript.chapters():
        if chapter.pictures or "![" in chapter.body or "<img" in chapter.body:
            html = body_html(chapter.body, chapter.pictures)  # only pictures need it now
            check_pictures(chapter, html)
            warnings += image_warnings(chapter, html, page.text_width, page.image_max)
    hb = harfbuzz_warning()
    if hb:
        warnings.append(hb)
    if args.strict and warnings:
        raise ContentError(
            "--strict: warnings are errors:\n  " + "\n  ".join(str(w) for w in warnings)
        )
    return Gathered(manuscript, fonts, formats, tuple(warnings))


def render(
    gathered: Gathered, args: argparse.Namespace, progress: ProgressCallback
) -> list[tuple[str, Path, int, int, float]]:
    """Phase two: write every format into a temporary folder, then move them into --out.

    `progress` gets the events of every phase (anthology.progress), EPUB warnings included."""
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = gathered.manuscript.meta.slug
    chunk_pages = DEFAULT_CHUNK_PAGES if args.chunk_pages is None else args.chunk_pages
    rows: list[tuple[str, Path, int, int, float]] = []

    def write_pdf(path: Path, variant: str, marks: bool = False) -> pdf.PdfResult:
        return pdf.write_pdf(
            gathered.manuscript,
            path,
            variant,
            fonts=gathered.fonts,
            marks=marks,
            chunk_pages=chunk_pages,
            workers=args.workers,
            cache_dir=None if args.no_cache else args.cache_dir,
            progress=progress,
        )

    remove_stale_staging(out_dir)
    if args.proof:
        return [_proof(gathered, args.proof, out_dir, progress, args.proof_time)]
    staging = Path(tempfile.mkdtemp(prefix=f".build-{os.getpid()}-", dir=out_dir))
    try:
        printed: pdf.PdfResult | None = None
        front: bytes | None = None  # the cover's front: the screen PDF's and EPUB's cover
        if {"screen", "epub"} & set(gathered.formats):
            front = cover.front_image(gathered.manuscript, fonts=gathered.fonts)
        for fmt in ("print", "screen"):
            if fmt not in gathered.formats:
                continue
            result = write_pdf(staging / f"{slug}-{fmt}.pdf", fmt, marks=args.marks)
            printed = result if fmt == "print" else printed
            pages = result.pages
            if fmt == "screen" and front is not None:
                pages = prepend_front(result.path, front, front_words(gathered.manuscript.meta))
            size = result.path.stat().st_size
            rows.append((fmt, out_dir / result.path.name, pages, size, result.seconds))
        if printed is None and {"epub", "cover"} & set(gathered.formats):
            # the EPUB's page-list and the cover's spine need the print edition's pages
            phase = "epub" if "epub" in gathered.formats else None
            progress(Progress("laying out the print edition for its page numbers", phase))
            printed = write_pdf(staging / "pages-only.pdf", "print")
        if "cover" in gathered.formats:
            assert printed is not None
            rows.append(_cover(gathered, staging, printed.pages, out_dir, args, progress))
        if "epub" in gathered.formats:
            assert printed is not None
            progress(Progress("epub: writing", "epub"))
            epub_path = staging / f"{slug}.epub"
            rows.append(
                _epub(gathered.manuscript, epub_path, printed, front, out_dir, args, progress)
            )
        progress(Progress(phase="saving"))
        for _fmt, final, *_ in rows:
            os.replace(staging / final.name, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return rows


def _proof(
    gathered: Gathered,
    chapter_id: str,
    out_dir: Path,
    progress: ProgressCallback,
    stamp: str | None = None,
) -> tuple[str, Path, int, int, float]:
    """The proof of one chapter (`--proof`): `<slug>-proof-<chapter id>.pdf` in --out."""
    chapter = next(c for c in gathered.manuscript.chapters() if c.id == chapter_id)
    progress(Progress(f"proof: laying out 《{chapter.title}》", "print", 0, 1, 0))
    path = out_dir / f"{gathered.manuscript.meta.slug}-proof-{chapter_id}.pdf"
    result = pdf.write_proof(
        gathered.manuscript, chapter, path, proof_mark(chapter, stamp), fonts=gathered.fonts
    )
    progress(Progress("", "print", 1, 1, result.pages))
    return ("proof", path, result.pages, result.bytes, result.seconds)


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove the staging folders of builds that were killed (their process is gone)."""
    removed = []
    for folder in out_dir.glob(".build-*"):
        pid = folder.name.split("-")[1] if folder.name.count("-") >= 2 else ""
        if pid.isdigit() and _alive(int(pid)):
            continue  # a build running at this moment
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _terminate(_signum: int, _frame: object) -> None:
    """SIGTERM ends the build like Ctrl-C: the staging folder is removed on the way out."""
    raise KeyboardInterrupt


def _cover(
    gathered: Gathered,
    staging: Path,
    pages: int,
    out_dir: Path,
    args: argparse.Namespace,
    progress: ProgressCallback,
) -> tuple[str, Path, int, int, float]:
    """The printer's cover for a book of `pages` pages; its dimensions go into the summary."""
    m = gathered.manuscript
    progress(Progress(f"cover: the sheet for {pages} pages"))
    result = cover.write_cover(m, staging / f"{m.meta.slug}-cover.pdf", pages, gathered.fonts)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.warnings:
        progress(Progress(warnings=result.warnings))
    if args.strict and result.warnings:
        raise ContentError(
            "--strict: cover warnings are errors:\n  " + "\n  ".join(result.warnings)
        )
    progress(Progress(result.sheet.describe()))
    args.cover_summary = result.sheet.describe()
    return ("cover", out_dir / result.path.name, 1, result.bytes, result.seconds)


def _epub(
    manuscript: Manuscript,
    path: Path,
    printed: pdf.PdfResult,
    front: bytes | None,
    out_dir: Path,
    args: argparse.Namespace,
    progress: ProgressCallback,
) -> tuple[str, Path, int, int, float]:
    result = epub.write_epub(
        manuscript, path, chapter_pages=printed.chapter_pages, embed_fonts=args.embed_fonts,
        cover_front=front, print_pages=printed.pages, page_starts=printed.page_starts,
    )  # fmt: skip
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.warnings:
        progress(Progress(warnings=tuple(result.warnings)))
    if args.strict and result.warnings:
        raise ContentError("--strict: EPUB warnings are errors:\n  " + "\n  ".join(result.warnings))
    if args.check:
        progress(Progress(phase="checking"))
        try:
            report = check(path)
        except ValidatorUnavailable as exc:
            raise BuildError(f"--check: {exc}") from None
        if not report.ok:
            raise BuildError(report.summary().replace(str(path), str(out_dir / path.name)))
    return ("epub", out_dir / path.name, result.pages, result.bytes, result.seconds)


def _disk_full(out: str) -> str:
    free = shutil.disk_usage(out if os.path.exists(out) else ".").free / 1e6
    return (
        f"the disk is full ({free:.0f} MB free where {out} is): nothing was written; free some "
        "space (or choose another --out) and build again"
    )


def main(argv: list[str] | None = None, db_loader: DbLoader | None = None) -> int:
    return run(parser().parse_args(argv), db_loader)


def run(args: argparse.Namespace, db_loader: DbLoader | None = None) -> int:
    """Build with parsed options (`main` parses them; `stories.cli.book` may rewrite them)."""
    started = time.perf_counter()

    def progress(event: Progress) -> None:
        if not args.quiet and event.message:
            print(f"[{time.perf_counter() - started:6.1f}s] {event}", file=sys.stderr, flush=True)

    import errno
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        progress(Progress(f"gathering {args.recipe}", "gathering"))
        gathered = gather(args, db_loader)
        m = gathered.manuscript
        progress(
            Progress(
                f"{len(m.stories())} stories, {len(m.chapters())} chapters, "
                f"{m.word_count()} characters; fonts {gathered.fonts.body} / "
                f"{gathered.fonts.heading}"
            )
        )
        for warning in gathered.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        rows = render(gathered, args, progress)
    except BuildError as exc:
        if "No space left on device" in str(exc):
            print(f"error: {_disk_full(args.out)}", file=sys.stderr)
            return 1
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        print(f"error: {_disk_full(args.out)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
    print(f"{'output':<34} {'pages':>6} {'size':>10} {'seconds':>8}")
    for _fmt, path, pages, size, seconds in rows:
        print(f"{str(path):<34} {pages:>6} {size / 1e6:>8.2f} MB {seconds:>8.2f}")
    if getattr(args, "cover_summary", ""):
        print(args.cover_summary)
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0
