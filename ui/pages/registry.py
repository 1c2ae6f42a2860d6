"""Admin's registry screens: enterprises, checkpoints and risk regions (read-only for others)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget

from core.models import Checkpoint, CheckpointKind, Enterprise, RiskLevel, RiskRegion, User
from core.permissions import Action, allowed
from core.services import Services
from core.services.registry import CheckpointInput, EnterpriseInput, RiskRegionInput
from core.validation import mask_phone
from ui.form_dialog import FormDialog
from ui.list_page import ListPage
from ui.messages import name_of
from ui.table_model import Column, RecordTableModel, paged


class EnterprisesPage(ListPage):
    """Receiving enterprises; each comes with its own ENTERPRISE checkpoint."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Name"), lambda e: e.name, "name"),
            Column(self.tr("Credit code"), lambda e: e.credit_code, "credit_code"),
            Column(self.tr("Contact"), lambda e: e.contact_name),
            Column(
                self.tr("Contact mobile"),
                lambda e: mask_phone(e.contact_phone) if e.contact_phone else "",
            ),
            Column(self.tr("Address"), lambda e: e.address),
            Column(
                self.tr("Whitelist"), lambda e: self.tr("Supply whitelist") if e.whitelisted else ""
            ),
        ]
        model = RecordTableModel(
            columns, lambda query: services.registry.search_enterprises(user, query)
        )
        super().__init__(self.tr("Enterprises"), model, parent)
        if allowed(user, Action.MANAGE_ENTERPRISES):
            self.add_row_action(self.tr("Edit…"), self.edit)
            self.add_row_action(self.tr("Whitelist on / off"), self.toggle_whitelist)
            self.add_action(self.tr("Register enterprise…"), self.add, "Ctrl+N")
        self.load()

    def _dialog(self, title: str, enterprise: Enterprise | None) -> FormDialog:
        dialog = FormDialog(title, self)
        dialog.add_line("name", self.tr("Name"), enterprise.name if enterprise else "")
        dialog.add_line(
            "credit_code",
            self.tr("Unified social credit code"),
            enterprise.credit_code if enterprise else "",
            self.tr("18 characters"),
        )
        dialog.add_line("address", self.tr("Address"), enterprise.address if enterprise else "")
        dialog.add_line(
            "contact_name", self.tr("Contact"), enterprise.contact_name if enterprise else ""
        )
        dialog.add_line(
            "contact_phone",
            self.tr("Contact mobile"),
            enterprise.contact_phone if enterprise else "",
        )
        return dialog

    @staticmethod
    def _form(dialog: FormDialog) -> EnterpriseInput:
        return EnterpriseInput(
            dialog.text("name"),
            dialog.text("credit_code"),
            dialog.text("address"),
            dialog.text("contact_name"),
            dialog.text("contact_phone"),
        )

    def add(self) -> None:
        """Open the registration form."""
        dialog = self._dialog(self.tr("Register enterprise"), None)
        dialog.set_submit(lambda d: self.services.registry.add_enterprise(self.user, self._form(d)))
        if dialog.exec():
            self.refresh()

    def edit(self, enterprise: Enterprise) -> None:
        """Open the edit form."""
        dialog = self._dialog(self.tr("Edit enterprise"), enterprise)
        dialog.set_submit(
            lambda d: self.services.registry.update_enterprise(
                self.user, enterprise.id, self._form(d)
            )
        )
        if dialog.exec():
            self.refresh()

    def toggle_whitelist(self, enterprise: Enterprise) -> None:
        """Put the enterprise on the supply-guarantee whitelist, or take it off."""
        self.services.registry.set_whitelisted(self.user, enterprise.id, not enterprise.whitelisted)
        self.refresh()


class CheckpointsPage(ListPage):
    """Gates, enterprise points and isolation points."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Code"), lambda c: c.code, "code"),
            Column(self.tr("Name"), lambda c: c.name, "name"),
            Column(self.tr("Kind"), lambda c: name_of(c.kind.value), "kind"),
            Column(self.tr("Status"), lambda c: self.tr("Open") if c.active else self.tr("Closed")),
        ]
        fetch = paged(
            lambda: services.registry.list_checkpoints(user),
            lambda c, text: text.lower() in f"{c.code} {c.name}".lower(),
        )
        super().__init__(self.tr("Checkpoints"), RecordTableModel(columns, fetch), parent)
        if allowed(user, Action.MANAGE_CHECKPOINTS):
            self.add_row_action(self.tr("Open / close"), self.toggle)
            self.add_action(self.tr("Add gate or isolation point…"), self.add, "Ctrl+N")
        self.load()

    def add(self) -> None:
        """Open the form for a new gate or isolation point."""
        dialog = FormDialog(self.tr("Add checkpoint"), self)
        dialog.add_line("code", self.tr("Code"), placeholder=self.tr("e.g. G06"))
        dialog.add_line("name", self.tr("Name"))
        dialog.add_combo(
            "kind",
            self.tr("Kind"),
            [
                (name_of(CheckpointKind.GATE.value), CheckpointKind.GATE),
                (name_of(CheckpointKind.ISOLATION.value), CheckpointKind.ISOLATION),
            ],
        )
        dialog.set_submit(
            lambda d: self.services.registry.add_checkpoint(
                self.user, CheckpointInput(d.text("code"), d.text("name"), d.value("kind"))
            )
        )
        if dialog.exec():
            self.refresh()

    def toggle(self, checkpoint: Checkpoint) -> None:
        """Close an open checkpoint or reopen a closed one."""
        self.services.registry.set_checkpoint_active(
            self.user, checkpoint.id, not checkpoint.active
        )
        self.refresh()


class RiskRegionsPage(ListPage):
    """Origin regions and their risk levels, which decide a pass's route."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Region code"), lambda r: r.code, "code"),
            Column(self.tr("Name"), lambda r: r.name, "name"),
            Column(self.tr("Risk level"), lambda r: name_of(r.level.value), "level"),
        ]
        fetch = paged(
            lambda: services.registry.list_risk_regions(user),
            lambda r, text: text.lower() in f"{r.code} {r.name}".lower(),
        )
        super().__init__(self.tr("Risk regions"), RecordTableModel(columns, fetch), parent)
        if allowed(user, Action.MANAGE_RISK_REGIONS):
            self.add_row_action(self.tr("Change risk level…"), self.change_level)
            self.add_action(self.tr("Add region…"), self.add, "Ctrl+N")
        self.load()

    def _levels(self) -> list[tuple[str, RiskLevel]]:
        return [(name_of(level.value), level) for level in RiskLevel]

    def add(self) -> None:
        """Open the form for a new region."""
        dialog = FormDialog(self.tr("Add risk region"), self)
        dialog.add_line(
            "region_code", self.tr("Region code"), placeholder=self.tr("6 digits, e.g. 330482")
        )
        dialog.add_line("name", self.tr("Name"))
        dialog.add_combo("level", self.tr("Risk level"), self._levels())
        dialog.set_submit(
            lambda d: self.services.registry.add_risk_region(
                self.user, RiskRegionInput(d.text("region_code"), d.text("name"), d.value("level"))
            )
        )
        if dialog.exec():
            self.refresh()

    def change_level(self, region: RiskRegion) -> None:
        """Pick a new risk level for ``region``."""
        names = [name for name, _level in self._levels()]
        current = [level for _name, level in self._levels()].index(region.level)
        choice, ok = QInputDialog.getItem(
            self, self.tr("Risk level"), region.name, names, current, False
        )
        if ok:
            level = self._levels()[names.index(choice)][1]
            self.services.registry.set_risk_level(self.user, region.id, level)
            self.refresh()
