"""Trip applications: a clerk files, edits, submits or withdraws; a reviewer decides.

Lifecycle: DRAFT → SUBMITTED → APPROVED | REJECTED, and DRAFT/SUBMITTED → WITHDRAWN. Editing is
allowed until the application is decided. A reviewer never decides an application it filed,
and of two reviewers deciding the same application at once exactly one wins: the decision is
a conditional UPDATE (``WHERE status = 'SUBMITTED'``) and the loser gets ``InvalidState``.
Approval issues the pass in the same transaction (``core.services.passes``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from core.clock import Clock, system_clock
from core.errors import InvalidState, NotFound, PermissionDenied
from core.forms import FieldCollector
from core.importing import RawRow
from core.models import (
    ApplicationStatus,
    ApplicationView,
    Page,
    TripApplication,
    User,
)
from core.permissions import (
    Action,
    allowed,
    enterprise_scope,
    require,
    require_enterprise_scope,
)
from core.ports import ApplicationQuery, Repositories, Store
from core.services.base import Service
from core.services.settings import read_settings
from core.settings import DEFAULTS, SPEC_BY_KEY
from core.validation import (
    Plate,
    ValidationCode,
    ValidationError,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
    normalize_text,
    parse_plate,
)

T = TypeVar("T")
CHINA = ZoneInfo("Asia/Shanghai")

# The default validity of a new application is a setting (``pass.validity_hours``); this is
# the setting's own default, for callers without a store.
DEFAULT_VALIDITY_HOURS = DEFAULTS.validity_hours
MAX_VALIDITY_HOURS = SPEC_BY_KEY["pass.validity_hours"].maximum
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
# How far ahead a trip may be planned, and how late a planned arrival may be filed.
PLANNING_HORIZON = timedelta(days=30)
LATE_FILING = timedelta(hours=12)


@dataclass(frozen=True)
class ApplicationInput:
    """The filing form, as chosen in the form or read from an import row."""

    vehicle_id: int | None
    driver_id: int | None
    origin_region_id: int | None
    cargo: str
    planned_arrival: datetime | None
    validity_hours: int | None = None  # None: the deployment's default (a setting)
    co_driver_id: int | None = None


class ApplicationService(Service):
    """Filing and review of trip applications."""

    # -- filing (clerk) -------------------------------------------------------------------

    def file(self, actor: User, form: ApplicationInput, submit: bool = False) -> TripApplication:
        """Save a new application as a draft, or submit it at once."""
        require(actor, Action.FILE_APPLICATION)
        enterprise_id = _own_enterprise(actor)
        status = ApplicationStatus.SUBMITTED if submit else ApplicationStatus.DRAFT
        with self.store.transaction() as tx:
            checked = self.check_form(tx, enterprise_id, form)
            hours = checked.validity_hours
            assert hours is not None  # check_form fills in the default
            application = tx.applications.add(
                enterprise_id,
                checked.vehicle_id or 0,
                checked.driver_id or 0,
                checked.co_driver_id,
                checked.origin_region_id or 0,
                checked.cargo,
                checked.planned_arrival or self.clock(),
                hours,
                status,
                actor.id,
                self.clock(),
            )
            self.audit(
                tx,
                actor,
                "application.file",
                "application",
                application.id,
                {"status": status.value},
            )
        return application

    def check_form(
        self, tx: Repositories, enterprise_id: int, form: ApplicationInput
    ) -> ApplicationInput:
        """The form with its text normalized and its validity hours set (the default
        setting when the form has none); raises ``FormInvalid`` with every bad field.

        Vehicles and drivers must be the enterprise's own (another enterprise's count as
        unknown, so their existence is not revealed).
        """
        fields = FieldCollector()
        vehicle = tx.vehicles.get(form.vehicle_id) if form.vehicle_id else None
        if vehicle is None or vehicle.enterprise_id != enterprise_id:
            fields.fail("vehicle_id", ValidationCode.REQUIRED)
        for field, driver_id in (
            ("driver_id", form.driver_id),
            ("co_driver_id", form.co_driver_id),
        ):
            if driver_id is None and field == "co_driver_id":
                continue
            driver = tx.drivers.get(driver_id) if driver_id else None
            if driver is None or driver.enterprise_id != enterprise_id:
                fields.fail(field, ValidationCode.REQUIRED)
        if form.co_driver_id is not None and form.co_driver_id == form.driver_id:
            fields.fail("co_driver_id", ValidationCode.BAD_FORMAT, "same as the driver")
        if form.origin_region_id is None or tx.risk_regions.get(form.origin_region_id) is None:
            fields.fail("origin_region_id", ValidationCode.REQUIRED)
        cargo = fields.take(lambda: normalize_text(form.cargo, field="cargo", max_length=100), "")
        now = self.clock()
        if form.planned_arrival is None:
            fields.fail("planned_arrival", ValidationCode.REQUIRED)
        elif not now - LATE_FILING <= form.planned_arrival <= now + PLANNING_HORIZON:
            fields.fail("planned_arrival", ValidationCode.BAD_DATE, "outside the planning window")
        hours = form.validity_hours
        if hours is None:
            hours = read_settings(tx).validity_hours
        if not 1 <= hours <= MAX_VALIDITY_HOURS:
            fields.fail("validity_hours", ValidationCode.BAD_FORMAT, "1 to 720 hours")
        fields.raise_if_any()
        return replace(form, cargo=cargo, validity_hours=hours)

    def update(self, actor: User, application_id: int, form: ApplicationInput) -> TripApplication:
        """Change an application that is not decided yet."""
        require(actor, Action.FILE_APPLICATION)
        with self.store.transaction() as tx:
            current = self._own(tx, actor, application_id)
            if current.status not in EDITABLE:
                raise InvalidState(f"application is {current.status}")
            checked = self.check_form(tx, current.enterprise_id, form)
            hours = checked.validity_hours
            assert hours is not None  # check_form fills in the default
            updated = replace(
                current,
                vehicle_id=checked.vehicle_id or current.vehicle_id,
                driver_id=checked.driver_id or current.driver_id,
                co_driver_id=checked.co_driver_id,
                origin_region_id=checked.origin_region_id or current.origin_region_id,
                cargo=checked.cargo,
                planned_arrival=checked.planned_arrival or current.planned_arrival,
                validity_hours=hours,
            )
            if not tx.applications.update_open(updated):
                raise InvalidState("already decided")
            self.audit(tx, actor, "application.update", "application", application_id)
        return updated

    def submit(self, actor: User, application_id: int) -> None:
        """Send a draft to review."""
        self._move(
            actor,
            application_id,
            (ApplicationStatus.DRAFT,),
            ApplicationStatus.SUBMITTED,
            "application.submit",
        )

    def withdraw(self, actor: User, application_id: int) -> None:
        """Take back an application that is not decided yet."""
        self._move(
            actor, application_id, EDITABLE, ApplicationStatus.WITHDRAWN, "application.withdraw"
        )

    def _move(
        self,
        actor: User,
        application_id: int,
        allowed_from: tuple[ApplicationStatus, ...],
        to: ApplicationStatus,
        action: str,
    ) -> None:
        require(actor, Action.FILE_APPLICATION)
        with self.store.transaction() as tx:
            current = self._own(tx, actor, application_id)
            if current.status not in allowed_from or not tx.applications.move(
                application_id, allowed_from, to
            ):
                raise InvalidState(f"application is {current.status}")
            self.audit(
                tx,
                actor,
                action,
                "application",
                application_id,
                {"from": current.status.value, "to": to.value},
            )

    def _own(self, tx: Repositories, actor: User, application_id: int) -> TripApplication:
        application = tx.applications.get(application_id)
        if application is None:
            raise NotFound(f"application {application_id}")
        require_enterprise_scope(actor, application.enterprise_id)
        return application

    # -- reading --------------------------------------------------------------------------

    def search(self, actor: User, query: ApplicationQuery) -> Page[ApplicationView]:
        """Applications with their plate, driver, enterprise and risk; clerks see their own."""
        if not allowed_any(actor, Action.FILE_APPLICATION, Action.REVIEW_APPLICATION):
            raise PermissionDenied("may not list applications")
        scope = enterprise_scope(actor)
        if scope is not None:
            query = replace(query, enterprise_id=scope)
        return self.store.applications.search(query)

    def queue(self, actor: User, query: ApplicationQuery) -> Page[ApplicationView]:
        """The review queue: submitted applications, oldest first."""
        require(actor, Action.REVIEW_APPLICATION)
        return self.store.applications.search(
            replace(
                query, statuses=(ApplicationStatus.SUBMITTED,), sort="created_at", descending=False
            )
        )

    def get(self, actor: User, application_id: int) -> ApplicationView:
        """One application with its joined details."""
        page = self.search(actor, ApplicationQuery(application_id=application_id, limit=1))
        if not page.rows:
            raise NotFound(f"application {application_id}")
        return page.rows[0]

    # -- review (reviewer) ----------------------------------------------------------------

    def reject(self, actor: User, application_id: int, reason: str) -> None:
        """Turn down a submitted application with a reason the clerk will see."""
        require(actor, Action.REVIEW_APPLICATION)
        text = normalize_text(reason, field="reason", max_length=200)
        with self.store.transaction() as tx:
            application = self.decidable(tx, actor, application_id)
            if not tx.applications.decide(
                application.id, ApplicationStatus.REJECTED, actor.id, self.clock(), text
            ):
                raise InvalidState("already decided")
            self.audit(tx, actor, "application.reject", "application", application_id)

    def decidable(self, tx: Repositories, actor: User, application_id: int) -> TripApplication:
        """The application if ``actor`` may decide it now; else the reason why not."""
        application = tx.applications.get(application_id)
        if application is None:
            raise NotFound(f"application {application_id}")
        if application.filed_by == actor.id:
            raise PermissionDenied("a reviewer never decides its own filing")
        if application.status is not ApplicationStatus.SUBMITTED:
            raise InvalidState("already decided")
        return application


def allowed_any(actor: User, *actions: Action) -> bool:
    """True if ``actor`` may perform at least one of ``actions``."""
    return any(allowed(actor, action) for action in actions)


def _own_enterprise(actor: User) -> int:
    scope = enterprise_scope(actor)
    if scope is None:
        raise PermissionDenied("only an enterprise's clerk files applications")
    return scope


@dataclass(frozen=True)
class RowError:
    """One problem of an import file: spreadsheet row, field and reason code."""

    row: int
    field: str
    code: str


class ImportRejected(ValueError):
    """An import file had errors; nothing was saved. ``errors`` lists every one found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = tuple(errors)


@dataclass(frozen=True)
class _ImportRow:
    """A validated import row, ready to be written."""

    number: int
    plate: Plate
    vehicle_description: str
    driver: tuple[str, str, str]
    co_driver: tuple[str, str, str] | None
    region_id: int
    cargo: str
    planned_arrival: datetime
    validity_hours: int


class ApplicationImporter(Service):
    """All-or-nothing bulk filing from rows of a CSV/XLSX file (``core.importing``).

    Every row is checked first and every error is reported; only a file without errors is
    written, in one transaction. New vehicles and drivers are registered on the way; ones
    already registered by the clerk's enterprise are reused (a driver's name must match).
    """

    def __init__(
        self, store: Store, applications: ApplicationService, clock: Clock = system_clock
    ) -> None:
        super().__init__(store, clock)
        self.applications = applications

    def import_rows(self, actor: User, rows: Sequence[RawRow], submit: bool = True) -> list[int]:
        """File one application per row; returns the new application ids in row order."""
        require(actor, Action.FILE_APPLICATION)
        enterprise_id = _own_enterprise(actor)
        errors: list[RowError] = []
        names: dict[str, str] = {}  # ID number -> name, of drivers new in this file
        default_hours = read_settings(self.store).validity_hours  # for empty cells
        checked = [
            self._check_row(row, enterprise_id, errors, names, default_hours) for row in rows
        ]
        if not rows:
            errors.append(RowError(1, "file", "NO_ROWS"))
        if errors:
            raise ImportRejected(errors)
        status = ApplicationStatus.SUBMITTED if submit else ApplicationStatus.DRAFT
        created: list[int] = []
        now = self.clock()
        with self.store.transaction() as tx:
            for row in checked:
                assert row is not None  # no errors means every row was checked
                vehicle_id = self._vehicle(tx, actor, enterprise_id, row, now)
                driver_id = self._driver(tx, actor, enterprise_id, row.driver, now)
                co_id = (
                    self._driver(tx, actor, enterprise_id, row.co_driver, now)
                    if row.co_driver
                    else None
                )
                application = tx.applications.add(
                    enterprise_id,
                    vehicle_id,
                    driver_id,
                    co_id,
                    row.region_id,
                    row.cargo,
                    row.planned_arrival,
                    row.validity_hours,
                    status,
                    actor.id,
                    now,
                )
                created.append(application.id)
            self.audit(
                tx,
                actor,
                "application.import",
                "application",
                created[0],
                {"count": len(created), "last": created[-1], "status": status.value},
            )
        return created

    def _check_row(
        self,
        row: RawRow,
        enterprise_id: int,
        errors: list[RowError],
        names: dict[str, str],
        default_hours: int,
    ) -> _ImportRow | None:
        found: list[RowError] = []

        def take(field: str, normalize: Callable[[], T], default: T) -> T:
            try:
                return normalize()
            except ValidationError as error:
                found.append(RowError(row.number, field, error.code.value))
                return default

        today = self.clock().astimezone(CHINA).date()
        plate = take("plate", lambda: parse_plate(row.get("plate")), None)
        description = take(
            "vehicle_description",
            lambda: normalize_text(
                row.get("vehicle_description"),
                field="vehicle_description",
                max_length=100,
                required=False,
            ),
            "",
        )
        driver = self._person(row, "driver", today, take)
        co_driver = None
        if any(row.get(f"co_driver_{part}") for part in ("name", "id_number", "phone")):
            co_driver = self._person(row, "co_driver", today, take)
        region = self.store.risk_regions.get_by_code(row.get("origin_region_code"))
        if region is None:
            found.append(RowError(row.number, "origin_region_code", "UNKNOWN_REGION"))
        cargo = take(
            "cargo", lambda: normalize_text(row.get("cargo"), field="cargo", max_length=100), ""
        )
        arrival = take(
            "planned_arrival", lambda: _parse_local_time(row.get("planned_arrival")), None
        )
        now = self.clock()
        if arrival is not None and not now - LATE_FILING <= arrival <= now + PLANNING_HORIZON:
            found.append(RowError(row.number, "planned_arrival", ValidationCode.BAD_DATE.value))
        hours = take(
            "validity_hours",
            lambda: _parse_hours(row.get("validity_hours"), default_hours),
            default_hours,
        )
        if plate is not None:
            vehicle = self.store.vehicles.by_plate(plate.text)
            if vehicle is not None and vehicle.enterprise_id != enterprise_id:
                found.append(RowError(row.number, "plate", "REGISTERED_ELSEWHERE"))
        if driver is not None and co_driver is not None and driver[1] == co_driver[1]:
            # As in the filing form: the co-driver must be another person.
            found.append(
                RowError(row.number, "co_driver_id_number", ValidationCode.BAD_FORMAT.value)
            )
        for prefix, person in (("driver", driver), ("co_driver", co_driver)):
            if person is None:
                continue
            known = self.store.drivers.by_id_number(person[1])
            if known is not None and known.enterprise_id != enterprise_id:
                found.append(RowError(row.number, f"{prefix}_id_number", "REGISTERED_ELSEWHERE"))
            elif known is not None and known.name != person[0]:
                found.append(RowError(row.number, f"{prefix}_name", "NAME_MISMATCH"))
            elif known is None and names.setdefault(person[1], person[0]) != person[0]:
                # A driver new in this file is registered by its first row; a later row
                # naming the same ID number otherwise would be silently filed under that name.
                found.append(RowError(row.number, f"{prefix}_name", "NAME_MISMATCH"))
        errors.extend(found)
        if found or plate is None or driver is None or region is None or arrival is None:
            return None
        return _ImportRow(
            row.number, plate, description, driver, co_driver, region.id, cargo, arrival, hours
        )

    @staticmethod
    def _person(
        row: RawRow, prefix: str, today: date, take: Callable[..., Any]
    ) -> tuple[str, str, str] | None:
        name = take(
            f"{prefix}_name",
            lambda: normalize_person_name(row.get(f"{prefix}_name"), field=f"{prefix}_name"),
            None,
        )
        id_number = take(
            f"{prefix}_id_number",
            lambda: normalize_id_number(
                row.get(f"{prefix}_id_number"), field=f"{prefix}_id_number", today=today
            ),
            None,
        )
        phone = take(
            f"{prefix}_phone",
            lambda: normalize_phone(row.get(f"{prefix}_phone"), field=f"{prefix}_phone"),
            None,
        )
        if name is None or id_number is None or phone is None:
            return None
        return name, id_number, phone

    def _vehicle(
        self, tx: Repositories, actor: User, enterprise_id: int, row: _ImportRow, now: datetime
    ) -> int:
        existing = tx.vehicles.by_plate(row.plate.text)
        if existing is not None:
            return existing.id
        vehicle = tx.vehicles.add(
            enterprise_id, row.plate.text, row.plate.kind.value, False, row.vehicle_description, now
        )
        tx.audit.append(
            now,
            actor.username,
            "vehicle.add",
            "vehicle",
            str(vehicle.id),
            {"plate": vehicle.plate},
        )
        return vehicle.id

    def _driver(
        self,
        tx: Repositories,
        actor: User,
        enterprise_id: int,
        person: tuple[str, str, str],
        now: datetime,
    ) -> int:
        name, id_number, phone = person
        existing = tx.drivers.by_id_number(id_number)
        if existing is not None:
            return existing.id
        driver = tx.drivers.add(enterprise_id, name, id_number, phone, now)
        tx.audit.append(now, actor.username, "driver.add", "driver", str(driver.id), {})
        return driver.id


def _parse_local_time(text: str) -> datetime:
    """A China-local 'YYYY-MM-DD HH:MM' (also '/' dates, 'T', seconds) as aware UTC."""
    value = text.strip().replace("/", "-").replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=CHINA).astimezone(UTC)
        except ValueError:
            continue
    raise ValidationError(
        "planned_arrival", ValidationCode.REQUIRED if not value else ValidationCode.BAD_FORMAT
    )


def _parse_hours(text: str, default: int) -> int:
    if not text.strip():
        return default
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_VALIDITY_HOURS:
        raise ValidationError("validity_hours", ValidationCode.BAD_FORMAT)
    return int(text)
