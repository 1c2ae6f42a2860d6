"""What the services need from storage, as Protocols; ``db.store`` provides them.

A service opens ``store.transaction()`` for every write (one ``BEGIN IMMEDIATE`` … ``COMMIT``)
and appends its audit entry inside the same transaction, so a change and its audit row are
committed together or not at all. Reads go straight to the repositories.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.keys import IssuingKey
from core.models import (
    ApplicationStatus,
    ApplicationView,
    AuditEntry,
    Checkpoint,
    CheckpointKind,
    Credentials,
    Driver,
    Enterprise,
    OutboxMessage,
    OutboxStatus,
    Page,
    Pass,
    PassStatus,
    RiskLevel,
    RiskRegion,
    Role,
    ScanEvent,
    TripApplication,
    User,
    Vehicle,
    Verdict,
)


@dataclass(frozen=True)
class SearchQuery:
    """A filtered, sorted page of a list screen.

    ``sort`` names a field of the listed record; repositories accept only the fields they
    index and fall back to their default order otherwise. ``enterprise_id`` restricts the
    search to one enterprise (a clerk's scope).
    """

    text: str = ""
    sort: str = ""
    descending: bool = False
    limit: int = 200
    offset: int = 0
    enterprise_id: int | None = None


@dataclass(frozen=True)
class ApplicationQuery(SearchQuery):
    """A search over applications: text matches plate, driver or enterprise name."""

    statuses: tuple[ApplicationStatus, ...] = ()
    application_id: int | None = None
    vehicle_id: int | None = None
    driver_id: int | None = None
    risk_only: bool = False


@dataclass(frozen=True)
class PassQuery(SearchQuery):
    """A search over passes: text matches the plate or the serial."""

    statuses: tuple[PassStatus, ...] = ()


class EnterpriseRepository(Protocol):
    def add(
        self, name: str, credit_code: str, address: str, contact_name: str, contact_phone: str
    ) -> Enterprise: ...
    def update(self, enterprise: Enterprise) -> None: ...
    def get(self, enterprise_id: int) -> Enterprise | None: ...
    def search(self, query: SearchQuery) -> Page[Enterprise]: ...


class CheckpointRepository(Protocol):
    def add(
        self, code: str, name: str, kind: CheckpointKind, enterprise_id: int | None
    ) -> Checkpoint: ...
    def update(self, checkpoint: Checkpoint) -> None: ...
    def get(self, checkpoint_id: int) -> Checkpoint | None: ...
    def get_by_code(self, code: str) -> Checkpoint | None: ...
    def list_all(self) -> list[Checkpoint]: ...


class RiskRegionRepository(Protocol):
    def add(self, code: str, name: str, level: RiskLevel) -> RiskRegion: ...
    def update(self, region: RiskRegion) -> None: ...
    def get(self, region_id: int) -> RiskRegion | None: ...
    def get_by_code(self, code: str) -> RiskRegion | None: ...
    def list_all(self) -> list[RiskRegion]: ...


class VehicleRepository(Protocol):
    def add(
        self,
        enterprise_id: int,
        plate: str,
        plate_kind: str,
        needs_review: bool,
        description: str,
        created_at: datetime,
    ) -> Vehicle: ...
    def update(self, vehicle: Vehicle) -> None: ...
    def get(self, vehicle_id: int) -> Vehicle | None: ...
    def by_plate(self, plate: str) -> Vehicle | None: ...
    def search(self, query: SearchQuery) -> Page[Vehicle]: ...


class DriverRepository(Protocol):
    def add(
        self, enterprise_id: int, name: str, id_number: str, phone: str, created_at: datetime
    ) -> Driver: ...
    def update(self, driver: Driver) -> None: ...
    def get(self, driver_id: int) -> Driver | None: ...
    def by_id_number(self, id_number: str) -> Driver | None: ...
    def search(self, query: SearchQuery) -> Page[Driver]: ...


class UserRepository(Protocol):
    def add(
        self,
        username: str,
        display_name: str,
        role: Role,
        enterprise_id: int | None,
        checkpoint_id: int | None,
        password_hash: str,
    ) -> User: ...
    def update(self, user: User) -> None: ...
    def get(self, user_id: int) -> User | None: ...
    def credentials(self, username: str) -> Credentials | None: ...
    def record_login_failure(
        self, user_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None: ...
    def record_login_success(self, user_id: int) -> None: ...
    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    def search(self, query: SearchQuery) -> Page[User]: ...
    def count(self) -> int: ...


class ApplicationRepository(Protocol):
    def add(
        self,
        enterprise_id: int,
        vehicle_id: int,
        driver_id: int,
        co_driver_id: int | None,
        origin_region_id: int,
        cargo: str,
        planned_arrival: datetime,
        validity_hours: int,
        status: ApplicationStatus,
        filed_by: int,
        created_at: datetime,
    ) -> TripApplication: ...
    def get(self, application_id: int) -> TripApplication | None: ...
    def decide(
        self,
        application_id: int,
        status: ApplicationStatus,
        decided_by: int,
        decided_at: datetime,
        reason: str,
    ) -> bool: ...
    def update_open(self, application: TripApplication) -> bool: ...
    def move(
        self,
        application_id: int,
        allowed_from: tuple[ApplicationStatus, ...],
        to: ApplicationStatus,
    ) -> bool: ...
    def search(self, query: ApplicationQuery) -> Page[ApplicationView]: ...


class PassRepository(Protocol):
    def add(self, issued: Pass) -> None: ...
    def get(self, serial: str) -> Pass | None: ...
    def for_application(self, application_id: int) -> Pass | None: ...
    def search(self, query: PassQuery) -> Page[Pass]: ...
    def revoke(self, serial: str, at: datetime, reason: str) -> bool: ...
    def mark_expired(self, now: datetime) -> list[str]: ...
    def is_revoked(self, serial: str) -> bool: ...
    def advance(
        self, serial: str, from_status: PassStatus, to_status: PassStatus, at: datetime
    ) -> bool: ...


class ScanRepository(Protocol):
    def add(
        self,
        at: datetime,
        checkpoint_id: int,
        operator_id: int,
        serial: str | None,
        verdict: Verdict,
        reason: str,
        step: str | None,
    ) -> ScanEvent: ...
    def last_at(self, checkpoint_id: int) -> ScanEvent | None: ...
    def last_of(self, serial: str) -> ScanEvent | None: ...
    def last_green_of(self, serial: str) -> ScanEvent | None: ...
    def recent_at(self, checkpoint_id: int, limit: int) -> list[ScanEvent]: ...
    def of_pass(self, serial: str) -> list[ScanEvent]: ...


class KeyRepository(Protocol):
    def add(self, key: IssuingKey) -> None: ...
    def get(self, kid: bytes) -> IssuingKey | None: ...
    def list_all(self) -> list[IssuingKey]: ...
    def retire(self, kid: bytes, at: datetime) -> None: ...
    def withdraw(self, kid: bytes, at: datetime) -> bool: ...


class OutboxRepository(Protocol):
    def add(self, serial: str, phone: str, body: str, now: datetime) -> OutboxMessage: ...
    def get(self, message_id: int) -> OutboxMessage | None: ...
    def due(self, now: datetime, limit: int) -> list[OutboxMessage]: ...
    def record(
        self,
        message_id: int,
        status: OutboxStatus,
        attempts: int,
        next_attempt_at: datetime,
        last_error: str,
        sent_at: datetime | None,
    ) -> None: ...
    def search(self, query: SearchQuery) -> Page[OutboxMessage]: ...


class SettingsRepository(Protocol):
    def get(self, key: str) -> str | None: ...
    def all(self) -> dict[str, str]: ...
    def put(self, key: str, value: str) -> None: ...


class AuditLog(Protocol):
    def append(
        self,
        at: datetime,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        details: dict[str, Any],
    ) -> AuditEntry: ...
    def entries(self, from_seq: int = 1) -> list[AuditEntry]: ...
    def count(self) -> int: ...


class Repositories(Protocol):
    """The repositories, all sharing one connection (and so one transaction)."""

    @property
    def enterprises(self) -> EnterpriseRepository: ...
    @property
    def checkpoints(self) -> CheckpointRepository: ...
    @property
    def risk_regions(self) -> RiskRegionRepository: ...
    @property
    def vehicles(self) -> VehicleRepository: ...
    @property
    def drivers(self) -> DriverRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def applications(self) -> ApplicationRepository: ...
    @property
    def passes(self) -> PassRepository: ...
    @property
    def scans(self) -> ScanRepository: ...
    @property
    def keys(self) -> KeyRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def settings(self) -> SettingsRepository: ...
    @property
    def audit(self) -> AuditLog: ...


class Store(Repositories, Protocol):
    """Repositories plus the write transaction that every change goes through."""

    def transaction(self) -> AbstractContextManager[Repositories]: ...
    def quick_check(self) -> bool: ...
    def close(self) -> None: ...
