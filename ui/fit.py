"""Widgets that ask for the room their text needs, so neither language is cut off.

A ``QLineEdit`` asks for about 17 characters whatever its placeholder says, and Qt elides a
placeholder that does not fit: "Name, or full mobile / ID number…" became "Name, or fu…" in
English. ``HintLineEdit`` asks for its placeholder's width (never more than its maximum
width), so a layout with room to spare gives it that room.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLineEdit, QStyle, QToolButton, QWidget

# QLineEdit draws its text 2 px inside the frame on each side (QLineEditPrivate's
# horizontalMargin).
TEXT_MARGIN = 2


def placeholder_width(edit: QLineEdit) -> int:
    """The width ``edit`` needs to show its whole placeholder: the text, the text margins,
    the frame, and the buttons inside it that are showing (the clear button is hidden while
    the field is empty)."""
    margins = edit.textMargins()
    frame = edit.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, edit)
    buttons = sum(
        button.sizeHint().width()
        for button in edit.findChildren(QToolButton)
        if not button.isHidden()
    )
    metrics = edit.fontMetrics()
    return (
        metrics.horizontalAdvance(edit.placeholderText())
        # Qt keeps room for the font's most negative left bearing (12 px with the CJK
        # fallback fonts) before it elides the placeholder.
        + max(0, -metrics.minLeftBearing())
        + margins.left()
        + margins.right()
        + 2 * (frame + TEXT_MARGIN)
        + buttons
    )


class HintLineEdit(QLineEdit):
    """A line edit whose size hint covers its placeholder (see the module docstring)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)

    def setPlaceholderText(self, text: str) -> None:
        super().setPlaceholderText(text)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.placeholderText():
            wanted = min(placeholder_width(self), self.maximumWidth())
            hint.setWidth(max(hint.width(), wanted))
        return hint
