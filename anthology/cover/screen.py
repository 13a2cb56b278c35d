"""The screen PDF opens with the cover's front, as the EPUB does.

`prepend_front` puts the front (anthology.cover.front_image, a PNG in sRGB) before the title
page of a finished screen PDF as a page of its own, the picture marked as an artifact (the
title page that follows says the same in text, for assistive technology), and labels that page
封面 in /PageLabels, so the labels of the other pages stay the folios printed on them.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image

COVER_LABEL = "封面"


def prepend_front(pdf_path: Path, png: bytes) -> int:
    """Insert the cover page at the front of `pdf_path` (in place); returns the page count."""
    with Image.open(io.BytesIO(png)) as picture:
        rgb = picture.convert("RGB")
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        box = [float(v) for v in pdf.pages[0].obj.MediaBox]
        width, height = box[2] - box[0], box[3] - box[1]
        image = pikepdf.Stream(
            pdf, zlib.compress(rgb.tobytes(), 9), Type=Name.XObject, Subtype=Name.Image,
            Width=rgb.width, Height=rgb.height, ColorSpace=Name.DeviceRGB, BitsPerComponent=8,
            Filter=Name.FlateDecode,
        )  # fmt: skip
        content = (f"/Artifact BMC q {width:.4f} 0 0 {height:.4f} {box[0]:.4f} {box[1]:.4f} cm "
                   "/Cover Do Q EMC").encode()  # fmt: skip
        page = Dictionary(
            Type=Name.Page, MediaBox=Array(box),
            Resources=Dictionary(XObject=Dictionary(Cover=image)),
            Contents=pdf.make_stream(content),
        )  # fmt: skip
        pdf.pages.insert(0, pikepdf.Page(page))
        _shift_labels(pdf)
        pdf.save(pdf_path)
        return len(pdf.pages)


def _shift_labels(pdf: pikepdf.Pdf) -> None:
    nums: list[Any] = [0, Dictionary()]
    if "/PageLabels" in pdf.Root:
        nums = list(pdf.Root.PageLabels.Nums)
    shifted: list[Any] = [0, Dictionary(P=pikepdf.String(COVER_LABEL))]
    for index in range(0, len(nums), 2):
        shifted.extend([int(nums[index]) + 1, nums[index + 1]])
    pdf.Root.PageLabels = Dictionary(Nums=Array(shifted))
