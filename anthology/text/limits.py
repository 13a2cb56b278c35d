"""Bounds on what users upload: Word files and pictures, checked before anything is decoded.

One small module that the site's Word import, the book builder and the stored pictures all call:
- `picture_size(data)` reads a picture's width and height from its header (Pillow opens lazily,
  nothing is decoded) and raises `PictureTooLarge` above `MAX_PICTURE_PIXELS`;
- `check_docx(archive)` refuses a .docx whose XML parts are too big (a zip bomb) or whose text is
  longer than allowed, by streaming the document's text before any conversion;
- `bounded(function, seconds, memory_mb)` runs a conversion in a forked child with a time limit
  and a memory limit, so a file that is still too costly cannot take the server down.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import select
import signal
import time
import warnings
import zipfile
from collections.abc import Callable
from typing import Any, TypeVar

from PIL import Image

MAX_PICTURE_PIXELS = 40_000_000  # 8,000 x 5,000: more than any printed page needs
MAX_XML_BYTES = 25 * 1024 * 1024  # a 30,000-character story is about 1-3 MB of Word XML
MAX_ENTRIES = 2000
CONVERT_SECONDS = 20
CONVERT_MEMORY_MB = 512

_TEXT_TAG = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"

T = TypeVar("T")


class LimitError(ValueError):
    """An upload is beyond one of the bounds; the attributes say which and by how much."""


class PictureTooLarge(LimitError):
    def __init__(self, width: int | None, height: int | None, limit: int) -> None:
        size = f"{width} x {height} pixels" if width and height else "too many pixels"
        super().__init__(f"picture of {size}, more than {limit:,} pixels")
        self.width, self.height, self.limit = width, height, limit

    def __reduce__(self) -> tuple[Any, ...]:  # it travels back from the child pickled
        return (type(self), (self.width, self.height, self.limit))


class UnreadablePicture(LimitError):
    pass


class DocxTooLarge(LimitError):
    """The XML inside the .docx is too big, too compressed or has too many parts."""


class DocxTooLong(LimitError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} characters of text")
        self.limit = limit

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.limit,))


class TooCostly(LimitError):
    """The conversion ran out of its time or memory."""


def _header_readers() -> dict[bytes, Any]:
    from PIL import GifImagePlugin, JpegImagePlugin, PngImagePlugin

    return {
        b"\x89PNG\r\n\x1a\n": PngImagePlugin.PngImageFile,
        b"\xff\xd8\xff": JpegImagePlugin.JpegImageFile,
        b"GIF87a": GifImagePlugin.GifImageFile,
        b"GIF89a": GifImagePlugin.GifImageFile,
    }


def picture_size(data: bytes, max_pixels: int = MAX_PICTURE_PIXELS) -> tuple[int, int]:
    """(width, height) from the picture's header; PictureTooLarge above `max_pixels`.

    PNG, JPEG and GIF headers are read by their Pillow plugin directly (Image.open would stop at
    its own, higher, bomb limit before telling the size); other formats through Image.open."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            reader = next((r for magic, r in _header_readers().items() if data.startswith(magic)),
                          Image.open)  # fmt: skip
            with reader(io.BytesIO(data)) as image:  # lazy: reads the header only
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PictureTooLarge(None, None, max_pixels) from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise UnreadablePicture(str(error)) from error
    if width * height > max_pixels:
        raise PictureTooLarge(width, height, max_pixels)
    return width, height


def check_docx(
    archive: zipfile.ZipFile, max_chars: int | None = None, max_xml_bytes: int = MAX_XML_BYTES
) -> int:
    """Refuse a zip bomb and an over-long text before conversion; returns the text's length
    (characters other than white space, as the forms count them). The sizes are the ones the
    zip's headers declare: Python's zipfile never inflates a part beyond its declared size (a
    part that lies fails its CRC check), so they bound what any later reader gets."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise DocxTooLarge(f"{len(entries)} parts")
    xml = [entry for entry in entries if entry.filename.endswith((".xml", ".rels"))]
    total = sum(entry.file_size for entry in xml)
    if total > max_xml_bytes:
        raise DocxTooLarge(f"{total:,} bytes of XML")
    return text_length(archive, max_chars)


def text_length(archive: zipfile.ZipFile, max_chars: int | None = None) -> int:
    """The characters (not white space) of word/document.xml's text runs, read as a stream;
    DocxTooLong as soon as they pass `max_chars`."""
    from lxml import etree

    count = 0
    with archive.open("word/document.xml") as stream:
        parser = etree.iterparse(stream, events=("end",), tag=_TEXT_TAG, resolve_entities=False,
                                 no_network=True, huge_tree=False)  # fmt: skip
        for _event, element in parser:
            if element.text:
                count += sum(1 for char in element.text if not char.isspace())
            element.clear(keep_tail=False)
            if max_chars is not None and count > max_chars:
                raise DocxTooLong(max_chars)
    return count


def bounded(
    function: Callable[[], T], seconds: float = CONVERT_SECONDS,
    memory_mb: int = CONVERT_MEMORY_MB,
) -> T:  # fmt: skip
    """`function()` in a forked child limited to `seconds` and `memory_mb` more memory than the
    parent uses now; its result (or its LimitError) comes back pickled. TooCostly when the
    child runs out of either; other exceptions come back as TooCostly too (never a traceback)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        status = 0
        try:
            _limit_child(seconds, memory_mb)
            outcome: tuple[str, Any] = ("ok", function())
        except LimitError as error:
            outcome = ("limit", error)
        except MemoryError:
            outcome = ("costly", "memory")
        except BaseException as error:  # noqa: BLE001 - reported as a plain kind
            outcome = ("failed", type(error).__name__)
        try:
            payload = pickle.dumps(outcome)
        except Exception:  # noqa: BLE001
            payload, status = pickle.dumps(("failed", "unpicklable")), 1
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds + 1
    try:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    os.kill(pid, signal.SIGKILL)
                    raise TooCostly("time")
                chunk = pipe.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.waitpid(pid, 0)
    if not chunks:
        raise TooCostly("the conversion stopped (memory or time)")
    kind, value = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child's answer
    if kind == "ok":
        return value
    if kind == "limit":
        raise value
    raise TooCostly(str(value))


def _limit_child(seconds: float, memory_mb: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    cpu = max(1, int(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = used + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
