"""The audit chain's hashing, signed heads and verification, independent of storage.

``hash = SHA-256(DOMAIN_TAG ‖ prev_hash ‖ canonical(row))`` where the canonical encoding is
compact JSON of ``[seq, at_ms, actor, action, entity, entity_id, details_text]`` and
``details_text`` is the compact, key-sorted JSON stored with the row. The first entry's
``prev_hash`` is 64 zeros.

A hash chain alone cannot show that its tail was cut off, nor that someone rewrote a suffix
and recomputed every hash after it. So every N entries (and at every export) the head —
``(seq, hash)`` — is signed with the *log key*, an Ed25519 key kept in the key folder outside
the database. Verification checks every signed head against the entry at its ``seq``:
a missing entry is ``TRUNCATED``, a different hash is ``HEAD_MISMATCH`` (a rewrite reaching
back before that head: everything after the previous good head is suspect), and the entries
after the last signed head are reported as the unverifiable tail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.clock import to_millis
from core.models import AuditEntry

DOMAIN_TAG = b"LoopPass/audit/v1\x00"
HEAD_TAG = b"LoopPass/audit-head/v1\x00"
RESTORE_TAG = b"LoopPass/audit-restore/v1\x00"
GENESIS_HASH = "0" * 64
PROGRESS_EVERY = 20_000


def canonical_details(details: dict[str, Any]) -> str:
    """The stored text of an entry's details: compact, key-sorted JSON."""
    return json.dumps(details, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class RawEntry(NamedTuple):
    """An audit row exactly as stored (times in ms, details as their stored JSON text)."""

    seq: int
    at: int
    actor: str
    action: str
    entity: str
    entity_id: str
    details: str
    prev_hash: str
    hash: str


# ``json.dumps(..., ensure_ascii=False)`` encodes every string with this function (the C
# encoder's fast path calls it too); calling it directly skips building an encoder per row.
_encode_string: Callable[[str], str] = json.encoder.encode_basestring


def reference_body(row: RawEntry) -> bytes:
    """The canonical encoding of ``row``'s hashed fields, by definition: compact JSON of
    ``[seq, at, actor, action, entity, entity_id, details]``, UTF-8, non-ASCII unescaped."""
    return json.dumps(
        [row.seq, row.at, row.actor, row.action, row.entity, row.entity_id, row.details],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


class EncodedEntry(NamedTuple):
    """A row as the quick check reads it: its links and its canonical ``body`` already written
    (None when the row holds other values than the usual integers and strings)."""

    seq: int
    prev_hash: str
    hash: str
    body: bytes | None


def _usual_body(row: RawEntry) -> bytes | None:
    """``reference_body(row)`` for the usual row (integers, then strings), about four times
    faster: integers written as ``int`` writes them, each string by JSON's own string encoder;
    None for anything else (NULL, a float, a lone surrogate in a tampered row)."""
    seq, at, actor, action, entity, entity_id, details = row[:7]
    if type(seq) is not int or type(at) is not int:
        return None
    encode = _encode_string
    try:
        return (
            f"[{seq},{at},{encode(actor)},{encode(action)},{encode(entity)},"
            f"{encode(entity_id)},{encode(details)}]"
        ).encode()
    except (TypeError, ValueError):  # not a string, or not encodable
        return None


def canonical_body(row: RawEntry) -> bytes:
    """``reference_body(row)``, byte for byte; quick for the usual row."""
    body = _usual_body(row)
    return reference_body(row) if body is None else body


def encoded(row: RawEntry) -> EncodedEntry:
    """``row`` as the quick check reads it."""
    return EncodedEntry(row.seq, row.prev_hash, row.hash, _usual_body(row))


def raw_hash(prev_hash: str, row: RawEntry) -> str:
    """The hash that links the stored ``row`` after ``prev_hash``."""
    return hashlib.sha256(DOMAIN_TAG + bytes.fromhex(prev_hash) + canonical_body(row)).hexdigest()


def as_raw(entry: AuditEntry) -> RawEntry:
    """The stored form of an entry."""
    return RawEntry(
        entry.seq,
        to_millis(entry.at),
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id,
        canonical_details(entry.details),
        entry.prev_hash,
        entry.hash,
    )


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The hash that links ``entry`` after ``prev_hash``."""
    return raw_hash(prev_hash, as_raw(entry))


@dataclass(frozen=True)
class SignedHead:
    """The chain head ``(seq, hash)`` signed with the log key at ``at`` (ms).

    A *restore marker* (``restore``) says the database was restored from a backup whose head
    is ``(seq, hash)``: heads journalled before it for later entries named entries the
    restore removed on purpose, and no longer count (``apply_restores``)."""

    seq: int
    hash: str
    at: int
    key_id: str
    signature: bytes
    restore: bool = False

    def as_json(self) -> dict[str, object]:
        document: dict[str, object] = {
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature.hex(),
        }
        if self.restore:
            document["kind"] = "restore"
        return document

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignedHead:
        return cls(
            int(data["seq"]),
            str(data["hash"]),
            int(data["at"]),
            str(data["key_id"]),
            bytes.fromhex(str(data["signature"])),
            data.get("kind") == "restore",
        )


def head_message(seq: int, head_hash: str, restore: bool = False) -> bytes:
    """The bytes a head (or restore marker) signature covers."""
    tag = RESTORE_TAG if restore else HEAD_TAG
    return tag + seq.to_bytes(8, "big") + bytes.fromhex(head_hash)


def log_key_id(public_key: Ed25519PublicKey) -> str:
    """A short id of the log key (hex of the first 8 bytes of SHA-256 of the raw key)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign_head(
    seq: int, head_hash: str, at_ms: int, key: Ed25519PrivateKey, *, restore: bool = False
) -> SignedHead:
    """Sign the chain head ``(seq, head_hash)`` (as a restore marker with ``restore``)."""
    signature = key.sign(head_message(seq, head_hash, restore))
    return SignedHead(seq, head_hash, at_ms, log_key_id(key.public_key()), signature, restore)


def head_is_authentic(head: SignedHead, public_key: Ed25519PublicKey | None) -> bool:
    """True if ``head`` carries a valid signature by ``public_key``."""
    if public_key is None or head.key_id != log_key_id(public_key):
        return False
    try:
        public_key.verify(head.signature, head_message(head.seq, head.hash, head.restore))
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class ChainReport:
    """Result of a verification; the JSON shape of ``audit verify``.

    ``signed_through`` is the last entry vouched for by a signed head; the ``unsigned_tail``
    entries after it are linked but could have been rewritten by someone holding the file.
    ``heads_checked`` is False when the log key was not available to check signatures.
    """

    ok: bool
    entries: int
    first_bad: int | None = None
    problem: str | None = None
    signed_through: int | None = None
    unsigned_tail: int = 0
    heads_checked: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad": self.first_bad,
            "problem": self.problem,
            "signed_through": self.signed_through,
            "unsigned_tail": self.unsigned_tail,
            "heads_checked": self.heads_checked,
        }


Progress = Callable[[int], None]


class _Walk:
    """The state of one pass over the chain."""

    def __init__(self, heads: dict[int, SignedHead], heads_checked: bool) -> None:
        self.heads = heads
        self.heads_checked = heads_checked
        self.count = 0
        self.expected_seq = 1
        self.prev_hash = GENESIS_HASH
        self.prev_link = ""  # the previous row's own ``prev_hash``
        self.last_good_head = 0

    def fail(self, first_bad: int, problem: str) -> ChainReport:
        return ChainReport(
            False,
            self.count,
            first_bad,
            problem,
            self.last_good_head or None,
            heads_checked=self.heads_checked,
        )

    def run(
        self,
        rows: Iterable[EncodedEntry],
        stored: Callable[[int], RawEntry],
        progress: Progress | None,
    ) -> ChainReport | None:
        """Check every row; a report at the first one that breaks the chain.

        The loop checks the usual row inline — next seq, linked to the previous hash, hash
        recomputed over its encoded body, no signed head at it — with everything in local
        variables (a million rows: the per-row overhead is most of the time). Any other row
        is read in full (``stored``) and goes to ``step``, which decides what is wrong, so
        reports are exactly ``step``'s."""
        heads, every = self.heads, PROGRESS_EVERY
        sha256, unhex, tag = hashlib.sha256, bytes.fromhex, DOMAIN_TAG
        expected, prev_hash, prev_link = self.expected_seq, self.prev_hash, self.prev_link
        uncounted = expected - self.count  # ``count`` and ``expected_seq`` grow together
        # ``expected`` at which the next progress report is due (never without ``progress``).
        mark = -1 if progress is None else (self.count // every + 1) * every + uncounted
        for seq, link, digest, body in rows:
            try:
                usual = (
                    seq == expected
                    and link == prev_hash
                    and seq not in heads
                    and sha256(tag + unhex(link) + body).hexdigest() == digest  # type: ignore[operator]
                )
            except (TypeError, ValueError):  # no body, links not hex: ``step`` finds out
                usual = False
            if usual:
                expected += 1
                prev_link, prev_hash = link, digest
            else:
                self.count, self.expected_seq = expected - uncounted, expected
                self.prev_hash, self.prev_link = prev_hash, prev_link
                broken = self.step(stored(seq))
                if broken is not None:
                    return broken
                expected, prev_hash, prev_link = self.expected_seq, self.prev_hash, self.prev_link
            if expected == mark:
                assert progress is not None
                progress(expected - uncounted)
                mark += every
        self.count, self.expected_seq = expected - uncounted, expected
        self.prev_hash, self.prev_link = prev_hash, prev_link
        return None

    def take_clean_part(
        self, part: PartCheck, stored: Callable[[int], RawEntry]
    ) -> ChainReport | None:
        """Move past a part another process found clean; only its signed heads are checked
        here, each by ``step`` on its row (the part vouches for the link before it)."""
        for seq in sorted(seq for seq in self.heads if part.start <= seq <= part.end):
            row = stored(seq)
            self.count, self.expected_seq, self.prev_hash = seq - 1, seq, row.prev_hash
            broken = self.step(row)
            if broken is not None:
                return broken
        self.count, self.expected_seq = part.end, part.end + 1
        self.prev_link, self.prev_hash = part.last_link, part.last_hash
        return None

    def finish(self, progress: Progress | None) -> ChainReport:
        """The report once every row has been read without a break."""
        last_seq = self.expected_seq - 1
        if any(seq > last_seq for seq in self.heads):
            # A signed head names an entry that is gone: the tail was cut off.
            return self.fail(last_seq + 1, "TRUNCATED")
        if progress is not None:
            progress(self.count)
        signed = self.last_good_head
        return ChainReport(
            True,
            self.count,
            signed_through=signed or None,
            unsigned_tail=last_seq - signed,
            heads_checked=self.heads_checked,
        )

    def step(self, row: RawEntry) -> ChainReport | None:
        """Check one row; a report if it breaks the chain."""
        self.count += 1
        if row.seq != self.expected_seq:
            return self.fail(self.expected_seq, "SEQUENCE_GAP")
        if row.prev_hash != self.prev_hash:
            if self._shifted_by_insertion(row):
                return self.fail(row.seq - 1, "BROKEN_LINK")
            return self.fail(row.seq, "BROKEN_LINK")
        if raw_hash(self.prev_hash, row) != row.hash:
            return self.fail(row.seq, "HASH_MISMATCH")
        head = self.heads.get(row.seq)
        if head is not None:
            if head.hash != row.hash:
                # The chain is consistent but not the one that was signed: a rewrite reaching
                # back before this head. Nothing after the previous good head can be trusted.
                return self.fail(self.last_good_head + 1, "HEAD_MISMATCH")
            self.last_good_head = row.seq
        self.prev_link = row.prev_hash
        self.prev_hash = row.hash
        self.expected_seq += 1
        return None

    def _shifted_by_insertion(self, row: RawEntry) -> bool:
        """True if ``row`` is exactly the entry that was written at ``seq - 1`` after the same
        predecessor as the row now standing there, renumbered by one: that row was inserted
        (the primary key forces an inserter to renumber what follows), so it is the bad one.

        Only the insertion pattern is recognised: an edited row with a recomputed hash is
        still reported at the next entry, the first whose stored link no longer matches."""
        return (
            row.prev_hash == self.prev_link
            and raw_hash(row.prev_hash, row._replace(seq=row.seq - 1)) == row.hash
        )


def _merge_heads(
    heads: Iterable[SignedHead], public_key: Ed25519PublicKey | None
) -> dict[int, SignedHead] | ChainReport:
    """Heads by seq; a report if one is forged or two disagree.

    Heads signed by another log key (the database was copied from another machine, whose
    key did not come with it) cannot be checked here and are left out: a head only ever
    adds a constraint, so leaving one out can never make a tampered log pass."""
    merged: dict[int, SignedHead] = {}
    own_id = log_key_id(public_key) if public_key is not None else None
    for head in sorted(heads, key=lambda h: h.seq):
        if head.key_id != own_id:
            continue
        if not head_is_authentic(head, public_key):
            return ChainReport(False, 0, head.seq, "BAD_HEAD_SIGNATURE", heads_checked=True)
        known = merged.get(head.seq)
        if known is not None and known.hash != head.hash:
            return ChainReport(False, 0, head.seq, "HEAD_CONFLICT", heads_checked=True)
        merged[head.seq] = head
    return merged


def verify_log(
    rows: Iterable[RawEntry],
    heads: Iterable[SignedHead] = (),
    public_key: Ed25519PublicKey | None = None,
    progress: Progress | None = None,
) -> ChainReport:
    """Check sequence numbers, links, hashes and signed heads; report the first bad entry.

    ``heads`` are the signed heads from every place they are kept (database and journal);
    without ``public_key`` their signatures cannot be checked and they are not trusted.
    """
    latest = _Latest(rows)
    return verify_stored(latest, latest.stored, heads, public_key, progress)


class _Latest:
    """Rows encoded one by one, the last kept: the walk only ever asks for the row it holds."""

    def __init__(self, rows: Iterable[RawEntry]) -> None:
        self.rows = rows
        self.last: RawEntry | None = None

    def __iter__(self) -> Iterator[EncodedEntry]:
        for row in self.rows:
            self.last = row
            yield encoded(row)

    def stored(self, seq: int) -> RawEntry:
        assert self.last is not None and self.last.seq is seq
        return self.last


def verify_stored(
    rows: Iterable[EncodedEntry],
    stored: Callable[[int], RawEntry],
    heads: Iterable[SignedHead] = (),
    public_key: Ed25519PublicKey | None = None,
    progress: Progress | None = None,
) -> ChainReport:
    """``verify_log`` over rows whose bodies the store has encoded; ``stored(seq)`` reads a
    row in full, for the few that are not simply the next good link (signed heads, damage).

    Why a body written by someone else can be trusted: a row passes the quick check only if
    the SHA-256 of its body equals the stored hash, which was made over the canonical body of
    the row as written. Equal hashes mean equal bytes, and a faithful JSON encoding of
    different values cannot be those bytes. So an encoder that writes JSON differently from
    ours (another escaping) can only make good rows take the careful path, never let a changed
    row through."""
    merged = _merge_heads(heads, public_key) if public_key is not None else {}
    if isinstance(merged, ChainReport):
        return merged
    walk = _Walk(merged, heads_checked=public_key is not None)
    broken = walk.run(rows, stored, progress)
    return broken if broken is not None else walk.finish(progress)


class PartCheck(NamedTuple):
    """What a check of the rows ``start..end`` on their own found (``check_part``)."""

    start: int
    end: int
    clean: bool  # exactly those seqs, each the next good link after the hash before ``start``
    last_link: str = ""  # the last row's prev_hash and hash, when clean
    last_hash: str = ""


def check_part(
    rows: Iterable[EncodedEntry],
    stored: Callable[[int], RawEntry],
    start: int,
    end: int,
    hash_before: str | None,
) -> PartCheck:
    """Check the rows of one part of the chain, seq ``start..end``, on their own: the first
    links to ``hash_before`` (the stored hash of entry ``start - 1``; None when it is
    missing). Signed heads are left to ``verify_parts``; the first part's ``rows`` must
    include any row numbered below 1."""
    if hash_before is None:
        return PartCheck(start, end, False)
    walk = _Walk({}, heads_checked=False)
    walk.count, walk.expected_seq, walk.prev_hash = start - 1, start, hash_before
    broken = walk.run(rows, stored, None)
    if broken is not None or walk.expected_seq != end + 1:
        return PartCheck(start, end, False)
    return PartCheck(start, end, True, walk.prev_link, walk.prev_hash)


def verify_parts(
    parts: Generator[PartCheck, None, None],
    rows_from: Callable[[int | None], Iterable[EncodedEntry]],
    stored: Callable[[int], RawEntry],
    heads: Iterable[SignedHead] = (),
    public_key: Ed25519PublicKey | None = None,
    progress: Progress | None = None,
) -> ChainReport:
    """``verify_stored`` with the chain's parts checked elsewhere (worker processes), in order
    from seq 1 to the last entry; the report is exactly ``verify_stored``'s.

    A clean part is taken as checked and only its signed heads are checked here. At the first
    part that is not clean the other parts are dropped (``parts.close()``) and the rows from
    its start on are checked here, one by one, as ``verify_stored`` would (``rows_from(seq)``;
    ``rows_from(None)`` reads every row, for a first part that is not clean)."""
    merged = _merge_heads(heads, public_key) if public_key is not None else {}
    if isinstance(merged, ChainReport):
        parts.close()
        return merged
    walk = _Walk(merged, heads_checked=public_key is not None)
    with closing(parts):  # the rest are not needed once a part is not clean, nor on an error
        for part in parts:
            if not part.clean:
                break
            broken = walk.take_clean_part(part, stored)
            if broken is not None:
                return broken
            if progress is not None:
                progress(walk.count)
    # From the part that was not clean, or after the last part (rows written since the parts
    # were planned, or a log with no entry numbered 1 or more), row by row.
    rest = rows_from(walk.expected_seq if walk.count else None)
    broken = walk.run(rest, stored, progress)
    return broken if broken is not None else walk.finish(progress)


def verify_chain(entries: Iterable[AuditEntry]) -> ChainReport:
    """Check sequence numbers, links and hashes of entries (no signed heads)."""
    return verify_log(as_raw(entry) for entry in entries)


def apply_restores(
    journal: Sequence[SignedHead], public_key: Ed25519PublicKey | None
) -> list[SignedHead]:
    """The journal's heads in force: an authentic restore marker at ``seq`` voids the heads
    journalled before it for entries after ``seq`` (the restore removed those on purpose) and
    stands as a head itself. A marker that is not authentic is ignored, so nobody without the
    log key can excuse a truncation."""
    heads: list[SignedHead] = []
    for head in journal:
        if not head.restore:
            heads.append(head)
        elif head_is_authentic(head, public_key):
            heads = [kept for kept in heads if kept.seq <= head.seq]
            heads.append(
                SignedHead(head.seq, head.hash, head.at, head.key_id, head.signature, True)
            )
    return heads


def latest_head(heads: Sequence[SignedHead]) -> SignedHead | None:
    """The head with the highest seq."""
    return max(heads, key=lambda h: h.seq, default=None)
