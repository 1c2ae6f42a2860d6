"""The daily report on a big database: 1,000,000 passes and 5,000,000 scan events.

    .venv/bin/python -m tests.benchmarks.bench_reports [DB_PATH]

Builds the database once at DB_PATH (default ``/tmp/looppass-bench-reports.db``; reused when
it exists) with SQL straight into the tables: 2,000 enterprises with their checkpoints, 20
gates, 1,000,000 applications over 60 days in filing order (every one approved and its pass
issued; serials are random, as real ones are) and 5,000,000 scans in time order. Then prints
the query plans, each query's CPU time, and the time for the report of one day and of a week
(the first run, then the best of five) and for the one-day PDF, in wall-clock and CPU time.
Prints; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from core.clock import to_millis
from core.models import Role, User
from core.reports import day_bounds, report_pdf
from core.services import Services
from db import reports as report_sql
from db.store import open_store

PASSES = 1_000_000
EVENTS_PER_PASS = 5
ENTERPRISES = 2_000
GATES = 20
DAYS = 60
FIRST_DAY = date(2026, 9, 27)
DAY_MS = 86_400_000


def build(path: Path) -> None:
    """Fill a new database with the synthetic world (about 1.5 GB, a few minutes)."""
    open_store(path).close()  # the schema, migrated
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-500000")
    conn.execute("PRAGMA foreign_keys=OFF")
    start = to_millis(datetime.combine(FIRST_DAY, datetime.min.time(), UTC))
    params = {"start": start, "span": DAYS * DAY_MS, "n": PASSES, "ents": ENTERPRISES}
    steps = [
        (
            "enterprises",
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < :ents)"
            " INSERT INTO enterprises (id, name, credit_code)"
            " SELECT i, '平湖市第' || i || '号精密机械制造有限公司', printf('CC%016d', i) FROM k",
        ),
        (
            "checkpoints",
            "INSERT INTO checkpoints (code, name, kind, enterprise_id)"
            " SELECT printf('E%04d', id), name, 'ENTERPRISE', id FROM enterprises",
        ),
        (
            "gates",
            f"WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {GATES})"
            " INSERT INTO checkpoints (code, name, kind)"
            " SELECT printf('G%02d', i), '卡口' || i, 'GATE' FROM k"
            " UNION ALL SELECT 'I01', '隔离点', 'ISOLATION'",
        ),
        (
            "users, region, vehicle, driver",
            "INSERT INTO users (id, username, display_name, role, password_hash)"
            " VALUES (1, 'bench', 'bench', 'reviewer', 'x');"
            " INSERT INTO risk_regions (id, code, name, level) VALUES (1, '330482', 'r', 'LOW');"
            " INSERT INTO vehicles (id, enterprise_id, plate, plate_kind, created_at)"
            " VALUES (1, 1, '浙F00001', 'ORDINARY', 0);"
            " INSERT INTO drivers (id, enterprise_id, name, id_number, phone, created_at)"
            " VALUES (1, 1, 'd', '330482199001010011', '13800000000', 0)",
        ),
        (
            "applications",
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < :n)"
            " INSERT INTO applications (id, enterprise_id, vehicle_id, driver_id,"
            " origin_region_id, cargo, planned_arrival, validity_hours, status, filed_by,"
            " created_at, decided_by, decided_at)"
            " SELECT i, 1 + abs(random()) % :ents, 1, 1, 1, '电子元件', 0, 72, 'APPROVED', 1,"
            " c, 1, c + 60000 * (5 + abs(random()) % 600)"
            " FROM (SELECT i, :start + (i - 1) * (:span / :n) AS c FROM k)",
        ),
        (
            "passes",
            "INSERT INTO passes (serial, application_id, plate, risk, route, status, issued_at,"
            " valid_from, valid_until, key_id, token, status_at)"
            " SELECT lower(hex(randomblob(16))), id, '浙F00001', 'LOW', 'STANDARD',"
            " CASE abs(random()) % 6 WHEN 0 THEN 'ISSUED' WHEN 1 THEN 'ENTERED'"
            " WHEN 2 THEN 'ARRIVED' WHEN 3 THEN 'REVOKED' ELSE 'EXITED' END,"
            " decided_at, decided_at, decided_at + 72 * 3600000, 'k',"
            " 'PH1:' || hex(randomblob(136)), decided_at + 3600000 * (1 + abs(random()) % 40)"
            " FROM applications",
        ),
        (
            "scan_events",
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < :events)"
            " INSERT INTO scan_events (at, checkpoint_id, operator_id, serial, verdict, reason,"
            " step)"
            " SELECT :start + (i - 1) * (:span / :events), 1 + abs(random()) % (:ents + 21), 1,"
            " NULL,"
            " CASE WHEN abs(random()) % 20 = 0 THEN 'RED' WHEN abs(random()) % 30 = 0"
            " THEN 'AMBER' ELSE 'GREEN' END, 'OK',"
            " CASE abs(random()) % 3 WHEN 0 THEN 'GATE_IN' WHEN 1 THEN 'ENTERPRISE'"
            " ELSE 'GATE_OUT' END FROM k",
        ),
    ]
    params["events"] = PASSES * EVENTS_PER_PASS
    for name, sql in steps:
        began = time.perf_counter()
        conn.execute("BEGIN")
        for statement in sql.split(";"):
            conn.execute(statement, params)
        conn.execute("COMMIT")
        print(f"  {name}: {time.perf_counter() - began:.1f} s", flush=True)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


def plans(path: Path) -> None:
    """EXPLAIN QUERY PLAN of every report query."""
    conn = sqlite3.connect(path)
    values = {"start": 0, "end": 1, "now": 0}
    for name in ("_CHECKPOINTS", "_ENTERPRISES", "_LOOPS", "_APPROVAL"):
        print(f"{name}:")
        for row in conn.execute("EXPLAIN QUERY PLAN " + getattr(report_sql, name), values):
            print(f"    {row[3]}")
    conn.close()


def timed(services: Services, supervisor: User, first: date, last: date, pdf: bool) -> None:
    """The report of ``first`` … ``last``: cold, then the best of five, in wall-clock and CPU
    time (on a shared machine the CPU time is the figure that does not depend on the load)."""
    walls, cpus = [], []
    for _ in range(6):
        wall, cpu = time.perf_counter(), time.process_time()
        report = services.reports.daily(supervisor, first, last)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    print(
        f"report {first} … {last}: first {walls[0] * 1000:.0f} ms ({cpus[0] * 1000:.0f} ms CPU),"
        f" best of five {min(walls[1:]) * 1000:.0f} ms ({min(cpus[1:]) * 1000:.0f} ms CPU);"
        f" {report.scans.scans:,} scans, {report.applications.issued:,} passes,"
        f" {len(report.enterprises):,} enterprises"
    )
    if pdf:
        wall, cpu = time.perf_counter(), time.process_time()
        document = report_pdf(report)
        print(
            f"  PDF: {time.perf_counter() - wall:.1f} s ({time.process_time() - cpu:.1f} s CPU),"
            f" {len(document):,} bytes"
        )


def queries(path: Path, day: date) -> None:
    """Each query of one day's report on its own (CPU time, best of three)."""
    conn = sqlite3.connect(path)
    begin, after = day_bounds(day)
    values = {"start": to_millis(begin), "end": to_millis(after), "now": to_millis(after)}
    for name in ("_CHECKPOINTS", "_ENTERPRISES", "_LOOPS", "_APPROVAL"):
        best = math.inf
        for _ in range(3):
            cpu = time.process_time()
            conn.execute(getattr(report_sql, name), values).fetchall()
            best = min(best, time.process_time() - cpu)
        print(f"  {name}: {best * 1000:.0f} ms CPU")
    conn.close()


def main() -> None:
    """Build if needed, then measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", nargs="?", type=Path, default=Path("/tmp/looppass-bench-reports.db"))
    args = parser.parse_args()
    if not args.db.exists():
        print(f"building {args.db} …", flush=True)
        build(args.db)
    plans(args.db)
    store = open_store(args.db)
    services = Services.build(store)
    supervisor = User(1, "bench", "bench", Role.SUPERVISOR)
    middle = FIRST_DAY + timedelta(days=DAYS // 2)
    queries(args.db, middle)
    timed(services, supervisor, middle, middle, pdf=True)
    timed(services, supervisor, middle, middle + timedelta(days=6), pdf=False)
    store.close()


if __name__ == "__main__":
    main()
