"""Which station PC this is: an id kept in this PC's QSettings (``station/id``).

The id names the PC's rows in the database's settings (``station.<id>.checkpoint``,
``station.<id>.camera``, see ``core.settings``). It is made the first time it is needed —
the host name, for an administrator reading ``settings show``, plus 8 random hex digits,
so two PCs with the same name (a cloned image) still differ — and never changes after.
"""

from __future__ import annotations

import re
import secrets
import socket

from core.settings import is_station_id
from ui import i18n

STATION_ID_SETTING = "station/id"


def this_station_id(create: bool = True) -> str | None:
    """This PC's station id; made and remembered now if it has none (None if ``create``
    is False and there is none yet: no station rows can exist for it)."""
    store = i18n.settings()
    value = store.value(STATION_ID_SETTING)
    if isinstance(value, str) and is_station_id(value):
        return value
    if not create:
        return None
    made = new_station_id(socket.gethostname())
    store.setValue(STATION_ID_SETTING, made)
    store.sync()
    return made


def new_station_id(host: str) -> str:
    """``<host>-<8 hex digits>``, with the host name cut to what a station id allows."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", host, flags=re.ASCII).strip("-")[:40] or "station"
    return f"{name}-{secrets.token_hex(4)}"
