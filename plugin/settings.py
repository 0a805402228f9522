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


# --- Settings page (plugin/settings_page.py): keys, variables, defaults -----
# Every setting below has an environment variable that wins over the QGIS
# setting (headless runs: qgis_process, CI, a cluster job).

SETTINGS_GROUP = "sitscube"
ENVIRONMENT = {  # QGIS settings key (under sitscube/) -> environment variable
    "catalog_url": "SITSCUBE_CATALOG_URL",
    "dask_scheduler": "SITSCUBE_DASK_SCHEDULER",
    "cache_dir": "SITSCUBE_CACHE_DIR",
    "memory_limit_mb": "SITSCUBE_MEMORY_LIMIT_MB",
    "http_retries": "SITSCUBE_HTTP_RETRIES",
    "http_backoff": "SITSCUBE_HTTP_BACKOFF",
    "http_max_wait": "SITSCUBE_HTTP_MAX_WAIT",
    "http_deadline": "SITSCUBE_HTTP_DEADLINE",
}
DEFAULTS = {
    "catalog_url": EARTH_SEARCH,
    "dask_scheduler": "threads",
    "memory_limit_mb": 0,  # 0: automatic (dask's own chunk size)
    "http_retries": 4,
    "http_backoff": 0.5,
    "http_max_wait": 60.0,
    "http_deadline": 120.0,
}


def environment_override(key: str):
    """The environment variable's value that overrides setting `key`, or None."""
    return os.environ.get(ENVIRONMENT[key]) or None


def _qgis_loaded() -> bool:
    import sys

    return "qgis.core" in sys.modules


def default_cache_dir() -> str:
    """<QGIS settings folder>/sitscube/cache inside QGIS; the user cache folder outside."""
    if _qgis_loaded():
        from qgis.core import QgsApplication

        return os.path.join(QgsApplication.qgisSettingsDirPath(), "sitscube", "cache")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sitscube")


def cache_dir() -> str:
    """Folder for downloaded and intermediate files (SITSCUBE_CACHE_DIR wins).

    Not created here: whoever writes into it creates it. Like dask_scheduler(),
    QGIS settings are read only when qgis.core is already imported.
    """
    if environment_override("cache_dir") or not _qgis_loaded():
        return os.path.expanduser(environment_override("cache_dir") or default_cache_dir())
    return os.path.expanduser(_setting("cache_dir", "SITSCUBE_CACHE_DIR", default_cache_dir()))


def memory_limit_mb() -> int:
    """Memory budget in MB for one computation, 0 = automatic (SITSCUBE_MEMORY_LIMIT_MB wins).

    Meant as the dask chunk-size hint (dask config ``array.chunk-size``), see
    dask_chunk_size_hint(). Invalid or negative values count as 0.
    """
    if environment_override("memory_limit_mb") or not _qgis_loaded():
        text = environment_override("memory_limit_mb") or "0"
    else:
        text = _setting("memory_limit_mb", "SITSCUBE_MEMORY_LIMIT_MB", "0")
    try:
        return max(0, int(float(text)))
    except (TypeError, ValueError):
        return 0


def dask_chunk_size_hint():
    """The memory limit as a dask ``array.chunk-size`` value ("256MiB"), or None for automatic.

    A chunk is a quarter of the budget: dask holds a few chunks per thread at once.
    """
    limit = memory_limit_mb()
    return f"{max(1, limit // 4)}MiB" if limit else None


# Planetary Computer asset signing (engine/signing.py).
def pc_token_endpoint() -> str:
    """SAS token endpoint for assets on Azure Blob Storage (the Planetary Computer's by default)."""
    return _setting("pc_token_endpoint", "SITSCUBE_PC_TOKEN_ENDPOINT",
                    "https://planetarycomputer.microsoft.com/api/sas/v1/token")


def sign_hosts() -> list:
    """Host patterns (fnmatch, comma separated) whose asset hrefs get a SAS token,
    besides *.blob.core.windows.net (e.g. a mirror of the Planetary Computer's storage)."""
    return [p.strip() for p in _setting("sign_hosts", "SITSCUBE_SIGN_HOSTS", "").split(",") if p.strip()]
