"""Opening the SQLite file, migrating it, and the write transaction every change goes through.

Durability settings follow SECURITY.md: WAL, ``synchronous=FULL``, ``foreign_keys=ON``,
``busy_timeout=5000``, autocommit connection (``isolation_level=None``) and ``BEGIN IMMEDIATE``
for every write, so a writer waits for the lock up front instead of failing half-way with
"database is locked".
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import sqlite_utils

from core.errors import (
    DomainError,
    NotADatabase,
    SchemaTooNew,
    StorageBusy,
    StorageFailure,
    StorageFull,
)
from core.ports import Repositories
from db.passes import (
    SqlKeyRepository,
    SqlOutboxRepository,
    SqlPassRepository,
    SqlScanRepository,
    SqlSettingsRepository,
)
from db.reports import SqlReportRepository
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
from db.supervision import SqlSupervision

if TYPE_CHECKING:
    from db.backup import SqliteBackups

resource: ModuleType | None
try:
    import resource
except ImportError:  # Windows: no file-size limits to ask about
    resource = None

BUSY_TIMEOUT_MS = 5000
# BEGIN IMMEDIATE already waits BUSY_TIMEOUT_MS; a few more rounds ride out a long writer
# (a backup, a bulk import) before the caller is told "busy, retry".
BEGIN_ATTEMPTS = 6
# After a disk-full or write error, writes are refused until a check finds space again; the
# check (free space, a probe write) runs at most this often.
STORAGE_RECHECK_SECONDS = 5.0
# Space counts as back when the folder has this much free and a probe of PROBE_BYTES can be
# written at the offset where the database file would grow.
MIN_FREE_BYTES = 16 * 1024 * 1024
PROBE_BYTES = 1024 * 1024

FaultListener = Callable[[StorageFull | None], None]


def is_busy(error: sqlite3.Error) -> bool:
    """True for SQLite's "database is locked" / "busy" errors."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


def is_damaged(error: sqlite3.Error) -> bool:
    """True when SQLite found the file damaged (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``)."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def is_storage_fault(error: sqlite3.Error) -> bool:
    """True for a full disk or a failed write/read of the file (``SQLITE_FULL``/``SQLITE_IOERR``,
    extended codes included, e.g. ``SQLITE_IOERR_WRITE`` when a file-size limit is hit)."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)
    text = str(error).lower()
    return "disk is full" in text or "disk i/o error" in text


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
            if is_storage_fault(error):
                raise StorageFull(_full_detail(error)) from error
            if not is_busy(error):
                raise StorageFailure(str(error)) from error
            time.sleep(0.05 * (attempt + 1))
    raise StorageBusy("the database stayed locked by another writer")


def _file_size_limit() -> float:
    """The process's file-size limit in bytes (``RLIMIT_FSIZE``; unlimited where unknown)."""
    if resource is None:
        return math.inf
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return math.inf if soft == resource.RLIM_INFINITY else float(soft)


def _fault_detail(error: sqlite3.Error) -> str:
    name = getattr(error, "sqlite_errorname", "")
    return f"{name}: {error}" if name else str(error)


def _full_detail(error: sqlite3.Error) -> str:
    return f"disk full or write error, nothing was saved ({_fault_detail(error)})"


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
        self.supervision = SqlSupervision(conn)
        self.reports = SqlReportRepository(conn)
        self.recheck_seconds = STORAGE_RECHECK_SECONDS
        self._fault: StorageFull | None = None
        self._fault_checked_at = 0.0
        self._listeners: list[FaultListener] = []

    @contextmanager
    def transaction(self) -> Iterator[Repositories]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; any exception rolls everything back.

        A full disk or a write error raises ``StorageFull`` and switches the store to refusing
        writes: every later ``transaction()`` raises ``StorageFull`` at once, without touching
        the file, until ``storage_fault()`` finds space again. Reads keep working.
        """
        self._refuse_while_faulted()
        try:
            _begin_immediate(self.conn)
        except StorageFull as error:
            self._enter_fault(error)
            raise
        try:
            yield self
        except sqlite3.OperationalError as error:
            self._rollback()
            raise self._storage_error(error) from error
        except sqlite3.DatabaseError as error:
            self._rollback()
            if is_damaged(error):
                raise NotADatabase(_fault_detail(error)) from error
            raise
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback()
            raise self._storage_error(error) from error

    def _storage_error(self, error: sqlite3.OperationalError) -> DomainError:
        if is_busy(error):
            return StorageBusy(str(error))
        if is_storage_fault(error):
            fault = StorageFull(_full_detail(error))
            self._enter_fault(fault)
            return fault
        return StorageFailure(str(error))

    def _rollback(self) -> None:
        # SQLite rolls back by itself after some errors (disk full); don't roll back twice.
        if self.conn.in_transaction:
            # A failing disk can refuse the rollback too; SQLite then ignores the
            # uncommitted WAL frames (or rolls back the hot journal) when next reading.
            with contextlib.suppress(sqlite3.OperationalError):
                self.conn.execute("ROLLBACK")

    # -- storage faults ----------------------------------------------------------------

    def storage_fault(self) -> StorageFull | None:
        """The fault that makes the store refuse writes, or None when writes are accepted.

        While refusing, asks at most every ``recheck_seconds`` whether space is back (free
        space on the database's disk and a probe write); if so, writes are accepted again.
        """
        if self._fault is not None and (
            time.monotonic() - self._fault_checked_at >= self.recheck_seconds
        ):
            self._fault_checked_at = time.monotonic()
            if self._space_is_back():
                self._fault = None
                self._notify(None)
        return self._fault

    def watch_storage(self, listener: FaultListener) -> None:
        """Call ``listener(fault)`` when writes become refused, and ``listener(None)`` when they
        are accepted again. Called on the thread that hit (or cleared) the fault."""
        self._listeners.append(listener)

    def unwatch_storage(self, listener: FaultListener) -> None:
        """Stop calling ``listener`` (a window that closes)."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def _refuse_while_faulted(self) -> None:
        fault = self.storage_fault()
        if fault is not None:
            raise StorageFull(f"writes refused until disk space is back; {fault.detail}")

    def _enter_fault(self, fault: StorageFull) -> None:
        was_refusing = self._fault is not None
        self._fault = fault
        self._fault_checked_at = time.monotonic()
        if not was_refusing:
            self._notify(fault)

    def _notify(self, fault: StorageFull | None) -> None:
        for listener in list(self._listeners):
            listener(fault)

    def _space_is_back(self) -> bool:
        """Free space above ``MIN_FREE_BYTES``, the file below ``max_page_count`` and below the
        process's file-size limit with ``PROBE_BYTES`` to spare, and a probe file of
        ``PROBE_BYTES`` written and synced beside the database (then removed)."""
        if self.path == ":memory:":
            return True
        database = Path(self.path)
        probe = database.with_name(f".{database.name}.space-probe")
        try:
            if shutil.disk_usage(database.parent).free < MIN_FREE_BYTES:
                return False
            pages = int(self.conn.execute("PRAGMA page_count").fetchone()[0])
            limit = int(self.conn.execute("PRAGMA max_page_count").fetchone()[0])
            if pages >= limit:
                return False
            # In WAL mode the -wal file grows first: both must have room to grow.
            largest = max(
                (f.stat().st_size for f in (database, Path(f"{database}-wal")) if f.exists()),
                default=0,
            )
            if largest + PROBE_BYTES > _file_size_limit():
                return False
            descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                written = os.write(descriptor, b"\0" * PROBE_BYTES)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            return written == PROBE_BYTES
        except (OSError, sqlite3.Error):
            return False
        finally:
            with contextlib.suppress(OSError):
                probe.unlink(missing_ok=True)

    def quick_check(self) -> bool:
        """SQLite's ``quick_check``: True when the file's structure is sound."""
        rows = self.conn.execute("PRAGMA quick_check").fetchall()
        return [tuple(row) for row in rows] == [("ok",)]

    def close(self) -> None:
        """Close the connection (a WAL checkpoint happens on the last close)."""
        self.conn.close()

    def backups(self) -> SqliteBackups | None:
        """The backups of this database (``db.backup``); None for an in-memory database."""
        from db.backup import SqliteBackups  # noqa: PLC0415 (db.backup imports this module)

        return None if self.path == ":memory:" else SqliteBackups(Path(self.path))


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
