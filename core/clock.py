"""Time as the services see it: injected, so tests and skewed stations are reproducible."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The machine's current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_millis(moment: datetime) -> int:
    """Milliseconds since the epoch for an aware datetime (the storage format)."""
    return int(moment.timestamp() * 1000)


def from_millis(millis: int) -> datetime:
    """The aware UTC datetime for milliseconds since the epoch."""
    return datetime.fromtimestamp(millis / 1000, UTC)
