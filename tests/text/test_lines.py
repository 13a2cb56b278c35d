"""anthology.text.lines: which marks are halved, which characters are kept together."""

from __future__ import annotations

from anthology.text.lines import JOINER as J
from anthology.text.lines import compress_pairs, keep_last_line
from anthology.text.typeset import chapter_html


def test_the_mark_whose_blank_half_faces_the_other_is_halved():
    html = compress_pairs("<p>他说：“好。”又问（《书》），再见。</p>")
    assert html == (
        '<p>他说<span class="halt">：</span>“好<span class="halt">。</span>”又问'
        '（<span class="halt">《</span>书<span class="halt">》</span><span class="halt">）'
        "</span>，再见。</p>"
    )


def test_code_and_tags_are_left_alone():
    html = '<p title="：“">a<code>：“</code>。</p>'
    assert compress_pairs(html) == html


def test_a_paragraph_keeps_its_last_two_han_characters_together():
    html = keep_last_line(chapter_html("第一段，写完了。\n\n有时，把。\n\n- 列表第一项\n- 二"))
    assert f"写完{J}了{J}。</p>" in html  # joined: no line break between them
    assert f"有时{J}，{J}把{J}。</p>" in html
    assert f"列表第一{J}项</li>" in html
    assert "<li>二</li>" in html  # one character alone: nothing to pull down
    assert "nobr" not in html  # no span: the text stays one box


def test_footnote_calls_after_the_tail_stay_where_they_are():
    html = keep_last_line(chapter_html("这是一句话。[^1]\n\n[^1]: 注释文字。"))
    assert f"这是一句{J}话{J}。<sup" in html


def test_latin_at_the_end_is_left_alone():
    html = keep_last_line("<p>我们用了 App。</p>")
    assert html == "<p>我们用了 App。</p>"
