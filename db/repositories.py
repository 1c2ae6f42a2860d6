"""SQL for every table: rows in, frozen core dataclasses out.

Only this package knows table and column names. Values always travel as parameters; the
only identifiers put into SQL text come from the fixed ``sortable`` maps below, so a search
string or a sort key from a user can never become SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

import sqlite_utils

from core.audit import (
    GENESIS_HASH,
    EncodedEntry,
    PartCheck,
    RawEntry,
    SignedHead,
    canonical_details,
    entry_hash,
)
from core.clock import from_millis, to_millis
from core.errors import Duplicate, NotFound
from core.models import (
    ApplicationStatus,
    ApplicationView,
    AuditEntry,
    Checkpoint,
    CheckpointKind,
    Credentials,
    Driver,
    Enterprise,
    Page,
    RiskLevel,
    RiskRegion,
    Role,
    TripApplication,
    User,
    Vehicle,
)
from core.ports import ApplicationQuery, AuditQuery, SearchQuery
from db import audit_chain

T = TypeVar("T")
Row = dict[str, Any]

# "UNIQUE constraint failed: vehicles.plate" -> the form field to show the error beside.
_UNIQUE_FIELDS = {
    "enterprises.credit_code": "credit_code",
    "checkpoints.code": "code",
    "risk_regions.code": "region_code",
    "vehicles.plate": "plate",
    "drivers.id_number": "id_number",
    "users.username": "username",
    "passes.application_id": "application_id",
}


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's own wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _serial_prefix(text: str) -> str:
    """A LIKE pattern for serials starting with ``text`` (typed grouped, any case)."""
    return _like(text.lower().replace(" ", ""))[1:]


def _in_clause(column: str, values: Sequence[StrEnum], params: dict[str, Any]) -> str:
    """``column IN (:column_0, …)`` for enum ``values``, adding them to ``params``."""
    names = [f"{column.replace('.', '_')}_{i}" for i in range(len(values))]
    params.update({name: value.value for name, value in zip(names, values, strict=True)})
    return f"{column} IN ({', '.join(':' + name for name in names)})"


def _opt_millis(value: int | None) -> datetime | None:
    return None if value is None else from_millis(value)


class _Repository:
    """Shared plumbing: typed queries, inserts that report duplicates, paged searches."""

    table: ClassVar[str]
    # record field -> SQL expression it sorts by; anything else sorts by ``default_sort``.
    sortable: ClassVar[Mapping[str, str]] = {}
    default_sort: ClassVar[str] = "id"
    tiebreak: ClassVar[str] = "id"  # a unique column: equal sort keys keep a stable order

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.db = sqlite_utils.Database(conn)

    def _rows(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> list[Row]:
        return [dict(row) for row in self.db.query(sql, params)]

    def _one(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> Row | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _write(self, sql: str, params: dict[str, Any] | tuple[Any, ...] = ()) -> int:
        """Run an INSERT/UPDATE; returns the new rowid. Unique violations become ``Duplicate``."""
        try:
            cursor = self.conn.execute(sql, params)
        except sqlite3.IntegrityError as error:
            message = str(error)
            for column, field in _UNIQUE_FIELDS.items():
                if message.endswith(column):
                    raise Duplicate(field) from error
            raise
        return int(cursor.lastrowid or 0)

    def _update(self, sql: str, params: Mapping[str, Any]) -> None:
        try:
            changed = self.conn.execute(sql, params).rowcount
        except sqlite3.IntegrityError as error:
            for column, field in _UNIQUE_FIELDS.items():
                if str(error).endswith(column):
                    raise Duplicate(field) from error
            raise
        if changed != 1:
            raise NotFound(f"{self.table} {params.get('id')}")

    def _search(
        self,
        query: SearchQuery,
        where: list[str],
        params: dict[str, Any],
        convert: Callable[[Row], T],
    ) -> Page[T]:
        if query.enterprise_id is not None:
            where = [*where, "enterprise_id = :scope"]
            params = {**params, "scope": query.enterprise_id}
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = self.sortable.get(query.sort, self.default_sort)
        direction = "DESC" if query.descending else "ASC"
        rows = self._rows(
            f"SELECT * FROM {self.table} {clause} ORDER BY {order} {direction},"
            f" {self.tiebreak} {direction} LIMIT :limit OFFSET :offset",
            {**params, "limit": max(0, query.limit), "offset": max(0, query.offset)},
        )
        total = self._one(f"SELECT count(*) AS n FROM {self.table} {clause}", params)
        return Page(tuple(convert(row) for row in rows), int(total["n"]) if total else 0)


def _enterprise(row: Row) -> Enterprise:
    return Enterprise(
        id=row["id"],
        name=row["name"],
        credit_code=row["credit_code"],
        address=row["address"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        active=bool(row["active"]),
        whitelisted=bool(row["whitelisted"]),
    )


class SqlEnterpriseRepository(_Repository):
    """Table ``enterprises``."""

    table = "enterprises"
    sortable: ClassVar[Mapping[str, str]] = {"name": "name", "credit_code": "credit_code"}

    def add(
        self, name: str, credit_code: str, address: str, contact_name: str, contact_phone: str
    ) -> Enterprise:
        """Insert an enterprise; a known credit code raises ``Duplicate('credit_code')``."""
        new_id = self._write(
            "INSERT INTO enterprises (name, credit_code, address, contact_name, contact_phone) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, credit_code, address, contact_name, contact_phone),
        )
        return Enterprise(new_id, name, credit_code, address, contact_name, contact_phone)

    def update(self, enterprise: Enterprise) -> None:
        """Overwrite every field of an existing enterprise."""
        self._update(
            "UPDATE enterprises SET name = :name, credit_code = :credit_code, address = :address,"
            " contact_name = :contact_name, contact_phone = :contact_phone, active = :active,"
            " whitelisted = :whitelisted WHERE id = :id",
            {
                "id": enterprise.id,
                "name": enterprise.name,
                "credit_code": enterprise.credit_code,
                "address": enterprise.address,
                "contact_name": enterprise.contact_name,
                "contact_phone": enterprise.contact_phone,
                "active": int(enterprise.active),
                "whitelisted": int(enterprise.whitelisted),
            },
        )

    def get(self, enterprise_id: int) -> Enterprise | None:
        """The enterprise with this id, or None."""
        row = self._one("SELECT * FROM enterprises WHERE id = ?", (enterprise_id,))
        return _enterprise(row) if row else None

    def search(self, query: SearchQuery) -> Page[Enterprise]:
        """Enterprises whose name or credit code contains the search text."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.text:
            where.append("(name LIKE :like ESCAPE '\\' OR credit_code LIKE :like ESCAPE '\\')")
            params["like"] = _like(query.text)
        if query.enterprise_id is not None:
            where.append("id = :own")
            params["own"] = query.enterprise_id
        unscoped = SearchQuery(query.text, query.sort, query.descending, query.limit, query.offset)
        return self._search(unscoped, where, params, _enterprise)


def _checkpoint(row: Row) -> Checkpoint:
    return Checkpoint(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=CheckpointKind(row["kind"]),
        enterprise_id=row["enterprise_id"],
        active=bool(row["active"]),
    )


class SqlCheckpointRepository(_Repository):
    """Table ``checkpoints``."""

    table = "checkpoints"

    def add(
        self, code: str, name: str, kind: CheckpointKind, enterprise_id: int | None
    ) -> Checkpoint:
        """Insert a checkpoint; a known code raises ``Duplicate('code')``."""
        new_id = self._write(
            "INSERT INTO checkpoints (code, name, kind, enterprise_id) VALUES (?, ?, ?, ?)",
            (code, name, kind.value, enterprise_id),
        )
        return Checkpoint(new_id, code, name, kind, enterprise_id)

    def update(self, checkpoint: Checkpoint) -> None:
        """Overwrite every field of an existing checkpoint."""
        self._update(
            "UPDATE checkpoints SET code = :code, name = :name, kind = :kind, "
            "enterprise_id = :enterprise_id, active = :active WHERE id = :id",
            {
                "id": checkpoint.id,
                "code": checkpoint.code,
                "name": checkpoint.name,
                "kind": checkpoint.kind.value,
                "enterprise_id": checkpoint.enterprise_id,
                "active": int(checkpoint.active),
            },
        )

    def get(self, checkpoint_id: int) -> Checkpoint | None:
        """The checkpoint with this id, or None."""
        row = self._one("SELECT * FROM checkpoints WHERE id = ?", (checkpoint_id,))
        return _checkpoint(row) if row else None

    def get_by_code(self, code: str) -> Checkpoint | None:
        """The checkpoint with this code, or None."""
        row = self._one("SELECT * FROM checkpoints WHERE code = ?", (code,))
        return _checkpoint(row) if row else None

    def list_all(self) -> list[Checkpoint]:
        """Every checkpoint: gates first, then enterprises, then isolation points."""
        rows = self._rows(
            "SELECT * FROM checkpoints ORDER BY "
            "CASE kind WHEN 'GATE' THEN 0 WHEN 'ENTERPRISE' THEN 1 ELSE 2 END, code"
        )
        return [_checkpoint(row) for row in rows]


def _region(row: Row) -> RiskRegion:
    return RiskRegion(row["id"], row["code"], row["name"], RiskLevel(row["level"]))


class SqlRiskRegionRepository(_Repository):
    """Table ``risk_regions``."""

    table = "risk_regions"

    def add(self, code: str, name: str, level: RiskLevel) -> RiskRegion:
        """Insert a region; a known code raises ``Duplicate('code')``."""
        new_id = self._write(
            "INSERT INTO risk_regions (code, name, level) VALUES (?, ?, ?)",
            (code, name, level.value),
        )
        return RiskRegion(new_id, code, name, level)

    def update(self, region: RiskRegion) -> None:
        """Overwrite every field of an existing region."""
        self._update(
            "UPDATE risk_regions SET code = :code, name = :name, level = :level WHERE id = :id",
            {"id": region.id, "code": region.code, "name": region.name, "level": region.level},
        )

    def get(self, region_id: int) -> RiskRegion | None:
        """The region with this id, or None."""
        row = self._one("SELECT * FROM risk_regions WHERE id = ?", (region_id,))
        return _region(row) if row else None

    def get_by_code(self, code: str) -> RiskRegion | None:
        """The region with this 6-digit code, or None."""
        row = self._one("SELECT * FROM risk_regions WHERE code = ?", (code.strip(),))
        return _region(row) if row else None

    def list_all(self) -> list[RiskRegion]:
        """Every region, by code."""
        return [_region(row) for row in self._rows("SELECT * FROM risk_regions ORDER BY code")]


def _vehicle(row: Row) -> Vehicle:
    return Vehicle(
        id=row["id"],
        enterprise_id=row["enterprise_id"],
        plate=row["plate"],
        plate_kind=row["plate_kind"],
        needs_review=bool(row["needs_review"]),
        description=row["description"],
        created_at=from_millis(row["created_at"]),
    )


class SqlVehicleRepository(_Repository):
    """Table ``vehicles``."""

    table = "vehicles"
    sortable: ClassVar[Mapping[str, str]] = {
        "plate": "plate",
        "plate_kind": "plate_kind",
        "created_at": "created_at",
        "enterprise_id": "enterprise_id",
    }

    def add(
        self,
        enterprise_id: int,
        plate: str,
        plate_kind: str,
        needs_review: bool,
        description: str,
        created_at: datetime,
    ) -> Vehicle:
        """Insert a vehicle; a known plate raises ``Duplicate('plate')``."""
        new_id = self._write(
            "INSERT INTO vehicles (enterprise_id, plate, plate_kind, needs_review, description,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                enterprise_id,
                plate,
                plate_kind,
                int(needs_review),
                description,
                to_millis(created_at),
            ),
        )
        return Vehicle(
            new_id, enterprise_id, plate, plate_kind, needs_review, description, created_at
        )

    def update(self, vehicle: Vehicle) -> None:
        """Overwrite the editable fields of an existing vehicle."""
        self._update(
            "UPDATE vehicles SET plate = :plate, plate_kind = :plate_kind, "
            "needs_review = :needs_review, description = :description WHERE id = :id",
            {
                "id": vehicle.id,
                "plate": vehicle.plate,
                "plate_kind": vehicle.plate_kind,
                "needs_review": int(vehicle.needs_review),
                "description": vehicle.description,
            },
        )

    def get(self, vehicle_id: int) -> Vehicle | None:
        """The vehicle with this id, or None."""
        row = self._one("SELECT * FROM vehicles WHERE id = ?", (vehicle_id,))
        return _vehicle(row) if row else None

    def by_plate(self, plate: str) -> Vehicle | None:
        """The vehicle with this normalized plate, or None."""
        row = self._one("SELECT * FROM vehicles WHERE plate = ?", (plate,))
        return _vehicle(row) if row else None

    def search(self, query: SearchQuery) -> Page[Vehicle]:
        """Vehicles whose plate or description contains the search text."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.text:
            where.append("(plate LIKE :like ESCAPE '\\' OR description LIKE :like ESCAPE '\\')")
            params["like"] = _like(query.text)
        return self._search(query, where, params, _vehicle)


def _driver(row: Row) -> Driver:
    return Driver(
        id=row["id"],
        enterprise_id=row["enterprise_id"],
        name=row["name"],
        id_number=row["id_number"],
        phone=row["phone"],
        created_at=from_millis(row["created_at"]),
    )


class SqlDriverRepository(_Repository):
    """Table ``drivers``."""

    table = "drivers"
    sortable: ClassVar[Mapping[str, str]] = {"name": "name", "created_at": "created_at"}

    def add(
        self, enterprise_id: int, name: str, id_number: str, phone: str, created_at: datetime
    ) -> Driver:
        """Insert a driver; a known ID number raises ``Duplicate('id_number')``."""
        new_id = self._write(
            "INSERT INTO drivers (enterprise_id, name, id_number, phone, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (enterprise_id, name, id_number, phone, to_millis(created_at)),
        )
        return Driver(new_id, enterprise_id, name, id_number, phone, created_at)

    def update(self, driver: Driver) -> None:
        """Overwrite the editable fields of an existing driver."""
        self._update(
            "UPDATE drivers SET name = :name, id_number = :id_number, phone = :phone "
            "WHERE id = :id",
            {
                "id": driver.id,
                "name": driver.name,
                "id_number": driver.id_number,
                "phone": driver.phone,
            },
        )

    def get(self, driver_id: int) -> Driver | None:
        """The driver with this id, or None."""
        row = self._one("SELECT * FROM drivers WHERE id = ?", (driver_id,))
        return _driver(row) if row else None

    def by_id_number(self, id_number: str) -> Driver | None:
        """The driver with this normalized ID number, or None."""
        row = self._one("SELECT * FROM drivers WHERE id_number = ?", (id_number,))
        return _driver(row) if row else None

    def search(self, query: SearchQuery) -> Page[Driver]:
        """Drivers whose name contains the text, or whose full phone or ID number equals it.

        Phones and ID numbers are shown masked, so they match only in full: a partial match
        would let anyone recover the hidden digits by searching.
        """
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.text:
            where.append("(name LIKE :like ESCAPE '\\' OR phone = :exact OR id_number = :exact)")
            params["like"] = _like(query.text)
            params["exact"] = query.text.strip().upper()
        return self._search(query, where, params, _driver)


def _user(row: Row) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        enterprise_id=row["enterprise_id"],
        checkpoint_id=row["checkpoint_id"],
        active=bool(row["active"]),
    )


class SqlUserRepository(_Repository):
    """Table ``users``."""

    table = "users"
    sortable: ClassVar[Mapping[str, str]] = {
        "username": "username",
        "display_name": "display_name",
        "role": "role",
    }
    default_sort = "username"

    def add(
        self,
        username: str,
        display_name: str,
        role: Role,
        enterprise_id: int | None,
        checkpoint_id: int | None,
        password_hash: str,
    ) -> User:
        """Insert an account; a known username raises ``Duplicate('username')``."""
        new_id = self._write(
            "INSERT INTO users (username, display_name, role, enterprise_id, checkpoint_id,"
            " password_hash) VALUES (?, ?, ?, ?, ?, ?)",
            (username, display_name, role.value, enterprise_id, checkpoint_id, password_hash),
        )
        return User(new_id, username, display_name, role, enterprise_id, checkpoint_id)

    def update(self, user: User) -> None:
        """Overwrite the profile of an existing account (not its password)."""
        self._update(
            "UPDATE users SET display_name = :display_name, role = :role, "
            "enterprise_id = :enterprise_id, checkpoint_id = :checkpoint_id, active = :active "
            "WHERE id = :id",
            {
                "id": user.id,
                "display_name": user.display_name,
                "role": user.role.value,
                "enterprise_id": user.enterprise_id,
                "checkpoint_id": user.checkpoint_id,
                "active": int(user.active),
            },
        )

    def get(self, user_id: int) -> User | None:
        """The account with this id, or None."""
        row = self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    def credentials(self, username: str) -> Credentials | None:
        """Login data for ``username`` (case-insensitive), or None."""
        row = self._one("SELECT * FROM users WHERE username = ?", (username,))
        if row is None:
            return None
        return Credentials(
            user=_user(row),
            password_hash=row["password_hash"],
            failed_attempts=row["failed_attempts"],
            locked_until=_opt_millis(row["locked_until"]),
        )

    def record_login_failure(
        self, user_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None:
        """Store the failure count and lock after a wrong password."""
        self._update(
            "UPDATE users SET failed_attempts = :n, locked_until = :until WHERE id = :id",
            {
                "id": user_id,
                "n": failed_attempts,
                "until": None if locked_until is None else to_millis(locked_until),
            },
        )

    def record_login_success(self, user_id: int) -> None:
        """Clear the failure count and lock."""
        self._update(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = :id",
            {"id": user_id},
        )

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace the stored password hash."""
        self._update(
            "UPDATE users SET password_hash = :hash WHERE id = :id",
            {"id": user_id, "hash": password_hash},
        )

    def search(self, query: SearchQuery) -> Page[User]:
        """Accounts whose username or display name contains the text."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.text:
            where.append("(username LIKE :like ESCAPE '\\' OR display_name LIKE :like ESCAPE '\\')")
            params["like"] = _like(query.text)
        return self._search(query, where, params, _user)

    def count(self) -> int:
        """How many accounts exist (zero on a brand-new database)."""
        row = self._one("SELECT count(*) AS n FROM users")
        return int(row["n"]) if row else 0


def _application(row: Row) -> TripApplication:
    return TripApplication(
        id=row["id"],
        enterprise_id=row["enterprise_id"],
        vehicle_id=row["vehicle_id"],
        driver_id=row["driver_id"],
        co_driver_id=row["co_driver_id"],
        origin_region_id=row["origin_region_id"],
        cargo=row["cargo"],
        planned_arrival=from_millis(row["planned_arrival"]),
        validity_hours=row["validity_hours"],
        status=ApplicationStatus(row["status"]),
        filed_by=row["filed_by"],
        created_at=from_millis(row["created_at"]),
        decided_by=row["decided_by"],
        decided_at=_opt_millis(row["decided_at"]),
        decision_reason=row["decision_reason"],
    )


class SqlApplicationRepository(_Repository):
    """Table ``applications``."""

    table = "applications"

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
    ) -> TripApplication:
        """Insert a trip application."""
        new_id = self._write(
            "INSERT INTO applications (enterprise_id, vehicle_id, driver_id, co_driver_id,"
            " origin_region_id, cargo, planned_arrival, validity_hours, status, filed_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                enterprise_id,
                vehicle_id,
                driver_id,
                co_driver_id,
                origin_region_id,
                cargo,
                to_millis(planned_arrival),
                validity_hours,
                status.value,
                filed_by,
                to_millis(created_at),
            ),
        )
        application = self.get(new_id)
        assert application is not None  # just inserted in this transaction
        return application

    def get(self, application_id: int) -> TripApplication | None:
        """The application with this id, or None."""
        row = self._one("SELECT * FROM applications WHERE id = ?", (application_id,))
        return _application(row) if row else None

    def decide(
        self,
        application_id: int,
        status: ApplicationStatus,
        decided_by: int,
        decided_at: datetime,
        reason: str,
    ) -> bool:
        """Record a decision on a SUBMITTED application. False if it was no longer SUBMITTED:
        of two reviewers deciding at once exactly one sees True."""
        cursor = self.conn.execute(
            "UPDATE applications SET status = ?, decided_by = ?, decided_at = ?,"
            " decision_reason = ? WHERE id = ? AND status = 'SUBMITTED'",
            (status.value, decided_by, to_millis(decided_at), reason, application_id),
        )
        return cursor.rowcount == 1

    def update_open(self, application: TripApplication) -> bool:
        """Overwrite an application that is still DRAFT or SUBMITTED; False if decided."""
        cursor = self.conn.execute(
            "UPDATE applications SET vehicle_id = ?, driver_id = ?, co_driver_id = ?,"
            " origin_region_id = ?, cargo = ?, planned_arrival = ?, validity_hours = ?"
            " WHERE id = ? AND status IN ('DRAFT', 'SUBMITTED')",
            (
                application.vehicle_id,
                application.driver_id,
                application.co_driver_id,
                application.origin_region_id,
                application.cargo,
                to_millis(application.planned_arrival),
                application.validity_hours,
                application.id,
            ),
        )
        return cursor.rowcount == 1

    def move(
        self,
        application_id: int,
        allowed_from: tuple[ApplicationStatus, ...],
        to: ApplicationStatus,
    ) -> bool:
        """Change the status if it is one of ``allowed_from`` (checked in the same UPDATE)."""
        marks = ", ".join("?" for _ in allowed_from)
        cursor = self.conn.execute(
            f"UPDATE applications SET status = ? WHERE id = ? AND status IN ({marks})",
            (to.value, application_id, *(status.value for status in allowed_from)),
        )
        return cursor.rowcount == 1

    def search(self, query: ApplicationQuery) -> Page[ApplicationView]:
        """Applications joined with plate, driver, enterprise, region and pass serial."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if query.text:
            where.append(
                "(v.plate LIKE :like ESCAPE '\\' OR d.name LIKE :like ESCAPE '\\'"
                " OR e.name LIKE :like ESCAPE '\\')"
            )
            params["like"] = _like(query.text)
        if query.statuses:
            where.append(_in_clause("a.status", query.statuses, params))
        for column, value in (
            ("a.enterprise_id", query.enterprise_id),
            ("a.id", query.application_id),
            ("a.vehicle_id", query.vehicle_id),
            ("a.driver_id", query.driver_id),
        ):
            if value is not None:
                name = column.replace(".", "_")
                where.append(f"{column} = :{name}")
                params[name] = value
        if query.risk_only:
            where.append("r.level <> 'LOW'")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = _APPLICATION_SORT.get(query.sort, "a.created_at")
        direction = "DESC" if query.descending else "ASC"
        rows = self._rows(
            f"SELECT a.*, v.plate AS v_plate, d.name AS d_name, e.name AS e_name,"
            f" e.whitelisted AS e_whitelisted,"
            f" r.name AS r_name, r.level AS r_level, u.display_name AS u_name,"
            f" p.serial AS p_serial {_APPLICATION_JOIN} {clause}"
            f" ORDER BY {order} {direction}, a.id {direction} LIMIT :limit OFFSET :offset",
            {**params, "limit": max(0, query.limit), "offset": max(0, query.offset)},
        )
        total = self._one(f"SELECT count(*) AS n {_APPLICATION_JOIN} {clause}", params)
        views = tuple(
            ApplicationView(
                application=_application(row),
                plate=row["v_plate"],
                driver_name=row["d_name"],
                enterprise_name=row["e_name"],
                region_name=row["r_name"],
                risk=RiskLevel(row["r_level"]),
                filed_by_name=row["u_name"],
                pass_serial=row["p_serial"],
                enterprise_whitelisted=bool(row["e_whitelisted"]),
            )
            for row in rows
        )
        return Page(views, int(total["n"]) if total else 0)


_APPLICATION_JOIN = (
    "FROM applications a JOIN vehicles v ON v.id = a.vehicle_id"
    " JOIN drivers d ON d.id = a.driver_id JOIN enterprises e ON e.id = a.enterprise_id"
    " JOIN risk_regions r ON r.id = a.origin_region_id JOIN users u ON u.id = a.filed_by"
    " LEFT JOIN passes p ON p.application_id = a.id"
)
_APPLICATION_SORT = {
    "created_at": "a.created_at",
    "planned_arrival": "a.planned_arrival",
    "status": "a.status",
    "plate": "v.plate",
    "enterprise": "e.name",
    "risk": "r.level",
}


def _audit_details(text: Any) -> dict[str, Any]:
    """An entry's details; text that is not a JSON object (a row edited behind the triggers'
    back) is shown as it stands instead of failing the whole page. Verification, which
    hashes the stored text, reports such a row anyway."""
    try:
        details = json.loads(text)
    except (TypeError, ValueError):
        return {"raw": str(text)}
    return details if isinstance(details, dict) else {"raw": str(text)}


def _audit_entry(row: Row) -> AuditEntry:
    return AuditEntry(
        seq=row["seq"],
        at=from_millis(row["at"]),
        actor=row["actor"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        details=_audit_details(row["details"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


_MAX_SEQ_DIGITS = 18


class SqlAuditLog(_Repository):
    """Table ``audit_log``: append-only (triggers refuse UPDATE and DELETE), hash-chained."""

    table = "audit_log"
    sortable: ClassVar[Mapping[str, str]] = {"seq": "seq", "at": "seq"}
    default_sort = "seq"
    tiebreak = "seq"

    def append(
        self,
        at: datetime,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        details: dict[str, Any],
    ) -> AuditEntry:
        """Link a new entry after the current head. Call inside ``store.transaction()``:
        the write lock it holds is what keeps two writers from linking to the same head."""
        head = self._one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        seq = head["seq"] + 1 if head else 1
        prev_hash = head["hash"] if head else GENESIS_HASH
        # Round-trip through storage precision (ms) so the hash is what verify recomputes.
        entry = AuditEntry(
            seq, from_millis(to_millis(at)), actor, action, entity, entity_id, details, prev_hash
        )
        digest = entry_hash(prev_hash, entry)
        self._write(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, details,"
            " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                seq,
                to_millis(at),
                actor,
                action,
                entity,
                entity_id,
                canonical_details(details),
                prev_hash,
                digest,
            ),
        )
        return AuditEntry(
            seq, entry.at, actor, action, entity, entity_id, details, prev_hash, digest
        )

    def entries(self, from_seq: int = 1) -> list[AuditEntry]:
        """Entries from ``from_seq`` on, in sequence order."""
        rows = self._rows("SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq", (from_seq,))
        return [_audit_entry(row) for row in rows]

    def count(self) -> int:
        """Number of entries in the log."""
        row = self._one("SELECT count(*) AS n FROM audit_log")
        return int(row["n"]) if row else 0

    def raw_entries(self, from_seq: int = 1) -> Iterator[RawEntry]:
        """Entries as stored, in sequence order, streamed (a million rows never sit in memory).

        In WAL mode the read sees one snapshot and does not hold up writers on other
        connections; a long verification in the GUI runs on a connection of its own."""
        return audit_chain.raw_rows(self.conn, from_seq)

    def encoded_entries(self, from_seq: int | None = None) -> Iterator[EncodedEntry]:
        """Entries from ``from_seq`` on (all with None) as ``core.audit`` checks them."""
        low = audit_chain.FIRST_SEQ if from_seq is None else from_seq
        return audit_chain.encoded_rows(self.conn, low)

    def raw_entry(self, seq: int) -> RawEntry:
        """The entry ``seq`` as stored (KeyError when there is none)."""
        return audit_chain.raw_row(self.conn, seq)

    def checked_parts(self) -> Generator[PartCheck, None, None] | None:
        """The log checked in parts by worker processes; None when one process is quicker."""
        return audit_chain.checked_parts(self.conn)

    def head(self) -> tuple[int, str] | None:
        """The last entry's ``(seq, hash)``, or None for an empty log."""
        row = self._one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return (int(row["seq"]), str(row["hash"])) if row else None

    def heads(self) -> list[SignedHead]:
        """Every signed head stored in the database, by seq."""
        rows = self._rows("SELECT * FROM audit_heads ORDER BY seq")
        return [
            SignedHead(row["seq"], row["hash"], row["at"], row["key_id"], bytes(row["signature"]))
            for row in rows
        ]

    def add_head(self, head: SignedHead) -> None:
        """Store a signed head (a head already stored for that seq is kept)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO audit_heads (seq, hash, at, key_id, signature)"
            " VALUES (?, ?, ?, ?, ?)",
            (head.seq, head.hash, head.at, head.key_id, head.signature),
        )

    def search(self, query: AuditQuery) -> Page[AuditEntry]:
        """A page of entries matching the filters (newest first unless ``sort`` says).

        A text of the form ``#42`` finds entry 42 by its sequence number (what verification
        reports); any other text matches user, action or record id."""
        where: list[str] = []
        params: dict[str, Any] = {}
        number = query.text.strip()
        if number.startswith("#") and number[1:].isascii() and number[1:].isdigit():
            where.append("seq = :seq")
            digits = number[1:]
            # More digits than SQLite's 64-bit INTEGER holds name no entry.
            params["seq"] = int(digits) if len(digits) <= _MAX_SEQ_DIGITS else -1
        elif query.text:
            where.append(
                "(actor LIKE :like ESCAPE '\\' OR action LIKE :like ESCAPE '\\'"
                " OR entity_id LIKE :like ESCAPE '\\')"
            )
            params["like"] = _like(query.text)
        if query.actor:
            where.append("actor = :actor")
            params["actor"] = query.actor
        if query.action:
            where.append("(action = :action OR action LIKE :action_prefix ESCAPE '\\')")
            params["action"] = query.action
            params["action_prefix"] = _like(query.action)[1:-1] + ".%"
        if query.entity:
            where.append("entity = :entity")
            params["entity"] = query.entity
        if query.since is not None:
            where.append("at >= :since")
            params["since"] = to_millis(query.since)
        if query.until is not None:
            where.append("at <= :until")
            params["until"] = to_millis(query.until)
        unscoped = replace(query, enterprise_id=None, descending=not query.sort or query.descending)
        return self._search(unscoped, where, params, _audit_entry)
