"""Shared fixtures: one database per test, a fixed clock, fast password hashing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

# Qt tests render offscreen unless a developer asks for a real display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core.demo import populate
from core.keys import KeyFolder
from core.models import User
from core.passwords import ScryptParams
from core.services import Services
from db.store import SqliteStore, open_store

# scrypt at production cost takes ~0.3 s a hash; tests use a cheap cost (the PHC string
# records it, so verification is unchanged). Production cost is tested on its own.
FAST_HASH = ScryptParams(log_n=10, r=8, p=1)
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "looppass.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqliteStore]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def services(store: SqliteStore, clock: FakeClock, tmp_path: Path) -> Services:
    return Services.build(store, clock, FAST_HASH, KeyFolder(tmp_path / "keys"))


@pytest.fixture
def demo(services: Services, clock: FakeClock) -> Services:
    """Services over a database filled with the demo data (fewer vehicles, same shape)."""
    populate(services.store, clock(), vehicles=60, params=FAST_HASH, keys=services.passes.keys)
    return services


def demo_user(services: Services, username: str) -> User:
    """A demo account, logged in (password ``LoopPass-demo``)."""
    return services.accounts.login(username, "LoopPass-demo")
