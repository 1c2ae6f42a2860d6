"""SQL for the daily report: every figure is aggregated by SQLite, one local day at a time.

Each query reads one half-open UTC range ``[start, end)`` through an index whose leading
column is that range, so a day costs in proportion to that day's rows, not to the size of
the database (``tests/db/test_reports_sql.py`` checks the query plans):

- scans: ``scan_events_at(at, checkpoint_id, verdict, step)`` covers the whole aggregate;
- filings: ``applications_queue(status, created_at)``, one range per non-draft status;
- decisions, passes issued, and the loop cohort: ``applications_decided(decided_at)`` (a
  pass is issued in the transaction that approves its application, at the same instant),
  then the pass by ``application_id``;
- closed loops: ``passes_open(status, status_at)`` at ``status = 'EXITED'``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from core.clock import to_millis
from core.models import CheckpointKind
from core.reports import ApprovalTimes, CheckpointRow, EnterpriseRow, LoopCompletion

MINUTE_MS = 60_000

_CHECKPOINTS = """
SELECT c.code, c.name, c.kind, s.scans, s.green, s.amber, s.red, s.entries, s.exits
FROM (
    SELECT checkpoint_id,
           count(*) AS scans,
           sum(verdict = 'GREEN') AS green,
           sum(verdict = 'AMBER') AS amber,
           sum(verdict = 'RED') AS red,
           sum(verdict = 'GREEN' AND step IS 'GATE_IN') AS entries,
           sum(verdict = 'GREEN' AND step IS 'GATE_OUT') AS exits
    FROM scan_events
    WHERE at >= :start AND at < :end
    GROUP BY checkpoint_id
) AS s
JOIN checkpoints AS c ON c.id = s.checkpoint_id
"""

# One row per enterprise with any activity; each branch reads its own index (see above).
# Passes issued = applications approved: the pass is written in the approving transaction and
# an approved application always has exactly one (passes.application_id is UNIQUE), so the
# count needs no lookup in the passes table.
_ENTERPRISES = """
SELECT e.id, e.name,
       sum(f.filed) AS filed, sum(f.approved) AS approved, sum(f.rejected) AS rejected,
       sum(f.issued) AS issued, sum(f.arrivals) AS arrivals, sum(f.loops) AS loops
FROM (
    SELECT enterprise_id AS ent, count(*) AS filed, 0 AS approved, 0 AS rejected,
           0 AS issued, 0 AS arrivals, 0 AS loops
    FROM applications
    WHERE status IN ('SUBMITTED', 'APPROVED', 'REJECTED', 'WITHDRAWN')
      AND created_at >= :start AND created_at < :end
    GROUP BY enterprise_id
    UNION ALL
    SELECT enterprise_id, 0, sum(status = 'APPROVED'), sum(status = 'REJECTED'),
           sum(status = 'APPROVED'), 0, 0
    FROM applications
    WHERE decided_at >= :start AND decided_at < :end
    GROUP BY enterprise_id
    UNION ALL
    SELECT c.enterprise_id, 0, 0, 0, 0, s.arrivals, 0
    FROM (
        SELECT checkpoint_id, count(*) AS arrivals
        FROM scan_events
        WHERE at >= :start AND at < :end AND verdict = 'GREEN' AND step IS 'ENTERPRISE'
        GROUP BY checkpoint_id
    ) AS s
    JOIN checkpoints AS c ON c.id = s.checkpoint_id
    WHERE c.kind = 'ENTERPRISE'
    UNION ALL
    SELECT a.enterprise_id, 0, 0, 0, 0, 0, count(*)
    FROM passes AS p JOIN applications AS a ON a.id = p.application_id
    WHERE p.status = 'EXITED' AND p.status_at >= :start AND p.status_at < :end
    GROUP BY a.enterprise_id
) AS f
JOIN enterprises AS e ON e.id = f.ent
GROUP BY e.id
ORDER BY e.id
"""

# The passes issued in the range and where each stands at :now. (``+status``: the decision
# time, not the status, must pick the index — most applications are APPROVED.) An open pass past its
# validity counts as expired even before anything marked it (mark_expired runs on start-up).
_LOOPS = """
SELECT count(*) AS issued,
       coalesce(sum(p.status = 'EXITED'), 0) AS exited,
       coalesce(sum(p.status = 'REVOKED'), 0) AS revoked,
       coalesce(sum(p.status = 'EXPIRED' OR (p.status IN ('ISSUED', 'ENTERED', 'ARRIVED',
           'ISOLATED') AND p.valid_until <= :now)), 0) AS expired,
       coalesce(sum(p.status IN ('ISSUED', 'ENTERED', 'ARRIVED', 'ISOLATED')
           AND p.valid_until > :now), 0) AS open
FROM applications AS a JOIN passes AS p ON p.application_id = a.id
WHERE a.decided_at >= :start AND a.decided_at < :end AND +a.status = 'APPROVED'
"""

# Median: the mean of ranks (n+1)/2 and (n+2)/2 (one rank when n is odd); P90: nearest rank,
# ceil(0.9 n) = (9n + 9) / 10 in integer arithmetic.
_APPROVAL = """
WITH ranked AS (
    SELECT decided_at - created_at AS ms,
           row_number() OVER (ORDER BY decided_at - created_at) AS k,
           count(*) OVER () AS n
    FROM applications
    WHERE decided_at >= :start AND decided_at < :end AND +status = 'APPROVED'
)
SELECT count(*) AS n,
       avg(ms) AS mean,
       avg(CASE WHEN k IN ((n + 1) / 2, (n + 2) / 2) THEN ms END) AS median,
       max(CASE WHEN k = (9 * n + 9) / 10 THEN ms END) AS p90
FROM ranked
"""


def _range(start: datetime, end: datetime) -> dict[str, Any]:
    return {"start": to_millis(start), "end": to_millis(end)}


def _minutes(millis: float | None) -> float | None:
    return None if millis is None else millis / MINUTE_MS


class SqlReportRepository:
    """The report's aggregates over one connection (read-only)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Run the queries inside against one state of the file (a read transaction), so a
        scan recorded meanwhile cannot appear in one table and not in another. Inside a
        transaction already, that transaction is the snapshot."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("ROLLBACK")  # nothing was written: ending the read is enough

    def checkpoint_counts(self, start: datetime, end: datetime) -> list[CheckpointRow]:
        """Scans per checkpoint in ``[start, end)``: by verdict, GREEN GATE_IN and GATE_OUT;
        only checkpoints with at least one scan."""
        rows = self.conn.execute(_CHECKPOINTS, _range(start, end)).fetchall()
        return [
            CheckpointRow(
                code=str(code),
                name=str(name),
                kind=CheckpointKind(kind),
                scans=int(scans),
                green=int(green),
                amber=int(amber),
                red=int(red),
                entries=int(entries),
                exits=int(exits),
            )
            for code, name, kind, scans, green, amber, red, entries, exits in rows
        ]

    def enterprise_counts(self, start: datetime, end: datetime) -> list[EnterpriseRow]:
        """Per enterprise with any activity in ``[start, end)``: applications filed (not
        drafts), approved, rejected, passes issued, arrivals at its ENTERPRISE checkpoint
        (GREEN), and its passes that reached EXITED; ordered by enterprise id."""
        rows = self.conn.execute(_ENTERPRISES, _range(start, end)).fetchall()
        return [
            EnterpriseRow(
                enterprise_id=int(ident),
                name=str(name),
                filed=int(filed),
                approved=int(approved),
                rejected=int(rejected),
                issued=int(issued),
                arrivals=int(arrivals),
                loops_completed=int(loops),
            )
            for ident, name, filed, approved, rejected, issued, arrivals, loops in rows
        ]

    def loop_completion(self, start: datetime, end: datetime, now: datetime) -> LoopCompletion:
        """Where the passes issued in ``[start, end)`` stand at ``now``."""
        params = _range(start, end) | {"now": to_millis(now)}
        issued, exited, revoked, expired, still_open = self.conn.execute(_LOOPS, params).fetchone()
        return LoopCompletion(int(issued), int(exited), int(revoked), int(expired), int(still_open))

    def approval_times(self, start: datetime, end: datetime) -> ApprovalTimes:
        """Filing-to-approval times of the applications approved in ``[start, end)``."""
        count, mean, median, p90 = self.conn.execute(_APPROVAL, _range(start, end)).fetchone()
        return ApprovalTimes(int(count), _minutes(median), _minutes(p90), _minutes(mean))
