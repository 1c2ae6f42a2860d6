"""The SMS outbox: approval queues the driver's text; delivery records each outcome."""

from __future__ import annotations

from core.models import OutboxStatus
from core.ports import SearchQuery
from core.services import Services
from core.sms import SendOutcome, SendResult, SmsMessage
from tests.conftest import FakeClock, demo_user


class ScriptedSender:
    """A gateway that answers with the outcomes it is given, in turn."""

    name = "scripted"

    def __init__(self, *outcomes: SendOutcome) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> SendResult:
        self.sent.append(message)
        return SendResult(self.outcomes.pop(0) if self.outcomes else SendOutcome.SENT, "ok")


def _messages(services: Services) -> list:  # type: ignore[type-arg]
    supervisor = demo_user(services, "supervisor")
    return list(services.outbox.search(supervisor, SearchQuery(limit=1000)).rows)


def test_each_issued_pass_queued_one_text_to_its_driver(demo: Services) -> None:
    messages = _messages(demo)
    assert len(messages) == 25
    assert all(m.status is OutboxStatus.PENDING for m in messages)
    assert all(m.body.startswith("【平和码】") for m in messages)


def test_delivery_records_sent_retry_and_failed(demo: Services, clock: FakeClock) -> None:
    sender = ScriptedSender(SendOutcome.SENT, SendOutcome.RETRY, SendOutcome.FAILED)
    counts = demo.outbox.deliver_due(sender)
    assert counts == {"sent": 23, "retry": 1, "failed": 1}
    by_status = {m.status for m in _messages(demo)}
    assert by_status == {OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.FAILED}
    # The retried one is not due again until its back-off has passed.
    assert demo.outbox.deliver_due(ScriptedSender()) == {"sent": 0, "retry": 0, "failed": 0}
    clock.advance(seconds=31)
    assert demo.outbox.deliver_due(ScriptedSender()) == {"sent": 1, "retry": 0, "failed": 0}


def test_without_a_gateway_nothing_is_sent(demo: Services) -> None:
    assert demo.outbox.sender().name == "outbox-only"
    counts = demo.outbox.deliver_due()
    assert counts["sent"] == 0 and counts["retry"] == 25


def test_clerk_resends_its_drivers_text(demo: Services) -> None:
    clerk = demo_user(demo, "clerk")
    first = demo.outbox.search(clerk, SearchQuery(limit=1)).rows[0]
    demo.outbox.resend(clerk, first.id)
    again = [m for m in _messages(demo) if m.serial == first.serial]
    assert len(again) == 2 and again[0].body == again[1].body


def test_operator_cannot_read_the_outbox(demo: Services) -> None:
    import pytest

    from core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        demo.outbox.search(demo_user(demo, "gate1"), SearchQuery())
