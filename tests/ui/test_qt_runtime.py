"""The Qt binding must not leak references to None: PySide6 6.12.0 on Python 3.11 took one
from None at every call of a method returning nothing, and a scan lane aborted
("Fatal Python error: none_dealloc") after a few thousand label updates. Python 3.11's None
is not immortal, so the count is observable."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot


def test_updating_a_label_many_times_leaves_none_alone(qapp: QApplication, qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for number in range(2000):
        label.setText(str(number))
        label.setVisible(True)
    after = sys.getrefcount(None)
    # Other threads and the interpreter move None's count a little; a leak moves it by 4,000.
    assert abs(after - before) < 200
