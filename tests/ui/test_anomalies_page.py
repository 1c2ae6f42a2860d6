"""The anomaly list: newest first, narrowed by kind, state, days and plate; acknowledged with
a required note (errors under the field, nothing saved without one; audited with one); a row
opens its vehicle's trace. It is read on a worker thread: the window stays responsive while a
query runs, and the answer to a filter changed meanwhile is dropped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.models import User
from core.ports import AuditQuery
from core.services import Services
from core.services.supervision import SupervisionService
from core.supervision import AckFilter, Anomaly, AnomalyKind, AnomalyQuery
from tests.conftest import demo_user
from tests.ui.conftest import assert_event_loop_runs, copy_traffic
from tests.ui.modal import while_modal
from ui.form_dialog import FormDialog
from ui.main_window import MainWindow
from ui.pages.anomalies import AnomaliesPage
from ui.pages.trace import TracePage
from ui.workers import running_workers

SCAN_KINDS = {AnomalyKind.SKIPPED_POINT, AnomalyKind.WRONG_POINT, AnomalyKind.POSSIBLE_CLONE}


@pytest.fixture
def db_path(tmp_path: Path, traffic_template: Path) -> Path:
    """Each test's own copy of the traffic database (and its key folder)."""
    return copy_traffic(traffic_template, tmp_path)


@pytest.fixture(autouse=True)
def _workers_stopped() -> Iterator[None]:
    """Each test's worker threads end with it, as when the application quits."""
    yield
    running_workers().stop_all()


def _page(qtbot: QtBot, services: Services) -> AnomaliesPage:
    page = AnomaliesPage(services, demo_user(services, "supervisor"))
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()  # showing loads the list (on the worker thread)
    _loaded(qtbot, page)
    return page


def _loaded(qtbot: QtBot, page: AnomaliesPage) -> None:
    """Wait until the rows asked for last are shown."""
    qtbot.waitUntil(lambda: not page.model.busy)


def _search(qtbot: QtBot, page: AnomaliesPage, text: str) -> None:
    """Type ``text`` in the search box and wait for its list (applied after a short pause)."""
    generation = page.model.generation
    page.search.setText(text)
    qtbot.waitUntil(lambda: page.model.generation > generation and not page.model.busy)


def _rows(page: AnomaliesPage) -> list[Anomaly]:
    return [page.model.record(row) for row in range(page.model.rowCount())]


def _open_acknowledgements(services: Services) -> int:
    supervisor = demo_user(services, "supervisor")
    return services.audit.search(supervisor, AuditQuery(action="anomaly.acknowledge")).total


def _set_day(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def test_open_anomalies_of_the_last_days_newest_first(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    page = _page(qtbot, services)
    expected = services.supervision.anomalies(
        demo_user(services, "supervisor"), page.query(limit=500)
    )
    assert page.model.total == expected.total > 0
    rows = _rows(page)
    assert [a.at for a in rows] == sorted((a.at for a in rows), reverse=True)
    assert {a.kind for a in rows} == set(AnomalyKind)
    assert page.state_combo.currentText() == "未处理"
    assert page.date_to.date().toPython() == date(2026, 11, 25)
    assert page.date_from.date().toPython() == date(2026, 11, 18)
    # The detail is a sentence in Chinese, not a code.
    details = {page.model.index(r, 3).data() for r in range(page.model.rowCount())}
    assert "已入城 超过 180 分钟未到达企业" in details
    assert "同一车辆当日 3 次拦截" in details
    assert page.model.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) is not None


def test_filters_narrow_the_list(qtbot: QtBot, services: Services) -> None:
    page = _page(qtbot, services)
    everything = page.model.total

    page.kind_combo.setCurrentIndex(page.kind_combo.findData(AnomalyKind.WRONG_POINT.value))
    _loaded(qtbot, page)
    assert 0 < page.model.total < everything
    assert {a.kind for a in _rows(page)} == {AnomalyKind.WRONG_POINT}
    assert {a.plate for a in _rows(page)} == {"沪DL643B"}

    page.kind_combo.setCurrentIndex(0)  # all kinds again
    _loaded(qtbot, page)
    assert page.model.total == everything
    _search(qtbot, page, "苏E07184")
    assert {a.plate for a in _rows(page)} == {"苏E07184"}
    assert {a.kind for a in _rows(page)} == {AnomalyKind.OVERDUE, AnomalyKind.SKIPPED_POINT}

    _search(qtbot, page, "")
    _set_day(page.date_from, date(2026, 11, 10))
    _set_day(page.date_to, date(2026, 11, 11))  # long before the traffic
    _loaded(qtbot, page)
    kinds = {a.kind for a in _rows(page)}
    assert page.model.total < everything
    assert not kinds & SCAN_KINDS  # scans are dated; overdue legs are about now

    page.state_combo.setCurrentIndex(page.state_combo.findData(AckFilter.ACKNOWLEDGED.value))
    _loaded(qtbot, page)
    assert page.model.total == 0


def test_an_empty_note_shows_an_error_and_saves_nothing(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    page = _page(qtbot, services)
    before = page.model.total
    page.table.selectRow(0)
    assert page.acknowledge_button is not None and page.acknowledge_button.isEnabled()

    def press_enter_with_no_note(dialog: FormDialog) -> None:
        note = dialog.findChild(QLineEdit, "field_note")
        assert note is not None
        qtbot.keyClick(note, Qt.Key.Key_Return)  # Enter submits
        assert dialog.isVisible()
        assert dialog.error_text("note") == "必填。"

    while_modal(FormDialog, page.acknowledge_selected, press_enter_with_no_note)

    assert _open_acknowledgements(services) == 0
    page.refresh()
    _loaded(qtbot, page)
    assert page.model.total == before


def test_a_note_acknowledges_the_anomaly_and_audits_it(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    page = _page(qtbot, services)
    before = page.model.total
    page.table.selectRow(0)
    chosen = page.selected_record()

    def write_note(dialog: FormDialog) -> None:
        note = dialog.findChild(QLineEdit, "field_note")
        assert note is not None
        note.setText("已电话联系司机，车辆已出城")
        qtbot.keyClick(note, Qt.Key.Key_Return)
        assert not dialog.isVisible()

    while_modal(FormDialog, page.acknowledge_selected, write_note)

    assert page.count.text() == "正在查询…"  # the list is read again, off the GUI thread
    _loaded(qtbot, page)
    assert page.model.total == before - 1
    assert page.selected_record() is not None  # the row below the handled one
    remaining = {(a.kind, a.subject) for a in _rows(page)}
    assert (chosen.kind, chosen.subject) not in remaining
    assert "已确认处理" in page.message.text()
    audit = services.audit.search(
        demo_user(services, "supervisor"), AuditQuery(action="anomaly.acknowledge")
    ).rows
    assert len(audit) == 1
    assert audit[0].entity_id == f"{chosen.kind.value}:{chosen.subject}"
    assert audit[0].details == {"note": "已电话联系司机，车辆已出城"}

    assert page.table.isColumnHidden(6)  # nobody has handled what is listed here
    page.state_combo.setCurrentIndex(page.state_combo.findData(AckFilter.ACKNOWLEDGED.value))
    _loaded(qtbot, page)
    assert page.model.total == 1
    assert not page.table.isColumnHidden(6)
    page.table.selectRow(0)
    assert [page.model.index(0, c).data() for c in (6, 8)] == [
        "supervisor",
        "已电话联系司机，车辆已出城",
    ]
    assert page.acknowledge_button is not None
    assert not page.acknowledge_button.isEnabled()


def test_double_click_opens_the_trace_of_the_vehicle(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    window = MainWindow(services, demo_user(services, "supervisor"), "looppass.db")
    qtbot.addWidget(window)
    window.show()
    assert window.open_screen("anomalies")
    page = window.stack.currentWidget()
    assert isinstance(page, AnomaliesPage)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(AnomalyKind.SKIPPED_POINT.value))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page.model.busy)
    rect = page.table.visualRect(page.model.index(0, 2))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    trace = window.stack.currentWidget()
    assert isinstance(trace, TracePage)
    assert trace.search.text() == "苏E07184"
    assert trace.timeline_rows()[-1].reason == "OUT_OF_ORDER"


def test_the_service_query_follows_the_filters(qtbot: QtBot, services: Services) -> None:
    page = _page(qtbot, services)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(AnomalyKind.OVERDUE.value))
    page.state_combo.setCurrentIndex(page.state_combo.findData(AckFilter.ALL.value))
    query = page.query("浙F", 50, 100)
    assert query == AnomalyQuery(
        kinds=(AnomalyKind.OVERDUE,),
        since=query.since,
        until=query.until,
        text="浙F",
        state=AckFilter.ALL,
        limit=50,
        offset=100,
    )
    assert query.since is not None and query.until is not None
    assert query.since.isoformat() == "2026-11-18T00:00:00+08:00"
    assert query.until.isoformat() == "2026-11-25T23:59:59.999000+08:00"


def test_the_model_passes_the_model_tester(
    qtbot: QtBot, services: Services, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(_page(qtbot, services).model)


class HeldQueries:
    """``SupervisionService.anomalies`` on the worker thread waits until ``release``; the
    kinds of each query that entered it are in ``entered``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.entered: list[tuple[AnomalyKind, ...]] = []
        self.gui = threading.get_ident()
        original = SupervisionService.anomalies

        def held(service: SupervisionService, actor: User, query: AnomalyQuery) -> Any:
            if threading.get_ident() != self.gui:
                self.entered.append(query.kinds)
                self.release.wait(30)
            return original(service, actor, query)

        monkeypatch.setattr(SupervisionService, "anomalies", held)


def test_the_window_stays_responsive_while_a_query_runs(
    qtbot: QtBot, zh_app: QApplication, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, services)
    before = _rows(page)
    held = HeldQueries(monkeypatch)
    try:
        page.kind_combo.setCurrentIndex(page.kind_combo.findData(AnomalyKind.OVERDUE.value))
        qtbot.waitUntil(lambda: bool(held.entered))  # the worker is inside the query now
        # The GUI thread keeps handling timers and input meanwhile.
        assert_event_loop_runs(qtbot)
        page.search.setFocus()
        qtbot.keyClicks(page.search, "F")
        assert page.search.text() == "F"
        qtbot.keyClick(page.search, Qt.Key.Key_Backspace)
        assert page.search.text() == ""
        assert page.model.busy and page.busy_bar.isVisible()
        assert page.count.text() == "正在查询…"
        assert _rows(page) == before  # the old rows stay until the new ones are in
        assert page.kind_combo.isEnabled() and page.date_from.isEnabled()
    finally:
        held.release.set()
    _loaded(qtbot, page)
    assert not page.busy_bar.isVisible()
    assert page.count.text().startswith("共 ")
    rows = _rows(page)
    assert rows and {a.kind for a in rows} == {AnomalyKind.OVERDUE}


def test_an_answer_to_a_changed_filter_is_dropped(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, services)
    held = HeldQueries(monkeypatch)
    try:
        page.kind_combo.setCurrentIndex(page.kind_combo.findData(AnomalyKind.OVERDUE.value))
        qtbot.waitUntil(lambda: bool(held.entered))  # the overdue query is running
        page.kind_combo.setCurrentIndex(page.kind_combo.findData(AnomalyKind.WRONG_POINT.value))
        assert page.model.busy
    finally:
        held.release.set()
    qtbot.waitUntil(lambda: len(held.entered) == 2 and not page.model.busy)
    assert held.entered == [(AnomalyKind.OVERDUE,), (AnomalyKind.WRONG_POINT,)]
    assert {a.kind for a in _rows(page)} == {AnomalyKind.WRONG_POINT}
    qtbot.wait(50)  # nothing older arrives afterwards
    assert {a.kind for a in _rows(page)} == {AnomalyKind.WRONG_POINT}
    assert page.model.total == len(_rows(page))


def test_acknowledging_updates_the_list(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    page = _page(qtbot, services)
    page.state_combo.setCurrentIndex(page.state_combo.findData(AckFilter.ALL.value))
    _loaded(qtbot, page)
    total = page.model.total
    page.table.selectRow(0)
    chosen = page.selected_record()
    assert chosen.acknowledged is None

    def write_note(dialog: FormDialog) -> None:
        note = dialog.findChild(QLineEdit, "field_note")
        assert note is not None
        note.setText("已处理")
        qtbot.keyClick(note, Qt.Key.Key_Return)

    while_modal(FormDialog, page.acknowledge_selected, write_note)
    _loaded(qtbot, page)
    assert page.model.total == total  # every state is listed: the row stays, handled now
    handled = next(a for a in _rows(page) if (a.kind, a.subject) == (chosen.kind, chosen.subject))
    assert handled.acknowledged is not None and handled.acknowledged.note == "已处理"
    row = _rows(page).index(handled)
    assert page.model.index(row, 6).data() == "supervisor"
    assert page.model.index(row, 8).data() == "已处理"
