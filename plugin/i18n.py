"""Translation: tr() and the translator for the user's locale."""

import os

from qgis.PyQt.QtCore import QCoreApplication, QSettings, QTranslator

CONTEXT = "SitsCube"
_translator = None


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def install_translator() -> None:
    """Load i18n/sitscube_<lang>.qm for the QGIS locale, once."""
    global _translator
    if _translator is not None:
        return
    locale = (QSettings().value("locale/userLocale", "") or os.environ.get("LANG", "en"))[:2]
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "i18n", f"sitscube_{locale}.qm")
    if os.path.exists(path):
        translator = QTranslator()
        if translator.load(path):
            QCoreApplication.installTranslator(translator)
            _translator = translator
