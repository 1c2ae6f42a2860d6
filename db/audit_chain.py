"""Reading the audit chain for verification, and checking it in parts on every core.

``core.audit`` decides what is right; this module only reads. Two readings serve it:

- ``encoded_rows``: each row's links and its canonical body, written by SQLite's
  ``json_array`` (4 values a row cross into Python instead of 9: twice the speed). Why a body
  written by SQLite can be trusted is in ``core.audit.verify_stored``.
- ``checked_parts``: the chain cut into parts of ``PART_ROWS`` entries, each checked by
  ``core.audit.check_part`` in a worker process on a connection of its own, results handed
  back in order for ``core.audit.verify_parts``. Starting the workers costs a fraction of a
  second (a new interpreter imports the program), so a log of fewer than ``PARALLEL_FROM``
  entries, a machine with one core, or a database that is not a file is checked in this
  process. Workers are *spawned*, never forked: the GUI verifies from a Qt thread, and a
  forked child of a threaded process can inherit a lock that nobody will release.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import sys
import types
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

from core.audit import GENESIS_HASH, EncodedEntry, PartCheck, RawEntry, check_part, encoded

PART_ROWS = 50_000
PARALLEL_FROM = 200_000
MAX_WORKERS = 8
FIRST_SEQ, LAST_SEQ = -(2**63), 2**63 - 1  # the bounds of an SQLite integer

RAW_COLUMNS = "seq, at, actor, action, entity, entity_id, details, prev_hash, hash"
# A row with other types than the usual ones gets no body: it is read in full and checked
# the careful way.
ENCODED_SELECT = """
    SELECT seq, prev_hash, hash,
        CASE WHEN typeof(at) = 'integer' AND typeof(actor) = 'text'
            AND typeof(action) = 'text' AND typeof(entity) = 'text'
            AND typeof(entity_id) = 'text' AND typeof(details) = 'text'
        THEN CAST(json_array(seq, at, actor, action, entity, entity_id, details) AS BLOB) END
    FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq"""

_RAW_ENTRY: Any = partial(tuple.__new__, RawEntry)
_ENCODED_ENTRY: Any = partial(tuple.__new__, EncodedEntry)


def raw_rows(conn: sqlite3.Connection, low: int = FIRST_SEQ) -> Iterator[RawEntry]:
    """Rows from seq ``low`` on, as stored, in order, streamed.

    Each row becomes a RawEntry in C (``tuple.__new__``; the SELECT gives its 9 fields):
    ``RawEntry._make`` and a generator cost more per row than the fetch itself."""
    cursor = conn.execute(
        f"SELECT {RAW_COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq", (low,)
    )
    cursor.row_factory = None
    return map(_RAW_ENTRY, cursor)


def encoded_rows(
    conn: sqlite3.Connection, low: int = FIRST_SEQ, high: int = LAST_SEQ
) -> Iterator[EncodedEntry]:
    """Rows with ``low <= seq <= high`` as ``core.audit`` checks them, in order, streamed.
    While the cursor is open, ``raw_row`` on the same connection reads the same snapshot."""
    try:
        cursor = conn.execute(ENCODED_SELECT, (low, high))
    except sqlite3.OperationalError:  # an SQLite built without its JSON functions
        return (encoded(row) for row in raw_rows(conn, low) if row.seq <= high)
    cursor.row_factory = None
    return map(_ENCODED_ENTRY, cursor)


def raw_row(conn: sqlite3.Connection, seq: int) -> RawEntry:
    """Entry ``seq`` as stored (KeyError when there is none)."""
    row = conn.execute(f"SELECT {RAW_COLUMNS} FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        raise KeyError(seq)
    return RawEntry(*row)


def checked_parts(
    conn: sqlite3.Connection,
    part_rows: int | None = None,
    parallel_from: int | None = None,
    workers: int | None = None,
) -> Generator[PartCheck, None, None] | None:
    """The log's parts checked, in order, by this process and worker processes together; None
    when this process should check it alone (see the module's docstring). ``workers`` is one
    less than the cores unless given (0: every part in this process, as a machine where no
    process can start would). Closing the generator stops the workers."""
    path = _file_of(conn)
    last = conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    if workers is None:
        workers = min(_cores() - 1, MAX_WORKERS) if path is not None else 0
        if workers < 1:
            return None
    if not isinstance(last, int) or last < (
        PARALLEL_FROM if parallel_from is None else parallel_from
    ):
        return None
    size = part_rows or PART_ROWS
    bounds = [(start, min(start + size - 1, last)) for start in range(1, last + 1, size)]
    return _run_parts(conn, path, bounds, workers)


def _run_parts(
    conn: sqlite3.Connection, path: str | None, bounds: list[tuple[int, int]], workers: int
) -> Generator[PartCheck, None, None]:
    """This process checks parts from the first on while the workers start and take them from
    the last back; where the two meet, it waits for the workers' results. A part no worker has
    taken yet, or one whose worker failed, is checked here: nothing is lost if workers cannot
    start at all (a sandbox without processes), it is only slower."""
    futures: dict[int, Future[PartCheck]] = {}
    pool: ProcessPoolExecutor | None = None
    try:
        if path is not None and workers > 0:
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            with _main_module_hidden():  # the workers start in the first ``submit``
                for start, end in reversed(bounds):
                    futures[start] = pool.submit(check_part_of_file, path, start, end)
    except (OSError, RuntimeError, ValueError):  # no worker processes here
        pass
    try:
        for start, end in bounds:
            future = futures.get(start)
            part = None
            if future is not None and not future.cancel():
                try:
                    part = future.result()
                except Exception:  # a worker that failed: check its part here instead
                    part = None
            yield part if part is not None else check_part_on(conn, start, end)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """While workers start, hide the program's ``__main__`` from ``multiprocessing``: a spawned
    worker would otherwise run the program's file again (``main.py`` imports all of LoopPass,
    half a second and more, before the worker checks anything) though it needs this module
    only; its task names the function to run. (A bundle's worker starts as the program
    anyway, and ``main.py`` hands it over to ``multiprocessing`` at once.)"""
    program = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = program


def check_in_worker(conn: sqlite3.Connection, timeout: float = 60.0) -> str:
    """Have one spawned worker process check the whole log of ``conn``'s file: the
    self-test's proof that this installation (a bundle too) can start workers. Returns a
    one-line detail; raises if the worker cannot start, fails, or finds the log damaged."""
    path = _file_of(conn)
    if path is None:
        raise ValueError("the database is not a file: no worker can open it")
    last = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()[0]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        with _main_module_hidden():
            future = pool.submit(check_part_of_file, path, 1, last)
        part = future.result(timeout=timeout)
    if not part.clean:
        raise ValueError(f"a worker process found the audit log damaged (entries 1..{last})")
    return f"a worker process checked {last} audit entries"


def check_part_of_file(path: str, start: int, end: int) -> PartCheck:
    """``check_part_on`` a connection of its own to ``path`` (runs in a worker process)."""
    conn = sqlite3.connect(path)
    try:
        return check_part_on(conn, start, end)
    finally:
        conn.close()


def check_part_on(conn: sqlite3.Connection, start: int, end: int) -> PartCheck:
    """``core.audit.check_part`` for the entries ``start..end``. The first part also reads any
    row numbered below 1, which the chain must not have."""
    if start == 1:
        hash_before: str | None = GENESIS_HASH
    else:
        before = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (start - 1,)).fetchone()
        hash_before = before[0] if before is not None and isinstance(before[0], str) else None
    rows = encoded_rows(conn, FIRST_SEQ if start == 1 else start, end)
    return check_part(rows, partial(raw_row, conn), start, end, hash_before)


def _file_of(conn: sqlite3.Connection) -> str | None:
    """The file of the connection's main database; None in memory or a temporary one."""
    for _number, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) or None
    return None


def _cores() -> int:
    """Cores this process may run on (a container's limit, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
