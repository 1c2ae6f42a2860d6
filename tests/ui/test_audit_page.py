"""The audit log screen: filters, verification in a worker thread with a progress bar and a
green or red result, export with the signed head, and its place in the main window."""

from __future__ import annotations

import csv
import sqlite3
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
from core.models import AuditEntry
from core.ports import AuditQuery
from core.services import Services
from tests.conftest import NOW, demo_user
from ui.main_window import MainWindow, screens_for
from ui.pages.audit import AuditPage, running_checks

VERIFY_TIMEOUT_MS = 60_000  # a generous ceiling on a loaded machine, not a timing assertion


def _page(
    qtbot: QtBot, services: Services, username: str = "supervisor", **kwargs: Any
) -> AuditPage:
    page = AuditPage(services, demo_user(services, username), **kwargs)
    qtbot.addWidget(page)
    return page


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
    assert "plate 浙" in page.model.index(issued, 6).data()
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
    assert check is not None and check in running_checks().running
    page.close()
    page.deleteLater()  # signed out mid-check: the thread must not die with its page
    qtbot.waitUntil(lambda: check not in running_checks().running, timeout=VERIFY_TIMEOUT_MS)


def test_quitting_stops_a_running_check(
    qtbot: QtBot, zh_app: QApplication, demo: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core.audit, "PROGRESS_EVERY", 1)  # asks whether to stop at every entry
    page = _page(qtbot, demo)
    page.verify()
    check = page.check
    assert check is not None
    running_checks().stop_all()  # what the application's aboutToQuit runs
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
    with target.open(encoding="utf-8-sig", newline="") as file:
        *_rows, last = list(csv.reader(file))
    head = demo.store.audit.heads()[-1]
    assert last[:3] == ["# head", str(head.seq), head.hash]
    assert head.hash in window.statusBar().currentMessage()
    assert head.hash in page.export_note.text()
    assert page.model.total == before + 1  # the export is itself an entry, shown at once
    assert page.model.record(0).action == "audit.export"


def test_an_export_that_cannot_be_written_says_so(
    qtbot: QtBot, zh_app: QApplication, demo: Services, tmp_path: Path, monkeypatch: Any
) -> None:
    page = _page(qtbot, demo, ask_save=lambda *_args: str(tmp_path / "missing" / "a.csv"))
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.pages.audit.QMessageBox.warning", lambda _p, _t, text, *_a: shown.append(text)
    )
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert shown and shown[0].startswith("无法写入文件")


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
