"""The chunk cache: chunk PDFs by content key and first folio, with their page data."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from anthology.pdf.worker import next_folio

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

    def fill(self, chunks, counts, block_pages, first_block, rights, key_of) -> set[int]:
        """Chunks whose PDF is cached: their counts and chapter pages are filled in.

        `key_of(chunk)`: its key, or None while it depends on page counts not known yet (the
        contributors list's, on the chunks before it): then the key it had last time is taken
        (if the pages it prints turn out different, the build renders it again too).

        A chunk after one whose page count is not known yet (it was edited) is taken at the start
        it had last time; if the edited chunk's count turns out different, the build renders it
        again (see `_Run.build`).
        """
        hits = set()
        start: int | None = 1
        for chunk in chunks:
            key = key_of(chunk) or self._latest_key(chunk.key)
            meta = self.meta(key)
            if not (meta and len(meta.get("local", [])) == len(chunk.blocks) and "fonts" in meta):
                start = None
                continue
            if start is not None:
                pdf = self.pdf(key, start)
            else:
                found = sorted(self.folder.glob(f"{key}-*.pdf"), key=lambda p: p.stat().st_mtime)
                pdf = found[-1] if found else self.pdf(key, 0)
            if pdf.is_file():
                hits.add(chunk.index)
                counts[chunk.index] = meta["pages"]
                for offset, page in enumerate(meta["local"]):
                    block_pages[first_block[chunk.index] + offset] = page
            if start is not None and chunk.index + 1 < len(chunks):
                start = next_folio(start, meta["pages"], rights[chunk.index + 1])
        return hits

    def _latest_key(self, key: str) -> str:
        """The last stored key that extends `key` (`key.digest`), else `key`."""
        found = sorted(self.folder.glob(f"{key}.*.json"), key=lambda p: p.stat().st_mtime)
        return found[-1].name.removesuffix(".json") if found else key

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)
