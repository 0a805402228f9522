"""search -> load -> harmonize -> cloud mask in QGIS, checked against the truth."""

import os

import numpy as np
import pytest
from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProject

from sitscube.engine import sample_catalog as sc
from sitscube.engine.cube_io import history, open_cube, write_cube

import processing  # noqa: E402  (QGIS's own plugin; pytest.ini puts it on the path)
from qgis_helpers import run_algorithm as _run  # noqa: E402
WHOLE_AREA = "300000,304480,4805760,4810240 [EPSG:32631]"
MASKED = [0, 1, 3, 8, 9, 10]


def _scl_10m(scene, date):
    return np.repeat(np.repeat(scene.stored("SCL", date, False), 2, axis=0), 2, axis=1)


@pytest.fixture(scope="module")
def chain(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    from recording_feedback import RecordingFeedback

    folder = tmp_path_factory.mktemp("chain")
    west, south, east, north = area_lonlat
    outputs = {}
    feedback = RecordingFeedback()
    outputs["items"] = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(folder / "items.geojson")}, feedback)["OUTPUT"]
    outputs["cube"] = _run("sitscube:loadcube", {
        "ITEMS": outputs["items"], "AOI": WHOLE_AREA, "BANDS": "red,nir,scl", "CHUNK_SIZE": 256,
        "OUTPUT": str(folder / "cube.nc")}, feedback)["OUTPUT"]
    harmonize_feedback = RecordingFeedback()
    outputs["harmonized"] = _run("sitscube:harmonize", {"INPUT": outputs["cube"], "OUTPUT": str(folder / "harmonized.nc")}, harmonize_feedback)["OUTPUT"]
    outputs["harmonize_log"] = harmonize_feedback.log
    outputs["masked"] = _run("sitscube:cloudmask", {"INPUT": outputs["harmonized"], "DILATION": 0, "OUTPUT": str(folder / "masked.zarr")}, feedback)["OUTPUT"]
    outputs["folder"] = folder
    return outputs


def test_harmonized_reflectance_equals_the_truth_on_both_sides_of_2022(chain, scene):
    cube = open_cube(chain["harmonized"])
    for index, date in enumerate(scene.dates):
        for band in ("B04", "B08"):
            np.testing.assert_array_equal(cube[band].isel(time=index).values, scene.stored(band, date, False), err_msg=f"{band} {date}")
        np.testing.assert_array_equal(cube.SCL.isel(time=index).values, _scl_10m(scene, date))
    corrected = [d for d in scene.dates if sc.has_offset(sc.processing_baseline(d))]
    assert f"on {len(corrected)} of {len(scene.dates)} date(s)" in chain["harmonize_log"]
    assert [r["step"] for r in history(cube)] == ["loadcube", "harmonize"]


def test_masked_pixels_are_exactly_the_cloudy_ones(chain, scene):
    cube = open_cube(chain["masked"])
    for index in (3, 5, 13, 17):
        date = scene.dates[index]
        cloudy = np.isin(_scl_10m(scene, date), MASKED)
        expected = np.where(cloudy, 0, scene.stored("B04", date, False))
        np.testing.assert_array_equal(cube.B04.isel(time=index).values, expected)
        np.testing.assert_array_equal(cube.SCL.isel(time=index).values, _scl_10m(scene, date))
    assert [r["step"] for r in history(cube)] == ["loadcube", "harmonize", "cloudmask"]
    assert list(cube.processing_baseline.values) == [sc.processing_baseline(d) for d in scene.dates]


def test_harmonizing_twice_changes_nothing(chain, feedback):
    again = str(chain["folder"] / "twice.nc")
    _run("sitscube:harmonize", {"INPUT": chain["harmonized"], "OUTPUT": again}, feedback)
    assert any("already harmonized" in w for w in feedback.warnings)
    first, second = open_cube(chain["harmonized"]), open_cube(again)
    np.testing.assert_array_equal(first.B04.values, second.B04.values)


def test_dates_too_cloudy_are_dropped_and_reported(chain, scene, feedback):
    output = str(chain["folder"] / "dropped.nc")
    _run("sitscube:cloudmask", {"INPUT": chain["harmonized"], "MAX_MASKED_FRACTION": 0.5, "OUTPUT": output}, feedback)
    kept = [str(t)[:10] for t in open_cube(output).time.values]
    expected = []
    for date in scene.dates:
        scl = _scl_10m(scene, date)
        observed = scl != 0
        share = (np.isin(scl, MASKED) & observed).sum() / observed.sum()
        if share <= 0.5:
            expected.append(date.isoformat())
    assert kept == expected and len(kept) < len(scene.dates)
    assert sum("Dropped" in line for line in feedback.warnings) == len(scene.dates) - len(kept)


def test_cloud_mask_without_its_band_is_refused(chain, feedback):
    out = chain["folder"] / "nomask"
    out.mkdir()
    with pytest.raises(QgsProcessingException, match="FMASK.*B04"):
        _run("sitscube:cloudmask", {"INPUT": chain["cube"], "MASK_BAND": "FMASK", "OUTPUT": str(out / "m.nc")}, feedback)
    assert os.listdir(out) == []


def test_harmonize_refuses_a_cube_that_is_not_sentinel_2(chain, feedback):
    out = chain["folder"] / "nots2"
    out.mkdir()
    cube = open_cube(chain["cube"]).drop_vars("processing_baseline")
    landsat = write_cube(cube, str(chain["folder"] / "landsat.nc"))
    with pytest.raises(QgsProcessingException, match="Sentinel-2"):
        _run("sitscube:harmonize", {"INPUT": landsat, "OUTPUT": str(out / "h.nc")}, feedback)
    assert os.listdir(out) == []


def test_earth_search_cube_is_already_corrected(sitscube_provider, stac_api, area_lonlat, scene, tmp_path, feedback):
    west, south, east, north = area_lonlat
    items = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.ES_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(tmp_path / "es.geojson")}, feedback)["OUTPUT"]
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": "300000,302560,4807680,4810240 [EPSG:32631]",
                                      "BANDS": "red,scl", "OUTPUT": str(tmp_path / "es.nc")}, feedback)["OUTPUT"]
    harmonized = _run("sitscube:harmonize", {"INPUT": cube, "OUTPUT": str(tmp_path / "es_h.nc")}, feedback)["OUTPUT"]
    result = open_cube(harmonized)
    for index, date in enumerate(scene.dates):
        np.testing.assert_array_equal(result.red.isel(time=index).values, scene.stored("B04", date, False)[scene.window("31TCJ", 10)])


def test_a_band_layer_in_the_map_is_accepted_as_the_cube(chain, feedback):
    layer_path = chain["harmonized"] + ".layers/B04.vrt"
    assert os.path.exists(layer_path)
    output = str(chain["folder"] / "from_layer.nc")
    _run("sitscube:cloudmask", {"INPUT": layer_path, "OUTPUT": output}, feedback)
    assert "B08" in open_cube(output).data_vars


# ---- gap-fill, index, composite, export on the masked cube -------------------

SUMMER_2022 = ("2022-05-01", "2022-09-30")


def _days(dates):
    return np.array([d.toordinal() for d in dates], dtype=float)


@pytest.fixture(scope="module")
def filled(chain, feedback_module):
    output = str(chain["folder"] / "filled.nc")
    _run("sitscube:gapfill", {"INPUT": chain["masked"], "METHOD": "linear", "OUTPUT": output}, feedback_module)
    return output


@pytest.fixture(scope="module")
def feedback_module():
    from recording_feedback import RecordingFeedback

    return RecordingFeedback()


def test_gap_filled_values_are_the_time_weighted_linear_truth(filled, scene):
    cube = open_cube(filled)
    rows, cols = slice(100, 164), slice(40, 104)  # a window with water, forest and crops
    days = _days(scene.dates)
    truth = np.stack([scene.stored("B04", d, False)[rows, cols] for d in scene.dates]).astype(float)
    clear = np.stack([~np.isin(_scl_10m(scene, d)[rows, cols], MASKED) for d in scene.dates])
    expected = np.empty_like(truth)
    for i in range(truth.shape[1]):
        for j in range(truth.shape[2]):
            ok = clear[:, i, j]
            expected[:, i, j] = np.interp(days, days[ok], truth[ok, i, j]) if ok.any() else 0
    got = cube.B04.isel(y=rows, x=cols).values.astype(float)
    assert np.abs(got - np.rint(expected)).max() <= 1  # rounding to integers
    assert (got[clear] == truth[clear]).all()  # valid values untouched
    assert (~clear).sum() > 1000  # there were gaps to fill


def test_median_composite_equals_the_cloud_free_truth(chain, scene, tmp_path, feedback):
    from osgeo import gdal

    output = str(tmp_path / "summer.tif")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    processing.run("sitscube:composite", {"INPUT": chain["masked"], "METHOD": "median", "BANDS": "B04,B08",
                                          "START_DATE": SUMMER_2022[0], "END_DATE": SUMMER_2022[1], "OUTPUT": output},
                   context=context, feedback=feedback)
    dataset = gdal.Open(output)
    assert [dataset.GetRasterBand(i + 1).GetDescription() for i in range(2)] == ["B04", "B08"]
    assert dataset.GetRasterBand(1).GetNoDataValue() == 0 and "UTM zone 31N" in dataset.GetProjection()
    assert dataset.GetGeoTransform() == (300000.0, 10.0, 0.0, 4810240.0, 0.0, -10.0)
    median = dataset.GetRasterBand(1).ReadAsArray().astype(float)
    dates = [d for d in scene.dates if SUMMER_2022[0] <= d.isoformat() <= SUMMER_2022[1]]
    surface = np.stack([scene.surface("B04", d) for d in dates]).astype(float)  # the cloud-free truth
    clear = np.stack([~np.isin(_scl_10m(scene, d), MASKED) for d in dates]) & scene.coverage_global(10)
    expected = np.nanmedian(np.where(clear, surface, np.nan), axis=0)
    seen = clear.any(axis=0)
    # integer DN: an even number of dates gives a half-integer median, rounded
    assert np.abs(median[seen] - expected[seen]).max() <= 0.5
    assert (median[~seen] == 0).all()


def test_true_colour_composite_is_styled_when_loaded(chain, tmp_path, feedback):
    from qgis.core import QgsMultiBandColorRenderer

    rgb_cube = _run("sitscube:loadcube", {"ITEMS": chain["items"], "AOI": "300000,301280,4808960,4810240 [EPSG:32631]",
                                          "BANDS": "blue,green,red,scl", "OUTPUT": str(tmp_path / "rgb.nc")}, feedback)["OUTPUT"]
    output = str(tmp_path / "rgb.tif")
    result = processing.runAndLoadResults("sitscube:composite", {"INPUT": rgb_cube, "OUTPUT": output}, feedback=feedback)
    loaded = [l for l in QgsProject.instance().mapLayers().values() if l.source() == result["OUTPUT"] == output]
    assert len(loaded) == 1
    layer = loaded[0]
    renderer = layer.renderer()
    assert isinstance(renderer, QgsMultiBandColorRenderer)
    assert (renderer.redBand(), renderer.greenBand(), renderer.blueBand()) == (3, 2, 1)  # B04, B03, B02
    assert renderer.redContrastEnhancement() is not None
    QgsProject.instance().removeMapLayer(layer.id())


def test_ndvi_is_added_in_reflectance(chain, scene, tmp_path, feedback):
    output = str(tmp_path / "ndvi.nc")
    _run("sitscube:spectralindex", {"INPUT": chain["harmonized"], "INDEX": "NDVI", "OUTPUT": output}, feedback)
    cube = open_cube(output)
    date = scene.dates[6]  # a clear date
    red = scene.stored("B04", date, False).astype(float) * 1e-4
    nir = scene.stored("B08", date, False).astype(float) * 1e-4
    np.testing.assert_allclose(cube.NDVI.isel(time=6).values, (nir - red) / (nir + red), atol=1e-6)


def test_index_without_its_bands_is_refused(chain, tmp_path, feedback):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException, match="EVI.*blue"):
        _run("sitscube:spectralindex", {"INPUT": chain["harmonized"], "INDEX": "EVI", "OUTPUT": str(out / "evi.nc")}, feedback)
    assert os.listdir(out) == []


def test_composite_window_without_dates_is_refused(chain, tmp_path, feedback):
    with pytest.raises(QgsProcessingException, match="2021-04-03"):
        _run("sitscube:composite", {"INPUT": chain["masked"], "START_DATE": "2030-01-01", "END_DATE": "2030-12-31",
                                    "OUTPUT": str(tmp_path / "none.tif")}, feedback)
    assert not (tmp_path / "none.tif").exists()


def test_time_series_of_points_as_csv(chain, scene, tmp_path, feedback):
    import csv

    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer

    points = QgsVectorLayer("Point?crs=EPSG:32631&field=name:string", "points", "memory")
    features = []
    for name, x, y in (("a", 300125.0, 4810105.0), ("b", 301005.0, 4809005.0)):
        feature = QgsFeature(points.fields())
        feature.setAttributes([name])
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        features.append(feature)
    points.dataProvider().addFeatures(features)
    output = str(tmp_path / "series.csv")
    _run("sitscube:exporttimeseries", {"INPUT": chain["harmonized"], "POINTS": points, "ID_FIELD": "name",
                                       "OUTPUT": output, "OUTPUT_NETCDF": str(tmp_path / "series.nc")}, feedback)
    with open(output) as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 2 * len(scene.dates) * 3  # points x dates x bands (B04, B08, SCL)
    row = next(r for r in rows if r["id"] == "a" and r["band"] == "B04" and r["date"].startswith(scene.dates[6].isoformat()))
    assert int(row["value"]) == scene.stored("B04", scene.dates[6], False)[13, 12]
    assert os.path.exists(tmp_path / "series.nc")
