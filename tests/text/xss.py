"""Hostile input for the Markdown pipeline and an audit of rendered markup.

Used by the text core's tests (tests/text/test_markdown.py) and by the site's page tests
(tests/test_xss.py), which feed the same vectors through every form.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

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
