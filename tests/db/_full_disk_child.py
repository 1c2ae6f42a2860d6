"""Child process for tests/db/test_storage_faults.py: scans or approvals until the disk is full.

Run as ``python -m tests.db._full_disk_child DB KEYS scan|approve`` from the project root, on
a demo database. It signs in, then limits the size of every file it writes
(``RLIMIT_FSIZE``, with ``SIGXFSZ`` ignored so that a write past the limit fails with EFBIG
instead of killing the process) to a little more than the database files take now, and
scans issued passes at G01 (or approves submitted applications) until one fails. Then it
checks that further writes are refused without touching the files, lifts the limit, and
writes again.

It prints one JSON document on stdout: the serials / application ids acknowledged (each only
after its transaction returned), the one that failed and with which error code, what the
refused attempts raised, and the writes after the limit was lifted.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from core.errors import DomainError
from core.keys import KeyFolder
from core.models import ApplicationStatus
from core.ports import ApplicationQuery, PassQuery
from core.services import Services
from db.store import open_store
from tests.conftest import FAST_HASH

# Room left for writes once the limit is set: a few transactions succeed before one fails.
HEADROOM = 48 * 1024


def file_state(db: Path) -> list[tuple[str, int, int]]:
    """Size and modification time of the database files (to show nothing touched them)."""
    state = []
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            info = path.stat()
            state.append((path.name, info.st_size, info.st_mtime_ns))
    return state


def run(db: Path, keys: Path, mode: str) -> dict[str, Any]:
    store = open_store(db)
    services = Services.build(store, params=FAST_HASH, keys=KeyFolder(keys))
    store.recheck_seconds = 0.0  # check for space at every attempt: the probe decides
    gate1 = services.accounts.login("gate1", "LoopPass-demo")
    reviewer = services.accounts.login("reviewer", "LoopPass-demo")
    point = services.scans.station_checkpoint(gate1)
    supervisor = services.accounts.login("supervisor", "LoopPass-demo")
    passes = [p for p in services.passes.search(supervisor, PassQuery(limit=500)).rows]
    submitted = services.applications.search(
        reviewer, ApplicationQuery(statuses=(ApplicationStatus.SUBMITTED,), limit=500)
    ).rows
    items: list[Any] = passes if mode == "scan" else [v.application.id for v in submitted]

    def write(item: Any) -> str:
        if mode == "scan":
            result = services.scans.scan(gate1, point, item.token)
            assert result.recorded
            return str(item.serial)
        services.passes.approve(reviewer, int(item))
        return str(item)

    largest = max(size for _name, size, _mtime in file_state(db))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (largest + HEADROOM, resource.RLIM_INFINITY))
    acked: list[str] = []
    failed: dict[str, Any] | None = None
    index = 0
    while index < len(items) - 3:
        item = items[index]
        index += 1
        try:
            acked.append(write(item))
        except DomainError as error:
            failed = {"item": str(getattr(item, "serial", item)), "code": error.code}
            break
    if failed is None:
        return {"error": "the disk never filled up", "acked": acked}

    # Refused at once, without touching the files; reads keep working.
    before = file_state(db)
    refused = []
    for item in items[index : index + 2]:
        try:
            write(item)
            refused.append("ACCEPTED")
        except DomainError as error:
            refused.append(error.code)
    untouched = file_state(db) == before
    readable = services.store.passes.get(passes[0].serial) is not None

    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    fault_after = services.backup.storage_fault()
    after: list[str] = []
    for item in items[index + 2 : index + 3]:
        after.append(write(item))
    store.close()
    return {
        "acked": acked,
        "failed": failed,
        "refused": refused,
        "untouched": untouched,
        "readable": readable,
        "fault_cleared": fault_after is None,
        "after": after,
    }


def main() -> int:
    db, keys, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    try:
        document = run(db, keys, mode)
    except BaseException:
        traceback.print_exc()
        return 2
    sys.stdout.write(json.dumps(document) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
