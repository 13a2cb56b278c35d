"""Precision and recall of the privacy detector on a labelled set of sentences, per kind.

`python -m tests.text.scoring` (from the checkout) prints the tables for the tuned set
(privacy_cases.json) and the batches written apart from the detector. Since issue 17's seventh
pass a tagger (anthology.text.tagger) trained on the TRAINING sets below marks names and
addresses; the rules named below for the earlier passes are gone. The batches:
- privacy_blind.json, privacy_blind2.json: written before the detector was changed in issue 17,
  their misses seen while changing it (see that issue's closing note for what was seen when);
- privacy_blind3.json: written afterwards by another hand and measured once untuned (address
  recall 0.89: an estate name with no region before it, 翠苑三区14幢1单元, was cut short; names
  0.93: 上官婉清 missed), then used to find those two classes of miss (estates, compound surnames
  with a given name jieba cut up), so it is seen as well;
- privacy_blind4.json (80 sentences): written blind by another hand and measured once untuned
  with the detector of issue 17's second pass (addresses P 0.57 R 0.57, names P 0.86 R 0.68,
  identifiers P 1.00 R 0.83), then used in the third pass to find the classes of miss it showed
  (address tails and adjacent parts, familiar forms and given names, labelled ID and card numbers
  whose checks fail, public figures), so it is seen too: a regression check, not a measure;
- privacy_blind5.json (80 sentences): written blind by a third hand on 2026-12-01, measured once
  untuned with the detector after issue 17's third pass: addresses P 0.79 R 0.79, names P 0.88
  R 0.83, identifiers P 1.00 R 1.00 (at the start of that day: addresses 0.68 / 0.68, names
  0.84 / 0.75). Then used in the fourth pass to find the classes of miss it showed (a 街道 cut
  short, village groups and tails after the house number, bare building/unit/room runs, minority
  given names, familiar forms and form fields, names in 《titles》, anonymised 陈某某, a name
  before 小学): 1.00 / 1.00 for every kind after that pass, so it is seen too, a regression check.
  Its label for 陈某某 (already anonymised, not flagged) now holds in the other sets as well;
- privacy_blind6.json (80 sentences): written blind by a fourth hand on 2026-12-01, measured once
  untuned with the detector after issue 17's fourth pass (main f1dfad0): addresses P 0.68 R 0.66,
  names P 0.79 R 0.75, identifiers P 1.00 R 1.00. Then used in the fifth pass to find the classes
  of miss it showed (long autonomous-county names, village teams 队, 后院 and 6-2 tails, a town
  jieba glued to its county, a 村委会 before the village, regions written apart from the rest of
  the address, minority full names of two parts or with a middle dot, 支书/督导 titles, a
  relative's form field, the story's own 《title》, characters named after a book's title, names
  before 附近, roles ending in 者): 1.00 / 1.00 for every kind after that pass, so it is seen too,
  a regression check;
- privacy_blind7.json (80 sentences): written blind by a fifth hand on 2026-12-01, measured once
  untuned with the detector after that fifth pass (main e428776): addresses P 0.71 R 0.71, names
  P 0.91 R 0.92, identifiers P 1.00 R 0.96 (a QQ number after 加我Q). Then used in the sixth pass
  to find the classes of address span it cut short or too long (tails 增1号, 附2号, 首层; a lane
  or 北段 between road and number; a region word of seven characters, 上海市浦东新区; a 乡 town
  after 那; 兵团 division, regiment and company; a landmark right after a district, 渝中区较场口;
  同一楼层 before an estate; a numbered village 罗山七村 with no number) and the QQ form: after
  that pass addresses P 1.00 R 1.00, names P 0.91 R 0.92 (names were not tuned), identifiers
  P 1.00 R 1.00, so it is seen too, a regression check;
- privacy_blind8.json (80 sentences): written blind by a sixth hand on 2026-12-01, measured once
  untuned with the detector after that sixth pass (main f4910c2): addresses P 0.61
  R 0.63, names P 0.74 R 0.73, identifiers P 1.00 R 0.96 (a QQ number after 号码是). The targets
  are not met: spans cut before a tail (3-2-1 after a space, 后院平房, 底商, 后客堂, 东套, 西厢房,
  地下室, 负2-3, 村委会…村民小组, 那王屯), Mongolian, Tibetan, Dai and Hui names (乌云其木格,
  才让东智, 岩温, 玉罕, 马尕娃), 王婶/张婶, surnames 楼/农, and false names (申请人, 阿嬷, 夏令营,
  苗寨, 黄金周, 张家口, a historical figure, two fictional characters). tests/text/test_privacy.py
  holds it as a strict xfail.
  Used for training since.
- privacy_blind9.json (north, north-east, Xinjiang, Tibet, Inner Mongolia; 80 sentences) and
  privacy_blind10.json (south and south-west; 80), written blind by two more hands on 2026-12-01.
  The rules detector of main 83a0f9f scored them: addresses 0.82/0.79 and 0.94/0.94, names
  0.77/0.66 and 0.75/0.77, identifiers 1.00/0.94 and 1.00/0.97. Then measured once with the first
  tagger (trained on the tuned set and batches 1-8 and 11-14): addresses 1.00/1.00 on both, names
  0.86/0.84 and 0.94/0.88, identifiers 1.00/1.00 on both. That run printed some of blind9's
  misses, so blind9 is seen and trained on since; blind10's misses were not read.
- privacy_blind11.json to privacy_blind14.json (80 sentences each: central China; the east coast;
  minority names everywhere; hard negatives and unusual address tails and familiar forms),
  written blind by four more hands on 2026-12-01 as training data. The rules detector scored them
  before they were read (addresses 0.94/1.00, 0.79/0.87, 0.90/0.90, 0.67/0.69; names 0.80/0.74,
  0.81/0.84, 0.73/0.60, 0.80/0.72; identifiers recall 0.96, 0.96, 0.89, 0.96); their identifier
  misses (numbers read out in Chinese numerals, a number abroad, WeChat and QQ handles a few words
  after the label, a plate with a hyphen) were then fixed in anthology.text.contacts.
- privacy_blind15.json (long first-person passages from all of China) and privacy_blind16.json
  (hospitals, schools, courts, disability services, elder care, disaster relief), 80 sentences
  each, written blind after that. The rules detector of 83a0f9f scored them: addresses 0.71/0.77
  and 0.72/0.74, names 0.64/0.75 and 0.73/0.65, identifiers 1.00/0.92 and 1.00/1.00. Measured
  once with the tagger trained on the sets above (with blind9): addresses 0.90/0.87 and
  0.97/0.97, names 0.68/0.85 and 0.85/0.78, identifiers 1.00/1.00 on both; blind10 in the same
  run: 1.00/1.00, 0.92/0.88, 1.00/1.00. Their misses were then read (common words and places
  taken for names, names in a story's own title, quoted pseudonyms) and they were trained on.
- privacy_blind17.json (everyday practitioner stories) and privacy_blind18.json (community and
  rural social work), 80 sentences each, written blind after that and kept out of training:
  with blind10 (whose misses were never read), the unseen measure. The rules detector of
  83a0f9f scored them: addresses 0.78/0.93 and 0.85/0.97, names 0.69/0.66 and 0.62/0.82,
  identifiers 1.00/0.91 and 0.96/1.00. Measured once with the tagger trained on every set above:
  addresses 1.00/1.00 on both, names 0.87/0.92 and 0.79/0.90, identifiers 1.00/1.00 and
  0.96/1.00 (an organisation's e-mail address the writer left unflagged); blind10 in the same
  run 1.00/1.00, 0.91/0.91, 1.00/1.00. Name precision was short of 0.9 on both; their misses
  were then read (role words before a name, a name run on into 的/在/家, kin words of Tibetan
  and Yi, Yi clan names before a title, characters named after 角色是, rare surnames such as 盘)
  and they were trained on.
- privacy_blind19.json and privacy_blind20.json (stories for an anthology; elders, children,
  families, migrants and disability in many regions), 80 sentences each, written blind after that
  and kept out of training: with blind10, the unseen measure. The rules detector of 83a0f9f
  scored them: addresses 0.73/0.73 and 0.71/0.80, names 0.79/0.67 and 0.76/0.71, identifiers
  1.00/1.00 on both. Measured once with the tagger trained on every set above: addresses
  0.97/0.97 and 1.00/1.00, names 0.91/0.88 and 0.89/0.84, identifiers 1.00/1.00 on both (blind10
  in the same run: 1.00/1.00, 0.94/0.91, 1.00/1.00). Then a test of the site showed that a
  surname with a kin word in a short sentence (王奶奶来了。) was missed, and such forms were added
  after the tagger (anthology.text.tagger.names): measured again, blind20's names 0.89/0.86, the
  rest unchanged. Then the demo volume's stories (long prose, in no labelled set) showed everyday
  words taken for names (养老金, 一张表格, 管吃管穿, 远程办) and a sentence taken for an address
  (名单按楼栋分成五组); the checks that drop them (tests/text/test_privacy.py, the demo stories)
  cost blind20 one name: names 0.89/0.84, the rest unchanged. Their misses have not been read.
`python -m tests.text.scoring FILE ...` scores the files named instead (in tests/text/data/);
`bench/privacy.py` trains without each of the newest training batches in turn and scores it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from anthology.text.privacy import PHONE_KINDS, detect

DATA = Path(__file__).parent / "data"
IDENTIFIERS = frozenset({"id_number", "bank_card", "phone", "email", "wechat", "qq", "plate"})


def load(name: str) -> list[dict[str, object]]:
    return json.loads((DATA / name).read_text("utf-8"))


def group(kind: str) -> str:
    return "phone" if kind in PHONE_KINDS else kind


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(cases: list[dict[str, object]]) -> tuple[dict[str, Score], list[str]]:
    """Per kind, per class (identifiers, address, person_name) and overall; plus the misses."""
    counts: dict[str, Counter[str]] = {"tp": Counter(), "fp": Counter(), "fn": Counter()}
    mismatches: list[str] = []
    for case in cases:
        text = str(case["text"])
        found = {(group(f.kind), f.text) for f in detect(text)}
        expected = {(group(kind), value) for kind, value in case["flags"]}  # type: ignore[attr-defined]
        for kind, _ in found & expected:
            counts["tp"][kind] += 1
        for kind, value in found - expected:
            counts["fp"][kind] += 1
            mismatches.append(f"false {kind}: {value!r} in {text}")
        for kind, value in expected - found:
            counts["fn"][kind] += 1
            mismatches.append(f"missed {kind}: {value!r} in {text}")
    kinds = sorted(set(counts["tp"]) | set(counts["fp"]) | set(counts["fn"]))
    table = {k: Score(counts["tp"][k], counts["fp"][k], counts["fn"][k]) for k in kinds}
    classes = {
        "identifiers": [k for k in kinds if k in IDENTIFIERS],
        "overall": kinds,
    }
    for name, members in classes.items():
        table[name] = Score(
            sum(table[k].tp for k in members),
            sum(table[k].fp for k in members),
            sum(table[k].fn for k in members),
        )
    return table, mismatches


def report(name: str, cases: list[dict[str, object]]) -> tuple[dict[str, Score], str]:
    table, mismatches = score(cases)
    lines = [f"privacy detector on {name} ({len(cases)} sentences):"]
    for kind, s in table.items():
        lines.append(
            f"  {kind:11s} precision {s.precision:.2f}  recall {s.recall:.2f}"
            f"  (tp {s.tp}, fp {s.fp}, fn {s.fn})"
        )
    lines.extend(f"  {line}" for line in mismatches)
    return table, "\n".join(lines)


# The sets the tagger is trained on (anthology.text.tagger.training; `make model`), the tuned set
# first, and the batches written blind and kept out of training: the honest measure.
TRAINING = (
    "privacy_cases.json",
    "privacy_blind.json",
    "privacy_blind2.json",
    "privacy_blind3.json",
    "privacy_blind4.json",
    "privacy_blind5.json",
    "privacy_blind6.json",
    "privacy_blind7.json",
    "privacy_blind8.json",
    "privacy_blind9.json",
    "privacy_blind11.json",
    "privacy_blind12.json",
    "privacy_blind13.json",
    "privacy_blind14.json",
    "privacy_blind15.json",
    "privacy_blind16.json",
    "privacy_blind17.json",
    "privacy_blind18.json",
)
UNSEEN = ("privacy_blind10.json", "privacy_blind19.json", "privacy_blind20.json")
SETS = TRAINING + UNSEEN

if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--train"]:
        from anthology.text.tagger import training

        raise SystemExit(training.main([str(DATA / name) for name in TRAINING]))
    for file in sys.argv[1:] or SETS:
        print(report(file, load(file))[1])
