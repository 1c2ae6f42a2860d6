"""A restore and the signed audit heads: heads signed after the backup name entries the
restore removed on purpose. The restore journals a signed marker, so ``audit verify`` passes
after a restore — while a truncation nobody signed for is still reported."""

from __future__ import annotations

from pathlib import Path

from core.audit import SignedHead
from core.models import Verdict
from core.ports import PassQuery
from core.services import Services
from db.store import open_store
from tests.conftest import FAST_HASH, FakeClock, demo_user


def scan_some(services: Services, count: int) -> None:
    gate1 = demo_user(services, "gate1")
    point = services.scans.station_checkpoint(gate1)
    supervisor = demo_user(services, "supervisor")
    fresh = services.passes.search(supervisor, PassQuery(limit=50)).rows
    done = 0
    for item in fresh:
        if done == count:
            return
        if services.scans.scan(gate1, point, item.token).verdict is Verdict.GREEN:
            done += 1


def test_verify_passes_after_restoring_a_backup_older_than_the_last_head(
    demo: Services, db_path: Path, clock: FakeClock
) -> None:
    admin, supervisor = demo_user(demo, "admin"), demo_user(demo, "supervisor")
    backup = demo.backup.create(admin)
    assert backup.ok and backup.path is not None
    clock.advance(minutes=5)
    scan_some(demo, 3)
    head = demo.audit.seal()
    assert head is not None and head.seq > backup.entries  # signed after the backup
    demo.store.close()

    live = Services.build(open_store(db_path), clock, FAST_HASH, demo.passes.keys)
    clock.advance(minutes=5)
    live.backup.restore(admin, backup.path)

    after = Services.build(open_store(db_path), clock, FAST_HASH, demo.passes.keys)
    try:
        report = after.audit.verify(supervisor)
        assert report.ok, report
        assert report.heads_checked
        after.audit.seal()
        assert after.audit.verify(supervisor).ok  # new heads after the restore count too
    finally:
        after.store.close()


def test_a_forged_restore_marker_does_not_excuse_a_truncation(
    demo: Services, db_path: Path, clock: FakeClock
) -> None:
    supervisor = demo_user(demo, "supervisor")
    keys = demo.passes.keys
    assert keys is not None
    head = demo.audit.seal()
    assert head is not None
    # Someone without the log key appends a "restore" line naming an earlier entry.
    keys.append_head(
        SignedHead(head.seq - 5, "0" * 64, head.at, head.key_id, b"\x00" * 64, restore=True)
    )
    demo.store.conn.execute("DROP TRIGGER audit_log_no_delete")
    demo.store.conn.execute("DROP TRIGGER audit_heads_no_delete")
    demo.store.conn.execute("DELETE FROM audit_log WHERE seq > ?", (head.seq - 5,))
    demo.store.conn.execute("DELETE FROM audit_heads")
    report = demo.audit.verify(supervisor)
    assert (report.ok, report.problem, report.first_bad) == (False, "TRUNCATED", head.seq - 4)
