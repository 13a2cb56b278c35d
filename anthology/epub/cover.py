"""The EPUB cover: the volume's own image when it has one, otherwise one drawn with Pillow.

The drawn cover (1600x2560, the 1:1.6 ratio most e-readers expect) carries the title, subtitle,
publisher and year in Noto CJK. It is deterministic: the same input gives the same PNG bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from anthology.fonts import fontconfig

WIDTH, HEIGHT = 1600, 2560
MARGIN = 160
PAPER = (246, 241, 230)
INK = (38, 52, 64)
ACCENT = (164, 58, 44)

# Characters that must not begin a line, and those that must not end one (GB/T 15834 practice).
NO_START = set("、，。：；！？”’」』）》〉】〕·…—")
NO_END = set("“‘「『（《〈【〔")

MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}


class CoverError(ValueError):
    """The volume's cover image cannot be used (names the file)."""


@dataclass(frozen=True)
class Cover:
    data: bytes
    media_type: str
    extension: str
    generated: bool  # True when drawn here, False when the volume's own image


def load(path: Path) -> Cover:
    """The volume's own cover image; CoverError names the file when it is not PNG/JPEG/GIF."""
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
    except OSError as exc:
        raise CoverError(f"{path}: cannot read the cover image ({exc})") from exc
    if kind not in MEDIA_TYPES:
        raise CoverError(f"{path}: cover must be PNG, JPEG or GIF, not {kind or 'unknown'}")
    extension = {"PNG": "png", "JPEG": "jpg", "GIF": "gif"}[kind]
    return Cover(data, MEDIA_TYPES[kind], extension, generated=False)


def _font(family: str, style: str, size: int) -> ImageFont.FreeTypeFont:
    face = fontconfig.find(family, style)
    return ImageFont.truetype(str(face.path), size=size, index=face.index)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break Chinese text into lines no wider than `width`, keeping punctuation rules."""
    lines: list[str] = []
    line = ""
    for char in text.strip():
        if char == "\n":
            lines.append(line)
            line = ""
            continue
        if line and font.getlength(line + char) > width and char not in NO_START:
            carry = ""
            while line and line[-1] in NO_END:
                carry = line[-1] + carry
                line = line[:-1]
            lines.append(line)
            line = carry
        line += char
    if line:
        lines.append(line)
    return [item.strip() for item in lines if item.strip()]


def _draw_block(
    draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont, top: int, gap: int
) -> int:
    """Draw centred lines from `top`; return the y below the block."""
    y = top
    for line in lines:
        left, upper, right, lower = draw.textbbox((0, 0), line, font=font)
        draw.text(((WIDTH - (right - left)) / 2 - left, y - upper), line, font=font, fill=INK)
        y += int(lower - upper) + gap
    return y


def draw(title: str, subtitle: str = "", year: str = "", publisher: str = "") -> Cover:
    """Draw a cover image from the volume's words (PNG bytes)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN
    pen.rectangle((0, 0, WIDTH, 96), fill=ACCENT)
    pen.rectangle((0, HEIGHT - 96, WIDTH, HEIGHT), fill=ACCENT)

    title_font = _font("Noto Serif CJK SC", "Bold", 150)
    y = _draw_block(pen, wrap(title, title_font, text_width), title_font, 620, 60)
    pen.rectangle((WIDTH / 2 - 120, y + 40, WIDTH / 2 + 120, y + 48), fill=ACCENT)
    if subtitle:
        sub_font = _font("Noto Sans CJK SC", "Regular", 76)
        _draw_block(pen, wrap(subtitle, sub_font, text_width), sub_font, y + 140, 36)

    foot_font = _font("Noto Sans CJK SC", "Regular", 58)
    foot = [item for item in (publisher, year) if item]
    lines = [line for item in foot for line in wrap(item, foot_font, text_width)]
    _draw_block(pen, lines, foot_font, HEIGHT - 200 - 100 * len(lines), 40)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return Cover(buffer.getvalue(), "image/png", "png", generated=True)
