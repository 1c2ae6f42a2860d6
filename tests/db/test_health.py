"""db.health.inspect_file: a read-only look at an existing database file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.errors import NotADatabase, SchemaTooNew
from db.health import inspect_file
from db.schema import SCHEMA_VERSION
from db.store import open_store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reads_version_and_quick_check_without_changing_the_file(tmp_path: Path) -> None:
    path = tmp_path / "looppass.db"
    open_store(path).close()
    before = digest(path)
    health = inspect_file(path)
    assert health.schema_version == SCHEMA_VERSION
    assert health.supported_version == SCHEMA_VERSION
    assert health.quick_check_ok
    assert health.size_bytes == path.stat().st_size
    assert digest(path) == before


def test_an_open_writer_does_not_stop_the_check(tmp_path: Path) -> None:
    path = tmp_path / "looppass.db"
    store = open_store(path)
    try:
        assert inspect_file(path).quick_check_ok
    finally:
        store.close()


def test_an_older_schema_is_reported_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = open_store(path)
    store.conn.execute("PRAGMA user_version=1")
    store.close()
    assert inspect_file(path).schema_version == 1
    assert inspect_file(path).schema_version == 1  # still: nothing migrated it


def test_refuses_junk_a_missing_file_and_a_newer_schema(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 512)
    with pytest.raises(NotADatabase):
        inspect_file(junk)
    with pytest.raises(NotADatabase):
        inspect_file(tmp_path / "missing.db")
    with pytest.raises(NotADatabase):
        inspect_file(tmp_path)  # a folder
    newer = tmp_path / "newer.db"
    store = open_store(newer)
    store.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    store.close()
    with pytest.raises(SchemaTooNew):
        inspect_file(newer)
