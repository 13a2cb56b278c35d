"""What the privacy detector reports: a `Flag` of one kind of personal data, and which of several
overlapping flags is kept. Shared by the number patterns (anthology.text.contacts), the word
segmentation (anthology.text.names) and the public API (anthology.text.privacy).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = (
    "id_number",
    "bank_card",
    "phone",  # mainland mobile number
    "landline",
    "email",
    "wechat",
    "qq",
    "plate",
    "address",
    "person_name",
)
PHONE_KINDS = frozenset({"phone", "landline"})


@dataclass(frozen=True)
class Flag:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Token:
    """A word of the text as jieba cut and tagged it, with its position (anthology.text.names)."""

    word: str
    flag: str
    start: int
    end: int


_PRIORITY = {kind: index for index, kind in enumerate(KINDS)}


def without_overlaps(candidates: list[Flag]) -> list[Flag]:
    """Keep the longest (then the most specific) of overlapping flags."""
    ordered = sorted(candidates, key=lambda f: (-(f.end - f.start), _PRIORITY[f.kind], f.start))
    kept: list[Flag] = []
    for flag in ordered:
        if all(flag.end <= other.start or flag.start >= other.end for other in kept):
            kept.append(flag)
    return sorted(kept, key=lambda f: (f.start, f.end))
