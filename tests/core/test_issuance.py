"""Approval into a signed pass, and the issuing keys behind it (SECURITY.md "Pass token PH1:").

An approval issues a pass whose token verifies, texts the driver, and is audited; the first
approval creates the issuing key (private half in an owner-only file, public half in the trust
list, never the private key in the database, the audit log or the export); rotation,
withdrawal, revocation and expiry show at verification; without a key folder nothing is issued.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.demo import populate
from core.errors import InvalidState, KeysUnavailable, NotFound, PermissionDenied
from core.keys import KeyFolder
from core.models import (
    ApplicationStatus,
    Driver,
    Pass,
    PassStatus,
    RiskLevel,
    RouteTemplate,
    User,
    Vehicle,
)
from core.pass_document import human_serial
from core.ports import PassQuery, SearchQuery
from core.services import Services
from core.services.applications import ApplicationInput
from core.token import TokenReason
from core.validation import ValidationError
from db.store import SqliteStore
from tests.conftest import FAST_HASH, FakeClock, demo_user


@dataclass(frozen=True)
class Cast:
    clerk: User
    reviewer: User
    admin: User
    supervisor: User
    vehicles: tuple[Vehicle, ...]
    drivers: tuple[Driver, ...]
    regions: dict[RiskLevel, int]


@pytest.fixture
def world(services: Services, clock: FakeClock) -> Services:
    """The demo world before anything was issued: no passes, no issuing key yet."""
    populate(services.store, clock(), vehicles=60, params=FAST_HASH)
    return services


@pytest.fixture
def cast(world: Services) -> Cast:
    clerk = demo_user(world, "clerk")
    own = SearchQuery(enterprise_id=clerk.enterprise_id, limit=1000)
    regions: dict[RiskLevel, int] = {}
    for region in world.store.risk_regions.list_all():
        regions.setdefault(region.level, region.id)
    return Cast(
        clerk=clerk,
        reviewer=demo_user(world, "reviewer"),
        admin=demo_user(world, "admin"),
        supervisor=demo_user(world, "supervisor"),
        vehicles=world.store.vehicles.search(own).rows,
        drivers=world.store.drivers.search(own).rows,
        regions=regions,
    )


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    """The key folder the ``services`` fixture was built with."""
    return tmp_path / "keys"


def submit(
    services: Services,
    cast: Cast,
    *,
    risk: RiskLevel = RiskLevel.LOW,
    index: int = 0,
    hours: int = 72,
) -> int:
    """A SUBMITTED application of the clerk, with the ``index``-th vehicle and driver."""
    application = services.applications.file(
        cast.clerk,
        ApplicationInput(
            vehicle_id=cast.vehicles[index].id,
            driver_id=cast.drivers[index].id,
            origin_region_id=cast.regions[risk],
            cargo="汽车零部件",
            planned_arrival=services.applications.clock() + timedelta(hours=2),
            validity_hours=hours,
        ),
        submit=True,
    )
    return application.id


def database_bytes(store: SqliteStore) -> bytes:
    """The database file and its write-ahead log, as they are on disk."""
    path = Path(store.path)
    return b"".join(
        p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()
    )


# --- approval issues a pass -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "route"),
    [
        (RiskLevel.LOW, RouteTemplate.STANDARD),
        (RiskLevel.MEDIUM, RouteTemplate.ISOLATION_LOOP),
        (RiskLevel.HIGH, RouteTemplate.ISOLATION_LOOP),
    ],
)
def test_approval_issues_a_pass_that_verifies(
    world: Services, cast: Cast, risk: RiskLevel, route: RouteTemplate
) -> None:
    application_id = submit(world, cast, risk=risk, hours=36)
    now = world.passes.clock()

    issued = world.passes.approve(cast.reviewer, application_id)

    check = world.passes.verify(issued.token)
    assert check.reason is TokenReason.OK
    assert check.claims is not None
    assert check.claims.plate == cast.vehicles[0].plate == issued.plate
    assert check.claims.route is route
    assert check.claims.risk is risk
    assert check.claims.enterprise_id == cast.clerk.enterprise_id
    assert check.claims.serial == issued.serial
    assert check.claims.issued_at == now
    assert check.claims.expires - check.claims.issued_at == timedelta(hours=36)
    assert check.kid is not None and check.kid.hex() == issued.key_id
    assert (issued.status, issued.route, issued.risk) == (PassStatus.ISSUED, route, risk)
    assert issued.valid_until - issued.valid_from == timedelta(hours=36)

    assert world.store.passes.get(issued.serial) == issued
    application = world.store.applications.get(application_id)
    assert application is not None
    assert application.status is ApplicationStatus.APPROVED
    assert application.decided_by == cast.reviewer.id
    view = world.applications.get(cast.clerk, application_id)
    assert view.pass_serial == issued.serial
    assert world.passes.get(cast.clerk, issued.serial) == issued


def test_approval_texts_the_driver_and_is_audited(world: Services, cast: Cast) -> None:
    application_id = submit(world, cast)
    before = world.store.audit.count()

    issued = world.passes.approve(cast.reviewer, application_id)

    messages = world.store.outbox.search(SearchQuery(text=issued.serial)).rows
    assert len(messages) == 1
    sms = messages[0]
    assert sms.phone == cast.drivers[0].phone
    assert cast.vehicles[0].plate in sms.body
    assert human_serial(issued.serial) in sms.body
    entries = world.store.audit.entries(before + 1)
    assert [(e.actor, e.action, e.entity_id) for e in entries[-2:]] == [
        ("reviewer", "application.approve", str(application_id)),
        ("reviewer", "pass.issue", issued.serial),
    ]
    assert entries[-1].details["plate"] == issued.plate
    assert entries[-1].details["kid"] == issued.key_id


def test_first_approval_creates_an_owner_only_key_and_publishes_it(
    world: Services, cast: Cast, keys_dir: Path
) -> None:
    assert world.passes.trust_list() == []  # precondition: the demo issued nothing yet
    application_id = submit(world, cast)
    before = world.store.audit.count()

    issued = world.passes.approve(cast.reviewer, application_id)

    files = list(keys_dir.iterdir())
    assert [f.name for f in files] == [f"{issued.key_id}.pem"]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    trust = world.passes.trust_list()
    assert [entry["kid"] for entry in trust] == [issued.key_id]
    assert trust[0]["withdrawn"] == "no"
    assert [k.kid_hex for k in world.passes.list_keys(cast.admin)] == [issued.key_id]
    actions = [(e.actor, e.action) for e in world.store.audit.entries(before + 1)]
    assert actions[0] == ("system", "key.create")
    # The next approval reuses the key.
    second = world.passes.approve(cast.reviewer, submit(world, cast, index=1))
    assert second.key_id == issued.key_id
    assert len(list(keys_dir.iterdir())) == 1


def test_private_key_is_never_in_the_database_audit_log_or_trust_list(
    world: Services, cast: Cast, keys_dir: Path, store: SqliteStore
) -> None:
    issued = world.passes.approve(cast.reviewer, submit(world, cast))
    world.passes.revoke(cast.reviewer, issued.serial, "测试吊销")
    world.passes.rotate_key(cast.admin)
    world.passes.approve(cast.reviewer, submit(world, cast, index=1))

    assert world.store is store
    store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # pages in the file and the log
    everything = database_bytes(store)
    audit_text = json.dumps(
        [(e.actor, e.action, e.entity_id, e.details) for e in world.store.audit.entries()],
        ensure_ascii=False,
    )
    trust_text = json.dumps(world.passes.trust_list())
    pem_files = sorted(keys_dir.glob("*.pem"))
    assert len(pem_files) == 2
    for pem_file in pem_files:
        pem = pem_file.read_bytes()
        private = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(private, Ed25519PrivateKey)
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        der = private.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        body = b"".join(pem.splitlines()[1:-1]).decode()
        for secret in (raw, der, pem):
            assert secret not in everything
        for text in (raw.hex(), body, body[:40]):
            assert text not in audit_text
            assert text not in trust_text
            assert text.encode() not in everything
        # The public half is published: the trust list is not simply empty.
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        assert public.hex() in trust_text


# --- keys: rotation and withdrawal ----------------------------------------------------------------


def test_rotation_signs_new_passes_with_the_new_key_and_old_ones_still_verify(
    world: Services, cast: Cast
) -> None:
    old = world.passes.approve(cast.reviewer, submit(world, cast))

    rotated = world.passes.rotate_key(cast.admin)
    new = world.passes.approve(cast.reviewer, submit(world, cast, index=1))

    assert rotated.kid_hex != old.key_id
    assert new.key_id == rotated.kid_hex
    assert world.passes.verify(new.token).reason is TokenReason.OK
    assert world.passes.verify(old.token).reason is TokenReason.OK
    assert {e["kid"] for e in world.passes.trust_list()} == {old.key_id, rotated.kid_hex}


def test_rotation_within_the_same_second_still_signs_with_the_new_key(
    world: Services, cast: Cast, clock: FakeClock, keys_dir: Path
) -> None:
    """Token times are whole seconds; a key rotated at 08:00:00.5 must sign at 08:00:00.7."""
    old = world.passes.approve(cast.reviewer, submit(world, cast))
    clock.advance(milliseconds=500)

    rotated = world.passes.rotate_key(cast.admin)
    clock.advance(milliseconds=200)
    new = world.passes.approve(cast.reviewer, submit(world, cast, index=1))

    assert new.key_id == rotated.kid_hex
    assert world.passes.verify(new.token).reason is TokenReason.OK
    assert world.passes.verify(old.token).reason is TokenReason.OK
    assert len(world.passes.trust_list()) == 2
    assert len(list(keys_dir.glob("*.pem"))) == 2


def test_withdrawn_key_invalidates_every_pass_it_signed(world: Services, cast: Cast) -> None:
    first = world.passes.approve(cast.reviewer, submit(world, cast))
    second = world.passes.approve(cast.reviewer, submit(world, cast, index=1))
    before = world.store.audit.count()

    world.passes.withdraw_key(cast.admin, first.key_id)

    for issued in (first, second):
        assert world.passes.verify(issued.token).reason is TokenReason.KEY_NOT_VALID
    assert [e["withdrawn"] for e in world.passes.trust_list()] == ["yes"]
    assert [(e.actor, e.action) for e in world.store.audit.entries(before + 1)] == [
        ("admin", "key.withdraw")
    ]
    # The next approval is signed by a fresh key and verifies.
    third = world.passes.approve(cast.reviewer, submit(world, cast, index=2))
    assert third.key_id != first.key_id
    assert world.passes.verify(third.token).reason is TokenReason.OK
    # Withdrawing twice, or an unknown key, is refused.
    with pytest.raises(NotFound):
        world.passes.withdraw_key(cast.admin, first.key_id)
    with pytest.raises(NotFound):
        world.passes.withdraw_key(cast.admin, "00" * 8)


def test_only_admins_manage_keys(world: Services, cast: Cast) -> None:
    world.passes.approve(cast.reviewer, submit(world, cast))
    kid = world.passes.trust_list()[0]["kid"]
    for user in (cast.reviewer, cast.clerk, cast.supervisor):
        with pytest.raises(PermissionDenied):
            world.passes.rotate_key(user)
        with pytest.raises(PermissionDenied):
            world.passes.withdraw_key(user, kid)
        with pytest.raises(PermissionDenied):
            world.passes.list_keys(user)
    assert [e["withdrawn"] for e in world.passes.trust_list()] == ["no"]


# --- revocation and expiry ------------------------------------------------------------------------


def test_revoked_pass_verifies_revoked_and_cannot_be_revoked_twice(
    world: Services, cast: Cast
) -> None:
    issued = world.passes.approve(cast.reviewer, submit(world, cast))
    before = world.store.audit.count()
    with pytest.raises(ValidationError):
        world.passes.revoke(cast.reviewer, issued.serial, " ")
    with pytest.raises(PermissionDenied):
        world.passes.revoke(cast.clerk, issued.serial, "司机更换")
    assert world.store.audit.count() == before

    world.passes.revoke(cast.reviewer, human_serial(issued.serial), "司机更换")

    assert world.passes.verify(issued.token).reason is TokenReason.REVOKED
    stored = world.store.passes.get(issued.serial)
    assert stored is not None
    assert (stored.status, stored.revoke_reason) == (PassStatus.REVOKED, "司机更换")
    assert [(e.actor, e.action) for e in world.store.audit.entries(before + 1)] == [
        ("reviewer", "pass.revoke")
    ]
    with pytest.raises(InvalidState):
        world.passes.revoke(cast.supervisor, issued.serial, "再次吊销")
    with pytest.raises(NotFound):
        world.passes.revoke(cast.reviewer, "0" * 32, "不存在")


def test_pass_expires_at_the_end_of_its_validity(
    world: Services, cast: Cast, clock: FakeClock
) -> None:
    issued = world.passes.approve(cast.reviewer, submit(world, cast, hours=24))
    other = world.passes.approve(cast.reviewer, submit(world, cast, index=1, hours=48))

    clock.advance(hours=24, seconds=-1)
    assert world.passes.verify(issued.token).reason is TokenReason.OK
    assert world.passes.mark_expired() == 0

    clock.advance(seconds=1)  # exactly exp: exp is exclusive
    assert world.passes.verify(issued.token).reason is TokenReason.EXPIRED
    before = world.store.audit.count()
    assert world.passes.mark_expired() == 1

    stored = world.store.passes.get(issued.serial)
    assert stored is not None and stored.status is PassStatus.EXPIRED
    still = world.store.passes.get(other.serial)
    assert still is not None and still.status is PassStatus.ISSUED
    assert world.passes.verify(other.token).reason is TokenReason.OK
    assert [(e.actor, e.action) for e in world.store.audit.entries(before + 1)] == [
        ("system", "pass.expire")
    ]
    expired = world.store.passes.search(PassQuery(statuses=(PassStatus.EXPIRED,)))
    assert [p.serial for p in expired.rows] == [issued.serial]
    assert world.passes.mark_expired() == 0  # nothing twice
    with pytest.raises(InvalidState):
        world.passes.revoke(cast.reviewer, issued.serial, "已过期")


# --- bulk approval and missing keys ---------------------------------------------------------------


def test_approve_many_reports_each_refusal_with_its_code(world: Services, cast: Cast) -> None:
    good = [submit(world, cast), submit(world, cast, index=1)]
    decided = submit(world, cast, index=2)
    world.applications.reject(cast.reviewer, decided, "资料不全")
    draft = world.applications.file(
        cast.clerk,
        ApplicationInput(
            cast.vehicles[3].id,
            cast.drivers[3].id,
            cast.regions[RiskLevel.LOW],
            "纸浆",
            world.applications.clock() + timedelta(hours=1),
        ),
    ).id

    result = world.passes.approve_many(cast.reviewer, [good[0], decided, 999_999, draft, good[1]])

    assert [p.application_id for p in result.issued] == good
    assert result.refused == (
        (decided, "INVALID_STATE"),
        (999_999, "NOT_FOUND"),
        (draft, "INVALID_STATE"),
    )
    for issued in result.issued:
        assert world.passes.verify(issued.token).reason is TokenReason.OK
    assert world.store.passes.for_application(decided) is None
    assert world.store.passes.for_application(draft) is None
    with pytest.raises(PermissionDenied):
        world.passes.approve_many(cast.clerk, good)


def test_without_a_key_folder_approval_fails_and_saves_nothing(
    world: Services, cast: Cast, clock: FakeClock
) -> None:
    application_id = submit(world, cast)
    keyless = Services.build(world.store, clock, FAST_HASH)
    audit = world.store.audit.count()
    outbox = world.store.outbox.search(SearchQuery(limit=0)).total
    passes = world.store.passes.search(PassQuery(limit=0)).total
    trust = world.passes.trust_list()

    with pytest.raises(KeysUnavailable):
        keyless.passes.approve(cast.reviewer, application_id)
    bulk = keyless.passes.approve_many(cast.reviewer, [application_id])

    assert bulk.issued == ()
    assert bulk.refused == ((application_id, "KEYS_UNAVAILABLE"),)
    stored = world.store.applications.get(application_id)
    assert stored is not None and stored.status is ApplicationStatus.SUBMITTED
    assert stored.decided_by is None
    assert world.store.passes.for_application(application_id) is None
    assert world.store.passes.search(PassQuery(limit=0)).total == passes
    assert world.store.outbox.search(SearchQuery(limit=0)).total == outbox
    assert world.store.audit.count() == audit
    assert keyless.passes.trust_list() == trust
    # The same application is approved where the keys are.
    issued = world.passes.approve(cast.reviewer, application_id)
    assert keyless.passes.verify(issued.token).reason is TokenReason.OK


def test_a_station_without_the_private_key_signs_with_a_fresh_key(
    world: Services, cast: Cast, keys_dir: Path, tmp_path: Path, clock: FakeClock
) -> None:
    """Another station holds the trust list but not this key: a fresh key signs instead."""
    first = world.passes.approve(cast.reviewer, submit(world, cast))
    elsewhere = Services.build(world.store, clock, FAST_HASH, KeyFolder(tmp_path / "other-keys"))

    issued = elsewhere.passes.approve(cast.reviewer, submit(world, cast, index=1))

    assert issued.key_id != first.key_id
    assert (tmp_path / "other-keys" / f"{issued.key_id}.pem").exists()
    for token in (first.token, issued.token):
        assert world.passes.verify(token).reason is TokenReason.OK


def test_issued_passes_are_listed_for_the_enterprise_only(world: Services, cast: Cast) -> None:
    issued: Pass = world.passes.approve(cast.reviewer, submit(world, cast))
    found = world.store.passes.search(
        PassQuery(text=issued.plate, enterprise_id=cast.clerk.enterprise_id)
    )
    assert issued.serial in {p.serial for p in found.rows}
    foreign = next(
        v.enterprise_id
        for v in world.store.vehicles.search(SearchQuery(limit=1000)).rows
        if v.enterprise_id != cast.clerk.enterprise_id
    )
    elsewhere = world.store.passes.search(PassQuery(text=issued.plate, enterprise_id=foreign))
    assert elsewhere.total == 0


def test_start_up_creates_the_first_key_once(world: Services, keys_dir: Path) -> None:
    assert world.store.keys.list_all() == []
    first = world.passes.ensure_signing_key()
    again = world.passes.ensure_signing_key()
    assert first is not None and again == first
    assert [key.kid for key in world.store.keys.list_all()] == [first.kid]
    assert (keys_dir / f"{first.kid_hex}.pem").is_file()
