"""What keeping a picture costs: decoding, re-encoding without metadata, the blurred rendition,
the thumbnail, and a phone photo's bytes in the text before (base64) and after (a reference).

    .venv/bin/python bench/pictures.py [--size 4032x3024] [--runs 5]

The photo is generated (noise, so that JPEG cannot make it small, like a real photo) with EXIF
GPS; the median of the runs is printed in milliseconds, with the file sizes.
"""

from __future__ import annotations

import argparse
import base64
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from anthology.text import pictures as references  # noqa: E402
from stories.pictures import images  # noqa: E402


def photo(width: int, height: int) -> bytes:
    image = Image.effect_noise((width, height), 60).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 30.0), 3: "E", 4: (120.0, 9.0, 50.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def timed(runs: int, call) -> float:  # noqa: ANN001
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="4032x3024")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    original = photo(width, height)
    kept = images.normalise(original)
    print(
        f"photo {width}x{height}: {len(original) / 1e6:.2f} MB as uploaded, "
        f"{len(kept.data) / 1e6:.2f} MB kept (JPEG q{images.JPEG_QUALITY}, no metadata)"
    )
    steps = {
        "normalise (decode, orient, sRGB, re-encode)": lambda: images.normalise(original),
        "blurred rendition (the whole picture)": lambda: images.blurred(kept.data, None),
        "blurred rendition (a quarter)": lambda: images.blurred(kept.data, (0, 0, 0.5, 0.5)),
        "thumbnail (320 px)": lambda: images.thumbnail(kept.data),
    }
    for name, call in steps.items():
        print(f"{name:<46} {timed(args.runs, call):8.0f} ms")
    inline = f"![照片](data:image/jpeg;base64,{base64.b64encode(original).decode()})"
    reference = references.reference("0" * 64, "照片", "图注")
    print(
        f"in the story text: {len(inline):,} characters as base64, {len(reference)} as a reference"
    )


if __name__ == "__main__":
    main()
