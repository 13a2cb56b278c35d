"""The manuscript: plain, frozen data that every writer (PDF, EPUB) renders.

Built by `anthology.sources` from content/ files and a stories file (or the database export);
nothing here knows about Flask, the database or HTML templates. The few words both editions
print the same way (the contributors' list, part numbers, 字数) are defined here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from pypinyin import Style, lazy_pinyin


class Kind(StrEnum):
    front = "front"  # preface and other front matter (roman folios)
    history = "history"  # a history chapter
    story = "story"  # a practitioner's story
    back = "back"  # afterword and other back matter


# The list of contributors, back matter made from the stories: its chapter id and title.
CONTRIBUTORS_ID = "back-contributors"
CONTRIBUTORS_TITLE = "作者名录"


@dataclass(frozen=True)
class FieldNames:
    """How the book names a field of service (book text, Chinese, not interface text)."""

    short: str  # 老年: a story's subject (EPUB metadata)
    part: str  # 老年服务: the part title when the stories are grouped by field


# The fields of service by their code in stories.json (the site's ServiceField values).
SERVICE_FIELDS = {
    "elderly": FieldNames("老年", "老年服务"),
    "children": FieldNames("儿童", "儿童服务"),
    "community": FieldNames("社区", "社区服务"),
    "medical": FieldNames("医务", "医务社会工作"),
    "school": FieldNames("学校", "学校社会工作"),
    "drugs": FieldNames("禁毒", "禁毒社会工作"),
    "assistance": FieldNames("社会救助", "社会救助"),
    "other": FieldNames("其他", "其他"),
}


@dataclass(frozen=True)
class Source:
    """Where a piece of content came from, for error messages."""

    path: str
    line: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Trim:
    """The trimmed page size (bleed comes on top for the print PDF)."""

    name: str  # "16开", "大32开", "A5" or "custom"
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Paper:
    """The sheet the book is printed on and how it is folded: 开本 787 mm×1092 mm 1/16."""

    width_mm: int  # the full sheet (全张纸)
    height_mm: int
    fold: int  # 开数: pages of the trim size a sheet side gives (16, 32, ...)

    @property
    def label(self) -> str:
        """开本 as the imprint page writes it (GB/T 12450): 787 mm×1092 mm 1/16."""
        return f"{self.width_mm} mm×{self.height_mm} mm 1/{self.fold}"


@dataclass(frozen=True)
class Imprint:
    """Who made the book and where it comes from (GB/T 12450), each printed only when given."""

    responsible_editors: tuple[str, ...] = ()  # 责任编辑
    cover_designers: tuple[str, ...] = ()  # 封面设计
    proofreaders: tuple[str, ...] = ()  # 责任校对
    address: str = ""  # the publisher's address (社址)
    postcode: str = ""  # 邮编
    printer: str = ""  # 印刷者 (印刷)
    distributor: str = ""  # 发行者 (发行), when not the publisher
    seller: str = ""  # 经销者 (经销), e.g. 全国新华书店


@dataclass(frozen=True)
class Fonts:
    """fontconfig family names."""

    body: str = "Noto Serif CJK SC"  # Song/Ming
    heading: str = "Noto Sans CJK SC"  # Hei
    quote: str = "AR PL UKai CN"  # Kai, optional: falls back to the body face


OPENINGS = (
    "page",
    "right",
    "same",
)  # 另页起, 右页起 (另面起), 接排 (on the same page, under a rule)


# Footnote numbers restart on every page (每页重新编号, the mainland house style), or per chapter;
# the first is the default.
FOOTNOTE_NUMBERINGS = ("page", "chapter")


@dataclass(frozen=True)
class Openings:
    """Where a block starts (recipe `[page] story_start`, `part_start`, `history_start`)."""

    story: str = "page"
    part: str = "right"
    history: str = "right"


@dataclass(frozen=True)
class VolumeMeta:
    """The recipe's book data (content/volumes/<slug>.toml)."""

    slug: str
    title: str
    subtitle: str = ""
    series: str = ""
    editors: tuple[str, ...] = ()
    publisher: str = ""
    isbn: str = ""
    isbn_is_demo: bool = False
    cip: str = ""  # the CIP data block as supplied, never generated
    edition: str = ""  # e.g. 2026年12月第1版
    printing: str = ""  # e.g. 2026年12月第1次印刷
    year: int | None = None
    price: str = ""
    copyright: str = ""
    trim: Trim = field(default_factory=lambda: Trim("16开", 185, 260))
    bleed_mm: float = 3.0
    paper: Paper | None = None  # 开本 as the paper format (None: only the trim is known)
    caliper_mm: float = 0.0  # one leaf's thickness (the spine's width); 0 = not given
    imprint: Imprint = field(default_factory=Imprint)
    cover_image: str = ""  # absolute path of the artwork on the printed cover's front
    fonts: Fonts = field(default_factory=Fonts)
    icc_profile: str = ""  # absolute path of the printer's CMYK profile; "" = the default
    inks: str = "cmyk"  # the print PDF's pictures: "cmyk" (four-colour) or "grey" (one colour)
    press_condition: str = ""  # the printer's press condition (FOGRA39, ...); "" = Custom
    language: str = "zh-CN"
    description: str = ""  # a blurb for the EPUB's dc:description ("" = one from the contents)
    cover: str = ""  # absolute path of the EPUB cover image; "" = one drawn from the title
    source: Source = field(default_factory=lambda: Source(""))
    openings: Openings = field(default_factory=Openings)
    footnote_numbering: str = "page"  # recipe `[page] footnote_numbering`: page or chapter


@dataclass(frozen=True)
class Consent:
    kind: str  # "licence" or "people"
    version: str
    accepted_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class StoryInfo:
    """What the book needs to know about a story besides its text."""

    story_id: int
    pen_name: str
    organisation: str = ""
    province: str = ""
    city: str = ""
    service_field: str = "other"
    years_in_practice: int | None = None
    revision: int | None = None
    submitted_at: str | None = None
    accepted_at: str | None = None
    consents: tuple[Consent, ...] = ()
    unresolved_flags: int = 0
    override_reason: str | None = None

    @property
    def region(self) -> str:
        if self.province and self.city and self.city != self.province:
            return f"{self.province}{self.city}"
        return self.province or self.city

    @property
    def service_field_label(self) -> str:
        names = SERVICE_FIELDS.get(self.service_field)
        return names.short if names else self.service_field

    @property
    def byline(self) -> str:
        """Pen name, organisation, region: the line under a story's title."""
        return " · ".join(x for x in (self.pen_name, self.organisation, self.region) if x)

    def has_consent(self, kind: str) -> bool:
        return any(c.kind == kind for c in self.consents)


@dataclass(frozen=True)
class PictureFile:
    """A picture a story refers to, as the stories file gives it (`pictures` of a story).

    `review` is the editors' privacy review: "fine" and "blurred" come with the published file
    (`path`: the original, or its blurred rendition; `digest` its SHA-256, part of the cache
    key), "left_out" and "to_review" with none (the gate refuses "to_review")."""

    ref: str
    review: str
    path: str = ""
    digest: str = ""


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book: front matter, history chapter, story or back matter.

    `id` is stable across builds and valid as an XML id / URL fragment (ASCII, starts with a
    letter), e.g. "front-preface", "history-beginnings", "story-12", "back-afterword".
    """

    id: str
    kind: Kind
    title: str
    body: str  # Markdown, rendered only through anthology.text.markdown.render
    source: Source
    subtitle: str = ""
    author: str = ""  # byline of a non-story chapter ("" when none)
    story: StoryInfo | None = None
    pictures: tuple[PictureFile, ...] = ()  # the story's pictures (references in `body`)

    @property
    def byline(self) -> str:
        return self.story.byline if self.story else self.author


@dataclass(frozen=True)
class Part:
    """A part (部分) of the body: a title page on a recto, then its chapters."""

    id: str
    title: str
    chapters: tuple[Chapter, ...]
    source: Source = field(default_factory=lambda: Source(""))


@dataclass(frozen=True)
class Contributor:
    pen_name: str
    organisation: str
    region: str
    story_ids: tuple[str, ...]  # chapter ids of their stories

    @property
    def sort_key(self) -> tuple[str, str]:
        return (pinyin_key(self.pen_name), self.pen_name)


@dataclass(frozen=True)
class Manuscript:
    """The whole volume in reading order."""

    meta: VolumeMeta
    front: tuple[Chapter, ...]  # preface etc., before the table of contents
    body: tuple[Part | Chapter, ...]  # parts (with chapters) or chapters outside any part
    back: tuple[Chapter, ...]  # afterword etc.
    contributors: tuple[Contributor, ...]  # sorted by pinyin
    show_contributors: bool = True  # the list of contributors as back matter

    def chapters(self) -> list[Chapter]:
        """Every chapter in reading order (front, body, back)."""
        out = list(self.front)
        for item in self.body:
            out.extend(item.chapters if isinstance(item, Part) else (item,))
        out.extend(self.back)
        return out

    def stories(self) -> list[Chapter]:
        return [c for c in self.chapters() if c.kind is Kind.story]

    def parts(self) -> list[Part]:
        return [p for p in self.body if isinstance(p, Part)]

    def word_count(self) -> int:
        return word_count(self)


_SYNTAX = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>]+>|[#*_`>|\\\[\]~-]|\s")


def text_length(markdown: str) -> int:
    """Characters that count for 字数: the text without Markdown syntax, images and spaces."""
    return len(_SYNTAX.sub("", markdown))


def word_count(manuscript: Manuscript) -> int:
    """字数 of the volume: every character of every title and body, spaces and markup excluded."""
    total = sum(text_length(c.title) + text_length(c.body) for c in manuscript.chapters())
    total += sum(text_length(p.title) for p in manuscript.parts())
    return total


def pinyin_key(name: str) -> str:
    """Sort key for Chinese names: toneless pinyin, then the characters themselves."""
    return " ".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")).lower()


def sort_contributors(contributors: list[Contributor]) -> tuple[Contributor, ...]:
    return tuple(sorted(contributors, key=lambda c: c.sort_key))


def chinese_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 23 -> 二十三 (part numbers, as both editions print them)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens = "" if n < 20 else digits[n // 10]
        return tens + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def part_number(n: int) -> str:
    """The label of the n-th part: 第一部分."""
    return f"第{chinese_number(n)}部分"


def word_count_label(count: int) -> str:
    """字数 as the imprint page gives it, in thousands: 12千字."""
    return f"{max(1, round(count / 1000))}千字"


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"


def circled(n: int) -> str:
    """A note's number as Chinese books print it: ① ② ... ㊿, then 51, 52 ... (the PDF's CSS
    counter style `circled` in templates/book/book.css holds the same symbols)."""
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else str(n)
