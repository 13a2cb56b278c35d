"""Names of people in Chinese text, found with jieba's part-of-speech tagging and patterns.

Words tagged as names that start with a common or a compound surname; full names jieba cut
up (周 / 欣怡, 欧阳明 / 远, 林子 / 涵); kin words, titles and forms of address after a surname
(张阿姨, 黄主任, 刘姐); 小李, 老周; familiar forms and given names when the sentence calls them
people (同事小马, 学生阿杰, 强哥是班组长, 建军是张大妈的儿子, 秀英说). Also the place suffixes
that anthology.text.places reads addresses with. Both work on the tagged words of
anthology.text.words.
"""

from __future__ import annotations

import re

from anthology.text.flags import Flag, Token
from anthology.text.words import common_word as _common_word
from anthology.text.words import lexicon

# Common surnames (lexicon.toml).
_SURNAMES = "".join(lexicon("surnames"))
# Compound surnames (复姓) still in use. Those that are also everyday words or place names
# (东方, 长孙, 百里, 西门, 南宫, 闻人) count only when jieba or the sentence calls them a person.
_WORD_COMPOUNDS = ("东方", "长孙", "百里", "西门", "南宫", "闻人")
COMPOUND_SURNAMES = _COMPOUND_SURNAMES = (
    *"欧阳 司马 上官 诸葛 皇甫 慕容 令狐 司徒 夏侯 尉迟 公孙 宇文 申屠 澹台 公冶 端木 轩辕 "
    "呼延 钟离 万俟 赫连 拓跋 完颜 淳于 东郭 左丘 独孤 公羊".split(),
    *_WORD_COMPOUNDS,
)
_KIN_SUFFIXES = (
    "阿姨|大爷|奶奶|爷爷|大妈|大娘|大伯|大叔|叔叔|婶婶|婶子|阿婆|婆婆|阿公|伯伯|大姐|大哥|姐姐|"
    "哥哥|老师|医生|护士|主任|书记|师傅|女士|先生|老人|老汉|阿伯"
)
_KIN_NAME = re.compile(rf"(?:{'|'.join(_COMPOUND_SURNAMES)}|[{_SURNAMES}])(?:{_KIN_SUFFIXES})")
_NICKNAME = re.compile(rf"[小老阿][{_SURNAMES}]")
# Tokens jieba sometimes tags as person names although they are ordinary words.
_NAME_STOPWORDS = frozenset(lexicon("name_stopwords"))

REGION_SUFFIXES = ("省", "自治区", "市", "自治州", "州", "盟", "地区", "区", "县", "旗", "镇", "乡")
PLACE_SUFFIXES = (
    "街道", "社区", "小区", "新村", "花园", "家园", "公寓", "大厦", "胡同", "大街",
    "村", "路", "街", "巷", "弄", "苑", "屯", "庄", "里", "坊", "湾", "大道",
)  # fmt: skip
# Names followed by a place suffix are places (武侯区, 幸福村), not people.
_PLACE_ENDINGS = REGION_SUFFIXES + PLACE_SUFFIXES
_TITLES = (
    "科长|局长|处长|所长|院长|站长|校长|园长|村长|组长|队长|会长|部长|经理|律师|警官|大夫|老板|"
    "干事|专员|社工|阿姨|支书|督导"
)
_TITLE_NAME = re.compile(rf"(?:{'|'.join(_COMPOUND_SURNAMES)}|[{_SURNAMES}])(?:{_TITLES})")
# 刘姐, 王哥, 李嫂, but not 姐妹, 哥们, 嫂子 (a word of its own after the surname).
_SIBLING_NAME = re.compile(rf"[{_SURNAMES}][姐哥嫂](?![妹夫们弟子姐哥])")
_AH_NAME = re.compile(r"阿[\u4e00-\u9fff][姐哥妹](?![妹夫们弟子姐哥])")
# A common word such as 小马 or 老高 is a person when the sentence says so.
_PERSON_BEFORE = tuple("同事 叫 叫做 名叫 同学 志愿者 社工 朋友 邻居 督导 和 跟 找 见".split())
_PERSON_AFTER = re.compile(
    r"(?:的(?:父亲|母亲|爸爸|妈妈|爷爷|奶奶|外婆|孩子|女儿|儿子|丈夫|妻子|家人|家)"
    r"|说|告诉|笑|回答|问|陪|带着)"
)
_GIVEN_TAGS = ("nr", "ns", "nz", "z", "ng")
# Characters common in given names: a word made of them, said to speak, is a person (建华说).
_GIVEN_CHARS = frozenset(
    "建国华军民强伟勇刚志明海平春秀英兰芳桂珍凤玲霞红丽娟敏静燕萍琴慧淑芬梅艳莉婷欣怡"
    "浩宇轩涛磊鹏杰俊辉斌峰超亮鑫晨玉翠娥莲荣福贵德顺有成林文彬卫东"
)
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2}")
_HAN_GIVEN = re.compile(r"[\u4e00-\u9fff]{1,2}")
_HAN_WORD = re.compile(r"[\u4e00-\u9fff]+")


_GIVEN_NAME_NOT = ("p", "c", "u", "r", "d", "v", "x", "q", "m", "t", "f", "s")


def _split_names(text: str, tokens: list[Token]) -> list[Flag]:
    """Full names jieba cut in two: 周 / 欣怡, 张 / 婷婷, 谢 / 桂兰 (when the sentence calls 桂兰,
    a dictionary word, a person: 谢桂兰说)."""
    found: list[Flag] = []
    for index, (token, following) in enumerate(zip(tokens, tokens[1:], strict=False)):
        given = following.word
        if not _HAN_GIVEN.fullmatch(given) or given.endswith(_PLACE_ENDINGS) or "某" in given:
            continue  # 陈某某: already anonymised
        before = tokens[index - 1].word if index else ""
        if before.endswith(token.word[:1]):
            continue  # 一张 / 张收: a doubled measure word
        if len(token.word) != 1 or token.word not in _SURNAMES:
            continue  # compound surnames: _compound_names
        hit = (
            following.flag == "nr"  # 罗 / 秀英
            or (token.flag == "nr" and not following.flag.startswith(_GIVEN_NAME_NOT))
            or (len(given) == 2 and given[0] == given[1])  # 张 / 婷婷
            or (len(given) == 2 and following.flag.startswith(_GIVEN_TAGS)
                and given not in _NAME_STOPWORDS and (not _common_word(given)
                or _said_to_be_person(text, token.start, following.end)))  # 谢 / 桂兰 说
            or (len(given) == 2 and not following.flag.startswith(_GIVEN_NAME_NOT)
                and given not in _NAME_STOPWORDS and _clause_start(text, token.start)
                and bool(_PERSON_AFTER.match(text, following.end)))  # 张 / 欣怡 说
        )  # fmt: skip
        if hit:
            found.append(
                Flag("person_name", token.start, following.end, text[token.start : following.end])
            )
    return found


# Characters that end a given name after a compound surname (上官婉清提醒, 夏侯婷说, 申屠明说).
_NOT_GIVEN_CHARS = frozenset(
    "的了在是和与及把被从到向给对着过也都就还又很我你他她它们这那个有没不为以于而但并或其此每各该"
    "住说去来要会能让叫请跟找问"
)
# Words newer than jieba's dictionary that a compound surname's last character starts.
_NEWER = frozenset({"官网", "官微", "官博"})
_KIN_OR_TITLE = re.compile(rf"(?:{_KIN_SUFFIXES}|{_TITLES}|[姐哥嫂])")


def _given_char(token: Token) -> bool:
    """A one-character word that may be part of a given name (婉 dg, 清 a, 婷 x, 阳 nr)."""
    flag = token.flag
    return (
        _HAN_CHAR.fullmatch(token.word) is not None
        and token.word not in _NOT_GIVEN_CHARS
        and (flag.endswith("g") or flag[0] not in "pcurdvmqtf")
    )


def _compound_names(text: str, tokens: list[Token]) -> list[Flag]:
    """A compound surname and a given name of one or two characters, whatever jieba made of the
    given name: 上官 / 婉 / 清, 宇文 / 浩然, 夏侯 / 婷. Not 上官 / 网 (上 官网), nor a name followed
    by a kin word or title (上官老师: the patterns below), nor 东方 / 航空."""
    found: list[Flag] = []
    for index, token in enumerate(tokens[:-1]):
        following = tokens[index + 1]
        if (
            len(token.word) == 3
            and token.word[:2] in _COMPOUND_SURNAMES
            and token.flag == "nr"
            and _given_char(following)
            and not following.word.endswith(_PLACE_ENDINGS)
        ):  # 欧阳明 / 远: a two-character given name cut short
            found.append(Flag("person_name", token.start, following.end,
                              text[token.start : following.end]))  # fmt: skip
            continue
        surname = token.word[-2:]
        if surname not in _COMPOUND_SURNAMES or not set(token.word[:-2]) <= _NOT_GIVEN_CHARS:
            continue
        start = token.end - 2
        following = tokens[index + 1]
        bridge = text[start + 1 : start + 3]  # 上官网: 上 官网, 上官场: 上 官场
        if _KIN_OR_TITLE.match(text, following.start) or _common_word(bridge) or bridge in _NEWER:
            continue
        if len(following.word) == 2 and _HAN_NAME.fullmatch(following.word):
            first, second = following.word
            if second in _NOT_GIVEN_CHARS and first not in _NOT_GIVEN_CHARS:  # 申屠 / 明说
                following = Token(first, "nr", following.start, following.start + 1)
            elif following.flag[0] in "pcurdvmqtf" and following.flag != "nr":
                continue
            given = [following]
        elif _given_char(following):
            given = [following]
            after = tokens[index + 2] if index + 2 < len(tokens) else None
            if (
                after is not None
                and _given_char(after)
                and not _KIN_OR_TITLE.match(text, after.start)
            ):
                given.append(after)
        else:
            continue
        end = given[-1].end
        if text[start:end].endswith(_PLACE_ENDINGS):
            continue  # 欧阳 / 村: a place
        if surname in _WORD_COMPOUNDS and not (
            token.flag == "nr"
            or any(part.flag == "nr" for part in given)
            or _said_to_be_person(text, start, end)
        ):
            continue
        found.append(Flag("person_name", start, end, text[start:end]))
    return found


def _said_to_be_person(text: str, start: int, end: int) -> bool:
    """The context calls the word a person: 同事小马, 小马的父亲, 老高说."""
    return text[max(0, start - 2) : start].endswith(_PERSON_BEFORE) or bool(
        _PERSON_AFTER.match(text, end)
    )


_CLAUSE_BREAK = "，。！？；：“”‘’、（）()《》\n 　,.!?;:"
# Evidence that a word jieba did not tag is a person: a role before it (学生阿杰, 叫他福叔), or as
# its clause's subject a kin word or role after it (强哥是工地上的班组长, 小杰和爸爸).
_ROLE_BEFORE = tuple(
    "学生 儿童 人员 女孩 男孩 孩子 少年 少女 居民 患者 工友 室友 对象 叫他 叫她 喊他 "
    "喊她 称他 称她 老乡 病友 学员 案主".split()
)
_KIN = "|".join("儿子 女儿 孙子 孙女 外孙 外孙女 丈夫 妻子 老伴 父亲 母亲 爸爸 妈妈 哥哥 姐姐 弟弟 "
                "妹妹 侄子 侄女 儿媳 女婿 爷爷 奶奶 外婆 外公".split())  # fmt: skip
_SUBJECT_AFTER = re.compile(
    rf"(?:是[^，。！？；\s]{{0,12}}?的(?:小|大|二|三)?(?:{_KIN}|[^，。！？；的\s]{{0,3}}"
    r"(?:长|员|工|师|者|生|友|手|机|匠|保姆|孩子|女孩|男孩|姑娘))(?:[，。！？；]|$)"
    rf"|[和跟](?:{_KIN}))"
)
# A plain given name needs a kin word: 建军是张大妈的小儿子 (not 会计是村里的老党员).
_KIN_AFTER = re.compile(
    rf"是[^，。！？；\s]{{0,12}}?的(?:小|大|二|三)?(?:{_KIN})(?:[，。！？；]|$)"
)
# Person words that are no one's name (老人是张大妈的父亲).
_GENERIC_PERSONS = frozenset(
    "老人 孩子 女儿 儿子 丈夫 妻子 母亲 父亲 爸爸 妈妈 老伴 家人 病人 患者 邻居 同学 朋友 "
    "学生 女孩 男孩 社工 老师 医生 志愿者 工人 居民 村民 大家 别人 对方 自己 家长 妹妹 弟弟 "
    "哥哥 姐姐".split()
)
_FAMILIAR = re.compile(r"[阿小老][\u4e00-\u9fff]|[\u4e00-\u9fff][哥叔姐嫂婶]")
_BIG_NAME = re.compile(rf"大[{_SURNAMES}军伟强勇刚鹏]|[大二三四][丫妞娃柱]")  # 大刘, 二丫, 大军
_NOT_FAMILIAR = frozenset(
    "姨婆公伯爸妈哥姐叔嫂婶爷奶舅姑弟妹们时候区说组学伙朋孩事吃车店卖城镇村院屋"
)
# What follows a clause's subject (林子涵总是..., 王子涵今年...); what ends a name after 叫.
_SUBJECT_VERB = re.compile(
    r"(?:总是|总|今年|一直|说|告诉|从小|每天|常常|经常|已经|刚|才|也|就|这学期|最近|平时|后来)"
)
_CLAUSE_END = re.compile(r"[，。！？；、]|$")
_MEASURES = frozenset(c + "张" for c in "这那一两几每哪半整0123456789")
_NOT_SIBLING_FIRST = frozenset("大二三四五六七表堂师帅老小亲舅姑姨伯叔兄弟阿嫂哥姐这那我你他她")


def _clause_start(text: str, start: int) -> bool:
    return start == 0 or text[start - 1] in _CLAUSE_BREAK


def _person_context(text: str, start: int, end: int) -> bool:
    return (
        _said_to_be_person(text, start, end)
        or text[max(0, start - 3) : start].endswith(_ROLE_BEFORE)
        or (_clause_start(text, start) and bool(_SUBJECT_AFTER.match(text, end)))
    )


def _familiar_names(text: str, tokens: list[Token]) -> list[Flag]:
    """阿芬, 小杰, 强哥, 顺 / 叔; 建军, 林子 / 涵 when the sentence treats them as people."""
    found: list[Flag] = []
    for index, token in enumerate(tokens):
        word = token.word
        if len(word) == 1:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or len(following.word) != 1:
                continue
            if word not in "阿小老" and following.word not in "哥叔姐嫂婶":
                big = word + following.word
                if _BIG_NAME.fullmatch(big) and _person_context(text, token.start, following.end):
                    found.append(Flag("person_name", token.start, following.end, big))
                continue
            if word in "阿小老" and following.flag[0] in "avdupcrmq":
                continue  # 老 / 旧, 小 / 心
            word = token.word + following.word  # 顺 / 叔
            if not _FAMILIAR.fullmatch(word):
                continue
            token = Token(word, "x", token.start, following.end)
        elif len(word) != 2:
            continue
        if (word[0] in "阿小老" or word[1] in "哥叔姐嫂婶") and (
            _FAMILIAR.fullmatch(word) and word not in _NAME_STOPWORDS
        ):
            if word[0] in "阿小老":
                if word[1] in _NOT_FAMILIAR or (_common_word(word) and word[0] != "小"):
                    continue  # 阿姨, 老师, 老家
                if word[0] == "老" and not token.flag.startswith(("n", "x")):
                    continue  # 老旧
                hit = (
                    (word[0] == "阿" and token.flag == "nr")
                    or (token.flag == "nr" and text.endswith("我是", 0, token.start))  # 我是小芳
                    or _person_context(text, token.start, token.end)
                    or (
                        token.flag == "nr"
                        and _clause_start(text, token.start)
                        and _SUBJECT_VERB.match(text, token.end) is not None
                    )
                )  # 小宇这学期 ...
            else:
                if word[0] in _NOT_SIBLING_FIRST or word[0] in _NOT_GIVEN_CHARS:
                    continue
                hit = (token.flag == "nr" or not _common_word(word)) and _person_context(
                    text, token.start, token.end
                )
        elif _BIG_NAME.fullmatch(word):
            hit = _person_context(text, token.start, token.end)  # 大刘是外展队的志愿者
        elif (
            _clause_start(text, token.start)
            and _HAN_NAME.fullmatch(word)
            and token.flag.startswith(("n", "nr", "nz"))
            and word not in _GENERIC_PERSONS
            and not word.endswith(_PLACE_ENDINGS)
        ):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            three = (
                word[0] in _SURNAMES
                and following is not None
                and _HAN_CHAR.fullmatch(following.word) is not None
                and following.word not in _NOT_GIVEN_CHARS
                and not following.word.endswith(_PLACE_ENDINGS)
                and following.flag not in ("m", "q", "f", "u", "p", "c", "r", "d")
                and _SUBJECT_VERB.match(text, following.end) is not None
            )
            if three:  # 林子 / 涵 总是
                found.append(Flag("person_name", token.start, following.end,
                                  text[token.start : following.end]))  # fmt: skip
                continue
            hit = word not in _NAME_STOPWORDS and (
                bool(_KIN_AFTER.match(text, token.end))  # 建军是张大妈的小儿子
                or (token.flag.startswith("nr") and bool(_PERSON_AFTER.match(text, token.end)))
                or (
                    set(word) <= _GIVEN_CHARS
                    and following is not None
                    and following.word in ("说", "告诉")
                )
            )  # 秀英说, 建华说 (not 海军 / 说来)
        else:
            continue
        if hit:
            found.append(Flag("person_name", token.start, token.end, word))
    return found + _called(text, tokens)


def _called(text: str, tokens: list[Token]) -> list[Flag]:
    """A name after 叫 that ends its clause: 她叫美华，孩子叫浩 / 宇。"""
    found: list[Flag] = []
    for index, token in enumerate(tokens[1:], 1):
        if tokens[index - 1].word[-1:] != "叫" and tokens[index - 1].word not in ("叫做", "名叫"):
            continue
        parts = tokens[index : index + 2] if len(token.word) == 1 else [token]
        end, word = parts[-1].end, text[token.start : parts[-1].end]
        if (_HAN_NAME.fullmatch(word) and word not in _NAME_STOPWORDS | _GENERIC_PERSONS
                and all(p.flag.startswith(("nr", "ns", "nz")) for p in parts)
                and _CLAUSE_END.match(text, end)):  # fmt: skip
            found.append(Flag("person_name", token.start, end, word))
    return found


def name_flags(text: str, tokens: list[Token]) -> list[Flag]:
    """Names of people; 张 after 这, 一, 两 ... is a measure word (这张卡), not a surname."""
    found = _name_candidates(text, tokens)
    return [f for f in found if text[max(0, f.start - 1) : f.start + 1] not in _MEASURES]


def _name_candidates(text: str, tokens: list[Token]) -> list[Flag]:
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    found: list[Flag] = []
    previous = ""
    for token in tokens:
        word, before, previous = token.word, previous, token.word
        if token.flag != "nr" or not 2 <= len(word) <= 4 or word in _NAME_STOPWORDS:
            continue
        if word.endswith(_PLACE_ENDINGS):  # 武侯区, 幸福村: places
            continue
        if not _HAN_WORD.fullmatch(word) or before.endswith(word[0]):
            continue  # 一张 / 张收: a doubled measure word, not a surname
        surname = word.startswith(_COMPOUND_SURNAMES) or word[0] in _SURNAMES
        if word.startswith(_WORD_COMPOUNDS) and len(word) == 4:  # 东方明珠, 东方卫视
            surname = _said_to_be_person(text, token.start, token.end)
        nickname = len(word) == 2 and word[0] in "小老阿" and word[1] in _SURNAMES
        if surname or nickname:
            found.append(Flag("person_name", token.start, token.end, word))
    found += _split_names(text, tokens)
    found += _compound_names(text, tokens)
    found += _familiar_names(text, tokens)
    for pattern in (_KIN_NAME, _TITLE_NAME, _SIBLING_NAME, _AH_NAME):
        for match in pattern.finditer(text):
            if match.start() in starts:
                found.append(Flag("person_name", match.start(), match.end(), match.group()))
    for match in _NICKNAME.finditer(text):
        if match.start() not in starts or match.end() not in ends:
            continue
        if not _common_word(match.group()) or _said_to_be_person(text, *match.span()):
            found.append(Flag("person_name", match.start(), match.end(), match.group()))
    return found


# Read by anthology.text.privacy (names told by their form: form fields, minority given names).
SURNAME = rf"(?:{'|'.join(_COMPOUND_SURNAMES)}|[{_SURNAMES}])"
SUBJECT_VERB = _SUBJECT_VERB
KIN_OR_TITLE = _KIN_OR_TITLE
person_context = _person_context
