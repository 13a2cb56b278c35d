"""Subsets of the volume's CJK faces for `--embed-fonts`: only the characters the book uses.

Noto CJK fonts are 20 MB collections; a subset of the few thousand characters of a volume is a
few hundred kilobytes as WOFF (media type font/woff, an EPUB core media type). The subsets are
deterministic: the font's timestamp is not recalculated.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from fontTools import subset
from fontTools.ttLib import TTFont

from anthology.epub.xhtml import Resource
from anthology.errors import FontError
from anthology.fonts import fontconfig
from anthology.sources.manuscript import Fonts

SERIF = "Anthology Serif"  # the @font-face names, never the name of an installed font
SANS = "Anthology Sans"


@dataclass(frozen=True)
class Face:
    resource: Resource
    family: str  # the @font-face family name
    weight: int
    format: str = "woff"

    @property
    def name(self) -> str:
        return self.resource.name


def _subset(face: fontconfig.FontFile, characters: str) -> bytes:
    font = TTFont(str(face.path), fontNumber=face.index, recalcTimestamp=False, lazy=False)
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["kern"]  # horizontal text: no vertical forms or locale variants
    options.notdef_outline = True
    options.name_legacy = True
    options.drop_tables += ["DSIG"]
    options.hinting = False  # e-readers render CJK outlines unhinted; 25% smaller with the next
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out, reorderTables=True)
    return out.getvalue()


def embed(fonts: Fonts, characters: dict[str, str]) -> list[Face]:
    """Subsets by role: `serif` (body text, Song regular), `bold` (strong text, Song bold), `sans`
    (headings, Hei bold) and `sans-regular` (bylines, navigation: Hei regular), each cut down to
    the characters set in that role."""
    wanted = [
        ("serif", fonts.body, "Regular", SERIF, 400),
        ("bold", fonts.body, "Bold", SERIF, 700),
        ("sans", fonts.heading, "Bold", SANS, 700),
        ("sans-regular", fonts.heading, "Regular", SANS, 400),
    ]
    out = []
    for role, family, style, name, weight in wanted:
        text = characters.get(role, "")
        if not text.strip():
            continue
        try:
            found = fontconfig.find(family, style)
        except fontconfig.FontNotFound as exc:
            raise FontError(str(exc)) from exc
        data = _subset(found, text)
        out.append(Face(Resource(f"fonts/{role}.woff", data, "font/woff"), name, weight))
    return out


def families(faces: list[Face]) -> dict[str, str]:
    """The embedded family names by role, for the stylesheet's font stacks."""
    names = {face.family for face in faces}
    return {"serif": SERIF if SERIF in names else "", "sans": SANS if SANS in names else ""}
