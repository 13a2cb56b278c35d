"""The builder reads nothing it was not given: no address on the internet (not even 127.0.0.1),
no local file outside the content folder; an oversized picture is a build error naming the story.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bombs import png_header

from anthology import build
from anthology.errors import BuildError
from anthology.pdf.document import FetchPolicy, render

from . import DATA as BOOK


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the handler's API
        _Counting.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Counting.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    shutil.copytree(BOOK, tmp_path / "book")
    return tmp_path / "book" / "volumes" / "small.toml"


def _first_story_body(recipe: Path, body: str) -> None:
    stories = recipe.parent.parent / "stories.json"
    data = json.loads(stories.read_text("utf-8"))
    data["parts"][0]["stories"][0]["body"] = body
    stories.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")


@pytest.mark.parametrize(
    "src",
    ["{server}/a.png", "/etc/hostname", "../../../../../../etc/hostname", "a.png"],
)
def test_a_picture_from_elsewhere_is_a_build_error_naming_the_story(
    book: Path, tmp_path: Path, server: str, src: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_story_body(book, f"她说。\n\n![照片]({src.format(server=server)})\n\n后来。")
    out = tmp_path / "dist"
    code = build.main([str(book), "--out", str(out), "-q", "--format", "print"])
    err = capsys.readouterr().err
    assert code == 1
    assert "story-101" in err and "not embedded in the text" in err, err
    assert _Counting.requests == []  # no request was made, not even to 127.0.0.1
    assert not out.exists() or not any(out.iterdir())


def test_the_url_fetcher_refuses_http_and_local_paths(server: str) -> None:
    html = (
        f'<p><img src="{server}/a.png"><img src="file:///etc/hostname"><img src="/etc/passwd"></p>'
    )
    with pytest.raises(BuildError) as raised:
        render(f"<html><body>{html}</body></html>")
    assert "may not read" in str(raised.value) and "/etc/hostname" in str(raised.value)
    assert _Counting.requests == []
    fetcher = FetchPolicy(
        '<style>@color-profile device-cmyk { src: url("file:///x/p.icc"); }</style>'
    )
    assert fetcher.allows("file:///x/p.icc") and fetcher.allows("data:image/png;base64,AA==")
    assert not fetcher.allows("file:///x/other.icc") and not fetcher.allows(f"{server}/a.png")
    # The same text as a story's (escaped, outside any <style>) names no profile.
    text = FetchPolicy('<p>@color-profile device-cmyk { src: url("file:///etc/passwd"); }</p>')
    assert not text.allows("file:///etc/passwd")


def test_an_oversized_picture_is_a_build_error_naming_the_story(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = base64.b64encode(png_header(20_000, 20_000)).decode()
    _first_story_body(book, f"她说。\n\n![照片](data:image/png;base64,{data})\n\n后来。")
    out = tmp_path / "dist"
    code = build.main([str(book), "--out", str(out), "-q", "--format", "print"])
    err = capsys.readouterr().err
    assert code == 1
    assert "story-101" in err and "too large to print" in err and "20000 x 20000" in err, err
