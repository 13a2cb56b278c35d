"""Message catalogue maintenance.

python scripts/i18n.py update          extract strings, update both catalogues, fill en
python scripts/i18n.py missing         list zh_CN entries without a translation
python scripts/i18n.py apply FILE      apply a JSON object {msgid: zh_CN translation}
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "stories" / "translations"
POT = TRANSLATIONS / "messages.pot"
BIN = Path(sys.executable).parent


def _catalog_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _read(locale: str):  # type: ignore[no-untyped-def]
    with _catalog_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(locale: str, catalog) -> None:  # type: ignore[no-untyped-def]
    with _catalog_path(locale).open("wb") as handle:
        write_po(handle, catalog, width=100, ignore_obsolete=True)


def update() -> None:
    pybabel = str(BIN / "pybabel")
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "--no-location", "--sort-output", "-o", str(POT), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [pybabel, "update", "--no-fuzzy-matching", "--ignore-obsolete", "-i", str(POT),
         "-d", str(TRANSLATIONS)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    catalog = _read("en")
    for message in catalog:
        empty = not message.string or (
            isinstance(message.string, tuple) and not any(message.string)
        )
        if message.id and empty:  # plural entries: msgid and msgid_plural as the forms
            message.string = message.id
        message.flags.discard("fuzzy")
    _write("en", catalog)
    missing()


def missing() -> int:
    catalog = _read("zh_Hans_CN")
    todo = [
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and (not _translated(m.string) or "fuzzy" in m.flags)
    ]
    for msgid in todo:
        print(json.dumps(msgid, ensure_ascii=False))
    print(f"{len(todo)} zh_CN entries need a translation", file=sys.stderr)
    return len(todo)


def _translated(string: object) -> bool:
    """A translation, or for a plural entry every one of its forms."""
    return all(string) if isinstance(string, tuple) else bool(string)


def apply(path: str) -> None:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    catalog = _read("zh_Hans_CN")
    applied = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in translations:  # a plural entry by its singular msgid; Chinese has one form
            value = translations[key]
            message.string = (value,) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            applied += 1
    _write("zh_Hans_CN", catalog)
    print(f"applied {applied} translations")
    missing()


if __name__ == "__main__":
    verb = sys.argv[1] if len(sys.argv) > 1 else "update"
    if verb == "update":
        update()
    elif verb == "missing":
        sys.exit(1 if missing() else 0)
    elif verb == "apply":
        apply(sys.argv[2])
    else:
        sys.exit(__doc__)
