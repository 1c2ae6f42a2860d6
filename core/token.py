"""The ``PH1:`` pass token: signing an approved trip and verifying it offline at a checkpoint.

Layout (SECURITY.md "Pass token PH1:", the EU DCC ``HC1:`` pipeline)::

    "PH1:" + Base45( zlib( COSE_Sign1( CWT claims ) ) )

- COSE_Sign1 (RFC 9052) is CBOR tag 18 over ``[protected, unprotected, payload, signature]``.
  ``protected`` is the bstr-wrapped map ``{1: alg, 4: kid}``; ``unprotected`` must be the
  empty map (anything unauthenticated that could steer verification is refused); the
  signature is Ed25519 over ``["Signature1", protected, h'', payload]``.
- ``kid`` is the first 8 bytes of SHA-256 of the raw 32-byte public key (``key_id``).
- The payload is a CWT claims map (RFC 8392): ``iss`` (1), ``exp`` (4), ``nbf`` (5),
  ``iat`` (6) as integer seconds, ``cti`` (7) = 16 random bytes (the pass serial and the
  revocation key), and one private claim, ``PASS_CLAIM`` = -70001, holding
  ``{1: schema version, 2: plate, 3: enterprise id, 4: route template, 5: risk level}``.
  -70001 lies in the CWT "private use" range (integers below -65536), so it can never
  collide with a registered claim. The token carries no name, ID number or phone number.

Algorithm decision: the token emits and accepts only the fully specified COSE algorithm
``Ed25519`` (-19, RFC 9864), never the polymorphic ``EdDSA`` (-8), which RFC 9864 deprecates
because the curve is not fixed by the identifier. Accepting exactly the one identifier we
emit keeps the allow-list a single value: a token carrying -8, any other value, or no
``alg`` at all is ``UNSUPPORTED_ALG``, and the algorithm is never chosen from the token.

``verify_token`` performs SECURITY.md steps 1–11 in order and stops at the first failure:
text and length, prefix and version, Base45, bounded inflate, strict CBOR/COSE structure,
algorithm, key id, signature, claims, time window, key validity, revocation. Steps 12–14
(route and checkpoint rules, the 10-second duplicate window, recording the scan) need the
database and belong to the scan service, which calls this first.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final, NoReturn, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from core import base45, cbor
from core.cbor import COSE_SIGN1_TAG, CborKey, CborValue, Tag
from core.models import RiskLevel, RouteTemplate

__all__ = [
    "ALG_ED25519",
    "CLOCK_SKEW",
    "MAX_INFLATED",
    "MAX_TEXT",
    "PASS_CLAIM",
    "PREFIX",
    "SCHEMA_VERSION",
    "PassClaims",
    "TokenCheck",
    "TokenReason",
    "TrustedKey",
    "key_id",
    "sign_pass",
    "verify_token",
]

PREFIX: Final = "PH1:"
MAX_TEXT: Final = 1200  # characters of token text, prefix included
MAX_INFLATED: Final = 4096  # bytes of COSE after inflating; a real pass is ~150
CLOCK_SKEW: Final = timedelta(minutes=5)

ALG_ED25519: Final = -19  # RFC 9864 fully specified Ed25519; the only algorithm accepted
PASS_CLAIM: Final = -70001  # private-use CWT claim key holding the pass details
SCHEMA_VERSION: Final = 1

KID_LENGTH: Final = 8
CTI_LENGTH: Final = 16
SIGNATURE_LENGTH: Final = 64
PUBLIC_KEY_LENGTH: Final = 32
MAX_ISSUER: Final = 64  # code points
MAX_PLATE: Final = 16  # code points; the longest real plate is 8

_HEADER_ALG: Final = 1
_HEADER_KID: Final = 4
_CLAIM_ISS: Final = 1
_CLAIM_EXP: Final = 4
_CLAIM_NBF: Final = 5
_CLAIM_IAT: Final = 6
_CLAIM_CTI: Final = 7
_CLAIM_KEYS: Final = frozenset({_CLAIM_ISS, _CLAIM_EXP, _CLAIM_NBF, _CLAIM_IAT, _CLAIM_CTI})
_PASS_SCHEMA: Final = 1
_PASS_PLATE: Final = 2
_PASS_ENTERPRISE: Final = 3
_PASS_ROUTE: Final = 4
_PASS_RISK: Final = 5
_PASS_KEYS: Final = frozenset(
    {_PASS_SCHEMA, _PASS_PLATE, _PASS_ENTERPRISE, _PASS_ROUTE, _PASS_RISK}
)

_LAST_NUMERIC_DATE: Final = 253_402_300_799  # 9999-12-31T23:59:59Z, datetime's upper bound
_MAX_ENTERPRISE_ID: Final = (1 << 63) - 1  # SQLite INTEGER
_ZLIB_LEVEL: Final = 9
_OTHER_VERSION: Final = re.compile(r"PH[0-9]+:", re.ASCII)
_NO_TAGS: Final[frozenset[int]] = frozenset()
_COSE_TAGS: Final = frozenset({COSE_SIGN1_TAG})

_T = TypeVar("_T")


class TokenReason(StrEnum):
    """Outcome of ``verify_token``; the values are SECURITY.md's stable verdict reason codes."""

    OK = "OK"
    NOT_A_PASS = "NOT_A_PASS"  # not text, or not our prefix
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"  # PH2:, PH10:, ... (not "forged")
    TOO_LARGE = "TOO_LARGE"  # text over MAX_TEXT, or inflates past MAX_INFLATED
    MALFORMED = "MALFORMED"  # Base45, zlib, CBOR/COSE structure or claims
    UNSUPPORTED_ALG = "UNSUPPORTED_ALG"  # alg missing or not Ed25519 (-19)
    UNKNOWN_KEY = "UNKNOWN_KEY"  # no trusted key carries this kid
    BAD_SIGNATURE = "BAD_SIGNATURE"  # no key with this kid verifies the signature
    NOT_YET_VALID = "NOT_YET_VALID"  # before nbf or iat, beyond the clock skew
    EXPIRED = "EXPIRED"  # at or after exp
    KEY_NOT_VALID = "KEY_NOT_VALID"  # signing key withdrawn, or its window misses the pass
    REVOKED = "REVOKED"  # the pass's cti is on the revocation list


@dataclass(frozen=True, slots=True)
class PassClaims:
    """What a pass asserts. Times are aware UTC with whole seconds; ``cti`` is 16 bytes.

    Construction checks every field (``ValueError``), so a ``PassClaims`` is always one that
    ``sign_pass`` can encode and ``verify_token`` would accept structurally.
    """

    issuer: str
    issued_at: datetime
    not_before: datetime
    expires: datetime
    cti: bytes
    plate: str
    enterprise_id: int
    route: RouteTemplate
    risk: RiskLevel
    # Keyword-only so it can default to the one schema this code writes and reads.
    schema_version: int = field(default=SCHEMA_VERSION, kw_only=True)

    def __post_init__(self) -> None:
        """Reject values the token format cannot carry or a verifier would refuse."""
        _check_text("issuer", self.issuer, MAX_ISSUER)
        _check_text("plate", self.plate, MAX_PLATE)
        for name in ("issued_at", "not_before", "expires"):
            _check_moment(name, getattr(self, name))
        if not isinstance(self.cti, bytes) or len(self.cti) != CTI_LENGTH:
            raise ValueError(f"cti must be {CTI_LENGTH} bytes")
        if _not_int(self.schema_version) or self.schema_version != SCHEMA_VERSION:
            raise ValueError(f"unknown schema version {self.schema_version!r}")
        if _not_int(self.enterprise_id) or not 0 < self.enterprise_id <= _MAX_ENTERPRISE_ID:
            raise ValueError("enterprise_id must be a positive integer")
        if not isinstance(self.route, RouteTemplate):
            raise ValueError("route must be a RouteTemplate")
        if not isinstance(self.risk, RiskLevel):
            raise ValueError("risk must be a RiskLevel")

    @property
    def serial(self) -> str:
        """The pass serial shown to people and stored in the database: ``cti`` in hex."""
        return self.cti.hex()


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A public key a station trusts, with the window in which it may have signed passes."""

    kid: bytes
    public_key: bytes  # raw 32-byte Ed25519 public key
    valid_from: datetime
    valid_until: datetime
    withdrawn: bool = False

    def __post_init__(self) -> None:
        """Reject key material and windows that could never verify anything sensibly."""
        if not isinstance(self.kid, bytes) or not self.kid:
            raise ValueError("kid must be non-empty bytes")
        if not isinstance(self.public_key, bytes) or len(self.public_key) != PUBLIC_KEY_LENGTH:
            raise ValueError(f"public_key must be {PUBLIC_KEY_LENGTH} raw bytes")
        for name in ("valid_from", "valid_until"):
            moment = getattr(self, name)
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise ValueError(f"{name} must be a timezone-aware datetime")
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """The result of ``verify_token``.

    ``claims`` is set only once the signature has verified (so for OK and for the time, key
    and revocation reasons); ``kid`` is set once the protected header has been read.
    """

    reason: TokenReason
    claims: PassClaims | None = None
    kid: bytes | None = None

    @property
    def ok(self) -> bool:
        """True only for a pass that passed every check here (steps 1–11)."""
        return self.reason is TokenReason.OK


def key_id(public_raw: bytes) -> bytes:
    """The kid of a raw 32-byte Ed25519 public key: the first 8 bytes of its SHA-256."""
    if len(public_raw) != PUBLIC_KEY_LENGTH:
        raise ValueError(f"a raw Ed25519 public key is {PUBLIC_KEY_LENGTH} bytes")
    return hashlib.sha256(public_raw).digest()[:KID_LENGTH]


def sign_pass(claims: PassClaims, private_key: Ed25519PrivateKey) -> str:
    """The ``PH1:`` token text for ``claims``, signed with ``private_key``.

    Raises ``ValueError`` if the result would not pass ``verify_token``'s size limits.
    """
    kid = key_id(private_key.public_key().public_bytes_raw())
    protected = cbor.encode({_HEADER_ALG: ALG_ED25519, _HEADER_KID: kid})
    payload = cbor.encode(_claims_to_cbor(claims))
    signature = private_key.sign(_to_be_signed(protected, payload))
    cose = cbor.encode(Tag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    if len(cose) > MAX_INFLATED:
        raise ValueError(f"pass is {len(cose)} bytes of COSE, over {MAX_INFLATED}")
    text = PREFIX + base45.encode(zlib.compress(cose, _ZLIB_LEVEL))
    if len(text) > MAX_TEXT:
        raise ValueError(f"pass token is {len(text)} characters, over {MAX_TEXT}")
    return text


def verify_token(
    data: str | bytes,
    now: datetime,
    keys_for_kid: Callable[[bytes], Sequence[TrustedKey]],
    is_revoked: Callable[[bytes], bool],
) -> TokenCheck:
    """Check a scanned token against SECURITY.md steps 1–11, stopping at the first failure.

    ``data`` is the decoded QR text (or its raw bytes); a keyboard wedge's trailing Enter must
    be stripped by the caller, since control characters make it ``NOT_A_PASS``.
    ``keys_for_kid`` returns the trusted keys carrying a kid (every one is tried: kids are
    truncated hashes and may collide); ``is_revoked`` is asked about the ``cti``.

    Never raises for any ``data``: every parsing failure, including an unforeseen one, is a
    RED reason, never OK. Two things do raise, because they are faults of the station and
    must not be shown as a bad pass: a naive ``now`` (``ValueError``) and an exception from
    ``keys_for_kid`` or ``is_revoked``, which propagates unchanged.
    """
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    try:
        claims, kid = _verify(data, now, keys_for_kid, is_revoked)
    except _Rejected as rejected:
        return TokenCheck(rejected.reason, rejected.claims, rejected.kid)
    return TokenCheck(TokenReason.OK, claims, kid)


# --- internals -------------------------------------------------------------------------------


class _Rejected(Exception):
    """A verification step failed with a known reason (internal control flow only)."""

    def __init__(
        self,
        reason: TokenReason,
        detail: str,
        kid: bytes | None = None,
        claims: PassClaims | None = None,
    ) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.kid = kid
        self.claims = claims


def _reject(
    reason: TokenReason, detail: str, kid: bytes | None = None, claims: PassClaims | None = None
) -> NoReturn:
    raise _Rejected(reason, detail, kid, claims)


def _untrusted(step: Callable[[], _T], kid: bytes | None = None) -> _T:
    """Run a step that parses untrusted bytes: a failure nobody foresaw is still MALFORMED.

    Expected failures are typed inside each step (``Base45Error``, ``zlib.error``,
    ``CborError``, ``ValueError``) and mapped where they occur; this is the backstop that
    keeps a parser bug from crashing the lane or, worse, letting a pass through.
    """
    try:
        return step()
    except _Rejected:
        raise
    except Exception as error:
        raise _Rejected(TokenReason.MALFORMED, type(error).__name__, kid) from error


def _verify(
    data: object,
    now: datetime,
    keys_for_kid: Callable[[bytes], Sequence[TrustedKey]],
    is_revoked: Callable[[bytes], bool],
) -> tuple[PassClaims, bytes]:
    """Steps 1-11; returns the verified claims and kid, or raises ``_Rejected``.

    The callbacks run outside ``_untrusted``: their exceptions are station faults and
    propagate to the caller instead of turning into a verdict about the pass.
    """
    sealed = _untrusted(lambda: _unseal(data))  # steps 1-5
    kid = sealed.kid

    # Step 6: a kid is a truncated hash, so keep every key that carries it.
    candidates = [key for key in keys_for_kid(kid) if key.kid == kid]
    if not candidates:
        _reject(TokenReason.UNKNOWN_KEY, "no trusted key with this kid", kid)

    # Step 7.
    message = _to_be_signed(sealed.protected, sealed.payload)
    signers = [key for key in candidates if _verifies(key, sealed.signature, message)]
    if not signers:
        _reject(TokenReason.BAD_SIGNATURE, "no key with this kid verifies", kid)

    # Step 8: the payload is authentic; only now is it parsed.
    claims = _untrusted(lambda: _read_claims(sealed.payload), kid)

    # Step 9: the skew applies to the start of validity only; exp is exclusive and exact.
    if now < claims.not_before - CLOCK_SKEW or now < claims.issued_at - CLOCK_SKEW:
        _reject(TokenReason.NOT_YET_VALID, "before nbf or iat", kid, claims)
    if now >= claims.expires:
        _reject(TokenReason.EXPIRED, "at or after exp", kid, claims)

    # Step 10: a withdrawn key invalidates everything it signed, whatever another entry for
    # the same key says; otherwise one entry must cover the pass from iat to exp.
    covered = any(
        key.valid_from <= claims.issued_at and claims.expires <= key.valid_until for key in signers
    )
    if any(key.withdrawn for key in signers) or not covered:
        _reject(TokenReason.KEY_NOT_VALID, "signing key withdrawn or not valid", kid, claims)

    # Step 11.
    if is_revoked(claims.cti):
        _reject(TokenReason.REVOKED, "cti revoked", kid, claims)
    return claims, kid


@dataclass(frozen=True, slots=True)
class _Sealed:
    """A COSE_Sign1 whose structure and algorithm checked out; not yet authenticated."""

    kid: bytes
    protected: bytes
    payload: bytes
    signature: bytes


def _not_int(value: object) -> bool:
    # bool is an int subclass; True is not an enterprise id.
    return isinstance(value, bool) or not isinstance(value, int)


def _check_text(name: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be non-empty text")
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    if not value.isprintable():
        raise ValueError(f"{name} contains control, format or separator characters")


def _check_moment(name: str, value: object) -> None:
    if not isinstance(value, datetime) or value.utcoffset() != timedelta(0):
        raise ValueError(f"{name} must be an aware UTC datetime")
    if value.microsecond:
        raise ValueError(f"{name} must be whole seconds (CWT NumericDate)")
    if not 0 <= value.timestamp() <= _LAST_NUMERIC_DATE:
        raise ValueError(f"{name} is outside 1970..9999")


def _to_be_signed(protected: bytes, payload: bytes) -> bytes:
    # RFC 9052 §4.4 Sig_structure for COSE_Sign1, with empty external_aad.
    return cbor.encode(["Signature1", protected, b"", payload])


def _claims_to_cbor(claims: PassClaims) -> dict[CborKey, CborValue]:
    details: dict[CborKey, CborValue] = {
        _PASS_SCHEMA: claims.schema_version,
        _PASS_PLATE: claims.plate,
        _PASS_ENTERPRISE: claims.enterprise_id,
        _PASS_ROUTE: claims.route.value,
        _PASS_RISK: claims.risk.value,
    }
    return {
        _CLAIM_ISS: claims.issuer,
        _CLAIM_EXP: int(claims.expires.timestamp()),
        _CLAIM_NBF: int(claims.not_before.timestamp()),
        _CLAIM_IAT: int(claims.issued_at.timestamp()),
        _CLAIM_CTI: claims.cti,
        PASS_CLAIM: details,
    }


def _as_text(data: object) -> str:
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            _reject(TokenReason.NOT_A_PASS, "bytes are not UTF-8")
    if not isinstance(data, str):
        _reject(TokenReason.NOT_A_PASS, f"a {type(data).__name__} is not text")
    return data


def _unseal(data: object) -> _Sealed:
    """Steps 1-5: from scanned data to a structurally valid COSE_Sign1 with alg Ed25519."""
    text = _as_text(data)
    # isprintable() is False for control, format, surrogate, private-use, unassigned and
    # separator characters except the ASCII space, which Base45 uses: none is QR text.
    if not text.isprintable():
        _reject(TokenReason.NOT_A_PASS, "text contains control or format characters")
    if len(text) > MAX_TEXT:
        _reject(TokenReason.TOO_LARGE, f"{len(text)} characters")
    if not text.startswith(PREFIX):
        if _OTHER_VERSION.match(text):
            _reject(TokenReason.UNSUPPORTED_VERSION, "another PH version")
        _reject(TokenReason.NOT_A_PASS, "no PH1: prefix")
    try:
        compressed = base45.decode(text[len(PREFIX) :])
    except base45.Base45Error as error:
        raise _Rejected(TokenReason.MALFORMED, f"Base45: {error}") from error
    cose = _inflate(compressed)
    return _read_cose(cose)


def _inflate(compressed: bytes) -> bytes:
    # The output cap is given to zlib itself: a zip bomb is never inflated past 4 KiB + 1.
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(compressed, MAX_INFLATED + 1)
    except zlib.error as error:
        raise _Rejected(TokenReason.MALFORMED, f"zlib: {error}") from error
    if len(inflated) > MAX_INFLATED:
        _reject(TokenReason.TOO_LARGE, f"inflates past {MAX_INFLATED} bytes")
    if not inflater.eof:
        _reject(TokenReason.MALFORMED, "zlib stream is truncated")
    if inflater.unused_data:
        _reject(TokenReason.MALFORMED, "bytes after the zlib stream")
    return inflated


def _read_cose(cose: bytes) -> _Sealed:
    malformed = TokenReason.MALFORMED
    try:
        top = cbor.decode(cose, top_level_tags=_COSE_TAGS)
    except cbor.CborError as error:
        raise _Rejected(malformed, f"CBOR: {error}") from error
    if not isinstance(top, Tag) or top.number != COSE_SIGN1_TAG:
        _reject(malformed, "not a tagged COSE_Sign1")
    body = top.value
    if not isinstance(body, list) or len(body) != 4:  # noqa: PLR2004 - COSE_Sign1 arity
        _reject(malformed, "COSE_Sign1 is not a four-element array")
    protected, unprotected, payload, signature = body
    if not isinstance(protected, bytes) or not isinstance(payload, bytes):
        _reject(malformed, "protected header or payload is not a byte string")
    # Nothing unauthenticated may influence verification, so this map must be empty.
    if unprotected != {}:
        _reject(malformed, "unprotected header is not an empty map")
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_LENGTH:
        _reject(malformed, "signature is not 64 bytes")
    try:
        header = cbor.decode(protected, top_level_tags=_NO_TAGS)
    except cbor.CborError as error:
        raise _Rejected(malformed, f"protected header CBOR: {error}") from error
    if not isinstance(header, dict) or not set(header) <= {_HEADER_ALG, _HEADER_KID}:
        _reject(malformed, "protected header is not a map of alg and kid")
    kid = header.get(_HEADER_KID)
    if not isinstance(kid, bytes) or len(kid) != KID_LENGTH:
        _reject(malformed, "kid missing or not 8 bytes")
    # Step 5: compared with the one constant we emit, never looked up from the token.
    alg = header.get(_HEADER_ALG)
    if _not_int(alg) or alg != ALG_ED25519:
        _reject(TokenReason.UNSUPPORTED_ALG, "alg is not Ed25519 (-19)", kid)
    return _Sealed(kid=kid, protected=protected, payload=payload, signature=signature)


def _verifies(key: TrustedKey, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(key.public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        # ValueError: key bytes that are not a curve point cannot verify anything.
        return False
    return True


def _int(name: str, value: CborValue) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is not an integer")
    return value


def _text(name: str, value: CborValue) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value


def _numeric_date(name: str, value: CborValue) -> datetime:
    # CWT allows fractional NumericDates; ours are whole seconds, and floats never decode.
    seconds = _int(name, value)
    if not 0 <= seconds <= _LAST_NUMERIC_DATE:
        raise ValueError(f"{name} is outside 1970..9999")
    return datetime.fromtimestamp(seconds, UTC)


def _read_claims(payload: bytes) -> PassClaims:
    """Step 8: the authenticated payload as ``PassClaims``; ``ValueError`` on any deviation."""
    claims = cbor.decode(payload, top_level_tags=_NO_TAGS)
    if not isinstance(claims, dict) or set(claims) != _CLAIM_KEYS | {PASS_CLAIM}:
        raise ValueError("claims map does not hold exactly iss, exp, nbf, iat, cti and pass")
    details = claims[PASS_CLAIM]
    if not isinstance(details, dict) or set(details) != _PASS_KEYS:
        raise ValueError("pass claim does not hold exactly its five entries")
    cti = claims[_CLAIM_CTI]
    if not isinstance(cti, bytes):
        raise ValueError("cti is not a byte string")
    # PassClaims checks lengths, ranges and the schema version; RouteTemplate and RiskLevel
    # raise ValueError for names they do not know.
    return PassClaims(
        issuer=_text("iss", claims[_CLAIM_ISS]),
        issued_at=_numeric_date("iat", claims[_CLAIM_IAT]),
        not_before=_numeric_date("nbf", claims[_CLAIM_NBF]),
        expires=_numeric_date("exp", claims[_CLAIM_EXP]),
        cti=cti,
        plate=_text("plate", details[_PASS_PLATE]),
        enterprise_id=_int("enterprise id", details[_PASS_ENTERPRISE]),
        route=RouteTemplate(_text("route", details[_PASS_ROUTE])),
        risk=RiskLevel(_text("risk", details[_PASS_RISK])),
        schema_version=_int("schema version", details[_PASS_SCHEMA]),
    )
