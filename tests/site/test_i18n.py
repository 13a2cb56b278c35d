"""Both message catalogues are complete, and the language switch works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "stories" / "translations"


def _extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def _translated(locale: str) -> dict[str, str]:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    result = {}
    for message in catalog:
        if not message.id or "fuzzy" in message.flags:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = message.string if isinstance(message.string, str) else message.string[0]
        if value:
            result[key] = value
    return result


def test_every_string_is_translated_in_both_catalogues(tmp_path: Path) -> None:
    extracted = _extracted_ids(tmp_path)
    assert extracted, "no translatable strings found"
    for locale in ("zh_Hans_CN", "en"):
        missing = sorted(extracted - set(_translated(locale)))
        assert not missing, f"{locale} lacks {len(missing)} translations, e.g. {missing[:5]}"


def test_chinese_is_the_default_and_english_available(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert "讲述您的社工故事" in page
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Tell the story of your social work" in page
    # The choice sticks for the next page.
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_browser_preference_for_english(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page


def test_error_pages_speak_the_users_language(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
    response = client.get("/no-such-page?lang=en")
    assert "Page not found" in response.get_data(as_text=True)
