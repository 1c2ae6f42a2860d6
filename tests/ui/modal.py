"""Driving modal dialogs in GUI tests: ``exec()`` blocks, so the check runs from the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog


def while_modal(
    kind: type[QDialog], action: Callable[[], object], check: Callable[[Any], None]
) -> None:
    """Run ``action`` (which opens a modal ``kind``) and ``check(dialog)`` while it is open.

    The dialog is closed afterwards if ``check`` left it open; the test fails if it never
    opened.
    """
    seen: list[QDialog] = []

    def inspect() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, inspect)
            return
        seen.append(dialog)
        try:
            check(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, inspect)
    action()
    assert seen, f"the {kind.__name__} never opened"
