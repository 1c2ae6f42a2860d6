"""``trace``, ``audit verify|export`` and ``retention purge`` on a demo database with traffic."""

from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.audit import SignedHead, head_is_authentic
from tests.e2e.test_cli import SUPERVISOR, assert_clean_failure, run

ADMIN = ("--user", "admin", "--password", "LoopPass-demo")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI's demo: the registry, fresh passes and two days of traffic."""
    folder = tmp_path_factory.mktemp("trace")
    path = folder / "demo.db"
    done = run(["--db", path, "demo"], folder)
    assert done.returncode == 0, done.stderr
    return path


def wrong_point_plate(db: Path) -> str:
    """The demo truck scanned three times at another enterprise's point."""
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute(
            "SELECT p.plate FROM scan_events s JOIN passes p ON p.serial = s.serial"
            " WHERE s.reason = 'WRONG_CHECKPOINT' LIMIT 1"
        ).fetchone()
    return str(row[0])


def test_trace_gives_the_timeline_and_the_loop(demo_db: Path, tmp_path: Path) -> None:
    plate = wrong_point_plate(demo_db)
    done = run(["--db", demo_db, *SUPERVISOR, "--json", "trace", plate], tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    (trip,) = found["passes"]
    assert trip["plate"] == plate
    verdicts = [(scan["verdict"], scan["reason"]) for scan in trip["scans"]]
    assert verdicts == [("GREEN", "OK")] + [("RED", "WRONG_CHECKPOINT")] * 3
    assert [point["state"] for point in trip["loop"]] == ["DONE", "NEXT", "PENDING"]
    assert trip["loop"][0]["done_at"] == trip["scans"][0]["checkpoint"]
    assert "*" in trip["driver"]  # the ID number is masked


def test_trace_text_and_nothing_found(demo_db: Path, tmp_path: Path) -> None:
    plate = wrong_point_plate(demo_db)
    done = run(["--db", demo_db, *SUPERVISOR, "trace", plate], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "WRONG_CHECKPOINT" in done.stdout and "GATE_IN[DONE" in done.stdout
    missing = run(["--db", demo_db, *SUPERVISOR, "trace", "浙F'; DROP TABLE passes;--"], tmp_path)
    assert missing.returncode == 1
    assert "no pass found" in missing.stdout
    assert "Traceback" not in missing.stdout + missing.stderr


def test_trace_is_refused_to_an_operator(demo_db: Path, tmp_path: Path) -> None:
    done = run(
        ["--db", demo_db, "--user", "gate1", "--password", "LoopPass-demo", "trace", "浙F"],
        tmp_path,
    )
    assert_clean_failure(done)


def test_a_command_seals_the_head_and_export_carries_it(demo_db: Path, tmp_path: Path) -> None:
    done = run(["--db", demo_db, *SUPERVISOR, "--json", "audit", "verify"], tmp_path)
    report = json.loads(done.stdout)
    assert report["ok"] and report["heads_checked"]
    assert report["signed_through"] + report["unsigned_tail"] == report["entries"]
    out = tmp_path / "audit.csv"
    done = run(["--db", demo_db, *SUPERVISOR, "audit", "export", "--csv", out], tmp_path)
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    marker, seq, head_hash, key_id, signature = rows[-1]
    assert marker == "# head"
    assert rows[-2][0] == seq and rows[-2][-1] == head_hash  # the export's own entry, signed
    keys = demo_db.with_name("demo-keys")
    key = serialization.load_pem_private_key((keys / "audit-log.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    head = SignedHead(int(seq), head_hash, 0, key_id, bytes.fromhex(signature))
    assert head_is_authentic(head, key.public_key())
    journal = (keys / "audit-heads.jsonl").read_text().splitlines()
    assert json.loads(journal[-1])["seq"] == int(seq)


def test_retention_purge_is_for_admins(demo_db: Path, tmp_path: Path) -> None:
    done = run(["--db", demo_db, *ADMIN, "--json", "retention", "purge"], tmp_path)
    assert done.returncode == 0, done.stderr
    # Demo trips are at most a few days old: nothing is due under the default 180 days.
    assert json.loads(done.stdout) == {"drivers": 0, "messages": 0}
    assert_clean_failure(run(["--db", demo_db, *SUPERVISOR, "retention", "purge"], tmp_path))
