"""anthology.text.lines: which marks are halved, which characters are kept together."""

from __future__ import annotations

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
    assert '写完<span class="nobr">了。</span>' not in html
    assert '写<span class="nobr">完了。</span></p>' in html
    assert '有<span class="nobr">时，把。</span></p>' in html
    assert '列表第<span class="nobr">一项</span></li>' in html
    assert "<li>二</li>" in html  # one character alone: nothing to pull down


def test_footnote_calls_after_the_tail_stay_where_they_are():
    html = keep_last_line(chapter_html("这是一句话。[^1]\n\n[^1]: 注释文字。"))
    assert '一句<span class="nobr">话。</span><sup id="fnref:1">' not in html
    assert '一<span class="nobr">句话。</span><sup id="fnref:1">' in html


def test_latin_at_the_end_is_left_alone():
    html = keep_last_line("<p>我们用了 App。</p>")
    assert "nobr" not in html
