"""``report daily`` on the command line: the table, JSON, the three files, and bad input."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.clock import to_millis
from core.reports import REPORT_TZ, day_bounds
from tests.e2e.test_cli import SUPERVISOR, run


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    shutil.copyfile(demo_db, copy)
    return copy


def _today() -> str:
    """The demo approves its passes when it is made: today, in Shanghai."""
    return datetime.now(UTC).astimezone(REPORT_TZ).date().isoformat()


def _report(db: Path, home: Path, *extra: str | Path, lang: str | None = None) -> list[str | Path]:
    today = _today()
    options: list[str | Path] = ["--db", db, *SUPERVISOR]
    if lang:
        options += ["--lang", lang]
    return [*options, "report", "daily", "--from", today, "--to", today, *extra]


def _exports(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT details FROM audit_log WHERE action = 'report.export' ORDER BY seq"
        ).fetchall()
    return [json.loads(row[0])["format"] for row in rows]


def _issued_today(db: Path) -> int:
    """Passes issued today (Shanghai), counted straight from the table."""
    begin, after = day_bounds(date.fromisoformat(_today()))
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) FROM passes WHERE issued_at >= ? AND issued_at < ?",
            (to_millis(begin), to_millis(after)),
        ).fetchone()
    return int(row[0])


def test_json_report_of_the_demo_day(db: Path, tmp_path: Path) -> None:
    done = run(["--json", *_report(db, tmp_path)], tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["from"] == document["to"] == _today()
    totals = document["totals"]
    # The demo approves its applications through the pass service when it is created.
    issued = _issued_today(db)
    assert issued >= 25
    loops = totals["loops"]
    assert loops["issued"] == issued
    assert loops["exited"] + loops["revoked"] + loops["expired"] + loops["open"] == issued
    assert totals["approval"]["count"] == issued
    assert sum(row["issued"] for row in totals["enterprises"]) == issued
    assert {row["code"] for row in totals["checkpoints"]} >= {"G01", "G02", "I01"}


def test_readable_table_in_chinese_and_english(db: Path, tmp_path: Path) -> None:
    done = run(_report(db, tmp_path), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "LoopPass 日报 / Daily report" in done.stdout
    assert "[每日签发与闭环]" in done.stdout
    english = run(_report(db, tmp_path, lang="en"), tmp_path)
    assert "[Passes and closed loops per day]" in english.stdout


def test_csv_xlsx_and_pdf_files(db: Path, tmp_path: Path) -> None:
    csv_file, xlsx_file, pdf_file = (tmp_path / f"daily.{kind}" for kind in ("csv", "xlsx", "pdf"))
    for option, target in (("--csv", csv_file), ("--xlsx", xlsx_file), ("--pdf", pdf_file)):
        done = run(["--json", *_report(db, tmp_path, option, target)], tmp_path)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["file"] == str(target)
    data = csv_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    first = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert first == ["日期", "扫码", "放行", "核查", "拦截", "入城", "出城"]
    book = load_workbook(xlsx_file)
    loops = book["每日签发与闭环"]
    assert [cell.value for cell in loops[2]][1] == _issued_today(db)
    assert pdf_file.read_bytes().startswith(b"%PDF-")
    assert _exports(db) == ["csv", "xlsx", "pdf"]


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (("2026-11-25", "2026-11-20"), "after it ends"),
        (("2026-13-01", "2026-11-20"), "not a date"),
        (("yesterday", "2026-11-20"), "not a date"),
        (("2020-01-01", "2026-11-20"), "at most 366 days"),
    ],
)
def test_bad_period_is_refused_with_a_message(
    db: Path, tmp_path: Path, dates: tuple[str, str], message: str
) -> None:
    start, end = dates
    args = ["--db", db, *SUPERVISOR, "report", "daily", "--from", start, "--to", end]
    done = run(args, tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_one_output_file_at_a_time(db: Path, tmp_path: Path) -> None:
    done = run(
        _report(db, tmp_path, "--csv", tmp_path / "a.csv", "--pdf", tmp_path / "a.pdf"), tmp_path
    )
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr
    assert not (tmp_path / "a.csv").exists()


def test_needs_a_signed_in_supervisor(db: Path, tmp_path: Path) -> None:
    today = _today()
    anonymous = run(["--db", db, "report", "daily", "--from", today, "--to", today], tmp_path)
    assert anonymous.returncode == 2
    assert "--user" in anonymous.stderr
    operator = ["--user", "gate1", "--password", "LoopPass-demo"]
    denied = run(
        ["--db", db, *operator, "report", "daily", "--from", today, "--to", today], tmp_path
    )
    assert denied.returncode == 2
    assert "may not" in denied.stderr


def test_unwritable_target_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    done = run(_report(db, tmp_path, "--pdf", tmp_path / "missing" / "r.pdf"), tmp_path)
    assert done.returncode == 2
    assert "cannot write" in done.stderr and "Traceback" not in done.stderr
    assert _exports(db) == []
