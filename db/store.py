"""Opening the SQLite file, migrating it, and the write transaction every change goes through.

Durability settings follow SECURITY.md: WAL, ``synchronous=FULL``, ``foreign_keys=ON``,
``busy_timeout=5000``, autocommit connection (``isolation_level=None``) and ``BEGIN IMMEDIATE``
for every write, so a writer waits for the lock up front instead of failing half-way with
"database is locked".
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from core.errors import NotADatabase, SchemaTooNew, StorageBusy, StorageFailure
from core.ports import Repositories
from db.passes import (
    SqlKeyRepository,
    SqlOutboxRepository,
    SqlPassRepository,
    SqlScanRepository,
    SqlSettingsRepository,
)
from db.repositories import (
    SqlApplicationRepository,
    SqlAuditLog,
    SqlCheckpointRepository,
    SqlDriverRepository,
    SqlEnterpriseRepository,
    SqlRiskRegionRepository,
    SqlUserRepository,
    SqlVehicleRepository,
)
from db.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 5000
# BEGIN IMMEDIATE already waits BUSY_TIMEOUT_MS; a few more rounds ride out a long writer
# (a backup, a bulk import) before the caller is told "busy, retry".
BEGIN_ATTEMPTS = 6


def is_busy(error: sqlite3.Error) -> bool:
    """True for SQLite's "database is locked" / "busy" errors."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


def connect(path: str | Path) -> sqlite3.Connection:
    """A connection with LoopPass's durability settings; raises ``NotADatabase`` on junk."""
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # Refuse a newer file before anything (even switching it to WAL) writes to it.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            conn.close()
            raise SchemaTooNew(version, SCHEMA_VERSION)
        _enable_wal(conn)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.DatabaseError as error:
        conn.close()
        if is_busy(error):
            raise StorageBusy(str(error)) from error
        raise NotADatabase(str(error)) from error
    return conn


def _enable_wal(conn: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the file's lock.

    When several processes open a new file at once, the switch to WAL can fail with
    "database is locked" at once: SQLite skips the busy handler when waiting could deadlock
    (this connection already reads the file), so ``busy_timeout`` does not help here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (triggers contain ';', so ask SQLite where they end)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to ``SCHEMA_VERSION``; refuse a file from a newer LoopPass."""
    while True:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(version, SCHEMA_VERSION)
        if version == SCHEMA_VERSION:
            return version
        _begin_immediate(conn)
        try:
            # Another process may have migrated while we waited for the lock.
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) == version:
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _begin_immediate(conn: sqlite3.Connection) -> None:
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error):
                raise StorageFailure(str(error)) from error
            time.sleep(0.05 * (attempt + 1))
    raise StorageBusy("the database stayed locked by another writer")


class SqliteStore:
    """The repositories over one SQLite connection, plus ``transaction()`` for writes."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)
        self.enterprises = SqlEnterpriseRepository(conn)
        self.checkpoints = SqlCheckpointRepository(conn)
        self.risk_regions = SqlRiskRegionRepository(conn)
        self.vehicles = SqlVehicleRepository(conn)
        self.drivers = SqlDriverRepository(conn)
        self.users = SqlUserRepository(conn)
        self.applications = SqlApplicationRepository(conn)
        self.passes = SqlPassRepository(conn)
        self.scans = SqlScanRepository(conn)
        self.keys = SqlKeyRepository(conn)
        self.outbox = SqlOutboxRepository(conn)
        self.settings = SqlSettingsRepository(conn)
        self.audit = SqlAuditLog(conn)

    @contextmanager
    def transaction(self) -> Iterator[Repositories]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls everything back."""
        _begin_immediate(self.conn)
        try:
            yield self
        except sqlite3.OperationalError as error:
            self._rollback()
            if is_busy(error):
                raise StorageBusy(str(error)) from error
            raise StorageFailure(str(error)) from error
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback()
            if is_busy(error):
                raise StorageBusy(str(error)) from error
            raise StorageFailure(str(error)) from error

    def _rollback(self) -> None:
        # SQLite rolls back by itself after some errors (disk full); don't roll back twice.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def quick_check(self) -> bool:
        """SQLite's ``quick_check``: True when the file's structure is sound."""
        rows = self.conn.execute("PRAGMA quick_check").fetchall()
        return [tuple(row) for row in rows] == [("ok",)]

    def close(self) -> None:
        """Close the connection (a WAL checkpoint happens on the last close)."""
        self.conn.close()


def open_store(path: str | Path) -> SqliteStore:
    """Open (creating if needed) and migrate the LoopPass database at ``path``."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        migrate(conn)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise NotADatabase(str(error)) from error
    except BaseException:
        conn.close()
        raise
    return SqliteStore(conn, str(path))
