"""The chunk cache: chunk PDFs by content key and first folio, with their page data."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

KEEP_DAYS = 14  # cached chunks unused for this long are deleted


class ChunkCache:
    def __init__(self, folder: str | Path | None, variant: str):
        self.temporary = folder is None
        folder = folder if folder is not None else tempfile.mkdtemp(prefix="book-chunks-")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.variant = variant

    def pdf(self, key: str, start: int) -> Path:
        return self.folder / f"{key}-{start}.pdf"

    def meta(self, key: str) -> dict | None:
        try:
            return json.loads((self.folder / f"{key}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def store_meta(self, key: str, data: dict) -> None:
        path = self.folder / f"{key}.json"
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), "utf-8")
        os.replace(temporary, path)

    def prune(self, used: list[Path]) -> None:
        """Mark the files of this build as used; forget chunks unused for KEEP_DAYS."""
        if self.temporary:
            return
        for path in used:
            for kept in (path, path.with_name(path.name.rsplit("-", 1)[0] + ".json")):
                if kept.exists():
                    os.utime(kept)
        limit = time.time() - KEEP_DAYS * 86400
        for path in [*self.folder.glob("*.pdf"), *self.folder.glob("*.json")]:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)
