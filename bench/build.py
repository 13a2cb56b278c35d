#!/usr/bin/env python3
"""Benchmark of the print PDF build (issue 6): python bench/build.py [--stories 400].

Generates a volume of N stories (Chinese text from a word list in this file), then builds the
`print` PDF three ways, each in a fresh process:
  reference  one pass of stock WeasyPrint over the complete book HTML (with only the patch the
             book's text needs: anthology.pdf.weasy.justify; not anthology.pdf.weasy.speedups);
  full       our chunked parallel build with an empty cache;
  rebuild    our build again after changing one sentence in one story (cache reused).
It prints wall time, peak memory of the largest process, pages and the ratios to the
reference, checks the targets, and checks that the full build equals the reference (same page
count; on every page the same text and folio). Also prints the EPUB build time.
With --repeat N the reference and the full build are run N times, alternately, and their
medians are compared (this machine's speed drifts by a quarter from minute to minute).
With --against DIR (a checkout of another commit, e.g. `git worktree add --detach ../pre13
a435bde`, the last commit before issue 13's typesetting) the same volume is also built by that
checkout's code (this venv, its bench/build.py), each of its runs right before ours, and both
figures are printed side by side with their ratio: CPU seconds (user+system of the build and its
workers) are the figure to compare on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This folder holds other benchmarks (e.g. queue.py) that must not shadow the standard library.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from anthology.build import DEFAULT_CHUNK_PAGES  # noqa: E402

WORDS = (
    "社区 老人 孩子 家庭 志愿者 社工 服务 需求 陪伴 探访 资源 链接 个案 小组 活动 居民 邻里 "
    "照顾 关怀 倾听 沟通 信任 改变 成长 困难 帮助 支持 评估 计划 目标 记录 回访 转介 医院 "
    "学校 老师 家长 同学 作业 课堂 病房 康复 治疗 护理 低保 救助 申请 政策 材料 表格 街道 "
    "居委会 楼道 小区 菜场 公园 门口 电话 微信 下午 早上 晚上 周末 第一次 后来 慢慢 终于 "
    "其实 也许 一直 常常 有时 我们 他们 她 他 大家 自己 一起 每天 每周 一年 那天 今天 "
    "记得 发现 知道 觉得 希望 担心 害怕 高兴 难过 安心 温暖 坚持 尝试 理解 接纳 尊重 "
    "说 问 笑 哭 走 来 去 看 听 想 做 写 读 等 找 送 带 教 学 帮 陪 聊 谈 "
    "的 了 着 过 在 和 把 被 给 对 跟 从 向 就 都 还 又 也 很 更 最 不 没有"
).split()
PUNCT = "，，，，、。"


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    text = ""
    for i, word in enumerate(words):
        text += word
        if i and i % rng.randint(4, 7) == 0 and i < len(words) - 1:
            text += rng.choice(PUNCT[:-1])
    return text + rng.choice("。。。！？")


def story_body(rng: random.Random, chars: int) -> str:
    paragraphs, length = [], 0
    while length < chars:
        paragraph = "".join(sentence(rng) for _ in range(rng.randint(3, 7)))
        paragraphs.append(paragraph)
        length += len(paragraph)
    return "\n\n".join(paragraphs)


def generate(folder: Path, stories: int, seed: int = 2026) -> Path:
    """A volume recipe with `stories` generated stories in 8 parts; returns the recipe path."""
    rng = random.Random(seed)
    consent = {"version": "bench", "accepted_at": "2026-01-01T00:00:00Z"}
    parts = []
    per_part = max(1, stories // 8)
    for p in range(0, stories, per_part):
        items = []
        for i in range(p, min(stories, p + per_part)):
            items.append({
                "id": i + 1, "title": "".join(rng.choice(WORDS) for _ in range(3)) + f"（{i + 1}）",
                "body": story_body(rng, rng.randint(2600, 3600)), "pen_name": f"作者{i + 1}",
                "organisation": "测试社会工作服务中心", "province": "浙江省", "city": "杭州市",
                "service_field": "community", "years_in_practice": 3, "revision": 1,
                "submitted_at": None, "accepted_at": None,
                "consents": {"licence": consent, "people": consent},
                "privacy": {"unresolved_flags": 0, "override_reason": None},
            })  # fmt: skip
        parts.append({"title": f"第{len(parts) + 1}组", "stories": items})
    volume = {"slug": "bench", "title": "基准", "description": ""}
    doc = {"format": "social-work-stories", "version": 1, "volume": volume, "parts": parts}
    (folder / "volumes").mkdir(parents=True, exist_ok=True)
    (folder / "front").mkdir(exist_ok=True)
    (folder / "stories.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (folder / "front" / "preface.md").write_text(
        "---\ntitle: 前言\n---\n\n" + story_body(rng, 1500), "utf-8"
    )
    demo = (ROOT / "content" / "volumes" / "demo.toml").read_text("utf-8")
    head = demo.split("[page]")[0].split("stories =")[0]
    recipe = folder / "volumes" / "bench.toml"
    recipe.write_text(
        head + 'stories = "../stories.json"\n\n[page]\ntrim = "16开"\n\n[structure]\n'
        'front = ["front/preface.md"]\nbody = [{ stories = "all" }]\nback = ["contributors"]\n',
        "utf-8",
    )
    return recipe


def edit_one_sentence(folder: Path) -> None:
    path = folder / "stories.json"
    doc = json.loads(path.read_text("utf-8"))
    middle = doc["parts"][len(doc["parts"]) // 2]["stories"][0]
    middle["body"] = middle["body"].replace("。", "。这是改过的一句话。", 1)
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")


def run_one(kind: str, recipe: str, out: str, cache: str, chunk_pages: int, workers: int) -> None:
    """In a fresh process: build once, print JSON with seconds, peak memory and pages."""
    from anthology.pdf import write_pdf
    from anthology.sources import load_manuscript

    manuscript = load_manuscript(recipe)
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    if kind == "epub":
        from anthology.epub import write_epub

        result = write_epub(manuscript, out)
        pages = result.pages
    else:
        pages = write_pdf(
            manuscript, out, "print",
            chunk_pages=0 if kind == "reference" else chunk_pages,
            workers=workers, cache_dir=cache, stock=kind == "reference",
        ).pages  # fmt: skip
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime - cpu_before
    peak = max(own.ru_maxrss, children.ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "pages": pages}))


def measure(kind: str, recipe: Path, out: Path, cache: Path, args, root: Path = ROOT) -> dict:
    """Build in a fresh process with the code of checkout `root` (this one by default)."""
    command = [sys.executable, str(root / "bench" / "build.py"), "--run", kind, "--recipe",
               str(recipe), "--out", str(out), "--cache", str(cache), "--chunk-pages",
               str(args.chunk_pages), "--workers", str(args.workers)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, check=False, env=env)
    if done.returncode:
        sys.exit(f"{kind} build ({root}) failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def compare(reference: Path, ours: Path) -> list[str]:
    a, b = pages_of(reference), pages_of(ours)
    problems = [] if len(a) == len(b) else [f"page count {len(a)} != {len(b)}"]
    for number, (x, y) in enumerate(zip(a, b, strict=False), 1):
        if x != y:
            folio_x = [s.strip() for s in x.splitlines() if s.strip()][-1:]
            folio_y = [s.strip() for s in y.splitlines() if s.strip()][-1:]
            problems.append(f"page {number} differs (folio {folio_x} vs {folio_y})")
    return problems


def _median(runs: list[dict]) -> dict:
    """The run with the median wall time."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stories", type=int, default=400)
    p.add_argument("--chunk-pages", type=int, default=DEFAULT_CHUNK_PAGES)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--keep", help="keep the generated volume and PDFs in this folder")
    p.add_argument("--repeat", type=int, default=1,
                   help="build the reference and the full build this many times, alternately, "
                        "and compare their medians (for a machine whose speed drifts)")  # fmt: skip
    p.add_argument("--against", type=Path,
                   help="another checkout (e.g. of a435bde, before issue 13): build the same "
                        "volume with its code too and print both figures")  # fmt: skip
    p.add_argument("--run", help=argparse.SUPPRESS)
    p.add_argument("--recipe", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--cache", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run:
        run_one(args.run, args.recipe, args.out, args.cache, args.chunk_pages, args.workers)
        return 0
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-"))
    recipe = generate(folder, args.stories)
    cache = folder / "cache"
    load = os.getloadavg()[0]
    print(f"volume: {args.stories} stories in {folder}; {args.workers} workers, "
          f"chunks of about {args.chunk_pages} pages; load average {load:.1f}")  # fmt: skip
    against = args.against.resolve() if args.against else None
    if against and not (against / "bench" / "build.py").is_file():
        sys.exit(f"--against {against}: no bench/build.py there")
    runs: dict[str, list[dict]] = {"reference": [], "full": []}
    other: dict[str, list[dict]] = {"reference": [], "full": []}
    for _ in range(max(1, args.repeat)):
        for kind, pdf in (("reference", "reference.pdf"), ("full", "full.pdf")):
            for root, into in ((against, other), (ROOT, runs)):  # ours last: its cache is kept
                if root is None:
                    continue
                if kind == "full":
                    shutil.rmtree(cache, ignore_errors=True)  # a full build starts without a cache
                out = folder / (pdf if root == ROOT else f"against-{pdf}")
                run = measure(kind, recipe, out, cache, args, root)
                into[kind].append(run)
                who = "" if root == ROOT else f" ({root.name})"
                print(f"  {kind:<9} done in {run['seconds']:.1f} s{who}", flush=True)
    results = {kind: _median(measured) for kind, measured in runs.items()}
    if args.repeat > 1:
        for kind, measured in runs.items():
            figures = ", ".join(f"{r['seconds']:.1f}" for r in measured)
            median = results[kind]["seconds"]
            print(f"  {kind:<9} wall s of each run: {figures}; median {median:.1f}")
    edit_one_sentence(folder)
    results["rebuild"] = measure("rebuild", recipe, folder / "rebuild.pdf", cache, args)
    ref = results["reference"]
    print(f"\n{'build':<10} {'wall s':>8} {'× ref':>6} {'peak MB':>8} {'× ref':>6} {'pages':>6}"
          f" {'CPU s':>7}")  # fmt: skip
    for kind in ("reference", "full", "rebuild"):
        r = results[kind]
        time_ratio, memory_ratio = r["seconds"] / ref["seconds"], r["peak_mb"] / ref["peak_mb"]
        print(f"{kind:<10} {r['seconds']:>8.1f} {time_ratio:>6.2f} {r['peak_mb']:>8.0f} "
              f"{memory_ratio:>6.2f} {r['pages']:>6} {r['cpu']:>7.1f}")  # fmt: skip
    if against:
        print(f"\nthe same volume built by {against} (medians; × : this checkout's figure over "
              "that one's)")  # fmt: skip
        for kind in ("reference", "full"):
            theirs, ours = _median(other[kind]), results[kind]
            cpus = ", ".join(f"{r['cpu']:.1f}" for r in other[kind])
            print(
                f"{kind:<10} wall {theirs['seconds']:.1f} s (now {ours['seconds']:.1f} s, "
                f"× {ours['seconds'] / theirs['seconds']:.2f}); CPU {theirs['cpu']:.1f} s "
                f"(now {ours['cpu']:.1f} s, × {ours['cpu'] / theirs['cpu']:.2f}); "
                f"{theirs['pages']} pages (now {ours['pages']}); CPU s of each run: {cpus}"
            )
    load = os.getloadavg()[0]
    print(f"(CPU s: user+system of the build and its workers. Load average now {load:.1f} "
          f"on {os.cpu_count()} cores: other processes slow every figure.)")  # fmt: skip
    full, rebuild = results["full"], results["rebuild"]
    peak = max(full["peak_mb"], rebuild["peak_mb"])
    targets = [
        ("full build ≤ 0.45 × reference wall time", full["seconds"] / ref["seconds"], 0.45),
        ("peak memory ≤ 0.5 × reference", peak / ref["peak_mb"], 0.5),
        ("rebuild ≤ 0.15 × reference wall time", rebuild["seconds"] / ref["seconds"], 0.15),
    ]
    failed = False
    print()
    for name, ratio, limit in targets:
        ok = ratio <= limit
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {ratio:.2f}")
    problems = compare(folder / "reference.pdf", folder / "full.pdf")
    if problems:
        failed = True
        print(f"FAIL  full build differs from the reference: {len(problems)} problem(s)")
        for problem in problems[:10]:
            print(f"      {problem}")
    else:
        print(f"PASS  full build equals the reference: {ref['pages']} pages, same text and folio")
    from tests.book.typography import lone_characters

    lone = lone_characters(folder / "full.pdf")
    failed |= bool(lone)
    print(f"{'FAIL' if lone else 'PASS'}  孤字 (a paragraph ending in a line of one Han character) "
          f"in the full build: {len(lone)}"
          + "".join(f"\n      page {line.page}: {line.text}" for line in lone[:5]))  # fmt: skip
    try:
        import anthology.epub  # noqa: F401
    except ImportError:
        print("EPUB: anthology.epub not available")
    else:
        epub = measure("epub", recipe, folder / "bench.epub", cache, args)
        ok = epub["seconds"] < 10
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  EPUB build {epub['seconds']:.1f} s (target < 10 s), "
              f"peak {epub['peak_mb']:.0f} MB")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
