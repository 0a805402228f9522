"""User settings, from QGIS settings or environment variables (headless runs)."""

import os

EARTH_SEARCH = "https://earth-search.aws.element84.com/v1"
PLANETARY_COMPUTER = "https://planetarycomputer.microsoft.com/api/stac/v1"


def _setting(key: str, env: str, default: str) -> str:
    if os.environ.get(env):
        return os.environ[env]
    try:
        from qgis.core import QgsSettings

        return QgsSettings().value(f"sitscube/{key}", default) or default
    except ImportError:
        return default


def default_catalog_url() -> str:
    return _setting("catalog_url", "SITSCUBE_CATALOG_URL", EARTH_SEARCH)
