"""How fast PH1 pass tokens are signed and verified.

Run: .venv/bin/python -m tests.benchmarks.bench_token [--count N] [--runs R]
Prints, as the median of R runs over N tokens each: signs per second (approval), full
verifications per second (a GREEN scan: every step through revocation), and how fast the
common rejections are (forged signature, zip bomb, random text). No asserts: figures to quote.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import statistics
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core import base45, cbor
from core.cbor import Tag
from core.models import RiskLevel, RouteTemplate
from core.token import PREFIX, PassClaims, TrustedKey, key_id, sign_pass, verify_token

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def _per_second(action: Callable[[], object], count: int, runs: int) -> float:
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(count):
            action()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def _claims(index: int) -> PassClaims:
    return PassClaims(
        issuer="LoopPass",
        issued_at=NOW - timedelta(hours=1),
        not_before=NOW - timedelta(hours=1),
        expires=NOW + timedelta(hours=71),
        cti=os.urandom(16),
        plate=f"浙F{index % 100_000:05d}",
        enterprise_id=1 + index % 1000,
        route=RouteTemplate.STANDARD if index % 4 else RouteTemplate.ISOLATION_LOOP,
        risk=RiskLevel.LOW if index % 4 else RiskLevel.HIGH,
    )


@functools.cache
def _forged(token: str) -> str:
    """``token`` with one signature bit flipped, re-wrapped validly (cached: built once)."""
    sign1 = cbor.decode(zlib.decompress(base45.decode(token.removeprefix(PREFIX))))
    assert isinstance(sign1, Tag) and isinstance(sign1.value, list)
    signature = bytearray(sign1.value[3])  # type: ignore[arg-type]
    signature[0] ^= 1
    sign1.value[3] = bytes(signature)
    return PREFIX + base45.encode(zlib.compress(cbor.encode(sign1), 9))


def main() -> None:
    """Print signing and verification rates."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000, help="tokens per run")
    parser.add_argument("--runs", type=int, default=5, help="runs; the median is printed")
    args = parser.parse_args()

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    trusted = TrustedKey(
        key_id(public), public, NOW - timedelta(days=30), NOW + timedelta(days=365)
    )
    revoked = {os.urandom(16) for _ in range(10_000)}

    def verify(token: str) -> object:
        return verify_token(token, NOW, lambda kid: [trusted], revoked.__contains__)

    claims = [_claims(index) for index in range(args.count)]
    tokens = [sign_pass(item, key) for item in claims]
    bomb = PREFIX + base45.encode(zlib.compress(b"\x00" * 600_000, 9))
    garbage = "https://example.com/not-a-pass?id=" + "x" * 40
    next_claims = itertools.cycle(claims).__next__
    next_token = itertools.cycle(tokens).__next__

    lengths = sorted(len(token) for token in tokens)
    print(f"tokens: {args.count} per run, median of {args.runs} runs")
    print(
        f"token length: min {lengths[0]}, median {lengths[len(lengths) // 2]}, "
        f"max {lengths[-1]} characters"
    )
    figures: list[tuple[str, Callable[[], object]]] = [
        ("sign_pass", lambda: sign_pass(next_claims(), key)),
        ("verify_token, valid pass (OK)", lambda: verify(next_token())),
        ("verify_token, flipped signature (BAD_SIGNATURE)", lambda: verify(_forged(tokens[0]))),
        ("verify_token, zip bomb (TOO_LARGE)", lambda: verify(bomb)),
        ("verify_token, not a pass (NOT_A_PASS)", lambda: verify(garbage)),
    ]
    for name, action in figures:
        rate = _per_second(action, args.count, args.runs)
        print(f"{name:<48} {rate:10,.0f} /s {1e6 / rate:9.1f} µs each")


if __name__ == "__main__":
    main()
