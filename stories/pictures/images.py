"""Pictures from authors made safe to keep: decoded with limits, re-encoded without metadata.

`normalise(data)` reads a JPEG, PNG, GIF or HEIC (HEIC through pillow-heif, where it is
installed), refuses what is too large or not a picture, applies the EXIF orientation, converts
the pixels to sRGB from the picture's own ICC profile, and writes a new file from the pixels
alone: no EXIF, GPS, XMP, IPTC, comments or thumbnails survive. Photos become JPEG, drawings and
screenshots (PNG, GIF) PNG. `blurred` makes the published rendition of a picture an editor
marked "publish blurred"; `thumbnail` the small copy the editors' pages show.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFilter, ImageOps, UnidentifiedImageError

try:  # HEIC photos from phones, where the wheel is available
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIC = False

MAX_BYTES = 25 * 1024 * 1024  # one picture file as uploaded
MAX_PIXELS = 50_000_000  # 50 megapixels: larger is a decompression bomb, not a photo
MAX_SIDE = 12_000
JPEG_QUALITY = 92
FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "png", "HEIF": "jpeg", "MPO": "jpeg"}
EXTENSIONS = {"jpeg": "jpg", "png": "png"}
MEDIA_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PictureError(ValueError):
    """The file cannot be used as a picture; `reason` is one of the keys of `REASONS`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


REASONS = ("too_large", "too_many_pixels", "not_a_picture", "unsupported")


@dataclass(frozen=True)
class Normalised:
    data: bytes  # the file to store
    kind: str  # "jpeg" or "png"
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def normalise(data: bytes) -> Normalised:
    """A picture as uploaded -> the file we keep (see the module's docstring)."""
    if len(data) > MAX_BYTES:
        raise PictureError("too_large", f"{len(data)} bytes")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = FORMATS.get(image.format or "")
                if kind is None:
                    raise PictureError("unsupported", image.format or "unknown")
                width, height = image.size
                if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                    raise PictureError("too_many_pixels", f"{width}x{height}")
                image.load()
                pixels = _pixels(image, kind)
        except PictureError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PictureError("too_many_pixels", str(error)) from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise PictureError("not_a_picture", str(error)) from error
    return _encode(pixels, kind)


def _pixels(image: Image.Image, kind: str) -> Image.Image:
    """Oriented, sRGB pixels in a fresh image that carries no metadata at all."""
    profile = image.info.get("icc_profile")
    oriented = ImageOps.exif_transpose(image) or image
    if kind == "png":
        oriented = oriented.convert("RGBA" if _has_alpha(oriented) else "RGB")
    elif oriented.mode not in ("RGB", "L"):
        oriented = oriented.convert("RGB")
    if profile and oriented.mode in ("RGB", "RGBA"):
        oriented = _to_srgb(oriented, profile)
    fresh = Image.new(oriented.mode, oriented.size)
    fresh.frombytes(oriented.tobytes())
    return fresh


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if source.profile.xcolor_space.strip() != "RGB":
            return image
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode) or image
    except (OSError, ImageCms.PyCMSError):
        return image  # a broken profile: the pixels are taken as sRGB


def _encode(image: Image.Image, kind: str) -> Normalised:
    out = io.BytesIO()
    if kind == "jpeg":
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, format="PNG", optimize=True)
    return Normalised(out.getvalue(), kind, image.size[0], image.size[1])


def size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def blurred(data: bytes, region: tuple[float, float, float, float] | None) -> bytes:
    """The picture with `region` (left, top, width, height as fractions; None: all of it) made
    unrecognisable: pixelated, then blurred, so that no detail can be sharpened back."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        kind = "png" if image.format == "PNG" else "jpeg"
        picture = image.copy()
    w, h = picture.size
    left, top, width, height = region or (0.0, 0.0, 1.0, 1.0)
    box = (
        max(0, int(left * w)),
        max(0, int(top * h)),
        min(w, int(round((left + width) * w))),
        min(h, int(round((top + height) * h))),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        box = (0, 0, w, h)
    part = picture.crop(box)
    # About 24 cells across the region: every face, number or letter is gone; the cells are
    # smoothed into one another (blurring the small copy is fast even for a 12 MP photo).
    cells = max(1, max(part.size) // 24)
    small = part.resize(
        (max(1, part.size[0] // cells), max(1, part.size[1] // cells)), Image.Resampling.BOX
    )
    small = small.filter(ImageFilter.GaussianBlur(radius=1.5))
    part = small.resize(part.size, Image.Resampling.BICUBIC)
    picture.paste(part, box[:2])
    return _encode(picture, kind).data


def thumbnail(data: bytes, side: int = 320) -> bytes:
    """A small JPEG (or PNG for drawings) of the picture, at most `side` pixels each way."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        kind = "png" if image.format == "PNG" else "jpeg"
        small = image.copy()
    small.thumbnail((side, side))
    return _encode(small, kind).data
