"""The station's supervisor override and its camera source picker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QPushButton,
)
from pytestqt.qtbot import QtBot

import ui.i18n
from core.models import Pass, PassStatus, Verdict
from core.ports import PassQuery
from core.route import OverrideReason, ScanReason
from core.scanning import FakeFrameSource, VideoCaptureSource
from core.services import Services
from tests.conftest import FakeClock, demo_user
from ui.form_dialog import FormDialog
from ui.pages.station import (
    CAMERA_SETTING,
    StationPage,
    default_camera_factory,
    parse_camera_spec,
    reason_text,
)


class Recorder:
    def __init__(self) -> None:
        self.played: list[Verdict] = []

    def __call__(self, verdict: Verdict) -> None:
        self.played.append(verdict)


@pytest.fixture
def ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Machine-local settings in a temporary file, never the user's real ones."""
    path = tmp_path / "s.ini"
    monkeypatch.setattr(
        ui.i18n, "settings", lambda: QSettings(str(path), QSettings.Format.IniFormat)
    )
    return path


def _stored(ini: Path) -> Any:
    return QSettings(str(ini), QSettings.Format.IniFormat).value(CAMERA_SETTING)


def _pass(services: Services) -> Pass:
    user = demo_user(services, "supervisor")
    return services.passes.search(user, PassQuery(limit=1)).rows[0]


def _station(qtbot: QtBot, services: Services, username: str, **kwargs: Any) -> StationPage:
    station = StationPage(services, demo_user(services, username), sound=Recorder(), **kwargs)
    qtbot.addWidget(station)
    return station


def _save(dialog: FormDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    button.click()


def _choose(combo: QComboBox, value: object) -> None:
    index = next(i for i in range(combo.count()) if combo.itemData(i) == value)
    combo.setCurrentIndex(index)


def _already_scanned(station: StationPage, issued: Pass, clock: FakeClock) -> None:
    """A RED ALREADY_SCANNED at the gate: scanned, then scanned again 20 minutes later."""
    first = station.scan_text(issued.token)
    assert first is not None and first.verdict is Verdict.GREEN
    clock.advance(minutes=20)
    again = station.scan_text(issued.token)
    assert again is not None
    assert (again.verdict, again.reason) == (Verdict.RED, ScanReason.ALREADY_SCANNED)


# -- override -------------------------------------------------------------------------------


def test_override_button_shows_for_a_supervisor_on_red(
    qtbot: QtBot, zh_app: QApplication, demo: Services, clock: FakeClock
) -> None:
    station = _station(qtbot, demo, "supervisor")
    assert station.override_button.isHidden()
    _already_scanned(station, _pass(demo), clock)
    assert station.current_verdict is Verdict.RED
    assert not station.override_button.isHidden()
    assert station.override_button.isEnabled()


def test_operator_never_sees_the_override_button(
    qtbot: QtBot, zh_app: QApplication, demo: Services, clock: FakeClock
) -> None:
    station = _station(qtbot, demo, "gate1")
    _already_scanned(station, _pass(demo), clock)
    assert station.current_verdict is Verdict.RED
    assert station.override_button.isHidden()
    assert not station.override_button.isEnabled()
    station.open_override()  # even called directly, nothing opens
    assert station.override_form is None


def test_no_override_button_on_a_revoked_pass(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    issued = _pass(demo)
    station = _station(qtbot, demo, "supervisor")
    demo.passes.revoke(station.user, issued.serial, "行程取消")
    result = station.scan_text(issued.token)
    assert result is not None and result.reason is ScanReason.REVOKED
    assert station.override_button.isHidden()


def test_overriding_from_the_dialog_records_green(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    issued = _pass(demo)
    station = _station(qtbot, demo, "supervisor")
    assert station.point_combo is not None
    _choose(station.point_combo, "E0002")
    red = station.scan_text(issued.token)
    assert red is not None and red.reason is ScanReason.WRONG_CHECKPOINT
    qtbot.mouseClick(station.override_button, Qt.MouseButton.LeftButton)
    dialog = station.override_form
    assert dialog is not None and dialog.isVisible()
    reason = dialog.findChild(QComboBox, "field_reason_code")
    assert reason is not None
    _choose(reason, OverrideReason.OTHER)
    _save(dialog)  # OTHER needs a note: the dialog stays open and says so
    assert dialog.error_text("note")
    assert station.current_verdict is Verdict.RED
    _choose(reason, OverrideReason.ROUTE_CHANGED_BY_ORDER)
    note = dialog.findChild(QLineEdit, "field_note")
    assert note is not None
    note.setText("调度令 2026-118")
    _save(dialog)
    assert station.current_verdict is Verdict.GREEN
    assert station.last_result is not None
    assert station.last_result.override is OverrideReason.ROUTE_CHANGED_BY_ORDER
    assert station.override_button.isHidden()
    last = demo.store.scans.last_of(issued.serial)
    assert last is not None
    assert (last.verdict, last.reason) == (Verdict.GREEN, "OVERRIDE:ROUTE_CHANGED_BY_ORDER")
    assert demo.store.passes.get(issued.serial).status is PassStatus.ISSUED
    qtbot.waitUntil(
        lambda: (
            (item := station.recent.item(0, 3)) is not None
            and item.text() == reason_text(last.reason)
        ),
        timeout=5000,
    )
    assert station.sound.played[-1] is Verdict.GREEN


# -- camera source ----------------------------------------------------------------------------


class Builder:
    """Builds fake sources and remembers which specs it was asked for."""

    def __init__(self) -> None:
        self.specs: list[int | str] = []

    def __call__(self, spec: int | str) -> Callable[[], FakeFrameSource]:
        self.specs.append(spec)
        frames = [np.full((72, 128, 3), 128, dtype=np.uint8)]
        return lambda: FakeFrameSource(frames, loop=True)


def test_default_camera_is_device_0_at_1280x720(ini: Path) -> None:
    source = default_camera_factory()
    assert isinstance(source, VideoCaptureSource)
    assert (source.spec, source.width, source.height) == (0, 1280, 720)


def test_default_camera_reads_the_saved_source(ini: Path) -> None:
    QSettings(str(ini), QSettings.Format.IniFormat).setValue(CAMERA_SETTING, "3")
    assert default_camera_factory().spec == 3
    url = "rtsp://10.0.0.5:554/lane1"
    QSettings(str(ini), QSettings.Format.IniFormat).setValue(CAMERA_SETTING, url)
    source = default_camera_factory()
    assert (source.spec, source.is_live) == (url, True)


@pytest.mark.parametrize(
    ("stored", "spec"), [(None, 0), ("", 0), ("7", 7), ("/v/3.mp4", "/v/3.mp4"), ("٣", "٣")]
)
def test_parse_camera_spec(stored: object, spec: int | str) -> None:
    assert parse_camera_spec(stored) == spec


def test_choosing_a_video_file_stores_it_and_restarts_the_worker(
    qtbot: QtBot, zh_app: QApplication, demo: Services, ini: Path, tmp_path: Path
) -> None:
    video = tmp_path / "lane.mp4"
    video.write_bytes(b"\x00" * 16)
    builder = Builder()
    station = _station(
        qtbot,
        demo,
        "gate1",
        camera_factory=builder(0),
        source_factory_for=builder,
        ask_file=lambda *_args: str(video),
    )
    station.show()
    first = station.worker
    assert first is not None
    qtbot.waitUntil(first.isRunning)
    qtbot.mouseClick(station.camera_button, Qt.MouseButton.LeftButton)
    dialog = station.camera_form
    assert dialog is not None
    browse = dialog.findChild(QPushButton, "field_browse")
    assert browse is not None
    browse.click()
    _save(dialog)
    assert station.camera_form is None
    assert _stored(ini) == str(video.resolve())
    assert builder.specs == [0, str(video.resolve())]
    assert not first.isRunning()
    second = station.worker
    assert second is not None and second is not first
    qtbot.waitUntil(second.isRunning)
    station.close()
    assert not second.isRunning()


def test_a_bad_stream_url_is_refused_and_a_good_one_kept(
    qtbot: QtBot, zh_app: QApplication, demo: Services, ini: Path
) -> None:
    builder = Builder()
    station = _station(qtbot, demo, "gate1", source_factory_for=builder)
    station.choose_camera()
    dialog = station.camera_form
    assert dialog is not None
    kind = dialog.findChild(QComboBox, "field_kind")
    assert kind is not None
    _choose(kind, "url")
    url = dialog.findChild(QLineEdit, "field_url")
    assert url is not None
    url.setText("ftp://camera/1")
    _save(dialog)
    assert dialog.error_text("url")
    assert _stored(ini) is None
    url.setText("rtsp://192.168.1.20:554/stream1")
    _save(dialog)
    assert _stored(ini) == "rtsp://192.168.1.20:554/stream1"
    # The page is hidden: the worker starts with the new source when it is shown.
    assert builder.specs == ["rtsp://192.168.1.20:554/stream1"]
    assert station.worker is None


def test_choosing_a_device_index(
    qtbot: QtBot, zh_app: QApplication, demo: Services, ini: Path
) -> None:
    builder = Builder()
    station = _station(qtbot, demo, "gate1", source_factory_for=builder)
    station.choose_camera()
    dialog = station.camera_form
    assert dialog is not None
    device = dialog.findChild(QComboBox, "field_device")
    assert device is not None
    assert device.count() == 10
    _choose(device, 2)
    _save(dialog)
    assert builder.specs == [2]
    assert _stored(ini) == "2"
    assert default_camera_factory().spec == 2


def test_the_station_camera_opens_on_the_worker_thread_without_touching_the_database(
    ini: Path, demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is read on the GUI thread; the worker thread only opens the source (an
    SQLite connection used from another thread raises, and the lane said "no camera")."""
    import threading

    from ui.pages import station

    monkeypatch.setattr(station, "this_station_id", lambda create=False: "lane-1")
    monkeypatch.setattr(
        demo.settings,
        "station",
        lambda station_id: type("Row", (), {"camera": "5"})(),
    )
    factory = station.station_camera_factory(demo)
    monkeypatch.setattr(
        demo.settings, "station", lambda station_id: pytest.fail("read on the worker thread")
    )
    opened: list[object] = []
    failures: list[BaseException] = []

    def open_camera() -> None:
        try:
            opened.append(factory())
        except BaseException as error:
            failures.append(error)

    worker = threading.Thread(target=open_camera)
    worker.start()
    worker.join(10)
    assert not failures
    assert isinstance(opened[0], VideoCaptureSource) and opened[0].spec == 5
