"""User-facing text for the stable codes that core/ returns (reason codes, enum values).

Every text is marked with ``QT_TRANSLATE_NOOP`` so ``pyside6-lupdate`` collects it, and is
translated when shown. Unknown codes fall back to the code itself rather than failing.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.errors import AccountLocked, DomainError, Duplicate
from core.validation import ValidationCode
from ui.formatting import time_of_day

CONTEXT = "Messages"
_VALIDATION_CODES = frozenset(code.value for code in ValidationCode)

_VALIDATION = {
    ValidationCode.REQUIRED: QT_TRANSLATE_NOOP("Messages", "Required."),
    ValidationCode.TOO_LONG: QT_TRANSLATE_NOOP("Messages", "Too long."),
    ValidationCode.BAD_FORMAT: QT_TRANSLATE_NOOP("Messages", "Wrong format."),
    ValidationCode.BAD_CHECKSUM: QT_TRANSLATE_NOOP(
        "Messages", "The check character does not match: please check every character."
    ),
    ValidationCode.BAD_DATE: QT_TRANSLATE_NOOP("Messages", "The birth date is not a real date."),
    ValidationCode.FUTURE_DATE: QT_TRANSLATE_NOOP("Messages", "The birth date is in the future."),
    ValidationCode.BAD_REGION: QT_TRANSLATE_NOOP(
        "Messages", "The first two digits are not a province code."
    ),
    ValidationCode.BAD_PROVINCE: QT_TRANSLATE_NOOP(
        "Messages", "The plate must start with a province abbreviation such as 浙."
    ),
    ValidationCode.BAD_CHARACTER: QT_TRANSLATE_NOOP(
        "Messages", "Contains a character that is not allowed (invisible characters, emoji)."
    ),
    ValidationCode.INNER_WHITESPACE: QT_TRANSLATE_NOOP(
        "Messages", "Remove the spaces inside the number."
    ),
    ValidationCode.FORBIDDEN_LETTER: QT_TRANSLATE_NOOP(
        "Messages", "Plates never use the letters I or O: did you mean 1 or 0?"
    ),
    ValidationCode.UNRECOGNIZED_PLATE: QT_TRANSLATE_NOOP(
        "Messages", "Not a known plate format. Tick “manual review” if the plate is right."
    ),
    ValidationCode.WEAK_PASSWORD: QT_TRANSLATE_NOOP(
        "Messages", "At least 10 characters, and not containing the user name."
    ),
}

# A format error says what the right format is, for the fields where that is one sentence.
_FORMAT_BY_FIELD = {
    "id_number": QT_TRANSLATE_NOOP(
        "Messages", "18 characters: 17 digits and a check character (a digit or X)."
    ),
    "phone": QT_TRANSLATE_NOOP("Messages", "An 11-digit mobile number starting with 1."),
    "contact_phone": QT_TRANSLATE_NOOP("Messages", "An 11-digit mobile number starting with 1."),
    "credit_code": QT_TRANSLATE_NOOP(
        "Messages", "18 characters: digits and capital letters except I, O, S, V, Z."
    ),
    "plate": QT_TRANSLATE_NOOP(
        "Messages", "Province, letter, then 5 characters (new energy: 6), e.g. 浙F12345."
    ),
    "username": QT_TRANSLATE_NOOP(
        "Messages", "2–32 lower-case letters, digits, '.', '_' or '-', starting with a letter."
    ),
    "code": QT_TRANSLATE_NOOP("Messages", "Letters, digits or '-', starting with a letter."),
    "region_code": QT_TRANSLATE_NOOP("Messages", "6 digits: the administrative division code."),
}

_DUPLICATE = QT_TRANSLATE_NOOP("Messages", "Already registered.")

_DOMAIN = {
    "PERMISSION_DENIED": QT_TRANSLATE_NOOP("Messages", "Your role may not do this."),
    "NOT_FOUND": QT_TRANSLATE_NOOP("Messages", "The record does not exist."),
    "INVALID_STATE": QT_TRANSLATE_NOOP("Messages", "The record has changed; refresh and retry."),
    "BAD_CREDENTIALS": QT_TRANSLATE_NOOP("Messages", "Wrong user name or password."),
    "ACCOUNT_LOCKED": QT_TRANSLATE_NOOP(
        "Messages", "Too many failed attempts. Try again after {time}."
    ),
    "WEAK_PASSWORD": QT_TRANSLATE_NOOP(
        "Messages", "At least 10 characters, and not containing the user name."
    ),
    "BUSY": QT_TRANSLATE_NOOP("Messages", "The database is busy. Please try again."),
    "STORAGE_FAILURE": QT_TRANSLATE_NOOP(
        "Messages", "The database could not be written (disk full?). Nothing was saved."
    ),
    "STORAGE_FULL": QT_TRANSLATE_NOOP(
        "Messages", "Disk full: NOT recorded, nothing was saved. Free disk space, then try again."
    ),
    "BACKUP_FAILED": QT_TRANSLATE_NOOP(
        "Messages", "The backup could not be written (disk full? folder not writable?)."
    ),
    "BACKUP_CORRUPT": QT_TRANSLATE_NOOP(
        "Messages",
        "The backup failed its check (damaged file or broken audit chain). Nothing was changed.",
    ),
    "DATABASE_IN_USE": QT_TRANSLATE_NOOP(
        "Messages", "Another program still has the database open. Close it, then try again."
    ),
    "BACKUP_UNAVAILABLE": QT_TRANSLATE_NOOP("Messages", "This database has no backup folder."),
    "SCHEMA_TOO_NEW": QT_TRANSLATE_NOOP(
        "Messages", "This database was written by a newer LoopPass. Please upgrade LoopPass."
    ),
    "NOT_A_DATABASE": QT_TRANSLATE_NOOP(
        "Messages", "This file is not a LoopPass database, or it is damaged."
    ),
}

_NAMES = {
    # roles
    "admin": QT_TRANSLATE_NOOP("Messages", "Administrator"),
    "clerk": QT_TRANSLATE_NOOP("Messages", "Enterprise clerk"),
    "reviewer": QT_TRANSLATE_NOOP("Messages", "Reviewer"),
    "operator": QT_TRANSLATE_NOOP("Messages", "Scan operator"),
    "supervisor": QT_TRANSLATE_NOOP("Messages", "Supervisor"),
    # checkpoint kinds
    "GATE": QT_TRANSLATE_NOOP("Messages", "City gate"),
    "ENTERPRISE": QT_TRANSLATE_NOOP("Messages", "Enterprise"),
    "ISOLATION": QT_TRANSLATE_NOOP("Messages", "Isolation point"),
    # risk levels
    "LOW": QT_TRANSLATE_NOOP("Messages", "Low risk"),
    "MEDIUM": QT_TRANSLATE_NOOP("Messages", "Medium risk"),
    "HIGH": QT_TRANSLATE_NOOP("Messages", "High risk"),
    # plate kinds
    "ORDINARY": QT_TRANSLATE_NOOP("Messages", "Ordinary"),
    "NEW_ENERGY_SMALL": QT_TRANSLATE_NOOP("Messages", "New energy (small)"),
    "NEW_ENERGY_LARGE": QT_TRANSLATE_NOOP("Messages", "New energy (large)"),
    "TRAILER": QT_TRANSLATE_NOOP("Messages", "Trailer"),
    "COACH": QT_TRANSLATE_NOOP("Messages", "Driving school"),
    "POLICE": QT_TRANSLATE_NOOP("Messages", "Police"),
    "HK_MACAU": QT_TRANSLATE_NOOP("Messages", "Hong Kong / Macau"),
    "EMBASSY": QT_TRANSLATE_NOOP("Messages", "Embassy"),
    "CONSULATE": QT_TRANSLATE_NOOP("Messages", "Consulate"),
    "UNRECOGNIZED": QT_TRANSLATE_NOOP("Messages", "Needs manual review"),
}


_IMPORT = {
    "UNKNOWN_REGION": QT_TRANSLATE_NOOP("Messages", "Unknown region code."),
    "REGISTERED_ELSEWHERE": QT_TRANSLATE_NOOP(
        "Messages", "Already registered by another enterprise."
    ),
    "NAME_MISMATCH": QT_TRANSLATE_NOOP(
        "Messages", "This ID number is registered under another name."
    ),
    "NO_ROWS": QT_TRANSLATE_NOOP("Messages", "The file has no data rows."),
    "EMPTY_FILE": QT_TRANSLATE_NOOP("Messages", "The file is empty."),
    "MISSING_COLUMNS": QT_TRANSLATE_NOOP("Messages", "Columns missing: {detail}"),
    "TOO_MANY_ROWS": QT_TRANSLATE_NOOP("Messages", "Too many rows: {detail}."),
    "NO_FILE": QT_TRANSLATE_NOOP("Messages", "The file does not exist."),
    "FILE_TOO_LARGE": QT_TRANSLATE_NOOP("Messages", "The file is too large: {detail}."),
    "UNSUPPORTED_TYPE": QT_TRANSLATE_NOOP("Messages", "Use an .xlsx or .csv file."),
    "BAD_XLSX": QT_TRANSLATE_NOOP("Messages", "The Excel file cannot be read."),
}


def row_error_message(code: str, detail: str = "", field: str = "") -> str:
    """The translated message for an import problem (a cell's reason code or a file error)."""
    if code in _VALIDATION_CODES:
        return validation_message(code, field)
    source = _IMPORT.get(code)
    return _tr(source).format(detail=detail) if source else code


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def validation_message(code: str, field: str = "") -> str:
    """The translated message for a ``ValidationCode`` on ``field``."""
    if code == ValidationCode.BAD_FORMAT and field in _FORMAT_BY_FIELD:
        return _tr(_FORMAT_BY_FIELD[field])
    source = _VALIDATION.get(ValidationCode(code)) if code in _VALIDATION_CODES else None
    return _tr(source) if source else code


def error_message(error: Exception) -> str:
    """The translated message for an expected failure (a ``DomainError``)."""
    if isinstance(error, Duplicate):
        return _tr(_DUPLICATE)
    if isinstance(error, AccountLocked):
        return _tr(_DOMAIN["ACCOUNT_LOCKED"]).format(time=time_of_day(error.until))
    if isinstance(error, DomainError):
        source = _DOMAIN.get(error.code)
        return _tr(source) if source else error.code
    return _tr(QT_TRANSLATE_NOOP("Messages", "Unexpected error. Details were written to the log."))


def name_of(code: str) -> str:
    """The translated name of a role, checkpoint kind, risk level or plate kind."""
    source = _NAMES.get(code)
    return _tr(source) if source else code
