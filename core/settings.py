"""The deployment's settings: what each one means, its default, its bounds, and parsing.

Settings are rows of the ``settings`` table (key → text). ``Settings`` is the typed view the
services read; ``SETTING_SPECS`` lists every editable key with its bounds so that one piece of
code validates what the settings dialog, the CLI and a hand-edited database supply. A stored
value that no longer parses (edited by hand, written by another version) falls back to the
default rather than stopping a checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from enum import StrEnum

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


def parse_setting(spec: SettingSpec, text: str) -> int | str:
    """The typed value of ``text`` for ``spec``; ``ValidationError`` naming the key if bad."""
    value = text.strip()
    if spec.kind is not SettingKind.INTEGER:
        if len(value) > _MAX_TEXT:
            raise ValidationError(spec.key, ValidationCode.TOO_LONG)
        if (
            spec.key == "sms.gateway_url"
            and value
            and not value.startswith(("http://", "https://"))
        ):
            raise ValidationError(spec.key, ValidationCode.BAD_FORMAT, "http:// or https:// URL")
        return value
    if not value:
        raise ValidationError(spec.key, ValidationCode.REQUIRED)
    if not value.isascii() or not value.lstrip("-").isdigit():
        raise ValidationError(spec.key, ValidationCode.BAD_FORMAT, "a whole number")
    number = int(value)
    if not spec.minimum <= number <= spec.maximum:
        raise ValidationError(
            spec.key, ValidationCode.BAD_FORMAT, f"between {spec.minimum} and {spec.maximum}"
        )
    return number


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


assert {spec.field for spec in SETTING_SPECS} == {f.name for f in fields(Settings)}
