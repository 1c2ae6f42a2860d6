"""Opening, migrating and protecting the SQLite file (SECURITY.md "Storage and durability")."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from core.audit import entry_hash, verify_chain
from core.errors import NotADatabase, SchemaTooNew
from core.models import CheckpointKind, RiskLevel
from core.ports import SearchQuery
from core.services import Services
from core.services.registry import CheckpointInput, EnterpriseInput, RiskRegionInput
from db.schema import SCHEMA_VERSION
from db.store import SqliteStore, open_store
from tests.conftest import FAST_HASH, FakeClock


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw(path: Path) -> closing[sqlite3.Connection]:
    """A plain sqlite3 connection, as an attacker or another tool would have."""
    return closing(sqlite3.connect(path, isolation_level=None))


@pytest.fixture
def filled(db_path: Path, clock: FakeClock) -> Iterator[SqliteStore]:
    """A store with a dozen audit entries."""
    store = open_store(db_path)
    services = Services.build(store, clock, FAST_HASH)
    admin = services.accounts.create_first_admin("root", "管理员", "admin-secret-1")
    services.registry.add_enterprise(admin, EnterpriseInput("平湖一号公司", "91350100M000100Y43"))
    for number in range(1, 5):
        services.registry.add_checkpoint(
            admin, CheckpointInput(f"G0{number}", f"{number}号卡口", CheckpointKind.GATE)
        )
    services.registry.add_risk_region(admin, RiskRegionInput("310115", "浦东", RiskLevel.HIGH))
    for _ in range(4):
        services.accounts.login("root", "admin-secret-1")
    assert store.audit.count() == 12
    yield store
    store.close()


# --- opening ------------------------------------------------------------------------------------


def test_fresh_file_gets_schema_version_and_durability_settings(store: SqliteStore) -> None:
    pragma = store.conn.execute
    assert pragma("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
    assert pragma("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert pragma("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert store.quick_check()


def test_wal_mode_is_recorded_in_the_file(db_path: Path, store: SqliteStore) -> None:
    with raw(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_foreign_keys_are_enforced(store: SqliteStore, clock: FakeClock) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as tx:
        tx.vehicles.add(999, "浙F12345", "ORDINARY", False, "", clock())
    assert store.vehicles.search(SearchQuery()).total == 0


def test_file_from_a_newer_looppass_is_refused_and_left_alone(db_path: Path) -> None:
    open_store(db_path).close()
    with raw(db_path) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    before = digest(db_path)
    with pytest.raises(SchemaTooNew) as caught:
        open_store(db_path)
    assert (caught.value.found, caught.value.supported) == (SCHEMA_VERSION + 1, SCHEMA_VERSION)
    assert digest(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_newer_file_in_rollback_journal_mode_is_left_alone(db_path: Path) -> None:
    with raw(db_path) as conn:
        conn.execute("CREATE TABLE future (x)")
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    before = digest(db_path)
    with pytest.raises(SchemaTooNew):
        open_store(db_path)
    assert digest(db_path) == before


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database\n" * 200, bytes(range(256)) * 64, b"SQLite format 3"],
    ids=["text", "binary", "truncated-header"],
)
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(db_path: Path, content: bytes) -> None:
    db_path.write_bytes(content)
    with pytest.raises(NotADatabase):
        open_store(db_path)
    assert db_path.read_bytes() == content
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_reopening_keeps_the_data(db_path: Path, clock: FakeClock) -> None:
    store = open_store(db_path)
    try:
        services = Services.build(store, clock, FAST_HASH)
        admin = services.accounts.create_first_admin("root", "管理员", "admin-secret-1")
        enterprise = services.registry.add_enterprise(
            admin, EnterpriseInput("平湖一号公司", "91350100M000100Y43")
        )
        entries = store.audit.count()
    finally:
        store.close()
    reopened = open_store(db_path)
    try:
        assert reopened.enterprises.get(enterprise.id) == enterprise
        assert reopened.users.count() == 1
        assert reopened.audit.count() == entries
        assert verify_chain(reopened.audit.entries()).ok
        assert reopened.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        services = Services.build(reopened, clock, FAST_HASH)
        assert services.accounts.login("root", "admin-secret-1").username == "root"
    finally:
        reopened.close()


def test_a_failed_transaction_leaves_nothing_behind(store: SqliteStore, clock: FakeClock) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.risk_regions.add("310115", "浦东", RiskLevel.HIGH)
        tx.audit.append(clock(), "root", "risk_region.add", "risk_region", "1", {})
        raise RuntimeError("crash half-way")
    assert store.risk_regions.list_all() == []
    assert store.audit.count() == 0


# --- the audit log is append-only and hash-chained ---------------------------------------------


def test_audit_rows_cannot_be_updated_or_deleted(filled: SqliteStore) -> None:
    before = [entry.hash for entry in filled.audit.entries()]
    for statement in (
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            filled.conn.execute(statement)
    # Nor through another connection.
    with raw(Path(filled.path)) as conn, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET details = '{}'")
    assert [entry.hash for entry in filled.audit.entries()] == before


def _tamper(path: Path, *statements: str) -> None:
    """Drop the triggers in a raw connection (as an attacker with the file would) and edit."""
    with raw(path) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            conn.execute(statement)


@pytest.mark.parametrize(
    ("statements", "first_bad", "problem"),
    [
        (["UPDATE audit_log SET actor = 'mallory' WHERE seq = 5"], 5, "HASH_MISMATCH"),
        (['UPDATE audit_log SET details = \'{"code":"G09"}\' WHERE seq = 4'], 4, "HASH_MISMATCH"),
        (["UPDATE audit_log SET at = at + 1 WHERE seq = 7"], 7, "HASH_MISMATCH"),
        (["UPDATE audit_log SET action = 'login' WHERE seq = 1"], 1, "HASH_MISMATCH"),
        (["DELETE FROM audit_log WHERE seq = 6"], 6, "SEQUENCE_GAP"),
        (["DELETE FROM audit_log WHERE seq = 1"], 1, "SEQUENCE_GAP"),
        (
            # Swap two entries' contents, keeping their sequence numbers and hashes.
            [
                "CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE seq IN (8, 9)",
                *(
                    f"UPDATE audit_log SET {column} = (SELECT {column} FROM a"
                    " WHERE a.seq = 17 - audit_log.seq) WHERE seq IN (8, 9)"
                    for column in ("at", "actor", "action", "entity", "entity_id", "details")
                ),
            ],
            8,
            "HASH_MISMATCH",
        ),
        (
            # Swap two whole rows including their hashes: the links no longer match.
            [
                "CREATE TEMP TABLE a AS SELECT * FROM audit_log WHERE seq IN (8, 9)",
                "DELETE FROM audit_log WHERE seq IN (8, 9)",
                "INSERT INTO audit_log SELECT CASE seq WHEN 8 THEN 9 ELSE 8 END, at, actor, action,"
                " entity, entity_id, details, prev_hash, hash FROM a",
            ],
            8,
            "BROKEN_LINK",
        ),
    ],
    ids=[
        "actor",
        "details",
        "time",
        "first-entry",
        "delete-middle",
        "delete-first",
        "swap-contents",
        "swap-rows",
    ],
)
def test_tampering_is_reported_at_the_first_bad_entry(
    filled: SqliteStore, statements: list[str], first_bad: int, problem: str
) -> None:
    assert verify_chain(filled.audit.entries()).ok
    _tamper(Path(filled.path), *statements)
    report = verify_chain(filled.audit.entries())
    assert not report.ok
    assert (report.first_bad, report.problem) == (first_bad, problem)


def test_rewriting_an_entry_with_a_fresh_hash_breaks_the_next_link(filled: SqliteStore) -> None:
    """Recomputing an edited entry's hash does not help: the next entry points at the old one."""
    victim = filled.audit.entries()[4]
    assert victim.seq == 5
    new_hash = entry_hash(victim.prev_hash, replace(victim, actor="mallory"))
    _tamper(
        Path(filled.path),
        f"UPDATE audit_log SET actor = 'mallory', hash = '{new_hash}' WHERE seq = 5",
    )
    report = verify_chain(filled.audit.entries())
    assert (report.ok, report.first_bad, report.problem) == (False, 6, "BROKEN_LINK")
