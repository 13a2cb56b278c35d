"""The EPUB cover: drawn from the volume's words, or the recipe's own image."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from anthology.epub import cover, write_epub
from anthology.errors import ContentError
from anthology.fonts import fontconfig
from anthology.sources import load_manuscript

OPF = {"opf": "http://www.idpf.org/2007/opf"}


def recipe(folder: Path, extra: str = "") -> Path:
    (folder / "front").mkdir(exist_ok=True)
    (folder / "front" / "preface.md").write_text("---\ntitle: 前言\n---\n\n正文。\n", "utf-8")
    path = folder / "recipe.toml"
    path.write_text(
        f'slug = "cover-test"\ntitle = "封面测试"\nyear = 2026\ncontent = "."\n{extra}\n'
        '[structure]\nfront = ["front/preface.md"]\n',
        encoding="utf-8",
    )
    return path


def test_drawn_cover_is_a_deterministic_png_of_the_right_size():
    first = cover.draw("一线之光", "社会工作实务故事集", "2026", "示例出版社")
    again = cover.draw("一线之光", "社会工作实务故事集", "2026", "示例出版社")
    other = cover.draw("另一本书", "社会工作实务故事集", "2026", "示例出版社")
    assert first.generated and first.media_type == "image/png"
    assert first.data == again.data and first.data != other.data
    image = Image.open(io.BytesIO(first.data))
    assert image.format == "PNG" and image.size == (cover.WIDTH, cover.HEIGHT)
    title_band = image.crop((cover.MARGIN, 600, cover.WIDTH - cover.MARGIN, 800)).convert("RGB")
    inked = sum(
        1
        for x in range(0, title_band.width, 2)
        for y in range(0, title_band.height, 2)
        if title_band.getpixel((x, y)) == cover.INK
    )
    assert inked > 500  # the title is really drawn (every other pixel sampled)


def test_title_wrapping_keeps_chinese_punctuation_rules():
    face = fontconfig.find("Noto Serif CJK SC", "Bold")
    font = cover.ImageFont.truetype(str(face.path), size=150, index=face.index)
    lines = cover.wrap("社会工作者的故事，一线实践者的百年回响。“当代叙事”与《记录》", font, 900)
    assert (
        len(lines) > 2
        and "".join(lines) == "社会工作者的故事，一线实践者的百年回响。“当代叙事”与《记录》"
    )
    assert all(line[0] not in cover.NO_START for line in lines)
    assert all(line[-1] not in cover.NO_END for line in lines)


def test_volume_cover_image_is_used_as_is(tmp_path):
    image = tmp_path / "cover.jpg"
    Image.new("RGB", (160, 256), (10, 80, 160)).save(image, format="JPEG")
    manuscript = load_manuscript(recipe(tmp_path, 'cover = "cover.jpg"'))
    assert manuscript.meta.cover == str(image.resolve())
    result = write_epub(manuscript, tmp_path / "book.epub")
    with zipfile.ZipFile(result.path) as book:
        assert book.read("EPUB/images/cover.jpg") == image.read_bytes()
        opf = etree.fromstring(book.read("EPUB/package.opf"))
    item = opf.find("opf:manifest/opf:item[@properties='cover-image']", OPF)
    assert item.get("href") == "images/cover.jpg" and item.get("media-type") == "image/jpeg"


def test_cover_errors_name_the_file(tmp_path):
    with pytest.raises(ContentError, match="cover image not found") as caught:
        load_manuscript(recipe(tmp_path, 'cover = "missing.png"'))
    assert caught.value.path.endswith("recipe.toml") and caught.value.line == 5
    (tmp_path / "not-an-image.png").write_text("hello", encoding="utf-8")
    with pytest.raises(cover.CoverError, match="not-an-image.png"):
        cover.load(tmp_path / "not-an-image.png")


def test_missing_font_says_what_to_install():
    with pytest.raises(fontconfig.FontNotFound, match="fonts-noto-cjk"):
        fontconfig.find("No Such Font Family 123")
