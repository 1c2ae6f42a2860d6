"""Disk full during scans, as the lane sees it (SECURITY.md fault 21; issue 6, part 4).

The main window shows a red banner; the station shows no verdict for the scan that could not
be recorded (no colour, no sound) but says "未记录"; once space is back the banner goes and the
same pass scans GREEN.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.models import Pass, Verdict
from core.services import Services
from db.store import SqliteStore
from tests.conftest import demo_user
from tests.db.test_storage_faults import all_passes, fill_up, make_room
from ui.main_window import MainWindow
from ui.pages.review import ReviewQueuePage
from ui.pages.station import VERDICT_COLORS, StationPage

ALERT = "磁盘已满：数据未保存。请释放磁盘空间后重试。"


class Recorder:
    def __init__(self) -> None:
        self.played: list[Verdict] = []

    def __call__(self, verdict: Verdict) -> None:
        self.played.append(verdict)


@pytest.fixture
def window(qtbot: QtBot, zh_app: QApplication, demo: Services) -> MainWindow:
    shown = MainWindow(demo, demo_user(demo, "gate1"), "/data/looppass.db")
    qtbot.addWidget(shown)
    return shown


def station_of(window: MainWindow) -> StationPage:
    return next(page for page in window.pages if isinstance(page, StationPage))


def test_disk_full_shows_the_alert_and_no_verdict_then_recovers(
    window: MainWindow, demo: Services
) -> None:
    store = demo.store
    assert isinstance(store, SqliteStore)
    station = station_of(window)
    sound = Recorder()
    station.sound = sound
    passes: list[Pass] = all_passes(demo)
    assert window.storage_alert.isHidden()

    fill_up(store)
    refused: Pass | None = None
    for issued in passes:
        if station.scan_text(issued.token) is None:
            refused = issued
            break
        assert station.current_verdict is not None
    assert refused is not None, "the database never filled up"

    # The alert, in the main window.
    assert not window.storage_alert.isHidden()
    assert window.storage_alert.text() == ALERT
    # The lane: no verdict, no colour, no tone — and it says the scan was not recorded.
    assert station.current_verdict is None and station.last_result is None
    assert station.panel_color == VERDICT_COLORS[None][0]
    assert "未记录" in station.reason_label.text()
    assert len(sound.played) == passes.index(refused)
    assert store.scans.last_of(refused.serial) is None
    # Still refused at the next attempt (nothing is claimed as recorded).
    assert station.scan_text(refused.token) is None
    assert station.current_verdict is None

    # Space comes back: the next check clears the alert, and the pass scans GREEN.
    make_room(store)
    store.recheck_seconds = 0.0
    window.check_storage()
    assert window.storage_alert.isHidden()
    result = station.scan_text(refused.token)
    assert result is not None and result.recorded and result.verdict is Verdict.GREEN
    assert station.current_verdict is Verdict.GREEN


def test_a_bulk_approval_refused_for_a_full_disk_says_so(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = ReviewQueuePage(demo, demo_user(demo, "reviewer"))
    qtbot.addWidget(page)
    assert page._refusal("STORAGE_FULL") == "磁盘已满：未记录，数据未保存。请释放磁盘空间后重试。"
