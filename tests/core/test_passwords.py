"""Password hashing (scrypt, PHC strings) and the login back-off schedule."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import WeakPassword
from core.passwords import (
    PRODUCTION_PARAMS,
    ScryptParams,
    check_password_policy,
    hash_password,
    lock_after_failure,
    needs_rehash,
    verify_password,
)
from core.services import Services
from core.services.accounts import AccountService
from tests.conftest import FAST_HASH

PHC = re.compile(r"\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)")
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_phc_format_records_parameters_salt_and_hash() -> None:
    phc = hash_password("LoopPass-demo", FAST_HASH)
    match = PHC.fullmatch(phc)
    assert match is not None, phc
    assert tuple(int(g) for g in match.groups()[:3]) == (FAST_HASH.log_n, 8, 1)
    salt, digest = match.group(4), match.group(5)
    assert (len(salt), len(digest)) == (22, 43)  # 16 and 32 bytes, unpadded base64


def test_same_password_gets_a_fresh_salt() -> None:
    first, second = (
        hash_password("LoopPass-demo", FAST_HASH),
        hash_password("LoopPass-demo", FAST_HASH),
    )
    assert first != second
    assert verify_password("LoopPass-demo", first)
    assert verify_password("LoopPass-demo", second)


@pytest.mark.parametrize(
    "attempt",
    ["LoopPass-dem", "LoopPass-demo ", "looppass-demo", "", "LoopPass-demo\x01", "x" * 200],
    ids=ascii,
)
def test_verify_rejects_anything_else(attempt: str) -> None:
    assert not verify_password(attempt, hash_password("LoopPass-demo", FAST_HASH))


def test_non_ascii_passwords_round_trip() -> None:
    phc = hash_password("平湖闭环-通行证", FAST_HASH)
    assert verify_password("平湖闭环-通行证", phc)
    assert not verify_password("平湖闭环-通行", phc)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text-password",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        "$scrypt$ln=10,r=8$c2FsdA$aGFzaA",
        "$scrypt$ln=ten,r=8,p=1$c2FsdA$aGFzaA",
        "$scrypt$ln=10,r=8,p=1$c2FsdA",
    ],
)
def test_malformed_stored_hash_never_verifies(stored: str) -> None:
    assert not verify_password("LoopPass-demo", stored)
    assert needs_rehash(stored, FAST_HASH)


def test_production_parameters_are_the_documented_ones() -> None:
    assert (PRODUCTION_PARAMS.log_n, PRODUCTION_PARAMS.r, PRODUCTION_PARAMS.p) == (17, 8, 1)
    assert ScryptParams() == PRODUCTION_PARAMS
    # Everything that hashes without being told otherwise uses production cost.
    assert inspect.signature(hash_password).parameters["params"].default is PRODUCTION_PARAMS
    assert inspect.signature(AccountService).parameters["params"].default is PRODUCTION_PARAMS
    assert inspect.signature(Services.build).parameters["params"].default is PRODUCTION_PARAMS


def test_one_real_hash_at_production_cost() -> None:
    phc = hash_password("LoopPass-demo")
    assert phc.startswith("$scrypt$ln=17,r=8,p=1$")
    assert verify_password("LoopPass-demo", phc)
    assert not needs_rehash(phc)
    # scrypt needs 128·r·n bytes (128 MiB here): hashlib must be allowed that much.
    assert PRODUCTION_PARAMS.maxmem > 128 * 8 * 2**17


def test_needs_rehash_only_for_a_lower_cost() -> None:
    weaker = hash_password("pw-pw-pw-pw", ScryptParams(log_n=8))
    same = hash_password("pw-pw-pw-pw", FAST_HASH)
    stronger = hash_password("pw-pw-pw-pw", ScryptParams(log_n=FAST_HASH.log_n + 1))
    assert needs_rehash(weaker, FAST_HASH)
    assert not needs_rehash(same, FAST_HASH)
    assert not needs_rehash(stronger, FAST_HASH)
    assert needs_rehash(same, ScryptParams(log_n=FAST_HASH.log_n, r=16))


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("123456789", False),
        ("1234567890", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("my-clerk-password", False),
        ("MY-CLERK-PASSWORD", False),
        ("clerical-work", True),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    if ok:
        check_password_policy(password, "clerk")
    else:
        with pytest.raises(WeakPassword):
            check_password_policy(password, "clerk")


def test_lock_schedule_five_free_attempts_then_doubling_to_an_hour() -> None:
    locks = {n: lock_after_failure(n, T0) for n in range(1, 16)}
    assert all(locks[n] is None for n in range(1, 5))
    seconds = [int((locks[n] - T0).total_seconds()) for n in range(5, 16)]  # type: ignore[operator]
    assert seconds == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]


def test_lock_never_exceeds_an_hour() -> None:
    for failures in (12, 13, 50, 10_000):
        until = lock_after_failure(failures, T0)
        assert until is not None and until - T0 == timedelta(hours=1)


def test_at_most_a_hundred_failures_in_any_hour() -> None:
    """An attacker guessing as fast as the locks allow, for a day."""
    now, failures, times = T0, 0, []
    while now < T0 + timedelta(days=1):
        failures += 1
        times.append(now)
        until = lock_after_failure(failures, now)
        now = until if until is not None else now + timedelta(milliseconds=1)
    for index, start in enumerate(times):
        window = [t for t in times[index:] if t < start + timedelta(hours=1)]
        assert len(window) <= 100
    # Steady state: one guess an hour once the lock has reached its cap.
    assert len([t for t in times if t >= T0 + timedelta(hours=12)]) <= 13
