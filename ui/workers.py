"""Slow service calls off the GUI thread: ``ServiceWorker`` runs one in a ``QThread`` and
reports progress and the result by signal; ``running_workers()`` keeps every running worker
alive (not its page, which may be closed first) and stops them when the application quits.

A call that reads or writes the database opens a store connection of its own in the thread
(``on_own_store``): SQLite connections belong to the thread that opened them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from core.errors import DomainError
from core.ports import Store
from db.store import open_store

log = logging.getLogger("looppass.ui.workers")

T = TypeVar("T")
Progress = Callable[[int], None]
Work = Callable[[Progress], object]


class Stopped(Exception):
    """Raised from the progress callback to end a call early (the application quits)."""


class ServiceWorker(QThread):
    """``work(progress)`` off the GUI thread; ``what`` names it in the log.

    ``progressed`` carries each count ``work`` reports, ``done`` its result, ``failed`` the
    exception it raised (a ``DomainError`` or ``OSError`` as it stands; anything else is
    logged with its traceback first, and never reaches the user as one). When the application
    quits, the next progress report raises ``Stopped`` inside ``work`` and nothing is emitted.
    """

    progressed = Signal(int)
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work, what: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._what = what

    def run(self) -> None:
        try:
            result = self._work(self._progress)
        except Stopped:
            return
        except (DomainError, OSError) as error:
            log.warning("%s failed: %s", self._what, error)
            self.failed.emit(error)
            return
        except Exception as error:  # never a traceback for the user; the log has it
            log.exception("%s failed", self._what)
            self.failed.emit(error)
            return
        self.done.emit(result)

    def _progress(self, count: int) -> None:
        if self.isInterruptionRequested():
            raise Stopped
        self.progressed.emit(count)


def on_own_store(db_path: str, call: Callable[[Store, Progress], T]) -> Callable[[Progress], T]:
    """``call(store, progress)`` on a store opened at ``db_path`` by the thread that runs it,
    and closed after."""

    def work(progress: Progress) -> T:
        store = open_store(db_path)
        try:
            return call(store, progress)
        finally:
            store.close()

    return work


class _RunningWorkers(QObject):
    """Workers still running, kept here until they finish; stopped when the application
    quits."""

    def __init__(self) -> None:
        super().__init__()
        self.running: set[ServiceWorker] = set()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop_all)

    def add(self, worker: ServiceWorker) -> None:
        self.running.add(worker)
        worker.finished.connect(self._finished)  # queued: this object lives on the GUI thread

    @Slot()
    def _finished(self) -> None:
        worker = self.sender()
        if isinstance(worker, ServiceWorker):
            worker.wait()  # ``finished`` comes just before the thread really ends
            self.running.discard(worker)
            worker.deleteLater()

    @Slot()
    def stop_all(self) -> None:
        """Ask every running worker to stop, and wait for it (a call that reports no
        progress runs to its end)."""
        for worker in list(self.running):
            worker.requestInterruption()
            worker.wait()


_running: _RunningWorkers | None = None


def running_workers() -> _RunningWorkers:
    """The registry of running workers (made on first use, on the GUI thread)."""
    global _running  # noqa: PLW0603 - one registry per process, made once a QApplication runs
    if _running is None:
        _running = _RunningWorkers()
    return _running


def start_worker(
    work: Work,
    what: str,
    *,
    done: Callable[[Any], None],
    failed: Callable[[Exception], None],
    finished: Callable[[], None],
    progressed: Callable[[int], None] | None = None,
) -> ServiceWorker:
    """Start ``work`` in a registered ``ServiceWorker``, its signals connected to the given
    slots (bound ``@Slot`` methods of a page: a deleted page is simply no longer told)."""
    worker = ServiceWorker(work, what)
    if progressed is not None:
        worker.progressed.connect(progressed)
    worker.done.connect(done)
    worker.failed.connect(failed)
    worker.finished.connect(finished)
    running_workers().add(worker)
    worker.start()
    return worker
