"""The screen PDF's structure closer to PDF/UA-1 than WeasyPrint's own tagging.

- Running heads and folios (margin boxes) are pagination artifacts (`/Artifact` marked content
  with `/Type /Pagination` and `/Subtype /Header` or `/Footer`), not content outside the
  structure tree, so a screen reader does not read them on every page.
- Dot leaders (the TOC's and the contributors list's) are layout artifacts: a reader hears the
  title and the page number, not a row of dots, and each entry's content is painted in the
  order the structure tree reads it (title, then number).
- A float among blocks (the contributors list's names) is painted where the tree has it, not
  before the text around it as CSS paints floats (they do not overlap it: the same picture),
  so the page paints in the structure's reading order.
- Footnotes are `Note` elements with an `ID`; the footnote call in the text is a `Reference`
  and the note's own number a `Lbl`.
- Table header cells carry `/Scope` (`/Column`, or `/Row` for `<th scope="row">`).
- A Link's text sits in Spans when the Link holds elements too (no mixed content).
- Figure `BBox`es are in PDF user space (points from the bottom-left corner), not CSS px.
- A link is annotated once, by the element that has the `href` (WeasyPrint annotates every box
  inside it too: 4-5 annotations per TOC entry), and a TOC entry's or a contributor's story's
  annotation is described in words: 《题目》，第7页, with the Print flag.

WeasyPrint internals touched (70.0): `document.draw_page`, `pdf.stream.Stream.marked`,
`pdf.tags._build_box_tree` (wrapped; it recurses through the module's name), `pdf.add_tags`,
`pdf.add_links`, `anchors.gather_anchors` (its `parent_link` argument; it recurses through the
module's name), `document.gather_anchors` and `stacking._dispatch` (called through the module's
name; it asks `box.is_floated()`); boxes' `element`, `element_tag`, `children`,
`link_annotation`, `content_box_x/y`, `width`, `height`, `is_leader`, `descendants()`, margin
boxes' `at_keyword`, the stream's `_tags` (None when the PDF is not tagged).
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager

SCALE = 0.75  # CSS px -> PDF points (WeasyPrint's zoom 1)
_NUMBER = re.compile(r"([0-9]+|[ivxlcdm]+)\s*$")
_installed = False
_current: dict = {}  # the document add_tags is tagging (for page heights)


def install() -> None:
    """Patch WeasyPrint once per process (idempotent)."""
    global _installed
    if _installed:
        return
    import pydyf
    from weasyprint import anchors, document, pdf, stacking
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import stream, tags

    original_draw_page = document.draw_page
    original_marked = stream.Stream.marked
    original_tree = tags._build_box_tree
    original_add_tags = pdf.add_tags
    original_add_links = pdf.add_links
    original_gather = anchors.gather_anchors
    original_dispatch = stacking._dispatch

    def draw_page(page_box, pdf_stream):
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                kind = "Header" if child.at_keyword.startswith("@top") else "Footer"
                for box in child.descendants():
                    box._anthology_artifact = kind
            elif pdf_stream._tags is not None:  # the screen PDF: leaders and floats
                for box in child.descendants():
                    if box.is_leader:
                        for dot in box.descendants():
                            dot._anthology_artifact = "Layout"
                    elif isinstance(box, boxes.BlockContainerBox) and _blocks_only(box, boxes):
                        for float_ in box.children:
                            if isinstance(float_, boxes.BlockBox) and float_.is_floated():
                                float_._anthology_in_order = True
        return original_draw_page(page_box, pdf_stream)

    def dispatch(box, *args):
        # A float among blocks (the contributors list's names) painted where the tree has
        # it, as a block: CSS paints floats before the text around them.
        if not getattr(box, "_anthology_in_order", False):
            return original_dispatch(box, *args)
        box.is_floated = _never  # the copies drawn keep it; the laid-out box does not
        try:
            return original_dispatch(box, *args)
        finally:
            del box.is_floated

    @contextmanager
    def marked(self, box, tag):
        kind = getattr(box, "_anthology_artifact", None)
        if kind is None or self._tags is None:
            with original_marked(self, box, tag):
                yield
            return
        properties = pydyf.Dictionary(
            {"Type": "/Layout"}
            if kind == "Layout"
            else {"Type": "/Pagination", "Subtype": f"/{kind}"}
        )
        pydyf.Stream.begin_marked_content(self, "Artifact", properties)
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    def build_box_tree(box, parent, pdf_, page_number, nums, annotations, tags_):
        if isinstance(box, boxes.MarginBox) or box.is_leader:
            return  # drawn as artifacts: nothing of them in the structure tree
        tag = box.element_tag if box.element is not None else ""
        for element in original_tree(box, parent, pdf_, page_number, nums, annotations, tags_):
            _retag(element, box, tag, page_number, pydyf, boxes)
            if element.get("S") == "/Link":
                _unmix(element, box, pdf_.page_references[page_number], pdf_, nums, pydyf)
            yield element

    def add_tags(pdf_, document_, pdf_version, page_streams):
        _current["document"] = document_
        try:
            return original_add_tags(pdf_, document_, pdf_version, page_streams)
        finally:
            _current.clear()

    def add_links(links_and_anchors, matrix, pdf_, page, names, tags_):
        original_add_links(links_and_anchors, matrix, pdf_, page, names, tags_)
        if tags_ is None:
            return
        for _type, _target, _rectangle, box in links_and_anchors[0]:
            annotation = getattr(box, "link_annotation", None)
            if annotation is None:
                continue
            annotation["F"] = 4  # Print: the same for every reader (PDF/UA-1 7.18.1)
            words = describe(box)
            if words:
                annotation["Contents"] = pydyf.String(words)

    def gather_anchors(box, anchors_, links, bookmarks, forms, parent_matrix=None,
                       parent_form=None, parent_link=None):  # fmt: skip
        # Only the element with the link is annotated, over its whole area.
        original_gather(box, anchors_, links, bookmarks, forms, parent_matrix, parent_form, None)

    document.draw_page = draw_page
    stream.Stream.marked = marked
    tags._build_box_tree = build_box_tree
    pdf.add_tags = add_tags
    pdf.add_links = add_links
    anchors.gather_anchors = gather_anchors
    stacking._dispatch = dispatch
    document.gather_anchors = gather_anchors
    _installed = True


def _never() -> bool:
    return False


def _blocks_only(box, boxes) -> bool:
    return bool(box.children) and not any(isinstance(c, boxes.LineBox) for c in box.children)


def _unmix(link, box, page, pdf_, nums, pydyf) -> None:
    """A Link holding both text (MCIDs) and elements (a title whose 《“ pair is compressed, a
    ::after) gets each piece of its text in a Span, so its kids read in one list, in order."""
    kids = link["K"]
    elements = sum(not isinstance(kid, int) for kid in kids) - bool(box.link_annotation)
    if elements <= 0 or all(not isinstance(kid, int) for kid in kids):
        return
    unmixed = pydyf.Array()
    for kid in kids:
        if isinstance(kid, int):
            span = pydyf.Dictionary(
                {"Type": "/StructElem", "S": "/Span", "K": pydyf.Array([kid]), "Pg": page,
                 "P": link.reference}
            )  # fmt: skip
            pdf_.add_object(span)
            nums[kid] = span.reference
            kid = span.reference
        unmixed.append(kid)
    link["K"] = unmixed


def _retag(element, box, tag: str, page_number: int, pydyf, boxes) -> None:
    kind = element.get("S")
    classes = (box.element.get("class") or "").split() if box.element is not None else []
    if tag == "span" and "fn" in classes and not isinstance(box, boxes.InlineBox):
        element["S"] = "/Note"
        text = "".join(box.element.itertext()).encode()
        digest = hashlib.sha1(text, usedforsecurity=False).hexdigest()[:12]
        element["ID"] = pydyf.String(f"note-{page_number + 1}-{digest}")
    elif tag.endswith("::footnote-call"):
        element["S"] = "/Reference"
    elif tag.endswith("::footnote-marker"):
        element["S"] = "/Lbl"
    elif tag.startswith("a::"):  # a link's ::after (the TOC's leader and number): its text
        element["S"] = "/Span"
    elif kind == "/TH" and "A" in element:
        scope = box.element.get("scope") if box.element is not None else None
        element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
    elif kind == "/Figure" and "A" in element and "document" in _current:
        height = _current["document"].pages[page_number].height
        x1, y1 = box.content_box_x(), box.content_box_y()
        x2, y2 = x1 + box.width, y1 + box.height
        bbox = (x1 * SCALE, (height - y2) * SCALE, x2 * SCALE, (height - y1) * SCALE)
        element["A"]["BBox"] = pydyf.Array(bbox)


def describe(box) -> str:
    """Words for a link annotation: a TOC entry's or a contributor's story's title and page
    (《题目》，第7页), else the link's own text; "" keeps WeasyPrint's."""
    element = box.element
    if element is None:
        return ""
    title = ""
    if "contributor-story" in (element.get("class") or "").split():
        title = "".join(element.itertext()).strip()  # set in 《》 already
    for child in element.iter():
        if "toc-text" in (child.get("class") or "").split():
            title = "《" + "".join(child.itertext()).strip() + "》"
    if title:
        number = _NUMBER.search("".join(_texts(box)))
        return f"{title}，第{number.group(1)}页" if number else title
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _texts(box):
    text = getattr(box, "text", None)
    if text is not None:
        yield text
    for child in getattr(box, "children", ()):
        yield from _texts(child)
