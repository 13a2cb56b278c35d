"""The screen PDF opens with the cover's front, as the EPUB does.

`prepend_front` puts the front (anthology.cover.front_image, a PNG in sRGB) before the title
page of a finished screen PDF as a page of its own and labels that page 封面 in /PageLabels, so
the labels of the other pages stay the folios printed on them. The picture is a `Figure` at the
head of the structure tree, its /Alt the words printed on the front (`front_words`), so a
screen reader does not meet a page of nothing (PDF/UA-1 7.3, WCAG 1.1.1).
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image

from anthology.sources.manuscript import VolumeMeta

COVER_LABEL = "封面"


def front_words(meta: VolumeMeta) -> str:
    """What the front says, in the order it is printed, one line of it after another (as the
    cover sets them, with an ideographic space between): 封面：series　title　subtitle　editors
    编　publisher."""
    editors = "　".join(meta.editors) + "　编" if meta.editors else ""
    lines = (meta.series, meta.title, meta.subtitle, editors, meta.publisher)
    return f"{COVER_LABEL}：" + "　".join(line.strip() for line in lines if line.strip())


def prepend_front(pdf_path: Path, png: bytes, words: str) -> int:
    """Insert the cover page at the front of `pdf_path` (in place), the picture a Figure
    described by `words` in a tagged PDF; returns the page count."""
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
        tagged = "/StructTreeRoot" in pdf.Root
        mark = "/Figure <</MCID 0>> BDC" if tagged else "/Artifact BMC"
        content = (f"{mark} q {width:.4f} 0 0 {height:.4f} {box[0]:.4f} {box[1]:.4f} cm "
                   "/Cover Do Q EMC").encode()  # fmt: skip
        page = Dictionary(
            Type=Name.Page, MediaBox=Array(box),
            Resources=Dictionary(XObject=Dictionary(Cover=image)),
            Contents=pdf.make_stream(content),
        )  # fmt: skip
        pdf.pages.insert(0, pikepdf.Page(page))
        if tagged:
            _tag_figure(pdf, box, words)
        _shift_labels(pdf)
        pdf.save(pdf_path)
        return len(pdf.pages)


def _tag_figure(pdf: pikepdf.Pdf, box: list[float], words: str) -> None:
    """The cover page's picture (MCID 0) as the first element of the Document element."""
    root = pdf.Root.StructTreeRoot
    kids = root.K
    document = kids[0] if isinstance(kids, Array) else kids
    page = pdf.pages[0].obj
    figure = pdf.make_indirect(Dictionary(
        Type=Name.StructElem, S=Name.Figure, P=document, Pg=page, K=Array([0]),
        Alt=pikepdf.String(words), A=Dictionary(O=Name.Layout, BBox=Array(box)),
    ))  # fmt: skip
    if not isinstance(document.K, Array):
        document.K = Array([document.K])
    document.K.insert(0, figure)
    nums = root.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    key = max([int(root.get("/ParentTreeNextKey", 0)), *(k + 1 for k in keys)])
    nums.extend([key, Array([figure])])  # the highest key: the array stays sorted
    root.ParentTreeNextKey = key + 1
    page.StructParents = key
    page.Tabs = Name.S


def _shift_labels(pdf: pikepdf.Pdf) -> None:
    nums: list[Any] = [0, Dictionary()]
    if "/PageLabels" in pdf.Root:
        nums = list(pdf.Root.PageLabels.Nums)
    shifted: list[Any] = [0, Dictionary(P=pikepdf.String(COVER_LABEL))]
    for index in range(0, len(nums), 2):
        shifted.extend([int(nums[index]) + 1, nums[index + 1]])
    pdf.Root.PageLabels = Dictionary(Nums=Array(shifted))
