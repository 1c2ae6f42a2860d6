"""The scan station: camera frames, typed serials and images to a recorded verdict on screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.models import Pass, PassStatus, User, Verdict
from core.pass_document import human_serial, qr_image, qr_png
from core.ports import PassQuery
from core.route import ScanReason
from core.scanning import FakeFrameSource
from core.services import Services
from tests.conftest import FakeClock, demo_user
from ui.camera import CameraWorker, frame_to_image
from ui.pages.station import (
    REASONS,
    VERDICT_COLORS,
    StationPage,
    reason_text,
    write_tones,
)


class Recorder:
    """The sound: remembers the verdicts it was asked to play."""

    def __init__(self) -> None:
        self.played: list[Verdict] = []

    def __call__(self, verdict: Verdict) -> None:
        self.played.append(verdict)


def _passes(services: Services) -> list[Pass]:
    user = demo_user(services, "supervisor")
    return list(services.passes.search(user, PassQuery(limit=5)).rows)


def _frame(token: str) -> np.ndarray:
    """A 1280×720 grey camera frame with the pass's QR code on it."""
    frame = np.full((720, 1280, 3), 128, dtype=np.uint8)
    code = np.asarray(qr_image(token, box_size=4), dtype=np.uint8)
    h, w = code.shape
    top, left = (720 - h) // 2, (1280 - w) // 2
    frame[top : top + h, left : left + w] = code[:, :, None]
    return frame


@pytest.fixture
def sound() -> Recorder:
    return Recorder()


@pytest.fixture
def gate1(demo: Services) -> User:
    return demo_user(demo, "gate1")


@pytest.fixture
def page(qtbot: QtBot, zh_app: QApplication, demo: Services, gate1: User, sound: Recorder) -> Any:
    station = StationPage(demo, gate1, sound=sound)
    qtbot.addWidget(station)
    return station


def _events(services: Services, page: StationPage) -> int:
    return len(services.store.scans.recent_at(page.point.id, 100))


def test_station_is_the_operators_gate(page: StationPage) -> None:
    assert page.point.code == "G01"
    assert page.point_combo is None
    assert "G01" in page.point_label.text()
    assert page.current_verdict is None
    assert page.panel_color == VERDICT_COLORS[None][0]


def test_every_reason_has_a_text(zh_app: QApplication) -> None:
    assert set(REASONS) == set(ScanReason)
    assert all(reason_text(reason) for reason in ScanReason)


def test_camera_frames_give_a_green_once(
    qtbot: QtBot, zh_app: QApplication, demo: Services, gate1: User, sound: Recorder
) -> None:
    issued = _passes(demo)[0]
    frames = [_frame(issued.token)]
    station = StationPage(
        demo, gate1, sound=sound, camera_factory=lambda: FakeFrameSource(frames, loop=True)
    )
    qtbot.addWidget(station)
    before = _events(demo, station)
    with qtbot.waitSignal(station.scan_recorded, timeout=10000) as blocker:
        station.show()
    result = blocker.args[0]
    assert result.verdict is Verdict.GREEN
    assert station.current_verdict is Verdict.GREEN
    assert station.panel_color == "#2e7d32"
    assert station.plate_label.text() == issued.plate
    assert _events(demo, station) == before + 1
    assert sound.played == [Verdict.GREEN]
    assert demo.store.passes.get(issued.serial).status is PassStatus.ENTERED
    # The recent list is refreshed just after the verdict is painted.
    qtbot.waitUntil(lambda: station.recent.rowCount() == before + 1, timeout=5000)
    # The preview shows frames; the debouncer keeps the truck in view from being rescanned.
    qtbot.waitUntil(
        lambda: station.preview.pixmap() is not None and not station.preview.pixmap().isNull()
    )
    assert station.banner.isHidden()
    worker = station.worker
    assert worker is not None
    station.close()
    assert not worker.isRunning()
    assert sound.played == [Verdict.GREEN]


def test_same_token_within_10_s_repeats_the_verdict_without_a_new_event(
    page: StationPage, demo: Services, sound: Recorder
) -> None:
    issued = _passes(demo)[0]
    first = page.scan_text(issued.token)
    count = _events(demo, page)
    second = page.scan_text(issued.token)
    assert first is not None and second is not None
    assert first.verdict is second.verdict is Verdict.GREEN
    assert second.recorded is False
    assert _events(demo, page) == count
    assert page.current_verdict is Verdict.GREEN
    assert sound.played == [Verdict.GREEN, Verdict.GREEN]


def test_typed_grouped_serial_works(page: StationPage, demo: Services, qtbot: QtBot) -> None:
    issued = _passes(demo)[1]
    page.entry.setText(human_serial(issued.serial).lower())
    with qtbot.waitSignal(page.scan_recorded):
        page.entry.returnPressed.emit()
    assert page.current_verdict is Verdict.GREEN
    assert page.last_result is not None and page.last_result.serial == issued.serial
    assert page.entry.text() == ""


def test_typed_token_is_scanned(page: StationPage, demo: Services) -> None:
    issued = _passes(demo)[2]
    page.entry.setText(issued.token)
    page.submit_entry()
    assert page.current_verdict is Verdict.GREEN


def test_garbage_is_red_and_recorded(page: StationPage, demo: Services, sound: Recorder) -> None:
    before = _events(demo, page)
    page.entry.setText("hello world")
    page.submit_entry()
    assert page.current_verdict is Verdict.RED
    assert page.panel_color == "#c62828"
    assert page.last_result is not None
    assert page.last_result.reason is ScanReason.NOT_A_PASS
    assert _events(demo, page) == before + 1
    assert sound.played == [Verdict.RED]
    assert not page.differ_button.isEnabled()


def test_pass_entered_elsewhere_is_red_at_this_gate(
    page: StationPage, demo: Services, clock: FakeClock
) -> None:
    issued = _passes(demo)[0]
    supervisor = demo_user(demo, "supervisor")
    g02 = demo.scans.station_checkpoint(supervisor, "G02")
    assert demo.scans.scan(supervisor, g02, issued.token).verdict is Verdict.GREEN
    assert demo.store.passes.get(issued.serial).status is PassStatus.ENTERED
    clock.advance(minutes=30)
    result = page.scan_text(issued.token)
    assert result is not None
    assert result.verdict is Verdict.RED
    assert page.current_verdict is Verdict.RED
    assert result.reason in (ScanReason.OUT_OF_ORDER, ScanReason.WRONG_CHECKPOINT)
    assert "G02" not in page.route_label.text()  # the route names kinds, not gate codes
    assert "✓" in page.route_label.text()


def test_plate_differs_records_a_red_mismatch(
    page: StationPage, demo: Services, qtbot: QtBot, sound: Recorder
) -> None:
    issued = _passes(demo)[0]
    page.scan_text(issued.token)
    assert page.differ_button.isEnabled()
    before = _events(demo, page)
    with qtbot.waitSignal(page.scan_recorded):
        page.differ_button.click()
    assert page.current_verdict is Verdict.RED
    assert page.last_result is not None
    assert page.last_result.reason is ScanReason.PLATE_MISMATCH
    assert _events(demo, page) == before + 1
    # The truck did not pass: the GREEN's advance is undone.
    assert demo.store.passes.get(issued.serial).status is PassStatus.ISSUED
    assert sound.played == [Verdict.GREEN, Verdict.RED]
    assert not page.differ_button.isEnabled()


def test_plate_matches_clears_the_panel(page: StationPage, demo: Services) -> None:
    page.scan_text(_passes(demo)[0].token)
    page.match_button.click()
    assert page.current_verdict is None


def test_panel_clears_itself(page: StationPage, demo: Services, qtbot: QtBot) -> None:
    page.clear_after_ms = 100
    page.scan_text(_passes(demo)[0].token)
    assert page.current_verdict is Verdict.GREEN
    qtbot.waitUntil(lambda: page.current_verdict is None, timeout=3000)
    assert page.panel_color == VERDICT_COLORS[None][0]


def test_busy_database_shows_a_neutral_message(
    page: StationPage, demo: Services, sound: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.errors import StorageBusy

    def busy(*_args: object, **_kwargs: object) -> None:
        raise StorageBusy("locked")

    monkeypatch.setattr(demo.scans, "scan", busy)
    assert page.scan_text("PH1:whatever") is None
    assert page.current_verdict is None
    assert page.reason_label.text()
    assert sound.played == []


def test_open_image_scans_its_code(
    qtbot: QtBot, zh_app: QApplication, demo: Services, gate1: User, tmp_path: Path
) -> None:
    issued = _passes(demo)[3]
    image = tmp_path / "pass.png"
    image.write_bytes(qr_png(issued.token))
    station = StationPage(demo, gate1, sound=Recorder(), ask_file=lambda *_: str(image))
    qtbot.addWidget(station)
    station.open_button.click()
    assert station.current_verdict is Verdict.GREEN
    assert station.last_result is not None and station.last_result.serial == issued.serial


def test_supervisor_chooses_the_stand_in_point(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    supervisor = demo_user(demo, "supervisor")
    station = StationPage(demo, supervisor, sound=Recorder())
    qtbot.addWidget(station)
    assert station.point_combo is not None
    station.point_combo.setCurrentIndex(station.point_combo.findData("G03"))
    assert station.point.code == "G03"
    assert station.scan_text(_passes(demo)[0].token).verdict is Verdict.GREEN  # type: ignore[union-attr]


def test_camera_failure_shows_the_banner_and_typing_still_works(
    qtbot: QtBot, zh_app: QApplication, demo: Services, gate1: User
) -> None:
    blank = [np.full((720, 1280, 3), 128, dtype=np.uint8)]
    source = FakeFrameSource(blank, loop=True, fail_after=3)
    station = StationPage(demo, gate1, sound=Recorder(), camera_factory=lambda: source)
    qtbot.addWidget(station)
    station.show()
    qtbot.waitUntil(station.banner.isVisible, timeout=5000)
    station.entry.setText(human_serial(_passes(demo)[0].serial))
    station.submit_entry()
    assert station.current_verdict is Verdict.GREEN
    worker = station.worker
    assert worker is not None
    station.close()
    assert not worker.isRunning()


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (np.full((720, 1280, 3), (200, 100, 50), dtype=np.uint8), (50, 100, 200)),  # BGR
        (np.full((720, 1280, 4), (200, 100, 50, 0), dtype=np.uint8), (50, 100, 200)),  # BGRA
        (np.full((720, 1280), 90, dtype=np.uint8), (90, 90, 90)),  # grey
        (np.full((720, 1280, 1), 90, dtype=np.uint8), (90, 90, 90)),  # grey, one channel
        (np.full((120, 160, 3), (0, 0, 255), dtype=np.uint8), (255, 0, 0)),  # small: kept
    ],
)
def test_preview_image_is_scaled_rgb_and_owns_its_pixels(
    zh_app: QApplication, frame: np.ndarray, expected: tuple[int, int, int]
) -> None:
    image = frame_to_image(frame, 640)
    height, width = frame.shape[:2]
    assert (image.width(), image.height()) == ((640, 360) if width > 640 else (width, height))
    assert image.format() is QImage.Format.Format_RGB32
    frame[:] = 0  # the worker's next frame may reuse the buffer
    color = QColor(image.pixel(5, 5))
    assert (color.red(), color.green(), color.blue()) == expected


def test_preview_carries_the_guide_box(zh_app: QApplication) -> None:
    image = frame_to_image(np.full((720, 1280, 3), 110, dtype=np.uint8), 640)
    side = int(360 * 0.7)
    top, left = (360 - side) // 2, (640 - side) // 2

    def rgb(x: int, y: int) -> tuple[int, int, int]:
        color = QColor(image.pixel(x, y))
        return (color.red(), color.green(), color.blue())

    yellow = (0xFF, 0xEB, 0x3B)
    assert rgb(left, top) == yellow  # dashes start at the top corners
    assert rgb(left + side - 1, top + 2) == yellow
    assert rgb(left + 2, top + side - 1) == yellow
    assert rgb(320, 180) == (110, 110, 110)  # the middle is the camera's picture


@pytest.fixture
def worker_cleanup() -> Iterator[list[CameraWorker]]:
    workers: list[CameraWorker] = []
    yield workers
    for worker in workers:
        worker.stop()


class FlakyCamera:
    """A camera that stops after 3 frames the first time and works once reopened."""

    is_live = True

    def __init__(self) -> None:
        self.open_count = 0
        self.is_open = False
        self.failed = False
        self._delivered = 0

    def open(self) -> None:
        self.open_count += 1
        self.is_open = True
        self.failed = False

    def read(self) -> np.ndarray | None:
        if self.open_count == 1 and self._delivered >= 3:
            self.failed = True
            return None
        self._delivered += 1
        return np.full((120, 160), 90, dtype=np.uint8)

    def close(self) -> None:
        self.is_open = False


def test_worker_reconnects_after_an_unplug(
    qtbot: QtBot, worker_cleanup: list[CameraWorker]
) -> None:
    source = FlakyCamera()
    worker = CameraWorker(lambda: source, retry_ms=50)
    worker_cleanup.append(worker)
    with qtbot.waitSignal(worker.camera_failed, timeout=5000):
        worker.start()
    with qtbot.waitSignal(worker.camera_recovered, timeout=5000):
        pass
    assert source.open_count == 2
    with qtbot.waitSignal(worker.frame_ready, timeout=5000):
        pass
    worker.stop()
    assert not worker.isRunning()
    assert not source.is_open


def test_worker_stops_quickly_while_waiting_to_retry(
    qtbot: QtBot, worker_cleanup: list[CameraWorker]
) -> None:
    from core.scanning import CameraUnavailable

    class Unplugged(FakeFrameSource):
        def open(self) -> None:
            raise CameraUnavailable("camera 0")

    worker = CameraWorker(lambda: Unplugged([]), retry_ms=60_000)
    worker_cleanup.append(worker)
    with qtbot.waitSignal(worker.camera_failed, timeout=5000):
        worker.start()
    worker.stop()
    assert not worker.isRunning()


def test_tones_are_written_per_verdict(tmp_path: Path) -> None:
    paths = write_tones(tmp_path)
    assert set(paths) == set(Verdict)
    sizes = {verdict: path.stat().st_size for verdict, path in paths.items()}
    assert len(set(sizes.values())) == 3  # different patterns, different lengths
