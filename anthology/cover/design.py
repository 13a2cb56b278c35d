"""The cover's design as plain data for templates/book/cover.html: colours, sizes, texts.

Colours are chosen in CMYK, the press's inks (`PALETTE`); the screen variant (the front as the
EPUB's and screen PDF's cover image) shows the same colours converted by littleCMS from the
volume's CMYK profile to sRGB, so the e-book looks like the printed book. Text that is not
reversed out of a colour is black ink alone, like the book's.
"""

from __future__ import annotations

import base64
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from anthology.cover.barcode import Barcode
from anthology.cover.sheet import Sheet, vertical
from anthology.fonts.families import ResolvedFonts
from anthology.resources import TEMPLATES
from anthology.sources.manuscript import VolumeMeta
from anthology.text.typeset import typeset_title

# CMYK in per cent.
PALETTE = {
    "paper": (0, 2, 7, 0),  # a warm off-white over the whole sheet
    "band": (90, 65, 40, 30),  # deep blue: the spine and the band that wraps round the book
    "accent": (5, 85, 85, 0),  # seal red: the rule under the title, the series line
    "ink": (0, 0, 0, 100),  # text
    "reverse": (0, 0, 0, 0),  # text reversed out of the band (the paper shows through)
}


@dataclass(frozen=True)
class Spine:
    title: list[tuple[str, str]]
    editors: list[tuple[str, str]]
    publisher: list[tuple[str, str]]
    size: float  # the title's font size in mm
    small: float  # the editors' and publisher's size in mm


def colours(variant: str, profile: Path) -> dict[str, str]:
    if variant == "print":
        return {name: "device-cmyk({})".format(" ".join(f"{v / 100:g}" for v in cmyk))
                for name, cmyk in PALETTE.items()}  # fmt: skip
    return {name: "rgb({}, {}, {})".format(*_rgb(cmyk, str(profile)))
            for name, cmyk in PALETTE.items()}  # fmt: skip


@cache
def _rgb(cmyk: tuple[int, int, int, int], profile: str) -> tuple[int, int, int]:
    from PIL import Image, ImageCms

    pixel = Image.new("CMYK", (1, 1), tuple(round(v * 2.55) for v in cmyk))
    converted = ImageCms.profileToProfile(
        pixel, ImageCms.getOpenProfile(profile), ImageCms.createProfile("sRGB"),
        outputMode="RGB", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
    )  # fmt: skip
    assert converted is not None
    r, g, b = converted.getpixel((0, 0))  # type: ignore[misc]
    return int(r), int(g), int(b)


def spine(meta: VolumeMeta, sheet: Sheet) -> Spine | None:
    """The spine's vertical texts, sized to its width and height (None: too thin for text)."""
    if not sheet.spine_text:
        return None
    title = vertical(meta.title)
    editors = vertical("　".join(meta.editors) + ("　编" if meta.editors else ""))
    publisher = vertical(meta.publisher)
    room = sheet.height * 0.58  # the title's share of the spine's height, the rest below
    size = min(sheet.spine * 0.62, 7.0, room / max(1, len(title)) / 1.08)
    below = max(1, len(editors) + len(publisher) + 2)
    small = min(sheet.spine * 0.45, 4.2, sheet.height * 0.3 / below / 1.08)
    return Spine(title, editors, publisher, round(size, 2), round(min(small, size), 2))


def image_url(path: str) -> str:
    if not path:
        return ""
    kind = mimetypes.guess_type(path)[0] or "image/jpeg"
    return f"data:{kind};base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def html(
    meta: VolumeMeta,
    fonts: ResolvedFonts,
    sheet: Sheet,
    barcode: Barcode | None,
    variant: str,
    profile: Path,
    front_only: bool = False,
) -> str:
    """The cover as HTML: the whole sheet (print), or the front alone (`front_only`)."""
    return _env().get_template("book/cover.html").render(
        meta=meta, title=typeset_title(meta.title), subtitle=typeset_title(meta.subtitle),
        fonts=fonts, sheet=sheet, barcode=barcode, spine=spine(meta, sheet),
        colour=colours(variant, profile), variant=variant, front_only=front_only,
        icc_url=profile.as_uri() if variant == "print" else "",
        image=image_url(meta.cover_image), title_size=_title_size(meta.title, sheet.panel),
    )  # fmt: skip


def _title_size(title: str, panel: float) -> float:
    """The front's title size in mm: large, on at most two lines of the panel's measure."""
    measure = panel * 0.76
    per_line = max(1, -(-len(title) // 2))
    return round(min(panel * 0.085, measure / per_line / 1.12), 2)


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
