"""Vehicles and drivers: clerks register and edit their enterprise's; reviewers and
supervisors look them up. ID numbers and phones are always shown masked; the full ID number
only through the audited "reveal" button."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QMessageBox, QWidget

from core.models import Driver, User, Vehicle
from core.permissions import Action, allowed
from core.services import Services
from core.services.fleet import DriverInput, VehicleInput
from core.validation import mask_id_number, mask_phone
from ui.form_dialog import FormDialog
from ui.formatting import date_time
from ui.list_page import ListPage
from ui.messages import name_of
from ui.table_model import Column, RecordTableModel


def local_time(moment: datetime) -> str:
    """A stored UTC time in the station's local time, to the minute, in the user's locale."""
    return date_time(moment)


class VehiclesPage(ListPage):
    """The vehicle register."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Plate"), lambda v: v.plate, "plate"),
            Column(self.tr("Plate type"), lambda v: name_of(v.plate_kind), "plate_kind"),
            Column(self.tr("Manual review"), lambda v: self.tr("Yes") if v.needs_review else ""),
            Column(self.tr("Vehicle"), lambda v: v.description),
            Column(self.tr("Registered"), lambda v: local_time(v.created_at), "created_at"),
        ]
        model = RecordTableModel(columns, lambda query: services.fleet.search_vehicles(user, query))
        super().__init__(self.tr("Vehicles"), model, parent)
        if allowed(user, Action.MANAGE_FLEET):
            self.add_row_action(self.tr("Edit…"), self.edit)
            self.add_action(self.tr("Register vehicle…"), self.add, "Ctrl+N")
        self.load()

    def _dialog(self, title: str, vehicle: Vehicle | None) -> FormDialog:
        dialog = FormDialog(title, self)
        dialog.add_line(
            "plate", self.tr("Plate"), vehicle.plate if vehicle else "", self.tr("e.g. 浙F12345")
        )
        dialog.add_line(
            "description",
            self.tr("Vehicle"),
            vehicle.description if vehicle else "",
            self.tr("e.g. heavy box truck"),
        )
        dialog.add_check(
            "manual_review",
            self.tr("Manual review (unusual plate)"),
            vehicle.needs_review if vehicle else False,
        )
        return dialog

    @staticmethod
    def _form(dialog: FormDialog) -> VehicleInput:
        return VehicleInput(
            dialog.text("plate"), dialog.text("description"), dialog.checked("manual_review")
        )

    def add(self) -> None:
        """Open the registration form."""
        dialog = self._dialog(self.tr("Register vehicle"), None)
        dialog.set_submit(lambda d: self.services.fleet.add_vehicle(self.user, self._form(d)))
        if dialog.exec():
            self.refresh()

    def edit(self, vehicle: Vehicle) -> None:
        """Open the edit form for ``vehicle``."""
        dialog = self._dialog(self.tr("Edit vehicle"), vehicle)
        dialog.set_submit(
            lambda d: self.services.fleet.update_vehicle(self.user, vehicle.id, self._form(d))
        )
        if dialog.exec():
            self.refresh()


class DriversPage(ListPage):
    """The driver register."""

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        self.services = services
        self.user = user
        columns = [
            Column(self.tr("Name"), lambda d: d.name, "name"),
            Column(self.tr("ID number"), lambda d: mask_id_number(d.id_number)),
            Column(self.tr("Mobile"), lambda d: mask_phone(d.phone)),
            Column(self.tr("Registered"), lambda d: local_time(d.created_at), "created_at"),
        ]
        model = RecordTableModel(columns, lambda query: services.fleet.search_drivers(user, query))
        super().__init__(self.tr("Drivers"), model, parent)
        self.search.setPlaceholderText(self.tr("Name, or full mobile / ID number…"))
        if allowed(user, Action.MANAGE_FLEET):
            self.add_row_action(self.tr("Edit…"), self.edit)
            self.add_action(self.tr("Register driver…"), self.add, "Ctrl+N")
        if allowed(user, Action.REVEAL_ID_NUMBER):
            self.add_row_action(self.tr("Show full ID number"), self.reveal)
        self.load()

    def _dialog(self, title: str, driver: Driver | None) -> FormDialog:
        dialog = FormDialog(title, self)
        dialog.add_line("name", self.tr("Name"), driver.name if driver else "")
        id_hint = (
            self.tr("{masked} — leave empty to keep").format(
                masked=mask_id_number(driver.id_number)
            )
            if driver
            else self.tr("18 characters")
        )
        dialog.add_line("id_number", self.tr("ID number"), placeholder=id_hint)
        dialog.add_line(
            "phone",
            self.tr("Mobile"),
            driver.phone if driver else "",
            self.tr("e.g. 138 0013 8000"),
        )
        return dialog

    @staticmethod
    def _form(dialog: FormDialog) -> DriverInput:
        return DriverInput(dialog.text("name"), dialog.text("id_number"), dialog.text("phone"))

    def add(self) -> None:
        """Open the registration form."""
        dialog = self._dialog(self.tr("Register driver"), None)
        dialog.set_submit(lambda d: self.services.fleet.add_driver(self.user, self._form(d)))
        if dialog.exec():
            self.refresh()

    def edit(self, driver: Driver) -> None:
        """Open the edit form; the ID number is not shown in full, and kept unless retyped."""
        dialog = self._dialog(self.tr("Edit driver"), driver)
        dialog.set_submit(
            lambda d: self.services.fleet.update_driver(self.user, driver.id, self._form(d))
        )
        if dialog.exec():
            self.refresh()

    def reveal(self, driver: Driver) -> None:
        """Show the full ID number after an audited reveal."""
        full = self.services.fleet.reveal_id_number(self.user, driver.id)
        QMessageBox.information(
            self,
            self.tr("ID number"),
            self.tr("{name}: {id_number}\nThis look-up was recorded in the audit log.").format(
                name=driver.name, id_number=full
            ),
        )
