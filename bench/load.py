#!/usr/bin/env python3
"""Load test of the production setup (issue 15): authors following the real forms.

    .venv/bin/python bench/load.py [--authors 50] [--seconds 60] [--workers 4] [--think 1-3]
                                   [--database-url URL] [--burst 30] [--burst-chars 28000]

SQLite (the default: a fresh file in a temporary folder):

    .venv/bin/python bench/load.py

PostgreSQL (the database named is EMPTIED first; as root on Debian, the cluster CI uses):

    pg_ctlcluster 15 main start
    su postgres -c psql <<'SQL'
    CREATE ROLE stories LOGIN PASSWORD 'stories' CREATEDB;  -- once (CI's .ci/run makes it too)
    CREATE DATABASE stories_load OWNER stories;
    SQL
    .venv/bin/python bench/load.py \\
        --database-url postgresql+psycopg://stories:stories@127.0.0.1:5432/stories_load

Starts, on 127.0.0.1 only, what `make prod` runs: gunicorn with stories/server.py's settings
(`--workers` sync workers), a queue worker (`flask worker`, at its lower CPU priority) and a
Redis server of its own on a free port (rate limits and the queue, as in production; Debian's
`redis-server`). Each author is a thread with its own cookies and its own address
(X-Forwarded-For, the site trusting one proxy, as behind nginx) that loops for `--seconds`:
open /submit, preview a story of 800-3,000 characters, tick the consents and send, read the
receipt, open the status page; it waits `--think` seconds (a random time in the range; 0 for
none) between pages. Stories are written from real sentences: those of the demo stories and
book texts in content/ and the privacy detector's labelled sentences (names, addresses,
numbers) in tests/text/data (see `_story`). Then `--burst` authors preview a story of
`--burst-chars` characters each and press Send at the same moment. Every server is stopped at
the end (it stops by itself), and the figures are printed: the servers' CPU time per request
and the load average (on a shared machine the latencies say more about the other programs),
requests, errors (any answer but 200/303), latency percentiles of all requests and of sends,
the rows counted in the database (stories = receipts = revisions = consents / 2 = submit audit
events = search index rows), and how long the queue took to scan the long stories. It exits 0
when every target is met.

Targets (issue 15, this 2-core machine, 4 workers, 50 authors, 60 s, SQLite and PostgreSQL):
0 errors, p95 of all requests at most 300 ms, p99 of sends at most 2 s, exactly one story per
successful send; 30 simultaneous 28,000-character stories: 0 errors, p95 at most 5 s.
bench/cpu.py gives the CPU time of each step without servers (through Flask's test client).
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# bench/queue.py would hide the standard library's queue (psycopg needs it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
PYTHON = sys.executable

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_TOKEN = re.compile(r'name="submission_token"[^>]*value="([^"]+)"')
_CODE = re.compile(r'class="tracking-code"[^>]*>([^<]+)<')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', re.S)

_SENTENCE = re.compile(r"[^。！？\n]*[\u4e00-\u9fff][^。！？\n]*[。！？]")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _sentences() -> tuple[list[str], list[str]]:
    """Real sentences to write stories with: those of the demo stories and book texts in
    content/ (about 300), and the privacy detector's labelled sentences in tests/text/data
    (about 230, each with a name, an address or a number in it)."""
    texts: list[str] = []
    for path in sorted((ROOT / "content").rglob("*")):
        if path.suffix == ".json":
            texts += _strings(json.loads(path.read_text("utf-8")))
        elif path.suffix == ".md":
            texts.append(path.read_text("utf-8"))
    plain = sorted({
        found.strip() for text in texts for found in _SENTENCE.findall(text)
        if len(found.strip()) >= 8 and not re.search(r"[#*\[\]<>{}|=_]", found)
    })  # fmt: skip
    labelled: list[str] = []
    for path in sorted((ROOT / "tests" / "text" / "data").glob("*.json")):
        labelled += [str(case["text"]) for case in json.loads(path.read_text("utf-8"))]
    return plain, labelled


PLAIN, PERSONAL = _sentences()
MATERIAL = 90  # sentences an author writes a story from


def _story(chars: int, rng: random.Random) -> str:
    """A story of about `chars` characters in paragraphs of 2-5 sentences, one sentence in eight
    with personal data in it, written from `MATERIAL` sentences of its own (a random sixth of
    the real ones; a long story says some of them more than once).

    Two authors' stories then share few sentences (a 3-gram overlap of about 0.1), as real
    stories do. Drawn from all the sentences (or from a handful of phrases, as this benchmark
    did before), every long story would be a near-duplicate of every other, and each send
    would compare itself with 50 others inside its write transaction: a case the
    near-duplicate check is not built for and no real burst of different authors makes."""
    plain = rng.sample(PLAIN, min(len(PLAIN), MATERIAL * 7 // 8))
    personal = rng.sample(PERSONAL, min(len(PERSONAL), MATERIAL // 8))
    lines, total = [], 0
    while total < chars:
        pool = [personal if rng.random() < 1 / 8 else plain for _ in range(rng.randint(2, 5))]
        line = "".join(rng.choice(sentences) for sentences in pool)
        lines.append(line)
        total += len(line)
    return "\n".join(lines)


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    all_ms: list[float] = field(default_factory=list)
    send_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def add(self, ms: float, send: bool = False) -> None:
        with self.lock:
            self.all_ms.append(ms)
            if send:
                self.send_ms.append(ms)


class Author:
    """One person with a browser: cookies, an address, the forms as the pages give them."""

    def __init__(self, base: str, number: int, results: Results, think: tuple[float, float]):
        self.base, self.results, self.think = base, results, think
        self.rng = random.Random(number)
        self.address = f"10.{number // 250 % 250}.{number % 250}.{self.rng.randint(1, 250)}"
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None, send: bool = False) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"X-Forwarded-For": self.address}
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as response:
                status, text, location = response.status, response.read().decode(), ""
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
            location = error.headers.get("Location", "")
        except OSError as error:
            status, text, location = 0, str(error), ""
        ms = (time.perf_counter() - started) * 1000
        self.results.add(ms, send)
        if status not in (200, 303):
            with self.results.lock:
                self.results.errors.append(f"{status} {path}: {_why(text)}")
            raise _Failed
        return location if status == 303 else text

    def pause(self) -> None:
        low, high = self.think
        if high > 0:
            time.sleep(self.rng.uniform(low, high))

    def preview(self, chars: int) -> dict[str, str]:
        page = self.request("/submit")
        form = {"csrf_token": _CSRF.search(page).group(1),  # type: ignore[union-attr]
                "submission_token": _TOKEN.search(page).group(1)}  # type: ignore[union-attr]  # fmt: skip
        self.pause()
        form.update(title=f"第{self.rng.randint(1, 10**9)}个故事", body=_story(chars, self.rng),
                    pen_name="青檀", real_name="王小明", organisation="禾苗社会工作服务中心",
                    province="浙江省", city="杭州市", service_field="elderly",
                    years_in_practice="6", contact_phone="138 0013 8000",
                    contact_email="author@example.org")  # fmt: skip
        page = self.request("/submit/preview", form)
        data = {name: html.unescape(value) for name, value in _HIDDEN.findall(page)}
        data.update({name: html.unescape(value) for name, value in _TEXTAREA.findall(page)})
        data["csrf_token"] = _CSRF.search(page).group(1)  # type: ignore[union-attr]
        data.update(consent_licence="y", consent_people="y")
        return data

    def send(self, data: dict[str, str]) -> str:
        location = self.request("/submit/send", data, send=True)
        receipt = self.request(urllib.parse.urlsplit(location).path)
        code = _CODE.search(receipt).group(1).strip()  # type: ignore[union-attr]
        with self.results.lock:
            self.results.codes.append(code)
        return code

    def loop(self, until: float) -> None:
        while time.monotonic() < until:
            try:
                data = self.preview(self.rng.randint(800, 3000))
                self.pause()
                code = self.send(data)
                self.pause()
                self.request(f"/track/{code}")
                self.pause()
            except _Failed:
                time.sleep(1)


class _Failed(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _why(text: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", text, re.S) or re.search(r'role="alert">(.*?)<', text)
    return html.unescape(found.group(1)).strip()[:120] if found else text[:120]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - 127.0.0.1
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the site did not answer at {url}")


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(child) for child in children)
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes and their descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for root in pids:
        for pid in _tree(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _counts(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    index = "story_search" if url.startswith("postgresql") else "story_fts"
    queries = {
        "stories": "SELECT count(*) FROM story",
        "revisions": "SELECT count(*) FROM story_revision",
        "consents": "SELECT count(*) FROM consent",
        "submit events": "SELECT count(*) FROM audit_event WHERE action = 'story.submit'",
        "index rows": f"SELECT count(*) FROM {index}",  # noqa: S608 - our table names
        "waiting for their scan": "SELECT count(*) FROM story WHERE scan_pending",
    }
    with engine.connect() as connection:
        found = {
            name: int(connection.execute(text(sql)).scalar_one()) for name, sql in queries.items()
        }
    engine.dispose()
    return found


def _report(title: str, results: Results, seconds: float, cpu: tuple[float, float]) -> None:
    print(f"\n== {title}")
    load = os.getloadavg()[0]
    count = max(len(results.all_ms), 1)
    web, queue = cpu
    print(
        f"server CPU {web + queue:.1f} s: gunicorn {web:.1f} s ({web * 1000 / count:.0f} ms a "
        f"request), queue worker {queue:.1f} s; load average {load:.1f} on {os.cpu_count()} "
        "cores (other programs share them)"
    )
    rate = len(results.all_ms) / seconds
    print(f"requests {len(results.all_ms)} in {seconds:.1f} s ({rate:.1f}/s), "
          f"errors {len(results.errors)}, successful sends {len(results.codes)}")  # fmt: skip
    for name, values in (("all requests", results.all_ms), ("sends", results.send_ms)):
        p50, p95, p99 = (_percentile(values, q) for q in (50, 95, 99))
        print(f"  {name:<13} p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  p99 {p99:7.0f} ms  "
              f"max {max(values, default=0):7.0f} ms")  # fmt: skip
    for error in sorted(set(results.errors))[:10]:
        print(f"  error: {error} (x{results.errors.count(error)})")


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--authors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--think", default="1-3", help="seconds between pages: LOW-HIGH or 0")
    parser.add_argument("--database-url", help="PostgreSQL to use (EMPTIED); default SQLite")
    parser.add_argument("--burst", type=int, default=30)
    parser.add_argument("--burst-chars", type=int, default=28000)
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed (apt-get install redis-server)")

    instance = Path(tempfile.mkdtemp(prefix="stories-load-"))
    database = args.database_url or f"sqlite:///{instance / 'stories.db'}"
    if args.database_url:
        _reset_postgres(database)
    redis_port, site_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORIES_")}
    env.update(
        STORIES_INSTANCE_PATH=str(instance), DATABASE_URL=database,
        SECRET_KEY=os.urandom(32).hex(), REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        WEB_CONCURRENCY=str(args.workers), BIND=f"127.0.0.1:{site_port}",
        STORIES_TRUSTED_PROXIES="1", STORIES_SESSION_COOKIE_SECURE="false",
        STORIES_QUEUE_NAME="load",
    )  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    log = (instance / "servers.log").open("wb")
    try:
        processes.append(subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
        subprocess.run([PYTHON, "-m", "flask", "--app", "stories", "db", "upgrade"], env=env,
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
        processes.append(subprocess.Popen(
            [PYTHON, "-m", "flask", "--app", "stories", "worker"], env=env, cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT))  # fmt: skip
        processes.append(subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "-c", "python:stories.server", "stories:create_app()"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log))  # fmt: skip
        base = f"http://127.0.0.1:{site_port}"
        _wait_http(base + "/")
        kind = "PostgreSQL" if args.database_url else "SQLite"
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"gunicorn {args.workers} workers + queue worker + Redis, {kind}; "
              f"{args.authors} authors for {args.seconds:.0f} s, think {args.think} s")  # fmt: skip

        worker, site = processes[1].pid, processes[2].pid

        def cpu_now() -> tuple[float, float]:
            return _cpu_seconds([site]), _cpu_seconds([worker])

        def cpu_since(before: tuple[float, float]) -> tuple[float, float]:
            now = cpu_now()
            return now[0] - before[0], now[1] - before[1]

        cpu = cpu_now()
        steady = Results()
        until = time.monotonic() + args.seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=Author(base, n, steady, think).loop, args=(until,))
                   for n in range(args.authors)]  # fmt: skip
        for thread in threads:
            thread.start()
            time.sleep(min(0.05, 2 / max(args.authors, 1)))  # they arrive within a second or two
        for thread in threads:
            thread.join()
        _report("steady load", steady, time.perf_counter() - started, cpu_since(cpu))

        burst = Results()
        if args.burst:
            authors = [Author(base, 10_000 + n, burst, (0, 0)) for n in range(args.burst)]
            forms = [author.preview(args.burst_chars) for author in authors]
            burst.all_ms.clear()
            burst.send_ms.clear()
            gate = threading.Barrier(args.burst)

            def press(author: Author, data: dict[str, str]) -> None:
                gate.wait()
                try:
                    author.send(data)
                except _Failed:
                    pass

            started, cpu = time.perf_counter(), cpu_now()
            threads = [
                threading.Thread(target=press, args=pair)
                for pair in zip(authors, forms, strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            _report(f"burst: {args.burst} stories of {args.burst_chars:,} characters sent at once",
                    burst, time.perf_counter() - started, cpu_since(cpu))  # fmt: skip
            waited = time.perf_counter()
            while (
                _counts(database)["waiting for their scan"] and time.perf_counter() - waited < 300
            ):
                time.sleep(1)
            took = time.perf_counter() - waited
            print(f"  the queue scanned and indexed the long stories within {took:.0f} s "
                  "after the last send")  # fmt: skip

        counts = _counts(database)
        sends = len(steady.codes) + len(burst.codes)
        print("\n== rows")
        for name, value in counts.items():
            print(f"  {name:<24} {value}")
        expected = {"stories": sends, "revisions": sends, "consents": 2 * sends,
                    "submit events": sends, "index rows": sends}  # fmt: skip
        exact = all(counts[name] == value for name, value in expected.items())
        unique = len(set(steady.codes + burst.codes)) == sends
        print(
            f"  successful sends {sends}; one story per send: {'yes' if exact and unique else 'NO'}"
        )
        ok = (not steady.errors and not burst.errors and exact and unique
              and _percentile(steady.all_ms, 95) <= 300 and _percentile(steady.send_ms, 99) <= 2000
              and (not args.burst or _percentile(burst.send_ms, 95) <= 5000))  # fmt: skip
        print(f"\ntargets met: {'yes' if ok else 'NO'}")
        return 0 if ok else 1
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
