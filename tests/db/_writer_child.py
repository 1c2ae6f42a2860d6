"""Child process for tests/db/test_durability.py: a writer that can be killed at any moment.

Run as ``python -m tests.db._writer_child DB PREFIX START COUNT`` from the project root. It
opens the database with ``db.store.open_store`` and registers enterprises ``START``,
``START+1``, … (``COUNT`` of them, or until killed when COUNT is 0). Each enterprise is
inserted together with its audit entry in ONE ``store.transaction()``; only after that
transaction has committed does the child print ``ack <credit code>`` and flush, so every
acknowledged code must be in the database whatever happens to the process afterwards.

Protocol on stdout, one line each: ``opening`` (before ``open_store``), ``ready`` (store
open), ``ack …`` per committed row and ``done`` at the end. With ``--go open`` or
``--go write`` the child prints ``waiting`` and blocks until the parent writes a line to
stdin, just before opening the database or just before the first write, so several children
can start at the same moment. Any exception is printed to stderr and the exit status is 2.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from datetime import UTC, datetime

from core.demo import credit_code
from db.store import open_store

# A fixed 10-character head (registration authority, type, region) + 7 characters of key.
CODE_HEAD = "91330482MA"
KEY_DIGITS = 17 - len(CODE_HEAD) - 1


def code_for(prefix: str, index: int) -> str:
    """The valid credit code of row ``index`` written by the child with one-digit ``prefix``."""
    return credit_code(f"{CODE_HEAD}{prefix}{index:0{KEY_DIGITS}d}")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def wait_for_go() -> None:
    say("waiting")
    if not sys.stdin.readline():
        raise RuntimeError("stdin closed before the go signal")


def run(path: str, prefix: str, start: int, count: int, go: str) -> None:
    if go == "open":
        wait_for_go()
    say("opening")
    store = open_store(path)
    try:
        say("ready")
        if go == "write":
            wait_for_go()
        index = start
        while count == 0 or index < start + count:
            code = code_for(prefix, index)
            with store.transaction() as tx:
                enterprise = tx.enterprises.add(f"耐久测试企业{prefix}-{index}", code, "", "", "")
                tx.audit.append(
                    datetime.now(UTC),
                    f"writer-{prefix}",
                    "enterprise.add",
                    "enterprise",
                    str(enterprise.id),
                    {"credit_code": code},
                )
            # Committed: only now may the row be reported as recorded.
            say(f"ack {code}")
            index += 1
        say("done")
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("prefix", help="one digit that keeps this writer's keys unique")
    parser.add_argument("start", type=int)
    parser.add_argument("count", type=int, help="rows to write; 0 = until killed")
    parser.add_argument("--go", choices=("none", "open", "write"), default="none")
    args = parser.parse_args()
    try:
        run(args.db, args.prefix, args.start, args.count, args.go)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
