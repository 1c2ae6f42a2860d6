"""Trip applications: a clerk files, edits, submits or withdraws; a reviewer decides.

Lifecycle: DRAFT → SUBMITTED → APPROVED | REJECTED, and DRAFT/SUBMITTED → WITHDRAWN. Editing is
allowed until the application is decided. A reviewer never decides an application it filed,
and of two reviewers deciding the same application at once exactly one wins: the decision is
a conditional UPDATE (``WHERE status = 'SUBMITTED'``) and the loser gets ``InvalidState``.
Approval issues the pass in the same transaction (``core.services.passes``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.errors import InvalidState, NotFound, PermissionDenied
from core.forms import FieldCollector
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
from core.ports import ApplicationQuery, Repositories
from core.services.base import Service
from core.validation import ValidationCode, normalize_text

DEFAULT_VALIDITY_HOURS = 72
MAX_VALIDITY_HOURS = 720
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
    validity_hours: int = DEFAULT_VALIDITY_HOURS
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
            application = tx.applications.add(
                enterprise_id,
                checked.vehicle_id or 0,
                checked.driver_id or 0,
                checked.co_driver_id,
                checked.origin_region_id or 0,
                checked.cargo,
                checked.planned_arrival or self.clock(),
                checked.validity_hours,
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
        """The form with its text normalized; raises ``FormInvalid`` with every bad field.

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
        if not 1 <= form.validity_hours <= MAX_VALIDITY_HOURS:
            fields.fail("validity_hours", ValidationCode.BAD_FORMAT, "1 to 720 hours")
        fields.raise_if_any()
        return replace(form, cargo=cargo)

    def update(self, actor: User, application_id: int, form: ApplicationInput) -> TripApplication:
        """Change an application that is not decided yet."""
        require(actor, Action.FILE_APPLICATION)
        with self.store.transaction() as tx:
            current = self._own(tx, actor, application_id)
            if current.status not in EDITABLE:
                raise InvalidState(f"application is {current.status}")
            checked = self.check_form(tx, current.enterprise_id, form)
            updated = replace(
                current,
                vehicle_id=checked.vehicle_id or current.vehicle_id,
                driver_id=checked.driver_id or current.driver_id,
                co_driver_id=checked.co_driver_id,
                origin_region_id=checked.origin_region_id or current.origin_region_id,
                cargo=checked.cargo,
                planned_arrival=checked.planned_arrival or current.planned_arrival,
                validity_hours=checked.validity_hours,
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
