"""The personal-data detector, measured on a labelled set (anthology.text.privacy)."""

from __future__ import annotations

import json

import pytest

from anthology.text.privacy import detect, id_number_valid, luhn_valid

from .scoring import DATA, TRAINING, UNSEEN, load
from .scoring import report as score_report

CASES = load("privacy_cases.json")
# The tagger (anthology.text.tagger) is trained on every set in TRAINING, so on them the issue's
# targets are regression checks only. The batches in UNSEEN were written blind and kept out of
# training: the honest measure (see tests/text/scoring.py for when each was measured). Their misses
# are not printed, so that nobody tunes on them; a batch that misses a target is a strict xfail.
BLIND = TRAINING[1:]
# blind20: names precision 0.89, recall 0.84 (41 found, 5 false, 8 missed).
MISSES_TARGETS: tuple[str, ...] = ("privacy_blind20.json",)


def _show(report: str, capsys: pytest.CaptureFixture[str]) -> None:
    print(report)
    with capsys.disabled():  # shown even without -s
        print("\n" + report)


def test_detector_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(CASES) >= 100
    table, report = score_report("privacy_cases.json", CASES)
    _show(report, capsys)
    for kind in ("id_number", "phone", "bank_card", "address"):
        assert table[kind].recall >= 0.9, report
    assert table["overall"].precision >= 0.9, report
    assert table["overall"].recall >= 0.9, report


def test_the_tagger_was_trained_on_the_labelled_sets_as_they_are() -> None:
    """model.json records the training files' hash: a changed labelled set needs `make model`."""
    from anthology.text.tagger import training

    meta = json.loads(training.HERE.joinpath("model.json").read_text("utf-8"))
    assert meta["sets"] == list(TRAINING)
    assert meta["sha256"] == training.digest([DATA / name for name in TRAINING]), "run make model"
    assert not set(UNSEEN) & set(meta["sets"])


@pytest.mark.parametrize(
    "name",
    [
        *BLIND,
        *(n for n in UNSEEN if n not in MISSES_TARGETS),
        *(
            pytest.param(n, marks=pytest.mark.xfail(strict=True, reason="short of a target"))
            for n in MISSES_TARGETS
        ),
    ],
)
def test_detector_on_the_blind_batches(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's targets on the batches written apart from the detector."""
    cases = load(name)
    assert len(cases) >= 30
    _targets(name, cases, capsys)


def test_detector_on_the_unseen_batches_together(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's targets on all the unseen batches as one set (240 sentences)."""
    cases = [case for name in UNSEEN for case in load(name)]
    assert len(cases) >= 200
    _targets("the unseen batches together", cases, capsys)


def _targets(name: str, cases: list[dict[str, object]], capsys: pytest.CaptureFixture[str]) -> None:
    table, report = score_report(name, cases)
    if name not in BLIND:  # the figures only, not the misses
        report = "\n".join(line for line in report.splitlines() if not line.startswith("  missed"))
        report = "\n".join(line for line in report.splitlines() if not line.startswith("  false"))
    _show(report, capsys)
    assert table["identifiers"].recall >= 0.95, report
    assert table["address"].recall >= 0.95, report
    assert table["person_name"].recall >= 0.85, report
    for kind in ("identifiers", "address", "person_name"):
        assert table[kind].precision >= 0.9, report


@pytest.mark.parametrize(
    "text",
    [
        "2019年我们走访了312户，发放救助金86500元。",
        "服务时长超过 4500 小时，覆盖 12 个街道。",
        "日期是2021-03-15，金额为1,280.50元。",
        "那串数字 330106197803152212 的校验位不对。",
        "那串数字 6222021001123456788 没有通过校验。",
        "身份证号 110105194913310028 的日期不存在。",
        "项目编号 20230915001 已经归档。",
        "我和阿姨商量后，决定从晚饭开始改变。",
        "老方法对他不管用，小时候他很调皮。",
        "社区里开了三个小组，每组 8 到 12 人。",
        "生日那天下午，我们推着小车走进病房。",
        "把这些纸条一张张收起来，换成一张新的。",
        "同病房的孩子们偷偷画了贺卡，请几位高中生当志愿者。",
        "姐妹俩轮流照顾生病的母亲，哥们几个也常来。",
        "他在北京市区打工，后来回到县城开了小店。",
        "我们在社区里开了读书会，走了十几里山路才到村里。",
        "小马过河的故事讲完了，老方法也换成了新思路。",
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


def test_full_addresses_and_names_in_one_text() -> None:
    text = "周明搬到了上海市普陀区长寿路街道宜昌路450弄6号401室，同事小周和欧阳丽华去看过他。"
    found = [(f.kind, f.text) for f in detect(text)]
    assert found == [
        ("person_name", "周明"),
        ("address", "上海市普陀区长寿路街道宜昌路450弄6号401室"),
        ("person_name", "小周"),
        ("person_name", "欧阳丽华"),
    ]


def test_the_fast_viterbi_search_tags_exactly_as_jiebas_own() -> None:
    """words.Viterbi replaces jieba.posseg's search over the tags of unknown words: the same
    score and the same tags for every run of Han characters of the labelled sentences, the demo
    stories and 1,000 random strings of the model's characters (ties included)."""
    import random
    import re
    from pathlib import Path

    import jieba.posseg as posseg

    from anthology.text import words

    words.words("张阿姨")  # loads jieba and puts the fast search in place
    fast = posseg.viterbi
    assert isinstance(fast, words.Viterbi)
    texts = [str(case["text"]) for case in CASES]
    demo = Path(__file__).parents[2] / "content" / "demo" / "stories.json"
    texts += re.findall(r"[\u4e00-\u9fff]+", demo.read_text("utf-8"))[:400]
    rng = random.Random(15)
    chars = sorted(posseg.char_state_tab_P)
    texts += ["".join(rng.choice(chars) for _ in range(rng.randint(1, 12))) for _ in range(1000)]
    model = (posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)
    runs = [run for text in texts for run in posseg.re_han_detail.split(text)
            if posseg.re_han_detail.match(run)]  # fmt: skip
    assert len(runs) > 1500
    different = [run for run in runs if fast(run, *model) != fast.original(run, *model)]
    assert different == []


def test_markdown_text_is_the_text_of_the_markdown_view() -> None:
    from anthology.text.privacy import markdown_text, markdown_view

    ref = "picture:" + "ab" * 32
    bodies = [str(case["text"]) for case in CASES]
    escaped = r"电话 139\-2233\-4455，qq\.com &amp; &lt;b&gt; &#126; \\ \*x\* "
    bodies += [escaped + f'![图]({ref} "说明") 后来']
    for body in bodies:
        assert markdown_text(body) == markdown_view(body).text
    assert markdown_text(r"139\-2233 &amp;") == "139-2233 &"


DEMO_PEOPLE = {
    "钥匙挂在门后": {"周师傅", "李阿姨", "老陈", "陈大爷"},
    "茶馆里的读报会": {"刘伯伯", "张爷爷", "王伯伯"},
    "一次没有说出口的告别": {"赵奶奶"},
    "周末的作业桌": {"小梅"},
    "不想上学的小宇": {"小宇"},
    "画满太阳的本子": set(),
    "楼道里的第一张告示": {"孙阿姨", "钱伯伯"},
    "表格之外": {"马大姐"},
    "雨夜的排班表": {"吴奶奶", "老刘"},
    "病房里的生日蛋糕": {"阿哲"},
    "第七次见面": {"阿峰"},
}


def test_the_demo_stories_flag_their_people_and_nothing_else() -> None:
    """Long practitioner prose (the demo volume's stories, about 800 characters each): every
    person is found and no everyday word (养老金, 一张表格, 管吃管穿, 外卖小哥) is taken for one."""
    from pathlib import Path

    from anthology.text.privacy import markdown_text

    export = json.loads(
        (Path(__file__).parents[2] / "content/demo/stories.json").read_text("utf-8")
    )
    stories = [story for part in export["parts"] for story in part["stories"]]
    found = {
        story["title"]: {f.text for f in detect(markdown_text(story["body"]))} for story in stories
    }
    assert found == DEMO_PEOPLE


def test_training_a_tagger_from_labelled_sentences(tmp_path: object) -> None:
    """`make model`'s training, on 40 labelled sentences and 12 made up to teach it something no
    real model would (苹果 as a name): `detect` uses the model it writes, which marks what it
    learnt, and the packaged model comes back after."""
    from pathlib import Path

    from anthology.text import words
    from anthology.text.tagger import model, training

    cases = [c for c in CASES if any(k in ("person_name", "address") for k, _ in c["flags"])][:40]
    fruit = [
        {"text": f"{who}今天吃了一个苹果。", "flags": [["person_name", "苹果"]]}
        for who in (
            "我",
            "他",
            "她",
            "我们",
            "孩子们",
            "老人",
            "你",
            "大家",
            "他们",
            "她们",
            "它",
            "谁",
        )
    ]
    path = Path(str(tmp_path)) / "small.crfsuite"
    training.train(cases + fruit, path)
    probe = "妈妈今天吃了一个苹果。"

    def marked() -> set[tuple[str, str]]:
        return {(s.kind, probe[s.start : s.end]) for s in model.spans(probe, words.words(probe))}

    assert ("person_name", "苹果") not in marked()
    try:
        model.use(path)
        assert ("person_name", "苹果") in marked()
        found = [{(f.kind, f.text) for f in detect(str(c["text"]))} for c in cases]
    finally:
        model.use(None)
    assert ("person_name", "苹果") not in marked()
    expected = [{(k, v) for k, v in c["flags"] if k in ("person_name", "address")} for c in cases]
    learnt = sum(len(e & f) for e, f in zip(expected, found, strict=True))
    assert learnt >= 0.9 * sum(len(e) for e in expected)
