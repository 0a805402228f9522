"""Translation: tr() and the translator for the user's locale."""

import os

from qgis.PyQt.QtCore import QCoreApplication, QSettings, QTranslator

CONTEXT = "SitsCube"
I18N_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n")
_translator = None


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def qgis_locale() -> str:
    """The two-letter language QGIS runs in, as QGIS itself decides it.

    QgsApplication.locale() honours the "Override system locale" option
    (locale/overrideFlag + locale/userLocale) and otherwise the system locale;
    it reads the active profile's settings, so it works the same in QGIS
    desktop and in headless qgis_process (where QGIS never writes
    locale/userLocale itself). Outside QGIS: the settings key, then $LANG.
    """
    try:
        from qgis.core import QgsApplication

        locale = QgsApplication.locale()
    except Exception:  # noqa: BLE001 - no QGIS application: plain Qt settings
        locale = QSettings().value("locale/userLocale", "") or os.environ.get("LANG", "en")
    return (locale or "en")[:2].lower()


def install_translator() -> None:
    """Load i18n/sitscube_<lang>.qm for the QGIS locale, once."""
    global _translator
    if _translator is not None:
        return
    path = os.path.join(I18N_DIR, f"sitscube_{qgis_locale()}.qm")
    if os.path.exists(path):
        translator = QTranslator()
        if translator.load(path):
            QCoreApplication.installTranslator(translator)
            _translator = translator
