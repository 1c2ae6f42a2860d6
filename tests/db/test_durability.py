"""Durability of the store (SECURITY.md "Storage and durability", "Audit chain", fault 22).

* kill -9 at random moments never loses an acknowledged row, never leaves a data row without
  its audit row (or the reverse), and never breaks ``quick_check`` or the audit chain;
* two processes writing at once both finish, with no "database is locked" reaching them;
* a transaction that fails half-way leaves nothing behind, and the audit log refuses
  UPDATE and DELETE.

The writer processes run ``tests/db/_writer_child.py``; its docstring describes the protocol.
"""

from __future__ import annotations

import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from core.audit import verify_chain
from core.errors import Duplicate
from db.schema import SCHEMA_VERSION
from db.store import SqliteStore, open_store
from tests.db._writer_child import code_for

ROOT = Path(__file__).resolve().parents[2]
CHILD = "tests.db._writer_child"
# Only a guard against a hung child: no assertion depends on how long anything takes.
HANG_GUARD_S = 120.0
AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Writer:
    """One ``_writer_child`` process; a thread moves its stdout lines into a queue."""

    def __init__(
        self, db: Path, prefix: str, start: int, count: int, *, go: str, log: Path
    ) -> None:
        self.name = f"writer {prefix} (from {start})"
        self.log = log
        self._stderr: IO[str] = log.open("w", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", CHILD, str(db), prefix, str(start), str(count), "--go", go],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
        )
        self.acks: list[str] = []
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._eof = False
        self._pump = threading.Thread(target=self._read_stdout, daemon=True)
        self._pump.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def stderr_text(self) -> str:
        self._stderr.flush()
        return self.log.read_text(encoding="utf-8")

    def next_line(self) -> str | None:
        """The child's next stdout line (None at end of output); records acknowledgements."""
        if self._eof:
            return None
        try:
            line = self._queue.get(timeout=HANG_GUARD_S)
        except queue.Empty:
            pytest.fail(f"{self.name} hung; stderr:\n{self.stderr_text()}")
        if line is None:
            self._eof = True
            return None
        self.lines.append(line)
        if line.startswith("ack "):
            self.acks.append(line.removeprefix("ack "))
        return line

    def expect(self, wanted: str) -> None:
        """Read until the line ``wanted``; fail if the child's output ends first."""
        while (line := self.next_line()) != wanted:
            if line is None:
                pytest.fail(
                    f"{self.name} ended before {wanted!r} (exit {self.proc.wait()}); "
                    f"stderr:\n{self.stderr_text()}"
                )

    def expect_acks(self, count: int) -> None:
        """Read until this run of the child has acknowledged ``count`` rows."""
        while len(self.acks) < count:
            if self.next_line() is None:
                pytest.fail(f"{self.name} ended early; stderr:\n{self.stderr_text()}")

    def keep_running(self, seconds: float) -> None:
        """Let the child run on for ``seconds``; it must not exit by itself meanwhile."""
        try:
            code = self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return
        pytest.fail(f"{self.name} exited ({code}) on its own; stderr:\n{self.stderr_text()}")

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        """SIGKILL the child, then collect every line it managed to write before dying."""
        assert self.proc.poll() is None, f"{self.name} was already gone:\n{self.stderr_text()}"
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=HANG_GUARD_S) == -signal.SIGKILL
        self._drain()

    def finish(self) -> None:
        """Wait for a normal exit: status 0, nothing on stderr, last line ``done``."""
        self._drain()
        code = self.proc.wait(timeout=HANG_GUARD_S)
        stderr = self.stderr_text()
        assert code == 0, f"{self.name} exited {code}; stderr:\n{stderr}"
        assert stderr == "", stderr
        assert self.lines[-1:] == ["done"]

    def _drain(self) -> None:
        while self.next_line() is not None:
            pass
        self._pump.join(timeout=HANG_GUARD_S)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=HANG_GUARD_S)
        self._pump.join(timeout=HANG_GUARD_S)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
        self._stderr.close()


class Writers:
    """Starts writers, each with its own stderr log; ``close`` kills what still runs."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[Writer] = []

    def start(self, db: Path, prefix: str, first: int, count: int, *, go: str = "none") -> Writer:
        log = self.logs / f"writer-{len(self.started)}-{prefix}.stderr"
        writer = Writer(db, prefix, first, count, go=go, log=log)
        self.started.append(writer)
        return writer

    def close(self) -> None:
        for writer in self.started:
            writer.close()


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[Writers]:
    writers = Writers(tmp_path)
    yield writers
    writers.close()


def consistent_contents(path: Path) -> list[str]:
    """Open the file as the app does and check it; returns the credit codes in insert order.

    Checks: ``quick_check`` is ok, the audit chain verifies, and data rows and audit rows
    match one to one (every enterprise has exactly its entry, and no entry lacks its row).
    """
    store = open_store(path)
    try:
        assert store.quick_check()
        rows = store.conn.execute("SELECT id, credit_code FROM enterprises ORDER BY id").fetchall()
        entries = store.audit.entries()
        report = verify_chain(entries)
        assert report.ok, report
        assert len(entries) == len(rows)
        assert {e.entity_id: e.details["credit_code"] for e in entries} == {
            str(row_id): code for row_id, code in rows
        }
        assert {(e.action, e.entity) for e in entries} <= {("enterprise.add", "enterprise")}
        return [code for _, code in rows]
    finally:
        store.close()


# --- kill -9 ------------------------------------------------------------------------------------

CRASH_ROUNDS = 50
CRASH_SEED = 22  # fault 22 in SECURITY.md


@pytest.mark.slow
def test_kill_9_loses_no_acknowledged_row_and_keeps_the_chain(
    tmp_path: Path, pool: Writers
) -> None:
    """50 writers in turn on one file, each SIGKILLed at a seeded random moment: while it
    opens (and, the first time, creates) the database, while it writes, or right after its
    k-th acknowledgement. After every kill the file is sound, every acknowledged row is
    there with its audit row, the chain verifies, and at most the one transaction in flight
    committed without being acknowledged."""
    db = tmp_path / "crash.db"
    rng = random.Random(CRASH_SEED)
    committed: list[str] = []
    acknowledged = 0
    for _ in range(CRASH_ROUNDS):
        writer = pool.start(db, "1", len(committed), 0)  # resumes where the file ends
        moment = rng.choice(("opening", "writing", "after_ack"))
        if moment == "opening":
            writer.expect("opening")
            writer.keep_running(rng.uniform(0.0, 0.03))
        elif moment == "writing":
            writer.expect("ready")
            writer.keep_running(rng.uniform(0.02, 0.2))
        else:
            writer.expect_acks(rng.randint(1, 40))
        writer.kill()

        codes = consistent_contents(db)
        # Rows are exactly 0..n-1 in order: nothing lost, duplicated or half-written.
        assert codes == [code_for("1", i) for i in range(len(codes))]
        assert codes[: len(committed)] == committed
        new = codes[len(committed) :]
        # Every acknowledged row is there (acks are printed in order, after COMMIT) ...
        assert new[: len(writer.acks)] == writer.acks
        # ... and at most the one transaction in flight committed unacknowledged.
        assert len(new) - len(writer.acks) in (0, 1)
        committed = codes
        acknowledged += len(writer.acks)
    assert acknowledged > 0


# --- several writers at once --------------------------------------------------------------------

ROWS_PER_WRITER = 1000


def test_two_processes_writing_at_once_both_finish(tmp_path: Path, pool: Writers) -> None:
    """Two processes each write 1,000 audited rows, starting at the same moment; neither sees
    an exception ("database is locked" included), and all 2,000 rows, their 2,000 audit
    entries and an unbroken chain are there afterwards."""
    db = tmp_path / "shared.db"
    open_store(db).close()  # created and migrated; the writers only open it
    pair = [pool.start(db, prefix, 0, ROWS_PER_WRITER, go="write") for prefix in "12"]
    for writer in pair:
        writer.expect("waiting")  # both have the database open
    for writer in pair:
        writer.go()
    for writer in pair:
        writer.finish()
    for writer, prefix in zip(pair, "12", strict=True):
        assert writer.acks == [code_for(prefix, i) for i in range(ROWS_PER_WRITER)]
    codes = consistent_contents(db)
    assert len(codes) == 2 * ROWS_PER_WRITER
    assert set(codes) == set(pair[0].acks) | set(pair[1].acks)


def test_processes_opening_a_new_database_at_once_all_succeed(
    tmp_path: Path, pool: Writers
) -> None:
    """Four processes open a database file that does not exist yet at the same moment (each
    may try to create and migrate it), then write; none fails, and the file ends up fully
    migrated, in WAL mode, with every row and an unbroken chain."""
    db = tmp_path / "new.db"
    rows = 25
    group = [pool.start(db, prefix, 0, rows, go="open") for prefix in "1234"]
    for writer in group:
        writer.expect("waiting")
    for writer in group:
        writer.go()
    for writer in group:
        writer.finish()
    codes = consistent_contents(db)
    assert sorted(codes) == sorted(code_for(p, i) for p in "1234" for i in range(rows))
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        check.close()


# --- rollback and the append-only trigger -------------------------------------------------------

GOOD_CODE = code_for("9", 1)


def add_audited(store: SqliteStore, code: str) -> None:
    with store.transaction() as tx:
        enterprise = tx.enterprises.add(f"企业{code}", code, "", "", "")
        tx.audit.append(
            AT, "admin", "enterprise.add", "enterprise", str(enterprise.id), {"credit_code": code}
        )


class Boom(Exception):
    pass


def fail_after_both_writes(store: SqliteStore) -> None:
    with store.transaction() as tx:
        enterprise = tx.enterprises.add("半途企业", code_for("9", 2), "", "", "")
        tx.audit.append(AT, "admin", "enterprise.add", "enterprise", str(enterprise.id), {})
        raise Boom


def fail_on_a_database_error(store: SqliteStore) -> None:
    with store.transaction() as tx:
        enterprise = tx.enterprises.add("半途企业", code_for("9", 2), "", "", "")
        tx.audit.append(AT, "admin", "enterprise.add", "enterprise", str(enterprise.id), {})
        tx.enterprises.add("重复企业", GOOD_CODE, "", "", "")  # already registered


@pytest.mark.parametrize(
    ("fail", "error"),
    [(fail_after_both_writes, Boom), (fail_on_a_database_error, Duplicate)],
    ids=["exception", "database-error"],
)
def test_a_transaction_failing_half_way_leaves_neither_row(
    store: SqliteStore, fail: Callable[[SqliteStore], None], error: type[Exception]
) -> None:
    """A transaction that inserted a row and its audit entry, then failed (an exception in
    the caller, or a database error), leaves neither behind; earlier rows are untouched."""
    add_audited(store, GOOD_CODE)
    with pytest.raises(error):
        fail(store)
    assert not store.conn.in_transaction
    codes = [row[0] for row in store.conn.execute("SELECT credit_code FROM enterprises")]
    assert codes == [GOOD_CODE]
    assert store.audit.count() == 1
    # The failed transaction left no gap: the next entry links straight after the first.
    add_audited(store, code_for("9", 3))
    entries = store.audit.entries()
    assert [e.seq for e in entries] == [1, 2]
    assert verify_chain(entries).ok


UPDATES_AND_DELETES = {
    "update-one": "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
    "update-noop": "UPDATE audit_log SET seq = seq",
    "delete-one": "DELETE FROM audit_log WHERE seq = 2",
    "delete-all": "DELETE FROM audit_log",
}
# Updates in disguise. REPLACE deletes the old row, which fires the delete trigger only with
# ``recursive_triggers`` on: the store's connection has it (sqlite_utils turns it on), a plain
# sqlite3 connection does not, so these are checked on the store's connection only.
DISGUISED = {
    "replace": "INSERT OR REPLACE INTO audit_log SELECT seq, at, 'mallory', action, entity,"
    " entity_id, details, prev_hash, hash FROM audit_log WHERE seq = 1",
    "upsert": "INSERT INTO audit_log SELECT * FROM audit_log WHERE true"
    " ON CONFLICT (seq) DO UPDATE SET actor = 'mallory'",
}


@pytest.mark.parametrize(
    "sql",
    [*UPDATES_AND_DELETES.values(), *DISGUISED.values()],
    ids=[*UPDATES_AND_DELETES, *DISGUISED],
)
def test_audit_log_refuses_update_and_delete(store: SqliteStore, sql: str) -> None:
    """Inside a store transaction the trigger aborts the statement and everything rolls back."""
    add_audited(store, GOOD_CODE)
    add_audited(store, code_for("9", 2))
    before = store.audit.entries()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.transaction():
        store.conn.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")
        store.conn.execute(sql)
    # The whole transaction rolled back, the earlier statement in it included.
    assert store.conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    assert store.audit.entries() == before
    assert verify_chain(before).ok


@pytest.mark.parametrize("sql", UPDATES_AND_DELETES.values(), ids=UPDATES_AND_DELETES.keys())
def test_audit_log_refuses_update_and_delete_from_any_connection(
    store: SqliteStore, db_path: Path, sql: str
) -> None:
    """The triggers are in the file's schema: a plain sqlite3 connection is refused too."""
    add_audited(store, GOOD_CODE)
    add_audited(store, code_for("9", 2))
    before = store.audit.entries()
    raw = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(sql)
        raw.rollback()
    finally:
        raw.close()
    assert store.audit.entries() == before


def test_insert_or_replace_cannot_rewrite_an_audit_row_on_a_plain_connection(
    store: SqliteStore, db_path: Path
) -> None:
    with store.transaction() as tx:
        tx.audit.append(datetime(2026, 11, 25, tzinfo=UTC), "a", "x", "e", "1", {})
    conn = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(
                "INSERT OR REPLACE INTO audit_log (seq, at, actor, action, entity, entity_id,"
                " details, prev_hash, hash) VALUES (1, 0, 'x', 'x', 'x', 'x', '{}', '', '')"
            )
    finally:
        conn.close()
    assert store.audit.entries()[0].actor == "a"
