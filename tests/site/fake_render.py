"""A stand-in for the build's process (stories.jobs.render) in the tests of the worker's side.

`python fake_render.py MODE SPEC`: `ok` writes three small files and reports them, `slow`
reports progress for a while first, `kill` is killed by SIGKILL (as by the out-of-memory
killer), `abort` crashes (SIGABRT), `exit` exits 3 after printing to its log, `error:KIND`
reports a build error of that kind.
"""

import json
import os
import signal
import sys
import time
from pathlib import Path


def send(**data):
    print(json.dumps(data, ensure_ascii=False), flush=True)


def main() -> None:
    mode, spec = sys.argv[1], json.loads(sys.argv[2])
    send(
        event="progress",
        phase="print",
        message="print: 4 chunks",
        chunks_done=0,
        chunks_total=4,
        pages=0,
        warnings=[],
    )
    send(
        event="warnings",
        items=[
            {
                "kind": "privacy",
                "text": "stories.json:9: story 3 《驿站》 may still contain personal data: phone",
            }
        ],
    )
    if mode == "slow":
        for done in range(1, 200):
            send(
                event="progress",
                phase="print",
                message="",
                chunks_done=min(done, 4),
                chunks_total=4,
                pages=done,
                warnings=[],
            )
            time.sleep(0.1)
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "abort":
        os.abort()
    if mode == "exit":
        print("Traceback: something went wrong", file=sys.stderr)
        sys.exit(3)
    if mode.startswith("error:"):
        send(event="error", kind=mode.split(":", 1)[1], message="stories.json:12: no space left")
        sys.exit(1)
    out = Path(spec["out"])
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for fmt, name in (
        ("print", "demo-print.pdf"),
        ("screen", "demo-screen.pdf"),
        ("epub", "demo.epub"),
    ):
        (out / name).write_bytes(b"%PDF-1.7 fake " + fmt.encode())
        files[fmt] = {
            "file": name,
            "pages": 12,
            "bytes": (out / name).stat().st_size,
            "seconds": 0.1,
        }
    send(event="progress", phase="epub", message="epub: writing", warnings=[])
    send(event="done", files=files)


if __name__ == "__main__":
    main()
