"""日报 — the daily report for supervisors: a period, its tables, and CSV / XLSX / PDF export.

The tables are the ones every export writes (``core.reports.report_tables``), shown in tabs;
the report is computed on the GUI's connection (a day takes well under a second on the
issue's big database; a long period shows a wait cursor).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError
from core.models import User
from core.permissions import Action, allowed
from core.reports import (
    REPORT_TZ,
    ColumnKind,
    DailyReport,
    Lang,
    ReportFormat,
    Table,
    report_tables,
)
from core.services import Services
from ui import formatting
from ui.messages import error_message

SCREEN_ID = "reports"
_FILTERS = {
    ReportFormat.CSV: "CSV (*.csv)",
    ReportFormat.XLSX: "Excel (*.xlsx)",
    ReportFormat.PDF: "PDF (*.pdf)",
}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def report_language() -> Lang:
    """The report's language follows the interface's."""
    return "zh" if formatting.locale().language() == formatting.locale().Language.Chinese else "en"


class ReportsPage(QWidget):
    """Pick a period, read the tables, export them."""

    screen_id = SCREEN_ID

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.title = self.tr("Daily report")
        self.report: DailyReport | None = None
        heading = QLabel(self.title)
        heading.setObjectName("pageTitle")

        today = datetime.now(REPORT_TZ).date()
        self.start = self._date_edit(today - timedelta(days=6))
        self.end = self._date_edit(today)
        self.make_button = QPushButton(self.tr("Show report"))
        self.make_button.setDefault(True)
        self.make_button.clicked.connect(self.make)
        self.export_buttons: dict[ReportFormat, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(heading)
        row.addSpacing(24)
        row.addWidget(QLabel(self.tr("From")))
        row.addWidget(self.start)
        row.addWidget(QLabel(self.tr("to")))
        row.addWidget(self.end)
        row.addWidget(self.make_button)
        row.addStretch(1)
        for kind, label in (
            (ReportFormat.CSV, self.tr("Export CSV…")),
            (ReportFormat.XLSX, self.tr("Export Excel…")),
            (ReportFormat.PDF, self.tr("Export PDF…")),
        ):
            button = QPushButton(label)
            button.setEnabled(False)
            button.setVisible(allowed(user, Action.EXPORT))
            button.clicked.connect(lambda _checked=False, k=kind: self.export(k))
            self.export_buttons[kind] = button
            row.addWidget(button)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.tabs = QTabWidget()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def make(self) -> None:
        """Compute the report of the chosen period and show its tables."""
        self.message.clear()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = self.services.reports.daily(
                self.user, _day(self.start.date()), _day(self.end.date())
            )
        except DomainError as error:
            self.message.setText(error_message(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.report = report
        self._show(report)

    def _show(self, report: DailyReport) -> None:
        loops = report.loops
        rate = "—" if loops.rate is None else f"{loops.rate:.1%}"
        self.summary.setText(
            self.tr("Completion rate %1 (%2 exited of %3 closed), %4 still open; %5 scans, %6 RED.")
            .replace("%1", rate)
            .replace("%2", formatting.count(loops.exited))
            .replace("%3", formatting.count(loops.closed))
            .replace("%4", formatting.count(loops.open))
            .replace("%5", formatting.count(report.scans.scans))
            .replace("%6", formatting.count(report.scans.red))
        )
        self.tabs.clear()
        for table in report_tables(report, report_language()):
            self.tabs.addTab(self._table_widget(table), table.title)
        for button in self.export_buttons.values():
            button.setEnabled(True)

    def _table_widget(self, table: Table) -> QTableWidget:
        widget = QTableWidget(len(table.rows), len(table.columns))
        widget.setHorizontalHeaderLabels([column.header for column in table.columns])
        widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        widget.verticalHeader().setVisible(False)
        for r, cells in enumerate(table.rows):
            total = r >= len(table.rows) - table.total_rows
            for c, (column, value) in enumerate(zip(table.columns, cells, strict=True)):
                item = QTableWidgetItem(_cell_text(value, column.kind))
                if column.numeric:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if total:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                widget.setItem(r, c, item)
        # Every column as wide as its contents, none stretched: a stretched last column put its
        # right-aligned numbers a screen away from the row they belong to.
        widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        widget.horizontalHeader().setStretchLastSection(False)
        return widget

    def export(self, kind: ReportFormat) -> None:
        """Write the shown report as ``kind`` to a file the user picks."""
        if self.report is None:
            return
        suggested = f"looppass-{self.report.start.isoformat()}-{self.report.end.isoformat()}"
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export report"),
            f"{suggested}.{kind.value}",
            _FILTERS[kind],
        )
        if path:
            self.export_to(Path(path), kind)

    def export_to(self, path: Path, kind: ReportFormat) -> None:
        """Write the report to ``path`` (the file dialog's answer)."""
        if self.report is None:
            return
        try:
            self.services.reports.export(self.user, self.report, path, kind, report_language())
        except DomainError as error:
            self.message.setText(error_message(error))
            return
        self.message.clear()
        self.summary.setText(
            self.summary.text() + "\n" + self.tr("Saved: %1").replace("%1", str(path))
        )


def _cell_text(value: object, kind: ColumnKind) -> str:
    if value is None:
        return "—"
    if kind is ColumnKind.RATE and isinstance(value, float):
        return f"{value:.1%}"
    formats = (
        (bool, str),
        (int, formatting.count),
        (float, formatting.decimal),
        (date, formatting.day),
    )
    for kind_of, format_value in formats:
        if isinstance(value, kind_of):
            return str(format_value(value))  # type: ignore[operator]
    return str(value)
