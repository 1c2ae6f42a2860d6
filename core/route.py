"""The closed loop: which point of a pass's route a checkpoint is, and the verdict codes.

A route is an ordered list of checkpoint kinds (``RouteTemplate.steps``); a pass's status says
how many points are done. A scan at the next point advances the pass; a scan at a point
already passed is ``ALREADY_SCANNED``; at a later point (one was skipped) ``OUT_OF_ORDER``; at
a point not on the route (another enterprise's gate, an isolation point on a low-risk route)
``WRONG_CHECKPOINT``; after the last point ``PASS_CLOSED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.models import Checkpoint, CheckpointKind, PassStatus, RouteTemplate, Verdict


class ScanReason(StrEnum):
    """Every reason code a scan can end with (SECURITY.md, "Verdict reason codes")."""

    OK = "OK"
    CLOCK_SKEW = "CLOCK_SKEW"
    POSSIBLE_CLONE = "POSSIBLE_CLONE"
    OVERDUE = "OVERDUE"
    PLATE_CHECK = "PLATE_CHECK"
    NOT_A_PASS = "NOT_A_PASS"
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    TOO_LARGE = "TOO_LARGE"
    MALFORMED = "MALFORMED"
    UNSUPPORTED_ALG = "UNSUPPORTED_ALG"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    KEY_NOT_VALID = "KEY_NOT_VALID"
    REVOKED = "REVOKED"
    WRONG_CHECKPOINT = "WRONG_CHECKPOINT"
    OUT_OF_ORDER = "OUT_OF_ORDER"
    ALREADY_SCANNED = "ALREADY_SCANNED"
    PASS_CLOSED = "PASS_CLOSED"
    PLATE_MISMATCH = "PLATE_MISMATCH"

    @property
    def verdict(self) -> Verdict:
        """GREEN only for OK; the operator-check codes are AMBER; everything else RED."""
        if self is ScanReason.OK:
            return Verdict.GREEN
        if self in _AMBER:
            return Verdict.AMBER
        return Verdict.RED


class OverrideReason(StrEnum):
    """Why a supervisor turned an AMBER or RED scan GREEN (stable codes, stored and audited)."""

    PLATE_VERIFIED_BY_HAND = "PLATE_VERIFIED_BY_HAND"
    CLOCK_CORRECTED = "CLOCK_CORRECTED"
    ROUTE_CHANGED_BY_ORDER = "ROUTE_CHANGED_BY_ORDER"
    CLONE_CHECKED = "CLONE_CHECKED"
    OTHER = "OTHER"  # the note must say why


OVERRIDE_PREFIX = "OVERRIDE:"

# Token failures that prove a forged, damaged or withdrawn pass: no one can wave these through.
NOT_OVERRIDABLE = frozenset(
    {
        ScanReason.BAD_SIGNATURE,
        ScanReason.UNKNOWN_KEY,
        ScanReason.UNSUPPORTED_ALG,
        ScanReason.MALFORMED,
        ScanReason.NOT_A_PASS,
        ScanReason.TOO_LARGE,
        ScanReason.UNSUPPORTED_VERSION,
        ScanReason.REVOKED,
        ScanReason.KEY_NOT_VALID,
    }
)


def override_code(reason: str) -> OverrideReason | None:
    """The override code of a stored scan reason (``OVERRIDE:<code>``), or None."""
    if not reason.startswith(OVERRIDE_PREFIX):
        return None
    try:
        return OverrideReason(reason.removeprefix(OVERRIDE_PREFIX))
    except ValueError:
        return None


_AMBER = frozenset(
    {ScanReason.CLOCK_SKEW, ScanReason.POSSIBLE_CLONE, ScanReason.OVERDUE, ScanReason.PLATE_CHECK}
)

_CLOSED = {
    PassStatus.EXITED: ScanReason.PASS_CLOSED,
    PassStatus.REVOKED: ScanReason.REVOKED,
    PassStatus.EXPIRED: ScanReason.EXPIRED,
}
# How many points are done in each status (the route's points are done in order).
_DONE = {
    PassStatus.ISSUED: 0,
    PassStatus.ENTERED: 1,
    PassStatus.ARRIVED: 2,
    PassStatus.ISOLATED: 3,
}


@dataclass(frozen=True)
class RouteDecision:
    """Where a scan stands on the route: its reason, the point's label and the new status."""

    reason: ScanReason
    step: str | None = None
    new_status: PassStatus | None = None


def step_label(route: RouteTemplate, index: int) -> str:
    """A stable name for point ``index``: GATE_IN, ENTERPRISE, ISOLATION or GATE_OUT."""
    kind = route.steps[index]
    if kind is CheckpointKind.GATE:
        return "GATE_IN" if index == 0 else "GATE_OUT"
    return kind.value


def status_after(route: RouteTemplate, index: int) -> PassStatus:
    """The pass's status once point ``index`` of ``route`` is done."""
    if index == len(route.steps) - 1:
        return PassStatus.EXITED
    return {
        CheckpointKind.GATE: PassStatus.ENTERED,
        CheckpointKind.ENTERPRISE: PassStatus.ARRIVED,
        CheckpointKind.ISOLATION: PassStatus.ISOLATED,
    }[route.steps[index]]


def _matches(point: Checkpoint, kind: CheckpointKind, enterprise_id: int) -> bool:
    if point.kind is not kind:
        return False
    return kind is not CheckpointKind.ENTERPRISE or point.enterprise_id == enterprise_id


def decide(
    route: RouteTemplate,
    status: PassStatus,
    point: Checkpoint,
    enterprise_id: int,
    last_point_id: int | None = None,
) -> RouteDecision:
    """The route rule for a scan of a pass in ``status`` at ``point`` (SECURITY.md step 12).

    ``last_point_id`` is the checkpoint where the pass's latest point was done: scanning
    there again is ``ALREADY_SCANNED`` even when a later point has the same kind (the gate
    the truck just came in by is also a gate it could leave by).
    """
    if status in _CLOSED:
        return RouteDecision(_CLOSED[status])
    done = _DONE[status]
    steps = route.steps
    if _matches(point, steps[done], enterprise_id):
        return RouteDecision(ScanReason.OK, step_label(route, done), status_after(route, done))
    later = [i for i in range(done + 1, len(steps)) if _matches(point, steps[i], enterprise_id)]
    earlier = [i for i in range(done) if _matches(point, steps[i], enterprise_id)]
    if earlier and (not later or point.id == last_point_id):
        return RouteDecision(ScanReason.ALREADY_SCANNED, step_label(route, earlier[-1]))
    if later:
        return RouteDecision(ScanReason.OUT_OF_ORDER, step_label(route, later[0]))
    return RouteDecision(ScanReason.WRONG_CHECKPOINT)


def status_before(route: RouteTemplate, step: str) -> PassStatus:
    """The pass's status before the point labelled ``step`` was done (to undo a scan)."""
    for index in range(len(route.steps)):
        if step_label(route, index) == step:
            return PassStatus.ISSUED if index == 0 else status_after(route, index - 1)
    raise ValueError(f"{step} is not on the {route} route")
