"""The print PDF in the printer's inks: pictures converted to the output intent, RGB refused.

A PDF/X print file may hold only colour the press can print: the output intent's CMYK (or, for a
one-colour book, grey). Text and rules are set in `device-cmyk(0 0 0 1)` by the stylesheet; the
pictures arrive as the authors sent them (mostly sRGB photos). `print_pictures` converts every
picture in the book's HTML with littleCMS (Pillow's `ImageCms`) from its own profile (embedded,
else sRGB) to the volume's CMYK profile, perceptual intent with black point compensation, or to
grey; `rgb_content` then reads the written PDF (pikepdf) and lists whatever RGB is left, so the
build can refuse to write such a file and say where it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
from functools import lru_cache
from pathlib import Path

import pikepdf
from PIL import Image, ImageCms, UnidentifiedImageError

JPEG_QUALITY = 92
_DATA_URL = re.compile(r'(\bsrc=")data:image/([a-z+.-]+);base64,([^"]+)(")')
_RGB_OPERATOR = re.compile(rb"(?<![A-Za-z])(rg|RG)(?![A-Za-z])")
_SRGB = ImageCms.createProfile("sRGB")


def profile_problem(profile: Path) -> str:
    """Why `profile` cannot serve as the print PDF's CMYK output profile ("" when it can): it
    must be a CMYK printer profile that littleCMS can convert sRGB pictures to."""
    try:
        target = ImageCms.getOpenProfile(str(profile))
        if target.profile.xcolor_space.strip() != "CMYK":
            return f"it is a {target.profile.xcolor_space.strip()} profile, not CMYK"
        probe = Image.new("RGB", (1, 1), (200, 40, 40))
        ImageCms.profileToProfile(
            probe, ImageCms.ImageCmsProfile(_SRGB), target, outputMode="CMYK",
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
        )  # fmt: skip
    except (OSError, ImageCms.PyCMSError) as error:
        return f"littleCMS cannot convert pictures with it ({error})"
    return ""


def print_pictures(html: str, profile: Path, inks: str = "cmyk") -> str:
    """Every data-URL picture of `html` in the press's colour space (a JPEG in CMYK or grey)."""

    def convert(match: re.Match[str]) -> str:
        try:
            data = base64.b64decode(re.sub(r"\s", "", match.group(3)), validate=True)
        except (binascii.Error, ValueError):
            return match.group(0)  # not a picture: left for the image check to report
        converted = _converted(hashlib.sha256(data).hexdigest(), data, str(profile), inks)
        if converted is None:
            return match.group(0)
        encoded = base64.b64encode(converted).decode("ascii")
        return f"{match.group(1)}data:image/jpeg;base64,{encoded}{match.group(4)}"

    return _DATA_URL.sub(convert, html)


@lru_cache(maxsize=256)
def _converted(_digest: str, data: bytes, profile: str, inks: str) -> bytes | None:
    """The picture converted (cached by its digest: the same photo in every chunk and rebuild)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return _encode(_to_inks(image, Path(profile), inks))
    except (UnidentifiedImageError, OSError, ValueError, ImageCms.PyCMSError):
        return None


def _to_inks(image: Image.Image, profile: Path, inks: str) -> Image.Image:
    if image.mode == "CMYK" and inks == "cmyk":
        return image  # already separated for print: kept as the author's printer made it
    if image.mode in ("L", "LA", "1"):  # a grey photo prints in black ink alone (DeviceGray)
        return _flatten(image).convert("L")
    rgb = _flatten(image)
    if rgb.mode == "CMYK":
        rgb = rgb.convert("RGB")
    source = _source_profile(image)
    if inks == "grey":
        grey = ImageCms.profileToProfile(rgb, source, _SRGB, outputMode="RGB")
        return grey.convert("L")  # the luminance of the sRGB picture
    target = ImageCms.getOpenProfile(str(profile))
    converted = ImageCms.profileToProfile(
        rgb,
        source,
        target,
        renderingIntent=ImageCms.Intent.PERCEPTUAL,
        outputMode="CMYK",
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    return converted


def _flatten(image: Image.Image) -> Image.Image:
    """Transparency composed onto white paper; palettes and greys as RGB."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 255, 255))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    if image.mode in ("RGB", "CMYK"):
        return image
    return image.convert("RGB")


def _source_profile(image: Image.Image) -> ImageCms.ImageCmsProfile:
    """The picture's own RGB profile when it embeds one (a camera's Adobe RGB), else sRGB."""
    embedded = image.info.get("icc_profile")
    if embedded:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(embedded))
        except (OSError, ImageCms.PyCMSError):
            profile = None
        if profile is not None and profile.profile.xcolor_space.strip() == "RGB":
            return profile
    return ImageCms.ImageCmsProfile(_SRGB)


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, subsampling=0)  # no metadata, no ICC
    return out.getvalue()


def rgb_pages(pdf_path: Path) -> list[str]:
    """The page labels (printed folios) of the pages that draw RGB in any way: an `rg`/`RG`
    operator, or a colour space, picture, form or shading in RGB or ICC-based RGB that the
    page's content uses (WeasyPrint shares one resource dictionary between pages)."""
    found = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            if _draws_rgb(_content(page), page.obj.get("/Resources"), set()):
                found.append(str(page.label))
    return found


_RGB_BLACK = {b"0 0 0 rg": b"0 0 0 1 k", b"0 0 0 RG": b"0 0 0 1 K"}
_RGB_BLACK_OPERATOR = re.compile(rb"(?<![\d.])0 0 0 (rg|RG)(?![A-Za-z])")


def black_in_k(pdf_path: Path) -> int:
    """Rewrite RGB black (WeasyPrint draws crop marks as black SVG strokes) as K-only black, in
    place; returns how many streams changed."""
    changed = 0
    with pikepdf.open(pdf_path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form":
                data = obj.read_bytes()
                new = _RGB_BLACK_OPERATOR.sub(lambda m: _RGB_BLACK[m.group(0)], data)
                if new != data:
                    obj.write(new)
                    changed += 1
        if changed:
            temporary = pdf_path.with_name(pdf_path.name + ".k")
            pdf.save(temporary)
    if changed:
        temporary.replace(pdf_path)
    return changed


def chapter_at(label: str, chapter_pages: dict[str, int | str], titles: dict[str, str]) -> str:
    """The title of the chapter a page belongs to, from the folios where the chapters start."""
    body = label.isdigit()
    starts = [
        (int(start) if body else _roman_value(str(start)), id_)
        for id_, start in chapter_pages.items()
        if isinstance(start, int) == body and id_ in titles
    ]
    here = int(label) if body else _roman_value(label)
    before = [(start, id_) for start, id_ in starts if start <= here]
    return titles[max(before)[1]] if before else ""


def _roman_value(text: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    for here, after in zip(text, [*text[1:], ""], strict=True):
        value = values.get(here, 0)
        total += -value if after and values.get(after, 0) > value else value
    return total


def _content(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, pikepdf.Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes()


_NAMED = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+(Do|cs|CS|sh)(?![A-Za-z])")


def _draws_rgb(content: bytes, resources: object, seen: set[tuple[int, int]]) -> bool:
    # The substring tests first: a regex with look-arounds over every byte of a page's content
    # cost 6 of the 8 s this scan took on a 1,650-page book; most pages have no "rg" at all.
    if (b"rg" in content or b"RG" in content) and _RGB_OPERATOR.search(content):
        return True
    if not isinstance(resources, pikepdf.Dictionary):
        return False
    kinds = {b"Do": "/XObject", b"cs": "/ColorSpace", b"CS": "/ColorSpace", b"sh": "/Shading"}
    for name, operator in set(_NAMED.findall(content)):
        entry = resources.get(kinds[operator], pikepdf.Dictionary()).get("/" + name.decode())
        if entry is None:
            continue
        if operator != b"Do":
            space = entry if operator != b"sh" else entry.get("/ColorSpace")
            if _is_rgb(space):
                return True
            continue
        if entry.objgen in seen:
            continue
        seen.add(entry.objgen)
        if _is_rgb(entry.get("/ColorSpace")):
            return True
        if entry.get("/Subtype") == "/Form" and _draws_rgb(
            entry.read_bytes(), entry.get("/Resources", resources), seen
        ):
            return True
    return False


def _is_rgb(space: object) -> bool:
    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return space == "/DeviceRGB" or space == "/CalRGB"
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        family = space[0]
        if family in ("/ICCBased",):
            return int(space[1].get("/N", 0)) == 3
        if family in ("/CalRGB",):
            return True
        if family in ("/Indexed", "/Separation", "/DeviceN"):
            return any(_is_rgb(part) for part in list(space)[1:3])
    return False
