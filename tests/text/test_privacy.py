"""The personal-data detector, measured on a labelled set (anthology.text.privacy)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from anthology.text.privacy import PHONE_KINDS, detect, id_number_valid, luhn_valid

CASES = json.loads((Path(__file__).parent / "data" / "privacy_cases.json").read_text("utf-8"))


def _group(kind: str) -> str:
    return "phone" if kind in PHONE_KINDS else kind


def _score() -> tuple[dict[str, tuple[int, int, int]], list[str]]:
    """Per kind: (true positives, false positives, false negatives), plus the mismatches."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    mismatches: list[str] = []
    for case in CASES:
        found = {(_group(f.kind), f.text) for f in detect(case["text"])}
        expected = {(_group(kind), text) for kind, text in case["flags"]}
        for kind, _ in found & expected:
            tp[kind] += 1
        for kind, text in found - expected:
            fp[kind] += 1
            mismatches.append(f"false {kind}: {text!r} in {case['text']}")
        for kind, text in expected - found:
            fn[kind] += 1
            mismatches.append(f"missed {kind}: {text!r} in {case['text']}")
    kinds = sorted(set(tp) | set(fp) | set(fn))
    table = {kind: (tp[kind], fp[kind], fn[kind]) for kind in kinds}
    table["overall"] = (sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return table, mismatches


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def test_detector_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(CASES) >= 40
    table, mismatches = _score()
    lines = [f"privacy detector on {len(CASES)} labelled sentences:"]
    for kind, (tp, fp, fn) in table.items():
        lines.append(
            f"  {kind:10s} precision {_ratio(tp, tp + fp):.2f}  recall {_ratio(tp, tp + fn):.2f}"
            f"  (tp {tp}, fp {fp}, fn {fn})"
        )
    lines.extend(f"  {line}" for line in mismatches)
    report = "\n".join(lines)
    print(report)
    with capsys.disabled():  # shown even without -s
        print("\n" + report)
    for kind in ("id_number", "phone", "bank_card"):
        tp, _fp, fn = table[kind]
        assert _ratio(tp, tp + fn) >= 0.9, report
    tp, fp, fn = table["overall"]
    assert _ratio(tp, tp + fp) >= 0.85, report
    assert _ratio(tp, tp + fn) >= 0.85, report


@pytest.mark.parametrize(
    "text",
    [
        "2019年我们走访了312户，发放救助金86500元。",
        "服务时长超过 4500 小时，覆盖 12 个街道。",
        "日期是2021-03-15，金额为1,280.50元。",
        "那串数字 330106197803152212 的校验位不对。",
        "卡号 6222021001123456788 没有通过校验。",
        "身份证号 110105194913310028 的日期不存在。",
        "项目编号 20230915001 已经归档。",
        "我和阿姨商量后，决定从晚饭开始改变。",
        "老方法对他不管用，小时候他很调皮。",
        "社区里开了三个小组，每组 8 到 12 人。",
        "生日那天下午，我们推着小车走进病房。",
        "把这些纸条一张张收起来，换成一张新的。",
        "同病房的孩子们偷偷画了贺卡，请几位高中生当志愿者。",
    ],
)
def test_ordinary_numbers_and_words_are_not_flagged(text: str) -> None:
    assert detect(text) == []


def test_check_digits() -> None:
    assert id_number_valid("11010519491231002X")
    assert id_number_valid("11010519491231002x")
    assert not id_number_valid("110105194912310021")
    assert not id_number_valid("110105194902300021")  # 30 February
    assert luhn_valid("6222021001123456789")
    assert not luhn_valid("6222021001123456788")


def test_flags_do_not_overlap_and_carry_positions() -> None:
    text = "联系人张阿姨，手机13812345678，邮箱13812345678@qq.com，住幸福小区3栋201室。"
    flags = detect(text)
    for flag in flags:
        assert text[flag.start : flag.end] == flag.text
    for first, second in zip(flags, flags[1:], strict=False):
        assert first.end <= second.start
    kinds = [f.kind for f in flags]
    assert kinds == ["person_name", "phone", "email", "address"], flags
    assert flags[2].text == "13812345678@qq.com"


def test_empty_text() -> None:
    assert detect("") == []
