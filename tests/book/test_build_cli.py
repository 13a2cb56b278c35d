"""build.py: two phases, typed errors with file and line, nothing half-written in --out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from anthology import build
from anthology.errors import BuildError

from . import DATA as BOOK  # the small test volume


@pytest.fixture
def book(tmp_path: Path) -> Path:
    shutil.copytree(BOOK, tmp_path / "book")
    return tmp_path / "book" / "volumes" / "small.toml"


def run(recipe: Path, out: Path, *extra: str) -> int:
    return build.main([str(recipe), "--out", str(out), "-q", *extra])


@pytest.mark.slow
def test_builds_print_and_screen_with_a_summary(book, tmp_path, capsys):
    out = tmp_path / "dist"
    code = run(book, out, "--format", "print,screen", "--chunk-pages", "0")
    captured = capsys.readouterr()
    assert code == 0, captured.err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["small-print.pdf", "small-screen.pdf"]
    for name in names:
        assert (out / name).read_bytes().startswith(b"%PDF-")
        assert f"{name}" in captured.out
    assert "pages" in captured.out and "MB" in captured.out
    # the low-resolution test image is a warning without --strict
    assert "ppi" in captured.err


def test_strict_turns_warnings_into_errors(book, tmp_path, capsys):
    out = tmp_path / "dist"
    assert run(book, out, "--format", "print", "--strict") == 1
    err = capsys.readouterr().err
    assert "--strict" in err and "ppi" in err and "stories.json" in err
    assert not out.exists() or not any(out.iterdir())


def test_bad_front_matter_is_an_error_with_file_and_line(book, tmp_path, capsys):
    chapter = book.parent.parent / "history" / "a.md"
    chapter.write_text("---\ntitle: [unclosed\n---\n正文\n", "utf-8")
    out = tmp_path / "dist"
    assert run(book, out, "--format", "print") == 1
    err = capsys.readouterr().err
    assert f"{chapter}:" in err
    assert not out.exists() or not any(out.iterdir())


def test_publication_gate_refuses_and_writes_nothing(book, tmp_path, capsys):
    stories = book.parent.parent / "stories.json"
    data = json.loads(stories.read_text("utf-8"))
    data["parts"][0]["stories"][0]["consents"] = {}
    stories.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    out = tmp_path / "dist"
    assert run(book, out, "--format", "print,screen") == 1
    err = capsys.readouterr().err
    assert "publication gate" in err and "story-101" in err and "licence consent" in err
    assert not out.exists() or not any(out.iterdir())


def test_unknown_font_names_the_font_and_the_package(book, tmp_path, capsys):
    text = book.read_text("utf-8").replace('body = "Noto Serif CJK SC"', 'body = "No Such Song"')
    book.write_text(text, "utf-8")
    assert run(book, tmp_path / "dist", "--format", "print") == 1
    err = capsys.readouterr().err
    assert "No Such Song" in err and "apt-get install fonts-noto-cjk" in err


def test_unknown_format(book, tmp_path, capsys):
    assert run(book, tmp_path / "dist", "--format", "print,docx") == 1
    assert "docx" in capsys.readouterr().err


def test_a_failure_while_rendering_leaves_nothing_in_out(book, tmp_path, capsys, monkeypatch):
    """The print PDF is finished, then the screen PDF fails: neither appears in --out."""
    from anthology import pdf

    real = pdf.write_pdf

    def failing(manuscript, out_path, variant="print", **kwargs):
        if variant == "screen":
            Path(out_path).write_bytes(b"%PDF-half")
            raise BuildError("renderer crashed", "story-102")
        return real(manuscript, out_path, variant, **kwargs)

    monkeypatch.setattr(pdf, "write_pdf", failing)
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.txt").write_text("an older file stays")
    assert run(book, out, "--format", "print,screen", "--chunk-pages", "0") == 1
    assert "renderer crashed" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_missing_harfbuzz_subset_is_a_warning_with_the_install_command(book, tmp_path, capsys,
                                                                        monkeypatch):  # fmt: skip
    import ctypes.util

    real = ctypes.util.find_library
    monkeypatch.setattr(
        ctypes.util, "find_library", lambda name: None if "subset" in name else real(name)
    )
    assert run(book, tmp_path / "dist", "--format", "print", "--strict") == 1
    err = capsys.readouterr().err
    assert "libharfbuzz-subset0" in err and "apt-get install libharfbuzz-subset0" in err


def test_a_slug_names_a_recipe_in_content() -> None:
    from anthology import resources

    assert build.recipe_path("demo") == str(resources.CONTENT / "volumes" / "demo.toml")
    assert build.recipe_path("no-such-volume") == "no-such-volume"  # reported by the build
    assert build.main(["no-such-volume", "--quiet"]) == 1
