"""The trained tagger (model.crfsuite, written by anthology.text.tagger.training) and the spans it
marks: person names and addresses, each with the tagger's confidence."""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from anthology.text.flags import Token
from anthology.text.tagger.features import features

MODEL = "model.crfsuite"
KINDS = {"N": "person_name", "A": "address"}
LABELS = {kind: label for label, kind in KINDS.items()}

_lock = threading.Lock()
_override: list[Any] = []  # a tagger opened by `use`


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    confidence: float  # the lowest marginal probability of the span's labels


@lru_cache(maxsize=1)
def _packaged() -> Any:
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    with resources.as_file(resources.files(__package__).joinpath(MODEL)) as path:
        tagger.open(str(path))
    return tagger


def _tagger() -> Any:
    return _override[0] if _override else _packaged()


def use(path: Path | None) -> None:
    """Tag with the model at `path` instead of the packaged one (None: the packaged one again);
    bench/privacy.py measures models trained without the batch it scores."""
    import pycrfsuite

    with _lock:
        _override.clear()
        if path is not None:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            _override.append(tagger)


def spans(text: str, tokens: list[Token]) -> list[Span]:
    """The names and addresses the tagger marks in `text` (`tokens`: its words)."""
    if not text:
        return []
    items = features(text, tokens)
    with _lock:  # a crfsuite tagger holds the sequence it tagged last
        tagger = _tagger()
        labels = tagger.tag(items)
        marginals = [tagger.marginal(label, i) for i, label in enumerate(labels)]
    found = []
    i = 0
    while i < len(labels):
        if labels[i] == "O":
            i += 1
            continue
        label = labels[i][2:]
        j = i + 1
        while j < len(labels) and labels[j] == "I-" + label:
            j += 1
        found.append(Span(KINDS[label], i, j, min(marginals[i:j])))
        i = j
    return found


def around(tokens: list[Token], start: int, end: int) -> list[Token]:
    """The words that overlap the characters [start, end) (tokens in text order, no gaps)."""
    first = max(0, bisect.bisect_right(tokens, start, key=_START) - 1)
    found = []
    for token in tokens[first:]:
        if token.start >= end:
            break
        if token.end > start:
            found.append(token)
    return found


def _START(token: Token) -> int:
    return token.start


# Word tags that end no name nor address: verbs, adverbs, prepositions, conjunctions, particles,
# pronouns.
NOT_NAME_TAGS = ("v", "d", "p", "c", "u", "y", "r")


def without_verb(
    text: str,
    tokens: list[Token],
    start: int,
    end: int,
    shortest: int = 1,
    single: frozenset[str] = frozenset(),
) -> int:
    """The end of a span without the verb, adverb or particle word it ends with (赵金花/管账), if
    that word has at least `shortest` characters or is one of `single`."""
    for t in around(tokens, end - 1, end):
        if (
            t.end == end
            and t.start > start + 1
            and (t.end - t.start >= shortest or t.word in single)
            and t.flag.startswith(NOT_NAME_TAGS)
        ):
            return t.start
    return end
