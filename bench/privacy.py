"""The privacy detector's precision and recall on batches it was not trained on.

    .venv/bin/python bench/privacy.py                      (each of the newest four training
                                                            batches held out in turn)
    .venv/bin/python bench/privacy.py --hold-out privacy_blind6.json privacy_blind7.json
    .venv/bin/python bench/privacy.py --unseen             (the packaged model on the unseen
                                                            batches of tests/text/scoring.py)

For each held-out batch a tagger is trained on every other training set
(anthology.text.tagger.training, about 90 s per batch on one core; two at a time) and the whole
detector is scored on the held-out batch with it, per class; the last table sums them. Prints
figures, asserts nothing: tests/text/test_privacy.py holds the targets.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/: its queue.py would hide the standard library's

import argparse  # noqa: E402
import tempfile  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

from tests.text import scoring  # noqa: E402

CLASSES = ("address", "person_name", "identifiers")


def _held_out(name: str, keep: Path | None = None) -> dict[str, tuple[int, int, int]]:
    from anthology.text.tagger import model, training

    cases = [c for n in scoring.TRAINING if n != name for c in scoring.load(n)]
    with tempfile.TemporaryDirectory() as tmp:
        path = (keep or Path(tmp)) / f"without-{name}.crfsuite"
        if not path.exists():
            training.train(cases, path)
        model.use(path)
        table, misses = scoring.score(scoring.load(name))
        model.use(None)
    if keep:
        (keep / f"without-{name}.txt").write_text("\n".join(misses) + "\n", "utf-8")
    return {k: (table[k].tp, table[k].fp, table[k].fn) for k in CLASSES if k in table}


def _packaged(name: str) -> dict[str, tuple[int, int, int]]:
    table, _ = scoring.score(scoring.load(name))
    return {k: (table[k].tp, table[k].fp, table[k].fn) for k in CLASSES if k in table}


def _line(name: str, counts: dict[str, tuple[int, int, int]]) -> str:
    cells = []
    for kind in CLASSES:
        tp, fp, fn = counts.get(kind, (0, 0, 0))
        s = scoring.Score(tp, fp, fn)
        cells.append(f"{s.precision:.2f} / {s.recall:.2f} ({tp}, {fp}, {fn})")
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hold-out", nargs="*", default=list(scoring.TRAINING[-4:]))
    parser.add_argument("--unseen", action="store_true", help="score the packaged model instead")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--keep", type=Path, help="keep the held-out models here (and reuse them), with the misses"
    )
    args = parser.parse_args()
    names = list(scoring.UNSEEN) if args.unseen else args.hold_out
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(args.jobs) as pool:
        if args.unseen:
            runs = pool.map(_packaged, names)
        else:
            runs = pool.map(_held_out, names, [args.keep] * len(names))
        results = dict(zip(names, runs, strict=True))
    what = "packaged model" if args.unseen else "trained without the batch"
    print(f"precision / recall (tp, fp, fn), {what}")
    print("| batch | " + " | ".join(CLASSES) + " |")
    print("|---|" + "---|" * len(CLASSES))
    total: dict[str, tuple[int, int, int]] = {}
    for name, counts in results.items():
        print(_line(name, counts))
        for kind, (tp, fp, fn) in counts.items():
            a, b, c = total.get(kind, (0, 0, 0))
            total[kind] = (a + tp, b + fp, c + fn)
    print(_line("all", total))


if __name__ == "__main__":
    main()
