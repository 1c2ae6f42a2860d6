"""The demo world (ARCHITECTURE.md "Demo data"): complete, valid, audited and repeatable."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from core.demo import DEMO_PASSWORD, DEMO_USERS, populate
from core.errors import Duplicate
from core.models import ApplicationStatus, CheckpointKind, RiskLevel, Role, TripApplication
from core.ports import SearchQuery
from core.services import Services
from core.validation import (
    normalize_credit_code,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
    normalize_text,
    parse_plate,
)
from db.store import SqliteStore, open_store
from tests.conftest import FAST_HASH, FakeClock, demo_user

ALL = SearchQuery(limit=100_000)


def applications(store: SqliteStore) -> list[TripApplication]:
    found = []
    application_id = 1
    while (application := store.applications.get(application_id)) is not None:
        found.append(application)
        application_id += 1
    return found


def assert_identities_pass_validation(store: SqliteStore, today: date) -> None:
    """Every stored identifier is already in the form the normalizers produce."""
    vehicles = store.vehicles.search(ALL).rows
    drivers = store.drivers.search(ALL).rows
    enterprises = store.enterprises.search(ALL).rows
    assert vehicles and drivers and enterprises
    for vehicle in vehicles:
        plate = parse_plate(vehicle.plate)
        assert (plate.text, plate.kind.value) == (vehicle.plate, vehicle.plate_kind)
        assert not vehicle.needs_review
        assert normalize_text(vehicle.description, field="d", max_length=100) == vehicle.description
    for driver in drivers:
        assert normalize_id_number(driver.id_number, today=today) == driver.id_number
        assert normalize_phone(driver.phone) == driver.phone
        assert normalize_person_name(driver.name) == driver.name
    for enterprise in enterprises:
        assert normalize_credit_code(enterprise.credit_code) == enterprise.credit_code
        assert normalize_phone(enterprise.contact_phone) == enterprise.contact_phone
        assert normalize_person_name(enterprise.contact_name) == enterprise.contact_name
        assert normalize_text(enterprise.name, field="n", max_length=100) == enterprise.name
        assert normalize_text(enterprise.address, field="a", max_length=200) == enterprise.address


def test_checkpoints(demo: Services, store: SqliteStore) -> None:
    points = store.checkpoints.list_all()
    kinds = Counter(point.kind for point in points)
    assert kinds[CheckpointKind.GATE] >= 4
    assert kinds[CheckpointKind.ISOLATION] == 1
    assert all(point.active for point in points)
    assert len({point.code for point in points}) == len(points)


def test_enterprises_each_have_exactly_one_enterprise_checkpoint(
    demo: Services, store: SqliteStore
) -> None:
    enterprises = store.enterprises.search(ALL).rows
    assert len(enterprises) >= 20
    points = [p for p in store.checkpoints.list_all() if p.kind is CheckpointKind.ENTERPRISE]
    per_enterprise = Counter(point.enterprise_id for point in points)
    assert per_enterprise == {enterprise.id: 1 for enterprise in enterprises}
    names = {enterprise.id: enterprise.name for enterprise in enterprises}
    for point in points:
        assert point.code == f"E{point.enterprise_id:04d}"
        assert point.name == names[point.enterprise_id]


def test_risk_regions_of_every_level(demo: Services, store: SqliteStore) -> None:
    regions = store.risk_regions.list_all()
    assert {region.level for region in regions} == set(RiskLevel)
    assert all(len(region.code) == 6 and region.code.isdigit() for region in regions)


def test_demo_users_log_in_with_their_roles(demo: Services, store: SqliteStore) -> None:
    expected = {
        "admin": Role.ADMIN,
        "reviewer": Role.REVIEWER,
        "supervisor": Role.SUPERVISOR,
        "clerk": Role.CLERK,
        "gate1": Role.OPERATOR,
    }
    assert set(DEMO_USERS) == set(expected)
    assert DEMO_PASSWORD == "LoopPass-demo"
    users = {name: demo_user(demo, name) for name in DEMO_USERS}
    assert {name: user.role for name, user in users.items()} == expected
    first_enterprise = min(e.id for e in store.enterprises.search(ALL).rows)
    first_gate = store.checkpoints.get_by_code("G01")
    assert first_gate is not None and first_gate.kind is CheckpointKind.GATE
    assert users["clerk"].enterprise_id == first_enterprise
    assert users["gate1"].checkpoint_id == first_gate.id
    for name in ("admin", "reviewer", "supervisor"):
        assert (users[name].enterprise_id, users[name].checkpoint_id) == (None, None)


def test_stored_identities_pass_the_normalizers_unchanged(
    demo: Services, store: SqliteStore, clock: FakeClock
) -> None:
    assert_identities_pass_validation(store, clock().date())


def test_full_size_demo_is_valid_too(tmp_path: Path, clock: FakeClock) -> None:
    """The CLI's default size (a few hundred vehicles), not just the fixture's sixty."""
    store = open_store(tmp_path / "full.db")
    try:
        populate(store, clock(), params=FAST_HASH)
        assert store.vehicles.search(ALL).total >= 200
        assert store.drivers.search(ALL).total >= 200
        assert_identities_pass_validation(store, clock().date())
    finally:
        store.close()


def test_applications_in_every_pre_issue_state(demo: Services, store: SqliteStore) -> None:
    found = applications(store)
    states = Counter(application.status for application in found)
    for status in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ):
        assert states[status] >= 1, status
    clerk = demo_user(demo, "clerk")
    reviewer = demo_user(demo, "reviewer")
    for application in found:
        vehicle = store.vehicles.get(application.vehicle_id)
        driver = store.drivers.get(application.driver_id)
        assert vehicle is not None and driver is not None
        # One enterprise's own vehicle and driver, filed by its clerk.
        assert vehicle.enterprise_id == driver.enterprise_id == application.enterprise_id
        assert application.filed_by == clerk.id
        if application.status is ApplicationStatus.REJECTED:
            assert application.decided_by == reviewer.id
            assert application.decision_reason
            assert application.decided_at is not None
            assert application.decided_at > application.created_at


def test_every_row_is_audited_and_the_chain_verifies(demo: Services, store: SqliteStore) -> None:
    actions = Counter(entry.action for entry in store.audit.entries())
    assert actions["vehicle.add"] == store.vehicles.search(ALL).total
    assert actions["driver.add"] == store.drivers.search(ALL).total
    assert actions["enterprise.add"] == store.enterprises.search(ALL).total
    assert actions["checkpoint.add"] == len(store.checkpoints.list_all())
    assert actions["risk_region.add"] == len(store.risk_regions.list_all())
    assert actions["user.add"] == len(DEMO_USERS)
    assert actions["application.add"] == len(applications(store))
    report = demo.audit.verify(demo_user(demo, "supervisor"))
    assert report.ok
    assert report.entries == store.audit.count()


def test_demo_chain_holds_no_personal_data(demo: Services, store: SqliteStore) -> None:
    drivers = store.drivers.search(ALL).rows
    personal = {d.id_number for d in drivers} | {d.phone for d in drivers}
    for entry in store.audit.entries():
        text = repr(entry)
        assert not any(value in text for value in personal), entry


def test_same_seed_same_world(tmp_path: Path, clock: FakeClock) -> None:
    worlds = []
    for name in ("a.db", "b.db"):
        store = open_store(tmp_path / name)
        try:
            populate(store, clock(), vehicles=30, params=FAST_HASH)
            worlds.append(
                (
                    [(v.plate, v.enterprise_id) for v in store.vehicles.search(ALL).rows],
                    [(d.name, d.id_number, d.phone) for d in store.drivers.search(ALL).rows],
                    [e.credit_code for e in store.enterprises.search(ALL).rows],
                )
            )
        finally:
            store.close()
    assert worlds[0] == worlds[1]


def test_populate_refuses_a_non_empty_database(
    demo: Services, store: SqliteStore, clock: FakeClock
) -> None:
    """A second populate would collide with the first; it must change nothing."""
    before = store.audit.count()
    with pytest.raises(Duplicate):
        populate(store, clock(), vehicles=10, params=FAST_HASH)
    assert store.audit.count() == before
    assert store.enterprises.search(ALL).total == 22
