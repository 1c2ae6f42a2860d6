"""A read-only look at an existing database file, for ``looppass --self-test --db FILE``.

``db.store.connect`` is not used here: it switches the file to WAL and ``open_store``
migrates it, and a check must never change a deployment's database. This opens the file
with SQLite's ``mode=ro``, reads ``PRAGMA user_version`` and runs ``PRAGMA quick_check``.
The file's bytes are never changed. On a WAL database SQLite may leave an empty ``-wal``
and the ``-shm`` index beside it (a reader needs them); the next writer uses and removes them.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from core.errors import NotADatabase, SchemaTooNew
from core.selftest import DatabaseHealth
from db.schema import SCHEMA_VERSION
from db.store import BUSY_TIMEOUT_MS


def inspect_file(path: Path) -> DatabaseHealth:
    """Schema version and ``quick_check`` of the database at ``path``, opened read-only.

    Raises:
        NotADatabase: no such file, or SQLite cannot read it as a database.
        SchemaTooNew: the file was written by a newer LoopPass.
    """
    if not path.is_file():
        raise NotADatabase(f"no database file at {path}")
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        with closing(
            sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        ) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise SchemaTooNew(version, SCHEMA_VERSION)
            rows = [tuple(row) for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as error:
        raise NotADatabase(str(error)) from error
    return DatabaseHealth(
        path=path,
        schema_version=version,
        supported_version=SCHEMA_VERSION,
        quick_check_ok=rows == [("ok",)],
        size_bytes=path.stat().st_size,
    )
