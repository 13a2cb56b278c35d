"""The Chinese typesetting pass over sanitized HTML (from `anthology.text.markdown.render`).

- a thin space (U+2009) between Han characters and Latin letters or digits;
- half-width punctuation typed in Chinese text becomes full-width where unambiguous;
- —— and …… are wrapped in `<span class="nobr">` so that they never split across lines.

Only text nodes change: never tags or attribute values, never text inside <code>, <pre>,
<script> or <style>, and never a URL or e-mail address written in the text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from anthology.text.markdown import render
from anthology.text.pictures import Pictures

THIN_SPACE = "\u2009"
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = f"[{HAN}]"
_LATIN = r"[A-Za-z0-9\u00c0-\u024f]"
# Full-width punctuation and brackets that count as "Chinese context" next to a half-width mark.
_CJK_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』"
_CJK = f"[{HAN}{_CJK_PUNCT}]"

_TAG = re.compile(r"<[^>]*>")
_SKIP = {"code", "pre", "script", "style", "kbd", "samp"}
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)[^\s<>\u3000-\u303f\uff00-\uffef]*"
                  r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)  # fmt: skip
_NOBR = re.compile(r"(?:——)+|(?:……)+|—{2,}|…{2,}")

_HAN_LATIN = re.compile(f"({_HAN})(?=[A-Za-z0-9\u00c0-\u024f])")
_LATIN_HAN = re.compile(f"({_LATIN})(?={_HAN})")
_FULLWIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
# A mark after Chinese text (and optionally spaces) -> full width, the spaces dropped.
# A colon between digits (12:30) or a mark inside Latin text is left alone (no Han before it).
_PUNCT_AFTER_HAN = re.compile(f"(?<={_CJK})([,;:?!])[ \t]*")
_PUNCT_BEFORE_HAN = re.compile(f"[ \t]*([,;?!])[ \t]*(?={_HAN})")
_ENTITY_END = re.compile(r"&#?[A-Za-z0-9]+$")
_PAREN_OPEN = re.compile(rf"\((?=[^()]*{_HAN}[^()]*\))")
_PAREN_CLOSE = re.compile(r"(?<=（)([^（）()]*)\)")
_ELLIPSIS = re.compile(f"(?<={_CJK})(?:\\.{{3,}}|…)(?:\\.{{3}}|…)?")


def typeset(html: str) -> str:
    """Apply the typesetting rules to the text nodes of sanitized HTML."""
    out: list[str] = []
    skip_depth = 0
    pos = 0
    for match in _TAG.finditer(html):
        text = html[pos : match.start()]
        out.append(text if skip_depth else typeset_text(text))
        tag = match.group(0)
        name = re.match(r"</?\s*([a-zA-Z0-9]+)", tag)
        if name and name.group(1).lower() in _SKIP and not tag.endswith("/>"):
            skip_depth += -1 if tag.startswith("</") else 1
            skip_depth = max(skip_depth, 0)
        out.append(tag)
        pos = match.end()
    tail = html[pos:]
    out.append(tail if skip_depth else typeset_text(tail))
    return "".join(out)


def typeset_text(text: str) -> str:
    """One text node (HTML-escaped text, no tags). URLs and e-mail addresses are kept intact."""
    if not text:
        return text
    pieces: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        pieces.append(_plain(text[pos : match.start()]))
        pieces.append(match.group(0))
        pos = match.end()
    pieces.append(_plain(text[pos:]))
    return "".join(pieces)


def typeset_title(text: str) -> Markup:
    """A plain-text title through the pass, as safe markup for a template: escaped first, so the
    only markup is the pass's own <span class="nobr"> (which autoescaping would print as text)."""
    return Markup(typeset_text(str(escape(text))))  # noqa: S704 - escaped above


def _plain(text: str) -> str:
    if not re.search(_HAN, text) and "—" not in text and "…" not in text:
        return text
    text = _ELLIPSIS.sub("……", text)
    text = _PUNCT_AFTER_HAN.sub(lambda m: _FULLWIDTH[m.group(1)], text)
    text = _PUNCT_BEFORE_HAN.sub(lambda m: _before_han(m, text), text)
    text = _PAREN_OPEN.sub("（", text)
    text = _PAREN_CLOSE.sub(lambda m: m.group(1) + "）", text)
    text = _HAN_LATIN.sub(lambda m: m.group(1) + THIN_SPACE, text)
    text = _LATIN_HAN.sub(lambda m: m.group(1) + THIN_SPACE, text)
    return _NOBR.sub(lambda m: f'<span class="nobr">{m.group(0)}</span>', text)


def _before_han(match: re.Match[str], text: str) -> str:
    """A mark right before Han text -> full width, unless it ends an entity such as &amp;."""
    if match.group(1) == ";" and _ENTITY_END.search(text, 0, match.start()):
        return match.group(0)
    return _FULLWIDTH[match.group(1)]


def chapter_html(markdown: str, pictures: Pictures = None) -> str:
    """Markdown of a chapter -> sanitized, typeset HTML (what the PDF and the EPUB print)."""
    return typeset(render(markdown, pictures))
