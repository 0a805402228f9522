"""Shared fixtures: the sample catalog, the loopback STAC API, the provider.

pytest-qgis starts one real QgsApplication (offscreen) for the session;
engine tests never import qgis themselves.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = ROOT / "build" / "test-data" / "sample-catalog"
# The whole sample area, in UTM 31N and in lon/lat
AREA_UTM = (300000.0, 4805760.0, 304480.0, 4810240.0)


@pytest.fixture(scope="session")
def sample_catalog() -> Path:
    from sitscube.engine.sample_catalog import ensure_catalog

    ensure_catalog(str(CATALOG_DIR), log=lambda *_: None)
    return CATALOG_DIR


@pytest.fixture(scope="session")
def scene():
    from sitscube.engine.sample_catalog import SampleScene

    return SampleScene()


@pytest.fixture(scope="session")
def stac_api(sample_catalog):
    from services.stac_api import StacApi

    api = StacApi(sample_catalog)
    api.start()
    yield api
    api.stop()


def utm_to_lonlat(box):
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(32631, 4326, always_xy=True)
    west, south = to_lonlat.transform(box[0], box[1])
    east, north = to_lonlat.transform(box[2], box[3])
    return (west, south, east, north)


@pytest.fixture(scope="session")
def area_lonlat():
    return utm_to_lonlat(AREA_UTM)


@pytest.fixture(scope="session")
def sitscube_provider(qgis_processing):
    """Register the provider once, as the plugin's initProcessing does."""
    from qgis.core import QgsApplication

    from sitscube.processing_provider.provider import SitsCubeProvider

    registry = QgsApplication.processingRegistry()
    if registry.providerById("sitscube") is None:
        _KEEP_ALIVE.append(SitsCubeProvider())  # Python owns the provider object
        registry.addProvider(_KEEP_ALIVE[-1])
        _KEEP_ALIVE[-1].attach_models()
    return registry.providerById("sitscube")


_KEEP_ALIVE = []


@pytest.fixture
def feedback():
    from recording_feedback import RecordingFeedback

    return RecordingFeedback()


# ---- leaving the session ---------------------------------------------------------
# Python's own teardown after a QGIS session (Qt, GDAL, netCDF and thread pools
# all finalizing in arbitrary order) can segfault after every test has passed
# (seen once in CI, after the summary line). Once pytest has printed its
# summary, leave at once with pytest's own exit status.
_EXIT_STATUS = []


_SKIPPED = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _SKIPPED.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # make setup installs everything the suite needs: a skipped test is a failure, never a pass
    if _SKIPPED and int(exitstatus) == 0:
        print(f"\n{len(_SKIPPED)} test(s) skipped, which this suite does not allow: {', '.join(_SKIPPED[:5])}")
        session.exitstatus = 1
    _EXIT_STATUS.append(int(session.exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    import os
    import sys

    if _EXIT_STATUS:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])


# ---- real catalogs (tests/real_catalogs.py) ----------------------------------------
@pytest.fixture(scope="session")
def real_catalogs():
    """Loopback copies of six real catalogs, each started on first use, all stopped at the end."""
    from real_catalogs import RealCatalogs

    catalogs = RealCatalogs()
    yield catalogs
    catalogs.stop()
