"""Queue and search timings with 10,000 generated stories (or 100,000 with --big).

    .venv/bin/python bench/queue.py [--stories 10000] [--runs 20] [--big] [--backend ...]
    .venv/bin/python bench/queue.py --help      (how to run it, PostgreSQL, the data cache)

`--big` generates 100,000 stories and holds every query to 150 ms instead of 100 ms. Besides
searches, filtered pages and counts, the "my work" views (new, revised by the author, assigned to
me, open flags, and all of them together) are timed as the signed-in editor, and the near-
duplicate lookup of a new story (its MinHash bands against everyone's). Generated stories carry
an assigned editor (one in eight), the author's revision mark (one in twenty) and MinHash bands:
real ones for the first 2,000, random 64-bit band hashes for the rest (what distinct stories'
bands look like to the index; computing 100,000 real signatures would take half an hour).

Always runs on SQLite; also on PostgreSQL when TEST_DATABASE_URL is set (that database
is emptied first, as the tests do). Stories are generated from a word list and segmented with the
site's code (`search.story_words`) once, cached in a file, then loaded in bulk into each database
and written to the search index by the site's writer (`search.write_index`); then searches,
filtered queue pages and status counts are timed through `stories.listing` (the functions the
queue page calls).
Prints the median and the slowest run per query in milliseconds, and the median CPU time (on
PostgreSQL the client's and the server process's together).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# This file is called queue.py: its folder goes last on the path so the standard `queue` wins.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.append(str(HERE))

from queuedata import (  # noqa: E402
    CACHE,
    DATASET_VERSION,
    analyze,
    dataset,
    holds,
    mark,
    populate,
    reset,
)
from sqlalchemy import create_engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from stories import migrations  # noqa: E402
from stories.models import ServiceField, Story, StoryBand, StoryStatus  # noqa: E402
from stories.operations.editorial import duplicates  # noqa: E402
from stories.queries.listing import QueueFilter, queue_page, status_counts  # noqa: E402

USAGE = """\
how to run it (from the checkout, after `make setup`):
  .venv/bin/python bench/queue.py                       10,000 stories, SQLite (+ PostgreSQL)
  .venv/bin/python bench/queue.py --big                 100,000 stories, the 150 ms target
  .venv/bin/python bench/queue.py --big --backend sqlite --runs 10

PostgreSQL is measured when TEST_DATABASE_URL names a database this may empty, e.g.
  pg_ctlcluster 15 main start   (the role `stories` as .ci/run makes it), then
  su postgres -c "psql -c 'CREATE DATABASE stories_bench OWNER stories'"
  TEST_DATABASE_URL=postgresql+psycopg://stories:stories@127.0.0.1:5432/stories_bench \\
      .venv/bin/python bench/queue.py --big --backend postgresql

The generated stories (text, MinHash bands, jieba's index words) are made once and cached in
bench/output/cache/queue-<stories>-<seed>-v<N>.pickle (100,000 stories: about 8 minutes of CPU,
spread over --jobs processes). A loaded database is reused: SQLite's is kept as
bench/output/cache/queue-<...>.sqlite and copied for each run, PostgreSQL's is recognised by its
bench_dataset table; either is upgraded to the newest migration first (new indexes count).
Loading from the file (bulk executemany, COPY for the 3.2 million band rows, the GIN index built
once) takes a few minutes at 100,000 stories; --fresh makes the file and the databases again.
Use a database of its own for --big (a smaller run empties it and loads its own stories).

Timings depend on the machine being quiet: the load average is printed before and after the
queries, with the CPU time of each query (this process's, plus on PostgreSQL the server
process's when the server runs on this machine), which other work on the machine disturbs far
less than the wall time. Run it on an otherwise idle machine for the figures.
"""

QUERIES: list[tuple[str, QueueFilter]] = [
    ("search 养老", QueueFilter(q="养老")),
    ("search 我们 (in most stories)", QueueFilter(q="我们")),
    ("search 社工", QueueFilter(q="社工")),
    ("search 留守儿童", QueueFilter(q="留守儿童")),
    ("search 社区 志愿者", QueueFilter(q="社区 志愿者")),
    ("search 老社 (no match)", QueueFilter(q="老社")),
    ("search pen name 王小", QueueFilter(q="王小")),
    ("search 养老 + submitted tab", QueueFilter(q="养老", status=StoryStatus.submitted)),
    ("queue: all, newest first", QueueFilter()),
    ("queue: submitted tab, page 20", QueueFilter(status=StoryStatus.submitted, page=20)),
    (
        "queue: elderly + 浙江省",
        QueueFilter(service_field=ServiceField.elderly, province="浙江省"),
    ),
    ("queue: privacy flags present", QueueFilter(flagged=True)),
    ("queue: tag 标签3", QueueFilter(tag="标签3")),
    ("queue: volume bench, by title", QueueFilter(volume="bench", sort="title")),
    (
        "queue: date range, by activity",
        QueueFilter(
            since=datetime(2026, 3, 1).date(), until=datetime(2026, 4, 30).date(), sort="activity"
        ),
    ),
    # The "my work" views (issue 17), as the signed-in editor (account 1).
    ("my work: needs me (the queue's first page)", QueueFilter(work="needs", me=1)),
    ("my work: new submissions", QueueFilter(work="new", me=1)),
    ("my work: revised by the author", QueueFilter(work="revised", me=1)),
    ("my work: assigned to me", QueueFilter(work="mine", me=1)),
    ("my work: open privacy flags", QueueFilter(work="flagged", me=1)),
    ("my work: needs me, page 10", QueueFilter(work="needs", me=1, page=10)),
    ("queue: assigned to nobody, by title", QueueFilter(assigned="none", sort="title")),
    ("search 养老 in needs me (with snippets)", QueueFilter(q="养老", work="needs", me=1)),
]


def _duplicate_lookup(session: Session, runs: int) -> tuple[str, float, float, float, int]:
    """A new story's bands against every story's (the query `check_story` runs), plus the exact
    overlap of the candidates; story 1 rewritten a little is the new story."""
    from sqlalchemy import and_, or_
    from sqlmodel import col, select

    first = session.get(Story, 1)
    assert first is not None
    grams = duplicates.shingles(first.title, first.body.replace("。", "，", 3))
    hashes = duplicates.band_hashes(grams)
    same_band = or_(*(and_(col(StoryBand.band) == b, col(StoryBand.hash) == h)
                      for b, h in enumerate(hashes)))  # fmt: skip

    def lookup() -> int:
        ids = session.exec(
            select(StoryBand.story_id).where(same_band).distinct().limit(duplicates.MAX_CANDIDATES)
        ).all()
        found = 0
        for other in session.exec(select(Story).where(col(Story.id).in_(ids))):
            found += duplicates.overlap(grams, duplicates.shingles(other.title, other.body)) >= 0.5
        return found

    wall, slowest, cpu, found = _timed(runs, lookup)
    return ("duplicate lookup of a new story (bands)", wall, slowest, cpu, found)


_SERVER: list[Path] = []  # PostgreSQL: the server process of the session's connection


def _cpu_ms() -> float:
    """CPU time of this process and, on PostgreSQL, of its server process (ms): what a query
    costs whatever else the machine runs (`/proc/<pid>/schedstat`, nanoseconds on the CPU)."""
    total = time.process_time() * 1000
    for path in _SERVER:
        total += int(path.read_text().split()[0]) / 1e6
    return total


def _watch_server(session: Session) -> str:
    """Count the PostgreSQL server process's CPU time too when it runs on this machine."""
    _SERVER.clear()
    if session.get_bind().dialect.name != "postgresql":
        return "this process's CPU time (the whole query)"
    from sqlalchemy import text

    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    path = Path(f"/proc/{pid}/schedstat")
    if not path.exists():
        return "this process's CPU time only (the server is not on this machine)"
    _SERVER.append(path)
    return f"this process's and the server process's ({pid}) CPU time"


def _timed(runs: int, call: Any) -> tuple[float, float, float, Any]:
    """Median and slowest wall time and median CPU time (ms, see _cpu_ms), and the result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu, began = _cpu_ms(), time.perf_counter()
        result = call()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append(_cpu_ms() - cpu)
    return statistics.median(walls), max(walls), statistics.median(cpus), result


def measure(url: str, runs: int, limit_ms: float) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        cpu_meaning = _watch_server(session)  # one connection for the whole measurement
        results = []
        for _label, where in QUERIES:  # warm the caches once, as a running site has them
            queue_page(session, where)
        for label, where in QUERIES:
            wall, slowest, cpu, page = _timed(runs, lambda w=where: queue_page(session, w))
            results.append((label, wall, slowest, cpu, page.total))
        wall, slowest, cpu, _ = _timed(runs, lambda: status_counts(session, QueueFilter()))
        results.append(("status counts only", wall, slowest, cpu, 0))
        results.append(_duplicate_lookup(session, runs))
    engine.dispose()
    print(
        f"  {'query (page of 50 + total + tab counts)':44s} {'median':>8s} {'max':>8s}"
        f" {'cpu':>8s} {'hits':>6s}"
    )
    for label, median, slowest, cpu, total in results:
        print(f"  {label:44s} {median:7.1f}ms {slowest:7.1f}ms {cpu:7.1f}ms {total:6d}")
    worst = max(median for _, median, _, _, _ in results)
    verdict = "under" if worst < limit_ms else "OVER"
    print(f"  slowest median: {worst:.1f} ms ({verdict} {limit_ms:.0f} ms)")
    worst_cpu = max(cpu for _, _, _, cpu, _ in results)
    verdict = "under" if worst_cpu < limit_ms else "OVER"
    print(f"  slowest median CPU time: {worst_cpu:.1f} ms ({verdict} {limit_ms:.0f} ms)")
    print(f"  (cpu: the median of {cpu_meaning})")


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--big", action="store_true", help="100,000 stories, every query under 150 ms"
    )
    parser.add_argument(
        "--backend", choices=("both", "sqlite", "postgresql"), default="both",
        help="which databases (PostgreSQL needs TEST_DATABASE_URL)",
    )  # fmt: skip
    parser.add_argument(
        "--cache", type=Path, default=CACHE,
        help=f"folder of the generated data (default {CACHE.relative_to(HERE.parent)})",
    )  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="generate again, ignore the cache")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1,
        help="processes segmenting the stories with jieba when generating (default: the cores)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.big:
        args.stories = max(args.stories, 100_000)
    limit_ms = 150.0 if args.stories > 10_000 else 100.0
    targets = []
    if args.backend != "postgresql":
        targets.append(("SQLite", "sqlite"))
    if args.backend != "sqlite":
        if os.environ.get("TEST_DATABASE_URL"):
            targets.append(("PostgreSQL", os.environ["TEST_DATABASE_URL"]))
        elif args.backend == "postgresql":
            parser.error("--backend postgresql needs TEST_DATABASE_URL (see .ci/run)")
    print(f"{args.stories} stories, {args.runs} runs a query; {_load()}")
    key = f"queue-{args.stories}-{args.seed}-v{DATASET_VERSION}"
    data: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as folder:
        for name, url in targets:
            print(f"{name}: {args.stories} stories")
            cached_db = args.cache / f"{key}.sqlite"
            if url == "sqlite":
                url = f"sqlite:///{Path(folder) / 'bench.db'}"
                if cached_db.exists() and not args.fresh:
                    shutil.copyfile(cached_db, Path(folder) / "bench.db")
            if not args.fresh and holds(url, key):
                migrations.upgrade(url)  # indexes added since the data was loaded
                analyze(url)
                print(f"  reused the loaded database ({key}), upgraded to the newest migration")
            else:
                if data is None:
                    data = dataset(
                        args.cache, args.stories, args.seed, max(1, args.jobs), args.fresh
                    )
                reset(url)
                populate(url, data)
                mark(url, key)
                if url.startswith("sqlite"):
                    shutil.copyfile(Path(folder) / "bench.db", cached_db)
            print(f"  {_load()} before the queries")
            cpu = time.process_time()
            measure(url, args.runs, limit_ms)
            print(
                f"  {_load()} after; this process's CPU time for the queries: "
                f"{time.process_time() - cpu:.1f} s"
            )


if __name__ == "__main__":
    main()
