#!/usr/bin/env python3
"""The receipt mail through `make serve` and a local SMTP server (issue 14's acceptance).

    python bench/mailserve.py [--fresh] [--port 5091] [--smtp-port 8025]

Starts an SMTP server (aiosmtpd) on 127.0.0.1:SMTP_PORT, then `make serve` with
`MAIL_SERVER=127.0.0.1 MAIL_PORT=SMTP_PORT` (in this checkout, or with --fresh in a fresh
clone of its HEAD, which installs everything first), submits a story with an e-mail address
through the real forms over HTTP, and prints the seconds from the send to the receipt's arrival
(target: within 10 s) and whether the private link in the mail opens the status page. Stops
`make serve` at the end.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT / "tests" / "site"))

from smtpserver import Inbox, links_in  # noqa: E402 - the tests' SMTP server

PARAGRAPH = "那天下午，我第一次走进老人的家。屋里很暗，桌上放着几串钥匙和一张旧照片，我们聊了很久。"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', re.S)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOKEN = re.compile(r'name="submission_token"[^>]*value="([^"]+)"')


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=60) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, body, timeout=60) as response:  # noqa: S310
            return response.status, response.read().decode()


def _wait_up(base: str, process: subprocess.Popen, timeout: float) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"make serve ended with code {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/", timeout=5):  # noqa: S310 - 127.0.0.1
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the site did not answer within {timeout:.0f} s")


def submit(browser: Browser, email: str) -> float:
    """The form, the preview, the consents, send: the time of the send."""
    import html

    _, page = browser.get("/submit")
    fields = {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "submission_token": TOKEN.search(page).group(1),  # type: ignore[union-attr]
        "title": "钥匙挂在门后", "body": "\n".join([PARAGRAPH] * 6), "pen_name": "青檀",
        "province": "浙江省", "service_field": "elderly", "contact_email": email,
    }  # fmt: skip
    _, preview = browser.post("/submit/preview", fields)
    data = {name: html.unescape(value) for name, value in HIDDEN.findall(preview)}
    data.update({name: html.unescape(value) for name, value in TEXTAREA.findall(preview)})
    data.update(csrf_token=CSRF.search(preview).group(1), consent_licence="y",  # type: ignore[union-attr]
                consent_people="y")  # fmt: skip
    sent_at = time.monotonic()
    status, receipt = browser.post("/submit/send", data)
    if status != 200 or "tracking-code" not in receipt:
        raise SystemExit(f"the story was not sent ({status})")
    return sent_at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="a fresh clone of HEAD")
    parser.add_argument("--port", type=int, default=5091)
    parser.add_argument("--smtp-port", type=int, default=8025)
    args = parser.parse_args()
    folder = ROOT
    temporary = None
    if args.fresh:
        temporary = tempfile.TemporaryDirectory(prefix="mailserve-")
        folder = Path(temporary.name) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(folder)], check=True)
    inbox = Inbox(args.smtp_port).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORIES_", "MAIL_"))}
    env.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(args.smtp_port))
    started = time.monotonic()
    process = subprocess.Popen(["make", "serve", f"PORT={args.port}"], cwd=folder, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_up(base, process, timeout=1800 if args.fresh else 300)
        print(f"make serve answering after {time.monotonic() - started:.1f} s")
        email = f"bench{int(time.time())}@example.org"
        sent_at = submit(Browser(base), email)
        while not inbox.messages(to=email) and time.monotonic() - sent_at < 60:
            time.sleep(0.05)
        if not inbox.messages(to=email):
            print("no receipt within 60 s")
            return 1
        seconds = time.monotonic() - sent_at
        [message] = inbox.messages(to=email)
        link = next(link for link in links_in(message) if "/track/" in link)
        status, page = Browser(base).get(link.split(str(args.port), 1)[1])
        opens = status == 200 and "钥匙挂在门后" in page
        print(f"receipt received {seconds:.2f} s after sending (target: within 10 s)")
        print(f"subject: {message['Subject'].strip()}")
        print(f"private link {link} opens the status page: {opens}")
        return 0 if seconds <= 10 and opens else 1
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        inbox.stop()
        if temporary is not None:
            temporary.cleanup()


if __name__ == "__main__":
    sys.exit(main())
