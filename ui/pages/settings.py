"""The settings dialog (administrator): every deployment setting on one form, in groups.

Each number is a spin box with the setting's bounds and unit from ``core.settings``. A number
typed outside the bounds stays as typed (a spin box would otherwise put back the old value
without a word) so that Save can say under the field what is allowed. Save sends every
changed value to ``SettingsService.update``, which checks them all before writing any:
errors appear in red under their fields and nothing is saved; on success the dialog closes
and ``saved`` carries the confirmation for the status bar. Enter saves, Esc cancels.

The SMS gateway token is never shown: the field only says whether one is set; typing a new
one replaces it, "Remove the stored token" clears it. "This station" edits the rows of the PC
the dialog runs on (``ui.station_identity``): the checkpoint a supervisor standing in starts
at, and the camera source.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFocusEvent, QKeyEvent, QResizeEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError
from core.forms import FormInvalid
from core.models import User
from core.services import Services
from core.settings import (
    MAX_CAMERA_INDEX,
    SPEC_BY_KEY,
    STATION_CAMERA,
    STATION_CHECKPOINT,
    SettingKind,
    SettingSpec,
    station_key,
)
from core.validation import ValidationCode, ValidationError
from ui.form_dialog import ERROR_STYLE, INVALID_PROPERTY
from ui.messages import error_message, validation_message
from ui.station_identity import this_station_id

CONTEXT = "SettingsDialog"
SPIN_WIDTH = 150
ERROR_MIN_WIDTH = 120
FIT_ROUNDS = 4
INVALID_STYLE = "border: 1px solid #c62828; color: #c62828;"
COLUMN_WIDTH = 400
CAMERA_CHOICES = 10  # devices offered in the list; a higher index can be typed as "other"
_DIGITS = re.compile(r"[0-9]{1,9}", re.ASCII)

# (group title, setting keys) in the order shown; the first three groups form the left column.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (QT_TRANSLATE_NOOP("SettingsDialog", "Pass"), ("pass.validity_hours",)),
    (
        QT_TRANSLATE_NOOP("SettingsDialog", "Leg time limits"),
        (
            "leg.gate_to_enterprise",
            "leg.enterprise_to_gate",
            "leg.enterprise_to_isolation",
            "leg.isolation_to_gate",
        ),
    ),
    (
        QT_TRANSLATE_NOOP("SettingsDialog", "Scanning"),
        (
            "scan.duplicate_window",
            "scan.clock_tolerance",
            "scan.clone_min_travel",
            "anomaly.repeated_red",
        ),
    ),
    (QT_TRANSLATE_NOOP("SettingsDialog", "SMS"), ("sms.gateway_url", "sms.gateway_token")),
    (
        QT_TRANSLATE_NOOP("SettingsDialog", "Data retention"),
        ("retention.days", "audit.head_every"),
    ),
    (QT_TRANSLATE_NOOP("SettingsDialog", "Backup"), ("backup.interval_hours", "backup.keep")),
)
LEFT_GROUPS = 3

LABELS = {
    "pass.validity_hours": QT_TRANSLATE_NOOP("SettingsDialog", "Default validity"),
    "leg.gate_to_enterprise": QT_TRANSLATE_NOOP("SettingsDialog", "City gate → enterprise"),
    "leg.enterprise_to_gate": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Enterprise → city gate (low risk)"
    ),
    "leg.enterprise_to_isolation": QT_TRANSLATE_NOOP(
        "SettingsDialog", "Enterprise → isolation point"
    ),
    "leg.isolation_to_gate": QT_TRANSLATE_NOOP("SettingsDialog", "Isolation point → city gate"),
    "scan.duplicate_window": QT_TRANSLATE_NOOP("SettingsDialog", "Repeat window"),
    "scan.clock_tolerance": QT_TRANSLATE_NOOP("SettingsDialog", "Station clock tolerance"),
    "scan.clone_min_travel": QT_TRANSLATE_NOOP("SettingsDialog", "Least time between points"),
    "anomaly.repeated_red": QT_TRANSLATE_NOOP("SettingsDialog", "Repeated RED alert"),
    "sms.gateway_url": QT_TRANSLATE_NOOP("SettingsDialog", "Gateway URL"),
    "sms.gateway_token": QT_TRANSLATE_NOOP("SettingsDialog", "Gateway token"),
    "retention.days": QT_TRANSLATE_NOOP("SettingsDialog", "Keep records for"),
    "audit.head_every": QT_TRANSLATE_NOOP("SettingsDialog", "Sign the audit chain every"),
    "backup.interval_hours": QT_TRANSLATE_NOOP("SettingsDialog", "Back up every"),
    "backup.keep": QT_TRANSLATE_NOOP("SettingsDialog", "Backups kept"),
}

# What each number means, shown as its tooltip (with the allowed range).
HINTS = {
    "pass.validity_hours": QT_TRANSLATE_NOOP(
        "SettingsDialog", "How long a new application's pass is valid, unless the clerk changes it."
    ),
    "scan.duplicate_window": QT_TRANSLATE_NOOP(
        "SettingsDialog",
        "The same pass at the same station within this time shows the first verdict again "
        "and is not recorded twice.",
    ),
    "scan.clock_tolerance": QT_TRANSLATE_NOOP(
        "SettingsDialog",
        "A station clock further behind its own last scan gives CHECK (clock skew).",
    ),
    "scan.clone_min_travel": QT_TRANSLATE_NOOP(
        "SettingsDialog",
        "The same pass at two points faster than this gives CHECK (possible clone).",
    ),
    "anomaly.repeated_red": QT_TRANSLATE_NOOP(
        "SettingsDialog", "This many STOP verdicts for one plate in a day raise an anomaly."
    ),
}

UNITS = {
    "hours": QT_TRANSLATE_NOOP("SettingsDialog", " h"),
    "minutes": QT_TRANSLATE_NOOP("SettingsDialog", " min"),
    "seconds": QT_TRANSLATE_NOOP("SettingsDialog", " s"),
    "days": QT_TRANSLATE_NOOP("SettingsDialog", " days"),
    "entries": QT_TRANSLATE_NOOP("SettingsDialog", " entries"),
}
# Units of the two settings the catalogue leaves without one.
UNITS_BY_KEY = {
    "anomaly.repeated_red": QT_TRANSLATE_NOOP("SettingsDialog", " STOPs a day"),
    "backup.keep": QT_TRANSLATE_NOOP("SettingsDialog", " copies"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


class SettingSpinBox(QSpinBox):
    """A whole number within a setting's bounds, with its unit as the suffix.

    The arrows and Page Up/Down stay within the bounds; a number typed beyond them is kept as
    typed — not put back to the old value when focus leaves or Enter is pressed — so that
    Save reports it. Anything but digits cannot be typed at all.
    """

    def __init__(self, spec: SettingSpec, suffix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setRange(spec.minimum, spec.maximum)
        self.setSuffix(suffix)
        self.setAccelerated(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)

    def typed_text(self) -> str:
        """The number as typed (without the unit), in range or not."""
        return self._clean(self.lineEdit().text())

    def _clean(self, text: str) -> str:
        suffix = self.suffix().strip()
        value = text.strip()
        if suffix and value.endswith(suffix):
            value = value[: -len(suffix)]
        return value.strip()

    def validate(self, text: str, pos: int) -> QValidator.State:  # type: ignore[override]
        value = self._clean(text)
        if not value:
            return QValidator.State.Intermediate
        if not _DIGITS.fullmatch(value):
            return QValidator.State.Invalid
        if self.spec.minimum <= int(value) <= self.spec.maximum:
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate

    def _acceptable(self) -> bool:
        text = self.lineEdit().text()
        return self.validate(text, len(text)) is QValidator.State.Acceptable

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self._acceptable():
            super().focusOutEvent(event)
            return
        # QAbstractSpinBox would put the last good value back: keep the text for Save.
        self.lineEdit().event(event)
        QWidget.focusOutEvent(self, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self._acceptable():
            event.ignore()  # the dialog's Save gets the Enter and reports the value
            return
        super().keyPressEvent(event)


class ErrorLabel(QLabel):
    """A red, word-wrapped error that asks its layout for the height of its wrapped lines.

    Form layouts inside group boxes under-count a wrapped label's height (the last lines got
    cut off), so the label gives a plain size hint for its current width instead of taking
    part in height-for-width, and asks for a new layout when its width changes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(ERROR_STYLE)

    def hasHeightForWidth(self) -> bool:
        return False

    def sizeHint(self) -> QSize:
        width = self.width() if self.width() > ERROR_MIN_WIDTH else ERROR_MIN_WIDTH
        return QSize(ERROR_MIN_WIDTH, super().heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def fits(self) -> bool:
        """True when hidden, or tall enough for every wrapped line of its text."""
        return self.isHidden() or self.height() >= self.heightForWidth(self.width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()


class SettingsDialog(QDialog):
    """One form for every setting; ``saved(message)`` after a successful Save."""

    saved = Signal(str)

    def __init__(self, services: Services, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.user = user
        self.setWindowTitle(self.tr("Settings"))
        self.setObjectName("settingsDialog")
        self.station_id = this_station_id() or ""
        self.current = services.settings.current()
        self.station = services.settings.station(self.station_id)
        self.token_set = bool(self.current.sms_gateway_token)
        self.inputs: dict[str, QWidget] = {}
        self._errors: dict[str, ErrorLabel] = {}
        self._order: list[QWidget] = []

        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        for index, (title, keys) in enumerate(GROUPS):
            form = self._group(left if index < LEFT_GROUPS else right, _tr(title))
            for key in keys:
                self._add_setting(form, key)
        self._station_group(right)
        left.addStretch(1)
        right.addStretch(1)
        for column in (left, right):
            holder = QWidget()
            holder.setLayout(column)
            column.setContentsMargins(0, 0, 0, 0)
            holder.setMinimumWidth(COLUMN_WIDTH)
            columns.addWidget(holder, 1)

        self._general_error = ErrorLabel()
        self._general_error.setObjectName("error_general")
        self._general_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self._general_error)
        layout.addWidget(self.buttons)

        for first, second in zip(self._order, self._order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        if self._order:
            self._order[0].setFocus()

    # -- building ---------------------------------------------------------------------------

    def _group(self, column: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        column.addWidget(box)
        return form

    def _row(
        self, form: QFormLayout, key: str, label: str, *widgets: QWidget, stacked: bool = False
    ) -> None:
        """A labelled row: the input widget(s) side by side (or one under the other), and the
        field's error label under them."""
        error = ErrorLabel()
        error.setObjectName(f"error_{key}")
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        line = QVBoxLayout() if stacked else QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            line.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
            if isinstance(widget, QLineEdit | QSpinBox | QComboBox | QCheckBox):
                self._order.append(widget)
        if not stacked and not any(isinstance(w, QLineEdit) for w in widgets):
            line.addStretch(1)
        column.addLayout(line)
        column.addWidget(error)
        form.addRow(label, box)
        self.inputs[key] = widgets[0]
        self._errors[key] = error
        widgets[0].setObjectName(f"field_{key}")

    def _add_setting(self, form: QFormLayout, key: str) -> None:
        spec = SPEC_BY_KEY[key]
        label = _tr(LABELS[key])
        if spec.kind is SettingKind.INTEGER:
            unit = UNITS_BY_KEY.get(key) or UNITS.get(spec.unit, "")
            spin = SettingSpinBox(spec, _tr(unit) if unit else "")
            spin.setValue(int(getattr(self.current, spec.field)))
            spin.setFixedWidth(SPIN_WIDTH)
            tip = self.tr("From {minimum} to {maximum}").format(
                minimum=spec.minimum, maximum=spec.maximum
            )
            if key in HINTS:
                tip = f"{_tr(HINTS[key])}\n{tip}"
            spin.setToolTip(tip)
            spin.lineEdit().textEdited.connect(lambda _text, k=key: self._clear_error(k))
            self._row(form, key, label, spin)
        elif spec.kind is SettingKind.SECRET:
            token = QLineEdit()
            token.setEchoMode(QLineEdit.EchoMode.Password)
            token.setPlaceholderText(
                self.tr("Set — leave empty to keep it") if self.token_set else self.tr("Not set")
            )
            token.textEdited.connect(lambda _text, k=key: self._clear_error(k))
            self.clear_token = QCheckBox(self.tr("Remove the stored token"))
            self.clear_token.setObjectName("clearToken")
            self.clear_token.setVisible(self.token_set)
            self.clear_token.toggled.connect(lambda on: token.setEnabled(not on))
            self._row(form, key, label, token, self.clear_token, stacked=True)
        else:
            edit = QLineEdit(str(getattr(self.current, spec.field)))
            edit.setPlaceholderText("https://sms.example.com/send")
            edit.textEdited.connect(lambda _text, k=key: self._clear_error(k))
            self._row(form, key, label, edit)

    def _station_group(self, column: QVBoxLayout) -> None:
        form = self._group(column, self.tr("This station"))
        ident = QLabel(self.station_id)
        ident.setObjectName("stationId")
        ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ident.setStyleSheet("color: #555;")
        form.addRow(self.tr("Station id"), ident)

        self.checkpoint_key = station_key(self.station_id, STATION_CHECKPOINT)
        points = QComboBox()
        points.addItem(self.tr("Not set (first open checkpoint)"), "")
        for point in self.services.registry.list_checkpoints(self.user):
            if point.active:
                points.addItem(f"{point.code}  {point.name}", point.code)
        points.setCurrentIndex(max(0, points.findData(self.station.checkpoint)))
        points.setToolTip(self.tr("Where a supervisor standing in at this PC starts scanning"))
        points.currentIndexChanged.connect(lambda _i: self._clear_error(self.checkpoint_key))
        self._row(form, self.checkpoint_key, self.tr("Checkpoint"), points)

        self.camera_key = station_key(self.station_id, STATION_CAMERA)
        kind = QComboBox()
        kind.addItem(self.tr("Not set (this PC's choice)"), "")
        for index in range(CAMERA_CHOICES):
            kind.addItem(self.tr("Camera {index}").format(index=index), str(index))
        kind.addItem(self.tr("Video file or stream"), "other")
        other = QLineEdit()
        other.setObjectName("cameraOther")
        other.setPlaceholderText(self.tr("rtsp://… or the full path of a video file"))
        camera = self.station.camera
        listed = kind.findData(camera)
        if camera and listed < 0:
            kind.setCurrentIndex(kind.findData("other"))
            other.setText(camera)
        else:
            kind.setCurrentIndex(max(0, listed))
        other.setEnabled(kind.currentData() == "other")
        kind.currentIndexChanged.connect(
            lambda _i: (
                other.setEnabled(kind.currentData() == "other"),
                self._clear_error(self.camera_key),
            )
        )
        other.textEdited.connect(lambda _text: self._clear_error(self.camera_key))
        self.camera_other = other
        self._row(form, self.camera_key, self.tr("Camera"), kind, other, stacked=True)

    # -- reading the form ------------------------------------------------------------------

    def changes(self) -> dict[str, str]:
        """Key → new text of every field that differs from what is in force."""
        changed: dict[str, str] = {}
        for key, widget in self.inputs.items():
            if key in (self.checkpoint_key, self.camera_key):
                continue
            spec = SPEC_BY_KEY[key]
            current = str(getattr(self.current, spec.field))
            if isinstance(widget, SettingSpinBox):
                text = widget.typed_text()
                if text != current:
                    changed[key] = text
            elif spec.kind is SettingKind.SECRET:
                assert isinstance(widget, QLineEdit)
                if self.clear_token.isChecked():
                    changed[key] = ""
                elif widget.text():
                    changed[key] = widget.text()
            elif isinstance(widget, QLineEdit) and widget.text().strip() != current:
                changed[key] = widget.text()
        points = self.inputs[self.checkpoint_key]
        assert isinstance(points, QComboBox)
        if (points.currentData() or "") != self.station.checkpoint:
            changed[self.checkpoint_key] = points.currentData() or ""
        camera = self._camera_text()
        if camera != self.station.camera:
            changed[self.camera_key] = camera
        return changed

    def _camera_text(self) -> str:
        kind = self.inputs[self.camera_key]
        assert isinstance(kind, QComboBox)
        choice = kind.currentData()
        return self.camera_other.text().strip() if choice == "other" else str(choice or "")

    # -- saving ----------------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        """Store every change, or show every error and store nothing."""
        self._clear_all()
        changes = self.changes()
        if not changes:
            self.saved.emit(self.tr("No setting was changed."))
            self.accept()
            return
        try:
            self.services.settings.update(self.user, changes)
        except FormInvalid as invalid:
            for error in invalid.errors:
                self._show_error(error.field, self._message(error))
            self._focus_first_error()
            return
        except DomainError as error:
            self._show_error("", error_message(error))
            return
        count = len(changes)
        self.saved.emit(self.tr("Settings saved ({count} changed).").format(count=count))
        self.accept()

    def _message(self, error: ValidationError) -> str:
        spec = SPEC_BY_KEY.get(error.field)
        if spec is not None and spec.kind is SettingKind.INTEGER:
            return self.tr("Enter a whole number from {minimum} to {maximum}.").format(
                minimum=spec.minimum, maximum=spec.maximum
            )
        if error.field == "sms.gateway_url" and error.code is ValidationCode.BAD_FORMAT:
            return self.tr(
                "Enter an address starting with http:// or https://, without a user name "
                "or password."
            )
        if error.field == getattr(self, "checkpoint_key", None):
            return self.tr("Choose an open checkpoint.")
        if error.field == getattr(self, "camera_key", None) and error.code in (
            ValidationCode.BAD_FORMAT,
            ValidationCode.BAD_CHARACTER,
        ):
            return self.tr(
                "Enter a camera number (0–{maximum}), the full path of a video file, or an "
                "rtsp:// or http:// address."
            ).format(maximum=MAX_CAMERA_INDEX)
        return validation_message(error.code, error.field)

    # -- errors ----------------------------------------------------------------------------

    def error_text(self, key: str) -> str:
        """The error shown under ``key``'s field (empty when none)."""
        label = self._errors[key]
        return label.text() if not label.isHidden() else ""

    def general_error_text(self) -> str:
        """The error shown above the buttons (empty when none)."""
        return self._general_error.text() if not self._general_error.isHidden() else ""

    def _show_error(self, key: str, message: str) -> None:
        label = self._errors.get(key)
        if label is None:
            self._general_error.setText(message)
            self._general_error.show()
            return
        label.setText(message)
        label.show()
        widget: Any = self.inputs[key]
        widget.setProperty(INVALID_PROPERTY, True)
        self._styled(widget).setStyleSheet(INVALID_STYLE)

    def _clear_error(self, key: str) -> None:
        if key not in self._errors:
            return
        self._errors[key].hide()
        self.inputs[key].setProperty(INVALID_PROPERTY, False)
        self._styled(self.inputs[key]).setStyleSheet("")

    @staticmethod
    def _styled(widget: QWidget) -> QWidget:
        # A border on a spin box itself makes Qt draw its arrows without the native style.
        return widget.lineEdit() if isinstance(widget, QSpinBox) else widget

    def _fit_errors(self) -> None:
        """Grow until every error has its wrapped height: a layout pass gives the errors their
        widths, their new heights ask for another pass (a few rounds settle it)."""
        layout = self.layout()
        for _round in range(FIT_ROUNDS):
            if layout is not None:
                layout.activate()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self.adjustSize()
            if all(label.fits() for label in (*self._errors.values(), self._general_error)):
                return

    def _clear_all(self) -> None:
        for key in self._errors:
            self._clear_error(key)
        self._general_error.hide()

    def _focus_first_error(self) -> None:
        self._fit_errors()  # error labels appeared: grow so that none is cut off
        for widget in self._order:
            key = next((k for k, w in self.inputs.items() if w is widget), None)
            if key is not None and self.error_text(key):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return
