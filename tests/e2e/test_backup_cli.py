"""``backup`` and ``restore FILE --yes`` on the command line (issue 6, part 3).

``backup`` prints ``{"path", "bytes", "entries", "ok"}``; ``restore`` refuses without
``--yes`` (exit 2, nothing changed), refuses a backup that fails its check (exit 1, nothing
changed), and brings a damaged database back with every row and the audit chain.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from db.backup import check_file
from tests.db.test_backup import corrupt_middle, snapshot
from tests.e2e.test_cli import assert_clean_failure, digest, run

ADMIN = ("--user", "admin", "--password", "LoopPass-demo")
SUPERVISOR = ("--user", "supervisor", "--password", "LoopPass-demo")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def live(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "site" / "looppass.db"
    copy.parent.mkdir()
    shutil.copyfile(demo_db, copy)
    return copy


def backup(live: Path, home: Path) -> dict[str, object]:
    done = run(["--db", live, "--json", *ADMIN, "backup"], home)
    assert done.returncode == 0, done.stderr
    document: dict[str, object] = json.loads(done.stdout)
    return document


def test_backup_prints_path_bytes_entries_ok(live: Path, home: Path) -> None:
    document = backup(live, home)
    assert set(document) == {"path", "bytes", "entries", "ok"}
    assert document["ok"] is True
    path = Path(str(document["path"]))
    assert path.parent == live.with_name("looppass-backups")
    assert document["bytes"] == path.stat().st_size
    assert check_file(path).entries == document["entries"]


def test_backup_then_corrupt_then_restore_brings_every_row_and_the_chain_back(
    live: Path, home: Path
) -> None:
    path = Path(str(backup(live, home)["path"]))
    in_backup = snapshot(path)
    corrupt_middle(live)
    assert not check_file(live).ok

    done = run(["--db", live, "--json", *ADMIN, "restore", path, "--yes"], home)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["restored"] == str(path)
    assert Path(report["kept_aside"][0]).name.startswith("looppass.db.broken-")

    restored = snapshot(live)
    assert restored["audit_log"][:-1] == in_backup["audit_log"]
    assert restored["audit_log"][-1][3] == "backup.restore"
    del restored["audit_log"], in_backup["audit_log"]
    assert restored == in_backup

    verify = run(["--db", live, "--json", *SUPERVISOR, "audit", "verify"], home)
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout)["ok"] is True


def test_restore_without_yes_is_refused_and_changes_nothing(live: Path, home: Path) -> None:
    path = Path(str(backup(live, home)["path"]))
    before = digest(live)
    done = run(["--db", live, *ADMIN, "restore", path], home)
    assert_clean_failure(done)
    assert "--yes" in done.stderr
    assert digest(live) == before
    assert not any(".broken-" in p.name for p in live.parent.iterdir())


def test_restore_of_a_corrupt_backup_exits_1_and_changes_nothing(live: Path, home: Path) -> None:
    path = Path(str(backup(live, home)["path"]))
    corrupt_middle(path)
    before = snapshot(live)
    done = run(["--db", live, "--json", *ADMIN, "restore", path, "--yes"], home)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    assert json.loads(done.stdout)["ok"] is False
    after = snapshot(live)
    assert after["passes"] == before["passes"] and after["scan_events"] == before["scan_events"]
    assert not any(".broken-" in p.name for p in live.parent.iterdir())


def test_restore_of_a_missing_file_is_bad_input(live: Path, home: Path) -> None:
    assert_clean_failure(
        run(["--db", live, *ADMIN, "restore", live.with_name("no.db"), "--yes"], home)
    )


def test_only_an_administrator_backs_up(live: Path, home: Path) -> None:
    done = run(["--db", live, "--json", *SUPERVISOR, "backup"], home)
    assert_clean_failure(done)
    assert json.loads(done.stdout.strip().splitlines()[-1])["error"] == "PERMISSION_DENIED"
    assert not live.with_name("looppass-backups").exists()


def test_restore_checks_the_password(live: Path, home: Path) -> None:
    path = Path(str(backup(live, home)["path"]))
    done = run(
        ["--db", live, "--user", "admin", "--password", "wrong-pass", "restore", path, "--yes"],
        home,
    )
    assert_clean_failure(done)
    with closing(sqlite3.connect(live)) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert not any(".broken-" in p.name for p in live.parent.iterdir())


def test_a_head_signed_after_the_backup_does_not_break_verification_after_restore(
    demo_db: Path, tmp_path: Path, home: Path
) -> None:
    """With its key folder: the export after the backup signs a head the restore removes; the
    restore marks that in the head journal, so the restored log still verifies."""
    live = tmp_path / "site" / "looppass.db"
    live.parent.mkdir()
    shutil.copyfile(demo_db, live)
    shutil.copytree(demo_db.with_name("demo-keys"), live.with_name("looppass-keys"))
    path = Path(str(backup(live, home)["path"]))
    exported = run(
        ["--db", live, *SUPERVISOR, "audit", "export", "--csv", tmp_path / "a.csv"], home
    )
    assert exported.returncode == 0, exported.stderr
    corrupt_middle(live)
    done = run(["--db", live, *ADMIN, "restore", path, "--yes"], home)
    assert done.returncode == 0, done.stderr
    verify = run(["--db", live, "--json", *SUPERVISOR, "audit", "verify"], home)
    assert verify.returncode == 0, verify.stdout
    report = json.loads(verify.stdout)
    assert report["ok"] is True and report["heads_checked"] is True
