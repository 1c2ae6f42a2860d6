"""The GUI step of ``looppass --self-test``: Qt, its platform plugin and our resources load.

Without a display it uses Qt's ``offscreen`` platform (``QT_QPA_PLATFORM`` chooses another,
e.g. ``xcb`` under Xvfb). It builds the application as a real start does (icon, style sheet,
Chinese translation), renders the sign-in dialog to an image and checks that the image has
content and that the dialog's title came out of the translation — which proves the bundle's
``resources/`` are found. The event loop is never entered.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QGuiApplication

from core.keys import KeyFolder
from core.selftest import SelfTestContext, StepFailed
from core.services import Services
from ui.i18n import DEFAULT_LANGUAGE
from ui.resources import resource_path

ENGLISH_TITLE = "LoopPass — sign in"


def gui_check(context: SelfTestContext) -> str:
    """Create the QApplication, render the login dialog, return a one-line summary."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import create_application  # noqa: PLC0415 - after the platform is chosen
    from ui.login import LoginDialog  # noqa: PLC0415

    needed = [
        resource_path("style.qss"),
        resource_path("icons", "looppass.png"),
        resource_path("translations", f"looppass_{DEFAULT_LANGUAGE}.qm"),
    ]
    missing = [str(path) for path in needed if not path.is_file()]
    if missing:
        raise StepFailed(f"resources missing: {', '.join(missing)}")
    app = create_application(DEFAULT_LANGUAGE)
    if app.windowIcon().isNull():
        raise StepFailed("the application icon did not load")
    if context.store is None:
        raise StepFailed("no database to build the services on")
    services = Services.build(context.store, context.clock, keys=KeyFolder(context.workdir))
    dialog = LoginDialog(services)
    try:
        title = dialog.windowTitle()
        if title == ENGLISH_TITLE:
            raise StepFailed("the Chinese translation did not load")
        image = dialog.grab().toImage()
        if image.isNull() or image.width() == 0:
            raise StepFailed("the sign-in dialog rendered no image")
        colours = {image.pixel(x, image.height() // 2) for x in range(0, image.width(), 4)}
        if len(colours) < 2:  # noqa: PLR2004 - one colour: nothing was drawn
            raise StepFailed("the sign-in dialog rendered as one flat colour")
        shot = context.workdir / "login.png"
        image.save(str(shot))
    finally:
        dialog.deleteLater()
    # The scan station's tones: the module must load (the station falls back to a beep).
    from PySide6.QtMultimedia import QSoundEffect  # noqa: PLC0415

    return (
        f"Qt platform {QGuiApplication.platformName()}, sign-in dialog {title!r} rendered "
        f"{image.width()}x{image.height()}, {QSoundEffect.__name__} loads"
    )
