"""The supervisor's dashboard: figures from the demo traffic, refreshed by itself when a scan
is recorded (computed on a worker thread, the window responsive meanwhile), quiet while
nothing changes or nobody looks, and the anomaly counts opening the filtered list."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.keys import KeyFolder
from core.models import PassStatus, User, Verdict
from core.ports import PassQuery
from core.services import Services
from core.services.supervision import SupervisionService
from core.supervision import LOCAL_TZ, AnomalyKind
from db.store import open_store
from tests.conftest import FAST_HASH, FakeClock, demo_user
from tests.ui.conftest import assert_event_loop_runs, copy_traffic
from ui.main_window import MainWindow
from ui.pages import dashboard as dashboard_module
from ui.pages.anomalies import AnomaliesPage
from ui.pages.dashboard import DashboardPage, duration_parts

FAST_POLL_MS = 20


@pytest.fixture
def db_path(tmp_path: Path, traffic_template: Path) -> Path:
    """Each test's own copy of the traffic database (and its key folder)."""
    return copy_traffic(traffic_template, tmp_path)


@pytest.fixture
def traffic(services: Services) -> Services:
    """Services over the copy of the traffic database."""
    return services


def _page(qtbot: QtBot, services: Services, poll_ms: int = FAST_POLL_MS) -> DashboardPage:
    page = DashboardPage(services, demo_user(services, "supervisor"), poll_ms=poll_ms)
    qtbot.addWidget(page)
    page.resize(1000, 680)
    page.show()
    return page


def _enter_at_first_gate(services: Services) -> None:
    """gate1 scans an issued, never scanned pass at G01: the truck enters the loop."""
    supervisor = demo_user(services, "supervisor")
    issued = services.passes.search(
        supervisor, PassQuery(statuses=(PassStatus.ISSUED,), limit=1)
    ).rows[0]
    token = services.passes.get(supervisor, issued.serial).token
    gate1: User = demo_user(services, "gate1")
    result = services.scans.scan(gate1, services.scans.station_checkpoint(gate1), token)
    assert result.verdict is Verdict.GREEN


def test_first_figures_show_the_demo_traffic(qtbot: QtBot, traffic: Services) -> None:
    page = _page(qtbot, traffic)
    qtbot.waitUntil(lambda: page.dashboard is not None)
    dashboard = page.dashboard
    assert dashboard is not None
    assert dashboard.inside_now > 0
    assert page.inside_tile.value.text() == str(dashboard.inside_now)
    assert page.red_tile.value.text() == str(dashboard.red_today)
    assert page.waiting_tile.value.text() == str(dashboard.waiting_applications)
    assert page.gate_chart.categories == tuple(gate.name for gate in dashboard.gates)
    assert page.gate_chart.values_of("Entries") == tuple(g.entries for g in dashboard.gates)
    assert page.hourly_chart.values_of("Exits") == dashboard.hourly_exits
    assert page.hourly_chart.highlight == dashboard.at.astimezone(LOCAL_TZ).hour
    shown = {kind: page._kind_counts[kind].text() for kind in AnomalyKind}
    assert shown == {kind: str(dashboard.open_anomalies[kind.value]) for kind in AnomalyKind}
    assert page.anomaly_total.text() == str(sum(dashboard.open_anomalies.values()))
    assert page.updated_label.text().startswith("Updated at ")


def test_a_scan_updates_the_tiles_and_the_gate_without_user_action(
    qtbot: QtBot, traffic: Services
) -> None:
    page = _page(qtbot, traffic)
    qtbot.waitUntil(lambda: page.dashboard is not None)
    assert page.dashboard is not None
    inside = page.dashboard.inside_now
    entries, exits = page.gate_flow("G01") or (0, 0)
    scans = page.dashboard.scans_today

    _enter_at_first_gate(traffic)  # on the GUI's own connection, as the scan lane does

    qtbot.waitUntil(lambda: page.inside_tile.value.text() == str(inside + 1))
    assert page.gate_flow("G01") == (entries + 1, exits)
    first_gate = page.gate_chart.categories.index("平湖北卡口")
    assert page.gate_chart.values_of("Entries")[first_gate] == entries + 1
    assert page.scans_tile.value.text() == str(scans + 1)


def test_a_scan_from_another_connection_is_seen_too(
    qtbot: QtBot, traffic: Services, clock: FakeClock, tmp_path: Path
) -> None:
    """Another process (a second station PC) writing to the same file."""
    page = _page(qtbot, traffic)
    qtbot.waitUntil(lambda: page.dashboard is not None)
    assert page.dashboard is not None
    inside = page.dashboard.inside_now
    other_store = open_store(getattr(traffic.store, "path"))  # noqa: B009 - not on the Protocol
    try:
        other = Services.build(other_store, clock, FAST_HASH, KeyFolder(tmp_path / "keys"))
        _enter_at_first_gate(other)
        qtbot.waitUntil(lambda: page.inside_tile.value.text() == str(inside + 1))
    finally:
        other_store.close()


def test_computed_off_the_gui_thread_while_the_window_stays_responsive(
    qtbot: QtBot, traffic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    threads: list[int] = []
    original = SupervisionService.dashboard

    def slow_dashboard(self: SupervisionService, actor: User) -> Any:
        threads.append(threading.get_ident())
        release.wait(30)  # held until the test has seen the GUI thread at work
        return original(self, actor)

    monkeypatch.setattr(SupervisionService, "dashboard", slow_dashboard)
    page = _page(qtbot, traffic)
    try:
        qtbot.waitUntil(lambda: bool(threads))  # the worker is inside dashboard() now
        assert threads[0] != threading.get_ident()
        assert page.dashboard is None

        # The GUI thread keeps handling timers and clicks meanwhile.
        assert_event_loop_runs(qtbot)
        with qtbot.waitSignal(page.navigate_requested) as clicked:
            page.kind_buttons[AnomalyKind.OVERDUE].click()
        assert clicked.args == ["anomalies", AnomalyKind.OVERDUE]
        assert page.dashboard is None
    finally:
        release.set()
    qtbot.waitUntil(lambda: page.dashboard is not None)


def test_hiding_during_a_long_computation_does_not_wait_for_it(
    qtbot: QtBot, traffic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    entered: list[int] = []
    original = SupervisionService.dashboard

    def stuck_dashboard(self: SupervisionService, actor: User) -> Any:
        entered.append(1)
        release.wait(30)
        return original(self, actor)

    monkeypatch.setattr(SupervisionService, "dashboard", stuck_dashboard)
    monkeypatch.setattr(dashboard_module, "STOP_WAIT_MS", 10)
    page = _page(qtbot, traffic)
    qtbot.waitUntil(lambda: bool(entered))
    worker = page.worker
    page.hide()  # the query is still running: the page lets go of it
    assert page.worker is None
    assert worker in dashboard_module._FINISHING
    page.deleteLater()
    release.set()
    qtbot.waitUntil(lambda: not dashboard_module._FINISHING)


def test_nothing_is_computed_again_while_nothing_changes(
    qtbot: QtBot, traffic: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    polls: list[bool] = []
    computed: list[int] = []
    changed_since = SupervisionService.changed_since
    dashboard = SupervisionService.dashboard

    def counting_poll(self: SupervisionService, actor: User, token: Any) -> Any:
        answer = changed_since(self, actor, token)
        polls.append(answer[0])
        return answer

    def counting_dashboard(self: SupervisionService, actor: User) -> Any:
        computed.append(1)
        return dashboard(self, actor)

    monkeypatch.setattr(SupervisionService, "changed_since", counting_poll)
    monkeypatch.setattr(SupervisionService, "dashboard", counting_dashboard)
    page = _page(qtbot, traffic)
    qtbot.waitUntil(lambda: page.dashboard is not None)
    qtbot.waitUntil(lambda: len(polls) >= 6)
    assert polls[0] is True  # the first look
    assert not any(polls[1:6])
    assert len(computed) == 1


def test_hidden_dashboard_stops_polling(qtbot: QtBot, traffic: Services) -> None:
    page = _page(qtbot, traffic)
    qtbot.waitUntil(lambda: page.dashboard is not None)
    worker = page.worker
    assert worker is not None and worker.isRunning()
    page.hide()
    assert page.worker is None
    assert not page.timer.isActive()
    assert worker.isFinished()
    page.show()  # and starts again when shown
    assert page.worker is not None and page.timer.isActive()


def test_an_anomaly_kind_opens_the_filtered_list(
    qtbot: QtBot, zh_app: QApplication, traffic: Services
) -> None:
    window = MainWindow(traffic, demo_user(traffic, "supervisor"), "looppass.db")
    qtbot.addWidget(window)
    window.show()
    dashboard = window.stack.currentWidget()
    assert isinstance(dashboard, DashboardPage)  # a supervisor starts on the dashboard
    assert window.navigation.item(0).text() == "监管看板"
    qtbot.waitUntil(lambda: dashboard.dashboard is not None)
    assert dashboard.dashboard is not None
    wrong = dashboard.dashboard.open_anomalies[AnomalyKind.WRONG_POINT.value]
    assert dashboard._kind_counts[AnomalyKind.WRONG_POINT].text() == str(wrong)

    dashboard.kind_buttons[AnomalyKind.WRONG_POINT].click()

    anomalies = window.stack.currentWidget()
    assert isinstance(anomalies, AnomaliesPage)
    assert anomalies.selected_kind() is AnomalyKind.WRONG_POINT
    qtbot.waitUntil(lambda: not anomalies.model.busy)  # the list is read on a worker thread
    assert anomalies.model.total == wrong
    kinds = {anomalies.model.record(row).kind for row in range(anomalies.model.rowCount())}
    assert kinds == {AnomalyKind.WRONG_POINT}
    assert dashboard.worker is None  # the hidden dashboard stopped polling


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (12, ("12", "min")),
        (90, ("1.5", "h")),
        (47 * 60, ("47.0", "h")),
        (3 * 1440, ("3.0", "days")),
    ],
)
def test_durations(qapp: QApplication, minutes: float, expected: tuple[str, str]) -> None:
    assert duration_parts(minutes) == expected
