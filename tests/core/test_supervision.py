"""The supervisor's service on small worlds built through the real services.

Dashboard figures after real scans (trucks inside, a gate's entries and exits today, hourly
buckets in the city's time, RED today, the review queue and the decision time); traces by
plate, serial prefix and driver, with the loop's DONE/NEXT/PENDING/MISSED points; every
anomaly kind appearing exactly when its rule says, the filters and paging, acknowledgement;
SQL metacharacters in searches; and the retention purge, which leaves the audit chain valid.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from core.demo import id_number, populate
from core.errors import NotFound, PermissionDenied
from core.models import Checkpoint, Pass, PassStatus, RiskLevel, Verdict
from core.ports import PassQuery
from core.route import OverrideReason, ScanReason
from core.services import Services
from core.services.applications import ApplicationInput
from core.services.fleet import DriverInput, VehicleInput
from core.services.scans import ScanResult
from core.supervision import (
    LOCAL_TZ,
    AckFilter,
    Anomaly,
    AnomalyKind,
    AnomalyQuery,
    PointState,
    local_midnight,
)
from core.validation import ValidationError
from tests.conftest import FAST_HASH, NOW, FakeClock, demo_user

# NOW is 2026-11-25 08:00 UTC: 16:00 in the city, whose day began at 2026-11-24 16:00 UTC.


class Lane:
    """The demo's points, a supervisor who scans anywhere, and the issued passes."""

    def __init__(self, services: Services, clock: FakeClock) -> None:
        self.services = services
        self.clock = clock
        self.supervisor = demo_user(services, "supervisor")
        self.reviewer = demo_user(services, "reviewer")
        self.clerk = demo_user(services, "clerk")
        self.points = {p.code: p for p in services.store.checkpoints.list_all()}
        self.gate_in, self.gate_out = self.points["G01"], self.points["G03"]
        self.own, self.other = self.points["E0001"], self.points["E0002"]
        self.isolation = self.points["I01"]
        rows = services.passes.search(self.supervisor, PassQuery(limit=100)).rows
        # One pass per plate, the first filed: the demo issues some trucks two passes, and a
        # test's trucks must differ (three REDs of one plate in a day are an anomaly of their
        # own). Plates and filing order are seeded, so every run picks the same trucks.
        self.risky = _one_per_plate([p for p in rows if p.risk is not RiskLevel.LOW], set())
        risky_plates = {p.plate for p in self.risky}
        self.low = _one_per_plate([p for p in rows if p.risk is RiskLevel.LOW], risky_plates)

    def scan(self, point: Checkpoint, issued: Pass, minutes: float = 20) -> ScanResult:
        """Scan ``issued`` at ``point`` ``minutes`` after the previous moment."""
        self.clock.advance(minutes=minutes)
        return self.services.scans.scan(self.supervisor, point, issued.token)

    def walk(self, issued: Pass, *points: Checkpoint, minutes: float = 20) -> None:
        for point in points:
            result = self.scan(point, issued, minutes)
            assert result.verdict is Verdict.GREEN, result

    def status(self, issued: Pass) -> PassStatus:
        stored = self.services.store.passes.get(issued.serial)
        assert stored is not None
        return stored.status

    def anomalies(self, **filters: object) -> list[Anomaly]:
        query = AnomalyQuery(**filters)  # type: ignore[arg-type]
        return list(self.services.supervision.anomalies(self.supervisor, query).rows)

    def of_kind(self, kind: AnomalyKind, **filters: object) -> list[Anomaly]:
        return self.anomalies(kinds=(kind,), **filters)

    def audit_count(self) -> int:
        return self.services.store.audit.count()


def _one_per_plate(passes: list[Pass], taken: set[str]) -> list[Pass]:
    first: dict[str, Pass] = {}
    for issued in sorted(passes, key=lambda p: p.application_id):
        if issued.plate not in taken:
            first.setdefault(issued.plate, issued)
    return sorted(first.values(), key=lambda p: p.application_id)


@pytest.fixture
def lane(demo: Services, clock: FakeClock) -> Lane:
    return Lane(demo, clock)


def _sql(services: Services, sql: str, *params: object) -> list[tuple[object, ...]]:
    return services.store.conn.execute(sql, params).fetchall()


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_counts_trucks_inside_gate_flows_and_red_after_scans(lane: Lane) -> None:
    first, second, third = lane.low[:3]
    lane.walk(first, lane.gate_in, lane.own)  # ARRIVED
    lane.walk(second, lane.points["G02"])  # ENTERED by another gate
    lane.walk(third, lane.gate_in, lane.own, lane.gate_out)  # the whole loop: EXITED
    lane.clock.advance(minutes=5)
    garbage = lane.services.scans.scan(lane.supervisor, lane.gate_in, "not a pass")
    assert garbage.verdict is Verdict.RED

    board = lane.services.supervision.dashboard(lane.supervisor)

    assert board.inside_now == 2
    assert board.inside_by_status == {PassStatus.ARRIVED: 1, PassStatus.ENTERED: 1}
    flows = {gate.code: (gate.entries, gate.exits) for gate in board.gates}
    assert flows["G01"] == (2, 0)
    assert flows["G02"] == (1, 0)
    assert flows["G03"] == (0, 1)
    assert flows["G04"] == flows["G05"] == (0, 0)  # every gate listed, idle ones too
    assert sum(board.hourly_entries) == 3 and sum(board.hourly_exits) == 1
    assert board.scans_today == 7
    assert board.red_today == 1


def test_hourly_buckets_and_today_follow_the_citys_day(lane: Lane) -> None:
    first, second = lane.low[:2]
    # 15:50 UTC is 23:50 in the city: today's last hour.
    lane.clock.now = datetime(2026, 11, 25, 23, 50, tzinfo=LOCAL_TZ).astimezone(UTC)
    lane.walk(first, lane.gate_in, minutes=0)
    board = lane.services.supervision.dashboard(lane.supervisor)
    assert board.hourly_entries[23] == 1 and sum(board.hourly_entries) == 1

    # Twenty minutes later it is 00:10 tomorrow in the city (still the 25th in UTC).
    lane.walk(second, lane.gate_in, minutes=20)
    assert lane.clock().astimezone(LOCAL_TZ).hour == 0
    assert lane.clock().date() == NOW.date()
    board = lane.services.supervision.dashboard(lane.supervisor)
    assert board.hourly_entries[0] == 1 and sum(board.hourly_entries) == 1
    assert board.scans_today == 1
    assert {g.code: g.entries for g in board.gates}["G01"] == 1
    assert board.inside_now == 2  # inside is "now", not "today"


def test_dashboard_review_queue_and_mean_decision_time(lane: Lane) -> None:
    rows = lane.services.store.conn.execute(
        "SELECT created_at, decided_at, status FROM applications"
    ).fetchall()
    waiting = [created for created, _decided, status in rows if status == "SUBMITTED"]
    decided = [(d - c) / 60000 for c, d, _s in rows if d is not None]
    assert waiting and decided

    board = lane.services.supervision.dashboard(lane.supervisor)

    assert board.waiting_applications == len(waiting)
    assert board.oldest_waiting_minutes == (int(NOW.timestamp() * 1000) - min(waiting)) // 60000
    assert board.decision_minutes_avg == pytest.approx(sum(decided) / len(decided))

    # Decisions older than seven days no longer count.
    lane.clock.advance(days=8)
    assert lane.services.supervision.dashboard(lane.supervisor).decision_minutes_avg is None


def test_dashboard_needs_the_dashboard_permission(lane: Lane) -> None:
    with pytest.raises(PermissionDenied):
        lane.services.supervision.dashboard(lane.clerk)
    with pytest.raises(PermissionDenied):
        lane.services.supervision.trace(lane.clerk, lane.low[0].plate)
    with pytest.raises(PermissionDenied):
        lane.services.supervision.anomalies(lane.clerk, AnomalyQuery())


# --- trace ----------------------------------------------------------------------------------


def _driver_of(services: Services, issued: Pass) -> tuple[str, str, str]:
    row = _sql(
        services,
        "SELECT d.name, d.phone, d.id_number FROM applications a"
        " JOIN drivers d ON d.id = a.driver_id WHERE a.id = ?",
        issued.application_id,
    )[0]
    return str(row[0]), str(row[1]), str(row[2])


def test_trace_by_plate_and_by_serial_prefix(lane: Lane) -> None:
    issued = lane.low[0]
    lane.walk(issued, lane.gate_in, lane.own)
    before = lane.audit_count()

    by_plate = lane.services.supervision.trace(lane.supervisor, f" {issued.plate.lower()} ")
    by_serial = lane.services.supervision.trace(
        lane.supervisor, " ".join(issued.serial[i : i + 4] for i in (0, 4)).upper()
    )

    assert [t.issued.serial for t in by_serial.passes] == [issued.serial]
    assert {t.issued.plate for t in by_plate.passes} == {issued.plate}  # every trip of it
    issued_times = [t.issued.issued_at for t in by_plate.passes]
    assert issued_times == sorted(issued_times, reverse=True)
    for found in (by_plate, by_serial):
        trace = next(t for t in found.passes if t.issued.serial == issued.serial)
        assert [(s.checkpoint_code, s.step) for s in trace.scans] == [
            ("G01", "GATE_IN"),
            ("E0001", "ENTERPRISE"),
        ]
        assert trace.scans[0].operator == "supervisor"
        enterprise = lane.services.store.enterprises.get(lane.clerk.enterprise_id or 0)
        assert enterprise is not None and trace.enterprise == enterprise.name
    assert lane.audit_count() == before  # plates and serials are not personal data


def test_trace_by_driver_name_or_phone_is_audited_and_shows_the_id_masked(lane: Lane) -> None:
    issued = lane.low[0]
    name, phone, id_no = _driver_of(lane.services, issued)
    for query in (name, phone, id_no):
        before = lane.audit_count()
        found = lane.services.supervision.trace(lane.supervisor, query)
        assert issued.serial in {t.issued.serial for t in found.passes}
        entry = lane.services.store.audit.entries(before + 1)[-1]
        assert (entry.action, entry.entity, entry.actor) == ("trace.driver", "driver", "supervisor")
        assert entry.details == {"passes": len(found.passes)}
        assert query not in str(entry.details) and query not in entry.entity_id
        shown = next(t.driver for t in found.passes if t.issued.serial == issued.serial)
        assert shown.startswith(name) and id_no not in shown and id_no[-4:] in shown


def test_trace_that_finds_nothing_is_empty_and_a_blank_query_is_refused(lane: Lane) -> None:
    before = lane.audit_count()
    assert lane.services.supervision.trace(lane.supervisor, "浙Z99999").passes == ()
    assert lane.audit_count() == before
    with pytest.raises(ValidationError):
        lane.services.supervision.trace(lane.supervisor, "   ")
    with pytest.raises(ValidationError):
        lane.services.supervision.trace(lane.supervisor, "浙" * 65)


def _loop(lane: Lane, issued: Pass) -> list[tuple[str, PointState]]:
    found = lane.services.supervision.trace(lane.supervisor, issued.serial)
    assert len(found.passes) == 1
    return [(point.step, point.state) for point in found.passes[0].loop]


def test_loop_of_a_completed_trip_is_done_everywhere(lane: Lane) -> None:
    issued = lane.low[0]
    lane.walk(issued, lane.gate_in, lane.own, lane.gate_out)
    found = lane.services.supervision.trace(lane.supervisor, issued.serial).passes[0]
    assert [(p.step, p.state) for p in found.loop] == [
        ("GATE_IN", PointState.DONE),
        ("ENTERPRISE", PointState.DONE),
        ("GATE_OUT", PointState.DONE),
    ]
    assert [p.done_at_code for p in found.loop] == ["G01", "E0001", "G03"]
    assert found.loop[1].checkpoint_code == "E0001" and found.loop[0].checkpoint_code is None
    assert found.loop[2].at == lane.clock()


def test_loop_of_a_pass_inside_shows_next_and_pending(lane: Lane) -> None:
    issued = lane.risky[0]
    lane.walk(issued, lane.gate_in)
    assert _loop(lane, issued) == [
        ("GATE_IN", PointState.DONE),
        ("ENTERPRISE", PointState.NEXT),
        ("ISOLATION", PointState.PENDING),
        ("GATE_OUT", PointState.PENDING),
    ]


def test_loop_of_an_expired_pass_that_never_left_misses_the_exit(lane: Lane) -> None:
    issued = lane.low[0]
    lane.walk(issued, lane.gate_in, lane.own)
    lane.clock.advance(hours=73)
    assert lane.services.passes.mark_expired() >= 1
    assert lane.status(issued) is PassStatus.EXPIRED
    assert _loop(lane, issued) == [
        ("GATE_IN", PointState.DONE),
        ("ENTERPRISE", PointState.DONE),
        ("GATE_OUT", PointState.MISSED),
    ]


def test_loop_of_an_overridden_skip_marks_the_skipped_point_missed(lane: Lane) -> None:
    issued = lane.risky[0]
    lane.walk(issued, lane.gate_in, lane.own)
    skipped = lane.scan(lane.gate_out, issued)
    assert (skipped.verdict, skipped.reason) == (Verdict.RED, ScanReason.OUT_OF_ORDER)
    lane.services.scans.override(
        lane.supervisor,
        lane.gate_out,
        issued.serial,
        OverrideReason.ROUTE_CHANGED_BY_ORDER,
        "指挥部通知免隔离",
    )
    assert _loop(lane, issued) == [
        ("GATE_IN", PointState.DONE),
        ("ENTERPRISE", PointState.DONE),
        ("ISOLATION", PointState.MISSED),
        ("GATE_OUT", PointState.DONE),
    ]


# --- anomalies ------------------------------------------------------------------------------


def test_overdue_appears_exactly_when_a_leg_exceeds_its_setting(lane: Lane) -> None:
    issued = lane.low[0]
    lane.walk(issued, lane.gate_in)
    entered = lane.clock()
    lane.clock.now = entered + timedelta(minutes=180)  # default leg.gate_to_enterprise
    assert lane.of_kind(AnomalyKind.OVERDUE) == []
    lane.clock.now = entered + timedelta(minutes=180, seconds=1)
    (overdue,) = lane.of_kind(AnomalyKind.OVERDUE)
    assert (overdue.subject, overdue.serial, overdue.plate) == (
        f"{issued.serial}:ENTERED",
        issued.serial,
        issued.plate,
    )
    assert overdue.detail == {"status": "ENTERED", "limit_minutes": 180}
    assert overdue.at == entered + timedelta(minutes=180)

    lane.services.store.settings.put("leg.gate_to_enterprise", "240")
    assert lane.of_kind(AnomalyKind.OVERDUE) == []
    lane.clock.now = entered + timedelta(minutes=241)
    assert [a.detail["limit_minutes"] for a in lane.of_kind(AnomalyKind.OVERDUE)] == [240]
    lane.services.store.settings.put("leg.gate_to_enterprise", "60")
    lane.clock.now = entered + timedelta(minutes=61)
    (moved,) = lane.of_kind(AnomalyKind.OVERDUE)
    assert moved.at == entered + timedelta(minutes=60)

    lane.walk(issued, lane.own, minutes=1)  # arrived: that leg is over, the next one starts
    assert lane.of_kind(AnomalyKind.OVERDUE) == []
    assert lane.services.supervision.dashboard(lane.supervisor).open_anomalies["OVERDUE"] == 0


def test_isolation_legs_have_their_own_limits(lane: Lane) -> None:
    issued = lane.risky[0]
    lane.walk(issued, lane.gate_in, lane.own)
    arrived = lane.clock()
    lane.clock.now = arrived + timedelta(minutes=121)  # leg.enterprise_to_isolation = 120
    (overdue,) = lane.of_kind(AnomalyKind.OVERDUE)
    assert overdue.detail == {"status": "ARRIVED", "limit_minutes": 120}
    standard = lane.low[0]
    lane.walk(standard, lane.gate_in, lane.own, minutes=3)
    lane.clock.advance(minutes=121)  # a standard loop may stay 720 minutes
    assert [a.serial for a in lane.of_kind(AnomalyKind.OVERDUE)] == [issued.serial]


@pytest.mark.parametrize(
    ("where", "kind", "reason"),
    [
        ("gate_out", AnomalyKind.SKIPPED_POINT, "OUT_OF_ORDER"),
        ("other", AnomalyKind.WRONG_POINT, "WRONG_CHECKPOINT"),
    ],
)
def test_scan_reasons_become_point_anomalies(
    lane: Lane, where: str, kind: AnomalyKind, reason: str
) -> None:
    issued = lane.low[0]
    lane.walk(issued, lane.gate_in)
    result = lane.scan(getattr(lane, where), issued)
    assert result.reason.value == reason
    (found,) = lane.of_kind(kind)
    event = lane.services.store.scans.last_of(issued.serial)
    assert event is not None
    assert (found.subject, found.serial, found.plate, found.checkpoint) == (
        str(event.id),
        issued.serial,
        issued.plate,
        getattr(lane, where).code,
    )
    assert found.detail == {"reason": reason, "scan_event": event.id}
    assert found.at == lane.clock()
    others = set(AnomalyKind) - {kind, AnomalyKind.OVERDUE}
    assert all(lane.of_kind(other) == [] for other in others)


def test_possible_clone_is_an_anomaly(lane: Lane) -> None:
    issued = lane.low[0]
    lane.walk(issued, lane.gate_in)
    clone = lane.scan(lane.own, issued, minutes=1)
    assert (clone.verdict, clone.reason) == (Verdict.AMBER, ScanReason.POSSIBLE_CLONE)
    (found,) = lane.of_kind(AnomalyKind.POSSIBLE_CLONE)
    assert (found.serial, found.checkpoint, found.detail["reason"]) == (
        issued.serial,
        "E0001",
        "POSSIBLE_CLONE",
    )


def test_open_after_expiry_before_and_after_the_pass_is_marked(lane: Lane) -> None:
    inside, never_came, left = lane.low[:3]
    lane.walk(inside, lane.gate_in)
    lane.walk(left, lane.gate_in, lane.own, lane.gate_out)
    assert lane.of_kind(AnomalyKind.OPEN_AFTER_EXPIRY) == []

    lane.clock.now = inside.valid_until + timedelta(minutes=1)
    (open_late,) = lane.of_kind(AnomalyKind.OPEN_AFTER_EXPIRY)
    assert (open_late.subject, open_late.at) == (inside.serial, inside.valid_until)
    assert lane.status(inside) is PassStatus.ENTERED  # not marked yet

    lane.clock.advance(hours=1)
    lane.services.passes.mark_expired()
    assert lane.status(never_came) is PassStatus.EXPIRED
    (marked,) = lane.of_kind(AnomalyKind.OPEN_AFTER_EXPIRY)
    assert (marked.subject, marked.at) == (inside.serial, lane.clock())


def test_repeated_red_at_the_threshold_and_not_below(lane: Lane) -> None:
    issued = lane.low[0]  # scanned three times at another enterprise's point, 16:12 to 16:36
    for _ in range(2):
        assert lane.scan(lane.other, issued, minutes=12).verdict is Verdict.RED
    assert lane.of_kind(AnomalyKind.REPEATED_RED) == []
    assert lane.scan(lane.other, issued, minutes=12).verdict is Verdict.RED
    (repeated,) = lane.of_kind(AnomalyKind.REPEATED_RED)
    assert repeated.subject == f"{issued.plate}@2026-11-25"
    assert (repeated.plate, repeated.detail, repeated.at) == (
        issued.plate,
        {"count": 3},
        lane.clock(),
    )

    lane.services.store.settings.put("anomaly.repeated_red", "4")
    assert lane.of_kind(AnomalyKind.REPEATED_RED) == []


def test_repeated_red_counts_within_the_citys_day(lane: Lane) -> None:
    issued = lane.low[0]
    # 23:30 and 23:45 in the city, then 00:05 the next day: two and one, not three.
    lane.clock.now = datetime(2026, 11, 25, 23, 18, tzinfo=LOCAL_TZ).astimezone(UTC)
    lane.scan(lane.other, issued, minutes=12)
    lane.scan(lane.other, issued, minutes=15)
    lane.scan(lane.other, issued, minutes=20)
    assert lane.clock().astimezone(LOCAL_TZ).day == 26
    assert lane.of_kind(AnomalyKind.REPEATED_RED) == []
    lane.services.store.settings.put("anomaly.repeated_red", "2")
    (repeated,) = lane.of_kind(AnomalyKind.REPEATED_RED)
    assert repeated.subject == f"{issued.plate}@2026-11-25"
    assert repeated.detail == {"count": 2}


def _red_at(lane: Lane, issued: Pass, local: datetime, point: Checkpoint | None = None) -> None:
    """A RED scan (another enterprise's point) of ``issued`` at a city-local moment."""
    lane.clock.now = local.astimezone(UTC)
    result = lane.services.scans.scan(lane.supervisor, point or lane.other, issued.token)
    assert result.verdict is Verdict.RED, result


def _city(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


WINDOWS = (
    (None, None),
    (_city(26, 0), _city(28, 0) - timedelta(milliseconds=1)),  # whole days
    (_city(26, 0, 5), _city(27, 12)),  # partial days at both ends
    (_city(26, 0, 5), _city(26, 0, 20)),  # inside one day
    (_city(26, 11), None),
    (None, _city(26, 12)),
    (_city(27, 23, 59), None),
)


def _repeated(lane: Lane, since: datetime | None, until: datetime | None, red: int) -> object:
    query = AnomalyQuery(kinds=(AnomalyKind.REPEATED_RED,), since=since, until=until)
    return lane.services.store.supervision.anomalies(query, {}, lane.clock(), red)


def _check_kept_groups_against_a_fresh_count(lane: Lane) -> int:
    found = 0
    for since, until in WINDOWS:
        for red in (2, 3):
            kept = _repeated(lane, since, until, red)
            with lane.services.store.transaction():  # inside a transaction: counted afresh
                fresh = _repeated(lane, since, until, red)
            assert kept == fresh, (since, until, red)
            found += fresh[1]  # type: ignore[index]
    return found


def test_kept_repeated_red_groups_agree_with_a_fresh_count(lane: Lane) -> None:
    """REPEATED_RED groups of whole days are kept between queries and brought up to date from
    the scans recorded since; every window, whole or cut in the middle of a day, must give what
    counting all its RED scans again gives — also after new scans, back-dated ones included."""
    one, two, three = lane.low[:3]
    scans = {
        one: [
            *(_city(25, 16, 10), _city(25, 16, 30), _city(25, 23, 50)),
            *(_city(26, 0, 2), _city(26, 0, 4), _city(26, 0, 10)),  # two before 00:05
        ],
        two: [_city(26, 0, 12), _city(26, 9), _city(27, 1), _city(27, 2)],
        three: [_city(27, 10), _city(27, 11), _city(27, 23, 58), _city(28, 0, 1)],
    }
    plan = sorted(
        ((moment, issued) for issued, moments in scans.items() for moment in moments),
        key=lambda item: item[0],
    )
    for moment, issued in plan[:10]:
        _red_at(lane, issued, moment)
    assert _check_kept_groups_against_a_fresh_count(lane) > 0

    for moment, issued in plan[10:]:  # news after the groups were kept
        _red_at(lane, issued, moment)
    # A station that was quiet records a scan dated back into a day already kept.
    _red_at(lane, two, _city(26, 9, 30), lane.points["E0003"])
    _check_kept_groups_against_a_fresh_count(lane)
    (late,) = [
        a for a in lane.of_kind(AnomalyKind.REPEATED_RED) if a.subject == f"{two.plate}@2026-11-26"
    ]
    assert (late.plate, late.detail) == (two.plate, {"count": 3})


def test_repeated_red_text_filter_and_the_change_poll(lane: Lane) -> None:
    first, second = lane.low[:2]
    for hour, issued in ((17, first), (18, second)):
        for minute in (10, 20, 30):
            _red_at(lane, issued, _city(25, hour, minute))
    service = lane.services.supervision
    changed, token = service.changed_since(lane.supervisor, None)
    assert changed
    assert {a.plate for a in lane.of_kind(AnomalyKind.REPEATED_RED)} == {first.plate, second.plate}
    (only,) = lane.of_kind(AnomalyKind.REPEATED_RED, text=first.plate)
    assert only.plate == first.plate
    (by_serial,) = lane.of_kind(AnomalyKind.REPEATED_RED, text=second.serial[:8])
    assert by_serial.plate == second.plate
    service.dashboard(lane.supervisor)
    # Keeping the groups up to date writes only to the connection's own TEMP tables: no news.
    assert service.changed_since(lane.supervisor, token) == (False, token)
    _red_at(lane, first, _city(25, 19))
    assert service.changed_since(lane.supervisor, token)[0]


def test_repeated_red_is_counted_afresh_when_the_kept_groups_cannot_be_written(
    lane: Lane, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = lane.low[0]
    for minute in (10, 20, 30):
        _red_at(lane, issued, _city(25, 17, minute))

    def full_disk(self: object, first: int, last: int) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("db.supervision._RedGroups.prepare", full_disk)
    (found,) = lane.of_kind(AnomalyKind.REPEATED_RED)
    assert found.detail == {"count": 3}
    board = lane.services.supervision.dashboard(lane.supervisor)
    assert board.open_anomalies["REPEATED_RED"] == 1


def _story(lane: Lane) -> dict[str, Pass]:
    """Three wrong-point scans and a skipped point on two passes, minutes apart."""
    first, second = lane.low[:2]
    lane.walk(first, lane.gate_in)
    lane.walk(second, lane.gate_in)
    lane.scan(lane.other, first)  # WRONG_POINT
    lane.scan(lane.gate_out, second)  # SKIPPED_POINT
    lane.scan(lane.other, second)  # WRONG_POINT
    lane.scan(lane.other, first)  # WRONG_POINT
    return {"first": first, "second": second}


def test_anomaly_filters_by_kind_text_window_and_state(lane: Lane) -> None:
    story = _story(lane)
    first, second = story["first"], story["second"]
    everything = lane.anomalies()
    assert [a.kind for a in everything] == [
        AnomalyKind.WRONG_POINT,
        AnomalyKind.WRONG_POINT,
        AnomalyKind.SKIPPED_POINT,
        AnomalyKind.WRONG_POINT,
    ]
    assert [a.at for a in everything] == sorted((a.at for a in everything), reverse=True)

    assert len(lane.of_kind(AnomalyKind.WRONG_POINT)) == 3
    both = lane.anomalies(kinds=(AnomalyKind.SKIPPED_POINT, AnomalyKind.OVERDUE))
    assert [a.kind for a in both] == [AnomalyKind.SKIPPED_POINT]

    assert {a.serial for a in lane.anomalies(text=first.plate)} == {first.serial}
    assert {a.serial for a in lane.anomalies(text=second.serial[:6].upper())} == {second.serial}
    fragment = first.plate[2:5].lower()
    assert first.serial in {a.serial for a in lane.anomalies(text=fragment)}

    middle = everything[2].at  # the skipped point
    window = lane.anomalies(since=middle, until=everything[1].at)
    assert [a.kind for a in window] == [AnomalyKind.WRONG_POINT, AnomalyKind.SKIPPED_POINT]
    assert lane.anomalies(since=lane.clock() + timedelta(seconds=1)) == []
    assert len(lane.anomalies(until=middle - timedelta(seconds=1))) == 1

    lane.services.supervision.acknowledge(
        lane.supervisor, everything[0].kind, everything[0].subject, "已电话核实"
    )
    assert len(lane.anomalies(state=AckFilter.OPEN)) == 3
    (handled,) = lane.anomalies(state=AckFilter.ACKNOWLEDGED)
    assert handled.subject == everything[0].subject
    assert handled.acknowledged is not None
    assert (handled.acknowledged.note, handled.acknowledged.by) == ("已电话核实", "supervisor")
    assert handled.acknowledged.at == lane.clock()
    assert len(lane.anomalies(state=AckFilter.ALL)) == 4


def test_anomaly_pages_share_one_total(lane: Lane) -> None:
    _story(lane)
    everything = lane.anomalies()
    seen = []
    for offset in (0, 2, 4):
        page = lane.services.supervision.anomalies(
            lane.supervisor, AnomalyQuery(limit=2, offset=offset)
        )
        assert page.total == 4
        seen += page.rows
    assert [a.subject for a in seen] == [a.subject for a in everything]


def test_dashboard_counts_open_anomalies_of_the_last_week(lane: Lane) -> None:
    _story(lane)
    counts = lane.services.supervision.dashboard(lane.supervisor).open_anomalies
    assert counts == {kind.value: 0 for kind in AnomalyKind} | {
        "WRONG_POINT": 3,
        "SKIPPED_POINT": 1,
        "OVERDUE": 0,
    }
    wrong = lane.of_kind(AnomalyKind.WRONG_POINT)[0]
    lane.services.supervision.acknowledge(lane.supervisor, wrong.kind, wrong.subject, "已处理")
    counts = lane.services.supervision.dashboard(lane.supervisor).open_anomalies
    assert counts["WRONG_POINT"] == 2
    # The window starts at the city's midnight seven days back, as the anomaly list's.
    lane.clock.advance(days=7, hours=5)  # 23:00 in the city, seven days on
    counts = lane.services.supervision.dashboard(lane.supervisor).open_anomalies
    assert counts["WRONG_POINT"] == 2
    lane.clock.advance(hours=11)  # the next city day
    counts = lane.services.supervision.dashboard(lane.supervisor).open_anomalies
    assert counts["WRONG_POINT"] == counts["SKIPPED_POINT"] == 0


# --- acknowledgement ------------------------------------------------------------------------


def _acks(services: Services) -> list[tuple[object, ...]]:
    return _sql(services, "SELECT kind, subject, note FROM anomaly_acks")


def test_acknowledge_needs_a_note_and_is_audited_once(lane: Lane) -> None:
    _story(lane)
    wrong = lane.of_kind(AnomalyKind.WRONG_POINT)[0]
    service = lane.services.supervision
    for note in ("", "   "):
        with pytest.raises(ValidationError):
            service.acknowledge(lane.supervisor, wrong.kind, wrong.subject, note)
    assert _acks(lane.services) == []

    before = lane.audit_count()
    service.acknowledge(lane.supervisor, "WRONG_POINT", wrong.subject, "司机走错厂区，已引导")
    entry = lane.services.store.audit.entries(before + 1)[-1]
    assert (entry.action, entry.entity, entry.entity_id) == (
        "anomaly.acknowledge",
        "anomaly",
        f"WRONG_POINT:{wrong.subject}",
    )
    assert entry.details == {"note": "司机走错厂区，已引导"}

    lane.clock.advance(minutes=5)
    service.acknowledge(lane.supervisor, wrong.kind, wrong.subject, "second note")
    assert _acks(lane.services) == [("WRONG_POINT", wrong.subject, "司机走错厂区，已引导")]
    assert lane.audit_count() == before + 1
    (kept,) = lane.of_kind(AnomalyKind.WRONG_POINT, state=AckFilter.ACKNOWLEDGED)
    assert kept.acknowledged is not None and kept.acknowledged.at == lane.clock() - timedelta(
        minutes=5
    )


@pytest.mark.parametrize(
    ("kind", "subject"),
    [
        ("WRONG_POINT", "999999"),
        ("SKIPPED_POINT", "WRONG"),  # resolved below to the wrong-point scan's id
        ("WRONG_POINT", "²"),  # a digit to str.isdigit, not to int()
        ("WRONG_POINT", "9" * 40),
        ("OVERDUE", "0" * 32 + ":ENTERED"),
        ("OPEN_AFTER_EXPIRY", "nope"),
        ("REPEATED_RED", "浙Z00000@2026-11-25"),
        ("REPEATED_RED", "PLATE@2026-13-45"),
        ("REPEATED_RED", "PLATE@2026-11-20"),  # a real plate, but no RED that day
    ],
)
def test_acknowledging_an_unknown_anomaly_is_not_found_and_writes_nothing(
    lane: Lane, kind: str, subject: str
) -> None:
    story = _story(lane)
    if subject == "WRONG":
        subject = lane.of_kind(AnomalyKind.WRONG_POINT)[0].subject
    subject = subject.replace("PLATE", story["first"].plate)
    before = lane.audit_count()
    with pytest.raises(NotFound):
        lane.services.supervision.acknowledge(lane.supervisor, kind, subject, "看过了")
    assert _acks(lane.services) == []
    assert lane.audit_count() == before


def test_acknowledge_checks_kind_and_permission(lane: Lane) -> None:
    _story(lane)
    wrong = lane.of_kind(AnomalyKind.WRONG_POINT)[0]
    with pytest.raises(ValidationError):
        lane.services.supervision.acknowledge(lane.supervisor, "NO_SUCH_KIND", wrong.subject, "x")
    operator = demo_user(lane.services, "gate1")
    with pytest.raises(PermissionDenied):
        lane.services.supervision.acknowledge(operator, wrong.kind, wrong.subject, "看过了")
    assert _acks(lane.services) == []


def test_every_listed_anomaly_kind_can_be_acknowledged(lane: Lane) -> None:
    """Each kind's subject as listed is one ``acknowledge`` accepts."""
    inside, repeated, clone, expired = lane.low[:4]
    lane.walk(inside, lane.gate_in)
    lane.walk(clone, lane.gate_in)
    lane.scan(lane.own, clone, minutes=1)
    lane.walk(expired, lane.gate_in)
    for _ in range(3):
        lane.scan(lane.other, repeated, minutes=12)
    lane.clock.now = expired.valid_until + timedelta(minutes=1)
    listed = lane.anomalies()
    assert {a.kind for a in listed} == set(AnomalyKind) - {AnomalyKind.SKIPPED_POINT}
    for anomaly in listed:
        lane.services.supervision.acknowledge(
            lane.supervisor, anomaly.kind, anomaly.subject, "已处理"
        )
    assert lane.anomalies() == []
    assert len(lane.anomalies(state=AckFilter.ACKNOWLEDGED)) == len(listed)


# --- SQL metacharacters (SECURITY.md fault 15) ----------------------------------------------

HOSTILE = (
    "'; DROP TABLE passes;--",
    "' OR '1'='1",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "%' OR 1=1 --",
    "浙%",
    "*/ SELECT 1; /*",
)


@pytest.mark.parametrize("text", HOSTILE)
def test_sql_metacharacters_in_searches_change_nothing(lane: Lane, text: str) -> None:
    _story(lane)
    tables = _sql(lane.services, "SELECT name FROM sqlite_master ORDER BY name")
    passes = _sql(lane.services, "SELECT count(*) FROM passes")
    before = lane.audit_count()

    page = lane.services.supervision.anomalies(lane.supervisor, AnomalyQuery(text=text))
    assert (page.rows, page.total) == ((), 0)
    assert lane.services.supervision.trace(lane.supervisor, text).passes == ()

    assert _sql(lane.services, "SELECT name FROM sqlite_master ORDER BY name") == tables
    assert _sql(lane.services, "SELECT count(*) FROM passes") == passes
    assert lane.audit_count() == before


def test_text_filter_still_matches_real_fragments(lane: Lane) -> None:
    story = _story(lane)
    province = story["first"].plate[0]
    assert len(lane.anomalies(text=province)) >= 1


# --- the demo's own history -----------------------------------------------------------------


def test_demo_history_shows_every_anomaly_kind(services: Services, clock: FakeClock) -> None:
    populate(
        services.store,
        clock(),
        vehicles=60,
        params=FAST_HASH,
        keys=services.passes.keys,
        history=True,
    )
    supervisor = demo_user(services, "supervisor")
    board = services.supervision.dashboard(supervisor)
    assert board.inside_now > 0
    assert all(board.open_anomalies[kind.value] >= 1 for kind in AnomalyKind)
    page = services.supervision.anomalies(supervisor, AnomalyQuery())
    assert {a.kind for a in page.rows} == set(AnomalyKind)
    assert page.total == len(page.rows)


# --- retention ------------------------------------------------------------------------------


@dataclass
class Trip:
    driver_id: int
    issued: Pass


def _trip(lane: Lane, index: int, *, co_driver_id: int | None = None) -> Trip:
    """A new vehicle and driver of the clerk's enterprise, filed, approved and issued now."""
    services = lane.services
    driver = services.fleet.add_driver(
        lane.clerk,
        DriverInput(
            f"留存{'甲乙丙丁'[index]}",
            id_number(f"33048219900101{index:03d}"),
            f"1390000{index:04d}",
        ),
    )
    vehicle = services.fleet.add_vehicle(lane.clerk, VehicleInput(f"浙F8{index:04d}"))
    low = next(r.id for r in services.store.risk_regions.list_all() if r.level is RiskLevel.LOW)
    application = services.applications.file(
        lane.clerk,
        ApplicationInput(
            vehicle_id=vehicle.id,
            driver_id=driver.id,
            origin_region_id=low,
            cargo="纸浆",
            planned_arrival=lane.clock() + timedelta(hours=1),
            co_driver_id=co_driver_id,
        ),
        submit=True,
    )
    return Trip(driver.id, services.passes.approve(lane.reviewer, application.id))


def _driver(services: Services, driver_id: int) -> tuple[object, ...]:
    return _sql(
        services,
        "SELECT name, id_number, phone, anonymized_at FROM drivers WHERE id = ?",
        driver_id,
    )[0]


def _texts(services: Services, serial: str) -> list[tuple[object, ...]]:
    return _sql(services, "SELECT phone, body FROM sms_outbox WHERE serial = ?", serial)


def test_retention_anonymizes_only_drivers_whose_trips_all_closed_long_ago(lane: Lane) -> None:
    services = lane.services
    old = _trip(lane, 0)  # the whole loop now, then nothing for half a year
    lane.walk(old.issued, lane.gate_in, lane.own, lane.gate_out)
    revoked = _trip(lane, 1)  # revoked now: closed too
    services.passes.revoke(lane.supervisor, revoked.issued.serial, "行程取消")
    lane.clock.advance(days=100)
    recent = _trip(lane, 2)  # closed 85 days before the purge
    lane.walk(recent.issued, lane.gate_in, lane.own, lane.gate_out)
    lane.clock.advance(days=80)
    open_trip = _trip(lane, 3, co_driver_id=old.driver_id)  # still inside at the purge
    lane.walk(open_trip.issued, lane.gate_in)
    lane.clock.advance(days=5)  # 185 days after the first trips; retention is 180 days
    assert _texts(services, old.issued.serial)[0][0] != ""
    before = lane.audit_count()

    drivers, messages = services.supervision.purge_personal_data()

    anonymized = {
        row[0] for row in _sql(services, "SELECT id FROM drivers WHERE anonymized_at IS NOT NULL")
    }
    assert revoked.driver_id in anonymized
    assert {old.driver_id, recent.driver_id, open_trip.driver_id}.isdisjoint(anonymized)
    assert drivers == len(anonymized)
    name, id_no, phone, at = _driver(services, revoked.driver_id)
    assert (name, id_no, phone) == ("（已匿名）", f"ANON-{revoked.driver_id}", "")
    assert at == int(lane.clock().timestamp() * 1000)
    assert _texts(services, revoked.issued.serial) == [("", "（已清除）")]
    assert _driver(services, recent.driver_id)[0] == "留存丙"
    assert _texts(services, recent.issued.serial)[0][0] == "13900000002"
    # The old trip's driver is the co-driver of an open trip: kept, texts too.
    assert _driver(services, old.driver_id)[0] == "留存甲"
    assert _texts(services, old.issued.serial)[0][0] == "13900000000"
    assert messages >= 1

    entry = services.store.audit.entries(before + 1)[-1]
    assert (entry.action, entry.actor, entry.entity) == ("retention.purge", "system", "driver")
    assert entry.details == {"drivers": drivers, "messages": messages, "retention_days": 180}
    assert "留存" not in str(entry.details)
    report = services.audit.verify(lane.supervisor)
    assert report.ok and report.entries == lane.audit_count()

    # Nothing left to do: no entry.
    after = lane.audit_count()
    assert services.supervision.purge_personal_data() == (0, 0)
    assert lane.audit_count() == after


def test_retention_follows_the_setting_and_an_admin_may_run_it(lane: Lane) -> None:
    services = lane.services
    trip = _trip(lane, 0)
    lane.walk(trip.issued, lane.gate_in, lane.own, lane.gate_out)
    lane.clock.advance(days=31)
    admin = demo_user(services, "admin")
    services.supervision.purge_personal_data(admin)
    assert _driver(services, trip.driver_id)[3] is None
    services.store.settings.put("retention.days", "30")
    with pytest.raises(PermissionDenied):
        services.supervision.purge_personal_data(lane.supervisor)
    services.supervision.purge_personal_data(admin)
    assert _driver(services, trip.driver_id)[3] is not None
    entry = services.store.audit.entries()[-1]
    assert (entry.action, entry.actor, entry.details["retention_days"]) == (
        "retention.purge",
        "admin",
        30,
    )
    assert services.audit.verify(admin).ok


def test_local_midnight_is_the_citys(lane: Lane) -> None:
    assert local_midnight(NOW) == datetime(2026, 11, 25, tzinfo=LOCAL_TZ)
    assert local_midnight(NOW).astimezone(NOW.tzinfo) == datetime(
        2026, 11, 24, 16, 0, tzinfo=NOW.tzinfo
    )


def test_queries_do_not_leave_a_transaction_open(lane: Lane) -> None:
    _story(lane)
    lane.services.supervision.dashboard(lane.supervisor)
    lane.services.supervision.anomalies(lane.supervisor, AnomalyQuery())
    lane.services.supervision.trace(lane.supervisor, lane.low[0].plate)
    conn = lane.services.store.conn
    assert isinstance(conn, sqlite3.Connection) and not conn.in_transaction
