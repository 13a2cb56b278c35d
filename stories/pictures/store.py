"""The picture store: each picture's file once, named by the SHA-256 of its content.

    <folder>/3f/3f2a…(64 hex).jpg        the picture as kept (metadata-free, see `images`)
    <folder>/thumbs/3f2a….jpg            the editors' thumbnail, made on first use

The folder is PICTURES_FOLDER (default `pictures/` in the instance folder): never a public folder;
the site serves a picture only through a signed address (stories.web.pictures). Files are written
to a temporary name and renamed, so a reader never sees half a picture; a file is never changed
or deleted by the site (a story's revisions may still show it).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from stories.pictures import images
from stories.pictures.images import Normalised


class Store:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def put(self, picture: Normalised) -> str:
        """Keep a normalised picture; returns its reference (the content hash)."""
        ref = hashlib.sha256(picture.data).hexdigest()
        path = self._path(ref, picture.extension)
        if not path.is_file():
            _write(path, picture.data)
        return ref

    def add(self, data: bytes) -> tuple[str, Normalised]:
        """Normalise an uploaded picture and keep it (images.PictureError when unusable)."""
        picture = images.normalise(data)
        return self.put(picture), picture

    def path(self, ref: str) -> Path | None:
        """The file of `ref`, or None when the store does not hold it."""
        if len(ref) != 64 or not all(c in "0123456789abcdef" for c in ref):
            return None
        for extension in images.EXTENSIONS.values():
            path = self._path(ref, extension)
            if path.is_file():
                return path
        return None

    def read(self, ref: str) -> bytes | None:
        path = self.path(ref)
        return path.read_bytes() if path is not None else None

    def thumbnail(self, ref: str) -> tuple[bytes, str] | None:
        """The thumbnail of `ref` and its media type (made once, then kept)."""
        path = self.path(ref)
        if path is None:
            return None
        kind = "image/png" if path.suffix == ".png" else "image/jpeg"
        thumb = self.folder / "thumbs" / path.name
        if not thumb.is_file():
            _write(thumb, images.thumbnail(path.read_bytes()))
        return thumb.read_bytes(), kind

    def _path(self, ref: str, extension: str) -> Path:
        return self.folder / ref[:2] / f"{ref}.{extension}"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
