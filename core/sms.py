"""Pluggable SMS delivery for the pass outbox: who sends, how failures are classed, when to retry.

The outbox (its table and repository live in ``db/``) hands ``deliver`` the messages that are
due; ``deliver`` sends each through an ``SmsSender`` and says what to record: SENT, RETRY with
the time of the next attempt, or FAILED. This module stores nothing.

Two senders ship:

- ``OutboxOnlySender``, the default, sends nothing. Without a gateway, texts simply wait in the
  outbox, where a clerk can open them and read the pass serial and link out to the driver over
  the phone. It answers RETRY (not FAILED) so that configuring a gateway later delivers the
  backlog without anyone re-queueing it.
- ``HttpGatewaySender`` POSTs one JSON request per message to an HTTP(S) SMS gateway.

Personal data: a ``SendResult.detail`` is written to the outbox and shown to staff, so it never
contains the phone number or the text (``deliver`` scrubs both, whatever the sender returned),
and the gateway token appears in no detail, log line or ``repr``.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
"""Sends tried per message; a RETRY on the last of them is recorded as FAILED."""

FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
SMS_MAX_CHARS = 200
"""The longest pass text we compose (several concatenated segments; carriers join them)."""

# A gateway reply is a few dozen bytes; anything much larger is not our gateway.
_MAX_REPLY_BYTES = 64 * 1024
_MAX_DETAIL_CHARS = 200
_MAX_GATEWAY_ID_CHARS = 128
# Gateway error codes are copied into details only in this shape: no digits, so a gateway
# that echoes the phone number back cannot leak it into the outbox.
_SAFE_ERROR_CODE = re.compile(r"[A-Za-z_.\-]{1,40}")
_INVALID_NUMBER = "invalid_number"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SendOutcome(StrEnum):
    """What became of one send."""

    SENT = "SENT"
    RETRY = "RETRY"  # temporary: unreachable, timeout, HTTP 408/429/5xx
    FAILED = "FAILED"  # permanent: the gateway refused this message for good


@dataclass(frozen=True, slots=True)
class SmsMessage:
    """One queued text. ``phone`` is an already validated 11-digit CN mobile number.

    ``attempts`` counts the sends already tried before this one (0 for a fresh message).
    """

    id: int
    phone: str
    body: str
    attempts: int


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one send. ``detail`` is short English without the phone or the text."""

    outcome: SendOutcome
    detail: str
    gateway_id: str | None = None


class SmsSender(Protocol):
    """Something that can try to send one text; ``name`` identifies it in logs and settings."""

    name: str

    def send(self, message: SmsMessage) -> SendResult: ...


class OutboxOnlySender:
    """The default sender: no gateway, so nothing leaves the machine.

    Every message stays in the outbox with RETRY "no gateway configured", where clerks can read
    the pass serial and link out to the driver by phone. Note that a worker that keeps calling
    ``deliver`` with this sender ages each message to FAILED after ``MAX_ATTEMPTS`` rounds
    (about an hour); the message is still in the outbox to read out, but an outbox worker need
    not run at all while no gateway is configured.
    """

    name: str = "outbox-only"

    def send(self, message: SmsMessage) -> SendResult:
        """Decline to send: RETRY, so the text waits until a gateway is configured."""
        return SendResult(SendOutcome.RETRY, "no gateway configured")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would follow a redirect of our POST as a GET carrying the Authorization header
    # to wherever the Location points; a gateway that redirects is misconfigured instead.
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> None:
        return None


def _validated_url(url: str) -> str:
    if not isinstance(url, str) or url != url.strip() or _CONTROL.search(url) or " " in url:
        raise ValueError("gateway URL must be one line without spaces")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("gateway URL must start with http:// or https://")
    if not parts.hostname:
        raise ValueError("gateway URL needs a host")
    if parts.username is not None or parts.password is not None:
        # Credentials in the URL would end up in logs and settings screens; use the token.
        raise ValueError("gateway URL must not carry a user name or password")
    try:
        parts.port  # noqa: B018 - the property validates the port and raises on a bad one
    except ValueError:
        raise ValueError("gateway URL has an invalid port") from None
    return url


def _validated_token(token: str) -> str:
    # The token becomes a header value; CR/LF or spaces would let it forge other headers.
    if not isinstance(token, str) or not token or not all("!" <= ch <= "~" for ch in token):
        raise ValueError("gateway token must be non-empty printable ASCII without spaces")
    return token


def _error_code(raw: bytes) -> str | None:
    """The gateway's ``{"error": CODE}``, when it is safe to copy into a detail."""
    try:
        reply = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    code = reply.get("error") if isinstance(reply, dict) else None
    if isinstance(code, str) and _SAFE_ERROR_CODE.fullmatch(code):
        return code
    return None


class HttpGatewaySender:
    """Sends through an HTTP(S) gateway: one POST per message, JSON in and out.

    Request: ``{"to": phone, "text": body, "id": "<outbox id>"}`` with
    ``Authorization: Bearer <token>``. The ``id`` lets the gateway drop duplicates, which is
    what makes retrying after an unclear answer safe. Answers:

    - 2xx with ``{"id": "<gateway id>"}`` → SENT;
    - 2xx without a usable ``id`` (the text may or may not have gone) → RETRY;
    - ``{"error": "invalid_number"}`` with any status → FAILED;
    - HTTP 408, 429, 5xx, connection failure, timeout → RETRY;
    - other 4xx (bad token, rejected request) and 3xx (redirects are not followed) → FAILED.

    Environment proxy settings (``https_proxy``, ``no_proxy``) apply, as in a browser.
    ``timeout_s`` bounds connecting and each read from the socket.
    """

    name: str = "http-gateway"

    def __init__(self, url: str, token: str, timeout_s: float = 5.0) -> None:
        """Check the URL (http/https with a host) and token; raise ``ValueError`` otherwise."""
        self._url = _validated_url(url)
        self._token = _validated_token(token)
        if not timeout_s > 0:
            raise ValueError("timeout_s must be positive")
        self._timeout_s = timeout_s
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __repr__(self) -> str:
        # Never show the token; the query string might hold secrets of its own.
        parts = urllib.parse.urlsplit(self._url)
        shown = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return f"HttpGatewaySender(url={shown!r})"

    @property
    def url(self) -> str:
        """The gateway endpoint (the token is not part of it)."""
        return self._url

    def send(self, message: SmsMessage) -> SendResult:
        """POST one message and classify the answer; network errors become results, not raises."""
        payload = {"to": message.phone, "text": message.body, "id": str(message.id)}
        request = urllib.request.Request(
            self._url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": "LoopPass-SMS/1",
            },
        )
        # Unredirected: even a redirect handler that did follow would not copy it.
        request.add_unredirected_header("Authorization", f"Bearer {self._token}")
        try:
            with self._opener.open(request, timeout=self._timeout_s) as response:
                status = int(response.status)
                raw = response.read(_MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as error:
            with error:
                return self._classify_http_error(error)
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                return SendResult(SendOutcome.RETRY, "gateway timed out")
            # The reason's own text may name the host; its type is enough to act on.
            return SendResult(
                SendOutcome.RETRY, f"gateway unreachable ({type(error.reason).__name__})"
            )
        except TimeoutError:
            return SendResult(SendOutcome.RETRY, "gateway timed out")
        except (OSError, http.client.HTTPException) as error:
            return SendResult(
                SendOutcome.RETRY, f"gateway connection failed ({type(error).__name__})"
            )
        return self._classify_reply(status, raw)

    @staticmethod
    def _classify_http_error(error: urllib.error.HTTPError) -> SendResult:
        try:
            raw = error.read(_MAX_REPLY_BYTES + 1)
        except (OSError, http.client.HTTPException):
            raw = b""
        code = _error_code(raw) if len(raw) <= _MAX_REPLY_BYTES else None
        status = int(error.code)
        detail = f"HTTP {status}" + (f": {code}" if code else "")
        if code == _INVALID_NUMBER:
            return SendResult(SendOutcome.FAILED, detail)
        if status in (408, 429) or 500 <= status <= 599:  # noqa: PLR2004 - HTTP status codes
            return SendResult(SendOutcome.RETRY, detail)
        return SendResult(SendOutcome.FAILED, detail)

    @staticmethod
    def _classify_reply(status: int, raw: bytes) -> SendResult:
        if len(raw) > _MAX_REPLY_BYTES:
            return SendResult(SendOutcome.RETRY, f"HTTP {status}: reply too large")
        code = _error_code(raw)
        if code == _INVALID_NUMBER:
            return SendResult(SendOutcome.FAILED, f"HTTP {status}: {code}")
        try:
            reply = json.loads(raw)
        except (ValueError, RecursionError):
            reply = None
        gateway_id = reply.get("id") if isinstance(reply, dict) else None
        if (
            isinstance(gateway_id, str)
            and 0 < len(gateway_id) <= _MAX_GATEWAY_ID_CHARS
            and gateway_id.isprintable()
        ):
            return SendResult(SendOutcome.SENT, f"HTTP {status}", gateway_id)
        # Accepted but unconfirmed: retrying is safe because the gateway deduplicates by id.
        return SendResult(SendOutcome.RETRY, f"HTTP {status}: reply without a message id")


def pass_sms_text(plate: str, serial_human: str, valid_until_local: str, link: str) -> str:
    """The Chinese text telling a driver the pass is issued, at most ``SMS_MAX_CHARS`` long.

    ``serial_human`` is the serial as shown on the pass (grouped hex), ``valid_until_local``
    the local end of validity as ``YYYY-MM-DD HH:MM``. The fixed wording takes 29 characters,
    so with an 8-character plate, the 39-character serial and the time the link may be up to
    108 characters. Raises ``ValueError`` for an empty field or a text that would be longer.
    """
    fields = (plate.strip(), serial_human.strip(), valid_until_local.strip(), link.strip())
    if not all(fields) or any(_CONTROL.search(field) for field in fields):
        raise ValueError("every SMS field must be non-empty text on one line")
    plate, serial_human, valid_until_local, link = fields
    # 【平和码】 is the sender signature carriers require at the start of a CN text.
    text = (
        f"【平和码】{plate} 通行证已签发，编号 {serial_human}，"
        f"有效期至 {valid_until_local}。出示二维码：{link}"
    )
    if len(text) > SMS_MAX_CHARS:
        raise ValueError(f"SMS text would be {len(text)} characters, over {SMS_MAX_CHARS}")
    return text


def next_attempt_delay(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failed sends: 30 s, 1 min, 2 min, 4 min … ≤ 1 h."""
    # Clamp the shift first: the delay is capped anyway and 1 << huge would be slow.
    exponent = min(max(attempts, 1) - 1, 16)
    return min(FIRST_RETRY_DELAY * (1 << exponent), MAX_RETRY_DELAY)


def _scrubbed(detail: str, message: SmsMessage) -> str:
    """``detail`` made safe to store: no phone, no text, no control characters, bounded."""
    if message.phone:
        detail = detail.replace(message.phone, "<phone>")
    if message.body:
        detail = detail.replace(message.body, "<text>")
    detail = _CONTROL.sub(" ", detail)
    return detail[:_MAX_DETAIL_CHARS]


def deliver(
    messages: Iterable[SmsMessage], sender: SmsSender, now: datetime
) -> list[tuple[SmsMessage, SendResult, datetime | None]]:
    """Send each message; return its result and, for a RETRY, when to try it next.

    The next-attempt time is ``now + next_attempt_delay(attempts made)``; it is None for SENT
    and FAILED. A RETRY on attempt ``MAX_ATTEMPTS`` is returned as FAILED. Whatever the sender
    does, no ``Exception`` escapes: a raise or a malformed answer becomes a RETRY whose detail
    names only the exception type (its message could hold personal data). Errors raised
    while iterating ``messages`` are the caller's and do propagate.
    """
    results: list[tuple[SmsMessage, SendResult, datetime | None]] = []
    for message in messages:
        try:
            answer: object = sender.send(message)
        except Exception as error:  # one broken send must not stop the batch
            answer = SendResult(SendOutcome.RETRY, f"sender error ({type(error).__name__})")
        if not isinstance(answer, SendResult) or not isinstance(answer.outcome, SendOutcome):
            answer = SendResult(SendOutcome.RETRY, "sender returned no result")
        result = SendResult(
            answer.outcome,
            _scrubbed(str(answer.detail), message),
            answer.gateway_id if answer.outcome is SendOutcome.SENT else None,
        )
        made = max(message.attempts, 0) + 1
        next_at: datetime | None = None
        if result.outcome is SendOutcome.RETRY:
            if made >= MAX_ATTEMPTS:
                result = SendResult(
                    SendOutcome.FAILED,
                    _scrubbed(f"gave up after {made} attempts: {result.detail}", message),
                )
            else:
                next_at = now + next_attempt_delay(made)
        logger.info(
            "sms %s via %s, attempt %d: %s (%s)",
            message.id,
            getattr(sender, "name", "?"),
            made,
            result.outcome,
            result.detail,
        )
        results.append((message, result, next_at))
    return results
