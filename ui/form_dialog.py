"""A keyboard-friendly form dialog that shows each error in red right under its field.

The dialog does not validate anything itself: ``submit`` calls a service, and whatever the
service rejects (``FormInvalid``, ``Duplicate``, any ``DomainError``) is shown next to the
field it names, or above the buttons if it names none. Nothing is saved unless the service
call returned; the dialog then closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.errors import DomainError, Duplicate
from core.forms import FormInvalid
from core.validation import ValidationError
from ui.fit import HintLineEdit
from ui.messages import error_message, validation_message

ERROR_STYLE = "color: #c62828;"
INVALID_PROPERTY = "invalid"


class FormDialog(QDialog):
    """A titled form; add fields, then ``set_submit``; Enter saves, Esc cancels."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._inputs: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._submit: Callable[[FormDialog], Any] | None = None
        self.result_value: Any = None

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._general_error = QLabel()
        self._general_error.setStyleSheet(ERROR_STYLE)
        self._general_error.setWordWrap(True)
        self._general_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        layout = self.layout_
        layout.addLayout(self._form)
        layout.addWidget(self._general_error)
        layout.addWidget(self.buttons)

    def add_field(self, field: str, label: str, widget: QWidget) -> None:
        """Any input widget as a field, with its error label under it."""
        error = QLabel()
        error.setObjectName(f"error_{field}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        self._form.addRow(label, box)
        self._inputs[field] = widget
        self._errors[field] = error
        widget.setObjectName(f"field_{field}")

    def add_line(
        self, field: str, label: str, text: str = "", placeholder: str = "", secret: bool = False
    ) -> QLineEdit:
        """A one-line text field."""
        edit = HintLineEdit(text)  # the dialog grows to show the whole placeholder
        edit.setPlaceholderText(placeholder)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textEdited.connect(lambda _text, f=field: self._clear_error(f))
        self.add_field(field, label, edit)
        return edit

    def add_combo(
        self, field: str, label: str, items: list[tuple[str, Any]], current: Any = None
    ) -> QComboBox:
        """A drop-down of (text, value) pairs."""
        combo = QComboBox()
        for text, value in items:
            combo.addItem(text, value)
        if current is not None:
            combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.currentIndexChanged.connect(lambda _i, f=field: self._clear_error(f))
        self.add_field(field, label, combo)
        return combo

    def add_check(self, field: str, label: str, checked: bool = False) -> QCheckBox:
        """A tick box."""
        box = QCheckBox()
        box.setChecked(checked)
        self.add_field(field, label, box)
        return box

    def text(self, field: str) -> str:
        """The text typed in a line field."""
        widget = self._inputs[field]
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def value(self, field: str) -> Any:
        """The value chosen in a drop-down."""
        widget = self._inputs[field]
        assert isinstance(widget, QComboBox)
        return widget.currentData()

    def checked(self, field: str) -> bool:
        """Whether a tick box is ticked."""
        widget = self._inputs[field]
        assert isinstance(widget, QCheckBox)
        return widget.isChecked()

    def set_submit(self, submit: Callable[[FormDialog], Any]) -> None:
        """What Save does; its return value ends up in ``result_value``."""
        self._submit = submit

    def error_text(self, field: str) -> str:
        """The error shown under ``field`` (empty when none), for tests and screen readers."""
        label = self._errors[field]
        return label.text() if not label.isHidden() else ""

    def general_error_text(self) -> str:
        """The error shown above the buttons (empty when none)."""
        return self._general_error.text() if not self._general_error.isHidden() else ""

    @Slot()
    def _on_save(self) -> None:
        if self._submit is None:
            self.accept()
            return
        self._clear_all()
        try:
            self.result_value = self._submit(self)
        except FormInvalid as invalid:
            for error in invalid.errors:
                self._show_error(error.field, validation_message(error.code, error.field))
            self._focus_first_error()
            return
        except ValidationError as error:
            self._show_error(error.field, validation_message(error.code, error.field))
            self._focus_first_error()
            return
        except Duplicate as duplicate:
            self._show_error(duplicate.field, error_message(duplicate))
            self._focus_first_error()
            return
        except DomainError as error:
            self._show_error("", error_message(error))
            self.adjustSize()
            return
        self.accept()

    def _show_error(self, field: str, message: str) -> None:
        label = self._errors.get(field)
        if label is None:
            self._general_error.setText(message)
            self._general_error.show()
            return
        label.setText(message)
        label.show()
        widget = self._inputs[field]
        widget.setProperty(INVALID_PROPERTY, True)
        widget.setStyleSheet("border: 1px solid #c62828;")

    def _clear_error(self, field: str) -> None:
        self._errors[field].hide()
        self._inputs[field].setProperty(INVALID_PROPERTY, False)
        self._inputs[field].setStyleSheet("")

    def _clear_all(self) -> None:
        for field in self._errors:
            self._clear_error(field)
        self._general_error.hide()

    def _focus_first_error(self) -> None:
        # Error labels appeared: let the dialog grow so none is cut off.
        self.adjustSize()
        for field, label in self._errors.items():
            if not label.isHidden():
                self._inputs[field].setFocus(Qt.FocusReason.OtherFocusReason)
                return
