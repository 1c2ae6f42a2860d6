"""SMS delivery: the HTTP gateway sender against a local server, back-off, and ``deliver``."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.sms import (
    MAX_ATTEMPTS,
    SMS_MAX_CHARS,
    HttpGatewaySender,
    OutboxOnlySender,
    SendOutcome,
    SendResult,
    SmsMessage,
    SmsSender,
    deliver,
    next_attempt_delay,
    pass_sms_text,
)

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
PHONE = "13800138000"
TOKEN = "s3cr3t-T0ken.value"
SERIAL_HUMAN = "3F2A 9C01 77D4 0B12 5E6F A0C3 19B8 44D2"
LINK = "https://pass.pinghu.example.cn/p/3F2A9C0177D40B125E6FA0C319B844D2"
BODY = pass_sms_text("浙F12345", SERIAL_HUMAN, "2026-11-28 08:00", LINK)
OK_REPLY = b'{"id": "gw-0001"}'
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def message(attempts: int = 0, message_id: int = 41, body: str = BODY) -> SmsMessage:
    return SmsMessage(id=message_id, phone=PHONE, body=body, attempts=attempts)


def assert_no_personal_data(result: SendResult, sent: SmsMessage) -> None:
    assert sent.phone not in result.detail
    assert sent.body not in result.detail
    assert TOKEN not in result.detail


# --- a local stand-in for the gateway ------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What the stand-in gateway answers to one request."""

    status: int = 200
    body: bytes = OK_REPLY
    delay_s: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Gateway:
    """Answers with ``replies`` in turn (the last one repeats) and records every request."""

    url: str = ""
    replies: list[Reply] = field(default_factory=lambda: [Reply()])
    received: list[Received] = field(default_factory=list)
    # Set at teardown so a handler still "being slow" finishes and the server can close.
    release: threading.Event = field(default_factory=threading.Event)
    handler_errors: list[str] = field(default_factory=list)

    def answer(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


class _Server(ThreadingHTTPServer):
    # Non-daemon handler threads, so server_close() waits for every one of them.
    daemon_threads = False

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.gateway = gateway

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that timed out has hung up; writing to it fails. Expected, so keep quiet.
        self.gateway.handler_errors.append(repr(client_address))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        gateway = self.server.gateway
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        gateway.received.append(
            Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        reply = gateway.next_reply()
        if reply.delay_s:
            gateway.release.wait(reply.delay_s)
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST  # a followed redirect would arrive as a GET; record it too

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib honours proxy variables; a developer's proxy must not see the local gateway.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    stand_in = Gateway()
    server = _Server(stand_in)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield stand_in
    finally:
        stand_in.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sender(gateway: Gateway) -> HttpGatewaySender:
    return HttpGatewaySender(gateway.url, TOKEN, timeout_s=2.0)


def closed_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there now, so connecting is refused at once.
    return f"http://127.0.0.1:{port}/v1/sms"


# --- HttpGatewaySender ---------------------------------------------------------------------


def test_success_returns_sent_with_the_gateway_id(
    gateway: Gateway, sender: HttpGatewaySender
) -> None:
    result = sender.send(message())
    assert result == SendResult(SendOutcome.SENT, "HTTP 200", "gw-0001")
    assert_no_personal_data(result, message())


def test_request_carries_token_json_fields_and_content_type(
    gateway: Gateway, sender: HttpGatewaySender
) -> None:
    sender.send(message(message_id=9001))
    (request,) = gateway.received
    assert request.method == "POST"
    assert request.path == "/v1/sms"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body.decode("utf-8")) == {"to": PHONE, "text": BODY, "id": "9001"}


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (201, SendOutcome.SENT),
        (202, SendOutcome.SENT),
        (408, SendOutcome.RETRY),
        (429, SendOutcome.RETRY),
        (500, SendOutcome.RETRY),
        (502, SendOutcome.RETRY),
        (503, SendOutcome.RETRY),
        (400, SendOutcome.FAILED),
        (401, SendOutcome.FAILED),
        (403, SendOutcome.FAILED),
        (404, SendOutcome.FAILED),
        (422, SendOutcome.FAILED),
    ],
)
def test_http_status_classification(
    gateway: Gateway, sender: HttpGatewaySender, status: int, outcome: SendOutcome
) -> None:
    gateway.answer(Reply(status, OK_REPLY if status < 300 else b'{"error": "nope"}'))
    result = sender.send(message())
    assert result.outcome is outcome
    assert result.detail.startswith(f"HTTP {status}")
    assert result.gateway_id == ("gw-0001" if outcome is SendOutcome.SENT else None)
    assert_no_personal_data(result, message())


def test_gateway_error_code_is_quoted_in_the_detail(
    gateway: Gateway, sender: HttpGatewaySender
) -> None:
    gateway.answer(Reply(429, b'{"error": "rate_limited"}'))
    assert sender.send(message()) == SendResult(SendOutcome.RETRY, "HTTP 429: rate_limited")


@pytest.mark.parametrize("status", [200, 400, 503])
def test_invalid_number_is_permanent_whatever_the_status(
    gateway: Gateway, sender: HttpGatewaySender, status: int
) -> None:
    gateway.answer(Reply(status, b'{"error": "invalid_number"}'))
    assert sender.send(message()) == SendResult(
        SendOutcome.FAILED, f"HTTP {status}: invalid_number"
    )


@pytest.mark.parametrize(
    "reply",
    [
        f'{{"error": "bad number {PHONE}"}}'.encode(),
        json.dumps({"error": BODY}, ensure_ascii=False).encode(),
        json.dumps({"error": "invalid", "to": PHONE, "text": BODY}, ensure_ascii=False).encode(),
        f"invalid number {PHONE}: {BODY}".encode(),
    ],
)
def test_a_gateway_echoing_personal_data_does_not_leak_it(
    gateway: Gateway, sender: HttpGatewaySender, reply: bytes
) -> None:
    gateway.answer(Reply(400, reply))
    result = sender.send(message())
    assert result.outcome is SendOutcome.FAILED
    assert_no_personal_data(result, message())


@pytest.mark.parametrize(
    "reply",
    [
        b"not json at all",
        b"",
        b'{"id": ""}',
        b'{"id": 12345}',
        b'{"id": null}',
        b'["gw-0001"]',
        b'{"status": "queued"}',
        b'{"id": "' + b"x" * 200 + b'"}',
        b'{"id": "' + b"x" * 70_000 + b'"}',
    ],
    ids=lambda reply: reply[:20].decode(),
)
def test_success_status_without_a_usable_id_is_retried(
    gateway: Gateway, sender: HttpGatewaySender, reply: bytes
) -> None:
    gateway.answer(Reply(200, reply))
    result = sender.send(message())
    assert result.outcome is SendOutcome.RETRY
    assert result.detail.startswith("HTTP 200: ")
    assert result.gateway_id is None


def test_timeout_is_retried_promptly(gateway: Gateway) -> None:
    gateway.answer(Reply(delay_s=5.0))
    sender = HttpGatewaySender(gateway.url, TOKEN, timeout_s=0.2)
    started = time.monotonic()
    result = sender.send(message())
    elapsed = time.monotonic() - started
    assert result == SendResult(SendOutcome.RETRY, "gateway timed out")
    assert elapsed < 3.0, elapsed  # bounded by timeout_s, not by the gateway's 5 s


def test_connection_refused_is_retried() -> None:
    result = HttpGatewaySender(closed_port_url(), TOKEN, timeout_s=2.0).send(message())
    assert result.outcome is SendOutcome.RETRY
    assert result.detail == "gateway unreachable (ConnectionRefusedError)"


def test_redirects_are_not_followed_so_the_token_stays_put(
    gateway: Gateway, sender: HttpGatewaySender
) -> None:
    gateway.answer(Reply(302, b"", headers=(("Location", "/elsewhere"),)), Reply())
    result = sender.send(message())
    assert result == SendResult(SendOutcome.FAILED, "HTTP 302")
    assert [request.path for request in gateway.received] == ["/v1/sms"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/sms",
        "https://sms.example.cn/v1/send",
        "https://sms.example.cn/v1/send?account=pinghu",
        "http://[::1]:9000/",
        "HTTPS://SMS.EXAMPLE.CN/",
    ],
)
def test_accepts_http_and_https_urls_with_a_host(url: str) -> None:
    assert HttpGatewaySender(url, TOKEN).url == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "sms.example.cn/v1/send",
        "localhost:8080/sms",
        "ftp://sms.example.cn/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "https:///v1/send",
        "http://:8080/",
        "http://user:pw@sms.example.cn/",
        "http://sms.example.cn:99999/",
        "http://sms.example.cn:port/",
        " http://sms.example.cn/",
        "http://sms.example.cn/\r\nX-Injected: 1",
        "http://sms example.cn/",
    ],
)
def test_rejects_other_urls(url: str) -> None:
    with pytest.raises(ValueError, match="gateway URL"):
        HttpGatewaySender(url, TOKEN)


@pytest.mark.parametrize("token", ["", "two words", "tok\r\nX-Injected: 1", "令牌", "tab\there"])
def test_rejects_tokens_that_cannot_be_a_header_value(token: str) -> None:
    with pytest.raises(ValueError, match="gateway token") as raised:
        HttpGatewaySender("https://sms.example.cn/", token)
    assert not token or token not in str(raised.value)


@pytest.mark.parametrize("timeout_s", [0.0, -1.0, float("nan")])
def test_rejects_a_timeout_that_is_not_positive(timeout_s: float) -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        HttpGatewaySender("https://sms.example.cn/", TOKEN, timeout_s)


def test_repr_and_logs_never_show_the_token(
    gateway: Gateway, sender: HttpGatewaySender, caplog: pytest.LogCaptureFixture
) -> None:
    assert TOKEN not in repr(sender)
    assert "127.0.0.1" in repr(sender)
    gateway.answer(Reply(), Reply(503, b"{}"), Reply(400, b"{}"))
    with caplog.at_level(logging.DEBUG):
        results = deliver([message(message_id=n) for n in range(3)], sender, NOW)
    assert [result.outcome for _, result, _ in results] == [
        SendOutcome.SENT,
        SendOutcome.RETRY,
        SendOutcome.FAILED,
    ]
    assert caplog.records, "deliver logs one line per message"
    for secret in (TOKEN, PHONE, BODY):
        assert secret not in caplog.text


# --- the default sender --------------------------------------------------------------------


def test_outbox_only_sender_never_sends_and_asks_to_wait() -> None:
    sender: SmsSender = OutboxOnlySender()
    assert sender.name == "outbox-only"
    assert sender.send(message()) == SendResult(SendOutcome.RETRY, "no gateway configured", None)


def test_outbox_only_messages_wait_then_age_to_failed_after_max_attempts() -> None:
    sender = OutboxOnlySender()
    at = NOW
    for attempts in range(MAX_ATTEMPTS - 1):
        ((_, result, next_at),) = deliver([message(attempts)], sender, at)
        assert result.outcome is SendOutcome.RETRY
        assert next_at == at + next_attempt_delay(attempts + 1)
        at = next_at
    ((_, result, next_at),) = deliver([message(MAX_ATTEMPTS - 1)], sender, at)
    assert result.outcome is SendOutcome.FAILED
    assert "no gateway configured" in result.detail
    assert next_at is None
    # 30 s + 1 + 2 + 4 + 8 + 16 + 32 min: about an hour in the outbox before it is given up.
    assert at - NOW == timedelta(minutes=63, seconds=30)


# --- back-off --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [
        (1, timedelta(seconds=30)),
        (2, timedelta(minutes=1)),
        (3, timedelta(minutes=2)),
        (4, timedelta(minutes=4)),
        (5, timedelta(minutes=8)),
        (6, timedelta(minutes=16)),
        (7, timedelta(minutes=32)),
        (8, timedelta(hours=1)),
        (9, timedelta(hours=1)),
        (1_000_000_000, timedelta(hours=1)),
        (0, timedelta(seconds=30)),
        (-3, timedelta(seconds=30)),
    ],
)
def test_retry_schedule(attempts: int, delay: timedelta) -> None:
    assert next_attempt_delay(attempts) == delay


def test_retry_schedule_never_shrinks() -> None:
    delays = [next_attempt_delay(n) for n in range(1, 40)]
    assert delays == sorted(delays)
    assert MAX_ATTEMPTS == 8


# --- deliver ---------------------------------------------------------------------------------


class ScriptedSender:
    """Answers each send from a script: a ``SendResult``, an exception to raise, or junk."""

    name = "scripted"

    def __init__(self, *script: object) -> None:
        self.script = list(script)
        self.sent: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> SendResult:
        self.sent.append(message)
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step  # type: ignore[return-value]  # junk on purpose in some tests


def test_deliver_schedules_retries_and_finalises_the_rest() -> None:
    sent = SendResult(SendOutcome.SENT, "HTTP 200", "gw-7")
    retry = SendResult(SendOutcome.RETRY, "HTTP 503")
    failed = SendResult(SendOutcome.FAILED, "HTTP 400")
    batch = [message(0, 1), message(3, 2), message(0, 3)]
    results = deliver(batch, ScriptedSender(sent, retry, failed), NOW)
    assert results == [
        (batch[0], sent, None),
        (batch[1], retry, NOW + timedelta(minutes=4)),  # the 4th attempt failed
        (batch[2], failed, None),
    ]


def test_retry_on_the_last_attempt_becomes_failed() -> None:
    retry = SendResult(SendOutcome.RETRY, "HTTP 503")
    ((_, result, next_at),) = deliver([message(MAX_ATTEMPTS - 1)], ScriptedSender(retry), NOW)
    assert result.outcome is SendOutcome.FAILED
    assert result.detail == f"gave up after {MAX_ATTEMPTS} attempts: HTTP 503"
    assert next_at is None
    ((_, result, next_at),) = deliver([message(MAX_ATTEMPTS - 2)], ScriptedSender(retry), NOW)
    assert result == retry
    assert next_at == NOW + timedelta(minutes=32)


def test_a_sender_that_raises_becomes_retry_and_the_batch_goes_on() -> None:
    sent = SendResult(SendOutcome.SENT, "ok", "gw-8")
    sender = ScriptedSender(RuntimeError(f"cannot text {PHONE}: {BODY}"), sent)
    batch = [message(0, 1), message(0, 2)]
    results = deliver(batch, sender, NOW)
    assert sender.sent == batch
    assert results[0] == (
        batch[0],
        SendResult(SendOutcome.RETRY, "sender error (RuntimeError)"),
        NOW + timedelta(seconds=30),
    )
    assert results[1] == (batch[1], sent, None)


@pytest.mark.parametrize("junk", [None, "SENT", SendResult("SENT", "ok")])  # type: ignore[arg-type]
def test_a_sender_that_answers_junk_becomes_retry(junk: object) -> None:
    ((_, result, _),) = deliver([message()], ScriptedSender(junk), NOW)
    assert result == SendResult(SendOutcome.RETRY, "sender returned no result")


def test_deliver_scrubs_personal_data_from_any_sender_detail() -> None:
    leaky = SendResult(SendOutcome.FAILED, f"rejected {PHONE} for text {BODY}\nline two")
    ((sent, result, _),) = deliver([message()], ScriptedSender(leaky), NOW)
    assert_no_personal_data(result, sent)
    assert result.detail == "rejected <phone> for text <text> line two"


def test_deliver_lets_interrupts_through() -> None:
    with pytest.raises(KeyboardInterrupt):
        deliver([message()], ScriptedSender(KeyboardInterrupt()), NOW)


def test_deliver_of_nothing_sends_nothing() -> None:
    sender = ScriptedSender()
    assert deliver([], sender, NOW) == []
    assert sender.sent == []


def test_deliver_through_the_gateway_end_to_end(gateway: Gateway) -> None:
    gateway.answer(Reply(), Reply(429, b'{"error": "rate_limited"}'), Reply(400, b"{}"))
    sender = HttpGatewaySender(gateway.url, TOKEN, timeout_s=2.0)
    batch = [message(0, 1), message(1, 2), message(0, 3)]
    results = deliver(batch, sender, NOW)
    assert [(m.id, r.outcome, at) for m, r, at in results] == [
        (1, SendOutcome.SENT, None),
        (2, SendOutcome.RETRY, NOW + timedelta(minutes=1)),
        (3, SendOutcome.FAILED, None),
    ]
    assert [json.loads(r.body)["id"] for r in gateway.received] == ["1", "2", "3"]


def test_records_are_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        message().attempts = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        SendResult(SendOutcome.SENT, "ok").outcome = SendOutcome.FAILED  # type: ignore[misc]


# --- the text --------------------------------------------------------------------------------


def test_pass_text_matches_the_agreed_wording() -> None:
    text = pass_sms_text("浙F12345", SERIAL_HUMAN, "2026-11-28 08:00", LINK)
    assert text == (
        f"【平和码】浙F12345 通行证已签发，编号 {SERIAL_HUMAN}，有效期至 2026-11-28 08:00。"
        f"出示二维码：{LINK}"
    )
    assert len(text) <= SMS_MAX_CHARS


def test_pass_text_fits_with_the_longest_plate_full_serial_and_a_108_character_link() -> None:
    link = "https://p.example.cn/" + "x" * (108 - len("https://p.example.cn/"))
    text = pass_sms_text("浙AD12345", SERIAL_HUMAN, "2026-11-28 08:00", link)
    assert len(text) == SMS_MAX_CHARS == 200
    for part in ("浙AD12345", SERIAL_HUMAN, "2026-11-28 08:00", link):
        assert part in text
    with pytest.raises(ValueError, match="over 200"):
        pass_sms_text("浙AD12345", SERIAL_HUMAN, "2026-11-28 08:00", link + "y")


@pytest.mark.parametrize(
    "fields",
    [
        ("", SERIAL_HUMAN, "2026-11-28 08:00", LINK),
        ("浙F12345", " ", "2026-11-28 08:00", LINK),
        ("浙F12345", SERIAL_HUMAN, "2026-11-28 08:00", ""),
        ("浙F12345", SERIAL_HUMAN, "2026-11-28\n08:00", LINK),
    ],
)
def test_pass_text_needs_every_field_on_one_line(fields: tuple[str, str, str, str]) -> None:
    with pytest.raises(ValueError, match="SMS field"):
        pass_sms_text(*fields)


def test_pass_text_trims_surrounding_space() -> None:
    assert pass_sms_text(" 浙F12345", SERIAL_HUMAN + " ", "2026-11-28 08:00", f" {LINK} ") == BODY
