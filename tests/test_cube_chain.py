"""search -> load -> harmonize -> cloud mask in QGIS, checked against the truth."""

import os

import numpy as np
import pytest
from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProject

from sitscube.engine import sample_catalog as sc
from sitscube.engine.cube_io import history, open_cube, write_cube

processing = pytest.importorskip("processing")
WHOLE_AREA = "300000,304480,4805760,4810240 [EPSG:32631]"
MASKED = [0, 1, 3, 8, 9, 10]


def _run(algorithm, parameters, feedback):
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return processing.run(algorithm, parameters, context=context, feedback=feedback)


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
    assert f"Offset removed on {len(corrected)} date(s)" in chain["harmonize_log"]
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
