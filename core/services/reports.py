"""The daily report for supervisors: built from SQL aggregates, exported to CSV, XLSX or PDF.

Reading a report needs the dashboard or the export right (a supervisor has both); writing it
to a file needs the export right and is audited as ``report.export`` with the format and the
period only — the file itself holds enterprise names and counts, no personal data.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from core.errors import PermissionDenied
from core.models import User
from core.pass_document import FontMissing
from core.permissions import Action, allowed, require
from core.reports import (
    WRITERS,
    DailyReport,
    DayReport,
    Lang,
    ReportExportFailed,
    ReportFormat,
    assemble,
    check_period,
    day_bounds,
    period_days,
    with_fixed_points,
)
from core.services.base import Service


class ReportService(Service):
    """The daily report: figures per day, checkpoint and enterprise, and their files."""

    def daily(self, actor: User, start: date, end: date) -> DailyReport:
        """The report of local days ``start`` … ``end`` (both included), as of now.

        All figures come from one read snapshot of the database, so the tables agree.

        Raises:
            PermissionDenied: ``actor`` may neither view the dashboard nor export.
            BadPeriod: ``start`` is after ``end``, or the period is longer than a year.
        """
        if not (allowed(actor, Action.VIEW_DASHBOARD) or allowed(actor, Action.EXPORT)):
            raise PermissionDenied(f"{actor.role} may not read reports")
        check_period(start, end)
        now = self.clock()
        points = self.store.checkpoints.list_all()
        repo = self.store.reports
        days: list[DayReport] = []
        with repo.snapshot():
            for day in period_days(start, end):
                begin, after = day_bounds(day)
                days.append(
                    DayReport(
                        day=day,
                        checkpoints=with_fixed_points(repo.checkpoint_counts(begin, after), points),
                        enterprises=tuple(repo.enterprise_counts(begin, after)),
                        loops=repo.loop_completion(begin, after, now),
                        approval=repo.approval_times(begin, after),
                    )
                )
            approval = repo.approval_times(day_bounds(start)[0], day_bounds(end)[1])
        return assemble(start, end, now, days, points, approval)

    def export(
        self,
        actor: User,
        report: DailyReport,
        path: Path,
        format: ReportFormat | str,
        lang: Lang = "zh",
    ) -> Path:
        """Write ``report`` to ``path`` as CSV, XLSX or PDF; audited as ``report.export``.

        The file appears whole or not at all (written beside ``path``, then renamed).

        Raises:
            PermissionDenied: ``actor`` may not export.
            ValueError: an unknown format.
            ReportExportFailed: the folder is missing or not writable, or no CJK font (PDF).
        """
        require(actor, Action.EXPORT)
        kind = ReportFormat(format)
        try:
            data = WRITERS[kind](report, lang)
        except FontMissing as error:
            raise ReportExportFailed(str(error)) from error
        with self.store.transaction() as tx:
            _write_whole(path, data)
            self.audit(
                tx,
                actor,
                "report.export",
                "report",
                f"daily:{report.start.isoformat()}..{report.end.isoformat()}",
                {
                    "format": kind.value,
                    "from": report.start.isoformat(),
                    "to": report.end.isoformat(),
                },
            )
        return path


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file in ``path``'s folder, then rename it over ``path``."""
    folder = path.parent if str(path.parent) else Path()
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as error:
        raise ReportExportFailed(f"cannot write in {folder}: {error.strerror}") from error
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ReportExportFailed(f"cannot write {path}: {error.strerror}") from error
