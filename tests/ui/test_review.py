"""The review queue: oldest first, risk filter, approve (one or several), reject with a
reason, the earlier-trips panel, and a decision lost to another reviewer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from core.models import ApplicationStatus, RiskLevel, Role, User
from core.ports import ApplicationQuery, PassQuery
from core.services import Services
from core.services.accounts import UserInput
from core.services.applications import ApplicationInput
from tests.conftest import NOW, demo_user
from tests.ui.modal import while_modal
from ui.form_dialog import FormDialog
from ui.pages.review import DECIDED_ELSEWHERE, ReviewQueuePage

Messages = list[tuple[str, str]]


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> Messages:
    """Message boxes shown, as (title, text), instead of modal boxes."""
    shown: Messages = []

    def record(_parent: object, title: str, text: str, *_args: object) -> Any:
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", record)
    monkeypatch.setattr(QMessageBox, "information", record)
    return shown


def _page(qtbot: QtBot, services: Services, username: str = "reviewer") -> ReviewQueuePage:
    page = ReviewQueuePage(services, demo_user(services, username))
    qtbot.addWidget(page)
    return page


def _ids(page: ReviewQueuePage) -> list[int]:
    return [page.model.record(row).application.id for row in range(page.model.rowCount())]


def _select(page: ReviewQueuePage, *rows: int) -> None:
    selection = page.table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(page.model.index(row, 0), flags)


def _second_reviewer(services: Services) -> User:
    admin = demo_user(services, "admin")
    services.accounts.create_user(
        admin, UserInput("reviewer2", "审核员 二", Role.REVIEWER, "LoopPass-demo")
    )
    return demo_user(services, "reviewer2")


def _file_for(
    services: Services, vehicle_id: int, driver_id: int, submit: bool = True, region: int = 0
) -> int:
    """A new application of the clerk's (now, so it comes last in the queue)."""
    clerk = demo_user(services, "clerk")
    region = region or services.registry.list_risk_regions(clerk)[0].id
    form = ApplicationInput(vehicle_id, driver_id, region, "纸浆", NOW + timedelta(hours=6))
    return services.applications.file(clerk, form, submit=submit).id


def test_queue_shows_only_submitted_applications_oldest_first(
    qtbot: QtBot, zh_app: QApplication, demo: Services, qtmodeltester: Any
) -> None:
    page = _page(qtbot, demo)
    reviewer = demo_user(demo, "reviewer")
    submitted = demo.applications.search(
        reviewer, ApplicationQuery(statuses=(ApplicationStatus.SUBMITTED,))
    )
    views = [page.model.record(row) for row in range(page.model.rowCount())]
    assert page.model.total == submitted.total == 12
    assert {v.application.status for v in views} == {ApplicationStatus.SUBMITTED}
    filed = [v.application.created_at for v in views]
    assert filed == sorted(filed)
    assert page.model.index(0, 1).data() == views[0].plate
    qtmodeltester.check(page.model)


def test_risk_badge_is_plain_for_low_amber_for_medium_red_for_high(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    clerk = demo_user(demo, "clerk")
    high = next(r for r in demo.registry.list_risk_regions(clerk) if r.level is RiskLevel.HIGH)
    oldest = demo.applications.queue(demo_user(demo, "reviewer"), ApplicationQuery(limit=1)).rows[0]
    _file_for(demo, oldest.application.vehicle_id, oldest.application.driver_id, region=high.id)
    page = _page(qtbot, demo)
    risk_column = 6
    seen: dict[RiskLevel, tuple[object, object]] = {}
    for row in range(page.model.rowCount()):
        index = page.model.index(row, risk_column)
        seen[page.model.record(row).risk] = (
            index.data(Qt.ItemDataRole.ForegroundRole),
            index.data(Qt.ItemDataRole.BackgroundRole),
        )
    assert seen[RiskLevel.LOW] == (None, None)
    assert seen[RiskLevel.MEDIUM][1] == QColor("#ffc94d")
    assert seen[RiskLevel.HIGH] == (QColor("#ffffff"), QColor("#c62828"))
    assert page.model.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) is None  # plate: plain


def test_risk_origin_filter_keeps_only_medium_and_high(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = _page(qtbot, demo)
    everything = page.model.total
    page.risk_only.setChecked(True)
    risks = {page.model.record(row).risk for row in range(page.model.rowCount())}
    assert 0 < page.model.total < everything
    assert RiskLevel.LOW not in risks
    page.risk_only.setChecked(False)
    assert page.model.total == everything


def test_approve_issues_a_pass_and_the_row_disappears(
    qtbot: QtBot, zh_app: QApplication, demo: Services, warnings: Messages
) -> None:
    page = _page(qtbot, demo)
    before = page.model.total
    _select(page, 0)
    chosen = page.model.record(0)
    assert page.approve_button.isEnabled()
    assert page.approve_button.shortcut() == QKeySequence("Ctrl+Return")
    page.approve_button.click()
    assert warnings == []
    assert chosen.application.id not in _ids(page)
    assert page.model.total == before - 1
    passes = demo.passes.search(demo_user(demo, "supervisor"), PassQuery(text=chosen.plate))
    assert chosen.application.id in [p.application_id for p in passes.rows]
    assert chosen.plate in page.note.text()
    # The next application is selected, so the reviewer can go on with Ctrl+Enter.
    assert len(page.table.selectionModel().selectedRows()) == 1


def test_reject_needs_a_reason_and_keeps_the_application_until_given(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = _page(qtbot, demo)
    reviewer = demo_user(demo, "reviewer")
    _select(page, 0)
    chosen = page.model.record(0).application.id

    def empty_reason(dialog: FormDialog) -> None:
        dialog.buttons.accepted.emit()
        assert dialog.isVisible()
        assert dialog.error_text("reason") != ""

    while_modal(FormDialog, page.reject_button.click, empty_reason)
    assert demo.applications.get(reviewer, chosen).application.status is ApplicationStatus.SUBMITTED
    assert chosen in _ids(page)

    def with_reason(dialog: FormDialog) -> None:
        edit = dialog.findChild(QLineEdit, "field_reason")
        assert edit is not None
        edit.setText("货物信息与报备不符")
        dialog.buttons.accepted.emit()
        assert not dialog.isVisible()

    while_modal(FormDialog, page.reject_button.click, with_reason)
    decided = demo.applications.get(reviewer, chosen).application
    assert decided.status is ApplicationStatus.REJECTED
    assert decided.decision_reason == "货物信息与报备不符"
    assert chosen not in _ids(page)


def test_approve_selected_approves_several_at_once(
    qtbot: QtBot, zh_app: QApplication, demo: Services, warnings: Messages
) -> None:
    page = _page(qtbot, demo)
    before = page.model.total
    _select(page, 0, 2, 4)
    chosen = [page.model.record(row).application.id for row in (0, 2, 4)]
    assert not page.approve_button.isEnabled()  # one-at-a-time buttons need one row
    assert not page.reject_button.isEnabled()
    page.approve_many_button.click()
    assert warnings == []
    assert page.model.total == before - 3
    assert not set(chosen) & set(_ids(page))
    supervisor = demo_user(demo, "supervisor")
    issued = {p.application_id for p in demo.passes.search(supervisor, PassQuery()).rows}
    assert set(chosen) <= issued


def test_approve_selected_reports_the_refused_ones_in_one_message(
    qtbot: QtBot, zh_app: QApplication, demo: Services, warnings: Messages
) -> None:
    other = _second_reviewer(demo)
    page = _page(qtbot, demo)
    _select(page, 0, 1, 2)
    taken = page.model.record(1)
    demo.passes.approve(other, taken.application.id)
    page.approve_many_button.click()
    assert len(warnings) == 1
    assert taken.plate in warnings[0][1]
    assert page.model.total == 9


def test_history_panel_lists_the_vehicles_and_drivers_other_applications(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    reviewer = demo_user(demo, "reviewer")
    oldest = demo.applications.queue(reviewer, ApplicationQuery(limit=1)).rows[0].application
    other_trip = _file_for(demo, oldest.vehicle_id, oldest.driver_id)
    draft = _file_for(demo, oldest.vehicle_id, oldest.driver_id, submit=False)
    demo.applications.reject(reviewer, other_trip, "车辆信息不全")
    page = _page(qtbot, demo)
    assert page.model.record(0).application.id == oldest.id
    _select(page, 0)

    def listed(widget: Any) -> list[int]:
        return [
            widget.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(widget.count())
            if widget.item(i).data(Qt.ItemDataRole.UserRole) is not None
        ]

    expected = [
        v.application.id
        for v in demo.applications.search(
            reviewer, ApplicationQuery(vehicle_id=oldest.vehicle_id, sort="created_at")
        ).rows
        if v.application.id != oldest.id and v.application.status is not ApplicationStatus.DRAFT
    ]
    assert other_trip in expected
    assert sorted(listed(page.vehicle_trips)) == sorted(expected)
    assert oldest.id not in listed(page.driver_trips)
    assert other_trip in listed(page.driver_trips)
    assert draft not in listed(page.vehicle_trips)  # drafts are not the reviewer's business
    line = page.vehicle_trips.item(0).text()
    assert page.model.record(0).plate in line
    arrival = (NOW + timedelta(hours=6)).astimezone()
    assert f"{arrival.year}/{arrival.month}/{arrival.day}" in line  # the zh_CN locale's date


def test_approval_lost_to_another_reviewer_is_explained_and_the_row_disappears(
    qtbot: QtBot, zh_app: QApplication, demo: Services, warnings: Messages
) -> None:
    other = _second_reviewer(demo)
    page = _page(qtbot, demo)
    _select(page, 0)
    chosen = page.model.record(0)
    issued = demo.passes.approve(other, chosen.application.id)  # while the page is open
    page.approve_button.click()
    assert len(warnings) == 1
    assert warnings[0][1] == QCoreApplication.translate("ReviewQueuePage", DECIDED_ELSEWHERE)
    assert chosen.application.id not in _ids(page)
    supervisor = demo_user(demo, "supervisor")
    passes = demo.passes.search(supervisor, PassQuery(text=chosen.plate)).rows
    mine = [p.serial for p in passes if p.application_id == chosen.application.id]
    assert mine == [issued.serial]  # no second pass


def test_rejection_lost_to_another_reviewer_closes_the_form_and_explains(
    qtbot: QtBot, zh_app: QApplication, demo: Services, warnings: Messages
) -> None:
    other = _second_reviewer(demo)
    page = _page(qtbot, demo)
    _select(page, 0)
    chosen = page.model.record(0).application.id
    demo.passes.approve(other, chosen)

    def reject(dialog: FormDialog) -> None:
        edit = dialog.findChild(QLineEdit, "field_reason")
        assert edit is not None
        edit.setText("材料不全")
        dialog.buttons.accepted.emit()
        assert not dialog.isVisible()

    while_modal(FormDialog, page.reject_button.click, reject)
    assert len(warnings) == 1
    assert warnings[0][1] == QCoreApplication.translate("ReviewQueuePage", DECIDED_ELSEWHERE)
    assert chosen not in _ids(page)
    reviewer = demo_user(demo, "reviewer")
    assert demo.applications.get(reviewer, chosen).application.status is (
        ApplicationStatus.APPROVED
    )


def test_whitelisted_enterprise_is_marked_in_the_queue(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = _page(qtbot, demo)
    whitelist_column = 4
    marks = {
        page.model.record(row).enterprise_whitelisted: page.model.index(
            row, whitelist_column
        ).data()
        for row in range(page.model.rowCount())
    }
    assert marks[True] == "保供白名单"
