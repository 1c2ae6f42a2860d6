"""A list screen: search box, sortable table, record count and action buttons.

Typing in the search box filters after a short pause (so each keystroke does not hit the
database); Enter filters at once; double-click or Enter on a row runs the first row action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError
from ui.fit import HintLineEdit
from ui.formatting import count
from ui.messages import error_message
from ui.table_model import RecordTableModel

SEARCH_DELAY_MS = 250


class ListPage(QWidget):
    """One list screen; page classes add buttons with ``add_action``."""

    def __init__(self, title: str, model: RecordTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.model = model
        self._row_action: Callable[[Any], None] | None = None

        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        self.search = HintLineEdit()  # as wide as its hint needs, up to 360 px
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)

        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setSortIndicatorShown(True)
        self.table.doubleClicked.connect(lambda _index: self._run_row_action())
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self._run_row_action)

        self.count = QLabel()
        self.count.setObjectName("recordCount")
        self.actions = QHBoxLayout()
        self.actions.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.search)
        self.top_row = top  # pages add filters beside the search box
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addLayout(self.actions)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        model.modelReset.connect(self._on_reset)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)

    def add_action(self, label: str, action: Callable[[], None], shortcut: str = "") -> QPushButton:
        """A button under the table (with an optional keyboard shortcut)."""
        button = QPushButton(label)
        button.clicked.connect(lambda: self._guarded(action))
        if shortcut:
            button.setShortcut(QKeySequence(shortcut))
            button.setToolTip(shortcut)
        self.actions.addWidget(button)
        return button

    def add_row_action(self, label: str, action: Callable[[Any], None]) -> QPushButton:
        """A button that acts on the selected record (the first one also runs on Enter)."""
        if self._row_action is None:
            self._row_action = action

        def on_selected() -> None:
            record = self.selected_record()
            if record is not None:
                action(record)

        button = self.add_action(label, on_selected)
        button.setEnabled(False)
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(
            lambda *_args: button.setEnabled(self.selected_record() is not None)
        )
        self.model.modelReset.connect(lambda: button.setEnabled(False))
        return button

    def selected_record(self) -> Any:
        """The record of the selected row, or None."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def refresh(self) -> None:
        """Reload the current query (after a change)."""
        self._guarded(self.model.reload)

    @Slot()
    def _apply_search(self) -> None:
        self._debounce.stop()
        self._guarded(lambda: self.model.set_query(self.search.text()))

    def _run_row_action(self) -> None:
        record = self.selected_record()
        if record is not None and self._row_action is not None:
            action = self._row_action
            self._guarded(lambda: action(record))

    def _guarded(self, action: Callable[[], None]) -> None:
        """Run ``action``; an expected failure becomes a message box, never a traceback."""
        try:
            action()
        except DomainError as error:
            QMessageBox.warning(self, self.title, error_message(error))

    def load(self, descending: bool = False) -> None:
        """First load, in the order of the first column (enabling sorting sorts once)."""
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(0, order)
        self._guarded(lambda: self.table.setSortingEnabled(True))

    def _on_reset(self) -> None:
        self.table.resizeColumnsToContents()
        total = self.model.total
        self.count.setText(
            self.tr("1 record")
            if total == 1
            else self.tr("{count} records").format(count=count(total))
        )
