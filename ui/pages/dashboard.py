"""The supervisor's dashboard: trucks inside the loop now, today's scans and STOP verdicts,
the review queue and its pace, open anomalies by kind (each opens the anomaly list filtered),
today's entries and exits per gate and per hour.

It refreshes itself while shown: every ``poll_ms`` a worker thread asks the service whether
the database changed (``SupervisionService.changed_since``: SQLite's data_version, a few
microseconds) and only then computes the dashboard — on its own connection, since SQLite
connections belong to the thread that opened them — and sends it to the GUI thread. So the
window never waits for a query, and an idle dashboard costs next to nothing. The figures are
also computed again every minute (the review queue's waiting time grows without any change).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.clock import Clock
from core.errors import DomainError
from core.models import PassStatus, User
from core.ports import Store
from core.services import Services
from core.services.supervision import SupervisionService
from core.supervision import LOCAL_TZ, AnomalyKind, Dashboard
from ui import formatting
from ui.charts import BarChart, Series
from ui.messages import error_message
from ui.pages.anomalies import KIND_COLORS, kind_name
from ui.workers import ReaderFactory, StoreWorker, store_reader

log = logging.getLogger("looppass.dashboard")

CONTEXT = "DashboardPage"
SCREEN_ID = "dashboard"
POLL_MS = 2000
RECOMPUTE_SECONDS = 60.0  # even without a change: waiting times and "today" move on
STOP_WAIT_MS = 5000
ENTRY_COLOR = "#1e88e5"
EXIT_COLOR = "#fb8c00"
RED_COLOR = "#c62828"
VALUE_COLOR = "#1f3a5f"
MUTED_COLOR = "#78909c"
HOUR_MINUTES = 60
LATE_WAIT_MINUTES = 24 * HOUR_MINUTES  # the oldest application turns amber after a day

UNITS = {
    "min": QT_TRANSLATE_NOOP("DashboardPage", "min"),
    "h": QT_TRANSLATE_NOOP("DashboardPage", "h"),
    "days": QT_TRANSLATE_NOOP("DashboardPage", "days"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def duration_parts(minutes: float) -> tuple[str, str]:
    """A duration as (number, translated unit): minutes under an hour, hours under two days,
    then days."""
    if minutes < HOUR_MINUTES:
        return f"{minutes:.0f}", _tr(UNITS["min"])
    if minutes < 48 * HOUR_MINUTES:
        return f"{minutes / 60:.1f}", _tr(UNITS["h"])
    return f"{minutes / 1440:.1f}", _tr(UNITS["days"])


def duration_text(minutes: float) -> str:
    """``12.5 小时``: a duration in words."""
    number, unit = duration_parts(minutes)
    return f"{number} {unit}"


class DashboardWorker(StoreWorker):
    """Computes the dashboard off the GUI thread, on a connection of its own.

    ``request(force)`` asks it to look: it polls ``changed_since`` and computes only when
    something changed, when ``force`` is set, or when the last figures are a minute old.
    Requests that pile up while it computes are merged into one. Stop with ``stop()``.
    """

    computed = Signal(object)  # Dashboard

    def __init__(
        self,
        open_reader: ReaderFactory,
        clock: Clock,
        user: User,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(open_reader, "dashboard", parent)
        self._clock = clock
        self._user = user
        self._token: tuple[int, int] | None = None
        self._computed_at = -RECOMPUTE_SECONDS

    def request(self, force: bool = False) -> None:
        """Look for changes (and compute if any); thread-safe, returns at once."""
        self.submit(force)

    def stop(self, wait_ms: int | None = None) -> bool:
        """Finish the current computation, close the connection and end the thread; False if
        it is still computing after ``STOP_WAIT_MS`` (it ends on its own afterwards)."""
        return super().stop(STOP_WAIT_MS if wait_ms is None else wait_ms)

    def merge(self, older: object, newer: object) -> object:
        return bool(older) or bool(newer)

    def begin(self, store: Store) -> None:
        self._service = SupervisionService(store, self._clock)

    def handle(self, request: object) -> None:
        changed, self._token = self._service.changed_since(self._user, self._token)
        stale = time.monotonic() - self._computed_at >= RECOMPUTE_SECONDS
        if changed or request or stale:
            dashboard = self._service.dashboard(self._user)
            self._computed_at = time.monotonic()
            self.computed.emit(dashboard)


# Workers still finishing a long query when their page stopped them: kept here, not by the
# page (which may be deleted meanwhile), until they end; waited for when the application quits.
_FINISHING: set[DashboardWorker] = set()


def _outlive_page(worker: DashboardWorker) -> None:
    worker.setParent(None)
    _FINISHING.add(worker)

    def finished() -> None:
        _FINISHING.discard(worker)
        worker.deleteLater()

    worker.finished.connect(finished)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(worker.wait)


class Tile(QFrame):
    """One big number with a title above and a line of detail under it."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setProperty("tileName", name)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.value = QLabel("—")
        self.value.setObjectName(f"{name}Value")
        self.value.setProperty("tileValue", True)
        self.unit = QLabel()
        self.unit.setObjectName("tileUnit")
        self.detail = QLabel()
        self.detail.setObjectName(f"{name}Detail")
        self.detail.setProperty("tileDetail", True)
        self.detail.setWordWrap(True)
        number = QHBoxLayout()
        number.setSpacing(4)
        number.addWidget(self.value, 0, Qt.AlignmentFlag.AlignBottom)
        number.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignBottom)
        number.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 10, 14, 10)
        column.setSpacing(2)
        column.addWidget(self.title)
        column.addLayout(number)
        column.addWidget(self.detail)
        column.addStretch(1)
        self.title.setWordWrap(True)
        # Preferred height: every tile of a row grows to the tallest one.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def show_value(
        self, value: str, detail: str = "", color: str = VALUE_COLOR, unit: str = ""
    ) -> None:
        """Show ``value`` (in ``color``) with ``unit`` beside it and ``detail`` under it."""
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {color};")
        self.unit.setText(unit)
        self.detail.setText(detail)


class DashboardPage(QWidget):
    """The dashboard; see the module docstring.

    ``navigate_requested("anomalies", kind)`` asks the main window for the anomaly list of
    one kind (None: all). ``updated`` carries each Dashboard once it is on screen.
    ``open_reader`` opens the worker's connection (default: the same database file).
    """

    screen_id = SCREEN_ID
    navigate_requested = Signal(str, object)
    updated = Signal(object)

    def __init__(
        self,
        services: Services,
        user: User,
        parent: QWidget | None = None,
        poll_ms: int = POLL_MS,
        open_reader: ReaderFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.title = self.tr("Dashboard")
        self.dashboard: Dashboard | None = None
        self.worker: DashboardWorker | None = None
        self._open_reader = open_reader if open_reader is not None else store_reader(services)
        self.setObjectName("dashboardPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.poll)

        heading = QLabel(self.title)
        heading.setObjectName("pageTitle")
        self.updated_label = QLabel(self.tr("Loading…"))
        self.updated_label.setObjectName("dashboardUpdated")
        self.updated_label.setStyleSheet(f"color: {MUTED_COLOR};")
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.updated_label)

        self.inside_tile = Tile("inside", self.tr("Trucks inside the loop"))
        self.scans_tile = Tile("scans", self.tr("Scans today"))
        self.red_tile = Tile("red", self.tr("STOP verdicts today"))
        self.waiting_tile = Tile("waiting", self.tr("Waiting for review"))
        self.decision_tile = Tile("decision", self.tr("Average time to a decision"))
        tiles = QHBoxLayout()
        tiles.setSpacing(10)
        # The inside-now tile is the first thing looked at, and its breakdown is the longest.
        tiles.addWidget(self.inside_tile, 3)
        for tile in (self.scans_tile, self.red_tile, self.waiting_tile, self.decision_tile):
            tiles.addWidget(tile, 2)

        no_traffic = self.tr("No entries or exits yet today")
        self.gate_chart = BarChart(
            self.tr("Entries and exits per gate today"),
            self.tr("Gate"),
            self.tr("Trucks"),
            no_traffic,
        )
        self.gate_chart.setObjectName("gateChart")
        self.hourly_chart = BarChart(
            self.tr("Entries and exits per hour today"),
            self.tr("Hour"),
            self.tr("Trucks"),
            no_traffic,
        )
        self.hourly_chart.setObjectName("hourlyChart")
        for chart in (self.gate_chart, self.hourly_chart):
            chart.setProperty("chart", True)

        grid = QGridLayout()
        grid.setSpacing(10)
        grid.addWidget(self.gate_chart, 0, 0)
        grid.addWidget(self.hourly_chart, 1, 0)
        grid.addWidget(self._anomaly_panel(), 0, 1, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tiles)
        layout.addLayout(grid, 1)

    def _anomaly_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("tile")
        panel.setMinimumWidth(220)
        title = QLabel(self.tr("Open anomalies (last 7 days)"))
        title.setObjectName("tileTitle")
        title.setWordWrap(True)
        self.anomaly_total = QLabel("—")
        self.anomaly_total.setObjectName("anomalyTotalValue")
        self.anomaly_total.setProperty("tileValue", True)
        column = QVBoxLayout(panel)
        column.setContentsMargins(14, 10, 14, 10)
        column.setSpacing(4)
        column.addWidget(title)
        column.addWidget(self.anomaly_total)
        self.kind_buttons: dict[AnomalyKind, QPushButton] = {}
        self._kind_counts: dict[AnomalyKind, QLabel] = {}
        for kind in AnomalyKind:
            button = QPushButton()
            button.setObjectName(f"anomalyKind_{kind.value}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(self.tr("Open the list of these anomalies"))
            button.clicked.connect(lambda _checked=False, k=kind: self.open_anomalies(k))
            name, count = QLabel(kind_name(kind)), QLabel("—")
            count.setObjectName(f"anomalyCount_{kind.value}")
            inside = QHBoxLayout(button)
            inside.setContentsMargins(12, 4, 10, 4)
            for label in (name, count):
                label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
                inside.addWidget(label)
            inside.insertStretch(1, 1)
            button.setMinimumHeight(name.sizeHint().height() + 12)
            self.kind_buttons[kind] = button
            self._kind_counts[kind] = count
            column.addWidget(button)
        hint = QLabel(self.tr("Click a kind to see its list."))
        hint.setObjectName("tileHint")
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {MUTED_COLOR}; font-size: 12px;")
        column.addWidget(hint)
        self._show_kind_counts({})
        column.addStretch(1)
        every = QPushButton(self.tr("All anomalies…"))
        every.setObjectName("allAnomalies")
        every.clicked.connect(lambda: self.open_anomalies(None))
        column.addWidget(every)
        return panel

    # -- refreshing -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    def hideEvent(self, event: QHideEvent) -> None:
        # Nothing polls while nobody looks; the thread and its connection end here.
        self.stop()
        super().hideEvent(event)

    def start(self) -> None:
        """Start refreshing (the first figures are computed at once)."""
        if self._open_reader is not None and self.worker is None:
            worker = DashboardWorker(
                self._open_reader, self.services.supervision.clock, self.user, self
            )
            worker.computed.connect(self.show_dashboard)
            worker.failed.connect(self.show_failure)
            worker.start()
            self.worker = worker
        self.poll(force=True)
        self.timer.start()

    def stop(self) -> None:
        """Stop refreshing and end the worker thread."""
        self.timer.stop()
        if self.worker is not None:
            worker, self.worker = self.worker, None
            if worker.stop():
                worker.deleteLater()
            else:
                _outlive_page(worker)

    @Slot()
    def poll(self, force: bool = False) -> None:
        """Ask for fresh figures if the data changed (the worker decides, off this thread)."""
        if self.worker is not None:
            self.worker.request(force)
            return
        # No second connection possible (an in-memory database): compute here, it is small.
        try:
            self.show_dashboard(self.services.supervision.dashboard(self.user))
        except DomainError as error:
            self.show_failure(error)

    def open_anomalies(self, kind: AnomalyKind | None) -> None:
        """Ask for the anomaly list (of one kind, or all)."""
        self.navigate_requested.emit("anomalies", kind)

    # -- showing ----------------------------------------------------------------------

    @Slot(object)
    def show_failure(self, error: Any) -> None:
        """Keep the last figures and say that refreshing failed."""
        reason = error_message(error) if isinstance(error, Exception) else str(error)
        self.updated_label.setStyleSheet(f"color: {RED_COLOR};")
        self.updated_label.setText(self.tr("Refresh failed: {reason}").format(reason=reason))

    @Slot(object)
    def show_dashboard(self, dashboard: Dashboard) -> None:
        """Put ``dashboard``'s figures on screen."""
        self.dashboard = dashboard
        by_status = dashboard.inside_by_status
        self.inside_tile.show_value(
            str(dashboard.inside_now),
            self.tr("entered {entered} · arrived {arrived} · isolating {isolated}").format(
                entered=by_status.get(PassStatus.ENTERED, 0),
                arrived=by_status.get(PassStatus.ARRIVED, 0),
                isolated=by_status.get(PassStatus.ISOLATED, 0),
            ),
        )
        entries = sum(gate.entries for gate in dashboard.gates)
        exits = sum(gate.exits for gate in dashboard.gates)
        self.scans_tile.show_value(
            str(dashboard.scans_today),
            self.tr("entries {entries} · exits {exits}").format(entries=entries, exits=exits),
        )
        share = dashboard.red_today / dashboard.scans_today if dashboard.scans_today else 0.0
        self.red_tile.show_value(
            str(dashboard.red_today),
            self.tr("{share:.0%} of today's scans").format(share=share),
            RED_COLOR if dashboard.red_today else VALUE_COLOR,
        )
        self._show_waiting(dashboard)
        if dashboard.decision_minutes_avg is None:
            self.decision_tile.show_value("—", self.tr("no decisions in the last 7 days"))
        else:
            number, unit = duration_parts(dashboard.decision_minutes_avg)
            self.decision_tile.show_value(
                number, self.tr("filing to decision, last 7 days"), unit=unit
            )
        self._show_kind_counts(dashboard.open_anomalies)
        self._show_charts(dashboard)
        self.updated_label.setStyleSheet(f"color: {MUTED_COLOR};")
        self.updated_label.setText(
            self.tr("Updated at {time}").format(time=formatting.time_of_day(dashboard.at))
        )
        self.updated.emit(dashboard)

    def _show_waiting(self, dashboard: Dashboard) -> None:
        oldest = dashboard.oldest_waiting_minutes
        if oldest is None:
            self.waiting_tile.show_value(
                str(dashboard.waiting_applications), self.tr("queue empty")
            )
            return
        detail = self.tr("oldest waiting {duration}").format(duration=duration_text(oldest))
        self.waiting_tile.show_value(str(dashboard.waiting_applications), detail)
        late = oldest >= LATE_WAIT_MINUTES
        self.waiting_tile.detail.setStyleSheet("color: #e65100; font-weight: 600;" if late else "")

    def _show_kind_counts(self, counts: dict[str, int]) -> None:
        total = 0
        for kind, button in self.kind_buttons.items():
            count = counts.get(kind.value, 0)
            total += count
            self._kind_counts[kind].setText(str(count) if counts else "—")
            _text, color = KIND_COLORS[kind]
            weight = "700" if count else "400"
            tone = "#263238" if count else MUTED_COLOR
            button.setStyleSheet(
                f"QPushButton {{ border: none; border-left: 6px solid {color};"
                " background: #f5f7fa; }"
                "QPushButton:hover { background: #e3ecf7; }"
                f"QLabel {{ color: {tone}; font-weight: {weight}; font-size: 14px; }}"
            )
        self.anomaly_total.setText(str(total) if counts else "—")
        self.anomaly_total.setStyleSheet(f"color: {RED_COLOR if total else VALUE_COLOR};")

    def _show_charts(self, dashboard: Dashboard) -> None:
        entries, exits = self.tr("Entries"), self.tr("Exits")
        gates = dashboard.gates
        self.gate_chart.set_data(
            [gate.name for gate in gates],
            [
                Series(entries, ENTRY_COLOR, tuple(gate.entries for gate in gates)),
                Series(exits, EXIT_COLOR, tuple(gate.exits for gate in gates)),
            ],
            tips=[f"{gate.code} {gate.name}" for gate in gates],
        )
        hour = dashboard.at.astimezone(LOCAL_TZ).hour
        self.hourly_chart.set_data(
            [str(h) for h in range(24)],
            [
                Series(entries, ENTRY_COLOR, dashboard.hourly_entries),
                Series(exits, EXIT_COLOR, dashboard.hourly_exits),
            ],
            tips=[f"{h:02d}:00–{h + 1:02d}:00" for h in range(24)],
            highlight=hour,
        )

    def gate_flow(self, code: str) -> tuple[int, int] | None:
        """Today's (entries, exits) at gate ``code`` as shown, for tests."""
        if self.dashboard is None:
            return None
        for gate in self.dashboard.gates:
            if gate.code == code:
                return gate.entries, gate.exits
        return None
