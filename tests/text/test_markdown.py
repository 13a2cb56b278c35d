"""The one Markdown pipeline defuses hostile input (anthology.text.markdown.render)."""

from __future__ import annotations

import pytest

from anthology.text.markdown import render

from .xss import VECTORS, MarkupAudit


@pytest.mark.parametrize("vector", VECTORS)
def test_markdown_pipeline_defuses_every_vector(vector: str) -> None:
    html = render(vector)
    checker = MarkupAudit(allowed_page_tags=set())
    checker.feed(html)
    assert checker.problems == [], html


def test_the_audit_finds_active_markup() -> None:
    """The checker (tests/text/xss.py) would notice each kind of markup it is meant to find."""
    bad = (
        '<script>x</script><img src=x onerror=y><a href=" JaVaScript:x">a</a>'
        '<img src="data:image/svg+xml;base64,AAAA"><p style="x">p</p><svg></svg>'
    )
    checker = MarkupAudit(allowed_page_tags=set())
    checker.feed(bad)
    assert len(checker.problems) == 6
