"""Render LoopPass's screens to PNG files, from the real widgets on a fresh demo database.

    .venv/bin/python -m ui.screenshots OUT_DIR [--lang zh_CN|en]

Used to look at the screens as a user would, and for the manual's pictures. Runs offscreen
unless a display is set.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from core.demo import DEMO_PASSWORD, populate
from core.keys import KeyFolder
from core.models import User
from core.pass_document import pass_pdf
from core.passwords import ScryptParams
from core.ports import PassQuery
from core.services import Services
from db.store import open_store
from ui.app import create_application
from ui.form_dialog import FormDialog
from ui.login import LoginDialog
from ui.main_window import MainWindow
from ui.pages.anomalies import AnomaliesPage
from ui.pages.applications import ApplicationsPage
from ui.pages.audit import AuditPage
from ui.pages.dashboard import DashboardPage
from ui.pages.fleet import DriversPage, VehiclesPage
from ui.pages.passes import PassDialog
from ui.pages.settings import SettingsDialog
from ui.pages.station import StationPage
from ui.pages.trace import TracePage

# Screenshots need no production-strength hashing: the database is thrown away.
QUICK = ScryptParams(log_n=10)


def _settle(widget: QWidget) -> None:
    """Wait (at most a few seconds) until every dashboard shown has its first figures: they
    are computed on a worker thread."""
    for page in widget.findChildren(DashboardPage) + (
        [widget] if isinstance(widget, DashboardPage) else []
    ):
        if page.isVisible() and page.dashboard is None:
            loop = QEventLoop()
            page.updated.connect(loop.quit)
            QTimer.singleShot(5000, loop.quit)
            loop.exec()
    # The anomaly list is read on a worker thread too.
    for anomalies in widget.findChildren(AnomaliesPage) + (
        [widget] if isinstance(widget, AnomaliesPage) else []
    ):
        deadline = time.monotonic() + 5
        while anomalies.isVisible() and anomalies.model.busy and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


def _save(widget: QWidget, path: Path, close: bool = True) -> None:
    widget.show()
    QApplication.processEvents()
    _settle(widget)
    QApplication.processEvents()
    widget.grab().save(str(path))
    if close:
        widget.close()  # stops a scan station's camera thread before the next screen
    print(path)


def _window(services: Services, username: str) -> MainWindow:
    window = MainWindow(services, services.accounts.login(username, DEMO_PASSWORD), "looppass.db")
    window.resize(1180, 720)
    return window


def _form_with_error(
    page: VehiclesPage | DriversPage | ApplicationsPage, fill: dict[str, str], path: Path
) -> None:
    """Open the page's add form, type ``fill``, press Save, and capture the inline errors."""

    def capture() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, FormDialog):
            QTimer.singleShot(20, capture)
            return
        for field, text in fill.items():
            edit = dialog.findChild(QLineEdit, f"field_{field}")
            if edit is not None:
                edit.setText(text)
        dialog.buttons.accepted.emit()
        QApplication.processEvents()
        dialog.grab().save(str(path))
        print(path)
        dialog.reject()

    QTimer.singleShot(0, capture)
    page.add()


def _station_verdicts(
    services: Services, supervisor: User, serial: str, shot: Callable[[str], Path]
) -> None:
    """The scan station showing GREEN (entry), AMBER (the same pass at the enterprise
    seconds later: a possible clone) and RED (not a pass)."""
    token = services.passes.get(supervisor, serial).token
    station = StationPage(services, supervisor)
    station.resize(1366, 768)
    station.clear_after_ms = 10**9  # keep the verdict on screen for the picture
    for point, text, name in (
        ("G01", token, "station-green"),
        ("E0001", token, "station-amber"),
        ("G01", "这不是通行证", "station-red"),
    ):
        if station.point_combo is not None:
            station.point_combo.setCurrentIndex(station.point_combo.findData(point))
        station.scan_text(text)
        _save(station, shot(name), close=False)
    station.close()


def _supervision(folder: Path, shot: Callable[[str], Path]) -> None:
    """The supervisor's screens on a demo database with two days of traffic (as ``main.py
    demo`` makes it): the dashboard, a trace with a missed point, the anomaly list and its
    acknowledgement dialog with the error of an empty note."""
    store = open_store(folder / "history.db")
    services = Services.build(store, params=QUICK, keys=KeyFolder(folder / "history-keys"))
    populate(store, datetime.now(UTC), params=QUICK, keys=services.passes.keys, history=True)
    supervisor = services.accounts.login("supervisor", DEMO_PASSWORD)
    dashboard = DashboardPage(services, supervisor)
    dashboard.resize(1000, 680)
    _save(dashboard, shot("dashboard"))
    trace = TracePage(services, supervisor)
    trace.resize(1000, 680)
    for plate, name in (("浙F71312", "trace-missed"), ("沪DL643B", "trace-wrong-point")):
        trace.open_with(plate)
        _save(trace, shot(name), close=False)
    trace.open_with("京A00000")
    _save(trace, shot("trace-not-found"))
    anomalies = AnomaliesPage(services, supervisor)
    anomalies.resize(1180, 680)
    _save(anomalies, shot("anomalies"), close=False)

    def capture() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, FormDialog):
            QTimer.singleShot(20, capture)
            return
        dialog.buttons.accepted.emit()  # an empty note: the error shows under the field
        QApplication.processEvents()
        dialog.grab().save(str(shot("anomaly-acknowledge-error")))
        print(shot("anomaly-acknowledge-error"))
        dialog.reject()

    anomalies.table.selectRow(0)
    QTimer.singleShot(0, capture)
    anomalies.acknowledge_selected()
    anomalies.close()
    store.close()


def _audit_verified(services: Services, supervisor: User, shot: Callable[[str], Path]) -> None:
    """The audit log after 验证审计链 on a signed chain (the check runs on a worker thread)."""
    services.audit.seal()
    page = AuditPage(services, supervisor)
    page.resize(1000, 680)
    loop = QEventLoop()
    page.chain_checked.connect(lambda _report: loop.quit())
    page.verify()
    if page.check is not None:
        loop.exec()
    _save(page, shot("audit-verified"))


def render_all(out: Path, language: str) -> None:
    """Write every screen as ``out/<language>-<screen>.png``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    create_application(language)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "demo.db")
        services = Services.build(store, params=QUICK, keys=KeyFolder(Path(folder) / "keys"))
        populate(store, datetime.now(UTC), params=QUICK, keys=services.passes.keys)
        shot: Callable[[str], Path] = lambda name: out / f"{language}-{name}.png"  # noqa: E731
        login = LoginDialog(services)
        login.username.setText("clerk")
        _save(login, shot("login"))
        for username in ("admin", "clerk", "reviewer", "supervisor", "gate1"):
            _save(_window(services, username), shot(f"main-{username}"))
        clerk = services.accounts.login("clerk", DEMO_PASSWORD)
        _form_with_error(
            VehiclesPage(services, clerk), {"plate": "浙F1234I"}, shot("vehicle-form-error")
        )
        _form_with_error(
            DriversPage(services, clerk),
            {"name": "张三", "id_number": "11010519491231002Y", "phone": "12345"},
            shot("driver-form-error"),
        )
        _form_with_error(
            ApplicationsPage(services, clerk),
            {"cargo": "冷链\u200b食品"},
            shot("application-form-error"),
        )
        supervisor = services.accounts.login("supervisor", DEMO_PASSWORD)
        serial = services.passes.search(supervisor, PassQuery(limit=1)).rows[0].serial
        dialog = PassDialog(services, supervisor, serial)
        _save(dialog, shot("pass-dialog"))
        _station_verdicts(services, supervisor, serial, shot)
        _audit_verified(services, supervisor, shot)
        admin = services.accounts.login("admin", DEMO_PASSWORD)
        _save(SettingsDialog(services, admin), shot("settings"))
        (out / f"{language}-pass-A6.pdf").write_bytes(
            pass_pdf(services.passes.sheet(supervisor, serial), "A6")
        )
        store.close()
        _supervision(Path(folder), shot)


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    QApplication.instance() or QApplication([])
    render_all(args.out, args.lang)


if __name__ == "__main__":
    main()
