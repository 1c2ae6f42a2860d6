"""The command line end to end, as a user runs it: ``python main.py [options] COMMAND``.

Exit codes (ARCHITECTURE.md): 0 ok, 1 a check failed, 2 bad usage or input with a message on
stderr and nothing changed. The demo is created with production password hashing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import pytest

from core.ports import SearchQuery
from db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SUPERVISOR = ("--user", "supervisor", "--password", "LoopPass-demo")


def run(
    args: Sequence[str | Path], home: Path, *, env_db: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` in the project root, with no LoopPass settings inherited and
    user folders (logs) inside ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOOPPASS_")}
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PYTHONIOENCODING": "utf-8",
    }
    if env_db is not None:
        env["LOOPPASS_DB"] = str(env_db)
    return subprocess.run(
        [sys.executable, "main.py", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clean_failure(done: subprocess.CompletedProcess[str]) -> None:
    """Exit 2, a message on stderr, and no traceback anywhere."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.strip()
    assert "Traceback" not in done.stderr + done.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database for the module, created through the CLI; tests copy it to change it."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    done = run(["--db", path, "demo"], folder)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    shutil.copyfile(demo_db, copy)
    return copy


def test_demo_creates_a_database_and_refuses_to_overwrite_it(tmp_path: Path, home: Path) -> None:
    path = tmp_path / "sub" / "looppass.db"
    done = run(["--db", path, "demo"], home)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "LoopPass-demo" in done.stdout
    assert path.is_file()
    before = digest(path)
    again = run(["--db", path, "demo"], home)
    assert_clean_failure(again)
    assert digest(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["looppass-keys", "looppass.db"]


def test_demo_json_output(tmp_path: Path, home: Path) -> None:
    path = tmp_path / "looppass.db"
    done = run(["--db", path, "--json", "demo"], home)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["users"] == ["admin", "reviewer", "supervisor", "clerk", "gate1"]
    assert document["password"] == "LoopPass-demo"


def test_demo_database_has_production_hashes_and_a_few_hundred_vehicles(demo_db: Path) -> None:
    store = open_store(demo_db)
    try:
        for name in ("admin", "reviewer", "supervisor", "clerk", "gate1"):
            creds = store.users.credentials(name)
            assert creds is not None
            assert creds.password_hash.startswith("$scrypt$ln=17,r=8,p=1$")
        assert store.vehicles.search(SearchQuery(limit=1)).total >= 200
        assert store.drivers.search(SearchQuery(limit=1)).total >= 200
    finally:
        store.close()


def test_checkpoints_json(demo_db: Path, home: Path) -> None:
    before = digest(demo_db)
    done = run(["--db", demo_db, "--json", "checkpoints"], home)
    assert done.returncode == 0, done.stderr
    points = json.loads(done.stdout)
    assert isinstance(points, list)
    assert all(set(point) == {"code", "name", "kind", "enterprise"} for point in points)
    kinds = [point["kind"] for point in points]
    assert kinds.count("GATE") >= 4
    assert kinds.count("ISOLATION") == 1
    assert kinds.count("ENTERPRISE") >= 20
    for point in points:
        if point["kind"] == "ENTERPRISE":
            assert point["enterprise"] and point["enterprise"] == point["name"]
        else:
            assert point["enterprise"] is None
    assert "平湖北卡口" in {point["name"] for point in points}  # UTF-8, not \\u escapes
    assert digest(demo_db) == before  # listing changes nothing


def test_checkpoints_text(demo_db: Path, home: Path) -> None:
    done = run(["--db", demo_db, "checkpoints"], home)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == ["G01", "GATE"]
    assert any(line.split()[1] == "ISOLATION" for line in lines)


def test_audit_verify_as_supervisor(demo_copy: Path, home: Path) -> None:
    done = run(["--db", demo_copy, *SUPERVISOR, "--json", "audit", "verify"], home)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    store = open_store(demo_copy)
    try:
        entries = store.audit.count()  # includes the supervisor's own login
        assert store.audit.entries()[-1].action == "login"
    finally:
        store.close()
    # The copy came without its key folder: the chain verifies, the heads cannot be checked.
    assert report == {
        "ok": True,
        "entries": entries,
        "first_bad": None,
        "problem": None,
        "signed_through": None,
        "unsigned_tail": entries,
        "heads_checked": False,
    }


def test_audit_verify_reports_a_tampered_chain_with_exit_1(demo_copy: Path, home: Path) -> None:
    with closing(sqlite3.connect(demo_copy, isolation_level=None)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 42")
    done = run(["--db", demo_copy, *SUPERVISOR, "--json", "audit", "verify"], home)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["ok"], report["first_bad"], report["problem"]) == (False, 42, "HASH_MISMATCH")


def test_audit_verify_is_refused_to_an_operator(demo_copy: Path, home: Path) -> None:
    done = run(
        ["--db", demo_copy, "--user", "gate1", "--password", "LoopPass-demo", "audit", "verify"],
        home,
    )
    assert_clean_failure(done)
    assert "role" in done.stderr


def test_wrong_password_exits_2_without_a_traceback(demo_copy: Path, home: Path) -> None:
    done = run(
        ["--db", demo_copy, "--user", "supervisor", "--password", "wrong", "audit", "verify"],
        home,
    )
    assert_clean_failure(done)
    assert "wrong user name or password" in done.stderr
    unknown = run(
        ["--db", demo_copy, "--user", "nobody", "--password", "wrong", "audit", "verify"], home
    )
    assert_clean_failure(unknown)
    assert unknown.stderr == done.stderr  # an unknown user looks the same


def test_wrong_password_in_json_mode(demo_copy: Path, home: Path) -> None:
    done = run(
        [
            "--db",
            demo_copy,
            "--user",
            "supervisor",
            "--password",
            "wrong",
            "--json",
            "audit",
            "verify",
        ],
        home,
    )
    assert_clean_failure(done)
    assert json.loads(done.stdout)["error"] == "BAD_CREDENTIALS"


def test_missing_credentials_exit_2(demo_copy: Path, home: Path) -> None:
    assert_clean_failure(run(["--db", demo_copy, "audit", "verify"], home))


@pytest.mark.parametrize(
    "command", [["checkpoints"], [*SUPERVISOR, "audit", "verify"]], ids=["checkpoints", "audit"]
)
def test_command_on_a_missing_database_exits_2_and_creates_nothing(
    tmp_path: Path, home: Path, command: list[str]
) -> None:
    path = tmp_path / "absent.db"
    done = run(["--db", path, *command], home)
    assert_clean_failure(done)
    assert "no database" in done.stderr
    assert not path.exists()


def test_json_with_an_unknown_command_exits_2(demo_copy: Path, home: Path) -> None:
    before = digest(demo_copy)
    done = run(["--db", demo_copy, "--json", "frobnicate"], home)
    assert_clean_failure(done)
    assert digest(demo_copy) == before


def test_not_a_database_exits_2(tmp_path: Path, home: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n" * 100, encoding="utf-8")
    done = run(["--db", path, "checkpoints"], home)
    assert_clean_failure(done)
    assert "not a LoopPass database" in done.stderr
    assert path.read_text(encoding="utf-8") == "shopping list\n" * 100


def test_database_from_a_newer_looppass_exits_2(demo_copy: Path, home: Path) -> None:
    with closing(sqlite3.connect(demo_copy, isolation_level=None)) as conn:
        conn.execute("PRAGMA user_version = 999")
    before = digest(demo_copy)
    done = run(["--db", demo_copy, "checkpoints"], home)
    assert_clean_failure(done)
    assert "newer LoopPass" in done.stderr
    assert digest(demo_copy) == before


def test_db_option_overrides_the_environment(tmp_path: Path, home: Path) -> None:
    from_env = run(["where"], home, env_db=tmp_path / "env.db")
    assert (from_env.returncode, from_env.stdout.strip()) == (0, str(tmp_path / "env.db"))
    chosen = run(["--db", tmp_path / "chosen.db", "where"], home, env_db=tmp_path / "env.db")
    assert (chosen.returncode, chosen.stdout.strip()) == (0, str(tmp_path / "chosen.db"))
