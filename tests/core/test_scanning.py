"""Frame sources, QR decoders and the debouncer of the checkpoint scanner (core.scanning).

Frames are generated, never read from a camera: a pass-like QR code (EC level Q, ~270
Base45 characters after ``PH1:``, as ``core.pass_document.qr_image`` draws it) on a phone
screen over a busy 1280x720 background, turned a little, blurred and noisy, from a seeded
RNG. ``pass_scene`` is also used by tests/benchmarks/bench_decode.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_Q

from core.base45 import ALPHABET
from core.pass_document import qr_image
from core.scanning import (
    CameraUnavailable,
    CombinedDecoder,
    Debouncer,
    Decoder,
    FakeFrameSource,
    Frame,
    FrameSource,
    OpenCvDecoder,
    VideoCaptureSource,
    ZxingDecoder,
    decode_file,
    decode_video,
    default_decoder,
    read_image,
    to_gray,
)
from core.token import TokenReason, verify_token

WIDTH, HEIGHT = 1280, 720
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)

# --- generated frames ----------------------------------------------------------------------


def pass_token(rng: np.random.Generator, length: int = 266) -> str:
    """A pass-like token: ``PH1:`` and ``length`` random Base45 characters (not signed)."""
    return "PH1:" + "".join(rng.choice(list(ALPHABET), size=length))


def pass_scene(
    rng: np.random.Generator,
    text: str | None,
    *,
    module_px: int = 5,
    angle_deg: float = 4.0,
    shear: float = 0.0,
    blur_sigma: float = 1.0,
    noise_sigma: float = 6.0,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> Frame:
    """A BGR webcam frame of a phone showing ``text``'s pass QR code (a blank screen if None).

    Busy background (shaded gradient and coloured boxes), dark phone body, light screen with
    the code in it; then the whole frame is turned by ``angle_deg``, sheared, blurred and
    given Gaussian sensor noise.
    """
    width, height = size
    across = np.sin(np.arange(width, dtype=np.float32) / 170 + rng.uniform(0, 6))
    down = np.cos(np.arange(height, dtype=np.float32) / 130 + rng.uniform(0, 6))
    shade = 90 + 60 * np.outer(down, across)
    tint = rng.uniform(-25, 25, 3).astype(np.float32)
    image = np.ascontiguousarray(shade[..., None] + tint, dtype=np.float32)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(20, 200)), y0 + int(rng.integers(5, 60))
        cv2.rectangle(image, (x0, y0), (x1, y1), rng.uniform(0, 255, 3).tolist(), -1)
    side = 65 * module_px  # a ~270-character EC-Q code is 57-65 modules with its quiet zone
    code = None
    if text is not None:
        code = np.asarray(qr_image(text, box_size=module_px), dtype=np.float32)
        side = code.shape[0]
    # The code is centred on (cx, cy) and turned about it, so it stays in the frame; the
    # phone around it may run off the edge, as it does when held close to the camera.
    half, pad = side // 2, side // 8
    reach = int(side * 0.65) + 20
    cx = int(rng.integers(reach, width - reach + 1))
    cy = height // 2 + int(rng.integers(-30, 31))
    left, right = cx - half - pad, cx + half + pad
    top, bottom = cy - half - int(side * 0.45), cy + half + pad
    cv2.rectangle(image, (left - 18, top - 40), (right + 18, bottom + 40), (25, 25, 28), -1)
    cv2.rectangle(image, (left, top), (right, bottom), (235, 238, 240), -1)
    if code is not None:
        y, x = cy - half, cx - half
        image[y : y + side, x : x + side] = code[..., None] * (235 / 255)
    matrix = cv2.getRotationMatrix2D((cx, cy), angle_deg, 1.0)
    matrix[0, 1] += shear
    matrix[0, 2] -= shear * cy
    turned = cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    blurred = cv2.GaussianBlur(turned, (0, 0), blur_sigma)
    # Luma noise only (the decoders see grey), a third of the cost of noise per channel.
    noise = rng.standard_normal((height, width, 1), dtype=np.float32)
    noisy = blurred + noise_sigma * noise
    return np.clip(noisy, 0, 255).astype(np.uint8)


def plain_qr(payload: bytes | str, box_size: int = 6, optimize: int = 20) -> Frame:
    """A clean, upright grey QR image of ``payload``.

    ``optimize=0`` puts it all in one segment (bytes in byte mode); the default lets qrcode
    split runs of 20+ digits or alphanumerics into their own segments, as most encoders do.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=box_size, border=4)
    code.add_data(payload, optimize=optimize)
    code.make(fit=True)
    return np.asarray(code.make_image().convert("L"), dtype=np.uint8)


@functools.cache
def _token() -> str:
    return pass_token(np.random.default_rng(20261125))


@functools.cache
def _scene() -> Frame:
    return pass_scene(np.random.default_rng(1), _token())


@functools.cache
def _blank_scene() -> Frame:
    return pass_scene(np.random.default_rng(2), None)


DECODERS: dict[str, Callable[[], Decoder]] = {
    "zxing": ZxingDecoder,
    "opencv": OpenCvDecoder,
    "combined": default_decoder,
}


class StubDecoder:
    """Returns fixed texts and counts its calls."""

    def __init__(self, name: str, texts: Sequence[str] = ()) -> None:
        self.name = name
        self.texts = list(texts)
        self.calls = 0

    def decode(self, frame: Frame) -> list[str]:
        self.calls += 1
        return list(self.texts)


# --- decoders ------------------------------------------------------------------------------


def test_the_generated_token_looks_like_a_pass() -> None:
    token = _token()
    assert token.startswith("PH1:")
    assert len(token) == 270
    assert set(token[4:]) <= set(ALPHABET)
    assert _scene().shape == (HEIGHT, WIDTH, 3)
    assert _scene().dtype == np.uint8


@pytest.mark.parametrize("make", DECODERS.values(), ids=DECODERS.keys())
def test_each_decoder_reads_a_pass_on_a_phone_like_frame(make: Callable[[], Decoder]) -> None:
    decoder = make()
    assert decoder.decode(_scene()) == [_token()]
    assert decoder.decode(to_gray(_scene())) == [_token()]


@pytest.mark.parametrize("make", DECODERS.values(), ids=DECODERS.keys())
def test_each_decoder_reads_nothing_in_a_frame_without_a_code(
    make: Callable[[], Decoder],
) -> None:
    decoder = make()
    assert decoder.decode(_blank_scene()) == []
    assert decoder.decode(np.full((HEIGHT, WIDTH, 3), 128, dtype=np.uint8)) == []
    assert decoder.decode(np.zeros((HEIGHT, WIDTH), dtype=np.uint8)) == []


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        # A NUL: the OpenCV str API would stop there and return a clean-looking prefix.
        (b"PH1:" + b"8JBJ6" * 20 + b"\x00junk", TokenReason.NOT_A_PASS),
        (b"PH1:" + b"8JBJ6" * 20 + b"\xff\xfe", TokenReason.MALFORMED),
        (b"\xff\xfe\x00\x80PH1:", TokenReason.NOT_A_PASS),
    ],
    ids=["nul", "high-bytes", "leading-binary"],
)
@pytest.mark.parametrize("optimize", [0, 20], ids=["one-segment", "mixed-segments"])
def test_a_binary_payload_keeps_every_byte_and_is_not_a_pass(
    payload: bytes, reason: TokenReason, optimize: int
) -> None:
    expected = payload.decode("latin-1")
    image = plain_qr(payload, optimize=optimize)
    assert ZxingDecoder().decode(image) == [expected]
    from_opencv = OpenCvDecoder().decode(image)
    if optimize:
        # OpenCV 5.0 gives up on alphanumeric segments followed by non-UTF-8 bytes: it may
        # read nothing, but never something else.
        assert from_opencv in ([], [expected])
    else:
        assert from_opencv == [expected]
    check = verify_token(expected, NOW, lambda kid: [], lambda cti: False)
    assert check.reason is reason


@pytest.mark.parametrize("make", [ZxingDecoder, OpenCvDecoder], ids=["zxing", "opencv"])
def test_utf8_text_is_read_as_text(make: Callable[[], Decoder]) -> None:
    assert make().decode(plain_qr("平和码 PH1:".encode())) == ["平和码 PH1:"]


def test_the_combined_decoder_falls_back_to_opencv_when_the_primary_reads_nothing() -> None:
    primary = StubDecoder("blind")
    combined = CombinedDecoder(primary, OpenCvDecoder())
    assert combined.name == "blind+opencv-aruco"
    assert combined.decode(_scene()) == [_token()]
    assert primary.calls == 1


def test_the_combined_decoder_does_not_ask_the_fallback_when_the_primary_reads() -> None:
    fallback = StubDecoder("fallback", ["from fallback"])
    combined = CombinedDecoder(StubDecoder("primary", ["PH1:X"]), fallback)
    assert combined.decode(_blank_scene()) == ["PH1:X"]
    assert fallback.calls == 0
    assert CombinedDecoder(StubDecoder("primary"), fallback).decode(_blank_scene()) == [
        "from fallback"
    ]
    assert fallback.calls == 1


def test_the_default_decoder_is_zxing_then_opencv() -> None:
    decoder = default_decoder()
    assert isinstance(decoder, CombinedDecoder)
    assert isinstance(decoder.primary, ZxingDecoder)
    assert isinstance(decoder.fallback, OpenCvDecoder)
    assert decoder.name == "zxing-cpp+opencv-aruco"


def test_to_gray_accepts_grey_bgr_and_bgra_and_refuses_the_rest() -> None:
    bgr = np.zeros((4, 6, 3), dtype=np.uint8)
    bgr[..., 2] = 255  # pure red
    gray = to_gray(bgr)
    assert gray.shape == (4, 6)
    assert gray.dtype == np.uint8
    assert int(gray[0, 0]) == 76  # ITU-R BT.601 luma of red
    assert to_gray(np.dstack([bgr, np.full((4, 6), 255, np.uint8)])).shape == (4, 6)
    assert to_gray(gray[..., None]).shape == (4, 6)
    assert to_gray(gray) is gray
    assert to_gray(bgr[:, ::2]).flags.c_contiguous
    with pytest.raises(ValueError, match="8-bit"):
        to_gray(np.zeros((4, 6), dtype=np.float32))
    with pytest.raises(ValueError, match="not"):
        to_gray(np.zeros((4, 6, 2), dtype=np.uint8))


# --- debouncer -----------------------------------------------------------------------------


def test_the_debouncer_acts_once_then_suppresses_repeats_for_ten_seconds() -> None:
    debouncer = Debouncer()
    assert debouncer.offer("PH1:A", 100.0)
    # The same code in every frame of a 30 fps camera for the next ten seconds.
    assert not any(debouncer.offer("PH1:A", 100.0 + frame / 30) for frame in range(1, 300))
    assert debouncer.offer("PH1:A", 110.0)
    assert not debouncer.offer("PH1:A", 110.1)


def test_the_debouncer_acts_on_a_different_text_at_once() -> None:
    debouncer = Debouncer(repeat_s=10.0)
    assert debouncer.offer("PH1:A", 0.0)
    assert debouncer.offer("PH1:B", 0.5)
    assert not debouncer.offer("PH1:A", 1.0)
    assert not debouncer.offer("PH1:B", 1.0)
    assert debouncer.offer("PH1:C", 1.0)


def test_the_debouncer_can_ask_for_two_sightings() -> None:
    debouncer = Debouncer(sightings=2)
    assert not debouncer.offer("PH1:A", 0.0)
    assert not debouncer.offer("PH1:B", 0.03)  # another code read in between
    assert debouncer.offer("PH1:A", 0.1)
    assert not debouncer.offer("PH1:A", 0.2)  # acted on: now the repeat window applies
    assert debouncer.offer("PH1:B", 0.2)


def test_sightings_far_apart_start_the_count_again() -> None:
    debouncer = Debouncer(sightings=2, max_gap_s=1.0)
    assert not debouncer.offer("PH1:A", 0.0)
    assert not debouncer.offer("PH1:A", 1.5)  # a glimpse long ago does not count
    assert debouncer.offer("PH1:A", 2.0)


def test_reset_forgets_sightings_and_actions() -> None:
    debouncer = Debouncer(sightings=2)
    assert not debouncer.offer("PH1:A", 0.0)
    assert debouncer.offer("PH1:A", 0.1)
    debouncer.reset()
    assert not debouncer.offer("PH1:A", 0.2)
    assert debouncer.offer("PH1:A", 0.3)


@pytest.mark.parametrize(
    "arguments",
    [{"repeat_s": -1.0}, {"sightings": 0}, {"max_gap_s": 0.0}],
    ids=["repeat", "sightings", "gap"],
)
def test_the_debouncer_refuses_impossible_settings(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Debouncer(**arguments)  # type: ignore[arg-type]


# --- frame sources -------------------------------------------------------------------------


def _numbered(count: int) -> list[Frame]:
    return [np.full((4, 4, 3), index, dtype=np.uint8) for index in range(count)]


def _drain(source: FrameSource, reads: int) -> list[int | None]:
    values: list[int | None] = []
    for _ in range(reads):
        frame = source.read()
        values.append(None if frame is None else int(frame[0, 0, 0]))
    return values


def test_the_fake_source_replays_its_frames_once() -> None:
    source = FakeFrameSource(_numbered(3))
    source.open()
    assert _drain(source, 5) == [0, 1, 2, None, None]
    assert not source.failed
    assert source.is_live
    source.close()
    assert not source.is_open
    with pytest.raises(RuntimeError):
        source.read()


def test_the_fake_source_can_loop() -> None:
    source = FakeFrameSource(_numbered(3), loop=True)
    source.open()
    assert _drain(source, 7) == [0, 1, 2, 0, 1, 2, 0]


def test_the_fake_source_fails_like_an_unplugged_camera_and_reconnects() -> None:
    source = FakeFrameSource(_numbered(3), loop=True, fail_after=4)
    source.open()
    assert _drain(source, 6) == [0, 1, 2, 0, None, None]
    assert source.failed
    source.close()
    source.open()  # the worker's reconnect
    assert (source.failed, source.open_count) == (False, 2)
    assert _drain(source, 1) == [0]


def test_the_fake_source_hands_out_copies() -> None:
    frames = _numbered(1)
    source = FakeFrameSource(frames, is_live=False)
    source.open()
    frame = source.read()
    assert frame is not None
    frame[:] = 99
    assert int(frames[0][0, 0, 0]) == 0
    assert not source.is_live


def _write_clip(path: Path, fourcc: str, frames: Sequence[Frame], fps: float = 10.0) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), fps, (width, height))
    assert writer.isOpened(), f"no {fourcc} writer in this OpenCV build"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


@pytest.mark.parametrize(("suffix", "fourcc"), [(".avi", "MJPG"), (".mp4", "mp4v")])
def test_video_capture_source_reads_a_video_file(tmp_path: Path, suffix: str, fourcc: str) -> None:
    frames = [np.full((240, 320, 3), 20 * index, dtype=np.uint8) for index in range(8)]
    clip = _write_clip(tmp_path / f"clip{suffix}", fourcc, frames)
    source = VideoCaptureSource(clip)
    assert not source.is_live
    source.open()
    try:
        assert source.fps == pytest.approx(10.0)
        read = []
        while (frame := source.read()) is not None:
            read.append(frame)
        assert not source.failed  # the end of a file is not a failure
    finally:
        source.close()
    assert len(read) == len(frames)
    assert all(frame.shape == (240, 320, 3) and frame.dtype == np.uint8 for frame in read)
    assert all(frame.flags.owndata and frame.flags.writeable for frame in read)
    assert [round(float(frame.mean()) / 20) for frame in read] == list(range(8))
    source.close()  # twice is fine


def test_video_capture_source_reports_what_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable) as missing:
        VideoCaptureSource(tmp_path / "missing.avi").open()
    assert "missing.avi" in str(missing.value)
    assert missing.value.code == "CAMERA_UNAVAILABLE"
    with pytest.raises(CameraUnavailable, match="camera 99"):
        VideoCaptureSource(99).open()


def test_a_stream_url_is_live_and_its_password_stays_out_of_the_error() -> None:
    # Port 1 on the loopback refuses at once; the URL is never reached over a network.
    source = VideoCaptureSource("rtsp://gate:s3cret@127.0.0.1:1/stream")
    assert source.is_live
    assert VideoCaptureSource(0).is_live
    with pytest.raises(CameraUnavailable) as refused:
        source.open()
    assert "s3cret" not in str(refused.value)
    assert "gate:***@127.0.0.1:1" in refused.value.source
    with pytest.raises(RuntimeError):
        source.read()


# --- files and clips -----------------------------------------------------------------------


def test_decode_file_reads_an_image_also_under_a_chinese_name(tmp_path: Path) -> None:
    folder = tmp_path / "扫码"
    folder.mkdir()
    path = folder / "通行证.png"
    path.write_bytes(cv2.imencode(".png", _scene())[1].tobytes())
    assert decode_file(path, default_decoder()) == [_token()]


def test_decode_file_returns_nothing_for_what_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_bytes(b"PH1:not an image")
    decoder = default_decoder()
    for name in ("missing.png", "empty.png", "text.png", "."):
        assert decode_file(tmp_path / name, decoder) == []


def test_transparent_pixels_are_read_as_white(tmp_path: Path) -> None:
    code = plain_qr(_token(), box_size=4)
    # Black ink on fully transparent black: read without its alpha the image is all black.
    rgba = np.zeros((*code.shape, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - code
    path = tmp_path / "sticker.png"
    assert cv2.imwrite(str(path), rgba)
    frame = read_image(path)
    assert frame is not None
    assert frame.shape == (*code.shape, 3)
    assert decode_file(path, ZxingDecoder()) == [_token()]


def test_a_16_bit_image_is_read_as_8_bit(tmp_path: Path) -> None:
    path = tmp_path / "deep.png"
    assert cv2.imwrite(str(path), plain_qr(_token(), box_size=4).astype(np.uint16) * 257)
    frame = read_image(path)
    assert frame is not None
    assert frame.dtype == np.uint8
    assert decode_file(path, ZxingDecoder()) == [_token()]


def test_decode_video_acts_once_on_a_pass_held_to_the_camera(tmp_path: Path) -> None:
    rng = np.random.default_rng(30)
    frames = []
    for index in range(30):
        shown = 3 <= index < 27  # the phone comes into view, stays, and is taken away
        frames.append(
            pass_scene(
                rng,
                _token() if shown else None,
                angle_deg=float(rng.uniform(-8, 8)),
                shear=float(rng.uniform(-0.05, 0.05)),
                blur_sigma=float(rng.uniform(0.6, 1.4)),
                noise_sigma=float(rng.uniform(3, 8)),
            )
        )
    clip = _write_clip(tmp_path / "gate.avi", "MJPG", frames)
    decoder = default_decoder()
    assert decode_video(clip, decoder, Debouncer(sightings=2)) == [_token()]
    assert decode_video(clip, decoder, Debouncer(sightings=2), every_nth=3) == [_token()]
    # Without the debouncer's memory the same clip would act on the code in every frame.
    assert decode_video(clip, decoder, Debouncer(repeat_s=0.0)).count(_token()) >= 20


def test_decode_video_refuses_a_missing_file_and_a_bad_step(tmp_path: Path) -> None:
    with pytest.raises(CameraUnavailable):
        decode_video(tmp_path / "missing.avi", ZxingDecoder(), Debouncer())
    with pytest.raises(ValueError):
        decode_video(tmp_path / "missing.avi", ZxingDecoder(), Debouncer(), every_nth=0)


def test_combined_decoder_can_run_its_fallback_on_every_nth_empty_frame() -> None:
    class Counting:
        name = "counting"

        def __init__(self, texts: list[str]) -> None:
            self.calls = 0
            self.texts = texts

        def decode(self, frame: Frame) -> list[str]:
            self.calls += 1
            return list(self.texts)

    primary, fallback = Counting([]), Counting(["PH1:X"])
    combined = CombinedDecoder(primary, fallback, fallback_every=5)
    blank = np.zeros((10, 10), np.uint8)
    results = [combined.decode(blank) for _ in range(10)]
    assert primary.calls == 10 and fallback.calls == 2
    assert results.count(["PH1:X"]) == 2
