"""The deployment's settings, read by every service and changed by an administrator.

Values live in the ``settings`` table as text (``core.settings`` says what each key means,
its default and its bounds). Reading is one ``SELECT key, value FROM settings`` and needs no
permission: the scan path reads it on every scan, so a change made in the settings dialog —
or by ``settings set`` on another PC — applies from the next scan, with no cache to go stale.

Changing settings needs ``MANAGE_SETTINGS``. Every changed key is checked first and every
error reported together (``FormInvalid``, field = key); only then are all the changes
written in one transaction, each with a ``setting.change`` audit entry carrying the key, the
old and the new value — except for the SMS gateway token, whose entry only says that it was
changed (and whether it is now set).

A station PC keeps its own rows, ``station.<id>.checkpoint`` and ``station.<id>.camera``
(``core.settings.StationSettings``). The administrator sets both; the operator at a lane may
also set that lane's camera (fixing a camera is part of running the lane).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from core.errors import PermissionDenied
from core.forms import FieldCollector, FormInvalid
from core.models import User
from core.permissions import Action, allowed, require
from core.ports import Repositories
from core.services.base import Service
from core.settings import (
    SETTING_SPECS,
    SPEC_BY_KEY,
    STATION_CAMERA,
    SettingKind,
    Settings,
    StationSettings,
    as_stored,
    parse_camera,
    parse_setting,
    settings_from,
    shown_value,
    split_station_key,
    station_from,
    station_key,
)
from core.validation import ValidationCode, ValidationError

AUDIT_ACTION = "setting.change"


def read_settings(repos: Repositories) -> Settings:
    """The settings in force, from one read of the ``settings`` table (any transaction)."""
    return settings_from(repos.settings.all())


class SettingsService(Service):
    """Read and change the deployment's settings and the per-station settings."""

    def current(self) -> Settings:
        """The settings in force (no permission needed: every service reads them)."""
        return read_settings(self.store)

    def station(self, station_id: str) -> StationSettings:
        """The settings of the station PC ``station_id`` (no permission needed)."""
        return station_from(self.store.settings.all(), station_id)

    def listing(self) -> dict[str, int | str]:
        """Every setting by key, as the CLI shows it: typed values, the token masked, and the
        stations' rows (no permission needed; the CLI runs it for a signed-in user)."""
        stored = self.store.settings.all()
        typed = settings_from(stored)
        listing: dict[str, int | str] = {}
        for spec in SETTING_SPECS:
            value = getattr(typed, spec.field)
            listing[spec.key] = shown_value(spec, value) if isinstance(value, str) else value
        for key in sorted(stored):
            if split_station_key(key) is not None:
                listing[key] = stored[key]
        return listing

    def update(self, actor: User, changes: Mapping[str, str]) -> Settings:
        """Check every change, then store them all in one transaction, audited.

        ``changes`` maps keys of ``core.settings.SETTING_SPECS`` or station keys
        (``station.<id>.checkpoint``: a checkpoint code or "" for none;
        ``station.<id>.camera``) to their new text. Unchanged values are neither written nor
        audited. Returns the settings now in force.

        Raises:
            PermissionDenied: ``actor`` may not manage settings.
            FormInvalid: one or more values are bad (each error names its key); nothing saved.
        """
        require(actor, Action.MANAGE_SETTINGS)
        return self._apply(actor, changes)

    def set_station_camera(self, actor: User, station_id: str, camera: str) -> StationSettings:
        """Store the camera source of station ``station_id`` (the lane's camera picker).

        Allowed to an administrator and to anyone who scans (the operator at the lane).

        Raises:
            PermissionDenied: ``actor`` neither scans nor manages settings.
            FormInvalid: a malformed station id or camera source; nothing saved.
        """
        if not (allowed(actor, Action.MANAGE_SETTINGS) or allowed(actor, Action.SCAN)):
            raise PermissionDenied(f"{actor.role} may not set a station's camera")
        try:
            key = station_key(station_id, STATION_CAMERA)
        except ValueError:
            raise FormInvalid([ValidationError("station_id", ValidationCode.BAD_FORMAT)]) from None
        self._apply(actor, {key: camera})
        return self.station(station_id)

    # -- the write path ----------------------------------------------------------------------

    def _apply(self, actor: User, changes: Mapping[str, str]) -> Settings:
        fields = FieldCollector()
        checked: dict[str, str] = {}
        for key, text in changes.items():
            value: str | None = fields.take(partial(self._check, key, text), None)
            if value is not None:
                checked[key] = value
        fields.raise_if_any()
        with self.store.transaction() as tx:
            stored = tx.settings.all()
            in_force = as_stored(settings_from(stored))
            for key, value in checked.items():
                # A value equal to what is stored, or to the default of a key not stored, is
                # no change: not written (a later default then still applies), not audited.
                if stored.get(key, in_force.get(key, "")) == value:
                    continue
                old = in_force.get(key, stored.get(key, ""))
                tx.settings.put(key, value)
                self.audit(tx, actor, AUDIT_ACTION, "setting", key, _audit_details(key, old, value))
            return settings_from(tx.settings.all())

    def _check(self, key: str, text: str) -> str:
        """The text to store for ``key``; ``ValidationError`` (field = key) if it is bad."""
        if not isinstance(text, str):
            raise ValidationError(key, ValidationCode.BAD_FORMAT, "not text")
        spec = SPEC_BY_KEY.get(key)
        if spec is not None:
            return str(parse_setting(spec, text))
        station = split_station_key(key)
        if station is None:
            raise ValidationError(key or "key", ValidationCode.BAD_FORMAT, "unknown setting")
        if station[1] == STATION_CAMERA:
            return parse_camera(key, text)
        code = text.strip().upper()
        if not code:
            return ""
        point = self.store.checkpoints.get_by_code(code)
        if point is None or not point.active:
            raise ValidationError(key, ValidationCode.BAD_FORMAT, "no open checkpoint")
        return point.code


def _audit_details(key: str, old: str, new: str) -> dict[str, object]:
    spec = SPEC_BY_KEY.get(key)
    if spec is not None and spec.kind is SettingKind.SECRET:
        # The token itself never reaches the audit chain, not even a hash of it.
        return {"key": key, "changed": True, "set": bool(new)}
    if spec is not None:
        return {"key": key, "old": shown_value(spec, old), "new": shown_value(spec, new)}
    return {"key": key, "old": old, "new": new}
