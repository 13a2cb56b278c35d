"""What the tagger sees at each character of a text: the character and its neighbours, jieba's
word boundaries and part-of-speech tags, and word lists (surnames, place suffixes, kin words and
titles, minority name parts, how often jieba's dictionary uses a character in a name)."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from importlib import resources

from anthology.text.flags import Token
from anthology.text.words import lexicon

# The word lists the tagger's readers and its training share too.
SURNAMES = frozenset("".join(lexicon("surnames")))
COMPOUND_SURNAMES = frozenset(lexicon("compound_surnames"))
STEMS = frozenset(lexicon("minority_stems"))
STEM = re.compile("|".join(sorted(STEMS, key=len, reverse=True)))  # longest first
_PUBLIC = tuple(lexicon("public_figures"))
_PUBLIC_RE = re.compile("|".join(_PUBLIC))
_PLACE_CHARS = frozenset("省市区县镇乡村路街道巷弄号楼栋幢座单元室组屯社队里胡同坊苑园庄寨")
_AFTER = frozenset(lexicon("words_after_names"))
_BEFORE = frozenset(lexicon("words_before_names"))
_NUMERALS = frozenset("零〇一二三四五六七八九十百")


def _kind(char: str) -> str:
    if char.isdigit():
        return "d"
    if char in _NUMERALS:
        return "n"
    if char.isascii() and char.isalpha():
        return "l"
    if char.isspace():
        return "s"
    if "\u4e00" <= char <= "\u9fff":
        return "h"
    return "p"


def _bucket(count: int) -> str:
    return str(min(4, int(math.log10(count + 1) * 1.5)))


@lru_cache(maxsize=1)
def name_counts() -> tuple[dict[str, int], dict[str, int]]:
    """How often jieba's dictionary starts a two- or three-character name with each character,
    and how often it uses each in a given name."""
    import jieba

    first: dict[str, int] = {}
    given: dict[str, int] = {}
    path = resources.files(jieba).joinpath("dict.txt")
    for line in path.read_text("utf-8").splitlines():
        word, _, tag = line.split(" ")
        if tag == "nr" and 2 <= len(word) <= 3 and all("\u4e00" <= c <= "\u9fff" for c in word):
            first[word[0]] = first.get(word[0], 0) + 1
            for char in word[1:]:
                given[char] = given.get(char, 0) + 1
    return first, given


@lru_cache(maxsize=1)
def name_chars() -> tuple[dict[str, str], dict[str, str]]:
    """`name_counts` as buckets 0-4."""
    first, given = name_counts()
    return (
        {c: _bucket(n) for c, n in first.items()},
        {c: _bucket(n) for c, n in given.items()},
    )


def _marks(pattern: re.Pattern[str], text: str) -> list[str]:
    marks = [""] * len(text)
    for match in pattern.finditer(text):
        for i in range(match.start(), match.end()):
            marks[i] = "B" if i == match.start() else "I"
    return marks


def features(text: str, tokens: list[Token]) -> list[list[str]]:
    """The features of each character of `text` (`tokens`: its words, anthology.text.words), as
    crfsuite's attribute names ("c:王", "sur")."""
    size = len(text)
    position = ["S"] * size
    tag = ["x"] * size
    word = [""] * size
    starts: dict[int, str] = {}
    ends: dict[int, str] = {}
    for t in tokens:
        length = t.end - t.start
        for i in range(t.start, t.end):
            position[i] = (
                "S" if length == 1 else "B" if i == t.start else "E" if i == t.end - 1 else "M"
            )
            tag[i] = t.flag
            word[i] = t.word if length <= 4 else ""
        if length <= 3:
            starts[t.start] = t.word
            ends[t.end] = t.word
    first, given = name_chars()
    stems = _marks(STEM, text)
    public = _marks(_PUBLIC_RE, text)
    kinds = [_kind(c) for c in text]
    numeric = [k in "dn" for k in kinds]
    padded = "\x02\x02" + text + "\x03\x03"
    tags = ["<", *tag, ">"]
    places = ["<", *position, ">"]
    gv = ["<", *(given.get(c, "0") for c in text), ">"]
    kk = ["<", *kinds, ">"]
    found: list[list[str]] = []
    for i, char in enumerate(text):
        p = i + 2
        q = i + 1
        f = [
            "bias",
            "c:" + char,
            "k:" + kinds[i],
            "c-1:" + padded[p - 1],
            "c+1:" + padded[p + 1],
            "c-2:" + padded[p - 2],
            "c+2:" + padded[p + 2],
            "b-1:" + padded[p - 1 : p + 1],
            "b+1:" + padded[p : p + 2],
            "t:" + padded[p - 1 : p + 2],
            "k3:" + kk[q - 1] + kinds[i] + kk[q + 1],
            "p:" + position[i],
            "g:" + tag[i],
            "pg:" + position[i] + tag[i],
            "g-1:" + tags[q - 1],
            "g+1:" + tags[q + 1],
            "p-1:" + places[q - 1],
            "p+1:" + places[q + 1],
            "w-1:" + ends.get(i, "-"),
            "w+1:" + starts.get(i + 1, "-"),
            "fs:" + first.get(char, "0"),
            "gv:" + gv[q],
            "gv-1:" + gv[q - 1],
            "gv+1:" + gv[q + 1],
            "pre:" + (padded[p - 1] if padded[p - 1] in "小老阿" else "-"),
        ]
        if word[i]:
            f.append("w:" + word[i])
        if char in SURNAMES:
            f.append("sur")
        if i and text[i - 1] in SURNAMES:
            f.append("sur-1")
        if text[i : i + 2] in COMPOUND_SURNAMES:
            f.append("cmp")
        if i and text[i - 1 : i + 1] in COMPOUND_SURNAMES:
            f.append("cmp-")
        if char in _PLACE_CHARS:
            f.append("adr")
        if padded[p + 1] in _PLACE_CHARS:
            f.append("adr+1")
        if padded[p - 1] in _PLACE_CHARS:
            f.append("adr-1")
        if stems[i]:
            f.append("stem:" + stems[i])
        if public[i]:
            f.append("pub")
        for n in (1, 2, 3):
            after = text[i + 1 : i + 1 + n]
            if after in _AFTER:
                f.append(f"ra{n}:{after}")
            before = text[max(0, i - n) : i]
            if before in _BEFORE:
                f.append(f"rb{n}:{before}")
        if True in numeric[i + 1 : i + 4]:
            f.append("dig3")
        found.append(f)
    return found
