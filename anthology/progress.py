"""Progress of a build as events: the line the command line prints, and the same facts as data.

`anthology.build` and `anthology.pdf` (one pass or chunked) call `progress(Progress(...))`. The
command line prints `message` (an event without a message prints nothing); the website's build
jobs read `phase`, `chunks_done`, `chunks_total` and `pages` to show how far a build has come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PHASES = ("gathering", "print", "screen", "epub", "checking", "saving")
"""The phases of a build, in order; `print` and `screen` are the two PDF variants."""


@dataclass(frozen=True)
class Progress:
    message: str = ""  # what the command line prints ("" prints nothing)
    phase: str | None = None  # one of PHASES, or None when the event does not change it
    chunks_done: int | None = None  # chunks of this PDF finished (or taken from the cache)
    chunks_total: int | None = None  # chunks of this PDF
    pages: int | None = None  # pages of this PDF laid out so far
    warnings: tuple[str, ...] = field(default_factory=tuple)  # warnings found at this point

    def __str__(self) -> str:
        return self.message


ProgressCallback = Callable[[Progress], None]


def ignore(_event: Progress) -> None:
    """The callback of a build nobody watches."""
