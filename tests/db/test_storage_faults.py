"""Disk full or a write error during a scan or an approval (SECURITY.md fault 21; issue 6, part 4).

The failing transaction is rolled back and the earlier rows are intact; the error is
``StorageFull`` (code ``STORAGE_FULL``), never a verdict or an issued pass; the store then
refuses every write at once, without touching the file, until space is back; reads go on.

Two ways to fill the disk: a child process whose file-size limit (``RLIMIT_FSIZE``) is set a
little above the database's size — real EFBIG write errors from the kernel, as on a full
disk — and SQLite's ``max_page_count`` in this process for the finer-grained checks.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from core.audit import verify_chain
from core.errors import StorageBusy, StorageFailure, StorageFull
from core.models import ApplicationStatus, Pass, User, Verdict
from core.ports import ApplicationQuery, PassQuery
from core.services import Services
from db.store import SqliteStore, is_storage_fault, open_store
from tests.conftest import demo_user

ROOT = Path(__file__).resolve().parents[2]
CHILD = "tests.db._full_disk_child"
# Only a guard against a hung child: no assertion depends on how long anything takes.
HANG_GUARD_S = 300.0


def scan_count(path: Path, serial: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT count(*) FROM scan_events WHERE serial = ?", (serial,))
        return int(row.fetchone()[0])


def application_state(path: Path, application_id: int) -> tuple[str, int]:
    """The application's status and how many passes it has."""
    with closing(sqlite3.connect(path)) as conn:
        status = conn.execute(
            "SELECT status FROM applications WHERE id = ?", (application_id,)
        ).fetchone()[0]
        passes = conn.execute(
            "SELECT count(*) FROM passes WHERE application_id = ?", (application_id,)
        ).fetchone()[0]
    return str(status), int(passes)


def table_count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("mode", ["scan", "approve"])
def test_full_disk_rolls_back_keeps_earlier_rows_and_refuses_until_space_is_back(
    demo: Services, db_path: Path, tmp_path: Path, mode: str
) -> None:
    rows_before = table_count(db_path, "scan_events" if mode == "scan" else "passes")
    demo.store.close()
    child = subprocess.run(
        [sys.executable, "-m", CHILD, str(db_path), str(tmp_path / "keys"), mode],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    outcome = json.loads(child.stdout)

    # Some writes went through before the disk filled up; the one that did not is STORAGE_FULL.
    assert outcome["acked"], outcome
    assert outcome["failed"]["code"] == StorageFull.code
    # Then every write is refused at once, without a byte written; reads still work.
    assert outcome["refused"] == [StorageFull.code, StorageFull.code]
    assert outcome["untouched"] and outcome["readable"]
    # With space back (the limit lifted), writes are accepted again.
    assert outcome["fault_cleared"]
    assert len(outcome["after"]) == 1

    with closing(open_store(db_path)) as store:
        assert store.quick_check()
        assert verify_chain(store.audit.entries()).ok
    failed = outcome["failed"]["item"]
    if mode == "scan":
        # Every acknowledged scan is there; the failed one left no event behind.
        assert all(scan_count(db_path, serial) == 1 for serial in outcome["acked"])
        assert scan_count(db_path, failed) == 0
        assert scan_count(db_path, outcome["after"][0]) == 1
        rows_after = table_count(db_path, "scan_events")
    else:
        assert all(
            application_state(db_path, int(app)) == ("APPROVED", 1) for app in outcome["acked"]
        )
        assert application_state(db_path, int(failed)) == ("SUBMITTED", 0)
        assert application_state(db_path, int(outcome["after"][0])) == ("APPROVED", 1)
        rows_after = table_count(db_path, "passes")
    assert rows_after == rows_before + len(outcome["acked"]) + len(outcome["after"])


# -- in this process: SQLite's max_page_count makes the file "full" --------------------------


def all_passes(services: Services) -> list[Pass]:
    """The demo's passes (signing in writes too: done before the disk fills up)."""
    supervisor = demo_user(services, "supervisor")
    return list(services.passes.search(supervisor, PassQuery(limit=500)).rows)


def fill_up(store: SqliteStore) -> None:
    """The database file may not grow by a single page from now on."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def make_room(store: SqliteStore) -> None:
    store.conn.execute("PRAGMA max_page_count = 1073741823")


def scan_until_full(
    services: Services, operator: User, passes: list[Pass]
) -> tuple[list[str], str]:
    """Scan ``passes`` until one is refused; the serials recorded and the refused one."""
    point = services.scans.station_checkpoint(operator)
    recorded: list[str] = []
    for issued in passes:
        try:
            result = services.scans.scan(operator, point, issued.token)
        except StorageFull:
            return recorded, issued.serial
        assert result.recorded
        recorded.append(issued.serial)
    raise AssertionError("the database never filled up")


def test_full_file_during_scans_rolls_back_and_refuses_writes(
    demo: Services, db_path: Path
) -> None:
    store = demo.store
    assert isinstance(store, SqliteStore)
    gate1 = demo_user(demo, "gate1")
    reviewer = demo_user(demo, "reviewer")
    passes = all_passes(demo)
    seen: list[StorageFull | None] = []
    demo.backup.watch_storage(seen.append)
    events_before = table_count(db_path, "scan_events")
    fill_up(store)
    recorded, refused_serial = scan_until_full(demo, gate1, passes)

    assert isinstance(demo.backup.storage_fault(), StorageFull)
    assert len(seen) == 1 and isinstance(seen[0], StorageFull)
    assert not store.conn.in_transaction
    assert store.scans.last_of(refused_serial) is None  # rolled back: no event, no audit row
    assert table_count(db_path, "scan_events") == events_before + len(recorded)
    assert verify_chain(store.audit.entries()).ok

    # Refused at once: no transaction is even begun.
    changes = store.conn.total_changes
    with pytest.raises(StorageFull), store.transaction():
        raise AssertionError("a refused transaction must not run")
    with pytest.raises(StorageFull):
        demo.passes.approve(reviewer, 1)
    assert store.conn.total_changes == changes
    # Reads keep working.
    assert store.passes.get(refused_serial) is not None

    # Space comes back; the next check (at most every few seconds; here: now) accepts writes.
    make_room(store)
    store.recheck_seconds = 0.0
    assert demo.backup.storage_fault() is None
    assert seen[-1] is None
    point = demo.scans.station_checkpoint(gate1)
    issued = demo.store.passes.get(refused_serial)
    assert issued is not None
    result = demo.scans.scan(gate1, point, issued.token)
    assert result.recorded and result.verdict is Verdict.GREEN


def test_full_file_during_an_approval_leaves_the_application_submitted(demo: Services) -> None:
    store = demo.store
    assert isinstance(store, SqliteStore)
    reviewer = demo_user(demo, "reviewer")
    waiting = demo.applications.search(
        reviewer, ApplicationQuery(statuses=(ApplicationStatus.SUBMITTED,), limit=100)
    ).rows
    fill_up(store)
    approved = []
    for view in waiting:
        try:
            approved.append(demo.passes.approve(reviewer, view.application.id))
        except StorageFull:
            refused = view.application.id
            break
    else:
        raise AssertionError("the database never filled up")
    application = store.applications.get(refused)
    assert application is not None and application.status is ApplicationStatus.SUBMITTED
    assert all(store.passes.get(issued.serial) is not None for issued in approved)
    assert verify_chain(store.audit.entries()).ok


def test_a_still_full_disk_keeps_refusing_after_the_recheck(demo: Services) -> None:
    store = demo.store
    assert isinstance(store, SqliteStore)
    gate1 = demo_user(demo, "gate1")
    passes = all_passes(demo)
    fill_up(store)
    scan_until_full(demo, gate1, passes)
    store.recheck_seconds = 0.0
    assert isinstance(demo.backup.storage_fault(), StorageFull)  # max_page_count reached
    with pytest.raises(StorageFull), store.transaction():
        pass


def _error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("database or disk is full", sqlite3.SQLITE_FULL),
        ("disk I/O error", sqlite3.SQLITE_IOERR),
        ("disk I/O error", 778),  # SQLITE_IOERR_WRITE: what a file-size limit gives
        ("disk I/O error", 1034),  # SQLITE_IOERR_FSYNC
    ],
)
def test_full_and_io_errors_are_storage_faults(message: str, code: int) -> None:
    assert is_storage_fault(_error(message, code))


def test_other_errors_are_not_storage_faults() -> None:
    assert not is_storage_fault(_error("database is locked", sqlite3.SQLITE_BUSY))
    assert not is_storage_fault(_error("no such table: x", sqlite3.SQLITE_ERROR))


def test_storage_full_is_a_storage_failure_with_its_own_code() -> None:
    assert issubclass(StorageFull, StorageFailure)
    assert StorageFull.code == "STORAGE_FULL" != StorageFailure.code
    assert not issubclass(StorageFull, StorageBusy)
