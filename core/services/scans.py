"""Where a scan is verified: SECURITY.md steps 1–14, from scanned text to a recorded verdict.

Order: the token checks (1–11, ``core.token``), the station clock (a clock behind the last
scan recorded here is ``CLOCK_SKEW``), the pass as stored (unknown → ``NOT_A_PASS``), the
route rules (12, ``core.route``), a possible clone (the same pass at another point faster
than the road allows), the duplicate window (13: the same pass at the same station within
the window, 10 s by default, shows the first verdict again and writes nothing), then one
``BEGIN IMMEDIATE`` transaction records the scan event, advances the pass on GREEN and
appends the audit entry (14). The verdict is returned only after that commit, so a verdict on
screen is a verdict in the database. Every scan is recorded, garbage included.

A supervisor may override the latest AMBER or RED scan of a pass at a checkpoint (never a
token failure that proves forgery): a new GREEN event with reason ``OVERRIDE:<code>``,
audited with the original reason, the code and the note (SECURITY.md, "Accounts and roles").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import Clock, system_clock
from core.errors import InvalidState, NotFound, PermissionDenied
from core.models import Checkpoint, Pass, ScanEvent, User, Verdict
from core.permissions import Action, allowed, require
from core.ports import Store
from core.route import (
    NOT_OVERRIDABLE,
    OVERRIDE_PREFIX,
    OverrideReason,
    RouteDecision,
    ScanReason,
    decide,
    override_code,
    status_before,
)
from core.services.base import Service
from core.services.passes import PassService
from core.services.settings import read_settings
from core.settings import Settings
from core.token import TokenReason
from core.validation import ValidationCode, ValidationError, normalize_text

SERIAL_CHARS = 32
# The duplicate window, the station clock's tolerance and the least travel time between two
# points (a possible clone below it) are settings (``core.settings``), read once per scan, so
# a change applies from the next scan.


@dataclass(frozen=True)
class ScanResult:
    """What the lane shows; the JSON shape of ``scan`` on the command line."""

    verdict: Verdict
    reason: ScanReason
    serial: str | None
    plate: str | None
    checkpoint: str
    step: str | None
    recorded: bool
    # Set on a supervisor's override: the verdict is GREEN, ``reason`` OK.
    override: OverrideReason | None = None

    def as_json(self) -> dict[str, object]:
        """The ``scan`` command's JSON document."""
        document: dict[str, object] = {
            "verdict": self.verdict.value,
            "reason": self.reason.value,
            "serial": self.serial,
            "plate": self.plate,
            "checkpoint": self.checkpoint,
            "step": self.step,
            "recorded": self.recorded,
        }
        if self.override is not None:
            document["override"] = self.override.value
        return document


class ScanService(Service):
    """Verify a scanned text at a checkpoint and record the outcome."""

    def __init__(self, store: Store, passes: PassService, clock: Clock = system_clock) -> None:
        super().__init__(store, clock)
        self.passes = passes

    def station_checkpoint(self, actor: User, code: str | None = None) -> Checkpoint:
        """The checkpoint ``actor`` scans at: an operator's own, or any (supervisor)."""
        require(actor, Action.SCAN)
        if code is None or (actor.checkpoint_id is not None and not code.strip()):
            point = self.store.checkpoints.get(actor.checkpoint_id or -1)
        else:
            point = self.store.checkpoints.get_by_code(code.strip().upper())
        if point is None:
            raise NotFound(f"checkpoint {code}")
        if point.id != actor.checkpoint_id and not allowed(actor, Action.SCAN_ANY_CHECKPOINT):
            raise PermissionDenied("operators scan at their own checkpoint only")
        if not point.active:
            raise PermissionDenied(f"checkpoint {point.code} is closed")
        return point

    def scan(
        self, actor: User, point: Checkpoint, text: str | bytes, now: datetime | None = None
    ) -> ScanResult:
        """Verify ``text`` at ``point`` and record the scan; returns the committed verdict."""
        require(actor, Action.SCAN)
        if point.id != actor.checkpoint_id and not allowed(actor, Action.SCAN_ANY_CHECKPOINT):
            raise PermissionDenied("operators scan at their own checkpoint only")
        at = now or self.clock()
        if isinstance(text, str):
            text = text.strip()  # a USB scanner ends its text with Enter
        check = self.passes.verify(text, at)
        serial = check.claims.serial if check.claims else None
        issued = self.store.passes.get(serial) if serial else None
        plate = issued.plate if issued else (check.claims.plate if check.claims else None)
        # The pass's latest scan serves both the duplicate window and the clone check; a
        # repeat (the camera sees one code in many frames) is answered before anything else.
        last = self.store.scans.last_of(serial) if serial else None
        config = read_settings(self.store)
        if serial is not None:
            repeat = _repeat(point, last, at, config.duplicate_window)
            if repeat is not None:
                code = override_code(repeat.reason)
                return ScanResult(
                    repeat.verdict,
                    ScanReason.OK if code is not None else ScanReason(repeat.reason),
                    serial,
                    plate,
                    point.code,
                    repeat.step,
                    False,
                    code,
                )
        decision = self._decide(point, check.reason, issued, last, at, config)
        return self._record(actor, point, decision, serial, issued, plate, at, text)

    def scan_serial(
        self, actor: User, point: Checkpoint, serial: str, now: datetime | None = None
    ) -> ScanResult:
        """A serial typed by the operator (grouped or not): the stored pass's token is
        verified exactly as if it had been scanned. An unknown serial is a RED NOT_A_PASS."""
        require(actor, Action.SCAN)
        compact = "".join(serial.split()).lower()
        issued = self.store.passes.get(compact) if len(compact) == SERIAL_CHARS else None
        return self.scan(actor, point, issued.token if issued else f"serial:{compact}", now)

    def plate_mismatch(
        self, actor: User, point: Checkpoint, serial: str, now: datetime | None = None
    ) -> ScanResult:
        """The operator saw another truck than the pass's plate: record a RED PLATE_MISMATCH
        and undo what the scan's GREEN did to the pass (the truck did not pass this point)."""
        require(actor, Action.SCAN)
        issued = self.store.passes.get(serial)
        if issued is None:
            raise NotFound(f"pass {serial}")
        at = now or self.clock()
        last = self.store.scans.last_of(serial)
        reason = ScanReason.PLATE_MISMATCH
        with self.store.transaction() as tx:
            if (
                last is not None
                and last.checkpoint_id == point.id
                and last.verdict is Verdict.GREEN
                and last.step is not None
            ):
                previous = status_before(issued.route, last.step)
                tx.passes.advance(serial, issued.status, previous, at)
            event = tx.scans.add(
                at,
                point.id,
                actor.id,
                serial,
                reason.verdict,
                reason.value,
                last.step if last else None,
            )
            self.audit(
                tx, actor, "scan.plate_mismatch", "scan_event", event.id, {"checkpoint": point.code}
            )
        return ScanResult(
            reason.verdict,
            reason,
            serial,
            issued.plate,
            point.code,
            last.step if last else None,
            True,
        )

    def override(
        self,
        actor: User,
        point: Checkpoint,
        serial: str,
        reason_code: OverrideReason | str,
        note: str,
        now: datetime | None = None,
    ) -> ScanResult:
        """A supervisor turns the pass's latest scan, AMBER or RED at ``point``, GREEN.

        Records a GREEN event with reason ``OVERRIDE:<code>`` and the step the pass would take
        here; the pass advances only when the route says ``point`` is its next point. The
        audit entry ``scan.override`` carries the original reason, the code and the note.

        Raises:
            PermissionDenied: ``actor`` may not override (an operator).
            ValidationError: an unknown code, a bad note, or no note with ``OTHER``.
            NotFound: no such pass.
            InvalidState: the pass's latest scan is not an AMBER/RED one at ``point``, or it
                is a token failure that proves forgery ("cannot be overridden").
        """
        require(actor, Action.OVERRIDE_VERDICT)
        try:
            code = OverrideReason(reason_code)
        except ValueError:
            raise ValidationError("reason_code", ValidationCode.BAD_FORMAT) from None
        text = normalize_text(
            note, field="note", max_length=200, required=code is OverrideReason.OTHER
        )
        issued = self.store.passes.get(serial)
        if issued is None:
            raise NotFound(f"pass {serial}")
        at = now or self.clock()
        last = self.store.scans.last_of(serial)
        if last is None or last.checkpoint_id != point.id:
            raise InvalidState(f"no scan of {serial} at {point.code} to override")
        if last.verdict is Verdict.GREEN:
            raise InvalidState("a GREEN scan cannot be overridden")
        original = last.reason
        if original in NOT_OVERRIDABLE or original not in ScanReason.__members__:
            raise InvalidState(f"{original} cannot be overridden")
        application = self.store.applications.get(issued.application_id)
        last_green = self.store.scans.last_green_of(serial)
        decision = decide(
            issued.route,
            issued.status,
            point,
            application.enterprise_id if application else -1,
            last_green.checkpoint_id if last_green else None,
        )
        with self.store.transaction() as tx:
            if (
                decision.reason is ScanReason.OK
                and decision.new_status is not None
                and not tx.passes.advance(serial, issued.status, decision.new_status, at)
            ):
                raise InvalidState(f"pass {serial} moved on: scan it again")
            event = tx.scans.add(
                at,
                point.id,
                actor.id,
                serial,
                Verdict.GREEN,
                OVERRIDE_PREFIX + code.value,
                decision.step,
            )
            details: dict[str, object] = {
                "checkpoint": point.code,
                "original_reason": original,
                "original_event": last.id,
                "code": code.value,
                "note": text,
                "advanced": decision.reason is ScanReason.OK,
            }
            self.audit(tx, actor, "scan.override", "scan_event", event.id, details)
        return ScanResult(
            Verdict.GREEN,
            ScanReason.OK,
            serial,
            issued.plate,
            point.code,
            decision.step,
            True,
            code,
        )

    def recent(self, actor: User, point: Checkpoint, limit: int = 20) -> list[ScanEvent]:
        """The latest scans at a station, newest first (the station's own list)."""
        require(actor, Action.SCAN)
        return self.store.scans.recent_at(point.id, limit)

    def _decide(
        self,
        point: Checkpoint,
        token: TokenReason,
        issued: Pass | None,
        last: ScanEvent | None,
        at: datetime,
        config: Settings,
    ) -> RouteDecision:
        last_here = self.store.scans.last_at(point.id)
        skewed = last_here is not None and at < last_here.at - config.clock_tolerance
        # A station clock behind its own last scan makes every time check doubtful: the
        # operator checks by hand instead of the lane showing a time-based RED.
        if skewed and token in (TokenReason.OK, TokenReason.NOT_YET_VALID, TokenReason.EXPIRED):
            return RouteDecision(ScanReason.CLOCK_SKEW)
        if token is not TokenReason.OK:
            return RouteDecision(ScanReason(token.value))
        if issued is None:
            # Signed by our key but unknown here (e.g. a database restored from an old
            # backup): never GREEN.
            return RouteDecision(ScanReason.NOT_A_PASS)
        application = self.store.applications.get(issued.application_id)
        last_green = self.store.scans.last_green_of(issued.serial)
        decision = decide(
            issued.route,
            issued.status,
            point,
            application.enterprise_id if application else -1,
            last_green.checkpoint_id if last_green else None,
        )
        if (
            decision.reason is ScanReason.OK
            and last is not None
            and last.checkpoint_id != point.id
            and last.verdict is Verdict.GREEN
            and at - last.at < config.clone_min_travel
        ):
            return RouteDecision(ScanReason.POSSIBLE_CLONE, decision.step)
        return decision

    def _record(
        self,
        actor: User,
        point: Checkpoint,
        decision: RouteDecision,
        serial: str | None,
        issued: Pass | None,
        plate: str | None,
        at: datetime,
        text: str | bytes,
    ) -> ScanResult:
        reason = decision.reason
        with self.store.transaction() as tx:
            if (
                reason is ScanReason.OK
                and issued is not None
                and decision.new_status is not None
                and not tx.passes.advance(issued.serial, issued.status, decision.new_status, at)
            ):
                # Another station moved the pass between our read and our write.
                reason = ScanReason.ALREADY_SCANNED
            event = tx.scans.add(
                at, point.id, actor.id, serial, reason.verdict, reason.value, decision.step
            )
            details: dict[str, object] = {"checkpoint": point.code, "reason": reason.value}
            if serial is None:
                # Garbage is evidence too, but only as a fingerprint: it may hold anything.
                raw = text.encode("utf-8", "replace") if isinstance(text, str) else text
                details["text_sha256"] = hashlib.sha256(raw).hexdigest()[:16]
            if actor.checkpoint_id != point.id:
                details["stand_in"] = True  # a supervisor scanning for an absent operator
            self.audit(tx, actor, "scan", "scan_event", event.id, details)
        return ScanResult(reason.verdict, reason, serial, plate, point.code, decision.step, True)


@dataclass(frozen=True)
class _Repeat:
    verdict: Verdict
    reason: str
    step: str | None


def _repeat(
    point: Checkpoint, last: ScanEvent | None, at: datetime, window: timedelta
) -> _Repeat | None:
    """The first verdict again if ``last`` was at this point within the duplicate window."""
    if last is None or last.checkpoint_id != point.id:
        return None
    if timedelta(0) <= at - last.at < window:
        return _Repeat(last.verdict, last.reason, last.step)
    return None
