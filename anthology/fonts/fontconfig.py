"""Font files found through fontconfig: the volume's faces, the EPUB cover and embedded fonts.

A missing font is a clear error that names the Debian package to install.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "apt-get install fonts-noto-cjk (or run `make system`)"


class FontNotFound(LookupError):
    """A required font family is not installed."""


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int  # face index inside a .ttc collection
    family: str
    style: str


def find(family: str, style: str = "Regular") -> FontFile:
    """The installed file of `family` in `style`; FontNotFound when fontconfig has no such family.

    fc-match always answers with *some* font, so the answer's family is checked.
    """
    if shutil.which("fc-match") is None:
        raise FontNotFound("fc-match is not installed: apt-get install fontconfig")
    pattern = f"{family}:style={style}"
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\t%{index}\t%{family}\t%{style}", pattern],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout
    parts = out.split("\t")
    if len(parts) != 4 or not parts[0]:
        raise FontNotFound(f"font {pattern!r} not found; {INSTALL_HINT}")
    path, index, families, styles = parts
    if family.lower() not in (f.strip().lower() for f in families.split(",")):
        raise FontNotFound(
            f"font family {family!r} is not installed (fontconfig offers {families!r}); "
            f"{INSTALL_HINT}"
        )
    return FontFile(Path(path), int(index or 0), family, styles.split(",")[0].strip())
