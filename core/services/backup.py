"""Backups and restores of the database, and whether storage currently refuses writes.

A backup is an online copy (the live database keeps working) that must pass SQLite's
``integrity_check`` and the audit-chain verification before it is kept; only then are older
backups rotated, so a bad copy never costs a good one. A restore checks the chosen backup the
same way first, then replaces the live database; the restore is audited in the restored
database. ``db.backup`` does the file work behind the ``BackupStorage`` protocol.

Backups hold the database only. The private issuing keys live in their own folder beside the
database (``core.services.key_folder_for``) and must be backed up separately.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

from core.clock import Clock, system_clock
from core.errors import BackupCorrupt, BackupUnavailable, DomainError, StorageFull
from core.keys import KeyFolder
from core.models import User
from core.permissions import Action, require
from core.ports import Store
from core.services.audit import journal_restore
from core.services.base import SYSTEM_ACTOR, Service
from core.settings import settings_from


@dataclass(frozen=True)
class BackupCheck:
    """``integrity_check`` and the audit chain of one database file.

    ``problem`` is None when both pass; otherwise ``UNREADABLE``, ``SCHEMA_TOO_NEW``,
    ``NOT_LOOPPASS``, ``INTEGRITY`` or ``CHAIN`` (with ``first_bad``, the first bad entry).
    """

    ok: bool
    entries: int
    problem: str | None = None
    first_bad: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class BackupInfo:
    """One kept backup. ``check`` is None when it has not been checked again since it was
    made (every kept backup passed its check when made)."""

    path: Path
    taken_at: datetime
    size: int
    entries: int | None
    check: BackupCheck | None = None


@dataclass(frozen=True)
class BackupReport:
    """The outcome of one backup: the JSON of ``looppass backup``."""

    ok: bool
    path: Path | None
    size: int
    entries: int
    problem: str | None = None
    rotated: tuple[Path, ...] = ()

    def as_json(self) -> dict[str, object]:
        """``{"path", "bytes", "entries", "ok"}`` (and ``"problem"`` when not ok)."""
        document: dict[str, object] = {
            "path": str(self.path) if self.path else None,
            "bytes": self.size,
            "entries": self.entries,
            "ok": self.ok,
        }
        if self.problem:
            document["problem"] = self.problem
        return document


@dataclass(frozen=True)
class StagedRestore:
    """A backup copied beside the live database and checked, ready to replace it."""

    source: Path
    staged: Path
    taken_at: datetime | None
    check: BackupCheck


@dataclass(frozen=True)
class RestoreReport:
    """The outcome of a restore."""

    source: Path
    database: Path
    entries: int
    kept_aside: tuple[Path, ...]

    def as_json(self) -> dict[str, object]:
        """The JSON of ``looppass restore``."""
        return {
            "restored": str(self.source),
            "database": str(self.database),
            "entries": self.entries,
            "kept_aside": [str(path) for path in self.kept_aside],
            "ok": True,
        }


class BackupStorage(Protocol):
    """The backup folder of one database (``db.backup.SqliteBackups``).

    ``copy`` opens its own connections, so it may run on another thread than the store's.
    """

    @property
    def folder(self) -> Path: ...
    @property
    def database(self) -> Path: ...
    def copy(self, at: datetime) -> BackupReport: ...
    def check(self, path: Path) -> BackupCheck: ...
    def kept(self) -> list[BackupInfo]: ...
    def rotate(self, keep: int) -> list[Path]: ...
    def stage(self, path: Path) -> StagedRestore: ...
    def discard(self, staged: StagedRestore) -> None: ...
    def swap(self, staged: StagedRestore, at: datetime) -> tuple[Path, ...]: ...
    def reopen(self) -> Store: ...


FaultListener = Callable[[StorageFull | None], None]


@runtime_checkable
class MaintainedStore(Protocol):
    """A store that has a backup folder and reports storage faults (``db.store.SqliteStore``)."""

    def backups(self) -> BackupStorage | None: ...
    def storage_fault(self) -> StorageFull | None: ...
    def watch_storage(self, listener: FaultListener) -> None: ...
    def unwatch_storage(self, listener: FaultListener) -> None: ...


class BackupService(Service):
    """Administrators back up and restore; the GUI also backs up on a schedule."""

    def __init__(
        self,
        store: Store,
        clock: Clock = system_clock,
        backups: BackupStorage | None = None,
        keys: KeyFolder | None = None,
    ) -> None:
        super().__init__(store, clock)
        self.keys = keys  # where the audit head journal is told about a restore
        if backups is None and isinstance(store, MaintainedStore):
            backups = store.backups()
        self._storage = backups
        # Set once ``restore`` has closed the store: every service of it is then unusable.
        self.store_closed = False

    @property
    def available(self) -> bool:
        """False for a database without a backup folder (in memory)."""
        return self._storage is not None

    def storage(self) -> BackupStorage:
        """The backup folder; ``BackupUnavailable`` for an in-memory database."""
        if self._storage is None:
            raise BackupUnavailable("this database has no backup folder")
        return self._storage

    # -- backing up ----------------------------------------------------------------------

    def create(self, actor: User | None) -> BackupReport:
        """Back up now: ``copy`` then ``record``. ``actor`` None is the schedule."""
        return self.record(actor, self.copy(actor))

    def copy(self, actor: User | None) -> BackupReport:
        """Copy and check (the slow part; touches no connection of this store, so it may run
        off the GUI thread). Nothing is rotated or audited yet: see ``record``."""
        if actor is not None:
            require(actor, Action.BACKUP)
        return self.storage().copy(self.clock())

    def record(self, actor: User | None, report: BackupReport) -> BackupReport:
        """Audit a backup and, only if it checked out, rotate older ones (keep
        ``backup_keep``). Runs on the store's thread."""
        if actor is not None:
            require(actor, Action.BACKUP)
        who: User | str = actor if actor is not None else SYSTEM_ACTOR
        if not report.ok:
            # Best effort: the store may be what is failing (disk full, damaged file).
            failure = {"problem": report.problem, "scheduled": actor is None}
            with contextlib.suppress(DomainError), self.store.transaction() as tx:
                self.audit(tx, who, "backup.failed", "backup", "", failure)
            return report
        assert report.path is not None
        details = {"bytes": report.size, "entries": report.entries, "scheduled": actor is None}
        with self.store.transaction() as tx:
            self.audit(tx, who, "backup.create", "backup", report.path.name, details)
        keep = settings_from(self.store.settings.all()).backup_keep
        rotated = tuple(self.storage().rotate(keep))
        return BackupReport(
            report.ok, report.path, report.size, report.entries, report.problem, rotated
        )

    def kept(self, actor: User) -> list[BackupInfo]:
        """The kept backups, newest first."""
        require(actor, Action.BACKUP)
        return self.storage().kept()

    def check(self, actor: User, path: Path) -> BackupCheck:
        """Run ``integrity_check`` and the audit-chain verification on a backup again (on a
        read-only connection of its own to the file, so it may run off the GUI thread)."""
        require(actor, Action.BACKUP)
        return self.storage().check(path)

    def last_backup_at(self) -> datetime | None:
        """When the newest kept backup was taken (None: there is none)."""
        if self._storage is None:
            return None
        kept = self._storage.kept()
        return kept[0].taken_at if kept else None

    def due(self) -> bool:
        """True when a scheduled backup should run: backups are possible, writes are
        accepted, and the newest backup is older than ``backup_interval_hours``."""
        if self._storage is None or self.storage_fault() is not None:
            return False
        last = self.last_backup_at()
        if last is None:
            return True
        hours = settings_from(self.store.settings.all()).backup_interval_hours
        return self.clock() - last >= timedelta(hours=hours)

    # -- restoring -----------------------------------------------------------------------

    def restore(self, actor: User, path: Path) -> RestoreReport:
        """Replace the live database by the backup at ``path``.

        The backup is copied beside the database and checked first (``BackupCorrupt`` and
        nothing changed if it fails). Then this store is CLOSED, the live files are moved
        aside as ``*.broken-<time>`` and the copy takes their place; the restore is audited in
        the restored database. Afterwards every service of this store is unusable: the caller
        reopens the database (the GUI restarts, the CLI exits).
        """
        require(actor, Action.BACKUP)
        storage = self.storage()
        staged = storage.stage(path)
        if not staged.check.ok:
            storage.discard(staged)
            raise BackupCorrupt(staged.check.problem or "CHECK", staged.check.detail)
        self.store.close()
        self.store_closed = True
        try:
            kept_aside = storage.swap(staged, self.clock())
        except BaseException:
            storage.discard(staged)
            raise
        restored = storage.reopen()
        try:
            if self.keys is not None:
                journal_restore(self.keys, restored.audit.head(), self.clock())
            with restored.transaction() as tx:
                details: dict[str, object] = {
                    "file": path.name,
                    "entries": staged.check.entries,
                    "kept_aside": [aside.name for aside in kept_aside],
                }
                if staged.taken_at is not None:
                    details["taken_at"] = staged.taken_at.isoformat()
                self.audit(tx, actor, "backup.restore", "backup", path.name, details)
        finally:
            restored.close()
        return RestoreReport(path, storage.database, staged.check.entries, kept_aside)

    # -- storage faults ------------------------------------------------------------------

    def storage_fault(self) -> StorageFull | None:
        """The disk-full / write error that makes the store refuse writes (None: accepted).

        Rechecks (at most every few seconds) whether space is back.
        """
        if isinstance(self.store, MaintainedStore):
            return self.store.storage_fault()
        return None

    def watch_storage(self, listener: FaultListener) -> None:
        """``listener(fault)`` when writes become refused, ``listener(None)`` when accepted."""
        if isinstance(self.store, MaintainedStore):
            self.store.watch_storage(listener)

    def unwatch_storage(self, listener: FaultListener) -> None:
        """Stop calling ``listener``."""
        if isinstance(self.store, MaintainedStore):
            self.store.unwatch_storage(listener)
