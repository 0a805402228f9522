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


# HTTP reliability (STAC requests and GDAL asset reads); see engine/http_client.py.
def _number(key: str, env: str, default: float) -> float:
    try:
        return float(_setting(key, env, str(default)))
    except (TypeError, ValueError):
        return default


def http_retries() -> int:
    """Extra attempts after a 429/5xx answer or a connection error."""
    return max(0, int(_number("http_retries", "SITSCUBE_HTTP_RETRIES", 4)))


def http_backoff() -> float:
    """Seconds before the first retry; doubles at each retry."""
    return max(0.0, _number("http_backoff", "SITSCUBE_HTTP_BACKOFF", 0.5))


def http_max_wait() -> float:
    """Cap on one wait between attempts, a server's Retry-After included."""
    return max(0.0, _number("http_max_wait", "SITSCUBE_HTTP_MAX_WAIT", 60.0))


def http_deadline() -> float:
    """No retry is started that could end later than this after a request's first attempt."""
    return max(1.0, _number("http_deadline", "SITSCUBE_HTTP_DEADLINE", 120.0))


def dask_scheduler() -> str:
    """'threads' (default), 'local-cluster'/'processes', or a cluster address tcp://host:8786.

    Read by engine/scheduler.py for every dask computation of the engine.
    QGIS settings are read only inside QGIS (qgis.core already imported), so
    the engine used headless never imports QGIS for it.
    """
    import sys

    if os.environ.get("SITSCUBE_DASK_SCHEDULER") or "qgis.core" not in sys.modules:
        return os.environ.get("SITSCUBE_DASK_SCHEDULER") or "threads"
    return _setting("dask_scheduler", "SITSCUBE_DASK_SCHEDULER", "threads")
