"""Reading built PDFs with real tools (poppler's pdftotext/pdffonts, pypdf), for the tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

FORBIDDEN_START = set("、，。：；！？”’」』）》〉】〕·")
FORBIDDEN_END = set("“‘「『（《〈【〔")
ROMAN = re.compile(r"^[ivxlcdm]+$")


def page_texts(pdf: Path, layout: bool = False) -> list[str]:
    """The text of every page (pdftotext separates pages with form feeds)."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(pdf), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def folio(text: str) -> str:
    """The last non-empty line of a page: its folio when it has one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def flat(text: str) -> str:
    """Text without any whitespace (pdftotext breaks lines; thin spaces become spaces)."""
    return re.sub(r"\s+", "", text)


def fonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    return [row.split() for row in rows if row.strip()]


def line_break_violations(pdf: Path) -> list[str]:
    bad = []
    for number, text in enumerate(page_texts(pdf, layout=True), 1):
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            if line[0] in FORBIDDEN_START or line[-1] in FORBIDDEN_END:
                bad.append(f"page {number}: {line}")
    return bad


def ghostscript_problems(pdf: Path) -> list[str]:
    """What Ghostscript says while it draws every page as a RIP would (nothing, for a good PDF)."""
    done = subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage", str(pdf)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    said = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return said + ([f"exit code {done.returncode}"] if done.returncode else [])


def label_mismatches(pdf: Path) -> list[str]:
    """Pages whose /PageLabels label differs from the folio printed on them (pages without a
    printed folio, such as the title page or a chapter opening, are skipped)."""
    from pypdf import PdfReader

    labels = PdfReader(pdf).page_labels
    wrong = []
    for index, text in enumerate(page_texts(pdf)):
        printed = folio(text)
        if (printed.isdigit() or ROMAN.match(printed)) and labels[index] != printed:
            wrong.append(f"page {index + 1}: label {labels[index]!r}, folio {printed!r}")
    return wrong
