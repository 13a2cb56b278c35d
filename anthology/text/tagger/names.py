"""Person names from the tagger's spans: cut to the name, without the names the text shows are no
private person's (public figures, characters of a book or a film, institutions, pseudonyms, 某
forms). anthology.text.privacy reads them."""

from __future__ import annotations

import re

from anthology.text import words
from anthology.text.flags import Flag, Token
from anthology.text.tagger.features import COMPOUND_SURNAMES, STEM, STEMS, SURNAMES
from anthology.text.tagger.model import NOT_NAME_TAGS, Span, around, without_verb
from anthology.text.words import lexicon

_GLUED = frozenset("".join(lexicon("function_chars")))


def name_flags(text: str, tokens: list[Token], marked: list[Span]) -> list[Flag]:
    """The person names among the tagger's spans, and the forms of address it left out."""
    people = _people(text, tokens, [s for s in marked if s.kind == "person_name"])
    people += _forms_of_address(text, tokens, people)
    return _not_titles_or_institutions(text, people)


_SURNAMES = "".join(sorted(SURNAMES))
# A surname and a kin word or a title is a person wherever it stands (王奶奶来了, 刘大爷).
_FORM = re.compile(
    rf"[{_SURNAMES}](?:奶奶|爷爷|阿姨|大爷|大妈|大娘|大伯|大叔|叔叔|婶婶|阿婆|婆婆|阿公|伯伯|大姐|大哥|"
    r"老师|医生|书记|主任|师傅|校长|村长|支书)"
)


def _forms_of_address(text: str, tokens: list[Token], people: list[Flag]) -> list[Flag]:
    """A surname and a kin word or a title that starts a word and touches no name the tagger
    found: the tagger misses them in short sentences (王奶奶来了。)."""
    starts = {t.start for t in tokens}
    return [
        Flag("person_name", m.start(), m.end(), m.group())
        for m in _FORM.finditer(text)
        if m.start() in starts and all(m.end() <= f.start or m.start() >= f.end for f in people)
    ]


_NOT_NAMES = frozenset(
    lexicon("name_stopwords") + lexicon("public_figures") + lexicon("places_like_names")
)
# A person's name does not end like a place, an ethnic group or a language (王楼村, 苗族, 汉话).
# Nor does it hold a region's suffix (武侯区玉林).
_PLACE_END = re.compile("[村市县省镇乡区旗寨屯湾庄族]$|[汉壮藏苗彝]话$|[省市县区]")
# What stands before a name without being part of it: 维吾尔族大姐阿依古丽, 聋人小伙刘子豪.
_BEFORE_NAME = re.compile(
    r"(?:[\u4e00-\u9fff]{1,4}族)?(?:大姐|大哥|大叔|大婶|阿姨|奶奶|爷爷|老人|小伙|姑娘|社工|志愿者|"
    r"老师|书记|村医|医生|女儿|儿子|孙子|孙女|丈夫|妻子|媳妇|徒弟|侄子|户主|党委|额吉|阿帕|阿妈|阿爸|"
    r"牧民|农民|工人|棒棒|老乡|同村|邻居)"
)
_PSEUDONYM = re.compile(r"[（(]化名")
_PSEUDONYM_BEFORE = re.compile(r"化名[为是叫：:]?[“\"「]?$")
# A full name before a kin word or a title is flagged without it (王秀英奶奶, 扎西顿珠老师), and
# so before 家 and 名下 (玉香家, 符永强名下); a surname with a kin word or a title is the name
# (李奶奶, 欧阳老师, 曲比老师).
_TITLE_AFTER = re.compile(
    "(?:奶奶|爷爷|老师|阿姨|书记|医生|先生|女士|大爷|大妈|大娘|阿婆|阿公|阿奶|阿爷|阿嬷|师傅|婆婆|"
    "主任|社工|同学|大姐|大哥|大叔|叔叔|阿叔|校长|村长|支书|老人|名下|阿佳|阿妈妮|家)$"
)
_DOTS = "·•・"
_DOTTED = re.compile(rf"[\u4e00-\u9fff]+(?:[{_DOTS}][\u4e00-\u9fff]+)+")


def _people(text: str, tokens: list[Token], marked: list[Span]) -> list[Flag]:
    """The names the tagger marked, cut to the name: the whole of a name with a middle dot
    (古丽米拉·阿不都拉), no title after a full name, no verb the tagger ran on into (张建军称).
    Not 某 forms (王某, 陈某某: already anonymised), words jieba wrongly calls names, public
    figures and names the text says are pseudonyms."""
    found = []
    for span in marked:
        start, end = _dotted(text, tokens, span.start, _whole_word(text, tokens, span))
        end = without_verb(text, tokens, start, end, 2, _SAID)
        before = _BEFORE_NAME.match(text, start, end)
        if before and end - before.end() >= 2:
            start = before.end()
        if (cut := _NEVER_IN_NAMES.search(text, start + 1, end)) and cut.start() - start >= 2:
            end = cut.start()  # 仓央嘉措的诗, 谢德贵在
        name = text[start:end]
        title = _TITLE_AFTER.search(name)
        if title and title.start() >= 2 and name[0] not in "小老阿":
            surname = name[: title.start()]
            if surname not in COMPOUND_SURNAMES and surname not in STEMS:  # 欧阳老师, 曲比老师
                end = start + title.start()
                name = text[start:end]
        if (
            "某" not in name
            and name not in _NOT_NAMES
            and not _PLACE_END.search(name)
            and not _known_place(tokens, start, end)
            and not _common_word(text, start, end)
            and not _ordinary_words(text, tokens, start, end)
            and not _PSEUDONYM.match(text, end)
            and not _PSEUDONYM_BEFORE.search(text, max(0, start - 5), start)
            and not _quoted_pseudonym(text, start, end)
            and not name.endswith("者")  # 施暴者: a role
        ):
            found.append(Flag("person_name", start, end, name))
    return found


# Characters no name holds after its first (的, 在, 是): where the tagger ran on.
_NEVER_IN_NAMES = re.compile("[的在是了着过把被给让]")
# One-character words a name runs on into: 张建军称, 小罗说 (not 呷 of 阿牛木呷).
_SAID = frozenset("称说讲问答笑哭走来去在是和的了把被给让叫也都就还又")


def _whole_word(text: str, tokens: list[Token], span: Span) -> int:
    """The end of a span that stops inside a name word or a minority name part, moved to that
    word's end (赵金 / 花 -> 赵金花, 阿牛木 / 呷 -> 阿牛木呷)."""
    end = span.end
    for t in around(tokens, end, end + 1):
        if t.start < end < t.end and t.flag.startswith(("n", "x")) and t.end - span.start <= 4:
            end = t.end
    for stem in STEM.finditer(text, max(0, end - 3), min(len(text), end + 3)):
        if stem.start() < end < stem.end():
            end = stem.end()
    return end if end - span.start <= 12 else span.end


_AFTER = tuple(lexicon("words_after_names")) + ("说", "告诉", "问", "今年")
_BEFORE = tuple(w for w in lexicon("words_before_names") if len(w) >= 2) + ("叫", "叫做")


def _quoted_pseudonym(text: str, start: int, end: int) -> bool:
    """A quoted name shortly after 化名 (均使用化名，如“小花”“阿明”)."""
    return (
        text[start - 1 : start] in '“"「'
        and text[end : end + 1] in '”"」'
        and "化名" in text[max(0, start - 16) : start]
    )


def _common_word(text: str, start: int, end: int) -> bool:
    """A word jieba's dictionary counts often (顾客, 凌晨, 米粉, 荣耀; 养老金) with nothing around
    it that says it names a person (侄子高峰, 高峰说, 名叫高峰)."""
    frequency = words.frequency(text[start:end])
    if not (end - start == 2 and frequency >= 200 or end - start >= 3 and frequency >= 50):
        return False
    return not (text.startswith(_AFTER, end) or text[max(0, start - 4) : start].endswith(_BEFORE))


# Numerals and demonstratives before a measure word (那张表格, 一张纸): 张 is no surname there.
_COUNTING = frozenset("一二两三四五六七八九十几每这那哪半")


def _ordinary_words(text: str, tokens: list[Token], start: int, end: int) -> bool:
    """A span made of words that name no one: everyday words of two characters or more that jieba
    does not tag as a name (远程 / 办公, 远程 / 办), verbs and adjectives only (包 / 好), a verb in
    the middle (管 / 吃 / 管), a piece of an idiom or a numeral word (管吃管住, 一张 / 表格), a
    measure word after a numeral (那 / 张 / 表格)."""
    name = text[start:end]
    if STEM.search(name) or any(d in name for d in _DOTS) or name[:2] in COMPOUND_SURNAMES:
        return False  # jieba cuts minority names and compound surnames at random (才 / 让 / 东智)
    inside = around(tokens, start, end)
    named = inside[0].flag.startswith("nr")  # 陆 / 佩 / 华
    if any(
        (t.flag.startswith(("i", "l")) and (t.start < start or t.end > end))
        or (t.start < start and t.flag in ("m", "q"))
        or (t.start == start and t.flag == "q" and text[start - 1 : start] in _COUNTING)
        or (start < t.start and t.end < end and t.flag == "v" and not named)
        for t in inside
    ):
        return True
    if len(inside) >= 2 and all(t.flag.startswith(("v", "a", "d")) for t in inside):
        return True
    if inside[-1].flag == "v" and len(inside[-1].word) == 1:
        inside = inside[:-1]  # 远程 / 办
    return (
        len(inside) >= 1
        and all(
            len(t.word) >= 2 and not t.flag.startswith("nr") and words.frequency(t.word) >= 100
            for t in inside
        )
        and (len(inside) >= 2 or inside[0].end < end)
    )


def _known_place(tokens: list[Token], start: int, end: int) -> bool:
    """One word that jieba's dictionary knows well as a place (苏州, 海口), not as a name."""
    for t in around(tokens, start, end):
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
        words_in = [t for t in around(tokens, run.start(), run.end()) if run.start() <= t.start]
        first = start
        for t in reversed([t for t in words_in if t.end <= start]):
            if t.flag.startswith(NOT_NAME_TAGS) or set(t.word) & _GLUED:
                break
            first = t.start
        last = max(end, next((t.end for t in words_in if t.start < end <= t.end), end))
        return first, min(last, run.end())
    return start, end


_TITLE = re.compile(r"《([^《》\n]{1,40})》")
# A name followed by one of these names a school, a hospital, a firm (东方红小学,
# 张明律师事务所), not the person.
_INSTITUTION = re.compile(
    "(?:律师|会计师)?(?:小学|中学|大学|学校|学院|幼儿园|医院|卫生院|诊所|公司|集团|银行|酒店|饭店|"
    "纪念馆|博物馆|图书馆|事务所|基金会|研究院)"
)


# A story's own title (故事标题：《“张姐”的第二个春天》) is no book's: the names in it are people.
_OWN_TITLE = re.compile(r"(?:标题|题目|题为|篇名)[：:是为]?\s*$")
# So is a title that stands alone as the text's first line (《老韦的甘蔗地》——一位…的自述).
_HEADING = re.compile(r"\s*(?:$|\n|——|—)")


def _own_title(text: str, title: re.Match[str]) -> bool:
    return bool(
        _OWN_TITLE.search(text, 0, title.start())
        or (not text[: title.start()].strip() and _HEADING.match(text, title.end()))
    )


# After a book's title, in the same sentence, a character is named after these (讨论了孙少平).
_CHARACTER_CUE = re.compile(
    r"(?:讨论了?|主人公|(?:角色|人物)(?:是|叫|有)?|书中的?|剧中的?|书里的?|演)$"
)
_SENTENCE = re.compile(r"[^。！？\n]*")
# A name followed by these is a place (王府井附近), unless it holds a kin word or a title.
_AROUND = re.compile("附近|一带|周边|周围|旁边")


def _not_titles_or_institutions(text: str, people: list[Flag]) -> list[Flag]:
    """Drop the names inside a book's or a film's title (《你好，李焕英》, 《司马光砸缸》), the
    same names elsewhere in the text (演司马光的男孩: a character), characters named after the
    title (《平凡的世界》读书会上讨论了孙少平和田晓霞), institutions' and places' names and roles
    (施暴者)."""
    titles = [m for m in _TITLE.finditer(text) if not _own_title(text, m)] if "《" in text else []
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
            and not _KIN_OR_TITLE.search(f.text, 1)
        )
        and not f.text.endswith(("某", "者"))  # 王某: already anonymised; 施暴者: a role
    ]  # fmt: skip


_KIN_OR_TITLE = re.compile(
    "阿姨|大爷|奶奶|爷爷|大妈|大娘|大伯|大叔|叔叔|婶婶|婶子|阿婆|婆婆|阿公|伯伯|大姐|大哥|姐姐|哥哥|"
    "老师|医生|护士|主任|书记|师傅|女士|先生|老人|老汉|阿伯|科长|局长|处长|所长|院长|站长|校长|园长|"
    "村长|组长|队长|会长|部长|经理|律师|警官|大夫|老板|干事|专员|社工|支书|督导|[姐哥嫂]"
)
