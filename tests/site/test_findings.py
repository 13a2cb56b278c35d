"""The privacy detector runs once per text: the preview's findings come back with the form, signed
by the server and bound to the text, and the send uses them only for exactly that text."""

from __future__ import annotations

import html
import re

import submitting as s
from flask import Flask
from sqlmodel import select

from stories import db
from stories.models import PrivacyFlag
from stories.operations import flags

PHONE_BODY = s.BODY + "\n我陪张阿姨去医院，她的电话是 13912345678。"
OTHER_BODY = s.BODY + "\n李大爷住在幸福路18号3栋，他的电话是 13687654321。"
_FINDINGS = re.compile(r'name="privacy_findings" value="([^"]*)"')


def _flags(app: Flask) -> set[tuple[str, str]]:
    with app.app_context(), db.session_scope() as session:
        return {(f.kind.value, f.text) for f in session.exec(select(PrivacyFlag))}


def _send(client: object, data: dict[str, str]) -> None:
    data.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=data)  # type: ignore[attr-defined]
    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]


def test_the_send_uses_the_previews_findings_instead_of_scanning_again(app: Flask) -> None:
    client = app.test_client()
    page = s.preview(client, body=PHONE_BODY).get_data(as_text=True)
    assert "13912345678" in page  # the author is warned on the preview
    data = s.carried(page)
    assert data["privacy_findings"]
    flags.detect_body.cache_clear()  # as if another worker process answered the send
    before = flags.detect_body.cache_info().misses
    _send(client, data)
    assert flags.detect_body.cache_info().misses == before  # no second scan
    assert ("phone", "13912345678") in _flags(app)
    assert ("person_name", "张阿姨") in _flags(app)


def test_findings_signed_for_another_text_or_altered_are_not_used(app: Flask) -> None:
    client = app.test_client()
    first = s.carried(s.preview(client, body=PHONE_BODY).get_data(as_text=True))
    page = s.preview(client, body=OTHER_BODY).get_data(as_text=True)
    data = s.carried(page)
    data["privacy_findings"] = first["privacy_findings"]  # the other text's findings
    flags.detect_body.cache_clear()
    before = flags.detect_body.cache_info().misses
    _send(client, data)
    assert flags.detect_body.cache_info().misses == before + 1  # scanned again
    found = _flags(app)
    assert ("phone", "13687654321") in found and ("phone", "13912345678") not in found

    client = app.test_client()
    page = s.preview(client, body=PHONE_BODY + "\n王奶奶也来了。").get_data(as_text=True)
    data = s.carried(page)
    signed = html.unescape(_FINDINGS.search(page).group(1))  # type: ignore[union-attr]
    data["privacy_findings"] = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    flags.detect_body.cache_clear()
    before = flags.detect_body.cache_info().misses
    _send(client, data)
    assert flags.detect_body.cache_info().misses == before + 1
    assert ("person_name", "王奶奶") in _flags(app)
