"""The build backend: setuptools, after compiling the message catalogues (.po -> .mo).

The compiled catalogues are build products (not in git); a wheel, or an editable install, needs
them, so every build compiles them first. Named in pyproject.toml's [build-system].
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - every other PEP 517/660 hook, unchanged

# Folders of package data (templates/ and content/ as anthology.share.*, the migration versions,
# static files, translations) are data, not packages; setuptools would warn once per folder.
# A forgotten real package is caught by tests/site/test_wheel.py instead.
DATA_FOLDERS = r"(anthology\.share|stories\.(migrations\.versions|static|translations))"
warnings.filterwarnings("ignore", message=rf".*Package '{DATA_FOLDERS}[^']*' is absent")

TRANSLATIONS = Path(__file__).resolve().parent.parent / "stories" / "translations"


def compile_catalogues() -> int:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    count = 0
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)
        count += 1
    return count


def build_wheel(
    wheel_directory: str, config_settings: Any = None, metadata_directory: Any = None
) -> str:
    compile_catalogues()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(
    wheel_directory: str, config_settings: Any = None, metadata_directory: Any = None
) -> str:
    compile_catalogues()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
