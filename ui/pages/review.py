"""The reviewer's queue: submitted applications, oldest first; approve one or several, or
reject one with a reason the clerk will see.

Beside the queue, the selected application's earlier trips — of the same vehicle and of the
same driver — so a reviewer sees a truck that was rejected last week before approving it
again. Two reviewers may work the queue at once: the service lets exactly one decision win,
and the loser is told so and gets a fresh queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.errors import (
    DomainError,
    InvalidState,
    NotFound,
    PermissionDenied,
    StorageBusy,
    StorageFull,
)
from core.models import ApplicationStatus, ApplicationView, Page, RiskLevel, User
from core.pass_document import human_serial
from core.ports import ApplicationQuery, SearchQuery
from core.services import Services
from ui.form_dialog import FormDialog
from ui.formatting import day
from ui.list_page import ListPage
from ui.messages import error_message, name_of
from ui.pages.fleet import local_time
from ui.table_model import Column, Index, RecordTableModel

CONTEXT = "ReviewQueuePage"

# (text colour, background colour) of the risk badge; low risk stays plain.
RISK_COLORS: dict[RiskLevel, tuple[str, str] | None] = {
    RiskLevel.LOW: None,
    RiskLevel.MEDIUM: ("#4e3400", "#ffc94d"),  # amber
    RiskLevel.HIGH: ("#ffffff", "#c62828"),  # red
}

STATUS_NAMES = {
    ApplicationStatus.DRAFT: QT_TRANSLATE_NOOP("ReviewQueuePage", "Draft"),
    ApplicationStatus.SUBMITTED: QT_TRANSLATE_NOOP("ReviewQueuePage", "Waiting for review"),
    ApplicationStatus.APPROVED: QT_TRANSLATE_NOOP("ReviewQueuePage", "Approved"),
    ApplicationStatus.REJECTED: QT_TRANSLATE_NOOP("ReviewQueuePage", "Rejected"),
    ApplicationStatus.WITHDRAWN: QT_TRANSLATE_NOOP("ReviewQueuePage", "Withdrawn"),
}
# Drafts are the clerk's business until submitted; the history shows the rest.
HISTORY_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)
HISTORY_LIMIT = 20
DECIDED_ELSEWHERE = QT_TRANSLATE_NOOP(
    "ReviewQueuePage",
    "Another reviewer has already decided this application. The queue has been refreshed.",
)
MAX_COLUMN_PX = 170
# What a refusal in a bulk approval means, for the codes approval can give.
_REFUSALS: dict[str, type[DomainError]] = {
    error.code: error
    for error in (InvalidState, NotFound, PermissionDenied, StorageBusy, StorageFull)
}


def risk_colors(risk: RiskLevel) -> tuple[str, str] | None:
    """The badge colours of ``risk`` (None: no badge)."""
    return RISK_COLORS[risk]


@dataclass(frozen=True)
class BadgeColumn(Column):
    """A column whose cells are coloured by their record, like a badge.

    ``colors(record)`` gives (text colour, background colour), or None for a plain cell.
    """

    colors: Callable[[Any], tuple[str, str] | None] = lambda _record: None


class BadgeTableModel(RecordTableModel):
    """A ``RecordTableModel`` that colours its ``BadgeColumn`` cells (foreground and
    background roles, so a delegate, the style sheet and screen readers all see it)."""

    def __init__(
        self,
        columns: list[Column],
        fetch: Callable[[SearchQuery], Page[Any]],
        base_query: SearchQuery | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(columns, fetch, base_query, parent)
        self._badges = {
            number: column
            for number, column in enumerate(columns)
            if isinstance(column, BadgeColumn)
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        badge = self._badges.get(index.column()) if index.isValid() else None
        if badge is None or index.row() >= self.rowCount():
            return super().data(index, role)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            colors = badge.colors(self.record(index.row()))
            if colors is None:
                return None
            foreground, background = colors
            return QColor(foreground if role == Qt.ItemDataRole.ForegroundRole else background)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return super().data(index, role)


def application_status_name(status: ApplicationStatus) -> str:
    """The translated name of an application status."""
    return QCoreApplication.translate(CONTEXT, STATUS_NAMES[status])


class ReviewQueuePage(ListPage):
    """Submitted applications, oldest first, with their vehicle's and driver's history."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        self._risk_only = False
        columns: list[Column] = [
            Column(self.tr("Filed"), lambda a: local_time(a.application.created_at)),
            Column(self.tr("Plate"), lambda a: a.plate),
            Column(self.tr("Driver"), lambda a: a.driver_name),
            Column(self.tr("Enterprise"), lambda a: a.enterprise_name),
            Column(
                self.tr("Whitelist"),
                lambda a: self.tr("Supply whitelist") if a.enterprise_whitelisted else "",
            ),
            Column(self.tr("Origin"), lambda a: a.region_name),
            BadgeColumn(
                self.tr("Risk"),
                lambda a: name_of(a.risk.value),
                colors=lambda a: RISK_COLORS[a.risk],
            ),
            Column(self.tr("Planned arrival"), lambda a: local_time(a.application.planned_arrival)),
            Column(self.tr("Cargo"), lambda a: a.application.cargo),
        ]
        super().__init__(self.tr("Review queue"), BadgeTableModel(columns, self._fetch), parent)
        self.search.setPlaceholderText(self.tr("Plate, driver or enterprise…"))
        self.search.setMinimumWidth(240)
        self.risk_only = QCheckBox(self.tr("Risk origin only"))
        self.risk_only.setObjectName("riskOnly")
        self.risk_only.setToolTip(self.tr("Only applications from medium- or high-risk regions"))
        self.risk_only.toggled.connect(self._on_risk_only)
        self.top_row.insertWidget(2, self.risk_only)

        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # First come, first served: the queue's order is fixed, so headers do not sort.
        self.table.horizontalHeader().setSortIndicatorShown(False)
        self._build_history_panel()

        self.note = QLabel()
        self.note.setObjectName("decisionNote")
        self.note.setStyleSheet("color: #2e7d32; margin-left: 16px;")
        self.actions.insertWidget(0, self.note)
        self.reject_button = self.add_action(self.tr("Reject…"), self.reject)
        self.approve_many_button = self.add_action(
            self.tr("Approve selected"), self.approve_selected
        )
        self.approve_button = self.add_action(self.tr("Approve"), self.approve)
        self.approve_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.approve_button.setToolTip("Ctrl+Enter")
        # The keypad's Enter is a different key from Return; both approve.
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.approve_button.click)

        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.modelReset.connect(self._on_selection)
        self.model.modelReset.connect(self._cap_column_widths)
        self.refresh()

    # -- loading ----------------------------------------------------------------------

    def _fetch(self, query: SearchQuery) -> Page[ApplicationView]:
        full = ApplicationQuery(
            text=query.text, limit=query.limit, offset=query.offset, risk_only=self._risk_only
        )
        return self.services.applications.queue(self.user, full)

    def _on_risk_only(self, checked: bool) -> None:
        self._risk_only = checked
        self.refresh()

    def selected_records(self) -> list[ApplicationView]:
        """The selected applications, top to bottom."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.record(row) for row in rows]

    def _on_selection(self, *_args: object) -> None:
        count = len(self.table.selectionModel().selectedRows())
        self.approve_button.setEnabled(count == 1)
        self.reject_button.setEnabled(count == 1)
        self.approve_many_button.setEnabled(count >= 1)
        self._guarded(self._show_history)

    def _cap_column_widths(self) -> None:
        # Long enterprise and region names would push the cargo column out of sight; they
        # are elided here and shown in full in the side panel.
        for column in range(self.model.columnCount()):
            if self.table.columnWidth(column) > MAX_COLUMN_PX:
                self.table.setColumnWidth(column, MAX_COLUMN_PX)

    def _refresh_keeping_place(self, row: int) -> None:
        """Reload, and select the row that moved into ``row`` so work goes on by keyboard."""
        self.refresh()
        if self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))

    # -- the history panel ------------------------------------------------------------

    def _build_history_panel(self) -> None:
        panel = QWidget()
        panel.setObjectName("historyPanel")
        panel.setMinimumWidth(280)
        column = QVBoxLayout(panel)
        column.setContentsMargins(8, 0, 0, 0)
        heading = QLabel(self.tr("Earlier trips"))
        heading.setObjectName("panelTitle")
        heading.setStyleSheet("font-weight: 600; font-size: 16px;")
        self.summary = QLabel()
        self.summary.setObjectName("selectionSummary")
        self.summary.setWordWrap(True)
        self.vehicle_heading = QLabel()
        self.vehicle_trips = QListWidget()
        self.vehicle_trips.setObjectName("vehicleTrips")
        self.driver_heading = QLabel()
        self.driver_trips = QListWidget()
        self.driver_trips.setObjectName("driverTrips")
        for widget in (heading, self.summary, self.vehicle_heading):
            column.addWidget(widget)
        column.addWidget(self.vehicle_trips, 1)
        column.addWidget(self.driver_heading)
        column.addWidget(self.driver_trips, 1)

        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        position = layout.indexOf(self.table)
        layout.removeWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([820, 300])
        layout.insertWidget(position, self.splitter, 1)

    def _show_history(self) -> None:
        records = self.selected_records()
        self.vehicle_trips.clear()
        self.driver_trips.clear()
        if len(records) != 1:
            self.vehicle_heading.setText(self.tr("Same vehicle"))
            self.driver_heading.setText(self.tr("Same driver"))
            self.summary.setText(
                self.tr("{count} applications selected.").format(count=len(records))
                if records
                else self.tr("Select an application to see its vehicle's and driver's trips.")
            )
            return
        view = records[0]
        application = view.application
        self.summary.setText(
            self.tr("{enterprise}\nFrom {origin}, carrying {cargo}").format(
                enterprise=view.enterprise_name, origin=view.region_name, cargo=application.cargo
            )
        )
        self.vehicle_heading.setText(self.tr("Same vehicle ({plate})").format(plate=view.plate))
        self.driver_heading.setText(self.tr("Same driver ({name})").format(name=view.driver_name))
        self._fill(self.vehicle_trips, view, ApplicationQuery(vehicle_id=application.vehicle_id))
        self._fill(self.driver_trips, view, ApplicationQuery(driver_id=application.driver_id))

    def _fill(self, target: QListWidget, current: ApplicationView, query: ApplicationQuery) -> None:
        """List the applications matching ``query`` except ``current``, newest first."""
        page = self.services.applications.search(
            self.user,
            replace(
                query,
                sort="created_at",
                descending=True,
                limit=HISTORY_LIMIT + 1,
                statuses=HISTORY_STATUSES,
            ),
        )
        others = [v for v in page.rows if v.application.id != current.application.id]
        shown = others[:HISTORY_LIMIT]
        for view in shown:
            application = view.application
            arrival = day(application.planned_arrival)
            item = QListWidgetItem(
                f"{arrival}  {application_status_name(application.status)}  "
                f"{view.plate} · {view.driver_name}"
            )
            item.setData(Qt.ItemDataRole.UserRole, application.id)
            tip = f"{view.region_name} · {application.cargo}"
            if application.decision_reason:
                tip += "\n" + application.decision_reason
            item.setToolTip(tip)
            if application.status is ApplicationStatus.REJECTED:
                item.setForeground(QColor("#c62828"))
            target.addItem(item)
        # ``current`` always matches (same vehicle or driver, a listed status): not counted.
        hidden = page.total - 1 - len(shown)
        if not shown:
            self._placeholder(target, self.tr("No other trips"))
        elif hidden > 0:
            self._placeholder(target, self.tr("… and {count} more").format(count=hidden))

    @staticmethod
    def _placeholder(target: QListWidget, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        target.addItem(item)

    # -- decisions --------------------------------------------------------------------

    def _single(self) -> tuple[int, ApplicationView] | None:
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            return None
        return rows[0].row(), self.model.record(rows[0].row())

    def approve(self) -> None:
        """Approve the selected application; its pass is issued at once."""
        chosen = self._single()
        if chosen is None:
            return
        row, view = chosen
        try:
            issued = self.services.passes.approve(self.user, view.application.id)
        except InvalidState:
            self._decided_elsewhere(row)
            return
        self.note.setText(
            self.tr("Approved {plate}: pass {serial}").format(
                plate=view.plate, serial=human_serial(issued.serial)
            )
        )
        self._refresh_keeping_place(row)

    def approve_selected(self) -> None:
        """Approve every selected application; report the ones that could not be, at once."""
        views = self.selected_records()
        if not views:
            return
        plates = {view.application.id: view.plate for view in views}
        first = min(index.row() for index in self.table.selectionModel().selectedRows())
        result = self.services.passes.approve_many(self.user, list(plates))
        self._refresh_keeping_place(first)
        self.note.setText(
            self.tr("Approved {count} applications.").format(count=len(result.issued))
        )
        if result.refused:
            lines = [
                self.tr("{plate}: {reason}").format(
                    plate=plates.get(application_id, str(application_id)),
                    reason=self._refusal(code),
                )
                for application_id, code in result.refused
            ]
            QMessageBox.warning(
                self,
                self.title,
                self.tr("{issued} approved, {refused} not approved:").format(
                    issued=len(result.issued), refused=len(result.refused)
                )
                + "\n\n"
                + "\n".join(lines),
            )

    def _refusal(self, code: str) -> str:
        if code == InvalidState.code:
            return self.tr("already decided by another reviewer")
        error = _REFUSALS.get(code)
        return error_message(error()) if error else code

    def reject(self) -> None:
        """Ask for a reason and reject the selected application."""
        chosen = self._single()
        if chosen is None:
            return
        row, view = chosen
        dialog = FormDialog(self.tr("Reject application"), self)
        intro = QLabel(
            self.tr("Reject {plate} ({enterprise})? The clerk will see the reason.").format(
                plate=view.plate, enterprise=view.enterprise_name
            )
        )
        intro.setWordWrap(True)
        dialog.layout_.insertWidget(0, intro)
        dialog.add_line(
            "reason", self.tr("Reason"), placeholder=self.tr("e.g. cargo does not match the filing")
        )
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Reject"))
        lost: list[bool] = []

        def submit(form: FormDialog) -> None:
            try:
                self.services.applications.reject(
                    self.user, view.application.id, form.text("reason")
                )
            except InvalidState:
                lost.append(True)  # nothing to correct in the form: close it and say why

        dialog.set_submit(submit)
        if not dialog.exec():
            return
        if lost:
            self._decided_elsewhere(row)
            return
        self.note.setText(self.tr("Rejected {plate}.").format(plate=view.plate))
        self._refresh_keeping_place(row)

    def _decided_elsewhere(self, row: int) -> None:
        self._refresh_keeping_place(row)
        QMessageBox.warning(
            self, self.title, QCoreApplication.translate(CONTEXT, DECIDED_ELSEWHERE)
        )
