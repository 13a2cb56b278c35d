"""The build's own process: `python -m stories.jobs.render SPEC` renders one volume's sources.

The worker (stories.jobs.runner) starts it in a process group of its own for every build, so a
crash or an out-of-memory kill takes only this process (and its chunk workers) down, and a
cancelled build is stopped at once by killing the group. It never touches the database: it
reads the source tree the worker wrote and writes the books into the `out` folder (atomically,
anthology.build.render). It reports on its standard output, one JSON object a line:
`{"event": "progress", ...}` (anthology.progress.Progress), `{"event": "warnings", "items"}`,
then `{"event": "done", "files"}` or `{"event": "error", "kind", "message"}`. Anything else it
prints goes to its standard error (the worker keeps it in the build's log).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import traceback
from dataclasses import asdict
from typing import Any, TextIO

from anthology import build
from anthology.errors import BuildError, ContentError, FontError, GateError, WorkerDied
from anthology.progress import Progress

# Warnings by what they are about (shown translated on the build page).
WARNING_KINDS = (("personal data", "privacy"), ("font", "font"), ("ppi", "image"),
                 ("harfbuzz", "system"), ("cover", "cover"), ("spine", "cover"))  # fmt: skip


def failure_kind(error: BaseException) -> str:
    """The kind of a build's error (stories.models.BuildFailure), its causes included."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk_full"
        if isinstance(seen, MemoryError):
            return "out_of_memory"
        seen = seen.__cause__ or seen.__context__
    for cls, kind in ((GateError, "gate"), (FontError, "font"), (ContentError, "content"),
                      (WorkerDied, "crashed"), (BuildError, "build")):  # fmt: skip
        if isinstance(error, cls):
            return kind
    return "internal"


def warning_kind(text: str) -> str:
    lowered = text.lower()
    return next((kind for needle, kind in WARNING_KINDS if needle in lowered), "other")


class Reporter:
    def __init__(self, stream: TextIO, sources: str):
        self.stream, self.sources = stream, sources.rstrip("/") + "/"

    def text(self, value: object) -> str:
        """Paths inside the build's source tree, relative to it (stories.json:12)."""
        return str(value).replace(self.sources, "")

    def send(self, **data: Any) -> None:
        self.stream.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.stream.flush()

    def progress(self, event: Progress) -> None:
        data = asdict(event)
        data["message"] = self.text(event.message)
        data["warnings"] = [self.warning("epub", w) for w in event.warnings]
        self.send(event="progress", **data)

    def warning(self, kind: str, text: object) -> dict[str, str]:
        return {"kind": kind, "text": self.text(text)}


def _die_with_parent(parent: int) -> None:
    """Killed with the worker (Linux): a worker killed mid-build leaves no build running."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def arguments(spec: dict[str, Any]) -> list[str]:
    argv = [spec["recipe"], "--out", spec["out"], "--format", "print,screen,epub,cover", "-q"]
    if spec.get("proof"):
        argv += ["--proof", spec["proof"], "--proof-time", spec.get("proof_time") or ""]
    argv += ["--cache-dir", spec["cache_dir"]] if spec.get("cache_dir") else ["--no-cache"]
    if spec.get("check"):
        argv.append("--check")
    for option in ("chunk_pages", "workers"):
        if spec.get(option) is not None:
            argv += [f"--{option.replace('_', '-')}", str(spec[option])]
    return argv


def main(argv: list[str] | None = None) -> int:
    spec = json.loads((argv if argv is not None else sys.argv[1:])[0])
    _die_with_parent(spec["parent"])
    events = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else is printed goes to the log
    report = Reporter(events, os.path.dirname(os.path.dirname(spec["recipe"])))
    try:
        args = build.parser().parse_args(arguments(spec))
        gathered = build.gather(args)
        items = [report.warning(warning_kind(str(w)), w) for w in gathered.warnings]
        report.send(event="warnings", items=items)
        rows = build.render(gathered, args, report.progress)
    except Exception as error:  # every error ends the build with its kind and text
        kind = failure_kind(error)
        if kind == "internal":
            traceback.print_exc()
        report.send(event="error", kind=kind, message=report.text(error))
        return 1
    files = {fmt: {"file": path.name, "pages": pages, "bytes": size, "seconds": seconds}
             for fmt, path, pages, size, seconds in rows}  # fmt: skip
    report.send(event="done", files=files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
