"""A log written into a real SQLite table, checked the three ways LoopPass checks a stored log.

``verify_log`` over the rows as stored is the reference. The ways used on a database must
report exactly the same, or raise the same error:

- ``verify_stored`` over bodies written by SQLite's ``json_array`` (db/audit_chain.py);
- ``verify_parts`` over the log cut into parts of 1, 2 and 5 entries, each part checked on its
  own (here every part in this process: ``workers=0``; tests/db/test_audit_parts.py starts
  real worker processes).

``tests/core/test_audit_chain.py`` runs every generated log and every tampering through this,
so each kind of damage is checked on the paths a supervisor's "verify" really takes.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from functools import partial

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.audit import (
    ChainReport,
    EncodedEntry,
    PartCheck,
    RawEntry,
    SignedHead,
    verify_log,
    verify_parts,
    verify_stored,
)
from db.audit_chain import (
    FIRST_SEQ,
    LAST_SEQ,
    checked_parts,
    encoded_rows,
    raw_row,
    raw_rows,
)
from db.store import open_store

PART_SIZES = (1, 2, 5)
_STORABLE = (int, float, str, bytes)

Outcome = ChainReport | type[BaseException]


def storable(rows: Sequence[RawEntry]) -> bool:
    """True if a table with ``audit_log``'s primary key and NOT NULL columns can hold ``rows``."""
    seqs = [row.seq for row in rows]
    return (
        all(type(seq) is int and FIRST_SEQ <= seq <= LAST_SEQ for seq in seqs)
        and len(set(seqs)) == len(seqs)
        and all(isinstance(value, _STORABLE) for row in rows for value in row)
    )


def _outcome(check: Callable[[], ChainReport]) -> Outcome:
    try:
        return check()
    except (TypeError, ValueError, KeyError) as error:
        return type(error)


def stored_outcomes(
    rows: Sequence[RawEntry],
    heads: Sequence[SignedHead] = (),
    public_key: Ed25519PublicKey | None = None,
) -> tuple[Outcome, dict[str, Outcome]]:
    """The reference outcome for ``rows`` as a table holds them (in seq order) and each other
    way's outcome, by name."""
    store = open_store(":memory:")
    with closing(store.conn) as conn:
        conn.executemany("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        stored = partial(raw_row, conn)

        def rows_from(seq: int | None) -> Iterator[EncodedEntry]:
            return encoded_rows(conn, FIRST_SEQ if seq is None else seq)

        def in_parts(parts: Generator[PartCheck, None, None]) -> Callable[[], ChainReport]:
            return lambda: verify_parts(parts, rows_from, stored, heads, public_key)

        reference = _outcome(lambda: verify_log(raw_rows(conn), heads, public_key))
        others: dict[str, Outcome] = {
            "stored": _outcome(lambda: verify_stored(encoded_rows(conn), stored, heads, public_key))
        }
        for size in PART_SIZES:
            parts = checked_parts(conn, part_rows=size, parallel_from=0, workers=0)
            if parts is None:  # an empty log: nothing to cut into parts
                continue
            others[f"parts of {size}"] = _outcome(in_parts(parts))
    return reference, others


def assert_stored_paths_agree(
    rows: Sequence[RawEntry],
    heads: Sequence[SignedHead] = (),
    public_key: Ed25519PublicKey | None = None,
) -> None:
    """Every way of checking a stored log reports what the reference reports."""
    if not storable(rows):
        return
    reference, others = stored_outcomes(rows, heads, public_key)
    for name, outcome in others.items():
        assert outcome == reference, f"{name}: {outcome} != reference {reference}"
