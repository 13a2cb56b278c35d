"""Images in chapter HTML: a paragraph holding only an image becomes a figure with its caption
(the Markdown alt text), and images too coarse for print (below 300 ppi) are reported."""

from __future__ import annotations

import base64
import binascii
import io
import re

from PIL import Image, UnidentifiedImageError

from anthology.errors import BuildWarning
from anthology.sources.manuscript import Chapter

MIN_PPI = 300
CSS_PX_PER_INCH = 96  # WeasyPrint's default image resolution
_LONE_IMAGE = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>")
_ALT = re.compile(r'\balt="([^"]*)"')
_SRC = re.compile(r'\bsrc="data:image/[a-z]+;base64,([^"]+)"')


def figures(html: str) -> str:
    """<p><img alt="caption"></p> -> <figure><img><figcaption>caption</figcaption></figure>."""

    def figure(match: re.Match[str]) -> str:
        img = match.group(1)
        alt = _ALT.search(img)
        caption = f"<figcaption>{alt.group(1)}</figcaption>" if alt and alt.group(1) else ""
        return f"<figure>{img}{caption}</figure>"

    return _LONE_IMAGE.sub(figure, html)


def image_warnings(chapter: Chapter, html: str, text_width_mm: float) -> list[BuildWarning]:
    """Images whose resolution at their printed size is below MIN_PPI."""
    out = []
    for number, match in enumerate(_SRC.finditer(html), 1):
        try:
            data = base64.b64decode(re.sub(r"\s", "", match.group(1)), validate=True)
            with Image.open(io.BytesIO(data)) as image:
                width_px = image.size[0]
        except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
            out.append(
                BuildWarning(
                    f"image {number} in 《{chapter.title}》 cannot be read",
                    chapter.source.path,
                    chapter.source.line,
                )
            )
            continue
        printed_in = min(width_px / CSS_PX_PER_INCH, text_width_mm / 25.4)
        ppi = width_px / printed_in
        if ppi < MIN_PPI:
            out.append(
                BuildWarning(
                    f"image {number} in 《{chapter.title}》 prints at {ppi:.0f} ppi "
                    f"(below {MIN_PPI}): {width_px} px wide over {printed_in * 25.4:.0f} mm",
                    chapter.source.path,
                    chapter.source.line,
                )
            )
    return out
