"""Personal data in Chinese story text: find it so editors can pseudonymise it.

`detect(text)` returns non-overlapping `Flag`s (kind, start, end, text), sorted by position. Number
kinds are found with patterns plus checks (ID check digit and date, Luhn for bank cards:
anthology.text.contacts); whole addresses (anthology.text.places) and person names
(anthology.text.names) with jieba's part-of-speech tagging plus patterns. `detect_markdown` and
`markdown_view` read a Markdown body as its reader will. Used by the editorial site and the book
builder; it never imports Flask or `stories`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from anthology.text import names, pictures, places, words
from anthology.text.tagger import model
from anthology.text.tagger.features import COMPOUND_SURNAMES
from anthology.text.contacts import contact_flags, id_number_valid, luhn_valid
from anthology.text.flags import KINDS, PHONE_KINDS, Flag, Token, without_overlaps
from anthology.text.words import lexicon


def detect(text: str) -> list[Flag]:
    """All personal data found in `text`, without overlaps, in text order."""
    if not text:
        return []
    tokens = words.words(text)
    marked = model.spans(text, tokens)
    addresses = _addresses(text, [s for s in marked if s.kind == "address"])
    candidates = contact_flags(text) + addresses + _leading_regions(text, tokens, addresses)
    people = _people(text, tokens, [s for s in marked if s.kind == "person_name"])
    candidates += _not_titles_or_institutions(text, people)
    return without_overlaps(candidates)


# An address locates a door, a room or a village group: a number with its level (12号, 3单元,
# 502室, 五组, 二队), a 号, 室, 房 or 屯 at its end, or a village or community under its town or
# district (…官底镇前进村, …望京街道阳光社区, …大坪村下屋组). Bare places (陕西省榆林市米脂县,
# 西江镇, 罗山七村) are not flagged.
_DETAIL = re.compile(
    r"[0-9０-９零〇一二三四五六七八九十百]+(?:号|楼|栋|幢|座|单元|室|组|社|队|层|户|门|房|排|巷|弄|连)"
    r"|室|[号房屯间0-9]$|(?:镇|乡|街道|区|县|旗).{1,14}(?:村|社区|组|屯|寨|嘎查)$"
)
# What the tagger may leave after a house number: 16号负2-3, 218号 3-2-1.
_TAIL = re.compile(r"[-－0-9A-Za-z]+")


def _addresses(text: str, marked: list[model.Span]) -> list[Flag]:
    found = []
    for span in marked:
        end = span.end
        if text[end - 1] in "0123456789-号" and (tail := _TAIL.match(text, end)):
            end = tail.end()
        if _DETAIL.search(text, span.start, end):
            found.append(Flag("address", span.start, end, text[span.start : end]))
    return found


_NOT_NAMES = frozenset(
    lexicon("name_stopwords") + lexicon("public_figures") + lexicon("places_like_names")
)
# A person's name does not end like a place, an ethnic group or a language (王楼村, 苗族, 汉话).
_PLACE_END = re.compile("[村市县省镇乡区旗寨屯湾庄族]$|[汉壮藏苗彝]话$")
# What stands before a name without being part of it: 维吾尔族大姐阿依古丽, 聋人小伙刘子豪.
_BEFORE_NAME = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,4}族)?(?:大姐|大哥|大叔|大婶|阿姨|奶奶|爷爷|老人|小伙|姑娘|社工|志愿者|"
    r"老师|书记|村医|医生|女儿|儿子|孙子|孙女|丈夫|妻子|媳妇|徒弟|侄子|户主|党委|额吉|阿帕|阿妈|阿爸)"
)
_PSEUDONYM = re.compile(r"[（(]化名")
# A full name before a kin word or a title is flagged without it (王秀英奶奶, 扎西顿珠老师);
# a surname with it is the name (李奶奶, 欧阳老师, 小周姐).
_TITLE_AFTER = re.compile(
    "(?:奶奶|爷爷|老师|阿姨|书记|医生|先生|女士|大爷|大妈|大娘|阿婆|阿公|阿奶|阿爷|阿嬷|师傅|婆婆|"
    "主任|社工|同学|大姐|大哥|大叔|叔叔|阿叔|校长|村长|支书|老人|名下)$"
)
_DOTS = "·•・"
_DOTTED = re.compile(rf"[\u4e00-\u9fff]+(?:[{_DOTS}][\u4e00-\u9fff]+)+")
# Word tags that do not end a name: verbs, adverbs, prepositions, conjunctions, particles.
_NOT_NAME_TAGS = ("v", "d", "p", "c", "u", "y", "r")


def _people(text: str, tokens: list[Token], marked: list[model.Span]) -> list[Flag]:
    """The names the tagger marked, cut to the name: the whole of a name with a middle dot
    (古丽米拉·阿不都拉), no title after a full name, no verb the tagger ran on into (张建军称).
    Not 某 forms (王某, 陈某某: already anonymised), words jieba wrongly calls names, public
    figures and names the text says are pseudonyms."""
    found = []
    for span in marked:
        start, end = _dotted(text, tokens, span.start, span.end)
        end = _without_verb(text, tokens, start, end)
        before = _BEFORE_NAME.match(text, start, end)
        if before and end - before.end() >= 2:
            start = before.end()
        name = text[start:end]
        title = _TITLE_AFTER.search(name)
        if title and title.start() >= 2 and name[: title.start()] not in COMPOUND_SURNAMES:
            if name[0] not in "小老阿":
                end = start + title.start()
                name = text[start:end]
        if (
            "某" not in name
            and name not in _NOT_NAMES
            and not _PLACE_END.search(name)
            and not _known_place(tokens, start, end)
            and not _PSEUDONYM.match(text, end)
            and not name.endswith("者")  # 施暴者: a role
        ):
            found.append(Flag("person_name", start, end, name))
    return found


def _known_place(tokens: list[Token], start: int, end: int) -> bool:
    """One word that jieba's dictionary knows well as a place (苏州, 海口), not as a name."""
    for t in tokens:
        if t.start == start and t.end == end:
            return t.flag in ("ns", "s") and words.frequency(t.word) >= 100
    return False


def _dotted(text: str, tokens: list[Token], start: int, end: int) -> tuple[int, int]:
    """A span at or across a middle dot widened to the dotted name's words (帮买买提江·艾买提:
    from 买买提, not from 帮)."""
    near = text[max(0, start - 1) : end + 1]
    if not any(dot in near for dot in _DOTS):
        return start, end
    for run in _DOTTED.finditer(text, max(0, start - 20)):
        if run.start() > end or run.end() < start:
            continue
        words_in = [t for t in tokens if run.start() <= t.start < run.end()]
        first = start
        for t in reversed([t for t in words_in if t.end <= start]):
            if t.flag.startswith(_NOT_NAME_TAGS) or set(t.word) & _GLUED:
                break
            first = t.start
        last = max(end, next((t.end for t in words_in if t.start < end <= t.end), end))
        return first, min(last, run.end())
    return start, end


def _without_verb(text: str, tokens: list[Token], start: int, end: int) -> int:
    """The end of a name without the verb or particle word it ends with (赵金花/管账)."""
    for t in tokens:
        if t.end == end and t.start > start + 1 and t.flag.startswith(_NOT_NAME_TAGS):
            return t.start
    return end


_N = places.NUMERAL
# Two of building, unit and room with no name before them: 同一小区的9号楼1单元1102, 2单元501.
_BARE_BUILDING = re.compile(rf"(?<![0-9A-Za-z\-第]){_N}(?:号楼|栋|幢|座|单元)")
_LEVELS = (
    re.compile("号楼|栋|幢|座"),
    re.compile("单元"),
    re.compile(r"室|[楼栋幢座元][0-9]{3,4}$"),
)
# The production and construction corps: 新疆生产建设兵团第八师143团3连18栋2号 (division,
# regiment, company and house); a regiment alone is no address (兵团第八师143团的棉花).
_CORPS = re.compile(rf"(?:(?:新疆生产建设)?兵团(?:第?{_N}师)?|第?{_N}师){_N}团(?:{_N}连)?")


def _bare_addresses(text: str) -> list[Flag]:
    """Addresses with no named place, read by patterns: corps companies and building runs."""
    found = []
    for match in _CORPS.finditer(text):
        numbers = places.NUMBERS.match(text, match.end())
        if numbers or match.group().endswith("连"):
            stop = numbers.end() if numbers else match.end()
            found.append(Flag("address", match.start(), stop, text[match.start() : stop]))
    for match in _BARE_BUILDING.finditer(text):
        numbers = places.NUMBERS.match(text, match.start())
        if numbers and sum(bool(level.search(numbers.group())) for level in _LEVELS) >= 2:
            found.append(Flag("address", match.start(), numbers.end(), numbers.group()))
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
        if places.region(token):
            run = [*run, token] if run and run[-1].end == token.start else [token]
    if (
        (len(run) >= 3 or (len(run) == 2 and run[0].word.endswith(("省", "自治区", "市"))))
        and 0 < start - run[-1].end <= 20
        and run[-1].word.endswith(("县", "区", "镇", "乡", "旗"))
    ):
        return [Flag("address", run[0].start, run[-1].end, text[run[0].start : run[-1].end])]
    return []


_TITLE = re.compile(r"《([^《》\n]{1,40})》")
# A name followed by one of these names a school, a hospital, a firm (东方红小学,
# 张明律师事务所), not the person.
_INSTITUTION = re.compile(
    "(?:律师|会计师)?(?:小学|中学|大学|学校|学院|幼儿园|医院|卫生院|诊所|公司|集团|银行|酒店|饭店|"
    "纪念馆|博物馆|图书馆|事务所|基金会|研究院)"
)


# A story's own title (故事标题：《“张姐”的第二个春天》) is no book's: the names in it are people.
_OWN_TITLE = re.compile(r"(?:标题|题目|题为|篇名)[：:是为]?\s*$")
# After a book's title, in the same sentence, a character is named after these (讨论了孙少平).
_CHARACTER_CUE = re.compile(r"(?:讨论了?|主人公|角色|人物|书中的?|剧中的?|书里的?|演)$")
_SENTENCE = re.compile(r"[^。！？\n]*")
# A name followed by these is a place (王府井附近), unless it holds a kin word or a title.
_AROUND = re.compile("附近|一带|周边|周围|旁边")


def _not_titles_or_institutions(text: str, people: list[Flag]) -> list[Flag]:
    """Drop the names inside a book's or a film's title (《你好，李焕英》, 《司马光砸缸》), the
    same names elsewhere in the text (演司马光的男孩: a character), characters named after the
    title (《平凡的世界》读书会上讨论了孙少平和田晓霞), institutions' and places' names and roles
    (施暴者)."""
    titles = [
        m for m in _TITLE.finditer(text) if not _OWN_TITLE.search(text, 0, m.start())
    ] if "《" in text else []  # fmt: skip
    characters = {
        f.text for f in people if any(m.start(1) <= f.start and f.end <= m.end(1) for m in titles)
    }
    for title in titles:
        sentence, named = _SENTENCE.match(text, title.end()).end(), -1
        for f in sorted(people, key=lambda f: f.start):
            if title.end() <= f.start < sentence and (
                _CHARACTER_CUE.search(text[max(0, f.start - 4) : f.start])
                or text.startswith(("这个人物", "这个角色", "这一角色"), f.end)
                or (named == f.start - 1 and text[named] in "和与、")
            ):  # 讨论了孙少平和田晓霞
                characters.add(f.text)
                named = f.end
    return [
        f for f in people
        if f.text not in characters
        and not (
            (_INSTITUTION.match(text, f.end) or _AROUND.match(text, f.end))
            and not names.KIN_OR_TITLE.search(f.text, 1)
        )
        and not f.text.endswith(("某", "者"))  # 王某: already anonymised; 施暴者: a role
    ]  # fmt: skip


# Well-known writers, leaders and scientists (lexicon.toml).
_PUBLIC_FIGURES = frozenset(lexicon("public_figures"))


# A form's person field: 服务对象杨淑芬，..., 姓名：王秀兰 (a surname and one or two characters
# that end the field).
_LABELLED = re.compile(
    r"(?:服务对象|案主|姓名|联系人|监护人|申请人|求助人|当事人|受助人|家属|户主|患者|患儿|家长)"
    r"[：:\s]?"
    rf"({names.SURNAME}[\u4e00-\u9fff]{{1,2}}?)"
    r"(?=[，。；、,;（(\s]|$|[男女]，)"
)


def _labelled_names(text: str) -> list[Flag]:
    return [
        Flag("person_name", *m.span(1), m.group(1))
        for m in _LABELLED.finditer(text)
        if not words.common_word(m.group(1))  # 患者白血病，患儿高烧，
    ]


# Given names of Uyghur, Kazakh, Tibetan, Mongolian and Yi people and Yi clan names, written
# without a Chinese surname (阿依古丽, 买买提, 扎西, 卓玛, 巴特尔, 阿呷, 吉克), as their usual
# parts; two parts make a full name (扎西次仁, 吉克曲布), a middle dot joins a given name and the
# father's name (帕提古丽·吐尔逊).
_STEMS = "|".join(sorted(lexicon("minority_stems"), key=len, reverse=True))
_ONE = rf"(?:{_STEMS}){{1,3}}[江汗罕娜丽拉]?"
_FIRST = "".join(sorted({stem[0] for stem in _STEMS.split("|")}))  # a quick scan
_MINORITY = re.compile(rf"(?=[{_FIRST}]){_ONE}(?:[·•・]{_ONE})?")
_STEM = re.compile(_STEMS)
_NAMED_TAGS = ("nr", "nz", "ns")
_GLUED = frozenset("".join(lexicon("function_chars")))
_PLACE_CHARS = frozenset("省市县区州镇乡村路街巷寨屯沟山河湖")


def _minority_names(text: str, tokens: list[Token]) -> list[Flag]:
    """A word jieba knows as a name or not at all, tagged a name or said to be a person:
    阿依古丽一家, 扎西今年, 买买提说; two parts (泽仁拉姆, 沙马 / 拉且) or a middle dot with no
    more evidence, also after a function character jieba glued to them (遇到 / 了泽仁 / 拉姆)."""
    if not _MINORITY.search(text):
        return []
    by_start = {t.start: t for t in tokens}
    starts = sorted(by_start)
    ends = {t.end for t in tokens}
    found: list[Flag] = []
    for match in _MINORITY.finditer(text):
        start, end = match.span()
        word = match.group()
        token = by_start.get(start) or by_start[starts[bisect.bisect_right(starts, start) - 1]]
        if (token.start < start and not set(text[token.start : start]) <= _GLUED) or (
            end not in ends and "·" not in word
        ):
            continue  # 乌云密布, 格桑花
        full = len(_STEM.findall(word)) >= 2 and len(word) >= 4 or "·" in word
        if full and text[end : end + 1] not in _PLACE_CHARS:
            found.append(Flag("person_name", start, end, word))
            continue
        named = token.flag.startswith(_NAMED_TAGS)  # 扎西/ns: a dictionary word, as a name
        known = (
            named or len(word) >= 3 or token.end < end
        )  # 次 / 仁: no word to jieba  # a two-character word (n): not a name alone
        if known and (
            token.flag.startswith("nr")
            or names.SUBJECT_VERB.match(text, end)
            or names.person_context(text, start, end)
            or text.startswith("一家", end)
        ):
            found.append(Flag("person_name", start, end, word))
    return found


def detect_contact_data(text: str) -> list[Flag]:
    """Numbers, e-mail addresses, labelled IDs and plates only: no word segmentation.

    About a hundred times faster than `detect`, so the book builder can check a whole volume.
    """
    return without_overlaps(contact_flags(text)) if text else []


# Markdown bodies carry the escapes of `anthology.text.markdown.escape_markdown` (139\-2233\-4455,
# qq\.com, &amp;): the detector reads the unescaped text and the flags point into the Markdown.
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])|&(amp|lt|gt|#126);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "#126": "~"}


@dataclass(frozen=True)
class MarkdownView:
    """Markdown read as plain text: `text[i]` comes from `markdown[starts[i]:ends[i]]`."""

    markdown: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The Markdown span of the plain-text span [start, end)."""
        if start >= end:
            position = self.starts[start] if start < len(self.starts) else len(self.markdown)
            return position, position
        return self.starts[start], self.ends[end - 1]


def markdown_view(markdown: str) -> MarkdownView:
    """The text as read; picture references count as spaces (their hash is no personal data)."""
    source = pictures.masked(markdown) if "picture:" in markdown else markdown
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for match in _MARKDOWN_ESCAPE.finditer(source):
        for index in range(position, match.start()):
            chars.append(source[index])
            starts.append(index)
            ends.append(index + 1)
        chars.append(match.group(1) or _ENTITIES[match.group(2)])
        starts.append(match.start())
        ends.append(match.end())
        position = match.end()
    for index in range(position, len(source)):
        chars.append(source[index])
        starts.append(index)
        ends.append(index + 1)
    return MarkdownView(markdown, "".join(chars), tuple(starts), tuple(ends))


def markdown_text(markdown: str) -> str:
    """`markdown_view(markdown).text`, without the positions (much faster)."""
    source = pictures.masked(markdown) if "picture:" in markdown else markdown
    return _MARKDOWN_ESCAPE.sub(lambda m: m.group(1) or _ENTITIES[m.group(2)], source)


def detect_markdown(markdown: str) -> list[Flag]:
    """`detect` on a Markdown body: `text` as read, `start`/`end` into the Markdown."""
    view = markdown_view(markdown)
    flags = []
    for flag in detect(view.text):
        start, end = view.source_span(flag.start, flag.end)
        flags.append(Flag(flag.kind, start, end, flag.text))
    return flags


__all__ = [
    "KINDS",
    "PHONE_KINDS",
    "Flag",
    "MarkdownView",
    "detect",
    "detect_contact_data",
    "detect_markdown",
    "id_number_valid",
    "luhn_valid",
    "markdown_text",
    "markdown_view",
]
