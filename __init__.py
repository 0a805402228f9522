"""SITS Cube QGIS plugin entry point: nothing heavy is imported here."""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    from .plugin.plugin import SitsCubePlugin

    return SitsCubePlugin(iface)
