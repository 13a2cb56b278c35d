"""Typed errors of the book builder. Each names the file (and line) it is about."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class BuildError(Exception):
    """The build cannot go on (bad option, missing tool or font, a failed render)."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ContentError(BuildError):
    """Something in the content (recipe, chapter file, stories file) is wrong."""


class GateError(ContentError):
    """The publication gate refuses a story (missing consent or unresolved privacy flags)."""


class FontError(BuildError):
    """A font named by the volume is not installed."""


class WorkerDied(BuildError):
    """A process of the build died: it crashed, or was killed (often: the machine ran out of
    memory)."""


@dataclass(frozen=True)
class BuildWarning:
    """Something worth fixing that does not stop the build (an error with `--strict`)."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return str(ContentError(self.message, self.path, self.line))
