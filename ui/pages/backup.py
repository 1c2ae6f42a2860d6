"""备份与恢复 (administrator): back up now, the kept backups with their time, size, audit entries
and check, a check of one again, and a restore after a confirmation that names the backup's
time. ``BackupRunner`` backs up off the GUI thread; the main window's schedule uses it too.

The slow part of a backup (the copy, ``integrity_check``, the audit chain) runs in a
``QThread`` on connections of its own; auditing it and rotating older backups happen back on
the GUI thread, which owns the store's connection. Checking a kept backup again runs in a
``ui.workers.ServiceWorker`` (its own read-only connection to the file), a busy bar beside
the buttons meanwhile.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError
from core.models import User
from core.services import Services, key_folder_for
from core.services.backup import BackupCheck, BackupInfo, BackupReport
from ui.formatting import count, data_size, date_time
from ui.messages import error_message
from ui.workers import Progress, ServiceWorker, start_worker

log = logging.getLogger("looppass.ui.backup")

Confirm = Callable[[QWidget, str, str], bool]
Restart = Callable[[], None]

CHECK_COLUMN = 3
OK_COLOR = "#1b5e20"
BAD_COLOR = "#c62828"


def ask_confirmation(parent: QWidget, title: str, text: str) -> bool:
    """A warning box with Yes / Cancel (Cancel is the default); True for Yes."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def restart_application() -> None:
    """Start LoopPass again with the same command line, then quit this instance."""
    arguments = sys.argv[1:] if getattr(sys, "frozen", False) else sys.argv
    QProcess.startDetached(sys.executable, arguments)
    QApplication.quit()


def human_size(size: int) -> str:
    """``307200`` → ``300.0 KiB`` (decimals in the user's locale)."""
    return data_size(size)


class BackupWorker(QThread):
    """``BackupService.copy`` (copy and check) off the GUI thread."""

    copied = Signal(object)  # BackupReport
    failed = Signal(object)  # the exception

    def __init__(self, services: Services, actor: User | None, parent: QObject | None = None):
        super().__init__(parent)
        self._services = services
        self._actor = actor

    def run(self) -> None:
        try:
            report = self._services.backup.copy(self._actor)
        except DomainError as error:
            self.failed.emit(error)
            return
        except Exception as error:  # never a traceback for the user; the log has it
            log.exception("backup failed")
            self.failed.emit(error)
            return
        self.copied.emit(report)


class BackupRunner(QObject):
    """One backup at a time: copied off the GUI thread, then audited and rotated on it.

    ``actor`` None is the schedule (audited as "system"). ``backed_up`` carries the recorded
    ``BackupReport`` (also one whose copy failed its check: ``ok`` False, nothing rotated);
    ``backup_failed`` the error when no copy could be made.
    """

    backed_up = Signal(object)
    backup_failed = Signal(object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._worker: BackupWorker | None = None
        self._actor: User | None = None

    @property
    def running(self) -> bool:
        """True while a backup is being made."""
        return self._worker is not None

    def start(self, actor: User | None) -> bool:
        """Start a backup; False if one is already running."""
        if self._worker is not None:
            return False
        worker = BackupWorker(self.services, actor, self)
        worker.copied.connect(self._copied)
        worker.failed.connect(self.backup_failed)
        worker.finished.connect(self._finished)
        self._actor = actor
        self._worker = worker
        worker.start()
        return True

    def wait(self) -> None:
        """Block until a running backup is done (closing the window)."""
        if self._worker is not None:
            self._worker.wait()

    @Slot(object)
    def _copied(self, report: BackupReport) -> None:
        try:
            recorded = self.services.backup.record(self._actor, report)
        except DomainError as error:
            self.backup_failed.emit(error)
            return
        self.backed_up.emit(recorded)

    @Slot()
    def _finished(self) -> None:
        if self._worker is not None:
            self._worker.deleteLater()
            self._worker = None


class BackupPage(QWidget):
    """The backups of this database; see the module docstring.

    ``confirm(parent, title, text)`` asks before a restore; ``restart()`` restarts LoopPass
    after it (both replaced in tests).
    """

    restored = Signal(object)  # the RestoreReport

    def __init__(
        self,
        services: Services,
        user: User,
        parent: QWidget | None = None,
        runner: BackupRunner | None = None,
        confirm: Confirm = ask_confirmation,
        restart: Restart = restart_application,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.title = self.tr("Backup and restore")
        self.runner = runner if runner is not None else BackupRunner(services, self)
        self._confirm = confirm
        self._restart = restart
        self.backups: list[BackupInfo] = []
        self._checks: dict[Path, BackupCheck] = {}
        self.checking: ServiceWorker | None = None  # a "check again" running
        self._checking = Path()  # the backup it checks
        self.setObjectName("backupPage")

        self.status = QLabel()
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        for note in self._notes():
            layout.addWidget(note)
        layout.addLayout(self._buttons())
        layout.addWidget(self._table(), 1)
        layout.addWidget(self.status)

        self.runner.backed_up.connect(self._backed_up)
        self.runner.backup_failed.connect(self._backup_failed)
        self.refresh()

    def _notes(self) -> list[QLabel]:
        storage = self.services.backup.storage()
        folder = QLabel(
            self.tr(
                "Each backup is checked (database integrity and audit chain) before it is kept;"
                " only then are the oldest removed. Folder: {folder}"
            ).format(folder=storage.folder)
        )
        keys = QLabel(
            self.tr(
                "Backups do not contain the private issuing keys. Back up the key folder"
                " {keys} separately and keep it safe."
            ).format(keys=key_folder_for(storage.database))
        )
        keys.setObjectName("backupKeysNote")
        for label in (folder, keys):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return [folder, keys]

    def _buttons(self) -> QHBoxLayout:
        self.backup_button = QPushButton(self.tr("Back up now"))
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.backup_now)
        self.check_button = QPushButton(self.tr("Check again"))
        self.check_button.setObjectName("checkBackup")
        self.check_button.clicked.connect(self.check_selected)
        self.restore_button = QPushButton(self.tr("Restore…"))
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(self.restore_selected)
        self.check_progress = QProgressBar()  # busy: the check reports no progress
        self.check_progress.setObjectName("checkProgress")
        self.check_progress.setRange(0, 0)
        self.check_progress.setTextVisible(False)
        self.check_progress.setMaximumWidth(160)
        self.check_progress.setVisible(False)
        buttons = QHBoxLayout()
        for button in (self.backup_button, self.check_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addWidget(self.check_progress)
        buttons.addStretch(1)
        return buttons

    def _table(self) -> QTableWidget:
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("backupList")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Taken at"), self.tr("Size"), self.tr("Audit entries"), self.tr("Check")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(CHECK_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CHECK_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        return self.table

    # -- the list ---------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the kept backups, newest first."""
        try:
            self.backups = self.services.backup.kept(self.user)
        except (DomainError, OSError) as error:
            self.backups = []
            self._say(error_message(error), BAD_COLOR)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            entries = "" if info.entries is None else count(info.entries)
            check = self._checks.get(info.path, info.check)
            cells = [
                date_time(info.taken_at, seconds=True),
                human_size(info.size),
                entries,
                self.check_text(check),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == CHECK_COLUMN and check is not None and not check.ok:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, column, item)
        if self.backups and not self.table.selectedItems():
            self.table.selectRow(0)
        self._update_buttons()

    def check_text(self, check: BackupCheck | None) -> str:
        """What the Check column says."""
        if check is None:
            return self.tr("Passed when made")
        if check.ok:
            return self.tr("Passed")
        return self.tr("Failed: {problem}").format(problem=check.problem or "")

    def selected(self) -> BackupInfo | None:
        """The backup of the selected row."""
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self.backups[min(rows)] if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.check_button.setEnabled(chosen and self.checking is None)
        self.restore_button.setEnabled(chosen and not self.runner.running)
        self.backup_button.setEnabled(not self.runner.running)

    def _say(self, text: str, color: str = "") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {color}; font-weight: 600;" if color else "")

    # -- backing up -------------------------------------------------------------------

    @Slot()
    def backup_now(self) -> None:
        """Start a backup (off the GUI thread)."""
        if not self.runner.start(self.user):
            self._say(self.tr("A backup is already running."))
            return
        self._say(self.tr("Backing up…"))
        self._update_buttons()

    @Slot(object)
    def _backed_up(self, report: BackupReport) -> None:
        if report.ok and report.path is not None:
            self._say(
                self.tr("Backup saved: {name} ({size}, {entries} audit entries).").format(
                    name=report.path.name,
                    size=human_size(report.size),
                    entries=count(report.entries),
                ),
                OK_COLOR,
            )
        else:
            self._say(
                self.tr(
                    "The copy failed its check ({problem}): it was not kept, and no older"
                    " backup was removed. The database may be damaged."
                ).format(problem=report.problem or ""),
                BAD_COLOR,
            )
        self.refresh()

    @Slot(object)
    def _backup_failed(self, error: Exception) -> None:
        self._say(error_message(error), BAD_COLOR)
        self._update_buttons()

    # -- checking and restoring -------------------------------------------------------

    @Slot()
    def check_selected(self) -> None:
        """Run the integrity check and the audit-chain verification on the selected backup, in
        a worker thread (minutes on a large file): the window stays usable meanwhile."""
        info = self.selected()
        if info is None or self.checking is not None:
            return
        backup, user, path = self.services.backup, self.user, info.path

        def check(_progress: Progress) -> BackupCheck:
            return backup.check(user, path)  # its own read-only connection to the file

        self._checking = path
        self.check_progress.setVisible(True)
        self._say(
            self.tr("Checking the backup taken at {time}…").format(
                time=date_time(info.taken_at, seconds=True)
            )
        )
        self.checking = start_worker(
            check,
            "backup check",
            done=self._checked,
            failed=self._check_failed,
            finished=self._check_finished,
        )
        self._update_buttons()

    @Slot(object)
    def _checked(self, check: BackupCheck) -> None:
        self._checks[self._checking] = check
        self.refresh()
        if check.ok:
            self._say(
                self.tr("The backup passed: {entries} audit entries.").format(
                    entries=count(check.entries)
                ),
                OK_COLOR,
            )
        else:
            self._say(
                self.tr("The backup FAILED its check ({problem}). Do not restore it.").format(
                    problem=check.problem or ""
                ),
                BAD_COLOR,
            )

    @Slot(object)
    def _check_failed(self, error: Exception) -> None:
        self._say(error_message(error), BAD_COLOR)

    @Slot()
    def _check_finished(self) -> None:
        self.checking = None  # the registry waits for the thread and deletes it
        self.check_progress.setVisible(False)
        self._update_buttons()

    @Slot()
    def restore_selected(self) -> None:
        """After a confirmation naming the backup's time: restore it, then restart."""
        info = self.selected()
        if info is None:
            return
        if self.runner.running:
            self._say(self.tr("Wait until the running backup has finished."))
            return
        when = date_time(info.taken_at, seconds=True)
        question = self.tr(
            "Restore the backup taken at {time}?\n\n"
            "The database is replaced by this backup: whatever was recorded after {time} will"
            " no longer be in it. The current file is kept aside (named …broken-…).\n\n"
            "LoopPass closes and starts again afterwards."
        ).format(time=when)
        if not self._confirm(self, self.tr("Restore backup"), question):
            return
        try:
            report = self.services.backup.restore(self.user, info.path)
        except DomainError as error:
            self._say(error_message(error), BAD_COLOR)
            if self.services.backup.store_closed:
                # The database was closed for the swap: start again on whatever is in place.
                self._restart()
            return
        self._say(self.tr("Restored. LoopPass starts again…"), OK_COLOR)
        self.restored.emit(report)
        self._restart()


class BackupDialog(QDialog):
    """The backup page in a window of its own (menu 管理 → 备份与恢复…)."""

    def __init__(
        self,
        services: Services,
        user: User,
        parent: QWidget | None = None,
        runner: BackupRunner | None = None,
        confirm: Confirm = ask_confirmation,
        restart: Restart = restart_application,
    ) -> None:
        super().__init__(parent)
        self.page = BackupPage(services, user, self, runner, confirm, restart)
        self.setWindowTitle(self.page.title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addWidget(buttons)
        self.resize(760, 460)
