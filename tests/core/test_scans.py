"""Scanning a pass along the closed loop: verdicts, reasons, recording, and the faults."""

from __future__ import annotations

import pytest

from core.errors import PermissionDenied
from core.models import Checkpoint, Pass, PassStatus, RiskLevel, User, Verdict
from core.ports import PassQuery
from core.route import ScanReason
from core.services import Services
from core.services.scans import ScanResult
from tests.conftest import FakeClock, demo_user


class Lane:
    """The demo's checkpoints and a supervisor who may scan at any of them."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.supervisor = demo_user(services, "supervisor")
        self.operator = demo_user(services, "gate1")
        points = {p.code: p for p in services.store.checkpoints.list_all()}
        self.gate_in = points["G01"]
        self.gate_out = points["G03"]
        self.own_enterprise = points["E0001"]
        self.other_enterprise = points["E0002"]
        self.isolation = points["I01"]

    def passes(self, risk: RiskLevel) -> list[Pass]:
        rows = self.services.passes.search(self.supervisor, PassQuery(limit=100)).rows
        return [p for p in rows if (p.risk is RiskLevel.LOW) == (risk is RiskLevel.LOW)]

    def scan(self, point: Checkpoint, token: str, user: User | None = None) -> ScanResult:
        return self.services.scans.scan(user or self.supervisor, point, token)

    def events(self) -> int:
        return self.services.store.conn.execute("SELECT count(*) FROM scan_events").fetchone()[0]


@pytest.fixture
def lane(demo: Services) -> Lane:
    return Lane(demo)


def _walk(lane: Lane, clock: FakeClock, token: str, points: list[Checkpoint]) -> list[ScanResult]:
    results = []
    for point in points:
        clock.advance(minutes=20)
        results.append(lane.scan(point, token))
    return results


def test_low_risk_pass_goes_gate_enterprise_gate(lane: Lane, clock: FakeClock) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    route = [lane.gate_in, lane.own_enterprise, lane.gate_out]
    results = _walk(lane, clock, issued.token, route)
    assert [r.verdict for r in results] == [Verdict.GREEN] * 3
    assert [r.step for r in results] == ["GATE_IN", "ENTERPRISE", "GATE_OUT"]
    assert all(r.recorded and r.plate == issued.plate for r in results)
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.EXITED
    clock.advance(minutes=20)
    again = lane.scan(lane.gate_in, issued.token)
    assert (again.verdict, again.reason) == (Verdict.RED, ScanReason.PASS_CLOSED)


def test_risk_pass_goes_through_the_isolation_point(lane: Lane, clock: FakeClock) -> None:
    issued = lane.passes(RiskLevel.HIGH)[0]
    assert issued.risk is not RiskLevel.LOW
    route = [lane.gate_in, lane.own_enterprise, lane.isolation, lane.gate_out]
    results = _walk(lane, clock, issued.token, route)
    assert [r.step for r in results] == ["GATE_IN", "ENTERPRISE", "ISOLATION", "GATE_OUT"]
    assert {r.verdict for r in results} == {Verdict.GREEN}


def test_risk_pass_cannot_leave_without_isolation(lane: Lane, clock: FakeClock) -> None:
    issued = lane.passes(RiskLevel.HIGH)[0]
    _walk(lane, clock, issued.token, [lane.gate_in, lane.own_enterprise])
    clock.advance(minutes=20)
    result = lane.scan(lane.gate_out, issued.token)
    assert (result.verdict, result.reason) == (Verdict.RED, ScanReason.OUT_OF_ORDER)
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ARRIVED


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("other_enterprise", ScanReason.WRONG_CHECKPOINT),
        ("isolation", ScanReason.WRONG_CHECKPOINT),
        ("own_enterprise", ScanReason.OUT_OF_ORDER),
    ],
)
def test_first_scan_away_from_the_gate_is_red(
    lane: Lane, clock: FakeClock, where: str, reason: ScanReason
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    result = lane.scan(getattr(lane, where), issued.token)
    assert (result.verdict, result.reason) == (Verdict.RED, reason)
    assert result.recorded
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ISSUED


def test_same_point_twice_is_already_scanned(lane: Lane, clock: FakeClock) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    _walk(lane, clock, issued.token, [lane.gate_in, lane.own_enterprise])
    clock.advance(minutes=5)
    result = lane.scan(lane.own_enterprise, issued.token)
    assert result.reason is ScanReason.ALREADY_SCANNED


def test_repeat_within_ten_seconds_shows_first_verdict_and_writes_nothing(
    lane: Lane, clock: FakeClock
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    first = lane.scan(lane.gate_in, issued.token)
    events = lane.events()
    clock.advance(seconds=9)
    again = lane.scan(lane.gate_in, issued.token)
    assert (again.verdict, again.reason, again.recorded) == (first.verdict, first.reason, False)
    assert lane.events() == events
    clock.advance(seconds=2)
    later = lane.scan(lane.gate_in, issued.token)
    assert later.reason is ScanReason.ALREADY_SCANNED and later.recorded


def test_same_pass_at_two_far_points_minutes_apart_is_a_possible_clone(
    lane: Lane, clock: FakeClock
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.gate_in, issued.token)
    clock.advance(seconds=40)
    result = lane.scan(lane.own_enterprise, issued.token)
    assert (result.verdict, result.reason) == (Verdict.AMBER, ScanReason.POSSIBLE_CLONE)
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ENTERED


def test_station_clock_set_back_is_clock_skew(lane: Lane, clock: FakeClock) -> None:
    passes = lane.passes(RiskLevel.LOW)
    clock.advance(hours=2)
    lane.scan(lane.gate_in, passes[0].token)
    clock.advance(minutes=-30)
    result = lane.scan(lane.gate_in, passes[1].token)
    assert (result.verdict, result.reason) == (Verdict.AMBER, ScanReason.CLOCK_SKEW)
    assert lane.services.store.passes.get(passes[1].serial).status is PassStatus.ISSUED


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello", ScanReason.NOT_A_PASS),
        ("PH2:ABC", ScanReason.UNSUPPORTED_VERSION),
        ("PH1:GGW", ScanReason.MALFORMED),
        ("PH1:" + "A" * 1300, ScanReason.TOO_LARGE),
        (b"\xff\xfe\x00binary", ScanReason.NOT_A_PASS),
        ("'); DROP TABLE scan_events;--", ScanReason.NOT_A_PASS),
    ],
)
def test_garbage_is_red_and_recorded_with_a_fingerprint_only(
    lane: Lane, text: str | bytes, reason: ScanReason
) -> None:
    before = lane.events()
    result = lane.scan(lane.gate_in, text)  # type: ignore[arg-type]
    assert (result.verdict, result.reason, result.recorded) == (Verdict.RED, reason, True)
    assert lane.events() == before + 1
    entry = lane.services.store.audit.entries()[-1]
    assert entry.action == "scan" and "text_sha256" in entry.details
    assert "DROP" not in str(entry.details)


def test_revoked_and_expired_passes_are_red(lane: Lane, clock: FakeClock) -> None:
    revoked, expired = lane.passes(RiskLevel.LOW)[:2]
    lane.services.passes.revoke(lane.supervisor, revoked.serial, "行程取消")
    assert lane.scan(lane.gate_in, revoked.token).reason is ScanReason.REVOKED
    clock.advance(hours=73)
    assert lane.scan(lane.gate_out, expired.token).reason is ScanReason.EXPIRED


def test_operator_scans_only_at_its_own_checkpoint(lane: Lane) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    with pytest.raises(PermissionDenied):
        lane.scan(lane.gate_out, issued.token, lane.operator)
    result = lane.scan(lane.gate_in, issued.token, lane.operator)
    assert result.verdict is Verdict.GREEN
    assert "stand_in" not in lane.services.store.audit.entries()[-1].details


def test_supervisor_stand_in_is_audited_as_such(lane: Lane) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.gate_in, issued.token)
    assert lane.services.store.audit.entries()[-1].details["stand_in"] is True


def test_station_checkpoint_resolves_the_operator_and_refuses_others(lane: Lane) -> None:
    scans = lane.services.scans
    assert scans.station_checkpoint(lane.operator).code == "G01"
    assert scans.station_checkpoint(lane.supervisor, "g03").code == "G03"
    with pytest.raises(PermissionDenied):
        scans.station_checkpoint(lane.operator, "G03")
    with pytest.raises(PermissionDenied):
        scans.station_checkpoint(demo_user(lane.services, "clerk"), "G01")


def test_no_scan_is_green_without_a_committed_event(lane: Lane, clock: FakeClock) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    before = lane.events()
    result = lane.scan(lane.gate_in, issued.token)
    assert result.verdict is Verdict.GREEN
    assert lane.events() == before + 1
    last = lane.services.store.scans.last_of(issued.serial)
    assert last is not None and last.verdict is Verdict.GREEN and last.step == "GATE_IN"


def test_a_clock_set_before_the_pass_was_issued_is_clock_skew_not_red(
    lane: Lane, clock: FakeClock
) -> None:
    passes = lane.passes(RiskLevel.LOW)
    lane.scan(lane.gate_in, passes[0].token)
    clock.advance(days=-1)
    result = lane.scan(lane.gate_in, passes[1].token)
    assert (result.verdict, result.reason) == (Verdict.AMBER, ScanReason.CLOCK_SKEW)


def test_entering_and_leaving_by_another_gate_without_the_enterprise_is_out_of_order(
    lane: Lane, clock: FakeClock
) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.gate_in, issued.token)
    clock.advance(minutes=20)
    result = lane.scan(lane.gate_out, issued.token)
    assert (result.reason, result.step) == (ScanReason.OUT_OF_ORDER, "GATE_OUT")


def test_typed_serial_is_verified_like_a_scan(lane: Lane) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    grouped = " ".join(issued.serial[i : i + 4] for i in range(0, 32, 4)).upper()
    result = lane.services.scans.scan_serial(lane.supervisor, lane.gate_in, grouped)
    assert (result.verdict, result.serial, result.step) == (Verdict.GREEN, issued.serial, "GATE_IN")
    unknown = lane.services.scans.scan_serial(lane.supervisor, lane.gate_in, "0" * 32)
    assert (unknown.verdict, unknown.reason) == (Verdict.RED, ScanReason.NOT_A_PASS)


def test_plate_mismatch_is_red_and_undoes_the_green(lane: Lane, clock: FakeClock) -> None:
    issued = lane.passes(RiskLevel.LOW)[0]
    lane.scan(lane.gate_in, issued.token)
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ENTERED
    result = lane.services.scans.plate_mismatch(lane.supervisor, lane.gate_in, issued.serial)
    assert (result.verdict, result.reason) == (Verdict.RED, ScanReason.PLATE_MISMATCH)
    assert lane.services.store.passes.get(issued.serial).status is PassStatus.ISSUED
    recent = lane.services.scans.recent(lane.supervisor, lane.gate_in)
    assert [e.reason for e in recent[:2]] == ["PLATE_MISMATCH", "OK"]
