"""Where each printed page begins in the text, read from a laid-out document (for the EPUB's
page-break markers: anthology.epub puts one at every print page break).

A page begins at a `Start`: the id of the chapter, part or front page it is in, the index of
the top-level element of the chapter's text (`div.text`) that holds its first character (-1:
the page begins with the chapter's heading, or outside any chapter text), and how many
characters of that element, whitespace (and word joiners) not counted, came on the pages
before. Footnotes and generated text (::before, ::after, markers, footnote calls) are not
counted: the EPUB counts the same characters in the same elements. A page with no text (a
blank verso) has no start.

Reads laid-out boxes (`Page._page_box`, `children`, `element`, `element_tag`, `TextBox.text`)
of WeasyPrint 70.0.
"""

from __future__ import annotations

import re

from anthology.text.lines import JOINER

# Not counted: whitespace, and the word joiners that keep a paragraph's last characters together
# (anthology.text.lines; the EPUB's text has none).
_SPACE = re.compile(rf"[\s{JOINER}]+")
# Front pages without an id, by class: the EPUB's documents of the same name.
_PAGE_CLASSES = {"title-page": "titlepage", "imprint": "imprint"}

Start = tuple[str, int, int]  # (document id, top-level element index or -1, characters before)


def page_starts(document) -> list[Start | None]:
    """The start of every page of `document`, in order (None: a page without text)."""
    from weasyprint.formatting_structure import boxes

    laid: dict[int, int] = {}  # id(top-level element) -> its characters on earlier pages
    out: list[Start | None] = []
    for page in document.pages:
        roots = [c for c in page._page_box.children if c.element_tag == "html"]
        found: list[Start] = []
        for root in roots:
            _walk(root, ["", None, None], laid, found, boxes)
        out.append(found[0] if found else None)
    return out


def _walk(box, context, laid, found, boxes) -> None:
    """context: [document id, {id(element): index} of the chapter text, current top element]."""
    element, tag = box.element, box.element_tag or ""
    if "::" in tag:
        return  # generated text: not in the EPUB
    if element is not None and not isinstance(box, boxes.TextBox):
        classes = (element.get("class") or "").split()
        if "fn" in classes:
            return
        if tag in ("article", "section", "nav") and (element.get("id") or _named(classes)):
            context = [element.get("id") or _named(classes), None, None]
        elif tag == "div" and "text" in classes and context[1] is None:
            context = [context[0], {id(child): i for i, child in enumerate(element)}, None]
        elif context[1] is not None and id(element) in context[1]:
            context = [context[0], context[1], element]
    if isinstance(box, boxes.TextBox):
        chars = len(_SPACE.sub("", box.text))
        if not chars:
            return
        top = context[2]
        if not found:
            if top is None:
                found.append((context[0], -1, 0))
            else:
                found.append((context[0], context[1][id(top)], laid.get(id(top), 0)))
        if top is not None:
            laid[id(top)] = laid.get(id(top), 0) + chars
        return
    for child in getattr(box, "children", ()):
        _walk(child, context, laid, found, boxes)


def _named(classes: list[str]) -> str:
    return next((_PAGE_CLASSES[c] for c in classes if c in _PAGE_CLASSES), "")


Labelled = tuple[str, str, int, int]  # (folio, document id, element index, characters before)


def labelled(starts: list[Start | None], labels: list[str]) -> tuple[Labelled, ...]:
    """(label, document id, element index, characters before) for every page; a page without
    text starts where the page after it does (a blank verso goes with what follows it)."""
    out: list[Labelled] = []
    following: Start | None = None
    for label, start in reversed(list(zip(labels, starts, strict=True))):
        start = start or following
        if start is not None:
            following = start
            out.append((label, *start))
    return tuple(reversed(out))


def joined(front: list, body: list[tuple[int, list]]) -> tuple[Labelled, ...]:
    """The starts of a joined book: the front matter's pages (roman), then each chunk's from its
    first folio, with the blank versos that anthology.pdf.join puts after an odd count of front
    pages and before a chunk whose first folio is one more than the pages before it."""
    labels, starts = [], []
    pages = list(front) + [None] * (len(front) % 2)
    labels += [_roman(i + 1) for i in range(len(pages))]
    starts += pages
    for number, (first, chunk) in enumerate(body):
        following = body[number + 1][0] if number + 1 < len(body) else first + len(chunk)
        pages = list(chunk) + [None] * (following - first - len(chunk))
        labels += [str(first + i) for i in range(len(pages))]
        starts += [tuple(s) if s else None for s in pages]
    return labelled(starts, labels)


def _roman(n: int) -> str:
    from anthology.pdf.document import roman

    return roman(n)
