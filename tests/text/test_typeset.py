"""The Chinese typesetting pass over sanitized HTML."""

from __future__ import annotations

from anthology.text.typeset import THIN_SPACE as T
from anthology.text.typeset import chapter_html, typeset, typeset_text


def test_thin_space_between_han_and_latin_or_digits():
    assert typeset_text("我在2019年加入XX协会") == f"我在{T}2019{T}年加入{T}XX{T}协会"


def test_no_thin_space_inside_urls_code_pre_or_attributes():
    html = chapter_html(
        "见 https://example.org/中文a1 和 `code中文abc`\n\n```\n中文abc\n```\n\n[链接a](https://x.org/a中b)"
    )
    assert "https://example.org/中文a1" in html
    assert "<code>code中文abc</code>" in html
    assert "中文abc\n</code></pre>" in html
    assert 'href="https://x.org/a中b"' in html
    assert f"链接{T}a" in html


def test_half_width_punctuation_in_chinese_text_becomes_full_width():
    assert typeset_text("好的,我们走吧!真的?是;然后:结束") == "好的，我们走吧！真的？是；然后：结束"
    assert typeset_text("社区(老年)服务") == "社区（老年）服务"
    assert typeset_text("他说...好吧") == '他说<span class="nobr">……</span>好吧'


def test_ambiguous_punctuation_is_left_alone():
    assert typeset_text("1,000 and 12:30, ok?") == "1,000 and 12:30, ok?"
    assert typeset_text("3.14") == "3.14"
    assert typeset("<p>AT&amp;T;中文</p>") == "<p>AT&amp;T；中文</p>"


def test_dashes_and_ellipses_are_kept_together():
    html = typeset_text("走吧——走吧……好")
    assert '<span class="nobr">——</span>' in html
    assert '<span class="nobr">……</span>' in html


def test_only_text_nodes_change():
    html = '<p title="中文abc,x">中文abc</p>'
    assert typeset(html) == f'<p title="中文abc,x">中文{T}abc</p>'


def test_user_html_is_still_sanitized():
    html = chapter_html("中文<script>alert(1)</script>abc")
    assert "<script" not in html
