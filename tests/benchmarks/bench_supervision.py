"""Supervision at scale: 1,000,000 passes, 5,000,000 scan events, 1,000,000 audit entries.

    .venv/bin/python -m tests.benchmarks.bench_supervision [--db PATH] [--passes N]
        [--scans N] [--audit N] [--runs N] [--rebuild] [--plans]

Builds the database once (seeded; reused while the file exists, default
``/tmp/looppass-bench-supervision-<passes>-<scans>-<audit>.db`` with its key folder beside it;
indexes whose definition in migration 2 changed since are made again) and prints the machine
(CPUs, versions, two speed marks to compare machines by), the load (``uptime``), the build
time, then the median and the worst of ``--runs`` runs of: verifying the whole audit log with
its signed heads (entries a second, wall and CPU time), the dashboard (its first computation
after start apart: it groups 8 days of RED scans once), a trace of a plate with history and of
a serial prefix, the anomaly list filtered (skipped and wrong points, last 7 days, open, first
page), as it opens (every kind, 8 whole days) and with no filter at all (all time). Aims (the
issue): verification over 200,000 entries a second, dashboard refresh under 500 ms, trace under
50 ms. Prints figures; asserts nothing. ``--plans`` also prints the query plans of the
dashboard and the filtered anomaly list.

The world: the demo registry (``core.demo.populate``, 60 days before "now") and then, in bulk
(``executemany`` in big transactions on ``open_store``'s connection, indexes dropped and
rebuilt from their stored SQL): 500 more enterprises with their points, 15 more gates, 4 more
isolation points, an operator per point, a clerk per enterprise, one vehicle and one driver
per 20 passes. Every pass has its approved application; passes are issued over 60 days in
the city's daytime, 35 % from risk regions (isolation loop). Each truck is simulated along its
route — GATE_IN, ENTERPRISE, [ISOLATION], GATE_OUT — with leg times that sometimes run past
their limit (overdue legs), some revoked, some no-shows, some abandoning the loop inside
(expired inside: OPEN_AFTER_EXPIRY), trucks arriving after their validity (RED EXPIRED), the
ones still on the road at "now" open, expired ones marked at the next start-up. Statuses and
``status_at`` follow from the simulated scans. Five scans a pass on average means about 1.7
non-GREEN scans a pass beyond the ~3.3 GREEN ones — more RED/AMBER than real traffic, which
makes the anomaly queries' work heavier, not lighter: repeated scans (ALREADY_SCANNED), garbage
(NOT_A_PASS, no serial), skipped points (OUT_OF_ORDER), other enterprises' points
(WRONG_CHECKPOINT), POSSIBLE_CLONE and CLOCK_SKEW (AMBER), EXPIRED, PASS_CLOSED, REVOKED.
The audit log is the last 1,000,000 events as the services would have written them (scans,
filings, approvals, issues, revocations), hash-chained with ``core.audit.raw_hash`` after the
demo's own entries, with a head signed every 1,000 entries (the default ``audit.head_every``)
with the log key of the key folder, stored in the database and in the heads journal.
SMS outbox rows of the bulk passes are left out (no measured query reads them).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.audit import GENESIS_HASH, RawEntry, canonical_details, raw_hash, sign_head
from core.clock import to_millis
from core.demo import GIVEN, SURNAMES, credit_code, id_number, populate
from core.keys import KeyFolder
from core.models import Role, User
from core.services import Services, key_folder_for
from core.services.passes import PassService
from core.supervision import AckFilter, AnomalyKind, AnomalyQuery, local_midnight
from db import audit_chain
from db.schema import MIGRATIONS
from db.store import SqliteStore, open_store
from tests.conftest import FAST_HASH

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 16:00 in the city
NOW_MS = to_millis(NOW)
DAYS = 60
SEED = 20261125
MIN = 60_000
HOUR = 60 * MIN
DAY = 24 * HOUR
LOCAL = 8 * HOUR  # Asia/Shanghai, no daylight saving time
VALIDITY = 72 * HOUR
HEAD_EVERY = 1000
CHUNK = 200_000

EXTRA_ENTERPRISES = 500
EXTRA_GATES = 15
EXTRA_ISOLATION = 4
PASSES_PER_VEHICLE = 20
RISKY_SHARE = 0.35

# Leg times in minutes: (usual low, usual high, share running late, late low, late high).
# The late ones exceed the default leg limits (180, 720, 120, 1440 minutes): overdue legs.
LEG_IN = (25, 150, 0.02, 190, 900)
LEG_TO_GATE = (45, 600, 0.015, 730, 2400)
LEG_TO_ISOLATION = (20, 100, 0.02, 125, 600)
LEG_ISOLATION_OUT = (120, 1300, 0.01, 1450, 3000)

# The non-GREEN scans beyond each pass's own: reason → weight.
EXTRA_REASONS = {
    "ALREADY_SCANNED": 33,
    "NOT_A_PASS": 15,
    "OUT_OF_ORDER": 10,
    "WRONG_CHECKPOINT": 10,
    "POSSIBLE_CLONE": 7,
    "CLOCK_SKEW": 7,
    "EXPIRED": 6,
    "PASS_CLOSED": 8,
    "REVOKED": 4,
}
AMBER = {"POSSIBLE_CLONE", "CLOCK_SKEW"}
CARGO = ("电子元件", "汽车零部件", "纸浆", "化工原料", "冷链食品", "服装面料", "机械配件", "建材")
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
TOKEN_TABLE = bytes(ord(BASE45[i % 45]) for i in range(256))
TOKEN_CHARS = 269  # "PH1:" + 269 = a real token's 273 characters
TRACED_VEHICLE = 0  # the plate whose trace is timed: the first bulk vehicle


# --- the world ------------------------------------------------------------------------------


class World:
    """Ids of the registry the bulk traffic uses."""

    def __init__(self, store: SqliteStore) -> None:
        conn = store.conn
        self.gates = [r[0] for r in conn.execute("SELECT id FROM checkpoints WHERE kind = 'GATE'")]
        self.isolation = [
            r[0] for r in conn.execute("SELECT id FROM checkpoints WHERE kind = 'ISOLATION'")
        ]
        self.point_of = dict(
            conn.execute("SELECT enterprise_id, id FROM checkpoints WHERE kind = 'ENTERPRISE'")
        )
        self.operator_of = dict(
            conn.execute("SELECT checkpoint_id, id FROM users WHERE role = 'operator'")
        )
        self.clerk_of = dict(
            conn.execute("SELECT enterprise_id, id FROM users WHERE role = 'clerk'")
        )
        self.reviewer = conn.execute("SELECT id FROM users WHERE username = 'reviewer'").fetchone()[
            0
        ]
        self.regions: dict[str, list[int]] = {}
        for region_id, level in conn.execute("SELECT id, level FROM risk_regions"):
            self.regions.setdefault(level, []).append(region_id)
        self.key_id = conn.execute("SELECT key_id FROM passes LIMIT 1").fetchone()[0]
        self.enterprise_points = list(self.point_of.values())


def _local_daytime(rng: random.Random, day_start: int) -> int:
    """A moment of the city's day starting at ``day_start`` (UTC ms of local midnight),
    weighted to working hours."""
    hour = rng.choices(
        range(24),
        weights=[1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 10, 10, 9, 9, 10, 10, 9, 8, 7, 5, 4, 3, 2, 1],
    )[0]
    return day_start + hour * HOUR + rng.randrange(HOUR)


def _leg(rng: random.Random, leg: tuple[int, int, float, int, int]) -> int:
    low, high, late, late_low, late_high = leg
    if rng.random() < late:
        return rng.randrange(late_low, late_high) * MIN
    return rng.randrange(low, high) * MIN


def _token(rng: random.Random) -> str:
    return "PH1:" + rng.randbytes(TOKEN_CHARS).translate(TOKEN_TABLE).decode("ascii")


class Traffic:
    """The simulated passes, applications and scans (phase 1), then the extra non-GREEN
    scans (phase 2)."""

    def __init__(self, world: World, rng: random.Random, vehicles: list[tuple[int, int, int, str]]):
        self.world = world
        self.rng = rng
        self.vehicles = vehicles  # (vehicle id, driver id, enterprise id, plate)
        self.passes: list[tuple[Any, ...]] = []
        self.applications: list[tuple[Any, ...]] = []
        self.scans: list[tuple[Any, ...]] = []
        # Per pass, for phase 2: serial, issued, valid_until, revoked_at, exited_at, route
        # points [(checkpoint, step label, at)], the labels still to come.
        self.trips: list[tuple[Any, ...]] = []

    def scan(self, at: int, point: int, serial: str | None, reason: str, step: str | None) -> bool:
        verdict = "GREEN" if reason == "OK" else "AMBER" if reason in AMBER else "RED"
        self.scans.append((at, point, self.world.operator_of[point], serial, verdict, reason, step))
        return True

    def simulate(self, application_id: int, issued: int) -> None:
        """One pass from approval to wherever it stands at NOW."""
        rng, world = self.rng, self.world
        vehicle_id, driver_id, enterprise_id, plate = rng.choice(self.vehicles)
        risky = rng.random() < RISKY_SHARE
        level = rng.choice(("MEDIUM", "HIGH")) if risky else "LOW"
        filed = issued - rng.randrange(20, 480) * MIN
        co_driver = rng.choice(self.vehicles)[1] if rng.random() < 0.05 else None
        if co_driver == driver_id:
            co_driver = None
        self.applications.append(
            (
                application_id,
                enterprise_id,
                vehicle_id,
                driver_id,
                co_driver,
                rng.choice(world.regions[level]),
                rng.choice(CARGO),
                issued + HOUR,
                72,
                "APPROVED",
                world.clerk_of[enterprise_id],
                filed,
                world.reviewer,
                issued,
                "",
            )
        )
        serial = f"{rng.getrandbits(128):032x}"
        valid_until = issued + VALIDITY
        route = [
            (rng.choice(world.gates), "GATE_IN", LEG_IN),
            (
                world.point_of[enterprise_id],
                "ENTERPRISE",
                LEG_TO_ISOLATION if risky else LEG_TO_GATE,
            ),
        ]
        if risky:
            route.append((rng.choice(world.isolation), "ISOLATION", LEG_ISOLATION_OUT))
        route.append((rng.choice(world.gates), "GATE_OUT", None))
        fate = rng.random()
        revoked_at = issued + rng.randrange(30, 1800) * MIN if fate < 0.012 else None
        stop_after = 0 if fate < 0.032 else rng.choice((1, 2)) if fate < 0.037 else len(route)
        done: list[tuple[int, str, int]] = []
        status, status_at = "ISSUED", issued
        at = issued + rng.randrange(20, 480) * MIN
        closed = False
        for point, label, leg in route[:stop_after]:
            if at > NOW_MS or (revoked_at is not None and at >= revoked_at):
                break
            if at >= valid_until:  # came too late: the gate turns it away
                self.scan(at, point, serial, "EXPIRED", None)
                break
            self.scan(at, point, serial, "OK", label)
            done.append((point, label, at))
            status = {
                "GATE_IN": "ENTERED",
                "ENTERPRISE": "ARRIVED",
                "ISOLATION": "ISOLATED",
                "GATE_OUT": "EXITED",
            }[label]
            status_at = at
            closed = label == "GATE_OUT"
            if leg is not None:
                at += _leg(rng, leg)
        revoke_reason = ""
        exited_at = status_at if closed else None
        if not closed and revoked_at is not None and revoked_at <= NOW_MS:
            status, status_at, revoke_reason = "REVOKED", revoked_at, "行程取消"
        elif not closed and valid_until <= NOW_MS:
            marked = valid_until + rng.randrange(0, 6 * HOUR)  # the next start-up marks it
            if marked <= NOW_MS:
                status, status_at = "EXPIRED", marked
        if status != "REVOKED":
            revoked_at = None
        self.passes.append(
            (
                serial,
                application_id,
                plate,
                level,
                "ISOLATION_LOOP" if risky else "STANDARD",
                status,
                issued,
                issued,
                valid_until,
                world.key_id,
                _token(rng),
                revoked_at,
                revoke_reason,
                status_at,
            )
        )
        todo = [label for _point, label, _leg in route[len(done) :]]
        own = world.point_of[enterprise_id]
        self.trips.append((serial, issued, valid_until, revoked_at, exited_at, done, todo, own))

    def extra(self, reason: str) -> bool:
        """One more non-GREEN scan of ``reason`` at a plausible moment; False if the pass
        drawn cannot have one (the caller draws again)."""
        rng = self.rng
        if reason == "NOT_A_PASS":  # garbage: no serial
            day = NOW_MS - LOCAL - rng.randrange(DAYS) * DAY
            at = _local_daytime(rng, day - day % DAY - LOCAL)
            points = self.world.gates + self.world.enterprise_points
            return at <= NOW_MS and self.scan(at, rng.choice(points), None, reason, None)
        trip = rng.choice(self.trips)
        serial, _issued, valid_until, revoked_at, exited_at, done, _todo, _own = trip
        after = {  # a closed pass shown again: (from when, until when)
            "EXPIRED": (valid_until + MIN, NOW_MS),
            "PASS_CLOSED": (exited_at + 10 * MIN if exited_at else None, valid_until),
            "REVOKED": (revoked_at + 5 * MIN if revoked_at else None, valid_until),
        }
        if reason in after:
            start, limit = after[reason]
            at = start + rng.randrange(DAY) if start is not None else NOW_MS + 1
            gate = rng.choice(self.world.gates)
            return at <= min(limit, NOW_MS) and self.scan(at, gate, serial, reason, None)
        if not done:
            return False
        index = rng.randrange(len(done))
        following = done[index + 1][2] if index + 1 < len(done) else min(NOW_MS, valid_until)
        if following - done[index][2] < 2 * MIN:
            return False
        return self._inside(reason, trip, index, following)

    def _inside(self, reason: str, trip: tuple[Any, ...], index: int, following: int) -> bool:
        """A scan while the truck is inside the loop, after its ``index``-th point."""
        rng, world = self.rng, self.world
        serial, _issued, _until, _revoked, _exited, done, todo, own = trip
        point, label, at = done[index]
        moment = at + rng.randrange(MIN // 4 * 3, following - at)
        upcoming = done[index + 1] if index + 1 < len(done) else None
        if reason == "ALREADY_SCANNED":  # the operator scans the same truck again
            return self.scan(min(moment, at + 15 * MIN), point, serial, reason, label)
        if reason == "CLOCK_SKEW":
            return self.scan(moment, point, serial, reason, None)
        if reason == "WRONG_CHECKPOINT":  # at another enterprise's point
            other = rng.choice(world.enterprise_points)
            return other != own and self.scan(moment, other, serial, reason, None)
        if reason == "POSSIBLE_CLONE":  # the next point, a minute or so later
            clone_at = at + rng.randrange(20_000, 110_000)
            return upcoming is not None and self.scan(
                clone_at, upcoming[0], serial, reason, upcoming[1]
            )
        # OUT_OF_ORDER: at another gate, on the way out, with a point before it still due
        due = upcoming[1] if upcoming else (todo[0] if todo else "")
        gate = rng.choice([g for g in world.gates if g != done[0][0]])
        return due in ("ENTERPRISE", "ISOLATION") and self.scan(
            moment, gate, serial, reason, "GATE_OUT"
        )


# --- building -----------------------------------------------------------------------------


def _executemany(conn: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _drop_indexes(conn: Any) -> list[str]:
    """Drop the bulk-loaded tables' indexes; returns their SQL to create them again."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND"
        " tbl_name IN ('scan_events', 'passes', 'applications', 'audit_log', 'vehicles',"
        " 'drivers')"
    ).fetchall()
    for name, _sql in rows:
        conn.execute(f"DROP INDEX {name}")
    return [sql for _name, sql in rows]


def _registry(
    store: SqliteStore, rng: random.Random, vehicles: int
) -> list[tuple[int, int, int, str]]:
    """More enterprises, points, users, vehicles and drivers; returns the fleet."""
    conn = store.conn
    password_hash = conn.execute("SELECT password_hash FROM users LIMIT 1").fetchone()[0]
    first = conn.execute("SELECT max(id) FROM enterprises").fetchone()[0] + 1
    enterprises, points, users = [], [], []
    for index in range(first, first + EXTRA_ENTERPRISES):
        code = credit_code(f"91330482MB{index:04d}{rng.randrange(1000):03d}")
        name = (
            f"平湖市{rng.choice(('东湖', '钟埭', '曹桥', '新仓', '林埭'))}第{index}号制造有限公司"
        )
        enterprises.append((index, name, code, f"浙江省平湖市工业园区{index}号", "", "", 1, 0))
        points.append((None, f"E{index:04d}", name, "ENTERPRISE", index, 1))
    for number in range(6, 6 + EXTRA_GATES):
        points.append((None, f"G{number:02d}", f"平湖第{number}卡口", "GATE", None, 1))
    for number in range(2, 2 + EXTRA_ISOLATION):
        points.append((None, f"I{number:02d}", f"平湖第{number}隔离点", "ISOLATION", None, 1))
    with store.transaction():
        _executemany(conn, "enterprises", enterprises)
        _executemany(conn, "checkpoints", points)
        for point_id, code in conn.execute(
            "SELECT id, code FROM checkpoints WHERE id NOT IN"
            " (SELECT checkpoint_id FROM users WHERE checkpoint_id IS NOT NULL)"
        ).fetchall():
            users.append(
                (
                    None,
                    f"op{code.lower()}",
                    f"扫码员 {code}",
                    "operator",
                    None,
                    point_id,
                    password_hash,
                    0,
                    None,
                    1,
                )
            )
        for (enterprise_id,) in conn.execute(
            "SELECT id FROM enterprises WHERE id NOT IN"
            " (SELECT enterprise_id FROM users WHERE enterprise_id IS NOT NULL)"
        ).fetchall():
            users.append(
                (
                    None,
                    f"clerk{enterprise_id}",
                    f"报备员 {enterprise_id}",
                    "clerk",
                    enterprise_id,
                    None,
                    password_hash,
                    0,
                    None,
                    1,
                )
            )
        _executemany(conn, "users", users)
        fleet = _fleet(store, rng, vehicles)
    return fleet


def _fleet(store: SqliteStore, rng: random.Random, count: int) -> list[tuple[int, int, int, str]]:
    conn = store.conn
    used = {row[0] for row in conn.execute("SELECT plate FROM vehicles")}
    enterprise_ids = [row[0] for row in conn.execute("SELECT id FROM enterprises")]
    vehicle_id = conn.execute("SELECT max(id) FROM vehicles").fetchone()[0] + 1
    driver_id = conn.execute("SELECT max(id) FROM drivers").fetchone()[0] + 1
    vehicles, drivers, fleet = [], [], []
    created_base = NOW_MS - (DAYS + 30) * DAY
    for index in range(count):
        enterprise_id = rng.choice(enterprise_ids)
        while True:
            province, letter = rng.choice(
                (("浙", "F"), ("浙", "F"), ("浙", "B"), ("沪", "D"), ("苏", "E"), ("皖", "A"))
            )
            chars = [str(rng.randrange(10)) for _ in range(5)]
            if rng.random() < 0.4:
                chars[rng.choice((0, 1, 4))] = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
            plate = province + letter + "".join(chars)
            if plate not in used:
                used.add(plate)
                break
        created = created_base + rng.randrange(30 * DAY)
        vehicles.append(
            (
                vehicle_id + index,
                enterprise_id,
                plate,
                "ORDINARY",
                0,
                rng.choice(("重型厢式货车", "重型半挂牵引车", "冷藏车")),
                created,
            )
        )
        birth = datetime(1965, 1, 1) + timedelta(days=index // 1000)
        body = (
            f"{('330481', '320585', '310112', '340102')[index % 4]}{birth:%Y%m%d}{index % 1000:03d}"
        )
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        drivers.append(
            (driver_id + index, enterprise_id, name, id_number(body), phone, created, None)
        )
        fleet.append((vehicle_id + index, driver_id + index, enterprise_id, plate))
    _executemany(conn, "vehicles", vehicles)
    _executemany(conn, "drivers", drivers)
    return fleet


def _traffic(
    store: SqliteStore,
    rng: random.Random,
    fleet: list[tuple[int, int, int, str]],
    passes: int,
    scans: int,
) -> None:
    """Applications, passes and scan events, in bulk."""
    conn = store.conn
    world = World(store)
    traffic = Traffic(world, rng, fleet)
    first_day = NOW_MS + LOCAL - DAYS * DAY
    first_day -= first_day % DAY
    issued_times: list[int] = []
    while len(issued_times) < passes:
        day = first_day - LOCAL + rng.randrange(DAYS + 1) * DAY
        moment = _local_daytime(rng, day)
        if moment <= NOW_MS:
            issued_times.append(moment)
    issued_times.sort()
    application_id = conn.execute("SELECT max(id) FROM applications").fetchone()[0] + 1
    for issued in issued_times:
        traffic.simulate(application_id, issued)
        application_id += 1
    _other_applications(traffic, application_id, passes)
    print(
        f"  simulated {len(traffic.passes):,} passes, {len(traffic.scans):,} own scans", flush=True
    )
    reasons, weights = list(EXTRA_REASONS), list(EXTRA_REASONS.values())
    wanted = max(0, scans - len(traffic.scans))
    while len(traffic.scans) < scans:
        for reason in rng.choices(reasons, weights, k=scans - len(traffic.scans)):
            traffic.extra(reason)
    print(f"  + {wanted:,} other scans drawn", flush=True)
    traffic.passes.sort()
    conn.execute("DROP TABLE IF EXISTS temp.bulk_scans")
    conn.execute(
        "CREATE TEMP TABLE bulk_scans (at INTEGER, checkpoint_id INTEGER, operator_id INTEGER,"
        " serial TEXT, verdict TEXT, reason TEXT, step TEXT)"
    )
    with store.transaction():
        _executemany(conn, "applications", traffic.applications)
        _executemany(conn, "passes", traffic.passes)
        for start in range(0, len(traffic.scans), CHUNK):
            _executemany(conn, "temp.bulk_scans", traffic.scans[start : start + CHUNK])
        conn.execute(
            "INSERT INTO scan_events (at, checkpoint_id, operator_id, serial, verdict, reason,"
            " step) SELECT * FROM temp.bulk_scans ORDER BY at"
        )
    conn.execute("DROP TABLE temp.bulk_scans")


def _other_applications(traffic: Traffic, next_id: int, passes: int) -> None:
    """Filings never approved: waiting (the review queue), drafts, rejected, withdrawn."""
    rng, world = traffic.rng, traffic.world
    plan = [
        ("SUBMITTED", 12 * HOUR, passes // 500),
        ("DRAFT", 5 * DAY, passes // 1000),
        ("REJECTED", DAYS * DAY, passes // 50),
        ("WITHDRAWN", DAYS * DAY, passes // 200),
    ]
    for status, span, count in plan:
        for _ in range(count):
            vehicle_id, driver_id, enterprise_id, _plate = rng.choice(traffic.vehicles)
            created = NOW_MS - rng.randrange(span)
            decided = (
                created + rng.randrange(10, 600) * MIN
                if status in ("REJECTED", "WITHDRAWN")
                else None
            )
            if decided is not None and decided > NOW_MS:
                decided = NOW_MS
            traffic.applications.append(
                (
                    next_id,
                    enterprise_id,
                    vehicle_id,
                    driver_id,
                    None,
                    rng.choice(world.regions["LOW"]),
                    rng.choice(CARGO),
                    created + DAY,
                    72,
                    status,
                    world.clerk_of[enterprise_id],
                    created,
                    world.reviewer if status == "REJECTED" else None,
                    decided if status == "REJECTED" else None,
                    "货物信息与报备不符" if status == "REJECTED" else "",
                )
            )
            next_id += 1


AUDIT_EVENTS = """
SELECT at, actor, action, entity, entity_id, a, b, c FROM (
  SELECT s.at AS at, u.username AS actor, 'scan' AS action, 'scan_event' AS entity,
         CAST(s.id AS TEXT) AS entity_id, c.code AS a, s.reason AS b, s.serial IS NULL AS c
  FROM scan_events s JOIN checkpoints c ON c.id = s.checkpoint_id
  JOIN users u ON u.id = s.operator_id WHERE s.at >= :since
  UNION ALL
  SELECT a.created_at, u.username, 'application.add', 'application', CAST(a.id AS TEXT),
         'SUBMITTED', NULL, NULL
  FROM applications a JOIN users u ON u.id = a.filed_by WHERE a.created_at >= :since
  UNION ALL
  SELECT a.decided_at, 'reviewer', CASE a.status WHEN 'APPROVED' THEN 'application.approve'
         ELSE 'application.reject' END, 'application', CAST(a.id AS TEXT), NULL, NULL, NULL
  FROM applications a WHERE a.decided_at >= :since AND a.status IN ('APPROVED', 'REJECTED')
  UNION ALL
  SELECT p.issued_at + 1, 'reviewer', 'pass.issue', 'pass', p.serial, p.key_id, p.plate, p.route
  FROM passes p WHERE p.issued_at >= :since
  UNION ALL
  SELECT p.revoked_at, 'supervisor', 'pass.revoke', 'pass', p.serial, NULL, NULL, NULL
  FROM passes p WHERE p.revoked_at >= :since
) ORDER BY at, entity, entity_id
"""


def _details(action: str, a: Any, b: Any, c: Any, rng: random.Random) -> dict[str, Any]:
    if action == "scan":
        details: dict[str, Any] = {"checkpoint": a, "reason": b}
        if c:
            details["text_sha256"] = f"{rng.getrandbits(64):016x}"
        return details
    if action == "application.add":
        return {"status": a}
    if action == "pass.issue":
        return {"kid": a, "plate": b, "route": c}
    return {}


def _audit(store: SqliteStore, keys: KeyFolder, rng: random.Random, count: int) -> int:
    """The last ``count`` events as audit entries, chained after the demo's; heads signed
    every HEAD_EVERY entries and at the end. Returns how many heads were signed."""
    conn = store.conn
    head = store.audit.head()
    seq, prev = head if head else (0, GENESIS_HASH)
    # The moment from which the newest ``count`` events reach back.
    since = NOW_MS
    while since > NOW_MS - (DAYS + 5) * DAY:
        since -= DAY
        found = conn.execute(
            "SELECT (SELECT count(*) FROM scan_events WHERE at >= :s)"
            " + 3 * (SELECT count(*) FROM applications WHERE created_at >= :s)",
            {"s": since},
        ).fetchone()[0]
        if found >= count:
            break
    events = conn.execute(AUDIT_EVENTS, {"since": since}).fetchall()[-count:]
    log_key = keys.log_key()
    heads, rows = [], []
    for at, actor, action, entity, entity_id, a, b, c in events:
        seq += 1
        row = RawEntry(
            seq,
            at,
            actor,
            action,
            entity,
            entity_id,
            canonical_details(_details(action, a, b, c, rng)),
            prev,
            "",
        )
        prev = raw_hash(prev, row)
        rows.append(row._replace(hash=prev))
        if seq % HEAD_EVERY == 0 or len(rows) == len(events):
            heads.append(sign_head(seq, prev, at + 5000, log_key))
        if len(rows) >= CHUNK:
            _executemany(conn, "audit_log", rows)
            rows = []
    _executemany(conn, "audit_log", rows)
    for signed in heads:
        store.audit.add_head(signed)
    return len(heads)


def build(path: Path, passes: int, scans: int, audit: int) -> float:
    """Build the database at ``path`` (and its key folder); returns the seconds it took."""
    start = time.perf_counter()
    building = path.with_name(path.name + ".building")
    keys_dir = key_folder_for(path)
    for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm"), path):
        stale.unlink(missing_ok=True)
    shutil.rmtree(keys_dir, ignore_errors=True)
    keys = KeyFolder(keys_dir)
    rng = random.Random(SEED)
    store = open_store(building)
    registry_day = NOW - timedelta(days=DAYS + 2)
    populate(store, registry_day, vehicles=300, params=FAST_HASH, keys=keys, history=True)
    PassService(store, keys, clock=lambda: registry_day + timedelta(days=4)).mark_expired()
    print(f"  demo registry and history: {time.perf_counter() - start:.1f} s", flush=True)
    conn = store.conn
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    conn.execute("PRAGMA temp_store=FILE")
    with store.transaction():
        indexes = _drop_indexes(conn)
    fleet = _registry(store, rng, max(1000, passes // PASSES_PER_VEHICLE))
    _traffic(store, rng, fleet, passes, scans)
    print(f"  bulk traffic written: {time.perf_counter() - start:.1f} s", flush=True)
    with store.transaction():
        for sql in indexes:
            conn.execute(sql)
    print(f"  indexes rebuilt: {time.perf_counter() - start:.1f} s", flush=True)
    with store.transaction():
        heads = _audit(store, keys, rng, audit)
    for signed in store.audit.heads():
        keys.append_head(signed)
    print(
        f"  audit log chained, {heads:,} heads signed: {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    store.close()
    building.rename(path)
    seconds = time.perf_counter() - start
    Path(f"{path}.json").write_text(
        json.dumps({"passes": passes, "scans": scans, "audit": audit, "build_seconds": seconds})
    )
    return seconds


# --- measuring ----------------------------------------------------------------------------


def _timed(action: Callable[[], object], runs: int) -> tuple[list[float], object]:
    """Wall times in ms of ``runs`` runs, and the last result."""
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def _load() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _machine() -> str:
    """CPUs, Python, SQLite, and two speed marks to compare machines by (CPU time, best of 5):
    an empty Python loop and SHA-256 of a 130-byte audit row."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    loop = sha = float("inf")
    data = b"x" * 130
    for _ in range(5):
        start = time.process_time()
        for _ in range(2_000_000):
            pass
        loop = min(loop, time.process_time() - start)
        start = time.process_time()
        for _ in range(200_000):
            hashlib.sha256(data).hexdigest()
        sha = min(sha, time.process_time() - start)
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs ({model or platform.machine()}),"
        f" Python {platform.python_version()}, SQLite {sqlite3.sqlite_version},"
        f" {platform.platform()}\nspeed marks: empty loop {2 / loop:.1f} M iterations/s,"
        f" SHA-256 of 130 B {0.2 / sha:.2f} M/s (CPU time)"
    )


def refresh_indexes(path: Path) -> list[str]:
    """Create again every index whose definition in migration 2 changed since the file was
    built (the schema is not released yet); returns their names."""
    conn = sqlite3.connect(path, isolation_level=None)
    changed = []
    try:
        for match in re.finditer(r"CREATE INDEX (\w+) ON [^;]+;", MIGRATIONS[1]):
            name, sql = match.group(1), match.group(0).rstrip(";")
            row = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0].split() == sql.split():
                continue
            conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.execute(sql)
            conn.execute(f"ANALYZE {name}")
            changed.append(name)
    finally:
        conn.close()
    return changed


def _plans(store: SqliteStore, services: Services, actor: User) -> None:
    """EXPLAIN QUERY PLAN of every statement the dashboard and the anomaly list run."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    services.supervision.dashboard(actor)
    services.supervision.anomalies(actor, _filtered())
    store.conn.set_trace_callback(None)
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        print("\n" + sql[:300])
        for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql):
            print("   ", row[3])


def _filtered() -> AnomalyQuery:
    """Skipped and wrong points of the last 7 days, not yet acknowledged, the first page."""
    return AnomalyQuery(
        kinds=(AnomalyKind.SKIPPED_POINT, AnomalyKind.WRONG_POINT),
        since=NOW - timedelta(days=7),
        until=NOW,
        state=AckFilter.OPEN,
        limit=200,
    )


def _as_opened() -> AnomalyQuery:
    """The anomaly page as it opens: every kind, open, from the city's midnight 7 days ago
    to the end of today (whole days, as the date pickers give them)."""
    first = local_midnight(NOW - timedelta(days=7))
    return AnomalyQuery(
        since=first,
        until=local_midnight(NOW) + timedelta(days=1, milliseconds=-1),
        state=AckFilter.OPEN,
        limit=200,
    )


def _print(name: str, samples: list[float], result: object, aim: str = "") -> None:
    median, worst = statistics.median(samples), max(samples)
    print(
        f"{name:<50} median {median:8.1f} ms  max {worst:8.1f} ms  {_size(result)}"
        + (f"  [aim {aim}]" if aim else "")
    )


def measure(path: Path, runs: int, plans: bool) -> None:
    store = open_store(path)
    keys = KeyFolder(key_folder_for(path))
    services = Services.build(store, lambda: NOW, FAST_HASH, keys)
    supervisor = _user(store, "supervisor")
    plate = store.conn.execute(
        "SELECT plate FROM vehicles ORDER BY id LIMIT 1 OFFSET 300"
    ).fetchone()[0]
    serial = store.conn.execute(
        "SELECT serial FROM passes WHERE plate = ? ORDER BY issued_at DESC", (plate,)
    ).fetchone()[0]
    print(f"\n{_load()}")
    if plans:
        _plans(store, services, supervisor)
        store.close()
        store = open_store(path)
        services = Services.build(store, lambda: NOW, FAST_HASH, keys)

    _verify(services, supervisor, max(2, runs // 2))
    supervision = services.supervision
    cold, board = _timed(lambda: supervision.dashboard(supervisor), 1)
    print(
        f"{'dashboard, first after start (groups 8 days of REDs)':<50} {cold[0]:8.1f} ms"
        f"  {_size(board)}"
    )
    samples, board = _timed(lambda: supervision.dashboard(supervisor), runs)
    _print("dashboard refresh", samples, board, "< 500 ms")
    cases: list[tuple[str, Callable[[], object], str]] = [
        (f"trace plate {plate}", lambda: supervision.trace(supervisor, plate), "< 50 ms"),
        ("trace serial prefix", lambda: supervision.trace(supervisor, serial[:8]), ""),
        (
            "anomalies: skipped+wrong, last 7 days, open, p. 1",
            lambda: supervision.anomalies(supervisor, _filtered()),
            "",
        ),
        (
            "anomalies: page as opened (all kinds, 8 days)",
            lambda: supervision.anomalies(supervisor, _as_opened()),
            "",
        ),
    ]
    for name, action, aim in cases:
        samples, result = _timed(action, runs)
        _print(name, samples, result, aim)
    everything = AnomalyQuery()  # every kind, all time (the first groups all 60 days of REDs)
    first, result = _timed(lambda: supervision.anomalies(supervisor, everything), 1)
    print(f"{'anomalies: no filter at all (all time), first':<50} {first[0]:8.1f} ms")
    samples, result = _timed(lambda: supervision.anomalies(supervisor, everything), 3)
    _print("anomalies: no filter at all (all time), again", samples, result)
    print(_load())
    store.close()


def _verify(services: Services, supervisor: User, runs: int) -> None:
    samples = []
    report = None
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        report = services.audit.verify(supervisor)
        samples.append((time.perf_counter() - start, time.process_time() - cpu))
    assert report is not None
    rates = sorted(report.entries / wall for wall, _cpu in samples)
    cpu = statistics.median(cpu for _wall, cpu in samples)
    workers = min(audit_chain._cores() - 1, audit_chain.MAX_WORKERS)
    print(
        f"audit verify: {report.entries:,} entries, ok={report.ok}, signed through"
        f" {report.signed_through:,}, unsigned tail {report.unsigned_tail},"
        f" heads checked {report.heads_checked}; parts of {audit_chain.PART_ROWS:,} checked"
        f" by this process and {workers} worker process(es)\n"
        f"{'audit verify rate (wall)':<50} median {statistics.median(rates):,.0f}/s,"
        f" worst {rates[0]:,.0f}/s; this process's CPU {cpu:.1f} s  [aim > 200,000/s]"
    )
    # For comparison: the same check in this process alone (no worker processes).
    parallel_from, audit_chain.PARALLEL_FROM = audit_chain.PARALLEL_FROM, 2**62
    try:
        start = time.perf_counter()
        alone = services.audit.verify(supervisor)
        wall = time.perf_counter() - start
    finally:
        audit_chain.PARALLEL_FROM = parallel_from
    print(f"{'audit verify rate, this process alone (wall)':<50} {alone.entries / wall:,.0f}/s")


def _size(result: object) -> str:
    if hasattr(result, "passes"):
        passes = result.passes
        return f"({len(passes)} passes, {sum(len(p.scans) for p in passes)} scans)"
    if hasattr(result, "total"):
        return f"({len(result.rows)} rows of {result.total:,})"
    if hasattr(result, "open_anomalies"):
        return f"(inside {result.inside_now:,}, scans today {result.scans_today:,})"
    return ""


def _user(store: SqliteStore, username: str) -> User:
    """A demo account without signing in (signing in would append to the audit log)."""
    row = store.conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
    user = store.users.get(row[0])
    assert user is not None and user.role is Role.SUPERVISOR
    return user


def _figures(path: Path) -> Iterator[str]:
    info = Path(f"{path}.json")
    if info.exists():
        data = json.loads(info.read_text())
        yield f"built in {data['build_seconds']:.0f} s (cached)"
    yield f"{path.stat().st_size / 2**30:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--passes", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=5_000_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    path = args.db or Path(tempfile.gettempdir()) / (
        f"looppass-bench-supervision-{args.passes}-{args.scans}-{args.audit}.db"
    )
    print(_machine())
    print(_load())
    if args.rebuild or not path.exists():
        print(
            f"building {path} ({args.passes:,} passes, {args.scans:,} scans,"
            f" {args.audit:,} audit entries)",
            flush=True,
        )
        seconds = build(path, args.passes, args.scans, args.audit)
        print(f"built in {seconds:.1f} s")
    else:
        start = time.perf_counter()
        changed = refresh_indexes(path)
        if changed:
            seconds = time.perf_counter() - start
            print(
                f"indexes changed since the file was built, made again: {changed} ({seconds:.0f} s)"
            )
    print(f"{path}: " + ", ".join(_figures(path)))
    measure(path, args.runs, args.plans)


if __name__ == "__main__":
    main()
