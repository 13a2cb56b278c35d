"""Addresses from the tagger's spans: cut to the address, checked to locate a door, a room or a
village group, with the regions written apart before them (anthology.text.privacy reads them)."""

from __future__ import annotations

import re

from anthology.text.flags import Flag, Token
from anthology.text.tagger.features import COMPOUND_SURNAMES
from anthology.text.tagger.model import Span, without_verb
from anthology.text.words import lexicon


def address_flags(text: str, tokens: list[Token], marked: list[Span]) -> list[Flag]:
    """The addresses among the tagger's spans, then the regions written apart before them."""
    found = _addresses(text, tokens, [s for s in marked if s.kind == "address"])
    return found + _leading_regions(text, tokens, found)


# An address locates a door, a room or a village group: a number with its level (12号, 3单元,
# 502室, 五组, 二队), a 号, 室, 房 or 屯 at its end, or a village or community under its town or
# district (…官底镇前进村, …望京街道阳光社区, …大坪村下屋组). Bare places (陕西省榆林市米脂县,
# 西江镇, 罗山七村) are not flagged.
_DETAIL = re.compile(
    r"[0-9０-９零〇一二三四五六七八九十百]+(?:号|楼|栋|幢|座|单元|室|组|社|队|层|户|门|房|排|巷|弄|连)"
    r"|室|[号房屯间0-9]$|(?:镇|乡|街道|区|县|旗).{1,14}(?:村|社区|组|屯|寨|嘎查)$"
)
# A place in it (a region, a street, a village, an estate), or two of building, unit and room
# (9号楼1单元1102): not 名单按楼栋分成五组.
_PLACE = re.compile(
    "[省市区县州旗镇乡村街路巷弄里坊苑园屯寨团连]|胡同|嘎查|小区|社区|花园|新村|大院|公寓|大厦|家属"
)
_LEVELS = (
    re.compile("号楼|栋|幢|座"),
    re.compile("单元"),
    re.compile(r"室|[楼栋幢座元][0-9]{3,4}$"),
)


def _located(address: str) -> bool:
    return bool(_PLACE.search(address)) or sum(bool(lv.search(address)) for lv in _LEVELS) >= 2


# What the tagger may leave after a house number: 16号负2-3, 218号 3-2-1.
_TAIL = re.compile(r"[-－0-9A-Za-z]+")


def _addresses(text: str, tokens: list[Token], marked: list[Span]) -> list[Flag]:
    found = []
    for span in marked:
        end = without_verb(text, tokens, span.start, span.end, 2)  # …302室/合租, not 2/组
        if text[end - 1] in "0123456789-号室" and (tail := _TAIL.match(text, end)):
            end = tail.end()  # …地下室B107
        if _DETAIL.search(text, span.start, end) and _located(text[span.start : end]):
            found.append(Flag("address", span.start, end, text[span.start : end]))
    return found


_TOWN_START = re.compile(r"[^省市县区州，。]{1,8}?(?:镇|乡|村|街道)")


def _leading_regions(text: str, tokens: list[Token], addresses: list[Flag]) -> list[Flag]:
    """The regions written before the rest of an address across a comma or a full stop
    (河南省周口市郸城县，具体地址是汲冢镇王楼村5组36号), flagged apart."""
    found: list[Flag] = []
    for flag in addresses:
        if _TOWN_START.match(text, flag.start):
            found += _regions_before(text, tokens, flag.start)
    return found


def _regions_before(text: str, tokens: list[Token], start: int) -> list[Flag]:
    """Two or more regions from a province or city (or three), ending at a county, district or
    town at most 20 characters before `start`."""
    run: list[Token] = []
    for token in tokens:
        if token.end > start:
            break
        if _region(token):
            run = [*run, token] if run and run[-1].end == token.start else [token]
    if (
        (len(run) >= 3 or (len(run) == 2 and run[0].word.endswith(("省", "自治区", "市"))))
        and 0 < start - run[-1].end <= 20
        and run[-1].word.endswith(("县", "区", "镇", "乡", "旗"))
    ):
        return [Flag("address", run[0].start, run[-1].end, text[run[0].start : run[-1].end])]
    return []


REGION_SUFFIXES = ("省", "自治区", "市", "自治州", "州", "盟", "地区", "区", "县", "旗", "镇", "乡")
PLACE_SUFFIXES = (
    "街道", "社区", "小区", "新村", "花园", "家园", "公寓", "大厦", "胡同", "大街",
    "村", "路", "街", "巷", "弄", "苑", "屯", "庄", "里", "坊", "湾", "大道",
)  # fmt: skip
# Words that end in a place suffix without being one (家里, 心里, 这里; lexicon.toml).
_NOT_PLACE = frozenset(lexicon("not_place"))
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LONG_REGION = re.compile(
    r".+自治[区州县旗]|[\u4e00-\u9fff]{2,4}[省市][\u4e00-\u9fff]{2,6}[市区县]"
)


def _region(token: Token) -> bool:
    """A province, city, county, district or town as one word (威宁彝族回族苗族自治县: to 14
    characters), not 欧阳 (tagged as a place name)."""
    word = token.word
    longest = 14 if _LONG_REGION.fullmatch(word) else 6
    return (
        2 <= len(word) <= longest and _HAN_RUN.fullmatch(word) is not None
        and word not in COMPOUND_SURNAMES and word not in _NOT_PLACE
        and (word.endswith(REGION_SUFFIXES)
             or (token.flag == "ns" and not word.endswith(PLACE_SUFFIXES)))
    )  # fmt: skip
