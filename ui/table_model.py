"""A read-only table over a repository search, fetched page by page.

Filtering and sorting happen in SQL (indexed), and rows arrive 200 at a time as the view
scrolls (``canFetchMore``/``fetchMore``), so a list of 100,000 vehicles opens and filters as
fast as one of 100. Shape after Vorta's table models: named columns, ``set_query`` with a
reset, a sort role with native values and a record role with the whole record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from core.models import Page
from core.ports import SearchQuery

Index = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_SIZE = 200


@dataclass(frozen=True)
class Column:
    """One column: its header, how to show a record, and the record field it sorts by."""

    title: str
    text: Callable[[Any], str]
    sort_key: str = ""  # empty: the column is not sortable
    align_right: bool = False


class RecordTableModel(QAbstractTableModel):
    """Rows of frozen records from ``fetch(query)``; see the module docstring."""

    def __init__(
        self,
        columns: list[Column],
        fetch: Callable[[SearchQuery], Page[Any]],
        base_query: SearchQuery | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._columns = columns
        self._fetch = fetch
        self._query = replace(base_query or SearchQuery(), limit=PAGE_SIZE, offset=0)
        self._rows: list[Any] = []
        self._total = 0

    @property
    def total(self) -> int:
        """How many records match the current query (not just the loaded ones)."""
        return self._total

    def set_query(self, text: str) -> None:
        """Filter by ``text`` and load the first page."""
        self._query = replace(self._query, text=text.strip(), offset=0)
        self.reload()

    def reload(self) -> None:
        """Load the first page of the current query again."""
        page = self._fetch(replace(self._query, offset=0))
        self.beginResetModel()
        self._rows = list(page.rows)
        self._total = page.total
        self.endResetModel()

    def record(self, row: int) -> Any:
        """The record shown in ``row``."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RECORD_ROLE:
            return record
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        page = self._fetch(replace(self._query, offset=len(self._rows)))
        if not page.rows:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # A column without a sort key keeps the repository's default order.
        key = self._columns[column].sort_key if 0 <= column < len(self._columns) else ""
        self._query = replace(
            self._query, sort=key, descending=order == Qt.SortOrder.DescendingOrder
        )
        self.reload()


def paged(
    records: Callable[[], list[Any]], matches: Callable[[Any, str], bool]
) -> Callable[[SearchQuery], Page[Any]]:
    """A ``fetch`` for short lists kept in memory (checkpoints, regions): filter, then slice."""

    def fetch(query: SearchQuery) -> Page[Any]:
        rows = [r for r in records() if not query.text or matches(r, query.text)]
        if query.sort:
            rows.sort(key=lambda r: str(getattr(r, query.sort, "")), reverse=query.descending)
        return Page(tuple(rows[query.offset : query.offset + query.limit]), len(rows))

    return fetch
