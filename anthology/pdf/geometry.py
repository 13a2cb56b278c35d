"""The page geometry of a volume: trim, margins, the body size and its line grid."""

from __future__ import annotations

from dataclasses import dataclass

from anthology.sources.manuscript import VolumeMeta


@dataclass(frozen=True)
class Geometry:
    width: float
    height: float
    inner: float
    outer: float
    top: float
    bottom: float
    bleed: float
    font_size: float
    sink: float  # chapter titles drop this far below the top margin
    image_max: float

    @property
    def text_width(self) -> float:
        return self.width - self.inner - self.outer

    @property
    def pitch(self) -> float:
        """The body's line pitch in points: every vertical space in the text is a multiple."""
        return round(self.font_size * LINE_HEIGHT, 6)


LINE_HEIGHT = 1.8  # the body's line pitch, in ems of the body size


def geometry(meta: VolumeMeta) -> Geometry:
    """Page geometry. The text block is a whole number of characters wide and a whole number of
    lines high (a Chinese type grid), so that lines of Han text fill the measure exactly and
    need no justification, and the lines of facing pages sit at the same heights."""
    w, h = meta.trim.width_mm, meta.trim.height_mm
    k = w / 185
    font_size = 10.5 if w >= 170 else 10
    em_mm = font_size * 25.4 / 72
    inner, outer = 22 * k, 18 * k
    chars = int((w - inner - outer) / em_mm)
    spare = (w - inner - outer) - chars * em_mm
    inner += spare * inner / (inner + outer)
    outer = w - inner - chars * em_mm
    top = round(24 * h / 260, 1)
    pitch_mm = font_size * LINE_HEIGHT * 25.4 / 72
    lines = int((h - top - 22 * h / 260) / pitch_mm)
    return Geometry(
        width=w,
        height=h,
        inner=round(inner, 6),
        outer=round(outer, 6),
        top=top,
        bottom=round(h - top - lines * pitch_mm, 6),
        bleed=meta.bleed_mm,
        font_size=font_size,
        sink=round(round(28 * h / 260 / pitch_mm) * pitch_mm, 6),
        image_max=round(h * 0.5),
    )


def trim_label(meta: VolumeMeta) -> str:
    """开本 as GB/T 12450 writes it, the paper format (787 mm×1092 mm 1/16); a custom trim
    without a paper format gives its trimmed size."""
    if meta.paper is not None:
        return meta.paper.label
    t = meta.trim
    return f"{t.width_mm:g} mm×{t.height_mm:g} mm"
