"""Train the tagger on labelled sentences: `python -m anthology.text.tagger.training FILE...`
(JSON lists of {"text", "flags": [[kind, substring], ...]}, as in tests/text/data) writes
model.crfsuite and model.json beside this module (`make model` passes the training sets).

Each sentence with names is also read again with its names replaced by others of the same form
(a full name by a full name, 小周 by 老孙 or 王婶), and each with addresses with its addresses
replaced by other labelled addresses: the tagger learns the contexts, not the few names it saw.
Everything is seeded, so the same files give the same model.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

from anthology.text import words
from anthology.text.tagger.features import (
    COMPOUND_SURNAMES,
    STEMS,
    SURNAMES,
    features,
    name_counts,
)
from anthology.text.tagger.model import LABELS, MODEL

PARAMS = {"c1": 0.05, "c2": 0.05, "max_iterations": 300, "feature.possible_transitions": True}
NAME_VARIANTS = 4
ADDRESS_VARIANTS = 2
HERE = Path(__file__).parent

Case = dict[str, Any]

_SURNAMES = sorted(SURNAMES)
_COMPOUNDS = sorted(COMPOUND_SURNAMES)
_STEMS = sorted(STEMS)
_TITLES = (
    *"姐 哥 婶 叔 伯 嫂 姨".split(),
    *"大爷 大妈 大娘 阿姨 老师 书记 医生 师傅 奶奶 爷爷 阿婆 大姐 大哥 主任 婆婆 叔叔 队长 村长"
    " 支书".split(),
)
_FAMILIAR_ENDS = (*_TITLES, "妈妈", "爸爸", "阿嬷", "阿公", "老人", "先生", "女士", "头")


def labels(text: str, flags: list[list[str]]) -> list[str]:
    """BIO labels per character for the names and addresses among `flags` (every occurrence)."""
    tags = ["O"] * len(text)
    for kind, value in flags:
        if kind not in LABELS:
            continue
        start = text.find(value)
        while start >= 0:
            tags[start] = "B-" + LABELS[kind]
            for i in range(start + 1, start + len(value)):
                tags[i] = "I-" + LABELS[kind]
            start = text.find(value, start + len(value))
    return tags


def form(name: str) -> str:
    """familiar (小周, 王婶, 阿强), minority (阿依古丽·买买提, 岩温) or full (欧阳明远)."""
    if name[0] in "小老阿" or name.endswith(_FAMILIAR_ENDS):
        return "familiar"
    if "·" in name or name[:2] in _STEMS or name[0] in "岩玉":
        return "minority"
    return "full"


def _given(rng: random.Random, chars: list[str]) -> str:
    return "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))


def _name(rng: random.Random, shape: str, chars: list[str]) -> str:
    if shape == "familiar":
        pick = rng.random()
        if pick < 0.35:
            return rng.choice("小老") + rng.choice(_SURNAMES)
        if pick < 0.85:
            return rng.choice(_SURNAMES) + rng.choice(_TITLES)
        return "阿" + rng.choice(chars)
    if shape == "full" or rng.random() < 0.5:
        if rng.random() < 0.12:
            return rng.choice(_COMPOUNDS) + _given(rng, chars)
        return rng.choice(_SURNAMES) + _given(rng, chars)
    a, b = rng.choice(_STEMS), rng.choice(_STEMS)
    pick = rng.random()
    if pick < 0.3:
        return f"{a}·{b}"
    if pick < 0.6:
        return a + b
    if pick < 0.8:
        return rng.choice("岩玉依") + rng.choice(chars)
    return a


def _variants(cases: list[Case], kind: str, count: int, make: Any, seed: int) -> list[Case]:
    rng = random.Random(seed)  # noqa: S311 (reproducible variants, no secret)
    found = []
    for case in cases:
        values = sorted({v for k, v in case["flags"] if k == kind}, key=len, reverse=True)
        others = [f for f in case["flags"] if f[0] != kind]
        if not values or any(v in o or o in v for v in values for _, o in others):
            continue
        for _ in range(count):
            text, flags = case["text"], list(others)
            for value in values:
                new = make(rng, value)
                text = text.replace(value, new)
                flags.append([kind, new])
            if all(value in text for _, value in flags):
                found.append({"text": text, "flags": flags})
    return found


def augmented(cases: list[Case]) -> list[Case]:
    """The cases, then their variants with other names and other addresses."""
    given = name_counts()[1]
    chars = sorted(sorted(given), key=lambda c: -given[c])[:1500]
    addresses = sorted({v for c in cases for k, v in c["flags"] if k == "address"})
    return (
        cases
        + _variants(cases, "person_name", NAME_VARIANTS, lambda r, v: _name(r, form(v), chars), 1)
        + _variants(cases, "address", ADDRESS_VARIANTS, lambda r, v: r.choice(addresses), 2)
    )


def train(cases: list[Case], path: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for case in augmented(cases):
        text = case["text"]
        trainer.append(features(text, words.words(text)), labels(text, case["flags"]))
    trainer.set_params(PARAMS)
    trainer.train(str(path))


def digest(files: list[Path]) -> str:
    """One hash of the training files' contents, in order (model.json records it)."""
    sha = hashlib.sha256()
    for file in files:
        sha.update(file.name.encode() + b"\0" + file.read_bytes())
    return sha.hexdigest()


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv]
    if not files:
        print("usage: python -m anthology.text.tagger.training FILE.json ...", file=sys.stderr)
        return 2
    cases = [case for file in files for case in json.loads(file.read_text("utf-8"))]
    train(cases, HERE / MODEL)
    meta = {
        "sets": [f.name for f in files],
        "sha256": digest(files),
        "sentences": len(cases),
        "params": PARAMS,
        "name_variants": NAME_VARIANTS,
        "address_variants": ADDRESS_VARIANTS,
    }
    (HERE / "model.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    print(f"trained on {len(cases)} sentences from {len(files)} files: {HERE / MODEL}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
