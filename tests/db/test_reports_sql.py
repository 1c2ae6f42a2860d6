"""The report's SQL reads each day through an index on that day's time range, never a table.

A full scan of ``scan_events``, ``passes`` or ``applications`` costs seconds on a database of a
million passes (``tests/benchmarks/bench_reports.py``); these plans keep a day's report in
proportion to that day's rows.
"""

from __future__ import annotations

import re

import pytest

from db import reports
from db.store import SqliteStore

QUERIES = ("_CHECKPOINTS", "_ENTERPRISES", "_LOOPS", "_APPROVAL")
# Subquery results: one row per checkpoint, per enterprise, or per approval of the day.
INTERMEDIATE = frozenset({"s", "f", "ranked", "CONSTANT"})


def _plan(store: SqliteStore, name: str) -> list[str]:
    sql = getattr(reports, name)
    params = {"start": 0, "end": 1, "now": 0}
    return [str(row[3]) for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


@pytest.mark.parametrize("name", QUERIES)
def test_no_full_scan_of_a_table(store: SqliteStore, name: str) -> None:
    """Only the queries' own small intermediate results are ever scanned whole."""
    for step in _plan(store, name):
        scanned = re.match(r"SCAN (\S+)", step)
        if scanned:
            assert scanned.group(1) in INTERMEDIATE or scanned.group(1).startswith("(subquery"), (
                name,
                step,
            )


def test_each_range_uses_its_index(store: SqliteStore) -> None:
    plans = {name: " | ".join(_plan(store, name)) for name in QUERIES}
    assert "COVERING INDEX scan_events_at (at>? AND at<?)" in plans["_CHECKPOINTS"]
    enterprises = plans["_ENTERPRISES"]
    assert "applications_queue (status=? AND created_at>? AND created_at<?)" in enterprises
    assert "applications_decided (decided_at>? AND decided_at<?)" in enterprises
    assert "passes_open (status=? AND status_at>? AND status_at<?)" in enterprises
    assert "applications_decided (decided_at>? AND decided_at<?)" in plans["_LOOPS"]
    assert "applications_decided (decided_at>? AND decided_at<?)" in plans["_APPROVAL"]
