"""日报: a supervisor picks a period, reads the tables, exports them; errors say so."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from core.ports import AuditQuery
from core.reports import ReportFormat
from core.services import Services
from tests.conftest import NOW, demo_user
from ui.pages.reports import ReportsPage


def page_for(demo: Services, qtbot: QtBot) -> ReportsPage:
    page = ReportsPage(demo, demo_user(demo, "supervisor"))
    qtbot.addWidget(page)
    day = QDate(NOW.year, NOW.month, NOW.day)
    page.start.setDate(day.addDays(-1))
    page.end.setDate(day)
    return page


def test_the_report_shows_its_tables_and_the_days_issued_passes(
    zh_app: QApplication, demo: Services, qtbot: QtBot
) -> None:
    page = page_for(demo, qtbot)
    assert not page.export_buttons[ReportFormat.CSV].isEnabled()
    page.make_button.click()
    assert page.tabs.count() >= 4
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "按企业" in titles and "按扫码点" in titles
    loops = page.tabs.widget(titles.index("每日签发与闭环"))
    assert isinstance(loops, QTableWidget)
    headers = [loops.horizontalHeaderItem(c).text() for c in range(loops.columnCount())]
    issued = headers.index("签发")
    # The demo's reviewer approved 25 passes today: the total row says so.
    assert loops.item(loops.rowCount() - 1, issued).text() == "25"
    assert "仍在途" in page.summary.text() or "still open" in page.summary.text()
    assert page.export_buttons[ReportFormat.CSV].isEnabled()


def test_export_writes_the_file_and_is_audited(
    zh_app: QApplication, demo: Services, qtbot: QtBot, tmp_path: Path
) -> None:
    page = page_for(demo, qtbot)
    page.make_button.click()
    target = tmp_path / "report.csv"
    page.export_to(target, ReportFormat.CSV)
    with target.open(encoding="utf-8-sig", newline="") as file:
        assert any("签发" in cell for row in csv.reader(file) for cell in row)
    entries = demo.audit.search(demo_user(demo, "supervisor"), AuditQuery(action="report"))
    assert [entry.action for entry in entries.rows] == ["report.export"]


def test_a_period_ending_before_it_starts_is_refused_in_words(
    zh_app: QApplication, demo: Services, qtbot: QtBot
) -> None:
    page = page_for(demo, qtbot)
    page.start.setDate(page.end.date().addDays(3))
    page.make_button.click()
    assert page.message.text()
    assert page.tabs.count() == 0
    assert not page.export_buttons[ReportFormat.PDF].isEnabled()
