"""Builds clean up their staging folders: those of killed builds at the start, their own on
SIGTERM; a full disk is one clear error."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anthology import build

from . import DATA as BOOK

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    shutil.copytree(BOOK, tmp_path / "book")
    return tmp_path / "book" / "volumes" / "small.toml"


def test_a_killed_builds_staging_folder_is_removed_by_the_next_build(
    book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from anthology import pdf

    out = tmp_path / "dist"
    (out / ".build-999999-x1y2").mkdir(parents=True)  # no process 999999: a killed build's
    (out / ".build-999999-x1y2" / "small-print.pdf").write_bytes(b"%PDF-half")
    mine = out / f".build-{os.getpid()}-live"  # a build running now (this process) stays
    mine.mkdir()

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pdf, "write_pdf", full_disk)
    code = build.main([str(book), "--out", str(out), "-q", "--format", "print"])
    err = capsys.readouterr().err
    assert code == 1
    assert "the disk is full" in err and "nothing was written" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [mine.name]


@pytest.mark.slow
def test_sigterm_removes_the_builds_own_staging_folder(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    process = subprocess.Popen(
        [sys.executable, "build.py", str(book), "--out", str(out), "-q", "--format", "print",
         "--chunk-pages", "0", "--no-cache"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob(".build-*")):
        time.sleep(0.05)
    assert list(out.glob(".build-*")), "the build never started rendering"
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert list(out.iterdir()) == []
