"""The EPUB container written deterministically: the same files give the same bytes.

`mimetype` comes first and is stored uncompressed (the OCF rule), then the other files in the
given order, every entry with the same timestamp, permissions and "made by" system.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

MIMETYPE = b"application/epub+zip"
ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip entry can hold


def _info(name: str, moment: datetime, compress: int) -> zipfile.ZipInfo:
    moment = max(moment.astimezone(UTC), ZIP_EPOCH)
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = compress
    info.create_system = 3  # Unix, whatever machine builds the book
    info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
    return info


def write(path: Path, files: list[tuple[str, bytes]], moment: datetime) -> None:
    """Write `files` (name, bytes) after `mimetype` into the EPUB at `path`, atomically."""
    names = [name for name, _ in files]
    if len(set(names)) != len(names) or "mimetype" in names:
        raise ValueError("duplicate file names in the EPUB container")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".epub-", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            archive.writestr(_info("mimetype", moment, zipfile.ZIP_STORED), MIMETYPE)
            for name, data in files:
                info = _info(name, moment, zipfile.ZIP_DEFLATED)
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
