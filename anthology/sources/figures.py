"""Images in chapter HTML: a paragraph holding only an image becomes a figure with its caption
(the Markdown alt text), and images too coarse for print (below 300 ppi at their printed size)
are reported. A story's pictures (`PictureFile`s of the stories file) become the addresses the
one Markdown pipeline puts into the HTML (`book_pictures`): data: URLs of the published files,
so that the PDF and the EPUB read nothing but the files the builder was given.

`check_pictures` is the gather phase's guard: a picture must be embedded in the text (`data:`)
or be a file inside the content folder; an address on the internet, an absolute path or a path
leading out of the content folder is a ContentError naming the story or chapter, and so is a
picture above `anthology.text.limits.MAX_PICTURE_PIXELS` (read from its header, never decoded).
At render time WeasyPrint's url_fetcher (anthology.pdf.document) refuses the same.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError

from anthology import resources
from anthology.errors import BuildWarning, ContentError
from anthology.sources.manuscript import Chapter, PictureFile
from anthology.text import limits
from anthology.text.pictures import Picture

MIN_PPI = 300
CSS_PX_PER_INCH = 96  # WeasyPrint's default image resolution
_LONE_IMAGE = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>")
_ALT = re.compile(r'\balt="([^"]*)"')
_SRC = re.compile(r'\bsrc="data:image/[a-z]+;base64,([^"]+)"')


_ANY_SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]*)"')


def allowed_file(url: str, roots: tuple[Path, ...] | None = None) -> Path | None:
    """The file a relative or file: URL names, if it lies inside the content folder (or
    `roots`); None for anything else (another scheme, an absolute path, a way out by ../)."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "file") or parts.netloc:
        return None
    raw = unquote(parts.path)
    if parts.scheme == "" and (raw.startswith("/") or raw.startswith("\\")):
        return None  # an absolute path written in the text
    base = resources.CONTENT.parent
    path = (Path(raw) if parts.scheme == "file" else base / raw).resolve()
    for root in roots or (resources.CONTENT.resolve(),):
        if path.is_relative_to(root.resolve()) and path.is_file():
            return path
    return None


def check_pictures(chapter: Chapter, html: str) -> None:
    """Every picture embedded or in the content folder, none above the pixel limit."""
    for number, match in enumerate(_ANY_SRC.finditer(html), 1):
        src = match.group(1).replace("&amp;", "&")
        where = f"picture {number} in {chapter.id} 《{chapter.title}》"
        if src.lower().startswith("data:"):
            payload = _SRC.match(f'src="{src}"')
            if payload is None:
                continue  # not a picture the sanitizer lets through; nothing is fetched
            try:
                data = base64.b64decode(re.sub(r"\s", "", payload.group(1)), validate=True)
                limits.picture_size(data)
            except limits.PictureTooLarge as error:
                raise ContentError(
                    f"{where} is too large to print ({error}): make it smaller and embed it again",
                    chapter.source.path,
                    chapter.source.line,
                ) from None
            except (binascii.Error, limits.UnreadablePicture):
                continue  # image_warnings reports it as unreadable
            continue
        if allowed_file(src) is None:
            shown = src if len(src) <= 120 else src[:117] + "..."
            raise ContentError(
                f"{where} is not embedded in the text: {shown} (the builder reads no address "
                "on the internet and no file outside the content folder; embed the picture "
                "instead)",
                chapter.source.path,
                chapter.source.line,
            )


def book_pictures(files: tuple[PictureFile, ...]) -> tuple[Picture, ...]:
    """The pictures of a story as the book shows them: a data: URL each, "" when left out."""
    return tuple(Picture(f.ref, _data_url(f.path, f.digest) if f.path else "") for f in files)


@lru_cache(maxsize=64)
def _data_url(path: str, _digest: str) -> str:
    data = Path(path).read_bytes()
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def figures(html: str) -> str:
    """<p><img alt="caption"></p> -> <figure><img><figcaption>caption</figcaption></figure>."""

    def figure(match: re.Match[str]) -> str:
        img = match.group(1)
        alt = _ALT.search(img)
        caption = f"<figcaption>{alt.group(1)}</figcaption>" if alt and alt.group(1) else ""
        return f"<figure>{img}{caption}</figure>"

    return _LONE_IMAGE.sub(figure, html)


def image_warnings(
    chapter: Chapter, html: str, text_width_mm: float, max_height_mm: float | None = None
) -> list[BuildWarning]:
    """Images whose resolution at their printed size is below MIN_PPI. A picture prints at its
    own size at 96 px per inch, made smaller to fit the column's width and the figure's
    greatest height (book.css)."""
    out = []
    for number, match in enumerate(_SRC.finditer(html), 1):
        try:
            data = base64.b64decode(re.sub(r"\s", "", match.group(1)), validate=True)
            with Image.open(io.BytesIO(data)) as image:
                width_px, height_px = image.size
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
        if max_height_mm and height_px:  # a tall picture is limited by its height
            printed_in = min(printed_in, max_height_mm / 25.4 * width_px / height_px)
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
