"""The services as a user meets them: registry, accounts and login, fleet, searches, audit."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.audit import verify_chain
from core.errors import (
    AccountLocked,
    AuthenticationFailed,
    Duplicate,
    InvalidState,
    NotFound,
    PermissionDenied,
)
from core.forms import FormInvalid
from core.models import CheckpointKind, Page, RiskLevel, Role, User
from core.passwords import ScryptParams, hash_password
from core.ports import SearchQuery
from core.services import Services
from core.services.accounts import UserInput
from core.services.fleet import DriverInput, VehicleInput
from core.services.registry import CheckpointInput, EnterpriseInput, RiskRegionInput
from core.validation import PlateKind, ValidationCode
from db.store import SqliteStore
from tests.conftest import FAST_HASH, FakeClock

C = ValidationCode
PASSWORD = "correct-horse-battery"
TABLES = {
    "enterprises",
    "checkpoints",
    "risk_regions",
    "vehicles",
    "drivers",
    "users",
    "applications",
    "passes",
    "scan_events",
    "settings",
    "audit_log",
}

# Independent restatements of the two checksums, to build valid test identities.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_number(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True))
    return body17 + "10X98765432"[total % 11]


def credit_code(body17: str) -> str:
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body17, CREDIT_WEIGHTS, strict=True))
    return body17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


CC1 = "91350100M000100Y43"  # SECURITY.md's example
CC2 = credit_code("91330482MA2000002")
CC3 = credit_code("91330482MA2000003")
ID_X = "11010519491231002X"  # SECURITY.md's example, check character X
_FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def table_counts(store: SqliteStore) -> dict[str, int]:
    """Rows in every table: any change anywhere shows up as a different snapshot."""
    names = [
        row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    return {
        name: store.conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
    }


def new_entries(store: SqliteStore, before: int) -> list[tuple[str, str, str]]:
    """(actor, action, entity) of the audit entries appended after ``before`` entries."""
    return [(e.actor, e.action, e.entity) for e in store.audit.entries(before + 1)]


@dataclass(frozen=True)
class World:
    admin: User
    clerk: User
    other_clerk: User
    enterprise_id: int
    other_enterprise_id: int


@pytest.fixture
def world(services: Services) -> World:
    admin = services.accounts.create_first_admin("root", "管理员", PASSWORD)
    e1 = services.registry.add_enterprise(admin, EnterpriseInput("平湖一号机械有限公司", CC1))
    e2 = services.registry.add_enterprise(admin, EnterpriseInput("平湖二号物流有限公司", CC2))
    clerk = services.accounts.create_user(
        admin, UserInput("clerk1", "报备员一", Role.CLERK, PASSWORD, enterprise_id=e1.id)
    )
    other = services.accounts.create_user(
        admin, UserInput("clerk2", "报备员二", Role.CLERK, PASSWORD, enterprise_id=e2.id)
    )
    return World(admin, clerk, other, e1.id, e2.id)


# --- enterprises, checkpoints, risk regions ------------------------------------------------------


def test_add_enterprise_creates_its_enterprise_checkpoint(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = store.audit.count()
    third = services.registry.add_enterprise(world.admin, EnterpriseInput("平湖三号公司", CC3))
    assert new_entries(store, before) == [
        ("root", "enterprise.add", "enterprise"),
        ("root", "checkpoint.add", "checkpoint"),
    ]
    points = {p.code: p for p in services.registry.list_checkpoints(world.admin)}
    assert sorted(points) == ["E0001", "E0002", "E0003"]
    for code, enterprise_id in (("E0001", 1), ("E0002", 2), ("E0003", third.id)):
        assert points[code].kind is CheckpointKind.ENTERPRISE
        assert points[code].enterprise_id == enterprise_id
    assert points["E0003"].name == "平湖三号公司"


def test_add_enterprise_normalizes_identifiers(services: Services, world: World) -> None:
    form = EnterpriseInput(
        " 平湖三号公司 ",
        " " + CC3.lower() + " ",
        contact_name="王伟",
        contact_phone="+86 138-0013-8000",
    )
    added = services.registry.add_enterprise(world.admin, form)
    stored = services.registry.get_enterprise(world.admin, added.id)
    assert (stored.name, stored.credit_code, stored.contact_phone) == (
        "平湖三号公司",
        CC3,
        "13800138000",
    )


def test_update_enterprise_changes_it_and_renames_its_checkpoint(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = store.audit.count()
    form = EnterpriseInput(
        "平湖一号精密机械有限公司", CC1, "平湖市新华路1号", "李娜", "13900139000"
    )
    services.registry.update_enterprise(world.admin, world.enterprise_id, form)
    stored = services.registry.get_enterprise(world.admin, world.enterprise_id)
    assert (stored.name, stored.address, stored.contact_name, stored.contact_phone) == (
        "平湖一号精密机械有限公司",
        "平湖市新华路1号",
        "李娜",
        "13900139000",
    )
    assert new_entries(store, before) == [("root", "enterprise.update", "enterprise")]
    # The enterprise's own point carries its name at the gate; the other one is untouched.
    assert services.registry.checkpoint_by_code(world.admin, "E0001").name == form.name
    assert services.registry.checkpoint_by_code(world.admin, "E0002").name == "平湖二号物流有限公司"


def test_update_missing_enterprise_is_not_found(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    with pytest.raises(NotFound):
        services.registry.update_enterprise(world.admin, 999, EnterpriseInput("某公司", CC3))
    assert table_counts(store) == before


def test_duplicate_credit_code_is_refused_in_any_spelling(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    for spelling in (CC1, CC1.lower(), f"  {CC1}  ", CC1.translate(_FULL_WIDTH)):
        with pytest.raises(Duplicate) as caught:
            services.registry.add_enterprise(world.admin, EnterpriseInput("另一家公司", spelling))
        assert caught.value.field == "credit_code"
    with pytest.raises(Duplicate) as caught:
        services.registry.update_enterprise(
            world.admin, world.other_enterprise_id, EnterpriseInput("平湖二号物流有限公司", CC1)
        )
    assert caught.value.field == "credit_code"
    assert table_counts(store) == before
    assert (
        services.registry.get_enterprise(world.admin, world.other_enterprise_id).credit_code == CC2
    )


def test_checkpoints_gate_and_isolation(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = store.audit.count()
    gate = services.registry.add_checkpoint(
        world.admin, CheckpointInput("ｇ０１", "平湖北卡口", CheckpointKind.GATE)
    )
    assert (gate.code, gate.kind, gate.enterprise_id) == ("G01", CheckpointKind.GATE, None)
    services.registry.add_checkpoint(
        world.admin, CheckpointInput("I01", "隔离点", CheckpointKind.ISOLATION)
    )
    services.registry.set_checkpoint_active(world.admin, gate.id, False)
    assert not services.registry.checkpoint_by_code(world.admin, " g01 ").active
    assert [a for _, a, _ in new_entries(store, before)] == [
        "checkpoint.add",
        "checkpoint.add",
        "checkpoint.active",
    ]
    snapshot = table_counts(store)
    with pytest.raises(Duplicate) as caught:
        services.registry.add_checkpoint(
            world.admin, CheckpointInput("G01", "重名卡口", CheckpointKind.GATE)
        )
    assert caught.value.field == "code"
    with pytest.raises(NotFound):
        services.registry.set_checkpoint_active(world.admin, 999, True)
    with pytest.raises(NotFound):
        services.registry.checkpoint_by_code(world.admin, "G99")
    assert table_counts(store) == snapshot


def test_enterprise_checkpoints_come_only_with_their_enterprise(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    with pytest.raises(FormInvalid) as caught:
        services.registry.add_checkpoint(
            world.admin, CheckpointInput("X01", "私设企业点", CheckpointKind.ENTERPRISE)
        )
    assert caught.value.codes() == {"kind": C.BAD_FORMAT}
    # A gate may not take the code the next enterprise's own point will get.
    with pytest.raises(FormInvalid) as caught:
        services.registry.add_checkpoint(
            world.admin, CheckpointInput("E0003", "东门卡口", CheckpointKind.GATE)
        )
    assert caught.value.codes() == {"code": C.BAD_FORMAT}
    assert table_counts(store) == before
    third = services.registry.add_enterprise(world.admin, EnterpriseInput("平湖三号公司", CC3))
    assert services.registry.checkpoint_by_code(world.admin, "E0003").enterprise_id == third.id


def test_risk_regions(services: Services, store: SqliteStore, world: World) -> None:
    before = store.audit.count()
    region = services.registry.add_risk_region(
        world.admin, RiskRegionInput("310115", "上海市浦东新区", RiskLevel.LOW)
    )
    services.registry.set_risk_level(world.admin, region.id, RiskLevel.HIGH)
    assert [r.level for r in services.registry.list_risk_regions(world.admin)] == [RiskLevel.HIGH]
    entries = store.audit.entries(before + 1)
    assert [e.action for e in entries] == ["risk_region.add", "risk_region.level"]
    assert entries[1].details == {"from": "LOW", "to": "HIGH"}
    snapshot = table_counts(store)
    with pytest.raises(Duplicate):
        services.registry.add_risk_region(
            world.admin, RiskRegionInput("310115", "重复", RiskLevel.LOW)
        )
    with pytest.raises(FormInvalid) as invalid:
        services.registry.add_risk_region(world.admin, RiskRegionInput("31011", "", RiskLevel.LOW))
    assert invalid.value.codes() == {"region_code": C.BAD_FORMAT, "name": C.REQUIRED}
    with pytest.raises(NotFound):
        services.registry.set_risk_level(world.admin, 999, RiskLevel.LOW)
    assert table_counts(store) == snapshot


# --- form errors come all at once, and change nothing ---------------------------------------


def test_enterprise_form_reports_every_bad_field(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    form = EnterpriseInput("", "91350100M000100Y44", "新华路\u200b1号", "王5", "12345")
    with pytest.raises(FormInvalid) as caught:
        services.registry.add_enterprise(world.admin, form)
    assert caught.value.codes() == {
        "name": C.REQUIRED,
        "credit_code": C.BAD_CHECKSUM,
        "address": C.BAD_CHARACTER,
        "contact_name": C.BAD_CHARACTER,
        "contact_phone": C.BAD_FORMAT,
    }
    with pytest.raises(FormInvalid):
        services.registry.update_enterprise(world.admin, world.enterprise_id, form)
    assert table_counts(store) == before


def test_checkpoint_form_reports_every_bad_field(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    with pytest.raises(FormInvalid) as caught:
        services.registry.add_checkpoint(
            world.admin, CheckpointInput("", "  ", CheckpointKind.ENTERPRISE)
        )
    assert caught.value.codes() == {"code": C.REQUIRED, "name": C.REQUIRED, "kind": C.BAD_FORMAT}
    assert table_counts(store) == before


def test_user_form_reports_every_bad_field(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    form = UserInput("9lives", "", Role.CLERK, "short", enterprise_id=None, checkpoint_id=1)
    with pytest.raises(FormInvalid) as caught:
        services.accounts.create_user(world.admin, form)
    assert caught.value.codes() == {
        "username": C.BAD_FORMAT,
        "display_name": C.REQUIRED,
        "password": C.WEAK_PASSWORD,
        "enterprise_id": C.REQUIRED,
        "checkpoint_id": C.BAD_FORMAT,
    }
    assert table_counts(store) == before


def test_missing_username_is_not_blamed_on_the_password(services: Services, world: World) -> None:
    with pytest.raises(FormInvalid) as caught:
        services.accounts.create_user(world.admin, UserInput("", "新人", Role.REVIEWER, PASSWORD))
    assert caught.value.codes() == {"username": C.REQUIRED}


@pytest.mark.parametrize(
    ("binding", "expected"),
    [
        ((Role.CLERK, None, None), {"enterprise_id": C.REQUIRED}),
        ((Role.CLERK, 999, None), {"enterprise_id": C.REQUIRED}),
        ((Role.OPERATOR, None, None), {"checkpoint_id": C.REQUIRED}),
        ((Role.OPERATOR, None, 999), {"checkpoint_id": C.REQUIRED}),
        ((Role.REVIEWER, 1, None), {"enterprise_id": C.BAD_FORMAT}),
        ((Role.SUPERVISOR, None, 1), {"checkpoint_id": C.BAD_FORMAT}),
    ],
)
def test_user_bindings(
    services: Services,
    store: SqliteStore,
    world: World,
    binding: tuple[Role, int | None, int | None],
    expected: dict[str, ValidationCode],
) -> None:
    """Clerks belong to an enterprise, operators to a checkpoint, nobody else to either."""
    before = table_counts(store)
    role, enterprise_id, checkpoint_id = binding
    form = UserInput("newbie", "新人", role, PASSWORD, enterprise_id, checkpoint_id)
    with pytest.raises(FormInvalid) as caught:
        services.accounts.create_user(world.admin, form)
    assert caught.value.codes() == expected
    assert table_counts(store) == before


def test_vehicle_and_driver_forms_report_every_bad_field(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    with pytest.raises(FormInvalid) as caught:
        services.fleet.add_vehicle(world.clerk, VehicleInput("浙I12345", "冷藏车\u202e"))
    assert caught.value.codes() == {"plate": C.FORBIDDEN_LETTER, "description": C.BAD_CHARACTER}
    with pytest.raises(FormInvalid) as caught:
        services.fleet.add_driver(world.clerk, DriverInput("", "11010519491231002Y", "2345"))
    assert caught.value.codes() == {
        "name": C.REQUIRED,
        "id_number": C.BAD_FORMAT,
        "phone": C.BAD_FORMAT,
    }
    assert table_counts(store) == before


def test_birth_date_is_judged_by_the_services_clock(
    services: Services, clock: FakeClock, world: World
) -> None:
    born_tomorrow = id_number(f"330482{(clock() + timedelta(days=2)):%Y%m%d}001")
    with pytest.raises(FormInvalid) as caught:
        services.fleet.add_driver(world.clerk, DriverInput("王伟", born_tomorrow, "13800138000"))
    assert caught.value.codes() == {"id_number": C.FUTURE_DATE}
    clock.advance(days=3)
    driver = services.fleet.add_driver(
        world.clerk, DriverInput("王伟", born_tomorrow, "13800138000")
    )
    assert driver.id_number == born_tomorrow


# --- duplicates ---------------------------------------------------------------------------------


def test_plate_is_registered_once_system_wide(
    services: Services, store: SqliteStore, world: World
) -> None:
    vehicle = services.fleet.add_vehicle(world.clerk, VehicleInput("浙f·12345", "冷藏车"))
    assert (vehicle.plate, vehicle.plate_kind, vehicle.needs_review) == (
        "浙F12345",
        PlateKind.ORDINARY.value,
        False,
    )
    before = table_counts(store)
    for spelling in ("浙F12345", " 浙F 12345 ", "浙ｆ１２３４５"):
        for clerk in (world.clerk, world.other_clerk):
            with pytest.raises(Duplicate) as caught:
                services.fleet.add_vehicle(clerk, VehicleInput(spelling))
            assert caught.value.field == "plate"
    second = services.fleet.add_vehicle(world.clerk, VehicleInput("浙F54321"))
    snapshot = table_counts(store)
    with pytest.raises(Duplicate) as caught:
        services.fleet.update_vehicle(world.clerk, second.id, VehicleInput("浙F12345"))
    assert caught.value.field == "plate"
    assert table_counts(store) == snapshot
    assert before["vehicles"] + 1 == snapshot["vehicles"]


def test_id_number_is_registered_once_system_wide(
    services: Services, store: SqliteStore, world: World
) -> None:
    services.fleet.add_driver(world.clerk, DriverInput("张三", ID_X, "13800138000"))
    before = table_counts(store)
    for spelling in (ID_X, ID_X.lower(), f" {ID_X} "):
        with pytest.raises(Duplicate) as caught:
            services.fleet.add_driver(
                world.other_clerk, DriverInput("李四", spelling, "13900139000")
            )
        assert caught.value.field == "id_number"
    assert table_counts(store) == before


def test_username_is_registered_once_whatever_the_case(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    for spelling in ("clerk1", "Clerk1", " CLERK1 "):
        form = UserInput(spelling, "冒名", Role.REVIEWER, PASSWORD)
        with pytest.raises(Duplicate) as caught:
            services.accounts.create_user(world.admin, form)
        assert caught.value.field == "username"
    assert table_counts(store) == before


# --- SQL metacharacters, emoji, zero-width and RTL in every text field ----------------------


SQL_PAYLOADS = (
    "Robert'); DROP TABLE vehicles;--",
    "x' OR 'a'='a",
    '"; DELETE FROM users; --',
    "%_\\ LIKE '%'",
)
UNSAFE_PAYLOADS = (
    "张\u200b三",  # zero-width space
    "abc\u202edcba",  # right-to-left override
    "货车🚚",  # emoji
    "\ufeff名字",  # byte-order mark
    "王\n伟",  # line break
)


@dataclass(frozen=True)
class TextField:
    """A form field: submit ``value`` in it (everything else valid) and read it back."""

    name: str
    form_field: str  # the field the form marks
    submit: Callable[[Services, World, str], object]
    stored: Callable[[SqliteStore, object], str]
    free_text: bool  # free text may store SQL metacharacters verbatim; identifiers never do


def _enterprise(field: str) -> TextField:
    def submit(s: Services, w: World, value: str) -> object:
        values = {"name": "平湖三号公司", "credit_code": CC3, "address": "", "contact_name": ""}
        values["contact_phone"] = ""
        values[field] = value
        return s.registry.add_enterprise(w.admin, EnterpriseInput(**values))

    def stored(store: SqliteStore, record: object) -> str:
        row = store.enterprises.get(record.id)  # type: ignore[attr-defined]
        assert row is not None
        return str(getattr(row, field))

    free = field in ("name", "address", "contact_name")
    return TextField(f"enterprise.{field}", field, submit, stored, free)


def _checkpoint(field: str) -> TextField:
    def submit(s: Services, w: World, value: str) -> object:
        values = {"code": "G01", "name": "卡口"} | {field: value}
        return s.registry.add_checkpoint(
            w.admin, CheckpointInput(values["code"], values["name"], CheckpointKind.GATE)
        )

    def stored(store: SqliteStore, record: object) -> str:
        row = store.checkpoints.get(record.id)  # type: ignore[attr-defined]
        assert row is not None
        return str(getattr(row, field))

    return TextField(f"checkpoint.{field}", field, submit, stored, field == "name")


def _region(field: str) -> TextField:
    def submit(s: Services, w: World, value: str) -> object:
        values = {"code": "310115", "name": "浦东"} | {field: value}
        return s.registry.add_risk_region(
            w.admin, RiskRegionInput(values["code"], values["name"], RiskLevel.LOW)
        )

    def stored(store: SqliteStore, record: object) -> str:
        row = store.risk_regions.get(record.id)  # type: ignore[attr-defined]
        assert row is not None
        return str(getattr(row, field))

    form_field = "region_code" if field == "code" else field
    return TextField(f"risk_region.{field}", form_field, submit, stored, field == "name")


def _vehicle(field: str) -> TextField:
    def submit(s: Services, w: World, value: str) -> object:
        values = {"plate": "浙F12345", "description": ""} | {field: value}
        return s.fleet.add_vehicle(w.clerk, VehicleInput(values["plate"], values["description"]))

    def stored(store: SqliteStore, record: object) -> str:
        row = store.vehicles.get(record.id)  # type: ignore[attr-defined]
        assert row is not None
        return str(getattr(row, field))

    return TextField(f"vehicle.{field}", field, submit, stored, field == "description")


def _driver(field: str) -> TextField:
    def submit(s: Services, w: World, value: str) -> object:
        values = {"name": "王伟", "id_number": ID_X, "phone": "13800138000"} | {field: value}
        return s.fleet.add_driver(w.clerk, DriverInput(**values))

    def stored(store: SqliteStore, record: object) -> str:
        row = store.drivers.get(record.id)  # type: ignore[attr-defined]
        assert row is not None
        return str(getattr(row, field))

    return TextField(f"driver.{field}", field, submit, stored, field == "name")


def _user(field: str) -> TextField:
    def submit(s: Services, w: World, value: str) -> object:
        values = {"username": "newbie", "display_name": "新人"} | {field: value}
        form = UserInput(values["username"], values["display_name"], Role.REVIEWER, PASSWORD)
        return s.accounts.create_user(w.admin, form)

    def stored(store: SqliteStore, record: object) -> str:
        row = store.users.get(record.id)  # type: ignore[attr-defined]
        assert row is not None
        return str(getattr(row, field))

    return TextField(f"user.{field}", field, submit, stored, field == "display_name")


TEXT_FIELDS = (
    *(_enterprise(f) for f in ("name", "credit_code", "address", "contact_name", "contact_phone")),
    *(_checkpoint(f) for f in ("code", "name")),
    *(_region(f) for f in ("code", "name")),
    *(_vehicle(f) for f in ("plate", "description")),
    *(_driver(f) for f in ("name", "id_number", "phone")),
    *(_user(f) for f in ("username", "display_name")),
)


def _assert_intact(services: Services, store: SqliteStore) -> None:
    assert set(table_counts(store)) >= TABLES
    assert verify_chain(store.audit.entries()).ok


@pytest.mark.parametrize("payload", SQL_PAYLOADS)
@pytest.mark.parametrize("field", TEXT_FIELDS, ids=lambda f: f.name)
def test_sql_metacharacters_are_refused_or_stored_verbatim(
    services: Services, store: SqliteStore, world: World, field: TextField, payload: str
) -> None:
    before = table_counts(store)
    form_field = field.form_field
    try:
        record = field.submit(services, world, payload)
    except FormInvalid as error:
        assert set(error.codes()) == {form_field}
        assert table_counts(store) == before
    else:
        assert field.free_text, "an identifier accepted SQL metacharacters"
        assert field.stored(store, record) == payload
    _assert_intact(services, store)


@pytest.mark.parametrize("payload", UNSAFE_PAYLOADS, ids=ascii)
@pytest.mark.parametrize("field", TEXT_FIELDS, ids=lambda f: f.name)
def test_invisible_bidi_and_emoji_characters_are_refused(
    services: Services, store: SqliteStore, world: World, field: TextField, payload: str
) -> None:
    before = table_counts(store)
    form_field = field.form_field
    with pytest.raises(FormInvalid) as caught:
        field.submit(services, world, payload)
    assert set(caught.value.codes()) == {form_field}
    if field.free_text:
        assert caught.value.codes()[form_field] is C.BAD_CHARACTER
    assert table_counts(store) == before
    _assert_intact(services, store)


@pytest.mark.parametrize(
    "text", ["Ａｃｍｅ贸易", "Müller·Schmidt", "欧阳·娜娜", "O'Brien"], ids=ascii
)
def test_full_width_latin_and_middle_dot_names_are_kept(
    services: Services, store: SqliteStore, world: World, text: str
) -> None:
    driver = services.fleet.add_driver(world.clerk, DriverInput(text, ID_X, "13800138000"))
    stored = store.drivers.get(driver.id)
    assert stored is not None and stored.name == text


def test_sql_metacharacters_in_a_password_are_just_characters(
    services: Services, store: SqliteStore, world: World
) -> None:
    secret = "x'); DROP TABLE users;--"
    services.accounts.create_user(world.admin, UserInput("quoted", "引号", Role.REVIEWER, secret))
    assert services.accounts.login("quoted", secret).username == "quoted"
    with pytest.raises(AuthenticationFailed):
        services.accounts.login("quoted", "' OR '1'='1")
    _assert_intact(services, store)


@pytest.mark.parametrize("text", [*SQL_PAYLOADS, "%", "_", "\\", "' OR 1=1 --"], ids=ascii)
def test_searches_treat_metacharacters_as_text(
    services: Services, store: SqliteStore, world: World, text: str
) -> None:
    services.fleet.add_vehicle(world.clerk, VehicleInput("浙F12345", "冷藏车"))
    services.fleet.add_driver(world.clerk, DriverInput("王伟", ID_X, "13800138000"))
    query = SearchQuery(text=text)
    assert services.fleet.search_vehicles(world.clerk, query).total == 0
    assert services.fleet.search_drivers(world.clerk, query).total == 0
    assert services.registry.search_enterprises(world.admin, query).total == 0
    assert services.accounts.search_users(world.admin, query).total == 0
    hostile_sort = SearchQuery(sort="plate; DROP TABLE vehicles", descending=True)
    assert services.fleet.search_vehicles(world.clerk, hostile_sort).total == 1
    _assert_intact(services, store)


# --- every write is audited (and reads are not) ------------------------------------------------


def test_each_write_appends_its_audit_entries(
    services: Services, store: SqliteStore, world: World
) -> None:
    admin, clerk = world.admin, world.clerk
    registry, accounts, fleet = services.registry, services.accounts, services.fleet

    def appended() -> list[str]:
        nonlocal seen
        actions = [e.action for e in store.audit.entries(seen + 1)]
        seen = store.audit.count()
        return actions

    seen = store.audit.count()
    third = registry.add_enterprise(admin, EnterpriseInput("三号", CC3))
    assert appended() == ["enterprise.add", "checkpoint.add"]
    registry.update_enterprise(admin, third.id, EnterpriseInput("三号厂", CC3))
    assert appended() == ["enterprise.update"]
    gate = registry.add_checkpoint(admin, CheckpointInput("G01", "卡口", CheckpointKind.GATE))
    assert appended() == ["checkpoint.add"]
    registry.set_checkpoint_active(admin, gate.id, False)
    assert appended() == ["checkpoint.active"]
    region = registry.add_risk_region(admin, RiskRegionInput("310115", "浦东", RiskLevel.LOW))
    assert appended() == ["risk_region.add"]
    registry.set_risk_level(admin, region.id, RiskLevel.HIGH)
    assert appended() == ["risk_region.level"]
    reviewer = accounts.create_user(admin, UserInput("rev", "审核", Role.REVIEWER, PASSWORD))
    assert appended() == ["user.add"]
    accounts.set_active(admin, reviewer.id, False)
    assert appended() == ["user.active"]
    accounts.reset_password(admin, reviewer.id, "another-password")
    assert appended() == ["user.password"]
    accounts.change_own_password(clerk, PASSWORD, "another-password")
    assert appended() == ["user.password"]
    accounts.login("clerk1", "another-password")
    assert appended() == ["login"]
    vehicle = fleet.add_vehicle(clerk, VehicleInput("浙F12345"))
    assert appended() == ["vehicle.add"]
    fleet.update_vehicle(clerk, vehicle.id, VehicleInput("浙F54321"))
    assert appended() == ["vehicle.update"]
    driver = fleet.add_driver(clerk, DriverInput("王伟", ID_X, "13800138000"))
    assert appended() == ["driver.add"]
    fleet.update_driver(clerk, driver.id, DriverInput("王伟", ID_X, "13900139000"))
    assert appended() == ["driver.update"]
    fleet.reveal_id_number(clerk, driver.id)
    assert appended() == ["driver.reveal_id"]
    assert {e.actor for e in store.audit.entries(2)} == {"root", "clerk1"}


def test_reads_append_no_audit_entries(
    services: Services, store: SqliteStore, world: World
) -> None:
    admin, clerk = world.admin, world.clerk
    registry, accounts, fleet = services.registry, services.accounts, services.fleet
    vehicle = fleet.add_vehicle(clerk, VehicleInput("浙F12345"))
    driver = fleet.add_driver(clerk, DriverInput("王伟", ID_X, "13800138000"))
    before = store.audit.count()
    fleet.search_vehicles(clerk, SearchQuery())
    fleet.get_vehicle(clerk, vehicle.id)
    fleet.search_drivers(clerk, SearchQuery())
    fleet.get_driver(clerk, driver.id)
    registry.search_enterprises(admin, SearchQuery())
    registry.get_enterprise(admin, world.enterprise_id)
    registry.list_checkpoints(admin)
    registry.checkpoint_by_code(admin, "E0001")
    registry.list_risk_regions(admin)
    accounts.search_users(admin, SearchQuery())
    assert services.audit.verify(admin).ok
    assert store.audit.count() == before


def test_audit_chain_holds_no_personal_data(
    services: Services, store: SqliteStore, world: World
) -> None:
    driver = services.fleet.add_driver(world.clerk, DriverInput("欧阳娜娜", ID_X, "13800138000"))
    services.fleet.update_driver(
        world.clerk, driver.id, DriverInput("欧阳娜娜", ID_X, "13912345678")
    )
    services.fleet.reveal_id_number(world.clerk, driver.id)
    chain = json.dumps(
        [[e.actor, e.action, e.entity, e.entity_id, e.details] for e in store.audit.entries()],
        ensure_ascii=False,
    )
    for personal in ("欧阳娜娜", ID_X, "13800138000", "13912345678"):
        assert personal not in chain
    assert store.audit.entries()[-2].details == {"changed": ["phone"]}


# --- accounts and login ------------------------------------------------------------------------


def test_create_first_admin_only_on_an_empty_database(
    services: Services, store: SqliteStore
) -> None:
    assert not services.accounts.has_accounts()
    admin = services.accounts.create_first_admin("Root", "管理员", PASSWORD)
    assert (admin.username, admin.role) == ("root", Role.ADMIN)
    assert services.accounts.has_accounts()
    assert [(e.actor, e.action) for e in store.audit.entries()] == [("system", "user.add")]
    before = table_counts(store)
    with pytest.raises(InvalidState):
        services.accounts.create_first_admin("intruder", "入侵者", PASSWORD)
    assert table_counts(store) == before
    assert services.accounts.login("root", PASSWORD) == admin


def test_login_succeeds_and_is_audited(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = store.audit.count()
    assert services.accounts.login("  Clerk1 ", PASSWORD) == world.clerk
    assert new_entries(store, before) == [("clerk1", "login", "user")]


def test_wrong_password_and_unknown_user_look_the_same(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = store.audit.count()
    with pytest.raises(AuthenticationFailed) as wrong:
        services.accounts.login("clerk1", "not-the-password")
    with pytest.raises(AuthenticationFailed) as unknown:
        services.accounts.login("nobody", "not-the-password")
    assert type(wrong.value) is type(unknown.value)
    assert (wrong.value.code, str(wrong.value)) == (unknown.value.code, str(unknown.value))
    assert [a for _, a, _ in new_entries(store, before)] == ["login.failed", "login.unknown_user"]
    # An unknown name leaves no account behind and never locks.
    for _ in range(8):
        with pytest.raises(AuthenticationFailed):
            services.accounts.login("nobody", "not-the-password")
    assert services.store.users.credentials("nobody") is None


def test_lockout_after_five_failures_and_its_expiry(
    services: Services, clock: FakeClock, world: World
) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.accounts.login("clerk1", "wrong-password")
    with pytest.raises(AccountLocked) as locked:
        services.accounts.login("clerk1", "wrong-password")
    assert locked.value.until == clock() + timedelta(seconds=30)
    # Locked means locked: even the right password waits.
    clock.advance(seconds=29)
    with pytest.raises(AccountLocked):
        services.accounts.login("clerk1", PASSWORD)
    clock.advance(seconds=1)
    assert services.accounts.login("clerk1", PASSWORD) == world.clerk
    # Success starts the count afresh: four more mistakes do not lock.
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.accounts.login("clerk1", "wrong-password")


def test_lockout_backs_off_doubling_up_to_an_hour(
    services: Services, clock: FakeClock, world: World
) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.accounts.login("clerk1", "wrong-password")
    locks = []
    for _ in range(10):
        with pytest.raises(AccountLocked) as locked:
            services.accounts.login("clerk1", "wrong-password")
        locks.append(locked.value.until - clock())
        clock.now = locked.value.until
    assert [int(lock.total_seconds()) for lock in locks] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
        3600,
    ]


def test_at_most_a_hundred_failed_logins_an_hour(
    services: Services, store: SqliteStore, clock: FakeClock, world: World
) -> None:
    """An attacker retrying as fast as the lock allows, for three hours."""
    start = clock()
    while clock() < start + timedelta(hours=3):
        try:
            services.accounts.login("clerk1", "guess")
        except AccountLocked as error:
            clock.now = max(clock(), error.until)
        except AuthenticationFailed:
            pass
        clock.advance(milliseconds=100)
    checked = [e.at for e in store.audit.entries() if e.action == "login.failed"]
    assert len(checked) >= 5
    for first in checked:
        in_window = [t for t in checked if first <= t < first + timedelta(hours=1)]
        assert len(in_window) <= 100


def test_disabled_account_cannot_log_in(
    services: Services, store: SqliteStore, world: World
) -> None:
    services.accounts.set_active(world.admin, world.clerk.id, False)
    with pytest.raises(AuthenticationFailed):
        services.accounts.login("clerk1", PASSWORD)
    services.accounts.set_active(world.admin, world.clerk.id, True)
    assert services.accounts.login("clerk1", PASSWORD).active


def test_admin_cannot_disable_itself(services: Services, store: SqliteStore, world: World) -> None:
    before = table_counts(store)
    with pytest.raises(PermissionDenied):
        services.accounts.set_active(world.admin, world.admin.id, False)
    with pytest.raises(NotFound):
        services.accounts.set_active(world.admin, 999, False)
    assert table_counts(store) == before


@pytest.mark.parametrize(
    "template",
    ["short-pw", "x" * 9, "my-{user}-password", "MY-{USER}-PASSWORD", "p" * 129],
)
def test_password_policy(
    services: Services, store: SqliteStore, world: World, template: str
) -> None:
    """Ten to 128 characters, not containing the user name (any case)."""

    def password(user: str) -> str:
        return template.format(user=user, USER=user.upper())

    before = table_counts(store)
    with pytest.raises(FormInvalid) as caught:
        form = UserInput("newbie", "新人", Role.REVIEWER, password("newbie"))
        services.accounts.create_user(world.admin, form)
    assert caught.value.codes() == {"password": C.WEAK_PASSWORD}
    with pytest.raises(FormInvalid) as caught:
        services.accounts.reset_password(world.admin, world.clerk.id, password("clerk1"))
    assert caught.value.codes() == {"password": C.WEAK_PASSWORD}
    with pytest.raises(FormInvalid):
        services.accounts.change_own_password(world.clerk, PASSWORD, password("clerk1"))
    assert table_counts(store) == before
    assert services.accounts.login("clerk1", PASSWORD) == world.clerk


def test_password_of_ten_to_128_characters_is_accepted(services: Services, world: World) -> None:
    for password in ("0123456789", "密" * 128):
        services.accounts.reset_password(world.admin, world.clerk.id, password)
        assert services.accounts.login("clerk1", password) == world.clerk


def test_change_own_password_checks_the_old_one(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    with pytest.raises(AuthenticationFailed):
        services.accounts.change_own_password(world.clerk, "not-the-old-one", "a-new-password")
    assert table_counts(store) == before
    services.accounts.change_own_password(world.clerk, PASSWORD, "a-new-password")
    with pytest.raises(AuthenticationFailed):
        services.accounts.login("clerk1", PASSWORD)
    assert services.accounts.login("clerk1", "a-new-password") == world.clerk


def test_reset_password_clears_a_lockout(services: Services, world: World) -> None:
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.accounts.login("clerk1", "wrong-password")
    with pytest.raises(AccountLocked):
        services.accounts.login("clerk1", "wrong-password")
    services.accounts.reset_password(world.admin, world.clerk.id, "fresh-password")
    assert services.accounts.login("clerk1", "fresh-password") == world.clerk
    with pytest.raises(NotFound):
        services.accounts.reset_password(world.admin, 999, "fresh-password")


def _stored_hash(store: SqliteStore, username: str) -> str:
    creds = store.users.credentials(username)
    assert creds is not None
    return creds.password_hash


def _add_with_hash(store: SqliteStore, username: str, phc: str) -> None:
    with store.transaction() as tx:
        tx.users.add(username, "旧账号", Role.REVIEWER, None, None, phc)


def test_login_rehashes_a_weaker_hash(services: Services, store: SqliteStore) -> None:
    _add_with_hash(store, "legacy", hash_password(PASSWORD, ScryptParams(log_n=8, r=8, p=1)))
    services.accounts.login("legacy", PASSWORD)
    upgraded = _stored_hash(store, "legacy")
    assert upgraded.startswith(f"$scrypt$ln={FAST_HASH.log_n},r=8,p=1$")
    services.accounts.login("legacy", PASSWORD)  # the new hash verifies
    assert _stored_hash(store, "legacy") == upgraded  # and is not rehashed again


def test_login_never_downgrades_a_stronger_hash(services: Services, store: SqliteStore) -> None:
    strong = hash_password(PASSWORD, ScryptParams(log_n=FAST_HASH.log_n + 2, r=8, p=1))
    _add_with_hash(store, "strong", strong)
    services.accounts.login("strong", PASSWORD)
    assert _stored_hash(store, "strong") == strong


def test_wrong_password_does_not_rehash(services: Services, store: SqliteStore) -> None:
    weak = hash_password(PASSWORD, ScryptParams(log_n=8, r=8, p=1))
    _add_with_hash(store, "legacy", weak)
    with pytest.raises(AuthenticationFailed):
        services.accounts.login("legacy", "not-the-password")
    assert _stored_hash(store, "legacy") == weak


# --- fleet -------------------------------------------------------------------------------------


def test_unlisted_plate_layout_needs_the_manual_review_box(
    services: Services, store: SqliteStore, world: World
) -> None:
    before = table_counts(store)
    with pytest.raises(FormInvalid) as caught:
        services.fleet.add_vehicle(world.clerk, VehicleInput("浙F1234"))
    assert caught.value.codes() == {"plate": C.UNRECOGNIZED_PLATE}
    assert table_counts(store) == before
    vehicle = services.fleet.add_vehicle(world.clerk, VehicleInput("浙F1234", manual_review=True))
    assert (vehicle.plate_kind, vehicle.needs_review) == (PlateKind.UNRECOGNIZED.value, True)


def test_update_vehicle_records_the_previous_plate(
    services: Services, store: SqliteStore, world: World
) -> None:
    vehicle = services.fleet.add_vehicle(world.clerk, VehicleInput("浙F12345", "冷藏车"))
    updated = services.fleet.update_vehicle(
        world.clerk, vehicle.id, VehicleInput("浙FD12345", "新能源")
    )
    assert services.fleet.get_vehicle(world.clerk, vehicle.id) == updated
    assert (updated.plate, updated.plate_kind) == ("浙FD12345", PlateKind.NEW_ENERGY_SMALL.value)
    assert store.audit.entries()[-1].details == {
        "plate": "浙FD12345",
        "previous_plate": "浙F12345",
    }
    with pytest.raises(NotFound):
        services.fleet.update_vehicle(world.clerk, 999, VehicleInput("浙F11111"))


def test_update_driver(services: Services, world: World) -> None:
    driver = services.fleet.add_driver(world.clerk, DriverInput("王伟", ID_X, "13800138000"))
    updated = services.fleet.update_driver(
        world.clerk, driver.id, DriverInput("王伟", ID_X.lower(), "+86 139 0013 9000")
    )
    assert services.fleet.get_driver(world.clerk, driver.id) == updated
    assert (updated.id_number, updated.phone) == (ID_X, "13900139000")
    with pytest.raises(NotFound):
        services.fleet.update_driver(world.clerk, 999, DriverInput("王伟", ID_X, "13800138000"))


# --- searches ---------------------------------------------------------------------------------


def _plates(page: Page[object]) -> list[str]:
    return [row.plate for row in page.rows]  # type: ignore[attr-defined]


def test_vehicle_search_text_sort_paging_and_total(services: Services, world: World) -> None:
    plates = [f"浙F1000{i}" for i in (3, 1, 6, 0, 5, 2, 4)]
    for plate in plates:
        services.fleet.add_vehicle(world.clerk, VehicleInput(plate, "冷藏车"))
    services.fleet.add_vehicle(world.clerk, VehicleInput("浙F20000", "重型半挂牵引车"))
    clerk = world.clerk
    everything = services.fleet.search_vehicles(clerk, SearchQuery())
    assert everything.total == 8

    page = services.fleet.search_vehicles(clerk, SearchQuery(text="F1000", sort="plate", limit=3))
    assert (page.total, _plates(page)) == (7, ["浙F10000", "浙F10001", "浙F10002"])
    page = services.fleet.search_vehicles(
        clerk, SearchQuery(text="F1000", sort="plate", limit=3, offset=6)
    )
    assert (page.total, _plates(page)) == (7, ["浙F10006"])
    page = services.fleet.search_vehicles(
        clerk, SearchQuery(text="f1000", sort="plate", descending=True, limit=2)
    )
    assert _plates(page) == ["浙F10006", "浙F10005"]
    page = services.fleet.search_vehicles(clerk, SearchQuery(text="牵引"))
    assert (page.total, _plates(page)) == (1, ["浙F20000"])
    page = services.fleet.search_vehicles(clerk, SearchQuery(text="F1000", offset=50))
    assert (page.total, page.rows) == (7, ())
    # An unknown sort key falls back to the default order (registration order).
    page = services.fleet.search_vehicles(clerk, SearchQuery(sort="no_such_field", limit=3))
    assert _plates(page) == plates[:3]


def test_driver_search_matches_phone_and_id_number_only_in_full(
    services: Services, world: World
) -> None:
    people = [
        ("王伟", id_number("33048219900101001"), "13800138001"),
        ("王芳", ID_X, "13800138002"),
        ("李娜", id_number("33048219850505003"), "13900139003"),
    ]
    for name, number, phone in people:
        services.fleet.add_driver(world.clerk, DriverInput(name, number, phone))

    def names(text: str, sort: str = "") -> list[str]:
        page = services.fleet.search_drivers(world.clerk, SearchQuery(text=text, sort=sort))
        assert page.total == len(page.rows)
        return [d.name for d in page.rows]

    assert names("王", sort="name") == sorted(["王伟", "王芳"])
    assert names("13800138002") == ["王芳"]
    assert names(ID_X) == ["王芳"]
    assert names(ID_X.lower()) == ["王芳"]
    assert names(f" {people[2][1]} ") == ["李娜"]
    # Partial numbers find nobody: a search must not uncover the masked digits.
    for partial in ("1380013800", "138", "8002", "330482", ID_X[:-1], ID_X[4:]):
        assert names(partial) == [], partial
    page = services.fleet.search_drivers(world.clerk, SearchQuery(limit=2, sort="name"))
    assert (page.total, len(page.rows)) == (3, 2)
