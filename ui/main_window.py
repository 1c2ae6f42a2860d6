"""The main window: navigation on the left showing only the screens the user's role may open,
the screen on the right, and a status bar with the user, the role and the database path."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError, StorageFull
from core.models import User
from core.permissions import Action, allowed
from core.services import Services
from ui.i18n import LANGUAGES, save_language, saved_language, settings
from ui.messages import error_message, name_of
from ui.pages.anomalies import AnomaliesPage
from ui.pages.applications import ApplicationsPage
from ui.pages.audit import AuditPage
from ui.pages.backup import BackupDialog, BackupRunner
from ui.pages.dashboard import DashboardPage
from ui.pages.fleet import DriversPage, VehiclesPage
from ui.pages.outbox import KeysPage, OutboxPage
from ui.pages.passes import PassesPage
from ui.pages.registry import CheckpointsPage, EnterprisesPage, RiskRegionsPage
from ui.pages.reports import ReportsPage
from ui.pages.review import ReviewQueuePage
from ui.pages.settings import SettingsDialog
from ui.pages.station import StationPage, station_camera_factory
from ui.pages.trace import TracePage
from ui.pages.users import UsersPage

PageFactory = Callable[[Services, User, QWidget | None], QWidget]
log = logging.getLogger("looppass.ui")
# Scheduled backups: the first check a minute after sign-in (not to slow the first scans),
# then every quarter of an hour; a backup is made when the newest is older than the setting.
FIRST_BACKUP_CHECK_MS = 60_000
BACKUP_CHECK_MS = 15 * 60_000
# The audit head is signed when due (audit.head_every entries, or ten quiet minutes): this
# often asks, and once more on closing.
AUDIT_SEAL_MS = 60_000
# While writes are refused (disk full), ask this often whether space is back.
STORAGE_RECHECK_MS = 5_000


def _live_station(services: Services, user: User, parent: QWidget | None) -> QWidget:
    """The scan station with this station's camera (tests build StationPage without one)."""
    return StationPage(services, user, parent, camera_factory=station_camera_factory(services))


LIVE_STATION: PageFactory = _live_station

# (permission needed, page class) in navigation order.
SCREENS: tuple[tuple[Action, PageFactory], ...] = (
    (Action.VIEW_DASHBOARD, DashboardPage),  # first: a supervisor starts on the dashboard
    (Action.VIEW_DASHBOARD, TracePage),
    (Action.VIEW_DASHBOARD, AnomaliesPage),
    (Action.VIEW_DASHBOARD, ReportsPage),
    (Action.FILE_APPLICATION, ApplicationsPage),
    (Action.REVIEW_APPLICATION, ReviewQueuePage),
    (Action.FILE_APPLICATION, PassesPage),
    (Action.REVOKE_PASS, PassesPage),
    (Action.SCAN, LIVE_STATION),
    (Action.MANAGE_FLEET, VehiclesPage),
    (Action.MANAGE_FLEET, DriversPage),
    (Action.VIEW_ENTERPRISES, EnterprisesPage),
    (Action.VIEW_FLEET, VehiclesPage),
    (Action.VIEW_FLEET, DriversPage),
    (Action.VIEW_CHECKPOINTS, CheckpointsPage),
    (Action.VIEW_RISK_REGIONS, RiskRegionsPage),
    (Action.VIEW_USERS, UsersPage),
    (Action.FILE_APPLICATION, OutboxPage),
    (Action.REVIEW_APPLICATION, OutboxPage),
    (Action.REVOKE_PASS, OutboxPage),
    (Action.MANAGE_SETTINGS, KeysPage),
    (Action.VIEW_AUDIT, AuditPage),
)


def screens_for(user: User) -> list[PageFactory]:
    """The page classes ``user`` may open, each once, in navigation order."""
    pages: list[PageFactory] = []
    for action, page in SCREENS:
        if allowed(user, action) and page not in pages:
            pages.append(page)
    return pages


class MainWindow(QMainWindow):
    """One signed-in session."""

    signed_out = Signal()
    storage_fault_changed = Signal(object)  # StorageFull, or None once writes work again

    def __init__(self, services: Services, user: User, db_path: str) -> None:
        super().__init__()
        self.services = services
        self.user = user
        self.was_signed_out = False
        self.settings_dialog: SettingsDialog | None = None
        self.setWindowTitle(self.tr("LoopPass"))  # Chinese: "闭环通行证 LoopPass"
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(180)
        self.stack = QStackedWidget()
        self.pages: list[QWidget] = []
        for factory in screens_for(user):
            page = factory(services, user, None)
            self.pages.append(page)
            self.stack.addWidget(page)
            self.navigation.addItem(getattr(page, "title", ""))
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        for page in self.pages:
            # A page may ask for another screen (the dashboard for the anomaly list, the
            # anomaly list for a vehicle's trace): it names it by ``screen_id``.
            request = getattr(page, "navigate_requested", None)
            if request is not None:
                request.connect(self.open_screen)
        if self.pages:
            self.navigation.setCurrentRow(0)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        if not self.pages:
            row.addWidget(QLabel(self.tr("Your role has no screens here yet.")), 1)
        self.setCentralWidget(self._with_storage_alert(body))
        self._build_menus()
        self._add_backup_menu()
        self._schedule_backups()
        self._schedule_audit_seal()
        self._build_status_bar(db_path)
        self.resize(1180, 720)
        geometry = settings().value("main_window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    def _build_menus(self) -> None:
        session = self.menuBar().addMenu(self.tr("&Session"))
        sign_out = QAction(self.tr("Sign &out"), self)
        sign_out.triggered.connect(self._sign_out)
        session.addAction(sign_out)
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        session.addAction(quit_action)

        if allowed(self.user, Action.MANAGE_SETTINGS):
            admin_menu = self.menuBar().addMenu(self.tr("&Administration"))
            settings_action = QAction(self.tr("&Settings…"), self)
            settings_action.setObjectName("openSettings")
            settings_action.setShortcut(QKeySequence("Ctrl+,"))
            settings_action.triggered.connect(self.open_settings)
            admin_menu.addAction(settings_action)

        language_menu = self.menuBar().addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        current = saved_language()
        for code, label in LANGUAGES.items():
            action = QAction(label, self, checkable=True)
            action.setChecked(code == current)
            action.triggered.connect(lambda _checked=False, c=code: self._choose_language(c))
            group.addAction(action)
            language_menu.addAction(action)

        for index in range(min(len(self.pages), 9)):
            jump = QAction(self)
            jump.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            jump.triggered.connect(lambda _checked=False, i=index: self.navigation.setCurrentRow(i))
            self.addAction(jump)

    def _build_status_bar(self, db_path: str) -> None:
        who = QLabel(
            self.tr("User: {name} ({role})").format(
                name=self.user.display_name, role=name_of(self.user.role.value)
            )
        )
        who.setObjectName("statusUser")
        where = QLabel(self.tr("Database: {path}").format(path=db_path))
        where.setObjectName("statusDatabase")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(who)
        self.statusBar().addPermanentWidget(where)

    @Slot(str, object)
    def open_screen(self, screen_id: str, argument: object = None) -> bool:
        """Switch to the page whose ``screen_id`` is ``screen_id`` and hand it ``argument``
        (its ``open_with``); False if this user has no such screen."""
        for row, page in enumerate(self.pages):
            if getattr(page, "screen_id", None) == screen_id:
                open_with = getattr(page, "open_with", None)
                if open_with is not None:
                    open_with(argument)
                self.navigation.setCurrentRow(row)
                return True
        return False

    @Slot()
    def open_settings(self) -> None:
        """The settings dialog (administrator); its confirmation goes to the status bar."""
        if self.settings_dialog is not None or not allowed(self.user, Action.MANAGE_SETTINGS):
            return
        dialog = SettingsDialog(self.services, self.user, self)
        dialog.saved.connect(lambda message: self.statusBar().showMessage(message, 10_000))
        dialog.finished.connect(self._settings_closed)
        self.settings_dialog = dialog
        dialog.open()

    @Slot()
    def _settings_closed(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.deleteLater()
            self.settings_dialog = None

    @Slot()
    def _sign_out(self) -> None:
        self.was_signed_out = True
        self.signed_out.emit()
        self.close()

    def _choose_language(self, code: str) -> None:
        save_language(code)
        QMessageBox.information(
            self,
            self.tr("Language"),
            self.tr("The language changes the next time LoopPass starts."),
        )

    # -- disk full / write errors -------------------------------------------------------

    def _with_storage_alert(self, body: QWidget) -> QWidget:
        """``body`` under a red banner shown while the store refuses writes (disk full)."""
        self.storage_alert = QLabel(
            self.tr("Disk full: data was not saved. Free disk space, then try again.")
        )
        self.storage_alert.setObjectName("storageAlert")
        self.storage_alert.setWordWrap(True)
        self.storage_alert.setStyleSheet(
            "QLabel#storageAlert { background: #c62828; color: #ffffff; font-size: 20px;"
            " font-weight: 700; padding: 10px 16px; }"
        )
        self.storage_alert.hide()
        self.storage_timer = QTimer(self)
        self.storage_timer.setInterval(STORAGE_RECHECK_MS)
        self.storage_timer.timeout.connect(self.check_storage)
        self.storage_fault_changed.connect(self._show_storage_fault)
        self.services.backup.watch_storage(self._on_storage_fault)
        container = QWidget()
        column = QVBoxLayout(container)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.storage_alert)
        column.addWidget(body, 1)
        self._show_storage_fault(self.services.backup.storage_fault())
        return container

    def _on_storage_fault(self, fault: StorageFull | None) -> None:
        # Called by the store on the thread whose write failed: a signal gets it to ours.
        self.storage_fault_changed.emit(fault)

    @Slot(object)
    def _show_storage_fault(self, fault: StorageFull | None) -> None:
        was_shown = not self.storage_alert.isHidden()
        self.storage_alert.setVisible(fault is not None)
        if fault is not None:
            log.error("writes refused: %s", fault.detail)
            self.storage_timer.start()
        else:
            self.storage_timer.stop()
            if was_shown:
                self.statusBar().showMessage(self.tr("Disk space is back: saving works again."))

    @Slot()
    def check_storage(self) -> None:
        """Ask the store whether space is back (it checks at most every few seconds)."""
        self.services.backup.storage_fault()

    # -- backups ------------------------------------------------------------------------

    def _add_backup_menu(self) -> None:
        self.backup_runner = BackupRunner(self.services, self)
        self.backup_runner.backed_up.connect(self._backup_done)
        self.backup_runner.backup_failed.connect(self._backup_failed)
        self.backup_dialog: BackupDialog | None = None
        if not (allowed(self.user, Action.BACKUP) and self.services.backup.available):
            return
        action = QAction(self.tr("&Backup and restore…"), self)
        action.setObjectName("openBackup")
        action.triggered.connect(self.open_backup)
        self._administration_menu().addAction(action)

    def _administration_menu(self) -> QMenu:
        """The Administration menu (made here, before Language, if nothing else made it)."""
        title = self.tr("&Administration")
        language = None
        for entry in self.menuBar().actions():
            if entry.menu() is not None and entry.text() == title:
                menu = entry.menu()
                assert isinstance(menu, QMenu)
                return menu
            if entry.text() == self.tr("&Language"):
                language = entry
        menu = QMenu(title, self)
        if language is None:
            self.menuBar().addMenu(menu)
        else:
            self.menuBar().insertMenu(language, menu)
        return menu

    @Slot()
    def open_backup(self) -> None:
        """The backup and restore window (administrator)."""
        if self.backup_dialog is not None or not allowed(self.user, Action.BACKUP):
            return
        dialog = BackupDialog(self.services, self.user, self, self.backup_runner)
        dialog.finished.connect(self._backup_closed)
        self.backup_dialog = dialog
        dialog.open()

    @Slot()
    def _backup_closed(self) -> None:
        if self.backup_dialog is not None:
            self.backup_dialog.deleteLater()
            self.backup_dialog = None

    def _schedule_backups(self) -> None:
        self.backup_timer = QTimer(self)
        self.backup_timer.timeout.connect(self.run_scheduled_backup)
        if self.services.backup.available:
            self.backup_timer.start(FIRST_BACKUP_CHECK_MS)

    @Slot()
    def run_scheduled_backup(self) -> bool:
        """Back up (off the GUI thread) if the newest backup is older than the interval."""
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        if self.backup_runner.running:
            return False
        try:
            due = self.services.backup.due()
        except (DomainError, OSError):
            log.warning("could not tell whether a backup is due", exc_info=True)
            return False
        return due and self.backup_runner.start(None)

    @Slot(object)
    def _backup_done(self, report: object) -> None:
        if getattr(report, "ok", False):
            self.statusBar().showMessage(self.tr("Backup saved."), 10_000)
        else:
            log.error("backup failed its check: %s", getattr(report, "problem", ""))
            self.statusBar().showMessage(
                self.tr("The backup failed its check and was not kept; see Backup and restore."),
                60_000,
            )

    @Slot(object)
    def _backup_failed(self, error: Exception) -> None:
        log.error("backup failed: %s", error)
        self.statusBar().showMessage(
            self.tr("Backup failed: {reason}").format(reason=error_message(error)), 60_000
        )

    # -- signed audit heads --------------------------------------------------------------

    def _schedule_audit_seal(self) -> None:
        self.seal_timer = QTimer(self)
        self.seal_timer.setInterval(AUDIT_SEAL_MS)
        self.seal_timer.timeout.connect(self.seal_audit_head)
        self.seal_timer.start()

    @Slot()
    def seal_audit_head(self) -> None:
        """Sign the audit chain's head if due. A failure (no key folder, a full disk) is
        logged and tried again at the next tick: never a message in the user's way."""
        try:
            self.services.audit.seal_if_due()
        except Exception:  # a timer slot must not raise: the log has the traceback
            log.warning("could not sign the audit head", exc_info=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.seal_timer.stop()
        self.seal_audit_head()
        self.backup_timer.stop()
        self.storage_timer.stop()
        self.services.backup.unwatch_storage(self._on_storage_fault)
        self.backup_runner.wait()
        settings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
