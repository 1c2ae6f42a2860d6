"""Collecting every field error of a form at once, so the UI can mark them all together."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from core.validation import ValidationCode, ValidationError

T = TypeVar("T")


class FormInvalid(ValueError):
    """One or more fields of a form failed validation; nothing was saved."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.code}" for e in errors))
        self.errors = tuple(errors)

    def codes(self) -> dict[str, ValidationCode]:
        """Field name -> reason code, for tests and the CLI."""
        return {error.field: error.code for error in self.errors}


class FieldCollector:
    """Runs each field's normalizer, keeps the errors, and raises them together at the end."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def take(self, normalize: Callable[[], T], default: T) -> T:
        """The normalized value, or ``default`` after recording the field's error."""
        try:
            return normalize()
        except ValidationError as error:
            self.errors.append(error)
            return default

    def fail(self, field: str, code: ValidationCode, detail: str = "") -> None:
        """Record an error found by a cross-field check."""
        self.errors.append(ValidationError(field, code, detail))

    def raise_if_any(self) -> None:
        """Raise ``FormInvalid`` with every recorded error, if there is one."""
        if self.errors:
            raise FormInvalid(self.errors)
