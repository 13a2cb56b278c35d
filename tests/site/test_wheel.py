"""The wheel works outside the checkout: it serves the site and builds the demo book.

The wheel is built from this checkout (`pip wheel`, as a packager would), installed into a new
virtualenv that borrows only the third-party packages of ours (a .pth file, so nothing is
downloaded), and used from a folder outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


# Not copied into the source tree the wheel is built from: what a build or a run leaves behind.
LEFT_BEHIND = shutil.ignore_patterns(
    ".git", ".venv", "dist", "build", "instance", ".cache", "output", "__pycache__", "*.mo",
    "*.egg-info", ".*_cache",
)  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the checkout (setuptools writes build/ where it builds)."""
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(ROOT, source, ignore=LEFT_BEHIND)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    [built] = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with the wheel installed; returns its python."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    borrowed = [p for p in sys.path if p.endswith("site-packages")]
    (Path(site) / "borrowed.pth").write_text("\n".join(borrowed) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    return python


def _run(python: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("STORIES_", "DATA"))}
    environment.update(env)
    done = subprocess.run(
        [str(python), *args], cwd=cwd, env=environment, capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_wheel_holds_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("stories", "anthology"):
        for path in (ROOT / package).rglob("*.py"):
            if "share" not in path.relative_to(ROOT).parts:
                assert str(path.relative_to(ROOT)) in names
    for folder in ("templates", "content"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                assert f"anthology/share/{path.relative_to(ROOT)}" in names
    assert "stories/translations/zh_Hans_CN/LC_MESSAGES/messages.mo" in names
    assert "stories/migrations/versions/0001_stories_revisions_consents.py" in names
    for data in ("lexicon.toml", "tagger/model.crfsuite", "tagger/model.json"):
        assert f"anthology/text/{data}" in names  # the privacy detector's word lists and model


def test_installed_wheel_serves_the_site(installed: Path, tmp_path: Path) -> None:
    env = {
        "STORIES_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "wheel-test-key-3f9a1c7e5b2d8046c1e9",
    }
    where = _run(installed, tmp_path, "-c", "import stories, anthology.resources as r; "
                 "print(stories.__file__); print(r.TEMPLATES)")  # fmt: skip
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout
    _run(installed, tmp_path, "-m", "flask", "--app", "stories", "db", "upgrade", **env)
    loaded = _run(installed, tmp_path, "-m", "flask", "--app", "stories", "demo", "load", **env)
    assert "Loaded 14 demo stories" in loaded.stdout
    script = (
        "from stories import create_app\n"
        "client = create_app().test_client()\n"
        "for url in ('/', '/submit', '/track', '/login'):\n"
        "    page = client.get(url)\n"
        "    print(url, page.status_code, page.get_data(as_text=True).count('征集'))\n"
    )
    pages = _run(installed, tmp_path, "-c", script, **env).stdout.splitlines()
    # The privacy detector's tagger, with the model the wheel carries.
    probe = "王奶奶住在北京市朝阳区劲松街道劲松八区809楼3单元201室。"
    detector = (
        f"from anthology.text.privacy import detect; print([f.text for f in detect({probe!r})])"
    )
    found = _run(installed, tmp_path, "-c", detector).stdout
    assert "王奶奶" in found and "劲松八区809楼3单元201室" in found, found
    assert [line.split()[1] for line in pages] == ["200"] * 4, pages
    assert int(pages[0].split()[2]) > 0  # the Chinese interface, from the compiled catalogue


def test_installed_wheel_builds_the_demo_book(installed: Path, tmp_path: Path) -> None:
    script = installed.parent / "stories-build"
    done = _run(installed, tmp_path, str(script), "demo", "--format", "print,epub", "--out",
                str(tmp_path / "dist"), "--quiet")  # fmt: skip
    assert "demo-print.pdf" in done.stdout and "demo.epub" in done.stdout
    pdf = tmp_path / "dist" / "demo-print.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "作者名录" in text
    assert (tmp_path / "dist" / "demo.epub").stat().st_size > 10_000
