"""Detailed addresses in Chinese text, as whole spans: province, city, district, street or
village, number, building, unit and room (广东省广州市天河区石牌街道龙口西路88号2栋1单元502室,
宜昌路450弄6号401室, 大寨村三组). A region alone (浙江省, 朝阳区) or a place word alone (社区) is
not flagged: an address needs a region and a place, two places, or a place and a number.

Works on the tagged words of anthology.text.words.words; numbers and units after the last word
are read character by character, since jieba cuts them in many ways (3栋 / 3 + 栋 / 450 + 弄).
"""

from __future__ import annotations

import re

from anthology.text.flags import Flag
from anthology.text.names import COMPOUND_SURNAMES as _COMPOUND_SURNAMES
from anthology.text.names import PLACE_SUFFIXES, REGION_SUFFIXES, Token
from anthology.text.words import common_word as _common_word
from anthology.text.words import lexicon

_STANDALONE_PLACE = frozenset({"街道", "社区", "小区", "新村", "花园", "家园", "公寓", "村"})
_SHORT_PLACE = frozenset({"路", "街", "道", "巷", "弄", "区", "县", "乡", "镇", "村"})
_NUMERAL = r"(?:[0-9]{1,5}(?:-[0-9]{1,5})?|[一二三四五六七八九十百零〇两]{1,4})"
_UNITS = r"(?:号楼|号院|号|弄|栋|幢|座|单元|室|楼|层|组|门|户|排|房|寝室|社|队)"
# House numbers, buildings, units and rooms after the last word: 88号院2号楼, 2单元101, 三组,
# 2号附6号楼, 第九片, 第三村民组, 3号楼东单元201, 2层东户, 417房, 314寝室.
_NUMBERS = re.compile(
    rf"(?:(?:附|(?<=号)增)?{_NUMERAL}{_UNITS}|第{_NUMERAL}(?:片|村民小组|村民组|组|社)"
    r"|[A-Z](?:座|栋|幢|区|单元)"
    r"|(?<=[单元楼层号门座栋幢])(?:[0-9]{2,5}(?:寝室|房|室)?(?![0-9])|[东西南北中](?:单元|户))"
    r"|[0-9]{1,3}-[0-9]{1,2}-[0-9]{3,4}(?![0-9-])|(?<=单元)[0-9]{1,2}-[0-9]{1,2}(?![0-9-])"
    # 113号之二, 11号后楼, 5号亭子间, 3号后厢房
    r"|(?<=号)(?:之[一二三四五六七八九十0-9]{1,2}|[前后东西南北副]楼|[前后东西]?厢房|亭子间|阁楼"
    r"|[前后]院|首层|底层|底商|地下室|负一层)"  # 35号增1号, 21号首层
    r"|(?<=号)[\u4e00-\u9fff]{0,2}?(?:宿舍楼|宿舍|公寓楼|家属楼)"  # 18号员工宿舍B栋508
    rf"(?=[A-Z](?:座|栋|幢|单元)|{_NUMERAL}(?:号楼|栋|幢|座|单元)))+"
)  # 3栋2单元501室, A座1203, 12-3-501
# Words that end in a place suffix without being one (家里, 心里, 这里; lexicon.toml).
_NOT_PLACE = frozenset(lexicon("not_place"))
# Once an address has begun, jieba's words may straddle its parts (安定 / 区内 / 官营 / 镇): the
# rest is read character by character as short named parts, each closed by a suffix. Characters
# that never stand in a place name (的, 了, 在, 我 ...) end it.
_FUNCTION_CHARS = "".join(lexicon("function_chars"))
_SEG_SUFFIX = "|".join(
    sorted({*REGION_SUFFIXES, *PLACE_SUFFIXES, "大道", "道", "组"}, key=len, reverse=True)
)
_WEAK_SUFFIXES = ("里", "湾", "庄", "坊", "苑", "道")
_SEGMENT = re.compile(rf"[^\W\d_{_FUNCTION_CHARS}a-zA-Z]{{1,5}}?(?:{_SEG_SUFFIX})")
_SUFFIX = re.compile(_SEG_SUFFIX)
_VILLAGE_GROUP = re.compile(rf"[^\W\d_{_FUNCTION_CHARS}a-zA-Z]{{0,3}}?[社组队](?={_NUMERAL}号)")
# A lane or section between a road and its number: 宝华路 + 十三甫21号, 文化路 + 北段58号院.
_LANE = re.compile(
    rf"(?:[东西南北中]段|[^\W\d_{_FUNCTION_CHARS}a-zA-Z]{{1,3}}?[甫段横条])(?={_NUMERAL}[号弄巷])"
)
# A place named after a landmark, right after its district: 渝中区较场口88号, 沙坪坝区杨家坪12号.
_LANDMARK = re.compile(
    rf"[^\W\d_{_FUNCTION_CHARS}a-zA-Z第]{{1,3}}[口坝坡桥坪岗塘营屯庄门碑埠滩堡沟寨](?={_NUMERAL}号)"
)
_NUMBERED_VILLAGE = re.compile(rf"{_NUMERAL}村")  # 罗山 + 七村: an estate, a place with a number
_NOUNISH = ("n", "nr", "ns", "nt", "nz", "ng", "j", "a", "s", "f", "b", "l", "i", "z")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LONG_REGION = re.compile(
    r".+自治[区州县旗]|[\u4e00-\u9fff]{2,4}[省市][\u4e00-\u9fff]{2,6}[市区县]"
)


def _han(word: str, longest: int = 6) -> bool:  # 威宁彝族回族苗族自治县, 上海市浦东新区: to 14
    if longest == 6 and _LONG_REGION.fullmatch(word):
        longest = 14
    return len(word) <= longest and _HAN_RUN.fullmatch(word) is not None


def _region(token: Token) -> bool:
    word = token.word
    if word in _COMPOUND_SURNAMES:
        return False  # 欧阳 is tagged as a place name
    return (
        _han(word) and len(word) >= 2 and word not in _NOT_PLACE
        and (word.endswith(REGION_SUFFIXES)
             or (token.flag == "ns" and not word.endswith(PLACE_SUFFIXES)))
    )  # fmt: skip


def _place(token: Token) -> bool:
    word = token.word
    if word in _STANDALONE_PLACE:
        return True
    return (
        _han(word) and len(word) >= 2 and word.endswith(PLACE_SUFFIXES)
        and word not in _NOT_PLACE and token.flag not in ("v", "d", "r", "m", "q", "f")
    )  # fmt: skip


_NOT_IN_PLACES = ("p", "c", "u", "r", "d", "v", "q", "m")
_SHORT_STREET = _SHORT_PLACE - {"区", "县", "乡", "镇"}
_NOT_NAME_PARTS = frozenset(lexicon("not_name_parts"))  # 白云路一带老旧小区: no address


def _single(token: Token) -> bool:
    """One character jieba could not place (娜 in 娜姑镇), never a verb or a function word."""
    return _han(token.word, 1) and not token.flag.startswith(_NOT_IN_PLACES)


def _name_part(token: Token) -> bool:
    return (
        token.flag.startswith(_NOUNISH) and _han(token.word, 4)
        and token.word not in _NOT_NAME_PARTS
    )  # fmt: skip


def _ends_segment(token: Token) -> bool:
    """A token that closes a named segment: 区 in 莲池 + 区, 北里, 宜昌 + 路, 核乡."""
    return token.word in _SHORT_PLACE or _place(token) or (
        _han(token.word) and token.word.endswith(REGION_SUFFIXES + PLACE_SUFFIXES)
        and token.word not in _NOT_PLACE and token.flag not in ("v", "d", "r", "f")
    )  # fmt: skip


def _segment(tokens: list[Token], j: int, started: bool) -> tuple[int, str]:
    """The end of one named segment starting at token j and its kind ("region" or "place")."""
    token = tokens[j]
    if token.word.endswith("街道") and (started or len(token.word) > 2):
        return j + 1, "region"  # a sub-district, as broad as a district
    if _region(token) and not token.word.endswith(PLACE_SUFFIXES):
        return j + 1, "region"
    if started and token.word in _SHORT_PLACE:
        return j + 1, "region" if token.word in ("区", "县", "乡", "镇") else "place"
    after = tokens[j + 1].word if j + 1 < len(tokens) else ""
    if started and after in ("区", "县", "乡", "镇") and _name_part(token):
        return j + 2, "region"  # 清苑 + 区: jieba took 清苑 for an estate
    if _place(token):
        return j + 1, "place"
    # Up to three name parts closed by a place word: 阳光 + 社区, 幸福 + 里 + 小区, 竹 + 核乡.
    longest = 3 if started else 2
    for k in range(j, min(j + longest, len(tokens) - 1)):
        part = _name_part(tokens[k]) or (started and _single(tokens[k]))
        if not part or (k > j and _region(tokens[k])):
            break
        closing = tokens[k + 1]
        directional = len(closing.word) == 2 and closing.word[0] in "东南西北中"
        if _ends_segment(closing) and (
            started or directional or closing.word in _STANDALONE_PLACE | _SHORT_STREET
        ):
            regional = closing.word.endswith("街道") or (
                closing.word.endswith(REGION_SUFFIXES) and not _place(closing)
            )
            kind = "region" if regional else "place"
            return k + 2, kind
    return j, ""


def _address_at(tokens: list[Token], i: int) -> tuple[int, int]:
    """(index after the named part, number of segments) of the address starting at token i."""
    j, regions, places = i, 0, 0
    while j < len(tokens):
        end, kind = _segment(tokens, j, started=bool(regions or places))
        if end == j:
            break
        if kind == "region" and places:
            if not tokens[end - 1].word.endswith("街道"):
                break
            places -= 1  # 长寿路 + 街道: a sub-district named after its road
        # a region after a place starts another address (or is none)
        regions += kind == "region"
        places += kind == "place"
        j = end
    return j, regions * 10 + places


# Residential estates and their buildings, with or without a region before them: 翠苑三区14幢1单元,
# 碧桂园三期12栋2单元, 锦绣华庭二期8栋1202室, 城南新村2组团4幢. The estate's name is read back from
# its suffix (jieba glues it to what stands before: 从翠苑), then the sub-estate (三区, 二期, 2组团)
# and the numbers. A building, unit or room is required, or a sub-estate, or a plain number after
# the strong suffixes (幸福新村12号); a name of one to four characters is required.
_STRONG_ESTATES = ("小区", "花园", "新村", "公寓", "家园", "大厦", "公馆", "村")
_ESTATES = (*_STRONG_ESTATES, *lexicon("estate_suffixes"))
_ESTATE = re.compile(
    rf"(?P<suffix>{'|'.join(_ESTATES)})"
    rf"(?P<sub>(?:{_NUMERAL}(?:期|区|组团|街区|片区)|[东南西北中]{{1,2}}[一二三四五六七八九十]?区"
    r"|(?:学生|职工|员工)?(?:宿舍楼|宿舍|公寓楼|家属楼))*)"
    rf"(?P<numbers>{_NUMBERS.pattern})"
)
_BUILDING = re.compile("栋|幢|号楼|单元|室|座")
_REGION_WORD = re.compile(rf"(?:{'|'.join(REGION_SUFFIXES)}|街道)$")
_BARRIER_FLAGS = ("v", "r", "p", "c", "d", "m", "q", "u")


def _barrier(token: Token) -> bool:
    """A word an estate's name never reaches back past: 西湖区, 街道, 走进, 我们."""
    return (
        bool(_REGION_WORD.search(token.word))
        or token.word in _NOT_NAME_PARTS
        or (len(token.word) > 1 and token.flag.startswith(_BARRIER_FLAGS))
    )  # 同一楼层 + 南湖山庄


def _word(chars: str) -> bool:
    """A dictionary word starts these characters (和平 in 和平里)."""
    return any(_common_word(chars[:n]) for n in range(2, len(chars) + 1))


def _estate_name_start(text: str, suffix: int, ends: dict[int, Token]) -> int:
    """Where the estate's name begins: up to four characters back from its suffix, never past a
    function character, a region word (西湖区) or a verb or pronoun (走进, 我们)."""
    position = suffix
    while position > 0 and suffix - position < 4:
        if position in ends and _barrier(ends[position]):
            break
        char = text[position - 1]
        if (
            not _han(char, 1)
            or char in "省市县镇乡"
            or (char in _FUNCTION_CHARS and not _word(text[position - 1 : suffix]))
        ):
            break  # 从翠苑: 从 is no part of the name; 和平里: 和 is
        position -= 1
    return position


_REGION_CHARS = "省市县区镇乡"
_REGION_ENDS = frozenset(_REGION_CHARS)  # one character: 巴马 + 县


def _region_before(text: str, end: int, starts: dict[int, Token]) -> int | None:
    """The start of a region name ending at `end` whose last character jieba glued to the next
    word (太和 / 镇龙归): a noun of two to five characters from a word's start."""
    if end < 3 or text[end - 1] not in _REGION_CHARS:
        return None
    for start in range(end - 2, max(end - 6, -1), -1):
        token = starts.get(start)
        if token is not None and _name_part(token) and _han(text[start:end]):
            return start
    return None


def _estate_spans(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    ends: dict[int, Token] = {}
    starts: dict[int, Token] = {}
    for match in _ESTATE.finditer(text):
        suffix = match.group("suffix")
        if not (
            match.group("sub")
            or _BUILDING.search(match.group("numbers"))
            or suffix in _STRONG_ESTATES
        ):
            continue  # 公园3号门, 幼儿园2楼
        if not ends:
            ends = {t.end: t for t in tokens}
            starts = {t.start: t for t in tokens}
        start = _estate_name_start(text, match.start(), ends)
        if (
            start == match.start()
            or text[start : match.start("suffix") + len(suffix)] in _NOT_PLACE
        ):
            continue  # 我们小区5栋, 家里3号楼
        while True:  # 杭州市西湖区 + 翠苑..., 太和镇 (jieba: 太和 / 镇龙 / 归) + 龙归工业园...
            before = ends.get(start)
            if before is not None and (_region(before) or _place(before)):
                start = before.start
            elif (back := _region_before(text, start, starts)) is not None:
                start = back
            else:
                break
        spans.append((start, match.end()))
    return spans


def address_flags(text: str, tokens: list[Token], bare: list[Flag] | None = None) -> list[Flag]:
    """The addresses read from `tokens`, with `bare` ones (privacy's patterns) none covers."""
    found = _street_addresses(text, tokens)
    found += [f for f in bare or () if all(f.end <= g.start or f.start >= g.end for g in found)]
    for start, stop in _estate_spans(text, tokens):
        touching = [f for f in found if f.start <= stop and f.end >= start]
        start = min([start, *(f.start for f in touching)])
        stop = max([stop, *(f.end for f in touching)])
        found = [f for f in found if f not in touching]
        found.append(Flag("address", start, stop, text[start:stop]))
    found = _leading_parts(text, tokens, found) if found else found
    merged: list[Flag] = []
    for flag in sorted(found, key=lambda f: f.start):
        if merged and merged[-1].end >= flag.start:  # 雁滩路3188号 + 城市花园11号楼
            start, stop = merged[-1].start, max(merged[-1].end, flag.end)
            merged[-1] = Flag("address", start, stop, text[start:stop])
        else:
            merged.append(flag)
    return merged


def _named_estate(text: str, tokens: list[Token], first: int | None, stop: int) -> int:
    """After a street, an estate named without a suffix and its building: 五四北路 + 泰禾红树林 +
    2号楼1702, 长延堡街道 + 紫薇田园都市 + K区22号楼 (up to three name words, six characters)."""
    best = stop
    for token in tokens[first : first + 3] if first is not None else ():
        if not _name_part(token) or token.end - stop > 6:
            break
        numbers = _NUMBERS.match(text, token.end)
        if numbers and _BUILDING.search(numbers.group()):
            best = token.end
    return best


def _street_addresses(text: str, tokens: list[Token]) -> list[Flag]:
    by_start: dict[int, int] | None = None
    found: list[Flag] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not _han(token.word) or (
            len(token.word) == 1 and token.word != "村" and not token.flag.startswith(_NOUNISH)
        ):
            i += 1  # punctuation, numbers, 的 / 在 / 了: no address starts there
            continue
        end, counts = _address_at(tokens, i)
        regions, places = divmod(counts, 10)
        if end == i:
            i += 1
            continue
        start, stop = tokens[i].start, tokens[end - 1].end
        if regions and not places:
            # A street name without a suffix before its number: 花家地北里3号楼 is caught by the
            # suffix 里; 东风中路 by 路. Name parts followed by a number count as a place here.
            k = end
            while k < len(tokens) and _name_part(tokens[k]) and k - end < 2:
                k += 1
            numbered = _NUMBERS.match(text, tokens[k - 1].end if k > end else stop)
            if k > end and numbered:
                stop, places = tokens[k - 1].end, 1
                end = k
            elif text[stop - 1] in "区县" and (landmark := _LANDMARK.match(text, stop)):
                stop, places = landmark.end(), 1  # 渝中区 + 较场口88号
        while regions and places < 9 and (segment := _SEGMENT.match(text, stop)):
            longer = _SUFFIX.match(text, segment.end())  # 八街 + 坊12门: the longer name
            if longer and _NUMBERS.match(text, longer.end()):
                segment = longer
            word = text[stop : segment.end()]
            weak = word.endswith(_WEAK_SUFFIXES) and not word.endswith("街道")  # 米市 + 巷街道
            weak = weak or _NUMBERED_VILLAGE.fullmatch(word) is not None
            if weak and not _NUMBERS.match(text, segment.end()):
                break  # 驿站里, 屋里: a place only when a number follows (花家地北里3号楼)
            regional = word.endswith("街道") or (
                word.endswith(REGION_SUFFIXES) and not word.endswith(PLACE_SUFFIXES)
            )
            regions, places = regions + regional, places + (not regional)
            stop = segment.end()
        if regions and (group := _VILLAGE_GROUP.match(text, stop)):
            stop = group.end()  # 马家湾 + 社7号, 好谷村 + 阿且社12号: the village group
        if text[stop - 1] in "路街道" and (lane := _LANE.match(text, stop)):
            stop = lane.end()
        numbers = _NUMBERS.match(text, stop)
        if not numbers and regions and regions + places >= 2:  # not 老校区 + 宿舍楼5栋
            if by_start is None:
                by_start = {t.start: n for n, t in enumerate(tokens)}
            stop = _named_estate(text, tokens, by_start.get(stop), stop)
            numbers = _NUMBERS.match(text, stop)
        if numbers:
            stop = numbers.end()
        detailed = (places and (regions or numbers or places >= 2)) or (regions and numbers)
        if detailed and not numbers and end == i + 2 and stop == tokens[i + 1].end:
            detailed = _REGION_WORD.search(tokens[i].word) is not None  # not 从桃园 + 小区 搬走
        if detailed:
            found.append(Flag("address", start, stop, text[start:stop]))
            while i < len(tokens) and tokens[i].start < stop:
                i += 1
        else:
            i += 1
    return found


def _leading_parts(text: str, tokens: list[Token], found: list[Flag]) -> list[Flag]:
    """An address's start that its reading missed: the regions before a character jieba glued
    to the town (泸定县 + 磨 / 西镇), a village committee (爱春村委会 + 大鱼塘村...)."""
    ends = {t.end: t for t in tokens}
    out: list[Flag] = []
    for flag in found:
        start = flag.start  # 泸定县 + 磨 / 西镇, 巴马县 + 那 / 桃乡
        glued, town = ends.get(start), text[start + 1 : start + 2] in ("乡", "镇")
        if glued and _han(glued.word, 1) and (town or glued.word not in _FUNCTION_CHARS):
            start = back if (back := _region_start(ends, glued.start)) is not None else start
        if text.startswith(("村委会", "居委会"), start - 3) and (
            (named := ends.get(start - 3)) is not None and _name_part(named)
        ):
            start = named.start  # 爱春 / 村委会
        while (back := _region_start(ends, start)) is not None:
            start = back
        out.append(Flag("address", start, flag.end, text[start : flag.end]))
    return out


def _region_start(ends: dict[int, Token], end: int) -> int | None:
    """The start of the region ending at `end`, jieba's 巴马 + 县 as one."""
    token = ends.get(end)
    if token is not None and token.word in _REGION_ENDS and (name := ends.get(token.start)):
        return name.start if _name_part(name) else None
    return token.start if token is not None and _region(token) else None


region = _region  # read by anthology.text.privacy (regions written apart from their address)
NUMERAL, NUMBERS = _NUMERAL, _NUMBERS  # read there too (buildings with no named place)
