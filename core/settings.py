"""The deployment's settings: what each one means, its default, its bounds, and parsing.

Settings are rows of the ``settings`` table (key → text). ``Settings`` is the typed view the
services read; ``SETTING_SPECS`` lists every editable key with its bounds so that one piece of
code validates what the settings dialog, the CLI and a hand-edited database supply. A stored
value that no longer parses (edited by hand, written by another version) falls back to the
default rather than stopping a checkpoint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from core.models import PassStatus
from core.validation import ValidationCode, ValidationError


class SettingKind(StrEnum):
    INTEGER = "INTEGER"
    TEXT = "TEXT"
    SECRET = "SECRET"  # text never shown back in full (gateway token)


@dataclass(frozen=True)
class SettingSpec:
    """One editable setting: stored ``key``, ``Settings`` field, kind, bounds and unit."""

    key: str
    field: str
    kind: SettingKind
    minimum: int = 0
    maximum: int = 0
    unit: str = ""  # "hours", "minutes", "seconds", "days", "entries", "" for text


@dataclass(frozen=True)
class Settings:
    """Every setting with its default (the values a new database starts with)."""

    validity_hours: int = 72
    # Leg time limits (minutes): a leg still open past its limit is an OVERDUE anomaly.
    leg_gate_to_enterprise: int = 180
    leg_enterprise_to_gate: int = 720
    leg_enterprise_to_isolation: int = 120
    leg_isolation_to_gate: int = 1440
    duplicate_window_seconds: int = 10
    clock_tolerance_seconds: int = 5
    # Two scans of one pass at different points closer in time than this: POSSIBLE_CLONE.
    clone_min_travel_minutes: int = 2
    # This many RED verdicts for one plate within a day: a REPEATED_RED anomaly.
    repeated_red_threshold: int = 3
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    retention_days: int = 180
    audit_head_every: int = 1000
    backup_interval_hours: int = 24
    backup_keep: int = 14

    @property
    def duplicate_window(self) -> timedelta:
        """A repeat of one pass at one station within this shows the first verdict again."""
        return timedelta(seconds=self.duplicate_window_seconds)

    @property
    def clock_tolerance(self) -> timedelta:
        """How far a station's clock may be behind its own last scan before CLOCK_SKEW."""
        return timedelta(seconds=self.clock_tolerance_seconds)

    @property
    def clone_min_travel(self) -> timedelta:
        """The least time between GREEN scans of one pass at two different points."""
        return timedelta(minutes=self.clone_min_travel_minutes)

    def leg_limit(self, status: PassStatus, isolation_loop: bool) -> timedelta | None:
        """How long a pass may stay in ``status`` before its next point is overdue."""
        minutes = {
            PassStatus.ENTERED: self.leg_gate_to_enterprise,
            PassStatus.ARRIVED: (
                self.leg_enterprise_to_isolation if isolation_loop else self.leg_enterprise_to_gate
            ),
            PassStatus.ISOLATED: self.leg_isolation_to_gate,
        }.get(status)
        return None if minutes is None else timedelta(minutes=minutes)


_INT = SettingKind.INTEGER
SETTING_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("pass.validity_hours", "validity_hours", _INT, 1, 720, "hours"),
    SettingSpec("leg.gate_to_enterprise", "leg_gate_to_enterprise", _INT, 5, 10080, "minutes"),
    SettingSpec("leg.enterprise_to_gate", "leg_enterprise_to_gate", _INT, 5, 10080, "minutes"),
    SettingSpec(
        "leg.enterprise_to_isolation", "leg_enterprise_to_isolation", _INT, 5, 10080, "minutes"
    ),
    SettingSpec("leg.isolation_to_gate", "leg_isolation_to_gate", _INT, 5, 43200, "minutes"),
    SettingSpec("scan.duplicate_window", "duplicate_window_seconds", _INT, 1, 300, "seconds"),
    SettingSpec("scan.clock_tolerance", "clock_tolerance_seconds", _INT, 0, 600, "seconds"),
    SettingSpec("scan.clone_min_travel", "clone_min_travel_minutes", _INT, 0, 240, "minutes"),
    SettingSpec("anomaly.repeated_red", "repeated_red_threshold", _INT, 2, 100, ""),
    SettingSpec("sms.gateway_url", "sms_gateway_url", SettingKind.TEXT),
    SettingSpec("sms.gateway_token", "sms_gateway_token", SettingKind.SECRET),
    SettingSpec("retention.days", "retention_days", _INT, 7, 3650, "days"),
    SettingSpec("audit.head_every", "audit_head_every", _INT, 10, 1_000_000, "entries"),
    SettingSpec("backup.interval_hours", "backup_interval_hours", _INT, 1, 720, "hours"),
    SettingSpec("backup.keep", "backup_keep", _INT, 1, 365, ""),
)
SPEC_BY_KEY: dict[str, SettingSpec] = {spec.key: spec for spec in SETTING_SPECS}
DEFAULTS = Settings()

_MAX_TEXT = 500
_MAX_DIGITS = 18
_WHOLE_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)


def parse_setting(spec: SettingSpec, text: str) -> int | str:
    """The typed value of ``text`` for ``spec``; ``ValidationError`` naming the key if bad."""
    value = text.strip()
    if spec.kind is not SettingKind.INTEGER:
        if len(value) > _MAX_TEXT:
            raise ValidationError(spec.key, ValidationCode.TOO_LONG)
        if spec.key == "sms.gateway_url" and value:
            _check_gateway_url(spec.key, value)
        return value
    if not value:
        raise ValidationError(spec.key, ValidationCode.REQUIRED)
    if not _WHOLE_NUMBER.fullmatch(value):
        raise ValidationError(spec.key, ValidationCode.BAD_FORMAT, "a whole number")
    # Thousands of digits would make int() slow or raise: anything that long is out of range.
    number = int(value) if len(value) <= _MAX_DIGITS else None
    if number is None or not spec.minimum <= number <= spec.maximum:
        raise ValidationError(
            spec.key, ValidationCode.BAD_FORMAT, f"between {spec.minimum} and {spec.maximum}"
        )
    return number


def _check_gateway_url(key: str, value: str) -> None:
    if not value.isprintable() or any(c.isspace() for c in value):
        raise ValidationError(key, ValidationCode.BAD_CHARACTER)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValidationError(key, ValidationCode.BAD_FORMAT, "http:// or https:// URL") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationError(key, ValidationCode.BAD_FORMAT, "http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        # A password in the URL would end up in the audit log; the token has its own field.
        raise ValidationError(key, ValidationCode.BAD_FORMAT, "no user:password in the URL")


def settings_from(stored: Mapping[str, str]) -> Settings:
    """The typed settings from stored rows; missing or unparsable values take the default."""
    values: dict[str, int | str] = {}
    for spec in SETTING_SPECS:
        text = stored.get(spec.key)
        if text is None:
            continue
        try:
            values[spec.field] = parse_setting(spec, text)
        except ValidationError:
            continue
    return Settings(**values)  # type: ignore[arg-type]


def as_stored(settings: Settings) -> dict[str, str]:
    """Every setting as the text stored for it."""
    return {spec.key: str(getattr(settings, spec.field)) for spec in SETTING_SPECS}


def shown_value(spec: SettingSpec, text: str) -> str:
    """``text`` as it may be shown or audited: a secret only says whether it is set, and a
    URL loses its query string (some gateways take their key there)."""
    if spec.kind is SettingKind.SECRET:
        return SECRET_MASK if text else ""
    if spec.key == "sms.gateway_url" and "?" in text:
        return text.split("?", 1)[0] + "?…"
    return text


SECRET_MASK = "******"


# -- per-station settings ------------------------------------------------------------------
#
# A station PC (a scan lane) has an id of its own, kept on that PC (the UI creates it on first
# start). Its rows are ``station.<id>.checkpoint`` (the checkpoint code a supervisor standing
# in scans at; "" for none) and ``station.<id>.camera`` ("" for none chosen, else a device
# index, a video file path or an RTSP/HTTP stream URL).

STATION_PREFIX = "station."
STATION_CHECKPOINT = "checkpoint"
STATION_CAMERA = "camera"
STATION_FIELDS = (STATION_CHECKPOINT, STATION_CAMERA)
STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https"})
MAX_CAMERA_INDEX = 99
_STATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", re.ASCII)
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/].*|\\\\.+", re.ASCII | re.DOTALL)


@dataclass(frozen=True)
class StationSettings:
    """What one station PC uses; empty text means "not chosen"."""

    station_id: str
    checkpoint: str = ""
    camera: str = ""


def is_station_id(text: str) -> bool:
    """True for a well-formed station id: ASCII letters, digits, '-' and '_', at most 64."""
    return _STATION_ID.fullmatch(text) is not None


def station_key(station_id: str, name: str) -> str:
    """The stored key of a station setting (``name`` is one of ``STATION_FIELDS``)."""
    if not is_station_id(station_id) or name not in STATION_FIELDS:
        raise ValueError(f"bad station setting {station_id!r}.{name!r}")
    return f"{STATION_PREFIX}{station_id}.{name}"


def split_station_key(key: str) -> tuple[str, str] | None:
    """``(station id, name)`` of a station setting's key, or None for any other key."""
    if not key.startswith(STATION_PREFIX):
        return None
    station_id, _, name = key[len(STATION_PREFIX) :].rpartition(".")
    if not is_station_id(station_id) or name not in STATION_FIELDS:
        return None
    return station_id, name


def station_from(stored: Mapping[str, str], station_id: str) -> StationSettings:
    """One station's settings from stored rows; a value that no longer parses counts as
    not chosen (the station falls back to its own default)."""
    values = {}
    for name in STATION_FIELDS:
        text = stored.get(station_key(station_id, name), "")
        if name == STATION_CAMERA:
            try:
                text = parse_camera(station_key(station_id, name), text)
            except ValidationError:
                text = ""
        values[name] = text.strip()
    return StationSettings(station_id, **values)


def parse_camera(key: str, text: str) -> str:
    """A camera source as stored: "" (none), a device index (0–99), a stream URL
    (rtsp/rtsps/http/https with a host) or an absolute video file path."""
    value = text.strip()
    if not value:
        return ""
    if len(value) > _MAX_TEXT:
        raise ValidationError(key, ValidationCode.TOO_LONG)
    if not value.isprintable():
        raise ValidationError(key, ValidationCode.BAD_CHARACTER)
    if value.isascii() and value.isdigit():
        if int(value) > MAX_CAMERA_INDEX:
            raise ValidationError(key, ValidationCode.BAD_FORMAT, "device 0 to 99")
        return str(int(value))
    if "://" in value:
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError:
            host = None
            parts = None
        if parts is None or parts.scheme.lower() not in STREAM_SCHEMES or not host:
            raise ValidationError(key, ValidationCode.BAD_FORMAT, "not an RTSP/HTTP URL")
        return value
    if value.startswith("/") or _WINDOWS_PATH.fullmatch(value):
        return value
    raise ValidationError(key, ValidationCode.BAD_FORMAT, "device, absolute path or URL")


assert {spec.field for spec in SETTING_SPECS} == {f.name for f in fields(Settings)}
