"""The role matrix, enforced by the services (SECURITY.md "Accounts and roles").

Every service method that reads or changes data is listed in ``CASES`` with the action it needs;
the expected outcome for each role comes from ``core.permissions.ROLE_ACTIONS``, so changing the
matrix changes what these tests expect, and a new service method without a case fails
``test_every_service_method_has_a_case``.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from core.errors import NotFound, PermissionDenied
from core.models import CheckpointKind, Pass, RiskLevel, Role, User
from core.permissions import ROLE_ACTIONS, Action, allowed
from core.ports import AuditQuery, PassQuery, SearchQuery
from core.services import Services
from core.services.accounts import AccountService, UserInput
from core.services.audit import AuditService
from core.services.backup import BackupService
from core.services.fleet import DriverInput, FleetService, VehicleInput
from core.services.registry import (
    CheckpointInput,
    EnterpriseInput,
    RegistryService,
    RiskRegionInput,
)
from core.services.reports import ReportService
from core.services.settings import SettingsService
from core.services.supervision import SupervisionService
from core.supervision import AnomalyKind, AnomalyQuery
from db.store import SqliteStore
from tests.conftest import demo_user

DEMO_ACCOUNTS = {
    Role.ADMIN: "admin",
    Role.CLERK: "clerk",
    Role.REVIEWER: "reviewer",
    Role.OPERATOR: "gate1",
    Role.SUPERVISOR: "supervisor",
}

# Actions in the matrix whose services are not written yet (applications, passes, scans,
# dashboard, settings, backup). Each must move into CASES when its service lands.
PENDING_ACTIONS = frozenset(
    {
        Action.FILE_APPLICATION,
        Action.REVIEW_APPLICATION,
        Action.REVOKE_PASS,
        Action.SCAN,
        Action.SCAN_ANY_CHECKPOINT,
        Action.OVERRIDE_VERDICT,
    }
)

# Public service methods that take no acting user, or need no role (checked on their own).
NO_ROLE_METHODS = frozenset(
    {
        "AccountService.login",
        "AccountService.has_accounts",
        "AccountService.create_first_admin",
        "AccountService.change_own_password",
        "Service.audit",  # the shared helper that appends an entry inside a transaction
        # Sealing signs the chain head as the system (timer, end of a CLI command).
        "AuditService.seal",
        "AuditService.seal_if_due",
        "AuditService.heads",
        # The schedule and the storage watch run as the system; restore closes the store, so
        # its role check is tested on its own (tests/db/test_backup.py).
        "BackupService.storage",
        "BackupService.last_backup_at",
        "BackupService.due",
        "BackupService.storage_fault",
        "BackupService.watch_storage",
        "BackupService.unwatch_storage",
        "BackupService.restore",
        # Settings are read by every service; the lane camera is SCAN or MANAGE_SETTINGS
        # (tests/core/test_settings.py checks that pair role by role).
        "SettingsService.current",
        "SettingsService.station",
        "SettingsService.listing",
        "SettingsService.set_station_camera",
    }
)


@dataclass(frozen=True)
class World:
    """Ids in the demo data that the cases act on (the clerk's enterprise and one other)."""

    own_enterprise: int
    other_enterprise: int
    own_vehicle: int
    own_driver: int
    other_vehicle: int
    other_driver: int
    spare_user: int
    last_gate: int
    first_region: int
    tmp: Path  # where allowed export cases write


@dataclass(frozen=True)
class Case:
    """One service method, the action it needs, and a call that succeeds when allowed."""

    method: str
    action: Action
    call: Callable[[Services, User, World], object]
    audit_entries: int  # what an allowed call appends to the audit log

    def __str__(self) -> str:
        return self.method


def _update_enterprise(s: Services, u: User, w: World) -> object:
    current = s.store.enterprises.get(w.other_enterprise)
    assert current is not None
    form = EnterpriseInput(current.name + "二厂", current.credit_code, current.address)
    s.registry.update_enterprise(u, w.other_enterprise, form)
    return None


def _update_vehicle(s: Services, u: User, w: World) -> object:
    current = s.store.vehicles.get(w.own_vehicle)
    assert current is not None
    return s.fleet.update_vehicle(u, w.own_vehicle, VehicleInput(current.plate, "冷藏车 更新"))


def _update_driver(s: Services, u: User, w: World) -> object:
    current = s.store.drivers.get(w.own_driver)
    assert current is not None
    form = DriverInput("欧阳改名", current.id_number, current.phone)
    return s.fleet.update_driver(u, w.own_driver, form)


REPORT_DAY = date(2026, 11, 25)


def _export_report(s: Services, u: User, w: World) -> object:
    """A supervisor's report (read without signing in: no audit entry), exported by ``u``."""
    supervisor = s.store.users.credentials("supervisor")
    assert supervisor is not None
    report = s.reports.daily(supervisor.user, REPORT_DAY, REPORT_DAY)
    with tempfile.TemporaryDirectory() as folder:
        return s.reports.export(u, report, Path(folder) / "report.csv", "csv")


NEW_USER = UserInput("newcomer", "新同事", Role.REVIEWER, "a-long-passphrase")

CASES = (
    Case(
        "AccountService.create_user",
        Action.MANAGE_USERS,
        lambda s, u, w: s.accounts.create_user(u, NEW_USER),
        1,
    ),
    Case(
        "AccountService.set_active",
        Action.MANAGE_USERS,
        lambda s, u, w: s.accounts.set_active(u, w.spare_user, False),
        1,
    ),
    Case(
        "AccountService.reset_password",
        Action.MANAGE_USERS,
        lambda s, u, w: s.accounts.reset_password(u, w.spare_user, "brand-new-secret"),
        1,
    ),
    Case(
        "AccountService.search_users",
        Action.VIEW_USERS,
        lambda s, u, w: s.accounts.search_users(u, SearchQuery()),
        0,
    ),
    Case(
        "RegistryService.add_enterprise",
        Action.MANAGE_ENTERPRISES,
        lambda s, u, w: s.registry.add_enterprise(
            u, EnterpriseInput("平湖测试贸易有限公司", "91350100M000100Y43")
        ),
        2,  # the enterprise and its ENTERPRISE checkpoint
    ),
    Case("RegistryService.update_enterprise", Action.MANAGE_ENTERPRISES, _update_enterprise, 1),
    Case(
        "RegistryService.set_whitelisted",
        Action.MANAGE_ENTERPRISES,
        lambda s, u, w: s.registry.set_whitelisted(u, w.other_enterprise, True),
        1,
    ),
    Case(
        "RegistryService.search_enterprises",
        Action.VIEW_ENTERPRISES,
        lambda s, u, w: s.registry.search_enterprises(u, SearchQuery()),
        0,
    ),
    Case(
        "RegistryService.get_enterprise",
        Action.VIEW_ENTERPRISES,
        lambda s, u, w: s.registry.get_enterprise(u, w.own_enterprise),
        0,
    ),
    Case(
        "RegistryService.add_checkpoint",
        Action.MANAGE_CHECKPOINTS,
        lambda s, u, w: s.registry.add_checkpoint(
            u, CheckpointInput("G99", "测试卡口", CheckpointKind.GATE)
        ),
        1,
    ),
    Case(
        "RegistryService.set_checkpoint_active",
        Action.MANAGE_CHECKPOINTS,
        lambda s, u, w: s.registry.set_checkpoint_active(u, w.last_gate, False),
        1,
    ),
    Case(
        "RegistryService.list_checkpoints",
        Action.VIEW_CHECKPOINTS,
        lambda s, u, w: s.registry.list_checkpoints(u),
        0,
    ),
    Case(
        "RegistryService.checkpoint_by_code",
        Action.VIEW_CHECKPOINTS,
        lambda s, u, w: s.registry.checkpoint_by_code(u, "G01"),
        0,
    ),
    Case(
        "RegistryService.add_risk_region",
        Action.MANAGE_RISK_REGIONS,
        lambda s, u, w: s.registry.add_risk_region(
            u, RiskRegionInput("330481", "浙江省嘉兴市海宁市", RiskLevel.LOW)
        ),
        1,
    ),
    Case(
        "RegistryService.set_risk_level",
        Action.MANAGE_RISK_REGIONS,
        lambda s, u, w: s.registry.set_risk_level(u, w.first_region, RiskLevel.HIGH),
        1,
    ),
    Case(
        "RegistryService.list_risk_regions",
        Action.VIEW_RISK_REGIONS,
        lambda s, u, w: s.registry.list_risk_regions(u),
        0,
    ),
    Case(
        "FleetService.add_vehicle",
        Action.MANAGE_FLEET,
        lambda s, u, w: s.fleet.add_vehicle(u, VehicleInput("浙FZ9999", "轻型厢式货车")),
        1,
    ),
    Case("FleetService.update_vehicle", Action.MANAGE_FLEET, _update_vehicle, 1),
    Case(
        "FleetService.add_driver",
        Action.MANAGE_FLEET,
        lambda s, u, w: s.fleet.add_driver(
            u, DriverInput("测试司机", "11010519491231002X", "13800138000")
        ),
        1,
    ),
    Case("FleetService.update_driver", Action.MANAGE_FLEET, _update_driver, 1),
    Case(
        "FleetService.get_vehicle",
        Action.VIEW_FLEET,
        lambda s, u, w: s.fleet.get_vehicle(u, w.own_vehicle),
        0,
    ),
    Case(
        "FleetService.search_vehicles",
        Action.VIEW_FLEET,
        lambda s, u, w: s.fleet.search_vehicles(u, SearchQuery()),
        0,
    ),
    Case(
        "FleetService.get_driver",
        Action.VIEW_FLEET,
        lambda s, u, w: s.fleet.get_driver(u, w.own_driver),
        0,
    ),
    Case(
        "FleetService.search_drivers",
        Action.VIEW_FLEET,
        lambda s, u, w: s.fleet.search_drivers(u, SearchQuery()),
        0,
    ),
    Case(
        "FleetService.reveal_id_number",
        Action.REVEAL_ID_NUMBER,
        lambda s, u, w: s.fleet.reveal_id_number(u, w.own_driver),
        1,
    ),
    Case("AuditService.verify", Action.VIEW_AUDIT, lambda s, u, w: s.audit.verify(u), 0),
    Case(
        "SupervisionService.dashboard",
        Action.VIEW_DASHBOARD,
        lambda s, u, w: s.supervision.dashboard(u),
        0,
    ),
    Case("BackupService.create", Action.BACKUP, lambda s, u, w: s.backup.create(u), 1),
    Case("BackupService.copy", Action.BACKUP, lambda s, u, w: s.backup.copy(u), 0),
    Case(
        "BackupService.record",
        Action.BACKUP,
        lambda s, u, w: s.backup.record(u, s.backup.storage().copy(s.backup.clock())),
        1,
    ),
    Case("BackupService.kept", Action.BACKUP, lambda s, u, w: s.backup.kept(u), 0),
    Case(
        "BackupService.check",
        Action.BACKUP,
        lambda s, u, w: s.backup.check(u, _a_backup(s)),
        0,
    ),
    Case(
        "SupervisionService.changed_since",
        Action.VIEW_DASHBOARD,
        lambda s, u, w: s.supervision.changed_since(u, None),
        0,
    ),
    Case(
        "SupervisionService.trace",
        Action.VIEW_DASHBOARD,
        lambda s, u, w: s.supervision.trace(u, _a_pass(s).plate),
        0,
    ),
    Case(
        "SupervisionService.anomalies",
        Action.VIEW_DASHBOARD,
        lambda s, u, w: s.supervision.anomalies(u, AnomalyQuery()),
        0,
    ),
    Case(
        "SupervisionService.acknowledge",
        Action.ACKNOWLEDGE_ANOMALY,
        lambda s, u, w: s.supervision.acknowledge(
            u, AnomalyKind.OPEN_AFTER_EXPIRY, _a_pass(s).serial, "已电话核实"
        ),
        1,
    ),
    Case(
        "SupervisionService.purge_personal_data",
        Action.MANAGE_SETTINGS,
        lambda s, u, w: s.supervision.purge_personal_data(u),
        0,
    ),
    Case("AuditService.count", Action.VIEW_AUDIT, lambda s, u, w: s.audit.count(u), 0),
    Case(
        "AuditService.search",
        Action.VIEW_AUDIT,
        lambda s, u, w: s.audit.search(u, AuditQuery(action="login")),
        0,
    ),
    Case(
        "AuditService.export",
        Action.VIEW_AUDIT,
        lambda s, u, w: s.audit.export(u, w.tmp / "audit.csv"),
        1,
    ),
    Case(
        "SettingsService.update",
        Action.MANAGE_SETTINGS,
        lambda s, u, w: s.settings.update(u, {"scan.duplicate_window": "30"}),
        1,
    ),
    Case(
        "ReportService.daily",
        Action.VIEW_DASHBOARD,
        lambda s, u, w: s.reports.daily(u, REPORT_DAY, REPORT_DAY),
        0,
    ),
    Case("ReportService.export", Action.EXPORT, _export_report, 1),
)

SERVICE_CLASSES = (
    AccountService,
    RegistryService,
    FleetService,
    AuditService,
    SettingsService,
    ReportService,
    SupervisionService,
    BackupService,
)
ROLE_CASES = [(role, case) for case in CASES for role in Role]
ALLOWED = [(role, case) for role, case in ROLE_CASES if case.action in ROLE_ACTIONS[role]]
DENIED = [(role, case) for role, case in ROLE_CASES if case.action not in ROLE_ACTIONS[role]]


def _ids(pairs: list[tuple[Role, Case]]) -> list[str]:
    return [f"{role.value}-{case.method}" for role, case in pairs]


def _a_backup(services: Services) -> Path:
    report = services.backup.storage().copy(services.backup.clock())
    assert report.path is not None
    return report.path


def _a_pass(services: Services) -> Pass:
    return services.store.passes.search(PassQuery(limit=1)).rows[0]


def table_counts(store: SqliteStore) -> dict[str, int]:
    """Rows in every table: a change anywhere shows up as a different snapshot."""
    names = [
        row[0]
        for row in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        name: store.conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names
    }


def user_of(services: Services, role: Role) -> User:
    return demo_user(services, DEMO_ACCOUNTS[role])


@pytest.fixture
def world(demo: Services, tmp_path: Path) -> World:
    store = demo.store
    clerk = store.users.credentials("clerk")
    assert clerk is not None and clerk.user.enterprise_id is not None
    own = clerk.user.enterprise_id
    vehicles = store.vehicles.search(SearchQuery(limit=10_000)).rows
    drivers = store.drivers.search(SearchQuery(limit=10_000)).rows
    other_vehicle = next(v for v in vehicles if v.enterprise_id != own)
    other_driver = next(d for d in drivers if d.enterprise_id != own)
    with store.transaction() as tx:
        spare = tx.users.add("spare", "备用账号", Role.REVIEWER, None, None, "$scrypt$invalid")
    gates = [p for p in store.checkpoints.list_all() if p.kind is CheckpointKind.GATE]
    return World(
        own_enterprise=own,
        other_enterprise=other_vehicle.enterprise_id,
        own_vehicle=next(v.id for v in vehicles if v.enterprise_id == own),
        own_driver=next(d.id for d in drivers if d.enterprise_id == own),
        other_vehicle=other_vehicle.id,
        other_driver=other_driver.id,
        spare_user=spare.id,
        last_gate=gates[-1].id,
        first_region=store.risk_regions.list_all()[0].id,
        tmp=tmp_path,
    )


# --- the matrix itself -------------------------------------------------------------------------


def test_every_service_method_has_a_case() -> None:
    """A new public service method must be added to CASES (or NO_ROLE_METHODS)."""
    public = set()
    for cls in SERVICE_CLASSES:
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                public.add(member.__qualname__)
    covered = {case.method for case in CASES}
    assert public == covered | NO_ROLE_METHODS


def test_every_action_has_a_case_or_is_pending() -> None:
    covered = {case.action for case in CASES}
    assert covered | PENDING_ACTIONS == set(Action)
    assert not covered & PENDING_ACTIONS, "an implemented action is still marked pending"


def test_every_role_has_a_row_in_the_matrix() -> None:
    assert set(ROLE_ACTIONS) == set(Role)


@pytest.mark.parametrize(("role", "case"), DENIED, ids=_ids(DENIED))
def test_denied_role_gets_permission_denied_and_nothing_changes(
    demo: Services, store: SqliteStore, world: World, role: Role, case: Case
) -> None:
    actor = user_of(demo, role)
    before = table_counts(store)
    with pytest.raises(PermissionDenied):
        case.call(demo, actor, world)
    assert table_counts(store) == before


@pytest.mark.parametrize(("role", "case"), ALLOWED, ids=_ids(ALLOWED))
def test_allowed_role_succeeds(
    demo: Services, store: SqliteStore, world: World, role: Role, case: Case
) -> None:
    actor = user_of(demo, role)
    audit_before = store.audit.count()
    case.call(demo, actor, world)
    assert store.audit.count() == audit_before + case.audit_entries


@pytest.mark.parametrize(("role", "case"), ALLOWED, ids=_ids(ALLOWED))
def test_disabled_user_is_denied_everything(
    demo: Services, store: SqliteStore, world: World, role: Role, case: Case
) -> None:
    actor = replace(user_of(demo, role), active=False)
    assert not allowed(actor, case.action)
    before = table_counts(store)
    with pytest.raises(PermissionDenied):
        case.call(demo, actor, world)
    assert table_counts(store) == before


@pytest.mark.parametrize("role", list(Role))
def test_any_active_user_may_change_its_own_password(demo: Services, role: Role) -> None:
    actor = user_of(demo, role)
    demo.accounts.change_own_password(actor, "LoopPass-demo", "a-brand-new-secret")
    assert demo.accounts.login(DEMO_ACCOUNTS[role], "a-brand-new-secret") == actor


@pytest.mark.parametrize("role", list(Role))
def test_disabled_user_cannot_change_its_own_password(
    demo: Services, store: SqliteStore, role: Role
) -> None:
    actor = replace(user_of(demo, role), active=False)
    before = table_counts(store)
    with pytest.raises(PermissionDenied):
        demo.accounts.change_own_password(actor, "LoopPass-demo", "a-brand-new-secret")
    assert table_counts(store) == before
    assert demo.accounts.login(DEMO_ACCOUNTS[role], "LoopPass-demo") == replace(actor, active=True)


def test_account_disabled_by_admin_cannot_change_password_in_open_session(demo: Services) -> None:
    """The session's User still says active; the stored account decides."""
    admin, clerk = user_of(demo, Role.ADMIN), user_of(demo, Role.CLERK)
    demo.accounts.set_active(admin, clerk.id, False)
    with pytest.raises(PermissionDenied):
        demo.accounts.change_own_password(clerk, "LoopPass-demo", "a-brand-new-secret")


# --- policy pinned from SECURITY.md / ARCHITECTURE.md (independent of the matrix) -------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OPERATOR, Role.SUPERVISOR, Role.CLERK])
def test_only_admin_manages_users_and_enterprises(
    demo: Services, store: SqliteStore, role: Role
) -> None:
    actor = user_of(demo, role)
    before = table_counts(store)
    with pytest.raises(PermissionDenied):
        demo.accounts.create_user(actor, NEW_USER)
    with pytest.raises(PermissionDenied):
        demo.accounts.reset_password(actor, actor.id, "brand-new-secret")
    with pytest.raises(PermissionDenied):
        demo.registry.add_enterprise(actor, EnterpriseInput("某公司", "91350100M000100Y43"))
    assert table_counts(store) == before


def test_admin_cannot_register_vehicles_or_drivers(demo: Services, store: SqliteStore) -> None:
    admin = user_of(demo, Role.ADMIN)
    before = table_counts(store)
    with pytest.raises(PermissionDenied):
        demo.fleet.add_vehicle(admin, VehicleInput("浙FZ9999"))
    with pytest.raises(PermissionDenied):
        demo.fleet.add_driver(admin, DriverInput("测试司机", "11010519491231002X", "13800138000"))
    assert table_counts(store) == before


def test_fleet_is_managed_by_clerks_only() -> None:
    assert [role for role in Role if Action.MANAGE_FLEET in ROLE_ACTIONS[role]] == [Role.CLERK]


def test_only_supervisor_overrides_or_scans_anywhere() -> None:
    for action in (Action.OVERRIDE_VERDICT, Action.SCAN_ANY_CHECKPOINT):
        assert [r for r in Role if action in ROLE_ACTIONS[r]] == [Role.SUPERVISOR]


def test_nobody_but_clerk_and_supervisor_reveals_id_numbers() -> None:
    revealers = {r for r in Role if Action.REVEAL_ID_NUMBER in ROLE_ACTIONS[r]}
    assert revealers == {Role.CLERK, Role.SUPERVISOR}


# --- a clerk sees only its own enterprise -------------------------------------------------------


def test_clerk_gets_not_found_for_other_enterprises_vehicle(
    demo: Services, store: SqliteStore, world: World
) -> None:
    clerk = user_of(demo, Role.CLERK)
    original = store.vehicles.get(world.other_vehicle)
    before = table_counts(store)
    with pytest.raises(NotFound):
        demo.fleet.get_vehicle(clerk, world.other_vehicle)
    with pytest.raises(NotFound):
        demo.fleet.update_vehicle(clerk, world.other_vehicle, VehicleInput("浙FZ9999", "改"))
    # The same answer as for an id that does not exist at all.
    with pytest.raises(NotFound):
        demo.fleet.get_vehicle(clerk, 999_999)
    assert store.vehicles.get(world.other_vehicle) == original
    assert table_counts(store) == before


def test_clerk_gets_not_found_for_other_enterprises_driver(
    demo: Services, store: SqliteStore, world: World
) -> None:
    clerk = user_of(demo, Role.CLERK)
    original = store.drivers.get(world.other_driver)
    assert original is not None
    before = table_counts(store)
    with pytest.raises(NotFound):
        demo.fleet.get_driver(clerk, world.other_driver)
    form = DriverInput("冒名顶替", original.id_number, original.phone)
    with pytest.raises(NotFound):
        demo.fleet.update_driver(clerk, world.other_driver, form)
    with pytest.raises(NotFound):
        demo.fleet.reveal_id_number(clerk, world.other_driver)
    assert store.drivers.get(world.other_driver) == original
    assert table_counts(store) == before  # not even the failed reveal is "revealed"


def test_reviewer_and_supervisor_read_every_enterprise(demo: Services, world: World) -> None:
    for role in (Role.REVIEWER, Role.SUPERVISOR):
        actor = user_of(demo, role)
        assert demo.fleet.get_vehicle(actor, world.other_vehicle).id == world.other_vehicle
        assert demo.fleet.get_driver(actor, world.other_driver).id == world.other_driver
        everything = demo.fleet.search_vehicles(actor, SearchQuery(limit=1))
        assert everything.total == 60


def test_clerk_vehicle_search_never_leaves_its_enterprise(
    demo: Services, store: SqliteStore, world: World
) -> None:
    clerk = user_of(demo, Role.CLERK)
    own_total = store.vehicles.search(SearchQuery(enterprise_id=world.own_enterprise)).total
    page = demo.fleet.search_vehicles(
        clerk, SearchQuery(enterprise_id=world.other_enterprise, limit=1000)
    )
    assert page.total == own_total == len(page.rows) > 0
    assert {v.enterprise_id for v in page.rows} == {world.own_enterprise}
    other = store.vehicles.get(world.other_vehicle)
    assert other is not None
    for query in (
        SearchQuery(text=other.plate),
        SearchQuery(text=other.plate, enterprise_id=world.other_enterprise),
    ):
        assert demo.fleet.search_vehicles(clerk, query).total == 0


def test_clerk_driver_search_never_leaves_its_enterprise(
    demo: Services, store: SqliteStore, world: World
) -> None:
    clerk = user_of(demo, Role.CLERK)
    own_total = store.drivers.search(SearchQuery(enterprise_id=world.own_enterprise)).total
    page = demo.fleet.search_drivers(
        clerk, SearchQuery(enterprise_id=world.other_enterprise, limit=1000)
    )
    assert page.total == own_total == len(page.rows) > 0
    assert {d.enterprise_id for d in page.rows} == {world.own_enterprise}
    other = store.drivers.get(world.other_driver)
    assert other is not None
    for text in (other.id_number, other.phone, other.name):
        query = SearchQuery(text=text, enterprise_id=world.other_enterprise)
        assert all(
            d.enterprise_id == world.own_enterprise
            for d in demo.fleet.search_drivers(clerk, query).rows
        )
    assert demo.fleet.search_drivers(clerk, SearchQuery(text=other.id_number)).total == 0


def test_clerk_without_enterprise_sees_nothing(demo: Services) -> None:
    orphan = replace(user_of(demo, Role.CLERK), enterprise_id=None)
    with pytest.raises(PermissionDenied):
        demo.fleet.search_vehicles(orphan, SearchQuery())
    with pytest.raises(PermissionDenied):
        demo.fleet.add_vehicle(orphan, VehicleInput("浙FZ9999"))


# --- reveal is audited ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR])
def test_reveal_id_number_is_audited(
    demo: Services, store: SqliteStore, world: World, role: Role
) -> None:
    actor = user_of(demo, role)
    driver = demo.fleet.get_driver(actor, world.own_driver)
    before = store.audit.count()
    assert demo.fleet.reveal_id_number(actor, world.own_driver) == driver.id_number
    entries = store.audit.entries(before + 1)
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
        actor.username,
        "driver.reveal_id",
        "driver",
        str(world.own_driver),
    )
    # The chain names the record, never the number itself.
    assert driver.id_number not in repr(entry)


def test_reading_a_driver_is_not_a_reveal(demo: Services, store: SqliteStore, world: World) -> None:
    supervisor = user_of(demo, Role.SUPERVISOR)
    before = store.audit.count()
    demo.fleet.get_driver(supervisor, world.own_driver)
    demo.fleet.search_drivers(supervisor, SearchQuery())
    assert store.audit.count() == before
