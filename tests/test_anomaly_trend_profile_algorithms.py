"""sitscube:anomaly, sitscube:trend and sitscube:temporalprofile through processing.run, on cubes with known curves."""

import math
import os
import struct

import numpy as np
import pytest
import xarray as xr
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsSingleBandPseudoColorRenderer,
    QgsVectorLayer,
)

import processing  # noqa: E402  (QGIS's own plugin; pytest.ini puts it on the path)
from qgis_helpers import new_context, run_algorithm as _run  # noqa: E402
from recording_feedback import RecordingFeedback

X0, Y0, STEP = 300000.0, 4810000.0, 10.0
SEASONAL = {m: 1000 + int(round(300 * math.sin(2 * math.pi * (m - 1) / 12))) for m in range(1, 13)}
YEAR_OFFSET = {2018: -10, 2019: 0, 2020: 10, 2021: 0, 2022: 0}


def write_cube_file(path, bands, times, history_steps=("loadcube",)):
    """A (time, y, x) cube file in EPSG:32631, 10 m pixels, nodata 0 for integer bands."""
    import odc.geo.xr  # noqa: F401

    from sitscube.engine.cube_io import add_history, write_cube

    first = next(iter(bands.values()))
    _, ny, nx = first.shape
    ds = xr.Dataset({name: (("time", "y", "x"), array) for name, array in bands.items()},
                    coords={"time": np.asarray(times, dtype="datetime64[ns]"),
                            "y": Y0 - STEP / 2 - STEP * np.arange(ny), "x": X0 + STEP / 2 + STEP * np.arange(nx)})
    ds = ds.odc.assign_crs("EPSG:32631")
    for name in bands:
        if ds[name].dtype.kind in "iu":
            ds[name].attrs["nodata"] = 0
    for step in history_steps:
        ds = add_history(ds, step, {})
    return write_cube(ds.chunk({"time": 1, "y": 512, "x": 512}), str(path))


@pytest.fixture(scope="module")
def cubes(sitscube_provider, tmp_path_factory):
    folder = tmp_path_factory.mktemp("timeseries")
    # seasonal: 5 years every 5 days, +150 in July 2021, a masked date in it
    times = np.arange("2018-01-01", "2023-01-01", 5, dtype="datetime64[D]")
    months = times.astype("datetime64[M]").astype(int) % 12 + 1
    years = times.astype("datetime64[Y]").astype(int) + 1970
    values = np.array([SEASONAL[m] + YEAR_OFFSET[y] for m, y in zip(months, years)], dtype=np.int64)
    july = (years == 2021) & (months == 7)
    values[july] += 150
    data = np.repeat(values[:, None, None], 6, axis=1).repeat(7, axis=2).astype(np.uint16)
    data[np.flatnonzero(july)[0]] = 0
    seasonal = write_cube_file(folder / "seasonal.nc", {"B04": data, "SCL": np.full_like(data, 4)}, times)
    # yearly lines: slope per pixel column, 12 years, two dates per year
    years = np.arange(2010, 2022)
    line_times = np.array([np.datetime64(f"{y}-{m:02d}-15") for y in years for m in (5, 8)])
    slope = np.linspace(-0.02, 0.02, 9)[None, None, :].repeat(5, axis=1)  # (1, 5, 9)
    ndvi = (0.5 + slope * (np.repeat(years, 2) - 2010)[:, None, None]).astype(np.float32)
    ndvi[3, 2, 2] = np.nan  # a masked date: the other date of that year counts
    lines = write_cube_file(folder / "lines.nc", {"NDVI": ndvi}, line_times)
    # a raw cube with SCL clouds for the chain raw -> cloudmask -> gapfill
    rng = np.random.default_rng(8)
    chain_times = np.array(["2022-04-01", "2022-04-11", "2022-04-21", "2022-05-01", "2022-05-11", "2022-05-21"], dtype="datetime64[D]")
    red = rng.integers(500, 3000, (6, 12, 16)).astype(np.uint16)
    scl = np.full_like(red, 4)
    scl[2, 2:8, 3:9] = 9  # a cloud over the polygon and the point on date 2
    scl[4, 4:5, 5:6] = 8
    raw = write_cube_file(folder / "raw.nc", {"B04": red, "SCL": scl}, chain_times)
    masked = _run("sitscube:cloudmask", {"INPUT": raw, "OUTPUT": str(folder / "masked.nc")})["OUTPUT"]
    filled = _run("sitscube:gapfill", {"INPUT": masked, "OUTPUT": str(folder / "filled.nc")})["OUTPUT"]
    return {"folder": folder, "seasonal": seasonal, "lines": lines, "slope": slope[0], "raw": raw, "masked": masked,
            "filled": filled, "red": red, "scl": scl, "dates": [str(d) for d in chain_times]}


def _points(coords, crs="EPSG:32631"):
    layer = QgsVectorLayer(f"Point?crs={crs}&field=name:string", "points", "memory")
    features = []
    for name, (x, y) in coords.items():
        feature = QgsFeature(layer.fields())
        feature.setAttributes([name])
        feature.setGeometry(QgsGeometry.fromWkt(f"Point({x} {y})"))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def _polygons(rectangles, crs="EPSG:32631"):
    layer = QgsVectorLayer(f"Polygon?crs={crs}&field=name:string", "fields", "memory")
    features = []
    for name, rectangle in rectangles.items():
        feature = QgsFeature(layer.fields())
        feature.setAttributes([name])
        feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(*rectangle)))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


# ---- anomaly ------------------------------------------------------------------------------


def test_anomaly_of_a_known_seasonal_cycle(cubes, tmp_path, feedback):
    from sitscube.engine.cube_io import history, open_cube

    output = str(tmp_path / "anomaly.nc")
    context = new_context()
    result = _run("sitscube:anomaly", {"INPUT": cubes["seasonal"], "REFERENCE_START": "2018-01-01",
                                       "REFERENCE_END": "2020-12-31", "OUTPUT": output}, feedback, context)
    cube = open_cube(result["OUTPUT"])
    assert set(cube.data_vars) == {f"B04_{s}" for s in ("mean", "anomaly", "zscore", "climatology_mean", "climatology_std",
                                                         "climatology_count")}  # SCL is a class band: left out
    labels = [str(v) for v in cube["period_label"].values]
    july = labels.index("2021-07")
    assert float(cube["B04_anomaly"].values[july, 0, 0]) == pytest.approx(150.0)
    assert float(cube["B04_zscore"].values[july, 0, 0]) == pytest.approx(15.0)
    np.testing.assert_allclose(cube["B04_climatology_std"].values[:, 3, 3], 10.0, rtol=1e-6)
    assert [h["step"] for h in history(cube)] == ["loadcube", "anomaly"]
    # one layer per variable; period bands named by period, climatology bands by month
    layers = context.layersToLoadOnCompletion()
    assert len(layers) == 6
    from osgeo import gdal

    vrt = gdal.Open(output + ".layers/B04_zscore.vrt")
    assert vrt.GetRasterBand(july + 1).GetDescription() == "B04_zscore 2021-07"
    vrt = gdal.Open(output + ".layers/B04_climatology_mean.vrt")
    assert vrt.RasterCount == 12 and vrt.GetRasterBand(7).GetDescription() == "B04_climatology_mean Jul"
    assert vrt.GetRasterBand(7).ReadAsArray()[0, 0] == pytest.approx(SEASONAL[7])


def test_anomaly_by_season_through_a_band_layer(cubes, tmp_path, feedback):
    from sitscube.engine.cube_io import open_cube

    output = str(tmp_path / "seasons.nc")
    _run("sitscube:anomaly", {"INPUT": cubes["seasonal"] + ".layers/B04.vrt", "PERIOD": "season", "BANDS": "red",
                              "OUTPUT": output}, feedback)
    cube = open_cube(output)
    assert list(cube["period_of_year_label"].values) == ["DJF", "MAM", "JJA", "SON"]
    assert str(cube["period_label"].values[0]) == "2018-DJF" and cube.sizes["time"] == 21


# ---- trend --------------------------------------------------------------------------------


def test_trend_gives_the_known_slopes_named_bands_and_a_diverging_style(cubes, tmp_path, feedback):
    import rasterio

    output = str(tmp_path / "trend.tif")
    result = processing.runAndLoadResults("sitscube:trend", {
        "INPUT": cubes["lines"], "BAND": "NDVI", "PERIOD_A": "2010-01-01,2011-12-31", "PERIOD_B": "2020-01-01,2021-12-31",
        "OUTPUT": output}, feedback=feedback)
    with rasterio.open(result["OUTPUT"]) as src:
        names = src.descriptions
        assert names == ("slope", "intercept", "mk_s", "tau", "p_value", "significance", "n_years", "change", "relative_change")
        bands = {name: src.read(index + 1) for index, name in enumerate(names)}
    np.testing.assert_allclose(bands["slope"], cubes["slope"], atol=1e-6)
    np.testing.assert_allclose(bands["intercept"], 0.5, atol=1e-6)
    assert (bands["n_years"] == 12).all()
    significant = np.sign(cubes["slope"])
    np.testing.assert_array_equal(bands["significance"], significant)  # the middle column is flat: 0
    assert (bands["p_value"][:, 4] == 1).all()
    expected = cubes["slope"] * 10  # mean 2020-21 (0.5 + 10.5 s) - mean 2010-11 (0.5 + 0.5 s)
    expected[2, 2] = cubes["slope"][2, 2] * (10.5 - 1 / 3)  # its masked 2011 date: A is 2010, 2010, 2011
    np.testing.assert_allclose(bands["change"], expected, atol=1e-5)
    loaded = [layer for layer in QgsProject.instance().mapLayers().values() if layer.source() == output]
    assert len(loaded) == 1
    renderer = loaded[0].renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer) and renderer.band() == 1
    assert renderer.classificationMin() == pytest.approx(-renderer.classificationMax())
    assert renderer.classificationMax() == pytest.approx(0.02, rel=0.05)
    QgsProject.instance().removeMapLayer(loaded[0].id())


# ---- temporal profile ---------------------------------------------------------------------


def _png_size(path):
    with open(path, "rb") as stream:
        head = stream.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_profile_of_raw_masked_and_gap_filled_cubes(cubes, tmp_path, feedback):
    from sitscube.engine.cube_io import open_cube
    from sitscube.engine.profile import chart_size

    filled_layer = QgsRasterLayer(cubes["filled"] + ".layers/B04.vrt", "filled B04")
    assert filled_layer.isValid()
    # a point in pixel (row 3, col 4), and a field holding the centres of rows 2-4, cols 3-5
    points = _points({"p": (X0 + 4 * STEP + 5, Y0 - 3 * STEP - 5)})
    fields = _polygons({"field": (X0 + 3 * STEP + 2, Y0 - 5 * STEP + 2, X0 + 6 * STEP - 2, Y0 - 2 * STEP - 2)})
    both = {}
    for kind, layer in (("point", points), ("polygon", fields)):
        out = tmp_path / kind
        result = _run("sitscube:temporalprofile", {
            "INPUT": [cubes["raw"], cubes["masked"] + ".layers/B04.vrt", filled_layer], "POINTS": layer, "BAND": "B04",
            "ID_FIELD": "name", "OUTPUT_HTML": str(out / "profile.html"), "OUTPUT_CHART": str(out / "profile.png"),
            "OUTPUT_CSV": str(out / "profile.csv")}, feedback)
        assert _png_size(result["OUTPUT_CHART"]) == chart_size(1)
        page = open(result["OUTPUT_HTML"], encoding="utf-8").read()
        assert 'href="profile.png"' in page and "data:image/png;base64," in page
        assert "raw.nc (loadcube)" in page and "masked.nc (loadcube › cloudmask)" in page
        assert "filled.nc (loadcube › cloudmask › gapfill)" in page
        rows = [line.split(",") for line in open(result["OUTPUT_CSV"], encoding="utf-8").read().splitlines()[1:]]
        both[kind] = {(r[1], r[3]): r for r in rows}
    red, dates = cubes["red"].astype(float), cubes["dates"]
    masked = open_cube(cubes["masked"])["B04"].values.astype(float)
    filled = open_cube(cubes["filled"])["B04"].values.astype(float)
    for index, day in enumerate(dates):
        point = both["point"]
        assert float(point[("raw.nc", day)][5]) == red[index, 3, 4]
        assert float(point[("filled.nc", day)][5]) == filled[index, 3, 4]
        field = both["polygon"]
        assert float(field[("raw.nc", day)][5]) == pytest.approx(red[index, 2:5, 3:6].mean())
        assert float(field[("filled.nc", day)][5]) == pytest.approx(filled[index, 2:5, 3:6].mean())
        block = masked[index, 2:5, 3:6]
        if (block > 0).any():
            assert float(field[("masked.nc", day)][5]) == pytest.approx(block[block > 0].mean())
            assert int(field[("masked.nc", day)][6]) == (block > 0).sum()
    # the cloudy date is a gap in the masked cube (empty, never 0) and filled in the gap-filled one
    assert both["point"][("masked.nc", dates[2])][5:] == ["", "0"]
    assert both["polygon"][("masked.nc", dates[2])][5:] == ["", "0"]
    assert both["point"][("filled.nc", dates[2])][5] not in ("", "0")


def test_profile_of_many_features_draws_the_first_twelve_and_lists_all(cubes, tmp_path, feedback):
    from sitscube.engine.profile import MAX_CHART_FEATURES, chart_size

    points = _points({f"p{i}": (X0 + 5 + 10 * i, Y0 - 5) for i in range(15)}, crs="EPSG:32631")
    result = _run("sitscube:temporalprofile", {
        "INPUT": [cubes["raw"]], "POINTS": points, "OUTPUT_HTML": str(tmp_path / "p.html"),
        "OUTPUT_CHART": str(tmp_path / "p.png"), "OUTPUT_CSV": str(tmp_path / "p.csv")}, feedback)
    assert _png_size(result["OUTPUT_CHART"]) == chart_size(15) == chart_size(MAX_CHART_FEATURES)
    rows = open(result["OUTPUT_CSV"], encoding="utf-8").read().splitlines()
    assert len(rows) == 1 + 15 * 6  # every feature and date; BAND default: B04 (SCL is a class band)
    assert all(",B04," in row for row in rows[1:])


# ---- cancel -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(sitscube_provider, tmp_path_factory):
    """40 dates over 6 years × 1024 × 1024 uint16: seconds of work for each algorithm."""
    folder = tmp_path_factory.mktemp("timeseries-big")
    rng = np.random.default_rng(0)
    times = np.sort(rng.choice(np.arange("2017-01-01", "2023-01-01", dtype="datetime64[D]"), 40, replace=False))
    data = rng.integers(1, 4000, (40, 1024, 1024), dtype=np.uint16)
    return {"cube": write_cube_file(folder / "big.nc", {"B08": data}, times), "folder": folder}


class TimedFeedback(RecordingFeedback):
    """Remembers when it was canceled."""

    canceled_at = None

    def cancel(self):
        import time

        if self.canceled_at is None:
            self.canceled_at = time.monotonic()
        super().cancel()


def _cancel(algorithm, parameters, out_dir, at_percent):
    """Cancel at a percent the run reports; the seconds from cancel to return."""
    import time

    feedback = TimedFeedback(cancel_at_percent=at_percent)
    with pytest.raises(QgsProcessingException, match="Cancel"):
        _run(algorithm, parameters, feedback)
    assert feedback.canceled_at is not None, "the run ended before it was canceled"
    assert os.listdir(out_dir) == [], os.listdir(out_dir)
    return time.monotonic() - feedback.canceled_at


@pytest.mark.parametrize("algorithm", ["anomaly", "trend", "temporalprofile"])
def test_cancel_stops_promptly_and_writes_nothing(big, tmp_path, algorithm):
    out = tmp_path / "out"
    out.mkdir()
    if algorithm == "anomaly":
        parameters = {"INPUT": big["cube"], "OUTPUT": str(out / "a.nc")}
    elif algorithm == "trend":
        parameters = {"INPUT": big["cube"], "BAND": "B08", "OUTPUT": str(out / "t.tif")}
    else:
        fields = _polygons({f"f{i}": (X0 + 100 * i, Y0 - 3000, X0 + 100 * i + 900, Y0 - 2000) for i in range(40)})
        parameters = {"INPUT": [big["cube"], big["cube"], big["cube"]], "POINTS": fields,
                      "OUTPUT_HTML": str(out / "p.html"), "OUTPUT_CHART": str(out / "p.png"), "OUTPUT_CSV": str(out / "p.csv")}
    elapsed = _cancel(f"sitscube:{algorithm}", parameters, out, at_percent=20)
    assert elapsed < 5.0  # seconds from cancel to return, as tests/test_cancel.py
