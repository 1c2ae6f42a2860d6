"""GUI fixtures: the QApplication with Chinese translations, as a user gets it by default."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from ui.app import create_application


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture
def zh_app(qapp: QApplication) -> Iterator[QApplication]:
    """The application with LoopPass's style and Simplified Chinese loaded."""
    app = create_application("zh_CN")
    yield app
    for translator in app.property("translators") or []:
        QCoreApplication.removeTranslator(translator)
