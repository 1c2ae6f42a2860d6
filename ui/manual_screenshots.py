"""The manual's pictures, taken from the real application on a fresh demo database.

    .venv/bin/python docs/manual/make_screenshots.py [OUT] [--lang zh_CN en] [--only NAME ...]
    .venv/bin/python -m ui.manual_screenshots ...      (the same)

Writes ``OUT/<zh|en>/<name>.png`` (OUT defaults to ``docs/manual/images``) for every picture
in ``NAMES``, or only those named, in Simplified Chinese and English. The demo database (with
two days of traffic) is made once in a temporary folder and copied for each language, so both
languages show the same world, on 25 November 2026 at 16:30 Pinghu time (the clock starts
there), whenever the script runs. The pictures are reduced to 256 colours: screens have few,
and the repository stays small.

``tests/ui/test_manual.py`` runs this script and checks that every picture a manual uses is
made. Runs offscreen unless a display is chosen with QT_QPA_PLATFORM.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image
from PySide6.QtCore import (
    QBuffer,
    QCoreApplication,
    QDate,
    QEventLoop,
    QIODevice,
    QSettings,
    QTimer,
)
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from core.demo import DEMO_PASSWORD, populate
from core.errors import StorageFull
from core.keys import KeyFolder
from core.models import PassStatus, User
from core.passwords import ScryptParams
from core.ports import PassQuery
from core.reports import REPORT_TZ
from core.scanning import CameraUnavailable
from core.services import Services
from db.store import SqliteStore, open_store
from ui.app import create_application
from ui.form_dialog import FormDialog
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.pages.anomalies import AnomaliesPage
from ui.pages.applications import ApplicationsPage
from ui.pages.audit import AuditPage
from ui.pages.backup import BackupDialog
from ui.pages.dashboard import DashboardPage
from ui.pages.fleet import VehiclesPage
from ui.pages.outbox import KeysPage, OutboxPage
from ui.pages.passes import PassDialog, PassesPage
from ui.pages.reports import ReportsPage
from ui.pages.review import ReviewQueuePage
from ui.pages.settings import SettingsDialog
from ui.pages.station import StationPage
from ui.pages.trace import TracePage
from ui.pages.users import UsersPage

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "manual" / "images"
LANGUAGES = ("zh_CN", "en")
FOLDERS = {"zh_CN": "zh", "en": "en"}
QUICK = ScryptParams(log_n=10)  # the database is thrown away: no production-strength hashing
WINDOW = (1100, 680)
STATION = (1280, 720)
WAIT_MS = 10_000
# The pictures' "now": 16:30 in Pinghu, a working afternoon with the day's traffic on the
# dashboard; the same pictures whenever they are made.
MOMENT = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)


class MomentClock:
    """``MOMENT`` when made, then moving on with real time (entries seconds apart)."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        return MOMENT + timedelta(seconds=time.monotonic() - self._started)


@dataclass
class World:
    """One language's copy of the demo database and what the pictures need from it."""

    services: Services
    store: SqliteStore

    def user(self, name: str) -> User:
        return self.services.accounts.login(name, DEMO_PASSWORD)

    def issued_serial(self) -> str:
        supervisor = self.user("supervisor")
        query = PassQuery(statuses=(PassStatus.ISSUED,), limit=1)
        return self.services.passes.search(supervisor, query).rows[0].serial


Shot = Callable[[World], QPixmap]


# -- helpers --------------------------------------------------------------------------------


def _wait(until: Callable[[], bool]) -> None:
    """Run the event loop until ``until()`` holds (at most ``WAIT_MS``)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not until() and time.monotonic() < deadline:
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()


def _shown(widget: QWidget, size: tuple[int, int] = WINDOW) -> QWidget:
    """``widget`` on screen at ``size``, with a dashboard's first figures in."""
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    dashboards = widget.findChildren(DashboardPage)
    if isinstance(widget, DashboardPage):
        dashboards.append(widget)
    for page in dashboards:
        if page.isVisible():
            _wait(lambda page=page: page.dashboard is not None)
    QApplication.processEvents()
    return widget


def _grab(widget: QWidget, size: tuple[int, int] = WINDOW) -> QPixmap:
    """A picture of ``widget`` shown at ``size``; the widget is closed afterwards."""
    picture = _shown(widget, size).grab()
    widget.close()
    widget.deleteLater()
    return picture


def _window(world: World, username: str, screen: type | None = None) -> MainWindow:
    """``username``'s main window showing the page of class ``screen`` (else the first)."""
    window = MainWindow(world.services, world.user(username), "looppass.db")
    if screen is not None:
        row = next(i for i, page in enumerate(window.pages) if isinstance(page, screen))
        window.navigation.setCurrentRow(row)
    return window


def _modal(open_dialog: Callable[[], object], fill: Callable[[QDialog], None]) -> QPixmap:
    """A picture of the modal dialog ``open_dialog`` opens, after ``fill``."""
    pictures: list[QPixmap] = []

    def capture() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(20, capture)
            return
        fill(dialog)
        QApplication.processEvents()
        pictures.append(dialog.grab())
        dialog.reject()

    QTimer.singleShot(0, capture)
    open_dialog()
    return pictures[0]


def _type_in(values: dict[str, str], save: bool = True) -> Callable[[QDialog], None]:
    """Fill: type ``values`` into the form's fields, then press Save (if ``save``)."""

    def fill(dialog: QDialog) -> None:
        for field, text in values.items():
            edit = dialog.findChild(QLineEdit, f"field_{field}")
            if edit is not None:
                edit.setText(text)
        if save and isinstance(dialog, FormDialog):
            dialog.buttons.accepted.emit()

    return fill


class _Unplugged:
    """A camera that is not there: opening it fails as a missing device's does."""

    is_live = True
    failed = True

    def open(self) -> None:
        raise CameraUnavailable("no camera plugged in")

    def read(self) -> None:
        return None

    def close(self) -> None:
        return None


def _station(world: World, username: str = "gate1") -> StationPage:
    station = StationPage(world.services, world.user(username), sound=lambda _verdict: None)
    station.clear_after_ms = 10**9  # the verdict stays for the picture
    return station


# -- the pictures ---------------------------------------------------------------------------


def login(world: World) -> QPixmap:
    dialog = LoginDialog(world.services)
    dialog.username.setText("clerk")
    return _grab(dialog, (460, 210))


def login_locked(world: World) -> QPixmap:
    dialog = LoginDialog(world.services)
    for _attempt in range(5):  # the fifth failure locks the account for 30 s
        dialog.username.setText("opg02")  # G02's operator: no other picture signs in as it
        dialog.password.setText("not-the-password")
        dialog.buttons.accepted.emit()
    return _grab(dialog, (460, 230))


def disk_full(world: World) -> QPixmap:
    window = _window(world, "clerk")
    window.storage_fault_changed.emit(StorageFull("no space left on device"))
    window.storage_timer.stop()  # nothing to check: the disk is not really full
    return _grab(window)


def clerk_applications(world: World) -> QPixmap:
    return _grab(_window(world, "clerk"))


def clerk_new_application(world: World) -> QPixmap:
    page = ApplicationsPage(world.services, world.user("clerk"))
    return _modal(page.add, _type_in({"cargo": "冷链食品"}, save=False))


def clerk_vehicle_error(world: World) -> QPixmap:
    page = VehiclesPage(world.services, world.user("clerk"))
    return _modal(page.add, _type_in({"plate": "浙F1234I"}))


def clerk_passes(world: World) -> QPixmap:
    return _grab(_window(world, "clerk", PassesPage))


def clerk_pass(world: World) -> QPixmap:
    dialog = PassDialog(world.services, world.user("clerk"), world.issued_serial())
    return _grab(dialog, (800, 480))


def clerk_outbox(world: World) -> QPixmap:
    return _grab(_window(world, "clerk", OutboxPage))


def reviewer_queue(world: World) -> QPixmap:
    window = _window(world, "reviewer", ReviewQueuePage)
    _shown(window)
    queue = window.pages[0]
    assert isinstance(queue, ReviewQueuePage)
    queue.table.selectRow(0)  # its earlier trips show on the right
    return _grab(window)


def reviewer_reject(world: World) -> QPixmap:
    queue = ReviewQueuePage(world.services, world.user("reviewer"))
    queue.table.selectRow(0)
    return _modal(queue.reject, _type_in({"reason": "货物与报备不符"}, save=False))


def operator_station(world: World) -> QPixmap:
    station = _station(world)
    station.camera_factory = _Unplugged  # the yellow banner of a missing camera
    _shown(station, STATION)
    _wait(lambda: not station.banner.isHidden())
    return _grab(station, STATION)


def operator_verdicts(world: World) -> dict[str, QPixmap]:
    """GREEN at the gate; AMBER: the same pass at its enterprise seconds later (a possible
    clone), seen by the supervisor standing in there; RED: not a pass."""
    gate = _station(world)
    token = world.services.passes.get(world.user("supervisor"), world.issued_serial()).token
    gate.scan_text(token)
    green = _shown(gate, STATION).grab()
    stand_in = _station(world, "supervisor")
    if stand_in.point_combo is not None:
        stand_in.point_combo.setCurrentIndex(stand_in.point_combo.findData("E0001"))
    stand_in.scan_text(token)
    amber = _grab(stand_in, STATION)
    gate.scan_text("这不是通行证")
    red = _grab(gate, STATION)
    return {"operator-green": green, "operator-amber": amber, "operator-red": red}


def supervisor_dashboard(world: World) -> QPixmap:
    return _grab(DashboardPage(world.services, world.user("supervisor")), (1000, 680))


def supervisor_trace(world: World) -> QPixmap:
    page = TracePage(world.services, world.user("supervisor"))
    page.open_with("浙F71312")  # a demo truck that never left: a missed point
    return _grab(page, (1000, 680))


def supervisor_anomalies(world: World) -> QPixmap:
    page = AnomaliesPage(world.services, world.user("supervisor"))
    _shown(page, (1100, 600))
    _wait(lambda: not page.model.busy)  # the list is read on a worker thread
    return _grab(page, (1100, 600))


def supervisor_audit(world: World) -> QPixmap:
    world.services.audit.seal()
    page = AuditPage(world.services, world.user("supervisor"))
    _shown(page, (1000, 640))
    page.verify()  # on a worker thread
    _wait(lambda: page.check is None)
    return _grab(page, (1000, 640))


def supervisor_reports(world: World) -> QPixmap:
    page = ReportsPage(world.services, world.user("supervisor"))
    today = MOMENT.astimezone(REPORT_TZ).date()
    for edit, day in ((page.start, today - timedelta(days=1)), (page.end, today)):
        edit.setDate(QDate(day.year, day.month, day.day))  # the demo's two days of traffic
    page.make()
    page.make_button.setFocus()
    return _grab(page, (1000, 560))


def admin_enterprises(world: World) -> QPixmap:
    return _grab(_window(world, "admin"))


def admin_users(world: World) -> QPixmap:
    return _grab(_window(world, "admin", UsersPage))


def admin_keys(world: World) -> QPixmap:
    return _grab(_window(world, "admin", KeysPage))


def admin_settings(world: World) -> QPixmap:
    return _grab(SettingsDialog(world.services, world.user("admin")), (830, 520))


def admin_backup(world: World) -> QPixmap:
    admin = world.user("admin")
    world.services.backup.create(admin)
    return _grab(BackupDialog(world.services, admin), (760, 420))


SHOTS: dict[str, Shot] = {
    "login": login,
    "login-locked": login_locked,
    "disk-full": disk_full,
    "clerk-applications": clerk_applications,
    "clerk-new-application": clerk_new_application,
    "clerk-vehicle-error": clerk_vehicle_error,
    "clerk-passes": clerk_passes,
    "clerk-pass": clerk_pass,
    "clerk-outbox": clerk_outbox,
    "reviewer-queue": reviewer_queue,
    "reviewer-reject": reviewer_reject,
    "operator-station": operator_station,
    "supervisor-dashboard": supervisor_dashboard,
    "supervisor-trace": supervisor_trace,
    "supervisor-anomalies": supervisor_anomalies,
    "supervisor-audit": supervisor_audit,
    "supervisor-reports": supervisor_reports,
    "admin-enterprises": admin_enterprises,
    "admin-users": admin_users,
    "admin-keys": admin_keys,
    "admin-settings": admin_settings,
    "admin-backup": admin_backup,
}
VERDICTS = ("operator-green", "operator-amber", "operator-red")  # made together
NAMES = (*SHOTS, *VERDICTS)


# -- running --------------------------------------------------------------------------------


def save_png(picture: QPixmap, path: Path) -> None:
    """``picture`` as a 256-colour PNG."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    picture.save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")
    image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def make_world(folder: Path) -> Path:
    """The demo database with two days of traffic, in ``folder``."""
    store = open_store(folder / "looppass.db")
    keys = KeyFolder(folder / "looppass-keys")
    services = Services.build(store, MomentClock(), params=QUICK, keys=keys)
    populate(store, MOMENT, params=QUICK, keys=services.passes.keys, history=True)
    store.close()
    return folder


def render(template: Path, folder: Path, language: str, names: list[str], out: Path) -> None:
    """Render ``names`` in ``language`` into ``out``, on a copy of ``template``."""
    shutil.copytree(template, folder)
    app = create_application(language)
    store = open_store(folder / "looppass.db")
    keys = KeyFolder(folder / "looppass-keys")
    services = Services.build(store, MomentClock(), params=QUICK, keys=keys)
    world = World(services, store)
    out.mkdir(parents=True, exist_ok=True)
    try:
        verdicts_made = False
        for name in names:
            if name in SHOTS:
                pictures = {name: SHOTS[name](world)}
            elif not verdicts_made:
                pictures = operator_verdicts(world)  # the three at once, in their order
                verdicts_made = True
            else:
                continue  # made with the first verdict asked for
            for made, picture in pictures.items():
                if made in names:
                    save_png(picture, out / f"{made}.png")
                    print(out / f"{made}.png", flush=True)
            QApplication.processEvents()
    finally:
        for widget in QApplication.topLevelWidgets():
            widget.close()
        QApplication.processEvents()
        store.close()
        for translator in app.property("translators") or []:
            QCoreApplication.removeTranslator(translator)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry; 2 for an unknown picture name."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=IMAGES)
    parser.add_argument("--lang", nargs="+", choices=LANGUAGES, default=list(LANGUAGES))
    parser.add_argument("--only", nargs="+", metavar="NAME", default=list(NAMES))
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only) - set(NAMES))
    if unknown:
        parser.error(f"no such picture: {', '.join(unknown)} (known: {', '.join(NAMES)})")
    wanted = [name for name in NAMES if name in args.only]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["TZ"] = "Asia/Shanghai"  # the pictures show the city's local time
    time.tzset()
    with tempfile.TemporaryDirectory() as scratch:
        # This PC's preferences (station id, window geometry) stay out of the pictures.
        QSettings.setPath(
            QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(Path(scratch, "qt"))
        )
        app = QApplication.instance() or QApplication([sys.argv[0]])
        template = make_world(Path(scratch, "template"))
        for language in args.lang:
            render(
                template, Path(scratch, language), language, wanted, args.out / FOLDERS[language]
            )
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
