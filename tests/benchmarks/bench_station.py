"""The scan station's camera path: scan-to-verdict latency and the idle preview loop's CPU.

Run: .venv/bin/python -m tests.benchmarks.bench_station [--unique N] [--held N] [--idle-s S]

(a) Latency, "frame in → committed row → verdict signal". A StationPage at gate G01
(operator gate1) with a camera factory whose source, ``CameraModel``, behaves like a live
1280x720 camera at 30 fps: frame k is captured at open + k/30 s whether or not anyone reads
it, waits in one of 4 driver buffers (V4L2's default in OpenCV), oldest first, and is lost
when all 4 are full; ``read()`` hands out the oldest waiting frame and blocks until the next
capture when none is waiting. A pass's clock starts when the first frame showing it is
captured — not when the worker gets round to reading it, so a reader that falls behind the
camera pays for the frames queued in the buffers — and stops at the page's
``scan_recorded`` signal, emitted once the scan event is committed and the verdict set on
the panel. Qt paints the panel at its next turn of the event loop; "painted" is the clock
at the verdict label's next paint event, for comparison. Two videos: "one frame per pass"
(every frame a different pass; the worker decodes the latest frame every 100 ms, so only
some are scanned, and the latency is that of the frame that was decoded) and "pass held in
view" (each pass on 5 consecutive frames after 2 blank ones, so the wait for the next
decode slot counts).

(b) Idle CPU. The same page with a camera of blank 1280x720 frames paced at 30 fps (the
source sleeps in ``read()``), run for S seconds after a 1 s warm-up: process CPU time /
wall time (``time.process_time``) as a percentage of one core, frames read and decodes per
second. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QEventLoop,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

import core.scanning
from core.demo import populate
from core.keys import KeyFolder
from core.models import Verdict
from core.pass_document import qr_image
from core.scanning import FakeFrameSource, Frame
from core.services import Services
from core.services.scans import ScanResult
from db.store import open_store
from tests.benchmarks.bench_issuance import _rows
from tests.conftest import FAST_HASH
from ui.pages.station import StationPage

WIDTH, HEIGHT = 1280, 720
GREY = 110
HELD_FRAMES = 5
GAP_FRAMES = 2
CAMERA_FPS = 30.0
DRIVER_BUFFERS = 4  # V4L2's default in OpenCV's capture backend


def _blank() -> Frame:
    return np.full((HEIGHT, WIDTH, 3), GREY, dtype=np.uint8)


def _frame(token: str) -> Frame:
    """A 1280x720 BGR frame with the pass's code in the middle."""
    frame = _blank()
    code = np.asarray(qr_image(token, box_size=4), dtype=np.uint8)
    h, w = code.shape
    top, left = (HEIGHT - h) // 2, (WIDTH - w) // 2
    frame[top : top + h, left : left + w] = code[:, :, None]
    return frame


class CameraModel(FakeFrameSource):
    """A live camera playing ``frames`` once at ``fps``, with the driver's buffers; see the
    module doc. ``shown`` maps each text to the capture time of the first frame showing it;
    ``dropped`` counts frames lost to full buffers; ``done`` is set once every frame has
    been captured and handed out (or lost)."""

    def __init__(
        self,
        frames: Sequence[Frame],
        texts: Sequence[str | None],
        fps: float = CAMERA_FPS,
        buffers: int = DRIVER_BUFFERS,
    ) -> None:
        super().__init__(frames, is_live=True)
        self._texts = list(texts)
        self._period = 1.0 / fps
        self._buffers = buffers
        self._start = 0.0
        self._captured = 0  # frames captured since open
        self._waiting: deque[int] = deque()  # captured, not yet read, oldest first
        self.shown: dict[str, float] = {}
        self.dropped = 0
        self.reads = 0
        self.done = False

    def open(self) -> None:
        super().open()
        self._start = time.perf_counter()
        self._captured = 0
        self._waiting.clear()

    def _capture_until(self, now: float) -> None:
        due = min(len(self._frames), int((now - self._start) / self._period) + 1)
        for index in range(self._captured, due):
            text = self._texts[index]
            if text is not None:
                self.shown.setdefault(text, self._start + index * self._period)
            if len(self._waiting) < self._buffers:
                self._waiting.append(index)
            else:
                self.dropped += 1
        self._captured = max(self._captured, due)

    def read(self) -> Frame | None:
        if not self.is_open:
            raise RuntimeError("read() on a source that is not open")
        self._capture_until(time.perf_counter())
        if not self._waiting:
            if self._captured >= len(self._frames):
                self.done = True
                return None
            # Block like a camera's read() until the next frame is captured.
            wait = self._start + self._captured * self._period - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            self._capture_until(
                max(time.perf_counter(), self._start + self._captured * self._period)
            )
        index = self._waiting.popleft()
        self.reads += 1
        return np.array(self._frames[index], dtype=np.uint8, copy=True)


class PaintClock(QObject):
    """Notes when the verdict label is next painted after each ``scan_recorded``."""

    def __init__(self, page: StationPage) -> None:
        super().__init__(page)
        self._pending: tuple[float, ScanResult] | None = None
        self.painted: list[tuple[float, ScanResult]] = []
        page.verdict_label.installEventFilter(self)
        page.scan_recorded.connect(self._recorded)

    def _recorded(self, result: ScanResult) -> None:
        self._pending = (time.perf_counter(), result)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._pending is not None:
            self.painted.append((time.perf_counter(), self._pending[1]))
            self._pending = None
        return False


class PacedBlankSource(FakeFrameSource):
    """Blank frames forever at ``fps``, like a camera: ``read()`` sleeps until the next tick."""

    def __init__(self, fps: float) -> None:
        super().__init__([_blank()], loop=True)
        self._period = 1.0 / fps
        self._next = 0.0
        self.reads = 0

    def read(self) -> Frame | None:
        now = time.perf_counter()
        if self._next > now:
            time.sleep(self._next - now)
        self._next = max(now, self._next) + self._period
        self.reads += 1
        return super().read()


class CountingDecoder:
    """The default decoder, counting its calls (installed for the idle run only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.inner = DEFAULT_DECODER(*args, **kwargs)  # whatever options the worker asks for
        self.name = f"counting {self.inner.name}"
        self.calls = 0

    def decode(self, frame: Frame) -> list[str]:
        self.calls += 1
        return self.inner.decode(frame)


DEFAULT_DECODER = core.scanning.default_decoder


def _quiet(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages on stderr, less the offscreen plugin's harmless size-hint notice."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _wait(app: QApplication, ms: int) -> None:
    """Run the event loop for ``ms``."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def _wait_for(app: QApplication, done: Callable[[], bool], ms: int) -> None:
    """Run the event loop until ``done()`` (checked every 20 ms) or for ``ms`` at most."""
    loop = QEventLoop()
    check = QTimer()
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start(20)
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    check.stop()
    app.processEvents()


def _figures(latencies: list[float]) -> str:
    return (
        f"median {statistics.median(latencies):7.1f} ms   "
        f"p95 {_percentile(latencies, 0.95):7.1f} ms   "
        f"min {min(latencies):6.1f} ms   max {max(latencies):7.1f} ms"
    )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _latency(
    app: QApplication, services: Services, tokens: list[str], held: bool, label: str
) -> None:
    frames: list[Frame] = []
    texts: list[str | None] = []
    for token in tokens:
        repeat = HELD_FRAMES if held else 1
        if held:
            frames += [_blank()] * GAP_FRAMES
            texts += [None] * GAP_FRAMES
        code = _frame(token)
        frames += [code] * repeat
        texts += [token] * repeat
    serial_of = {token: services.passes.verify(token).claims.serial for token in tokens}  # type: ignore[union-attr]
    token_of = {serial: token for token, serial in serial_of.items()}
    source = CameraModel(frames, texts)
    gate1 = services.accounts.login("gate1", "LoopPass-demo")
    page = StationPage(services, gate1, camera_factory=lambda: source, sound=lambda _v: None)
    results: list[tuple[float, ScanResult]] = []

    def recorded(result: ScanResult) -> None:
        results.append((time.perf_counter(), result))

    page.scan_recorded.connect(recorded)
    paint_clock = PaintClock(page)
    page.resize(1280, 800)
    started = time.perf_counter()
    page.show()
    _wait_for(app, lambda: source.done, 600_000)
    _wait(app, 500)  # verdicts still queued for the GUI thread
    wall = time.perf_counter() - started
    page.close()
    page.deleteLater()

    def since_shown(stamps: list[tuple[float, ScanResult]]) -> list[float]:
        return [
            (at - source.shown[token_of[r.serial]]) * 1000
            for at, r in stamps
            if r.serial in token_of and r.recorded
        ]

    latencies = since_shown(results)
    painted = since_shown(paint_clock.painted)
    greens = sum(1 for _, r in results if r.verdict is Verdict.GREEN)
    print(f"\n(a) scan-to-verdict latency, {label}")
    print(
        f"    frames captured: {len(frames)} in {wall:.1f} s ({source.reads} read, "
        f"{source.dropped} lost to full buffers); passes in view: {len(tokens)}; "
        f"scans recorded: {len(latencies)} ({greens} GREEN)"
    )
    if latencies:
        print(f"    verdict signal: {_figures(latencies)}")
    if painted:
        print(f"    painted:        {_figures(painted)}")


def _idle(app: QApplication, services: Services, seconds: float) -> None:
    counting: list[CountingDecoder] = []

    def make_decoder(*args: Any, **kwargs: Any) -> CountingDecoder:
        decoder = CountingDecoder(*args, **kwargs)
        counting.append(decoder)
        return decoder

    core.scanning.default_decoder = make_decoder
    source = PacedBlankSource(30.0)
    gate1 = services.accounts.login("gate1", "LoopPass-demo")
    page = StationPage(services, gate1, camera_factory=lambda: source, sound=lambda _v: None)
    page.resize(1280, 800)
    previews = [0]
    try:
        page.show()
        assert page.worker is not None
        page.worker.frame_ready.connect(lambda _image: previews.__setitem__(0, previews[0] + 1))
        _wait(app, 1000)  # warm-up: OpenCV, zxing-cpp, the decoder
        reads0, calls0 = source.reads, counting[0].calls if counting else 0
        previews0 = previews[0]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        _wait(app, int(seconds * 1000))
        cpu = time.process_time() - cpu0
        wall = time.perf_counter() - wall0
        reads = source.reads - reads0
        calls = (counting[0].calls if counting else 0) - calls0
        shown = previews[0] - previews0
        page.close()
        page.deleteLater()
    finally:
        core.scanning.default_decoder = DEFAULT_DECODER
    print(f"\n(b) idle preview loop: blank {WIDTH}x{HEIGHT} BGR frames paced at 30 fps")
    print(f"    wall {wall:.2f} s, process CPU {cpu:.2f} s")
    print(f"    CPU share: {100 * cpu / wall:.1f} % of one core (machine: {os.cpu_count()} CPUs)")
    print(
        f"    frames read: {reads / wall:.1f} /s; decodes: {calls / wall:.1f} /s; "
        f"previews: {shown / wall:.1f} /s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unique", type=int, default=180, help="passes, one frame each")
    parser.add_argument("--held", type=int, default=60, help="passes held in view")
    parser.add_argument("--idle-s", type=float, default=10.0)
    args = parser.parse_args()
    qInstallMessageHandler(_quiet)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    now = datetime.now(UTC)
    print(f"CPUs: {os.cpu_count()}; platform: {app.platformName()}")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        keys = KeyFolder(Path(folder) / "keys")
        services = Services.build(store, params=FAST_HASH, keys=keys)
        populate(store, now, vehicles=60, params=FAST_HASH, keys=keys)
        clerk = services.accounts.login("clerk", "LoopPass-demo")
        reviewer = services.accounts.login("reviewer", "LoopPass-demo")
        ids = services.importer.import_rows(
            clerk, _rows(args.unique + args.held, now + timedelta(hours=2))
        )
        tokens = [one.token for one in services.passes.approve_many(reviewer, ids).issued]
        unique, held = tokens[: args.unique], tokens[args.unique :]
        _latency(app, services, unique, held=False, label="one frame per pass")
        _latency(app, services, held, held=True, label="pass held in view 5 frames")
        _idle(app, services, args.idle_s)
        app.processEvents()
        store.close()


if __name__ == "__main__":
    main()
