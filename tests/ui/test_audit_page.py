"""The audit log screen: filters, verification in a worker thread with a progress bar and a
green or red result, export with the signed head, and its place in the main window."""

from __future__ import annotations

import csv
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

import core.audit
from core.audit import ChainReport
from core.demo import populate
from core.keys import KeyFolder
from core.models import AuditEntry
from core.ports import AuditQuery
from core.services import Services
from core.services.audit import AuditService
from db.store import open_store
from tests.conftest import FAST_HASH, NOW, FakeClock, demo_user
from tests.ui.conftest import assert_event_loop_runs
from ui.main_window import MainWindow, screens_for
from ui.pages.audit import AuditPage, summarize
from ui.workers import running_workers

VERIFY_TIMEOUT_MS = 60_000  # a generous ceiling on a loaded machine, not a timing assertion
EXPORT_TIMEOUT_MS = 60_000


def _page(
    qtbot: QtBot, services: Services, username: str = "supervisor", **kwargs: Any
) -> AuditPage:
    page = AuditPage(services, demo_user(services, username), **kwargs)
    qtbot.addWidget(page)
    return page


@pytest.fixture
def memory_services(clock: FakeClock, tmp_path: Path) -> Iterator[Services]:
    """The demo in an in-memory database (a worker's own connection would see nothing)."""
    store = open_store(":memory:")
    services = Services.build(store, clock, FAST_HASH, KeyFolder(tmp_path / "keys"))
    populate(store, clock(), vehicles=5, params=FAST_HASH, keys=services.passes.keys)
    yield services
    store.close()


def _records(page: AuditPage) -> list[AuditEntry]:
    while page.model.canFetchMore(page.model.index(0, 0).parent()):
        page.model.fetchMore(page.model.index(0, 0).parent())
    return [page.model.record(row) for row in range(page.model.rowCount())]


def _verify(qtbot: QtBot, page: AuditPage) -> ChainReport:
    with qtbot.waitSignal(page.chain_checked, timeout=VERIFY_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.check is None)  # the worker thread has ended
    report = blocker.args[0] if blocker.args else None
    assert isinstance(report, ChainReport)
    return report


def _tamper(services: Services, statement: str) -> None:
    """Drop the trigger in a raw connection (as an attacker with the file would) and edit."""
    path = str(cast(Any, services.store).path)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute(statement)


def test_the_log_shows_newest_first_in_chinese(
    qtbot: QtBot, zh_app: QApplication, demo: Services, qtmodeltester: Any
) -> None:
    page = _page(qtbot, demo)
    assert page.title == "审计日志"
    records = _records(page)
    seqs = [entry.seq for entry in records]
    assert seqs == sorted(seqs, reverse=True)
    assert page.model.total == len(records) == demo.store.audit.count()
    newest = records[0]  # the supervisor's own sign-in
    assert (newest.actor, newest.action) == ("supervisor", "login")
    assert page.model.index(0, 3).data() == "登录成功"
    assert page.model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == "login"
    issued = next(row for row, entry in enumerate(records) if entry.action == "pass.issue")
    assert page.model.index(issued, 3).data() == "签发通行证"
    assert page.model.index(issued, 4).data() == "通行证"
    # Details named in Chinese too (the stored keys stay in the tooltip and the export).
    assert "车牌 浙" in page.model.index(issued, 6).data()
    assert "plate" in page.model.index(issued, 6).data(Qt.ItemDataRole.ToolTipRole)
    scan = summarize({"checkpoint": "G01", "reason": "ALREADY_SCANNED", "stand_in": True})
    assert scan.startswith("点位 G01 · 原因 ") and scan.endswith("(ALREADY_SCANNED) · 代班 true")
    qtmodeltester.check(page.model)


def test_tab_goes_through_the_filters_then_the_check_then_the_list(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = _page(qtbot, demo)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    expected = [
        page.search,
        page.action_filter,
        page.actor_filter,
        page.since_filter,
        page.until_filter,
        page.verify_button,
        page.table,  # the "show entry" button is hidden until a check fails
    ]
    page.search.setFocus()
    reached: list[object] = []
    for _ in range(3 * len(expected)):  # Tab also steps through a date's year, month, day
        focused = page.focusWidget()
        while focused is not None and focused not in expected:
            focused = focused.parentWidget()  # a date edit's inner line edit
        if not reached or reached[-1] is not focused:
            reached.append(focused)
        if len(reached) == len(expected):
            break
        qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Tab)
    assert reached == expected


def test_filters_narrow_the_table(qtbot: QtBot, zh_app: QApplication, demo: Services) -> None:
    page = _page(qtbot, demo)
    everything = page.model.total

    page.action_filter.setCurrentIndex(page.action_filter.findData("pass"))
    passes = _records(page)
    assert 0 < len(passes) < everything
    assert {entry.action.split(".")[0] for entry in passes} == {"pass"}
    page.action_filter.setCurrentIndex(page.action_filter.findData("pass.issue"))
    assert {entry.action for entry in _records(page)} == {"pass.issue"}
    page.action_filter.setCurrentIndex(0)
    assert page.model.total == everything

    page.actor_filter.setText("supervisor")
    page.actor_filter.returnPressed.emit()
    assert {entry.actor for entry in _records(page)} == {"supervisor"}
    page.actor_filter.clear()
    page.actor_filter.returnPressed.emit()

    serial = next(entry.entity_id for entry in _records(page) if entry.action == "pass.issue")
    page.search.setText(serial)
    page.search.returnPressed.emit()
    assert {entry.entity_id for entry in _records(page)} == {serial}
    page.search.clear()
    page.search.returnPressed.emit()
    assert page.model.total == everything

    # The default range is the last seven days; a range before any entry shows nothing.
    today = QDate(NOW.astimezone().date())
    assert page.until_filter.date() == today
    assert page.since_filter.date() == today.addDays(-6)
    page.since_filter.setDate(today.addDays(-30))
    page.until_filter.setDate(today.addDays(-20))
    assert page.model.total == 0
    # A "from" after "to" moves "to" along instead of showing an empty, inverted range.
    page.since_filter.setDate(today)
    assert page.until_filter.date() == today
    midnight = datetime.combine(NOW.astimezone().date(), time.min).astimezone()
    today_only = AuditQuery(since=midnight, until=midnight + timedelta(days=1, microseconds=-1))
    assert page.model.total == demo.audit.search(page.user, today_only).total


def test_verify_shows_progress_to_the_end_and_the_green_result(
    qtbot: QtBot, zh_app: QApplication, demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = demo.audit.seal()
    assert head is not None
    page = _page(qtbot, demo)
    monkeypatch.setattr(core.audit, "PROGRESS_EVERY", 50)  # several steps on the demo's log
    seen: list[int] = []
    page.progress.valueChanged.connect(seen.append)
    report = _verify(qtbot, page)
    entries = demo.store.audit.count()
    assert (report.ok, report.entries, report.heads_checked) == (True, entries, True)
    assert page.progress.value() == page.progress.maximum() == entries
    assert len(seen) > 2 and seen == sorted(seen)
    tail = entries - head.seq
    assert not page.result.isHidden()
    assert page.result.text() == (
        f"审计链完整：{entries} 条，已签名至第 {head.seq} 条，其后 {tail} 条未签名。"
    )
    assert "#1b5e20" in page.result.styleSheet()
    assert page.verify_button.isEnabled()


def test_a_tampered_database_shows_the_red_message_naming_the_entry(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    demo.audit.seal()
    _tamper(demo, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 42")
    page = _page(qtbot, demo)
    report = _verify(qtbot, page)
    assert (report.ok, report.first_bad, report.problem) == (False, 42, "HASH_MISMATCH")
    lines = page.result.text().splitlines()
    assert lines[0] == "审计链在第 42 条被破坏：该条写入后被改动"
    assert "本机没有日志密钥" not in page.result.text()
    assert "#b71c1c" in page.result.styleSheet()
    assert page.progress.value() == 42  # where it stopped
    # One click lists the entry named, whatever the filters and however old it is.
    page.action_filter.setCurrentIndex(page.action_filter.findData("pass"))
    assert page.show_bad_button.text() == "显示第 42 条"
    qtbot.mouseClick(page.show_bad_button, Qt.MouseButton.LeftButton)
    assert page.search.text() == "#42"
    assert [(entry.seq, entry.actor) for entry in _records(page)] == [(42, "mallory")]
    assert page.selected_record().seq == 42


def test_without_the_log_key_the_result_says_signatures_were_not_checked(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    assert demo.audit.keys is not None and not demo.audit.keys.log_key_path.exists()
    page = _page(qtbot, demo)
    report = _verify(qtbot, page)
    assert report.ok and not report.heads_checked
    assert page.result.text().splitlines() == [
        f"审计链完整：{report.entries} 条，尚无签名。",
        "本机没有日志密钥，签名未核验。",
    ]


def test_a_page_closed_while_verifying_leaves_the_check_to_finish(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = AuditPage(demo, demo_user(demo, "supervisor"))
    page.verify()
    check = page.check
    assert check is not None and check in running_workers().running
    page.close()
    page.deleteLater()  # signed out mid-check: the thread must not die with its page
    qtbot.waitUntil(lambda: check not in running_workers().running, timeout=VERIFY_TIMEOUT_MS)


def test_quitting_stops_a_running_check(
    qtbot: QtBot, zh_app: QApplication, demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core.audit, "PROGRESS_EVERY", 1)  # asks whether to stop at every entry
    page = _page(qtbot, demo)
    page.verify()
    check = page.check
    assert check is not None
    running_workers().stop_all()  # what the application's aboutToQuit runs
    assert check.isFinished()
    qtbot.waitUntil(lambda: page.check is None)
    assert page.verify_button.isEnabled()


def test_export_writes_the_csv_and_shows_the_head_hash(
    qtbot: QtBot, zh_app: QApplication, demo: Services, tmp_path: Path
) -> None:
    target = tmp_path / "审计.csv"
    asked: list[str] = []

    def ask(_parent: object, _title: str, name: str, _filters: str) -> str:
        asked.append(name)
        return str(target)

    window = QMainWindow()
    qtbot.addWidget(window)
    page = AuditPage(demo, demo_user(demo, "supervisor"), ask_save=ask)
    window.setCentralWidget(page)  # the window owns the page: its status bar gets the head
    before = page.model.total
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].startswith("looppass-audit-") and asked[0].endswith(".csv")
    qtbot.waitUntil(lambda: page.exporting is None, timeout=EXPORT_TIMEOUT_MS)
    with target.open(encoding="utf-8-sig", newline="") as file:
        *_rows, last = list(csv.reader(file))
    head = demo.store.audit.heads()[-1]
    assert last[:3] == ["# head", str(head.seq), head.hash]
    assert head.hash in window.statusBar().currentMessage()
    assert head.hash in page.export_note.text()
    assert page.export_note.text().startswith(f"已导出第 1–{head.seq} 条至 审计.csv")
    assert page.model.total == before + 1  # the export is itself an entry, shown at once
    assert page.model.record(0).action == "audit.export"
    assert page.export_button.isEnabled() and page.export_progress.isHidden()


def test_the_export_runs_off_the_gui_thread_with_its_progress_shown(
    qtbot: QtBot,
    zh_app: QApplication,
    demo: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "audit.csv"
    page = _page(qtbot, demo, ask_save=lambda *_args: str(target))
    page.show()
    qtbot.waitExposed(page)
    release, reached = threading.Event(), threading.Event()
    gui_thread = threading.get_ident()
    threads: list[int] = []
    export = AuditService.export

    def held(service: AuditService, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        kwargs["progress"](5)  # as the service reports it: shown while the worker waits
        reached.set()
        assert release.wait(EXPORT_TIMEOUT_MS / 1000)
        return export(service, *args, **kwargs)

    monkeypatch.setattr(AuditService, "export", held)
    try:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(reached.is_set)
        # The worker waits; the window goes on: events processed, the filters work.
        assert_event_loop_runs(qtbot)
        page.action_filter.setCurrentIndex(page.action_filter.findData("pass"))
        assert {entry.action.split(".")[0] for entry in _records(page)} == {"pass"}
        assert threads and threads[0] != gui_thread
        assert not page.export_button.isEnabled()
        assert page.export_progress.isVisible()
        qtbot.waitUntil(lambda: page.export_progress.value() == 5)
        assert page.export_progress.text() == f"5 / {page.export_progress.maximum()} 条"
        assert page.export_note.text() == "正在导出至 audit.csv…"
        page.export()  # one export at a time: asked again meanwhile, nothing happens
        assert len(threads) == 1
    finally:
        release.set()  # never leave the worker waiting, even when an assertion failed
    qtbot.waitUntil(lambda: page.exporting is None, timeout=EXPORT_TIMEOUT_MS)
    head = demo.store.audit.heads()[-1]
    last_line = target.read_text(encoding="utf-8-sig").splitlines()[-1]
    assert last_line.startswith(f"# head,{head.seq},{head.hash}")
    assert head.hash in page.export_note.text()
    assert page.export_button.isEnabled() and page.export_progress.isHidden()


def test_quitting_stops_a_running_export_and_removes_its_unfinished_file(
    qtbot: QtBot,
    zh_app: QApplication,
    demo: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(core.audit, "PROGRESS_EVERY", 1)  # asks whether to stop at every row
    target = tmp_path / "audit.csv"
    page = _page(qtbot, demo, ask_save=lambda *_args: str(target))
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.pages.audit.QMessageBox.warning", lambda _p, _t, text, *_a: shown.append(text)
    )
    go, reached = threading.Event(), threading.Event()
    export = AuditService.export

    def held(service: AuditService, *args: Any, progress: Any, **kwargs: Any) -> Any:
        def first_row_then_wait(count: int) -> None:
            reached.set()
            assert go.wait(EXPORT_TIMEOUT_MS / 1000)
            progress(count)

        return export(service, *args, progress=first_row_then_wait, **kwargs)

    monkeypatch.setattr(AuditService, "export", held)
    page.export()
    worker = page.exporting
    assert worker is not None
    try:
        qtbot.waitUntil(reached.is_set)
        assert target.exists()  # written as far as the first row
        worker.requestInterruption()  # what quitting asks (stop_all), before the next row
    finally:
        go.set()
    running_workers().stop_all()  # what the application's aboutToQuit runs
    assert worker.isFinished()
    assert not target.exists()  # no file without its signed head left behind
    qtbot.waitUntil(lambda: page.exporting is None)
    assert shown == [] and page.export_button.isEnabled()
    assert page.export_note.text() == ""  # not "exporting…" any more


def test_an_export_that_cannot_be_written_says_so(
    qtbot: QtBot,
    zh_app: QApplication,
    demo: Services,
    tmp_path: Path,
    monkeypatch: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page = _page(qtbot, demo, ask_save=lambda *_args: str(tmp_path / "missing" / "a.csv"))
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.pages.audit.QMessageBox.warning", lambda _p, _t, text, *_a: shown.append(text)
    )
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.exporting is None, timeout=EXPORT_TIMEOUT_MS)
    assert len(shown) == 1 and shown[0].startswith("无法写入文件")
    assert "Traceback" not in caplog.text  # an expected failure, logged in one line
    assert page.export_note.text() == ""  # no "exporting…" left behind
    assert page.export_button.isEnabled() and page.export_progress.isHidden()


def test_an_export_in_memory_runs_here_and_says_what_failed(
    qtbot: QtBot, zh_app: QApplication, memory_services: Services, tmp_path: Path, monkeypatch: Any
) -> None:
    target = tmp_path / "audit.csv"
    page = _page(qtbot, memory_services, "admin", ask_save=lambda *_args: str(target))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert page.exporting is None  # another connection would see another, empty database
    head = memory_services.store.audit.heads()[-1]
    assert head.hash in page.export_note.text()
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.pages.audit.QMessageBox.warning", lambda _p, _t, text, *_a: shown.append(text)
    )
    page._ask_save = lambda *_args: str(tmp_path / "missing" / "a.csv")
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert len(shown) == 1 and shown[0].startswith("无法写入文件")
    assert head.hash in page.export_note.text()  # the last export's note stays


def test_supervisors_and_admins_get_the_screen_and_the_window_signs_heads(
    qtbot: QtBot, zh_app: QApplication, demo: Services, caplog: pytest.LogCaptureFixture
) -> None:
    for username, has_it in (("supervisor", True), ("admin", True), ("clerk", False)):
        assert (AuditPage in screens_for(demo_user(demo, username))) is has_it
    window = MainWindow(demo, demo_user(demo, "supervisor"), "looppass.db")
    qtbot.addWidget(window)
    assert window.seal_timer.isActive()
    assert any(isinstance(page, AuditPage) for page in window.pages)

    def broken(*_args: object) -> None:
        raise OSError("disk on fire")

    original = demo.audit.seal_if_due
    demo.audit.seal_if_due = broken  # type: ignore[method-assign]
    window.seal_audit_head()  # logged, never raised
    assert "could not sign the audit head" in caplog.text
    demo.audit.seal_if_due = original  # type: ignore[method-assign]
    assert demo.store.audit.heads() == []
    window.close()  # closing signs the head (nothing signed yet: due at once)
    assert [head.seq for head in demo.store.audit.heads()] == [demo.store.audit.count()]
