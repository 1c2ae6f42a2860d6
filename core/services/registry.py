"""Admin's registry: enterprises, checkpoints and risk regions.

Creating an enterprise also creates its ENTERPRISE checkpoint (code ``E`` + id), because every
receiving enterprise is a point on the loop; doing both in one transaction means neither can
exist without the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.errors import NotFound
from core.forms import FieldCollector
from core.models import Checkpoint, CheckpointKind, Enterprise, Page, RiskLevel, RiskRegion, User
from core.permissions import Action, require
from core.ports import SearchQuery
from core.services.base import Service, normalize_code
from core.validation import (
    ValidationCode,
    normalize_credit_code,
    normalize_person_name,
    normalize_phone,
    normalize_text,
)

CHECKPOINT_CODE = r"[A-Z][A-Z0-9-]{1,15}"
# ``E`` + digits names an enterprise's own checkpoint (``E0001``); a gate holding such a code
# would make registering that enterprise fail on a field its form does not have.
ENTERPRISE_CHECKPOINT_CODE = r"E\d+"
REGION_CODE = r"\d{6}"  # GB/T 2260 administrative division code


@dataclass(frozen=True)
class EnterpriseInput:
    """The enterprise form as typed."""

    name: str
    credit_code: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class CheckpointInput:
    """The checkpoint form as typed (ENTERPRISE checkpoints come with their enterprise)."""

    code: str
    name: str
    kind: CheckpointKind


@dataclass(frozen=True)
class RiskRegionInput:
    """The risk-region form as typed."""

    code: str
    name: str
    level: RiskLevel


def _enterprise_fields(form: EnterpriseInput) -> tuple[str, str, str, str, str]:
    fields = FieldCollector()
    name = fields.take(lambda: normalize_text(form.name, field="name", max_length=100), "")
    credit_code = fields.take(lambda: normalize_credit_code(form.credit_code), "")
    address = fields.take(
        lambda: normalize_text(form.address, field="address", max_length=200, required=False), ""
    )
    contact = ""
    if form.contact_name.strip():
        contact = fields.take(
            lambda: normalize_person_name(form.contact_name, field="contact_name"), ""
        )
    phone = ""
    if form.contact_phone.strip():
        phone = fields.take(lambda: normalize_phone(form.contact_phone, field="contact_phone"), "")
    fields.raise_if_any()
    return name, credit_code, address, contact, phone


def _checkpoint_fields(form: CheckpointInput) -> tuple[str, str]:
    fields = FieldCollector()
    code = fields.take(lambda: normalize_code(form.code, field="code", pattern=CHECKPOINT_CODE), "")
    name = fields.take(lambda: normalize_text(form.name, field="name", max_length=60), "")
    if re.fullmatch(ENTERPRISE_CHECKPOINT_CODE, code, re.ASCII):
        fields.fail("code", ValidationCode.BAD_FORMAT, "reserved for enterprise checkpoints")
    if form.kind is CheckpointKind.ENTERPRISE:
        fields.fail("kind", ValidationCode.BAD_FORMAT, "enterprise checkpoints come with one")
    fields.raise_if_any()
    return code, name


def _region_fields(form: RiskRegionInput) -> tuple[str, str]:
    fields = FieldCollector()
    code = fields.take(
        lambda: normalize_code(form.code, field="region_code", pattern=REGION_CODE), ""
    )
    name = fields.take(lambda: normalize_text(form.name, field="name", max_length=60), "")
    fields.raise_if_any()
    return code, name


class RegistryService(Service):
    """Enterprises, checkpoints and risk regions: admin changes them, most roles read them."""

    def add_enterprise(self, actor: User, form: EnterpriseInput) -> Enterprise:
        """Register an enterprise and its ENTERPRISE checkpoint."""
        require(actor, Action.MANAGE_ENTERPRISES)
        name, credit_code, address, contact, phone = _enterprise_fields(form)
        with self.store.transaction() as tx:
            enterprise = tx.enterprises.add(name, credit_code, address, contact, phone)
            point = tx.checkpoints.add(
                f"E{enterprise.id:04d}", name, CheckpointKind.ENTERPRISE, enterprise.id
            )
            self.audit(tx, actor, "enterprise.add", "enterprise", enterprise.id)
            self.audit(tx, actor, "checkpoint.add", "checkpoint", point.id, {"code": point.code})
        return enterprise

    def update_enterprise(self, actor: User, enterprise_id: int, form: EnterpriseInput) -> None:
        """Change an enterprise's details."""
        require(actor, Action.MANAGE_ENTERPRISES)
        name, credit_code, address, contact, phone = _enterprise_fields(form)
        with self.store.transaction() as tx:
            current = tx.enterprises.get(enterprise_id)
            if current is None:
                raise NotFound(f"enterprise {enterprise_id}")
            tx.enterprises.update(
                replace(
                    current,
                    name=name,
                    credit_code=credit_code,
                    address=address,
                    contact_name=contact,
                    contact_phone=phone,
                )
            )
            # The enterprise's own checkpoint carries its name and has no form of its own.
            point = tx.checkpoints.get_by_code(f"E{enterprise_id:04d}")
            if point is not None and point.enterprise_id == enterprise_id and point.name != name:
                tx.checkpoints.update(replace(point, name=name))
            self.audit(tx, actor, "enterprise.update", "enterprise", enterprise_id)

    def set_whitelisted(self, actor: User, enterprise_id: int, whitelisted: bool) -> None:
        """Put an enterprise on, or take it off, the supply-guarantee whitelist."""
        require(actor, Action.MANAGE_ENTERPRISES)
        with self.store.transaction() as tx:
            current = tx.enterprises.get(enterprise_id)
            if current is None:
                raise NotFound(f"enterprise {enterprise_id}")
            tx.enterprises.update(replace(current, whitelisted=whitelisted))
            self.audit(
                tx,
                actor,
                "enterprise.whitelist",
                "enterprise",
                enterprise_id,
                {"whitelisted": whitelisted},
            )

    def search_enterprises(self, actor: User, query: SearchQuery) -> Page[Enterprise]:
        """A page of enterprises matching the query."""
        require(actor, Action.VIEW_ENTERPRISES)
        return self.store.enterprises.search(query)

    def get_enterprise(self, actor: User, enterprise_id: int) -> Enterprise:
        """One enterprise by id."""
        require(actor, Action.VIEW_ENTERPRISES)
        enterprise = self.store.enterprises.get(enterprise_id)
        if enterprise is None:
            raise NotFound(f"enterprise {enterprise_id}")
        return enterprise

    def add_checkpoint(self, actor: User, form: CheckpointInput) -> Checkpoint:
        """Register a GATE or ISOLATION checkpoint."""
        require(actor, Action.MANAGE_CHECKPOINTS)
        code, name = _checkpoint_fields(form)
        with self.store.transaction() as tx:
            point = tx.checkpoints.add(code, name, form.kind, None)
            self.audit(tx, actor, "checkpoint.add", "checkpoint", point.id, {"code": code})
        return point

    def set_checkpoint_active(self, actor: User, checkpoint_id: int, active: bool) -> None:
        """Open or close a checkpoint (a closed one accepts no scans)."""
        require(actor, Action.MANAGE_CHECKPOINTS)
        with self.store.transaction() as tx:
            point = tx.checkpoints.get(checkpoint_id)
            if point is None:
                raise NotFound(f"checkpoint {checkpoint_id}")
            tx.checkpoints.update(replace(point, active=active))
            self.audit(tx, actor, "checkpoint.active", "checkpoint", point.id, {"active": active})

    def list_checkpoints(self, actor: User) -> list[Checkpoint]:
        """Every checkpoint, gates first."""
        require(actor, Action.VIEW_CHECKPOINTS)
        return self.store.checkpoints.list_all()

    def checkpoint_by_code(self, actor: User, code: str) -> Checkpoint:
        """One checkpoint by its code (case-insensitive)."""
        require(actor, Action.VIEW_CHECKPOINTS)
        point = self.store.checkpoints.get_by_code(code.strip().upper())
        if point is None:
            raise NotFound(f"checkpoint {code}")
        return point

    def add_risk_region(self, actor: User, form: RiskRegionInput) -> RiskRegion:
        """Register an origin region with its risk level."""
        require(actor, Action.MANAGE_RISK_REGIONS)
        code, name = _region_fields(form)
        with self.store.transaction() as tx:
            region = tx.risk_regions.add(code, name, form.level)
            self.audit(
                tx,
                actor,
                "risk_region.add",
                "risk_region",
                region.id,
                {"code": code, "level": form.level.value},
            )
        return region

    def set_risk_level(self, actor: User, region_id: int, level: RiskLevel) -> None:
        """Change a region's risk level (applies to applications filed from now on)."""
        require(actor, Action.MANAGE_RISK_REGIONS)
        with self.store.transaction() as tx:
            region = tx.risk_regions.get(region_id)
            if region is None:
                raise NotFound(f"risk region {region_id}")
            tx.risk_regions.update(replace(region, level=level))
            self.audit(
                tx,
                actor,
                "risk_region.level",
                "risk_region",
                region.id,
                {"from": region.level.value, "to": level.value},
            )

    def list_risk_regions(self, actor: User) -> list[RiskRegion]:
        """Every region, by code."""
        require(actor, Action.VIEW_RISK_REGIONS)
        return self.store.risk_regions.list_all()
