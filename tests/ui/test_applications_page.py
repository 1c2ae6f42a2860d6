"""The clerk's applications screen: filing with inline errors, drafts, import with a report."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from core.importing import write_template
from core.models import ApplicationStatus
from core.ports import ApplicationQuery
from core.services import Services
from tests.conftest import demo_user
from tests.ui.modal import while_modal
from ui.form_dialog import FormDialog
from ui.pages import applications as applications_module
from ui.pages.applications import ApplicationsPage, ImportReport


def _count(services: Services, status: ApplicationStatus) -> int:
    clerk = demo_user(services, "clerk")
    return services.applications.search(clerk, ApplicationQuery(statuses=(status,))).total


def test_new_application_with_empty_cargo_shows_error_and_saves_nothing(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = ApplicationsPage(demo, demo_user(demo, "clerk"))
    qtbot.addWidget(page)
    before = page.model.total

    def check(dialog: FormDialog) -> None:
        dialog.buttons.accepted.emit()
        assert dialog.isVisible()
        assert dialog.error_text("cargo") == "必填。"

    while_modal(FormDialog, page.add, check)
    page.refresh()
    assert page.model.total == before


def test_new_application_is_submitted_for_review(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = ApplicationsPage(demo, demo_user(demo, "clerk"))
    qtbot.addWidget(page)
    waiting = _count(demo, ApplicationStatus.SUBMITTED)

    def check(dialog: FormDialog) -> None:
        dialog.findChild(QLineEdit, "field_cargo").setText("冷链食品")
        dialog.buttons.accepted.emit()
        assert not dialog.isVisible(), dialog.general_error_text()

    while_modal(FormDialog, page.add, check)
    assert _count(demo, ApplicationStatus.SUBMITTED) == waiting + 1


def test_import_with_a_bad_row_lists_it_and_saves_nothing(
    qtbot: QtBot,
    zh_app: QApplication,
    demo: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = tmp_path / "bad.csv"
    write_template(sheet)
    text = sheet.read_text(encoding="utf-8-sig").replace("浙F12345", "浙F1234I")
    sheet.write_text(text, encoding="utf-8-sig")
    monkeypatch.setattr(applications_module, "ask_open_file", lambda *_args: str(sheet))
    reports: list[ImportReport] = []
    monkeypatch.setattr(ImportReport, "exec", lambda self: reports.append(self) or 0)
    page = ApplicationsPage(demo, demo_user(demo, "clerk"))
    qtbot.addWidget(page)
    before = page.model.total
    page.import_file()
    assert len(reports) == 1
    table = reports[0].table
    assert table.item(0, 0).text() == "2"
    assert table.item(0, 1).text() == "车牌号"
    assert "I 和 O" in table.item(0, 2).text()
    page.refresh()
    assert page.model.total == before


def test_template_saved_and_reimported_files_one_application(
    qtbot: QtBot,
    zh_app: QApplication,
    demo: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = tmp_path / "报备.xlsx"
    monkeypatch.setattr(applications_module, "ask_save_file", lambda *_args: str(sheet))
    monkeypatch.setattr(applications_module, "ask_open_file", lambda *_args: str(sheet))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: told.append(text))
    page = ApplicationsPage(demo, demo_user(demo, "clerk"))
    qtbot.addWidget(page)
    page.save_template()
    assert sheet.is_file()
    # The template's example arrives 2026-12-01, inside the 30-day planning window of the
    # test clock (2026-11-25).
    before = page.model.total
    page.import_file()
    assert told == ["1 份申请已提交审核。"]
    assert page.model.total == before + 1
