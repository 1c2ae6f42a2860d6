"""Tests for core.token: the PH1 pass token against SECURITY.md "Pass token PH1:".

Each bad-input fault from SECURITY.md that belongs to the token (1, 2, 3, 5, 6, 7, 10, 11, 12,
13) has its own tests; faults 4, 8, 9 and 14 need a checkpoint and a database and are tested
with the scan service. Tokens with a deliberately wrong structure are built here from the
RFCs (COSE_Sign1 by hand over core.cbor), not through ``sign_pass``, so the tests do not
share the code they check.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import base45, cbor
from core.cbor import CborKey, CborValue, Tag
from core.models import RiskLevel, RouteTemplate
from core.token import (
    ALG_ED25519,
    CLOCK_SKEW,
    MAX_INFLATED,
    MAX_TEXT,
    PASS_CLAIM,
    PREFIX,
    PassClaims,
    TokenCheck,
    TokenReason,
    TrustedKey,
    key_id,
    sign_pass,
    verify_token,
)

R = TokenReason
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def _key(seed: str) -> Ed25519PrivateKey:
    # Fixed keys: Ed25519 signatures are deterministic, so every token here is reproducible.
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


ISSUER_KEY = _key("looppass test issuer")
ATTACKER_KEY = _key("someone else")
KID = key_id(_raw(ISSUER_KEY))
TRUSTED = TrustedKey(
    kid=KID,
    public_key=_raw(ISSUER_KEY),
    valid_from=NOW - timedelta(days=30),
    valid_until=NOW + timedelta(days=365),
)
CLAIMS = PassClaims(
    issuer="LoopPass",
    issued_at=NOW - timedelta(hours=1),
    not_before=NOW - timedelta(hours=1),
    expires=NOW + timedelta(hours=71),
    cti=bytes.fromhex("00112233445566778899aabbccddeeff"),
    plate="浙F12345",
    enterprise_id=7,
    route=RouteTemplate.STANDARD,
    risk=RiskLevel.LOW,
)
TOKEN = sign_pass(CLAIMS, ISSUER_KEY)


def check(
    data: object,
    *,
    now: datetime = NOW,
    keys: Iterable[TrustedKey] = (TRUSTED,),
    revoked: Iterable[bytes] = (),
) -> TokenCheck:
    """verify_token with an in-memory trust list and revocation list."""
    by_kid: dict[bytes, list[TrustedKey]] = {}
    for key in keys:
        by_kid.setdefault(key.kid, []).append(key)
    revoked_set = frozenset(revoked)
    return verify_token(
        data,  # type: ignore[arg-type]
        now,
        lambda kid: by_kid.get(kid, []),
        lambda cti: cti in revoked_set,
    )


def wrap(cose: bytes, prefix: str = PREFIX) -> str:
    """The outer layers (zlib, Base45, prefix) around COSE bytes, as the issuer applies them."""
    return prefix + base45.encode(zlib.compress(cose, 9))


def unwrap(token: str) -> bytes:
    return zlib.decompress(base45.decode(token.removeprefix(PREFIX)))


def parts(token: str) -> list[Any]:
    top = cbor.decode(unwrap(token))
    assert isinstance(top, Tag)
    assert top.number == 18
    assert isinstance(top.value, list)
    return top.value


PAYLOAD: bytes = parts(TOKEN)[2]
CLAIMS_MAP: dict[CborKey, CborValue] = cbor.decode(PAYLOAD)  # type: ignore[assignment]


def header(alg: object = ALG_ED25519, kid: object = KID, **extra: Any) -> bytes:
    """An encoded protected header; pass ``None`` to leave a label out."""
    fields: dict[CborKey, CborValue] = {}
    if alg is not None:
        fields[1] = alg  # type: ignore[assignment]
    if kid is not None:
        fields[4] = kid  # type: ignore[assignment]
    for label, value in extra.items():
        fields[int(label.removeprefix("label_"))] = value
    return cbor.encode(fields)


def sign1(
    *,
    protected: bytes | None = None,
    unprotected: CborValue | None = None,
    payload: bytes = PAYLOAD,
    key: Ed25519PrivateKey = ISSUER_KEY,
) -> list[Any]:
    """A COSE_Sign1 array signed over RFC 9052's Sig_structure (no external AAD)."""
    protected = header() if protected is None else protected
    to_be_signed = cbor.encode(["Signature1", protected, b"", payload])
    signature = key.sign(to_be_signed)
    return [protected, {} if unprotected is None else unprotected, payload, signature]


def token_of(body: list[CborValue]) -> str:
    return wrap(cbor.encode(Tag(18, body)))


def claims_token(claims_map: dict[CborKey, CborValue] | bytes) -> str:
    """A correctly signed token around arbitrary claims (a CBOR value or raw bytes)."""
    payload = claims_map if isinstance(claims_map, bytes) else cbor.encode(claims_map)
    return token_of(sign1(payload=payload))


# --- round trip ---------------------------------------------------------------------------------


def test_signed_pass_verifies_with_equal_claims() -> None:
    result = check(TOKEN)
    assert result == TokenCheck(R.OK, CLAIMS, KID)
    assert result.ok
    assert result.claims is not None
    assert result.claims.serial == "00112233445566778899aabbccddeeff"


def test_token_layout_follows_the_spec() -> None:
    assert TOKEN.startswith("PH1:")
    assert set(TOKEN[4:]) <= set(base45.ALPHABET)
    # ~245 characters in SECURITY.md's measurement; text route/risk names cost a little more.
    assert 200 <= len(TOKEN) <= 300
    assert zlib.decompressobj().decompress(base45.decode(TOKEN[4:])) == unwrap(TOKEN)
    protected, unprotected, payload, signature = parts(TOKEN)
    assert cbor.decode(protected, top_level_tags=frozenset()) == {1: -19, 4: KID}
    assert unprotected == {}
    assert len(signature) == 64
    assert hashlib.sha256(_raw(ISSUER_KEY)).digest()[:8] == KID
    assert cbor.decode(payload, top_level_tags=frozenset()) == {
        1: "LoopPass",
        4: int(CLAIMS.expires.timestamp()),
        5: int(CLAIMS.not_before.timestamp()),
        6: int(CLAIMS.issued_at.timestamp()),
        7: CLAIMS.cti,
        -70001: {1: 1, 2: "浙F12345", 3: 7, 4: "STANDARD", 5: "LOW"},
    }
    assert PASS_CLAIM == -70001


def test_signature_verifies_with_plain_cryptography() -> None:
    # Any COSE library rebuilding Sig_structure must accept the signature.
    protected, _, payload, signature = parts(TOKEN)
    to_be_signed = cbor.encode(["Signature1", protected, b"", payload])
    ISSUER_KEY.public_key().verify(signature, to_be_signed)


def test_token_carries_no_personal_data_beyond_the_plate() -> None:
    inflated = unwrap(TOKEN)
    for personal in ("张三", "11010519491231002X", "13800138000", "138"):
        assert personal.encode() not in inflated
    assert set(CLAIMS_MAP) == {1, 4, 5, 6, 7, -70001}
    assert set(CLAIMS_MAP[-70001]) == {1, 2, 3, 4, 5}  # type: ignore[arg-type]


@pytest.mark.parametrize("route", list(RouteTemplate))
@pytest.mark.parametrize("risk", list(RiskLevel))
def test_every_route_and_risk_round_trips(route: RouteTemplate, risk: RiskLevel) -> None:
    claims = dataclasses.replace(CLAIMS, route=route, risk=risk, plate="粤Z1234港")
    result = check(sign_pass(claims, ISSUER_KEY))
    assert result.reason is R.OK
    assert result.claims == claims


def test_token_as_bytes_verifies() -> None:
    assert check(TOKEN.encode("ascii")).reason is R.OK


def test_longest_allowed_fields_still_fit() -> None:
    claims = dataclasses.replace(CLAIMS, issuer="I" * 64, plate="P" * 16, enterprise_id=2**63 - 1)
    token = sign_pass(claims, ISSUER_KEY)
    assert len(token) <= MAX_TEXT
    assert check(token).claims == claims


# --- fault 1: forged signature -------------------------------------------------------------------


def test_valid_structure_signed_by_another_key_with_our_kid() -> None:
    forged = token_of(sign1(key=ATTACKER_KEY))
    assert check(forged) == TokenCheck(R.BAD_SIGNATURE, None, KID)


def test_flipped_signature_byte() -> None:
    body = parts(TOKEN)
    signature = bytearray(body[3])
    signature[10] ^= 0x01
    body[3] = bytes(signature)
    assert check(token_of(body)).reason is R.BAD_SIGNATURE


def test_payload_changed_after_signing() -> None:
    body = parts(TOKEN)
    body[2] = body[2].replace("浙F12345".encode(), "浙F54321".encode())
    assert body[2] != PAYLOAD
    assert check(token_of(body)) == TokenCheck(R.BAD_SIGNATURE, None, KID)


def test_every_key_with_the_kid_is_tried() -> None:
    decoy = dataclasses.replace(TRUSTED, public_key=_raw(ATTACKER_KEY))
    assert check(TOKEN, keys=[decoy, TRUSTED]).reason is R.OK
    assert check(TOKEN, keys=[TRUSTED, decoy]).reason is R.OK
    assert check(TOKEN, keys=[decoy]).reason is R.BAD_SIGNATURE


def test_keys_returned_for_another_kid_are_ignored() -> None:
    wrong_kid = dataclasses.replace(TRUSTED, kid=b"\x00" * 8)
    result = verify_token(TOKEN, NOW, lambda kid: [wrong_kid], lambda cti: False)
    assert result.reason is R.UNKNOWN_KEY


# --- fault 2: unknown key id ---------------------------------------------------------------------


def test_unknown_kid() -> None:
    stranger = sign_pass(CLAIMS, ATTACKER_KEY)
    result = check(stranger)
    assert result == TokenCheck(R.UNKNOWN_KEY, None, key_id(_raw(ATTACKER_KEY)))
    assert not result.ok


def test_empty_trust_list() -> None:
    assert check(TOKEN, keys=[]).reason is R.UNKNOWN_KEY


# --- fault 3: algorithm header -------------------------------------------------------------------


@pytest.mark.parametrize(
    "alg",
    [
        -8,  # polymorphic EdDSA, deprecated by RFC 9864: not the one we emit
        -7,  # ES256
        -53,  # Ed448
        0,
        19,
        "EdDSA",
        "Ed25519",
        b"\xed",
        [-19],
    ],
)
def test_algorithm_other_than_ed25519(alg: CborValue) -> None:
    # Correctly signed under the trusted key: only the algorithm is wrong.
    token = token_of(sign1(protected=header(alg=alg)))
    assert check(token) == TokenCheck(R.UNSUPPORTED_ALG, None, KID)


def test_algorithm_missing() -> None:
    token = token_of(sign1(protected=header(alg=None)))
    assert check(token).reason is R.UNSUPPORTED_ALG


def test_algorithm_only_in_the_unprotected_header() -> None:
    token = token_of(sign1(protected=header(alg=None), unprotected={1: -19}))
    assert check(token).reason is R.MALFORMED


@pytest.mark.parametrize(
    "unprotected",
    [{1: -19}, {4: KID}, {1: -8}, {5: b"iv"}, {"x": 1}, [], b"", 0],
)
def test_unprotected_header_must_be_an_empty_map(unprotected: CborValue) -> None:
    token = token_of(sign1(unprotected=unprotected))
    assert check(token) == TokenCheck(R.MALFORMED)


@pytest.mark.parametrize(
    "protected",
    [
        header(kid=None),  # kid missing
        header(kid=KID[:7]),
        header(kid=KID + b"\x00"),
        header(kid="kid"),
        header(label_2=[1]),  # crit: we understand no extensions
        header(label_3=0),  # content type
        cbor.encode([1, -19]),
        cbor.encode(Tag(18, {1: -19, 4: KID})),
        b"",
        b"\xa2\x01\x32\x04",  # truncated
        header() + b"\x00",  # trailing byte inside the bstr
        b"\xa2\x04\x48" + KID + b"\x01\x32",  # kid before alg: not the deterministic encoding
        b"\xa2\x01\x38\x12\x04\x48" + KID,  # alg -19 with a non-shortest head
    ],
)
def test_protected_header_structure(protected: bytes) -> None:
    token = token_of(sign1(protected=protected))
    assert check(token).reason is R.MALFORMED


def test_structure_is_checked_before_the_algorithm() -> None:
    token = token_of(sign1(protected=header(alg=-8), unprotected={1: -8}))
    assert check(token).reason is R.MALFORMED


def test_algorithm_is_checked_before_the_kid() -> None:
    token = token_of(sign1(protected=header(alg=-8, kid=b"\x00" * 8)))
    assert check(token).reason is R.UNSUPPORTED_ALG


# --- fault 5: expired ----------------------------------------------------------------------------


def test_expiry_is_exclusive_to_the_second() -> None:
    assert check(TOKEN, now=CLAIMS.expires - timedelta(seconds=1)).reason is R.OK
    assert check(TOKEN, now=CLAIMS.expires - timedelta(microseconds=1)).reason is R.OK
    assert check(TOKEN, now=CLAIMS.expires) == TokenCheck(R.EXPIRED, CLAIMS, KID)
    assert check(TOKEN, now=CLAIMS.expires + timedelta(days=400)).reason is R.EXPIRED


def test_no_clock_skew_grace_after_expiry() -> None:
    assert check(TOKEN, now=CLAIMS.expires + CLOCK_SKEW / 2).reason is R.EXPIRED


def test_now_in_another_timezone_is_the_same_instant() -> None:
    shanghai = CLAIMS.expires.astimezone(ZoneInfo("Asia/Shanghai"))
    assert check(TOKEN, now=shanghai).reason is R.EXPIRED
    assert check(TOKEN, now=shanghai - timedelta(seconds=1)).reason is R.OK


# --- fault 6: not yet valid ----------------------------------------------------------------------


def test_not_before_with_five_minutes_of_skew() -> None:
    start = CLAIMS.not_before
    assert check(TOKEN, now=start - CLOCK_SKEW).reason is R.OK
    assert check(TOKEN, now=start - CLOCK_SKEW + timedelta(seconds=1)).reason is R.OK
    too_early = check(TOKEN, now=start - CLOCK_SKEW - timedelta(seconds=1))
    assert too_early == TokenCheck(R.NOT_YET_VALID, CLAIMS, KID)
    assert check(TOKEN, now=start - timedelta(days=1)).reason is R.NOT_YET_VALID


def test_issued_in_the_future() -> None:
    claims = dataclasses.replace(
        CLAIMS, issued_at=NOW + timedelta(minutes=10), not_before=NOW - timedelta(hours=1)
    )
    token = sign_pass(claims, ISSUER_KEY)
    assert check(token).reason is R.NOT_YET_VALID
    assert check(token, now=NOW + timedelta(minutes=5)).reason is R.OK


def test_not_yet_valid_is_checked_before_expired() -> None:
    claims = dataclasses.replace(CLAIMS, not_before=NOW + timedelta(hours=1), expires=NOW)
    assert check(sign_pass(claims, ISSUER_KEY)).reason is R.NOT_YET_VALID


# --- fault 7: revoked pass, withdrawn key --------------------------------------------------------


def test_revoked_pass() -> None:
    result = check(TOKEN, revoked=[CLAIMS.cti])
    assert result == TokenCheck(R.REVOKED, CLAIMS, KID)
    assert check(TOKEN, revoked=[b"\x00" * 16]).reason is R.OK


def test_withdrawn_key() -> None:
    withdrawn = dataclasses.replace(TRUSTED, withdrawn=True)
    assert check(TOKEN, keys=[withdrawn]) == TokenCheck(R.KEY_NOT_VALID, CLAIMS, KID)


def test_withdrawal_wins_over_another_entry_for_the_same_key() -> None:
    withdrawn = dataclasses.replace(TRUSTED, withdrawn=True)
    assert check(TOKEN, keys=[TRUSTED, withdrawn]).reason is R.KEY_NOT_VALID


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "reason"),
    [
        (CLAIMS.issued_at, CLAIMS.expires, R.OK),  # both bounds inclusive
        (CLAIMS.issued_at + timedelta(seconds=1), CLAIMS.expires, R.KEY_NOT_VALID),
        (CLAIMS.issued_at, CLAIMS.expires - timedelta(seconds=1), R.KEY_NOT_VALID),
        (NOW + timedelta(days=1), NOW + timedelta(days=2), R.KEY_NOT_VALID),  # key is newer
        (NOW - timedelta(days=60), NOW - timedelta(days=30), R.KEY_NOT_VALID),  # key retired
    ],
)
def test_key_window_must_cover_the_pass(
    valid_from: datetime, valid_until: datetime, reason: TokenReason
) -> None:
    key = dataclasses.replace(TRUSTED, valid_from=valid_from, valid_until=valid_until)
    assert check(TOKEN, keys=[key]).reason is reason


def test_one_covering_entry_is_enough() -> None:
    old = dataclasses.replace(TRUSTED, valid_until=NOW - timedelta(days=1))
    assert check(TOKEN, keys=[old, TRUSTED]).reason is R.OK


def test_order_of_the_late_checks() -> None:
    withdrawn = dataclasses.replace(TRUSTED, withdrawn=True)
    expired_at = CLAIMS.expires
    assert check(TOKEN, now=expired_at, keys=[withdrawn], revoked=[CLAIMS.cti]).reason is (
        R.EXPIRED
    )
    assert check(TOKEN, keys=[withdrawn], revoked=[CLAIMS.cti]).reason is R.KEY_NOT_VALID
    forged = token_of(sign1(key=ATTACKER_KEY))
    assert check(forged, now=expired_at, revoked=[CLAIMS.cti]).reason is R.BAD_SIGNATURE


# --- fault 10: oversized text, zip bomb ----------------------------------------------------------


def test_text_over_1200_characters() -> None:
    assert check(PREFIX + "0" * (MAX_TEXT - len(PREFIX) + 1)).reason is R.TOO_LARGE
    assert check(TOKEN + "0" * (MAX_TEXT + 1 - len(TOKEN))).reason is R.TOO_LARGE
    # At exactly the limit the text is read on (and then fails as the garbage it is).
    assert check(PREFIX + "0" * (MAX_TEXT - len(PREFIX))).reason is R.MALFORMED


def test_length_is_checked_before_the_prefix() -> None:
    assert check("HC1:" + "0" * 2000).reason is R.TOO_LARGE
    assert check(b"X" * 100_000).reason is R.TOO_LARGE


def test_zip_bomb() -> None:
    bomb = wrap(b"\x00" * 600_000)
    assert len(bomb) <= MAX_TEXT  # it passes the length check, then must not be inflated
    assert check(bomb) == TokenCheck(R.TOO_LARGE)


def test_zip_bomb_of_valid_looking_cose() -> None:
    # A COSE array whose payload claims a huge byte string, padded with zeros.
    bomb = wrap(bytes.fromhex("d2845a000f4240") + b"\x00" * 600_000)
    assert len(bomb) <= MAX_TEXT
    assert check(bomb).reason is R.TOO_LARGE


def test_inflate_cap_is_exactly_4_kib() -> None:
    assert check(wrap(b"\x00" * MAX_INFLATED)).reason is R.MALFORMED  # inflated, not CBOR
    assert check(wrap(b"\x00" * (MAX_INFLATED + 1))).reason is R.TOO_LARGE


@pytest.mark.parametrize(
    "compressed",
    [
        b"",
        b"not zlib at all",
        zlib.compress(unwrap(TOKEN))[:-1],  # truncated (checksum cut)
        zlib.compress(unwrap(TOKEN))[:20],  # truncated mid-stream
        zlib.compress(unwrap(TOKEN)) + b"\x00",  # trailing bytes after the stream
        zlib.compress(unwrap(TOKEN)) * 2,  # two streams
        zlib.compress(unwrap(TOKEN), wbits=-15),  # raw deflate, no zlib header
        zlib.compress(unwrap(TOKEN), wbits=31),  # gzip
    ],
)
def test_bad_zlib(compressed: bytes) -> None:
    assert check(PREFIX + base45.encode(compressed)) == TokenCheck(R.MALFORMED)


def test_zlib_checksum_is_checked() -> None:
    compressed = bytearray(zlib.compress(unwrap(TOKEN)))
    compressed[-1] ^= 0x01
    assert check(PREFIX + base45.encode(bytes(compressed))).reason is R.MALFORMED


# --- fault 11: Base45, prefix, version -----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "GGW",  # 65536
        "GGW" + TOKEN[7:],  # the first triplet out of range
        TOKEN[4:] + "0" * ((1 - len(TOKEN[4:])) % 3),  # a dangling character
        TOKEN[4:].lower(),
        TOKEN[4:-1] + "#",
        ":::",
    ],
)
def test_bad_base45(body: str) -> None:
    assert check(PREFIX + body) == TokenCheck(R.MALFORMED)


@pytest.mark.parametrize(
    "text",
    [
        "HC1:" + TOKEN[4:],
        "ph1:" + TOKEN[4:],
        "PH1" + TOKEN[4:],
        "PH:" + TOKEN[4:],
        "",
        "PH",
        "https://example.com/pass/1",
        TOKEN[4:],
        " " + TOKEN,
        "PHX:" + TOKEN[4:],
    ],
)
def test_not_our_prefix(text: str) -> None:
    assert check(text) == TokenCheck(R.NOT_A_PASS)


@pytest.mark.parametrize("prefix", ["PH2:", "PH0:", "PH10:", "PH01:", "PH999999:"])
def test_other_version(prefix: str) -> None:
    assert check(prefix + TOKEN[4:]) == TokenCheck(R.UNSUPPORTED_VERSION)
    assert check(prefix).reason is R.UNSUPPORTED_VERSION


def test_full_width_digits_are_not_a_version() -> None:
    assert check("PH２:" + TOKEN[4:]).reason is R.NOT_A_PASS


# --- fault 12: binary and non-text input ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00\x01",
        b"PH1:\xc3\x28",
        b"\x89PNG\r\n\x1a\n",
        TOKEN.encode() + b"\x80",
        bytes(range(256)),
    ],
)
def test_binary_bytes(data: bytes) -> None:
    assert check(data) == TokenCheck(R.NOT_A_PASS)


@pytest.mark.parametrize(
    "text",
    [
        TOKEN + "\n",  # a keyboard wedge's Enter: the caller strips it
        TOKEN + "\r",
        TOKEN[:10] + "\x00" + TOKEN[10:],
        TOKEN[:10] + "\u200b" + TOKEN[10:],  # zero-width space
        TOKEN[:10] + "\u202e" + TOKEN[10:],  # right-to-left override
        TOKEN[:10] + "\ud800" + TOKEN[10:],  # lone surrogate
        "\t",
        "\x7f",
    ],
)
def test_control_and_format_characters(text: str) -> None:
    assert check(text) == TokenCheck(R.NOT_A_PASS)


@pytest.mark.parametrize("data", [None, 12, 1.5, [TOKEN], {"token": TOKEN}])
def test_not_text_or_bytes_at_all(data: object) -> None:
    assert check(data).reason is R.NOT_A_PASS


def test_bytearray_and_memoryview_are_bytes() -> None:
    assert check(bytearray(TOKEN.encode())).reason is R.OK
    assert check(memoryview(TOKEN.encode())).reason is R.OK


# --- fault 13: malformed CBOR/COSE ---------------------------------------------------------------

_SIGNED = sign1()
_PROTECTED, _, _, _SIGNATURE = _SIGNED


def _bstr(data: bytes) -> bytes:
    return cbor.encode(data)


def _raw_cose(*items: bytes, head: bytes = b"\xd2\x84") -> bytes:
    return head + b"".join(items)


_VALID_ITEMS = (_bstr(_PROTECTED), b"\xa0", _bstr(PAYLOAD), _bstr(_SIGNATURE))


def test_raw_builder_reproduces_the_real_token() -> None:
    assert _raw_cose(*_VALID_ITEMS) == unwrap(TOKEN)
    assert check(wrap(_raw_cose(*_VALID_ITEMS))).reason is R.OK


@pytest.mark.parametrize(
    "cose",
    [
        # deep nesting in the unprotected slot, before anything is signed
        _raw_cose(_VALID_ITEMS[0], b"\x81" * 9 + b"\x00", *_VALID_ITEMS[2:]),
        _raw_cose(_VALID_ITEMS[0], b"\xa1\x01" * 20 + b"\x00", *_VALID_ITEMS[2:]),
        # huge declared lengths
        _raw_cose(_VALID_ITEMS[0], b"\xa0", b"\x5b\x7f\xff\xff\xff\xff\xff\xff\xff", b"\x00"),
        _raw_cose(b"\x5b\xff\xff\xff\xff\xff\xff\xff\xff"),
        _raw_cose(*_VALID_ITEMS, head=b"\xd2\x9b\x80\x00\x00\x00\x00\x00\x00\x00"),
        _raw_cose(_VALID_ITEMS[0], b"\xbb\x80\x00\x00\x00\x00\x00\x00\x00", *_VALID_ITEMS[2:]),
        # duplicate map keys in the unprotected header
        _raw_cose(_VALID_ITEMS[0], b"\xa2\x01\x32\x01\x32", *_VALID_ITEMS[2:]),
        # trailing bytes after the COSE array
        _raw_cose(*_VALID_ITEMS) + b"\x00",
        _raw_cose(*_VALID_ITEMS) + _raw_cose(*_VALID_ITEMS),
        # indefinite-length items
        _raw_cose(*_VALID_ITEMS, b"\xff", head=b"\xd2\x9f"),
        _raw_cose(_VALID_ITEMS[0], b"\xbf\xff", *_VALID_ITEMS[2:]),
        _raw_cose(_VALID_ITEMS[0], b"\xa0", b"\x5f" + _bstr(PAYLOAD) + b"\xff", _VALID_ITEMS[3]),
        # non-shortest heads
        _raw_cose(*_VALID_ITEMS, head=b"\xd2\x98\x04"),
        _raw_cose(*_VALID_ITEMS, head=b"\xd8\x12\x84"),
        # wrong tag, no tag, wrong arity
        _raw_cose(*_VALID_ITEMS, head=b"\xd8\x62\x84"),  # tag 98, COSE_Sign
        _raw_cose(*_VALID_ITEMS, head=b"\x84"),
        _raw_cose(*_VALID_ITEMS[:3], head=b"\xd2\x83"),
        _raw_cose(*_VALID_ITEMS, b"\x00", head=b"\xd2\x85"),
        # wrong item types
        _raw_cose(b"\xa0", *_VALID_ITEMS[1:]),  # protected header as a bare map
        _raw_cose(_VALID_ITEMS[0], b"\xa0", b"\xf6", _VALID_ITEMS[3]),  # detached payload (nil)
        _raw_cose(*_VALID_ITEMS[:3], _bstr(_SIGNATURE[:63])),
        _raw_cose(*_VALID_ITEMS[:3], _bstr(_SIGNATURE + b"\x00")),
        _raw_cose(*_VALID_ITEMS[:3], cbor.encode(_SIGNATURE.hex())),
        # floats and simple values
        b"\xf9\x3c\x00",
        _raw_cose(_VALID_ITEMS[0], b"\xf5", *_VALID_ITEMS[2:]),
        b"",
    ],
)
def test_malformed_cose(cose: bytes) -> None:
    assert check(wrap(cose)) == TokenCheck(R.MALFORMED)


_DROP = object()


def _edited(
    claims: dict[int, object] | None = None, details: dict[int, object] | None = None
) -> dict[CborKey, CborValue]:
    """The reference claims map with some claims (or pass details) replaced or dropped."""
    edited: dict[Any, Any] = dict(CLAIMS_MAP)
    edited[PASS_CLAIM] = dict(edited[PASS_CLAIM])
    for target, changes in ((edited, claims or {}), (edited[PASS_CLAIM], details or {})):
        for label, value in changes.items():
            if value is _DROP:
                del target[label]
            else:
                target[label] = value
    return edited


@pytest.mark.parametrize(
    "payload",
    [
        # missing and extra claims
        _edited({1: _DROP}),
        _edited({4: _DROP}),
        _edited({5: _DROP}),
        _edited({6: _DROP}),
        _edited({7: _DROP}),
        _edited({-70001: _DROP}),
        _edited(details={2: _DROP}),
        _edited(details={1: _DROP}),
        _edited({8: 1}),  # cnf: not ours
        _edited(details={6: "Zhang San"}),  # nowhere to put a name
        _edited({-70002: 1}),
        # wrong types
        _edited({1: 1}),
        _edited({4: "2026-11-28"}),
        _edited({4: b"\x00"}),
        _edited({5: [1]}),
        _edited({7: "00112233445566778899aabbccddeeff"}),
        _edited({-70001: [1, "浙F12345", 7, "STANDARD", "LOW"]}),
        _edited(details={2: b"plate"}),
        _edited(details={3: "7"}),
        _edited(details={4: 0}),
        _edited(details={5: 0}),
        # wrong lengths and ranges
        _edited({7: b"\x00" * 15}),
        _edited({7: b"\x00" * 17}),
        _edited({1: ""}),
        _edited({1: "I" * 65}),
        _edited(details={2: ""}),
        _edited(details={2: "P" * 17}),
        _edited(details={2: "浙F\u200b12345"}),
        _edited(details={3: 0}),
        _edited(details={3: -7}),
        _edited(details={3: 2**63}),
        _edited({4: -1}),
        _edited({4: 253_402_300_800}),  # past year 9999
        _edited({4: 2**64 - 1}),
        # unknown schema or names
        _edited(details={1: 2}),
        _edited(details={1: 0}),
        _edited(details={4: "EXPRESS"}),
        _edited(details={4: "standard"}),
        _edited(details={5: "CRITICAL"}),
        # not a claims map at all
        [],
        {},
    ],
)
def test_authentic_but_malformed_claims(payload: dict[CborKey, CborValue]) -> None:
    assert check(claims_token(payload)) == TokenCheck(R.MALFORMED, None, KID)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff",
        PAYLOAD + b"\x00",  # trailing byte
        PAYLOAD[:-1],
        b"\x81" * 9 + b"\x00",  # nesting
        cbor.encode(Tag(18, CLAIMS_MAP)),  # a tag where none is allowed
        b"\xa7" + PAYLOAD[1:] + b"\x01\x61\x78",  # duplicate iss, appended
        b"\xbf" + PAYLOAD[1:] + b"\xff",  # indefinite map
        PAYLOAD.replace(b"\x1a", b"\xfa", 1),  # exp as a float
    ],
)
def test_authentic_but_malformed_payload_bytes(payload: bytes) -> None:
    assert check(claims_token(payload)) == TokenCheck(R.MALFORMED, None, KID)


def test_claims_are_read_only_after_the_signature() -> None:
    # The same garbage payload, unsigned, is a signature failure: it was never parsed.
    assert check(claims_token(b"\xff")).reason is R.MALFORMED
    assert check(token_of(sign1(payload=b"\xff", key=ATTACKER_KEY))).reason is R.BAD_SIGNATURE


# --- records and helpers ------------------------------------------------------------------------


def test_key_id_is_truncated_sha256() -> None:
    raw = bytes(range(32))
    assert key_id(raw) == hashlib.sha256(raw).digest()[:8]
    with pytest.raises(ValueError, match="32 bytes"):
        key_id(raw[:31])


@pytest.mark.parametrize(
    "changes",
    [
        {"issued_at": datetime(2026, 11, 25, 8, 0)},  # naive
        {"not_before": NOW.replace(microsecond=1)},
        {"expires": NOW.astimezone(ZoneInfo("Asia/Shanghai"))},
        {"issued_at": datetime(1969, 12, 31, tzinfo=UTC)},
        {"cti": b"\x00" * 15},
        {"cti": "00" * 16},
        {"plate": ""},
        {"plate": "浙F\n12345"},
        {"issuer": "x" * 65},
        {"enterprise_id": 0},
        {"enterprise_id": True},
        {"route": "STANDARD"},
        {"risk": "LOW"},
        {"schema_version": 2},
    ],
)
def test_pass_claims_reject_what_the_token_cannot_carry(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        dataclasses.replace(CLAIMS, **changes)


def test_trusted_key_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="32"):
        dataclasses.replace(TRUSTED, public_key=b"\x00" * 31)
    with pytest.raises(ValueError, match="aware"):
        dataclasses.replace(TRUSTED, valid_from=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="before"):
        dataclasses.replace(TRUSTED, valid_until=TRUSTED.valid_from - timedelta(seconds=1))
    with pytest.raises(ValueError, match="kid"):
        dataclasses.replace(TRUSTED, kid=b"")


def test_reason_codes_are_the_security_md_names() -> None:
    assert [reason.value for reason in TokenReason] == [
        "OK",
        "NOT_A_PASS",
        "UNSUPPORTED_VERSION",
        "TOO_LARGE",
        "MALFORMED",
        "UNSUPPORTED_ALG",
        "UNKNOWN_KEY",
        "BAD_SIGNATURE",
        "NOT_YET_VALID",
        "EXPIRED",
        "KEY_NOT_VALID",
        "REVOKED",
    ]


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        verify_token(TOKEN, datetime(2026, 11, 25), lambda kid: [TRUSTED], lambda cti: False)


def test_station_faults_propagate_instead_of_becoming_a_verdict() -> None:
    def broken_trust_store(kid: bytes) -> list[TrustedKey]:
        raise OSError("trust store unreadable")

    def broken_revocation_list(cti: bytes) -> bool:
        raise OSError("revocation list unreadable")

    with pytest.raises(OSError, match="trust store"):
        verify_token(TOKEN, NOW, broken_trust_store, lambda cti: False)
    with pytest.raises(OSError, match="revocation"):
        verify_token(TOKEN, NOW, lambda kid: [TRUSTED], broken_revocation_list)


# --- fuzzing: verify_token never raises and never accepts a changed token -------------------------

FUZZ = settings(
    derandomize=True,  # the same examples on every run: CI stays stable
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
COSE = unwrap(TOKEN)


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


def _strict_check(data: object) -> TokenCheck:
    result = check(data)
    assert isinstance(result.reason, TokenReason)
    assert (result.claims is not None) == (
        result.reason in {R.OK, R.NOT_YET_VALID, R.EXPIRED, R.KEY_NOT_VALID, R.REVOKED}
    )
    return result


def _mutate(rng: random.Random, original: bytes, alphabet: str) -> bytes:
    """``original`` after one to three byte flips, truncations, insertions or deletions.

    With an ``alphabet`` (Base45 for token text) replacements and some insertions stay
    inside it, so more mutants survive the early checks and reach zlib and CBOR.
    """
    data = bytearray(original)
    pool = alphabet.encode() or bytes(range(256))
    for _ in range(rng.randint(1, 3)):
        operation = rng.choice(["flip", "truncate", "insert", "insert", "delete", "replace"])
        index = rng.randrange(len(data)) if data else 0
        if operation == "flip" and data:
            data[index] ^= rng.randint(1, 255)
        elif operation == "truncate":
            data = data[: rng.randint(0, len(data))]
        elif operation == "insert":
            source = pool if rng.random() < 0.5 else bytes(range(256))
            data[index:index] = bytes(rng.choices(source, k=rng.randint(1, 4)))
        elif operation == "delete" and data:
            del data[index : index + rng.randint(1, 4)]
        elif operation == "replace" and data:
            data[index] = rng.choice(pool)
    return bytes(data)


def mutants(original: bytes, alphabet: str = "") -> st.SearchStrategy[bytes]:
    """Mutants of ``original``, driven by one drawn seed.

    A seeded ``random.Random`` costs a third of the CPU of drawing every choice through
    Hypothesis, which keeps 10,000+ examples affordable; a failure still prints the mutant.
    """
    return st.integers(0, 2**64 - 1).map(
        lambda seed: _mutate(random.Random(seed), original, alphabet)
    )


@fuzz(1500)
@given(st.text(max_size=400))
def test_fuzz_random_text(text: str) -> None:
    assert not _strict_check(text).ok


@fuzz(1500)
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(data: bytes) -> None:
    assert not _strict_check(data).ok


@fuzz(1000)
@given(st.text(alphabet=base45.ALPHABET, max_size=400))
def test_fuzz_random_base45_after_the_prefix(body: str) -> None:
    assert not _strict_check(PREFIX + body).ok


@fuzz(1000)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes_compressed_under_the_prefix(inner: bytes) -> None:
    assert not _strict_check(wrap(inner)).ok


@fuzz(2500)
@given(mutants(TOKEN.encode("ascii"), alphabet=base45.ALPHABET))
def test_fuzz_mutated_token_text(mutated: bytes) -> None:
    result = _strict_check(mutated)
    if result.ok:
        # The zlib layer is unsigned, so a different deflate stream of the very same COSE
        # bytes is a no-op; anything that changes what was signed must not pass.
        assert unwrap(mutated.decode("ascii")) == COSE
        assert result.claims == CLAIMS


@fuzz(2500)
@given(mutants(COSE))
def test_fuzz_mutated_cose_rewrapped_validly(mutated: bytes) -> None:
    result = _strict_check(wrap(mutated))
    if result.ok:
        # Strict canonical CBOR leaves no second spelling of the same COSE_Sign1.
        assert mutated == COSE


@fuzz(1000)
@given(mutants(PAYLOAD))
def test_fuzz_mutated_claims_signed_by_the_trusted_key(mutated: bytes) -> None:
    # An authentic payload that is garbage (an issuer bug, a stolen key) still never
    # crashes the verifier; whatever it accepts is the canonical encoding of valid claims.
    result = _strict_check(claims_token(mutated))
    if result.ok:
        assert result.claims is not None
        assert parts(sign_pass(result.claims, ISSUER_KEY))[2] == mutated
