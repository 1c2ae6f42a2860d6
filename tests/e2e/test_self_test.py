"""``python main.py --self-test`` from source: every step passes, output and exit codes.

The same command checks the PyInstaller bundle (packaging/build.sh runs it with ``env -i``);
the build itself is too slow for the suite and is not run here.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from db.store import open_store

ROOT = Path(__file__).resolve().parents[2]
CHAIN = (
    "runtime",
    "database",
    "issuing key",
    "sign",
    "qr png",
    "pass pdf",
    "decode zxing-cpp",
    "decode opencv",
    "verify",
    "audit workers",
    "gui",
)


def self_test(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python main.py --self-test ARGS`` with user folders in ``home``, no display."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOOPPASS_", "QT_"))}
    env |= {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PYTHONIOENCODING": "utf-8",
    }
    env.pop("DISPLAY", None)  # the GUI step must work headless (Qt's offscreen platform)
    command: Sequence[str] = [sys.executable, "main.py", *map(str, args), "--self-test"]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def step_lines(stdout: str) -> dict[str, str]:
    """Step name → status, from the text report (``  ok      name  detail``)."""
    found = {}
    for line in stdout.splitlines()[1:-1]:
        status, rest = line.split(None, 1)
        name = next(n for n in ("database file", *CHAIN) if rest.startswith(n))
        found[name] = status
    return found


def test_self_test_passes_and_checks_an_existing_database_read_only(tmp_path: Path) -> None:
    db = tmp_path / "looppass.db"
    open_store(db).close()
    before = digest(db)
    done = self_test(tmp_path / "home", "--db", db)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.startswith("LoopPass ")
    assert step_lines(done.stdout) == dict.fromkeys(("database file", *CHAIN), "ok"), done.stdout
    assert "opened read-only" in done.stdout
    assert "self-test passed: 12/12 steps ok" in done.stdout
    assert digest(db) == before  # checked, never written


def test_self_test_json_lists_every_step(tmp_path: Path) -> None:
    done = self_test(tmp_path / "home", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["frozen"] is False
    assert [step["name"] for step in report["steps"]] == list(CHAIN)
    assert all(step["status"] == "ok" for step in report["steps"])
    # A spawned worker process started from this program and checked the audit chain.
    assert report["steps"][-2]["detail"] == "a worker process checked 3 audit entries"
    gui = report["steps"][-1]["detail"]
    assert "offscreen" in gui
    assert "闭环通行证" in gui  # the title came from the Chinese translation


def test_a_damaged_database_fails_with_a_clear_message_and_no_traceback(tmp_path: Path) -> None:
    db = tmp_path / "damaged.db"
    db.write_bytes(b"this is not an SQLite database" * 100)
    before = digest(db)
    done = self_test(tmp_path / "home", "--db", db)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    failed = [line for line in done.stdout.splitlines() if line.strip().startswith("FAILED")]
    assert len(failed) == 1, output
    assert "database file" in failed[0]
    assert "NOT_A_DATABASE" in failed[0]
    assert "not a LoopPass database" in failed[0]
    # The installation itself is fine: the rest of the chain still ran and passed.
    expected = {"database file": "FAILED"} | dict.fromkeys(CHAIN, "ok")
    assert step_lines(done.stdout) == expected, output
    assert "self-test FAILED: 11/12 steps ok" in done.stdout
    assert digest(db) == before


def test_version_flag(tmp_path: Path) -> None:
    from core.version import __version__

    done = subprocess.run(
        [sys.executable, "main.py", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"LoopPass {__version__}"
