"""Cancel stops every long algorithm within seconds and leaves nothing behind.

Each run is canceled while it works (at a percent it reports, or by a timer
as a user pressing Cancel), on inputs big enough to take well over a second.
Measured: the time from feedback.cancel() to processing.run returning, which
must be under CANCEL_LIMIT seconds; the run must raise QgsProcessingException
(or return without an output) and leave the output folder empty: no partial
output, no `.sitscube-*` temporary.
"""

import os
import threading
import time

import numpy as np
import pytest
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsRectangle,
    QgsVectorLayer,
)

from recording_feedback import RecordingFeedback
from sitscube.engine import sample_catalog as sc

from qgis_helpers import run_algorithm as _run  # noqa: E402

WHOLE_AREA = "300000,304480,4805760,4810240 [EPSG:32631]"  # 448 x 448 at 10 m
X0, Y0, X1, Y1 = 300000.0, 4805760.0, 304480.0, 4810240.0
CANCEL_LIMIT = 5.0  # seconds from cancel to return
LATENCIES = {}


class TimedFeedback(RecordingFeedback):
    """Remembers when it was canceled."""

    def __init__(self, cancel_at_percent=None):
        super().__init__(cancel_at_percent)
        self.canceled_at = None

    def cancel(self):
        if self.canceled_at is None:
            self.canceled_at = time.monotonic()
        super().cancel()


def _cancel_run(name, algorithm, parameters, out_dir, at_percent=None, after=None):
    """Run, cancel at a percent or after `after` seconds; check the latency and leftovers."""
    feedback = TimedFeedback(cancel_at_percent=at_percent)
    timer = threading.Timer(after, feedback.cancel) if after is not None else None
    started = time.monotonic()
    if timer:
        timer.start()
    try:
        with pytest.raises(QgsProcessingException, match="Cancel"):
            _run(algorithm, parameters, feedback)
    finally:
        if timer:
            timer.cancel()
    returned = time.monotonic()
    assert feedback.canceled_at is not None, "the run ended before it was canceled: make the input bigger"
    latency = returned - feedback.canceled_at
    LATENCIES[name] = latency
    print(f"\n{name}: canceled after {feedback.canceled_at - started:.2f} s, returned {latency:.2f} s later")
    assert latency < CANCEL_LIMIT, f"{name}: {latency:.1f} s from cancel to return"
    assert os.listdir(out_dir) == [], f"left behind: {os.listdir(out_dir)}"
    return feedback


def _out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _squares(count_per_side, x0, y0, size, step, crs="EPSG:32631", labels=None):
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=class:string", "zones", "memory")
    features = []
    for i in range(count_per_side):
        for j in range(count_per_side):
            feature = QgsFeature(layer.fields())
            x, y = x0 + i * step, y0 + j * step
            feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, y, x + size, y + size)))
            feature.setAttributes([labels(i, j) if labels else str(i)])
            features.append(feature)
    layer.dataProvider().addFeatures(features)
    layer.updateExtents()
    return layer


@pytest.fixture(scope="module")
def big(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    """A 448 x 448 x 28 cube (10 m), its composite, a model, a large raster to classify."""
    import rasterio
    from rasterio.transform import from_origin

    folder = tmp_path_factory.mktemp("cancel")
    west, south, east, north = area_lonlat
    data = {"folder": folder, "aoi_lonlat": f"{west},{east},{south},{north} [EPSG:4326]"}
    data["items"] = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": data["aoi_lonlat"],
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(folder / "items.geojson")})["OUTPUT"]
    data["cube"] = _run("sitscube:loadcube", {"ITEMS": data["items"], "AOI": WHOLE_AREA, "RESOLUTION": 10,
                                              "BANDS": "red,nir,scl", "OUTPUT": str(folder / "cube.nc")})["OUTPUT"]
    data["composite"] = _run("sitscube:composite", {"INPUT": data["cube"], "BANDS": "B04,B08",
                                                    "OUTPUT": str(folder / "composite.tif")})["OUTPUT"]
    training = _squares(4, X0 + 200, Y0 + 200, 300, 1000, labels=lambda i, j: "a" if i < 2 else "b")
    data["model"] = _run("sitscube:trainrandomforest", {
        "INPUT": data["composite"], "TRAINING": training, "CLASS_FIELD": "class", "N_TREES": 50, "CV_FOLDS": 2,
        "OUTPUT_MODEL": str(folder / "model.sitsmodel"), "OUTPUT_REPORT": str(folder / "report.html")})["OUTPUT_MODEL"]
    # a large 2-band raster (the model's bands): minutes to classify whole
    data["large"] = str(folder / "large.tif")
    size = 6144
    with rasterio.open(data["large"], "w", driver="GTiff", width=size, height=size, count=2, dtype="uint16",
                       crs="EPSG:32631", transform=from_origin(X0, Y1, 10, 10), nodata=0, tiled=True,
                       blockxsize=512, blockysize=512) as dst:
        rng = np.random.default_rng(1)
        for row in range(0, size, 512):
            dst.write(rng.integers(1, 6000, (2, 512, size), dtype=np.uint16),
                      window=rasterio.windows.Window(0, row, size, 512))
    return data


def test_cancel_during_search(sitscube_provider, stac_api, area_lonlat, tmp_path):
    from services.faulty_http import FaultyProxy

    west, south, east, north = area_lonlat
    out_dir = _out(tmp_path)
    with FaultyProxy(stac_api.url) as proxy:
        # Every request of the search takes 1 s. Cancel is checked between requests (and
        # between items), not inside one: up to two requests can end after the cancel.
        proxy.set_faults([{"fault": "slow", "delay": 1.0}])
        _cancel_run("search", "sitscube:stacsearch", {
            "CATALOG_URL": proxy.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
            "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(out_dir / "items.geojson")},
            out_dir, after=1.5)


def test_cancel_during_load(big, tmp_path):
    out_dir = _out(tmp_path)
    _cancel_run("load", "sitscube:loadcube", {"ITEMS": big["items"], "AOI": WHOLE_AREA, "RESOLUTION": 10,
                                              "BANDS": "blue,green,red,nir,scl", "CHUNK_SIZE": 128,
                                              "OUTPUT": str(out_dir / "cube.nc")}, out_dir, after=1.0)


def test_cancel_during_load_to_zarr(big, tmp_path):
    out_dir = _out(tmp_path)
    _cancel_run("load-zarr", "sitscube:loadcube", {"ITEMS": big["items"], "AOI": WHOLE_AREA, "RESOLUTION": 10,
                                                   "BANDS": "red,nir,scl", "CHUNK_SIZE": 128,
                                                   "OUTPUT": str(out_dir / "cube.zarr")}, out_dir, at_percent=20)


def test_cancel_during_gap_fill(big, tmp_path):
    out_dir = _out(tmp_path)
    _cancel_run("gapfill", "sitscube:gapfill", {"INPUT": big["cube"], "OUTPUT": str(out_dir / "filled.nc")},
                out_dir, at_percent=10)


def test_cancel_during_composite(big, tmp_path):
    out_dir = _out(tmp_path)
    _cancel_run("composite", "sitscube:composite", {"INPUT": big["cube"], "METHOD": "p90", "PERIOD": "month",
                                                    "OUTPUT": str(out_dir / "monthly.tif")}, out_dir, after=0.5)


def test_cancel_during_classify(big, tmp_path):
    out_dir = _out(tmp_path)
    _cancel_run("classify", "sitscube:classify", {"INPUT": big["large"], "MODEL": big["model"],
                                                  "OUTPUT": str(out_dir / "classes.tif"),
                                                  "OUTPUT_PROBABILITY": str(out_dir / "probability.tif")},
                out_dir, after=1.5)


def test_cancel_keeps_an_existing_class_map(big, tmp_path):
    out_dir = _out(tmp_path)
    existing = out_dir / "classes.tif"
    existing.write_bytes(b"yesterday's map")
    feedback = TimedFeedback(cancel_at_percent=2)
    with pytest.raises(QgsProcessingException, match="Cancel"):
        _run("sitscube:classify", {"INPUT": big["large"], "MODEL": big["model"], "OUTPUT": str(existing)}, feedback)
    assert os.listdir(out_dir) == ["classes.tif"] and existing.read_bytes() == b"yesterday's map"


def test_cancel_during_zonal_statistics_of_many_polygons(big, tmp_path):
    out_dir = _out(tmp_path)
    zones = _squares(150, X0, Y0, 25, 29.8)  # 22,500 fields over the composite
    _cancel_run("zonal", "sitscube:zonalstatistics", {
        "INPUT": big["composite"], "ZONES": zones, "STATISTICS": ["count", "mean", "median", "p90", "std"],
        "OUTPUT": str(out_dir / "zones.gpkg"), "OUTPUT_TABLE": str(out_dir / "zones.csv")}, out_dir, after=1.0)


def test_cancel_during_zonal_statistics_of_a_cube(big, tmp_path):
    out_dir = _out(tmp_path)
    zones = _squares(40, X0, Y0, 100, 110)
    _cancel_run("zonal-cube", "sitscube:zonalstatistics", {
        "INPUT": big["cube"] + ".layers/B04.vrt", "ZONES": zones, "STATISTICS": ["mean", "median"],
        "OUTPUT": str(out_dir / "zones.gpkg"), "OUTPUT_TABLE": str(out_dir / "table.csv")}, out_dir, at_percent=30)


def test_latencies_summary():
    """Printed with -s: the measured cancel latencies."""
    for name, latency in sorted(LATENCIES.items()):
        print(f"cancel latency {name}: {latency:.2f} s")
    assert all(latency < CANCEL_LIMIT for latency in LATENCIES.values())
