"""What every WeasyPrint pass of the book shares, the single pass and the chunked build alike:
laying out HTML (where its relative URLs resolve, and what it may read), the PDF variants and the
options that draw them, the page of each anchor of a laid-out document (how chapter pages are
found) and roman folios.

The builder reads nothing it was not given: WeasyPrint's `url_fetcher` asks `FetchPolicy`, which
serves `data:` URLs, files inside the templates and content folders, and the colour profile our
own stylesheet names; anything else (an address on the internet, a local file elsewhere) is
refused without a request, and the render ends with a BuildError listing it. The gather phase
has already named the story or chapter (anthology.sources.figures.check_pictures).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from anthology import resources
from anthology.errors import BuildError

VARIANTS = {"print": "pdf/x-4", "screen": "pdf/ua-1"}
# The folder holding templates/ and content/ (the checkout, or anthology/share in a wheel).
BASE_URL = str(resources.CONTENT.parent)


_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_PROFILE = re.compile(r'@color-profile\s+device-cmyk\s*\{\s*src:\s*url\("([^"]+)"\)')


class FetchPolicy:
    """What one document may read: data: URLs, our folders, the profile our stylesheet names."""

    def __init__(self, html: str) -> None:
        # Only our own <style> can name a colour profile: user text is escaped, never a <style>.
        styles = " ".join(_STYLE.findall(html))
        self.files = {self._path(url) for url in _PROFILE.findall(styles)} - {None}
        self.roots = (resources.TEMPLATES.resolve(), resources.CONTENT.resolve())
        self.refused: list[str] = []

    @staticmethod
    def _path(url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parts.path)).resolve()

    def allows(self, url: str) -> bool:
        if url.startswith("data:"):
            return True
        path = self._path(url)
        if path is None:
            return False
        return path in self.files or any(path.is_relative_to(root) for root in self.roots)


def url_fetcher(policy: FetchPolicy):  # type: ignore[no-untyped-def]
    """WeasyPrint's URLFetcher that asks `policy` first and records what it refused."""
    from weasyprint.urls import URLFetcher

    class Fetcher(URLFetcher):
        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            if not policy.allows(url):
                policy.refused.append(url)
                raise ValueError(f"the book builder reads no {url[:200]}")
            return super().fetch(url, headers)

    return Fetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def render(html: str, font_config=None):
    """A laid-out WeasyPrint document of `html` (WeasyPrint makes a font configuration for it
    unless one is given); BuildError when it asked for anything the FetchPolicy refuses."""
    from weasyprint import HTML

    policy = FetchPolicy(html)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher(policy)).render(
        font_config=font_config
    )
    if policy.refused:
        shown = ", ".join(sorted(set(policy.refused))[:5])
        raise BuildError(
            f"the book refers to files or addresses the builder may not read: {shown} (only "
            "pictures embedded in the text or inside the content folder are printed)"
        )
    return document


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
