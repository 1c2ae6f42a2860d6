"""审计日志 (supervisor, administrator): the audit log with filters, newest first; verification
of the whole chain; export with the signed head.

Verifying or exporting a million entries takes seconds, so each runs in a ``QThread``
(``ui.workers.ServiceWorker``) on a connection of its own (SQLite connections belong to the
thread that opened them) with the same key folder, and reports progress every
``core.audit.PROGRESS_EVERY`` entries; the window stays usable. The verification's result
stays on the page: green with how much of the log a signed head vouches for, or red with the
first bad entry and what is wrong with it; the export's signed head is shown under the table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.audit import ChainReport, Progress, SignedHead
from core.errors import DomainError
from core.models import AuditEntry, Page, User
from core.ports import AuditQuery, SearchQuery, Store
from core.services import Services
from core.services.audit import AuditService
from ui import formatting
from ui.list_page import SEARCH_DELAY_MS, ListPage
from ui.messages import error_message
from ui.pages.passes import ask_save_path
from ui.pages.station import reason_text
from ui.table_model import Column, Index, RecordTableModel
from ui.workers import ServiceWorker, Stopped, on_own_store, start_worker

CONTEXT = "AuditPage"
ENTRY_NUMBER = re.compile(r"#[0-9]+")
DEFAULT_DAYS = 7
DETAILS_CHARS = 80
OK_STYLE = "background: #e8f5e9; color: #1b5e20; border: 1px solid #a5d6a7;"
BAD_STYLE = "background: #ffebee; color: #b71c1c; border: 1px solid #ef9a9a;"

# Every action the services write, by group; the group is the filter's prefix ("scan"
# matches scan, scan.override and scan.plate_mismatch).
ACTION_GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "login",
        QT_TRANSLATE_NOOP("AuditPage", "Sign-ins"),
        (
            ("login", QT_TRANSLATE_NOOP("AuditPage", "Signed in")),
            ("login.failed", QT_TRANSLATE_NOOP("AuditPage", "Sign-in failed")),
            ("login.locked", QT_TRANSLATE_NOOP("AuditPage", "Sign-in while locked")),
            ("login.unknown_user", QT_TRANSLATE_NOOP("AuditPage", "Sign-in as an unknown user")),
        ),
    ),
    (
        "user",
        QT_TRANSLATE_NOOP("AuditPage", "Accounts"),
        (
            ("user.add", QT_TRANSLATE_NOOP("AuditPage", "Account created")),
            ("user.active", QT_TRANSLATE_NOOP("AuditPage", "Account enabled or disabled")),
            ("user.password", QT_TRANSLATE_NOOP("AuditPage", "Password changed")),
        ),
    ),
    (
        "enterprise",
        QT_TRANSLATE_NOOP("AuditPage", "Enterprises"),
        (
            ("enterprise.add", QT_TRANSLATE_NOOP("AuditPage", "Enterprise added")),
            ("enterprise.update", QT_TRANSLATE_NOOP("AuditPage", "Enterprise changed")),
            ("enterprise.whitelist", QT_TRANSLATE_NOOP("AuditPage", "Whitelist changed")),
        ),
    ),
    (
        "checkpoint",
        QT_TRANSLATE_NOOP("AuditPage", "Checkpoints"),
        (
            ("checkpoint.add", QT_TRANSLATE_NOOP("AuditPage", "Checkpoint added")),
            ("checkpoint.active", QT_TRANSLATE_NOOP("AuditPage", "Checkpoint opened or closed")),
        ),
    ),
    (
        "risk_region",
        QT_TRANSLATE_NOOP("AuditPage", "Risk regions"),
        (
            ("risk_region.add", QT_TRANSLATE_NOOP("AuditPage", "Risk region added")),
            ("risk_region.level", QT_TRANSLATE_NOOP("AuditPage", "Risk level changed")),
        ),
    ),
    (
        "vehicle",
        QT_TRANSLATE_NOOP("AuditPage", "Vehicles"),
        (
            ("vehicle.add", QT_TRANSLATE_NOOP("AuditPage", "Vehicle registered")),
            ("vehicle.update", QT_TRANSLATE_NOOP("AuditPage", "Vehicle changed")),
        ),
    ),
    (
        "driver",
        QT_TRANSLATE_NOOP("AuditPage", "Drivers"),
        (
            ("driver.add", QT_TRANSLATE_NOOP("AuditPage", "Driver registered")),
            ("driver.update", QT_TRANSLATE_NOOP("AuditPage", "Driver changed")),
            ("driver.reveal_id", QT_TRANSLATE_NOOP("AuditPage", "Full ID number shown")),
        ),
    ),
    (
        "application",
        QT_TRANSLATE_NOOP("AuditPage", "Applications"),
        (
            ("application.add", QT_TRANSLATE_NOOP("AuditPage", "Application added")),
            ("application.file", QT_TRANSLATE_NOOP("AuditPage", "Application filed")),
            ("application.import", QT_TRANSLATE_NOOP("AuditPage", "Applications imported")),
            ("application.update", QT_TRANSLATE_NOOP("AuditPage", "Application changed")),
            ("application.submit", QT_TRANSLATE_NOOP("AuditPage", "Application submitted")),
            ("application.withdraw", QT_TRANSLATE_NOOP("AuditPage", "Application withdrawn")),
            ("application.approve", QT_TRANSLATE_NOOP("AuditPage", "Application approved")),
            ("application.reject", QT_TRANSLATE_NOOP("AuditPage", "Application rejected")),
        ),
    ),
    (
        "pass",
        QT_TRANSLATE_NOOP("AuditPage", "Passes"),
        (
            ("pass.issue", QT_TRANSLATE_NOOP("AuditPage", "Pass issued")),
            ("pass.export", QT_TRANSLATE_NOOP("AuditPage", "Pass saved or printed")),
            ("pass.revoke", QT_TRANSLATE_NOOP("AuditPage", "Pass revoked")),
            ("pass.expire", QT_TRANSLATE_NOOP("AuditPage", "Passes expired")),
        ),
    ),
    (
        "key",
        QT_TRANSLATE_NOOP("AuditPage", "Issuing keys"),
        (
            ("key.create", QT_TRANSLATE_NOOP("AuditPage", "Issuing key created")),
            ("key.rotate", QT_TRANSLATE_NOOP("AuditPage", "Issuing key rotated")),
            ("key.withdraw", QT_TRANSLATE_NOOP("AuditPage", "Issuing key withdrawn")),
        ),
    ),
    (
        "scan",
        QT_TRANSLATE_NOOP("AuditPage", "Scans"),
        (
            ("scan", QT_TRANSLATE_NOOP("AuditPage", "Pass scanned")),
            ("scan.override", QT_TRANSLATE_NOOP("AuditPage", "Verdict overridden")),
            ("scan.plate_mismatch", QT_TRANSLATE_NOOP("AuditPage", "Plate did not match")),
        ),
    ),
    (
        "sms",
        QT_TRANSLATE_NOOP("AuditPage", "Text messages"),
        (
            ("sms.sent", QT_TRANSLATE_NOOP("AuditPage", "Text sent")),
            ("sms.failed", QT_TRANSLATE_NOOP("AuditPage", "Text failed")),
            ("sms.resend", QT_TRANSLATE_NOOP("AuditPage", "Text queued again")),
        ),
    ),
    (
        "setting",
        QT_TRANSLATE_NOOP("AuditPage", "Settings"),
        (("setting.change", QT_TRANSLATE_NOOP("AuditPage", "Setting changed")),),
    ),
    (
        "trace",
        QT_TRANSLATE_NOOP("AuditPage", "Traces"),
        (("trace.driver", QT_TRANSLATE_NOOP("AuditPage", "Driver traced")),),
    ),
    (
        "anomaly",
        QT_TRANSLATE_NOOP("AuditPage", "Anomalies"),
        (("anomaly.acknowledge", QT_TRANSLATE_NOOP("AuditPage", "Anomaly acknowledged")),),
    ),
    (
        "report",
        QT_TRANSLATE_NOOP("AuditPage", "Reports"),
        (("report.export", QT_TRANSLATE_NOOP("AuditPage", "Report exported")),),
    ),
    (
        "audit",
        QT_TRANSLATE_NOOP("AuditPage", "Audit log"),
        (("audit.export", QT_TRANSLATE_NOOP("AuditPage", "Audit log exported")),),
    ),
    (
        "backup",
        QT_TRANSLATE_NOOP("AuditPage", "Backups"),
        (
            ("backup.create", QT_TRANSLATE_NOOP("AuditPage", "Backup made")),
            ("backup.failed", QT_TRANSLATE_NOOP("AuditPage", "Backup failed")),
            ("backup.restore", QT_TRANSLATE_NOOP("AuditPage", "Backup restored")),
        ),
    ),
    (
        "retention",
        QT_TRANSLATE_NOOP("AuditPage", "Data retention"),
        (("retention.purge", QT_TRANSLATE_NOOP("AuditPage", "Personal data removed")),),
    ),
    (
        "demo",
        QT_TRANSLATE_NOOP("AuditPage", "Demo data"),
        (("demo.populate", QT_TRANSLATE_NOOP("AuditPage", "Demo data created")),),
    ),
)
ACTION_NAMES = {code: name for _, _, actions in ACTION_GROUPS for code, name in actions}

ENTITY_NAMES = {
    "user": QT_TRANSLATE_NOOP("AuditPage", "account"),
    "enterprise": QT_TRANSLATE_NOOP("AuditPage", "enterprise"),
    "checkpoint": QT_TRANSLATE_NOOP("AuditPage", "checkpoint"),
    "risk_region": QT_TRANSLATE_NOOP("AuditPage", "risk region"),
    "vehicle": QT_TRANSLATE_NOOP("AuditPage", "vehicle"),
    "driver": QT_TRANSLATE_NOOP("AuditPage", "driver"),
    "application": QT_TRANSLATE_NOOP("AuditPage", "application"),
    "pass": QT_TRANSLATE_NOOP("AuditPage", "pass"),
    "signing_key": QT_TRANSLATE_NOOP("AuditPage", "issuing key"),
    "scan_event": QT_TRANSLATE_NOOP("AuditPage", "scan"),
    "sms": QT_TRANSLATE_NOOP("AuditPage", "text message"),
    "setting": QT_TRANSLATE_NOOP("AuditPage", "setting"),
    "anomaly": QT_TRANSLATE_NOOP("AuditPage", "anomaly"),
    "report": QT_TRANSLATE_NOOP("AuditPage", "report"),
    "audit_log": QT_TRANSLATE_NOOP("AuditPage", "audit log"),
    "backup": QT_TRANSLATE_NOOP("AuditPage", "backup"),
    "database": QT_TRANSLATE_NOOP("AuditPage", "database"),
}

PROBLEMS = {
    "SEQUENCE_GAP": QT_TRANSLATE_NOOP("AuditPage", "an entry is missing or out of order"),
    "BROKEN_LINK": QT_TRANSLATE_NOOP(
        "AuditPage",
        "it does not link to the entry before it (an entry was inserted, replaced or moved)",
    ),
    "HASH_MISMATCH": QT_TRANSLATE_NOOP("AuditPage", "it was changed after it was written"),
    "HEAD_MISMATCH": QT_TRANSLATE_NOOP(
        "AuditPage", "the log is not the one that was signed: it was rewritten from here on"
    ),
    "TRUNCATED": QT_TRANSLATE_NOOP(
        "AuditPage", "signed entries are missing from here on: the end of the log was cut off"
    ),
    "BAD_HEAD_SIGNATURE": QT_TRANSLATE_NOOP(
        "AuditPage", "the signature of the head signed here is forged"
    ),
    "HEAD_CONFLICT": QT_TRANSLATE_NOOP("AuditPage", "two signed heads disagree about this entry"),
}

SaveAsker = Callable[[QWidget, str, str, str], str]


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def action_name(code: str) -> str:
    """The translated name of an audit action (the code itself for one not listed)."""
    name = ACTION_NAMES.get(code)
    return _tr(name) if name else code


def entity_name(code: str) -> str:
    """The translated name of a kind of record."""
    name = ENTITY_NAMES.get(code)
    return _tr(name) if name else code


def problem_text(code: str | None) -> str:
    """What a verification problem code means, in words."""
    text = PROBLEMS.get(code or "")
    return _tr(text) if text else (code or "")


# The names of the details the services write, for people; a key not listed shows as stored.
DETAIL_KEYS = {
    "checkpoint": QT_TRANSLATE_NOOP("AuditPage", "checkpoint"),
    "reason": QT_TRANSLATE_NOOP("AuditPage", "reason"),
    "plate": QT_TRANSLATE_NOOP("AuditPage", "plate"),
    "serial": QT_TRANSLATE_NOOP("AuditPage", "pass"),
    "status": QT_TRANSLATE_NOOP("AuditPage", "status"),
    "route": QT_TRANSLATE_NOOP("AuditPage", "route"),
    "kid": QT_TRANSLATE_NOOP("AuditPage", "signing key"),
    "code": QT_TRANSLATE_NOOP("AuditPage", "code"),
    "count": QT_TRANSLATE_NOOP("AuditPage", "count"),
    "role": QT_TRANSLATE_NOOP("AuditPage", "role"),
    "level": QT_TRANSLATE_NOOP("AuditPage", "risk level"),
    "text_sha256": QT_TRANSLATE_NOOP("AuditPage", "fingerprint of the text"),
    "stand_in": QT_TRANSLATE_NOOP("AuditPage", "standing in"),
    "whitelisted": QT_TRANSLATE_NOOP("AuditPage", "on the list"),
    "active": QT_TRANSLATE_NOOP("AuditPage", "active"),
    "note": QT_TRANSLATE_NOOP("AuditPage", "note"),
    "file": QT_TRANSLATE_NOOP("AuditPage", "file"),
    "entries": QT_TRANSLATE_NOOP("AuditPage", "entries"),
    "key": QT_TRANSLATE_NOOP("AuditPage", "setting"),
    "old": QT_TRANSLATE_NOOP("AuditPage", "was"),
    "new": QT_TRANSLATE_NOOP("AuditPage", "now"),
    "kind": QT_TRANSLATE_NOOP("AuditPage", "kind"),
}


def detail_name(key: str) -> str:
    """A detail's name in the chosen language (the stored key when it has none)."""
    text = DETAIL_KEYS.get(key)
    return _tr(text) if text else key


def detail_value(key: str, value: object) -> str:
    """A detail's value as stored; a scan's reason code also in words."""
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    words = reason_text(value) if key == "reason" else value
    return value if words == value else f"{words} ({value})"


def summarize(details: dict[str, Any], limit: int = DETAILS_CHARS) -> str:
    """``{"plate": "浙F12345", "count": 3}`` → ``车牌 浙F12345 · 数量 3``, cut at ``limit``."""
    parts = [f"{detail_name(key)} {detail_value(key, value)}" for key, value in details.items()]
    text = " · ".join(parts).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def detail_lines(details: dict[str, Any]) -> str:
    """One ``name: value`` line per detail, for the entry's box."""
    return "\n".join(
        f"  {detail_name(key)}: {detail_value(key, value)}" for key, value in details.items()
    )


@dataclass(frozen=True)
class TipColumn(Column):
    """A column with a tooltip per cell (the action's code, the full details)."""

    tip: Callable[[Any], str] = lambda _record: ""


class AuditTableModel(RecordTableModel):
    """A ``RecordTableModel`` that answers ``ToolTipRole`` for its ``TipColumn`` cells."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            column = self._columns[index.column()]
            if isinstance(column, TipColumn) and index.row() < self.rowCount():
                return column.tip(self.record(index.row()))
            return None
        return super().data(index, role)


def advance(bar: QProgressBar, count: int) -> None:
    """Show ``count`` entries done (the maximum grows with entries written since it was set)."""
    if count > bar.maximum():
        bar.setMaximum(count)
    bar.setValue(count)


class AuditPage(ListPage):
    """The audit log; see the module docstring. ``ask_save`` picks the export file (tests
    replace it). ``chain_checked`` carries each verification's ``ChainReport`` (None if the
    log could not be read)."""

    chain_checked = Signal(object)

    def __init__(
        self,
        services: Services,
        user: User,
        parent: QWidget | None = None,
        ask_save: SaveAsker = ask_save_path,
    ) -> None:
        self.services = services
        self.user = user
        self._ask_save = ask_save
        self.check: ServiceWorker | None = None
        self.exporting: ServiceWorker | None = None
        self.report: ChainReport | None = None
        columns: list[Column] = [
            Column(self.tr("No."), lambda e: str(e.seq), "seq", align_right=True),
            Column(self.tr("Time"), lambda e: formatting.date_time(e.at, seconds=True), "at"),
            Column(self.tr("User"), lambda e: e.actor),
            TipColumn(self.tr("Action"), lambda e: action_name(e.action), tip=lambda e: e.action),
            TipColumn(self.tr("Record"), lambda e: entity_name(e.entity), tip=lambda e: e.entity),
            Column(self.tr("Record id"), lambda e: e.entity_id),
            TipColumn(
                self.tr("Details"),
                lambda e: summarize(e.details),
                tip=lambda e: json.dumps(e.details, ensure_ascii=False, indent=1),
            ),
        ]
        super().__init__(self.tr("Audit log"), AuditTableModel(columns, self._fetch), parent)
        self.setObjectName("auditPage")
        self.search.setPlaceholderText(self.tr("User, action code, record id or #number…"))
        self.search.setMinimumWidth(320)
        page_layout = self.layout()
        assert isinstance(page_layout, QVBoxLayout)
        page_layout.insertLayout(1, self._filters())
        page_layout.insertWidget(2, self._verify_panel())

        self.export_note = QLabel()
        self.export_note.setObjectName("auditExportNote")
        self.export_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actions.insertWidget(0, self.export_note)
        self.export_progress = QProgressBar()
        self.export_progress.setObjectName("exportProgress")
        self.export_progress.setFormat(self.tr("%v of %m entries"))
        self.export_progress.setVisible(False)
        self.actions.insertWidget(1, self.export_progress, 1)
        self._export_path = Path()
        self._note_before = ""
        self._exporting_note = ""
        self.details_button = self.add_row_action(self.tr("Details…"), self.show_entry)
        self.export_button = self.add_action(self.tr("Export…"), self.export, "Ctrl+E")
        # Tab goes through the filters in reading order, then the check, then the list.
        order: list[QWidget] = [
            self.search,
            self.action_filter,
            self.actor_filter,
            self.since_filter,
            self.until_filter,
            self.verify_button,
            self.show_bad_button,
            self.table,
            self.details_button,
            self.export_button,
        ]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)
        self.load(descending=True)

    # -- filters -----------------------------------------------------------------------------

    def _filters(self) -> QHBoxLayout:
        self.action_filter = QComboBox()
        self.action_filter.setObjectName("actionFilter")
        self.action_filter.addItem(self.tr("All actions"), "")
        for prefix, group, actions in ACTION_GROUPS:
            self.action_filter.addItem(_tr(group), prefix)
            # The filter is a prefix: "login" also matches login.failed, so the action named
            # like its group is covered by the group's own item.
            for code, name in actions:
                if code != prefix:
                    self.action_filter.addItem("    " + _tr(name), code)
        self.action_filter.setMaxVisibleItems(20)
        self.action_filter.currentIndexChanged.connect(lambda _index: self.refresh())

        self.actor_filter = QLineEdit()
        self.actor_filter.setObjectName("actorFilter")
        self.actor_filter.setPlaceholderText(self.tr("User name"))
        self.actor_filter.setClearButtonEnabled(True)
        self.actor_filter.setMaximumWidth(160)
        self._actor_debounce = QTimer(self)
        self._actor_debounce.setSingleShot(True)
        self._actor_debounce.setInterval(SEARCH_DELAY_MS)
        self._actor_debounce.timeout.connect(self.refresh)
        self.actor_filter.textChanged.connect(lambda _text: self._actor_debounce.start())
        self.actor_filter.returnPressed.connect(self.refresh)

        today = self.services.audit.clock().astimezone().date()
        self.since_filter = self._date_edit("sinceFilter", today.toordinal() - DEFAULT_DAYS + 1)
        self.until_filter = self._date_edit("untilFilter", today.toordinal())
        self.since_filter.dateChanged.connect(self._since_changed)
        self.until_filter.dateChanged.connect(self._until_changed)

        row = QHBoxLayout()
        for label, field in (
            (self.tr("A&ction:"), self.action_filter),
            (self.tr("&User:"), self.actor_filter),
            (self.tr("&From:"), self.since_filter),
            (self.tr("&To:"), self.until_filter),
        ):
            buddy = QLabel(label)
            buddy.setBuddy(field)
            row.addWidget(buddy)
            row.addWidget(field)
            row.addSpacing(8)
        row.addStretch(1)
        return row

    def _date_edit(self, name: str, ordinal: int) -> QDateEdit:
        edit = QDateEdit(QDate(date.fromordinal(ordinal)))
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    @Slot()
    def _since_changed(self) -> None:
        if self.since_filter.date() > self.until_filter.date():
            self.until_filter.setDate(self.since_filter.date())  # refreshes through its signal
            return
        self.refresh()

    @Slot()
    def _until_changed(self) -> None:
        if self.until_filter.date() < self.since_filter.date():
            self.since_filter.setDate(self.until_filter.date())
            return
        self.refresh()

    def query(self, base: SearchQuery | None = None) -> AuditQuery:
        """The filters as a query (the search box's text, sort and page from ``base``).

        ``#42`` in the search box shows entry 42 whatever the other filters say."""
        base = base or SearchQuery()
        if ENTRY_NUMBER.fullmatch(base.text.strip()):
            return AuditQuery(text=base.text.strip(), limit=base.limit, offset=base.offset)
        since: date = self.since_filter.date().toPython()
        until: date = self.until_filter.date().toPython()
        return AuditQuery(
            text=base.text,
            sort=base.sort,
            descending=base.descending,
            limit=base.limit,
            offset=base.offset,
            actor=self.actor_filter.text().strip(),
            action=str(self.action_filter.currentData() or ""),
            since=datetime.combine(since, time.min).astimezone(),
            until=datetime.combine(until, time.max).astimezone(),
        )

    def _fetch(self, query: SearchQuery) -> Page[AuditEntry]:
        return self.services.audit.search(self.user, self.query(query))

    # -- one entry ---------------------------------------------------------------------------

    def show_entry(self, entry: AuditEntry) -> None:
        """The whole entry, hashes included, in a box the user can copy from."""
        text = self.tr(
            "No. {seq} · {time}\nUser: {actor}\nAction: {action} ({code})\n"
            "Record: {entity} {entity_id}\n\nDetails:\n{details}\n\n"
            "Hash: {hash}\nPrevious hash: {prev_hash}"
        ).format(
            seq=entry.seq,
            time=formatting.date_time(entry.at, seconds=True),
            actor=entry.actor,
            action=action_name(entry.action),
            code=entry.action,
            entity=entity_name(entry.entity),
            entity_id=entry.entity_id,
            details=detail_lines(entry.details),
            hash=entry.hash,
            prev_hash=entry.prev_hash,
        )
        box = QMessageBox(QMessageBox.Icon.NoIcon, self.title, text, parent=self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    # -- verification ------------------------------------------------------------------------

    def _verify_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("auditVerifyPanel")
        self.verify_button = QPushButton(self.tr("Verify audit chain"))
        self.verify_button.setObjectName("verifyChain")
        self.verify_button.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.verify_button.setToolTip(
            self.tr(
                "Recompute every entry's hash and check the signed heads (Ctrl+Shift+V). "
                "The window stays usable meanwhile."
            )
        )
        self.verify_button.clicked.connect(self.verify)
        self.progress = QProgressBar()
        self.progress.setObjectName("verifyProgress")
        self.progress.setFormat(self.tr("%v of %m entries"))
        self.progress.setVisible(False)
        self.result = QLabel()
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.setVisible(False)
        self.show_bad_button = QPushButton()
        self.show_bad_button.setObjectName("showBadEntry")
        self.show_bad_button.clicked.connect(self.show_bad_entry)
        self.show_bad_button.setVisible(False)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.verify_button)
        top.addWidget(self.progress, 1)
        top.addStretch(0)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addLayout(top)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result, 1)
        result_row.addWidget(self.show_bad_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(result_row)
        return panel

    @Slot()
    def show_bad_entry(self) -> None:
        """List only the entry verification named (``#K`` in the search box)."""
        if self.report is not None and self.report.first_bad is not None:
            self.search.setText(f"#{self.report.first_bad}")
            self._apply_search()
            self.table.selectRow(0)
            self.table.setFocus()

    @Slot()
    def verify(self) -> None:
        """Start verifying the whole chain in a worker thread (one at a time)."""
        if self.check is not None:
            return
        try:
            total = self.services.audit.count(self.user)
        except DomainError as error:
            QMessageBox.warning(self, self.title, error_message(error))
            return
        db_path = self._db_path()
        if db_path == ":memory:":
            # Another connection would open another, empty database: check this one here.
            self._guarded(lambda: self._verified(self.services.audit.verify(self.user)))
            return
        clock, keys, user = self.services.audit.clock, self.services.audit.keys, self.user

        def verify(store: Store, progress: Progress) -> ChainReport:
            return AuditService(store, clock, keys).verify(user, progress)

        self.verify_button.setEnabled(False)
        self.result.setVisible(False)
        self.show_bad_button.setVisible(False)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.check = start_worker(
            on_own_store(db_path, verify),
            "audit verification",
            progressed=self._progressed,
            done=self._verified,
            failed=self._failed,
            finished=self._check_finished,
        )

    @Slot(int)
    def _progressed(self, count: int) -> None:
        advance(self.progress, count)

    @Slot(object)
    def _verified(self, report: ChainReport) -> None:
        self.report = report
        self.progress.setMaximum(max(report.entries, self.progress.maximum(), 1))
        # Full when intact; where it stopped when not.
        self.progress.setValue(self.progress.maximum() if report.ok else report.entries)
        self._show_result(report)
        self.chain_checked.emit(report)

    @Slot(object)
    def _failed(self, error: Exception) -> None:
        self.report = None
        self.progress.setVisible(False)
        reason = error_message(error) if isinstance(error, DomainError) else str(error)
        self._show(self.tr("The audit chain could not be read: {reason}").format(reason=reason))
        self.chain_checked.emit(None)

    @Slot()
    def _check_finished(self) -> None:
        self.check = None  # the registry waits for the thread and deletes it
        self.verify_button.setEnabled(True)

    def _show_result(self, report: ChainReport) -> None:
        """The green or red panel for ``report``."""
        lines: list[str] = []
        if not report.ok:
            lines.append(
                self.tr("The audit chain is broken at entry {seq}: {problem}").format(
                    seq=report.first_bad, problem=problem_text(report.problem)
                )
            )
            lines.append(
                self.tr(
                    "Keep the database file and its key folder as they are, and tell the "
                    "administrator."
                )
            )
        elif report.signed_through:
            lines.append(
                self.tr(
                    "Audit chain intact: {entries} entries, signed through entry {signed}, "
                    "{tail} after it unsigned."
                ).format(
                    entries=report.entries, signed=report.signed_through, tail=report.unsigned_tail
                )
            )
        else:
            lines.append(
                self.tr("Audit chain intact: {entries} entries, none signed yet.").format(
                    entries=report.entries
                )
            )
        if not report.heads_checked:
            lines.append(self.tr("This computer has no log key: the signatures were not checked."))
        self._show("\n".join(lines), ok=report.ok)
        # An entry that exists can be shown; a cut-off tail or a forged head has none.
        if not report.ok and report.first_bad is not None and report.problem != "TRUNCATED":
            self.show_bad_button.setText(self.tr("Show entry {seq}").format(seq=report.first_bad))
            self.show_bad_button.setVisible(True)

    def _show(self, text: str, ok: bool = False) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(f"QLabel {{ {OK_STYLE if ok else BAD_STYLE} padding: 8px; }}")
        self.result.setVisible(True)

    # -- export ------------------------------------------------------------------------------

    def export(self) -> None:
        """Write the whole log as CSV, ending with the signed head that covers it: in a worker
        thread on a connection of its own, the progress shown under the table."""
        if self.exporting is not None:
            return
        stamp = f"{self.services.audit.clock().astimezone():%Y%m%d-%H%M}"
        name = self._ask_save(
            self, self.tr("Export audit log"), f"looppass-audit-{stamp}.csv", self.tr("CSV (*.csv)")
        )
        if not name:
            return
        path = self._export_path = Path(name)
        self._note_before = self.export_note.text()  # shown again if this export fails
        db_path = self._db_path()
        if db_path == ":memory:":
            # Another connection would open another, empty database: export this one here.
            try:
                head = self._export_here(path)
            except OSError as error:
                self._export_failed(error)
                return
            self._exported(head)
            return
        total = self.services.audit.count(self.user) + 1  # and the export's own entry
        clock, keys, user = self.services.audit.clock, self.services.audit.keys, self.user

        def export(store: Store, progress: Progress) -> SignedHead:
            return AuditService(store, clock, keys).export(user, path, progress=progress)

        def work(progress: Progress) -> SignedHead:
            try:
                return on_own_store(db_path, export)(progress)
            except Stopped:
                path.unlink(missing_ok=True)  # cut short on quitting: leave no headless file
                raise

        self._exporting_note = self.tr("Exporting to {file}…").format(file=path.name)
        self.export_note.setText(self._exporting_note)
        self.export_button.setEnabled(False)
        self.export_progress.setRange(0, total)
        self.export_progress.setValue(0)
        self.export_progress.setVisible(True)
        self.exporting = start_worker(
            work,
            "audit export",
            progressed=self._export_progressed,
            done=self._exported,
            failed=self._export_failed,
            finished=self._export_finished,
        )

    def _export_here(self, path: Path) -> SignedHead:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return self.services.audit.export(self.user, path)
        finally:
            QGuiApplication.restoreOverrideCursor()

    @Slot(int)
    def _export_progressed(self, count: int) -> None:
        advance(self.export_progress, count)

    @Slot(object)
    def _exported(self, head: SignedHead) -> None:
        message = self.tr("Exported entries 1–{seq} to {file}; signed head {hash}").format(
            seq=head.seq, file=self._export_path.name, hash=head.hash
        )
        self.export_note.setText(message)
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message)
        self._guarded(self.refresh)  # the export is itself an entry

    @Slot(object)
    def _export_failed(self, error: Exception) -> None:
        self.export_note.setText(self._note_before)
        if isinstance(error, OSError):
            text = self.tr("The file could not be written: {reason}").format(
                reason=error.strerror or str(error)
            )
        else:
            text = error_message(error)  # "unexpected error" for anything but a DomainError
        QMessageBox.warning(self, self.title, text)

    @Slot()
    def _export_finished(self) -> None:
        self.exporting = None  # the registry waits for the thread and deletes it
        if self.export_note.text() == self._exporting_note:  # stopped: neither done nor failed
            self.export_note.setText(self._note_before)
        self.export_progress.setVisible(False)
        self.export_button.setEnabled(True)

    def _db_path(self) -> str:
        return str(getattr(self.services.store, "path", ":memory:"))
