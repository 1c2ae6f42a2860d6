"""备份与恢复: back up off the GUI thread, the list, a check again, a restore after a
confirmation naming the backup's time; the main window's menu entry and schedule."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from core.models import User
from core.services import Services
from core.services.backup import BackupCheck, BackupService
from db.store import open_store
from tests.conftest import demo_user
from tests.db.test_backup import corrupt_middle
from tests.ui.conftest import assert_event_loop_runs
from ui.main_window import MainWindow
from ui.pages.backup import BackupPage

CHECK_TIMEOUT_MS = 60_000  # a generous ceiling on a loaded machine, not a timing assertion


class Confirm:
    """The confirmation box: remembers what it was asked, answers ``answer``."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def __call__(self, _parent: Any, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.answer


class Restart:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
def admin(demo: Services) -> User:
    return demo_user(demo, "admin")


def make_page(
    qtbot: QtBot, services: Services, user: User, answer: bool = True
) -> tuple[BackupPage, Confirm, Restart]:
    confirm, restart = Confirm(answer), Restart()
    page = BackupPage(services, user, confirm=confirm, restart=restart)
    qtbot.addWidget(page)
    return page, confirm, restart


def cells(page: BackupPage, row: int) -> list[str]:
    return [page.table.item(row, column).text() for column in range(page.table.columnCount())]


def test_back_up_now_runs_off_the_gui_thread_and_lists_the_backup(
    qtbot: QtBot, zh_app: QApplication, demo: Services, admin: User
) -> None:
    page, _confirm, _restart = make_page(qtbot, demo, admin)
    assert page.table.rowCount() == 0
    note = page.findChild(QLabel, "backupKeysNote")
    assert note is not None and "私钥" in note.text()
    with qtbot.waitSignal(page.runner.backed_up, timeout=60_000) as done:
        page.backup_button.click()
    assert done.args[0].ok
    assert page.table.rowCount() == 1
    taken, size, entries, check = cells(page, 0)
    assert taken.startswith("2026/11/25")  # the zh_CN locale's date
    assert size.endswith("KiB")
    assert int(entries) == done.args[0].entries
    assert check == "创建时已通过"
    assert page.status.text().startswith("备份已保存")
    assert demo.store.audit.entries()[-1].action == "backup.create"


def test_check_again_shows_a_damaged_backup(
    qtbot: QtBot, zh_app: QApplication, demo: Services, admin: User
) -> None:
    report = demo.backup.create(admin)
    assert report.path is not None
    corrupt_middle(report.path)
    page, _confirm, _restart = make_page(qtbot, demo, admin)
    page.table.selectRow(0)
    page.check_button.click()
    qtbot.waitUntil(lambda: page.checking is None, timeout=CHECK_TIMEOUT_MS)
    assert cells(page, 0)[3].startswith("未通过")
    assert "请勿恢复" in page.status.text()
    assert page.check_button.isEnabled() and page.check_progress.isHidden()


def test_check_again_runs_off_the_gui_thread_with_a_busy_bar(
    qtbot: QtBot,
    zh_app: QApplication,
    demo: Services,
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = demo.backup.create(admin)
    assert report.path is not None
    page, _confirm, _restart = make_page(qtbot, demo, admin)
    page.show()
    qtbot.waitExposed(page)
    page.table.selectRow(0)
    release, reached = threading.Event(), threading.Event()
    threads: list[int] = []
    check = BackupService.check

    def held(service: BackupService, actor: User, path: Path) -> BackupCheck:
        threads.append(threading.get_ident())
        reached.set()
        assert release.wait(CHECK_TIMEOUT_MS / 1000)
        return check(service, actor, path)

    monkeypatch.setattr(BackupService, "check", held)
    try:
        page.check_button.click()
        qtbot.waitUntil(reached.is_set)
        # The check waits in its thread; the window goes on processing events.
        assert_event_loop_runs(qtbot)
        assert threads == [threads[0]] and threads[0] != threading.get_ident()
        assert not page.check_button.isEnabled()
        assert page.check_progress.isVisible()
        assert page.status.text().startswith("正在检查")
        page.check_selected()  # one check at a time: asked again meanwhile, nothing happens
        assert len(threads) == 1
    finally:
        release.set()  # never leave the worker waiting, even when an assertion failed
    qtbot.waitUntil(lambda: page.checking is None, timeout=CHECK_TIMEOUT_MS)
    assert cells(page, 0)[3] == "通过"
    assert page.status.text() == f"备份检查通过：{report.entries} 条审计记录。"
    assert page.check_button.isEnabled() and page.check_progress.isHidden()


def test_check_again_that_breaks_says_so_without_a_traceback(
    qtbot: QtBot,
    zh_app: QApplication,
    demo: Services,
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    demo.backup.create(admin)
    page, _confirm, _restart = make_page(qtbot, demo, admin)
    page.table.selectRow(0)

    def broken(*_args: object) -> BackupCheck:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(BackupService, "check", broken)
    page.check_button.click()
    qtbot.waitUntil(lambda: page.checking is None, timeout=CHECK_TIMEOUT_MS)
    assert page.status.text() == "发生意外错误，详情已写入日志。"
    assert "disk on fire" in caplog.text  # the log has the traceback, the user a sentence
    assert cells(page, 0)[3] == "创建时已通过"  # no result: the column says what it said
    assert page.check_button.isEnabled() and page.check_progress.isHidden()


def test_restore_names_the_backup_time_then_restores_and_restarts(
    qtbot: QtBot, zh_app: QApplication, demo: Services, admin: User, db_path: Path
) -> None:
    report = demo.backup.create(admin)
    assert report.path is not None
    page, confirm, restart = make_page(qtbot, demo, admin)
    page.table.selectRow(0)
    with qtbot.waitSignal(page.restored):
        page.restore_button.click()
    ((title, text),) = confirm.asked
    assert title == "恢复备份"
    local = demo.backup.clock().astimezone()
    taken = f"{local.year}/{local.month}/{local.day} {local:%H:%M:%S}"  # the zh_CN locale's
    assert taken in text and "重新启动" in text
    assert restart.calls == 1
    store = open_store(db_path)
    try:
        assert store.audit.entries()[-1].action == "backup.restore"
    finally:
        store.close()


def test_restore_cancelled_changes_nothing(
    qtbot: QtBot, zh_app: QApplication, demo: Services, admin: User
) -> None:
    demo.backup.create(admin)
    page, confirm, restart = make_page(qtbot, demo, admin, answer=False)
    page.table.selectRow(0)
    page.restore_button.click()
    assert len(confirm.asked) == 1 and restart.calls == 0
    assert demo.store.audit.entries()[-1].action == "backup.create"  # store still open


def test_restore_of_a_corrupt_backup_says_so_and_keeps_running(
    qtbot: QtBot, zh_app: QApplication, demo: Services, admin: User
) -> None:
    report = demo.backup.create(admin)
    assert report.path is not None
    corrupt_middle(report.path)
    page, _confirm, restart = make_page(qtbot, demo, admin)
    page.table.selectRow(0)
    page.restore_button.click()
    assert restart.calls == 0
    assert page.status.text() == "备份未通过检查（文件损坏或审计链断裂），未做任何更改。"
    demo.accounts.login("admin", "LoopPass-demo")  # the store is still open


def test_the_administration_menu_opens_backup_and_restore(
    qtbot: QtBot, zh_app: QApplication, demo: Services, admin: User
) -> None:
    window = MainWindow(demo, admin, "/data/looppass.db")
    qtbot.addWidget(window)
    action = window.findChild(QAction, "openBackup")
    assert action is not None
    assert action.text() == "备份与恢复(&B)…"
    action.trigger()
    assert window.backup_dialog is not None
    assert window.backup_dialog.windowTitle() == "备份与恢复"
    window.backup_dialog.reject()


def test_no_backup_menu_for_other_roles(qtbot: QtBot, zh_app: QApplication, demo: Services) -> None:
    window = MainWindow(demo, demo_user(demo, "supervisor"), "/data/looppass.db")
    qtbot.addWidget(window)
    assert window.findChild(QAction, "openBackup") is None


def test_the_schedule_backs_up_when_due_whoever_is_signed_in(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    window = MainWindow(demo, demo_user(demo, "gate1"), "/data/looppass.db")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.backup_runner.backed_up, timeout=60_000) as done:
        assert window.run_scheduled_backup()
    assert done.args[0].ok
    last = demo.store.audit.entries()[-1]
    assert (last.action, last.actor) == ("backup.create", "system")
    assert not window.run_scheduled_backup()  # the next one is due in 24 hours
