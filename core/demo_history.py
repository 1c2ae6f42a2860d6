"""Two days of demo traffic, so the supervisor's screens have something to show.

Trips of other enterprises' trucks are filed, approved and scanned through the real services
at past moments: completed loops (standard and isolation), trucks inside the loop now, two
overdue legs, a skipped point, a truck scanned three times at the wrong enterprise (three RED
verdicts: a repeated-RED anomaly), a possible clone (two points a minute apart) and a pass
that expired inside the loop.
Seeded, so every demo database tells the same story.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.keys import KeyFolder
from core.models import ApplicationStatus, Checkpoint, CheckpointKind, RiskLevel, Role, User
from core.ports import Store
from core.services.passes import PassService
from core.services.scans import ScanService

HISTORY_SEED = 2205
CARGO = ("电子元件", "汽车零部件", "纸浆", "冷链食品", "机械配件")


@dataclass(frozen=True)
class _Trip:
    """One demo trip: when it was approved, how far it got, and what went wrong."""

    hours_ago: float  # approval time before ``now``
    risky: bool
    steps: int  # how many route points were scanned GREEN
    story: str = ""  # "", "skip", "wrong", "clone", "expired"


PLAN: tuple[_Trip, ...] = (
    *(_Trip(50 - 2.2 * i, risky=False, steps=3) for i in range(16)),
    *(_Trip(40 - 6 * i, risky=True, steps=4) for i in range(3)),
    *(_Trip(3.5 - 0.4 * i, risky=False, steps=1 + i % 2) for i in range(5)),
    _Trip(2.5, risky=True, steps=2),
    _Trip(7, risky=False, steps=1),  # entered 6.5 h ago, never arrived: overdue
    _Trip(9, risky=True, steps=2),  # arrived, never went to the isolation point: overdue
    _Trip(5, risky=False, steps=1, story="skip"),
    _Trip(4, risky=False, steps=1, story="wrong"),
    _Trip(3, risky=False, steps=0, story="clone"),
    _Trip(80, risky=False, steps=2, story="expired"),
)


def add_history(
    store: Store,
    keys: KeyFolder,
    now: datetime,
    fleet: list[tuple[int, int, int]],
    regions: dict[RiskLevel, list[int]],
    users: dict[str, User],
    password_hash: str,
) -> None:
    """File, approve and scan the ``PLAN`` trips with trucks of ``fleet`` (not the clerk's)."""
    rng = random.Random(HISTORY_SEED)
    points = {point.code: point for point in store.checkpoints.list_all()}
    operators = _operators(store, points, users, password_hash, now)
    clerk, reviewer = users["clerk"], users["reviewer"]
    trucks = [entry for entry in fleet if entry[0] != clerk.enterprise_id]
    gates = [points[code] for code in sorted(points) if points[code].kind is CheckpointKind.GATE]
    planned: Planned = []
    for index, trip in enumerate(PLAN):
        enterprise_id, vehicle_id, driver_id = trucks[index % len(trucks)]
        approved_at = now - timedelta(hours=trip.hours_ago)
        level = rng.choice((RiskLevel.MEDIUM, RiskLevel.HIGH)) if trip.risky else RiskLevel.LOW
        with store.transaction() as tx:
            application = tx.applications.add(
                enterprise_id,
                vehicle_id,
                driver_id,
                None,
                rng.choice(regions[level]),
                rng.choice(CARGO),
                approved_at + timedelta(hours=1),
                72,
                ApplicationStatus.SUBMITTED,
                clerk.id,
                approved_at - timedelta(minutes=rng.randrange(20, 240)),
            )
        issued = PassService(store, keys, clock=_fixed(approved_at)).approve(
            reviewer, application.id
        )
        own_point = next(p for p in points.values() if p.enterprise_id == enterprise_id)
        route = [gates[index % len(gates)], own_point]
        if trip.risky:
            route.append(points["I01"])
        route.append(gates[(index + 2) % len(gates)])
        moment = approved_at + timedelta(minutes=rng.randrange(20, 60))
        for point in route[: trip.steps]:
            planned.append((moment, point, issued.token))
            moment += timedelta(minutes=rng.randrange(35, 110))
        planned += _story(trip.story, points, issued.token, route, moment, gates)
    # A station refuses a scan older than its last one (CLOCK_SKEW): play them in time order.
    scans = ScanService(store, PassService(store, keys), clock=lambda: now)
    for moment, point, token in sorted(planned, key=lambda item: item[0]):
        scans.scan(operators[point.code], point, token, moment)
    PassService(store, keys, clock=lambda: now).mark_expired()


Planned = list[tuple[datetime, Checkpoint, str]]


def _fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _story(
    story: str,
    points: dict[str, Checkpoint],
    token: str,
    route: list[Checkpoint],
    moment: datetime,
    gates: list[Checkpoint],
) -> Planned:
    """The scans that make a trip an anomaly."""
    if story == "skip":  # straight from the gate in to another gate: the enterprise skipped
        exit_gate = next(g for g in gates if g.id != route[0].id)
        return [(moment, exit_gate, token)]
    if story == "wrong":  # three tries at a neighbour's point: three RED verdicts
        other = next(
            p
            for p in points.values()
            if p.kind is CheckpointKind.ENTERPRISE and p.id != route[1].id
        )
        return [(moment + timedelta(minutes=12 * n), other, token) for n in range(3)]
    if story == "clone":  # at the enterprise a minute after the gate: faster than the road
        return [(moment, route[0], token), (moment + timedelta(minutes=1), route[1], token)]
    return []


def _operators(
    store: Store,
    points: dict[str, Checkpoint],
    users: dict[str, User],
    password_hash: str,
    now: datetime,
) -> dict[str, User]:
    """One operator account per checkpoint (the demo's ``gate1`` for G01)."""
    operators: dict[str, User] = {}
    with store.transaction() as tx:
        for code, point in sorted(points.items()):
            if point.id == users["gate1"].checkpoint_id:
                operators[code] = users["gate1"]
                continue
            user = tx.users.add(
                f"op{code.lower()}",
                f"扫码员 {point.name}",
                Role.OPERATOR,
                None,
                point.id,
                password_hash,
            )
            tx.audit.append(now, "system", "user.add", "user", str(user.id), {"role": "operator"})
            operators[code] = user
    return operators
