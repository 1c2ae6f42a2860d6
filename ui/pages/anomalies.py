"""Anomalies: overdue legs, skipped and wrong points, passes expired inside the loop, repeated
STOP verdicts and possible clones — listed newest first, filtered by kind, state, days and
plate or serial, and acknowledged with a note (audited by the service).

Double-click (or Enter on) a row opens the trace of its vehicle. Only a supervisor sees
"Acknowledge…" (``Action.ACKNOWLEDGE_ANOMALY``); the note is required, and an error is shown
under the field with nothing saved.

The list is read off the GUI thread: on a big database the first query builds the repeated-STOP
groups into a TEMP table (seconds), and a month's range takes seconds more. ``AnomalyWorker``
is a long-lived thread with its own connection (so those TEMP groups stay warm between
queries), started with the first query and ended when the page closes or the application
quits. Every page of rows goes through it — the first page after a filter change and the next
ones as the table scrolls — since only its connection has the warm groups. Each reload starts a
new generation; an answer of an older generation (the filter changed meanwhile) is dropped, and
requests still waiting in the queue are merged into the newest. While a query runs the old rows
stay, the filters stay usable, and the count says "Searching…" beside a busy bar. An in-memory
database cannot be opened twice: it is queried on the GUI thread, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QModelIndex,
    QObject,
    QSignalBlocker,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QWidget,
)

from core.clock import Clock
from core.models import Page, User
from core.pass_document import human_serial
from core.permissions import Action, allowed
from core.ports import SearchQuery, Store
from core.services import Services
from core.services.supervision import SupervisionService
from core.supervision import (
    DEFAULT_WINDOW,
    LOCAL_TZ,
    AckFilter,
    Anomaly,
    AnomalyKind,
    AnomalyQuery,
    local_day,
)
from ui.form_dialog import FormDialog
from ui.list_page import ListPage
from ui.messages import error_message
from ui.pages.fleet import local_time
from ui.pages.review import BadgeColumn, BadgeTableModel
from ui.pages.station import reason_text
from ui.table_model import Column, Index
from ui.workers import ReaderFactory, StoreWorker, running_workers, store_reader

CONTEXT = "AnomaliesPage"
SCREEN_ID = "anomalies"
MAX_COLUMN_PX = 240
DETAIL_COLUMN, DETAIL_COLUMN_PX = 3, 380
SERIAL_COLUMN, SERIAL_COLUMN_PX = 5, 130
HANDLED_COLUMNS = (6, 7, 8)
ERROR_COLOR, DONE_COLOR = "#c62828", "#2e7d32"

KIND_NAMES = {
    AnomalyKind.OVERDUE: QT_TRANSLATE_NOOP("AnomaliesPage", "Overdue leg"),
    AnomalyKind.SKIPPED_POINT: QT_TRANSLATE_NOOP("AnomaliesPage", "Skipped point"),
    AnomalyKind.WRONG_POINT: QT_TRANSLATE_NOOP("AnomaliesPage", "Wrong point"),
    AnomalyKind.OPEN_AFTER_EXPIRY: QT_TRANSLATE_NOOP("AnomaliesPage", "Expired inside"),
    AnomalyKind.REPEATED_RED: QT_TRANSLATE_NOOP("AnomaliesPage", "Repeated STOP"),
    AnomalyKind.POSSIBLE_CLONE: QT_TRANSLATE_NOOP("AnomaliesPage", "Possible clone"),
}

# (text colour, background colour) of each kind's badge: late is amber, a broken route
# orange or red, a pass that may be copied purple.
KIND_COLORS: dict[AnomalyKind, tuple[str, str]] = {
    AnomalyKind.OVERDUE: ("#4e3400", "#ffc94d"),
    AnomalyKind.SKIPPED_POINT: ("#ffffff", "#e65100"),
    AnomalyKind.WRONG_POINT: ("#ffffff", "#c62828"),
    AnomalyKind.OPEN_AFTER_EXPIRY: ("#ffffff", "#455a64"),
    AnomalyKind.REPEATED_RED: ("#ffffff", "#7f0000"),
    AnomalyKind.POSSIBLE_CLONE: ("#ffffff", "#6a1b9a"),
}

OVERDUE_DETAILS = {
    "ENTERED": QT_TRANSLATE_NOOP(
        "AnomaliesPage", "Entered the city: not at the enterprise within {minutes} minutes"
    ),
    "ARRIVED": QT_TRANSLATE_NOOP(
        "AnomaliesPage", "At the enterprise: not at its next point within {minutes} minutes"
    ),
    "ISOLATED": QT_TRANSLATE_NOOP(
        "AnomaliesPage", "At the isolation point: not out of the city within {minutes} minutes"
    ),
}
REPEATED_DETAIL = QT_TRANSLATE_NOOP(
    "AnomaliesPage", "{count} STOP verdicts for one vehicle in a day"
)
EXPIRED_DETAIL = QT_TRANSLATE_NOOP(
    "AnomaliesPage", "The pass expired while the truck was inside the loop"
)

STATE_NAMES = {
    AckFilter.OPEN: QT_TRANSLATE_NOOP("AnomaliesPage", "Not yet handled"),
    AckFilter.ACKNOWLEDGED: QT_TRANSLATE_NOOP("AnomaliesPage", "Handled"),
    AckFilter.ALL: QT_TRANSLATE_NOOP("AnomaliesPage", "All"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def kind_name(kind: AnomalyKind) -> str:
    """The translated name of an anomaly kind."""
    return _tr(KIND_NAMES[kind])


def kind_colors(kind: AnomalyKind) -> tuple[str, str]:
    """(text colour, background colour) of a kind's badge."""
    return KIND_COLORS[kind]


def anomaly_detail(anomaly: Anomaly) -> str:
    """What is wrong, in a sentence, from the anomaly's figures."""
    detail = anomaly.detail
    if anomaly.kind is AnomalyKind.OVERDUE:
        source = OVERDUE_DETAILS.get(str(detail.get("status", "")))
        minutes = detail.get("limit_minutes", "?")
        return _tr(source).format(minutes=minutes) if source else str(detail)
    if anomaly.kind is AnomalyKind.REPEATED_RED:
        return _tr(REPEATED_DETAIL).format(count=detail.get("count", "?"))
    if anomaly.kind is AnomalyKind.OPEN_AFTER_EXPIRY:
        return _tr(EXPIRED_DETAIL)
    reason = detail.get("reason")
    return reason_text(str(reason)) if reason else ""


def serial_text(serial: str | None) -> str:
    """A serial in groups of four (as printed on the pass), or '' when there is none."""
    if not serial:
        return ""
    try:
        return human_serial(serial)
    except ValueError:
        return serial


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The city-time instants from ``first``'s midnight to just before ``last``'s next one."""
    start = datetime(first.year, first.month, first.day, tzinfo=LOCAL_TZ)
    end = datetime(last.year, last.month, last.day, tzinfo=LOCAL_TZ) + timedelta(days=1)
    return start, end - timedelta(milliseconds=1)


@dataclass(frozen=True)
class Request:
    """One page of anomalies asked of the worker, for generation ``generation`` of the list."""

    generation: int
    query: AnomalyQuery


@dataclass(frozen=True)
class Answer:
    """The worker's answer to a ``Request``: its page, or the error it raised."""

    generation: int
    offset: int
    page: Page[Anomaly] | None = None
    error: Exception | None = None


class AnomalyWorker(StoreWorker):
    """Reads pages of anomalies on a connection of its own; ``answered`` carries an ``Answer``
    for each ``Request`` served (the newest of those waiting: older ones are stale)."""

    answered = Signal(object)  # Answer

    def __init__(
        self, open_reader: ReaderFactory, clock: Clock, user: User, parent: QObject | None = None
    ) -> None:
        super().__init__(open_reader, "anomaly list", parent)
        self._clock = clock
        self._user = user

    def begin(self, store: Store) -> None:
        self._service = SupervisionService(store, self._clock)

    def handle(self, request: object) -> None:
        assert isinstance(request, Request)
        page = self._service.anomalies(self._user, request.query)
        self.answered.emit(Answer(request.generation, request.query.offset, page))

    def handle_failed(self, request: object, error: Exception) -> None:
        assert isinstance(request, Request)
        self.answered.emit(Answer(request.generation, request.query.offset, error=error))


def _end(worker: AnomalyWorker) -> None:
    """Ask ``worker`` to end, unless it has ended (and Qt has deleted it) already."""
    if shiboken6.isValid(worker) and worker in running_workers().running:
        worker.requestInterruption()


class AnomalyTableModel(BadgeTableModel):
    """A ``BadgeTableModel`` whose pages come back later when ``submit`` is given.

    ``submit(generation, query)`` sends the query away; ``answer`` takes the result. ``busy``
    tells whether a page is awaited; ``busy_changed`` says when that changes. Without
    ``submit`` it fetches synchronously, exactly as its base class.
    """

    busy_changed = Signal(bool)
    failed = Signal(object)  # the exception of the newest query

    def __init__(
        self,
        columns: list[Column],
        fetch: Callable[[SearchQuery], Page[Any]],
        submit: Callable[[int, SearchQuery], None] | None = None,
    ) -> None:
        super().__init__(columns, fetch)
        self._submit = submit
        self.generation = 0
        self._pending: int | None = None  # the offset of the page awaited

    @property
    def busy(self) -> bool:
        """Whether a page is awaited."""
        return self._pending is not None

    @property
    def reloading(self) -> bool:
        """Whether the first page of a new query is awaited (not just more rows)."""
        return self._pending == 0

    def reload(self) -> None:
        if self._submit is None:
            super().reload()
            return
        self.generation += 1
        self._ask(0)

    def canFetchMore(self, parent: Index) -> bool:
        return self._pending is None and super().canFetchMore(parent)

    def fetchMore(self, parent: Index) -> None:
        if self._submit is None:
            super().fetchMore(parent)
        elif not parent.isValid() and self._pending is None:
            self._ask(len(self._rows))

    def _ask(self, offset: int) -> None:
        assert self._submit is not None
        was_busy = self.busy
        self._pending = offset
        self._submit(self.generation, replace(self._query, offset=offset))
        if not was_busy:
            self.busy_changed.emit(True)

    def answer(self, answer: Answer) -> None:
        """Show ``answer`` if it is the one awaited (a stale one is dropped)."""
        if answer.generation != self.generation or answer.offset != self._pending:
            return
        self._pending = None
        if answer.page is None:
            self.busy_changed.emit(False)
            self.failed.emit(answer.error)
            return
        page = answer.page
        if answer.offset == 0:
            self.beginResetModel()
            self._rows = list(page.rows)
            self._total = page.total
            self.endResetModel()
        elif not page.rows:
            self._total = len(self._rows)
        else:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self.busy_changed.emit(False)


class AnomaliesPage(ListPage):
    """The anomaly list; see the module docstring.

    ``navigate_requested("trace", plate)`` asks the main window to open a vehicle's trace.
    """

    screen_id = SCREEN_ID
    navigate_requested = Signal(str, object)

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        self._names = {point.code: point.name for point in services.registry.list_checkpoints(user)}
        columns: list[Column] = [
            Column(self.tr("Time"), lambda a: local_time(a.at)),
            BadgeColumn(
                self.tr("Kind"), lambda a: kind_name(a.kind), colors=lambda a: kind_colors(a.kind)
            ),
            Column(self.tr("Plate"), lambda a: a.plate or ""),
            Column(self.tr("Detail"), anomaly_detail),
            Column(self.tr("Checkpoint"), self._checkpoint_text),
            Column(self.tr("Pass serial"), lambda a: serial_text(a.serial)),
            Column(self.tr("Handled by"), lambda a: a.acknowledged.by if a.acknowledged else ""),
            Column(
                self.tr("Handled at"),
                lambda a: local_time(a.acknowledged.at) if a.acknowledged else "",
            ),
            Column(self.tr("Note"), lambda a: a.acknowledged.note if a.acknowledged else ""),
        ]
        self.worker: AnomalyWorker | None = None
        self._open_reader = store_reader(services)
        self._select_row: int | None = None  # selected again once the reloaded rows are in
        submit = self._submit if self._open_reader is not None else None
        model = AnomalyTableModel(columns, self._fetch, submit)
        super().__init__(self.tr("Anomalies"), model, parent)
        self.model: AnomalyTableModel = model
        self.search.setPlaceholderText(self.tr("Plate or pass serial…"))
        self.search.setMinimumWidth(200)
        self.table.horizontalHeader().setSortIndicatorShown(False)  # always newest first
        self._build_filters()

        self.message = QLabel()
        self.message.setObjectName("anomalyMessage")
        self.message.setStyleSheet(f"color: {DONE_COLOR}; margin-left: 16px;")
        self.actions.insertWidget(0, self.message)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName("anomalyBusy")
        self.busy_bar.setRange(0, 0)  # indeterminate: a query has no progress to report
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setMaximumHeight(12)
        self.busy_bar.hide()
        self.actions.insertWidget(0, self.busy_bar)
        model.busy_changed.connect(self._show_busy)
        model.failed.connect(self._show_failure)
        model.modelReset.connect(self._reselect)
        self.trace_button = self.add_row_action(self.tr("Open trace"), self.open_trace)
        self.acknowledge_button = None
        if allowed(user, Action.ACKNOWLEDGE_ANOMALY):
            button = self.add_action(self.tr("Acknowledge…"), self.acknowledge_selected)
            button.setObjectName("acknowledgeButton")
            button.setEnabled(False)
            self.acknowledge_button = button
            self.table.selectionModel().selectionChanged.connect(self._on_selection)
            self.model.modelReset.connect(self._on_selection)
        self.model.modelReset.connect(self._cap_column_widths)

    # -- filters ----------------------------------------------------------------------

    def _build_filters(self) -> None:
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kindFilter")
        # Qt keeps a StrEnum as a plain str: the combos hold the codes.
        self.kind_combo.addItem(self.tr("All kinds"), "")
        for kind in AnomalyKind:
            self.kind_combo.addItem(kind_name(kind), kind.value)
        self.state_combo = QComboBox()
        self.state_combo.setObjectName("stateFilter")
        for state in (AckFilter.OPEN, AckFilter.ACKNOWLEDGED, AckFilter.ALL):
            self.state_combo.addItem(_tr(STATE_NAMES[state]), state.value)
        today = local_day(self.services.supervision.clock())
        first = local_day(self.services.supervision.clock() - DEFAULT_WINDOW)
        self.date_from = self._date_edit("dateFrom", first)
        self.date_to = self._date_edit("dateTo", today)
        self.date_from.dateChanged.connect(self.date_to.setMinimumDate)
        self.date_to.dateChanged.connect(self.date_from.setMaximumDate)
        self.date_to.setMinimumDate(self.date_from.date())
        self.date_from.setMaximumDate(self.date_to.date())
        row = [
            self.kind_combo,
            self.state_combo,
            QLabel(self.tr("From")),
            self.date_from,
            QLabel(self.tr("to")),
            self.date_to,
        ]
        for offset, widget in enumerate(row):
            self.top_row.insertWidget(2 + offset, widget)
        for combo in (self.kind_combo, self.state_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self.refresh())

    def _date_edit(self, name: str, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def selected_kind(self) -> AnomalyKind | None:
        """The kind chosen in the filter (None: all kinds)."""
        code = self.kind_combo.currentData()
        return AnomalyKind(code) if code else None

    def query(self, text: str = "", limit: int = 200, offset: int = 0) -> AnomalyQuery:
        """The service query of the filters as they stand."""
        kind = self.selected_kind()
        first = self.date_from.date().toPython()
        last = self.date_to.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        since, until = day_range(first, last)
        return AnomalyQuery(
            kinds=(kind,) if kind is not None else (),
            since=since,
            until=until,
            text=text,
            state=AckFilter(self.state_combo.currentData()),
            limit=limit,
            offset=offset,
        )

    def _fetch(self, query: SearchQuery) -> Page[Anomaly]:
        return self.services.supervision.anomalies(
            self.user, self.query(query.text, query.limit, query.offset)
        )

    def _submit(self, generation: int, query: SearchQuery) -> None:
        # The filters are read here, on the GUI thread; the worker gets a frozen query.
        if self.worker is None:
            assert self._open_reader is not None
            worker = AnomalyWorker(self._open_reader, self.services.supervision.clock, self.user)
            worker.answered.connect(self._answered)
            running_workers().add(worker)  # the application stops it when it quits
            # Closing or deleting the page ends the thread (the lambda holds no page).
            self.destroyed.connect(lambda *_args: _end(worker))
            worker.start()
            self.worker = worker
        self.worker.submit(Request(generation, self.query(query.text, query.limit, query.offset)))

    def stop_worker(self) -> None:
        """End the worker thread (after its current query; the application waits for it)."""
        if self.worker is not None:
            worker, self.worker = self.worker, None
            worker.answered.disconnect(self._answered)
            worker.requestInterruption()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_worker()
        super().closeEvent(event)

    @Slot(object)
    def _answered(self, answer: Answer) -> None:
        if self.sender() is self.worker:
            self.model.answer(answer)

    @Slot(bool)
    def _show_busy(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy)
        if busy and not self.model.reloading:
            return  # more rows of the same list: the count stays
        if busy:
            self.count.setText(self.tr("Searching…"))
        else:
            self._on_reset()

    @Slot(object)
    def _show_failure(self, error: object) -> None:
        reason = error_message(error) if isinstance(error, Exception) else str(error)
        self._select_row = None
        self.message.setStyleSheet(f"color: {ERROR_COLOR}; margin-left: 16px;")
        self.message.setText(self.tr("Search failed: {reason}").format(reason=reason))

    def _reselect(self) -> None:
        row, self._select_row = self._select_row, None
        if row is not None and self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))

    def open_with(self, argument: object) -> None:
        """Show the not-yet-handled anomalies of the last days, of one kind if given."""
        kind = argument if isinstance(argument, AnomalyKind) else None
        blockers = [QSignalBlocker(w) for w in (self.kind_combo, self.state_combo)]
        blockers += [QSignalBlocker(w) for w in (self.date_from, self.date_to)]
        self.kind_combo.setCurrentIndex(
            max(0, self.kind_combo.findData(kind.value if kind else ""))
        )
        self.state_combo.setCurrentIndex(self.state_combo.findData(AckFilter.OPEN.value))
        now = self.services.supervision.clock()
        first, today = local_day(now - DEFAULT_WINDOW), local_day(now)
        self.date_from.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date_to.setMinimumDate(QDate(first.year, first.month, first.day))
        self.date_from.setDate(QDate(first.year, first.month, first.day))
        self.date_to.setDate(QDate(today.year, today.month, today.day))
        del blockers
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        # Anomalies come and go with every scan: read them again whenever the screen opens.
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.message.clear()
        self.message.setStyleSheet(f"color: {DONE_COLOR}; margin-left: 16px;")
        # Not-yet-handled anomalies have nobody, no time and no note: room for the detail.
        handled = AckFilter(self.state_combo.currentData()) is not AckFilter.OPEN
        for column in HANDLED_COLUMNS:
            self.table.setColumnHidden(column, not handled)
        super().refresh()

    # -- rows -------------------------------------------------------------------------

    def _checkpoint_text(self, anomaly: Anomaly) -> str:
        if not anomaly.checkpoint:
            return ""
        name = self._names.get(anomaly.checkpoint, "")
        return f"{anomaly.checkpoint} {name}".strip()

    def _cap_column_widths(self) -> None:
        # The detail says what is wrong: it gets the room; the serial is elided (the trace
        # shows it whole).
        for column in range(self.model.columnCount()):
            cap = DETAIL_COLUMN_PX if column == DETAIL_COLUMN else MAX_COLUMN_PX
            if column == SERIAL_COLUMN:
                cap = SERIAL_COLUMN_PX
            if self.table.columnWidth(column) > cap:
                self.table.setColumnWidth(column, cap)

    def _on_selection(self, *_args: object) -> None:
        record = self.selected_record()
        if self.acknowledge_button is not None:
            self.acknowledge_button.setEnabled(record is not None and record.acknowledged is None)

    def open_trace(self, anomaly: Anomaly) -> None:
        """Ask for the trace of the anomaly's vehicle (its plate, else its pass)."""
        target = anomaly.plate or anomaly.serial
        if target:
            self.navigate_requested.emit("trace", target)

    # -- acknowledging ----------------------------------------------------------------

    def acknowledge_selected(self) -> None:
        """Acknowledge the selected anomaly with a note (a dialog; Enter saves)."""
        anomaly = self.selected_record()
        if anomaly is None or anomaly.acknowledged is not None:
            return
        dialog = self.acknowledge_dialog(anomaly)
        if dialog.exec():
            row = self.table.selectionModel().selectedRows()[0].row()
            self.refresh()
            self._select_row = row
            if not self.model.busy:  # read here already (an in-memory database)
                self._reselect()
            self.message.setText(
                self.tr("Acknowledged: {kind} {plate}").format(
                    kind=kind_name(anomaly.kind), plate=anomaly.plate or ""
                )
            )

    def acknowledge_dialog(self, anomaly: Anomaly) -> FormDialog:
        """The note dialog for ``anomaly``; saving calls the service (errors under the note)."""
        dialog = FormDialog(self.tr("Acknowledge anomaly"), self)
        vehicle = anomaly.plate or serial_text(anomaly.serial)
        what = QLabel(f"{kind_name(anomaly.kind)} · {vehicle}\n{anomaly_detail(anomaly)}")
        what.setObjectName("anomalySummary")
        what.setWordWrap(True)
        dialog.add_field("anomaly", self.tr("Anomaly"), what)
        dialog.add_line(
            "note",
            self.tr("Note"),
            placeholder=self.tr("What was done, e.g. called the driver; truck now at the site"),
        )
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(self.tr("Acknowledge"))
        dialog.set_submit(
            lambda d: self.services.supervision.acknowledge(
                self.user, anomaly.kind, anomaly.subject, d.text("note")
            )
        )
        return dialog
