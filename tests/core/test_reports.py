"""The daily report: the numbers a supervisor checks by hand, and the CSV, XLSX and PDF files.

The world: the demo (its passes are approved on 2026-11-25), then on 2026-11-26 (local time)
the clerk files four applications; the reviewer approves three after 30, 60 and 120 minutes
and rejects one; pass A drives the whole loop G01 → E0001 → G03, pass B enters at G01 and
stays in the city, pass C is revoked before it is used; and someone shows G02 a photo of
something that is not a pass.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from core.errors import PermissionDenied
from core.models import Checkpoint, Pass, RiskLevel, User
from core.ports import SearchQuery
from core.reports import (
    MAX_DAYS,
    REPORT_TZ,
    ApprovalTimes,
    BadPeriod,
    DailyReport,
    DayReport,
    LoopCompletion,
    ReportExportFailed,
    ReportFormat,
    day_bounds,
    report_csv,
    report_document,
    report_pdf,
    report_tables,
    report_text,
    report_xlsx,
)
from core.services import Services
from core.services.applications import ApplicationInput
from db.store import SqliteStore
from tests.conftest import FakeClock, demo_user

DAY = date(2026, 11, 26)
DEMO_DAY = date(2026, 11, 25)
MORNING = datetime(2026, 11, 26, 9, 0, tzinfo=REPORT_TZ)  # 01:00 UTC


@dataclass(frozen=True)
class World:
    """The three passes of 2026-11-26 and the points they are scanned at."""

    completed: Pass
    inside: Pass
    revoked: Pass
    points: dict[str, Checkpoint]
    supervisor: User
    enterprise_id: int


def _file(services: Services, clerk: User) -> int:
    store = services.store
    own = SearchQuery(enterprise_id=clerk.enterprise_id, limit=5)
    vehicles = store.vehicles.search(own).rows
    drivers = store.drivers.search(own).rows
    region = next(r for r in store.risk_regions.list_all() if r.level is RiskLevel.LOW)
    form = ApplicationInput(
        vehicle_id=vehicles[0].id,
        driver_id=drivers[0].id,
        origin_region_id=region.id,
        cargo="电子元件",
        planned_arrival=services.reports.clock() + timedelta(hours=2),
    )
    return services.applications.file(clerk, form, submit=True).id


def _walk(services: Services, clock: FakeClock, who: User, token: str, *points: Checkpoint) -> None:
    for point in points:
        clock.advance(minutes=20)
        result = services.scans.scan(who, point, token)
        assert result.verdict.value == "GREEN", result


@pytest.fixture
def world(demo: Services, clock: FakeClock) -> World:
    clerk = demo_user(demo, "clerk")
    reviewer = demo_user(demo, "reviewer")
    supervisor = demo_user(demo, "supervisor")
    assert clerk.enterprise_id is not None
    clock.now = MORNING.astimezone(UTC)
    filed = []
    for _ in range(4):
        filed.append(_file(demo, clerk))
        clock.advance(minutes=10)
    # Filed at 09:00, 09:10, 09:20, 09:30; decided 30, 60 and 120 minutes after filing.
    issued = []
    for application_id, minutes in zip(filed[:3], (30, 60, 120), strict=True):
        created = demo.store.applications.get(application_id)
        assert created is not None
        clock.now = created.created_at + timedelta(minutes=minutes)
        issued.append(demo.passes.approve(reviewer, application_id))
    demo.applications.reject(reviewer, filed[3], "货物信息与报备不符")
    points = {p.code: p for p in demo.store.checkpoints.list_all()}
    clock.now = datetime(2026, 11, 26, 14, 0, tzinfo=REPORT_TZ).astimezone(UTC)
    completed, inside, revoked = issued
    _walk(demo, clock, supervisor, completed.token, points["G01"], points["E0001"], points["G03"])
    _walk(demo, clock, supervisor, inside.token, points["G01"])
    demo.passes.revoke(supervisor, revoked.serial, "行程取消")
    clock.advance(minutes=5)
    red = demo.scans.scan(supervisor, points["G02"], "not a pass at all")
    assert red.verdict.value == "RED"
    clock.now = datetime(2026, 11, 26, 20, 0, tzinfo=REPORT_TZ).astimezone(UTC)
    return World(completed, inside, revoked, points, supervisor, clerk.enterprise_id)


def _day(report: DailyReport, day: date) -> DayReport:
    return next(d for d in report.days if d.day == day)


# --- the figures ---------------------------------------------------------------------------------


def test_gate_entries_and_exits(demo: Services, world: World) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    rows = {row.code: row for row in report.days[0].checkpoints}
    assert (rows["G01"].scans, rows["G01"].green, rows["G01"].entries, rows["G01"].exits) == (
        2,
        2,
        2,
        0,
    )
    assert (rows["G03"].entries, rows["G03"].exits) == (0, 1)
    assert (rows["G02"].scans, rows["G02"].red, rows["G02"].entries) == (1, 1, 0)
    assert (rows["E0001"].scans, rows["E0001"].green) == (1, 1)
    # Idle gates and the isolation point are listed with zeros; idle enterprise points are not.
    assert rows["G05"].scans == 0 and rows["I01"].scans == 0
    assert "E0002" not in rows
    assert [row.code for row in report.days[0].checkpoints][:6] == [
        "G01",
        "G02",
        "G03",
        "G04",
        "G05",
        "I01",
    ]
    assert report.scans.scans == 5 and report.scans.green == 4 and report.scans.red == 1


def test_enterprise_filings_decisions_arrivals_and_loops(demo: Services, world: World) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    (row,) = report.days[0].enterprises
    assert row.enterprise_id == world.enterprise_id
    assert row.name == "平湖市东方精密机械有限公司"
    assert (row.filed, row.approved, row.rejected, row.issued) == (4, 3, 1, 3)
    assert (row.arrivals, row.loops_completed) == (1, 1)


def test_completion_rate_with_one_loop_closed_one_open_one_revoked(
    demo: Services, world: World
) -> None:
    loops = demo.reports.daily(world.supervisor, DAY, DAY).loops
    assert loops == LoopCompletion(issued=3, exited=1, revoked=1, expired=0, open=1)
    assert loops.closed == 2
    assert loops.rate == pytest.approx(0.5)


def test_a_pass_past_its_validity_counts_as_expired_before_anyone_marks_it(
    demo: Services, world: World, clock: FakeClock
) -> None:
    clock.advance(hours=80)  # validity is 72 h from approval; nothing has run mark_expired
    assert demo.store.passes.get(world.inside.serial).status.value == "ENTERED"  # type: ignore[union-attr]
    loops = demo.reports.daily(world.supervisor, DAY, DAY).loops
    assert (loops.exited, loops.revoked, loops.expired, loops.open) == (1, 1, 1, 0)
    assert loops.rate == pytest.approx(1 / 3)


def test_filing_to_approval_median_p90_and_mean(demo: Services, world: World) -> None:
    approval = demo.reports.daily(world.supervisor, DAY, DAY).approval
    assert approval == ApprovalTimes(count=3, median_minutes=60, p90_minutes=120, mean_minutes=70)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(
    demo: Services, world: World, clock: FakeClock
) -> None:
    clerk, reviewer = demo_user(demo, "clerk"), demo_user(demo, "reviewer")
    application_id = _file(demo, clerk)
    clock.advance(minutes=90)
    demo.passes.approve(reviewer, application_id)
    approval = demo.reports.daily(world.supervisor, DAY, DAY).approval
    # 30, 60, 90, 120: median (60 + 90) / 2, P90 the 4th of 4 by nearest rank.
    assert (approval.count, approval.median_minutes, approval.p90_minutes) == (4, 75, 120)


def test_nothing_approved_means_no_times(demo: Services, world: World) -> None:
    report = demo.reports.daily(world.supervisor, date(2026, 11, 27), date(2026, 11, 27))
    assert report.approval == ApprovalTimes(count=0)
    assert report.loops == LoopCompletion()
    assert report.loops.rate is None
    assert report.days[0].enterprises == ()


def test_days_are_shanghai_days(demo: Services, world: World, clock: FakeClock) -> None:
    begin, after = day_bounds(DAY)
    assert begin == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert after - begin == timedelta(days=1)
    g04 = world.points["G04"]
    for local in ("23:59:59", "00:00:00"):
        when = datetime.fromisoformat(f"2026-11-26T{local}+08:00")
        if local == "00:00:00":
            when += timedelta(days=1)
        clock.now = when.astimezone(UTC)
        demo.scans.scan(world.supervisor, g04, f"junk at {local}")
    clock.now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    report = demo.reports.daily(world.supervisor, DAY, date(2026, 11, 27))
    g04_scans = [
        next(row.scans for row in day.checkpoints if row.code == "G04") for day in report.days
    ]
    assert g04_scans == [1, 1]


def test_period_totals_add_the_days_and_time_the_whole_period(demo: Services, world: World) -> None:
    report = demo.reports.daily(world.supervisor, DEMO_DAY, DAY)
    assert [day.day for day in report.days] == [DEMO_DAY, DAY]
    demo_day, our_day = report.days
    assert demo_day.applications.approved == 25  # the demo's passes, approved on the 25th
    assert report.applications.approved == 28
    assert report.applications.issued == 28
    assert report.loops.issued == demo_day.loops.issued + our_day.loops.issued == 28
    g01 = next(row for row in report.checkpoints if row.code == "G01")
    assert g01.entries == 2
    # The period's median is over all 28 approvals, not a mean of the days' medians.
    assert report.approval.count == 28
    assert report.approval.median_minutes not in (
        demo_day.approval.median_minutes,
        our_day.approval.median_minutes,
    )


@pytest.mark.parametrize("username", ["admin", "clerk", "reviewer", "gate1"])
def test_only_a_supervisor_reads_the_report(demo: Services, username: str) -> None:
    with pytest.raises(PermissionDenied):
        demo.reports.daily(demo_user(demo, username), DAY, DAY)


def test_an_empty_or_overlong_period_is_refused(demo: Services) -> None:
    supervisor = demo_user(demo, "supervisor")
    with pytest.raises(BadPeriod, match="after it ends"):
        demo.reports.daily(supervisor, DAY, DAY - timedelta(days=1))
    with pytest.raises(BadPeriod, match="at most"):
        demo.reports.daily(supervisor, DAY, DAY + timedelta(days=MAX_DAYS))
    assert len(demo.reports.daily(supervisor, DAY, DAY + timedelta(days=MAX_DAYS - 1)).days) == (
        MAX_DAYS
    )


def test_json_document_and_text(demo: Services, world: World) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    document = report_document(report)
    assert (document["from"], document["to"], document["timezone"]) == (
        "2026-11-26",
        "2026-11-26",
        "Asia/Shanghai",
    )
    assert document["totals"]["loops"]["completion_rate"] == pytest.approx(0.5)
    assert document["days"][0]["enterprises"][0]["loops_completed"] == 1
    text = report_text(report)
    assert "闭环完成率 50.0%" in text and "中位数 60.0 分钟" in text
    assert "Completion rate" in report_text(report, "en")


# --- files -------------------------------------------------------------------------------------


def _table_rows(report: DailyReport, key: str) -> list[tuple[object, ...]]:
    return next(list(t.rows) for t in report_tables(report) if t.key == key)


def test_csv_has_a_bom_and_chinese_headers(demo: Services, world: World) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    data = report_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["日期", "扫码", "放行", "核查", "拦截", "入城", "出城"]
    assert rows[1] == ["2026-11-26", "5", "4", "0", "1", "2", "1"]
    assert ["每日签发与闭环"] in rows
    loops_header = rows.index(["每日签发与闭环"]) + 1
    assert rows[loops_header][-1] == "闭环完成率"
    assert rows[loops_header + 1][-1] == "50.0%"
    english = list(csv.reader(io.StringIO(report_csv(report, "en").decode("utf-8-sig"))))
    assert english[0][:2] == ["Date", "Scans"]


def test_xlsx_reads_back_with_the_same_numbers(demo: Services, world: World) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames == [
        "期间概览",
        "每日扫码",
        "每日报备与审批",
        "每日签发与闭环",
        "按扫码点",
        "按企业",
    ]
    enterprises = book["按企业"]
    header = [cell.value for cell in enterprises[1]]
    assert header == ["日期", "企业", "报备", "批准", "驳回", "签发", "到达", "当日闭环"]
    assert all(cell.font.bold for cell in enterprises[1])
    day_row = [cell.value for cell in enterprises[2]]
    assert day_row[1:] == ["平湖市东方精密机械有限公司", 4, 3, 1, 3, 1, 1]
    assert day_row[0].date() == DAY  # a real date, not text
    loops = book["每日签发与闭环"]
    assert loops.cell(2, 8).value == pytest.approx(0.5)
    assert loops.cell(2, 8).number_format == "0.0%"
    approval = book["每日报备与审批"]
    assert [approval.cell(2, c).value for c in (5, 6, 7)] == [60, 120, 70]
    assert enterprises.column_dimensions["B"].width >= 26  # the long name fits
    expected = _table_rows(report, "by_checkpoint")
    points = book["按扫码点"]
    assert points.max_row == len(expected) + 1


def _render(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian package poppler-utils) is not installed")
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return [Image.open(path).convert("L") for path in sorted(tmp_path.glob("page-*.png"))]


def _ink(page: Image.Image) -> float:
    """The share of dark pixels on a page."""
    histogram = page.histogram()
    return sum(histogram[:128]) / (page.width * page.height)


def test_pdf_renders_a4_pages_with_ink(demo: Services, world: World, tmp_path: Path) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    pages = _render(report_pdf(report), tmp_path)
    assert len(pages) == 1
    # A4 at 60 dpi: 496 × 702 pixels.
    assert pages[0].size == (496, 702)
    assert 0.005 < _ink(pages[0]) < 0.2


def test_a_long_report_paginates_and_numbers_its_pages(
    demo: Services, world: World, tmp_path: Path
) -> None:
    report = demo.reports.daily(world.supervisor, DAY - timedelta(days=29), DAY)
    pdf = report_pdf(report)
    pages = _render(pdf, tmp_path)
    assert len(pages) >= 3
    assert all(_ink(page) > 0.002 for page in pages)
    assert report_pdf(report) == pdf  # the same report gives the same bytes


def test_export_writes_the_file_and_audits_format_and_period_only(
    demo: Services, world: World, store: SqliteStore, tmp_path: Path
) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    before = store.audit.count()
    for kind in ReportFormat:
        target = tmp_path / f"report.{kind.value}"
        assert demo.reports.export(world.supervisor, report, target, kind) == target
        assert target.stat().st_size > 0
    entries = store.audit.entries(before + 1)
    assert [(e.action, e.details["format"]) for e in entries] == [
        ("report.export", "csv"),
        ("report.export", "xlsx"),
        ("report.export", "pdf"),
    ]
    assert entries[0].details == {"format": "csv", "from": "2026-11-26", "to": "2026-11-26"}
    assert entries[0].entity_id == "daily:2026-11-26..2026-11-26"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("report")) == [
        "report.csv",
        "report.pdf",
        "report.xlsx",
    ]


def test_export_to_a_missing_folder_fails_cleanly_and_audits_nothing(
    demo: Services, world: World, store: SqliteStore, tmp_path: Path
) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    before = store.audit.count()
    with pytest.raises(ReportExportFailed):
        demo.reports.export(world.supervisor, report, tmp_path / "no" / "r.csv", "csv")
    assert store.audit.count() == before


def test_only_a_supervisor_exports(demo: Services, world: World, tmp_path: Path) -> None:
    report = demo.reports.daily(world.supervisor, DAY, DAY)
    with pytest.raises(PermissionDenied):
        demo.reports.export(demo_user(demo, "reviewer"), report, tmp_path / "r.csv", "csv")
    assert not (tmp_path / "r.csv").exists()
