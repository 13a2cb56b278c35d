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

Always runs on a fresh SQLite file; also on PostgreSQL when TEST_DATABASE_URL is set (that database
is emptied first, as the tests do). Stories are generated from a word list and segmented with the
site's code (`search.story_words`) once, cached in a file, then loaded in bulk into each database
and written to the search index by the site's writer (`search.write_index`); then searches,
filtered queue pages and status counts are timed through `stories.listing` (the functions the
queue page calls).
Prints the median and the slowest run per query in milliseconds.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pickle
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# This file is called queue.py: keep its folder off the path so the standard `queue` module wins.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from concurrent.futures import ProcessPoolExecutor  # noqa: E402 - needs the standard queue
from multiprocessing import get_context  # noqa: E402

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402
from sqlmodel import Session  # noqa: E402

from stories import migrations  # noqa: E402
from stories.models import (  # noqa: E402
    FlagStatus,
    PrivacyFlag,
    PrivacyKind,
    ServiceField,
    Story,
    StoryBand,  # noqa: E402
    StoryStatus,
    StoryTag,
    Tag,
    Volume,
    VolumeEntry,
)
from stories.operations.editorial import duplicates  # noqa: E402
from stories.queries import search  # noqa: E402
from stories.queries.listing import QueueFilter, queue_page, status_counts  # noqa: E402

REAL_SIGNATURES = 2_000
# Bump when generate() or the index words change: older cache files are then not read.
DATASET_VERSION = 1
CACHE = HERE / "output" / "cache"

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
queries, with the process's CPU time. Run it on an otherwise idle machine for the figures.
"""

WORDS = (
    "养老 社区 社工 老人 独居 家访 志愿者 孩子 留守儿童 学校 老师 家长 医院 病房 康复 残疾 "
    "低保 救助 "
    "困难 家庭 服务 中心 项目 小组 个案 评估 需求 资源 链接 邻里 互助 陪伴 倾听 信任 改变 成长 "
    "情绪 压力 沟通 冲突 调解 戒毒 社区矫正 街道 居委会 政府 购买服务 督导 反思 专业 伦理 边界 "
    "尊严 自决 赋能 优势视角 生命故事 回忆 照片 厨房 楼道 菜场 公园 雨天 冬天 夏天 春节 电话 "
    "微笑 眼泪 感谢 坚持 放弃 希望 第一次 后来 终于 慢慢 每周 每天 常常 突然 一起 我们 他们 "
    "她 他 我 说 想 做 看见 听见 记得 忘记 离开 回来 帮助 学习 工作 生活 身体 健康 药 饭 "
    "钥匙 门 窗户 书包 作业 轮椅 拐杖 床 被子 热水 报纸 手机 视频 社区活动 读书会 手工课"
).split()
PROVINCES = ("浙江省", "广东省", "江苏省", "四川省", "湖北省", "北京市", "上海市", "山东省")
ORGS = ("禾苗", "阳光", "同心", "彩虹", "暖流", "春晖", "明德", "和谐")
SURNAMES = "王李张刘陈杨黄赵吴周"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


class Vocabulary:
    """The 20,000 most frequent words of jieba's dictionary, drawn by (damped) frequency, so that
    common words are in most stories and rare ones in few, as in real text."""

    def __init__(self) -> None:
        jieba = search._jieba()
        han = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
        ranked = sorted(
            ((word, freq) for word, freq in jieba.dt.FREQ.items() if freq > 0 and han.match(word)),
            key=lambda item: -item[1],
        )[:20_000]
        self.words = [word for word, _ in ranked]
        self.cumulative = list(itertools.accumulate(freq**0.75 for _, freq in ranked))

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)


def sentence(rng: random.Random, vocabulary: Vocabulary, topic: list[str]) -> str:
    words = vocabulary.draw(rng, rng.randint(6, 14))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(topic))
    return "".join(words) + rng.choice("。，！？")


def generate(rng: random.Random, count: int) -> list[dict[str, object]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    statuses = list(StoryStatus)
    weights = [1, 40, 15, 8, 20, 12, 4]
    vocabulary = Vocabulary()
    rows = []
    for number in range(1, count + 1):
        topic = rng.sample(WORDS, 4)
        submitted = start + timedelta(minutes=rng.randint(0, 300 * 24 * 60))
        status = rng.choices(statuses, weights)[0]
        decided = status in (StoryStatus.accepted, StoryStatus.rejected)
        body = "\n\n".join(
            "".join(sentence(rng, vocabulary, topic) for _ in range(rng.randint(4, 8)))
            for _ in range(5)
        )
        rows.append(
            {
                "id": number,
                "title": "".join(rng.sample(topic, 2) + vocabulary.draw(rng, 1)),
                "body": body,
                "pen_name": rng.choice(SURNAMES) + rng.choice("小晓明华丽芳军"),
                "real_name": "",
                "organisation": rng.choice(ORGS) + "社会工作服务中心",
                "province": rng.choice(PROVINCES),
                "city": "",
                "service_field": rng.choice(list(ServiceField)),
                "contact_phone": "",
                "contact_email": "",
                "status": status,
                "version": 1,
                "editor_message": "",
                "decided_by_id": None,
                "decided_at": submitted if decided else None,
                "created_at": submitted,
                "updated_at": submitted,
                "submitted_at": submitted,
                "last_activity_at": submitted + timedelta(days=rng.randint(0, 30)),
                "assigned_to_id": 1 if rng.random() < 0.125 else None,
                "revised_by_author_at": (
                    submitted + timedelta(days=3)
                    if status == StoryStatus.submitted and rng.random() < 0.05
                    else None
                ),
            }
        )
    return rows


def _story_words(row: tuple[int, str, str, str, str]) -> tuple[int, str]:
    """One story's index words (the site's `search.story_words`), space-joined; runs in a
    worker process."""
    story_id, title, body, pen_name, organisation = row
    return story_id, " ".join(search.story_words(title, body, pen_name, organisation))


def build_dataset(count: int, seed: int, jobs: int) -> dict[str, object]:
    """Everything the databases are filled with: stories, tags, flags, MinHash bands and the
    search index's words (segmented by jieba in `jobs` processes)."""
    began = time.perf_counter()
    rng = random.Random(seed)
    rows = generate(rng, count)
    for row in rows:
        if row["decided_at"] is not None:
            row["decided_by_id"] = 1
    story_tags = [(r["id"], rng.randint(1, 20)) for r in rows[::3]]
    accepted = [r["id"] for r in rows if r["status"] == StoryStatus.accepted][:500]
    flagged = [r["id"] for r in rows[::7]]
    bands = []
    for r in rows:
        if r["id"] <= REAL_SIGNATURES:  # type: ignore[operator]
            hashes = duplicates.band_hashes(duplicates.shingles(str(r["title"]), str(r["body"])))
        else:
            hashes = [rng.getrandbits(64) - 2**63 for _ in range(duplicates.BANDS)]
        bands.append(array("q", hashes))
    generated = time.perf_counter()
    texts = [(r["id"], r["title"], r["body"], r["pen_name"], r["organisation"]) for r in rows]
    if jobs > 1:
        with ProcessPoolExecutor(jobs, mp_context=get_context("fork")) as pool:
            words = list(pool.map(_story_words, texts, chunksize=250))
    else:
        words = [_story_words(row) for row in texts]
    print(
        f"  generated {count} stories in {generated - began:.1f} s, "
        f"segmented (jieba, {jobs} processes) in {time.perf_counter() - generated:.1f} s"
    )
    return {
        "rows": rows,
        "story_tags": story_tags,
        "accepted": accepted,
        "flagged": flagged,
        "bands": bands,
        "words": words,
    }


def dataset(folder: Path, count: int, seed: int, jobs: int, fresh: bool) -> dict[str, object]:
    """The generated data, read from the cache file when an earlier run made it."""
    path = folder / f"queue-{count}-{seed}-v{DATASET_VERSION}.pickle"
    if path.exists() and not fresh:
        began = time.perf_counter()
        with path.open("rb") as handle:
            data = pickle.load(handle)  # noqa: S301 - our own cache file
        print(
            f"  read {count} generated stories from {path} in {time.perf_counter() - began:.1f} s"
        )
        return data  # type: ignore[no-any-return]
    data = build_dataset(count, seed, jobs)
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    print(f"  cached in {path} (reused by the next run; --fresh makes it again)")
    return data


def reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if url.startswith("postgresql"):
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrations.upgrade(url)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy_bands(conn: Connection, data: dict[str, Any]) -> None:
    """story_band has 32 rows a story (3.2 million at 100,000): COPY on PostgreSQL, the
    driver's executemany on SQLite."""
    triples = (
        (story_id, band, value)
        for story_id, hashes in enumerate(data["bands"], start=1)
        for band, value in enumerate(hashes)
    )
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy("COPY story_band (story_id, band, hash) FROM STDIN") as copy:
            for triple in triples:
                copy.write_row(triple)
        cursor.close()
    else:
        conn.connection.driver_connection.executemany(  # type: ignore[union-attr]
            "INSERT INTO story_band (story_id, band, hash) VALUES (?, ?, ?)", triples
        )


def populate(url: str, data: dict[str, Any]) -> float:
    rows = data["rows"]
    engine = create_engine(url)
    began = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO user_account (username, display_name, password_hash, role, "
                "is_active, created_at) VALUES ('bench', '', '!', 'editor', true, "
                "CURRENT_TIMESTAMP)"
            )
        )
        for chunk in _chunks(rows, 5_000):
            conn.execute(insert(Story), chunk)
        conn.execute(
            insert(Tag), [{"id": i, "name": f"标签{i}", "created_at": NOW} for i in range(1, 21)]
        )
        conn.execute(
            insert(StoryTag), [{"story_id": s, "tag_id": t} for s, t in data["story_tags"]]
        )
        conn.execute(
            insert(Volume),
            [{"id": 1, "slug": "bench", "title": "基准卷", "created_at": NOW, "updated_at": NOW}],
        )
        conn.execute(
            insert(VolumeEntry),
            [
                {"volume_id": 1, "story_id": sid, "position": i}
                for i, sid in enumerate(data["accepted"])
            ],
        )
        conn.execute(
            insert(PrivacyFlag),
            [
                {
                    "story_id": sid,
                    "kind": PrivacyKind.person_name,
                    "text": "王奶奶",
                    "start": 0,
                    "end": 3,
                    "status": FlagStatus.open,
                    "created_at": NOW,
                }
                for sid in data["flagged"]
            ],
        )
        _copy_bands(conn, data)
        if url.startswith("postgresql"):
            conn.execute(text("SELECT setval('story_id_seq', (SELECT max(id) FROM story))"))
        inserted = time.perf_counter()
        # The site's own index writer, given the words segmented when the data was generated.
        # PostgreSQL builds the GIN index once afterwards (migration 0003's definition): much
        # faster than growing it row by row.
        postgresql = url.startswith("postgresql")
        if postgresql:
            conn.execute(text("DROP INDEX ix_story_search_tokens"))
        for chunk in _chunks(data["words"], 5_000):
            search.write_index(conn, [(story_id, words.split()) for story_id, words in chunk])
        if postgresql:
            conn.execute(
                text("CREATE INDEX ix_story_search_tokens ON story_search USING GIN (tokens)")
            )
        indexed = time.perf_counter()
    # What autovacuum does on a live server: statistics, and the GIN pending list merged.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()
    print(
        f"  inserted {len(rows)} stories in {inserted - began:.1f} s, "
        f"wrote the search index in {indexed - inserted:.1f} s, "
        f"analyzed in {time.perf_counter() - indexed:.1f} s"
    )
    return indexed - began


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


def _timed(runs: int, call: Any) -> tuple[float, float, float, Any]:
    """Median and slowest wall time and median CPU time of this process (ms), and the result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu, began = time.process_time(), time.perf_counter()
        result = call()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), max(walls), statistics.median(cpus), result


def measure(url: str, runs: int, limit_ms: float) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
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
    print(
        "  (cpu: this process's CPU time, the median: on SQLite the whole query, on PostgreSQL "
        "the client's share only)"
    )


def _holds(url: str, key: str) -> bool:
    """The database already holds this data set (a table `bench_dataset` names it)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT name FROM bench_dataset")).scalar() == key
    except Exception:  # noqa: BLE001 - no such table: a fresh or a test database
        return False
    finally:
        engine.dispose()


def _mark(url: str, key: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_dataset (name VARCHAR(200) NOT NULL)"))
        conn.execute(text("INSERT INTO bench_dataset (name) VALUES (:key)"), {"key": key})
    engine.dispose()


def _analyze(url: str) -> None:
    engine = create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()


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
            if not args.fresh and _holds(url, key):
                migrations.upgrade(url)  # indexes added since the data was loaded
                _analyze(url)
                print(f"  reused the loaded database ({key}), upgraded to the newest migration")
            else:
                if data is None:
                    data = dataset(
                        args.cache, args.stories, args.seed, max(1, args.jobs), args.fresh
                    )
                reset(url)
                populate(url, data)
                _mark(url, key)
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
