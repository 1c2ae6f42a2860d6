"""The SMS outbox: every pass text waits here until a sender delivers it.

Delivery is pluggable (``core.sms``). With no gateway configured the outbox is the product:
clerks see each driver's text with its status and can read it out or resend it. With an HTTP
gateway configured (settings ``sms.gateway_url`` and ``sms.gateway_token``, read at each
delivery run, so a change applies to the next one) due messages are sent with retries and
back-off. Sending happens outside any transaction — a slow gateway never holds the database
lock — and each outcome is recorded in its own short transaction.
"""

from __future__ import annotations

from dataclasses import replace

from core.errors import NotFound, PermissionDenied
from core.models import OutboxMessage, OutboxStatus, Page, User
from core.permissions import Action, allowed, enterprise_scope, require_enterprise_scope
from core.ports import SearchQuery
from core.services.base import SYSTEM_ACTOR, Service
from core.services.settings import read_settings
from core.sms import (
    HttpGatewaySender,
    OutboxOnlySender,
    SendOutcome,
    SmsMessage,
    SmsSender,
    deliver,
)

BATCH = 50
# Clerks resend their drivers' texts; reviewers and supervisors read the outbox.
_READERS = (Action.FILE_APPLICATION, Action.REVIEW_APPLICATION, Action.REVOKE_PASS)


class OutboxService(Service):
    """List, resend and deliver pass texts."""

    def sender(self) -> SmsSender:
        """The configured sender: the HTTP gateway if set up, else outbox-only."""
        config = read_settings(self.store)
        url, token = config.sms_gateway_url, config.sms_gateway_token
        if url and token:
            try:
                return HttpGatewaySender(url, token)
            except ValueError:
                return OutboxOnlySender()  # a bad setting must not stop the app; shown as RETRY
        return OutboxOnlySender()

    def search(self, actor: User, query: SearchQuery) -> Page[OutboxMessage]:
        """Messages, newest first by default; a clerk sees its enterprise's only."""
        self._require_reader(actor)
        scope = enterprise_scope(actor)
        return self.store.outbox.search(
            query if scope is None else replace(query, enterprise_id=scope)
        )

    def resend(self, actor: User, message_id: int) -> None:
        """Queue a message again, due now (after a wrong number was fixed, or on request)."""
        self._require_reader(actor)
        message = self.store.outbox.get(message_id)
        if message is None:
            raise NotFound(f"message {message_id}")
        issued = self.store.passes.get(message.serial)
        if issued is None:
            raise NotFound(f"pass {message.serial}")
        if enterprise_scope(actor) is not None:
            application = self.store.applications.get(issued.application_id)
            require_enterprise_scope(actor, application.enterprise_id if application else -1)
        with self.store.transaction() as tx:
            copy = tx.outbox.add(message.serial, message.phone, message.body, self.clock())
            self.audit(tx, actor, "sms.resend", "sms", copy.id, {"of": message_id})

    def deliver_due(self, sender: SmsSender | None = None) -> dict[str, int]:
        """Send every due message once; returns how many were sent, retried and failed."""
        now = self.clock()
        due = self.store.outbox.due(now, BATCH)
        outgoing = [SmsMessage(m.id, m.phone, m.body, m.attempts) for m in due]
        counts = {"sent": 0, "retry": 0, "failed": 0}
        for message, result, next_at in deliver(outgoing, sender or self.sender(), now):
            status = {
                SendOutcome.SENT: OutboxStatus.SENT,
                SendOutcome.FAILED: OutboxStatus.FAILED,
            }.get(result.outcome, OutboxStatus.PENDING)
            with self.store.transaction() as tx:
                tx.outbox.record(
                    message.id,
                    status,
                    message.attempts + 1,
                    next_at or now,
                    result.detail,
                    now if status is OutboxStatus.SENT else None,
                )
                if status is not OutboxStatus.PENDING:
                    self.audit(tx, SYSTEM_ACTOR, f"sms.{status.value.lower()}", "sms", message.id)
            counts[
                {OutboxStatus.SENT: "sent", OutboxStatus.FAILED: "failed"}.get(status, "retry")
            ] += 1
        return counts

    def _require_reader(self, actor: User) -> None:
        if not any(allowed(actor, action) for action in _READERS):
            raise PermissionDenied("may not read the SMS outbox")
