"""Dates, times, durations, counts and sizes as the user reads them: in the locale of the
language chosen (``ui.i18n`` sets Qt's default locale at start), in the station's local time.

Every screen formats through these helpers, never with ``strftime``: Chinese shows
``2026/11/25 08:00``, American English ``11/25/2026 8:00 AM``, British English
``25/11/2026 08:00``; counts get the locale's group separator (``12,345``). Years are always
written with four digits (a pass or an audit entry outlives a two-digit year's ambiguity).
Printed passes, SMS texts and files for other programs keep their fixed formats (see
docs/decisions.md, "Languages").
"""

from __future__ import annotations

import re
from datetime import date, datetime

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QDateTime, QLocale, QTime

CONTEXT = "Formatting"
_UNITS = {
    "s": QT_TRANSLATE_NOOP("Formatting", "{n} s"),
    "min": QT_TRANSLATE_NOOP("Formatting", "{n} min"),
    "h": QT_TRANSLATE_NOOP("Formatting", "{n} h"),
    "days": QT_TRANSLATE_NOOP("Formatting", "{n} days"),
}
_SIZE_UNITS = ("B", "KiB", "MiB", "GiB")
_KIB = 1024
_MINUTE = 60
_HOUR = 3600
_TWO_DAYS = 48 * _HOUR


def locale() -> QLocale:
    """The locale of the chosen language (Qt's default locale)."""
    return QLocale()


def _date_format(loc: QLocale) -> str:
    fmt = loc.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in fmt:  # en_US writes "M/d/yy": keep the order, widen the year
        fmt = fmt.replace("yy", "yyyy")
    return fmt


def _time_format(loc: QLocale, seconds: bool) -> str:
    fmt = loc.timeFormat(QLocale.FormatType.ShortFormat)
    if seconds and "ss" not in fmt:
        fmt = fmt.replace("mm", "mm:ss", 1)
    return fmt


def _local(moment: datetime) -> QDateTime:
    """``moment`` (aware, stored in UTC) in this computer's time zone, as a Qt value."""
    local = moment.astimezone()
    return QDateTime(
        QDate(local.year, local.month, local.day),
        QTime(local.hour, local.minute, local.second),
    )


def date_time(moment: datetime, seconds: bool = False) -> str:
    """Date and time of day in local time: ``2026/11/25 08:00`` (zh_CN)."""
    loc = locale()
    fmt = f"{_date_format(loc)} {_time_format(loc, seconds)}"
    return loc.toString(_local(moment), fmt)


def short_date_time(moment: datetime, seconds: bool = False) -> str:
    """Month, day and time in local time, without the year: ``11/25 08:00`` (zh_CN)."""
    loc = locale()
    day = re.sub(r"^y+\W*|\W*y+$", "", _date_format(loc)) or "M/d"
    return loc.toString(_local(moment), f"{day} {_time_format(loc, seconds)}")


def day(value: date | datetime) -> str:
    """A calendar day (a ``datetime`` is taken in local time): ``2026/11/25`` (zh_CN)."""
    if isinstance(value, datetime):
        value = value.astimezone().date()
    loc = locale()
    return loc.toString(QDate(value.year, value.month, value.day), _date_format(loc))


def time_of_day(moment: datetime, seconds: bool = True) -> str:
    """The time of day in local time: ``08:00:05`` (zh_CN), ``8:00:05 AM`` (en_US)."""
    loc = locale()
    return loc.toString(_local(moment).time(), _time_format(loc, seconds))


def count(value: int) -> str:
    """A whole number with the locale's group separators: ``12,345``."""
    return locale().toString(value)


def decimal(value: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals and the locale's separators: ``12.5``."""
    return locale().toString(float(value), "f", digits)


def duration(seconds: float) -> str:
    """A span of time in its largest sensible unit: ``45 s``, ``12 min``, ``3.5 h``,
    ``2.5 days`` (hours up to two days)."""
    if seconds < _MINUTE:
        return _unit("s", count(round(seconds)))
    if seconds < _HOUR:
        return _unit("min", count(round(seconds / _MINUTE)))
    if seconds < _TWO_DAYS:
        return _unit("h", decimal(seconds / _HOUR))
    return _unit("days", decimal(seconds / (24 * _HOUR)))


def data_size(size: int) -> str:
    """A file size in binary units: ``300.0 KiB``."""
    if size < _KIB:
        return f"{count(size)} B"
    value = size / _KIB
    for unit in _SIZE_UNITS[1:-1]:
        if value < _KIB:
            return f"{decimal(value)} {unit}"
        value /= _KIB
    return f"{decimal(value)} {_SIZE_UNITS[-1]}"


def _unit(unit: str, number: str) -> str:
    return QCoreApplication.translate(CONTEXT, _UNITS[unit]).format(n=number)
