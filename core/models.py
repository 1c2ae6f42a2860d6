"""The LoopPass domain: frozen records and the enums that name their states.

Everything here is plain data. Times are timezone-aware UTC ``datetime`` values; the database
layer converts them to and from integer milliseconds. Personal data (names, ID numbers, phones)
lives only in ``Driver`` and ``Enterprise``; passes and scan events refer to it by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Role(StrEnum):
    """What a user may do; the permission matrix lives in ``core.permissions``."""

    ADMIN = "admin"
    CLERK = "clerk"
    REVIEWER = "reviewer"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"


class CheckpointKind(StrEnum):
    """The three kinds of point on a closed-loop route."""

    GATE = "GATE"
    ENTERPRISE = "ENTERPRISE"
    ISOLATION = "ISOLATION"


class RiskLevel(StrEnum):
    """Risk level of an origin region; medium and high send the driver via isolation."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"

    @property
    def needs_isolation(self) -> bool:
        """Drivers from medium- and high-risk regions follow the isolation loop."""
        return self is not RiskLevel.LOW


class RouteTemplate(StrEnum):
    """The ordered checkpoint kinds a pass must visit."""

    STANDARD = "STANDARD"  # GATE -> ENTERPRISE -> GATE
    ISOLATION_LOOP = "ISOLATION_LOOP"  # GATE -> ENTERPRISE -> ISOLATION -> GATE

    @classmethod
    def for_risk(cls, risk: RiskLevel) -> RouteTemplate:
        """The route a pass from an origin of ``risk`` must follow."""
        return cls.ISOLATION_LOOP if risk.needs_isolation else cls.STANDARD

    @property
    def steps(self) -> tuple[CheckpointKind, ...]:
        """Checkpoint kinds in the order they must be scanned."""
        if self is RouteTemplate.STANDARD:
            return (CheckpointKind.GATE, CheckpointKind.ENTERPRISE, CheckpointKind.GATE)
        return (
            CheckpointKind.GATE,
            CheckpointKind.ENTERPRISE,
            CheckpointKind.ISOLATION,
            CheckpointKind.GATE,
        )


class ApplicationStatus(StrEnum):
    """A trip application's place in review."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class PassStatus(StrEnum):
    """An issued pass's place on its route (OVERDUE is an anomaly, not a status)."""

    ISSUED = "ISSUED"
    ENTERED = "ENTERED"
    ARRIVED = "ARRIVED"
    ISOLATED = "ISOLATED"
    EXITED = "EXITED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"

    @property
    def is_open(self) -> bool:
        """True while the pass may still be scanned somewhere."""
        return self not in (PassStatus.EXITED, PassStatus.REVOKED, PassStatus.EXPIRED)


class Verdict(StrEnum):
    """What the lane shows: let through, check by hand, or stop."""

    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


@dataclass(frozen=True, slots=True)
class Enterprise:
    """A receiving enterprise (企业) identified by its unified social credit code."""

    id: int
    name: str
    credit_code: str
    address: str
    contact_name: str
    contact_phone: str
    active: bool = True
    whitelisted: bool = False  # on the supply-guarantee whitelist (保供企业白名单)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A scan point: a city gate, an enterprise's own point, or an isolation point."""

    id: int
    code: str
    name: str
    kind: CheckpointKind
    enterprise_id: int | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class RiskRegion:
    """An origin region (GB/T 2260 code) with its current risk level."""

    id: int
    code: str
    name: str
    level: RiskLevel


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A freight vehicle registered by an enterprise; the plate is registered once."""

    id: int
    enterprise_id: int
    plate: str
    plate_kind: str
    needs_review: bool
    description: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Driver:
    """A driver registered by an enterprise; the ID number is registered once."""

    id: int
    enterprise_id: int
    name: str
    id_number: str
    phone: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class User:
    """An account. Clerks are bound to an enterprise, operators to a checkpoint."""

    id: int
    username: str
    display_name: str
    role: Role
    enterprise_id: int | None = None
    checkpoint_id: int | None = None
    active: bool = True


@dataclass(frozen=True, slots=True)
class Credentials:
    """What login needs about an account; never leaves the services."""

    user: User
    password_hash: str
    failed_attempts: int
    locked_until: datetime | None
    recent_failures: tuple[datetime, ...] = ()


@dataclass(frozen=True, slots=True)
class TripApplication:
    """One planned trip: one vehicle, one driver, one route (一车一证一线路)."""

    id: int
    enterprise_id: int
    vehicle_id: int
    driver_id: int
    co_driver_id: int | None
    origin_region_id: int
    cargo: str
    planned_arrival: datetime
    validity_hours: int
    status: ApplicationStatus
    filed_by: int
    created_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """An application with what the review queue shows beside it (joined in one query)."""

    application: TripApplication
    plate: str
    driver_name: str
    enterprise_name: str
    region_name: str
    risk: RiskLevel
    filed_by_name: str
    pass_serial: str | None = None
    enterprise_whitelisted: bool = False


@dataclass(frozen=True, slots=True)
class Pass:
    """An issued pass; ``serial`` is the hex of the token's 16-byte ``cti``."""

    serial: str
    application_id: int
    plate: str
    risk: RiskLevel
    route: RouteTemplate
    status: PassStatus
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime
    key_id: str
    token: str = ""
    revoked_at: datetime | None = None
    revoke_reason: str = ""
    status_at: datetime | None = None  # when the pass entered its current status


class OutboxStatus(StrEnum):
    """Where an SMS stands in the outbox."""

    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One SMS waiting for, or past, delivery."""

    id: int
    serial: str
    phone: str
    body: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """One scan at a checkpoint, recorded whatever the verdict."""

    id: int
    at: datetime
    checkpoint_id: int
    operator_id: int
    verdict: Verdict
    reason: str
    serial: str | None = None
    step: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One link of the append-only, hash-chained audit log."""

    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a search, with the total number of matches for the status line."""

    rows: tuple[T, ...]
    total: int
