"""Vehicle trace: a plate, a serial or a driver finds the passes; the chosen pass shows every
scan with its verdict and reason in Chinese, and its loop with each point done, next,
pending or missed as the scans say; no match and bad input say so under the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from core.models import PassStatus, RouteTemplate, Verdict
from core.ports import AuditQuery, PassQuery
from core.services import Services
from core.supervision import PointState
from tests.conftest import demo_user
from tests.ui.conftest import copy_traffic
from ui.pages.trace import TracePage

DONE, NEXT, PENDING, MISSED = (
    PointState.DONE,
    PointState.NEXT,
    PointState.PENDING,
    PointState.MISSED,
)


@pytest.fixture
def db_path(tmp_path: Path, traffic_template: Path) -> Path:
    """Each test's own copy of the traffic database (and its key folder)."""
    return copy_traffic(traffic_template, tmp_path)


def _page(qtbot: QtBot, services: Services) -> TracePage:
    page = TracePage(services, demo_user(services, "supervisor"))
    qtbot.addWidget(page)
    page.resize(1000, 680)
    page.show()
    return page


def _search(qtbot: QtBot, page: TracePage, text: str) -> None:
    """Put ``text`` in the field and press Enter (QTest types ASCII only)."""
    page.search.setText(text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)


def test_a_plate_shows_its_scans_with_verdicts_and_reasons(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    """沪DL643B entered at a gate, then was stopped three times at another enterprise."""
    page = _page(qtbot, services)
    _search(qtbot, page, "沪DL643B")

    assert page.results.isVisible() and page.detail.isVisible()
    assert page.results_model.rowCount() == 1
    rows = page.timeline_rows()
    assert [row.verdict for row in rows] == [Verdict.GREEN, Verdict.RED, Verdict.RED, Verdict.RED]
    assert [row.reason for row in rows][1:] == ["WRONG_CHECKPOINT"] * 3
    assert rows == sorted(rows, key=lambda row: row.at)
    model = page.timeline_model
    assert [model.index(r, 2).data() for r in range(4)] == ["放行", "拦截", "拦截", "拦截"]
    assert model.index(1, 3).data() == "不在该通行证路线上"
    assert model.index(0, 4).data() == rows[0].operator
    assert model.index(1, 1).data().startswith("E0001 ")
    red = model.index(1, 2).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(red, QColor) and red.name() == "#c62828"
    # Entered, never reached its own enterprise: that is next, the exit pending.
    assert page.diagram.states() == (DONE, NEXT, PENDING)
    assert page.diagram.points[0].done_at_code == rows[0].checkpoint_code
    assert "已入城" in page.summary.text()
    assert page.message.text() == "找到 1 张通行证。"


def test_the_count_of_passes_found_reads_right_for_one_and_for_more(
    qtbot: QtBot, services: Services
) -> None:
    """English source text (no translation loaded): "1 pass found", never "1 passes"."""
    page = _page(qtbot, services)
    _search(qtbot, page, "沪DL643B")
    assert page.message.text() == "1 pass found."
    plate = services.store.conn.execute(
        "SELECT plate FROM passes GROUP BY plate HAVING count(*) > 1 LIMIT 1"
    ).fetchone()[0]
    _search(qtbot, page, plate)
    found = page.results_model.rowCount()
    assert found > 1
    assert page.message.text() == f"{found} passes found, newest first."


def test_a_pass_expired_inside_shows_the_exit_missed(qtbot: QtBot, services: Services) -> None:
    page = _page(qtbot, services)
    _search(qtbot, page, "浙F71312")
    chosen = page.selected()
    assert chosen is not None and chosen.issued.status is PassStatus.EXPIRED
    assert [row.verdict for row in page.timeline_rows()] == [Verdict.GREEN, Verdict.GREEN]
    assert page.diagram.states() == (DONE, DONE, MISSED)


def test_a_completed_isolation_loop_is_done_at_every_point(
    qtbot: QtBot, services: Services
) -> None:
    supervisor = demo_user(services, "supervisor")
    exited = services.passes.search(supervisor, PassQuery(statuses=(PassStatus.EXITED,))).rows
    isolation = next(p for p in exited if p.route is RouteTemplate.ISOLATION_LOOP)
    page = _page(qtbot, services)
    _search(qtbot, page, isolation.serial[:10])  # a serial's first characters are enough

    chosen = page.selected()
    assert chosen is not None and chosen.issued.serial == isolation.serial
    assert page.diagram.states() == (DONE, DONE, DONE, DONE)
    assert [point.step for point in page.diagram.points] == [
        "GATE_IN",
        "ENTERPRISE",
        "ISOLATION",
        "GATE_OUT",
    ]
    assert [row.step for row in page.timeline_rows() if row.verdict is Verdict.GREEN] == [
        "GATE_IN",
        "ENTERPRISE",
        "ISOLATION",
        "GATE_OUT",
    ]


def test_a_skipped_point_is_a_red_scan_and_the_point_still_next(
    qtbot: QtBot, services: Services
) -> None:
    """苏E07184 entered, then tried to leave without the enterprise: OUT_OF_ORDER, stopped."""
    page = _page(qtbot, services)
    _search(qtbot, page, "苏E07184")
    rows = page.timeline_rows()
    assert [(row.verdict, row.reason) for row in rows] == [
        (Verdict.GREEN, "OK"),
        (Verdict.RED, "OUT_OF_ORDER"),
    ]
    assert page.diagram.states() == (DONE, NEXT, PENDING)


def test_a_driver_search_finds_the_passes_and_is_audited(qtbot: QtBot, services: Services) -> None:
    page = _page(qtbot, services)
    _search(qtbot, page, "沪DL643B")
    chosen = page.selected()
    assert chosen is not None
    name = chosen.driver.split(" ")[0]  # the name, then the masked ID number
    _search(qtbot, page, name)
    assert chosen.issued.serial in {
        page.results_model.record(r).issued.serial for r in range(page.results_model.rowCount())
    }
    supervisor = demo_user(services, "supervisor")
    audited = services.audit.search(supervisor, AuditQuery(action="trace.driver")).rows
    assert audited and audited[0].actor == "supervisor"


def test_nothing_found_says_so(qtbot: QtBot, zh_app: QApplication, services: Services) -> None:
    page = _page(qtbot, services)
    _search(qtbot, page, "沪DL643B")
    _search(qtbot, page, "京A00000")
    assert "未找到" in page.message.text()
    assert "京A00000" in page.message.text()
    assert not page.results.isVisible() and not page.detail.isVisible()
    assert page.error.isHidden()


def test_an_empty_query_shows_an_error_under_the_field(
    qtbot: QtBot, zh_app: QApplication, services: Services
) -> None:
    page = _page(qtbot, services)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.error.isVisible() and page.error.text() == "必填。"
    qtbot.keyClicks(page.search, "x" * 65)
    assert page.error.isHidden()  # typing clears the error
    page.search_button.click()
    assert page.error.isVisible() and page.error.text() == "内容过长。"


def test_open_with_searches_at_once(qtbot: QtBot, services: Services) -> None:
    page = _page(qtbot, services)
    page.open_with("浙F71312")
    assert page.search.text() == "浙F71312"
    assert page.diagram.states() == (DONE, DONE, MISSED)


def test_the_tables_pass_the_model_tester(
    qtbot: QtBot, services: Services, qtmodeltester: ModelTester
) -> None:
    page = _page(qtbot, services)
    _search(qtbot, page, "沪DL643B")
    qtmodeltester.check(page.results_model)
    qtmodeltester.check(page.timeline_model)
