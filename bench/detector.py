"""CPU time of the privacy detector per 2,000-character story (it runs on every submission).

    .venv/bin/python bench/detector.py [--runs 41] [--code DIR]

Stories are the labelled sentences of tests/text/data/ joined and cut into 2,000-character pieces.
Prints the median and the minimum CPU time (time.process_time) per story of the whole `detect`
and of its part after jieba's tagging (numbers; the tagger's features and labels for names and
addresses, then their readers), which is the detector's own code. `--code DIR` measures the
`anthology` package found in DIR instead (one with the tagger, anthology.text.tagger: for example
`git archive main anthology | tar -x -C /tmp/main`), on the same stories: run both, interleaved,
and compare the minimums, which survive a loaded machine best.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "text" / "data"
SETS = ("cases", "blind", "blind2", "blind3", "blind4")


def stories(size: int = 2000) -> list[str]:
    text = "".join(
        str(case["text"])
        for name in SETS
        for case in json.loads((DATA / f"privacy_{name}.json").read_text("utf-8"))
    )
    return [text[i : i + size] for i in range(0, len(text) - size + 1, size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41, help="timed passes (default 41)")
    parser.add_argument("--code", help="a directory holding another `anthology` package")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, args.code)
    else:
        sys.path.insert(0, str(DATA.parent.parent.parent))
    from anthology.text import contacts, privacy, words
    from anthology.text.tagger import addresses, model, names

    pieces = stories()
    privacy.detect(pieces[0])  # loads jieba's dictionary
    tagged = [words.words(piece) for piece in pieces]
    after: list[float] = []
    for _ in range(args.runs):
        start = time.process_time()
        for piece, tokens in zip(pieces, tagged, strict=True):
            contacts.contact_flags(piece)
            marked = model.spans(piece, tokens)
            addresses.address_flags(piece, tokens, marked)
            names.name_flags(piece, tokens, marked)
        after.append((time.process_time() - start) / len(pieces) * 1000)
    whole: list[float] = []
    for _ in range(max(3, args.runs // 10)):
        start = time.process_time()
        for piece in pieces:
            privacy.detect(piece)
        whole.append((time.process_time() - start) / len(pieces) * 1000)
    print(f"code: {Path(privacy.__file__).resolve().parent.parent.parent}")
    print(f"{len(pieces)} stories of 2,000 characters; load average {os.getloadavg()[0]:.2f}")
    print(f"after tagging: median {statistics.median(after):.2f} ms, min {min(after):.2f} ms/story")
    print(f"whole detect:  median {statistics.median(whole):.1f} ms, min {min(whole):.1f} ms/story")


if __name__ == "__main__":
    main()
