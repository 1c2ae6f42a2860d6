"""A small grouped bar chart drawn with QPainter (no QtCharts: light, and nothing more to
bundle): categories along the bottom, one bar per series in each, integer ticks on the left,
a legend at the top right, the value on each bar where there is room, and a tooltip per
category.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

AXIS_COLOR = "#607d8b"
GRID_COLOR = "#e3e8ee"
TEXT_COLOR = "#37474f"
HIGHLIGHT_COLOR = "#fff3cd"
BORDER_COLOR = "#dde3ea"
MIN_LABEL_GAP_PX = 6


@dataclass(frozen=True)
class Series:
    """One series: its legend name, its colour and one value per category."""

    name: str
    color: str
    values: tuple[int, ...]


def nice_step(top: int, ticks: int = 5) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving at most ``ticks`` intervals."""
    raw = max(1.0, top / ticks)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)


class BarChart(QWidget):
    """Grouped bars; ``set_data(categories, series)`` replaces what is shown.

    ``categories`` are the labels along the bottom (``tips`` the longer text of each for the
    tooltip); ``highlight`` is the index of a category drawn on a tinted band (the current
    hour), or None.
    """

    def __init__(
        self,
        title: str,
        x_title: str,
        y_title: str,
        empty_text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.empty_text = empty_text
        self.x_title = x_title
        self.y_title = y_title
        self.categories: tuple[str, ...] = ()
        self.tips: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self.highlight: int | None = None
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def sizeHint(self) -> QSize:
        return QSize(520, 240)

    def set_data(
        self,
        categories: list[str] | tuple[str, ...],
        series: list[Series] | tuple[Series, ...],
        tips: list[str] | tuple[str, ...] = (),
        highlight: int | None = None,
    ) -> None:
        """Show ``series`` over ``categories`` (every series has one value per category)."""
        self.categories = tuple(categories)
        self.series = tuple(series)
        self.tips = tuple(tips) if tips else self.categories
        self.highlight = highlight
        self.update()

    def values_of(self, name: str) -> tuple[int, ...]:
        """The values of the series called ``name`` (empty if none), for tests."""
        return next((s.values for s in self.series if s.name == name), ())

    # -- geometry ---------------------------------------------------------------------

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        base = QFont(self.font())
        base.setPixelSize(12)
        bold = QFont(base)
        bold.setBold(True)
        heading = QFont(self.font())
        heading.setPixelSize(15)
        heading.setBold(True)
        return base, bold, heading

    def _top(self) -> int:
        highest = max((max(s.values, default=0) for s in self.series), default=0)
        step = nice_step(max(highest, 4))
        return step * max(1, math.ceil(highest / step)) if highest else step * 4

    def _plot_rect(self) -> QRectF:
        base, _bold, heading = self._fonts()
        small = QFontMetrics(base)
        top_label = str(self._top())
        left = 14 + max(small.horizontalAdvance(top_label), small.horizontalAdvance("0"))
        top = QFontMetrics(heading).height() + small.height() + 14
        bottom = small.height() * 2 + 12
        return QRectF(
            left, top, max(1, self.width() - left - 12), max(1, self.height() - top - bottom)
        )

    def _category_at(self, x: float) -> int | None:
        plot = self._plot_rect()
        if not self.categories or not plot.left() <= x <= plot.right():
            return None
        width = plot.width() / len(self.categories)
        index = int((x - plot.left()) // width)
        return index if 0 <= index < len(self.categories) else None

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(self.palette().color(self.backgroundRole())))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffffff"))
        painter.drawRoundedRect(QRectF(self.rect()), 6, 6)
        base, bold, heading = self._fonts()
        metrics = QFontMetrics(base)
        plot = self._plot_rect()

        painter.setPen(QColor(TEXT_COLOR))
        painter.setFont(heading)
        painter.drawText(QPoint(10, QFontMetrics(heading).ascent() + 6), self.title)
        self._legend(painter, base, metrics)

        top = self._top()
        step = nice_step(top)
        painter.setFont(base)
        for value in range(0, top + 1, step):
            y = plot.bottom() - plot.height() * value / top
            painter.setPen(QPen(QColor(GRID_COLOR), 1))
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(QColor(TEXT_COLOR))
            label = str(value)
            painter.drawText(
                int(plot.left() - 6 - metrics.horizontalAdvance(label)),
                int(y + metrics.ascent() / 2 - 1),
                label,
            )
        painter.drawText(
            int(max(4.0, plot.left() - 6 - metrics.horizontalAdvance(self.y_title) / 2)),
            int(plot.top() - metrics.descent() - 6),
            self.y_title,
        )

        count = len(self.categories)
        if count:
            self._bars(painter, plot, top, base, bold, metrics)
        if self.empty_text and not any(any(s.values) for s in self.series):
            painter.setFont(heading)
            painter.setPen(QColor(AXIS_COLOR))
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.empty_text)
        painter.setPen(QPen(QColor(AXIS_COLOR), 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.setPen(QPen(QColor(BORDER_COLOR), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.setPen(QColor(TEXT_COLOR))
        painter.setFont(base)
        painter.drawText(
            int(plot.right() - metrics.horizontalAdvance(self.x_title)),
            int(self.height() - metrics.descent() - 4),
            self.x_title,
        )
        painter.end()

    def _legend(self, painter: QPainter, font: QFont, metrics: QFontMetrics) -> None:
        painter.setFont(font)
        x = float(self.width() - 12)
        y = 10
        for series in reversed(self.series):
            x -= metrics.horizontalAdvance(series.name)
            painter.setPen(QColor(TEXT_COLOR))
            painter.drawText(int(x), y + metrics.ascent(), series.name)
            x -= 18
            painter.fillRect(QRectF(x, y + 2, 12, metrics.ascent() - 2), QColor(series.color))
            x -= 16

    def _bars(
        self,
        painter: QPainter,
        plot: QRectF,
        top: int,
        base: QFont,
        bold: QFont,
        metrics: QFontMetrics,
    ) -> None:
        count = len(self.categories)
        slot = plot.width() / count
        groups = max(1, len(self.series))
        bar = max(1.0, min(36.0, slot * 0.78 / groups))
        # Labels along the bottom: every n-th one when they would touch.
        widest = max(metrics.horizontalAdvance(c) for c in self.categories)
        every = max(1, math.ceil((widest + MIN_LABEL_GAP_PX) / slot))
        for index, category in enumerate(self.categories):
            left = plot.left() + slot * index
            if index == self.highlight:
                painter.fillRect(
                    QRectF(left, plot.top(), slot, plot.height()), QColor(HIGHLIGHT_COLOR)
                )
            start = left + (slot - bar * groups) / 2
            for number, series in enumerate(self.series):
                value = series.values[index] if index < len(series.values) else 0
                height = plot.height() * value / top
                rect = QRectF(start + bar * number, plot.bottom() - height, bar - 1, height)
                painter.fillRect(rect, QColor(series.color))
                if value and bar >= metrics.horizontalAdvance(str(value)) + 2:
                    painter.setPen(QColor(TEXT_COLOR))
                    painter.setFont(base)
                    text = str(value)
                    painter.drawText(
                        int(rect.center().x() - metrics.horizontalAdvance(text) / 2),
                        int(rect.top() - 3),
                        text,
                    )
            if index % every == 0 or index == self.highlight:
                painter.setFont(bold if index == self.highlight else base)
                painter.setPen(QColor(TEXT_COLOR))
                width = QFontMetrics(painter.font()).horizontalAdvance(category)
                painter.drawText(
                    int(left + slot / 2 - width / 2),
                    int(plot.bottom() + metrics.ascent() + 5),
                    category,
                )

    # -- tooltips ---------------------------------------------------------------------

    def tooltip_at(self, x: float) -> str:
        """The tooltip of the category under ``x``: its name and every series' value."""
        index = self._category_at(x)
        if index is None:
            return ""
        parts = [f"{s.name} {s.values[index] if index < len(s.values) else 0}" for s in self.series]
        return f"{self.tips[index]}\n" + "  ".join(parts)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos().x())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)
