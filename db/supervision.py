"""The supervision queries: dashboard figures, traces, anomalies, acknowledgements, retention.

Every figure is aggregated in SQL over an index (migration 2): the dashboard reads today's
slice of ``scan_events_at``, overdue legs come from ``passes_open(status, status_at)``,
scan-based anomalies from the partial indexes ``scan_events_flagged`` and ``scan_events_red``.
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
        """Entries and exits (GREEN GATE_IN / GATE_OUT scans) per gate in [start, end)."""
        rows = self._all(
            "SELECT c.code, c.name,"
            " coalesce(sum(s.step = 'GATE_IN'), 0) AS entries,"
            " coalesce(sum(s.step = 'GATE_OUT'), 0) AS exits"
            " FROM checkpoints c LEFT JOIN scan_events s"
            "   ON s.checkpoint_id = c.id AND s.at >= :start AND s.at < :end"
            "   AND s.verdict = 'GREEN'"
            " WHERE c.kind = 'GATE' GROUP BY c.id ORDER BY c.code",
            {"start": to_millis(start), "end": to_millis(end)},
        )
        return [GateFlow(r["code"], r["name"], int(r["entries"]), int(r["exits"])) for r in rows]

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
        return int(version[0]), int(row[0])

    # --- trace -----------------------------------------------------------------------------

    def passes_by_plate(self, plate: str, limit: int) -> list[Pass]:
        rows = self._all(
            "SELECT * FROM passes WHERE plate = ? ORDER BY issued_at DESC LIMIT ?", (plate, limit)
        )
        return [_pass(dict(row)) for row in rows]

    def passes_by_serial(self, text: str, limit: int) -> list[Pass]:
        rows = self._all(
            "SELECT * FROM passes WHERE serial LIKE ? ESCAPE '\\' ORDER BY issued_at DESC LIMIT ?",
            (_serial_prefix(text), limit),
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
        params: dict[str, Any] = {
            "since": to_millis(query.since) if query.since else 0,
            "until": to_millis(query.until) if query.until else _FAR_FUTURE,
            "now": to_millis(now),
            "red": repeated_red,
            "offset_ms": LOCAL_OFFSET_MS,
        }
        parts = [
            part
            for kind in kinds
            for part in _anomaly_selects(kind, overdue_limits, params, query.text)
        ]
        if not parts:
            return [], 0
        union = " UNION ALL ".join(parts)
        state = {
            AckFilter.OPEN: "WHERE k.subject IS NULL",
            AckFilter.ACKNOWLEDGED: "WHERE k.subject IS NOT NULL",
            AckFilter.ALL: "",
        }[query.state]
        body = (
            f"FROM ({union}) x LEFT JOIN anomaly_acks k"
            f" ON k.kind = x.kind AND k.subject = x.subject"
            f" LEFT JOIN users u ON u.id = k.user_id {state}"
        )
        total = int(self._value(f"SELECT count(*) {body}", params) or 0)
        rows = self._all(
            f"SELECT x.*, k.note AS ack_note, k.at AS ack_at, u.username AS ack_by {body}"
            " ORDER BY x.at DESC, x.kind, x.subject LIMIT :limit OFFSET :offset",
            {**params, "limit": max(0, query.limit), "offset": max(0, query.offset)},
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
        params: dict[str, Any] = {
            "since": to_millis(since),
            "until": _FAR_FUTURE,
            "now": to_millis(now),
            "red": repeated_red,
            "offset_ms": LOCAL_OFFSET_MS,
        }
        parts = [
            part for kind in AnomalyKind for part in _anomaly_selects(kind, overdue_limits, params)
        ]
        rows = self._all(
            f"SELECT x.kind, count(*) AS n FROM ({' UNION ALL '.join(parts)}) x"
            " WHERE NOT EXISTS (SELECT 1 FROM anomaly_acks k"
            "   WHERE k.kind = x.kind AND k.subject = x.subject)"
            " GROUP BY x.kind",
            params,
        )
        counts = {kind.value: 0 for kind in AnomalyKind}
        counts.update({row["kind"]: int(row["n"]) for row in rows})
        return counts

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
    if not text:
        return ""
    params["like"] = _like(text.strip().upper())
    params["prefix"] = _serial_prefix(text.strip())
    return f" AND ({plate} LIKE :like ESCAPE '\\' OR {serial} LIKE :prefix ESCAPE '\\')"


_COLUMNS = "kind, subject, at, serial, plate, checkpoint, detail"


def _anomaly_selects(
    kind: AnomalyKind,
    limits: dict[tuple[PassStatus, bool], timedelta],
    params: dict[str, Any],
    text: str = "",
) -> list[str]:
    """The SELECTs (columns ``_COLUMNS``) producing the anomalies of ``kind``."""
    if kind is AnomalyKind.OVERDUE:
        return _overdue_selects(limits, params, _text_filter(text, params, "p.plate", "p.serial"))
    if kind is AnomalyKind.OPEN_AFTER_EXPIRY:
        where = _text_filter(text, params, "p.plate", "p.serial")
        gate = (
            "SELECT 1 FROM scan_events s WHERE s.serial = p.serial AND s.verdict = 'GREEN'"
            " AND s.step = '{}'"
        )
        return [
            "SELECT 'OPEN_AFTER_EXPIRY' AS kind, p.serial AS subject, p.status_at AS at,"
            " p.serial, p.plate, NULL AS checkpoint, NULL AS detail FROM passes p"
            " WHERE p.status = 'EXPIRED' AND p.status_at BETWEEN :since AND :until"
            f" AND EXISTS ({gate.format('GATE_IN')}) AND NOT EXISTS ({gate.format('GATE_OUT')})"
            f"{where}",
            # Past validity but not yet marked EXPIRED (marking runs at start-up).
            "SELECT 'OPEN_AFTER_EXPIRY', p.serial, p.valid_until, p.serial, p.plate, NULL, NULL"
            f" FROM passes p WHERE p.status IN {_OPEN} AND p.valid_until <= :now"
            f" AND p.valid_until BETWEEN :since AND :until{where}",
        ]
    if kind is AnomalyKind.REPEATED_RED:
        where = _text_filter(text, params, "p.plate", "p.serial")
        day = "date((s.at + :offset_ms) / 1000, 'unixepoch')"
        return [
            f"SELECT 'REPEATED_RED' AS kind, p.plate || '@' || {day} AS subject, max(s.at) AS at,"
            " max(s.serial) AS serial, p.plate, NULL AS checkpoint, count(*) AS detail"
            " FROM scan_events s JOIN passes p ON p.serial = s.serial"
            f" WHERE s.verdict = 'RED' AND s.at BETWEEN :since AND :until{where}"
            f" GROUP BY p.plate, {day} HAVING count(*) >= :red"
        ]
    reason = next(r for r, k in SCAN_REASON_KINDS.items() if k is kind)
    where = _text_filter(text, params, "coalesce(p.plate, '')", "coalesce(s.serial, '')")
    return [
        f"SELECT '{kind.value}' AS kind, CAST(s.id AS TEXT) AS subject, s.at, s.serial,"
        " p.plate, c.code AS checkpoint, s.reason AS detail"
        " FROM scan_events s JOIN checkpoints c ON c.id = s.checkpoint_id"
        " LEFT JOIN passes p ON p.serial = s.serial"
        f" WHERE s.verdict != 'GREEN' AND s.reason = '{reason}'"
        f" AND s.at BETWEEN :since AND :until{where}"
    ]


def _overdue_selects(
    limits: dict[tuple[PassStatus, bool], timedelta], params: dict[str, Any], where: str
) -> list[str]:
    """One SELECT per (status, route) leg: in that status for longer than the leg's limit."""
    selects = []
    for index, ((status, isolation), limit) in enumerate(sorted(limits.items())):
        route = "ISOLATION_LOOP" if isolation else "STANDARD"
        params[f"lim{index}"] = int(limit.total_seconds() * 1000)
        params[f"cut{index}"] = params["now"] - params[f"lim{index}"]
        selects.append(
            f"SELECT 'OVERDUE' AS kind, p.serial || ':' || p.status AS subject,"
            f" p.status_at + :lim{index} AS at, p.serial, p.plate, NULL AS checkpoint,"
            f" json_object('status', p.status, 'limit_minutes', :lim{index} / 60000) AS detail"
            f" FROM passes p WHERE p.status = '{status.value}' AND p.route = '{route}'"
            f" AND p.status_at < :cut{index}{where}"
        )
    return selects


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
