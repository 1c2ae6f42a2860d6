"""Sign-in, and the one-time creation of the first administrator on an empty database."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.errors import DomainError
from core.models import User
from core.services import Services
from ui.form_dialog import FormDialog
from ui.resources import resource_path


def _banner(subtitle: str) -> QWidget:
    """The app's icon and name above a sign-in or set-up form."""
    banner = QWidget()
    row = QHBoxLayout(banner)
    icon = QLabel()
    icon.setPixmap(
        QPixmap(str(resource_path("icons", "looppass.png"))).scaled(
            56,
            56,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    )
    text = QVBoxLayout()
    # The product's name: "LoopPass" in English, "闭环通行证 LoopPass" in Chinese.
    title = QLabel(QCoreApplication.translate("Login", "LoopPass"))
    title.setStyleSheet("font-size: 22px; font-weight: 600; color: #1f3a5f;")
    caption = QLabel(subtitle)
    caption.setStyleSheet("color: #555;")
    text.addWidget(title)
    text.addWidget(caption)
    row.addWidget(icon)
    row.addLayout(text, 1)
    return banner


class LoginDialog(FormDialog):
    """User name and password; the error appears above the buttons, the password is cleared."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("LoopPass — sign in"), parent)
        self.services = services
        self.user: User | None = None
        self.layout_.insertWidget(
            0, _banner(self.tr("Pre-registration, real-time supervision, tracing"))
        )
        self.username = self.add_line("username", self.tr("User name"))
        self.password = self.add_line("password", self.tr("Password"), secret=True)
        self.buttons.button(self.buttons.StandardButton.Save).setText(self.tr("Sign in"))
        self.set_submit(self._login)
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def _login(self, _dialog: FormDialog) -> User:
        try:
            self.user = self.services.accounts.login(self.username.text(), self.password.text())
        except DomainError:
            self.password.clear()
            self.password.setFocus()
            raise
        return self.user


class FirstAdminDialog(FormDialog):
    """Shown once, on a database without accounts: create the administrator."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("LoopPass — create the administrator"), parent)
        self.services = services
        self.layout_.insertWidget(0, _banner(self.tr("First start: create the administrator")))
        self.add_line("username", self.tr("User name"), "admin")
        self.add_line("display_name", self.tr("Display name"), self.tr("Administrator"))
        self.add_line(
            "password",
            self.tr("Password"),
            secret=True,
            placeholder=self.tr("at least 10 characters"),
        )
        self.set_submit(
            lambda d: services.accounts.create_first_admin(
                d.text("username"), d.text("display_name"), d.text("password")
            )
        )
