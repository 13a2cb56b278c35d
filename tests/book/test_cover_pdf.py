"""The printer's cover (anthology.cover): its sheet, its barcode, its spine, its inks.

Checked with tools nobody on the project wrote: pikepdf (the boxes, the output intent),
poppler's pdftoppm and pdftotext (a rendering, the spine's text), zxing-cpp (reading the
barcode, add-on included, from the rendering) and Ghostscript (drawing it as a RIP would).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
import zxingcpp
from PIL import Image

from anthology import build
from anthology.cover import FRONT_WIDTH_PX, front_image, write_cover
from anthology.cover.barcode import isbn_barcode, price_addon
from anthology.cover.sheet import spine_width
from anthology.pdf import inks
from anthology.sources import load_manuscript

from . import DATA
from .pdfcheck import ghostscript_problems

pytestmark = pytest.mark.slow
MM = 72 / 25.4


@pytest.fixture(scope="module")
def manuscript():
    m = load_manuscript(DATA / "volumes" / "small.toml")
    return dataclasses.replace(m, meta=dataclasses.replace(m.meta, caliper_mm=0.12))


def _boxes(path: Path) -> dict[str, list[float]]:
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0].obj
        return {box: [float(v) / MM for v in page[box]] for box in
                ("/MediaBox", "/TrimBox", "/BleedBox")}  # fmt: skip


def _size(box: list[float]) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


@pytest.mark.parametrize("pages", [96, 320])
def test_the_sheet_is_back_spine_front_and_bleed(manuscript, tmp_path, pages):
    result = write_cover(manuscript, tmp_path / "cover.pdf", pages)
    spine = -(-pages // 2) * 0.12  # leaves × caliper
    trim = manuscript.meta.trim
    width, height = 2 * trim.width_mm + spine, trim.height_mm
    bleed = manuscript.meta.bleed_mm
    boxes = _boxes(result.path)
    with_bleed = (width + 2 * bleed, height + 2 * bleed)
    assert _size(boxes["/TrimBox"]) == pytest.approx((width, height), abs=0.1)
    assert _size(boxes["/MediaBox"]) == pytest.approx(with_bleed, abs=0.1)
    assert _size(boxes["/BleedBox"]) == pytest.approx(with_bleed, abs=0.1)
    assert result.sheet.spine == pytest.approx(spine, abs=0.05)
    # the TrimBox sits inside the bleed on every side
    trim_box, media = boxes["/TrimBox"], boxes["/MediaBox"]
    assert trim_box[0] - media[0] == pytest.approx(bleed, abs=0.1)
    assert media[3] - trim_box[3] == pytest.approx(bleed, abs=0.1)


def test_the_spine_grows_with_the_pages_and_the_caliper():
    assert spine_width(96, 0.1) == 4.8
    assert spine_width(97, 0.1) == 4.9  # an odd last page still takes a leaf
    assert spine_width(320, 0.1) < spine_width(322, 0.1) < spine_width(322, 0.12)


def _rendered(path: Path, tmp_path: Path, dpi: int = 400) -> Image.Image:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(path),
                    str(tmp_path / "cover")], check=True)  # fmt: skip
    return Image.open(tmp_path / "cover.png")


def test_the_barcode_reads_as_the_isbn_with_the_price_add_on(manuscript, tmp_path):
    meta = dataclasses.replace(manuscript.meta, price="68.00元")
    m = dataclasses.replace(manuscript, meta=meta)
    result = write_cover(m, tmp_path / "cover.pdf", 200)
    found = zxingcpp.read_barcodes(
        _rendered(result.path, tmp_path), formats=zxingcpp.BarcodeFormat.EAN13,
        ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Require,
    )  # fmt: skip
    assert [r.text for r in found] == ["9787512345676" + "06800"]
    assert result.barcode == "9787512345676+06800"


def test_without_a_price_the_barcode_has_no_add_on(manuscript, tmp_path):
    m = dataclasses.replace(manuscript, meta=dataclasses.replace(manuscript.meta, price=""))
    result = write_cover(m, tmp_path / "cover.pdf", 200)
    found = zxingcpp.read_barcodes(
        _rendered(result.path, tmp_path), formats=zxingcpp.BarcodeFormat.EAN13,
        ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read,
    )  # fmt: skip
    assert [r.text for r in found] == ["9787512345676"]


def test_the_barcode_is_drawn_as_vectors():
    code = isbn_barcode("978-7-5123-4567-6", "1.00元")
    assert code.addon == "00100"
    assert len(code.bars) == 30 + 16  # EAN-13: 30 bars (guards included); EAN-5: 16
    # quiet zone 11, EAN-13 95 modules, a gap of 7 (GS1: 7 to 12), EAN-5 47, quiet zone 5
    assert code.width == pytest.approx((11 + 95 + 7 + 47 + 5) * 0.30, abs=0.01)
    assert price_addon("68.00元（示例）") == "06800"
    assert price_addon("1200元") == ""  # more than 999.99: no add-on
    assert price_addon("") == ""


def test_the_cover_is_pdfx4_in_the_press_inks_and_draws_cleanly(manuscript, tmp_path):
    result = write_cover(manuscript, tmp_path / "cover.pdf", 240)
    with pikepdf.open(result.path) as pdf:
        assert b"PDF/X-4" in pdf.Root.Metadata.read_bytes()
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX" and "/DestOutputProfile" in intent
    assert inks.rgb_pages(result.path) == []
    assert ghostscript_problems(result.path) == []
    ink = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=inkcov",
                          "-o", "-", str(result.path)], capture_output=True, text=True,
                         check=True).stdout.split()  # fmt: skip
    assert ink[-2:] == ["CMYK", "OK"] and all(float(v) > 0 for v in ink[:4])  # colour cover


def _text_in(path: Path, x: float, width: float, sheet_height: float) -> str:
    """The text pdftotext reads in a vertical strip of the sheet (mm from the MediaBox's left)."""
    out = subprocess.run(
        ["pdftotext", "-r", "72", "-x", str(round(x * MM)), "-y", "0",
         "-W", str(round(width * MM)), "-H", str(round(sheet_height * MM)), str(path), "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout


def test_the_spine_carries_the_title_set_vertically(manuscript, tmp_path):
    result = write_cover(manuscript, tmp_path / "cover.pdf", 320)
    sheet = result.sheet
    assert sheet.spine > 15
    left = sheet.bleed + sheet.panel
    spine = _text_in(result.path, left + 1, sheet.spine - 2, sheet.media[1])
    lines = [line.strip() for line in spine.splitlines() if line.strip()]
    title = manuscript.meta.title
    assert "".join(lines).startswith(title)
    assert all(len(line) == 1 for line in lines[: len(title)])  # one character a line
    assert "测试出版社" in re.sub(r"\s", "", spine)


def test_a_thin_spine_is_left_blank_with_a_warning(manuscript, tmp_path):
    result = write_cover(manuscript, tmp_path / "cover.pdf", 40)
    assert result.sheet.spine == pytest.approx(2.4)
    assert any("too thin" in w for w in result.warnings)
    left = result.sheet.bleed + result.sheet.panel
    assert _text_in(result.path, left, result.sheet.spine, result.sheet.media[1]).strip() == ""


def test_no_caliper_is_said(tmp_path):
    m = load_manuscript(DATA / "volumes" / "small.toml")
    result = write_cover(m, tmp_path / "cover.pdf", 200)
    assert any("paper_caliper_mm" in w for w in result.warnings)
    assert "assumed" in result.sheet.describe()


def test_the_front_serves_as_the_ebook_cover(manuscript):
    png = front_image(manuscript, 200)
    assert png is not None
    with Image.open(__import__("io").BytesIO(png)) as image:
        trim = manuscript.meta.trim
        assert image.width == FRONT_WIDTH_PX
        assert image.height == pytest.approx(FRONT_WIDTH_PX * trim.height_mm / trim.width_mm, abs=2)
        assert image.mode == "RGB"


def test_build_format_cover_writes_the_file_and_prints_its_size(tmp_path, capsys):
    code = build.main([str(DATA / "volumes" / "small.toml"), "--format", "cover",
                       "--out", str(tmp_path), "--no-cache", "-q"])  # fmt: skip
    said = capsys.readouterr()
    assert code == 0, said.err
    cover = tmp_path / "small-cover.pdf"
    assert cover.is_file() and not (tmp_path / "pages-only.pdf").exists()
    summary = [line for line in said.out.splitlines() if line.startswith("cover ")]
    assert summary and "spine" in summary[0] and "bleed" in summary[0]
    width = float(re.search(r"cover ([\d.]+) ×", summary[0]).group(1))
    assert _size(_boxes(cover)["/TrimBox"])[0] == pytest.approx(width, abs=0.1)
    # Laid out after the chunked print layout that counted the pages: its fonts are real
    # subsets that poppler reads too (not the chunks' shared placeholders).
    drawn = subprocess.run(["pdftoppm", "-png", "-r", "20", "-singlefile", str(cover),
                            str(tmp_path / "cover")], capture_output=True, text=True)  # fmt: skip
    assert drawn.returncode == 0 and drawn.stderr == "", drawn.stderr


def test_the_screen_pdf_and_the_epub_open_with_the_covers_front(tmp_path, capsys):
    import zipfile

    from pypdf import PdfReader

    from .pdfcheck import label_mismatches

    code = build.main([str(DATA / "volumes" / "small.toml"), "--format", "screen,epub",
                       "--out", str(tmp_path), "--no-cache", "-q"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    screen = tmp_path / "small-screen.pdf"
    labels = PdfReader(screen).page_labels
    assert labels[:3] == ["封面", "i", "ii"]
    assert label_mismatches(screen) == [] and ghostscript_problems(screen) == []
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile",
                    str(screen), str(tmp_path / "first")], check=True)  # fmt: skip
    with zipfile.ZipFile(tmp_path / "small.epub") as epub:
        name = next(n for n in epub.namelist() if "images/cover." in n)
        with Image.open(__import__("io").BytesIO(epub.read(name))) as picture:
            assert picture.width == FRONT_WIDTH_PX and picture.height != 2560  # not drawn
            epub_front = picture.convert("RGB").resize((40, 58))
    with Image.open(tmp_path / "first.png") as first:
        pdf_front = first.convert("RGB").resize((40, 58))
    # the same picture: the band at the foot has the same colour in both
    assert _close(epub_front.getpixel((20, 55)), pdf_front.getpixel((20, 55)))
    assert _close(epub_front.getpixel((20, 55)), (38, 64, 91), 40)  # the deep blue band


def _close(a, b, tolerance=12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def test_a_picture_on_the_front_is_printed_in_cmyk(manuscript, tmp_path):
    photo = tmp_path / "art.png"
    picture = Image.new("RGB", (600, 400))
    picture.putdata([(x * 255 // 599, 90, y * 255 // 399) for y in range(400) for x in range(600)])
    picture.save(photo)
    m = dataclasses.replace(manuscript, meta=dataclasses.replace(
        manuscript.meta, cover_image=str(photo)))  # fmt: skip
    result = write_cover(m, tmp_path / "cover.pdf", 200)
    assert inks.rgb_pages(result.path) == []
    with pikepdf.open(result.path) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                  and obj.get("/Subtype") == "/Image"]  # fmt: skip
        spaces = {str(i.get("/ColorSpace")) for i in images}
        assert "/DeviceCMYK" in spaces and "/DeviceRGB" not in spaces
