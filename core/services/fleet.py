"""A clerk's vehicles and drivers.

A plate and an ID number are registered once, system-wide: the registry is one truth for every
checkpoint. Each record belongs to the enterprise that registered it, and only that
enterprise's clerks see or change it (others get ``NotFound``, even by id). Reviewers and
supervisors read every enterprise's records. Full ID numbers are shown only through
``reveal_id_number``, which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from core.errors import NotFound
from core.forms import FieldCollector
from core.models import Driver, Page, User, Vehicle
from core.permissions import Action, enterprise_scope, require, require_enterprise_scope
from core.ports import SearchQuery
from core.services.base import Service
from core.validation import (
    Plate,
    PlateKind,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
    normalize_text,
    parse_plate,
)


@dataclass(frozen=True)
class VehicleInput:
    """The vehicle form as typed. ``manual_review`` accepts a plate of an unlisted format."""

    plate: str
    description: str = ""
    manual_review: bool = False


@dataclass(frozen=True)
class DriverInput:
    """The driver form as typed."""

    name: str
    id_number: str
    phone: str


def _vehicle_fields(form: VehicleInput) -> tuple[Plate, str]:
    fields = FieldCollector()
    plate = fields.take(
        lambda: parse_plate(form.plate, allow_unrecognized=form.manual_review),
        Plate("", PlateKind.UNRECOGNIZED),
    )
    description = fields.take(
        lambda: normalize_text(
            form.description, field="description", max_length=100, required=False
        ),
        "",
    )
    fields.raise_if_any()
    return plate, description


def _driver_fields(form: DriverInput, today: date) -> tuple[str, str, str]:
    fields = FieldCollector()
    name = fields.take(lambda: normalize_person_name(form.name), "")
    id_number = fields.take(lambda: normalize_id_number(form.id_number, today=today), "")
    phone = fields.take(lambda: normalize_phone(form.phone), "")
    fields.raise_if_any()
    return name, id_number, phone


class FleetService(Service):
    """Register, edit, find and read vehicles and drivers within the actor's scope."""

    def _today(self) -> date:
        # Birth dates are calendar dates where the driver lives: use local time, not UTC.
        return self.clock().astimezone().date()

    def _own_enterprise(self, actor: User) -> int:
        require(actor, Action.MANAGE_FLEET)
        scope = enterprise_scope(actor)
        if scope is None:  # only clerks manage fleets; they always have a scope
            raise NotFound("no enterprise")
        return scope

    def add_vehicle(self, actor: User, form: VehicleInput) -> Vehicle:
        """Register a vehicle for the clerk's enterprise."""
        enterprise_id = self._own_enterprise(actor)
        plate, description = _vehicle_fields(form)
        with self.store.transaction() as tx:
            vehicle = tx.vehicles.add(
                enterprise_id,
                plate.text,
                plate.kind.value,
                plate.needs_review,
                description,
                self.clock(),
            )
            self.audit(
                tx,
                actor,
                "vehicle.add",
                "vehicle",
                vehicle.id,
                {"plate": plate.text, "needs_review": plate.needs_review},
            )
        return vehicle

    def update_vehicle(self, actor: User, vehicle_id: int, form: VehicleInput) -> Vehicle:
        """Change a vehicle of the clerk's enterprise."""
        self._own_enterprise(actor)
        plate, description = _vehicle_fields(form)
        with self.store.transaction() as tx:
            current = tx.vehicles.get(vehicle_id)
            if current is None:
                raise NotFound(f"vehicle {vehicle_id}")
            require_enterprise_scope(actor, current.enterprise_id)
            updated = replace(
                current,
                plate=plate.text,
                plate_kind=plate.kind.value,
                needs_review=plate.needs_review,
                description=description,
            )
            tx.vehicles.update(updated)
            self.audit(
                tx,
                actor,
                "vehicle.update",
                "vehicle",
                vehicle_id,
                {"plate": plate.text, "previous_plate": current.plate},
            )
        return updated

    def get_vehicle(self, actor: User, vehicle_id: int) -> Vehicle:
        """One vehicle by id, if the actor may see it."""
        require(actor, Action.VIEW_FLEET)
        vehicle = self.store.vehicles.get(vehicle_id)
        if vehicle is None:
            raise NotFound(f"vehicle {vehicle_id}")
        require_enterprise_scope(actor, vehicle.enterprise_id)
        return vehicle

    def search_vehicles(self, actor: User, query: SearchQuery) -> Page[Vehicle]:
        """A page of vehicles; a clerk's search never leaves its own enterprise."""
        require(actor, Action.VIEW_FLEET)
        return self.store.vehicles.search(_scoped(actor, query))

    def add_driver(self, actor: User, form: DriverInput) -> Driver:
        """Register a driver for the clerk's enterprise."""
        enterprise_id = self._own_enterprise(actor)
        name, id_number, phone = _driver_fields(form, self._today())
        with self.store.transaction() as tx:
            driver = tx.drivers.add(enterprise_id, name, id_number, phone, self.clock())
            # Personal data stays out of the chain: the entry names the record, not the person.
            self.audit(tx, actor, "driver.add", "driver", driver.id)
        return driver

    def update_driver(self, actor: User, driver_id: int, form: DriverInput) -> Driver:
        """Change a driver of the clerk's enterprise."""
        self._own_enterprise(actor)
        with self.store.transaction() as tx:
            current = tx.drivers.get(driver_id)
            if current is None:
                raise NotFound(f"driver {driver_id}")
            require_enterprise_scope(actor, current.enterprise_id)
            # The edit form never shows the full ID number: left empty, it stays as it was.
            if not form.id_number.strip():
                form = replace(form, id_number=current.id_number)
            name, id_number, phone = _driver_fields(form, self._today())
            updated = replace(current, name=name, id_number=id_number, phone=phone)
            tx.drivers.update(updated)
            changed = [
                f
                for f in ("name", "id_number", "phone")
                if getattr(current, f) != getattr(updated, f)
            ]
            self.audit(tx, actor, "driver.update", "driver", driver_id, {"changed": changed})
        return updated

    def get_driver(self, actor: User, driver_id: int) -> Driver:
        """One driver by id, if the actor may see it (show it masked)."""
        require(actor, Action.VIEW_FLEET)
        driver = self.store.drivers.get(driver_id)
        if driver is None:
            raise NotFound(f"driver {driver_id}")
        require_enterprise_scope(actor, driver.enterprise_id)
        return driver

    def search_drivers(self, actor: User, query: SearchQuery) -> Page[Driver]:
        """A page of drivers; a clerk's search never leaves its own enterprise."""
        require(actor, Action.VIEW_FLEET)
        return self.store.drivers.search(_scoped(actor, query))

    def reveal_id_number(self, actor: User, driver_id: int) -> str:
        """The full ID number of a driver, for an explicit "reveal"; the reveal is audited."""
        require(actor, Action.REVEAL_ID_NUMBER)
        driver = self.get_driver(actor, driver_id)
        with self.store.transaction() as tx:
            self.audit(tx, actor, "driver.reveal_id", "driver", driver_id)
        return driver.id_number


def _scoped(actor: User, query: SearchQuery) -> SearchQuery:
    """The query limited to the actor's enterprise, whatever enterprise it asked for."""
    scope = enterprise_scope(actor)
    return query if scope is None else replace(query, enterprise_id=scope)
