"""What every service shares: the store, the clock, and writing the audit entry."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from core.clock import Clock, system_clock
from core.models import User
from core.ports import Repositories, Store
from core.validation import ValidationCode, ValidationError

SYSTEM_ACTOR = "system"


class Service:
    """Base of the services: holds the store and the clock."""

    def __init__(self, store: Store, clock: Clock = system_clock) -> None:
        self.store = store
        self.clock = clock

    def audit(
        self,
        tx: Repositories,
        actor: User | str,
        action: str,
        entity: str,
        entity_id: object,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append the audit entry of a change, inside the change's own transaction."""
        name = actor if isinstance(actor, str) else actor.username
        tx.audit.append(self.clock(), name, action, entity, str(entity_id), details or {})


def normalize_code(text: str, *, field: str, pattern: str, max_length: int = 32) -> str:
    """An ASCII identifier (checkpoint code, region code, username): NFKC, strip, then match.

    ``pattern`` is applied with ``re.fullmatch`` and ``re.ASCII`` after upper-casing unless it
    contains lower-case ranges, so full-width input is accepted and exotic digits are not.
    """
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        raise ValidationError(field, ValidationCode.REQUIRED)
    if len(value) > max_length:
        raise ValidationError(field, ValidationCode.TOO_LONG)
    if "a-z" not in pattern:
        value = value.upper()
    if not re.fullmatch(pattern, value, re.ASCII):
        raise ValidationError(field, ValidationCode.BAD_FORMAT)
    return value
