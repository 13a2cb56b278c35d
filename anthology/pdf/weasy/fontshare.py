"""One font subset per face for a chunked book, instead of one per chunk.

WeasyPrint subsets every font of every PDF it writes (for CJK faces this costs a noticeable part
of a chunk's time) and keeps glyph ids unchanged in the subset (HarfBuzz RETAIN_GIDS). So in a
chunked build the chunks can skip subsetting: `install(folder)` (in the processes that render
chunks) makes each font stream a small placeholder naming the face, stores the face's file once
in `folder`, and records the glyphs used. At join time `shared_subsets` subsets each face once
with the union of the glyphs of all chunks, and `anthology.pdf.join` points every chunk's font
descriptor at that one stream.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

MARKER = b"%anthology-font:"
USED: dict[str, set[int]] = {}  # face key -> glyph ids, for the document being written
_installed: dict[str, Path] = {}


def install(folder: Path) -> None:
    """Patch WeasyPrint's font subsetting in this process (idempotent)."""
    from weasyprint.pdf import fonts

    _installed["folder"] = Path(folder)
    if "original" in _installed:
        return
    original = fonts.Font.subset
    _installed["original"] = original  # type: ignore[assignment]

    def subset(self, to_unicode, hinting):
        if (not to_unicode or self.png or self.svg or "fvar" in self.tables
                or "folder" not in _installed):  # fmt: skip
            return original(self, to_unicode, hinting)
        key = _store(self.file_content, self.index)
        USED.setdefault(key, set()).update(int(g) for g in to_unicode)
        # WeasyPrint embeds 'OTTO' files as FontFile3/OpenType (CFF outlines), others as
        # FontFile2, as it would for the real subset.
        cff = any(table.startswith("CFF") for table in self.tables)
        self.file_content = (b"OTTO" if cff else b"\0\1\0\0") + MARKER + key.encode()

    fonts.Font.subset = subset
    _share_face_data(fonts)


def deactivate() -> None:
    """Subset fonts as WeasyPrint does again (for a one-pass PDF in a process that rendered
    chunks): the placeholders are only for PDFs that anthology.pdf.join puts together."""
    _installed.pop("folder", None)


def _share_face_data(fonts) -> None:
    """Read each face's file in place instead of copying it for every font of every document.

    WeasyPrint's `Font.__init__` copies the whole font file (20-27 MB for a CJK collection)
    for every size of every face of every document. In the processes that render chunks the
    file is only hashed and stored once (`_store`), so there it is given as a read-only view of
    HarfBuzz's (memory-mapped) blob, which is referenced so that it stays valid.
    """
    from weasyprint.text.ffi import ffi, harfbuzz

    original_data = fonts.get_hb_object_data
    original_init = fonts.Font.__init__
    in_init: list[bool] = [False]

    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is not None or not in_init[0] or "folder" not in _installed:
            return original_data(hb_object, ot_color, glyph)
        address = int(ffi.cast("uintptr_t", hb_object))
        view = _FACE_DATA.get(address)
        if view is None:
            harfbuzz.hb_face_reference(hb_object)  # the face (and its address) stays alive
            blob = harfbuzz.hb_face_reference_blob(hb_object)  # never destroyed: stays valid
            length = ffi.new("unsigned int *")
            data = harfbuzz.hb_blob_get_data(blob, length)
            if data == ffi.NULL:
                return original_data(hb_object)
            view = _FACE_DATA[address] = ffi.buffer(data, int(length[0]))
        return view

    def init(self, pango_font, description, font_size):
        in_init[0] = True
        try:
            original_init(self, pango_font, description, font_size)
        finally:
            in_init[0] = False

    fonts.get_hb_object_data = get_hb_object_data
    fonts.Font.__init__ = init


_FACE_DATA: dict[int, object] = {}  # face address -> view of its file, for this process


def _store(content, index: int) -> str:
    """Save a face's file once under a content key; returns 'sha-index'."""
    known = _STORED.get(id(content))
    if known is not None and known[0] is content:
        return f"{known[1]}-{index}"
    key = _save(content)
    _STORED[id(content)] = (content, key)
    return f"{key}-{index}"


_STORED: dict[int, tuple[object, str]] = {}  # id of a face's file content -> (content, key)


def _save(content) -> str:
    """Save a font file once under a content key; returns the key."""
    digest = hashlib.sha256(content[: 1 << 20])
    digest.update(str(len(content)).encode())
    key = digest.hexdigest()[:24]
    path = _installed["folder"] / f"{key}.font"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, path)
    return key


def take_used() -> dict[str, list[int]]:
    """The glyphs recorded since the last call (one document), as JSON-ready lists."""
    used = {key: sorted(glyphs) for key, glyphs in USED.items()}
    USED.clear()
    return used


def key_of(stream_data: bytes) -> str | None:
    """The face key of a placeholder font stream, or None for a real font program."""
    at = stream_data.find(MARKER, 0, 64)
    return stream_data[at + len(MARKER) :].decode() if at >= 0 else None


def subset(folder: Path, key: str, glyphs: set[int]) -> bytes:
    """The face `key` reduced to `glyphs` (glyph ids kept), with HarfBuzz as WeasyPrint does."""
    from weasyprint.text.ffi import ffi, harfbuzz

    _declare(ffi)
    file_key, index = key.rsplit("-", 1)
    data = (Path(folder) / f"{file_key}.font").read_bytes()
    index = int(index)
    buffer = ffi.from_buffer(data)
    blob = ffi.gc(harfbuzz.hb_blob_create(buffer, len(data), 1, ffi.NULL, ffi.NULL),
                  harfbuzz.hb_blob_destroy)  # fmt: skip
    face = ffi.gc(harfbuzz.hb_face_create(blob, index), harfbuzz.hb_face_destroy)
    kept = sorted(glyphs | {0})
    first = _subset_face(face, kept, retain_gids=True, drop=True)
    every = list(range(max(kept) + 1))  # drop the empty glyphs after the last one used
    second = _subset_face(first, every, retain_gids=False, drop=False)
    blob_out = ffi.gc(harfbuzz.hb_face_reference_blob(second), harfbuzz.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    pointer = harfbuzz.hb_blob_get_data(blob_out, length)
    result = bytes(ffi.buffer(pointer, length[0]))
    del buffer
    if not result:
        raise RuntimeError(f"HarfBuzz could not subset font {key}")
    return result


def _subset_face(face, glyphs: list[int], retain_gids: bool, drop: bool):
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    hb = harfbuzz_subset
    subset_input = ffi.gc(hb.hb_subset_input_create_or_fail(), hb.hb_subset_input_destroy)
    gid_set = hb.hb_subset_input_glyph_set(subset_input)
    array = ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs)
    harfbuzz.hb_set_add_sorted_array(gid_set, array, len(glyphs))
    flags = hb.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | hb.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if retain_gids:
        flags |= hb.HB_SUBSET_FLAGS_RETAIN_GIDS
    hb.hb_subset_input_set_flags(subset_input, flags)
    if drop:
        drop_set = hb.hb_subset_input_set(subset_input, hb.HB_SUBSET_SETS_DROP_TABLE_TAG)
        tags = sorted(harfbuzz.hb_tag_from_string(name, -1) for name in (
            b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
            b"PCLT", b"SVG "))  # fmt: skip
        tag_array = ffi.new(f"hb_codepoint_t[{len(tags)}]", tags)
        harfbuzz.hb_set_add_sorted_array(drop_set, tag_array, len(tags))
    return ffi.gc(hb.hb_subset_or_fail(face, subset_input), harfbuzz.hb_face_destroy)


def _declare(ffi) -> None:
    with _DECLARING:  # join subsets faces in threads
        if getattr(ffi, "_anthology_declared", False):
            return
        _cdef(ffi)


_DECLARING = threading.Lock()


def _cdef(ffi) -> None:
    ffi.cdef(
        "hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode,"
        " void *user_data, void *destroy);"
        "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);"
    )
    ffi._anthology_declared = True
