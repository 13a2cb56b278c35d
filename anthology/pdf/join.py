"""Join the front matter and the body chunks into one PDF (pikepdf/qpdf).

The front-matter PDF is the base: its catalog carries the PDF/X output intent and XMP metadata
(print) or the PDF/UA settings (screen). Chunk pages are appended, with a blank verso before a
chunk whose first folio is one more than the pages before it (a right-hand start after a
recto). For `screen`, the chunks' structure trees are grafted under the
front's Document element (StructParents renumbered), their named destinations are kept, the
TOC's and the contributors list's `chapter:` links become GoTo links to named destinations, and
the outline is rebuilt from the real chapter pages.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem

from anthology.errors import BuildError
from anthology.pdf.document import output_condition, page_labels
from anthology.pdf.html import TOC_LINK_SCHEME, output_profile
from anthology.pdf.weasy import fontshare
from anthology.sources.manuscript import CONTRIBUTORS_ID, CONTRIBUTORS_TITLE, Manuscript, Part

BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")


def join(
    front_pdf: Path,
    chunk_pdfs: list[Path],
    target: Path,
    variant: str,
    manuscript: Manuscript,
    chapter_pages: dict[str, int | str],
    starts: list[int],
    fonts: tuple[Path, dict[str, set[int]]] | None = None,
) -> int:
    """Write the joined book to `target`; returns its page count.

    starts: each chunk's first folio. fonts: (folder, face key -> glyphs) when the PDFs carry
    anthology.pdf.weasy.fontshare placeholders.
    """
    out = pikepdf.open(front_pdf)
    front_count = len(out.pages)
    body_start = front_count + front_count % 2
    if front_count % 2:
        _blank(out)
    tagged = variant == "screen" and "/StructTreeRoot" in out.Root
    dests: dict[str, Array] = dict(_dests(out, 0)) if variant == "screen" else {}
    next_key = _next_key(out) if tagged else 0
    profile = _output_profile(out)
    sources = []
    for number, path in enumerate(chunk_pdfs):
        src = pikepdf.open(path)
        sources.append(src)  # qpdf reads lazily: keep every source open until the save
        offset = len(out.pages)
        if tagged:
            _detach_structure(src)
        out.pages.extend(src.pages)
        if profile is not None:
            _share_profile(out, offset, profile)
        if variant == "screen":
            dests.update(_dests(src, offset, out))
        if tagged:
            next_key = _graft_structure(out, src, offset, next_key)
        if number + 1 < len(chunk_pdfs):
            folio = len(out.pages) - body_start + 1  # of the page after this chunk
            if starts[number + 1] == folio + 1:
                _blank(out)
            elif starts[number + 1] != folio:
                raise BuildError(f"chunk {number + 2} was drawn from page {starts[number + 1]}, "
                                 f"but follows page {folio - 1}")  # fmt: skip
    if variant == "screen":
        _write_dests(out, dests)
        _fix_links(out)
        _outline(out, manuscript, chapter_pages, body_start, front_count)
    if tagged:
        out.Root.StructTreeRoot.ParentTreeNextKey = next_key
    if fonts is not None:
        _share_fonts(out, *fonts)
    condition = output_condition(output_profile(manuscript.meta), manuscript.meta.press_condition)
    for intent in out.Root.get("/OutputIntents", Array()):
        for key, value in condition.items():
            intent[Name("/" + key)] = pikepdf.String(value)
    out.Root.PageLabels = Dictionary(
        Nums=Array([x for index, style in page_labels(body_start)
                    for x in (index, Dictionary(S=Name("/" + style), St=1))])
    )  # fmt: skip
    pages = len(out.pages)
    out.save(target, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    out.close()
    for src in sources:
        src.close()
    return pages


def _blank(pdf: pikepdf.Pdf) -> None:
    """A blank verso with the same boxes (trim, bleed) as the page before it."""
    model = pdf.pages[-1].obj
    # An empty content stream is a drawing error for Ghostscript (and RIPs built on it):
    # the blank page draws nothing in a saved graphics state instead.
    page = Dictionary(Type=Name.Page, Resources=Dictionary(), Contents=pdf.make_stream(b"q Q\n"))
    for box in BOXES:
        if box in model:
            page[box] = Array(model[box])
    pdf.pages.append(pikepdf.Page(page))


def _share_fonts(out: pikepdf.Pdf, folder: Path, glyphs: dict[str, set[int]]) -> None:
    """Replace the placeholder font programs by one real subset per face."""
    placeholders = []  # (descriptor, slot, face key)
    seen = set()
    for page in out.pages:
        resources = page.obj.get("/Resources", Dictionary())
        for font in resources.get("/Font", Dictionary()).values():
            if font.objgen in seen or "/DescendantFonts" not in font:
                continue
            seen.add(font.objgen)
            descriptor = font.DescendantFonts[0].FontDescriptor
            for slot in ("/FontFile3", "/FontFile2"):
                if slot in descriptor:
                    key = fontshare.key_of(descriptor[slot].read_bytes())
                    if key is not None:
                        placeholders.append((descriptor, slot, key))
    keys = sorted({key for _, _, key in placeholders})
    # HarfBuzz runs without the GIL: the faces are subset side by side.
    with ThreadPoolExecutor(max_workers=max(1, min(len(keys), os.cpu_count() or 1))) as pool:
        subsets = pool.map(lambda key: fontshare.subset(folder, key, glyphs.get(key, set())), keys)
        programs = dict(zip(keys, subsets, strict=True))
    shared: dict[tuple[str, str], pikepdf.Object] = {}
    for descriptor, slot, key in placeholders:
        if (key, slot) not in shared:
            data = programs[key]
            stream = pikepdf.Stream(out, data)
            if slot == "/FontFile3":
                stream["/Subtype"] = Name("/OpenType")
            else:
                stream["/Length1"] = len(data)
            shared[key, slot] = out.make_indirect(stream)
        descriptor[slot] = shared[key, slot]


def _output_profile(pdf: pikepdf.Pdf):
    intents = pdf.Root.get("/OutputIntents")
    return intents[0].get("/DestOutputProfile") if intents else None


def _share_profile(out: pikepdf.Pdf, offset: int, profile) -> None:
    """Point the chunk's ICCBased CMYK colour spaces at the output intent's profile (one copy)."""
    seen = set()
    for page in out.pages[offset:]:
        spaces = page.obj.get("/Resources", Dictionary()).get("/ColorSpace")
        if spaces is None or spaces.objgen in seen and spaces.objgen != (0, 0):
            continue
        seen.add(spaces.objgen)
        for name, space in spaces.items():
            if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
                if int(space[1].get("/N", 0)) == 4:
                    spaces[name] = Array([Name.ICCBased, profile])


def _dests(src: pikepdf.Pdf, offset: int, out: pikepdf.Pdf | None = None):
    """Named destinations of `src`, pointing at the same pages in `out` (appended at offset)."""
    if "/Names" not in src.Root or "/Dests" not in src.Root.Names:
        return
    target = out or src
    index: dict[Any, int] = {page.objgen: i for i, page in enumerate(src.pages)}
    for name, dest in pikepdf.NameTree(src.Root.Names.Dests).items():
        page = index.get(dest[0].objgen)
        if page is not None:
            yield name, Array([target.pages[offset + page].obj, *list(dest)[1:]])


def _write_dests(out: pikepdf.Pdf, dests: dict[str, Array]) -> None:
    if "/Names" not in out.Root:
        out.Root.Names = Dictionary()
    tree = pikepdf.NameTree.new(out)
    for name in sorted(dests):
        tree[name] = dests[name]
    out.Root.Names.Dests = tree.obj


def _fix_links(out: pikepdf.Pdf) -> None:
    """The `chapter:ID` links (the TOC's, the contributors list's: the target was in another
    chunk) -> named destinations."""
    for page in out.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            if action is None or "/URI" not in action:
                continue
            uri = str(action.URI)
            if uri.startswith(TOC_LINK_SCHEME):
                del annot["/A"]
                annot.Dest = pikepdf.String(uri[len(TOC_LINK_SCHEME) :])


def _outline(out, manuscript: Manuscript, chapter_pages, body_start: int, front_count: int):
    """Bookmarks: front chapters, the TOC, parts with their chapters, back matter."""

    def body_index(id_: str) -> int:
        return body_start + int(chapter_pages[id_]) - 1

    front_index: dict[str, int] = {}
    for i, page in enumerate(out.pages[:front_count]):
        for name, dest in _dests(out, 0):
            if dest[0].objgen == page.obj.objgen:
                front_index.setdefault(name, i)
    with out.open_outline() as outline:
        outline.root.clear()
        for chapter in manuscript.front:
            outline.root.append(OutlineItem(chapter.title, front_index.get(chapter.id, 0)))
        if "toc" in front_index:
            outline.root.append(OutlineItem("目录", front_index["toc"]))
        for item in manuscript.body:
            if isinstance(item, Part):
                entry = OutlineItem(item.title, body_index(item.id))
                entry.children.extend(OutlineItem(c.title, body_index(c.id)) for c in item.chapters)
                outline.root.append(entry)
            else:
                outline.root.append(OutlineItem(item.title, body_index(item.id)))
        if CONTRIBUTORS_ID in chapter_pages:
            outline.root.append(OutlineItem(CONTRIBUTORS_TITLE, body_index(CONTRIBUTORS_ID)))
        for chapter in manuscript.back:
            outline.root.append(OutlineItem(chapter.title, body_index(chapter.id)))


# -- tagged PDF (PDF/UA) ---------------------------------------------------------------------


def _document_element(pdf: pikepdf.Pdf):
    kids = pdf.Root.StructTreeRoot.K
    return kids[0] if isinstance(kids, Array) else kids


def _next_key(pdf: pikepdf.Pdf) -> int:
    root = pdf.Root.StructTreeRoot
    if "/ParentTreeNextKey" in root:
        return int(root.ParentTreeNextKey)
    nums = root.ParentTree.Nums
    return max(int(nums[i]) for i in range(0, len(nums), 2)) + 1 if len(nums) else 0


def _detach_structure(src: pikepdf.Pdf) -> None:
    """Cut the chunk's top elements from its root, so copying them copies nothing above."""
    if "/StructTreeRoot" not in src.Root:
        return
    for child in _document_element(src).K:
        if isinstance(child, Dictionary) and "/P" in child:
            del child["/P"]


def _graft_structure(out: pikepdf.Pdf, src: pikepdf.Pdf, offset: int, next_key: int) -> int:
    """Append the chunk's structure under out's Document element; renumber StructParents."""
    if "/StructTreeRoot" not in src.Root:
        return next_key
    document = _document_element(out)
    for child in _document_element(src).K:
        copied = _copy(out, child)
        if isinstance(copied, Dictionary):
            copied.P = document
        document.K.append(copied)
    nums = src.Root.StructTreeRoot.ParentTree.Nums
    out_nums = out.Root.StructTreeRoot.ParentTree.Nums
    highest = -1
    for i in range(0, len(nums), 2):
        key = int(nums[i])
        highest = max(highest, key)
        out_nums.append(key + next_key)
        out_nums.append(_copy(out, nums[i + 1]))
    for page in out.pages[offset : offset + len(src.pages)]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + next_key
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + next_key
    return next_key + highest + 1


def _copy(out: pikepdf.Pdf, obj):
    """copy_foreign for indirect objects; direct arrays and dictionaries are copied member-wise."""
    if isinstance(obj, (Array, Dictionary)) and not obj.is_indirect:
        if isinstance(obj, Array):
            return Array([_copy(out, x) for x in obj])
        return Dictionary({key: _copy(out, value) for key, value in obj.items()})
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return out.copy_foreign(obj)
    return obj
