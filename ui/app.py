"""Starting the GUI: translations, the database, first-run set-up, sign-in, the main window.

No traceback ever reaches the user: an unexpected exception is logged with its stack and
shown as a short message, and the window stays up.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from core.errors import DomainError
from core.keys import KeyFolder
from core.services import Services, key_folder_for
from db.store import open_store
from ui.i18n import install_translators, saved_language
from ui.login import FirstAdminDialog, LoginDialog
from ui.main_window import MainWindow
from ui.messages import error_message
from ui.resources import resource_path

log = logging.getLogger("looppass.ui")


def _tr(text: str) -> str:
    return QCoreApplication.translate("App", text)


def _on_unexpected(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    log.error("unexpected error", exc_info=(kind, error, trace))
    QMessageBox.critical(None, "LoopPass", error_message(Exception()))


def create_application(language: str) -> QApplication:
    """The QApplication with LoopPass's style and translations."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("LoopPass")
    app.setOrganizationName("LoopPass")
    icon = resource_path("icons", "looppass.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    style = resource_path("style.qss")
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    app.setProperty("translators", install_translators(app, language))
    return app


def run_gui(
    db_path: Path, lang: str | None = None, user: str | None = None, password: str | None = None
) -> int:
    """Run the desktop application until the last window closes; returns the exit code."""
    app = create_application(lang or saved_language())
    sys.excepthook = _on_unexpected
    try:
        store = open_store(db_path)
    except DomainError as error:
        QMessageBox.critical(None, "LoopPass", f"{error_message(error)}\n\n{db_path}")
        return 2
    services = Services.build(store, keys=KeyFolder(key_folder_for(db_path)))
    try:
        try:
            services.passes.ensure_signing_key()
            services.passes.mark_expired()
            # Retention runs at every start (a station PC is restarted daily at the latest).
            services.supervision.purge_personal_data()
        except DomainError:  # busy or read-only: all are done again at the next start
            log.warning("could not run the start-up housekeeping", exc_info=True)
        return _session_loop(app, services, str(db_path), user, password)
    finally:
        store.close()


def _session_loop(
    app: QApplication, services: Services, db_path: str, user: str | None, password: str | None
) -> int:
    if not services.accounts.has_accounts() and not FirstAdminDialog(services).exec():
        return 0
    while True:
        account = None
        if user and password is not None:
            try:
                account = services.accounts.login(user, password)
            except DomainError:
                account = None
            user = password = None  # only once: after sign-out, ask
        if account is None:
            dialog = LoginDialog(services)
            if not dialog.exec() or dialog.user is None:
                return 0
            account = dialog.user
        window = MainWindow(services, account, db_path)
        window.show()
        app.exec()
        if not window.was_signed_out:
            return 0
