"""The camera worker: reads frames off the GUI thread, decodes QR codes, reports failures.

One ``QThread`` subclass (HOUSE_STYLE.md, "Qt habits"): the source is opened inside
``run()``, the loop runs until ``isInterruptionRequested()``, frames leave the thread as
copied ``QImage`` previews (at most ``PREVIEW_FPS`` a second) and texts leave it only after the
``Debouncer`` lets them through. A camera that cannot be opened, or stops delivering, is
reported once with ``camera_failed`` and reopened every ``retry_ms`` from this thread, never
from the GUI thread; ``camera_recovered`` says it is back. ``stop()`` asks and waits; the
thread is never terminated.

``core.scanning`` (OpenCV, zxing-cpp) is imported lazily, inside the thread, so this module
imports cheaply and the decoder is built where it is used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from core.scanning import Debouncer, Decoder, FrameSource

log = logging.getLogger("looppass.camera")

SourceFactory = Callable[[], "FrameSource"]

PREVIEW_WIDTH = 640
MAX_FPS = 25.0  # a video file (not live) plays at about this rate
# A camera's read() waits for its next frame, so the camera sets the pace. The loop must be
# able to go faster than any camera: one that reads slower than the camera delivers leaves
# the driver's buffers full (4 frames with V4L2), and every frame it reads is then ~130 ms
# old at 30 fps. This cap only stops a source that never waits (a test's fake) spinning.
LIVE_MAX_FPS = 120.0
# The preview needs less than the reading does: fewer frames to paint leaves the GUI thread
# free to show a verdict the moment it arrives.
PREVIEW_FPS = 15.0
DECODE_INTERVAL_S = 0.1  # decoding 10 frames a second is plenty for a truck at a gate
# OpenCV's fallback decoder on every 5th empty frame: twice a second, not ten times.
LIVE_FALLBACK_EVERY = 5
RETRY_MS = 2000
# A live source that returns no frame this many times in a row has stopped, even if it
# does not say so.
MAX_EMPTY_READS = 50
# After an outage, the camera counts as back only once it has delivered this many frames in
# a row: a loose cable that delivers a frame or two must not make the banner flicker.
RECOVERED_AFTER_FRAMES = 15
_SLICE_MS = 50  # how long the worker sleeps between checks for an interruption
# The guide box on the preview: where to hold the code.
GUIDE_SHARE = 0.7  # of the preview's shorter side
GUIDE_WIDTH = 3  # pixels
GUIDE_DASH_ON, GUIDE_DASH_PERIOD = 12, 18  # pixels: Qt's DashLine for a 3 px pen
GUIDE_BGRA = np.array([0x3B, 0xEB, 0xFF, 0xFF], dtype=np.uint8)  # #ffeb3b


def frame_to_image(frame: Any, width: int = PREVIEW_WIDTH) -> QImage:
    """A BGR or grey frame as an RGB32 QImage at most ``width`` pixels wide, owning its memory.

    RGB32 is what a QPixmap holds, so the GUI thread's ``QPixmap.fromImage`` has nothing to
    convert. In memory it is B, G, R, 0xff per pixel (little-endian, as every lane PC is), so
    OpenCV converts the frame straight into the image's own buffer: no copy of a buffer
    numpy owns, and none of Qt's conversion threads to wake.
    """
    import cv2  # noqa: PLC0415 - OpenCV is loaded with the worker, not with the UI

    height, full_width = frame.shape[:2]
    if full_width > width:
        scaled_height = max(1, round(height * width / full_width))
        frame = cv2.resize(frame, (width, scaled_height), interpolation=cv2.INTER_AREA)
    if frame.ndim == 3 and frame.shape[2] != 3:  # noqa: PLR2004 - H×W×1 grey or BGRA
        frame = frame[:, :, 0] if frame.shape[2] == 1 else frame[:, :, :3]
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    image = QImage(w, h, QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.bits(), dtype=np.uint8).reshape(h, w, 4)
    code = cv2.COLOR_GRAY2BGRA if frame.ndim == 2 else cv2.COLOR_BGR2BGRA  # noqa: PLR2004
    cv2.cvtColor(frame, code, dst=pixels)
    draw_guide(pixels)
    return image


def draw_guide(pixels: Any) -> None:
    """Draw the dashed yellow box where the code is to be held on an H×W×4 BGRA preview: a
    square of 70 % of the shorter side, in the middle. Drawn with numpy on the worker thread
    rather than with a QPainter on the GUI thread for every preview frame."""
    h, w = pixels.shape[:2]
    side = int(min(w, h) * GUIDE_SHARE)
    if side <= 2 * GUIDE_WIDTH:
        return
    top, left = (h - side) // 2, (w - side) // 2
    dashed = (np.arange(side) % GUIDE_DASH_PERIOD) < GUIDE_DASH_ON
    square = pixels[top : top + side, left : left + side]
    for edge in (square[:GUIDE_WIDTH], square[-GUIDE_WIDTH:]):  # top and bottom
        edge[:, dashed] = GUIDE_BGRA
    for edge in (square[:, :GUIDE_WIDTH], square[:, -GUIDE_WIDTH:]):  # left and right
        edge[dashed, :] = GUIDE_BGRA


def _next_due(now: float, due: float, interval: float) -> float:
    """The deadline after ``due``, met at ``now``: one ``interval`` later, so the rate holds
    whatever the frame timing ("``interval`` since the last" would, with frames 33.3 ms
    apart, let only every 4th frame past a 100 ms mark: 7.5 decodes a second, not 10), but
    at least half an interval after ``now``, so a stalled loop does not catch up in a burst.
    """
    return max(due + interval, now + interval / 2)


class CameraWorker(QThread):
    """Reads ``factory()``'s frames, emits previews and debounced QR texts; see module doc."""

    frame_ready = Signal(QImage)
    decoded = Signal(str)
    camera_failed = Signal(str)  # a short English reason, for the log
    camera_recovered = Signal()

    def __init__(
        self,
        factory: SourceFactory,
        decoder: Decoder | None = None,
        debouncer: Debouncer | None = None,
        parent: QObject | None = None,
        *,
        max_fps: float = MAX_FPS,
        live_max_fps: float = LIVE_MAX_FPS,
        retry_ms: int = RETRY_MS,
        preview_width: int = PREVIEW_WIDTH,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self._decoder = decoder
        self._debouncer = debouncer
        self._frame_s = 1.0 / max_fps
        self._live_frame_s = 1.0 / live_max_fps
        self.retry_ms = retry_ms
        self.preview_width = preview_width
        self.failed = False  # read by the GUI after camera_failed/camera_recovered only

    def stop(self) -> None:
        """Ask the loop to end and wait for it (at most 2 s); never terminates the thread."""
        self.requestInterruption()
        self.wait(2000)

    # -- the thread ---------------------------------------------------------------------

    def run(self) -> None:
        import cv2  # noqa: PLC0415 - see module doc

        from core.scanning import Debouncer, default_decoder  # noqa: PLC0415

        # OpenCV's thread pool costs more than it saves on one camera frame: waking its
        # threads and yielding to them took ~2 % of a core in the idle loop, on the 2-core
        # lane PC. The setting is process-wide; the station's other OpenCV work (a dropped
        # image) is a single frame too.
        cv2.setNumThreads(1)
        decoder = self._decoder or default_decoder(fallback_every=LIVE_FALLBACK_EVERY)
        debouncer = self._debouncer or Debouncer()
        source: FrameSource | None = None
        try:
            source = self._factory()
            self._loop(source, decoder, debouncer)
        except Exception as error:
            # A bug must not take the application down with it; the banner says why.
            log.exception("camera worker stopped")
            self._fail(f"camera worker stopped: {error}")
        finally:
            if source is not None:
                source.close()

    def _loop(self, source: FrameSource, decoder: Decoder, debouncer: Debouncer) -> None:
        if not self._open(source):
            return
        empty = good = 0
        next_preview = next_decode = 0.0
        while not self.isInterruptionRequested():
            started = time.monotonic()
            frame = source.read()
            if frame is None:
                empty += 1
                good = 0
                if source.failed or (source.is_live and empty >= MAX_EMPTY_READS):
                    self._fail("the camera stopped delivering frames")
                    source.close()
                    self._nap(self.retry_ms)
                    if not self._open(source):
                        return
                    empty = 0
                elif not source.is_live:
                    return  # a video file has ended
                self._pace(started, self._frame_s)
                continue
            empty = 0
            good += 1
            if self.failed and good >= RECOVERED_AFTER_FRAMES:
                self.failed = False
                self.camera_recovered.emit()
            now = time.monotonic()
            if now >= next_decode:
                # The frame just read is decoded at once, before anything else is done with
                # it, and a text goes out before this frame's preview, so the verdict does
                # not queue behind it.
                next_decode = _next_due(now, next_decode, DECODE_INTERVAL_S)
                for text in decoder.decode(frame):
                    if debouncer.offer(text, time.monotonic()):
                        self.decoded.emit(text)
            if now >= next_preview:
                next_preview = _next_due(now, next_preview, 1.0 / PREVIEW_FPS)
                self.frame_ready.emit(frame_to_image(frame, self.preview_width))
            self._pace(started, self._live_frame_s if source.is_live else self._frame_s)

    def _open(self, source: FrameSource) -> bool:
        """Open (or reopen) the source, retrying every ``retry_ms``; False if interrupted."""
        from core.scanning import CameraUnavailable  # noqa: PLC0415

        while not self.isInterruptionRequested():
            source.close()
            try:
                source.open()
            except CameraUnavailable as error:
                self._fail(str(error))
            else:
                return True
            self._nap(self.retry_ms)
        return False

    def _fail(self, reason: str) -> None:
        if not self.failed:  # once per outage, not once per retry
            self.failed = True
            self.camera_failed.emit(reason)

    def _pace(self, started: float, frame_s: float) -> None:
        """Make a loop turn begun at ``started`` last at least ``frame_s`` seconds."""
        left_ms = int((frame_s - (time.monotonic() - started)) * 1000)
        if left_ms > 0:
            self.msleep(left_ms)

    def _nap(self, total_ms: int) -> None:
        """Sleep ``total_ms`` on this thread in slices, waking early for an interruption."""
        deadline = time.monotonic() + total_ms / 1000
        while not self.isInterruptionRequested() and time.monotonic() < deadline:
            self.msleep(_SLICE_MS)
