"""A clerk's trip applications: file, edit, submit, withdraw, and bulk import from a file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.importing import COLUMNS, ImportFileError, read_rows, write_template
from core.models import ApplicationStatus, ApplicationView, Page, User
from core.ports import ApplicationQuery, SearchQuery
from core.services import Services
from core.services.applications import (
    MAX_VALIDITY_HOURS,
    ApplicationInput,
    ImportRejected,
    RowError,
)
from ui.form_dialog import FormDialog
from ui.list_page import ListPage
from ui.messages import name_of, row_error_message
from ui.pages.fleet import local_time
from ui.table_model import Column, RecordTableModel

STATUS_NAMES = {
    ApplicationStatus.DRAFT: QT_TRANSLATE_NOOP("ApplicationsPage", "Draft"),
    ApplicationStatus.SUBMITTED: QT_TRANSLATE_NOOP("ApplicationsPage", "Waiting for review"),
    ApplicationStatus.APPROVED: QT_TRANSLATE_NOOP("ApplicationsPage", "Approved"),
    ApplicationStatus.REJECTED: QT_TRANSLATE_NOOP("ApplicationsPage", "Rejected"),
    ApplicationStatus.WITHDRAWN: QT_TRANSLATE_NOOP("ApplicationsPage", "Withdrawn"),
}
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)


def ask_open_file(parent: QWidget, title: str, filters: str) -> str:
    """The file the user picks to open ('' if cancelled); tests replace this."""
    return QFileDialog.getOpenFileName(parent, title, "", filters)[0]


def ask_save_file(parent: QWidget, title: str, name: str, filters: str) -> str:
    """The file the user picks to save to ('' if cancelled); tests replace this."""
    return QFileDialog.getSaveFileName(parent, title, name, filters)[0]


class ApplicationsPage(ListPage):
    """The clerk's applications, newest first."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Filed"), lambda a: local_time(a.application.created_at), "created_at"),
            Column(self.tr("Status"), lambda a: self.status_name(a.application.status), "status"),
            Column(self.tr("Plate"), lambda a: a.plate, "plate"),
            Column(self.tr("Driver"), lambda a: a.driver_name),
            Column(self.tr("Origin"), lambda a: a.region_name),
            Column(self.tr("Risk"), lambda a: name_of(a.risk.value), "risk"),
            Column(
                self.tr("Planned arrival"),
                lambda a: local_time(a.application.planned_arrival),
                "planned_arrival",
            ),
            Column(self.tr("Cargo"), lambda a: a.application.cargo),
            Column(self.tr("Note"), self._note),
        ]
        self._statuses: tuple[ApplicationStatus, ...] = ()
        model = RecordTableModel(columns, self._fetch)
        super().__init__(self.tr("Applications"), model, parent)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem(self.tr("All statuses"), None)
        for status in ApplicationStatus:
            self.status_filter.addItem(self.status_name(status), status)
        self.status_filter.currentIndexChanged.connect(self._on_status)
        self.top_row.insertWidget(2, self.status_filter)
        self.add_row_action(self.tr("Edit…"), self.edit)
        self.add_row_action(self.tr("Submit"), self.submit)
        self.add_row_action(self.tr("Withdraw"), self.withdraw)
        self.add_action(self.tr("Download template…"), self.save_template)
        self.add_action(self.tr("Import file…"), self.import_file, "Ctrl+I")
        self.add_action(self.tr("New application…"), self.add, "Ctrl+N")
        self.load(descending=True)

    def status_name(self, status: ApplicationStatus) -> str:
        """The translated name of an application status."""
        return self.tr(str(STATUS_NAMES[status]))

    def _note(self, view: ApplicationView) -> str:
        if view.application.status is ApplicationStatus.REJECTED:
            return view.application.decision_reason
        if view.pass_serial:
            return self.tr("Pass {serial}").format(serial=view.pass_serial[:8].upper())
        return ""

    def _fetch(self, query: SearchQuery) -> Page[ApplicationView]:
        full = ApplicationQuery(
            query.text,
            query.sort,
            query.descending,
            query.limit,
            query.offset,
            statuses=self._statuses,
        )
        return self.services.applications.search(self.user, full)

    def _on_status(self) -> None:
        status = self.status_filter.currentData()
        self._statuses = (status,) if status is not None else ()
        self.refresh()

    # -- the form ---------------------------------------------------------------------

    def _dialog(
        self, title: str, current: ApplicationView | None
    ) -> tuple[FormDialog, QDateTimeEdit, QSpinBox]:
        fleet, registry = self.services.fleet, self.services.registry
        everything = SearchQuery(limit=10_000, sort="plate")
        vehicles = fleet.search_vehicles(self.user, everything).rows
        drivers = fleet.search_drivers(self.user, replace(everything, sort="name")).rows
        regions = registry.list_risk_regions(self.user)
        app = current.application if current else None
        dialog = FormDialog(title, self)
        dialog.add_combo(
            "vehicle_id",
            self.tr("Vehicle"),
            [(v.plate, v.id) for v in vehicles],
            app.vehicle_id if app else None,
        )
        # The last four digits tell namesakes apart; Chinese writes full-width brackets.
        person = self.tr("{name} (…{phone})")
        people = [(person.format(name=d.name, phone=d.phone[-4:]), d.id) for d in drivers]
        dialog.add_combo("driver_id", self.tr("Driver"), people, app.driver_id if app else None)
        dialog.add_combo(
            "co_driver_id",
            self.tr("Co-driver"),
            [(self.tr("—"), None), *people],
            app.co_driver_id if app else None,
        )
        dialog.add_combo(
            "origin_region_id",
            self.tr("Origin"),
            [
                (
                    self.tr("{region} ({risk})").format(region=r.name, risk=name_of(r.level.value)),
                    r.id,
                )
                for r in regions
            ],
            app.origin_region_id if app else None,
        )
        dialog.add_line(
            "cargo", self.tr("Cargo"), app.cargo if app else "", self.tr("e.g. electronic parts")
        )
        arrival = QDateTimeEdit()
        arrival.setCalendarPopup(True)
        arrival.setDisplayFormat("yyyy-MM-dd HH:mm")
        default = app.planned_arrival if app else datetime.now(UTC) + timedelta(hours=2)
        arrival.setDateTime(QDateTime.fromSecsSinceEpoch(int(default.timestamp())))
        dialog.add_field("planned_arrival", self.tr("Planned arrival"), arrival)
        hours = QSpinBox()
        hours.setRange(1, MAX_VALIDITY_HOURS)
        hours.setSuffix(self.tr(" h"))
        # A new application starts at the deployment's default validity (a setting).
        hours.setValue(
            app.validity_hours if app else self.services.settings.current().validity_hours
        )
        dialog.add_field("validity_hours", self.tr("Valid for"), hours)
        return dialog, arrival, hours

    @staticmethod
    def _form(dialog: FormDialog, arrival: QDateTimeEdit, hours: QSpinBox) -> ApplicationInput:
        return ApplicationInput(
            vehicle_id=dialog.value("vehicle_id"),
            driver_id=dialog.value("driver_id"),
            origin_region_id=dialog.value("origin_region_id"),
            cargo=dialog.text("cargo"),
            planned_arrival=datetime.fromtimestamp(arrival.dateTime().toSecsSinceEpoch(), UTC),
            validity_hours=hours.value(),
            co_driver_id=dialog.value("co_driver_id"),
        )

    def add(self) -> None:
        """File a new application; Save submits it for review."""
        dialog, arrival, hours = self._dialog(self.tr("New application"), None)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).setText(
            self.tr("Submit for review")
        )
        draft = dialog.buttons.addButton(
            self.tr("Save as draft"), QDialogButtonBox.ButtonRole.ActionRole
        )
        as_draft: list[bool] = []

        def save_draft() -> None:
            as_draft.append(True)
            dialog.buttons.accepted.emit()

        draft.clicked.connect(save_draft)

        def file(form: FormDialog) -> object:
            draft_now = bool(as_draft)
            as_draft.clear()  # a failed draft save must not turn the next Submit into one
            return self.services.applications.file(
                self.user, self._form(form, arrival, hours), submit=not draft_now
            )

        dialog.set_submit(file)
        if dialog.exec():
            self.refresh()

    def edit(self, view: ApplicationView) -> None:
        """Change an application that is not decided yet."""
        if view.application.status not in EDITABLE:
            QMessageBox.information(
                self,
                self.title,
                self.tr("Only drafts and applications waiting for review can be changed."),
            )
            return
        dialog, arrival, hours = self._dialog(self.tr("Edit application"), view)
        dialog.set_submit(
            lambda d: self.services.applications.update(
                self.user, view.application.id, self._form(d, arrival, hours)
            )
        )
        if dialog.exec():
            self.refresh()

    def submit(self, view: ApplicationView) -> None:
        """Send a draft for review."""
        self.services.applications.submit(self.user, view.application.id)
        self.refresh()

    def withdraw(self, view: ApplicationView) -> None:
        """Take back an application after a confirmation."""
        answer = QMessageBox.question(
            self,
            self.title,
            self.tr("Withdraw the application for {plate}?").format(plate=view.plate),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.services.applications.withdraw(self.user, view.application.id)
            self.refresh()

    # -- files ------------------------------------------------------------------------

    def save_template(self) -> None:
        """Save the import template (.xlsx, or .csv if that name is chosen)."""
        name = ask_save_file(
            self, self.tr("Save template"), "报备模板.xlsx", self.tr("Excel (*.xlsx);;CSV (*.csv)")
        )
        if name:
            write_template(Path(name))

    def import_file(self) -> None:
        """Import a CSV/XLSX file: every row or none, with a report of every bad cell."""
        name = ask_open_file(
            self, self.tr("Import applications"), self.tr("Spreadsheets (*.xlsx *.csv)")
        )
        if not name:
            return
        try:
            created = self.services.importer.import_rows(self.user, read_rows(Path(name)))
        except ImportFileError as error:
            QMessageBox.warning(self, self.title, row_error_message(error.code, error.detail))
            return
        except ImportRejected as rejected:
            ImportReport(rejected.errors, self).exec()
            return
        QMessageBox.information(
            self,
            self.title,
            self.tr("{count} applications were filed and sent for review.").format(
                count=len(created)
            ),
        )
        self.refresh()


class ImportReport(QDialog):
    """Every problem of a rejected import file, one line per cell: row, column, reason."""

    def __init__(self, errors: tuple[RowError, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Nothing was imported"))
        self.resize(720, 420)
        intro = QLabel(
            self.tr(
                "The file has {count} problem(s). Nothing was saved: correct "
                "the file and import it again."
            ).format(count=len(errors))
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(errors), 3)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Column"), self.tr("Problem")]
        )
        for index, error in enumerate(errors):
            column = COLUMNS.get(error.field, error.field.replace("file", self.tr("File")))
            for position, text in enumerate(
                (str(error.row), column, row_error_message(error.code, "", error.field))
            ):
                self.table.setItem(index, position, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
