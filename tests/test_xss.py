"""Hostile input never reaches a page as markup; control, bidi and NUL characters are removed."""

from __future__ import annotations

import io
import re
import unicodedata
from html.parser import HTMLParser

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient

from anthology.text.markdown import render
from stories import docx

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">点我</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](java&#x09;script:alert(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "<style>@import 'javascript:alert(1)';</style>",
]

DANGEROUS_TAGS = {"script", "iframe", "svg", "math", "object", "embed", "style", "form", "base",
                  "meta", "link", "details", "frame", "frameset", "applet"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
SAFE_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,")


class MarkupAudit(HTMLParser):
    """Collects every piece of active markup in a page."""

    def __init__(self, allowed_page_tags: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed_page_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS and tag not in self.allowed:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name == "style":
                self.problems.append(f"<{tag} style>")
            if name in URL_ATTRIBUTES and value is not None:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                if url.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value}>")
                if url.startswith("data:") and not (tag == "img" and SAFE_IMAGE.match(url)):
                    self.problems.append(f"<{tag} {name}=data:...>")


def audit(page: str) -> list[str]:
    # The site's own pages use forms (their action is a plain path) and <details>; any event
    # attribute on them would still be reported.
    checker = MarkupAudit(allowed_page_tags={"form", "meta", "link", "details"})
    checker.feed(page)
    own = re.findall(r'<form [^>]*action="([^"]*)"', page)
    assert all(action.startswith("/") for action in own)
    return checker.problems


@pytest.mark.parametrize("vector", VECTORS)
def test_markdown_pipeline_defuses_every_vector(vector: str) -> None:
    html = render(vector)
    checker = MarkupAudit(allowed_page_tags=set())
    checker.feed(html)
    assert checker.problems == [], html


def test_vectors_in_every_field_never_reach_a_page_as_markup(
    app: Flask, client: FlaskClient
) -> None:
    joined = " ".join(VECTORS)
    body = s.BODY + "\n" + "\n".join(VECTORS)
    title = VECTORS[0][:30]
    page = s.preview(client, title=title, pen_name=VECTORS[2][:40], organisation=joined[:100],
                     city=VECTORS[3][:50], body=body)  # fmt: skip
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    preview = page.get_data(as_text=True)
    assert audit(preview) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview  # shown as text
    assert "[点我](javascript:alert(1))" in preview

    code = s.submit(client, title=title, pen_name=VECTORS[2][:40], body=body)
    for path in ("", "/withdraw"):
        response = client.get(f"/track/{code}{path}")
        assert response.status_code == 200
        assert audit(response.get_data(as_text=True)) == [], path
    [story] = s.stories(app)
    assert story.title == title  # stored as typed; escaped only when shown


def test_vectors_in_a_word_file_never_reach_a_page_as_markup(client: FlaskClient) -> None:
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    document = Document()
    document.add_heading(VECTORS[0], level=1)
    for vector in VECTORS:
        document.add_paragraph(vector)
    for _ in range(3):
        document.add_paragraph(s.PARAGRAPH)
    # A real hyperlink whose target is javascript: (Word allows any URL).
    paragraph = document.add_paragraph("链接：")
    rel_id = paragraph.part.relate_to(
        "javascript:alert(1)", RELATIONSHIP_TYPE.HYPERLINK, is_external=True
    )
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "危险链接"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    out = io.BytesIO()
    document.save(out)

    converted = docx.convert(out.getvalue())
    assert "\n链接：危险链接\n" in converted.markdown  # the link's text, without the link

    page = s.preview(client, body="", docx=(io.BytesIO(out.getvalue()), "evil.docx"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    assert audit(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "危险链接" in html


def test_control_bidi_nul_and_line_endings_are_cleaned(app: Flask, client: FlaskClient) -> None:
    title = "标题\x00一\x07二\u202e三\u2066四"
    pen_name = "Jose\u0301"  # decomposed é
    body = "第一段\x00有空字符\r\n第二段\u202d有双向控制\r第三段\x1b[31m\n" + s.BODY
    s.submit(client, title=title, pen_name=pen_name, body=body, city="杭州\x0c市")
    [story] = s.stories(app)
    assert story.title == "标题一二三四"
    assert story.pen_name == "José" and unicodedata.is_normalized("NFC", story.pen_name)
    assert story.city == "杭州市"
    assert story.body.startswith("第一段有空字符\n\n第二段有双向控制\n\n第三段\\[31m\n\n")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\r]", story.body)


def test_the_audit_finds_active_markup() -> None:
    """The checker above would notice each kind of markup it is meant to find."""
    bad = (
        '<script>x</script><img src=x onerror=y><a href=" JaVaScript:x">a</a>'
        '<img src="data:image/svg+xml;base64,AAAA"><p style="x">p</p><svg></svg>'
    )
    checker = MarkupAudit(allowed_page_tags=set())
    checker.feed(bad)
    assert len(checker.problems) == 6


@pytest.mark.parametrize(
    "text",
    ["普通的一段话。", "a * b # c <d> & e ~ f : g | h", "第一行\r\n\r\n  第二行  \n\t第三行"],
)
def test_typed_text_counts_the_same_before_and_after_rendering(text: str) -> None:
    from anthology.text.markdown import plain_to_markdown
    from stories import storytext

    assert storytext.plain_length(text) == storytext.length(plain_to_markdown(text))
