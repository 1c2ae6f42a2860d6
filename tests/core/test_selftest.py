"""core.selftest in process: the chain, what a failure does to the steps after it, the report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from core.errors import StorageFailure
from core.ports import Store
from core.selftest import (
    ExtraCheck,
    SelfTestContext,
    SelfTestReport,
    StepResult,
    run_self_test,
)
from core.version import __version__
from db.health import inspect_file
from db.store import open_store

CHAIN = [
    "runtime",
    "database",
    "issuing key",
    "sign",
    "qr png",
    "pass pdf",
    "decode zxing-cpp",
    "decode opencv",
    "verify",
]


def run(db_path: Path | None = None, extra_checks: Sequence[ExtraCheck] = ()) -> SelfTestReport:
    return run_self_test(
        db_path, open_store=open_store, inspect_file=inspect_file, extra_checks=extra_checks
    )


def test_every_step_passes_and_leaves_nothing_behind(tmp_path: Path) -> None:
    seen: list[Path] = []

    def remember(context: SelfTestContext) -> str:
        seen.append(context.workdir)
        assert context.token.startswith("PH1:")
        assert (context.workdir / "pass.pdf").read_bytes().startswith(b"%PDF-")
        return "looked"

    report = run(extra_checks=[("extra", remember)])
    assert report.ok
    assert [step.name for step in report.steps] == [*CHAIN, "extra"]
    assert report.version == __version__
    assert not seen[0].exists()  # the temporary folder is removed


def test_a_failing_step_skips_the_rest_of_the_chain() -> None:
    def broken_store(path: Path) -> Store:
        raise StorageFailure("disk full")

    report = run_self_test(None, open_store=broken_store, inspect_file=inspect_file)
    statuses = {step.name: step.status for step in report.steps}
    assert statuses["runtime"] == "ok"
    assert statuses["database"] == "FAILED"
    assert all(statuses[name] == "skipped" for name in CHAIN[2:])
    assert not report.ok
    database = next(step for step in report.steps if step.name == "database")
    assert database.detail.startswith("STORAGE_FAILURE: ")
    assert report.text().endswith(
        f"self-test FAILED: 1/{len(CHAIN)} steps ok in {report.seconds:.1f} s"
    )


def test_an_unexpected_exception_is_one_line() -> None:
    def explode(_context: SelfTestContext) -> str:
        raise RuntimeError("boom\nsecond line")

    report = run(extra_checks=[("explode", explode)])
    assert report.steps[-1] == StepResult(
        "explode", "FAILED", "RuntimeError: boom", report.steps[-1].seconds
    )


def test_a_newer_database_fails_its_step_and_the_chain_still_runs(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    store = open_store(path)
    store.conn.execute("PRAGMA user_version=999")
    store.close()
    report = run(path)
    first = report.steps[0]
    assert (first.name, first.status) == ("database file", "FAILED")
    assert first.detail.startswith("SCHEMA_TOO_NEW: ")
    assert all(step.ok for step in report.steps[1:])
    assert not report.ok


def test_an_empty_sqlite_file_is_not_a_looppass_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    first = run(path).steps[0]
    assert first.status == "FAILED"
    assert "not a LoopPass database" in first.detail


@pytest.mark.parametrize("ok", [True, False])
def test_json_document(ok: bool) -> None:
    steps = (StepResult("runtime", "ok" if ok else "FAILED", "x", 0.01234),)
    report = SelfTestReport("1.2.3", True, "3.11.7", steps, 0.5)
    document = json.loads(report.json())
    assert document == {
        "ok": ok,
        "version": "1.2.3",
        "frozen": True,
        "python": "3.11.7",
        "seconds": 0.5,
        "steps": [
            {
                "name": "runtime",
                "status": "ok" if ok else "FAILED",
                "ok": ok,
                "detail": "x",
                "seconds": 0.012,
            }
        ],
    }
