"""Names of people and places in Chinese text, found with jieba's part-of-speech tagging.

Person names: words tagged as names that start with a common surname, a surname split from its
given name, and patterns such as 张阿姨, 王某某, 小李, 老周. Places: detailed addresses, a region
(省, 市, 区 ...) or a named place (小区, 村, 路 ...) followed by more of an address or by numbers
(3栋201室); a region alone is not flagged.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from anthology.text.flags import Flag

# Common surnames. Single-character surnames that are also everyday function words
# (和, 向, 于, 连, 时, 常, 成, 文, 安, 明, 路, 全) are left out of the patterns.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔汤温施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝"
    "包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳管柴鲍华喻祁蒲房滕屈饶牟艾尤穆"
    "卓古吉缪简车项麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟应臧闵苟邬边卞姬栾隋商刁沙荣"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "慕容",
    "令狐",
    "司徒",
    "夏侯",
)
_KIN_SUFFIXES = (
    "阿姨|大爷|奶奶|爷爷|大妈|大娘|大伯|大叔|叔叔|婶婶|婶子|阿婆|婆婆|阿公|伯伯|大姐|大哥|姐姐|"
    "哥哥|老师|医生|护士|主任|书记|师傅|女士|先生|老人|老汉|阿伯|某某|某"
)
_KIN_NAME = re.compile(rf"(?:{'|'.join(_COMPOUND_SURNAMES)}|[{_SURNAMES}])(?:{_KIN_SUFFIXES})")
_NICKNAME = re.compile(rf"[小老阿][{_SURNAMES}]")
# Tokens jieba sometimes tags as person names although they are ordinary words.
_NAME_STOPWORDS = frozenset(
    "阿姨 大爷 奶奶 爷爷 老人 老师 社工 志愿者 孩子 同学 医生 高兴 明白 周末 黄金 石头 金牌 "
    "江湖 白天 方向 常人 武术 温暖 平安 安心 关心 华人 林子 高峰 马上 向上 雷锋 包容 宁静 "
    "孙女 孙子 涂黑 高度 张罗 贾母 金钱 黄昏 石油 任性 任务 毛病 章程 白发 邓小平 贺卡 高中生 "
    "高中 高三 高考 马路 马桶 黄色 白色 金色 谢谢 齐声".split()
)

_REGION_SUFFIXES = (
    "省",
    "自治区",
    "市",
    "自治州",
    "州",
    "盟",
    "地区",
    "区",
    "县",
    "旗",
    "镇",
    "乡",
)
_PLACE_SUFFIXES = (
    "街道",
    "社区",
    "小区",
    "新村",
    "花园",
    "家园",
    "公寓",
    "大厦",
    "胡同",
    "大街",
    "村",
    "路",
    "街",
    "巷",
    "弄",
    "苑",
    "屯",
    "庄",
)
_STANDALONE_PLACE = frozenset({"街道", "社区", "小区", "新村", "花园", "家园", "公寓", "村"})
_UNIT = re.compile(r"^(?:号楼|号院|号|栋|幢|座|单元|室|楼|层|组|门|户)$")
_NUMBER = re.compile(r"^(?:[0-9]+(?:-[0-9]+)*|[一二三四五六七八九十百零〇两]+)$")
_NUMBERED_UNIT = re.compile(
    r"^(?:[0-9]+|[一二三四五六七八九十百零〇两]+)(?:号楼|号院|号|栋|幢|座|单元|室|楼|层|组|门)$"
)
_NOUNISH = ("n", "nr", "ns", "nt", "nz", "ng", "j", "a", "s", "f", "t", "m", "b", "l", "i", "eng")

_jieba_lock = threading.Lock()


@dataclass(frozen=True)
class Token:
    """A word of the text as jieba cut and tagged it, with its position."""

    word: str
    flag: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _posseg() -> Any:
    """jieba's part-of-speech tokenizer, loaded once (the dictionary takes about a second)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
    return jieba.posseg


def words(text: str) -> list[Token]:
    """The text cut into tagged words (jieba's part-of-speech tokenizer)."""
    tokens: list[Token] = []
    position = 0
    for pair in _posseg().cut(text):
        word = pair.word
        start = text.find(word, position)
        if start < 0:  # jieba never drops characters, but stay safe
            continue
        tokens.append(Token(word, pair.flag, start, start + len(word)))
        position = start + len(word)
    return tokens


def _is_region(token: Token) -> bool:
    if token.flag == "ns" and len(token.word) >= 2:
        return True
    return len(token.word) >= 2 and token.word.endswith(_REGION_SUFFIXES)


def _is_place(token: Token) -> bool:
    word = token.word
    return len(word) >= 2 and word.endswith(_PLACE_SUFFIXES) and token.flag != "v"


def _place_word(token: Token | None) -> bool:
    """A place word that ends a place name: 小区, 村, 路, or a short one such as 北路, 南街."""
    if token is None:
        return False
    if token.word in _STANDALONE_PLACE or token.word in ("路", "街", "巷", "弄"):
        return True
    return len(token.word) == 2 and token.word[0] in "东南西北中" and token.word[1] in "路街"


def _name_part(token: Token) -> bool:
    return token.flag.startswith(_NOUNISH) and bool(
        re.fullmatch(r"[\u4e00-\u9fff]{1,4}", token.word)
    )


def _address_at(tokens: list[Token], i: int) -> int:
    """The index after the address that starts at token i, or i when none starts there."""
    j = i
    regions = places = numbers = 0
    while j < len(tokens):
        token = tokens[j]
        following = tokens[j + 1] if j + 1 < len(tokens) else None
        after = tokens[j + 2] if j + 2 < len(tokens) else None
        if _name_part(token) and _place_word(following):
            places += 1  # 阳光 + 社区, 玉林 + 北路
            j += 2
        elif (
            following is not None
            and _name_part(token)
            and _name_part(following)
            and _place_word(after)
            and not _is_region(following)
        ):
            places += 1  # 幸福 + 里 + 小区
            j += 3
        elif _is_place(token):
            places += 1
            j += 1
        elif _is_region(token) and not places and not numbers:
            regions += 1
            j += 1
        elif token.word in ("街道", "区", "县", "市", "镇", "乡") and regions and not places:
            j += 1
        elif _NUMBERED_UNIT.match(token.word) and (regions or places or numbers):
            numbers += 1
            j += 1
        elif (
            _NUMBER.match(token.word)
            and following is not None
            and _UNIT.match(following.word)
            and (regions or places or numbers)
        ):
            numbers += 1
            j += 2
        elif numbers and (_UNIT.match(token.word) or re.fullmatch(r"[0-9]{1,5}", token.word)):
            j += 1  # 5号 + 楼, 3单元 + 402
        else:
            break
    detailed = (places and (regions or numbers or places >= 2)) or (regions and numbers)
    return j if detailed else i


def address_flags(text: str, tokens: list[Token]) -> list[Flag]:
    found: list[Flag] = []
    i = 0
    while i < len(tokens):
        end = _address_at(tokens, i)
        if end > i:
            start, stop = tokens[i].start, tokens[end - 1].end
            found.append(Flag("address", start, stop, text[start:stop]))
            i = end
        else:
            i += 1
    return found


def _common_word(word: str) -> bool:
    """A dictionary word that jieba does not take for a name or a time word (小车, 小时)."""
    posseg = _posseg()
    tag = posseg.dt.word_tag_tab.get(word)
    return tag not in (None, "nr", "t") and posseg.dt.tokenizer.FREQ.get(word, 0) > 0


_GIVEN_NAME_NOT = ("p", "c", "u", "r", "d", "v", "x", "q", "m", "t", "f", "s")


def name_flags(text: str, tokens: list[Token]) -> list[Flag]:
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    found: list[Flag] = []
    previous = ""
    for token in tokens:
        word, before, previous = token.word, previous, token.word
        if token.flag != "nr" or not 2 <= len(word) <= 4 or word in _NAME_STOPWORDS:
            continue
        if word.endswith(_REGION_SUFFIXES + _PLACE_SUFFIXES):  # 武侯区, 幸福村: places
            continue
        if not re.fullmatch(r"[\u4e00-\u9fff]+", word) or before.endswith(word[0]):
            continue  # 一张 / 张收: a doubled measure word, not a surname
        surname = word.startswith(_COMPOUND_SURNAMES) or word[0] in _SURNAMES
        nickname = len(word) == 2 and word[0] in "小老阿" and word[1] in _SURNAMES
        if surname or nickname:
            found.append(Flag("person_name", token.start, token.end, word))
    for token, following in zip(tokens, tokens[1:], strict=False):
        # jieba sometimes splits a full name into surname + given name (周 / 欣怡).
        if (
            len(token.word) == 1
            and token.word in _SURNAMES
            and token.start in starts
            and re.fullmatch(r"[\u4e00-\u9fff]{1,2}", following.word)
            and (
                following.flag == "nr"  # 罗 / 秀英
                or (token.flag == "nr" and not following.flag.startswith(_GIVEN_NAME_NOT))
            )
        ):
            found.append(
                Flag("person_name", token.start, following.end, text[token.start : following.end])
            )
    for match in _KIN_NAME.finditer(text):
        if match.start() in starts:
            found.append(Flag("person_name", match.start(), match.end(), match.group()))
    for match in _NICKNAME.finditer(text):
        if match.start() in starts and match.end() in ends and not _common_word(match.group()):
            found.append(Flag("person_name", match.start(), match.end(), match.group()))
    return found
