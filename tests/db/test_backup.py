"""Backups and restores (SECURITY.md "Storage and durability"; issue 6, part 3).

* backup → corrupt the live file → restore → every row and the audit chain are back, the
  restore is audited in the restored database, and the broken file is kept aside;
* a backup is kept only after ``integrity_check`` and the audit chain pass; older backups are
  rotated down to ``backup.keep`` only then — never when the new copy fails its check;
* a restore refuses a corrupt backup (and changes nothing), and a database still open elsewhere;
* only administrators back up and restore.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from core.audit import verify_chain
from core.errors import BackupCorrupt, DatabaseInUse, PermissionDenied
from core.models import Verdict
from core.ports import PassQuery
from core.services import Services
from db.backup import SqliteBackups, backup_folder_for, check_file, login_store
from db.store import SqliteStore, open_store
from tests.conftest import FAST_HASH, FakeClock, demo_user

Rows = dict[str, list[tuple[object, ...]]]


def snapshot(path: Path) -> Rows:
    """Every row of every table of the database at ``path``, in a stable order."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        return {
            table: conn.execute(f'SELECT * FROM "{table}" ORDER BY 1, 2').fetchall()
            for table in tables
        }


def corrupt_middle(path: Path, length: int = 16384) -> None:
    """Overwrite ``length`` bytes in the middle of the file, as a failing disk would."""
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\xa5" * length)


def reopen(services: Services, path: Path, clock: FakeClock) -> Services:
    return Services.build(open_store(path), clock, FAST_HASH, services.passes.keys)


def add_activity(services: Services) -> None:
    """Some scans at the first gate, so the backup holds more than the demo."""
    gate1 = demo_user(services, "gate1")
    point = services.scans.station_checkpoint(gate1)
    issued = services.passes.search(demo_user(services, "supervisor"), PassQuery(limit=3)).rows
    for item in issued:
        result = services.scans.scan(gate1, point, item.token)
        assert result.recorded and result.verdict is Verdict.GREEN


def test_backup_corrupt_live_restore_brings_back_every_row_and_the_chain(
    demo: Services, db_path: Path, clock: FakeClock
) -> None:
    add_activity(demo)
    admin = demo_user(demo, "admin")
    before = snapshot(db_path)
    report = demo.backup.create(admin)
    assert report.ok and report.path is not None
    assert report.entries == len(before["audit_log"])
    demo.store.close()

    corrupt_middle(db_path)
    damaged = check_file(db_path)
    assert not damaged.ok and damaged.problem == "INTEGRITY"

    live = reopen(demo, db_path, clock)
    clock.advance(minutes=5)
    restored = live.backup.restore(admin, report.path)
    assert restored.entries == report.entries

    after = snapshot(db_path)
    restore_entry = after["audit_log"][-1]
    assert after["audit_log"][:-1] == before["audit_log"]
    assert {table: rows for table, rows in after.items() if table != "audit_log"} == {
        table: rows for table, rows in before.items() if table != "audit_log"
    }
    with closing(open_store(db_path)) as store:
        assert store.quick_check()
        entries = store.audit.entries()
        assert verify_chain(entries).ok
        assert entries[-1].action == "backup.restore" and entries[-1].actor == "admin"
        assert entries[-1].seq == restore_entry[0]
    kept_aside = [path.name for path in restored.kept_aside]
    assert kept_aside == [f"{db_path.name}.broken-20261125T080500Z"]
    assert not check_file(restored.kept_aside[0]).ok  # the broken file, kept as it was


def test_backups_are_owner_only_in_a_sibling_folder(demo: Services, db_path: Path) -> None:
    report = demo.backup.create(demo_user(demo, "admin"))
    folder = backup_folder_for(db_path)
    assert folder == db_path.with_name("looppass-backups")
    assert report.path is not None and report.path.parent == folder
    assert report.path.name == "looppass-20261125T080000.000Z.db"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o600
    # One self-contained file: no -wal or -shm beside it, also after listing and checking.
    demo.backup.kept(demo_user(demo, "admin"))
    assert check_file(report.path).ok
    assert sorted(path.name for path in folder.iterdir()) == [report.path.name]


def test_backup_json_shape(demo: Services) -> None:
    report = demo.backup.create(demo_user(demo, "admin"))
    document = report.as_json()
    assert set(document) == {"path", "bytes", "entries", "ok"}
    assert document["ok"] is True
    assert document["bytes"] == Path(str(document["path"])).stat().st_size


def test_rotation_keeps_the_newest_backup_keep(demo: Services, clock: FakeClock) -> None:
    admin = demo_user(demo, "admin")
    with demo.store.transaction() as tx:
        tx.settings.put("backup.keep", "3")
    made = []
    for _ in range(5):
        report = demo.backup.create(admin)
        assert report.path is not None
        made.append(report.path)
        clock.advance(hours=1)
    kept = [info.path for info in demo.backup.kept(admin)]
    assert kept == list(reversed(made))[:3]
    assert all(not path.exists() for path in made[:2])


def test_a_copy_that_fails_its_check_is_not_kept_and_nothing_is_rotated(
    demo: Services, clock: FakeClock, db_path: Path
) -> None:
    admin = demo_user(demo, "admin")
    with demo.store.transaction() as tx:
        tx.settings.put("backup.keep", "2")
    good = []
    for _ in range(2):
        report = demo.backup.create(admin)
        assert report.path is not None
        good.append(report.path)
        clock.advance(hours=1)
    # Someone rewrites an audit row behind the application's back.
    demo.store.conn.execute("DROP TRIGGER audit_log_no_update")
    demo.store.conn.execute("UPDATE audit_log SET actor = 'nobody' WHERE seq = 5")

    failed = demo.backup.create(admin)
    assert not failed.ok and failed.path is None
    assert failed.problem is not None and failed.problem.startswith("CHAIN at entry 5")
    assert failed.as_json()["ok"] is False
    folder = backup_folder_for(db_path)
    assert sorted(folder.iterdir()) == sorted(good)  # both kept; no temporary file left over
    assert demo.store.audit.entries()[-1].action == "backup.failed"


def test_a_damaged_live_database_gives_a_failed_backup_not_a_kept_one(
    demo: Services, clock: FakeClock, db_path: Path
) -> None:
    admin = demo_user(demo, "admin")
    first = demo.backup.create(admin)
    demo.store.close()
    corrupt_middle(db_path)
    live = reopen(demo, db_path, clock)
    clock.advance(hours=1)
    report = live.backup.create(admin)
    assert not report.ok and report.problem is not None
    assert report.problem.startswith(("INTEGRITY", "UNREADABLE"))
    assert [info.path for info in live.backup.kept(admin)] == [first.path]
    live.store.close()


def test_restore_refuses_a_corrupt_backup_and_changes_nothing(
    demo: Services, db_path: Path
) -> None:
    admin = demo_user(demo, "admin")
    report = demo.backup.create(admin)
    assert report.path is not None
    corrupt_middle(report.path)
    before = snapshot(db_path)
    with pytest.raises(BackupCorrupt) as refused:
        demo.backup.restore(admin, report.path)
    assert refused.value.problem in {"INTEGRITY", "UNREADABLE"}
    # The application's store is still open and working; nothing was swapped or left behind.
    demo.accounts.login("admin", "LoopPass-demo")
    assert snapshot(db_path)["enterprises"] == before["enterprises"]
    assert sorted(path.name for path in db_path.parent.iterdir() if ".broken-" in path.name) == []
    assert not db_path.with_name(f".{db_path.name}.restoring").exists()


def test_restore_refuses_a_backup_whose_chain_is_broken(demo: Services, tmp_path: Path) -> None:
    admin = demo_user(demo, "admin")
    report = demo.backup.create(admin)
    assert report.path is not None
    tampered = tmp_path / "tampered.db"
    tampered.write_bytes(report.path.read_bytes())
    with closing(sqlite3.connect(tampered)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE seq = 7")
        conn.commit()
    assert check_file(tampered).problem == "CHAIN"
    with pytest.raises(BackupCorrupt) as refused:
        demo.backup.restore(admin, tampered)
    assert refused.value.problem == "CHAIN"


def test_restore_refuses_while_another_program_has_the_database_open(
    demo: Services, db_path: Path, clock: FakeClock
) -> None:
    admin = demo_user(demo, "admin")
    report = demo.backup.create(admin)
    assert report.path is not None
    with closing(sqlite3.connect(db_path)) as other:
        other.execute("SELECT count(*) FROM enterprises").fetchone()
        with pytest.raises(DatabaseInUse):
            demo.backup.restore(admin, report.path)
    assert not any(".broken-" in path.name for path in db_path.parent.iterdir())
    with closing(open_store(db_path)) as store:
        assert store.quick_check()


def test_only_administrators_back_up_and_restore(demo: Services, tmp_path: Path) -> None:
    for username in ("clerk", "reviewer", "gate1", "supervisor"):
        user = demo_user(demo, username)
        with pytest.raises(PermissionDenied):
            demo.backup.create(user)
        with pytest.raises(PermissionDenied):
            demo.backup.kept(user)
        with pytest.raises(PermissionDenied):
            demo.backup.restore(user, tmp_path / "any.db")


def test_a_scheduled_backup_is_due_after_the_interval(demo: Services, clock: FakeClock) -> None:
    assert demo.backup.due()  # never backed up
    report = demo.backup.create(None)  # the schedule
    assert report.ok
    assert demo.store.audit.entries()[-1].actor == "system"
    assert not demo.backup.due()
    clock.advance(hours=23, minutes=59)
    assert not demo.backup.due()
    clock.advance(minutes=1)
    assert demo.backup.due()


def test_an_in_memory_database_has_no_backups(clock: FakeClock) -> None:
    store = open_store(":memory:")
    try:
        services = Services.build(store, clock, FAST_HASH)
        assert not services.backup.available
        assert not services.backup.due()
    finally:
        store.close()


def test_a_backup_taken_while_a_writer_is_busy_is_a_consistent_snapshot(
    demo: Services, db_path: Path, clock: FakeClock
) -> None:
    """The copy runs on its own connection (as the GUI's worker thread does) while this store
    holds an open write transaction: the copy has none of the uncommitted rows."""
    backups = SqliteBackups(db_path)
    with demo.store.transaction() as tx:
        tx.enterprises.add("未提交企业", "91350100M000100Y43", "", "", "")
        report = backups.copy(clock() + timedelta(seconds=1))
    assert report.ok and report.path is not None
    rows = snapshot(report.path)["enterprises"]
    assert all("未提交企业" not in row for row in rows)


def test_listing_shows_time_size_and_entries(demo: Services, store: SqliteStore) -> None:
    admin = demo_user(demo, "admin")
    report = demo.backup.create(admin)
    (info,) = demo.backup.kept(admin)
    assert info.path == report.path
    assert info.taken_at == demo.backup.clock()
    assert info.size == report.size and info.entries == report.entries
    assert info.check is None  # checked when made, not since
    assert demo.backup.check(admin, info.path).ok


def test_the_restoring_administrator_signs_in_against_the_backup_when_live_is_damaged(
    demo: Services, db_path: Path
) -> None:
    report = demo.backup.create(demo_user(demo, "admin"))
    assert report.path is not None
    sound, scratch = login_store(db_path, report.path)
    assert scratch is None  # a sound live database checks the password itself
    sound.close()
    demo.store.close()
    corrupt_middle(db_path)
    store, scratch = login_store(db_path, report.path)
    try:
        assert scratch is not None and Path(store.path).parent == scratch
        assert store.users.credentials("admin") is not None
    finally:
        store.close()
        shutil.rmtree(scratch, ignore_errors=True)
    assert check_file(report.path).ok  # the backup itself was only read
