"""Reading pass QR codes from a camera: frame sources, decoders and a debouncer.

The checkpoint pipeline (ARCHITECTURE.md, "Scanning pipeline") is::

    FrameSource → to_gray → Decoder → Debouncer → verify_token → verdict

Everything here is Qt-free and synchronous; the camera worker (a ``QThread`` in ``ui/``)
drives the loop. A ``FrameSource`` hands out frames that the caller owns (copied out of the
capture buffer); a ``Decoder`` turns one frame into the texts of the QR codes it can read; a
``Debouncer`` decides which of those texts to act on, because a camera sees the same code in
dozens of consecutive frames.

Decoded text is never trusted here: it goes to ``core.token.verify_token`` as it came off the
code. Binary (non-text) payloads come back as ISO-8859-1 text, byte for byte, so they keep
their control and non-ASCII characters and the verifier rejects them (a PH1 token is ASCII
Base45); see ``ZxingDecoder``.

Objects here are not thread-safe: give each worker thread its own source, decoder and
debouncer.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Final, Protocol, TypeAlias
from urllib.parse import urlsplit

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

__all__ = [
    "CameraUnavailable",
    "CombinedDecoder",
    "Debouncer",
    "Decoder",
    "FakeFrameSource",
    "Frame",
    "FrameSource",
    "OpenCvDecoder",
    "VideoCaptureSource",
    "ZxingDecoder",
    "decode_file",
    "decode_video",
    "default_decoder",
    "read_image",
    "to_gray",
]

Frame: TypeAlias = npt.NDArray[np.uint8]
"""An image: H×W×3 BGR (OpenCV's channel order) or H×W grey, 8 bits per sample."""

# Streams that deliver frames as they happen (and can drop): a read failure is a failure,
# not the end of a file.
_LIVE_SCHEMES: Final = frozenset({"rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt"})
_DEFAULT_FPS: Final = 30.0  # when a video file does not say (a timestamp is still needed)
_GRAY_DIMS: Final = 2  # H×W
_COLOR_DIMS: Final = 3  # H×W×channels
_BGR: Final = 3
_BGRA: Final = 4
_WHITE: Final = 255.0
_QR_FORMATS: Final = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


# --- frame sources ---------------------------------------------------------------------------


class CameraUnavailable(RuntimeError):
    """A video source could not be opened (no such device or file, refused, busy).

    ``source`` names it for a log, with any password in a URL replaced by ``***``.
    """

    code = "CAMERA_UNAVAILABLE"

    def __init__(self, source: str) -> None:
        """Record the (redacted) source; the message is for logs, not for the officer."""
        super().__init__(f"cannot open video source {source}")
        self.source = source


class FrameSource(Protocol):
    """Where frames come from: a camera, a video file, an IP camera or a test's list.

    ``open`` raises ``CameraUnavailable``; ``read`` never raises for a hardware problem: it
    returns ``None`` when there is no frame (nothing new yet, the end of a file, or a live
    source that stopped), and sets ``failed`` for the last case so the caller can show a
    banner and reconnect (``close`` then ``open``). Frames returned belong to the caller.
    """

    @property
    def is_live(self) -> bool:
        """True for cameras and streams (reconnect on failure), False for files (stop at end)."""
        ...

    @property
    def failed(self) -> bool:
        """True once a live source has stopped delivering frames (cleared by ``open``)."""
        ...

    def open(self) -> None:
        """Start delivering frames; raises ``CameraUnavailable``."""
        ...

    def read(self) -> Frame | None:
        """The next frame, or ``None`` (no frame now, end of file, or ``failed``)."""
        ...

    def close(self) -> None:
        """Release the device or file; safe to call more than once."""
        ...


def _redact(spec: int | str | os.PathLike[str]) -> str:
    """A source as it may appear in a log: ``rtsp://user:***@host/...`` keeps no password."""
    if isinstance(spec, int):
        return f"camera {spec}"
    text = os.fspath(spec)
    parts = urlsplit(text)
    if parts.password is None:
        return repr(text)
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return repr(parts._replace(netloc=f"{user}:***@{host}").geturl())


class VideoCaptureSource:
    """``cv2.VideoCapture`` over a device index, a video file, or an RTSP/HTTP URL.

    ``width``/``height`` are asked of a camera device (it may pick the nearest mode it has);
    files and streams keep their own size. ``open`` may block for seconds on a camera or an
    unreachable stream: call it on the worker thread.
    """

    def __init__(
        self, spec: int | str | os.PathLike[str], width: int = 1280, height: int = 720
    ) -> None:
        """Describe the source; nothing is opened until ``open``."""
        self.spec = spec
        self.width = width
        self.height = height
        self._live = isinstance(spec, int) or urlsplit(os.fspath(spec)).scheme in _LIVE_SCHEMES
        self._failed = False
        self._capture: cv2.VideoCapture | None = None

    @property
    def is_live(self) -> bool:
        """True for a device index or a stream URL; False for a video file."""
        return self._live

    @property
    def failed(self) -> bool:
        """True once a live source's read has failed (unplugged, stream dropped)."""
        return self._failed

    @property
    def fps(self) -> float:
        """Frames per second the source reports, or 0.0 when it does not know (or is closed)."""
        if self._capture is None:
            return 0.0
        value = float(self._capture.get(cv2.CAP_PROP_FPS))
        return value if np.isfinite(value) and value > 0 else 0.0

    def open(self) -> None:
        """Open (or reopen) the source and clear ``failed``; raises ``CameraUnavailable``."""
        self.close()
        self._failed = False
        target = self.spec if isinstance(self.spec, int) else os.fspath(self.spec)
        capture = cv2.VideoCapture(target)
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable(_redact(self.spec))
        if isinstance(self.spec, int):
            # Unsupported requests are ignored by the backend (``set`` returns False).
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        self._capture = capture

    def read(self) -> Frame | None:
        """The next BGR frame, copied out of the capture buffer; ``None`` at end or failure.

        Raises:
            RuntimeError: the source is not open (a programming error, not a camera fault).
        """
        if self._capture is None:
            raise RuntimeError("read() on a source that is not open")
        ok, frame = self._capture.read()
        if not ok or frame is None:
            # A file's end is expected; a camera or stream that stops has failed.
            self._failed = self._live
            return None
        # Some backends hand out a view of a buffer they reuse for the next frame.
        return np.array(frame, dtype=np.uint8, copy=True)

    def close(self) -> None:
        """Release the capture; safe to call more than once."""
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class FakeFrameSource:
    """Replays given frames, for tests: optionally looping, optionally "unplugged".

    ``fail_after=n`` delivers ``n`` frames after each ``open`` and then fails like an
    unplugged camera (``read`` → ``None``, ``failed`` True); ``open`` again reconnects and
    starts from the first frame. Without ``loop`` the frames run out and ``read`` returns
    ``None`` without failing. ``is_live`` is what the fake claims to be (a camera by default).
    ``open_count`` counts the ``open`` calls, so a test can see a reconnect.
    """

    def __init__(
        self,
        frames: Sequence[Frame],
        loop: bool = False,
        fail_after: int | None = None,
        *,
        is_live: bool = True,
    ) -> None:
        """Keep the frames; nothing is delivered until ``open``."""
        if loop and not frames:
            raise ValueError("cannot loop over no frames")
        if fail_after is not None and fail_after < 0:
            raise ValueError("fail_after must not be negative")
        self._frames = list(frames)
        self._loop = loop
        self._fail_after = fail_after
        self._live = is_live
        self._failed = False
        self._opened = False
        self._position = 0
        self._delivered = 0
        self.open_count = 0

    @property
    def is_live(self) -> bool:
        """What the fake pretends to be (given to the constructor)."""
        return self._live

    @property
    def failed(self) -> bool:
        """True after the simulated unplug, until the next ``open``."""
        return self._failed

    @property
    def is_open(self) -> bool:
        """True between ``open`` and ``close``."""
        return self._opened

    def open(self) -> None:
        """(Re)start from the first frame and clear ``failed``."""
        self._opened = True
        self._failed = False
        self._position = 0
        self._delivered = 0
        self.open_count += 1

    def read(self) -> Frame | None:
        """A copy of the next frame, or ``None`` (frames used up, or unplugged).

        Raises:
            RuntimeError: the source is not open.
        """
        if not self._opened:
            raise RuntimeError("read() on a source that is not open")
        if self._failed or (self._fail_after is not None and self._delivered >= self._fail_after):
            self._failed = True
            return None
        if self._position >= len(self._frames):
            if not self._loop:
                return None
            self._position = 0
        frame = self._frames[self._position]
        self._position += 1
        self._delivered += 1
        return np.array(frame, dtype=np.uint8, copy=True)

    def close(self) -> None:
        """Stop delivering frames; safe to call more than once."""
        self._opened = False


# --- decoders --------------------------------------------------------------------------------


class Decoder(Protocol):
    """Turns one frame into the texts of the QR codes it can read (``[]`` when none)."""

    @property
    def name(self) -> str:
        """A short label for logs and benchmarks."""
        ...

    def decode(self, frame: Frame) -> list[str]:
        """Texts of the codes read in ``frame``, each once, in the decoder's order."""
        ...


def to_gray(frame: Frame) -> Frame:
    """``frame`` as one 8-bit grey channel, C-contiguous (grey input is returned as is).

    Accepts H×W, H×W×1, H×W×3 (BGR) and H×W×4 (BGRA).

    Raises:
        ValueError: not 8-bit, or not one of those shapes.
    """
    if frame.dtype != np.uint8:
        raise ValueError(f"frame must be 8-bit (uint8), not {frame.dtype}")
    if frame.ndim == _COLOR_DIMS and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == _GRAY_DIMS:
        return np.ascontiguousarray(frame)
    channels = frame.shape[2] if frame.ndim == _COLOR_DIMS else 0
    if channels == _BGR:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if channels == _BGRA:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY), dtype=np.uint8)
    raise ValueError(f"frame must be H×W, H×W×3 or H×W×4, not {frame.shape}")


class ZxingDecoder:
    """zxing-cpp, QR Code family only (Model 1/2, Micro, rMQR), on the grey frame.

    Text comes from ``TextMode.Plain``: zxing-cpp transcodes the payload with its ECI or a
    guessed character set (UTF-8, Shift_JIS, ...) and, for binary content, ISO-8859-1 —
    one character per byte, control bytes included. So a non-UTF-8 payload keeps every byte
    as a character: a NUL or other control byte stays a control character (``verify_token``
    says NOT_A_PASS) and a byte ≥ 0x80 becomes a non-ASCII letter, outside the Base45
    alphabet (MALFORMED). The default ``TextMode.HRI`` is not used because it rewrites
    control bytes as readable text such as ``<NUL>``, which no longer says what was printed.
    """

    name = "zxing-cpp"

    def decode(self, frame: Frame) -> list[str]:
        """Texts of the QR codes zxing-cpp reads in ``frame``."""
        results = zxingcpp.read_barcodes(
            to_gray(frame),
            formats=_QR_FORMATS,
            text_mode=zxingcpp.TextMode.Plain,
        )
        return list(dict.fromkeys(result.text for result in results if result.text))


class OpenCvDecoder:
    """OpenCV's ``QRCodeDetectorAruco`` (or ``QRCodeDetector`` when a build lacks it).

    Uses the ``...Bytes`` API where present: the ``str`` API cuts the text at the first NUL
    byte (a C string), which could turn ``PH1:<token>\\0junk`` into a clean-looking token.
    OpenCV returns UTF-8 and, like zxing-cpp, reads a non-UTF-8 byte payload as ISO-8859-1,
    so both decoders give the same string for the same code. One detector per instance: do
    not share an instance between threads.
    """

    def __init__(self) -> None:
        """Create the detector (Aruco-based when this OpenCV build has it)."""
        self._detector: cv2.GraphicalCodeDetector
        if hasattr(cv2, "QRCodeDetectorAruco"):
            self._detector = cv2.QRCodeDetectorAruco()
            self.name = "opencv-aruco"
        else:  # pragma: no cover - every pinned build has it
            self._detector = cv2.QRCodeDetector()
            self.name = "opencv"

    def decode(self, frame: Frame) -> list[str]:
        """Texts of the QR codes OpenCV reads in ``frame``."""
        gray = to_gray(frame)
        try:
            if hasattr(self._detector, "detectAndDecodeBytesMulti"):
                found, payloads, _, _ = self._detector.detectAndDecodeBytesMulti(gray)
                texts = [bytes(data).decode("utf-8", errors="replace") for data in payloads]
            else:  # pragma: no cover - OpenCV before 4.11
                found, decoded, _, _ = self._detector.detectAndDecodeMulti(gray)
                texts = list(decoded)
        except cv2.error:
            # Rare internal asserts on degenerate detections: treat as "nothing read".
            return []
        if not found:
            return []
        # A code that was found but not decoded comes back as an empty string.
        return list(dict.fromkeys(text for text in texts if text))


class CombinedDecoder:
    """``primary`` on every frame; ``fallback`` only when ``primary`` reads nothing.

    The fallback is slow on frames with no code in view (tens of ms against the primary's
    ~8 ms, see tests/benchmarks/bench_decode.py), and a camera sees mostly such frames. With
    ``fallback_every=N`` it runs on every Nth empty frame only: a code the primary cannot
    read still gets the fallback several times a second, and the idle loop stays cheap.
    """

    def __init__(self, primary: Decoder, fallback: Decoder, fallback_every: int = 1) -> None:
        """Combine two decoders; ``name`` is ``"primary+fallback"``."""
        self.primary = primary
        self.fallback = fallback
        self.fallback_every = max(1, fallback_every)
        self.name = f"{primary.name}+{fallback.name}"
        self._empty = 0

    def decode(self, frame: Frame) -> list[str]:
        """The primary's texts, or the fallback's when the primary found none."""
        gray = to_gray(frame)  # once, for both
        texts = self.primary.decode(gray)
        if texts:
            return texts
        self._empty += 1
        if self._empty % self.fallback_every:
            return []
        return self.fallback.decode(gray)


def default_decoder(fallback_every: int = 1) -> Decoder:
    """zxing-cpp, with OpenCV as the fallback (ARCHITECTURE.md, "Scanning pipeline").

    Files and images use the fallback on every image; a live camera passes
    ``fallback_every`` so the idle preview loop stays light.
    """
    return CombinedDecoder(ZxingDecoder(), OpenCvDecoder(), fallback_every)


# --- debouncing ------------------------------------------------------------------------------


class Debouncer:
    """Decides which decoded texts to act on; a camera sees one code in many frames.

    A text is acted on (``offer`` returns True) once it has been seen ``sightings`` times,
    each within ``max_gap_s`` of the one before (a frame or two lost to blur, or another code
    read in between, does not start the count again), and then not again for ``repeat_s``
    seconds after it was acted on: a truck that stays in view is acted on at most once every
    ``repeat_s``. Texts are tracked separately, so a different text is acted on as soon as
    it has its own sightings. ``now`` is in seconds from a monotonic clock (or a video's
    timestamps); ``reset`` forgets everything, e.g. when the officer asks to scan again.
    """

    def __init__(
        self, repeat_s: float = 10.0, sightings: int = 1, *, max_gap_s: float = 1.0
    ) -> None:
        """Check the settings.

        Raises:
            ValueError: a negative ``repeat_s``, ``sightings`` under 1, or a ``max_gap_s``
                that is not positive.
        """
        if repeat_s < 0:
            raise ValueError("repeat_s must not be negative")
        if sightings < 1:
            raise ValueError("sightings must be at least 1")
        if max_gap_s <= 0:
            raise ValueError("max_gap_s must be positive")
        self.repeat_s = repeat_s
        self.sightings = sightings
        self.max_gap_s = max_gap_s
        self._seen: dict[str, tuple[int, float]] = {}  # text → (sightings in a row, last)
        self._acted: dict[str, float] = {}  # text → when it was last acted on

    def offer(self, text: str, now: float) -> bool:
        """Record a sighting of ``text`` at ``now``; True when the caller should act on it."""
        self._forget_before(now)
        count, last = self._seen.get(text, (0, now))
        count = count + 1 if now - last <= self.max_gap_s else 1
        self._seen[text] = (count, now)
        if count < self.sightings:
            return False
        acted = self._acted.get(text)
        if acted is not None and now - acted < self.repeat_s:
            return False
        self._acted[text] = now
        return True

    def reset(self) -> None:
        """Forget every sighting and every recent action."""
        self._seen.clear()
        self._acted.clear()

    def _forget_before(self, now: float) -> None:
        """Drop state that can no longer matter, so a long shift does not grow the dicts."""
        for text in [t for t, (_, last) in self._seen.items() if now - last > self.max_gap_s]:
            del self._seen[text]
        for text in [t for t, acted in self._acted.items() if now - acted >= self.repeat_s]:
            del self._acted[text]


# --- files -----------------------------------------------------------------------------------


def read_image(path: str | os.PathLike[str]) -> Frame | None:
    """An image file as an 8-bit BGR or grey frame; ``None`` if it is missing or unreadable.

    Read through ``np.fromfile`` + ``cv2.imdecode`` rather than ``cv2.imread``, which cannot
    open non-ASCII paths on Windows (a folder called 扫码 is likely here). Transparent pixels
    are put on white, as a screen or a printer would show them; 16-bit images are scaled to 8.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    try:
        image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        if image is not None and image.dtype not in (np.uint8, np.uint16):
            image = cv2.imdecode(data, cv2.IMREAD_COLOR)  # float formats: let OpenCV map
    except cv2.error:
        return None
    if image is None:
        return None
    if image.dtype == np.uint16:
        image = np.asarray(image, dtype=np.uint16) >> 8
    frame = np.asarray(image, dtype=np.uint8)
    if frame.ndim == _COLOR_DIMS and frame.shape[2] == _BGRA:
        alpha = frame[:, :, 3:].astype(np.float32) / _WHITE
        color = frame[:, :, :3].astype(np.float32)
        frame = np.asarray(color * alpha + _WHITE * (1.0 - alpha) + 0.5, dtype=np.uint8)
    return frame


def decode_file(path: str | os.PathLike[str], decoder: Decoder) -> list[str]:
    """Texts ``decoder`` reads in the image at ``path``; ``[]`` if the file is unreadable."""
    frame = read_image(path)
    return [] if frame is None else decoder.decode(frame)


def decode_video(
    path: str | os.PathLike[str],
    decoder: Decoder,
    debouncer: Debouncer,
    every_nth: int = 1,
) -> list[str]:
    """The texts to act on, in order, when ``path`` is played to the checkpoint scanner.

    Every ``every_nth`` frame is decoded; each text read is offered to ``debouncer`` at the
    frame's time (index / the file's fps, 30 when the file does not say), so the debouncer
    sees video time, not how long decoding took.

    Raises:
        CameraUnavailable: the file cannot be opened.
        ValueError: ``every_nth`` under 1.
    """
    if every_nth < 1:
        raise ValueError("every_nth must be at least 1")
    source = VideoCaptureSource(path)
    source.open()
    try:
        fps = source.fps or _DEFAULT_FPS
        acted: list[str] = []
        index = 0
        while (frame := source.read()) is not None:
            if index % every_nth == 0:
                now = index / fps
                acted.extend(text for text in decoder.decode(frame) if debouncer.offer(text, now))
            index += 1
        return acted
    finally:
        source.close()
