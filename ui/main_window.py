"""The main window: navigation on the left showing only the screens the user's role may open,
the screen on the right, and a status bar with the user, the role and the database path."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from core.models import User
from core.permissions import Action, allowed
from core.services import Services
from ui.i18n import LANGUAGES, save_language, saved_language, settings
from ui.messages import name_of
from ui.pages.applications import ApplicationsPage
from ui.pages.fleet import DriversPage, VehiclesPage
from ui.pages.outbox import KeysPage, OutboxPage
from ui.pages.passes import PassesPage
from ui.pages.registry import CheckpointsPage, EnterprisesPage, RiskRegionsPage
from ui.pages.review import ReviewQueuePage
from ui.pages.settings import SettingsDialog
from ui.pages.station import StationPage, station_camera_factory
from ui.pages.users import UsersPage

PageFactory = Callable[[Services, User, QWidget | None], QWidget]


def _live_station(services: Services, user: User, parent: QWidget | None) -> QWidget:
    """The scan station with this station's camera (tests build StationPage without one)."""
    return StationPage(services, user, parent, camera_factory=station_camera_factory(services))


LIVE_STATION: PageFactory = _live_station

# (permission needed, page class) in navigation order.
SCREENS: tuple[tuple[Action, PageFactory], ...] = (
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

    def __init__(self, services: Services, user: User, db_path: str) -> None:
        super().__init__()
        self.services = services
        self.user = user
        self.was_signed_out = False
        self.settings_dialog: SettingsDialog | None = None
        self.setWindowTitle(self.tr("LoopPass 闭环通行证"))
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
        if self.pages:
            self.navigation.setCurrentRow(0)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        if not self.pages:
            row.addWidget(QLabel(self.tr("Your role has no screens here yet.")), 1)
        self.setCentralWidget(body)
        self._build_menus()
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

    def closeEvent(self, event: QCloseEvent) -> None:
        settings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
