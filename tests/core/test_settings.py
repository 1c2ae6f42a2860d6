"""The settings catalogue and the settings service: parsing and bounds, fallback for bad
stored values, one audited transaction per change, the token never in the audit chain, only
an administrator changes settings — and a changed setting changes what a user sees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.errors import PermissionDenied
from core.forms import FormInvalid
from core.models import Checkpoint, Pass, PassStatus, RiskLevel, Role, User, Verdict
from core.ports import PassQuery, SearchQuery
from core.route import ScanReason
from core.services import Services
from core.services.applications import ApplicationInput
from core.settings import (
    DEFAULTS,
    SECRET_MASK,
    SETTING_SPECS,
    SPEC_BY_KEY,
    SettingKind,
    Settings,
    SettingSpec,
    StationSettings,
    parse_camera,
    parse_setting,
    settings_from,
    split_station_key,
    station_from,
    station_key,
)
from core.sms import HttpGatewaySender
from core.validation import ValidationCode, ValidationError
from tests.conftest import FakeClock, demo_user

C = ValidationCode
TOKEN = "tok-3f9a7c1e-very-secret"
STATION = "lane-pc-1-3f2a9c1b"
INTEGER_SPECS = [s for s in SETTING_SPECS if s.kind is SettingKind.INTEGER]
ROLES = {
    Role.CLERK: "clerk",
    Role.REVIEWER: "reviewer",
    Role.OPERATOR: "gate1",
    Role.SUPERVISOR: "supervisor",
}


def _admin(services: Services) -> User:
    return demo_user(services, "admin")


def _changes(services: Services, before: int) -> list[dict[str, object]]:
    return [
        {"actor": e.actor, "entity_id": e.entity_id, **e.details}
        for e in services.store.audit.entries(before + 1)
        if e.action == "setting.change"
    ]


def _codes(error: FormInvalid) -> dict[str, ValidationCode]:
    return error.codes()


# -- the catalogue ---------------------------------------------------------------------------


@pytest.mark.parametrize("s", INTEGER_SPECS, ids=lambda s: s.key)
def test_integer_settings_accept_their_bounds_and_refuse_beyond(s: SettingSpec) -> None:
    assert parse_setting(s, str(s.minimum)) == s.minimum
    assert parse_setting(s, f" {s.maximum} ") == s.maximum
    for bad in (str(s.minimum - 1), str(s.maximum + 1)):
        with pytest.raises(ValidationError) as caught:
            parse_setting(s, bad)
        assert (caught.value.field, caught.value.code) == (s.key, C.BAD_FORMAT)
        assert f"between {s.minimum} and {s.maximum}" in caught.value.detail


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", C.REQUIRED),
        ("   ", C.REQUIRED),
        ("abc", C.BAD_FORMAT),
        ("12.5", C.BAD_FORMAT),
        ("1e3", C.BAD_FORMAT),
        ("７２", C.BAD_FORMAT),  # full-width digits: refused, not guessed
        ("٧٢", C.BAD_FORMAT),  # Arabic-Indic digits
        ("--5", C.BAD_FORMAT),
        ("9" * 5000, C.BAD_FORMAT),  # not slow, not a crash: out of range
        ("'; DROP TABLE settings;--", C.BAD_FORMAT),
    ],
)
def test_integer_settings_refuse_garbage(text: str, code: ValidationCode) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_setting(SPEC_BY_KEY["pass.validity_hours"], text)
    assert caught.value.code is code


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://sms.example.com/send", C.BAD_FORMAT),
        ("sms.example.com/send", C.BAD_FORMAT),
        ("https://", C.BAD_FORMAT),
        ("https://user:pw@sms.example.com/send", C.BAD_FORMAT),
        ("https://sms.example.com/se nd", C.BAD_CHARACTER),
        ("https://sms.example.com/\u202esend", C.BAD_CHARACTER),
        ("https://" + "a" * 600 + ".com", C.TOO_LONG),
    ],
)
def test_gateway_url_must_be_a_plain_http_url(url: str, code: ValidationCode) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_setting(SPEC_BY_KEY["sms.gateway_url"], url)
    assert caught.value.code is code


def test_gateway_url_empty_or_http_is_fine() -> None:
    spec = SPEC_BY_KEY["sms.gateway_url"]
    assert parse_setting(spec, "") == ""
    assert parse_setting(spec, " https://sms.example.com/send ") == "https://sms.example.com/send"


def test_missing_or_bad_stored_values_fall_back_to_the_default() -> None:
    stored = {
        "pass.validity_hours": "forever",
        "scan.duplicate_window": "0",  # below its minimum
        "scan.clock_tolerance": "60",
        "leg.gate_to_enterprise": "",
        "sms.gateway_url": "gopher://old",
        "no.such.key": "1",
    }
    typed = settings_from(stored)
    assert typed.validity_hours == DEFAULTS.validity_hours
    assert typed.duplicate_window_seconds == DEFAULTS.duplicate_window_seconds
    assert typed.leg_gate_to_enterprise == DEFAULTS.leg_gate_to_enterprise
    assert typed.sms_gateway_url == ""
    assert typed.clock_tolerance == timedelta(seconds=60)
    assert settings_from({}) == Settings()


def test_leg_limits_come_from_the_settings() -> None:
    typed = settings_from({"leg.enterprise_to_isolation": "45", "leg.enterprise_to_gate": "600"})
    assert typed.leg_limit(PassStatus.ARRIVED, isolation_loop=True) == timedelta(minutes=45)
    assert typed.leg_limit(PassStatus.ARRIVED, isolation_loop=False) == timedelta(minutes=600)
    assert typed.leg_limit(PassStatus.ISSUED, isolation_loop=False) is None


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("", ""),
        (" 2 ", "2"),
        ("07", "7"),
        ("rtsp://192.168.1.20:554/stream1", "rtsp://192.168.1.20:554/stream1"),
        ("/srv/lane/test.mp4", "/srv/lane/test.mp4"),
        (r"C:\lanes\gate.mp4", r"C:\lanes\gate.mp4"),
    ],
)
def test_camera_sources(text: str, stored: str) -> None:
    assert parse_camera("k", text) == stored


@pytest.mark.parametrize(
    "text", ["100", "ftp://cam/1", "rtsp://", "camera one", "lane.mp4", "٣", "/v/\x00.mp4"]
)
def test_bad_camera_sources(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_camera("k", text)


def test_station_keys() -> None:
    key = station_key(STATION, "camera")
    assert key == f"station.{STATION}.camera"
    assert split_station_key(key) == (STATION, "camera")
    assert split_station_key("station.x.y.z") is None
    assert split_station_key("scan.duplicate_window") is None
    with pytest.raises(ValueError):
        station_key("../etc", "camera")
    stored = {key: "ftp://broken", station_key(STATION, "checkpoint"): "G02"}
    assert station_from(stored, STATION) == StationSettings(STATION, "G02", "")


# -- the service -----------------------------------------------------------------------------


def test_current_is_the_defaults_on_a_new_database(services: Services) -> None:
    assert services.settings.current() == DEFAULTS


def test_admin_changes_settings_and_each_change_is_audited(demo: Services) -> None:
    admin = _admin(demo)
    before = demo.store.audit.count()
    result = demo.settings.update(
        admin,
        {
            "scan.duplicate_window": " 30 ",
            "pass.validity_hours": "48",
            "retention.days": str(DEFAULTS.retention_days),  # unchanged: not written
        },
    )
    assert (result.duplicate_window_seconds, result.validity_hours) == (30, 48)
    assert demo.settings.current() == result
    assert demo.store.settings.all() == {"scan.duplicate_window": "30", "pass.validity_hours": "48"}
    assert _changes(demo, before) == [
        {
            "actor": "admin",
            "entity_id": "scan.duplicate_window",
            "key": "scan.duplicate_window",
            "old": "10",
            "new": "30",
        },
        {
            "actor": "admin",
            "entity_id": "pass.validity_hours",
            "key": "pass.validity_hours",
            "old": "72",
            "new": "48",
        },
    ]
    assert demo.audit.verify(admin).ok


def test_every_bad_value_is_reported_and_nothing_is_saved(demo: Services) -> None:
    admin = _admin(demo)
    before = demo.store.audit.count()
    with pytest.raises(FormInvalid) as caught:
        demo.settings.update(
            admin,
            {
                "scan.duplicate_window": "20",  # fine, but not saved with the others bad
                "pass.validity_hours": "0",
                "scan.clock_tolerance": "abc",
                "sms.gateway_url": "ftp://x",
                "no.such.setting": "1",
                f"station.{STATION}.checkpoint": "NOPE",
            },
        )
    assert _codes(caught.value) == {
        "pass.validity_hours": C.BAD_FORMAT,
        "scan.clock_tolerance": C.BAD_FORMAT,
        "sms.gateway_url": C.BAD_FORMAT,
        "no.such.setting": C.BAD_FORMAT,
        f"station.{STATION}.checkpoint": C.BAD_FORMAT,
    }
    assert demo.store.settings.all() == {}
    assert demo.store.audit.count() == before


def test_the_gateway_token_never_reaches_the_audit_chain(demo: Services) -> None:
    admin = _admin(demo)
    before = demo.store.audit.count()
    demo.settings.update(
        admin,
        {"sms.gateway_url": "https://sms.example.com/send?key=abc", "sms.gateway_token": TOKEN},
    )
    demo.settings.update(admin, {"sms.gateway_token": TOKEN + "-2"})
    demo.settings.update(admin, {"sms.gateway_token": ""})
    changes = _changes(demo, before)
    assert changes[0]["new"] == "https://sms.example.com/send?…"  # a query may hold a key
    assert [c for c in changes if c["key"] == "sms.gateway_token"] == [
        {
            "actor": "admin",
            "entity_id": "sms.gateway_token",
            "key": "sms.gateway_token",
            "changed": True,
            "set": state,
        }
        for state in (True, True, False)
    ]
    raw = demo.store.conn.execute("SELECT group_concat(details, '|') FROM audit_log").fetchone()
    assert "tok-3f9a7c1e" not in raw[0] and "key=abc" not in raw[0]


def test_listing_masks_the_token(demo: Services) -> None:
    admin = _admin(demo)
    assert demo.settings.listing()["sms.gateway_token"] == ""
    demo.settings.update(
        admin,
        {"sms.gateway_token": TOKEN, f"station.{STATION}.camera": "2", "backup.keep": "30"},
    )
    listing = demo.settings.listing()
    assert listing["sms.gateway_token"] == SECRET_MASK
    assert listing["backup.keep"] == 30
    assert listing[f"station.{STATION}.camera"] == "2"
    assert TOKEN not in repr(listing)
    assert [k for k in listing if not k.startswith("station.")] == [s.key for s in SETTING_SPECS]


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r.value)
def test_only_an_administrator_changes_settings(demo: Services, role: Role) -> None:
    actor = demo_user(demo, ROLES[role])
    before = demo.store.audit.count()
    with pytest.raises(PermissionDenied):
        demo.settings.update(actor, {"scan.duplicate_window": "30"})
    with pytest.raises(PermissionDenied):
        demo.settings.update(actor, {})
    assert demo.store.settings.all() == {}
    assert demo.store.audit.count() == before


def test_station_checkpoint_and_camera(demo: Services) -> None:
    admin = _admin(demo)
    demo.settings.update(
        admin,
        {
            f"station.{STATION}.checkpoint": " g02 ",
            f"station.{STATION}.camera": "rtsp://10.0.0.5/1",
        },
    )
    assert demo.settings.station(STATION) == StationSettings(STATION, "G02", "rtsp://10.0.0.5/1")
    assert demo.settings.station("another-pc") == StationSettings("another-pc")
    demo.settings.update(admin, {f"station.{STATION}.checkpoint": ""})
    assert demo.settings.station(STATION).checkpoint == ""


def test_a_closed_checkpoint_cannot_be_a_station_checkpoint(demo: Services) -> None:
    admin = _admin(demo)
    gate = demo.registry.checkpoint_by_code(admin, "G02")
    demo.registry.set_checkpoint_active(admin, gate.id, False)
    with pytest.raises(FormInvalid):
        demo.settings.update(admin, {f"station.{STATION}.checkpoint": "G02"})


def test_the_operator_sets_its_lane_camera_and_nothing_else(demo: Services) -> None:
    operator = demo_user(demo, "gate1")
    before = demo.store.audit.count()
    assert demo.settings.set_station_camera(operator, STATION, "3").camera == "3"
    assert _changes(demo, before) == [
        {
            "actor": "gate1",
            "entity_id": f"station.{STATION}.camera",
            "key": f"station.{STATION}.camera",
            "old": "",
            "new": "3",
        }
    ]
    with pytest.raises(FormInvalid):
        demo.settings.set_station_camera(operator, "../../x", "3")
    with pytest.raises(FormInvalid):
        demo.settings.set_station_camera(operator, STATION, "ftp://cam")
    with pytest.raises(PermissionDenied):
        demo.settings.set_station_camera(demo_user(demo, "clerk"), STATION, "1")
    assert demo.settings.station(STATION).camera == "3"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_may_set_a_lane_camera(demo: Services, role: Role) -> None:
    actor = demo_user(demo, {**ROLES, Role.ADMIN: "admin"}[role])
    if role in (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR):
        assert demo.settings.set_station_camera(actor, STATION, "1").camera == "1"
    else:
        with pytest.raises(PermissionDenied):
            demo.settings.set_station_camera(actor, STATION, "1")
        assert demo.store.settings.all() == {}


# -- a changed setting changes what a user sees ---------------------------------------------


class Lane:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.supervisor = demo_user(services, "supervisor")
        points = {p.code: p for p in services.store.checkpoints.list_all()}
        self.gate: Checkpoint = points["G01"]
        self.enterprise: Checkpoint = points["E0001"]

    def low_risk(self) -> list[Pass]:
        rows = self.services.passes.search(self.supervisor, PassQuery(limit=100)).rows
        return [p for p in rows if p.risk is RiskLevel.LOW]


@pytest.fixture
def lane(demo: Services) -> Lane:
    return Lane(demo)


@pytest.mark.parametrize(("window", "repeat"), [(None, False), ("30", True)])
def test_the_duplicate_window_setting(
    lane: Lane, clock: FakeClock, window: str | None, repeat: bool
) -> None:
    if window is not None:
        lane.services.settings.update(_admin(lane.services), {"scan.duplicate_window": window})
    issued = lane.low_risk()[0]
    scans = lane.services.scans
    first = scans.scan(lane.supervisor, lane.gate, issued.token)
    assert first.verdict is Verdict.GREEN
    clock.advance(seconds=20)
    again = scans.scan(lane.supervisor, lane.gate, issued.token)
    if repeat:  # inside the 30 s window: the camera's repeat shows the first verdict
        assert (again.verdict, again.reason, again.recorded) == (
            Verdict.GREEN,
            ScanReason.OK,
            False,
        )
    else:  # past the default 10 s: a second scan of a point already done
        assert (again.verdict, again.reason, again.recorded) == (
            Verdict.RED,
            ScanReason.ALREADY_SCANNED,
            True,
        )


@pytest.mark.parametrize(("tolerance", "reason"), [(None, ScanReason.CLOCK_SKEW), ("60", None)])
def test_the_clock_tolerance_setting(
    lane: Lane, clock: FakeClock, tolerance: str | None, reason: ScanReason | None
) -> None:
    if tolerance is not None:
        lane.services.settings.update(_admin(lane.services), {"scan.clock_tolerance": tolerance})
    first, second = lane.low_risk()[:2]
    lane.services.scans.scan(lane.supervisor, lane.gate, first.token)
    clock.advance(seconds=-30)  # the station's clock is 30 s behind its last scan
    result = lane.services.scans.scan(lane.supervisor, lane.gate, second.token)
    assert result.reason is (reason or ScanReason.OK)


@pytest.mark.parametrize(("minutes", "reason"), [(None, ScanReason.OK), ("30", None)])
def test_the_clone_travel_time_setting(
    lane: Lane, clock: FakeClock, minutes: str | None, reason: ScanReason | None
) -> None:
    if minutes is not None:
        lane.services.settings.update(_admin(lane.services), {"scan.clone_min_travel": minutes})
    issued = lane.low_risk()[0]
    lane.services.scans.scan(lane.supervisor, lane.gate, issued.token)
    clock.advance(minutes=20)
    result = lane.services.scans.scan(lane.supervisor, lane.enterprise, issued.token)
    assert result.reason is (reason or ScanReason.POSSIBLE_CLONE)


def test_the_validity_setting_is_the_default_of_a_new_application(
    demo: Services, clock: FakeClock
) -> None:
    demo.settings.update(_admin(demo), {"pass.validity_hours": "24"})
    clerk = demo_user(demo, "clerk")
    own = SearchQuery(enterprise_id=clerk.enterprise_id, limit=10)
    region = next(r for r in demo.store.risk_regions.list_all() if r.level is RiskLevel.LOW)
    form = ApplicationInput(
        demo.store.vehicles.search(own).rows[0].id,
        demo.store.drivers.search(own).rows[0].id,
        region.id,
        "纸浆",
        clock() + timedelta(hours=3),
    )
    assert demo.applications.file(clerk, form).validity_hours == 24
    assert demo.applications.file(clerk, form, submit=True).validity_hours == 24
    assert form.validity_hours is None  # the form left it to the setting


def test_the_gateway_settings_choose_the_sender(demo: Services) -> None:
    assert demo.outbox.sender().name == "outbox-only"
    demo.settings.update(
        _admin(demo),
        {"sms.gateway_url": "https://sms.example.com/send", "sms.gateway_token": TOKEN},
    )
    assert isinstance(demo.outbox.sender(), HttpGatewaySender)
    with demo.store.transaction() as tx:  # a value edited by hand into something unusable
        tx.settings.put("sms.gateway_url", "gopher://old")
    assert demo.outbox.sender().name == "outbox-only"
