"""The printer's cover: back, spine and front on one sheet with bleed, as its own PDF/X-4.

`write_cover(manuscript, out_path, pages)` lays out templates/book/cover.html (anthology.cover
.design) with WeasyPrint on a sheet as wide as back + spine + front (anthology.cover.sheet: the
spine from the final page count and the paper's caliper) plus the bleed, in the press's CMYK
with the volume's output intent, the ISBN as a vector EAN-13 barcode with the price add-on
(anthology.cover.barcode), the title set vertically on the spine; a picture on the front
(`cover_image`) is converted to the press's inks like the book's. Like the print PDF, a cover
with any RGB left in it is refused.

`front_image` draws the same front in sRGB as a PNG: the EPUB's cover and the screen PDF's
first page.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from anthology.cover import design
from anthology.cover.barcode import Barcode, isbn_barcode
from anthology.cover.sheet import MIN_SPINE_TEXT_MM, Sheet, sheet
from anthology.errors import BuildError
from anthology.fonts.families import ResolvedFonts, resolve
from anthology.pdf.document import BASE_URL, output_condition
from anthology.pdf.html import output_profile
from anthology.pdf.inks import print_pictures, rgb_pages
from anthology.sources.manuscript import Manuscript

FRONT_WIDTH_PX = 1600  # the e-book cover's width (its height follows the trim)


@dataclass(frozen=True)
class CoverResult:
    path: Path
    sheet: Sheet
    barcode: str  # what the barcode encodes ("" without an ISBN)
    bytes: int
    seconds: float
    warnings: tuple[str, ...] = field(default_factory=tuple)


def cover_warnings(manuscript: Manuscript, cover: Sheet) -> list[str]:
    meta = manuscript.meta
    where = meta.source.path or meta.slug
    said = []
    if not meta.isbn:
        said.append(f"{where}: the cover has no barcode: the recipe gives no isbn")
    if not cover.caliper_given:
        said.append(
            f"{where}: no [page] paper_caliper_mm: the spine ({cover.spine:g} mm) assumes "
            f"{cover.caliper:g} mm a leaf; ask the printer for the paper's caliper"
        )
    if not cover.spine_text:
        said.append(
            f"{where}: the spine is {cover.spine:g} mm, too thin for text (at least "
            f"{MIN_SPINE_TEXT_MM:g} mm): the spine is left blank"
        )
    return said


def write_cover(
    manuscript: Manuscript,
    out_path: str | Path,
    pages: int,
    fonts: ResolvedFonts | None = None,
) -> CoverResult:
    """The cover PDF for a book of `pages` pages (the print PDF's final count)."""
    from anthology.pdf import atomic_output

    started = time.perf_counter()
    meta = manuscript.meta
    fonts = fonts or resolve(meta.fonts)[0]
    cover = sheet(meta, pages)
    barcode = isbn_barcode(meta.isbn, meta.price) if meta.isbn else None
    profile = output_profile(meta)
    html = design.html(meta, fonts, cover, barcode, "print", profile)
    html = print_pictures(html, profile, meta.inks)
    out_path = Path(out_path)
    with atomic_output(out_path) as temporary:
        _draw(html, temporary, "pdf/x-4", output_condition(profile, meta.press_condition))
        rgb = rgb_pages(temporary)
        if rgb:
            raise BuildError(f"the cover would contain RGB colour, which a printer rejects ({rgb})")
    return CoverResult(
        path=out_path,
        sheet=cover,
        barcode=barcode.data if barcode else "",
        bytes=out_path.stat().st_size,
        seconds=round(time.perf_counter() - started, 2),
        warnings=tuple(cover_warnings(manuscript, cover)),
    )


def front_image(
    manuscript: Manuscript, pages: int = 0, fonts: ResolvedFonts | None = None
) -> bytes | None:
    """The cover's front in sRGB as PNG bytes, FRONT_WIDTH_PX wide (None without poppler's
    pdftoppm: the caller draws its own)."""
    meta = manuscript.meta
    fonts = fonts or resolve(meta.fonts)[0]
    cover = sheet(meta, pages)
    html = design.html(meta, fonts, cover, None, "screen", output_profile(meta), front_only=True)
    with tempfile.TemporaryDirectory(prefix="cover-") as folder:
        pdf = Path(folder) / "front.pdf"
        _draw(html, pdf, None, None)
        try:
            subprocess.run(
                ["pdftoppm", "-png", "-singlefile", "-scale-to-x", str(FRONT_WIDTH_PX),
                 "-scale-to-y", "-1", str(pdf), str(Path(folder) / "front")],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return None
        return (Path(folder) / "front.png").read_bytes()


def _draw(html: str, target: Path, variant: str | None, condition: dict[str, str] | None) -> None:
    from weasyprint import HTML

    from anthology.pdf.weasy import fontshare

    fontshare.deactivate()  # real font subsets, even after a chunked build in this process

    def finish(_document: object, pdf) -> None:  # type: ignore[no-untyped-def]
        import pydyf

        for intent in pdf.catalog.get("OutputIntents", []):
            for key, value in (condition or {}).items():
                intent[key] = pydyf.String(value)

    options: dict[str, object] = {"uncompressed_pdf": False}
    if variant:
        options["pdf_variant"] = variant
    HTML(string=html, base_url=BASE_URL).write_pdf(target, finisher=finish, **options)


__all__ = ["Barcode", "CoverResult", "FRONT_WIDTH_PX", "front_image", "write_cover"]
