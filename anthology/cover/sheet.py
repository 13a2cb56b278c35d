"""The cover's sheet: back, spine and front side by side, with bleed, in millimetres.

The spine is as thick as the book block: its leaves (two pages each; an odd last page has a
blank back) times the paper's caliper, one leaf's thickness (`[page] paper_caliper_mm`, or
`pages_per_cm`; ask the printer for the paper's figure). Without one the spine assumes
`DEFAULT_CALIPER_MM`, and the build says so. A spine thinner than `MIN_SPINE_TEXT_MM` gets no
text (the build warns): letters that thin would fall off the spine's edges when the cover is
folded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from anthology.sources.manuscript import VolumeMeta

DEFAULT_CALIPER_MM = 0.1  # 80 g/m² offset paper, about
MIN_SPINE_TEXT_MM = 4.0


@dataclass(frozen=True)
class Sheet:
    panel: float  # width of the front (and of the back): the trim width
    height: float  # the trim height
    spine: float
    bleed: float
    pages: int
    caliper: float  # one leaf, mm
    caliper_given: bool

    @property
    def width(self) -> float:
        """Trimmed width: back + spine + front."""
        return round(2 * self.panel + self.spine, 2)

    @property
    def media(self) -> tuple[float, float]:
        """The sheet with its bleed on every side."""
        return round(self.width + 2 * self.bleed, 2), round(self.height + 2 * self.bleed, 2)

    @property
    def spine_text(self) -> bool:
        return self.spine >= MIN_SPINE_TEXT_MM

    def describe(self) -> str:
        """The dimensions, as the build summary prints them."""
        media_w, media_h = self.media
        source = "" if self.caliper_given else " (assumed: no paper_caliper_mm)"
        return (
            f"cover {self.width:g} × {self.height:g} mm trimmed (back {self.panel:g} + spine "
            f"{self.spine:g} + front {self.panel:g}), {media_w:g} × {media_h:g} mm with "
            f"{self.bleed:g} mm bleed; spine {self.pages} pages × {self.caliper:g} mm a "
            f"leaf{source}"
        )


def leaves(pages: int) -> int:
    return math.ceil(pages / 2)


def spine_width(pages: int, caliper_mm: float) -> float:
    """The spine in mm, to a tenth: leaves × caliper."""
    return round(leaves(pages) * caliper_mm, 1)


def sheet(meta: VolumeMeta, pages: int) -> Sheet:
    caliper = meta.caliper_mm or DEFAULT_CALIPER_MM
    return Sheet(
        panel=meta.trim.width_mm,
        height=meta.trim.height_mm,
        spine=spine_width(pages, caliper),
        bleed=meta.bleed_mm,
        pages=pages,
        caliper=caliper,
        caliper_given=bool(meta.caliper_mm),
    )


def vertical(text: str) -> list[tuple[str, str]]:
    """Spine text as runs to set top to bottom: ("upright", one Han character or punctuation
    mark) and ("turned", a run of Latin letters or digits, set turned 90° clockwise)."""
    runs: list[tuple[str, str]] = []
    for char in text:
        if char.isascii() and not char.isspace():
            if runs and runs[-1][0] == "turned":
                runs[-1] = ("turned", runs[-1][1] + char)
            else:
                runs.append(("turned", char))
        elif char.isspace():
            if runs and runs[-1][0] == "turned":
                runs[-1] = ("turned", runs[-1][1] + " ")
            else:
                runs.append(("upright", "\u3000"))
        else:
            runs.append(("upright", char))
    return [(kind, value.strip() or value) for kind, value in runs]
