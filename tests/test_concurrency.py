"""Two algorithms at once in one QGIS do not disturb each other.

Two Python threads each call processing.run with their own
QgsProcessingContext and feedback (as two QGIS tasks would). Their outputs
must be identical to the same runs done one after the other, and neither may
leave the process's dask configuration, dask's global callbacks or GDAL's
configuration options changed. A run canceled while another runs must not
cancel, slow down or corrupt the other.
"""

import os
import threading

import numpy as np
import pytest
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)

from sitscube.engine import sample_catalog as sc

import processing  # noqa: E402  (QGIS's own plugin; pytest.ini puts it on the path)

WHOLE_AREA = "300000,304480,4805760,4810240 [EPSG:32631]"
SMALL_AOI = "300000,301280,4808960,4810240 [EPSG:32631]"
X0, Y0 = 300000.0, 4805760.0
GDAL_OPTIONS = (
    "GDAL_CACHEMAX", "GDAL_HTTP_MAX_RETRY", "GDAL_HTTP_RETRY_DELAY", "GDAL_HTTP_TIMEOUT", "GDAL_HTTP_CONNECTTIMEOUT",
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES", "GDAL_HTTP_MULTIRANGE", "GDAL_DISABLE_READDIR_ON_OPEN",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "GDAL_NUM_THREADS", "VSI_CACHE",
)


class RecordingFeedback(QgsProcessingFeedback):
    """Percents recorded (and cancel at a percent) without Qt signals.

    A feedback made in the main thread and used from another thread has its
    signals queued to the main thread's event loop, which is not running here;
    the engine calls setProgress directly, so it is overridden instead.
    """

    def __init__(self, cancel_at_percent=None):
        super().__init__()
        self.percents, self.cancel_at_percent = [], cancel_at_percent

    def setProgress(self, percent):  # noqa: N802
        self.percents.append(percent)
        super().setProgress(percent)
        if self.cancel_at_percent is not None and percent >= self.cancel_at_percent:
            self.cancel()


def _run(algorithm, parameters, feedback=None):
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return processing.run(algorithm, parameters, context=context, feedback=feedback or RecordingFeedback())


def _global_state():
    import dask
    from dask.callbacks import Callback
    from osgeo import gdal

    return {
        "dask scheduler": dask.config.get("scheduler", None),
        "dask callbacks": set(Callback.active),
        "gdal cache": gdal.GetCacheMax(),
        **{name: gdal.GetConfigOption(name) for name in GDAL_OPTIONS},
    }


def _in_parallel(*jobs):
    """Run (algorithm, parameters, feedback) jobs in threads at once; results or exceptions, in order."""
    outcomes = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def work(index, algorithm, parameters, feedback):
        start.wait()
        try:
            outcomes[index] = _run(algorithm, parameters, feedback)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            outcomes[index] = error

    threads = [threading.Thread(target=work, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
        assert not thread.is_alive(), "a run did not finish"
    return outcomes


def _tif(path):
    import rasterio

    with rasterio.open(path) as src:
        return src.read(), src.transform, src.crs, src.descriptions


def _assert_same_tif(first, second):
    a, b = _tif(first), _tif(second)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1:] == b[1:]


def _assert_same_cube(first, second):
    from sitscube.engine.cube_io import open_cube

    a, b = open_cube(first), open_cube(second)
    assert sorted(a.data_vars) == sorted(b.data_vars)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    np.testing.assert_array_equal(a["time"].values, b["time"].values)
    a.close()
    b.close()


@pytest.fixture(scope="module")
def prepared(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrency")
    west, south, east, north = area_lonlat
    data = {"folder": folder}
    data["items"] = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(folder / "items.geojson")})["OUTPUT"]
    cube = _run("sitscube:loadcube", {"ITEMS": data["items"], "AOI": WHOLE_AREA, "RESOLUTION": 10, "BANDS": "red,nir,scl",
                                      "OUTPUT": str(folder / "cube.nc")})["OUTPUT"]
    data["masked"] = _run("sitscube:cloudmask", {"INPUT": cube, "OUTPUT": str(folder / "masked.nc")})["OUTPUT"]
    data["composite"] = _run("sitscube:composite", {"INPUT": data["masked"], "BANDS": "B04,B08",
                                                    "OUTPUT": str(folder / "composite.tif")})["OUTPUT"]
    training = QgsVectorLayer("Polygon?crs=EPSG:32631&field=class:string", "training", "memory")
    features = []
    for i in range(4):
        for j in range(4):
            feature = QgsFeature(training.fields())
            x, y = X0 + 200 + i * 1000, Y0 + 200 + j * 1000
            feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, y, x + 300, y + 300)))
            feature.setAttributes(["a" if i < 2 else "b"])
            features.append(feature)
    training.dataProvider().addFeatures(features)
    data["model"] = _run("sitscube:trainrandomforest", {
        "INPUT": data["composite"], "TRAINING": training, "CLASS_FIELD": "class", "N_TREES": 20, "CV_FOLDS": 2,
        "OUTPUT_MODEL": str(folder / "model.sitsmodel"), "OUTPUT_REPORT": str(folder / "report.html")})["OUTPUT_MODEL"]
    return data


def _composite_job(prepared, folder, feedback=None):
    return ("sitscube:composite", {"INPUT": prepared["masked"], "METHOD": "median", "PERIOD": "season",
                                   "OUTPUT": str(folder / "seasons.tif")}, feedback or RecordingFeedback())


def _gapfill_job(prepared, folder, feedback=None):
    return ("sitscube:gapfill", {"INPUT": prepared["masked"], "METHOD": "linear", "OUTPUT": str(folder / "filled.nc")},
            feedback or RecordingFeedback())


def _load_job(prepared, folder, feedback=None):
    return ("sitscube:loadcube", {"ITEMS": prepared["items"], "AOI": SMALL_AOI, "RESOLUTION": 20, "BANDS": "red,nir,scl",
                                  "CHUNK_SIZE": 64, "OUTPUT": str(folder / "small.zarr")}, feedback or RecordingFeedback())


def _classify_job(prepared, folder, feedback=None):
    return ("sitscube:classify", {"INPUT": prepared["composite"], "MODEL": prepared["model"],
                                  "OUTPUT": str(folder / "classes.tif"), "OUTPUT_PROBABILITY": str(folder / "probability.tif")},
            feedback or RecordingFeedback())


def test_composite_and_gap_fill_at_once_equal_one_after_the_other(prepared, tmp_path):
    sequential, parallel = tmp_path / "sequential", tmp_path / "parallel"
    sequential.mkdir()
    parallel.mkdir()
    _run(*_composite_job(prepared, sequential))
    _run(*_gapfill_job(prepared, sequential))
    before = _global_state()
    outcomes = _in_parallel(_composite_job(prepared, parallel), _gapfill_job(prepared, parallel))
    for outcome in outcomes:
        assert not isinstance(outcome, BaseException), repr(outcome)
    assert _global_state() == before
    _assert_same_tif(sequential / "seasons.tif", parallel / "seasons.tif")
    _assert_same_cube(str(sequential / "filled.nc"), str(parallel / "filled.nc"))
    assert sorted(os.listdir(parallel)) == sorted(os.listdir(sequential))  # no temporaries left


def test_load_and_classify_at_once_equal_one_after_the_other(prepared, tmp_path):
    sequential, parallel = tmp_path / "sequential", tmp_path / "parallel"
    sequential.mkdir()
    parallel.mkdir()
    _run(*_load_job(prepared, sequential))
    _run(*_classify_job(prepared, sequential))
    before = _global_state()
    load_feedback, classify_feedback = RecordingFeedback(), RecordingFeedback()
    outcomes = _in_parallel(_load_job(prepared, parallel, load_feedback), _classify_job(prepared, parallel, classify_feedback))
    for outcome in outcomes:
        assert not isinstance(outcome, BaseException), repr(outcome)
    assert _global_state() == before
    _assert_same_cube(str(sequential / "small.zarr"), str(parallel / "small.zarr"))
    _assert_same_tif(sequential / "classes.tif", parallel / "classes.tif")
    _assert_same_tif(sequential / "probability.tif", parallel / "probability.tif")
    # each feedback saw its own run only, up to 100 %
    for feedback in (load_feedback, classify_feedback):
        assert feedback.percents and max(feedback.percents) == pytest.approx(100, abs=1)
        assert not feedback.isCanceled()
    assert sorted(os.listdir(parallel)) == sorted(os.listdir(sequential))


def test_canceling_one_run_leaves_the_other_untouched(prepared, tmp_path):
    sequential, parallel = tmp_path / "sequential", tmp_path / "parallel"
    sequential.mkdir()
    parallel.mkdir()
    _run(*_composite_job(prepared, sequential))
    before = _global_state()
    canceled = RecordingFeedback(cancel_at_percent=5)
    outcomes = _in_parallel(_gapfill_job(prepared, parallel, canceled), _composite_job(prepared, parallel))
    assert isinstance(outcomes[0], QgsProcessingException) and "Cancel" in str(outcomes[0])
    assert not isinstance(outcomes[1], BaseException), repr(outcomes[1])
    assert _global_state() == before
    _assert_same_tif(sequential / "seasons.tif", parallel / "seasons.tif")
    assert os.listdir(parallel) == ["seasons.tif"]
