"""Issuing, verifying and revoking passes, and the issuing keys behind them.

Approval and issuance are one transaction: the application becomes APPROVED, the pass row
(with its signed ``PH1:`` token) is stored, the driver's SMS is queued in the outbox, and the
audit entries are appended — all or nothing. The first approval on a new installation creates
the issuing key (``core.keys``); rotation and withdrawal are admin actions.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.clock import Clock, system_clock
from core.errors import (
    DomainError,
    InvalidState,
    KeysUnavailable,
    NotFound,
    PermissionDenied,
)
from core.keys import IssuingKey, KeyFolder
from core.models import (
    ApplicationStatus,
    CheckpointKind,
    Page,
    Pass,
    PassStatus,
    RiskLevel,
    RouteTemplate,
    User,
)
from core.pass_document import PassSheet
from core.permissions import (
    Action,
    allowed,
    enterprise_scope,
    require,
    require_enterprise_scope,
)
from core.ports import PassQuery, Repositories, Store
from core.services.base import Service
from core.sms import pass_sms_text
from core.token import PassClaims, TokenCheck, TrustedKey, sign_pass, verify_token
from core.validation import mask_id_number, normalize_text

ISSUER = "LoopPass"
# The printed pass is a Chinese document whatever the interface language.
RISK_LABELS = {RiskLevel.LOW: "低风险", RiskLevel.MEDIUM: "中风险", RiskLevel.HIGH: "高风险"}
CHINA = ZoneInfo("Asia/Shanghai")
# Who may look a pass up: its enterprise's clerks, reviewers, supervisors.
_READERS = (Action.FILE_APPLICATION, Action.REVIEW_APPLICATION, Action.REVOKE_PASS)
CTI_BYTES = 16


@dataclass(frozen=True)
class RouteStep:
    """One point of a pass's route: its kind, the one checkpoint it must be (None: any of
    that kind) and whether the truck has been scanned there."""

    kind: CheckpointKind
    checkpoint: str | None
    done: bool


@dataclass(frozen=True)
class BulkResult:
    """Outcome of a bulk approval: the passes issued and, per refused id, the reason code."""

    issued: tuple[Pass, ...]
    refused: tuple[tuple[int, str], ...]


def trusted(key: IssuingKey) -> TrustedKey:
    """The verifier's view of a stored key."""
    return TrustedKey(
        kid=key.kid,
        public_key=key.public_key,
        valid_from=key.valid_from,
        valid_until=key.valid_until,
        withdrawn=key.withdrawn_at is not None,
    )


class PassService(Service):
    """Approve into a pass, verify tokens, revoke passes, manage issuing keys."""

    def __init__(self, store: Store, keys: KeyFolder | None, clock: Clock = system_clock) -> None:
        super().__init__(store, clock)
        self._keys = keys

    @property
    def keys(self) -> KeyFolder:
        """The private-key folder; ``KeysUnavailable`` if this installation has none."""
        if self._keys is None:
            raise KeysUnavailable("no key folder configured")
        return self._keys

    # -- issuance ---------------------------------------------------------------------

    def approve(self, actor: User, application_id: int) -> Pass:
        """Approve a submitted application and issue its pass at once."""
        require(actor, Action.REVIEW_APPLICATION)
        with self.store.transaction() as tx:
            issued = self._approve(tx, actor, application_id)
        return issued

    def approve_many(self, actor: User, application_ids: Sequence[int]) -> BulkResult:
        """Approve each application in its own transaction; one refusal stops no other."""
        require(actor, Action.REVIEW_APPLICATION)
        issued: list[Pass] = []
        refused: list[tuple[int, str]] = []
        for application_id in application_ids:
            try:
                issued.append(self.approve(actor, application_id))
            except DomainError as error:
                refused.append((application_id, error.code))
        return BulkResult(tuple(issued), tuple(refused))

    def _approve(self, tx: Repositories, actor: User, application_id: int) -> Pass:
        application = tx.applications.get(application_id)
        if application is None:
            raise NotFound(f"application {application_id}")
        if application.filed_by == actor.id:
            raise PermissionDenied("a reviewer never decides its own filing")
        now = self.clock().replace(microsecond=0)
        if not tx.applications.decide(
            application_id, ApplicationStatus.APPROVED, actor.id, now, ""
        ):
            raise InvalidState("already decided")
        vehicle = tx.vehicles.get(application.vehicle_id)
        region = tx.risk_regions.get(application.origin_region_id)
        driver = tx.drivers.get(application.driver_id)
        if vehicle is None or region is None or driver is None:
            raise NotFound("vehicle, driver or region of the application")
        expires = now + timedelta(hours=application.validity_hours)
        key = self._signing_key(tx, now, expires)
        claims = PassClaims(
            issuer=ISSUER,
            issued_at=now,
            not_before=now,
            expires=expires,
            cti=secrets.token_bytes(CTI_BYTES),
            schema_version=1,
            plate=vehicle.plate,
            enterprise_id=application.enterprise_id,
            route=RouteTemplate.for_risk(region.level),
            risk=region.level,
        )
        token = sign_pass(claims, self.keys.load(key.kid))
        issued = Pass(
            serial=claims.serial,
            application_id=application_id,
            plate=vehicle.plate,
            risk=region.level,
            route=claims.route,
            status=PassStatus.ISSUED,
            issued_at=now,
            valid_from=now,
            valid_until=expires,
            key_id=key.kid_hex,
            token=token,
            status_at=now,
        )
        tx.passes.add(issued)
        tx.outbox.add(issued.serial, driver.phone, self.sms_text(issued), now)
        self.audit(tx, actor, "application.approve", "application", application_id)
        self.audit(
            tx,
            actor,
            "pass.issue",
            "pass",
            issued.serial,
            {"plate": issued.plate, "route": issued.route.value, "kid": key.kid_hex},
        )
        return issued

    def sms_text(self, issued: Pass) -> str:
        """The SMS the driver receives: plate, serial, validity, and the token to show."""
        local_until = f"{issued.valid_until.astimezone(CHINA):%Y-%m-%d %H:%M}"
        serial = " ".join(issued.serial[i : i + 4] for i in range(0, 32, 4)).upper()
        return pass_sms_text(issued.plate, serial, local_until, f"looppass://pass/{issued.serial}")

    def ensure_signing_key(self) -> IssuingKey | None:
        """Create the first issuing key if this installation has none it can sign with.

        Called at start-up, so the first approval does not pay for key generation and the
        trust list is there before any pass. Without a key folder it does nothing.
        """
        if self._keys is None:
            return None
        now = self.clock().replace(microsecond=0)
        with self.store.transaction() as tx:
            return self._signing_key(tx, now, now)

    def _signing_key(self, tx: Repositories, now: datetime, expires: datetime) -> IssuingKey:
        """The newest key that may sign a pass valid until ``expires``; made on first use."""
        for key in tx.keys.list_all():
            if key.can_sign(now, expires) and self.keys.has(key.kid):
                return key
        key = self.keys.create(now)
        tx.keys.add(key)
        self.audit(tx, "system", "key.create", "signing_key", key.kid_hex)
        return key

    # -- verification -----------------------------------------------------------------

    def verify(self, token: str | bytes, now: datetime | None = None) -> TokenCheck:
        """Steps 1–11 of SECURITY.md for a scanned text (route rules come with scanning)."""
        store = self.store

        def keys_for_kid(kid: bytes) -> list[TrustedKey]:
            key = store.keys.get(kid)
            return [] if key is None else [trusted(key)]

        return verify_token(
            token, now or self.clock(), keys_for_kid, lambda cti: store.passes.is_revoked(cti.hex())
        )

    # -- reading and revoking ---------------------------------------------------------

    def get(self, actor: User, serial: str) -> Pass:
        """A pass by serial (spaces and case ignored), within the actor's enterprise scope."""
        if not any(allowed(actor, action) for action in _READERS):
            raise PermissionDenied("may not read passes")
        issued = self.store.passes.get(serial.replace(" ", "").lower())
        if issued is None:
            raise NotFound(f"pass {serial}")
        if enterprise_scope(actor) is not None:
            application = self.store.applications.get(issued.application_id)
            require_enterprise_scope(actor, application.enterprise_id if application else -1)
        return issued

    def search(self, actor: User, query: PassQuery) -> Page[Pass]:
        """Passes matching the query; a clerk sees its enterprise's only."""
        if not any(allowed(actor, action) for action in _READERS):
            raise PermissionDenied("may not read passes")
        scope = enterprise_scope(actor)
        return self.store.passes.search(
            query if scope is None else replace(query, enterprise_id=scope)
        )

    def route_of(self, issued: Pass) -> list[RouteStep]:
        """The pass's route, with the receiving enterprise's checkpoint and what is done.

        Points are done in order, so the pass's status says how many: ENTERED one, ARRIVED
        two, ISOLATED three, EXITED all.
        """
        application = self.store.applications.get(issued.application_id)
        enterprise_code = None
        if application is not None:
            for point in self.store.checkpoints.list_all():
                if point.enterprise_id == application.enterprise_id:
                    enterprise_code = point.code
        steps = issued.route.steps
        done = {
            PassStatus.ENTERED: 1,
            PassStatus.ARRIVED: 2,
            PassStatus.ISOLATED: 3,
            PassStatus.EXITED: len(steps),
        }.get(issued.status, 0)
        return [
            RouteStep(
                kind, enterprise_code if kind is CheckpointKind.ENTERPRISE else None, index < done
            )
            for index, kind in enumerate(steps)
        ]

    def sheet(self, actor: User, serial: str) -> PassSheet:
        """What the printed pass shows (driver masked), for the PDF and the pass dialog."""
        issued = self.get(actor, serial)
        application = self.store.applications.get(issued.application_id)
        driver = self.store.drivers.get(application.driver_id) if application else None
        enterprise = self.store.enterprises.get(application.enterprise_id) if application else None
        enterprise_name = enterprise.name if enterprise else ""
        labels = {
            CheckpointKind.ENTERPRISE: f"企业：{enterprise_name}",
            CheckpointKind.ISOLATION: "隔离点",
        }
        steps = issued.route.steps
        route = [
            labels.get(kind, "卡口（入）" if index == 0 else "卡口（出）")
            for index, kind in enumerate(steps)
        ]
        driver_text = f"{driver.name} {mask_id_number(driver.id_number)}" if driver else ""
        return PassSheet(
            token=issued.token,
            serial=issued.serial,
            plate=issued.plate,
            driver_masked=driver_text,
            enterprise_name=enterprise_name,
            route=route,
            risk_label=RISK_LABELS[issued.risk],
            valid_from=issued.valid_from,
            valid_until=issued.valid_until,
            issued_at=issued.issued_at,
        )

    def record_export(self, actor: User, serial: str, formats: list[str]) -> None:
        """Audit a print or export of a pass (it carries the QR: who took a copy matters)."""
        with self.store.transaction() as tx:
            self.audit(tx, actor, "pass.export", "pass", serial, {"formats": formats})

    def revoke(self, actor: User, serial: str, reason: str) -> None:
        """Revoke an open pass with a reason; scanning it then gives ``REVOKED``."""
        require(actor, Action.REVOKE_PASS)
        text = normalize_text(reason, field="reason", max_length=200)
        with self.store.transaction() as tx:
            issued = tx.passes.get(serial.replace(" ", "").lower())
            if issued is None:
                raise NotFound(f"pass {serial}")
            if not tx.passes.revoke(issued.serial, self.clock(), text):
                raise InvalidState(f"pass is {issued.status}")
            self.audit(tx, actor, "pass.revoke", "pass", issued.serial)

    def mark_expired(self) -> int:
        """Mark open passes past their validity EXPIRED (run at start and periodically)."""
        with self.store.transaction() as tx:
            serials = tx.passes.mark_expired(self.clock())
            if serials:
                self.audit(tx, "system", "pass.expire", "pass", "-", {"count": len(serials)})
        return len(serials)

    # -- keys -------------------------------------------------------------------------

    def list_keys(self, actor: User) -> list[IssuingKey]:
        """The trust list, newest first."""
        require(actor, Action.MANAGE_SETTINGS)
        return self.store.keys.list_all()

    def rotate_key(self, actor: User) -> IssuingKey:
        """Make a new key the signing key; older keys keep verifying their passes."""
        require(actor, Action.MANAGE_SETTINGS)
        now = self.clock()
        with self.store.transaction() as tx:
            for key in tx.keys.list_all():
                tx.keys.retire(key.kid, now)
            key = self.keys.create(now)
            tx.keys.add(key)
            self.audit(tx, actor, "key.rotate", "signing_key", key.kid_hex)
        return key

    def withdraw_key(self, actor: User, kid_hex: str) -> None:
        """Withdraw a key: every pass it signed fails with ``KEY_NOT_VALID`` from now on."""
        require(actor, Action.MANAGE_SETTINGS)
        try:
            kid = bytes.fromhex(kid_hex)
        except ValueError:
            raise NotFound(f"key {kid_hex!r}") from None
        with self.store.transaction() as tx:
            if not tx.keys.withdraw(kid, self.clock()):
                raise NotFound(f"key {kid_hex}")
            self.audit(tx, actor, "key.withdraw", "signing_key", kid_hex)

    def trust_list(self) -> list[dict[str, str]]:
        """The public trust list for export: key ids, public keys, validity. No private keys."""
        return [
            {
                "kid": key.kid_hex,
                "public_key": key.public_key.hex(),
                "valid_from": key.valid_from.isoformat(),
                "valid_until": key.valid_until.isoformat(),
                "withdrawn": "yes" if key.withdrawn_at else "no",
            }
            for key in self.store.keys.list_all()
        ]
