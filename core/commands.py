"""The command-line commands, as functions of the services: same rules as the GUI.

Each returns a ``Result``: the exit code (0 ok, 1 a check failed, 2 bad usage or input), the
JSON document for ``--json`` and the plain text for people. ``main.py`` parses arguments,
opens the database and prints; nothing here prints or touches SQL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from core.errors import AccountLocked, DomainError
from core.forms import FormInvalid
from core.models import User
from core.services import Services
from core.validation import ValidationError

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Result:
    """What a command produced."""

    exit_code: int
    document: Any
    text: str


def checkpoints(services: Services) -> Result:
    """Every checkpoint: code, name, kind, and for ENTERPRISE points the enterprise name.

    Checkpoints are public reference data (gates are signposted roads), so this command needs
    no login; it reads the repository directly rather than through a role check.
    """
    points = services.store.checkpoints.list_all()
    names = {}
    for point in points:
        if point.enterprise_id is not None:
            enterprise = services.store.enterprises.get(point.enterprise_id)
            names[point.enterprise_id] = enterprise.name if enterprise else ""
    document = [
        {
            "code": point.code,
            "name": point.name,
            "kind": point.kind.value,
            "enterprise": names.get(point.enterprise_id) if point.enterprise_id else None,
        }
        for point in points
    ]
    width = max((len(point.code) for point in points), default=4)
    lines = [f"{p.code:<{width}}  {p.kind.value:<10}  {p.name}" for p in points]
    return Result(EXIT_OK, document, "\n".join(lines))


def audit_verify(services: Services, actor: User) -> Result:
    """Check the audit chain; exit 1 if it is broken."""
    report = services.audit.verify(actor)
    text = (
        f"audit chain ok: {report.entries} entries"
        if report.ok
        else f"audit chain BROKEN at entry {report.first_bad}: {report.problem}"
    )
    return Result(EXIT_OK if report.ok else EXIT_CHECK_FAILED, asdict(report), text)


def describe_error(error: Exception) -> tuple[str, str]:
    """A stable code and an English message for an expected failure."""
    if isinstance(error, FormInvalid):
        parts = [
            f"{e.field}: {e.code}" + (f" ({e.detail})" if e.detail else "") for e in error.errors
        ]
        return "INVALID_INPUT", "invalid input — " + "; ".join(parts)
    if isinstance(error, ValidationError):
        return "INVALID_INPUT", f"invalid input — {error.field}: {error.code}"
    if isinstance(error, AccountLocked):
        return error.code, f"account locked until {error.until:%Y-%m-%d %H:%M:%S} UTC"
    if isinstance(error, DomainError):
        messages = {
            "BAD_CREDENTIALS": "wrong user name or password",
            "PERMISSION_DENIED": "your role may not do this",
            "NOT_FOUND": "no such record",
            "BUSY": "the database is busy; try again",
            "STORAGE_FAILURE": "the database could not be written; nothing was changed",
            "SCHEMA_TOO_NEW": "this database was written by a newer LoopPass; please upgrade",
            "NOT_A_DATABASE": "this file is not a LoopPass database",
        }
        return error.code, messages.get(error.code, error.detail or error.code)
    return "INTERNAL", "internal error"
