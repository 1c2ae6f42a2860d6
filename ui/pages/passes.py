"""Issued passes: find one by plate or serial, show it (QR code, plate, route), save it as a
PDF or QR image for the driver, or revoke it.

A saved copy carries the QR code, so every save is audited (``pass.export``) — before the
file is written: a copy that exists is always in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QStandardPaths, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError
from core.models import CheckpointKind, Page, Pass, PassStatus, User
from core.pass_document import FontMissing, PageSize, human_serial, pass_pdf, qr_png
from core.permissions import Action, allowed
from core.ports import PassQuery, SearchQuery
from core.services import Services
from ui.form_dialog import FormDialog
from ui.list_page import ListPage
from ui.messages import error_message, name_of
from ui.pages.fleet import local_time
from ui.pages.review import BadgeColumn, BadgeTableModel, risk_colors
from ui.table_model import Column

CONTEXT = "PassesPage"
QR_SIDE_PX = 360  # the QR code on screen: large enough to scan off the monitor with a phone

STATUS_NAMES = {
    PassStatus.ISSUED: QT_TRANSLATE_NOOP("PassesPage", "Issued"),
    PassStatus.ENTERED: QT_TRANSLATE_NOOP("PassesPage", "Entered the city"),
    PassStatus.ARRIVED: QT_TRANSLATE_NOOP("PassesPage", "At the enterprise"),
    PassStatus.ISOLATED: QT_TRANSLATE_NOOP("PassesPage", "At the isolation point"),
    PassStatus.EXITED: QT_TRANSLATE_NOOP("PassesPage", "Left the city"),
    PassStatus.REVOKED: QT_TRANSLATE_NOOP("PassesPage", "Revoked"),
    PassStatus.EXPIRED: QT_TRANSLATE_NOOP("PassesPage", "Expired"),
}
# (text colour, background colour) of the status badge; open passes stay plain.
STATUS_COLORS: dict[PassStatus, tuple[str, str]] = {
    PassStatus.REVOKED: ("#ffffff", "#c62828"),
    PassStatus.EXPIRED: ("#37474f", "#cfd8dc"),
    PassStatus.EXITED: ("#1b5e20", "#c8e6c9"),
}
OPEN_STATUSES = tuple(status for status in PassStatus if status.is_open)

SaveAsker = Callable[[QWidget, str, str, str], str]


def status_name(status: PassStatus) -> str:
    """The translated name of a pass status."""
    return QCoreApplication.translate(CONTEXT, STATUS_NAMES[status])


def _badge(text: str, colors: tuple[str, str] | None) -> QLabel:
    """A label as wide as its text, coloured like the table's badges (plain if no colours)."""
    label = QLabel(text)
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    if colors is not None:
        label.setStyleSheet(f"color: {colors[0]}; background: {colors[1]}; padding: 1px 8px;")
    return label


def ask_save_path(parent: QWidget, title: str, name: str, filters: str) -> str:
    """The file the user picks to save to ('' if cancelled), starting in Documents."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    start = str(Path(folder) / name) if folder else name
    return QFileDialog.getSaveFileName(parent, title, start, filters)[0]


class PassesPage(ListPage):
    """Issued passes, newest first; a clerk sees its enterprise's only."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        self._statuses: tuple[PassStatus, ...] = ()
        columns: list[Column] = [
            Column(self.tr("Serial"), lambda p: human_serial(p.serial)),
            Column(self.tr("Plate"), lambda p: p.plate, "plate"),
            BadgeColumn(
                self.tr("Status"),
                lambda p: status_name(p.status),
                "status",
                colors=lambda p: STATUS_COLORS.get(p.status),
            ),
            BadgeColumn(
                self.tr("Risk"),
                lambda p: name_of(p.risk.value),
                colors=lambda p: risk_colors(p.risk),
            ),
            Column(self.tr("Valid until"), lambda p: local_time(p.valid_until), "valid_until"),
            Column(self.tr("Issued at"), lambda p: local_time(p.issued_at), "issued_at"),
        ]
        super().__init__(self.tr("Passes"), BadgeTableModel(columns, self._fetch), parent)
        self.search.setPlaceholderText(self.tr("Plate or serial…"))
        self.search.setMinimumWidth(240)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self._filters: list[tuple[PassStatus, ...]] = [(), OPEN_STATUSES]
        self.status_filter.addItem(self.tr("All statuses"))
        self.status_filter.addItem(self.tr("Open (not yet closed)"))
        for status in PassStatus:
            self._filters.append((status,))
            self.status_filter.addItem(status_name(status))
        self.status_filter.currentIndexChanged.connect(self._on_status)
        self.top_row.insertWidget(2, self.status_filter)

        self.show_button = self.add_row_action(self.tr("Show pass…"), self.show_pass)
        self.revoke_button: QPushButton | None = None
        if allowed(user, Action.REVOKE_PASS):
            self.revoke_button = self.add_row_action(self.tr("Revoke…"), self.revoke)
            # Only an open pass can be revoked (connected after add_row_action's own update).
            self.table.selectionModel().selectionChanged.connect(self._on_selection)
        # Newest first: the passes a desk is asked about are the recent ones.
        self.table.horizontalHeader().setSortIndicator(
            len(columns) - 1, Qt.SortOrder.DescendingOrder
        )
        self._guarded(lambda: self.table.setSortingEnabled(True))

    def _fetch(self, query: SearchQuery) -> Page[Pass]:
        full = PassQuery(
            text=query.text,
            sort=query.sort,
            descending=query.descending,
            limit=query.limit,
            offset=query.offset,
            statuses=self._statuses,
        )
        return self.services.passes.search(self.user, full)

    def _on_status(self, index: int) -> None:
        self._statuses = self._filters[index] if 0 <= index < len(self._filters) else ()
        self.refresh()

    def _on_selection(self, *_args: object) -> None:
        record = self.selected_record()
        if self.revoke_button is not None:
            self.revoke_button.setEnabled(record is not None and record.status.is_open)

    def show_pass(self, issued: Pass) -> None:
        """Open the pass dialog (QR code, plate, route; save as PDF or image)."""
        PassDialog(self.services, self.user, issued.serial, self).exec()

    def revoke(self, issued: Pass) -> None:
        """Ask for a reason and revoke ``issued``; scanning it then stops the truck."""
        dialog = FormDialog(self.tr("Revoke pass"), self)
        intro = QLabel(
            self.tr(
                "Revoke the pass of {plate} ({serial})? Every checkpoint will then stop "
                "the truck. This cannot be undone."
            ).format(plate=issued.plate, serial=human_serial(issued.serial))
        )
        intro.setWordWrap(True)
        dialog.layout_.insertWidget(0, intro)
        dialog.add_line(
            "reason",
            self.tr("Reason"),
            placeholder=self.tr("e.g. trip cancelled by the enterprise"),
        )
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Revoke"))
        dialog.set_submit(
            lambda d: self.services.passes.revoke(self.user, issued.serial, d.text("reason"))
        )
        if dialog.exec():
            self.refresh()


class PassDialog(QDialog):
    """One pass as the driver will show it: QR code, plate, serial, route, validity.

    ``ask_path(parent, title, suggested name, filters)`` picks the file to save to ('' to
    cancel); tests pass one that needs no file dialog.
    """

    exported = Signal(str)  # the path written

    def __init__(
        self,
        services: Services,
        user: User,
        serial: str,
        parent: QWidget | None = None,
        ask_path: SaveAsker = ask_save_path,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self._ask_path = ask_path
        self.issued = services.passes.get(user, serial)
        self.sheet = services.passes.sheet(user, serial)
        self.setWindowTitle(self.tr("Pass {plate}").format(plate=self.issued.plate))
        self.setStyleSheet(
            "QLabel#passPlate { font-size: 56px; font-weight: 700; letter-spacing: 2px; }"
            "QLabel#passSerial { font-family: monospace; font-size: 17px; }"
            "QLabel#passStatus { font-size: 17px; font-weight: 600; }"
            "QLabel#revoked { color: #c62828; }"
        )

        body = QHBoxLayout()
        body.addLayout(self._qr_column())
        body.addSpacing(16)
        body.addLayout(self._details(), 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.save_a6 = self.buttons.addButton(self.tr("Save PDF (A6)…"), role)
        self.save_a6.clicked.connect(lambda: self.save_pdf("A6"))
        self.save_a4 = self.buttons.addButton(self.tr("Save PDF (A4)…"), role)
        self.save_a4.clicked.connect(lambda: self.save_pdf("A4"))
        self.save_png = self.buttons.addButton(self.tr("Save QR image…"), role)
        self.save_png.clicked.connect(self.save_qr)
        if not self.issued.status.is_open:
            # A copy of a closed, revoked or expired pass would only mislead whoever gets it.
            for button in (self.save_a6, self.save_a4, self.save_png):
                button.setEnabled(False)
                button.setToolTip(self.tr("Only an open pass can be saved or printed."))

        self.saved_note = QLabel()
        self.saved_note.setObjectName("savedNote")
        self.saved_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.saved_note)
        layout.addWidget(self.buttons)

    def _qr_column(self) -> QVBoxLayout:
        self.qr = QLabel()
        self.qr.setObjectName("passQr")
        self.qr.setPixmap(self._qr_pixmap(self.issued.token))
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.serial = QLabel(human_serial(self.issued.serial))
        self.serial.setObjectName("passSerial")
        self.serial.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.serial.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column = QVBoxLayout()
        column.addWidget(self.qr)
        column.addWidget(self.serial)
        column.addStretch(1)
        return column

    def _details(self) -> QVBoxLayout:
        issued = self.issued
        self.plate = QLabel(issued.plate)
        self.plate.setObjectName("passPlate")
        self.status = _badge(status_name(issued.status), STATUS_COLORS.get(issued.status))
        self.status.setObjectName("passStatus")
        details = QFormLayout()
        details.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        details.addRow(self.tr("Status"), self.status)
        details.addRow(
            self.tr("Risk"), _badge(name_of(issued.risk.value), risk_colors(issued.risk))
        )
        validity = self.tr("{start} to {end}").format(
            start=local_time(issued.valid_from), end=local_time(issued.valid_until)
        )
        details.addRow(self.tr("Valid"), QLabel(validity))
        details.addRow(self.tr("Issued at"), QLabel(local_time(issued.issued_at)))
        details.addRow(self.tr("Driver"), QLabel(self.sheet.driver_masked))
        details.addRow(self.tr("Enterprise"), QLabel(self.sheet.enterprise_name))
        self.route = QLabel(self._route_text())
        self.route.setObjectName("passRoute")
        details.addRow(self.tr("Route"), self.route)
        if issued.status is PassStatus.REVOKED:
            revoked = QLabel(
                self.tr("Revoked {time}: {reason}").format(
                    time=local_time(issued.revoked_at) if issued.revoked_at else "",
                    reason=issued.revoke_reason,
                )
            )
            revoked.setObjectName("revoked")
            revoked.setWordWrap(True)
            details.addRow("", revoked)
        column = QVBoxLayout()
        column.addWidget(self.plate)
        column.addLayout(details)
        column.addStretch(1)
        return column

    @staticmethod
    def _qr_pixmap(token: str) -> QPixmap:
        """The QR code at a whole number of pixels per module, at least ``QR_SIDE_PX`` wide."""
        # Whole pixels per module keep the modules even (as the printed pass does); scaling a
        # small image by a fraction would blur them.
        small = QPixmap()
        small.loadFromData(qr_png(token, box_size=1))
        box = max(1, -(-QR_SIDE_PX // max(1, small.width())))
        pixmap = QPixmap()
        pixmap.loadFromData(qr_png(token, box_size=box))
        return pixmap

    def _route_text(self) -> str:
        steps = self.services.passes.route_of(self.issued)
        lines = []
        for index, step in enumerate(steps):
            name = name_of(step.kind.value)
            if step.kind is CheckpointKind.GATE:
                name = (self.tr("{gate} (in)") if index == 0 else self.tr("{gate} (out)")).format(
                    gate=name
                )
            elif step.checkpoint:
                name = f"{name} {step.checkpoint}"
            lines.append(f"{'✓' if step.done else '○'}  {name}")
        return "\n".join(lines)

    # -- saving -----------------------------------------------------------------------

    def _base_name(self) -> str:
        return f"{self.issued.plate}-{self.issued.serial[:8].upper()}"

    def save_pdf(self, page: PageSize) -> None:
        """Save the printable pass on an A6 or A4 page."""
        path = self._ask_path(
            self,
            self.tr("Save pass as PDF"),
            f"{self._base_name()}-{page}.pdf",
            self.tr("PDF files (*.pdf)"),
        )
        if path:
            self._save(path, lambda: pass_pdf(self.sheet, page), "pdf")

    def save_qr(self) -> None:
        """Save the QR code alone as a PNG image (to send to the driver)."""
        path = self._ask_path(
            self,
            self.tr("Save QR image"),
            f"{self._base_name()}.png",
            self.tr("PNG images (*.png)"),
        )
        if path:
            self._save(path, lambda: qr_png(self.issued.token), "png")

    def _save(self, path: str, render: Callable[[], bytes], kind: str) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            problem = self._write(path, render, kind)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if problem:
            QMessageBox.warning(self, self.windowTitle(), problem)
            return
        self.saved_note.setText(self.tr("Saved to {path}").format(path=path))
        self.exported.emit(path)

    def _write(self, path: str, render: Callable[[], bytes], kind: str) -> str:
        """Render, audit, then write; returns what went wrong ('' if nothing)."""
        try:
            data = render()
            self.services.passes.record_export(self.user, self.issued.serial, [kind])
            Path(path).write_bytes(data)
        except FontMissing:
            return self.tr(
                "The pass cannot be drawn: the Chinese font (Noto Sans CJK) is not "
                "installed. Install the package fonts-noto-cjk."
            )
        except DomainError as error:
            return error_message(error)
        except OSError as error:
            return self.tr("{path} could not be written: {reason}").format(
                path=path, reason=error.strerror or str(error)
            )
        return ""
