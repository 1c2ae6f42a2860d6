"""The role matrix. Deny by default: an action not listed for a role is refused.

Services call ``require`` before they touch storage, and ``require_enterprise_scope`` for
records that belong to an enterprise, so a clerk asking for another enterprise's record by id
gets the same ``NotFound`` as for a record that does not exist.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import NotFound, PermissionDenied
from core.models import Role, User


class Action(StrEnum):
    """Everything a service can be asked to do."""

    MANAGE_USERS = "manage_users"
    MANAGE_ENTERPRISES = "manage_enterprises"
    MANAGE_CHECKPOINTS = "manage_checkpoints"
    MANAGE_RISK_REGIONS = "manage_risk_regions"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_USERS = "view_users"
    VIEW_ENTERPRISES = "view_enterprises"
    VIEW_CHECKPOINTS = "view_checkpoints"
    VIEW_RISK_REGIONS = "view_risk_regions"
    MANAGE_FLEET = "manage_fleet"  # register/edit vehicles and drivers
    VIEW_FLEET = "view_fleet"
    REVEAL_ID_NUMBER = "reveal_id_number"
    FILE_APPLICATION = "file_application"
    REVIEW_APPLICATION = "review_application"
    REVOKE_PASS = "revoke_pass"
    SCAN = "scan"
    SCAN_ANY_CHECKPOINT = "scan_any_checkpoint"
    OVERRIDE_VERDICT = "override_verdict"
    VIEW_DASHBOARD = "view_dashboard"  # dashboard, traces, anomalies
    ACKNOWLEDGE_ANOMALY = "acknowledge_anomaly"
    VIEW_AUDIT = "view_audit"
    EXPORT = "export"
    BACKUP = "backup"


_ALL_VIEWS = frozenset({Action.VIEW_ENTERPRISES, Action.VIEW_CHECKPOINTS, Action.VIEW_RISK_REGIONS})

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: _ALL_VIEWS
    | {
        Action.MANAGE_USERS,
        Action.VIEW_USERS,
        Action.MANAGE_ENTERPRISES,
        Action.MANAGE_CHECKPOINTS,
        Action.MANAGE_RISK_REGIONS,
        Action.MANAGE_SETTINGS,
        Action.VIEW_AUDIT,
        Action.BACKUP,
    },
    Role.CLERK: frozenset(
        {
            Action.VIEW_CHECKPOINTS,
            Action.VIEW_RISK_REGIONS,
            Action.MANAGE_FLEET,
            Action.VIEW_FLEET,
            Action.REVEAL_ID_NUMBER,
            Action.FILE_APPLICATION,
        }
    ),
    Role.REVIEWER: _ALL_VIEWS | {Action.VIEW_FLEET, Action.REVIEW_APPLICATION, Action.REVOKE_PASS},
    Role.OPERATOR: frozenset({Action.VIEW_CHECKPOINTS, Action.SCAN}),
    Role.SUPERVISOR: _ALL_VIEWS
    | {
        Action.VIEW_FLEET,
        Action.REVEAL_ID_NUMBER,
        Action.REVOKE_PASS,
        Action.SCAN,
        Action.SCAN_ANY_CHECKPOINT,
        Action.OVERRIDE_VERDICT,
        Action.VIEW_DASHBOARD,
        Action.ACKNOWLEDGE_ANOMALY,
        Action.VIEW_AUDIT,
        Action.EXPORT,
    },
}


def allowed(user: User, action: Action) -> bool:
    """True if ``user`` (active) may perform ``action``."""
    return user.active and action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: User, action: Action) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may perform ``action``."""
    if not allowed(user, action):
        raise PermissionDenied(f"{user.role} may not {action}")


def enterprise_scope(user: User) -> int | None:
    """The only enterprise whose records ``user`` may see, or None for every enterprise."""
    if user.role is Role.CLERK:
        if user.enterprise_id is None:
            raise PermissionDenied("clerk without an enterprise")
        return user.enterprise_id
    return None


def require_enterprise_scope(user: User, enterprise_id: int) -> None:
    """Raise ``NotFound`` if the record of ``enterprise_id`` is outside ``user``'s scope."""
    scope = enterprise_scope(user)
    if scope is not None and scope != enterprise_id:
        raise NotFound("no such record")
