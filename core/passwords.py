"""Password hashing (scrypt, PHC-style strings) and the login back-off policy.

The PHC string carries its parameters, so a hash made with lighter test parameters still
verifies, and ``needs_rehash`` lets login upgrade old hashes to the current cost.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.errors import WeakPassword

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
FREE_ATTEMPTS = 5  # failures before the first lock
FIRST_LOCK = timedelta(seconds=30)
LONGEST_LOCK = timedelta(hours=1)


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: n = 2**log_n. SECURITY.md asks for n=2**17, r=8, p=1."""

    log_n: int = 17
    r: int = 8
    p: int = 1

    @property
    def maxmem(self) -> int:
        """Memory limit for hashlib: scrypt needs 128·r·n bytes, plus headroom."""
        return 128 * self.r * ((1 << self.log_n) + self.p) + (1 << 24)


PRODUCTION_PARAMS = ScryptParams()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=2**params.log_n,
        r=params.r,
        p=params.p,
        maxmem=params.maxmem,
        dklen=32,
    )


def hash_password(password: str, params: ScryptParams = PRODUCTION_PARAMS) -> str:
    """A PHC-style string ``$scrypt$ln=17,r=8,p=1$salt$hash`` for ``password``."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, params)
    return f"$scrypt$ln={params.log_n},r={params.r},p={params.p}${_b64(salt)}${_b64(digest)}"


def _parse(phc: str) -> tuple[ScryptParams, bytes, bytes] | None:
    parts = phc.split("$")
    if len(parts) != 5 or parts[1] != "scrypt":  # noqa: PLR2004 - PHC has five fields
        return None
    try:
        fields = dict(item.split("=", 1) for item in parts[2].split(","))
        params = ScryptParams(int(fields["ln"]), int(fields["r"]), int(fields["p"]))
        return params, _unb64(parts[3]), _unb64(parts[4])
    except (KeyError, ValueError):
        return None


def verify_password(password: str, phc: str) -> bool:
    """True if ``password`` matches the stored PHC string (constant-time comparison)."""
    parsed = _parse(phc)
    if parsed is None or len(password) > MAX_PASSWORD_LENGTH:
        return False
    params, salt, expected = parsed
    return hmac.compare_digest(_scrypt(password, salt, params), expected)


def needs_rehash(phc: str, params: ScryptParams = PRODUCTION_PARAMS) -> bool:
    """True if the stored hash was made with a lower cost than ``params``.

    A stronger stored hash is kept: a service configured with a lighter cost must never
    silently downgrade the hashes it checks.
    """
    parsed = _parse(phc)
    if parsed is None:
        return True
    stored = parsed[0]
    return stored.log_n < params.log_n or stored.r < params.r or stored.p < params.p


def check_password_policy(password: str, username: str) -> None:
    """Raise ``WeakPassword`` unless the password is long enough and not the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"at most {MAX_PASSWORD_LENGTH} characters")
    # An empty user name is "in" every password; the form reports it as missing instead.
    if username and username.lower() in password.lower():
        raise WeakPassword("must not contain the username")


def lock_after_failure(failed_attempts: int, now: datetime) -> datetime | None:
    """When an account with ``failed_attempts`` consecutive failures unlocks (None: not locked).

    Five free attempts, then 30 s doubling up to an hour: an attacker gets at most about a
    dozen guesses an hour (SECURITY.md allows 100), a clerk with a typo waits 30 seconds.
    """
    if failed_attempts < FREE_ATTEMPTS:
        return None
    doublings = min(failed_attempts - FREE_ATTEMPTS, 7)
    lock: timedelta = min(FIRST_LOCK * (1 << doublings), LONGEST_LOCK)
    return now + lock
