"""The print PDF holds only the press's inks: photos converted to CMYK (or grey), RGB refused.

Checked with tools nobody on the project wrote: Ghostscript's `inkcov` device (the ink each page
puts on paper) and pikepdf (the colour spaces of every picture the pages draw).
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from anthology.errors import BuildError
from anthology.pdf import inks, write_pdf
from anthology.sources import load_manuscript

from . import DATA
from .pdfcheck import ghostscript_problems, page_texts

pytestmark = pytest.mark.slow
STORY = "阿拉丁的灯"  # the story that holds the test picture


def _photo(mode: str) -> str:
    """A 480x320 picture as a Markdown data URL: a colour gradient, its grey, or CMYK."""
    image = Image.new("RGB", (480, 320))
    image.putdata([(x * 255 // 479, y * 255 // 319, 160) for y in range(320) for x in range(480)])
    out = io.BytesIO()
    if mode == "grey":
        image.convert("L").save(out, format="PNG")
        kind = "png"
    elif mode == "cmyk":
        image.convert("CMYK").save(out, format="JPEG", quality=90)
        kind = "jpeg"
    else:
        image.save(out, format="PNG")
        kind = "png"
    return f"![一张测试照片](data:image/{kind};base64,{base64.b64encode(out.getvalue()).decode()})"


def _volume(tmp_path: Path, photo: str | None, inks_setting: str = "cmyk") -> Path:
    """The small test volume, with the picture of one story replaced (or removed)."""
    book = tmp_path / "book"
    shutil.copytree(DATA, book, ignore=shutil.ignore_patterns("__pycache__"))
    stories = json.loads((book / "stories.json").read_text("utf-8"))
    for part in stories["parts"]:
        for story in part["stories"]:
            if story["title"] == STORY:
                story["body"] = re.sub(r"!\[[^\]]*\]\(data:[^)]*\)", photo or "", story["body"])
    (book / "stories.json").write_text(json.dumps(stories, ensure_ascii=False), "utf-8")
    recipe = book / "volumes" / "small.toml"
    text = recipe.read_text("utf-8").replace(
        "bleed_mm = 3", f'bleed_mm = 3\ninks = "{inks_setting}"'
    )
    recipe.write_text(text, "utf-8")
    return recipe


def _ink(pdf: Path) -> list[tuple[float, float, float, float]]:
    done = subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=inkcov", "-o", "-", str(pdf)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = [line.split() for line in done.stdout.splitlines() if line.strip().endswith("OK")]
    return [tuple(float(v) for v in row[:4]) for row in rows]  # type: ignore[misc]


def _picture_spaces(pdf: Path) -> set[str]:
    spaces = set()
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for xobject in page.obj.get("/Resources", {}).get("/XObject", {}).values():
                if xobject.get("/Subtype") == "/Image":
                    spaces.add(str(xobject.ColorSpace))
    return spaces


def _photo_page(pdf: Path) -> int:
    [index] = [i for i, text in enumerate(page_texts(pdf)) if "一张测试照片" in text]
    return index


@pytest.mark.parametrize("photo", ["rgb", "grey", "cmyk", None])
def test_print_pdf_has_only_press_inks(tmp_path: Path, photo: str | None) -> None:
    recipe = _volume(tmp_path, _photo(photo) if photo else None)
    result = write_pdf(load_manuscript(recipe), tmp_path / "print.pdf", "print")
    assert inks.rgb_pages(result.path) == []
    assert "/DeviceRGB" not in _picture_spaces(result.path)
    assert ghostscript_problems(result.path) == []
    coverage = _ink(result.path)
    assert len(coverage) == result.pages
    picture = _photo_page(result.path) if photo else None
    for index, (c, m, y, k) in enumerate(coverage):
        if index != picture:
            assert (c, m, y) == (0.0, 0.0, 0.0), f"page {index + 1} prints colour: {c, m, y, k}"
    if photo == "rgb":  # the coloured photo prints in colour, from the output intent's CMYK
        assert _picture_spaces(result.path) == {"/DeviceCMYK"}
        c, m, y, _k = coverage[picture]
        assert c > 0 and m > 0 and y > 0
    if photo == "grey":  # black ink alone, no rich grey
        assert _picture_spaces(result.path) == {"/DeviceGray"}
        assert coverage[picture][:3] == (0.0, 0.0, 0.0)
    if photo == "cmyk":
        assert _picture_spaces(result.path) == {"/DeviceCMYK"}
    if photo is None:
        assert _picture_spaces(result.path) == set()


def test_a_one_colour_book_prints_its_photos_in_grey(tmp_path: Path) -> None:
    recipe = _volume(tmp_path, _photo("rgb"), inks_setting="grey")
    result = write_pdf(load_manuscript(recipe), tmp_path / "print.pdf", "print")
    assert _picture_spaces(result.path) == {"/DeviceGray"}
    assert all((c, m, y) == (0.0, 0.0, 0.0) for c, m, y, _k in _ink(result.path))


def test_rgb_left_in_the_print_pdf_is_refused_naming_the_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipe = _volume(tmp_path, _photo("rgb"))
    monkeypatch.setattr("anthology.pdf.html.print_pictures", lambda html, *_args: html)
    target = tmp_path / "print.pdf"
    with pytest.raises(BuildError) as refused:
        write_pdf(load_manuscript(recipe), target, "print")
    assert "RGB" in str(refused.value) and f"《{STORY}》" in str(refused.value)
    assert not target.exists()  # nothing half-written


def test_the_screen_pdf_keeps_its_rgb_photo(tmp_path: Path) -> None:
    recipe = _volume(tmp_path, _photo("rgb"))
    result = write_pdf(load_manuscript(recipe), tmp_path / "screen.pdf", "screen")
    assert "/DeviceRGB" in _picture_spaces(result.path)


def test_crop_marks_print_in_black_ink(tmp_path: Path) -> None:
    recipe = _volume(tmp_path, None)
    result = write_pdf(load_manuscript(recipe), tmp_path / "print.pdf", "print", marks=True)
    assert inks.rgb_pages(result.path) == []
    assert ghostscript_problems(result.path) == []
    assert all((c, m, y) == (0.0, 0.0, 0.0) for c, m, y, _k in _ink(result.path))


@pytest.mark.parametrize("chunk_pages", [0, 4])
def test_the_output_intent_names_the_printers_profile_and_press_condition(
    tmp_path: Path, chunk_pages: int
) -> None:
    printer = tmp_path / "printer.icc"  # as a printer sends it (the only usable one installed)
    shutil.copyfile("/usr/share/color/icc/ghostscript/default_cmyk.icc", printer)
    recipe = _volume(tmp_path, _photo("rgb"))
    setting = f'bleed_mm = 3\nicc_profile = "{printer}"\npress_condition = "FOGRA39"'
    recipe.write_text(recipe.read_text("utf-8").replace("bleed_mm = 3", setting), "utf-8")
    result = write_pdf(load_manuscript(recipe), tmp_path / "print.pdf", "print",
                       chunk_pages=chunk_pages, workers=2)  # fmt: skip
    with pikepdf.open(result.path) as pdf:
        [intent] = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert intent.DestOutputProfile.read_bytes() == printer.read_bytes()
    assert inks.rgb_pages(result.path) == []


def test_without_a_press_condition_the_intent_is_custom_and_described(tmp_path: Path) -> None:
    result = write_pdf(load_manuscript(_volume(tmp_path, None)), tmp_path / "p.pdf", "print")
    with pikepdf.open(result.path) as pdf:
        [intent] = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "Custom"
        assert "SWOP" in str(intent.Info)  # Ghostscript's default profile describes itself


def test_a_profile_littlecms_cannot_use_is_refused_before_rendering(tmp_path: Path) -> None:
    from anthology import build

    recipe = _volume(tmp_path, None)
    unusable = "/usr/share/color/icc/ghostscript/ps_cmyk.icc"
    setting = f'bleed_mm = 3\nicc_profile = "{unusable}"'
    recipe.write_text(recipe.read_text("utf-8").replace("bleed_mm = 3", setting), "utf-8")
    assert build.main([str(recipe), "--format", "print", "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out" / "small-print.pdf").exists()
    assert inks.profile_problem(Path(unusable)) != ""
    assert inks.profile_problem(Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")) == ""
    assert "RGB" in inks.profile_problem(Path("/usr/share/color/icc/ghostscript/srgb.icc"))
