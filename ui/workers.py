"""Slow service calls off the GUI thread: ``ServiceWorker`` runs one in a ``QThread`` and
reports progress and the result by signal; ``StoreWorker`` is a long-lived thread with a store
connection of its own that serves requests from a queue (the dashboard's figures, the anomaly
list); ``running_workers()`` keeps every running worker alive (not its page, which may be
closed first) and stops them when the application quits.

A call that reads or writes the database opens a store connection of its own in the thread
(``on_own_store``, ``store_reader``): SQLite connections belong to the thread that opened them.
"""

from __future__ import annotations

import atexit
import logging
import queue
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from core.errors import DomainError
from core.ports import Store
from core.services import Services
from db.store import open_store

log = logging.getLogger("looppass.ui.workers")

T = TypeVar("T")
Progress = Callable[[int], None]
Work = Callable[[Progress], object]
ReaderFactory = Callable[[], Store]
_STOP = object()  # the request that ends a StoreWorker


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


def store_reader(services: Services) -> ReaderFactory | None:
    """Opens a second connection to the services' database (None for an in-memory one: another
    connection would see another database)."""
    path = str(getattr(services.store, "path", "") or "")
    if not path or path == ":memory:":
        return None
    return lambda: open_store(path)


class StoreWorker(QThread):
    """A long-lived thread with its own store connection, serving requests from a queue.

    ``submit(request)`` is thread-safe and returns at once; requests that pile up while one is
    served are merged (``merge``: the newest wins unless a subclass says otherwise). The
    thread opens the connection with ``open_reader``, calls ``begin(store)`` once, then
    ``handle(request)`` for each; an exception ``handle`` raises goes to ``handle_failed``
    (default: ``failed`` carries it; anything but a ``DomainError`` is logged with its
    traceback first, and never reaches the user as one). ``requestInterruption`` also wakes
    a thread waiting for a request, so ``running_workers().stop_all`` stops it.
    """

    failed = Signal(object)  # the exception

    def __init__(
        self, open_reader: ReaderFactory, what: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._open_reader = open_reader
        self._what = what
        self._requests: queue.SimpleQueue[object] = queue.SimpleQueue()

    def submit(self, request: object) -> None:
        """Queue ``request`` for the thread."""
        self._requests.put(request)

    def requestInterruption(self) -> None:
        """End the thread after the current request (one waiting for a request ends at once)."""
        super().requestInterruption()
        self._requests.put(_STOP)

    def stop(self, wait_ms: int) -> bool:
        """Ask the thread to end and wait up to ``wait_ms``; False if it is still serving a
        request then (it ends on its own afterwards)."""
        self.requestInterruption()
        return self.wait(wait_ms)

    def merge(self, older: object, newer: object) -> object:
        """One request for two waiting ones."""
        return newer

    def begin(self, store: Store) -> None:
        """Called once on the thread, with its connection open."""

    def handle(self, request: object) -> None:
        """Serve one request (on the thread)."""
        raise NotImplementedError

    def handle_failed(self, request: object, error: Exception) -> None:
        """``handle(request)`` raised ``error``."""
        self.failed.emit(error)

    def _next(self) -> object:
        """The next request with every waiting one merged in (``_STOP`` wins)."""
        request = self._requests.get()
        while request is not _STOP:
            try:
                more = self._requests.get_nowait()
            except queue.Empty:
                break
            request = _STOP if more is _STOP else self.merge(request, more)
        return request

    def run(self) -> None:
        try:
            store = self._open_reader()
        except Exception as error:  # a traceback never reaches the user; the log has it
            log.exception("%s: cannot open a reading connection", self._what)
            self.failed.emit(error)
            return
        try:
            self.begin(store)
            while not self.isInterruptionRequested():
                request = self._next()
                if request is _STOP or self.isInterruptionRequested():
                    break
                try:
                    self.handle(request)
                except DomainError as error:
                    log.warning("%s failed: %s", self._what, error)
                    self.handle_failed(request, error)
                except Exception as error:
                    log.exception("%s failed", self._what)
                    self.handle_failed(request, error)
        finally:
            store.close()


class _RunningWorkers(QObject):
    """Workers still running, kept here until they finish; stopped when the application
    quits."""

    def __init__(self) -> None:
        super().__init__()
        self.running: set[QThread] = set()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop_all)
        # Also when Python ends without quitting the application (a script, the tests): Qt
        # aborts the process if a QThread is destroyed while it runs.
        atexit.register(self.stop_all)

    def add(self, worker: QThread) -> None:
        """Keep ``worker`` (without a parent: its page may go first) until it finishes."""
        worker.setParent(None)
        self.running.add(worker)
        worker.finished.connect(self._finished)  # queued: this object lives on the GUI thread

    @Slot()
    def _finished(self) -> None:
        worker = self.sender()
        if isinstance(worker, QThread):
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
