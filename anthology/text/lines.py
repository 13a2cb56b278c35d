"""How printed lines end: punctuation pairs and paragraphs' last lines (W3C clreq).

Both work on the typeset HTML of a chapter (after `anthology.text.typeset`), on text nodes only,
and leave every character in place; the layout does the rest through CSS:

- `compress_pairs`: two adjacent full-width marks take 1.5 em, not 2 (clreq 3.1.6): one of the two
  is wrapped in `<span class="halt">`, which the book's CSS sets with the font's OpenType `halt`
  feature (its half-width form). The mark whose blank half faces the other is the one halved: a
  closing mark (，。”）》 ... whose ink is on the left in Simplified Chinese) before any mark, or
  an opening mark (“（《 ... ink on the right) after another opening mark.
- `keep_last_line`: a paragraph never ends with a line of one Han character (孤字): its last two
  Han characters and the punctuation between and after them are kept together by a WORD JOINER
  (U+2060, `JOINER`) between each two of them, so the layout pulls a character down from the line
  before instead (and justifies that line). A joiner, not a `<span>` with `white-space: nowrap`:
  Pango never breaks at it and draws nothing for it (a zero-width empty glyph, no text in the
  PDF), and the text stays one box: a span on every paragraph's last line cost the layout and
  the drawing an inline box, a text box and its Pango layouts per paragraph (a sixth of the
  book's text boxes). Whoever counts the laid-out text (anthology.pdf.weasy.pagemap) skips it.
"""

from __future__ import annotations

import re

JOINER = "\u2060"  # WORD JOINER: no line break on either side, no glyph
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CLOSING = "，。、：；！？”’）》〉】」』〕"
OPENING = "“‘（《〈【「『〔"
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")
_PAIR = re.compile(f"[{CLOSING}](?=[{CLOSING}{OPENING}])|(?<=[{OPENING}])[{OPENING}]")
_SKIP = ("<code", "<pre", "<kbd", "<samp")
_PARAGRAPH = re.compile(r"(<(p|li)\b[^>]*>)(.*?)(</\2>)", re.S)
# A paragraph's last two Han characters, with the marks and spaces between and after them.
_MARKS = f"[{CLOSING}{OPENING}…—\\s\u2009]*"
_TAIL_TEXT = re.compile(f"[{HAN}]{_MARKS}[{HAN}]{_MARKS}$")
_FOOTNOTE_REF = re.compile(r"<sup\b[^>]*>.*?</sup>", re.S)
_LETTERS = re.compile(f"[{HAN}A-Za-z0-9]")


def compress_pairs(html: str) -> str:
    """Wrap the mark to be set half-width in each pair of adjacent full-width marks."""
    out, skip = [], 0
    for tag, text in _TAG_OR_TEXT.findall(html):
        if tag:
            lowered = tag.lower()
            if lowered.startswith(_SKIP):
                skip += 1
            elif skip and lowered.startswith(tuple("</" + s[1:] for s in _SKIP)):
                skip -= 1
            out.append(tag)
        elif skip:
            out.append(text)
        else:
            out.append(_PAIR.sub(lambda m: f'<span class="halt">{m.group(0)}</span>', text))
    return "".join(out)


def keep_last_line(html: str) -> str:
    """Keep each paragraph's (and list item's) last two Han characters on one line."""
    return _PARAGRAPH.sub(_keep, html)


def _keep(match: re.Match[str]) -> str:
    open_tag, _name, inner, close_tag = match.groups()
    if "<p" in inner or "<li" in inner or "<pre" in inner:  # nested blocks: leave alone
        return match.group(0)
    refs = _FOOTNOTE_REF.findall(inner)  # footnote calls: set aside while looking for the tail
    kept = _keep_tail(_FOOTNOTE_REF.sub("<sup/>", inner))
    if kept is None:
        return match.group(0)
    for ref in refs:
        kept = kept.replace("<sup/>", ref, 1)
    return f"{open_tag}{kept}{close_tag}"


def _keep_tail(inner: str) -> str | None:
    pieces = _TAG_OR_TEXT.findall(inner)
    for index in range(len(pieces) - 1, -1, -1):
        tag, text = pieces[index]
        if tag or not _LETTERS.search(text):
            continue
        tail = _TAIL_TEXT.search(text)
        if not tail:
            return None
        before = "".join(t or x for t, x in pieces[:index])
        after = "".join(t or x for t, x in pieces[index + 1 :])
        return f"{before}{text[: tail.start()]}{_joined(tail.group(0))}{after}"
    return None


def _joined(tail: str) -> str:
    """`tail` with a WORD JOINER between each two of its characters (none after the last one,
    nor around the whitespace that ends it)."""
    kept = tail.rstrip()
    return JOINER.join(kept) + tail[len(kept) :]
