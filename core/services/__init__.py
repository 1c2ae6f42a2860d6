"""The services: every permission check and every change goes through one of these."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.clock import Clock, system_clock
from core.keys import KeyFolder
from core.passwords import PRODUCTION_PARAMS, ScryptParams
from core.ports import Store
from core.services.accounts import AccountService
from core.services.applications import ApplicationImporter, ApplicationService
from core.services.audit import AuditService
from core.services.backup import BackupService
from core.services.fleet import FleetService
from core.services.outbox import OutboxService
from core.services.passes import PassService
from core.services.registry import RegistryService
from core.services.reports import ReportService
from core.services.scans import ScanService
from core.services.settings import SettingsService
from core.services.supervision import SupervisionService


@dataclass(frozen=True)
class Services:
    """All services over one store and one clock; built once by ``main.py``."""

    store: Store
    accounts: AccountService
    registry: RegistryService
    fleet: FleetService
    audit: AuditService
    applications: ApplicationService
    importer: ApplicationImporter
    passes: PassService
    outbox: OutboxService
    scans: ScanService
    supervision: SupervisionService
    reports: ReportService
    backup: BackupService
    settings: SettingsService

    @classmethod
    def build(
        cls,
        store: Store,
        clock: Clock = system_clock,
        params: ScryptParams = PRODUCTION_PARAMS,
        keys: KeyFolder | None = None,
    ) -> Services:
        """Wire every service to ``store`` and ``clock``.

        ``keys`` is the folder of private issuing keys; without one, approving (signing) is
        refused with a clear error while everything else, verification included, works.
        """
        applications = ApplicationService(store, clock)
        passes = PassService(store, keys, clock)
        return cls(
            store=store,
            accounts=AccountService(store, clock, params),
            registry=RegistryService(store, clock),
            fleet=FleetService(store, clock),
            audit=AuditService(store, clock, keys),
            applications=applications,
            importer=ApplicationImporter(store, applications, clock),
            passes=passes,
            outbox=OutboxService(store, clock),
            scans=ScanService(store, passes, clock),
            supervision=SupervisionService(store, clock),
            reports=ReportService(store, clock),
            backup=BackupService(store, clock, keys=keys),
            settings=SettingsService(store, clock),
        )


def key_folder_for(db_path: Path) -> Path:
    """Where the private issuing keys of the database at ``db_path`` live: a sibling folder
    (``looppass.db`` → ``looppass-keys/``), outside the database file, owner-only."""
    return db_path.with_name(f"{db_path.stem}-keys")
