"""The stories bench/queue.py times the queue on: generated once, cached, loaded in bulk.

Stories are drawn from jieba's dictionary (common words in most stories, rare ones in few),
segmented with the site's own code (`search.story_words`, one process per core), and cached in
bench/output/cache/ with their MinHash bands; a database is loaded from that (executemany, COPY
on PostgreSQL), its search index written by the site's writer (`search.write_index`), and marked
with a `bench_dataset` table so later runs reuse it.
"""

from __future__ import annotations

import itertools
import pickle
import random
import re
import time
from array import array
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Connection

from stories import migrations
from stories.models import (
    FlagStatus,
    PrivacyFlag,
    PrivacyKind,
    ServiceField,
    Story,
    StoryStatus,
    StoryTag,
    Tag,
    Volume,
    VolumeEntry,
)
from stories.operations.editorial import duplicates
from stories.queries import search

REAL_SIGNATURES = 2_000
# Bump when generate() or the index words change: older cache files are then not read.
DATASET_VERSION = 1
CACHE = Path(__file__).resolve().parent / "output" / "cache"

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


def holds(url: str, key: str) -> bool:
    """The database already holds this data set (a table `bench_dataset` names it)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT name FROM bench_dataset")).scalar() == key
    except Exception:  # noqa: BLE001 - no such table: a fresh or a test database
        return False
    finally:
        engine.dispose()


def mark(url: str, key: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_dataset (name VARCHAR(200) NOT NULL)"))
        conn.execute(text("INSERT INTO bench_dataset (name) VALUES (:key)"), {"key": key})
    engine.dispose()


def analyze(url: str) -> None:
    engine = create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()
