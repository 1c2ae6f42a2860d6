"""Languages: every screen follows the chosen language and its locale, and nothing is cut off.

Every screen of every role, the dialogs and forms (with their errors showing) and the states
worth seeing (the station's three verdicts, a trace, a pass) are built from real widgets on
a demo database with two days of traffic, in English and in Chinese. Their texts are walked
— labels, buttons, group and tab titles, header sections, placeholders, tooltips, suffixes,
window titles, menus, and the cells of every list — and:

- in English, no Chinese character may remain once the database's own words are taken out
  (names, plates, places and reasons typed by users are data, shown as written);
- in Chinese, no English word may appear outside the data and a short list of names that
  are English on purpose (LoopPass, key names such as Ctrl);
- in both, no single-line label or button may be narrower than its text needs.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QTabBar,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

import ui.i18n
import ui.main_window
from core.models import PassStatus
from core.ports import PassQuery
from core.services import Services
from tests.conftest import demo_user
from tests.ui.conftest import copy_traffic
from tests.ui.modal import while_modal
from ui import formatting
from ui.app import create_application
from ui.form_dialog import FormDialog
from ui.i18n import LANGUAGES, locale_for
from ui.login import FirstAdminDialog, LoginDialog
from ui.main_window import MainWindow
from ui.pages.anomalies import AnomaliesPage
from ui.pages.applications import ApplicationsPage
from ui.pages.backup import BackupDialog
from ui.pages.dashboard import DashboardPage
from ui.pages.fleet import DriversPage, VehiclesPage
from ui.pages.passes import PassDialog, PassesPage
from ui.pages.registry import CheckpointsPage, EnterprisesPage, RiskRegionsPage
from ui.pages.review import ReviewQueuePage
from ui.pages.settings import SettingsDialog
from ui.pages.station import StationPage
from ui.pages.trace import TracePage
from ui.pages.users import UsersPage

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")
# English on purpose in the Chinese interface: the product's name, key names, the language's
# own name in the language menu, file types and size units.
ENGLISH_ON_PURPOSE = frozenset(
    {"LoopPass", "Ctrl", "Shift", "Enter", "English", "Excel", "KiB", "MiB", "GiB"}
)
# Markup, addresses and file paths are no words of either language.
NOT_WORDS = re.compile(r"<[^>]+>|&\w+;|\w+://\S*|(?:[/\\][\w.\-]+){2,}")
LANGUAGE_NAMES = frozenset(LANGUAGES.values())
ALL_ROWS = 60  # cells of this many rows of each list are read (the rest are alike)


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path, traffic_template: Path) -> Path:
    """Each test's own copy of the traffic database (and its key folder)."""
    return copy_traffic(traffic_template, tmp_path)


@pytest.fixture
def own_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This PC's QSettings in a temporary file; no camera behind the station screen."""
    ini = tmp_path / "settings.ini"

    def settings() -> QSettings:
        return QSettings(str(ini), QSettings.Format.IniFormat)

    monkeypatch.setattr(ui.i18n, "settings", settings)
    monkeypatch.setattr(ui.main_window, "settings", settings)
    monkeypatch.setattr(ui.main_window, "station_camera_factory", lambda _services: None)


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The application in one language; the translators and locale are put back after."""
    before = QLocale()
    app = create_application(request.param)
    yield request.param
    for translator in app.property("translators") or []:
        QCoreApplication.removeTranslator(translator)
    app.setProperty("translators", [])
    QLocale.setDefault(before)


# -- reading a screen -----------------------------------------------------------------------


def vocabulary(db_path: Path) -> frozenset[str]:
    """Every run of Chinese characters in the database: names, places, reasons as typed."""
    runs: set[str] = set()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
        for table in tables:
            try:
                rows = connection.execute(f'SELECT * FROM "{table}"')
            except sqlite3.DatabaseError:
                continue  # an index or trigger, not a table
            for row in rows:
                runs.update(
                    run for value in row if isinstance(value, str) for run in CJK.findall(value)
                )
    return frozenset(runs)


# (widget class, what, how to read it) for widgets that show one text of their own
ONE_TEXT: tuple[tuple[type[QWidget], str, Callable[[Any], str]], ...] = (
    (QLabel, "label", QLabel.text),
    (QAbstractButton, "button", QAbstractButton.text),
    (QGroupBox, "group title", QGroupBox.title),
    (QLineEdit, "placeholder", QLineEdit.placeholderText),
)


def _columns(view: QAbstractItemView) -> int:
    model = view.model()
    try:
        return model.columnCount(QModelIndex())
    except TypeError:  # a list model keeps columnCount private
        return 1


def _cells(view: QAbstractItemView) -> Iterator[tuple[str, str]]:
    # itemData, not index.data(role): PySide6 6.12 drops a reference to None each time it
    # converts an empty QVariant, and thousands of empty tooltips would free None itself.
    model = view.model()
    if model is None:
        return
    for column in range(_columns(view)):
        if isinstance(view, QTableView):
            yield "header", str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        for row in range(min(model.rowCount(QModelIndex()), ALL_ROWS)):
            values = model.itemData(model.index(row, column))
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = values.get(int(role.value))
                if isinstance(value, str):
                    yield "cell", value


def _parts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """Texts made of parts: spin box affixes, tabs, menu entries."""
    if isinstance(widget, QAbstractSpinBox):
        for part in ("prefix", "suffix", "specialValueText"):
            if hasattr(widget, part):
                yield part, getattr(widget, part)()
    if isinstance(widget, QTabBar):
        yield from (("tab", widget.tabText(i)) for i in range(widget.count()))
    if isinstance(widget, QMenu):
        yield from (("menu", action.text()) for action in widget.actions())


def texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(what, text) for every text ``widget`` shows a user, data cells included."""
    if widget.isWindow():
        yield "window title", widget.windowTitle()
    if widget.toolTip():
        yield "tooltip", widget.toolTip()
    for kind, what, read in ONE_TEXT:
        if isinstance(widget, kind):
            yield what, read(widget)
    yield from _parts(widget)
    if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
        yield from _cells(widget)


def wrong_language(root: QWidget, language: str, data: frozenset[str]) -> list[str]:
    """Texts under ``root`` (itself included) that are not in ``language``."""
    found = []
    widgets = [root, *root.findChildren(QWidget)]
    if isinstance(root, QMainWindow):
        widgets += [action.menu() for action in root.menuBar().actions() if action.menu()]
    for widget in widgets:
        for what, text in texts(widget):
            if text in LANGUAGE_NAMES:
                continue  # each language is named in its own language in the menu
            if language == "en":
                stray = [run for run in CJK.findall(text) if run not in data]
            elif what == "cell":
                continue  # Chinese lists hold user names, codes and action names as data
            else:
                words = ENGLISH_WORD.findall(NOT_WORDS.sub(" ", text))
                stray = [word for word in words if word not in ENGLISH_ON_PURPOSE]
            if stray:
                found.append(f"{type(widget).__name__} {what}: {text!r} ({', '.join(stray)})")
    return found


def placeholder_elided(edit: QLineEdit) -> bool:
    """Whether Qt draws ``edit``'s placeholder elided, seen in pixels: a twin of it (same
    parent style, font, margins, buttons) is drawn at its width and 400 px wider, and the
    text area must look the same in both."""
    twin = QLineEdit(edit.parentWidget())
    twin.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no blinking cursor in the pictures
    twin.setStyleSheet(edit.styleSheet())
    twin.setFont(edit.font())
    twin.setTextMargins(edit.textMargins())
    twin.setClearButtonEnabled(edit.isClearButtonEnabled())
    twin.setPlaceholderText(edit.placeholderText())
    pictures = []
    for width in (edit.width(), edit.width() + 400):
        twin.setFixedSize(width, edit.height())
        pictures.append(twin.grab().toImage().copy(0, 0, edit.width() - 4, edit.height()))
    twin.deleteLater()
    return pictures[0] != pictures[1]


def _needs(widget: QWidget) -> int | None:
    """The width ``widget`` needs to show its whole text, or None if it has none to show
    (or wraps it, or elides it on purpose)."""
    if isinstance(widget, QLabel):
        if not widget.text() or widget.wordWrap() or not widget.pixmap().isNull():
            return None
        return widget.sizeHint().width()
    if (isinstance(widget, QAbstractButton) and widget.text()) or isinstance(widget, QComboBox):
        return widget.sizeHint().width()
    return None


def cut_off(root: QWidget) -> list[str]:
    """Visible one-line labels, buttons, choices and hints narrower than their text needs."""
    found = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLineEdit):
            # Qt elides a placeholder that does not fit: a hint no one can read.
            if widget.placeholderText() and not widget.text() and placeholder_elided(widget):
                found.append(
                    f"QLineEdit {widget.placeholderText()!r}: elided at {widget.width()} px"
                )
            continue
        needs = _needs(widget)
        if needs is not None and needs > widget.width():
            text = getattr(widget, "currentText", getattr(widget, "text", str))()
            found.append(
                f"{type(widget).__name__} {text!r}: {widget.width()} px wide, needs {needs}"
            )
    return found


class Checker:
    """Collects what is wrong on each screen it is shown, for one assertion at the end."""

    def __init__(self, language: str, data: frozenset[str]) -> None:
        self.language = language
        self.data = data
        self.problems: list[str] = []
        self.screens: list[str] = []

    def __call__(self, name: str, root: QWidget, words: bool = True, layout: bool = True) -> None:
        """Check the texts under ``root`` (unless ``words`` is False) and, if it is on
        screen (and ``layout`` is True), that nothing visible is cut off."""
        QApplication.processEvents()
        self.screens.append(name)
        if words:
            found = wrong_language(root, self.language, self.data)
            self.problems += [f"{name}: {problem}" for problem in found]
        if layout and root.isVisible():
            self.problems += [f"{name}: cut off: {problem}" for problem in cut_off(root)]


def shown(qtbot: QtBot, widget: QWidget, width: int = 1180, height: int = 720) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    QApplication.processEvents()
    return widget


def look_at_form(check: Checker, name: str, dialog: FormDialog) -> None:
    """Check a form, then press Save with nothing filled in and check it with its errors."""
    check(name, dialog)
    dialog.buttons.accepted.emit()
    check(f"{name} (errors)", dialog)
    if dialog.isVisible():
        dialog.reject()


def in_form(check: Checker, name: str, open_form: Callable[[], object]) -> None:
    """Look at the modal form ``open_form`` opens (see ``look_at_form``)."""
    while_modal(FormDialog, open_form, lambda dialog: look_at_form(check, name, dialog))


# -- the screens ----------------------------------------------------------------------------


def _main_windows(qtbot: QtBot, services: Services, check: Checker) -> None:
    for username in ("admin", "clerk", "reviewer", "supervisor", "gate1"):
        window = shown(qtbot, MainWindow(services, demo_user(services, username), "x.db"))
        assert isinstance(window, MainWindow)
        # Every page's words, shown or not; each page's layout once it is on screen.
        check(f"{username}: window", window, layout=False)
        for row, page in enumerate(window.pages):
            window.navigation.setCurrentRow(row)
            if isinstance(page, DashboardPage):
                qtbot.waitUntil(lambda page=page: page.dashboard is not None)
            check(f"{username}: {getattr(page, 'title', row)}", page, words=False)
        window.close()


def _sign_in(qtbot: QtBot, services: Services, check: Checker) -> None:
    login = shown(qtbot, LoginDialog(services), 460, 200)
    assert isinstance(login, LoginDialog)
    check("sign-in", login)
    login.username.setText("clerk")
    login.password.setText("wrong password")
    login.buttons.accepted.emit()
    check("sign-in (wrong password)", login)
    check("first start", shown(qtbot, FirstAdminDialog(services), 460, 260))


def _clerk(qtbot: QtBot, services: Services, check: Checker) -> None:
    clerk = demo_user(services, "clerk")
    for page_class in (VehiclesPage, DriversPage, ApplicationsPage):
        page = shown(qtbot, page_class(services, clerk))
        in_form(check, f"{page_class.__name__} form", page.add)  # type: ignore[attr-defined]


def _admin(qtbot: QtBot, services: Services, check: Checker) -> None:
    admin = demo_user(services, "admin")
    for page_class in (EnterprisesPage, CheckpointsPage, RiskRegionsPage, UsersPage):
        page = shown(qtbot, page_class(services, admin))
        in_form(check, f"{page_class.__name__} form", page.add)  # type: ignore[attr-defined]
    check("settings", shown(qtbot, SettingsDialog(services, admin), 830, 520))
    check("backup", shown(qtbot, BackupDialog(services, admin), 760, 460))


def _reviewer(qtbot: QtBot, services: Services, check: Checker) -> None:
    reviewer = demo_user(services, "reviewer")
    queue = shown(qtbot, ReviewQueuePage(services, reviewer))
    assert isinstance(queue, ReviewQueuePage)
    queue.table.selectRow(0)
    check("review queue, one selected", queue)
    in_form(check, "reject", queue.reject)
    passes = shown(qtbot, PassesPage(services, reviewer))
    assert isinstance(passes, PassesPage)
    issued = services.passes.search(reviewer, PassQuery(limit=1)).rows[0]
    in_form(check, "revoke", lambda: passes.revoke(issued))


def _supervisor(qtbot: QtBot, services: Services, check: Checker) -> None:
    supervisor = demo_user(services, "supervisor")
    issued = services.passes.search(
        supervisor, PassQuery(statuses=(PassStatus.ISSUED,), limit=1)
    ).rows[0]
    check("pass", shown(qtbot, PassDialog(services, supervisor, issued.serial), 800, 480))
    trace = shown(qtbot, TracePage(services, supervisor), 1000, 680)
    assert isinstance(trace, TracePage)
    for search in (issued.plate, "浙A00000", "?"):
        trace.open_with(search)
        check(f"trace {search}", trace)
    anomalies = shown(qtbot, AnomaliesPage(services, supervisor))
    assert isinstance(anomalies, AnomaliesPage)
    qtbot.waitUntil(lambda: not anomalies.model.busy)
    anomalies.table.selectRow(0)
    in_form(check, "acknowledge", anomalies.acknowledge_selected)
    station = shown(qtbot, StationPage(services, supervisor, sound=lambda _verdict: None))
    assert isinstance(station, StationPage)
    station.resize(1280, 720)  # a common station screen
    station.clear_after_ms = 10**9
    token = services.passes.get(supervisor, issued.serial).token
    overridden = False
    for point, text in (("G01", token), ("E0001", token), ("G01", "not a pass")):
        if station.point_combo is not None:
            station.point_combo.setCurrentIndex(station.point_combo.findData(point))
        result = station.scan_text(text)
        check(f"station {point} {station.current_verdict}", station)
        if result is not None and station.can_override(result) and not overridden:
            station.open_override()  # window-modal, opened without blocking
            assert station.override_form is not None
            look_at_form(check, "override", station.override_form)
            overridden = True
    assert overridden
    station.choose_camera()
    assert station.camera_form is not None
    look_at_form(check, "camera", station.camera_form)
    station.close()


SCREENS = (_sign_in, _main_windows, _clerk, _admin, _reviewer, _supervisor)


@pytest.mark.slow
@pytest.mark.usefixtures("own_settings")
def test_every_screen_is_in_the_chosen_language_and_nothing_is_cut_off(
    qtbot: QtBot, language: str, services: Services, db_path: Path
) -> None:
    check = Checker(language, vocabulary(db_path))
    for screens in SCREENS:
        screens(qtbot, services, check)
    assert len(check.screens) > 60
    assert not check.problems, "\n".join(check.problems)


def test_the_checks_find_what_they_look_for(qtbot: QtBot, qapp: QApplication) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    label = QLabel("Saved 已保存 for 浙F12345", root)
    label.setFixedWidth(20)
    button = QPushButton("Approve the application", root)
    button.setFixedWidth(30)
    edit = QLineEdit(root)
    edit.setPlaceholderText("A long hint that needs more than forty pixels")
    edit.setGeometry(0, 0, 40, 20)
    root.show()
    assert wrong_language(root, "en", frozenset({"浙"})) == [
        "QLabel label: 'Saved 已保存 for 浙F12345' (已保存)"
    ]
    assert wrong_language(root, "zh_CN", frozenset()) == [
        "QLabel label: 'Saved 已保存 for 浙F12345' (Saved, for)",
        "QPushButton button: 'Approve the application' (Approve, the, application)",
        "QLineEdit placeholder: 'A long hint that needs more than forty pixels' "
        "(long, hint, that, needs, more, than, forty, pixels)",
    ]
    assert [problem.split(":")[0] for problem in cut_off(root)] == [
        "QLabel 'Saved 已保存 for 浙F12345'",
        "QPushButton 'Approve the application'",
        "QLineEdit 'A long hint that needs more than forty pixels'",
    ]


# -- dates, times and numbers ---------------------------------------------------------------

MOMENT = datetime(2026, 11, 25, 0, 5, 9, tzinfo=UTC)


@pytest.fixture
def locale_of() -> Iterator[Callable[[str], None]]:
    before = QLocale()
    yield lambda name: QLocale.setDefault(QLocale(name))
    QLocale.setDefault(before)


def test_dates_and_times_follow_the_locale_with_four_digit_years(
    locale_of: Callable[[str], None],
) -> None:
    local = MOMENT.astimezone()
    d, m, y = local.day, local.month, local.year
    hm, hms = f"{local:%H:%M}", f"{local:%H:%M:%S}"
    locale_of("zh_CN")
    assert formatting.date_time(MOMENT) == f"{y}/{m}/{d} {hm}"
    assert formatting.date_time(MOMENT, seconds=True) == f"{y}/{m}/{d} {hms}"
    assert formatting.short_date_time(MOMENT) == f"{m}/{d} {hm}"
    assert formatting.day(MOMENT) == f"{y}/{m}/{d}"
    assert formatting.time_of_day(MOMENT) == hms
    locale_of("en_GB")
    assert formatting.date_time(MOMENT) == f"{d:02}/{m:02}/{y} {hm}"
    assert formatting.short_date_time(MOMENT) == f"{d:02}/{m:02} {hm}"
    locale_of("en_US")
    hour12 = f"{(local.hour % 12) or 12}:{local:%M}"
    am_pm = "AM" if local.hour < 12 else "PM"
    assert formatting.date_time(MOMENT) == f"{m}/{d}/{y} {hour12}\u202f{am_pm}"
    assert formatting.day(MOMENT.date()) == f"{MOMENT.month}/{MOMENT.day}/{MOMENT.year}"


def test_numbers_durations_and_sizes_follow_the_locale(
    qapp: QApplication, locale_of: Callable[[str], None]
) -> None:
    locale_of("en_US")
    assert formatting.count(1234567) == "1,234,567"
    assert formatting.decimal(2.5) == "2.5"
    assert [formatting.duration(s) for s in (45, 720, 12.5 * 3600, 3 * 86400)] == [
        "45 s",
        "12 min",
        "12.5 h",
        "3.0 days",
    ]
    assert [formatting.data_size(n) for n in (12, 307200, 5 * 1024**3)] == [
        "12 B",
        "300.0 KiB",
        "5.0 GiB",
    ]
    locale_of("de_DE")
    assert formatting.count(1234567) == "1.234.567"
    assert formatting.data_size(1536) == "1,5 KiB"


def test_each_language_has_its_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    assert locale_for("zh_CN").name() == "zh_CN"
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("en_GB")))
    assert locale_for("en").name() == "en_GB"  # an English computer's own conventions
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("de_DE")))
    assert locale_for("en").name() == "en_US"


def test_the_chinese_interface_formats_durations_in_chinese(
    zh_app: QApplication,
) -> None:
    assert formatting.duration(90 * 60) == "1.5 小时"
    assert formatting.duration(40) == "40 秒"
