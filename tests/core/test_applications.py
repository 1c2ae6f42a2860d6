"""Trip applications as clerks and reviewers meet them (ARCHITECTURE.md "Pass lifecycle").

Filing, editing until decided, submitting and withdrawing; every bad field reported at once
with nothing saved; a clerk's view never leaves its enterprise; the review queue; a reviewer
never decides its own filing; rejecting needs a reason; and two reviewers deciding the same
application at once (SECURITY.md "Storage and durability", fault 20): exactly one wins.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import InvalidState, NotFound, PermissionDenied
from core.forms import FormInvalid
from core.keys import KeyFolder
from core.models import (
    ApplicationStatus,
    Driver,
    Pass,
    RiskLevel,
    Role,
    TripApplication,
    User,
    Vehicle,
)
from core.ports import ApplicationQuery, SearchQuery
from core.services import Services
from core.services.accounts import UserInput
from core.services.applications import ApplicationInput
from core.services.fleet import DriverInput, VehicleInput
from core.token import TokenReason
from core.validation import ValidationCode, ValidationError
from db.store import SqliteStore, open_store
from tests.conftest import FAST_HASH, FakeClock, demo_user

C = ValidationCode
PASSWORD = "correct-horse-battery"
REASON = "货物信息与报备不符"


@dataclass(frozen=True)
class Cast:
    """The demo's people, logged in, and the clerk's own fleet."""

    clerk: User
    reviewer: User
    admin: User
    vehicles: tuple[Vehicle, ...]
    drivers: tuple[Driver, ...]
    regions: dict[RiskLevel, int]


@pytest.fixture
def cast(demo: Services) -> Cast:
    clerk = demo_user(demo, "clerk")
    own = SearchQuery(enterprise_id=clerk.enterprise_id, limit=1000)
    regions: dict[RiskLevel, int] = {}
    for region in demo.store.risk_regions.list_all():
        regions.setdefault(region.level, region.id)
    return Cast(
        clerk=clerk,
        reviewer=demo_user(demo, "reviewer"),
        admin=demo_user(demo, "admin"),
        vehicles=demo.store.vehicles.search(own).rows,
        drivers=demo.store.drivers.search(own).rows,
        regions=regions,
    )


def form_for(services: Services, cast: Cast, **changes: object) -> ApplicationInput:
    """A valid filing form of the clerk's enterprise, with ``changes`` applied."""
    form = ApplicationInput(
        vehicle_id=cast.vehicles[0].id,
        driver_id=cast.drivers[0].id,
        origin_region_id=cast.regions[RiskLevel.LOW],
        cargo="电子元件",
        planned_arrival=services.applications.clock() + timedelta(hours=6),
        validity_hours=72,
    )
    return replace(form, **changes)  # type: ignore[arg-type]


def application_total(services: Services) -> int:
    return services.store.applications.search(ApplicationQuery(limit=0)).total


def status_of(services: Services, application_id: int) -> ApplicationStatus:
    application = services.store.applications.get(application_id)
    assert application is not None
    return application.status


def new_actions(services: Services, before: int) -> list[tuple[str, str, str]]:
    """(actor, action, entity id) of the audit entries appended after ``before`` entries."""
    return [(e.actor, e.action, e.entity_id) for e in services.store.audit.entries(before + 1)]


def add_reviewer(services: Services, admin: User, username: str) -> User:
    services.accounts.create_user(
        admin, UserInput(username, "审核员 二号", Role.REVIEWER, PASSWORD)
    )
    return services.accounts.login(username, PASSWORD)


# --- filing, editing, submitting, withdrawing -----------------------------------------------------


def test_clerk_files_a_draft_then_submits_it_to_the_review_queue(
    demo: Services, cast: Cast
) -> None:
    before = demo.store.audit.count()
    draft = demo.applications.file(cast.clerk, form_for(demo, cast))

    assert draft.status is ApplicationStatus.DRAFT
    assert draft.enterprise_id == cast.clerk.enterprise_id
    assert draft.filed_by == cast.clerk.id
    queued = {
        v.application.id for v in demo.applications.queue(cast.reviewer, ApplicationQuery()).rows
    }
    assert draft.id not in queued

    demo.applications.submit(cast.clerk, draft.id)

    view = demo.applications.get(cast.clerk, draft.id)
    assert view.application.status is ApplicationStatus.SUBMITTED
    assert view.plate == cast.vehicles[0].plate
    assert view.driver_name == cast.drivers[0].name
    queued = {
        v.application.id for v in demo.applications.queue(cast.reviewer, ApplicationQuery()).rows
    }
    assert draft.id in queued
    assert new_actions(demo, before) == [
        ("clerk", "application.file", str(draft.id)),
        ("clerk", "application.submit", str(draft.id)),
    ]
    # Submitting twice is refused: it is no longer a draft.
    with pytest.raises(InvalidState):
        demo.applications.submit(cast.clerk, draft.id)


def test_filing_with_submit_goes_straight_to_the_queue(demo: Services, cast: Cast) -> None:
    filed = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)
    assert filed.status is ApplicationStatus.SUBMITTED
    assert status_of(demo, filed.id) is ApplicationStatus.SUBMITTED


def test_clerk_edits_until_the_application_is_decided(demo: Services, cast: Cast) -> None:
    filed = demo.applications.file(cast.clerk, form_for(demo, cast))
    demo.applications.update(cast.clerk, filed.id, form_for(demo, cast, cargo="纸浆"))
    demo.applications.submit(cast.clerk, filed.id)
    # Still editable while it waits in the queue.
    changed = form_for(
        demo,
        cast,
        cargo="冷链食品",
        vehicle_id=cast.vehicles[1].id,
        driver_id=cast.drivers[1].id,
        co_driver_id=cast.drivers[0].id,
        validity_hours=24,
    )
    updated = demo.applications.update(cast.clerk, filed.id, changed)
    assert updated.status is ApplicationStatus.SUBMITTED

    stored = demo.applications.get(cast.clerk, filed.id).application
    assert (stored.cargo, stored.vehicle_id, stored.driver_id, stored.co_driver_id) == (
        "冷链食品",
        cast.vehicles[1].id,
        cast.drivers[1].id,
        cast.drivers[0].id,
    )
    assert stored.validity_hours == 24

    demo.passes.approve(cast.reviewer, filed.id)
    before = demo.store.audit.count()
    with pytest.raises(InvalidState):
        demo.applications.update(cast.clerk, filed.id, form_for(demo, cast, cargo="化工原料"))
    with pytest.raises(InvalidState):
        demo.applications.withdraw(cast.clerk, filed.id)
    after = demo.applications.get(cast.clerk, filed.id).application
    assert after.status is ApplicationStatus.APPROVED
    assert after.cargo == "冷链食品"
    assert demo.store.audit.count() == before


def test_withdraw_a_draft_or_a_submitted_application(demo: Services, cast: Cast) -> None:
    draft = demo.applications.file(cast.clerk, form_for(demo, cast))
    submitted = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)
    before = demo.store.audit.count()

    demo.applications.withdraw(cast.clerk, draft.id)
    demo.applications.withdraw(cast.clerk, submitted.id)

    assert status_of(demo, draft.id) is ApplicationStatus.WITHDRAWN
    assert status_of(demo, submitted.id) is ApplicationStatus.WITHDRAWN
    assert [a for _, a, _ in new_actions(demo, before)] == ["application.withdraw"] * 2
    queued = {
        v.application.id for v in demo.applications.queue(cast.reviewer, ApplicationQuery()).rows
    }
    assert submitted.id not in queued
    # A withdrawn application is closed: no second withdrawal, no edit, no decision.
    with pytest.raises(InvalidState):
        demo.applications.withdraw(cast.clerk, draft.id)
    with pytest.raises(InvalidState):
        demo.applications.update(cast.clerk, submitted.id, form_for(demo, cast))
    with pytest.raises(InvalidState):
        demo.passes.approve(cast.reviewer, submitted.id)
    with pytest.raises(InvalidState):
        demo.applications.reject(cast.reviewer, submitted.id, REASON)
    assert demo.store.passes.for_application(submitted.id) is None


def test_bad_form_reports_every_field_and_saves_nothing(demo: Services, cast: Cast) -> None:
    foreign_vehicle = next(
        v
        for v in demo.store.vehicles.search(SearchQuery(limit=1000)).rows
        if v.enterprise_id != cast.clerk.enterprise_id
    )
    now = demo.applications.clock()
    form = form_for(
        demo,
        cast,
        vehicle_id=foreign_vehicle.id,
        co_driver_id=cast.drivers[0].id,  # the driver again
        planned_arrival=now - timedelta(hours=12, seconds=1),
        validity_hours=0,
        cargo="电子\u200b元件",
    )
    applications, audit = application_total(demo), demo.store.audit.count()

    with pytest.raises(FormInvalid) as caught:
        demo.applications.file(cast.clerk, form, submit=True)

    assert caught.value.codes() == {
        "vehicle_id": C.REQUIRED,  # another enterprise's vehicle is not revealed to exist
        "co_driver_id": C.BAD_FORMAT,
        "planned_arrival": C.BAD_DATE,
        "validity_hours": C.BAD_FORMAT,
        "cargo": C.BAD_CHARACTER,
    }
    assert application_total(demo) == applications
    assert demo.store.audit.count() == audit


def test_another_enterprises_driver_and_unknown_ids_count_as_missing(
    demo: Services, cast: Cast
) -> None:
    foreign_driver = next(
        d
        for d in demo.store.drivers.search(SearchQuery(limit=1000)).rows
        if d.enterprise_id != cast.clerk.enterprise_id
    )
    form = form_for(
        demo,
        cast,
        vehicle_id=999_999,
        driver_id=foreign_driver.id,
        co_driver_id=foreign_driver.id + 999_999,
        origin_region_id=999_999,
        planned_arrival=None,
        cargo="  ",
    )
    with pytest.raises(FormInvalid) as caught:
        demo.applications.file(cast.clerk, form)
    assert caught.value.codes() == {
        "vehicle_id": C.REQUIRED,
        "driver_id": C.REQUIRED,
        "co_driver_id": C.REQUIRED,
        "origin_region_id": C.REQUIRED,
        "planned_arrival": C.REQUIRED,
        "cargo": C.REQUIRED,
    }


@pytest.mark.parametrize(
    ("arrival", "hours", "bad_field"),
    [
        (-timedelta(hours=12), 1, None),
        (timedelta(days=30), 720, None),
        (-timedelta(hours=12, seconds=1), 72, "planned_arrival"),
        (timedelta(days=30, seconds=1), 72, "planned_arrival"),
        (timedelta(hours=1), 0, "validity_hours"),
        (timedelta(hours=1), 721, "validity_hours"),
    ],
)
def test_planning_window_and_validity_limits(
    demo: Services, cast: Cast, arrival: timedelta, hours: int, bad_field: str | None
) -> None:
    form = form_for(
        demo, cast, planned_arrival=demo.applications.clock() + arrival, validity_hours=hours
    )
    before = application_total(demo)
    if bad_field is None:
        filed = demo.applications.file(cast.clerk, form)
        assert (filed.planned_arrival, filed.validity_hours) == (form.planned_arrival, hours)
        assert application_total(demo) == before + 1
        return
    with pytest.raises(FormInvalid) as caught:
        demo.applications.file(cast.clerk, form)
    assert list(caught.value.codes()) == [bad_field]
    assert application_total(demo) == before


def test_bad_edit_leaves_the_application_unchanged(demo: Services, cast: Cast) -> None:
    filed = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)
    audit = demo.store.audit.count()
    with pytest.raises(FormInvalid):
        demo.applications.update(
            cast.clerk, filed.id, form_for(demo, cast, cargo="纸浆", validity_hours=721)
        )
    assert demo.store.applications.get(filed.id) == filed
    assert demo.store.audit.count() == audit


def test_reviewers_do_not_file_and_clerks_do_not_decide(demo: Services, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        demo.applications.file(cast.reviewer, form_for(demo, cast))
    filed = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)
    with pytest.raises(PermissionDenied):
        demo.passes.approve(cast.clerk, filed.id)
    with pytest.raises(PermissionDenied):
        demo.applications.reject(cast.clerk, filed.id, REASON)
    with pytest.raises(PermissionDenied):
        demo.applications.queue(cast.clerk, ApplicationQuery())
    assert status_of(demo, filed.id) is ApplicationStatus.SUBMITTED


# --- who sees what --------------------------------------------------------------------------------


def test_clerks_see_only_their_own_enterprises_applications(demo: Services, cast: Cast) -> None:
    other_enterprise = next(
        v.enterprise_id
        for v in demo.store.vehicles.search(SearchQuery(limit=1000)).rows
        if v.enterprise_id != cast.clerk.enterprise_id
    )
    demo.accounts.create_user(
        cast.admin,
        UserInput("clerk2", "报备员二", Role.CLERK, PASSWORD, enterprise_id=other_enterprise),
    )
    clerk2 = demo.accounts.login("clerk2", PASSWORD)
    vehicle = demo.fleet.add_vehicle(clerk2, VehicleInput("浙F8A8B8"))
    driver = demo.fleet.add_driver(clerk2, DriverInput("钱二", "11010519491231002X", "13900139000"))
    theirs = demo.applications.file(
        clerk2,
        ApplicationInput(
            vehicle.id,
            driver.id,
            cast.regions[RiskLevel.LOW],
            "纸浆",
            demo.applications.clock() + timedelta(hours=3),
        ),
        submit=True,
    )
    mine = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)

    own_page = demo.applications.search(cast.clerk, ApplicationQuery(limit=1000))
    assert own_page.total == len(own_page.rows) > 1
    assert {v.application.enterprise_id for v in own_page.rows} == {cast.clerk.enterprise_id}
    assert mine.id in {v.application.id for v in own_page.rows}
    # Asking for the other enterprise explicitly, or by id, reveals nothing.
    asked = demo.applications.search(
        cast.clerk, ApplicationQuery(enterprise_id=other_enterprise, limit=1000)
    )
    assert theirs.id not in {v.application.id for v in asked.rows}
    assert demo.applications.search(cast.clerk, ApplicationQuery(text="浙F8A8B8")).total == 0
    with pytest.raises(NotFound):
        demo.applications.get(cast.clerk, theirs.id)
    with pytest.raises(NotFound):
        demo.applications.update(cast.clerk, theirs.id, form_for(demo, cast))
    with pytest.raises(NotFound):
        demo.applications.withdraw(cast.clerk, theirs.id)
    assert status_of(demo, theirs.id) is ApplicationStatus.SUBMITTED

    # The other clerk sees only its own one; the reviewer sees both.
    assert [
        v.application.id for v in demo.applications.search(clerk2, ApplicationQuery()).rows
    ] == [theirs.id]
    everything = demo.applications.search(cast.reviewer, ApplicationQuery(limit=1000))
    assert {theirs.id, mine.id} <= {v.application.id for v in everything.rows}


def test_review_queue_is_submitted_only_oldest_first(
    demo: Services, cast: Cast, clock: FakeClock
) -> None:
    draft = demo.applications.file(cast.clerk, form_for(demo, cast))
    clock.advance(minutes=1)
    newest = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)

    page = demo.applications.queue(
        cast.reviewer, ApplicationQuery(statuses=(ApplicationStatus.DRAFT,), descending=True)
    )
    rows = page.rows
    submitted = demo.applications.search(
        cast.reviewer, ApplicationQuery(statuses=(ApplicationStatus.SUBMITTED,), limit=1000)
    )
    assert page.total == submitted.total == len(rows) > 2
    assert {v.application.status for v in rows} == {ApplicationStatus.SUBMITTED}
    created = [v.application.created_at for v in rows]
    assert created == sorted(created)
    assert rows[-1].application.id == newest.id
    assert draft.id not in {v.application.id for v in rows}


def test_review_queue_risk_only_filter(demo: Services, cast: Cast) -> None:
    risky = demo.applications.file(
        cast.clerk, form_for(demo, cast, origin_region_id=cast.regions[RiskLevel.HIGH]), True
    )
    low = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)

    everything = demo.applications.queue(cast.reviewer, ApplicationQuery(limit=1000)).rows
    only_risk = demo.applications.queue(
        cast.reviewer, ApplicationQuery(risk_only=True, limit=1000)
    ).rows

    assert {v.risk for v in only_risk} <= {RiskLevel.MEDIUM, RiskLevel.HIGH}
    assert [v.application.id for v in only_risk] == [
        v.application.id for v in everything if v.risk is not RiskLevel.LOW
    ]
    assert risky.id in {v.application.id for v in only_risk}
    assert low.id not in {v.application.id for v in only_risk}


# --- deciding -------------------------------------------------------------------------------------


def filed_by_reviewer(services: Services, cast: Cast) -> TripApplication:
    """A SUBMITTED application whose filer is the reviewer (as if a role had changed)."""
    with services.store.transaction() as tx:
        return tx.applications.add(
            cast.clerk.enterprise_id or 0,
            cast.vehicles[0].id,
            cast.drivers[0].id,
            None,
            cast.regions[RiskLevel.LOW],
            "电子元件",
            services.applications.clock() + timedelta(hours=4),
            72,
            ApplicationStatus.SUBMITTED,
            cast.reviewer.id,
            services.applications.clock(),
        )


def test_a_reviewer_never_decides_its_own_filing(demo: Services, cast: Cast) -> None:
    own = filed_by_reviewer(demo, cast)
    audit = demo.store.audit.count()

    with pytest.raises(PermissionDenied):
        demo.passes.approve(cast.reviewer, own.id)
    with pytest.raises(PermissionDenied):
        demo.applications.reject(cast.reviewer, own.id, REASON)
    bulk = demo.passes.approve_many(cast.reviewer, [own.id])
    assert (bulk.issued, bulk.refused) == ((), ((own.id, "PERMISSION_DENIED"),))

    assert status_of(demo, own.id) is ApplicationStatus.SUBMITTED
    assert demo.store.passes.for_application(own.id) is None
    assert demo.store.audit.count() == audit

    # Another reviewer may decide it.
    other = add_reviewer(demo, cast.admin, "reviewer2")
    issued = demo.passes.approve(other, own.id)
    assert demo.passes.verify(issued.token).reason is TokenReason.OK


def test_reject_needs_a_reason_and_records_it(demo: Services, cast: Cast) -> None:
    filed = demo.applications.file(cast.clerk, form_for(demo, cast), submit=True)
    audit = demo.store.audit.count()
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            demo.applications.reject(cast.reviewer, filed.id, blank)
        assert caught.value.code is C.REQUIRED
    with pytest.raises(ValidationError) as caught:
        demo.applications.reject(cast.reviewer, filed.id, "不符\u202e合")
    assert caught.value.code is C.BAD_CHARACTER
    assert status_of(demo, filed.id) is ApplicationStatus.SUBMITTED
    assert demo.store.audit.count() == audit

    demo.applications.reject(cast.reviewer, filed.id, f"  {REASON}  ")

    decided = demo.applications.get(cast.clerk, filed.id).application
    assert decided.status is ApplicationStatus.REJECTED
    assert decided.decision_reason == REASON
    assert decided.decided_by == cast.reviewer.id
    assert decided.decided_at == demo.applications.clock()
    assert new_actions(demo, audit) == [("reviewer", "application.reject", str(filed.id))]
    # Decided once: a second rejection or an approval is refused, and no pass exists.
    with pytest.raises(InvalidState):
        demo.applications.reject(cast.reviewer, filed.id, "再次驳回")
    with pytest.raises(InvalidState):
        demo.passes.approve(cast.reviewer, filed.id)
    assert demo.store.passes.for_application(filed.id) is None
    assert demo.applications.get(cast.clerk, filed.id).application.decision_reason == REASON


def test_deciding_an_unknown_application_is_not_found(demo: Services, cast: Cast) -> None:
    with pytest.raises(NotFound):
        demo.passes.approve(cast.reviewer, 999_999)
    with pytest.raises(NotFound):
        demo.applications.reject(cast.reviewer, 999_999, REASON)


# --- two reviewers at once ------------------------------------------------------------------------


def test_two_reviewers_approving_at_once_exactly_one_wins(
    demo: Services,
    cast: Cast,
    store: SqliteStore,
    db_path: Path,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    """Two stations, each with its own connection to the file, approve the same applications."""
    second = add_reviewer(demo, cast.admin, "reviewer2")
    contested = [
        demo.applications.file(
            cast.clerk, form_for(demo, cast, vehicle_id=vehicle.id), submit=True
        ).id
        for vehicle in cast.vehicles[:6]
    ]
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, list[Pass | Exception]] = {"reviewer": [], "reviewer2": []}

    def station(reviewer: User) -> None:
        # sqlite3 connections belong to the thread that opens them: one store per station.
        store = open_store(db_path)
        try:
            services = Services.build(store, clock, FAST_HASH, KeyFolder(tmp_path / "keys"))
            for application_id in contested:
                barrier.wait()
                try:
                    outcomes[reviewer.username].append(
                        services.passes.approve(reviewer, application_id)
                    )
                except Exception as error:  # collected and asserted on below
                    outcomes[reviewer.username].append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=station, args=(r,)) for r in (cast.reviewer, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    for index, application_id in enumerate(contested):
        results = [outcomes["reviewer"][index], outcomes["reviewer2"][index]]
        winners = [r for r in results if isinstance(r, Pass)]
        losers = [r for r in results if not isinstance(r, Pass)]
        assert len(winners) == 1, results
        assert len(losers) == 1 and isinstance(losers[0], InvalidState), results
        assert winners[0].application_id == application_id
        count = store.conn.execute(
            "SELECT count(*) FROM passes WHERE application_id = ?", (application_id,)
        ).fetchone()[0]
        assert count == 1
        stored = demo.store.passes.for_application(application_id)
        assert stored is not None and stored.serial == winners[0].serial
        decided = demo.store.applications.get(application_id)
        assert decided is not None and decided.status is ApplicationStatus.APPROVED
        winner_name = "reviewer" if isinstance(results[0], Pass) else "reviewer2"
        assert decided.decided_by == (cast.reviewer if winner_name == "reviewer" else second).id
        assert demo.passes.verify(winners[0].token).reason is TokenReason.OK
        approvals = [
            e
            for e in demo.store.audit.entries()
            if e.action == "application.approve" and e.entity_id == str(application_id)
        ]
        assert [e.actor for e in approvals] == [winner_name]
