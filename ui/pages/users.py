"""Admin's account list: create accounts, disable them, reset passwords."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from core.models import Role, User
from core.ports import SearchQuery
from core.services import Services
from core.services.accounts import UserInput
from ui.form_dialog import FormDialog
from ui.list_page import ListPage
from ui.messages import name_of
from ui.table_model import Column, RecordTableModel


class UsersPage(ListPage):
    """Accounts and their roles."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("User name"), lambda u: u.username, "username"),
            Column(self.tr("Display name"), lambda u: u.display_name, "display_name"),
            Column(self.tr("Role"), lambda u: name_of(u.role.value), "role"),
            Column(self.tr("Bound to"), self._binding),
            Column(
                self.tr("Status"), lambda u: self.tr("Active") if u.active else self.tr("Disabled")
            ),
        ]
        model = RecordTableModel(columns, lambda q: services.accounts.search_users(user, q))
        super().__init__(self.tr("Users"), model, parent)
        self.add_row_action(self.tr("Enable / disable"), self.toggle)
        self.add_row_action(self.tr("Reset password…"), self.reset_password)
        self.add_action(self.tr("New user…"), self.add, "Ctrl+N")
        self.load()

    def _binding(self, account: User) -> str:
        if account.enterprise_id is not None:
            enterprise = self.services.store.enterprises.get(account.enterprise_id)
            return enterprise.name if enterprise else ""
        if account.checkpoint_id is not None:
            point = self.services.store.checkpoints.get(account.checkpoint_id)
            return point.name if point else ""
        return ""

    def add(self) -> None:
        """Open the new-account form."""
        enterprises = self.services.registry.search_enterprises(
            self.user, SearchQuery(limit=10_000, sort="name")
        ).rows
        checkpoints = self.services.registry.list_checkpoints(self.user)
        dialog = FormDialog(self.tr("New user"), self)
        dialog.add_line("username", self.tr("User name"), placeholder=self.tr("e.g. gate2"))
        dialog.add_line("display_name", self.tr("Display name"))
        dialog.add_combo("role", self.tr("Role"), [(name_of(r.value), r) for r in Role])
        dialog.add_combo(
            "enterprise_id",
            self.tr("Enterprise (clerks)"),
            [(self.tr("—"), None)] + [(e.name, e.id) for e in enterprises],
        )
        dialog.add_combo(
            "checkpoint_id",
            self.tr("Checkpoint (operators)"),
            [(self.tr("—"), None)] + [(f"{c.code} {c.name}", c.id) for c in checkpoints],
        )
        dialog.add_line("password", self.tr("Initial password"), secret=True)
        dialog.set_submit(
            lambda d: self.services.accounts.create_user(
                self.user,
                UserInput(
                    d.text("username"),
                    d.text("display_name"),
                    d.value("role"),
                    d.text("password"),
                    d.value("enterprise_id"),
                    d.value("checkpoint_id"),
                ),
            )
        )
        if dialog.exec():
            self.refresh()

    def toggle(self, account: User) -> None:
        """Disable an active account or enable a disabled one."""
        self.services.accounts.set_active(self.user, account.id, not account.active)
        self.refresh()

    def reset_password(self, account: User) -> None:
        """Set a new password (and clear the lockout) for ``account``."""
        dialog = FormDialog(self.tr("Reset password of {name}").format(name=account.username), self)
        dialog.add_line("password", self.tr("New password"), secret=True)
        dialog.set_submit(
            lambda d: self.services.accounts.reset_password(
                self.user, account.id, d.text("password")
            )
        )
        dialog.exec()
