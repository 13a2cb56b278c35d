#!/usr/bin/env python3
"""CPU time per request of an author's steps, through Flask's test client (no server, no network).

    .venv/bin/python bench/cpu.py [--rounds 20] [--chars 2000] [--profile STEP] [--database-url URL]

One process, a fresh SQLite file (or the PostgreSQL database given by --database-url: it is
emptied), the detector and jieba loaded first (as gunicorn's master does before forking). Each
round is what bench/load.py's authors do: open /submit, preview a story of `--chars` characters
(the same text generator as bench/load.py), send it, read the receipt, open the status page.
Prints the median and mean CPU time (user + system of this process) per step in milliseconds;
CPU time does not depend on what else the machine runs, unlike wall-clock time.
`--profile preview` (or send, form, receipt, status) prints cProfile's 25 costliest functions of
that step, cumulated over the rounds.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # bench/queue.py
sys.path.insert(0, str(HERE.parent))

_spec = importlib.util.spec_from_file_location("bench_load", HERE / "load.py")
load = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["bench_load"] = load  # its dataclasses look their module up
_spec.loader.exec_module(load)  # type: ignore[union-attr]

STEPS = ("form", "preview", "send", "receipt", "status")


def _cpu() -> float:
    return time.process_time()  # user + system of this process, fine-grained


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--profile", choices=STEPS)
    parser.add_argument("--database-url", help="PostgreSQL to use (EMPTIED); default SQLite")
    args = parser.parse_args()

    from stories import create_app, migrations
    from stories.server import warm

    folder = Path(tempfile.mkdtemp(prefix="stories-cpu-"))
    url = args.database_url or f"sqlite:///{folder / 'stories.db'}"
    if args.database_url:
        load._reset_postgres(url)
    migrations.upgrade(url)
    app = create_app({
        "TESTING": True, "SECRET_KEY": os.urandom(32).hex(), "DATABASE_URL": url,
        "RATELIMIT_ENABLED": False, "QUEUE_FILE": str(folder / "queue.db"),
        "PICTURES_FOLDER": str(folder / "pictures"), "EDITIONS_FOLDER": str(folder / "editions"),
    })  # fmt: skip
    warm()
    client = app.test_client()
    rng = random.Random(1)
    spent: dict[str, list[float]] = {step: [] for step in STEPS}
    profiler = cProfile.Profile()

    def step(name: str, call: object, *call_args: object, **kwargs: object) -> object:
        if name == args.profile:
            profiler.enable()
        started = _cpu()
        response = call(*call_args, **kwargs)  # type: ignore[operator]
        spent[name].append((_cpu() - started) * 1000)
        if name == args.profile:
            profiler.disable()
        assert response.status_code in (200, 303), (name, response.status_code)  # type: ignore[attr-defined]
        return response

    started = time.perf_counter()
    for number in range(args.rounds + 1):  # round 0 warms the templates and caches
        page = step("form", client.get, "/submit").get_data(as_text=True)  # type: ignore[attr-defined]
        form = {"csrf_token": load._CSRF.search(page).group(1),  # type: ignore[union-attr]
                "submission_token": load._TOKEN.search(page).group(1)}  # type: ignore[union-attr]  # fmt: skip
        form.update(title=f"第{number}个故事", body=load._story(args.chars, rng), pen_name="青檀",
                    real_name="王小明", organisation="禾苗社会工作服务中心", province="浙江省",
                    city="杭州市", service_field="elderly", years_in_practice="6",
                    contact_phone="138 0013 8000", contact_email="author@example.org")  # fmt: skip
        page = step("preview", client.post, "/submit/preview", data=form).get_data(as_text=True)  # type: ignore[attr-defined]
        data = {n: load.html.unescape(v) for n, v in load._HIDDEN.findall(page)}
        data.update({n: load.html.unescape(v) for n, v in load._TEXTAREA.findall(page)})
        data["csrf_token"] = load._CSRF.search(page).group(1)  # type: ignore[union-attr]
        data.update(consent_licence="y", consent_people="y")
        location = step("send", client.post, "/submit/send", data=data).headers["Location"]  # type: ignore[attr-defined]
        receipt = step("receipt", client.get, urllib.parse.urlsplit(location).path)
        code = load._CODE.search(receipt.get_data(as_text=True)).group(1).strip()  # type: ignore[attr-defined, union-attr]
        step("status", client.get, f"/track/{code}")
        if number == 0:
            for values in spent.values():
                values.clear()
    wall = time.perf_counter() - started
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(f"CPU per request, {args.rounds} rounds, stories of {args.chars:,} characters, {kind}"
          f" (load average {os.getloadavg()[0]:.1f}; {wall:.1f} s wall)")  # fmt: skip
    total = 0.0
    for name, values in spent.items():
        total += statistics.mean(values)
        print(f"  {name:<8} median {statistics.median(values):6.1f} ms  "
              f"mean {statistics.mean(values):6.1f} ms")  # fmt: skip
    print(f"  one author's round: {total:.0f} ms of CPU")
    if args.profile:
        print(f"\ncProfile of '{args.profile}' over {args.rounds + 1} rounds:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    app.extensions["db_engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
