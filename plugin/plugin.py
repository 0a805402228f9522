"""The QGIS plugin object: registers the Processing provider and the settings page."""

from qgis.core import Qgis, QgsApplication, QgsMessageLog

from . import dependencies
from .i18n import install_translator, tr


def missing_message(missing):
    """dependencies.missing_message(), translated: the message at load (log and message bar)."""
    names = ", ".join(f"{d.requirement.split('<')[0]} ({d.used_for})" for d in missing)
    return tr(
        "SITS Cube needs Python packages that QGIS cannot import: {names}. Install them with: {command} "
        "(on Windows, in the OSGeo4W Shell; or pip install -r \"{requirements}\"), then restart QGIS."
    ).format(names=names, command=dependencies.install_command(missing), requirements=dependencies.requirements_file())


class SitsCubePlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.options_factory = None

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
            QgsMessageLog.logMessage(missing_message(missing), "SITS Cube", Qgis.MessageLevel.Warning)

    def initGui(self):  # noqa: N802
        self.initProcessing()
        self.register_options_page()
        missing = dependencies.missing()
        if missing and self.iface is not None:
            self.iface.messageBar().pushMessage(
                tr("SITS Cube"), missing_message(missing), level=Qgis.MessageLevel.Warning, duration=0
            )

    def register_options_page(self):
        """Settings › Options › SITS Cube (catalog, Dask scheduler, cache, memory, HTTP)."""
        if self.options_factory is not None or self.iface is None:
            return
        if not hasattr(self.iface, "registerOptionsWidgetFactory"):
            return
        from .settings_page import SitsCubeOptionsFactory

        self.options_factory = SitsCubeOptionsFactory()
        self.iface.registerOptionsWidgetFactory(self.options_factory)

    def unload(self):
        if self.options_factory is not None:
            if hasattr(self.iface, "unregisterOptionsWidgetFactory"):
                self.iface.unregisterOptionsWidgetFactory(self.options_factory)
            self.options_factory = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
