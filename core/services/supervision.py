"""The supervisor's services: dashboard, trace, anomalies and their acknowledgement, retention.

Reading is permitted by ``VIEW_DASHBOARD``; acknowledging an anomaly by
``ACKNOWLEDGE_ANOMALY`` and is audited; the retention purge runs as the system (start-up and
a daily timer) or by an admin, and is audited with its counts only.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from core.errors import NotFound
from core.models import Page, Pass, PassStatus, User
from core.permissions import Action, require
from core.services.base import SYSTEM_ACTOR, Service
from core.settings import Settings, settings_from
from core.supervision import (
    OPEN_STATUSES,
    Anomaly,
    AnomalyKind,
    AnomalyQuery,
    Dashboard,
    PassTrace,
    Trace,
    local_midnight,
    loop_points,
)
from core.validation import ValidationCode, ValidationError, mask_id_number, normalize_text

DECISION_WINDOW = timedelta(days=7)
ANOMALY_WINDOW = timedelta(days=7)
TRACE_LIMIT = 20
MAX_QUERY = 64
_SERIAL = re.compile(r"[0-9a-f]{6,32}")
_PHONE = re.compile(r"1[3-9][0-9]{9}")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")


def overdue_limits(settings: Settings) -> dict[tuple[PassStatus, bool], timedelta]:
    """The time limit of every open leg, keyed by (status, isolation loop)."""
    limits: dict[tuple[PassStatus, bool], timedelta] = {}
    for status in OPEN_STATUSES:
        for isolation in (False, True):
            if status is PassStatus.ISOLATED and not isolation:
                continue
            limit = settings.leg_limit(status, isolation)
            if limit is not None:
                limits[(status, isolation)] = limit
    return limits


class SupervisionService(Service):
    """What is happening now, where a truck has been, and what looks wrong."""

    def _settings(self) -> Settings:
        return settings_from(self.store.settings.all())

    def dashboard(self, actor: User) -> Dashboard:
        """Trucks inside, today's gate flows and hourly flow, the review queue, anomalies."""
        require(actor, Action.VIEW_DASHBOARD)
        now = self.clock()
        midnight = local_midnight(now)
        tomorrow = midnight + timedelta(days=1)
        db = self.store.supervision
        inside = db.inside_by_status()
        entries, exits = db.hourly_flow(midnight)
        scans, red = db.scan_counts(midnight, tomorrow)
        waiting, oldest = db.waiting_applications()
        settings = self._settings()
        return Dashboard(
            at=now,
            inside_now=sum(inside.values()),
            inside_by_status=inside,
            gates=tuple(db.gate_flows(midnight, tomorrow)),
            hourly_entries=tuple(entries),
            hourly_exits=tuple(exits),
            scans_today=scans,
            red_today=red,
            waiting_applications=waiting,
            oldest_waiting_minutes=(
                int((now - oldest).total_seconds() // 60) if oldest is not None else None
            ),
            decision_minutes_avg=db.decision_minutes_avg(now - DECISION_WINDOW),
            # From the city's midnight, as the anomaly list opened from here shows them.
            open_anomalies=db.open_counts(
                local_midnight(now - ANOMALY_WINDOW),
                overdue_limits(settings),
                now,
                settings.repeated_red_threshold,
            ),
        )

    def changed_since(
        self, actor: User, token: tuple[int, int] | None
    ) -> tuple[bool, tuple[int, int]]:
        """Whether anything may have changed since ``token`` (None: never looked), and the
        new token: a cheap poll (``PRAGMA data_version``) that tells a screen when to compute
        the dashboard again."""
        require(actor, Action.VIEW_DASHBOARD)
        now = self.store.supervision.change_token()
        return now != token, now

    def trace(self, actor: User, text: str) -> Trace:
        """Every pass of a plate, a serial (or its first characters), or a driver (name, phone
        or ID number), newest first, each with its scans and its loop.

        A search by driver looks up personal data, so it is audited."""
        require(actor, Action.VIEW_DASHBOARD)
        query = unicodedata.normalize("NFKC", text).strip()
        if not query:
            raise ValidationError("query", ValidationCode.REQUIRED)
        if len(query) > MAX_QUERY:
            raise ValidationError("query", ValidationCode.TOO_LONG)
        db = self.store.supervision
        compact = query.replace(" ", "")
        passes: list[Pass] = db.passes_by_plate(compact.upper(), TRACE_LIMIT)
        if not passes and _SERIAL.fullmatch(compact.lower()):
            passes = db.passes_by_serial(compact.lower(), TRACE_LIMIT)
        if not passes:
            id_number = compact.upper()
            passes = db.passes_by_driver(query, compact, id_number, TRACE_LIMIT)
            if passes:
                with self.store.transaction() as tx:
                    self.audit(tx, actor, "trace.driver", "driver", "-", {"passes": len(passes)})
        return Trace(query, tuple(self._pass_trace(issued) for issued in passes))

    def _pass_trace(self, issued: Pass) -> PassTrace:
        db = self.store.supervision
        enterprise, enterprise_code, driver, id_number = db.trace_context(issued)
        scans = db.trace_scans(issued.serial)
        masked = f"{driver} {mask_id_number(id_number)}".strip() if driver else ""
        return PassTrace(
            issued, enterprise, masked, tuple(scans), loop_points(issued, scans, enterprise_code)
        )

    def anomalies(self, actor: User, query: AnomalyQuery) -> Page[Anomaly]:
        """A page of anomalies, newest first."""
        require(actor, Action.VIEW_DASHBOARD)
        settings = self._settings()
        rows, total = self.store.supervision.anomalies(
            query, overdue_limits(settings), self.clock(), settings.repeated_red_threshold
        )
        return Page(tuple(rows), total)

    def acknowledge(self, actor: User, kind: AnomalyKind | str, subject: str, note: str) -> None:
        """Mark an anomaly as seen and dealt with, with a note; audited.

        Raises ValidationError (unknown kind, empty or bad note), NotFound (no such anomaly),
        and ``InvalidState`` is not raised for a repeat: acknowledging twice keeps the first."""
        require(actor, Action.ACKNOWLEDGE_ANOMALY)
        try:
            checked_kind = AnomalyKind(kind)
        except ValueError:
            raise ValidationError("kind", ValidationCode.BAD_FORMAT) from None
        text = normalize_text(note, field="note", max_length=200)
        if not self.store.supervision.subject_exists(checked_kind, subject):
            raise NotFound(f"anomaly {checked_kind}:{subject}")
        with self.store.transaction() as tx:
            if tx.supervision.acknowledge(checked_kind, subject, text, actor.id, self.clock()):
                self.audit(
                    tx,
                    actor,
                    "anomaly.acknowledge",
                    "anomaly",
                    f"{checked_kind.value}:{subject}",
                    {"note": text},
                )

    def purge_personal_data(self, actor: User | None = None) -> tuple[int, int]:
        """Anonymize the drivers (and clear the texts) of passes closed more than
        ``retention_days`` ago; returns (drivers, messages). The audit chain holds no personal
        data (plates and ids only), so it still verifies afterwards."""
        if actor is not None:
            require(actor, Action.MANAGE_SETTINGS)
        now = self.clock()
        days = self._settings().retention_days
        cutoff = now - timedelta(days=days)
        with self.store.transaction() as tx:
            drivers, messages = tx.supervision.purge_personal_data(cutoff, now)
            if drivers or messages:
                self.audit(
                    tx,
                    actor or SYSTEM_ACTOR,
                    "retention.purge",
                    "driver",
                    "-",
                    {"drivers": drivers, "messages": messages, "retention_days": days},
                )
        return drivers, messages
