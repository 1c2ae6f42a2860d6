"""How many QR codes each decoder reads, and how fast: real photos and generated gate frames.

Run: .venv/bin/python -m tests.benchmarks.bench_decode [PHOTOS] [--frames N] [--seed S]
     [--cv-threads T]

PHOTOS is a folder of image sets (e.g. /work/shared/data/qr-photos): every NAME.png/.jpg in
it or its subfolders with a NAME.txt beside it is one case, read correctly when a decoded
text equals the .txt content exactly (UTF-8, byte for byte). Images without a .txt are
skipped. Then the same on N generated 1280x720 webcam frames of a phone showing a pass QR
code (seeded: tilt, shear, blur, noise and code size vary), and the cost of an idle frame
(no code in view), which the fallback pays on every frame.

zxing-cpp alone, OpenCV alone and the combined default decoder are measured side by side on
the same frames, already in memory (file decoding is not timed). Columns: read correctly /
cases, percentage, other (texts besides the expected one: a misread, or a second code in
the picture), median and 90th-percentile milliseconds per frame. No asserts: figures to quote.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import cv2
import numpy as np

from core.scanning import (
    Decoder,
    Frame,
    OpenCvDecoder,
    ZxingDecoder,
    default_decoder,
    read_image,
)
from tests.core.test_scanning import pass_scene, pass_token

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class Case:
    """One frame and the text it should give (``None``: there is no code in it)."""

    label: str
    frame: Frame
    expected: str | None


@dataclass(frozen=True)
class Score:
    read: int
    other: int
    total: int
    median_ms: float
    p90_ms: float

    def cells(self) -> str:
        share = 100.0 * self.read / self.total if self.total else 0.0
        return (
            f"{self.read:>4}/{self.total:<4} {share:5.1f} % {self.other:>5} "
            f"{self.median_ms:7.2f} {self.p90_ms:7.2f}"
        )


def _photo_sets(root: Path) -> dict[str, list[Case]]:
    sets: dict[str, list[Case]] = {}
    for image_path in sorted(root.rglob("*")):
        if image_path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        expected_path = image_path.with_suffix(".txt")
        if not expected_path.is_file():
            continue
        frame = read_image(image_path)
        if frame is None:
            print(f"unreadable image skipped: {image_path}")
            continue
        # Bytes, not text mode: a CR LF in the expected text must stay as it is.
        expected = expected_path.read_bytes().decode("utf-8")
        name = str(image_path.parent.relative_to(root)) or root.name
        sets.setdefault(name, []).append(Case(str(image_path), frame, expected))
    return sets


def _generated(count: int, seed: int) -> dict[str, list[Case]]:
    """Pass frames, grouped by code size (pixels per module), then all of them."""
    rng = np.random.default_rng(seed)
    groups: dict[str, list[Case]] = {}
    for index in range(count):
        token = pass_token(rng, int(rng.integers(246, 290)))
        module_px = int(rng.integers(3, 7))
        frame = pass_scene(
            rng,
            token,
            module_px=module_px,
            angle_deg=float(rng.uniform(-20, 20)),
            shear=float(rng.uniform(-0.08, 0.08)),
            blur_sigma=float(rng.uniform(0.5, 2.0)),
            noise_sigma=float(rng.uniform(2, 12)),
        )
        group = f"{module_px} px/module"
        groups.setdefault(group, []).append(Case(f"generated #{index}", frame, token))
    rows = dict(sorted(groups.items()))
    rows["all pass frames"] = [case for cases in groups.values() for case in cases]
    return rows


def _idle(count: int, seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    return [Case(f"idle #{index}", pass_scene(rng, None), None) for index in range(count)]


def _score(decoder: Decoder, cases: Sequence[Case]) -> Score:
    read = other = 0
    times = []
    for case in cases:
        start = time.perf_counter()
        texts = decoder.decode(case.frame)
        times.append((time.perf_counter() - start) * 1000)
        if case.expected is not None and case.expected in texts:
            read += 1
        other += sum(text != case.expected for text in texts)
    p90 = float(np.percentile(times, 90)) if times else 0.0
    median = statistics.median(times) if times else 0.0
    return Score(read, other, len(cases), median, p90)


def _table(title: str, rows: dict[str, list[Case]], decoders: Sequence[Decoder]) -> None:
    width = max(len(name) for name in rows) + 2
    print()
    print(title)
    header = " | ".join(f"{decoder.name:^39}" for decoder in decoders)
    print(f"{'':<{width}}| {header}")
    sub = " | ".join(
        f"{'read':>9} {'%':>7} {'other':>5} {'med ms':>7} {'p90 ms':>7}" for _ in decoders
    )
    print(f"{'':<{width}}| {sub}")
    for name, cases in rows.items():
        print(f"{name:<{width}}| " + " | ".join(_score(d, cases).cells() for d in decoders))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="?", type=Path, help="folder of image sets")
    parser.add_argument("--frames", type=int, default=100, help="generated frames (100)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument(
        "--cv-threads", type=int, default=None, help="cv2.setNumThreads (default: OpenCV's)"
    )
    args = parser.parse_args(argv)
    if args.cv_threads is not None:
        cv2.setNumThreads(args.cv_threads)

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    print(f"CPUs: {os.cpu_count()} (usable by this process: {affinity or 'unknown'})")
    print(f"OpenCV {cv2.__version__} with {cv2.getNumThreads()} threads;", end=" ")
    print(f"zxing-cpp {version('zxing-cpp')}; numpy {np.__version__}")

    decoders: list[Decoder] = [ZxingDecoder(), OpenCvDecoder(), default_decoder()]
    warm = np.zeros((64, 64), dtype=np.uint8)
    for decoder in decoders:
        decoder.decode(warm)  # first-call setup is not a per-frame cost

    if args.photos is not None:
        sets = _photo_sets(args.photos)
        if sets:
            sets["all photos"] = [case for cases in sets.values() for case in cases]
            _table(f"Real photos: {args.photos}", sets, decoders)
        else:
            print(f"no images with a .txt beside them under {args.photos}")

    started = time.perf_counter()
    rows = _generated(args.frames, args.seed)
    idle = _idle(max(args.frames // 5, 1), args.seed + 1)
    took = time.perf_counter() - started
    rows["idle (no code)"] = idle
    print(f"\n(generated {args.frames} pass frames and {len(idle)} idle frames in {took:.1f} s)")
    _table("Generated 1280x720 gate frames; idle frames have no code to read", rows, decoders)


if __name__ == "__main__":
    main()
