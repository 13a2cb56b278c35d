"""The volume's typefaces, checked through fontconfig before anything is rendered."""

from __future__ import annotations

import ctypes.util
import hashlib
from dataclasses import dataclass

from anthology.errors import BuildWarning, FontError
from anthology.fonts.fontconfig import INSTALL_HINT, FontNotFound, find
from anthology.sources.manuscript import Fonts

HARFBUZZ_HINT = "apt-get install libharfbuzz-subset0"


@dataclass(frozen=True)
class ResolvedFonts:
    """Family names to put in the CSS, plus a fingerprint of the files (for the build cache)."""

    body: str
    heading: str
    quote: str
    fingerprint: str


def resolve(fonts: Fonts, recipe: str | None = None) -> tuple[ResolvedFonts, list[BuildWarning]]:
    """Check that the body and heading faces exist; the Kai face falls back to the body face."""
    warnings: list[BuildWarning] = []
    files = []
    for role in ("body", "heading"):
        family = getattr(fonts, role)
        try:
            files.append(find(family))
        except FontNotFound as exc:
            raise FontError(
                f"{role} font {family!r} is not installed ({INSTALL_HINT}; "
                "or name an installed family in the recipe's [fonts])",
                recipe,
            ) from exc
    quote = fonts.quote
    try:
        files.append(find(quote))
    except FontNotFound:
        warnings.append(
            BuildWarning(f"quotation font {quote!r} not installed; the body face is used", recipe)
        )
        quote = fonts.body
    digest = hashlib.sha256()
    for f in files:
        stat = f.path.stat()
        digest.update(f"{f.family}|{f.path}|{f.index}|{stat.st_size}|{stat.st_mtime}".encode())
    return ResolvedFonts(fonts.body, fonts.heading, quote, digest.hexdigest()[:16]), warnings


def harfbuzz_subset_available() -> bool:
    """WeasyPrint subsets fonts with libharfbuzz-subset (fast) when present, else fontTools."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def harfbuzz_warning() -> BuildWarning | None:
    if harfbuzz_subset_available():
        return None
    return BuildWarning(
        "libharfbuzz-subset0 is not installed: CJK font subsetting is several times slower "
        f"({HARFBUZZ_HINT})"
    )
