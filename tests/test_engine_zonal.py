"""Zonal statistics (engine/zonal.py): exact values on small rasters, cubes, and QGIS agreement.

Rasters are 10 m pixels in EPSG:32631 with the top-left corner at
(500000, 4800000). ``cells(r0, c0, r1, c1)`` is the grid-aligned rectangle
covering rows r0..r1-1 and columns c0..c1-1, so every pixel centre is well
inside or outside it and the expected pixels are obvious.
"""

import csv
import math

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from sitscube.engine.errors import UserError
from sitscube.engine.zonal import STATISTICS, zonal_statistics, zonal_statistics_cube, write_table_csv

X0, Y0, RES = 500000.0, 4800000.0, 10.0
ALL = ("count", "sum", "mean", "std", "min", "max", "median", "p10", "p25", "p75", "p90", "majority")


def cells(r0, c0, r1, c1):
    return box(X0 + c0 * RES, Y0 - r1 * RES, X0 + c1 * RES, Y0 - r0 * RES)


def centre(r, c):
    return X0 + (c + 0.5) * RES, Y0 - (r + 0.5) * RES


def write_tif(path, data, nodata=0, crs="EPSG:32631", transform=None):
    import rasterio
    from affine import Affine

    data = np.asarray(data)
    if data.ndim == 2:
        data = data[None]
    transform = transform or Affine(RES, 0, X0, 0, -RES, Y0)
    with rasterio.open(
        path, "w", driver="GTiff", width=data.shape[2], height=data.shape[1], count=data.shape[0],
        dtype=data.dtype.name, crs=crs, transform=transform, nodata=nodata,
    ) as dst:
        dst.write(data)
    return str(path)


@pytest.fixture
def values_tif(tmp_path):
    """10x10 uint16: pixel (r, c) = 10 r + c + 1 (1..100); (6..7, 6..7) nodata 0."""
    data = (np.arange(100).reshape(10, 10) + 1).astype(np.uint16)
    data[6:8, 6:8] = 0
    return write_tif(tmp_path / "values.tif", data)


def one(result, zone, band=1):
    return result[zone][band]


# ---- exact values ---------------------------------------------------------------------------


def test_two_pixel_polygon_every_statistic(values_tif):
    out = zonal_statistics(values_tif, [("two", cells(2, 3, 3, 5))], ALL)
    s = one(out, "two")  # pixels (2, 3) = 24 and (2, 4) = 25
    assert s == {
        "count": 2, "sum": 49.0, "mean": 24.5, "std": 0.5, "min": 24.0, "max": 25.0, "median": 24.5,
        "p10": 24.1, "p25": 24.25, "p75": 24.75, "p90": 24.9, "majority": 24,  # tie -> smallest
    }
    assert isinstance(s["count"], int) and isinstance(s["majority"], int)


def test_overlapping_polygons_each_get_all_their_pixels(values_tif):
    zones = [("a", cells(0, 0, 3, 3)), ("b", cells(1, 1, 4, 4)), ("c", cells(0, 0, 3, 3))]  # c == a
    out = zonal_statistics(values_tif, zones, ALL)
    a, b = one(out, "a"), one(out, "b")
    # a: 1 2 3 / 11 12 13 / 21 22 23
    assert a["count"] == 9 and a["sum"] == 108.0 and a["mean"] == 12.0 and a["median"] == 12.0
    assert a["min"] == 1.0 and a["max"] == 23.0
    assert a["std"] == pytest.approx(math.sqrt(606 / 9), rel=1e-12)  # population: (121+100+81+1+0+1+81+100+121)/9
    # sorted 1 2 3 11 12 13 21 22 23: p10 at position 0.8 -> 1.8, p90 at 7.2 -> 22.2
    assert a["p25"] == 3.0 and a["p75"] == 21.0 and a["p10"] == pytest.approx(1.8) and a["p90"] == pytest.approx(22.2)
    assert a["majority"] == 1  # all values differ: smallest
    # b: 12 13 14 / 22 23 24 / 32 33 34 (shares 12 13 22 23 with a)
    assert b["count"] == 9 and b["sum"] == 207.0 and b["mean"] == 23.0 and b["median"] == 23.0
    assert b["min"] == 12.0 and b["max"] == 34.0 and b["std"] == pytest.approx(math.sqrt(606 / 9), rel=1e-12)
    assert one(out, "c") == a


def test_nodata_partial_and_full(values_tif):
    zones = [("part", cells(6, 6, 8, 9)), ("none", cells(6, 6, 8, 8))]
    out = zonal_statistics(values_tif, zones, ALL)
    part = one(out, "part")  # (6, 8) = 69 and (7, 8) = 79; the four 0s are nodata
    assert part["count"] == 2 and part["sum"] == 148.0 and part["mean"] == 74.0 and part["std"] == 5.0
    assert part["min"] == 69.0 and part["max"] == 79.0 and part["median"] == 74.0
    none = one(out, "none")
    assert none["count"] == 0 and all(none[k] is None for k in ALL if k != "count")


def test_outside_empty_and_edge_polygons(values_tif):
    zones = [
        ("outside", box(0, 0, 100, 100)),
        ("empty", Polygon()),
        ("missing", None),
        ("edge", cells(0, -3, 1, 2)),  # half outside on the left: (0, 0) = 1 and (0, 1) = 2
    ]
    out = zonal_statistics(values_tif, zones, ("count", "sum", "median", "majority"))
    for zone in ("outside", "empty", "missing"):
        assert one(out, zone) == {"count": 0, "sum": None, "median": None, "majority": None}
    assert one(out, "edge") == {"count": 2, "sum": 3.0, "median": 1.5, "majority": 1}


def test_multipolygon_and_hole(values_tif):
    multi = MultiPolygon([cells(9, 0, 10, 1), cells(9, 9, 10, 10)])  # 91 and 100
    ring = Polygon(cells(3, 5, 6, 8).exterior.coords, [cells(4, 6, 5, 7).exterior.coords])  # 3x3 minus 47
    out = zonal_statistics(values_tif, [("multi", multi), ("hole", ring)], ("count", "sum", "mean", "min", "max"))
    assert one(out, "multi") == {"count": 2, "sum": 191.0, "mean": 95.5, "min": 91.0, "max": 100.0}
    # 36 37 38 / 46 .. 48 / 56 57 58
    assert one(out, "hole") == {"count": 8, "sum": 376.0, "mean": 47.0, "min": 36.0, "max": 58.0}


def test_pixel_centre_rule_on_a_non_aligned_polygon(values_tif):
    cx, cy = centre(5, 5)
    diamond = Polygon([(cx - 12, cy), (cx, cy + 12), (cx + 12, cy), (cx, cy - 12)])  # 5 centres inside
    small = box(cx - 3, cy - 3, cx + 3, cy + 3)  # a sub-pixel zone around one centre
    tiny = box(cx + 1, cy + 1, cx + 4, cy + 4)  # inside pixel (5, 5) but not over its centre
    out = zonal_statistics(values_tif, [("d", diamond), ("s", small), ("t", tiny)], ("count", "sum", "median"))
    assert one(out, "d") == {"count": 5, "sum": 46.0 + 55 + 56 + 57 + 66, "median": 56.0}
    assert one(out, "s") == {"count": 1, "sum": 56.0, "median": 56.0}
    assert one(out, "t") == {"count": 0, "sum": None, "median": None}  # QGIS would weight by area here


def test_rasterize_rule_is_pixel_centre_in_polygon(values_tif):
    """The pixels of random non-aligned polygons are exactly those whose centre they contain."""
    rng = np.random.default_rng(3)
    zones = []
    for k in range(40):
        x, y = rng.uniform(0, 10, 2)
        r = rng.uniform(0.8, 4)
        angles = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(3, 8)))
        zones.append((k, Polygon([(X0 + RES * (x + r * np.cos(a)), Y0 - RES * (y + r * np.sin(a))) for a in angles])))
    out = zonal_statistics(values_tif, zones, ("count", "sum"))
    import rasterio

    with rasterio.open(values_tif) as src:
        data = src.read(1)
    rows, cols = np.mgrid[0:10, 0:10]
    xs, ys = centre(rows, cols)
    for k, geometry in zones:
        inside = shapely.contains_xy(geometry, xs, ys) & (data != 0)
        assert one(out, k)["count"] == int(inside.sum())
        if inside.any():
            assert one(out, k)["sum"] == float(data[inside].sum())


def test_bands_selection_and_float_nan(tmp_path):
    data = np.stack([np.full((4, 4), 3, np.float32), np.full((4, 4), 5, np.float32)])
    data[0, 0, 0] = np.nan
    data[1, 0, 1] = -9999
    path = write_tif(tmp_path / "f.tif", data, nodata=-9999)
    zone = [(1, cells(0, 0, 1, 4))]
    both = zonal_statistics(path, zone, ("count", "mean"))
    assert both[1] == {1: {"count": 3, "mean": 3.0}, 2: {"count": 3, "mean": 5.0}}
    assert zonal_statistics(path, zone, ("count",), bands=[2])[1] == {2: {"count": 3}}
    with pytest.raises(UserError, match="no band 3"):
        zonal_statistics(path, zone, ("count",), bands=[3])


def test_majority_ties_and_class_area(tmp_path):
    classes = np.ones((10, 10), np.uint8)
    classes[0, :5] = [3, 3, 5, 5, 1]
    classes[1, :3] = [2, 7, 7]
    classes[2, :4] = [9, 255, 255, 4]  # 255 = nodata
    path = write_tif(tmp_path / "classes.tif", classes, nodata=255)
    zones = [("tie", cells(0, 0, 1, 5)), ("seven", cells(1, 0, 2, 3)), ("nodata", cells(2, 0, 3, 4))]
    out = zonal_statistics(path, zones, ("count", "majority", "class_area"))
    assert one(out, "tie") == {"count": 5, "majority": 3, "class_area": {1: 100.0, 3: 200.0, 5: 200.0}}
    assert one(out, "seven") == {"count": 3, "majority": 7, "class_area": {2: 100.0, 7: 200.0}}
    assert one(out, "nodata") == {"count": 2, "majority": 4, "class_area": {4: 100.0, 9: 100.0}}
    assert all(isinstance(k, int) for k in one(out, "tie")["class_area"])


def test_class_area_refused_in_geographic_crs(tmp_path):
    from affine import Affine

    path = write_tif(tmp_path / "ll.tif", np.ones((10, 10), np.uint8), nodata=255, crs="EPSG:4326",
                     transform=Affine(0.001, 0, 1.0, 0, -0.001, 43.0))
    zone = [(1, box(1.0, 42.995, 1.005, 43.0))]
    assert zonal_statistics(path, zone, ("count",))[1][1] == {"count": 25}  # counts are fine
    with pytest.raises(UserError, match="projected CRS"):
        zonal_statistics(path, zone, ("class_area",))


def test_bad_arguments(values_tif):
    with pytest.raises(UserError, match="Unknown statistic 'mode'"):
        zonal_statistics(values_tif, [(1, cells(0, 0, 1, 1))], ("mode",))
    with pytest.raises(UserError, match="unique"):
        zonal_statistics(values_tif, [(1, cells(0, 0, 1, 1)), (1, cells(1, 1, 2, 2))])
    assert set(STATISTICS) >= {"count", "median", "p90", "majority", "class_area"}


def test_many_overlapping_zones_match_numpy_per_zone(tmp_path):
    """Random overlapping zones, windows smaller than the raster (zones cut by windows)."""
    from sitscube.engine import zonal

    rng = np.random.default_rng(7)
    data = rng.integers(0, 50, (300, 260)).astype(np.uint16)  # 0 = nodata, many repeated values
    path = write_tif(tmp_path / "r.tif", data)
    zones = []
    for k in range(120):
        x, y = rng.uniform(-5, 265), rng.uniform(-5, 305)
        r = rng.uniform(1, 25)
        zones.append((f"z{k}", shapely.Point(X0 + RES * x, Y0 - RES * y).buffer(RES * r, 3)))
    old = zonal.WINDOW
    zonal.WINDOW = 64
    try:
        out = zonal_statistics(path, zones, ALL)
    finally:
        zonal.WINDOW = old
    rows, cols = np.mgrid[0:300, 0:260]
    xs, ys = centre(rows, cols)
    for zone_id, geometry in zones:
        inside = shapely.contains_xy(geometry, xs, ys) & (data != 0)
        got = one(out, zone_id)
        values = data[inside].astype(np.float64)
        assert got["count"] == values.size
        if values.size == 0:
            continue
        counts = np.bincount(data[inside])
        expected = {
            "sum": values.sum(), "mean": values.mean(), "std": values.std(), "min": values.min(),
            "max": values.max(), "median": np.median(values), "p10": np.percentile(values, 10),
            "p25": np.percentile(values, 25), "p75": np.percentile(values, 75), "p90": np.percentile(values, 90),
            "majority": int(np.argmax(counts)),  # argmax: first (smallest) of the tied values
        }
        for name, value in expected.items():
            assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-9), (zone_id, name)


# ---- cubes and tables -----------------------------------------------------------------------


def make_cube(bands, dates):
    import xarray as xr
    from affine import Affine
    from odc.geo.geobox import GeoBox
    from odc.geo.xr import xr_coords

    t, ny, nx = next(iter(bands.values())).shape
    geobox = GeoBox((ny, nx), Affine(RES, 0, X0, 0, -RES, Y0), "EPSG:32631")
    coords = dict(xr_coords(geobox))
    coords["time"] = np.array([np.datetime64(d) for d in dates], dtype="datetime64[ns]")
    ds = xr.Dataset({name: (("time", "y", "x"), array) for name, array in bands.items()}, coords=coords)
    for name in ds.data_vars:
        ds[name].attrs["nodata"] = 0
    return ds.chunk({"time": 1, "y": 8, "x": 8})  # lazy, as a loaded cube is


def test_cube_rows_for_three_dates_match_numpy(tmp_path):
    rng = np.random.default_rng(11)
    dates = ["2022-05-01", "2022-06-10", "2022-07-20"]
    red = rng.integers(0, 3000, (3, 20, 20)).astype(np.uint16)
    scl = rng.integers(0, 4, (3, 20, 20)).astype(np.uint8)
    ds = make_cube({"B04": red, "SCL": scl}, dates)
    zones = [(1, cells(0, 0, 5, 7)), (2, cells(3, 3, 15, 12)), (3, box(0, 0, 10, 10))]
    stats = ("count", "mean", "std", "median", "p90", "majority", "class_area")
    rows = zonal_statistics_cube(ds, zones, stats)
    assert len(rows) == 3 * 2 * 3
    assert [(r["date"], r["band"], r["zone_id"]) for r in rows[:4]] == [
        ("2022-05-01", "B04", 1), ("2022-05-01", "B04", 2), ("2022-05-01", "B04", 3), ("2022-05-01", "SCL", 1)]
    windows = {1: (slice(0, 5), slice(0, 7)), 2: (slice(3, 15), slice(3, 12))}
    for row in rows:
        array = (red if row["band"] == "B04" else scl)[dates.index(row["date"])]
        if row["zone_id"] == 3:
            assert row["count"] == 0 and row["mean"] is None
            continue
        block = array[windows[row["zone_id"]]]
        values = block[block != 0].astype(np.float64)
        assert row["count"] == values.size
        assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert row["std"] == pytest.approx(values.std(), rel=1e-12)
        assert row["median"] == np.median(values) and row["p90"] == pytest.approx(np.percentile(values, 90))
        classes, counts = np.unique(block[block != 0], return_counts=True)
        assert row["majority"] == classes[np.argmax(counts)]
        assert row["class_area"] == {int(c): n * 100.0 for c, n in zip(classes, counts)}
    only_red = zonal_statistics_cube(ds, zones, ("count",), bands=["red"])  # common name
    assert {r["band"] for r in only_red} == {"B04"} and len(only_red) == 9

    path = write_table_csv(rows, str(tmp_path / "out" / "table.csv"))
    with open(path, newline="") as stream:
        back = list(csv.DictReader(stream))
    assert list(back[0]) == ["zone_id", "date", "band", *stats]
    assert len(back) == len(rows) and back[2]["mean"] == "" and float(back[0]["mean"]) == rows[0]["mean"]
    import json

    assert json.loads(back[0]["class_area"]) == {str(k): v for k, v in rows[0]["class_area"].items()}


# ---- agreement with QGIS ----------------------------------------------------------------------


def random_zones(rng, n, size_px, xmax_px, ymax_px):
    """Rotated rectangles, hexagons, polygons with holes and multipolygons, not grid-aligned."""
    from shapely import affinity

    zones = []
    for k in range(n):
        x, y = rng.uniform(0, xmax_px), rng.uniform(0, ymax_px)
        r = rng.uniform(*size_px) / 2
        cx, cy = X0 + RES * x, Y0 - RES * y
        kind = k % 4
        if kind == 0:
            shape = affinity.rotate(box(cx - r * RES, cy - 0.6 * r * RES, cx + r * RES, cy + 0.6 * r * RES),
                                    rng.uniform(0, 180))
        elif kind == 1:
            shape = shapely.Point(cx, cy).buffer(r * RES, 2)  # octagon-ish "hexagon"
        elif kind == 2:
            shape = shapely.Point(cx, cy).buffer(r * RES, 4).difference(shapely.Point(cx, cy).buffer(0.4 * r * RES, 3))
        else:
            shape = MultiPolygon([shapely.Point(cx, cy).buffer(0.5 * r * RES, 3),
                                  shapely.Point(cx + 1.5 * r * RES, cy).buffer(0.5 * r * RES, 3)])
        zones.append((k + 1, shape))
    return zones


def test_agrees_with_qgis_zonalstatisticsfb(qgis_processing, tmp_path):
    import processing
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsVectorLayer
    from qgis.PyQt.QtCore import QMetaType

    rng = np.random.default_rng(2024)
    data = rng.integers(1, 60000, (200, 200)).astype(np.uint16)
    data[rng.random((200, 200)) < 0.1] = 0
    data[150:, :40] = rng.integers(1, 4, (50, 40))  # a patch of few distinct values: real majorities
    path = write_tif(tmp_path / "realistic.tif", data)
    zones = random_zones(rng, 60, (4, 40), 200, 200)
    stats = ("count", "sum", "mean", "std", "min", "max", "median", "majority")
    ours = zonal_statistics(path, zones, stats)
    # QGIS switches to area-weighted "precise intersection" for zones with <= 1 pixel centre: keep them out
    zones = [(k, g) for k, g in zones if ours[k][1]["count"] >= 3]
    assert len(zones) >= 50

    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:32631", "zones", "memory")
    layer.dataProvider().addAttributes([QgsField("zone_id", QMetaType.Type.Int)])
    layer.updateFields()
    features = []
    for zone_id, geometry in zones:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([zone_id])
        feature.setGeometry(QgsGeometry.fromWkt(geometry.wkt))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    # QGIS enum: 0 count, 1 sum, 2 mean, 3 median, 4 st dev, 5 min, 6 max, 9 majority
    result = processing.run("native:zonalstatisticsfb", {
        "INPUT": layer, "INPUT_RASTER": path, "RASTER_BAND": 1, "COLUMN_PREFIX": "q_",
        "STATISTICS": [0, 1, 2, 3, 4, 5, 6, 9], "OUTPUT": "TEMPORARY_OUTPUT",
    })
    names = {"count": "q_count", "sum": "q_sum", "mean": "q_mean", "std": "q_stdev", "min": "q_min",
             "max": "q_max", "median": "q_median", "majority": "q_majority"}
    compared = 0
    for feature in result["OUTPUT"].getFeatures():
        mine = ours[feature["zone_id"]][1]
        for stat, field in names.items():
            theirs = feature[field]
            assert mine[stat] == pytest.approx(float(theirs), rel=1e-9, abs=1e-9), (feature["zone_id"], stat)
            compared += 1
    assert compared == len(zones) * len(names)
