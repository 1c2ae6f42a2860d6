"""The anomaly list: newest first, narrowed by kind, state, days and plate; acknowledged with
a required note (errors under the field, nothing saved without one; audited with one); a row
opens its vehicle's trace."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.ports import AuditQuery
from core.services import Services
from core.supervision import AckFilter, Anomaly, AnomalyKind, AnomalyQuery
from tests.conftest import demo_user
from tests.ui.conftest import copy_traffic
from tests.ui.modal import while_modal
from ui.form_dialog import FormDialog
from ui.main_window import MainWindow
from ui.pages.anomalies import AnomaliesPage
from ui.pages.trace import TracePage

SCAN_KINDS = {AnomalyKind.SKIPPED_POINT, AnomalyKind.WRONG_POINT, AnomalyKind.POSSIBLE_CLONE}


@pytest.fixture
def db_path(tmp_path: Path, traffic_template: Path) -> Path:
    """Each test's own copy of the traffic database (and its key folder)."""
    return copy_traffic(traffic_template, tmp_path)


def _page(qtbot: QtBot, services: Services) -> AnomaliesPage:
    page = AnomaliesPage(services, demo_user(services, "supervisor"))
    qtbot.addWidget(page)
    page.resize(1180, 680)
    page.show()  # showing loads the list
    return page


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
    assert 0 < page.model.total < everything
    assert {a.kind for a in _rows(page)} == {AnomalyKind.WRONG_POINT}
    assert {a.plate for a in _rows(page)} == {"沪DL643B"}

    page.kind_combo.setCurrentIndex(0)  # all kinds again
    assert page.model.total == everything
    page.search.setText("苏E07184")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert {a.plate for a in _rows(page)} == {"苏E07184"}
    assert {a.kind for a in _rows(page)} == {AnomalyKind.OVERDUE, AnomalyKind.SKIPPED_POINT}

    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    _set_day(page.date_from, date(2026, 11, 10))
    _set_day(page.date_to, date(2026, 11, 11))  # long before the traffic
    kinds = {a.kind for a in _rows(page)}
    assert page.model.total < everything
    assert not kinds & SCAN_KINDS  # scans are dated; overdue legs are about now

    page.state_combo.setCurrentIndex(page.state_combo.findData(AckFilter.ACKNOWLEDGED.value))
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

    assert page.model.total == before - 1
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
    assert page.model.rowCount() == 1
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
