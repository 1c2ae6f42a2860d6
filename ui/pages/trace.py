"""Vehicle trace: find the passes of a plate, a pass serial or a driver (name, phone or ID
number), and see for the chosen pass where the truck has been — a diagram of its loop with
each point done, next, pending or missed, and every scan in order (time, checkpoint,
verdict, reason, operator).

A search by driver looks up personal data; the service audits it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError
from core.models import CheckpointKind, Page, User, Verdict
from core.ports import SearchQuery
from core.services import Services
from core.supervision import LoopPoint, PassTrace, PointState, Trace, TraceScan
from core.validation import ValidationError
from ui import formatting
from ui.messages import error_message, validation_message
from ui.pages.anomalies import serial_text
from ui.pages.passes import STATUS_COLORS, status_name
from ui.pages.review import BadgeColumn, BadgeTableModel
from ui.pages.station import VERDICT_COLORS, reason_text, verdict_word
from ui.table_model import Column

CONTEXT = "TracePage"
SCREEN_ID = "trace"
ERROR_STYLE = "color: #c62828;"

STEP_NAMES = {
    "GATE_IN": QT_TRANSLATE_NOOP("TracePage", "Gate (in)"),
    "ENTERPRISE": QT_TRANSLATE_NOOP("TracePage", "Enterprise"),
    "ISOLATION": QT_TRANSLATE_NOOP("TracePage", "Isolation point"),
    "GATE_OUT": QT_TRANSLATE_NOOP("TracePage", "Gate (out)"),
}
STATE_NAMES = {
    PointState.DONE: QT_TRANSLATE_NOOP("TracePage", "Done"),
    PointState.NEXT: QT_TRANSLATE_NOOP("TracePage", "Next"),
    PointState.PENDING: QT_TRANSLATE_NOOP("TracePage", "Pending"),
    PointState.MISSED: QT_TRANSLATE_NOOP("TracePage", "Missed"),
}
ANY_GATE = QT_TRANSLATE_NOOP("TracePage", "any gate")
ANY_ISOLATION = QT_TRANSLATE_NOOP("TracePage", "the isolation point")

DONE_COLOR = "#2e7d32"
NEXT_COLOR = "#1565c0"
PENDING_COLOR = "#90a4ae"
MISSED_COLOR = "#c62828"
STATE_COLORS = {
    PointState.DONE: DONE_COLOR,
    PointState.NEXT: NEXT_COLOR,
    PointState.PENDING: PENDING_COLOR,
    PointState.MISSED: MISSED_COLOR,
}
TEXT_COLOR = "#263238"


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def step_name(step: str) -> str:
    """The translated name of a loop point (GATE_IN, ENTERPRISE, ISOLATION, GATE_OUT)."""
    source = STEP_NAMES.get(step)
    return _tr(source) if source else step


def state_name(state: PointState) -> str:
    """Done / next / pending / missed, translated."""
    return _tr(STATE_NAMES[state])


def verdict_colors(verdict: Verdict) -> tuple[str, str]:
    """(text colour, background colour) of a verdict badge: the station's colours."""
    background, text = VERDICT_COLORS[verdict]
    return text, background


class LoopDiagram(QWidget):
    """The loop of one pass: a circle per point with arrows between them.

    Green filled with a tick: done (with where and when); blue ring: next; grey ring:
    pending; red ring with a cross: missed. ``states()`` gives what is drawn.
    """

    RADIUS = 20

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: tuple[LoopPoint, ...] = ()
        self.names: dict[str, str] = {}
        self.setObjectName("loopDiagram")
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(720, 170)

    def set_loop(self, points: tuple[LoopPoint, ...], names: dict[str, str]) -> None:
        """Show ``points``; ``names`` maps checkpoint codes to names."""
        self.points = points
        self.names = names
        self.update()

    def states(self) -> tuple[PointState, ...]:
        """The state of each point, in route order."""
        return tuple(point.state for point in self.points)

    def _place(self, point: LoopPoint) -> str:
        code = point.done_at_code or point.checkpoint_code
        if code:
            return f"{code} {self.names.get(code, '')}".strip()
        if point.kind is CheckpointKind.GATE:
            return _tr(ANY_GATE)
        return _tr(ANY_ISOLATION)

    def _when(self, point: LoopPoint) -> str:
        if point.state is PointState.DONE and point.at is not None:
            return formatting.short_date_time(point.at)
        return state_name(point.state)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if not self.points:
            painter.end()
            return
        count = len(self.points)
        margin = max(80.0, self.width() / (2 * count))
        gap = (self.width() - 2 * margin) / max(1, count - 1)
        centres = [
            QPointF(margin + gap * i if count > 1 else self.width() / 2, 20 + self.RADIUS)
            for i in range(count)
        ]
        for index in range(count - 1):
            both_done = all(p.state is PointState.DONE for p in self.points[index : index + 2])
            self._arrow(painter, centres[index], centres[index + 1], both_done)
        base = QFont(self.font())
        base.setPixelSize(13)
        bold = QFont(base)
        bold.setBold(True)
        bold.setPixelSize(14)
        column = min(gap if count > 1 else self.width(), 2 * margin) - 8
        for point, centre in zip(self.points, centres, strict=True):
            self._circle(painter, point.state, centre)
            lines = [
                (bold, TEXT_COLOR, step_name(point.step)),
                (base, TEXT_COLOR, self._place(point)),
                (base, STATE_COLORS[point.state], self._when(point)),
            ]
            y = centre.y() + self.RADIUS + 8
            for font, color, text in lines:
                metrics = QFontMetrics(font)
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(column))
                painter.setFont(font)
                painter.setPen(QColor(color))
                painter.drawText(
                    QRectF(centre.x() - column / 2, y, column, metrics.height()),
                    Qt.AlignmentFlag.AlignHCenter,
                    shown,
                )
                y += metrics.height() + 2
        self._legend(painter, base)
        painter.end()

    def _circle(self, painter: QPainter, state: PointState, centre: QPointF) -> None:
        radius = self.RADIUS
        color = QColor(STATE_COLORS[state])
        if state is PointState.DONE:
            painter.setPen(QPen(color, 2))
            painter.setBrush(QBrush(color))
            painter.drawEllipse(centre, radius, radius)
            painter.setPen(
                QPen(
                    QColor("#ffffff"),
                    3,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
            )
            painter.drawPolyline(
                QPolygonF(
                    [
                        centre + QPointF(-9, 0),
                        centre + QPointF(-3, 7),
                        centre + QPointF(9, -7),
                    ]
                )
            )
            return
        painter.setBrush(QBrush(QColor("#ffffff")))
        painter.setPen(QPen(color, 4 if state is PointState.NEXT else 2))
        painter.drawEllipse(centre, radius, radius)
        if state is PointState.MISSED:
            painter.setPen(QPen(color, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            arm = radius * 0.45
            painter.drawLine(centre + QPointF(-arm, -arm), centre + QPointF(arm, arm))
            painter.drawLine(centre + QPointF(-arm, arm), centre + QPointF(arm, -arm))

    def _arrow(self, painter: QPainter, start: QPointF, end: QPointF, done: bool) -> None:
        color = QColor(DONE_COLOR if done else PENDING_COLOR)
        begin = start + QPointF(self.RADIUS + 6, 0)
        tip = end - QPointF(self.RADIUS + 6, 0)
        style = Qt.PenStyle.SolidLine if done else Qt.PenStyle.DashLine
        painter.setPen(QPen(color, 2, style))
        painter.drawLine(begin, tip - QPointF(6, 0))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(color))
        painter.drawPolygon(QPolygonF([tip, tip + QPointF(-11, -6), tip + QPointF(-11, 6)]))

    def _legend(self, painter: QPainter, font: QFont) -> None:
        metrics = QFontMetrics(font)
        painter.setFont(font)
        x = 12.0
        y = self.height() - metrics.height() / 2 - 6
        for state in PointState:
            radius = 7.0
            centre = QPointF(x + radius, y)
            color = QColor(STATE_COLORS[state])
            painter.setBrush(QBrush(color if state is PointState.DONE else QColor("#ffffff")))
            painter.setPen(QPen(color, 3 if state is PointState.NEXT else 2))
            painter.drawEllipse(centre, radius, radius)
            if state is PointState.MISSED:
                painter.drawLine(centre + QPointF(-3, -3), centre + QPointF(3, 3))
                painter.drawLine(centre + QPointF(-3, 3), centre + QPointF(3, -3))
            label = state_name(state)
            painter.setPen(QColor(TEXT_COLOR))
            painter.drawText(QPointF(x + 2 * radius + 6, y + metrics.ascent() / 2 - 1), label)
            x += 2 * radius + 6 + metrics.horizontalAdvance(label) + 22


class MemoryTableModel(BadgeTableModel):
    """A badge table over a list held in memory (``set_records`` replaces it)."""

    def __init__(self, columns: list[Column], parent: QWidget | None = None) -> None:
        self._records: list[object] = []
        super().__init__(columns, self._page, parent=parent)

    def _page(self, query: SearchQuery) -> Page[object]:
        rows = self._records[query.offset : query.offset + query.limit]
        return Page(tuple(rows), len(self._records))

    def set_records(self, records: list[object]) -> None:
        """Show ``records``."""
        self._records = list(records)
        self.reload()


def _table(model: MemoryTableModel, name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    model.modelReset.connect(table.resizeColumnsToContents)
    return table


class TracePage(QWidget):
    """The trace screen; see the module docstring.

    ``open_with(text)`` searches for ``text`` (the anomaly list opens a plate this way).
    """

    screen_id = SCREEN_ID
    navigate_requested = Signal(str, object)

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.title = self.tr("Vehicle trace")
        self.trace: Trace | None = None
        self._names: dict[str, str] | None = None

        heading = QLabel(self.title)
        heading.setObjectName("pageTitle")
        self._build_search()
        self._build_results()
        self._build_detail()

        search_row = QHBoxLayout()
        search_row.addWidget(heading)
        search_row.addSpacing(24)
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.search_button)
        under = QHBoxLayout()
        under.addSpacing(heading.sizeHint().width() + 30)
        under.addWidget(self.error, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.results)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addLayout(search_row)
        layout.addLayout(under)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

    def _build_search(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("traceQuery")
        self.search.setPlaceholderText(
            self.tr("Plate, pass serial, or driver's name, phone or ID number")
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(420)
        self.search.returnPressed.connect(self.run_search)
        self.search.textEdited.connect(lambda _text: self._clear_error())
        self.search_button = QPushButton(self.tr("Search"))
        self.search_button.setObjectName("traceSearch")
        self.search_button.clicked.connect(self.run_search)
        self.error = QLabel()
        self.error.setObjectName("traceError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.message = QLabel()
        self.message.setObjectName("traceMessage")
        self.message.setWordWrap(True)

    def _build_results(self) -> None:
        self.results_model = MemoryTableModel(
            [
                Column(self.tr("Plate"), lambda t: t.issued.plate),
                Column(self.tr("Pass serial"), lambda t: serial_text(t.issued.serial)),
                BadgeColumn(
                    self.tr("Status"),
                    lambda t: status_name(t.issued.status),
                    colors=lambda t: STATUS_COLORS.get(t.issued.status),
                ),
                Column(self.tr("Enterprise"), lambda t: t.enterprise),
                Column(
                    self.tr("Valid until"),
                    lambda t: formatting.short_date_time(t.issued.valid_until),
                ),
                Column(self.tr("Driver"), lambda t: t.driver),
            ],
            self,
        )
        self.results = _table(self.results_model, "traceResults")
        self.results.selectionModel().selectionChanged.connect(lambda *_a: self._show_selected())
        self.results.setMinimumHeight(90)
        self.results.hide()

    def _build_detail(self) -> None:
        self.summary = QLabel()
        self.summary.setObjectName("traceSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.diagram = LoopDiagram()
        timeline_heading = QLabel(self.tr("Scans"))
        timeline_heading.setObjectName("sectionTitle")
        self.timeline_model = MemoryTableModel(
            [
                Column(self.tr("Time"), lambda s: formatting.date_time(s.at, seconds=True)),
                Column(self.tr("Checkpoint"), lambda s: f"{s.checkpoint_code} {s.checkpoint_name}"),
                BadgeColumn(
                    self.tr("Verdict"),
                    lambda s: verdict_word(s.verdict),
                    colors=lambda s: verdict_colors(s.verdict),
                ),
                Column(self.tr("Reason"), lambda s: reason_text(s.reason)),
                Column(self.tr("Operator"), lambda s: s.operator),
            ],
            self,
        )
        self.timeline = _table(self.timeline_model, "traceTimeline")
        self.detail = QWidget()
        column = QVBoxLayout(self.detail)
        column.setContentsMargins(0, 4, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(self.diagram)
        column.addWidget(timeline_heading)
        column.addWidget(self.timeline, 1)
        self.detail.hide()

    # -- searching --------------------------------------------------------------------

    def open_with(self, argument: object) -> None:
        """Search for ``argument`` (a plate or a serial) at once."""
        self.search.setText(str(argument))
        self.run_search()

    def run_search(self) -> None:
        """Search for what is typed; errors go under the field, never to a traceback."""
        self._clear_error()
        text = self.search.text()
        try:
            trace = self.services.supervision.trace(self.user, text)
        except ValidationError as error:
            self._show_error(validation_message(error.code, error.field))
            return
        except DomainError as error:
            self._show_error(error_message(error))
            return
        self.show_trace(trace)

    def show_trace(self, trace: Trace) -> None:
        """Show the passes found (the first one selected)."""
        self.trace = trace
        self.results_model.set_records(list(trace.passes))
        found = len(trace.passes)
        self.results.setVisible(found > 0)
        if not found:
            self.message.setStyleSheet("color: #e65100; font-size: 15px;")
            self.message.setText(
                self.tr(
                    "Not found: no pass matches “{query}”. Check the plate, the serial or the "
                    "driver's full name, phone or ID number."
                ).format(query=trace.query)
            )
            self.detail.hide()
            return
        self.message.setStyleSheet("color: #455a64;")
        self.message.setText(
            self.tr("1 pass found.")
            if found == 1
            else self.tr("{count} passes found, newest first.").format(
                count=formatting.count(found)
            )
        )
        self.results.selectRow(0)
        self._show_selected()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.search.setStyleSheet("border: 1px solid #c62828;")
        self.message.clear()

    def _clear_error(self) -> None:
        self.error.hide()
        self.search.setStyleSheet("")

    # -- the chosen pass --------------------------------------------------------------

    def selected(self) -> PassTrace | None:
        """The pass whose loop and scans are shown."""
        rows = self.results.selectionModel().selectedRows()
        if not rows:
            return None
        record = self.results_model.record(rows[0].row())
        return record if isinstance(record, PassTrace) else None

    def _checkpoint_names(self) -> dict[str, str]:
        if self._names is None:
            try:
                points = self.services.registry.list_checkpoints(self.user)
            except DomainError:
                points = []
            self._names = {point.code: point.name for point in points}
        return self._names

    def _show_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.detail.hide()
            return
        issued = chosen.issued
        names = dict(self._checkpoint_names())
        names.update({scan.checkpoint_code: scan.checkpoint_name for scan in chosen.scans})
        self.summary.setText(
            self.tr(
                "{plate}  ·  {status}  ·  {enterprise}  ·  driver {driver}  ·  {serial}"
            ).format(
                plate=issued.plate,
                status=status_name(issued.status),
                enterprise=chosen.enterprise,
                driver=chosen.driver or "—",
                serial=serial_text(issued.serial),
            )
        )
        self.diagram.set_loop(chosen.loop, names)
        self.timeline_model.set_records(list(chosen.scans))
        self.detail.show()

    def timeline_rows(self) -> list[TraceScan]:
        """The scans in the timeline, top to bottom (for tests)."""
        rows = []
        for row in range(self.timeline_model.rowCount()):
            record = self.timeline_model.record(row)
            if isinstance(record, TraceScan):
                rows.append(record)
        return rows
