"""Chinese text cut into tagged words: jieba's part-of-speech tokenizer, loaded once, with its
Viterbi search over the tags of unknown words done with numpy (`Viterbi`, the same results).
The privacy detector's tagger (anthology.text.tagger) reads these words.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from anthology.text.flags import Token

_LEXICON = tomllib.loads(resources.files(__package__).joinpath("lexicon.toml").read_text("utf-8"))


def lexicon(key: str) -> list[str]:
    """A word list of lexicon.toml (surnames, stop words, place words, public figures, minority
    name parts), split at white space (a list of characters is joined by its reader)."""
    return _LEXICON[key].split()


_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _posseg() -> Any:
    """jieba's part-of-speech tokenizer, loaded once (the dictionary takes about a second), with
    its Viterbi search over the tags of unknown words done by `Viterbi` (the same results)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
        if not isinstance(jieba.posseg.viterbi, Viterbi):
            fast = Viterbi(jieba.posseg.viterbi)
            model = (jieba.posseg.char_state_tab_P, jieba.posseg.start_P, jieba.posseg.trans_P,
                     jieba.posseg.emit_P)  # fmt: skip
            fast._build(*model)  # now, not at the first unknown word (gunicorn's master does it)
            jieba.posseg.viterbi = fast
    return jieba.posseg


class Viterbi:
    """jieba.posseg's Viterbi search (jieba/posseg/viterbi.py) with numpy arrays: the same
    arithmetic in the same order, the same choice among equal scores (the greatest state, as
    Python's max over (score, state) pairs makes it), so the same tags; about ten times faster.

    jieba's version compares every pair of states at each character in Python; it was 75% of the
    privacy detector's time. The arrays are built from the model the first time it is called."""

    def __init__(self, original: Any) -> None:
        self.original = original
        self._model: tuple[Any, ...] | None = None
        self._chars: dict[str, tuple[Any, Any]] = {}

    def _build(self, states: Any, start_p: Any, trans_p: Any, emit_p: Any) -> tuple[Any, ...]:
        import numpy as np

        names = sorted(trans_p)
        index = {name: i for i, name in enumerate(names)}
        trans = np.full((len(names), len(names)), float("-inf"))
        follows = np.zeros((len(names), len(names)), dtype=bool)
        for name, nexts in trans_p.items():
            for other, value in nexts.items():
                trans[index[name], index[other]] = value
                follows[index[name], index[other]] = True
        start = np.array([start_p[name] for name in names])
        model = (id(states), id(trans_p), id(emit_p), names, index, trans, follows,
                 follows.any(axis=1), start, states, emit_p)  # fmt: skip
        self._model, self._chars = model, {}
        for char in states:  # every character the model knows, once (gunicorn's master does it)
            self._char(char, names, index)
        return model

    def _char(self, char: str, names: list[Any], index: dict[Any, int]) -> tuple[Any, Any]:
        """The states a character may take (a mask) and each state's emission score for it."""
        import numpy as np

        found = self._chars.get(char)
        if found is None:
            _, _, _, _, _, _, _, _, _, states, emit_p = self._model  # type: ignore[misc]
            allowed = np.zeros(len(names), dtype=bool)
            allowed[[index[name] for name in states.get(char, names)]] = True
            emits = np.array([emit_p[name].get(char, -3.14e100) for name in names])
            found = self._chars[char] = (allowed, emits)
        return found

    def __call__(self, obs: str, states: Any, start_p: Any, trans_p: Any, emit_p: Any) -> Any:
        import numpy as np

        model = self._model
        if model is None or model[:3] != (id(states), id(trans_p), id(emit_p)):
            model = self._build(states, start_p, trans_p, emit_p)
        _, _, _, names, index, trans, follows, has_next, start, _, _ = model
        allowed, emits = self._char(obs[0], names, index)
        current = np.flatnonzero(allowed)  # the states of the column, in their order
        scores = start[current] + emits[current]
        paths: list[Any] = []
        for char in obs[1:]:
            keep = has_next[current]
            previous, before = current[keep], scores[keep]
            if not len(previous):
                return self.original(obs, states, start_p, trans_p, emit_p)
            expected = follows[previous].any(axis=0)
            allowed, emits = self._char(char, names, index)
            chosen = allowed & expected
            if not chosen.any():
                chosen = expected if expected.any() else np.ones(len(names), dtype=bool)
            current = np.flatnonzero(chosen)
            # score[i, j] of going from previous[i] to current[j]: (V + trans) + emit, as jieba.
            table = before[:, None] + trans[previous[:, None], current]
            table += emits[current]
            # The greatest previous state among equal scores: the last maximum in state order.
            last = len(previous) - 1 - np.argmax(table[::-1], axis=0)
            scores = table.max(axis=0)
            paths.append((current, previous[last]))
        best = len(current) - 1 - int(np.argmax(scores[::-1]))
        state = int(current[best])
        route = [names[state]]
        for column, came_from in reversed(paths):
            state = int(came_from[int(np.searchsorted(column, state))])
            route.append(names[state])
        route.reverse()
        return float(scores[best]), route


def words(text: str) -> list[Token]:
    """The text cut into tagged words (jieba's part-of-speech tokenizer)."""
    tokens: list[Token] = []
    position = 0
    for pair in _posseg().cut(text):
        word = pair.word
        start = text.find(word, position)
        if start < 0:  # jieba never drops characters, but stay safe
            continue
        tokens.append(Token(word, pair.flag, start, start + len(word)))
        position = start + len(word)
    return tokens


def frequency(word: str) -> int:
    """How often jieba's dictionary counts `word` (0 for a word it does not hold)."""
    return int(_posseg().dt.tokenizer.FREQ.get(word, 0) or 0)
