"""What a supervisor sees: the dashboard figures, a vehicle's trace and the anomalies.

Pure data and rules; the queries are in ``db/supervision.py`` and the permission checks in
``core/services/supervision.py``.

Anomalies are *derived*, not stored: each is a query over passes and scans (so one can never
be "forgotten" by a crash), identified by ``(kind, subject)``. Only an acknowledgement —
who, when, with which note — is stored, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.models import CheckpointKind, Pass, PassStatus, RouteTemplate, Verdict
from core.route import step_label

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # the city's day: dashboards and reports count by it
OPEN_STATUSES = (PassStatus.ENTERED, PassStatus.ARRIVED, PassStatus.ISOLATED)
CLOSED_STATUSES = (PassStatus.EXITED, PassStatus.EXPIRED, PassStatus.REVOKED)


def local_midnight(moment: datetime) -> datetime:
    """The start of ``moment``'s day in the city's time zone."""
    local = moment.astimezone(LOCAL_TZ)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# --- dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GateFlow:
    """Today's entries and exits at one gate."""

    code: str
    name: str
    entries: int
    exits: int


@dataclass(frozen=True)
class Dashboard:
    """The supervisor's "now" screen."""

    at: datetime
    inside_now: int  # passes ENTERED, ARRIVED or ISOLATED
    inside_by_status: dict[PassStatus, int]
    gates: tuple[GateFlow, ...]
    hourly_entries: tuple[int, ...]  # 24 values, local hours of today
    hourly_exits: tuple[int, ...]
    scans_today: int
    red_today: int
    waiting_applications: int
    oldest_waiting_minutes: int | None
    decision_minutes_avg: float | None  # over decisions of the last 7 days
    # By AnomalyKind value, unacknowledged, since the city's midnight 7 days ago (the
    # anomaly list's default window); overdue legs: all current.
    open_anomalies: dict[str, int]


# --- trace ---------------------------------------------------------------------------------


class PointState(StrEnum):
    DONE = "DONE"
    NEXT = "NEXT"
    PENDING = "PENDING"
    MISSED = "MISSED"


@dataclass(frozen=True)
class TraceScan:
    """One scan of the traced pass, as the timeline shows it."""

    at: datetime
    checkpoint_code: str
    checkpoint_name: str
    checkpoint_kind: CheckpointKind
    verdict: Verdict
    reason: str
    operator: str
    step: str | None


@dataclass(frozen=True)
class LoopPoint:
    """One point of the pass's loop: which checkpoint, and whether it was done."""

    step: str  # GATE_IN, ENTERPRISE, ISOLATION, GATE_OUT
    kind: CheckpointKind
    checkpoint_code: str | None  # None where any checkpoint of the kind will do
    state: PointState
    at: datetime | None = None  # when it was done
    done_at_code: str | None = None  # where it was done (which gate)


@dataclass(frozen=True)
class PassTrace:
    """A pass with its timeline and its loop."""

    issued: Pass
    enterprise: str
    driver: str  # masked
    scans: tuple[TraceScan, ...]
    loop: tuple[LoopPoint, ...]


@dataclass(frozen=True)
class Trace:
    """Every pass matching a trace search, newest first."""

    query: str
    passes: tuple[PassTrace, ...] = field(default_factory=tuple)


def loop_points(
    issued: Pass, scans: list[TraceScan], enterprise_code: str | None
) -> tuple[LoopPoint, ...]:
    """The route's points with their state: done (by a GREEN scan), next, pending or missed.

    A point is MISSED when the pass is closed without it or when a later point was done
    (an override or an out-of-order scan let the truck past it)."""
    route: RouteTemplate = issued.route
    done: dict[str, TraceScan] = {}
    for scan in scans:
        if scan.verdict is Verdict.GREEN and scan.step and scan.step not in done:
            done[scan.step] = scan
    labels = [step_label(route, i) for i in range(len(route.steps))]
    last_done = max((i for i, label in enumerate(labels) if label in done), default=-1)
    closed = issued.status in CLOSED_STATUSES
    points: list[LoopPoint] = []
    next_given = False
    for index, (label, kind) in enumerate(zip(labels, route.steps, strict=True)):
        code = enterprise_code if kind is CheckpointKind.ENTERPRISE else None
        hit = done.get(label)
        if hit is not None:
            state = PointState.DONE
        elif closed or index < last_done:
            state = PointState.MISSED
        elif not next_given:
            state, next_given = PointState.NEXT, True
        else:
            state = PointState.PENDING
        points.append(
            LoopPoint(
                label,
                kind,
                code,
                state,
                hit.at if hit else None,
                hit.checkpoint_code if hit else None,
            )
        )
    return tuple(points)


# --- anomalies -----------------------------------------------------------------------------


class AnomalyKind(StrEnum):
    OVERDUE = "OVERDUE"  # a leg past its time limit
    SKIPPED_POINT = "SKIPPED_POINT"  # scanned at a later point: one was skipped (OUT_OF_ORDER)
    WRONG_POINT = "WRONG_POINT"  # scanned at a point not on its route (WRONG_CHECKPOINT)
    OPEN_AFTER_EXPIRY = "OPEN_AFTER_EXPIRY"  # expired while inside the loop
    REPEATED_RED = "REPEATED_RED"  # several RED verdicts for one vehicle in a day
    POSSIBLE_CLONE = "POSSIBLE_CLONE"  # one pass at two points faster than the road allows


# The scan reason behind each scan-based anomaly.
SCAN_REASON_KINDS = {
    "OUT_OF_ORDER": AnomalyKind.SKIPPED_POINT,
    "WRONG_CHECKPOINT": AnomalyKind.WRONG_POINT,
    "POSSIBLE_CLONE": AnomalyKind.POSSIBLE_CLONE,
}


@dataclass(frozen=True)
class Acknowledgement:
    note: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Anomaly:
    """One anomaly; ``subject`` identifies it within its kind (what an acknowledgement names).

    ``detail`` holds the figures behind it: for OVERDUE the status and the limit in minutes,
    for REPEATED_RED the count, for scan-based kinds the scan event id."""

    kind: AnomalyKind
    subject: str
    at: datetime
    serial: str | None
    plate: str | None
    checkpoint: str | None
    detail: dict[str, object]
    acknowledged: Acknowledgement | None = None


class AckFilter(StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    ALL = "ALL"


@dataclass(frozen=True)
class AnomalyQuery:
    """Which anomalies to list: kinds (all when empty), a time window, a plate or serial
    fragment, acknowledged or not, and a page."""

    kinds: tuple[AnomalyKind, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    state: AckFilter = AckFilter.OPEN
    limit: int = 200
    offset: int = 0


DEFAULT_WINDOW = timedelta(days=7)


def local_day(moment: datetime) -> date:
    """The city-local date of ``moment``."""
    return moment.astimezone(LOCAL_TZ).date()
