"""The ISBN as an EAN-13 barcode with the price as an EAN-5 add-on, as vectors.

The bars come from zint (PyPI `zint-bindings`, the maintained barcode library that also draws
the 2- and 5-digit add-ons: python-barcode has none), which gives every bar and every digit of
the human-readable line as a rectangle or a string in its own units (two a module). They are
turned into millimetres here; `anthology.cover` draws them as filled boxes in black ink.

The add-on holds the price as Chinese books print it: yuan x 100 in five digits (68.00元 ->
06800). A price of 1,000 yuan or more, or no price, gives no add-on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anthology.errors import ContentError

MODULE_MM = 0.30  # the narrowest bar: 0.33 mm is 100 %, books commonly print at 80-100 %
BAR_HEIGHT = 69.242424  # in modules: the EAN-13 standard height (22.85 mm at 100 %)
UNITS_PER_MODULE = 2.0  # zint's vector units at scale 1
_PRICE = re.compile(r"(\d+(?:\.\d{1,2})?)")


@dataclass(frozen=True)
class Bar:
    x: float  # mm from the symbol's left edge (quiet zone included)
    y: float  # mm from its top
    width: float
    height: float


@dataclass(frozen=True)
class Digits:
    x: float  # mm: the anchor (see `align`)
    baseline: float  # mm from the top
    size: float  # font size in mm
    text: str
    align: str  # "center", "left" or "right" of x


@dataclass(frozen=True)
class Barcode:
    data: str  # what the bars encode: 13 digits, "+" and the add-on's 5 when there is one
    width: float  # mm, quiet zones included
    height: float
    bars: tuple[Bar, ...]
    digits: tuple[Digits, ...]

    @property
    def addon(self) -> str:
        return self.data.partition("+")[2]


def price_addon(price: str) -> str:
    """The EAN-5 add-on for a price in yuan ("68.00元（示例）" -> "06800"; "" when none)."""
    match = _PRICE.search(price.replace(",", "").replace("，", ""))
    if not match:
        return ""
    fen = round(float(match.group(1)) * 100)
    return f"{fen:05d}" if 0 < fen < 100000 else ""


def isbn_digits(isbn: str) -> str:
    return re.sub(r"\D", "", isbn)


def isbn_barcode(isbn: str, price: str = "") -> Barcode:
    """The vector barcode of `isbn` (ISBN-13), with the price add-on when a price is given."""
    import zint

    digits = isbn_digits(isbn)
    addon = price_addon(price)
    data = digits + (f"+{addon}" if addon else "")
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.ISBNX
    symbol.height = BAR_HEIGHT
    try:
        symbol.encode(data)
    except RuntimeError as error:
        raise ContentError(f"the ISBN {isbn} cannot be drawn as a barcode: {error}") from None
    symbol.buffer_vector()
    vector = symbol.vector
    mm = MODULE_MM / UNITS_PER_MODULE
    bars = tuple(Bar(r.x * mm, r.y * mm, r.width * mm, r.height * mm) for r in vector.rectangles)
    aligns = {0: "center", 1: "left", 2: "right"}
    strings = tuple(
        Digits(s.x * mm, s.y * mm, s.fsize * mm, s.text, aligns.get(s.halign, "center"))
        for s in vector.strings
    )
    return Barcode(data, vector.width * mm, vector.height * mm, bars, strings)
