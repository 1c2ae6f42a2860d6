"""The daily report: what a supervisor reads each morning, and its CSV, XLSX and PDF files.

Days are calendar days in Asia/Shanghai (the route's own clock; times are stored in UTC). For
each day of a period the report gives the scans at each checkpoint, each enterprise's filings,
decisions, passes, arrivals and closed loops, how the passes issued that day have ended so
far, and how long approval took. The figures are defined in docs/decisions.md ("Reports");
``db.reports`` computes them in SQL, this module only assembles, sums and writes them.

Everything here is plain data and pure functions: the writers return bytes (or text) and
never touch the file system. Column headers follow the user's language (``"zh"`` default,
``"en"``); the JSON document uses stable English keys.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar
from zoneinfo import ZoneInfo

from core.errors import DomainError
from core.models import Checkpoint, CheckpointKind

if TYPE_CHECKING:
    from PIL import Image, ImageFont

    from core.pass_document import FontFace

__all__ = [
    "MAX_DAYS",
    "REPORT_TZ",
    "TITLE",
    "ApprovalTimes",
    "BadPeriod",
    "CheckpointRow",
    "DailyReport",
    "DayReport",
    "EnterpriseRow",
    "Lang",
    "LoopCompletion",
    "ReportExportFailed",
    "ReportFormat",
    "Table",
    "assemble",
    "check_period",
    "day_bounds",
    "period_days",
    "report_csv",
    "report_document",
    "report_pdf",
    "report_tables",
    "report_text",
    "report_xlsx",
]

REPORT_TZ: Final = ZoneInfo("Asia/Shanghai")
MAX_DAYS: Final = 366  # a year per report: longer periods belong in a spreadsheet of reports
TITLE: Final = "LoopPass 日报 / Daily report"

Lang = Literal["zh", "en"]
T = TypeVar("T")
Cell = str | int | float | date | None
Box = tuple[int, int]


class ReportFormat(StrEnum):
    """The files a report can be exported to."""

    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


class BadPeriod(DomainError):
    """The period is empty (start after end) or longer than ``MAX_DAYS``."""

    code = "BAD_PERIOD"


class ReportExportFailed(DomainError):
    """The report file could not be written (folder missing or not writable, no CJK font)."""

    code = "EXPORT_FAILED"


# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckpointRow:
    """Scans at one checkpoint: by verdict, and the trucks let in and out (gates only)."""

    code: str
    name: str
    kind: CheckpointKind
    scans: int = 0
    green: int = 0
    amber: int = 0
    red: int = 0
    entries: int = 0  # GREEN at step GATE_IN
    exits: int = 0  # GREEN at step GATE_OUT


@dataclass(frozen=True, slots=True)
class EnterpriseRow:
    """One enterprise's day: its filings, decisions, passes, arrivals and closed loops."""

    enterprise_id: int
    name: str
    filed: int = 0  # applications created that day that are not drafts now
    approved: int = 0
    rejected: int = 0
    issued: int = 0  # passes issued (approval and issuance are one transaction)
    arrivals: int = 0  # GREEN at its own ENTERPRISE checkpoint
    loops_completed: int = 0  # its passes that reached EXITED that day


@dataclass(frozen=True, slots=True)
class LoopCompletion:
    """How the passes issued in a period stand now (at the report's ``generated_at``).

    ``expired`` includes open passes past their validity that nobody has marked yet.
    """

    issued: int = 0
    exited: int = 0
    revoked: int = 0
    expired: int = 0
    open: int = 0

    @property
    def closed(self) -> int:
        """Passes that are no longer open: exited, revoked or expired."""
        return self.exited + self.revoked + self.expired

    @property
    def rate(self) -> float | None:
        """Closed-loop completion rate: exited ÷ closed; None while none is closed."""
        return self.exited / self.closed if self.closed else None

    def __add__(self, other: LoopCompletion) -> LoopCompletion:
        return LoopCompletion(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(LoopCompletion))
        )


@dataclass(frozen=True, slots=True)
class ApprovalTimes:
    """Minutes from filing to approval of the applications approved in a period.

    Median (the mean of the two middle values for an even count), 90th percentile by nearest
    rank, and mean; None when nothing was approved.
    """

    count: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    mean_minutes: float | None = None


@dataclass(frozen=True, slots=True)
class DayReport:
    """The figures of one local day."""

    day: date
    checkpoints: tuple[CheckpointRow, ...]
    enterprises: tuple[EnterpriseRow, ...]
    loops: LoopCompletion
    approval: ApprovalTimes

    @property
    def scans(self) -> CheckpointRow:
        """Every checkpoint's counts added up."""
        return _sum_checkpoints(self.checkpoints, "", "")

    @property
    def applications(self) -> EnterpriseRow:
        """Every enterprise's counts added up."""
        return _sum_enterprises(self.enterprises, 0, "")


@dataclass(frozen=True, slots=True)
class DailyReport:
    """The daily report of ``start`` … ``end`` (local dates, both included)."""

    start: date
    end: date
    generated_at: datetime
    days: tuple[DayReport, ...]
    checkpoints: tuple[CheckpointRow, ...]  # the period's totals per checkpoint
    enterprises: tuple[EnterpriseRow, ...]  # the period's totals per enterprise
    loops: LoopCompletion
    approval: ApprovalTimes
    timezone: str = field(default=str(REPORT_TZ))

    @property
    def scans(self) -> CheckpointRow:
        """The period's scans at every checkpoint added up."""
        return _sum_checkpoints(self.checkpoints, "", "")

    @property
    def applications(self) -> EnterpriseRow:
        """The period's applications of every enterprise added up."""
        return _sum_enterprises(self.enterprises, 0, "")


# --- the period --------------------------------------------------------------------------------


def check_period(start: date, end: date) -> None:
    """Raise ``BadPeriod`` unless ``start`` ≤ ``end`` and the period has at most ``MAX_DAYS``."""
    if start > end:
        raise BadPeriod(f"the period starts ({start}) after it ends ({end})")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadPeriod(f"a report covers at most {MAX_DAYS} days")


def period_days(start: date, end: date) -> list[date]:
    """Every date from ``start`` to ``end``, both included."""
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where local ``day`` begins and the next day begins (half-open)."""
    begin = datetime.combine(day, time.min, tzinfo=REPORT_TZ)
    after = datetime.combine(day + timedelta(days=1), time.min, tzinfo=REPORT_TZ)
    return begin.astimezone(UTC), after.astimezone(UTC)


# --- assembling --------------------------------------------------------------------------------

_KIND_ORDER: Final = {
    CheckpointKind.GATE: 0,
    CheckpointKind.ISOLATION: 1,
    CheckpointKind.ENTERPRISE: 2,
}


def _point_key(row: CheckpointRow) -> tuple[int, str]:
    return _KIND_ORDER[row.kind], row.code


def _sum_checkpoints(rows: Iterable[CheckpointRow], code: str, name: str) -> CheckpointRow:
    total = CheckpointRow(code, name, CheckpointKind.GATE)
    for row in rows:
        total = replace(
            total,
            scans=total.scans + row.scans,
            green=total.green + row.green,
            amber=total.amber + row.amber,
            red=total.red + row.red,
            entries=total.entries + row.entries,
            exits=total.exits + row.exits,
        )
    return total


def _sum_enterprises(rows: Iterable[EnterpriseRow], enterprise_id: int, name: str) -> EnterpriseRow:
    total = EnterpriseRow(enterprise_id, name)
    for row in rows:
        total = replace(
            total,
            filed=total.filed + row.filed,
            approved=total.approved + row.approved,
            rejected=total.rejected + row.rejected,
            issued=total.issued + row.issued,
            arrivals=total.arrivals + row.arrivals,
            loops_completed=total.loops_completed + row.loops_completed,
        )
    return total


def with_fixed_points(
    rows: Iterable[CheckpointRow], points: Iterable[Checkpoint]
) -> tuple[CheckpointRow, ...]:
    """The rows, plus a zero row for every active gate and isolation point without scans
    (an idle gate is news; idle enterprise points are not), gates first, then by code."""
    by_code = {row.code: row for row in rows}
    for point in points:
        if point.active and point.kind is not CheckpointKind.ENTERPRISE:
            by_code.setdefault(point.code, CheckpointRow(point.code, point.name, point.kind))
    return tuple(sorted(by_code.values(), key=_point_key))


def assemble(
    start: date,
    end: date,
    generated_at: datetime,
    days: Sequence[DayReport],
    points: Sequence[Checkpoint],
    approval: ApprovalTimes,
) -> DailyReport:
    """The report from its days: period totals per checkpoint and enterprise are the days'
    sums; ``approval`` is the period's own (medians do not add up)."""
    point_rows: dict[str, list[CheckpointRow]] = {}
    enterprise_rows: dict[int, list[EnterpriseRow]] = {}
    loops = LoopCompletion()
    for day in days:
        for point in day.checkpoints:
            point_rows.setdefault(point.code, []).append(point)
        for enterprise in day.enterprises:
            enterprise_rows.setdefault(enterprise.enterprise_id, []).append(enterprise)
        loops += day.loops
    checkpoint_totals = [
        replace(_sum_checkpoints(rows, code, rows[-1].name), kind=rows[-1].kind)
        for code, rows in point_rows.items()
    ]
    enterprise_totals = sorted(
        (_sum_enterprises(rows, key, rows[-1].name) for key, rows in enterprise_rows.items()),
        key=lambda row: row.enterprise_id,
    )
    return DailyReport(
        start=start,
        end=end,
        generated_at=generated_at,
        days=tuple(days),
        checkpoints=with_fixed_points(checkpoint_totals, points),
        enterprises=tuple(enterprise_totals),
        loops=loops,
        approval=approval,
    )


# --- tables: what every writer shows -----------------------------------------------------------


class ColumnKind(StrEnum):
    """How a column's values are written and aligned."""

    TEXT = "text"
    DATE = "date"
    COUNT = "count"
    RATE = "rate"
    MINUTES = "minutes"


@dataclass(frozen=True)
class Column:
    """A column: its header in the report's language and how its values look."""

    key: str
    header: str
    kind: ColumnKind = ColumnKind.COUNT

    @property
    def numeric(self) -> bool:
        """Right-aligned numbers (counts, rates, minutes)."""
        return self.kind not in (ColumnKind.TEXT, ColumnKind.DATE)


@dataclass(frozen=True)
class Table:
    """One table of the report; ``total_rows`` are the last rows (the period's totals)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total_rows: int = 0
    grouped: bool = False  # several rows per day: a day's rows are set apart in print


_TEXT: Final[dict[str, dict[str, str]]] = {
    "zh": {
        "period": "统计期间",
        "generated": "生成时间",
        "timezone": "北京时间",
        "colon": "：",
        "overview": "期间概览",
        "scans_per_day": "每日扫码",
        "applications_per_day": "每日报备与审批",
        "loops_per_day": "每日签发与闭环",
        "by_checkpoint": "按扫码点",
        "by_enterprise": "按企业",
        "continued": "（续）",
        "total": "合计",
        "page": "第 {page} 页 / 共 {pages} 页",
        "date": "日期",
        "code": "编码",
        "name": "名称",
        "kind": "类型",
        "scans": "扫码",
        "green": "放行",
        "amber": "核查",
        "red": "拦截",
        "entries": "入城",
        "exits": "出城",
        "enterprise": "企业",
        "filed": "报备",
        "approved": "批准",
        "rejected": "驳回",
        "issued": "签发",
        "arrivals": "到达",
        "loops_completed": "当日闭环",
        "exited": "已出城",
        "revoked": "已撤销",
        "expired": "已过期",
        "open": "在途",
        "rate": "闭环完成率",
        "median": "审批中位数（分钟）",
        "p90": "审批P90（分钟）",
        "mean": "审批平均（分钟）",
        "GATE": "卡口",
        "ENTERPRISE": "企业点",
        "ISOLATION": "隔离点",
        "rate_line": "闭环完成率 {rate}（已出城 {exited} / 已结束 {closed}；"
        "其中撤销 {revoked}、过期 {expired}），仍在途 {open}，期间签发 {issued}",
        "approval_line": "报备到批准用时：中位数 {median} 分钟，P90 {p90} 分钟，"
        "平均 {mean} 分钟（{count} 份批准）",
        "scan_line": "扫码 {scans} 次：放行 {green}、核查 {amber}、拦截 {red}；"
        "入城 {entries}，出城 {exits}",
        "application_line": "报备 {filed}，批准 {approved}，驳回 {rejected}，"
        "企业到达 {arrivals}，完成闭环 {loops}",
        "rate_note": "闭环完成率 = 期间签发、现已结束的通行证中已出城的比例"
        "（结束 = 出城、撤销或过期）。",
    },
    "en": {
        "period": "Period",
        "generated": "Generated",
        "timezone": "China Standard Time, UTC+8",
        "colon": ": ",
        "overview": "The period at a glance",
        "scans_per_day": "Scans per day",
        "applications_per_day": "Applications per day",
        "loops_per_day": "Passes and closed loops per day",
        "by_checkpoint": "By checkpoint",
        "by_enterprise": "By enterprise",
        "continued": " (continued)",
        "total": "Total",
        "page": "Page {page} of {pages}",
        "date": "Date",
        "code": "Code",
        "name": "Name",
        "kind": "Kind",
        "scans": "Scans",
        "green": "GREEN",
        "amber": "AMBER",
        "red": "RED",
        "entries": "Entries",
        "exits": "Exits",
        "enterprise": "Enterprise",
        "filed": "Filed",
        "approved": "Approved",
        "rejected": "Rejected",
        "issued": "Issued",
        "arrivals": "Arrivals",
        "loops_completed": "Loops closed",
        "exited": "Exited",
        "revoked": "Revoked",
        "expired": "Expired",
        "open": "Still open",
        "rate": "Completion rate",
        "median": "Approval median (min)",
        "p90": "Approval P90 (min)",
        "mean": "Approval mean (min)",
        "GATE": "Gate",
        "ENTERPRISE": "Enterprise",
        "ISOLATION": "Isolation",
        "rate_line": "Closed-loop completion {rate} (exited {exited} of {closed} closed; "
        "revoked {revoked}, expired {expired}); still open {open}; issued {issued}",
        "approval_line": "Filing to approval: median {median} min, P90 {p90} min, "
        "mean {mean} min ({count} approved)",
        "scan_line": "Scans {scans}: GREEN {green}, AMBER {amber}, RED {red}; "
        "entries {entries}, exits {exits}",
        "application_line": "Filed {filed}, approved {approved}, rejected {rejected}, "
        "arrivals {arrivals}, loops closed {loops}",
        "rate_note": "Completion rate = of the passes issued in the period that are no longer "
        "open, the share that exited (closed = exited, revoked or expired).",
    },
}


def _texts(lang: Lang) -> dict[str, str]:
    return _TEXT["en" if lang == "en" else "zh"]


def _columns(lang: Lang, *keys: str) -> tuple[Column, ...]:
    text = _texts(lang)
    kinds = {
        "date": ColumnKind.DATE,
        "code": ColumnKind.TEXT,
        "name": ColumnKind.TEXT,
        "kind": ColumnKind.TEXT,
        "enterprise": ColumnKind.TEXT,
        "rate": ColumnKind.RATE,
        "median": ColumnKind.MINUTES,
        "p90": ColumnKind.MINUTES,
        "mean": ColumnKind.MINUTES,
    }
    return tuple(Column(key, text[key], kinds.get(key, ColumnKind.COUNT)) for key in keys)


def _scan_cells(row: CheckpointRow) -> tuple[Cell, ...]:
    return (row.scans, row.green, row.amber, row.red, row.entries, row.exits)


def _application_cells(apps: EnterpriseRow, times: ApprovalTimes) -> tuple[Cell, ...]:
    return (apps.filed, apps.approved, apps.rejected, *_approval_cells(times))


def _approval_cells(times: ApprovalTimes) -> tuple[Cell, ...]:
    return (times.median_minutes, times.p90_minutes, times.mean_minutes)


def _loop_cells(apps: EnterpriseRow, loops: LoopCompletion) -> tuple[Cell, ...]:
    return (
        apps.issued,
        apps.loops_completed,
        loops.exited,
        loops.revoked,
        loops.expired,
        loops.open,
        loops.rate,
    )


def _per_day(
    report: DailyReport,
    key: str,
    lang: Lang,
    cells: Callable[[DayReport | DailyReport], tuple[Cell, ...]],
    *columns: str,
) -> Table:
    """A table of one row per day and a total row for the period."""
    text = _texts(lang)
    rows = [(day.day, *cells(day)) for day in report.days]
    return Table(
        key,
        text[key],
        _columns(lang, "date", *columns),
        (*rows, (text["total"], *cells(report))),
        1,
    )


def report_tables(report: DailyReport, lang: Lang = "zh") -> tuple[Table, ...]:
    """The report as five tables (per-day rows, then the period's total rows)."""
    return (
        _per_day(
            report,
            "scans_per_day",
            lang,
            lambda part: _scan_cells(part.scans),
            *("scans", "green", "amber", "red", "entries", "exits"),
        ),
        _per_day(
            report,
            "applications_per_day",
            lang,
            lambda part: _application_cells(part.applications, part.approval),
            *("filed", "approved", "rejected", "median", "p90", "mean"),
        ),
        _per_day(
            report,
            "loops_per_day",
            lang,
            lambda part: _loop_cells(part.applications, part.loops),
            *("issued", "loops_completed", "exited", "revoked", "expired", "open", "rate"),
        ),
        _checkpoint_table(report, lang),
        _enterprise_table(report, lang),
    )


def _period_rows(report: DailyReport, rows: tuple[T, ...]) -> tuple[T, ...]:
    """The period's rows per checkpoint or enterprise; none for a one-day report, where they
    would repeat the day's rows."""
    return rows if len(report.days) > 1 else ()


def _checkpoint_table(report: DailyReport, lang: Lang) -> Table:
    text = _texts(lang)

    def cells(when: Cell, row: CheckpointRow) -> tuple[Cell, ...]:
        return (when, row.code, row.name, text[row.kind.value], *_scan_cells(row))

    rows = [cells(day.day, row) for day in report.days for row in day.checkpoints]
    totals = [cells(text["total"], row) for row in _period_rows(report, report.checkpoints)]
    return Table(
        "by_checkpoint",
        text["by_checkpoint"],
        _columns(
            lang,
            "date",
            "code",
            "name",
            "kind",
            "scans",
            "green",
            "amber",
            "red",
            "entries",
            "exits",
        ),
        (*rows, *totals),
        len(totals),
        grouped=True,
    )


def _enterprise_table(report: DailyReport, lang: Lang) -> Table:
    text = _texts(lang)

    def cells(when: Cell, row: EnterpriseRow) -> tuple[Cell, ...]:
        counts = (row.filed, row.approved, row.rejected, row.issued, row.arrivals)
        return (when, row.name, *counts, row.loops_completed)

    rows = [cells(day.day, row) for day in report.days for row in day.enterprises]
    totals = [cells(text["total"], row) for row in _period_rows(report, report.enterprises)]
    return Table(
        "by_enterprise",
        text["by_enterprise"],
        _columns(
            lang,
            "date",
            "enterprise",
            "filed",
            "approved",
            "rejected",
            "issued",
            "arrivals",
            "loops_completed",
        ),
        (*rows, *totals),
        len(totals),
        grouped=True,
    )


def _dash(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def overview_lines(report: DailyReport, lang: Lang = "zh") -> list[str]:
    """The period in four sentences: scans, applications, loops, approval time."""
    text = _texts(lang)
    scans, apps, loops, times = report.scans, report.applications, report.loops, report.approval
    return [
        text["scan_line"].format(
            scans=scans.scans,
            green=scans.green,
            amber=scans.amber,
            red=scans.red,
            entries=scans.entries,
            exits=scans.exits,
        ),
        text["application_line"].format(
            filed=apps.filed,
            approved=apps.approved,
            rejected=apps.rejected,
            arrivals=apps.arrivals,
            loops=apps.loops_completed,
        ),
        text["rate_line"].format(
            rate=_rate(loops.rate),
            exited=loops.exited,
            closed=loops.closed,
            revoked=loops.revoked,
            expired=loops.expired,
            open=loops.open,
            issued=loops.issued,
        ),
        text["approval_line"].format(
            median=_dash(times.median_minutes),
            p90=_dash(times.p90_minutes),
            mean=_dash(times.mean_minutes),
            count=times.count,
        ),
    ]


def _period_text(report: DailyReport) -> str:
    return f"{report.start.isoformat()} – {report.end.isoformat()}"


def _generated_text(report: DailyReport) -> str:
    return report.generated_at.astimezone(REPORT_TZ).strftime("%Y-%m-%d %H:%M")


def _header_pairs(report: DailyReport, lang: Lang) -> list[tuple[str, str]]:
    """(label, value) of the period (with its time zone) and the generation time."""
    text = _texts(lang)
    opening, closing = ("（", "）") if lang == "zh" else (" (", ")")
    return [
        (text["period"], f"{_period_text(report)}{opening}{text['timezone']}{closing}"),
        (text["generated"], _generated_text(report)),
    ]


def _header_lines(report: DailyReport, lang: Lang) -> list[str]:
    colon = _texts(lang)["colon"]
    return [label + colon + value for label, value in _header_pairs(report, lang)]


def _display(value: Cell, kind: ColumnKind) -> str:
    """A cell as people read it: rates as percentages, minutes to one decimal, None as —."""
    if value is None:
        return "—"
    if kind is ColumnKind.RATE and isinstance(value, float):
        return f"{value:.1%}"
    if kind is ColumnKind.MINUTES and isinstance(value, float | int):
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- JSON and plain text -----------------------------------------------------------------------


def _loops_json(loops: LoopCompletion) -> dict[str, Any]:
    return {
        "issued": loops.issued,
        "exited": loops.exited,
        "revoked": loops.revoked,
        "expired": loops.expired,
        "closed": loops.closed,
        "open": loops.open,
        "completion_rate": loops.rate,
    }


def _approval_json(times: ApprovalTimes) -> dict[str, Any]:
    return {
        "count": times.count,
        "median_minutes": times.median_minutes,
        "p90_minutes": times.p90_minutes,
        "mean_minutes": times.mean_minutes,
    }


def _checkpoint_json(row: CheckpointRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "kind": row.kind.value,
        "scans": row.scans,
        "green": row.green,
        "amber": row.amber,
        "red": row.red,
        "entries": row.entries,
        "exits": row.exits,
    }


def _enterprise_json(row: EnterpriseRow) -> dict[str, Any]:
    return {
        "id": row.enterprise_id,
        "name": row.name,
        "filed": row.filed,
        "approved": row.approved,
        "rejected": row.rejected,
        "issued": row.issued,
        "arrivals": row.arrivals,
        "loops_completed": row.loops_completed,
    }


def report_document(report: DailyReport) -> dict[str, Any]:
    """The report as one JSON-ready document with stable English keys."""

    def part(
        checkpoints: Iterable[CheckpointRow],
        enterprises: Iterable[EnterpriseRow],
        loops: LoopCompletion,
        approval: ApprovalTimes,
    ) -> dict[str, Any]:
        return {
            "checkpoints": [_checkpoint_json(row) for row in checkpoints],
            "enterprises": [_enterprise_json(row) for row in enterprises],
            "loops": _loops_json(loops),
            "approval": _approval_json(approval),
        }

    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "timezone": report.timezone,
        "generated_at": report.generated_at.astimezone(UTC).isoformat(),
        "days": [
            {"date": day.day.isoformat()}
            | part(day.checkpoints, day.enterprises, day.loops, day.approval)
            for day in report.days
        ],
        "totals": part(report.checkpoints, report.enterprises, report.loops, report.approval),
    }


def display_width(text: str) -> int:
    """Terminal columns of ``text``: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def report_text(report: DailyReport, lang: Lang = "zh") -> str:
    """The report as aligned plain-text tables for a terminal."""
    lines = [TITLE, *_header_lines(report, lang), "", *overview_lines(report, lang)]
    for table in report_tables(report, lang):
        shown = [
            [_display(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            for row in table.rows
        ]
        widths = [
            max([display_width(column.header)] + [display_width(row[i]) for row in shown])
            for i, column in enumerate(table.columns)
        ]
        lines += ["", f"[{table.title}]"]
        lines.append(
            "  ".join(
                _pad(c.header, w, c.numeric) for c, w in zip(table.columns, widths, strict=True)
            ).rstrip()
        )
        for row in shown:
            cells = zip(row, table.columns, widths, strict=True)
            lines.append("  ".join(_pad(v, w, c.numeric) for v, c, w in cells).rstrip())
    return "\n".join(lines)


# --- CSV ---------------------------------------------------------------------------------------


def _csv_value(value: Cell, kind: ColumnKind) -> str:
    if value is None:
        return ""
    if kind is ColumnKind.RATE and isinstance(value, float):
        return f"{value * 100:.1f}%"
    if kind is ColumnKind.MINUTES and isinstance(value, float | int):
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def report_csv(report: DailyReport, lang: Lang = "zh") -> bytes:
    """The tables one after another in one CSV file: UTF-8 with a BOM (so Excel reads the
    Chinese right), CRLF lines. The first line is the header of the first table; each later
    table starts after an empty line with a line holding its title; the report's period and
    generation time close the file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for index, table in enumerate(report_tables(report, lang)):
        if index:
            writer.writerow([])
            writer.writerow([table.title])
        writer.writerow([column.header for column in table.columns])
        for row in table.rows:
            writer.writerow(
                [_csv_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            )
    writer.writerow([])
    for pair in _header_pairs(report, lang):
        writer.writerow(pair)
    return out.getvalue().encode("utf-8-sig")


# --- XLSX --------------------------------------------------------------------------------------

_XLSX_MAX_WIDTH: Final = 60
_XLSX_PADDING: Final = 2
_XLSX_FORMATS: Final = {
    ColumnKind.RATE: "0.0%",
    ColumnKind.MINUTES: "0.0",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.COUNT: "0",
}
_SHEET_FORBIDDEN: Final = str.maketrans({c: " " for c in "[]:*?/\\"})
_SHEET_NAME_MAX: Final = 31


def report_xlsx(report: DailyReport, lang: Lang = "zh") -> bytes:
    """An XLSX workbook: an overview sheet, then one sheet per table, with bold headers,
    fitted column widths, a frozen header row, and numbers stored as numbers."""
    from openpyxl import Workbook  # noqa: PLC0415 (a few hundred ms: only when exporting)
    from openpyxl.styles import Font  # noqa: PLC0415

    text = _texts(lang)
    book = Workbook()
    overview = book.active
    overview.title = text["overview"].translate(_SHEET_FORBIDDEN)[:_SHEET_NAME_MAX]
    for line in [
        TITLE,
        *_header_lines(report, lang),
        "",
        *overview_lines(report, lang),
        "",
        text["rate_note"],
    ]:
        overview.append([line])
    overview["A1"].font = Font(bold=True, size=14)
    overview.column_dimensions["A"].width = _XLSX_MAX_WIDTH * 2
    bold = Font(bold=True)
    for table in report_tables(report, lang):
        sheet = book.create_sheet(table.title.translate(_SHEET_FORBIDDEN)[:_SHEET_NAME_MAX])
        sheet.append([column.header for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        first_total = len(table.rows) - table.total_rows
        for number, row in enumerate(table.rows):
            sheet.append(list(row))
            for cell, column in zip(sheet[sheet.max_row], table.columns, strict=True):
                if not isinstance(cell.value, str):
                    cell.number_format = _XLSX_FORMATS.get(column.kind, "General")
                if number >= first_total:
                    cell.font = bold
        sheet.freeze_panes = "A2"
        _fit_columns(sheet, table)
    book.properties.creator = "LoopPass"
    book.properties.title = f"LoopPass daily report {report.start} – {report.end}"
    # Stamp the file with the report's time, not the export's: same report, same metadata.
    stamp = report.generated_at.astimezone(UTC).replace(tzinfo=None)
    book.properties.created = book.properties.modified = stamp
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fit_columns(sheet: Any, table: Table) -> None:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    for index, column in enumerate(table.columns):
        widest = max(
            [display_width(column.header)]
            + [display_width(_display(row[index], column.kind)) for row in table.rows]
        )
        width = min(_XLSX_MAX_WIDTH, widest + _XLSX_PADDING)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width


# --- PDF ---------------------------------------------------------------------------------------

_DPI: Final = 300
_PAGE_MM: Final = (210.0, 297.0)  # A4 portrait
_MARGIN_MM: Final = 15.0
_MM_PER_INCH: Final = 25.4
_PT_PER_INCH: Final = 72.0


def _px(mm: float) -> int:
    return round(mm / _MM_PER_INCH * _DPI)


def _pt(points: float) -> int:
    return round(points / _PT_PER_INCH * _DPI)


_SIZES: Final = {
    "title": _pt(16),
    "meta": _pt(9),
    "overview": _pt(9),
    "section": _pt(11),
    "header": _pt(7.5),
    "body": _pt(8),
    "footer": _pt(7.5),
}
_LINE_GAP: Final = 1.35  # line height as a multiple of the font size
_CELL_PAD_X: Final = _px(1.2)
_CELL_PAD_Y: Final = _px(0.9)
_RULE_THIN: Final = 2
_RULE_THICK: Final = 5
_SECTION_GAP: Final = _px(6)
_MIN_TEXT_COLUMN: Final = _px(14)
_WIDE_TEXT: Final = _px(45)  # a name column narrower than this wraps most names
_FLEXIBLE: Final = frozenset({"name", "enterprise"})  # the columns that wrap


@dataclass(frozen=True)
class _Fonts:
    regular: FontFace
    bold: FontFace


def _load_fonts() -> _Fonts:
    from core.pass_document import find_fonts  # noqa: PLC0415 (Pillow and the CJK font lookup)

    fonts = find_fonts()
    return _Fonts(fonts.regular, fonts.bold)


def _tokens(text: str) -> list[str]:
    """Where a line may break: between CJK characters, and at spaces between Latin words."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if unicodedata.east_asian_width(char) in "WF":
            if word:
                tokens.append(word)
                word = ""
            # Closing punctuation stays with the character before it.
            if tokens and char in "，。、；：）」』】》":
                tokens[-1] += char
            else:
                tokens.append(char)
        elif char == " ":
            tokens.append(word + " ")
            word = ""
        else:
            word += char
    if word:
        tokens.append(word)
    return tokens


@lru_cache(maxsize=16384)
def _advance(font: ImageFont.FreeTypeFont, char: str) -> float:
    return font.getlength(char)


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    """The width of ``text`` as the sum of its characters' cached advances: one FreeType call
    per distinct character instead of one per candidate line (~0.1 ms each with CJK). BASIC
    layout does not kern CJK; the cell padding absorbs any Latin kerning."""
    return sum(_advance(font, char) for char in text)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy line filling at token boundaries (characters when one token is too wide)."""
    if _width(font, text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if _width(font, (line + token).rstrip()) <= width or not line:
            line += token
        else:
            lines.append(line.rstrip())
            line = token
        while _width(font, line.rstrip()) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and _width(font, line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


@dataclass
class _Op:
    """One drawing operation on a page: text at a baseline, or a filled rectangle."""

    kind: Literal["text", "rule"]
    x: int
    y: int
    text: str = ""
    face: FontFace | None = None
    size: int = 0
    anchor: str = "ls"
    x2: int = 0
    y2: int = 0


class _Pages:
    """Pages of drawing operations, filled from top to bottom; numbered when finished."""

    def __init__(self, fonts: _Fonts, running_head: str) -> None:
        self.fonts = fonts
        self.width, self.height = _px(_PAGE_MM[0]), _px(_PAGE_MM[1])
        self.left, self.right = _px(_MARGIN_MM), self.width - _px(_MARGIN_MM)
        self.top = _px(_MARGIN_MM)
        self.bottom = self.height - _px(_MARGIN_MM) - _line(_SIZES["footer"]) * 2
        self.running_head = running_head
        self.pages: list[list[_Op]] = []
        self.y = 0
        self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top
        if len(self.pages) > 1:
            size = _SIZES["footer"]
            self.y += _ascent(self.fonts.regular, size)
            self.text(self.left, self.y, self.running_head, self.fonts.regular, size)
            self.y += _line(size)

    def room(self) -> int:
        return self.bottom - self.y

    def text(
        self, x: int, y: int, text: str, face: FontFace, size: int, anchor: str = "ls"
    ) -> None:
        self.pages[-1].append(_Op("text", x, y, text, face, size, anchor))

    def rule(
        self, y: int, thickness: int, left: int | None = None, right: int | None = None
    ) -> None:
        x1 = self.left if left is None else left
        x2 = self.right if right is None else right
        self.pages[-1].append(_Op("rule", x1, y, x2=x2, y2=y + thickness - 1))


def _line(size: int) -> int:
    return round(size * _LINE_GAP)


def _ascent(face: FontFace, size: int) -> int:
    ascent, _descent = face.at(size).getmetrics()
    return int(ascent)


def report_pdf(report: DailyReport, lang: Lang = "zh") -> bytes:
    """The report on A4 portrait pages: title, period and generation time, the period at a
    glance, then every table (its header repeated on each page it continues on), with page
    numbers. Black on white at 300 dpi, one bilevel image per page (like the printed pass).

    Raises:
        FontMissing: Noto Sans CJK is not installed.
    """
    from PIL import Image  # noqa: PLC0415

    fonts = _load_fonts()
    text = _texts(lang)
    pages = _Pages(fonts, f"{TITLE} · {_period_text(report)}")
    _place_title(pages, report, lang)
    for table in report_tables(report, lang):
        _place_table(pages, table, text["continued"])
    images = [
        _draw_page(pages, ops, number, text["page"]) for number, ops in enumerate(pages.pages, 1)
    ]
    bilevel = [image.convert("1", dither=Image.Dither.NONE) for image in images]
    out = io.BytesIO()
    stamp = report.generated_at.astimezone(UTC).timetuple()
    bilevel[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=bilevel[1:],
        resolution=float(_DPI),
        # ASCII only: Pillow writes these as PDF strings byte for byte.
        title=f"LoopPass daily report {report.start} to {report.end}",
        creator="LoopPass",
        creationDate=stamp,
        modDate=stamp,
    )
    return out.getvalue()


def _place_title(pages: _Pages, report: DailyReport, lang: Lang) -> None:
    fonts = pages.fonts
    size = _SIZES["title"]
    pages.y += _ascent(fonts.bold, size)
    pages.text(pages.left, pages.y, TITLE, fonts.bold, size)
    pages.y += _line(size) - _ascent(fonts.bold, size) + _px(2)
    for line in _header_lines(report, lang):
        pages.y += _line(_SIZES["meta"])
        pages.text(pages.left, pages.y, line, fonts.regular, _SIZES["meta"])
    pages.y += _px(3)
    pages.rule(pages.y, _RULE_THICK)
    pages.y += _px(3)
    size = _SIZES["section"]
    pages.y += _line(size)
    pages.text(pages.left, pages.y, _texts(lang)["overview"], fonts.bold, size)
    pages.y += _px(1)
    body = fonts.regular.at(_SIZES["overview"])
    width = pages.right - pages.left
    for sentence in overview_lines(report, lang):
        for line in _wrap("• " + sentence, body, width):
            pages.y += _line(_SIZES["overview"])
            pages.text(pages.left, pages.y, line, fonts.regular, _SIZES["overview"])
    pages.y += _px(1)
    for line in _wrap(_texts(lang)["rate_note"], fonts.regular.at(_SIZES["footer"]), width):
        pages.y += _line(_SIZES["footer"])
        pages.text(pages.left, pages.y, line, fonts.regular, _SIZES["footer"])


@dataclass(frozen=True)
class _RowLayout:
    cells: tuple[tuple[str, ...], ...]  # each cell's lines
    height: int
    bold: bool


def _two_line_width(font: ImageFont.FreeTypeFont, text: str) -> float:
    """The width ``text`` needs when broken into two lines at the best place."""
    tokens = _tokens(text)
    return min(
        max(_width(font, "".join(tokens[:cut]).rstrip()), _width(font, "".join(tokens[cut:])))
        for cut in range(1, len(tokens) + 1)
    )


def _column_widths(
    table: Table, shown: Sequence[Sequence[str]], fonts: _Fonts, width: int
) -> list[int]:
    """Column widths filling ``width``. Every column gets its widest value and its header on
    one line if the page allows; otherwise the name columns give way first (down to
    ``_WIDE_TEXT``, wrapping), then the other headers take two lines, then the names shrink
    to what is left (never below ``_MIN_TEXT_COLUMN``)."""
    body = fonts.regular.at(_SIZES["body"])
    bold = fonts.bold.at(_SIZES["body"])
    head = fonts.bold.at(_SIZES["header"])
    pad = 2 * _CELL_PAD_X + 2  # +2: the advances are summed, not kerned
    count = range(len(table.columns))
    values = [
        max((max(_width(body, row[i]), _width(bold, row[i])) for row in shown), default=0.0)
        for i in count
    ]
    one_line = [_width(head, column.header) for column in table.columns]
    two_lines = [_two_line_width(head, column.header) for column in table.columns]
    natural = [int(max(values[i], one_line[i])) + pad for i in count]
    if sum(natural) <= width:
        spare = width - sum(natural)
        return [n + spare * n // sum(natural) for n in natural]
    flexible = [i for i in count if table.columns[i].key in _FLEXIBLE]
    wanted = sum(natural[i] for i in flexible) or 1
    for headers, least in ((one_line, _WIDE_TEXT), (two_lines, _WIDE_TEXT), (two_lines, 0)):
        fixed = {i: int(max(values[i], headers[i])) + pad for i in count if i not in flexible}
        room = width - sum(fixed.values())
        if room >= sum(min(natural[i], least) for i in flexible):
            break
    shares = {i: max(_MIN_TEXT_COLUMN, room * natural[i] // wanted) for i in flexible}
    return [fixed[i] if i in fixed else shares[i] for i in count]


def _layout_row(
    values: Sequence[str], widths: Sequence[int], face: FontFace, size: int, bold: bool
) -> _RowLayout:
    font = face.at(size)
    cells = tuple(
        tuple(_wrap(value, font, width - 2 * _CELL_PAD_X))
        for value, width in zip(values, widths, strict=True)
    )
    lines = max(len(cell) for cell in cells)
    return _RowLayout(cells, lines * _line(size) + 2 * _CELL_PAD_Y, bold)


def _place_table(pages: _Pages, table: Table, continued: str) -> None:
    fonts = pages.fonts
    shown = [
        [_display(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in table.rows
    ]
    widths = _column_widths(table, shown, fonts, pages.right - pages.left)
    header = _layout_row(
        [c.header for c in table.columns], widths, fonts.bold, _SIZES["header"], True
    )
    first_total = len(shown) - table.total_rows
    rows = [
        _layout_row(
            values,
            widths,
            fonts.bold if n >= first_total else fonts.regular,
            _SIZES["body"],
            n >= first_total,
        )
        for n, values in enumerate(shown)
    ]
    title_height = _SECTION_GAP + _line(_SIZES["section"]) + _px(1.5)
    medium = _RULE_THICK // 2 + 1

    def start(title: str, fresh_page: bool) -> None:
        if fresh_page:
            pages.new_page()
        elif pages.room() < title_height + header.height + (rows[0].height if rows else 0):
            pages.new_page()  # never a title and a header alone at the foot of a page
        else:
            pages.y += _SECTION_GAP
        pages.y += _line(_SIZES["section"])
        pages.text(pages.left, pages.y, title, fonts.bold, _SIZES["section"])
        pages.y += _px(1.5)
        pages.rule(pages.y, _RULE_THICK)
        pages.y += _RULE_THICK
        _place_row(pages, header, table.columns, widths, _SIZES["header"])
        pages.rule(pages.y, medium)
        pages.y += medium

    start(table.title, fresh_page=False)
    for number, row in enumerate(rows):
        if number:
            # The totals, and in the per-checkpoint and per-enterprise tables each new day,
            # begin under a heavier line.
            new_day = table.grouped and table.rows[number][0] != table.rows[number - 1][0]
            thickness = medium if number == first_total or new_day else _RULE_THIN
            if row.height + thickness > pages.room():
                start(table.title + continued, fresh_page=True)
            else:
                pages.rule(pages.y, thickness)
                pages.y += thickness
        _place_row(pages, row, table.columns, widths, _SIZES["body"])
    pages.rule(pages.y, _RULE_THIN)
    pages.y += _RULE_THIN


def _place_row(
    pages: _Pages,
    row: _RowLayout,
    columns: Sequence[Column],
    widths: Sequence[int],
    size: int,
) -> None:
    face = pages.fonts.bold if row.bold else pages.fonts.regular
    ascent = _ascent(face, size)
    x = pages.left
    for lines, column, width in zip(row.cells, columns, widths, strict=True):
        baseline = pages.y + _CELL_PAD_Y + ascent
        for line in lines:
            if column.numeric:
                pages.text(x + width - _CELL_PAD_X, baseline, line, face, size, "rs")
            else:
                pages.text(x + _CELL_PAD_X, baseline, line, face, size)
            baseline += _line(size)
        x += width
    pages.y += row.height


def _draw_page(pages: _Pages, ops: Sequence[_Op], number: int, label: str) -> Image.Image:
    from PIL import Image  # noqa: PLC0415

    image = Image.new("L", (pages.width, pages.height), 255)
    size = _SIZES["footer"]
    baseline = pages.height - _px(_MARGIN_MM) + _ascent(pages.fonts.regular, size) // 2
    footer = label.format(page=number, pages=len(pages.pages))
    for op in (
        *ops,
        _Op("text", pages.width // 2, baseline, footer, pages.fonts.regular, size, "ms"),
    ):
        _draw_op(image, op)
    return image


def _draw_op(image: Image.Image, op: _Op) -> None:
    if op.kind == "rule":
        image.paste(0, (op.x, op.y, op.x2, op.y2 + 1))
        return
    assert op.face is not None
    mask, (left, top) = _text_mask(op.face, op.size, op.text, op.anchor)
    image.paste(0, (op.x + left, op.y + top), mask)


# FreeType takes ~1 ms to rasterize a CJK string and a long report draws tens of thousands:
# each glyph is rasterized once per face and size, and each distinct string composed once from
# its glyphs (BASIC layout places glyphs by their advances alone, so this is what it draws).
@lru_cache(maxsize=4096)
def _glyph(face: FontFace, size: int, char: str) -> tuple[Image.Image, Box]:
    """The glyph's coverage mask and its offset from the pen on the baseline."""
    from PIL import Image, ImageDraw  # noqa: PLC0415

    font = face.at(size)
    left, top, right, bottom = (int(v) for v in font.getbbox(char, anchor="ls"))
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(mask).text((-left, -top), char, fill=255, font=font, anchor="ls")
    return mask, (left, top)


@lru_cache(maxsize=2048)
def _text_mask(face: FontFace, size: int, text: str, anchor: str) -> tuple[Image.Image, Box]:
    """The string's coverage mask and its offset from the anchor point (``ls``, ``ms``, ``rs``:
    left, middle or right end of the baseline)."""
    from PIL import Image  # noqa: PLC0415

    font = face.at(size)
    pen = 0.0
    placed: list[tuple[Image.Image, int, int]] = []
    for char in text:
        if not char.isspace():
            mask, (dx, dy) = _glyph(face, size, char)
            placed.append((mask, round(pen) + dx, dy))
        pen += _advance(font, char)
    if not placed:
        return Image.new("L", (1, 1), 0), (0, 0)
    left = min(x for _, x, _ in placed)
    top = min(y for _, _, y in placed)
    right = max(x + mask.width for mask, x, _ in placed)
    bottom = max(y + mask.height for mask, _, y in placed)
    canvas = Image.new("L", (right - left, bottom - top), 0)
    for mask, x, y in placed:
        canvas.paste(255, (x - left, y - top), mask)  # blends: overlapping edges stay smooth
    shift = {"l": 0.0, "m": -pen / 2, "r": -pen}[anchor[0]]
    return canvas, (left + round(shift), top)


# --- writers by format -------------------------------------------------------------------------

WRITERS: Final[dict[ReportFormat, Callable[[DailyReport, Lang], bytes]]] = {
    ReportFormat.CSV: report_csv,
    ReportFormat.XLSX: report_xlsx,
    ReportFormat.PDF: report_pdf,
}
