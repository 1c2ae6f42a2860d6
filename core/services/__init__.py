"""The services: every permission check and every change goes through one of these."""

from __future__ import annotations

from dataclasses import dataclass

from core.clock import Clock, system_clock
from core.passwords import PRODUCTION_PARAMS, ScryptParams
from core.ports import Store
from core.services.accounts import AccountService
from core.services.audit import AuditService
from core.services.fleet import FleetService
from core.services.registry import RegistryService


@dataclass(frozen=True)
class Services:
    """All services over one store and one clock; built once by ``main.py``."""

    store: Store
    accounts: AccountService
    registry: RegistryService
    fleet: FleetService
    audit: AuditService

    @classmethod
    def build(
        cls, store: Store, clock: Clock = system_clock, params: ScryptParams = PRODUCTION_PARAMS
    ) -> Services:
        """Wire every service to ``store`` and ``clock``."""
        return cls(
            store=store,
            accounts=AccountService(store, clock, params),
            registry=RegistryService(store, clock),
            fleet=FleetService(store, clock),
            audit=AuditService(store, clock),
        )
