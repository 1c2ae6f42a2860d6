"""``settings show`` and ``settings set KEY VALUE`` end to end: the token masked, a change
audited and applied to the next scan, a bad value refused with its key named (exit 2,
nothing changed), only an administrator changes settings."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.settings import SECRET_MASK, SETTING_SPECS
from tests.e2e.test_cli import ROOT, assert_clean_failure, run

ADMIN = ("--user", "admin", "--password", "LoopPass-demo")
SUPERVISOR = ("--user", "supervisor", "--password", "LoopPass-demo")
TOKEN = "tok-e2e-5a1t-never-printed"
SET_TOKEN = ("settings", "set", "sms.gateway_token", "-")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("settings-demo")
    path = folder / "demo.db"
    done = run(["--db", path, "demo"], folder)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    keys = demo_db.with_name(f"{demo_db.stem}-keys")
    if keys.exists():
        shutil.copytree(keys, tmp_path / "demo-keys")
    return copy


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _stored(db: Path) -> dict[str, str]:
    with closing(sqlite3.connect(db)) as conn:
        return dict(conn.execute("SELECT key, value FROM settings").fetchall())


def _audit_details(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT details FROM audit_log WHERE action = 'setting.change'")
        return [row[0] for row in rows]


def test_show_lists_every_setting(db: Path, home: Path) -> None:
    done = run(["--db", db, *SUPERVISOR, "--json", "settings", "show"], home)
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert list(listing) == [spec.key for spec in SETTING_SPECS]
    assert listing["scan.duplicate_window"] == 10
    assert listing["sms.gateway_token"] == ""
    plain = run(["--db", db, *SUPERVISOR, "settings", "show"], home)
    assert "scan.duplicate_window = 10 seconds" in plain.stdout
    assert "sms.gateway_token = (not set)" in plain.stdout


def test_the_token_is_read_from_stdin_and_never_printed(db: Path, home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "--db", str(db), *ADMIN, *SET_TOKEN],
        cwd=ROOT,
        env={"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "PATH": "/usr/bin:/bin"},
        input=TOKEN + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert _stored(db)["sms.gateway_token"] == TOKEN
    shown = run(["--db", db, *SUPERVISOR, "--json", "settings", "show"], home)
    assert json.loads(shown.stdout)["sms.gateway_token"] == SECRET_MASK
    assert TOKEN not in shown.stdout
    assert all(TOKEN not in details for details in _audit_details(db))


def test_set_changes_audits_and_applies_to_the_next_scan(db: Path, home: Path) -> None:
    done = run(
        ["--db", db, *ADMIN, "--json", "settings", "set", "scan.duplicate_window", "30"], home
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"key": "scan.duplicate_window", "value": 30}
    assert [json.loads(details) for details in _audit_details(db)] == [
        {"key": "scan.duplicate_window", "old": "10", "new": "30"}
    ]
    verify = run(["--db", db, *SUPERVISOR, "--json", "audit", "verify"], home)
    assert json.loads(verify.stdout)["ok"] is True

    passes = run(["--db", db, *SUPERVISOR, "--json", "passes", "--status", "ISSUED"], home)
    serial = next(p["serial"] for p in json.loads(passes.stdout) if p["risk"] == "LOW")
    token = json.loads(
        run(["--db", db, *SUPERVISOR, "--json", "pass", "show", serial], home).stdout
    )["token"]
    start = datetime.now(UTC) + timedelta(minutes=5)
    results = []
    for at in (start, start + timedelta(seconds=20)):
        scan = run(
            [
                "--db",
                db,
                *SUPERVISOR,
                "--json",
                "scan",
                "--checkpoint",
                "G01",
                "--token",
                token,
                "--at",
                at.isoformat(),
            ],
            home,
        )
        results.append(json.loads(scan.stdout))
    assert [r["verdict"] for r in results] == ["GREEN", "GREEN"]
    # 20 s later is inside the 30 s window: the first verdict again, nothing recorded.
    assert [r["recorded"] for r in results] == [True, False]


def test_a_bad_value_names_the_key_and_changes_nothing(db: Path, home: Path) -> None:
    before = _stored(db)
    done = run(["--db", db, *ADMIN, "settings", "set", "scan.duplicate_window", "0"], home)
    assert_clean_failure(done)
    assert "scan.duplicate_window" in done.stderr
    assert "between 1 and 300" in done.stderr
    garbage = run(
        ["--db", db, *ADMIN, "--json", "settings", "set", "pass.validity_hours", "x"], home
    )
    assert_clean_failure(garbage)
    assert json.loads(garbage.stdout)["error"] == "INVALID_INPUT"
    assert "pass.validity_hours" in garbage.stderr
    unknown = run(["--db", db, *ADMIN, "settings", "set", "scan.window", "30"], home)
    assert_clean_failure(unknown)
    assert "scan.window" in unknown.stderr and "unknown setting" in unknown.stderr
    assert _stored(db) == before
    assert _audit_details(db) == []


def test_only_an_administrator_sets(db: Path, home: Path) -> None:
    done = run(["--db", db, *SUPERVISOR, "settings", "set", "scan.duplicate_window", "30"], home)
    assert_clean_failure(done)
    assert "may not" in done.stderr
    assert _stored(db) == {}
