"""Registration forms: errors appear under the field in Chinese, and nothing is saved."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from core.ports import SearchQuery
from core.services import Services
from tests.conftest import demo_user
from tests.ui.modal import while_modal
from ui.form_dialog import FormDialog
from ui.pages.fleet import DriversPage, VehiclesPage
from ui.pages.registry import EnterprisesPage


def _fill(dialog: FormDialog, **fields: str) -> None:
    for name, text in fields.items():
        edit = dialog.findChild(QLineEdit, f"field_{name}")
        assert edit is not None, name
        edit.setText(text)


def test_bad_plate_shows_chinese_error_under_field_and_saves_nothing(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    clerk = demo_user(demo, "clerk")
    page = VehiclesPage(demo, clerk)
    qtbot.addWidget(page)
    before = page.model.total

    def check(dialog: FormDialog) -> None:
        _fill(dialog, plate="浙F1234I", description="冷藏车")
        dialog.buttons.accepted.emit()
        assert dialog.isVisible()
        assert "I 和 O" in dialog.error_text("plate")
        assert dialog.error_text("description") == ""

    while_modal(FormDialog, page.add, check)
    page.refresh()
    assert page.model.total == before


def test_valid_vehicle_is_saved_and_listed(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    clerk = demo_user(demo, "clerk")
    page = VehiclesPage(demo, clerk)
    qtbot.addWidget(page)

    def check(dialog: FormDialog) -> None:
        _fill(dialog, plate=" 浙f·a1234 ", description="冷藏车")
        dialog.buttons.accepted.emit()
        assert not dialog.isVisible()

    while_modal(FormDialog, page.add, check)
    page.search.setText("浙FA1234")
    qtbot.waitUntil(lambda: page.model.total == 1)
    assert page.model.record(0).plate == "浙FA1234"
    assert page.count.text() == "共 1 条"


def test_duplicate_plate_is_reported_next_to_the_plate(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    clerk = demo_user(demo, "clerk")
    existing = demo.fleet.search_vehicles(clerk, SearchQuery(limit=1)).rows[0]
    page = VehiclesPage(demo, clerk)
    qtbot.addWidget(page)

    def check(dialog: FormDialog) -> None:
        _fill(dialog, plate=existing.plate)
        dialog.buttons.accepted.emit()
        assert dialog.error_text("plate") == "已登记，不能重复登记。"

    while_modal(FormDialog, page.add, check)


def test_driver_form_reports_every_bad_field_at_once(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    clerk = demo_user(demo, "clerk")
    page = DriversPage(demo, clerk)
    qtbot.addWidget(page)
    before = page.model.total

    def check(dialog: FormDialog) -> None:
        _fill(dialog, name="张\u200b三", id_number="110105194912310021", phone="12345")
        dialog.buttons.accepted.emit()
        assert "不允许的字符" in dialog.error_text("name")
        assert "校验位" in dialog.error_text("id_number")
        assert dialog.error_text("phone") == "应为以 1 开头的 11 位手机号。"

    while_modal(FormDialog, page.add, check)
    page.refresh()
    assert page.model.total == before


def test_driver_list_masks_id_numbers_and_phones(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = DriversPage(demo, demo_user(demo, "clerk"))
    qtbot.addWidget(page)
    driver = page.model.record(0)
    id_text = page.model.index(0, 1).data()
    phone_text = page.model.index(0, 2).data()
    assert id_text == driver.id_number[:4] + "*" * 10 + driver.id_number[-4:]
    assert phone_text == driver.phone[:3] + "****" + driver.phone[-4:]


def test_read_only_roles_get_no_edit_buttons(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    reviewer = demo_user(demo, "reviewer")
    vehicles = VehiclesPage(demo, reviewer)
    enterprises = EnterprisesPage(demo, reviewer)
    qtbot.addWidget(vehicles)
    qtbot.addWidget(enterprises)
    assert vehicles.actions.count() == 1  # only the stretch: no buttons
    assert enterprises.actions.count() == 1
    assert vehicles.model.total == 60  # a reviewer sees every enterprise's vehicles
