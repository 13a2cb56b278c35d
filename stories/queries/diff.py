"""Side-by-side differences between two revisions, character by character (Chinese has no spaces).

`side_by_side(old, new)` returns rows of plain data; the template escapes every piece of text.
Lines are paired first (difflib on lines), then changed line pairs are compared by character.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Piece:
    text: str
    kind: Kind  # "delete" only on the left, "insert" only on the right


@dataclass(frozen=True)
class Row:
    left_number: int | None
    left: tuple[Piece, ...]
    right_number: int | None
    right: tuple[Piece, ...]
    changed: bool


@dataclass(frozen=True)
class Diff:
    rows: tuple[Row, ...]
    inserted: int  # characters
    deleted: int

    @property
    def identical(self) -> bool:
        return not self.inserted and not self.deleted


def _merge(pieces: list[Piece]) -> tuple[Piece, ...]:
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1].kind == piece.kind:
            merged[-1] = Piece(merged[-1].text + piece.text, piece.kind)
        elif piece.text:
            merged.append(piece)
    return tuple(merged)


def _characters(old: str, new: str) -> tuple[tuple[Piece, ...], tuple[Piece, ...], int, int]:
    left: list[Piece] = []
    right: list[Piece] = []
    inserted = deleted = 0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(Piece(old[i1:i2], "equal"))
            right.append(Piece(new[j1:j2], "equal"))
            continue
        if i2 > i1:
            left.append(Piece(old[i1:i2], "delete"))
            deleted += i2 - i1
        if j2 > j1:
            right.append(Piece(new[j1:j2], "insert"))
            inserted += j2 - j1
    return _merge(left), _merge(right), inserted, deleted


def side_by_side(old: str, new: str) -> Diff:
    old_lines, new_lines = old.split("\n"), new.split("\n")
    rows: list[Row] = []
    inserted = deleted = 0
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for offset in range(i2 - i1):
                line = old_lines[i1 + offset]
                piece = (Piece(line, "equal"),)
                rows.append(Row(i1 + offset + 1, piece, j1 + offset + 1, piece, False))
            continue
        for offset in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + offset, j1 + offset
            old_line = old_lines[i] if i < i2 else None
            new_line = new_lines[j] if j < j2 else None
            left, right, plus, minus = _characters(old_line or "", new_line or "")
            inserted, deleted = inserted + plus, deleted + minus
            rows.append(
                Row(
                    i + 1 if old_line is not None else None,
                    left if old_line is not None else (),
                    j + 1 if new_line is not None else None,
                    right if new_line is not None else (),
                    True,
                )
            )
    return Diff(rows=tuple(rows), inserted=inserted, deleted=deleted)
