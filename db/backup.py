"""Online backups of the database with SQLite's backup API, their checks, and restoring one.

Backups live in a sibling folder, ``looppass.db`` → ``looppass-backups/`` (owner-only), named
by the UTC time they were taken: ``looppass-20261125T080000.000Z.db``. A backup is made as

1. ``Connection.backup`` of the live database (one step: a consistent snapshot; in WAL mode
   writers carry on meanwhile) into a hidden temporary file in the backup folder, switched
   to the rollback journal so that a backup is one self-contained file;
2. ``PRAGMA integrity_check`` and the audit chain (``core.audit.verify_stored``) of the copy;
3. only if both pass: fsync, atomic rename to its final name, fsync of the folder.

A file with a final name has therefore passed its check; older ones are rotated only after a
new one has. A copy that fails is deleted and reported, and nothing is rotated.

A restore copies the chosen backup beside the live database and checks the copy; only then,
with the application's connection closed and no other program holding the file, the live
file is kept aside as ``looppass.db.broken-<time>`` (its ``-wal`` too; ``-shm`` is only an
index and is removed) and the copy is renamed into its place.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.audit import verify_stored
from core.errors import BackupCorrupt, BackupFailed, DatabaseInUse, DomainError, NotFound
from core.services.backup import (
    BackupCheck,
    BackupInfo,
    BackupReport,
    StagedRestore,
)
from db.repositories import SqlAuditLog
from db.schema import SCHEMA_VERSION
from db.store import BUSY_TIMEOUT_MS, SqliteStore, is_busy, open_store

_STAMP = "%Y%m%dT%H%M%S"
_INTEGRITY_ROWS = 20
# How long a restore waits for another program's lock before calling the database in use.
_IN_USE_WAIT_S = 2.0


def backup_folder_for(database: Path) -> Path:
    """Where the backups of ``database`` live: ``looppass.db`` → ``looppass-backups/``."""
    return database.with_name(f"{database.stem}-backups")


@dataclass(frozen=True)
class _Name:
    path: Path
    taken_at: datetime
    serial: int


class SqliteBackups:
    """The backup folder of the SQLite database at ``database`` (``core.services.backup``'s
    ``BackupStorage``). Every method opens its own connections."""

    def __init__(self, database: Path, folder: Path | None = None) -> None:
        self._database = database
        self._folder = folder or backup_folder_for(database)
        self._pattern = re.compile(
            rf"{re.escape(database.stem)}-(\d{{8}}T\d{{6}})\.(\d{{3}})Z(?:-(\d+))?\.db"
        )

    @property
    def folder(self) -> Path:
        """The backup folder."""
        return self._folder

    @property
    def database(self) -> Path:
        """The live database file."""
        return self._database

    # -- backing up ----------------------------------------------------------------------

    def copy(self, at: datetime) -> BackupReport:
        """Copy the live database, check the copy, and keep it under its final name only if
        it passed. ``BackupFailed`` if the copy cannot be written (no space, no folder)."""
        temp: Path | None = None
        try:
            self._ensure_folder()
            final = self._free_name(at)
            temp = self._folder / f".{final.name}.tmp"
            with closing(self._source()) as source:
                _copy_into(source, temp)
            check = check_file(temp)
            if not check.ok:
                temp.unlink(missing_ok=True)
                return BackupReport(False, None, 0, check.entries, _problem_text(check))
            size = temp.stat().st_size
            _fsync(temp)
            os.replace(temp, final)
            _fsync_folder(self._folder)
        except (OSError, sqlite3.Error) as error:
            if temp is not None:
                with contextlib.suppress(OSError):
                    temp.unlink(missing_ok=True)
            raise BackupFailed(str(error)) from error
        self._remove_stale_temps()
        return BackupReport(True, final, size, check.entries)

    def check(self, path: Path) -> BackupCheck:
        """``integrity_check`` and the audit chain of the backup at ``path``."""
        return check_file(path)

    def kept(self) -> list[BackupInfo]:
        """The kept backups, newest first, with size and number of audit entries."""
        backups = []
        for name in self._names():
            try:
                size = name.path.stat().st_size
            except OSError:
                continue  # rotated by another process meanwhile
            entries = _entry_count(name.path)
            check = None if entries is not None else BackupCheck(False, 0, "UNREADABLE")
            backups.append(BackupInfo(name.path, name.taken_at, size, entries, check))
        return backups

    def rotate(self, keep: int) -> list[Path]:
        """Delete all but the ``keep`` newest backups (at least one is always kept)."""
        removed = []
        for name in self._names()[max(1, keep) :]:
            with contextlib.suppress(FileNotFoundError):
                name.path.unlink()
                removed.append(name.path)
        return removed

    # -- restoring -----------------------------------------------------------------------

    def stage(self, path: Path) -> StagedRestore:
        """Copy the backup at ``path`` beside the live database and check the copy.

        The caller swaps it in (``swap``) if its check passed, else discards it. Raises
        ``NotFound`` for a missing file, ``BackupFailed`` if the copy cannot be written.
        """
        if not path.is_file():
            raise NotFound(f"no backup file at {path}")
        staged = self._database.with_name(f".{self._database.name}.restoring")
        try:
            self._database.parent.mkdir(parents=True, exist_ok=True)
            staged.unlink(missing_ok=True)
            try:
                with closing(_read_only(path)) as source:
                    _copy_into(source, staged)
            except sqlite3.DatabaseError as error:
                staged.unlink(missing_ok=True)
                check = BackupCheck(False, 0, "UNREADABLE", detail=str(error))
                return StagedRestore(path, staged, self._taken_at(path), check)
            check = check_file(staged)
            os.chmod(staged, _mode_of(self._database))
            _fsync(staged)
        except OSError as error:
            staged.unlink(missing_ok=True)
            raise BackupFailed(str(error)) from error
        return StagedRestore(path, staged, self._taken_at(path), check)

    def discard(self, staged: StagedRestore) -> None:
        """Remove a staged copy that will not be swapped in."""
        with contextlib.suppress(OSError):
            staged.staged.unlink(missing_ok=True)

    def swap(self, staged: StagedRestore, at: datetime) -> tuple[Path, ...]:
        """Put the staged copy in place of the live database; returns the files kept aside.

        Every connection to the live database must be closed: ``DatabaseInUse`` otherwise.
        The live file is first hard-linked (or copied) to ``<name>.broken-<time>``, so there is
        a live database at every moment; its ``-wal``/``-journal`` go aside with it.
        """
        self._ensure_unused()
        database = self._database
        aside = self._aside_name(at)
        kept: list[Path] = []
        try:
            if database.exists():
                try:
                    os.link(database, aside)
                except OSError:  # a filesystem without hard links
                    shutil.copy2(database, aside)
                kept.append(aside)
            for suffix in ("-wal", "-journal"):
                side = Path(f"{database}{suffix}")
                if side.exists():
                    os.replace(side, Path(f"{aside}{suffix}"))
                    kept.append(Path(f"{aside}{suffix}"))
            Path(f"{database}-shm").unlink(missing_ok=True)
            os.replace(staged.staged, database)
            _fsync_folder(database.parent)
        except OSError as error:
            raise BackupFailed(str(error)) from error
        return tuple(kept)

    def reopen(self) -> SqliteStore:
        """Open the (restored) live database."""
        return open_store(self._database)

    # -- files ---------------------------------------------------------------------------

    def _ensure_folder(self) -> None:
        self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self._folder, 0o700)

    def _source(self) -> sqlite3.Connection:
        if not self._database.is_file():
            raise BackupFailed(f"no database at {self._database}")
        return sqlite3.connect(
            str(self._database), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )

    def _names(self) -> list[_Name]:
        """Our backup files, newest first."""
        if not self._folder.is_dir():
            return []
        names = []
        for path in self._folder.iterdir():
            match = self._pattern.fullmatch(path.name)
            if match is None or not path.is_file():
                continue
            stamp, millis, serial = match.groups()
            taken_at = datetime.strptime(stamp, _STAMP).replace(
                tzinfo=UTC, microsecond=int(millis) * 1000
            )
            names.append(_Name(path, taken_at, int(serial or 0)))
        return sorted(names, key=lambda n: (n.taken_at, n.serial), reverse=True)

    def _taken_at(self, path: Path) -> datetime | None:
        match = self._pattern.fullmatch(path.name)
        if match is None:
            return None
        stamp, millis, _serial = match.groups()
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC, microsecond=int(millis) * 1000)

    def _free_name(self, at: datetime) -> Path:
        moment = at.astimezone(UTC)
        base = f"{self._database.stem}-{moment:{_STAMP}}.{moment.microsecond // 1000:03d}Z"
        candidate = self._folder / f"{base}.db"
        serial = 0
        while candidate.exists():
            serial += 1
            candidate = self._folder / f"{base}-{serial}.db"
        return candidate

    def _aside_name(self, at: datetime) -> Path:
        base = f"{self._database.name}.broken-{at.astimezone(UTC):{_STAMP}}Z"
        candidate = self._database.with_name(base)
        serial = 0
        while candidate.exists():
            serial += 1
            candidate = self._database.with_name(f"{base}-{serial}")
        return candidate

    def _remove_stale_temps(self) -> None:
        """Temporary copies left by a backup that was killed half-way."""
        for path in self._folder.glob(f".{self._database.stem}-*.db.tmp"):
            with contextlib.suppress(OSError):
                path.unlink()

    def _ensure_unused(self) -> None:
        """``DatabaseInUse`` if another connection has the live database open.

        In WAL mode an exclusive lock is refused while any other connection is open, idle
        or not. A file too damaged to lock is in use by nobody who can write to it.
        """
        if not self._database.exists():
            return
        try:
            with closing(
                sqlite3.connect(str(self._database), isolation_level=None, timeout=_IN_USE_WAIT_S)
            ) as probe:
                probe.execute("PRAGMA locking_mode=EXCLUSIVE")
                probe.execute("BEGIN EXCLUSIVE")
                probe.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            if is_busy(error):
                raise DatabaseInUse(str(error)) from error
        except sqlite3.DatabaseError:
            pass


def login_store(database: Path, backup: Path) -> tuple[SqliteStore, Path | None]:
    """The store that checks the password of the administrator restoring ``backup``.

    The live database when it opens and passes ``quick_check``; otherwise (damaged, missing)
    a scratch copy of the backup, in a temporary folder that the caller removes (returned
    second; None for the live database). ``BackupCorrupt`` if that copy cannot be read.
    """
    if database.exists():
        try:
            store = open_store(database)
        except DomainError:
            pass
        else:
            try:
                if store.quick_check():
                    return store, None
            except sqlite3.DatabaseError:
                pass
            store.close()
    scratch = Path(tempfile.mkdtemp(prefix="looppass-restore-"))
    try:
        with closing(_read_only(backup)) as source:
            _copy_into(source, scratch / "accounts.db")
        return open_store(scratch / "accounts.db"), scratch
    except (sqlite3.DatabaseError, DomainError) as error:
        shutil.rmtree(scratch, ignore_errors=True)
        raise BackupCorrupt("UNREADABLE", str(error)) from error


def check_file(path: Path) -> BackupCheck:
    """Open ``path`` read-only and run ``integrity_check``, then verify the audit chain."""
    try:
        with closing(_read_only(path)) as conn:
            return _check(conn)
    except sqlite3.DatabaseError as error:
        return BackupCheck(False, 0, "UNREADABLE", detail=str(error))


def _check(conn: sqlite3.Connection) -> BackupCheck:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        return BackupCheck(False, 0, "SCHEMA_TOO_NEW", detail=f"schema {version}")
    rows = conn.execute(f"PRAGMA integrity_check({_INTEGRITY_ROWS})").fetchall()
    findings = [str(row[0]) for row in rows]
    if findings != ["ok"]:
        return BackupCheck(False, 0, "INTEGRITY", detail="; ".join(findings)[:500])
    has_log = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'"
    ).fetchone()
    if version < 1 or has_log is None:
        return BackupCheck(False, 0, "NOT_LOOPPASS")
    try:
        # Streamed as stored: a log of millions of entries never sits in memory at once.
        log = SqlAuditLog(conn)
        report = verify_stored(log.encoded_entries(), log.raw_entry)
    except (ValueError, TypeError) as error:  # a row that does not fit the chain's shape
        return BackupCheck(False, 0, "CHAIN", detail=str(error)[:200])
    if not report.ok:
        return BackupCheck(False, report.entries, "CHAIN", report.first_bad, report.problem or "")
    return BackupCheck(True, report.entries)


def _read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection that never writes beside the file (no -wal/-shm, no locks):
    a backup is one file that nothing else writes while it is read."""
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, isolation_level=None)


def _copy_into(source: sqlite3.Connection, target: Path) -> None:
    """The whole of ``source`` into a new file ``target`` (owner-only), rollback journal."""
    target.unlink(missing_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)
    with closing(sqlite3.connect(str(target), isolation_level=None)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE").fetchone()


def _entry_count(path: Path) -> int | None:
    try:
        with closing(_read_only(path)) as conn:
            row = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()
            return int(row[0])
    except sqlite3.DatabaseError:
        return None


def _problem_text(check: BackupCheck) -> str:
    if check.first_bad is not None:
        return f"{check.problem} at entry {check.first_bad} ({check.detail})"
    return f"{check.problem}: {check.detail}" if check.detail else str(check.problem)


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o600


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); folders cannot be opened for syncing on Windows."""
    if os.name != "posix":
        return
    _fsync(folder)
