"""Measuring the typesetting of a built PDF with real tools, for the tests and the benchmark.

- `lines(pdf)`: every text line of every page with its box (poppler's `pdftotext -bbox-layout`);
- `lone_characters(pdf)`: 孤字, lines that hold one Han character and nothing but punctuation;
- `glyphs(pdf)`: every character with its box (Ghostscript's `txtwrite` device at 720 dpi);
- `punctuation_pairs(pdf)`: the width of each pair of adjacent full-width marks, in em.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Full-width marks that take a whole em box (the ones clreq compresses in pairs).
MARKS = set("，。、：；！？“”‘’（）《》〈〉【】「」『』〔〕")
_LINE = re.compile(
    r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', re.S
)
_WORD = re.compile(r"<word[^>]*>(.*?)</word>")
_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_CHAR = re.compile(r'<char bbox="(\d+) (\d+) (\d+) (\d+)" c="([^"]*)"/>')
_SPAN = re.compile(r'<span bbox="[^"]*" font="[^"]*" size="([\d.]+)">(.*?)</span>', re.S)


@dataclass(frozen=True)
class Line:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str  # without spaces


def lines(pdf: Path) -> list[Line]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = []
    for number, page in enumerate(_PAGE.findall(out), 1):
        for x0, y0, x1, y1, body in _LINE.findall(page):
            text = "".join(html.unescape(w) for w in _WORD.findall(body))
            found.append(Line(number, float(x0), float(y0), float(x1), float(y1), text))
    return found


def is_lone_character(text: str) -> bool:
    """One Han character, with or without punctuation around it (a paragraph's 孤字)."""
    text = re.sub(r"\s", "", text)
    return len(HAN.findall(text)) == 1 and all(
        c in MARKS or HAN.match(c) or c in "…—" for c in text
    )


def lone_characters(pdf: Path) -> list[Line]:
    """孤字 in running text: on pages with full lines of text, lines flush with their left edge,
    as tall as they are, that hold one Han character (title pages and table rows do not count)."""
    by_page: dict[int, list[Line]] = {}
    for line in lines(pdf):
        by_page.setdefault(line.page, []).append(line)
    found = []
    for page in by_page.values():
        full = [line for line in page if len(line.text) >= 20]
        if not full:
            continue
        left, height = min(line.x0 for line in full), full[0].y1 - full[0].y0
        for line in page:
            flush = abs(line.x0 - left) < 1 and abs(line.y1 - line.y0 - height) < 1
            alone = not any(o is not line and abs(o.y0 - line.y0) < 1 for o in page)
            if flush and alone and is_lone_character(line.text):
                found.append(line)
    return found


@dataclass(frozen=True)
class Glyph:
    page: int
    x0: float  # points
    x1: float
    y: float
    size: float  # font size, points
    char: str


def glyphs(pdf: Path, first: int = 1, last: int | None = None) -> list[Glyph]:
    args = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite",
            "-dTextFormat=0", "-r720", f"-dFirstPage={first}"]  # fmt: skip
    if last:
        args.append(f"-dLastPage={last}")
    out = subprocess.run(
        [*args, "-sOutputFile=-", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for number, page in enumerate(out.split("<page>")[1:], first):
        for size, span in _SPAN.findall(page):
            for x0, y0, x1, _y1, c in _CHAR.findall(span):
                found.append(
                    Glyph(
                        number,
                        int(x0) / 10,
                        int(x1) / 10,
                        int(y0) / 10,
                        float(size),
                        html.unescape(c),
                    )
                )
    return found


@dataclass(frozen=True)
class Pair:
    page: int
    text: str
    em: float  # from the first mark's start to the start of what follows the second


def punctuation_pairs(pdf: Path, first: int = 1, last: int | None = None) -> list[Pair]:
    """Each two adjacent full-width marks inside a line (not at its end), with their width."""
    found = []
    run = glyphs(pdf, first, last)
    for a, b, c in zip(run, run[1:], run[2:], strict=False):
        same_line = a.page == b.page == c.page and a.y == b.y == c.y and a.x0 < b.x0 < c.x0
        if same_line and a.char in MARKS and b.char in MARKS and c.char not in MARKS:
            found.append(Pair(a.page, a.char + b.char, (c.x0 - a.x0) / a.size))
    return found
