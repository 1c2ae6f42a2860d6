"""The supervision queries: dashboard figures, traces, anomalies, acknowledgements, retention.

Every figure is aggregated in SQL over an index (migration 2), and the indexes are covering —
no table row is read per counted entry: the dashboard reads today's slice of
``scan_events_at``, overdue legs come from ``passes_open(status, status_at, route)``,
scan-based anomalies from the partial indexes ``scan_events_flagged`` and ``scan_events_red``,
"in but never out" from ``scan_events_green``. Counting an anomaly list reads only what
identifies each anomaly; plates and checkpoints are joined for the page shown.

Repeated RED verdicts (several for one plate in a city day) need every RED scan of the window
joined to its pass for the plate and grouped: seconds for a week at 1000x the original
scale. So the groups of whole days are kept in a TEMP table of the connection and brought up
to date from the scans recorded since the last look (``_RedGroups``).

Times are ms since the epoch; the city's day is UTC+8 (China has no daylight saving time).
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date, datetime, timedelta
from typing import Any

from core.clock import from_millis, to_millis
from core.models import CheckpointKind, Pass, PassStatus, Verdict
from core.supervision import (
    SCAN_REASON_KINDS,
    AckFilter,
    Acknowledgement,
    Anomaly,
    AnomalyKind,
    AnomalyQuery,
    GateFlow,
    TraceScan,
)
from db.passes import _pass
from db.repositories import _like, _serial_prefix

LOCAL_OFFSET_MS = 8 * 3600 * 1000
_DAY_MS = 24 * 3600 * 1000
_SCAN_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits that fit SQLite's 64-bit INTEGER
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OPEN = "('ENTERED', 'ARRIVED', 'ISOLATED')"
_FAR_FUTURE = 2**62


class SqlSupervision:
    """Read-mostly queries for the supervisor's screens (one connection, no transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._red = _RedGroups(conn)

    def _all(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        cursor = self.conn.execute(sql, params)
        cursor.row_factory = sqlite3.Row
        return cursor.fetchall()

    def _value(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # --- dashboard -------------------------------------------------------------------------

    def inside_by_status(self) -> dict[PassStatus, int]:
        """Open passes (inside the loop) by status."""
        rows = self._all(
            f"SELECT status, count(*) AS n FROM passes WHERE status IN {_OPEN} GROUP BY status"
        )
        return {PassStatus(row["status"]): int(row["n"]) for row in rows}

    def gate_flows(self, start: datetime, end: datetime) -> list[GateFlow]:
        """Entries and exits (GREEN GATE_IN / GATE_OUT scans) per gate in [start, end), every
        gate listed. (Grouped by step first: by checkpoint first, SQLite would walk the
        checkpoint index of all time instead of the day's slice of ``scan_events_at``.)"""
        counts: dict[tuple[int, str], int] = {}
        for step, point, n in self.conn.execute(
            "SELECT step, checkpoint_id, count(*) FROM scan_events"
            " WHERE at >= ? AND at < ? AND verdict = 'GREEN' AND step IN ('GATE_IN', 'GATE_OUT')"
            " GROUP BY step, checkpoint_id",
            (to_millis(start), to_millis(end)),
        ):
            counts[(point, step)] = int(n)
        gates = self.conn.execute(
            "SELECT id, code, name FROM checkpoints WHERE kind = 'GATE' ORDER BY code"
        ).fetchall()
        return [
            GateFlow(
                code, name, counts.get((gate, "GATE_IN"), 0), counts.get((gate, "GATE_OUT"), 0)
            )
            for gate, code, name in gates
        ]

    def hourly_flow(self, start: datetime) -> tuple[list[int], list[int]]:
        """Entries and exits per hour for the 24 hours from ``start``."""
        entries, exits = [0] * 24, [0] * 24
        begin = to_millis(start)
        rows = self._all(
            "SELECT (at - :start) / 3600000 AS hour, step, count(*) AS n FROM scan_events"
            " WHERE at >= :start AND at < :end AND verdict = 'GREEN'"
            " AND step IN ('GATE_IN', 'GATE_OUT') GROUP BY hour, step",
            {"start": begin, "end": begin + 24 * 3600 * 1000},
        )
        for row in rows:
            target = entries if row["step"] == "GATE_IN" else exits
            target[int(row["hour"])] = int(row["n"])
        return entries, exits

    def scan_counts(self, start: datetime, end: datetime) -> tuple[int, int]:
        """All scans and RED scans in [start, end)."""
        params = {"start": to_millis(start), "end": to_millis(end)}
        total = self._value(
            "SELECT count(*) FROM scan_events WHERE at >= :start AND at < :end", params
        )
        red = self._value(
            "SELECT count(*) FROM scan_events WHERE verdict = 'RED' AND at >= :start AND at < :end",
            params,
        )
        return int(total or 0), int(red or 0)

    def waiting_applications(self) -> tuple[int, datetime | None]:
        """Applications waiting for a decision, and when the oldest was filed."""
        row = self.conn.execute(
            "SELECT count(*), min(created_at) FROM applications WHERE status = 'SUBMITTED'"
        ).fetchone()
        return int(row[0]), (from_millis(row[1]) if row[1] is not None else None)

    def decision_minutes_avg(self, since: datetime) -> float | None:
        """Mean minutes from filing to decision for decisions since ``since``."""
        value = self._value(
            "SELECT avg(decided_at - created_at) / 60000.0 FROM applications"
            " WHERE decided_at IS NOT NULL AND decided_at >= ?",
            (to_millis(since),),
        )
        return None if value is None else float(value)

    def change_token(self) -> tuple[int, int]:
        """A value that changes whenever the database may have changed: ``PRAGMA
        data_version`` (commits of other connections and processes) with ``total_changes()``
        (rows this connection changed itself, which data_version does not count)."""
        row = self.conn.execute("SELECT total_changes()").fetchone()
        version = self.conn.execute("PRAGMA data_version").fetchone()
        # Rows this object wrote to its own TEMP tables (kept anomaly groups) are no news.
        return int(version[0]), int(row[0]) - self._red.changes

    # --- trace -----------------------------------------------------------------------------

    def passes_by_plate(self, plate: str, limit: int) -> list[Pass]:
        rows = self._all(
            "SELECT * FROM passes WHERE plate = ? ORDER BY issued_at DESC LIMIT ?", (plate, limit)
        )
        return [_pass(dict(row)) for row in rows]

    def passes_by_serial(self, text: str, limit: int) -> list[Pass]:
        """Passes whose serial starts with ``text`` (any case, spaces ignored). The range on
        the primary key finds them; LIKE alone (case-insensitive) would read every pass."""
        prefix = text.lower().replace(" ", "")
        rows = self._all(
            "SELECT * FROM passes WHERE serial >= :low AND serial < :high"
            " AND serial LIKE :like ESCAPE '\\' ORDER BY issued_at DESC LIMIT :limit",
            {
                "low": prefix,
                "high": prefix + "\U0010ffff",
                "like": _serial_prefix(prefix),
                "limit": limit,
            },
        )
        return [_pass(dict(row)) for row in rows]

    def passes_by_driver(self, name: str, phone: str, id_number: str, limit: int) -> list[Pass]:
        """Passes whose driver or co-driver has this name, phone or ID number."""
        rows = self._all(
            "SELECT p.* FROM drivers d"
            " JOIN applications a ON a.driver_id = d.id OR a.co_driver_id = d.id"
            " JOIN passes p ON p.application_id = a.id"
            " WHERE d.name = :name OR d.phone = :phone OR d.id_number = :id"
            " ORDER BY p.issued_at DESC LIMIT :limit",
            {"name": name, "phone": phone, "id": id_number, "limit": limit},
        )
        return [_pass(dict(row)) for row in rows]

    def trace_context(self, issued: Pass) -> tuple[str, str | None, str, str]:
        """The pass's enterprise name, its checkpoint code, the driver's name and ID number."""
        row = self.conn.execute(
            "SELECT e.name, (SELECT code FROM checkpoints c WHERE c.enterprise_id = e.id),"
            " d.name, d.id_number"
            " FROM applications a JOIN enterprises e ON e.id = a.enterprise_id"
            " JOIN drivers d ON d.id = a.driver_id WHERE a.id = ?",
            (issued.application_id,),
        ).fetchone()
        if row is None:
            return "", None, "", ""
        return str(row[0]), row[1], str(row[2]), str(row[3])

    def trace_scans(self, serial: str) -> list[TraceScan]:
        """Every scan of the pass, oldest first, with checkpoint and operator."""
        rows = self._all(
            "SELECT s.at, c.code, c.name, c.kind, s.verdict, s.reason, u.username, s.step"
            " FROM scan_events s JOIN checkpoints c ON c.id = s.checkpoint_id"
            " LEFT JOIN users u ON u.id = s.operator_id"
            " WHERE s.serial = ? ORDER BY s.at, s.id",
            (serial,),
        )
        return [
            TraceScan(
                from_millis(r["at"]),
                r["code"],
                r["name"],
                CheckpointKind(r["kind"]),
                Verdict(r["verdict"]),
                r["reason"],
                r["username"] or "",
                r["step"],
            )
            for r in rows
        ]

    # --- anomalies -------------------------------------------------------------------------

    def anomalies(
        self,
        query: AnomalyQuery,
        overdue_limits: dict[tuple[PassStatus, bool], timedelta],
        now: datetime,
        repeated_red: int,
    ) -> tuple[list[Anomaly], int]:
        """A page of anomalies, newest first, and how many match in all."""
        kinds = query.kinds or tuple(AnomalyKind)
        window = _Window(
            to_millis(query.since) if query.since else 0,
            to_millis(query.until) if query.until else _FAR_FUTURE,
            to_millis(now),
            repeated_red,
            overdue_limits,
            query.text.strip(),
        )
        grouped = self._red_groups_ready(window) if AnomalyKind.REPEATED_RED in kinds else False
        parts = [part for kind in kinds for part in window.selects(kind, grouped)]
        if not parts:
            return [], 0
        union = f"WITH x({_COLUMNS}) AS ({' UNION ALL '.join(parts)})"
        state = _STATE[query.state]
        total = int(self._value(f"{union} SELECT count(*) FROM x{state}", window.params) or 0)
        # The page is chosen from what the indexes hold; plates, checkpoints and the scan's
        # reason are read for its rows only.
        rows = self._all(
            f"{union} SELECT a.kind, a.subject, a.at, coalesce(a.serial, s.serial) AS serial,"
            " coalesce(a.plate, p.plate) AS plate, c.code AS checkpoint,"
            " coalesce(a.detail, s.reason) AS detail,"
            " k.note AS ack_note, k.at AS ack_at, u.username AS ack_by"
            f" FROM (SELECT * FROM x{state}"
            "   ORDER BY x.at DESC, x.kind, x.subject LIMIT :limit OFFSET :offset) a"
            " LEFT JOIN scan_events s ON s.id = a.scan_id"
            " LEFT JOIN checkpoints c ON c.id = s.checkpoint_id"
            " LEFT JOIN passes p ON p.serial = coalesce(a.serial, s.serial)"
            " LEFT JOIN anomaly_acks k ON k.kind = a.kind AND k.subject = a.subject"
            " LEFT JOIN users u ON u.id = k.user_id"
            " ORDER BY a.at DESC, a.kind, a.subject",
            {**window.params, "limit": max(0, query.limit), "offset": max(0, query.offset)},
        )
        return [_anomaly(row) for row in rows], total

    def open_counts(
        self,
        since: datetime,
        overdue_limits: dict[tuple[PassStatus, bool], timedelta],
        now: datetime,
        repeated_red: int,
    ) -> dict[str, int]:
        """Unacknowledged anomalies by kind since ``since`` (overdue legs: all current)."""
        window = _Window(
            to_millis(since), _FAR_FUTURE, to_millis(now), repeated_red, overdue_limits, ""
        )
        grouped = self._red_groups_ready(window)
        counts = {}
        for kind in AnomalyKind:  # one query each: SQLite plans each kind's union apart well
            union = " UNION ALL ".join(window.selects(kind, grouped))
            sql = f"WITH x({_COLUMNS}) AS ({union}) SELECT count(*) FROM x"
            counts[kind.value] = int(self._value(sql + _STATE[AckFilter.OPEN], window.params))
        return counts

    def _red_groups_ready(self, window: _Window) -> bool:
        """Bring the kept REPEATED_RED groups of the window's whole days up to date; False
        when they cannot be used now: inside a caller's transaction (a rollback there would
        undo the TEMP rows but not what this object remembers), or when the TEMP tables
        cannot be written (a full disk: reading goes on, counting every scan afresh)."""
        if self.conn.in_transaction:
            return False
        first, last = window.whole_days()
        try:
            self._red.prepare(first, last)
        except sqlite3.OperationalError:
            return False
        return True

    def acknowledge(
        self, kind: AnomalyKind, subject: str, note: str, user_id: int, at: datetime
    ) -> bool:
        """Record an acknowledgement; False if that anomaly was already acknowledged."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO anomaly_acks (kind, subject, note, user_id, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (kind.value, subject, note, user_id, to_millis(at)),
        )
        return cursor.rowcount == 1

    def subject_exists(self, kind: AnomalyKind, subject: str) -> bool:
        """True if ``subject`` names something that can be an anomaly of ``kind``: an open
        pass in that status (OVERDUE), a pass (OPEN_AFTER_EXPIRY), a plate with a RED scan
        on that city-local day (REPEATED_RED), a scan event with the kind's reason."""
        params: tuple[object, ...]
        if kind is AnomalyKind.OVERDUE:
            serial, _, status = subject.partition(":")
            sql = f"SELECT 1 FROM passes WHERE serial = ? AND status = ? AND status IN {_OPEN}"
            params = (serial, status)
        elif kind is AnomalyKind.OPEN_AFTER_EXPIRY:
            sql, params = "SELECT 1 FROM passes WHERE serial = ?", (subject,)
        elif kind is AnomalyKind.REPEATED_RED:
            plate, _, day = subject.partition("@")
            start = _local_day_start(day)
            if start is None:
                return False
            sql = (
                "SELECT 1 FROM passes p JOIN scan_events s ON s.serial = p.serial"
                " WHERE p.plate = ? AND s.verdict = 'RED' AND s.at >= ? AND s.at < ?"
            )
            params = (plate, start, start + _DAY_MS)
        else:
            reason = next(r for r, k in SCAN_REASON_KINDS.items() if k is kind)
            if not _SCAN_ID.fullmatch(subject):
                return False
            sql = "SELECT 1 FROM scan_events WHERE id = ? AND reason = ?"
            params = (int(subject), reason)
        return self.conn.execute(sql, params).fetchone() is not None

    # --- retention -------------------------------------------------------------------------

    def purge_personal_data(self, cutoff: datetime, now: datetime) -> tuple[int, int]:
        """Anonymize drivers whose every filing is closed since before ``cutoff`` and clear
        the texts sent for those filings; returns (drivers, messages). Call in a transaction.

        A driver with any filing still live (draft, waiting, an open pass, or one closed after
        the cutoff) keeps their data: the retention clock starts at their *last* trip."""
        params = {"cutoff": to_millis(cutoff), "now": to_millis(now)}
        live = (
            "SELECT 1 FROM applications a LEFT JOIN passes p ON p.application_id = a.id"
            " WHERE (a.driver_id = d.id OR a.co_driver_id = d.id) AND ("
            "   a.status IN ('DRAFT', 'SUBMITTED')"
            "   OR (a.status = 'APPROVED' AND (p.serial IS NULL"
            "       OR p.status NOT IN ('EXITED', 'EXPIRED', 'REVOKED')"
            "       OR p.status_at >= :cutoff))"
            "   OR (a.status IN ('REJECTED', 'WITHDRAWN')"
            "       AND coalesce(a.decided_at, a.created_at) >= :cutoff))"
        )
        used = "SELECT 1 FROM applications a WHERE a.driver_id = d.id OR a.co_driver_id = d.id"
        ids = [
            row[0]
            for row in self.conn.execute(
                f"SELECT d.id FROM drivers d WHERE d.anonymized_at IS NULL"
                f" AND EXISTS ({used}) AND NOT EXISTS ({live})",
                params,
            )
        ]
        if not ids:
            return 0, 0
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_ids (id INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM purge_ids")
        self.conn.executemany("INSERT INTO purge_ids (id) VALUES (?)", [(i,) for i in ids])
        self.conn.execute(
            "UPDATE drivers SET name = '（已匿名）', id_number = 'ANON-' || id, phone = '',"
            " anonymized_at = :now WHERE id IN (SELECT id FROM purge_ids)",
            params,
        )
        messages = self.conn.execute(
            "UPDATE sms_outbox SET phone = '', body = '（已清除）'"
            " WHERE phone != '' AND serial IN (SELECT p.serial FROM passes p"
            "   JOIN applications a ON a.id = p.application_id"
            "   WHERE a.driver_id IN (SELECT id FROM purge_ids))"
        ).rowcount
        self.conn.execute("DELETE FROM purge_ids")
        return len(ids), int(messages)


def _local_day_start(text: str) -> int | None:
    """The UTC ms at which the city-local day ``YYYY-MM-DD`` begins, or None if not a date."""
    if not _DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return (day - date(1970, 1, 1)).days * _DAY_MS - LOCAL_OFFSET_MS


def _text_filter(text: str, params: dict[str, Any], plate: str, serial: str) -> str:
    """`` AND (plate contains the text OR serial starts with it)``, or "" without a text."""
    if not text:
        return ""
    params["like"] = _like(text.upper())
    params["prefix"] = _serial_prefix(text)
    return f" AND ({plate} LIKE :like ESCAPE '\\' OR {serial} LIKE :prefix ESCAPE '\\')"


# Counting with a state: acknowledged or not, by the anomaly's identity only.
_ACKED = "EXISTS (SELECT 1 FROM anomaly_acks k WHERE k.kind = x.kind AND k.subject = x.subject)"
_STATE = {
    AckFilter.OPEN: f" WHERE NOT {_ACKED}",
    AckFilter.ACKNOWLEDGED: f" WHERE {_ACKED}",
    AckFilter.ALL: "",
}
# Every anomaly SELECT gives these columns, all read from indexes unless a text filter needs
# the plate; ``serial`` and ``plate`` may be NULL where the page query reads them, ``scan_id``
# names the scan behind a scan-based anomaly (its checkpoint and reason are read for the page).
_COLUMNS = "kind, subject, at, serial, plate, scan_id, detail"
_IN_BUT_NOT_OUT = (
    " AND EXISTS (SELECT 1 FROM scan_events s WHERE s.serial = p.serial"
    " AND s.verdict = 'GREEN' AND s.step = 'GATE_IN')"
    " AND NOT EXISTS (SELECT 1 FROM scan_events s WHERE s.serial = p.serial"
    " AND s.verdict = 'GREEN' AND s.step = 'GATE_OUT')"
)
_DAY_OF = f"(s.at + {LOCAL_OFFSET_MS}) / {_DAY_MS}"  # the city day number of a scan


class _Window:
    """One anomaly query's window, settings and text, and the SELECTs it takes."""

    def __init__(
        self,
        since: int,
        until: int,
        now: int,
        repeated_red: int,
        limits: dict[tuple[PassStatus, bool], timedelta],
        text: str,
    ) -> None:
        self.since, self.until, self.limits, self.text = since, until, limits, text
        self.params: dict[str, Any] = {
            "since": since,
            "until": until,
            "now": now,
            "red": repeated_red,
        }

    def whole_days(self) -> tuple[int, int]:
        """The first and last city days lying wholly inside [since, until] (first > last
        when there is none)."""
        first = -((-self.since - LOCAL_OFFSET_MS) // _DAY_MS)  # ceil((since + offset) / day)
        last = (self.until + 1 + LOCAL_OFFSET_MS) // _DAY_MS - 1
        return first, last

    def selects(self, kind: AnomalyKind, grouped: bool) -> list[str]:
        """The SELECTs (columns ``_COLUMNS``) producing the anomalies of ``kind``; ``grouped``:
        the kept REPEATED_RED groups of the window's whole days are up to date."""
        if kind is AnomalyKind.OVERDUE:
            return self._overdue()
        if kind is AnomalyKind.OPEN_AFTER_EXPIRY:
            return self._open_after_expiry()
        if kind is AnomalyKind.REPEATED_RED:
            return self._repeated_red(grouped)
        reason = next(r for r, k in SCAN_REASON_KINDS.items() if k is kind)
        where = (
            f"WHERE s.verdict != 'GREEN' AND s.reason = '{reason}'"
            " AND s.at BETWEEN :since AND :until"
        )
        head = f"SELECT '{kind.value}' AS kind, CAST(s.id AS TEXT) AS subject, s.at"
        if not self.text:
            return [f"{head}, NULL, NULL, s.id, NULL FROM scan_events s {where}"]
        where += _text_filter(self.text, self.params, "coalesce(p.plate, '')", "s.serial")
        return [
            f"{head}, s.serial, p.plate, s.id, NULL FROM scan_events s"
            f" LEFT JOIN passes p ON p.serial = s.serial {where}"
        ]

    def _overdue(self) -> list[str]:
        """One SELECT per (status, route) leg: in that status for longer than its limit."""
        where = _text_filter(self.text, self.params, "p.plate", "p.serial")
        selects = []
        for index, ((status, isolation), limit) in enumerate(sorted(self.limits.items())):
            route = "ISOLATION_LOOP" if isolation else "STANDARD"
            self.params[f"lim{index}"] = int(limit.total_seconds() * 1000)
            self.params[f"cut{index}"] = self.params["now"] - self.params[f"lim{index}"]
            selects.append(
                "SELECT 'OVERDUE' AS kind, p.serial || ':' || p.status AS subject,"
                f" p.status_at + :lim{index} AS at, p.serial, NULL, NULL,"
                f" json_object('status', p.status, 'limit_minutes', :lim{index} / 60000)"
                f" FROM passes p WHERE p.status = '{status.value}'"
                f" AND p.status_at < :cut{index} AND p.route = '{route}'{where}"
            )
        return selects

    def _open_after_expiry(self) -> list[str]:
        where = _text_filter(self.text, self.params, "p.plate", "p.serial")
        return [
            "SELECT 'OPEN_AFTER_EXPIRY' AS kind, p.serial AS subject, p.status_at AS at,"
            " p.serial, NULL, NULL, NULL FROM passes p"
            " WHERE p.status = 'EXPIRED' AND p.status_at BETWEEN :since AND :until"
            f"{_IN_BUT_NOT_OUT}{where}",
            # Past validity but not yet marked EXPIRED (marking runs at start-up).
            "SELECT 'OPEN_AFTER_EXPIRY', p.serial, p.valid_until, p.serial, NULL, NULL, NULL"
            f" FROM passes p WHERE p.status IN {_OPEN} AND p.valid_until <= :now"
            f" AND p.valid_until BETWEEN :since AND :until{where}",
        ]

    def _repeated_red(self, grouped: bool) -> list[str]:
        """Plates with at least ``red`` RED scans in a city day: the kept groups of the
        window's whole days, and the partial days at its ends counted from the scans.

        A text keeps the groups whose plate contains it or whose latest serial starts
        with it."""
        first, last = self.whole_days() if grouped else (1, 0)
        selects = []
        if first <= last:
            self.params.update(red_first=first, red_last=last)
            selects.append(
                "SELECT 'REPEATED_RED' AS kind,"
                " g.plate || '@' || date(g.day * 86400, 'unixepoch') AS subject, g.at,"
                " g.serial, g.plate, NULL, g.n FROM temp.red_groups g"
                " WHERE +g.day BETWEEN :red_first AND :red_last AND g.n >= :red"
                + _text_filter(self.text, self.params, "g.plate", "g.serial")
            )
            spans = [(self.since, _day_start(first) - 1), (_day_start(last + 1), self.until)]
        else:
            spans = [(self.since, self.until)]
        having = _text_filter(self.text, self.params, "p.plate", "max(s.serial)")
        for index, (low, high) in enumerate(spans):
            if low > high:
                continue
            self.params.update({f"red_low{index}": low, f"red_high{index}": high})
            selects.append(
                f"SELECT 'REPEATED_RED' AS kind, p.plate || '@' || date({_DAY_OF} * 86400,"
                " 'unixepoch') AS subject, max(s.at) AS at, max(s.serial), p.plate, NULL,"
                " count(*)"
                " FROM scan_events s JOIN passes p ON p.serial = s.serial"
                f" WHERE s.verdict = 'RED' AND s.at BETWEEN :red_low{index} AND :red_high{index}"
                f" GROUP BY p.plate, {_DAY_OF} HAVING count(*) >= :red{having}"
            )
        return selects


def _day_start(day: int) -> int:
    """The UTC ms at which city day number ``day`` begins."""
    return day * _DAY_MS - LOCAL_OFFSET_MS


class _RedGroups:
    """RED scans per (city day, plate) — count, latest time, highest serial — for the days
    asked for so far, in ``temp.red_groups``, kept up to date.

    ``scan_events`` is append-only (no code updates or deletes a scan) and a pass's plate
    never changes, so once a day is grouped, the only news are rows with a rowid above the
    highest one counted (``seen``): each look adds those and groups the days not kept yet.
    A file that shrank (a restored backup on this connection) starts over."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.seen: int | None = None  # highest scan rowid counted; None: tables not set up
        self.changes = 0  # rows written to the TEMP tables (not a change of the data)

    def prepare(self, first: int, last: int) -> None:
        """Have the groups of days ``first``..``last`` (city day numbers) up to date."""
        conn = self.conn
        before = conn.total_changes
        conn.execute("BEGIN")
        try:
            top = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM scan_events").fetchone()[0])
            if self.seen is None or top < self.seen:
                conn.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS red_groups (day INTEGER, plate TEXT,"
                    " n INTEGER, at INTEGER, serial TEXT, PRIMARY KEY (day, plate)) WITHOUT ROWID"
                )
                # Most groups hold one or two scans: the index finds those at the threshold.
                conn.execute(
                    "CREATE INDEX IF NOT EXISTS temp.red_groups_n"
                    " ON red_groups (n, day, at, serial)"
                )
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS red_days (day INTEGER PRIMARY KEY)")
                conn.execute("DELETE FROM temp.red_groups")
                conn.execute("DELETE FROM temp.red_days")
            elif top > self.seen:
                self._add(
                    f"s.rowid > :seen AND s.rowid <= :top AND s.verdict = 'RED'"
                    f" AND {_DAY_OF} IN (SELECT day FROM temp.red_days)",
                    {"seen": self.seen, "top": top},
                )
            self._group_days(first, last, top)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self.seen = None
            raise
        finally:
            self.changes += conn.total_changes - before
        self.seen = top

    def _group_days(self, first: int, last: int, top: int) -> None:
        """Group the days of ``first``..``last`` not kept yet (only days with RED scans)."""
        # Two subqueries: SQLite finds a min() or a max() in the index, not both at once.
        span = self.conn.execute(
            "SELECT (SELECT min(at) FROM scan_events WHERE verdict = 'RED'),"
            " (SELECT max(at) FROM scan_events WHERE verdict = 'RED')"
        ).fetchone()
        if span[0] is None:
            return
        first = max(first, (span[0] + LOCAL_OFFSET_MS) // _DAY_MS)
        last = min(last, (span[1] + LOCAL_OFFSET_MS) // _DAY_MS)
        kept = {
            row[0]
            for row in self.conn.execute(
                "SELECT day FROM temp.red_days WHERE day BETWEEN ? AND ?", (first, last)
            )
        }
        missing = [day for day in range(first, last + 1) if day not in kept]
        for day in missing:
            self._add(
                "s.verdict = 'RED' AND s.at >= :start AND s.at < :end AND s.rowid <= :top",
                {"start": _day_start(day), "end": _day_start(day + 1), "top": top},
            )
        self.conn.executemany(
            "INSERT INTO temp.red_days (day) VALUES (?)", [(day,) for day in missing]
        )

    def _add(self, where: str, params: dict[str, int]) -> None:
        """Add the RED scans matching ``where`` (on ``scan_events s``) to their groups.

        Counted per pass first (the index holds the serial), so each pass is looked up once
        and in serial order, then per plate."""
        self.conn.execute(
            "INSERT INTO temp.red_groups (day, plate, n, at, serial)"
            " SELECT r.day, p.plate, sum(r.n), max(r.at), max(r.serial) FROM"
            f" (SELECT s.serial AS serial, {_DAY_OF} AS day, count(*) AS n, max(s.at) AS at"
            f"  FROM scan_events s WHERE {where} AND s.serial IS NOT NULL"
            f"  GROUP BY s.serial, {_DAY_OF}) r"
            " JOIN passes p ON p.serial = r.serial GROUP BY r.day, p.plate"
            " ON CONFLICT (day, plate) DO UPDATE SET n = n + excluded.n,"
            " at = max(at, excluded.at), serial = max(serial, excluded.serial)",
            params,
        )


def _anomaly(row: sqlite3.Row) -> Anomaly:
    kind = AnomalyKind(row["kind"])
    raw = row["detail"]
    detail: dict[str, object]
    if kind is AnomalyKind.OVERDUE and raw:
        detail = json.loads(raw)
    elif kind is AnomalyKind.REPEATED_RED:
        detail = {"count": int(raw)}
    elif raw is not None:
        detail = {"reason": raw, "scan_event": int(row["subject"])}
    else:
        detail = {}
    ack = None
    if row["ack_at"] is not None:
        ack = Acknowledgement(row["ack_note"], row["ack_by"] or "", from_millis(row["ack_at"]))
    return Anomaly(
        kind,
        row["subject"],
        from_millis(row["at"]),
        row["serial"],
        row["plate"],
        row["checkpoint"],
        detail,
        ack,
    )
