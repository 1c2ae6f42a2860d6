"""The audit chain's hashing and verification, independent of where entries are stored.

``hash = SHA-256(DOMAIN_TAG ‖ prev_hash ‖ canonical(row))`` where the canonical encoding is
compact, key-sorted UTF-8 JSON of the row's fields. The first entry's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.clock import to_millis
from core.models import AuditEntry

DOMAIN_TAG = b"LoopPass/audit/v1\x00"
GENESIS_HASH = "0" * 64


def canonical_details(details: dict[str, Any]) -> str:
    """The stored text of an entry's details: compact, key-sorted JSON."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The hash that links ``entry`` after ``prev_hash``."""
    row = [
        entry.seq,
        to_millis(entry.at),
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id,
        canonical_details(entry.details),
    ]
    body = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(DOMAIN_TAG + bytes.fromhex(prev_hash) + body).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """Result of ``verify_chain``; the JSON shape of ``audit verify``."""

    ok: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Check sequence numbers, links and hashes; report the first entry that breaks the chain."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(False, count, expected_seq, "SEQUENCE_GAP")
        if entry.prev_hash != prev_hash:
            return ChainReport(False, count, entry.seq, "BROKEN_LINK")
        if entry_hash(prev_hash, entry) != entry.hash:
            return ChainReport(False, count, entry.seq, "HASH_MISMATCH")
        prev_hash = entry.hash
        expected_seq += 1
    return ChainReport(True, count)
