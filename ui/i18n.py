"""Language: Simplified Chinese by default, English on request, through Qt translation files.

Source strings are English; ``resources/translations/looppass_zh_CN.qm`` carries Chinese. The
choice is remembered in QSettings (a per-user preference, not business data) and applies at
the next start; ``--lang`` overrides it for one run.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from ui.resources import resource_path

LANGUAGES = {"zh_CN": "中文（简体）", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"


def settings() -> QSettings:
    """The per-user preferences store (window geometry, language)."""
    return QSettings("LoopPass", "LoopPass")


def saved_language() -> str:
    """The language chosen last time, or Chinese."""
    value = settings().value("language", DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def save_language(language: str) -> None:
    """Remember the language for the next start."""
    settings().setValue("language", language)


def locale_for(language: str) -> QLocale:
    """The locale that formats dates, times and numbers (``ui.formatting``) for ``language``:
    Simplified Chinese as in mainland China; English as the computer's own English locale
    (25/11/2026 in Britain) or, on a computer set to another language, as in the US."""
    if language == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    system = QLocale.system()
    if system.language() == QLocale.Language.English:
        return system
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Load LoopPass's and Qt's own translations for ``language``; keep the result alive."""
    QLocale.setDefault(locale_for(language))
    translators: list[QTranslator] = []
    if language == "en":
        return translators
    ours = QTranslator(app)
    if ours.load(str(resource_path("translations", f"looppass_{language}.qm"))):
        app.installTranslator(ours)
        translators.append(ours)
    qt_base = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_base.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt_base)
        translators.append(qt_base)
    return translators
