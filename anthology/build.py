"""Command line of the book builder (the PDF and EPUB writers come in their own modules)."""

from __future__ import annotations

import argparse


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build.py",
        description="Build a volume (content/volumes/<slug>.toml) as PDF and EPUB.",
    )
    p.add_argument("recipe", help="the volume recipe, e.g. content/volumes/demo.toml")
    p.add_argument("--format", default="print,screen,epub", help="print, screen, epub")
    p.add_argument("--out", default="dist/", help="output folder")
    p.add_argument("--stories", help="stories.json exported by `flask stories export`")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--marks", action="store_true", help="crop marks on the print PDF")
    return p


def main(argv: list[str] | None = None) -> int:
    parser().parse_args(argv)
    return 0
