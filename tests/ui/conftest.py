"""GUI fixtures: the QApplication with Chinese translations, as a user gets it by default."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.demo import populate
from core.keys import KeyFolder
from core.services import Services
from db.store import open_store
from tests.conftest import FAST_HASH, NOW, FakeClock
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


@pytest.fixture(scope="session")
def traffic_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database with its two days of traffic (and its key folder), made once; tests
    work on copies (``copy_traffic``)."""
    folder = tmp_path_factory.mktemp("traffic")
    store = open_store(folder / "looppass.db")
    services = Services.build(store, FakeClock(), FAST_HASH, KeyFolder(folder / "keys"))
    populate(store, NOW, vehicles=60, params=FAST_HASH, keys=services.passes.keys, history=True)
    store.close()
    return folder


def copy_traffic(template: Path, folder: Path) -> Path:
    """A test's own copy of the traffic database and key folder in ``folder``."""
    shutil.copytree(template / "keys", folder / "keys")
    shutil.copy(template / "looppass.db", folder / "looppass.db")
    return folder / "looppass.db"


def assert_event_loop_runs(qtbot: QtBot) -> None:
    """The GUI thread goes on handling events: a 5 ms timer fires three times (a blocked
    GUI thread would never let it)."""
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    qtbot.waitUntil(lambda: len(ticks) >= 3)
    timer.stop()
