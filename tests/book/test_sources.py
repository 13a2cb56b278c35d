"""Reading a volume: recipe, Markdown chapters with front matter, stories.json; the gate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from anthology.errors import ContentError, GateError
from anthology.sources import load_manuscript
from anthology.sources.gate import check_gate
from anthology.sources.manuscript import Kind, Openings, Part
from anthology.sources.recipe import isbn_valid

from . import DATA as BOOK  # the small test volume

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A writable copy of the small test volume; returns its recipe."""
    shutil.copytree(BOOK, tmp_path / "book")
    return tmp_path / "book" / "volumes" / "small.toml"


def test_demo_volume_loads_with_the_demo_stories():
    m = load_manuscript(ROOT / "content" / "volumes" / "demo.toml")
    assert m.meta.title == "一线之光"
    assert m.meta.isbn_is_demo and isbn_valid(m.meta.isbn)
    assert "示例" in m.meta.cip
    stories = json.loads((ROOT / "content" / "demo" / "stories.json").read_text("utf-8"))
    expected = [s["id"] for p in stories["parts"] for s in p["stories"]]
    assert [c.story.story_id for c in m.stories()] == expected
    check_gate(m)


def test_small_volume_structure_and_ids(book: Path):
    m = load_manuscript(book)
    assert [c.id for c in m.front] == ["front-preface"]
    assert [c.id for c in m.back] == ["back-afterword"]
    parts = [p for p in m.body if isinstance(p, Part)]
    assert [p.title for p in parts] == ["历史", "第一组故事", "第二组故事"]
    assert [c.id for c in parts[0].chapters] == ["history-a"]
    assert parts[0].chapters[0].kind is Kind.history
    assert parts[0].chapters[0].subtitle == "副标题"
    assert [c.id for c in m.stories()] == ["story-101", "story-102", "story-103"]
    first = m.stories()[0]
    assert first.byline == "周一 · 测试社工站 · 浙江省杭州市"
    assert m.meta.trim.width_mm == 140 and m.meta.trim.height_mm == 203


def test_contributors_are_sorted_by_pinyin(book: Path):
    m = load_manuscript(book)
    # 安然 (an ran), 白露 (bai lu), 周一 (zhou yi)
    assert [c.pen_name for c in m.contributors] == ["安然", "白露", "周一"]


def test_word_count_counts_characters_without_markup(book: Path):
    m = load_manuscript(book)
    count = m.word_count()
    bodies = "".join(c.title + c.body for c in m.chapters())
    assert 0.8 * len(bodies.replace(" ", "")) < count <= len(bodies)


def test_stories_file_can_be_overridden(book: Path, tmp_path: Path):
    data = json.loads((BOOK / "stories.json").read_text("utf-8"))
    data["parts"] = data["parts"][:1]
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    m = load_manuscript(book, stories_path=other)
    assert [c.id for c in m.stories()] == ["story-101", "story-102"]


def test_stories_in_no_part_follow_the_parts_without_a_part_page(book: Path, tmp_path: Path):
    """The site exports the stories in no part as a part without a title: they stand alone
    (no part page with an empty heading, no untitled entry in the EPUB's navigation)."""
    data = json.loads((BOOK / "stories.json").read_text("utf-8"))
    data["parts"][1]["title"] = ""
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    m = load_manuscript(book, stories_path=other)
    assert [p.title for p in m.body if isinstance(p, Part)] == ["历史", "第一组故事"]
    assert [c.id for c in m.body if not isinstance(c, Part)] == ["story-103"]
    assert [c.id for c in m.stories()] == ["story-101", "story-102", "story-103"]


def _error(recipe: Path, **kwargs) -> ContentError:
    with pytest.raises(ContentError) as info:
        load_manuscript(recipe, **kwargs)
    return info.value


def test_bad_front_matter_names_file_and_line(book: Path):
    chapter = book.parent.parent / "history" / "a.md"
    chapter.write_text("---\ntitle: 好\norder: [1\n---\n正文\n", "utf-8")
    error = _error(book)
    assert error.path == str(chapter)
    assert error.line in (3, 4)
    assert f"{chapter}:{error.line}" in str(error)


def test_missing_title_and_missing_front_matter(book: Path):
    chapter = book.parent.parent / "history" / "a.md"
    chapter.write_text("---\nauthor: 某\n---\n正文\n", "utf-8")
    assert "title" in str(_error(book))
    chapter.write_text("正文，没有前言块\n", "utf-8")
    error = _error(book)
    assert error.path == str(chapter) and error.line == 1


def test_missing_chapter_file_names_the_recipe_line(book: Path):
    (book.parent.parent / "back" / "afterword.md").unlink()
    error = _error(book)
    assert error.path == str(book)
    lines = book.read_text("utf-8").splitlines()
    assert "back/afterword.md" in lines[error.line - 1]


def test_bad_isbn_and_unknown_trim(book: Path):
    text = book.read_text("utf-8")
    book.write_text(text.replace("978-7-5123-4567-6", "978-7-5123-4567-5"), "utf-8")
    error = _error(book)
    assert "ISBN" in str(error) and error.line is not None
    book.write_text(text.replace('trim = "大32开"', 'trim = "64开"'), "utf-8")
    assert "64开" in str(_error(book))


def test_bad_stories_file(book: Path):
    stories = book.parent.parent / "stories.json"
    data = json.loads(stories.read_text("utf-8"))
    data["version"] = 2
    stories.write_text(json.dumps(data, indent=2), "utf-8")
    error = _error(book)
    assert "version" in str(error) and error.path == str(stories) and error.line == 3
    stories.write_text('{"format": ', "utf-8")
    assert _error(book).line == 1


def test_gate_refuses_missing_consent_and_unresolved_flags(book: Path):
    stories = book.parent.parent / "stories.json"
    data = json.loads(stories.read_text("utf-8"))
    del data["parts"][0]["stories"][1]["consents"]["people"]
    data["parts"][1]["stories"][0]["privacy"]["unresolved_flags"] = 2
    stories.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    with pytest.raises(GateError) as info:
        check_gate(load_manuscript(book))
    message = str(info.value)
    assert "story-102" in message and "people consent" in message
    assert "story-103" in message and "2 unresolved privacy flag" in message
    assert "story-101" not in message
    # An editor's documented override lets the flagged story through.
    data["parts"][0]["stories"][1]["consents"]["people"] = {"version": "1", "accepted_at": "x"}
    data["parts"][1]["stories"][0]["privacy"]["override_reason"] = "names are invented"
    stories.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    check_gate(load_manuscript(book))


def test_contact_data_left_in_a_story_is_a_warning(book: Path):
    """Escaped Markdown (139\\-2233\\-4455) is read as the reader will see it."""
    from anthology.sources.gate import privacy_warnings
    from anthology.text.markdown import plain_to_markdown

    assert privacy_warnings(load_manuscript(book)) == []
    stories = book.parent.parent / "stories.json"
    data = json.loads(stories.read_text("utf-8"))
    story = data["parts"][0]["stories"][0]
    story["body"] += "\n\n" + plain_to_markdown(
        "她的手机是 139-2233-4455，身份证号 11010519491231002X。"
    )
    stories.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    warnings = privacy_warnings(load_manuscript(book))
    assert len(warnings) == 1
    assert f"story-{story['id']}" in str(warnings[0])
    assert "id_number" in str(warnings[0]) and "phone" in str(warnings[0])


def test_contact_data_in_a_story_title_is_a_warning(book: Path):
    """Titles are read as well as texts (issue 17)."""
    from anthology.sources.gate import privacy_warnings

    stories = book.parent.parent / "stories.json"
    data = json.loads(stories.read_text("utf-8"))
    story = data["parts"][0]["stories"][0]
    story["title"] = "打给 13912345678 的那个电话"
    stories.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    [warning] = privacy_warnings(load_manuscript(book))
    assert f"story-{story['id']}" in str(warning) and "phone" in str(warning)


def test_openings_are_read_from_the_recipe_and_checked(book: Path):
    assert load_manuscript(book).meta.openings == Openings("page", "right", "right")
    text = book.read_text("utf-8")
    book.write_text(text.replace("bleed_mm = 3", 'bleed_mm = 3\nstory_start = "same"'), "utf-8")
    assert load_manuscript(book).meta.openings.story == "same"
    book.write_text(text.replace("bleed_mm = 3", 'bleed_mm = 3\npart_start = "same"'), "utf-8")
    error = _error(book)
    assert "part_start" in str(error) and "page, right" in str(error)
    assert error.line == text.splitlines().index("bleed_mm = 3") + 2
