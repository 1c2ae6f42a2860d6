"""The SMS outbox (clerks, reviewers, supervisors) and the issuing keys (admin)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QMessageBox, QWidget

from core.keys import IssuingKey
from core.models import OutboxMessage, OutboxStatus, User
from core.services import Services
from core.validation import mask_phone
from ui.list_page import ListPage
from ui.pages import applications as dialogs
from ui.pages.fleet import local_time
from ui.table_model import Column, RecordTableModel, paged

OUTBOX_STATUS = {
    OutboxStatus.PENDING: QT_TRANSLATE_NOOP("OutboxPage", "Waiting"),
    OutboxStatus.SENT: QT_TRANSLATE_NOOP("OutboxPage", "Sent"),
    OutboxStatus.FAILED: QT_TRANSLATE_NOOP("OutboxPage", "Failed"),
}


class OutboxPage(ListPage):
    """Every pass text with its delivery status; the text can be read out or resent."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Queued"), lambda m: local_time(m.created_at), "created_at"),
            Column(self.tr("Status"), lambda m: self.tr(str(OUTBOX_STATUS[m.status])), "status"),
            Column(self.tr("Mobile"), lambda m: mask_phone(m.phone)),
            Column(self.tr("Attempts"), lambda m: str(m.attempts), align_right=True),
            Column(self.tr("Text"), lambda m: m.body),
            Column(self.tr("Last error"), lambda m: m.last_error),
        ]
        model = RecordTableModel(columns, lambda q: services.outbox.search(user, q))
        super().__init__(self.tr("SMS outbox"), model, parent)
        self.search.setPlaceholderText(self.tr("Pass serial, or full mobile number…"))
        self.add_row_action(self.tr("Resend"), self.resend)
        self.load(descending=True)

    def resend(self, message: OutboxMessage) -> None:
        """Queue the text again."""
        self.services.outbox.resend(self.user, message.id)
        self.refresh()


class KeysPage(ListPage):
    """Issuing keys: which signs, which only verifies, which is withdrawn."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Key id"), lambda k: k.kid_hex, "kid_hex"),
            Column(self.tr("Created"), lambda k: local_time(k.created_at), "created_at"),
            Column(self.tr("Valid until"), lambda k: local_time(k.valid_until)),
            Column(self.tr("State"), self._state),
        ]
        fetch = paged(
            lambda: services.passes.list_keys(user), lambda k, text: text.lower() in k.kid_hex
        )
        super().__init__(self.tr("Issuing keys"), RecordTableModel(columns, fetch), parent)
        self.add_row_action(self.tr("Withdraw…"), self.withdraw)
        self.add_action(self.tr("Export trust list…"), self.export)
        self.add_action(self.tr("Rotate key"), self.rotate)
        self.load(descending=True)

    def _state(self, key: IssuingKey) -> str:
        if key.withdrawn_at is not None:
            return self.tr("Withdrawn: its passes are invalid")
        if key.retired_at is not None:
            return self.tr("Verifies only")
        return self.tr("Signs new passes")

    def rotate(self) -> None:
        """Make a new signing key after a confirmation."""
        answer = QMessageBox.question(
            self, self.title, self.tr("Create a new signing key? Passes already issued stay valid.")
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.services.passes.rotate_key(self.user)
            self.refresh()

    def withdraw(self, key: IssuingKey) -> None:
        """Withdraw a key after a clear warning: every pass it signed stops working."""
        answer = QMessageBox.warning(
            self,
            self.title,
            self.tr(
                "Withdraw key {kid}? Every pass it signed will be refused at the "
                "checkpoints (KEY_NOT_VALID). This cannot be undone."
            ).format(kid=key.kid_hex),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.services.passes.withdraw_key(self.user, key.kid_hex)
            self.refresh()

    def export(self) -> None:
        """Save the public trust list (no private key) as JSON for other stations."""
        name = dialogs.ask_save_file(
            self, self.tr("Export trust list"), "looppass-trust.json", self.tr("JSON (*.json)")
        )
        if name:
            Path(name).write_text(
                json.dumps(self.services.passes.trust_list(), indent=2), encoding="utf-8"
            )
