"""What every WeasyPrint pass of the book shares, the single pass and the chunked build alike:
laying out HTML (where its relative URLs resolve), the PDF variants and the options that draw
them, the page of each anchor of a laid-out document (how chapter pages are found) and roman
folios.
"""

from __future__ import annotations

from pathlib import Path

from anthology import resources
from anthology.errors import BuildError

VARIANTS = {"print": "pdf/x-4", "screen": "pdf/ua-1"}
# The folder holding templates/ and content/ (the checkout, or anthology/share in a wheel).
BASE_URL = str(resources.CONTENT.parent)


def render(html: str, font_config=None):
    """A laid-out WeasyPrint document of `html` (WeasyPrint makes a font configuration for it
    unless one is given)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL).render(font_config=font_config)


def pdf_options(variant: str) -> dict[str, object]:
    if variant not in VARIANTS:
        raise BuildError(f"unknown PDF variant {variant!r} (print or screen)")
    return {"pdf_variant": VARIANTS[variant], "uncompressed_pdf": False}


def anchor_pages(document) -> dict[str, int]:
    """Anchor (element id) -> index of the page where it is, from a rendered WeasyPrint document."""
    out: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            out.setdefault(name, index)
    return out


def roman(n: int) -> str:
    """A front-matter folio: 1 -> i, 4 -> iv, 14 -> xiv."""
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"),
                (1, "i")]  # fmt: skip
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def page_labels(body_start: int) -> list[tuple[int, str]]:
    """/PageLabels ranges, as (first page index, numbering style): the front matter in lowercase
    roman numerals from i, the body in arabic numerals from 1 at `body_start`, as printed."""
    return [(0, "r"), (body_start, "D")] if body_start else [(0, "D")]


def output_condition(icc_profile: Path, press_condition: str) -> dict[str, str]:
    """The output intent's condition: the press condition the recipe names (a name registered
    with the ICC, such as FOGRA39 for ISO coated offset), else "Custom" described by the profile
    itself (the printer's, or Ghostscript's default)."""
    from PIL import ImageCms

    try:
        described = ImageCms.getProfileDescription(ImageCms.getOpenProfile(str(icc_profile)))
    except (OSError, ImageCms.PyCMSError):
        described = icc_profile.name
    described = described.strip() or icc_profile.name
    if press_condition:
        return {
            "OutputConditionIdentifier": press_condition,
            "RegistryName": "http://www.color.org",
            "Info": f"{press_condition} ({described})",
            "OutputCondition": press_condition,
        }
    return {"OutputConditionIdentifier": "Custom", "Info": described, "OutputCondition": described}


def finisher(body_start: int, condition: dict[str, str]):  # type: ignore[no-untyped-def]
    """A WeasyPrint finisher for a one-pass PDF: the page labels, and the output intent's
    condition (WeasyPrint names it after the CSS colour profile, "device-cmyk")."""
    import pydyf

    def finish(_document: object, pdf: pydyf.PDF) -> None:
        nums = pydyf.Array()
        for index, style in page_labels(body_start):
            nums.extend([index, pydyf.Dictionary({"S": f"/{style}", "St": 1})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
        for intent in pdf.catalog.get("OutputIntents", []):
            for key, value in condition.items():
                intent[key] = pydyf.String(value)

    return finish
