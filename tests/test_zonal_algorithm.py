"""sitscube:zonalstatistics in QGIS: exact values, agreement with native:zonalstatisticsfb, cubes."""

import csv

import numpy as np
import pytest
import rasterio
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsRectangle,
    QgsVectorLayer,
)

import processing  # noqa: E402  (QGIS's own plugin; pytest.ini puts it on the path)
from qgis_helpers import run_algorithm as _run  # noqa: E402


def _raster(path, array, nodata=0):
    from affine import Affine

    with rasterio.open(path, "w", driver="GTiff", width=array.shape[1], height=array.shape[0], count=1,
                       dtype=array.dtype.name, crs="EPSG:32631", transform=Affine(10, 0, 300000, 0, -10, 4810000),
                       nodata=nodata) as dst:
        dst.write(array, 1)
    return str(path)


def _zones(rectangles, crs="EPSG:32631"):
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=name:string", "zones", "memory")
    features = []
    for name, (xmin, ymin, xmax, ymax) in rectangles.items():
        feature = QgsFeature(layer.fields())
        feature.setAttributes([name])
        feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(xmin, ymin, xmax, ymax)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def test_exact_values_on_a_small_raster_with_zones_in_another_crs(sitscube_provider, tmp_path, feedback):
    array = np.arange(1, 101, dtype=np.uint16).reshape(10, 10)
    array[0, 0] = 0  # nodata
    path = _raster(tmp_path / "r.tif", array)
    utm = _zones({"corner": (300000, 4809980, 300030, 4810000), "middle": (300020, 4809940, 300060, 4809970)})
    wgs84 = processing.run("native:reprojectlayer", {"INPUT": utm, "TARGET_CRS": "EPSG:4326", "OUTPUT": "memory:"})["OUTPUT"]
    result = _run("sitscube:zonalstatistics", {"INPUT": path, "ZONES": wgs84, "STATISTICS": ["count", "sum", "mean", "min", "max", "median"],
                                               "OUTPUT": "memory:"}, feedback)
    layer = result["OUTPUT"] if isinstance(result["OUTPUT"], QgsVectorLayer) else QgsVectorLayer(result["OUTPUT"])
    rows = {f["name"]: f for f in layer.getFeatures()}
    corner = array[0:2, 0:3].astype(float)
    corner = corner[corner > 0]  # rows 0-1, cols 0-2, less the nodata pixel
    assert rows["corner"]["count"] == corner.size and rows["corner"]["sum"] == corner.sum()
    assert rows["corner"]["mean"] == pytest.approx(corner.mean()) and rows["corner"]["min"] == corner.min()
    middle = array[3:6, 2:6].astype(float)  # y 4809940-4809970 -> rows 3-5; x 300020-300060 -> cols 2-5
    assert rows["middle"]["count"] == 12 and rows["middle"]["median"] == np.median(middle)
    assert rows["middle"]["max"] == middle.max()
    assert layer.crs().authid() == "EPSG:4326"  # the zones keep their CRS


def test_agrees_with_qgis_zonal_statistics(sitscube_provider, tmp_path, feedback):
    rng = np.random.default_rng(3)
    array = rng.integers(1, 5000, size=(120, 150)).astype(np.uint16)
    array[rng.random(array.shape) < 0.1] = 0
    path = _raster(tmp_path / "random.tif", array)
    rectangles = {}
    for i in range(40):
        x0 = 300000 + rng.uniform(0, 1300)
        y0 = 4810000 - 1200 + rng.uniform(0, 1100)
        rectangles[f"z{i}"] = (x0, y0, x0 + rng.uniform(30, 200), y0 + rng.uniform(30, 200))
    zones = _zones(rectangles)
    ours = _run("sitscube:zonalstatistics", {"INPUT": path, "ZONES": zones, "STATISTICS": ["count", "sum", "mean", "std", "min", "max", "median"],
                                             "OUTPUT": "memory:"}, feedback)["OUTPUT"]
    qgis = processing.run("native:zonalstatisticsfb", {"INPUT": zones, "INPUT_RASTER": path, "RASTER_BAND": 1, "COLUMN_PREFIX": "q_",
                                                       "STATISTICS": [0, 1, 2, 3, 4, 5, 6], "OUTPUT": "memory:"})["OUTPUT"]
    theirs = {f["name"]: f for f in qgis.getFeatures()}
    compared = 0
    for feature in ours.getFeatures():
        other = theirs[feature["name"]]
        for ours_name, qgis_name in (("count", "q_count"), ("sum", "q_sum"), ("mean", "q_mean"), ("median", "q_median"),
                                     ("std", "q_stdev"), ("min", "q_min"), ("max", "q_max")):
            assert feature[ours_name] == pytest.approx(other[qgis_name], rel=1e-9), (feature["name"], ours_name)
            compared += 1
    assert compared == 40 * 7


def test_class_map_majority_and_areas(sitscube_provider, tmp_path, feedback):
    classes = np.ones((10, 10), dtype=np.uint8)
    classes[:, 6:] = 2
    classes[8:, :] = 3
    path = _raster(tmp_path / "classes.tif", classes)
    zones = _zones({"all": (300000, 4809900, 300100, 4810000)})
    layer = _run("sitscube:zonalstatistics", {"INPUT": path, "ZONES": zones, "STATISTICS": ["majority", "class_area"],
                                              "OUTPUT": "memory:"}, feedback)["OUTPUT"]
    feature = next(layer.getFeatures())
    assert feature["majority"] == 1
    import json

    areas = json.loads(feature["class_area"])
    assert areas == {"1": 48 * 100.0, "2": 32 * 100.0, "3": 20 * 100.0}  # pixels x 100 m²


def test_cube_long_table_and_fields(sitscube_provider, stac_api, area_lonlat, scene, tmp_path, feedback):
    west, south, east, north = area_lonlat
    items = _run("sitscube:stacsearch", {"CATALOG_URL": stac_api.url, "COLLECTION": "sentinel-2-l2a",
                                         "AOI": f"{west},{east},{south},{north} [EPSG:4326]", "START_DATE": "2022-03-01",
                                         "END_DATE": "2022-06-30", "OUTPUT": str(tmp_path / "i.geojson")}, feedback)["OUTPUT"]
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": "300000,301280,4808960,4810240 [EPSG:32631]", "BANDS": "red,nir",
                                      "OUTPUT": str(tmp_path / "c.nc")}, feedback)["OUTPUT"]
    zones = _zones({"a": (300000, 4810080, 300160, 4810240), "b": (300320, 4809600, 300640, 4809920)})
    table = str(tmp_path / "table.csv")
    layer = _run("sitscube:zonalstatistics", {"INPUT": cube + ".layers/B04.vrt", "ZONES": zones, "STATISTICS": ["mean"],
                                              "OUTPUT": "memory:", "OUTPUT_TABLE": table}, feedback)["OUTPUT"]
    with open(table) as stream:
        rows = list(csv.DictReader(stream))
    dates = [d for d in scene.dates if "2022-03-01" <= d.isoformat() <= "2022-06-30"]
    assert len(rows) == 2 * len(dates) * 2  # zones x dates x bands
    first = dates[0]  # 2022, baseline 04.00, not harmonized here: values as stored
    truth = scene.stored("B04", first, True)[0:16, 0:16].astype(float)
    row = next(r for r in rows if r["band"] == "B04" and r["date"] == first.isoformat() and r["zone_id"] == str(next(layer.getFeatures()).id()))
    assert float(row["mean"]) == pytest.approx(truth.mean())
    field = f"B04_{first.strftime('%Y%m%d')}_mean"
    assert field in layer.fields().names()
