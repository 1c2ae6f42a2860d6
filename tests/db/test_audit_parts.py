"""Reading the audit chain for verification (db/audit_chain.py).

Two things make a million entries verify in a few seconds, and neither may change a report:

- SQLite writes each row's canonical body (``json_array``). For every string a log holds —
  quotes, backslashes, every control character, Chinese, emoji, U+2028 — it is byte for byte
  the body Python writes, so good rows stay on the quick path; rows of other types get no
  body and are checked the careful way.
- A long log is cut into parts checked by this process and spawned worker processes
  together. Real workers here: their results, a worker that fails, workers that cannot start.

Whether each kind of tampering is reported the same way in parts is tested on every
generated log of tests/core/test_audit_chain.py (through tests/audit_stored.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import db.audit_chain
from core.audit import (
    GENESIS_HASH,
    PartCheck,
    RawEntry,
    canonical_body,
    raw_hash,
    verify_log,
    verify_parts,
)
from core.models import Role, User
from core.services import Services
from db.audit_chain import checked_parts, encoded_rows, raw_row, raw_rows
from db.store import SqliteStore, open_store
from tests.audit_stored import assert_stored_paths_agree
from tests.conftest import FAST_HASH, FakeClock
from tests.core.test_audit_encoding import TRICKY

T0 = 1_795_680_000_000
SUPERVISOR = User(1, "supervisor", "监管员", Role.SUPERVISOR)


def chained(texts: list[str], start: int = 1, prev: str = GENESIS_HASH) -> list[RawEntry]:
    """Entries linked as the store writes them, each text in every string field."""
    rows = []
    for offset, text in enumerate(texts):
        seq = start + offset
        draft = RawEntry(seq, T0 + seq, text, "scan", text, str(seq), text, prev, "")
        prev = raw_hash(prev, draft)
        rows.append(draft._replace(hash=prev))
    return rows


def write(store: SqliteStore, rows: list[RawEntry]) -> None:
    with store.conn:
        store.conn.executemany("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = open_store(tmp_path / "looppass.db")
    yield opened
    opened.close()


# --- the body SQLite writes --------------------------------------------------------------


def test_sqlite_writes_the_canonical_body_of_every_tricky_string(store: SqliteStore) -> None:
    rows = chained(list(TRICKY))
    write(store, rows)
    bodies = [entry.body for entry in encoded_rows(store.conn)]
    assert bodies == [canonical_body(row) for row in rows]


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(exclude_categories=["Cs"]), max_size=20), max_size=8))
def test_sqlite_writes_the_canonical_body_of_any_text(texts: list[str]) -> None:
    memory = open_store(":memory:")
    rows = chained(texts)
    write(memory, rows)
    bodies = [entry.body for entry in encoded_rows(memory.conn)]
    memory.close()
    assert bodies == [canonical_body(row) for row in rows]


def test_rows_of_other_types_get_no_body_and_are_checked_the_careful_way() -> None:
    """A row written by something other than LoopPass (a REAL time, a number as the actor):
    it verifies if its hash was made over those values, and an edit is still found."""
    rows, prev = [], GENESIS_HASH
    for seq, at, actor in [(1, T0, "system"), (2, T0 + 0.5, 42), (3, T0 + 2, "gate1")]:
        draft = RawEntry(seq, at, actor, "scan", "scan_event", str(seq), "{}", prev, "")
        prev = raw_hash(prev, draft)
        rows.append(draft._replace(hash=prev))
    memory = open_store(":memory:")
    write(memory, rows)
    assert [entry.body is None for entry in encoded_rows(memory.conn)] == [False, True, False]
    memory.close()
    assert_stored_paths_agree(rows)
    assert_stored_paths_agree([rows[0], rows[1]._replace(actor=43), rows[2]])


# --- parts and worker processes ----------------------------------------------------------


def slow_here(monkeypatch: pytest.MonkeyPatch, seconds: float) -> list[int]:
    """Slow down the parts this process checks (so the workers, which start slowly, take
    some) and list which ones it checked."""
    checked_here: list[int] = []
    check = db.audit_chain.check_part_on

    def slowly(conn: Any, start: int, end: int) -> PartCheck:
        checked_here.append(start)
        time.sleep(seconds)
        return check(conn, start, end)

    monkeypatch.setattr(db.audit_chain, "check_part_on", slowly)
    return checked_here


def test_worker_processes_check_parts_and_the_report_is_the_one_process_report(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = chained([f"平湖卡口 {n} 🚚" for n in range(60)])
    write(store, rows)
    checked_here = slow_here(monkeypatch, 0.4)
    parts = checked_parts(store.conn, part_rows=5, parallel_from=0, workers=1)
    assert parts is not None
    results = list(parts)
    assert [(part.start, part.end, part.clean) for part in results] == [
        (start, start + 4, True) for start in range(1, 61, 5)
    ]
    assert results[-1].last_hash == rows[-1].hash
    # The worker took parts from the last back while this process went from the first on.
    assert 0 < len(checked_here) < len(results)
    assert checked_here == [part.start for part in results[: len(checked_here)]]


def test_verify_uses_the_workers_and_reports_progress_part_by_part(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db.audit_chain, "PARALLEL_FROM", 10)
    monkeypatch.setattr(db.audit_chain, "PART_ROWS", 10)
    monkeypatch.setattr(db.audit_chain, "_cores", lambda: 2)
    checked_here = slow_here(monkeypatch, 0.3)
    write(store, chained([f"entry {n}" for n in range(45)]))
    services = Services.build(store, FakeClock(), FAST_HASH)
    seen: list[int] = []
    report = services.audit.verify(SUPERVISOR, seen.append)
    assert (report.ok, report.entries) == (True, 45)
    assert seen[:4] == [10, 20, 30, 40]
    assert seen[-1] == 45
    assert seen == sorted(seen)
    assert len(checked_here) < 5


def test_damage_in_a_part_a_worker_checked_is_reported_as_one_process_reports_it(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = chained([f"entry {n}" for n in range(40)])
    rows[36] = rows[36]._replace(details="edited")  # in the last part, the workers' first
    write(store, rows)
    slow_here(monkeypatch, 0.4)
    parts = checked_parts(store.conn, part_rows=5, parallel_from=0, workers=1)
    assert parts is not None
    reference = verify_log(raw_rows(store.conn))
    assert (reference.ok, reference.first_bad, reference.problem) == (False, 37, "HASH_MISMATCH")

    def rows_from(seq: int | None) -> Any:
        return encoded_rows(store.conn, db.audit_chain.FIRST_SEQ if seq is None else seq)

    assert verify_parts(parts, rows_from, partial(raw_row, store.conn)) == reference


def failing_check(path: str, start: int, end: int) -> PartCheck:
    """A worker's task that breaks (the worker process imports this module to run it)."""
    raise OSError(f"disk error reading {path}")


def test_a_worker_that_fails_has_its_part_checked_here(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(store, chained([f"entry {n}" for n in range(20)]))
    monkeypatch.setattr(db.audit_chain, "check_part_of_file", failing_check)
    checked_here = slow_here(monkeypatch, 0.2)
    parts = checked_parts(store.conn, part_rows=5, parallel_from=0, workers=1)
    assert parts is not None
    assert [part.clean for part in parts] == [True] * 4
    assert checked_here == [1, 6, 11, 16]


def test_without_worker_processes_this_process_checks_every_part(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("process creation is not allowed here")

    monkeypatch.setattr(db.audit_chain, "ProcessPoolExecutor", no_processes)
    write(store, chained([f"entry {n}" for n in range(12)]))
    parts = checked_parts(store.conn, part_rows=5, parallel_from=0, workers=1)
    assert parts is not None
    assert [(part.start, part.end, part.clean) for part in parts] == [
        (1, 5, True),
        (6, 10, True),
        (11, 12, True),
    ]


def test_a_short_log_or_one_in_memory_is_checked_in_one_process(store: SqliteStore) -> None:
    write(store, chained(["a", "b", "c"]))
    assert checked_parts(store.conn) is None  # fewer than PARALLEL_FROM entries
    memory = open_store(":memory:")
    write(memory, chained(["a", "b", "c"]))
    assert checked_parts(memory.conn, parallel_from=0) is None  # no file for a worker
    memory.close()
