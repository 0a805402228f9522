"""The QGIS plugin object: registers the Processing provider."""

from qgis.core import Qgis, QgsApplication, QgsMessageLog

from . import dependencies
from .i18n import install_translator, tr


class SitsCubePlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS API): also called by headless qgis_process
        from ..processing_provider.provider import SitsCubeProvider

        if self.provider is not None:
            return
        install_translator()
        self.provider = SitsCubeProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)
        self.provider.attach_models()  # the models' steps can be found only now
        missing = dependencies.missing()
        if missing:
            QgsMessageLog.logMessage(dependencies.missing_message(missing), "SITS Cube", Qgis.MessageLevel.Warning)

    def initGui(self):  # noqa: N802
        self.initProcessing()
        missing = dependencies.missing()
        if missing and self.iface is not None:
            self.iface.messageBar().pushMessage(
                tr("SITS Cube"), dependencies.missing_message(missing), level=Qgis.MessageLevel.Warning, duration=0
            )

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
