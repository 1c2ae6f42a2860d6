"""SQL for issued passes, the signing-key trust list, the SMS outbox and settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from core.clock import from_millis, to_millis
from core.keys import IssuingKey
from core.models import (
    OutboxMessage,
    OutboxStatus,
    Page,
    Pass,
    PassStatus,
    RiskLevel,
    RouteTemplate,
    ScanEvent,
    Verdict,
)
from core.ports import PassQuery, SearchQuery
from db.repositories import Row, _in_clause, _like, _opt_millis, _Repository, _serial_prefix


def _pass(row: Row) -> Pass:
    return Pass(
        serial=row["serial"],
        application_id=row["application_id"],
        plate=row["plate"],
        risk=RiskLevel(row["risk"]),
        route=RouteTemplate(row["route"]),
        status=PassStatus(row["status"]),
        issued_at=from_millis(row["issued_at"]),
        valid_from=from_millis(row["valid_from"]),
        valid_until=from_millis(row["valid_until"]),
        key_id=row["key_id"],
        token=row["token"],
        revoked_at=_opt_millis(row["revoked_at"]),
        revoke_reason=row["revoke_reason"],
        status_at=_opt_millis(row["status_at"]),
    )


class SqlPassRepository(_Repository):
    """Table ``passes``."""

    table = "passes"
    sortable: ClassVar[Mapping[str, str]] = {
        "issued_at": "issued_at",
        "plate": "plate",
        "status": "status",
        "valid_until": "valid_until",
    }
    default_sort = "issued_at"
    tiebreak = "serial"

    def add(self, issued: Pass) -> None:
        """Store a newly issued pass."""
        self._write(
            "INSERT INTO passes (serial, application_id, plate, risk, route, status, issued_at,"
            " valid_from, valid_until, key_id, token, status_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                issued.serial,
                issued.application_id,
                issued.plate,
                issued.risk.value,
                issued.route.value,
                issued.status.value,
                to_millis(issued.issued_at),
                to_millis(issued.valid_from),
                to_millis(issued.valid_until),
                issued.key_id,
                issued.token,
                to_millis(issued.status_at or issued.issued_at),
            ),
        )

    def get(self, serial: str) -> Pass | None:
        """The pass with this serial (32 hex characters), or None."""
        row = self._one("SELECT * FROM passes WHERE serial = ?", (serial.lower(),))
        return _pass(row) if row else None

    def for_application(self, application_id: int) -> Pass | None:
        """The pass issued for an application, or None."""
        row = self._one("SELECT * FROM passes WHERE application_id = ?", (application_id,))
        return _pass(row) if row else None

    def search(self, query: PassQuery) -> Page[Pass]:
        """Passes whose plate contains the text or whose serial starts with it."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.text:
            where.append("(plate LIKE :like ESCAPE '\\' OR serial LIKE :prefix ESCAPE '\\')")
            params["like"] = _like(query.text)
            params["prefix"] = _serial_prefix(query.text)
        if query.statuses:
            where.append(_in_clause("status", query.statuses, params))
        if query.enterprise_id is not None:
            where.append(
                "application_id IN (SELECT id FROM applications WHERE enterprise_id = :ent)"
            )
            params["ent"] = query.enterprise_id
        unscoped = PassQuery(
            query.text, query.sort, query.descending, query.limit, query.offset, None
        )
        return self._search(unscoped, where, params, _pass)

    def revoke(self, serial: str, at: datetime, reason: str) -> bool:
        """Revoke an open pass; False if it was already closed, revoked or expired."""
        cursor = self.conn.execute(
            "UPDATE passes SET status = 'REVOKED', revoked_at = :at, status_at = :at,"
            " revoke_reason = :reason"
            " WHERE serial = :serial AND status IN ('ISSUED', 'ENTERED', 'ARRIVED', 'ISOLATED')",
            {"at": to_millis(at), "reason": reason, "serial": serial},
        )
        return cursor.rowcount == 1

    def mark_expired(self, now: datetime) -> list[str]:
        """Mark every open pass past its validity EXPIRED; returns their serials."""
        rows = self._rows(
            "SELECT serial FROM passes WHERE valid_until <= ?"
            " AND status IN ('ISSUED', 'ENTERED', 'ARRIVED', 'ISOLATED')",
            (to_millis(now),),
        )
        serials = [row["serial"] for row in rows]
        self.conn.executemany(
            "UPDATE passes SET status = 'EXPIRED', status_at = ? WHERE serial = ?",
            [(to_millis(now), s) for s in serials],
        )
        return serials

    def advance(
        self, serial: str, from_status: PassStatus, to_status: PassStatus, at: datetime
    ) -> bool:
        """Move a pass along its route if it is still in ``from_status`` (a concurrent scan
        of the same pass at another station cannot move it twice); ``at`` starts the next leg."""
        cursor = self.conn.execute(
            "UPDATE passes SET status = ?, status_at = ? WHERE serial = ? AND status = ?",
            (to_status.value, to_millis(at), serial, from_status.value),
        )
        return cursor.rowcount == 1

    def is_revoked(self, serial: str) -> bool:
        """True if the pass was revoked (the revocation check of verification)."""
        row = self._one("SELECT status FROM passes WHERE serial = ?", (serial,))
        return row is not None and row["status"] == PassStatus.REVOKED.value


def _key(row: Row) -> IssuingKey:
    return IssuingKey(
        kid=bytes.fromhex(row["kid"]),
        public_key=bytes(row["public_key"]),
        created_at=from_millis(row["created_at"]),
        valid_from=from_millis(row["valid_from"]),
        valid_until=from_millis(row["valid_until"]),
        retired_at=_opt_millis(row["retired_at"]),
        withdrawn_at=_opt_millis(row["withdrawn_at"]),
    )


class SqlKeyRepository(_Repository):
    """Table ``signing_keys``: the public trust list."""

    table = "signing_keys"

    def add(self, key: IssuingKey) -> None:
        """Publish a new key."""
        self._write(
            "INSERT INTO signing_keys (kid, public_key, created_at, valid_from, valid_until)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                key.kid.hex(),
                key.public_key,
                to_millis(key.created_at),
                to_millis(key.valid_from),
                to_millis(key.valid_until),
            ),
        )

    def get(self, kid: bytes) -> IssuingKey | None:
        """The key with this id, or None."""
        row = self._one("SELECT * FROM signing_keys WHERE kid = ?", (kid.hex(),))
        return _key(row) if row else None

    def list_all(self) -> list[IssuingKey]:
        """Every key, newest first."""
        rows = self._rows("SELECT * FROM signing_keys ORDER BY created_at DESC, kid")
        return [_key(row) for row in rows]

    def retire(self, kid: bytes, at: datetime) -> None:
        """Stop a key from signing (it still verifies what it signed)."""
        self.conn.execute(
            "UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL",
            (to_millis(at), kid.hex()),
        )

    def withdraw(self, kid: bytes, at: datetime) -> bool:
        """Withdraw a key: every pass it signed stops verifying. False if already withdrawn."""
        cursor = self.conn.execute(
            "UPDATE signing_keys SET withdrawn_at = ?, retired_at = coalesce(retired_at, ?)"
            " WHERE kid = ? AND withdrawn_at IS NULL",
            (to_millis(at), to_millis(at), kid.hex()),
        )
        return cursor.rowcount == 1


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        serial=row["serial"],
        phone=row["phone"],
        body=row["body"],
        status=OutboxStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=from_millis(row["next_attempt_at"]),
        created_at=from_millis(row["created_at"]),
        last_error=row["last_error"],
        sent_at=_opt_millis(row["sent_at"]),
    )


class SqlOutboxRepository(_Repository):
    """Table ``sms_outbox``."""

    table = "sms_outbox"
    sortable: ClassVar[Mapping[str, str]] = {"created_at": "created_at", "status": "status"}
    default_sort = "created_at"

    def add(self, serial: str, phone: str, body: str, now: datetime) -> OutboxMessage:
        """Queue an SMS, due at once."""
        new_id = self._write(
            "INSERT INTO sms_outbox (serial, phone, body, status, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, 'PENDING', ?, ?)",
            (serial, phone, body, to_millis(now), to_millis(now)),
        )
        return OutboxMessage(new_id, serial, phone, body, OutboxStatus.PENDING, 0, now, now)

    def get(self, message_id: int) -> OutboxMessage | None:
        """One message by id."""
        row = self._one("SELECT * FROM sms_outbox WHERE id = ?", (message_id,))
        return _message(row) if row else None

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Pending messages whose next attempt is due, oldest first."""
        rows = self._rows(
            "SELECT * FROM sms_outbox WHERE status = 'PENDING' AND next_attempt_at <= ?"
            " ORDER BY next_attempt_at, id LIMIT ?",
            (to_millis(now), limit),
        )
        return [_message(row) for row in rows]

    def record(
        self,
        message_id: int,
        status: OutboxStatus,
        attempts: int,
        next_attempt_at: datetime,
        last_error: str,
        sent_at: datetime | None,
    ) -> None:
        """Store the outcome of a delivery attempt."""
        self._update(
            "UPDATE sms_outbox SET status = :status, attempts = :attempts,"
            " next_attempt_at = :next, last_error = :error, sent_at = :sent WHERE id = :id",
            {
                "id": message_id,
                "status": status.value,
                "attempts": attempts,
                "next": to_millis(next_attempt_at),
                "error": last_error,
                "sent": None if sent_at is None else to_millis(sent_at),
            },
        )

    def search(self, query: SearchQuery) -> Page[OutboxMessage]:
        """Messages whose serial or phone matches the text (phones only in full)."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.text:
            where.append("(serial LIKE :prefix ESCAPE '\\' OR phone = :exact)")
            params["prefix"] = _serial_prefix(query.text)
            params["exact"] = query.text.strip()
        if query.enterprise_id is not None:
            where.append(
                "serial IN (SELECT p.serial FROM passes p JOIN applications a"
                " ON a.id = p.application_id WHERE a.enterprise_id = :ent)"
            )
            params["ent"] = query.enterprise_id
        unscoped = SearchQuery(query.text, query.sort, query.descending, query.limit, query.offset)
        return self._search(unscoped, where, params, _message)


class SqlSettingsRepository(_Repository):
    """Table ``settings``: business settings as text values."""

    table = "settings"

    def get(self, key: str) -> str | None:
        """The stored value, or None for the default."""
        row = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def all(self) -> dict[str, str]:
        """Every stored setting, key → text."""
        rows = self.conn.execute("SELECT key, value FROM settings").fetchall()
        return {str(key): str(value) for key, value in rows}

    def put(self, key: str, value: str) -> None:
        """Store a value (audit it in the calling service)."""
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def _scan(row: Row) -> ScanEvent:
    return ScanEvent(
        id=row["id"],
        at=from_millis(row["at"]),
        checkpoint_id=row["checkpoint_id"],
        operator_id=row["operator_id"],
        verdict=Verdict(row["verdict"]),
        reason=row["reason"],
        serial=row["serial"],
        step=row["step"],
    )


class SqlScanRepository(_Repository):
    """Table ``scan_events``: every scan, whatever its verdict."""

    table = "scan_events"

    def add(
        self,
        at: datetime,
        checkpoint_id: int,
        operator_id: int,
        serial: str | None,
        verdict: Verdict,
        reason: str,
        step: str | None,
    ) -> ScanEvent:
        """Record a scan."""
        new_id = self._write(
            "INSERT INTO scan_events (at, checkpoint_id, operator_id, serial, verdict, reason,"
            " step) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (to_millis(at), checkpoint_id, operator_id, serial, verdict.value, reason, step),
        )
        return ScanEvent(new_id, at, checkpoint_id, operator_id, verdict, reason, serial, step)

    def last_at(self, checkpoint_id: int) -> ScanEvent | None:
        """The latest scan recorded at a checkpoint (for the station-clock check)."""
        row = self._one(
            "SELECT * FROM scan_events WHERE checkpoint_id = ? ORDER BY at DESC, id DESC LIMIT 1",
            (checkpoint_id,),
        )
        return _scan(row) if row else None

    def last_of(self, serial: str) -> ScanEvent | None:
        """The latest scan of a pass anywhere."""
        row = self._one(
            "SELECT * FROM scan_events WHERE serial = ? ORDER BY at DESC, id DESC LIMIT 1",
            (serial,),
        )
        return _scan(row) if row else None

    def last_green_of(self, serial: str) -> ScanEvent | None:
        """The latest scan that moved a pass along its route."""
        row = self._one(
            "SELECT * FROM scan_events WHERE serial = ? AND verdict = 'GREEN'"
            " ORDER BY at DESC, id DESC LIMIT 1",
            (serial,),
        )
        return _scan(row) if row else None

    def recent_at(self, checkpoint_id: int, limit: int) -> list[ScanEvent]:
        """The latest scans at a checkpoint, newest first."""
        rows = self._rows(
            "SELECT * FROM scan_events WHERE checkpoint_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            (checkpoint_id, limit),
        )
        return [_scan(row) for row in rows]

    def of_pass(self, serial: str) -> list[ScanEvent]:
        """Every scan of a pass, oldest first (the trace)."""
        rows = self._rows("SELECT * FROM scan_events WHERE serial = ? ORDER BY at, id", (serial,))
        return [_scan(row) for row in rows]
