"""Exceptions the services raise. Each carries a stable ``code``; the UI and CLI translate it.

``core.validation.ValidationError`` (a ``ValueError``) covers bad field input; everything here
is about state, rights and storage.
"""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """Base of every expected failure; ``code`` is stable, ``detail`` is short English."""

    code = "ERROR"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class PermissionDenied(DomainError):
    """The acting user's role does not allow the action."""

    code = "PERMISSION_DENIED"


class NotFound(DomainError):
    """No such record, or one the acting user may not see (we do not reveal which)."""

    code = "NOT_FOUND"


class Duplicate(DomainError):
    """A unique value (plate, ID number, credit code, username, code) is already registered."""

    code = "DUPLICATE"

    def __init__(self, field: str, detail: str = "") -> None:
        super().__init__(detail or f"{field} already registered")
        self.field = field


class InvalidState(DomainError):
    """The record is not in a state that allows the action (e.g. already decided)."""

    code = "INVALID_STATE"


class AuthenticationFailed(DomainError):
    """Unknown user or wrong password; deliberately does not say which."""

    code = "BAD_CREDENTIALS"


class AccountLocked(DomainError):
    """Too many failed logins; the account is locked until ``until``."""

    code = "ACCOUNT_LOCKED"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class WeakPassword(DomainError):
    """The new password does not meet the password policy."""

    code = "WEAK_PASSWORD"


class StorageBusy(DomainError):
    """The database stayed locked by another writer past every retry."""

    code = "BUSY"


class StorageFailure(DomainError):
    """The database could not be written (disk full, I/O error); nothing was changed."""

    code = "STORAGE_FAILURE"


class SchemaTooNew(DomainError):
    """The database file was written by a newer LoopPass than this one."""

    code = "SCHEMA_TOO_NEW"

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(f"database schema {found} is newer than supported {supported}")
        self.found = found
        self.supported = supported


class NotADatabase(DomainError):
    """The file is not a LoopPass database (or is damaged beyond opening)."""

    code = "NOT_A_DATABASE"


class KeysUnavailable(DomainError):
    """The private issuing key is not on this machine (or no key folder is configured)."""

    code = "KEYS_UNAVAILABLE"


class StorageFull(StorageFailure):
    """The disk is full or refused a write (SQLite ``SQLITE_FULL`` / ``SQLITE_IOERR``).

    The transaction was rolled back: nothing of it was saved. The store then refuses every
    write with this error, without touching the file, until a check finds space again.
    """

    code = "STORAGE_FULL"


class BackupFailed(DomainError):
    """A backup could not be written (no space, folder not writable); nothing was rotated."""

    code = "BACKUP_FAILED"


class BackupCorrupt(DomainError):
    """A backup (or a fresh copy) failed ``integrity_check`` or the audit-chain verification."""

    code = "BACKUP_CORRUPT"

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__(detail or problem)
        self.problem = problem


class DatabaseInUse(DomainError):
    """A restore was refused: another program still has the live database open."""

    code = "DATABASE_IN_USE"


class BackupUnavailable(DomainError):
    """This database has no backup folder (an in-memory database)."""

    code = "BACKUP_UNAVAILABLE"
