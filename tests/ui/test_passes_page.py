"""The passes list and the pass dialog: scope by role, status filter, a QR code that scans,
saved PDFs and images (audited), and revoking with a reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from core.models import PassStatus, Role, User
from core.pass_document import human_serial
from core.ports import PassQuery, SearchQuery
from core.services import Services
from core.services.accounts import UserInput
from core.services.applications import ApplicationInput
from tests.conftest import NOW, demo_user
from tests.ui.modal import while_modal
from ui.form_dialog import FormDialog
from ui.pages.passes import PassDialog, PassesPage


def _page(qtbot: QtBot, services: Services, username: str = "supervisor") -> PassesPage:
    page = PassesPage(services, demo_user(services, username))
    qtbot.addWidget(page)
    return page


def _dialog(qtbot: QtBot, services: Services, serial: str, **kwargs: Any) -> PassDialog:
    dialog = PassDialog(services, demo_user(services, "supervisor"), serial, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def _first_pass(services: Services) -> Any:
    return services.passes.search(demo_user(services, "supervisor"), PassQuery(limit=1)).rows[0]


def _other_enterprise_clerk(services: Services) -> User:
    """A clerk of another enterprise with one approved trip (so one pass of its own)."""
    admin = demo_user(services, "admin")
    clerk = demo_user(services, "clerk")
    for enterprise in services.registry.search_enterprises(admin, SearchQuery(limit=100)).rows:
        if enterprise.id == clerk.enterprise_id:
            continue
        name = f"clerk{enterprise.id}"
        services.accounts.create_user(
            admin, UserInput(name, "报备员 乙", Role.CLERK, "LoopPass-demo", enterprise.id)
        )
        other = demo_user(services, name)
        vehicles = services.fleet.search_vehicles(other, SearchQuery(limit=1)).rows
        drivers = services.fleet.search_drivers(other, SearchQuery(limit=1)).rows
        if vehicles and drivers:
            region = services.registry.list_risk_regions(other)[0]
            form = ApplicationInput(
                vehicles[0].id, drivers[0].id, region.id, "机械配件", NOW + timedelta(hours=3)
            )
            filed = services.applications.file(other, form, submit=True)
            services.passes.approve(demo_user(services, "reviewer"), filed.id)
            return other
    raise AssertionError("no other enterprise has a vehicle and a driver")


def test_supervisor_sees_the_25_issued_passes_newest_first(
    qtbot: QtBot, zh_app: QApplication, demo: Services, qtmodeltester: Any
) -> None:
    page = _page(qtbot, demo)
    records = [page.model.record(row) for row in range(page.model.rowCount())]
    assert page.model.total == len(records) == 25
    assert {p.status for p in records} == {PassStatus.ISSUED}
    issued = [p.issued_at for p in records]
    assert issued == sorted(issued, reverse=True)
    assert page.model.index(0, 0).data() == human_serial(records[0].serial)
    assert page.model.index(0, 1).data() == records[0].plate
    qtmodeltester.check(page.model)


def test_status_filter(qtbot: QtBot, zh_app: QApplication, demo: Services) -> None:
    supervisor = demo_user(demo, "supervisor")
    revoked = _first_pass(demo)
    demo.passes.revoke(supervisor, revoked.serial, "行程取消")
    page = _page(qtbot, demo)
    combo = page.status_filter
    counts = {}
    for index in range(combo.count()):
        combo.setCurrentIndex(index)
        counts[index] = page.model.total
    statuses = list(PassStatus)
    assert counts[0] == 25  # all
    assert counts[1] == 24  # open
    assert counts[2 + statuses.index(PassStatus.ISSUED)] == 24
    assert counts[2 + statuses.index(PassStatus.EXITED)] == 0
    combo.setCurrentIndex(2 + statuses.index(PassStatus.REVOKED))
    assert page.model.total == 1
    assert page.model.record(0).serial == revoked.serial


def test_pass_dialog_shows_a_qr_code_that_decodes_to_the_token(
    qtbot: QtBot, zh_app: QApplication, demo: Services, tmp_path: Path
) -> None:
    issued = _first_pass(demo)
    dialog = _dialog(qtbot, demo, issued.serial)
    pixmap = dialog.qr.pixmap()
    assert min(pixmap.width(), pixmap.height()) >= 300
    shot = tmp_path / "qr.png"
    assert pixmap.toImage().save(str(shot))
    with Image.open(shot) as image:
        texts = [result.text for result in zxingcpp.read_barcodes(image)]
    assert texts == [issued.token]
    assert dialog.plate.text() == issued.plate
    assert dialog.serial.text() == human_serial(issued.serial)
    steps = demo.passes.route_of(issued)
    lines = dialog.route.text().splitlines()
    assert len(lines) == len(steps)
    assert all(line.startswith("○") for line in lines)  # nothing scanned yet


def test_saving_the_a6_pdf_writes_it_and_audits_the_export(
    qtbot: QtBot, zh_app: QApplication, demo: Services, tmp_path: Path
) -> None:
    issued = _first_pass(demo)
    target = tmp_path / "pass.pdf"
    asked: list[str] = []

    def ask(_parent: QWidget, _title: str, name: str, _filters: str) -> str:
        asked.append(name)
        return str(target)

    dialog = _dialog(qtbot, demo, issued.serial, ask_path=ask)
    before = demo.store.audit.count()
    with qtbot.waitSignal(dialog.exported) as saved:
        dialog.save_a6.click()
    assert saved.args == [str(target)]
    assert asked and asked[0].endswith("-A6.pdf")
    assert target.read_bytes().startswith(b"%PDF")
    entries = demo.store.audit.entries(before + 1)
    assert [(e.action, e.entity_id, e.details) for e in entries] == [
        ("pass.export", issued.serial, {"formats": ["pdf"]})
    ]


def test_saving_the_qr_image_writes_a_png_that_scans(
    qtbot: QtBot, zh_app: QApplication, demo: Services, tmp_path: Path
) -> None:
    issued = _first_pass(demo)
    target = tmp_path / "qr.png"
    dialog = _dialog(qtbot, demo, issued.serial, ask_path=lambda *_args: str(target))
    dialog.save_png.click()
    with Image.open(target) as image:
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [issued.token]
    assert demo.store.audit.entries()[-1].details == {"formats": ["png"]}


def test_cancelling_the_file_dialog_writes_and_audits_nothing(
    qtbot: QtBot, zh_app: QApplication, demo: Services, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, demo, _first_pass(demo).serial, ask_path=lambda *_args: "")
    before = demo.store.audit.count()
    dialog.save_a4.click()
    assert demo.store.audit.count() == before
    assert list(tmp_path.glob("*.pdf")) == []


def test_show_pass_opens_the_dialog_for_the_selected_pass(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = _page(qtbot, demo)
    page.table.selectRow(0)
    chosen = page.model.record(0)

    def check(dialog: PassDialog) -> None:
        assert dialog.issued.serial == chosen.serial

    while_modal(PassDialog, page.show_button.click, check)


def test_revoke_needs_a_reason_then_marks_the_pass_revoked(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    page = _page(qtbot, demo)
    page.table.selectRow(0)
    chosen = page.model.record(0)
    assert page.revoke_button is not None and page.revoke_button.isEnabled()
    supervisor = demo_user(demo, "supervisor")

    def empty(dialog: FormDialog) -> None:
        dialog.buttons.accepted.emit()
        assert dialog.isVisible()
        assert dialog.error_text("reason") != ""

    while_modal(FormDialog, page.revoke_button.click, empty)
    assert demo.passes.get(supervisor, chosen.serial).status is PassStatus.ISSUED

    def with_reason(dialog: FormDialog) -> None:
        edit = dialog.findChild(QLineEdit, "field_reason")
        assert edit is not None
        edit.setText("企业取消行程")
        dialog.buttons.accepted.emit()
        assert not dialog.isVisible()

    page.table.selectRow(0)
    while_modal(FormDialog, page.revoke_button.click, with_reason)
    revoked = demo.passes.get(supervisor, chosen.serial)
    assert revoked.status is PassStatus.REVOKED
    assert revoked.revoke_reason == "企业取消行程"
    row = next(
        r for r in range(page.model.rowCount()) if page.model.record(r).serial == revoked.serial
    )
    assert page.model.record(row).status is PassStatus.REVOKED
    page.table.selectRow(row)
    assert not page.revoke_button.isEnabled()  # a revoked pass cannot be revoked again


def test_a_clerk_sees_only_its_enterprises_passes_and_cannot_revoke(
    qtbot: QtBot, zh_app: QApplication, demo: Services
) -> None:
    other = _other_enterprise_clerk(demo)
    assert _page(qtbot, demo).model.total == 26
    mine = _page(qtbot, demo, "clerk")
    assert mine.model.total == 25
    assert mine.revoke_button is None
    theirs = PassesPage(demo, other)
    qtbot.addWidget(theirs)
    assert theirs.model.total == 1
    own_serials = {mine.model.record(r).serial for r in range(mine.model.rowCount())}
    assert theirs.model.record(0).serial not in own_serials


@pytest.mark.parametrize("username", ["reviewer", "supervisor"])
def test_reviewers_and_supervisors_may_revoke(
    qtbot: QtBot, zh_app: QApplication, demo: Services, username: str
) -> None:
    assert _page(qtbot, demo, username).revoke_button is not None
