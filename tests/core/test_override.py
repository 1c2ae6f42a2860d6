"""A supervisor's override of an AMBER or RED scan: who may, which scans, what is recorded."""

from __future__ import annotations

import pytest

from core.errors import InvalidState, PermissionDenied
from core.models import AuditEntry, PassStatus, RiskLevel, Verdict
from core.route import OverrideReason, ScanReason
from core.services import Services
from core.validation import ValidationCode, ValidationError
from tests.conftest import FakeClock
from tests.core.test_scans import Lane


@pytest.fixture
def lane(demo: Services) -> Lane:
    return Lane(demo)


def _overrides(lane: Lane) -> list[AuditEntry]:
    return [e for e in lane.services.store.audit.entries() if e.action == "scan.override"]


def _audit_count(lane: Lane) -> int:
    return len(lane.services.store.audit.entries())


def test_supervisor_overrides_clock_skew_and_the_pass_advances(
    lane: Lane, clock: FakeClock
) -> None:
    passes = lane.passes(RiskLevel.LOW)
    clock.advance(hours=2)
    lane.scan(lane.gate_in, passes[0].token)
    clock.advance(minutes=-30)
    skewed = lane.scan(lane.gate_in, passes[1].token)
    assert skewed.reason is ScanReason.CLOCK_SKEW
    result = lane.services.scans.override(
        lane.supervisor, lane.gate_in, passes[1].serial, OverrideReason.CLOCK_CORRECTED, ""
    )
    assert (result.verdict, result.reason, result.override) == (
        Verdict.GREEN,
        ScanReason.OK,
        OverrideReason.CLOCK_CORRECTED,
    )
    assert (result.step, result.recorded, result.plate) == ("GATE_IN", True, passes[1].plate)
    last = lane.services.store.scans.last_of(passes[1].serial)
    assert last is not None
    assert (last.verdict, last.reason, last.step) == (
        Verdict.GREEN,
        "OVERRIDE:CLOCK_CORRECTED",
        "GATE_IN",
    )
    assert lane.services.store.passes.get(passes[1].serial).status is PassStatus.ENTERED
    assert result.as_json()["override"] == "CLOCK_CORRECTED"


def test_supervisor_overrides_possible_clone_and_the_pass_advances(
    lane: Lane, clock: FakeClock
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.gate_in, issued.token)
    clock.advance(seconds=40)
    clone = lane.scan(lane.own_enterprise, issued.token)
    assert clone.reason is ScanReason.POSSIBLE_CLONE
    result = lane.services.scans.override(
        lane.supervisor, lane.own_enterprise, issued.serial, OverrideReason.CLONE_CHECKED, "看过车"
    )
    assert (result.verdict, result.step) == (Verdict.GREEN, "ENTERPRISE")
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ARRIVED
    (entry,) = _overrides(lane)
    assert entry.details["original_reason"] == "POSSIBLE_CLONE"
    assert entry.details["code"] == "CLONE_CHECKED"
    assert entry.actor == "supervisor"


def test_override_of_wrong_checkpoint_is_recorded_and_audited_without_advancing(
    lane: Lane, clock: FakeClock
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    red = lane.scan(lane.other_enterprise, issued.token)
    assert (red.verdict, red.reason) == (Verdict.RED, ScanReason.WRONG_CHECKPOINT)
    clock.advance(minutes=3)
    note = "  调度令 2026-118：改送 E0002  "
    result = lane.services.scans.override(
        lane.supervisor,
        lane.other_enterprise,
        issued.serial,
        OverrideReason.ROUTE_CHANGED_BY_ORDER,
        note,
    )
    assert (result.verdict, result.override) == (
        Verdict.GREEN,
        OverrideReason.ROUTE_CHANGED_BY_ORDER,
    )
    last = lane.services.store.scans.last_of(issued.serial)
    assert last is not None
    assert (last.verdict, last.reason) == (Verdict.GREEN, "OVERRIDE:ROUTE_CHANGED_BY_ORDER")
    # Not this pass's next point: the GREEN is on record but the route does not move.
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ISSUED
    (entry,) = _overrides(lane)
    assert entry.entity == "scan_event"
    assert entry.entity_id == str(last.id)
    assert entry.details["original_reason"] == "WRONG_CHECKPOINT"
    assert entry.details["code"] == "ROUTE_CHANGED_BY_ORDER"
    assert entry.details["note"] == note.strip()
    assert entry.details["checkpoint"] == "E0002"


def test_operator_cannot_override_amber(lane: Lane, clock: FakeClock) -> None:
    passes = lane.passes(RiskLevel.LOW)
    clock.advance(hours=2)
    lane.scan(lane.gate_in, passes[0].token, lane.operator)
    clock.advance(minutes=-30)
    assert lane.scan(lane.gate_in, passes[1].token, lane.operator).verdict is Verdict.AMBER
    events = lane.events()
    with pytest.raises(PermissionDenied):
        lane.services.scans.override(
            lane.operator, lane.gate_in, passes[1].serial, OverrideReason.CLOCK_CORRECTED, "x"
        )
    assert lane.events() == events
    assert lane.services.store.passes.get(passes[1].serial).status is PassStatus.ISSUED


def test_operator_cannot_override_red(lane: Lane) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.services.passes.revoke(lane.supervisor, issued.serial, "行程取消")
    assert lane.scan(lane.gate_in, issued.token, lane.operator).verdict is Verdict.RED
    with pytest.raises(PermissionDenied):
        lane.services.scans.override(
            lane.operator, lane.gate_in, issued.serial, OverrideReason.OTHER, "放行"
        )


def test_revoked_pass_cannot_be_overridden_and_nothing_is_written(lane: Lane) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.services.passes.revoke(lane.supervisor, issued.serial, "行程取消")
    assert lane.scan(lane.gate_in, issued.token).reason is ScanReason.REVOKED
    events, audit = lane.events(), _audit_count(lane)
    with pytest.raises(InvalidState, match="cannot be overridden"):
        lane.services.scans.override(
            lane.supervisor, lane.gate_in, issued.serial, OverrideReason.OTHER, "司机坚持"
        )
    assert (lane.events(), _audit_count(lane)) == (events, audit)
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.REVOKED


@pytest.mark.parametrize(
    "reason",
    [
        ScanReason.BAD_SIGNATURE,
        ScanReason.UNKNOWN_KEY,
        ScanReason.UNSUPPORTED_ALG,
        ScanReason.KEY_NOT_VALID,
        ScanReason.MALFORMED,
    ],
)
def test_forgery_proving_reasons_cannot_be_overridden(
    lane: Lane, clock: FakeClock, reason: ScanReason
) -> None:
    # A forged token normally carries no readable serial; an event tied to the serial
    # (a station that kept one, an older release) must still never be waved through.
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.services.store.scans.add(
        clock(), lane.gate_in.id, lane.operator.id, issued.serial, Verdict.RED, reason.value, None
    )
    events, audit = lane.events(), _audit_count(lane)
    with pytest.raises(InvalidState, match="cannot be overridden"):
        lane.services.scans.override(
            lane.supervisor, lane.gate_in, issued.serial, OverrideReason.PLATE_VERIFIED_BY_HAND, ""
        )
    assert (lane.events(), _audit_count(lane)) == (events, audit)
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ISSUED


def test_other_needs_a_note(lane: Lane) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.other_enterprise, issued.token)
    events = lane.events()
    with pytest.raises(ValidationError) as raised:
        lane.services.scans.override(
            lane.supervisor, lane.other_enterprise, issued.serial, OverrideReason.OTHER, "   "
        )
    assert (raised.value.field, raised.value.code) == ("note", ValidationCode.REQUIRED)
    assert lane.events() == events


def test_note_is_capped_and_screened(lane: Lane) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.other_enterprise, issued.token)
    for note in ("长" * 201, "ok\x00"):
        with pytest.raises(ValidationError):
            lane.services.scans.override(
                lane.supervisor, lane.other_enterprise, issued.serial, OverrideReason.OTHER, note
            )
    with pytest.raises(ValidationError):
        lane.services.scans.override(
            lane.supervisor, lane.other_enterprise, issued.serial, "PLEASE", "x"
        )


def test_only_the_latest_amber_or_red_scan_here_can_be_overridden(
    lane: Lane, clock: FakeClock
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    code = OverrideReason.ROUTE_CHANGED_BY_ORDER
    with pytest.raises(InvalidState):  # never scanned
        lane.services.scans.override(lane.supervisor, lane.gate_in, issued.serial, code, "x")
    lane.scan(lane.other_enterprise, issued.token)
    clock.advance(minutes=5)
    lane.scan(lane.gate_in, issued.token)  # GREEN, and now the latest scan
    with pytest.raises(InvalidState):  # the RED is no longer the latest
        lane.services.scans.override(
            lane.supervisor, lane.other_enterprise, issued.serial, code, "x"
        )
    with pytest.raises(InvalidState):  # a GREEN has nothing to override
        lane.services.scans.override(lane.supervisor, lane.gate_in, issued.serial, code, "x")
    assert _overrides(lane) == []


def test_a_repeat_scan_right_after_an_override_shows_the_green(
    lane: Lane, clock: FakeClock
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.gate_in, issued.token)
    clock.advance(seconds=40)
    lane.scan(lane.own_enterprise, issued.token)
    lane.services.scans.override(
        lane.supervisor, lane.own_enterprise, issued.serial, OverrideReason.CLONE_CHECKED, ""
    )
    clock.advance(seconds=3)
    again = lane.scan(lane.own_enterprise, issued.token)
    assert (again.verdict, again.reason, again.recorded, again.override) == (
        Verdict.GREEN,
        ScanReason.OK,
        False,
        OverrideReason.CLONE_CHECKED,
    )
