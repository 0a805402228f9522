"""Land cover from the sample catalog: seasonal composites -> random forest -> class map, in QGIS."""

import json
import os

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer

from sitscube.engine import sample_catalog as sc

import processing  # noqa: E402  (QGIS's own plugin; pytest.ini puts it on the path)
from qgis_helpers import run_algorithm as _run  # noqa: E402


@pytest.fixture(scope="module")
def seasons(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    """Seasonal median composites of 2022 (B04, B08, B11 × 4 seasons) from the real chain."""
    from recording_feedback import RecordingFeedback

    folder = tmp_path_factory.mktemp("landcover")
    feedback = RecordingFeedback()
    west, south, east, north = area_lonlat
    items = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2021-12-01", "END_DATE": "2022-11-30", "OUTPUT": str(folder / "items.geojson")}, feedback)["OUTPUT"]
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": "300000,304480,4805760,4810240 [EPSG:32631]",
                                      "BANDS": "red,nir,swir16,scl", "OUTPUT": str(folder / "cube.nc")}, feedback)["OUTPUT"]
    harmonized = _run("sitscube:harmonize", {"INPUT": cube, "OUTPUT": str(folder / "h.nc")}, feedback)["OUTPUT"]
    masked = _run("sitscube:cloudmask", {"INPUT": harmonized, "OUTPUT": str(folder / "m.nc")}, feedback)["OUTPUT"]
    composite = _run("sitscube:composite", {"INPUT": masked, "PERIOD": "season", "OUTPUT": str(folder / "seasons.tif")}, feedback)["OUTPUT"]
    return {"folder": folder, "composite": composite}


@pytest.fixture(scope="module")
def fields(sample_catalog):
    layer = QgsVectorLayer(str(sample_catalog / "truth" / "fields.geojson"), "fields")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32631"
    return layer


def _subset(fields, expression):
    layer = fields.clone()
    layer.setSubsetString(expression)
    return layer


def test_forest_trained_on_half_the_fields_maps_the_other_half(seasons, fields, scene, feedback):
    folder = seasons["folder"]
    model = str(folder / "model.sitsmodel")
    report = str(folder / "report.html")
    _run("sitscube:trainrandomforest", {"INPUT": seasons["composite"], "TRAINING": _subset(fields, '"field_id" % 2 = 0'),
                                        "CLASS_FIELD": "class_name", "N_TREES": 60, "CV_FOLDS": 4,
                                        "OUTPUT_MODEL": model, "OUTPUT_REPORT": report}, feedback)
    with open(str(folder / "report.json")) as stream:
        numbers = json.load(stream)
    matrix = np.array(numbers["confusion_matrix"])
    assert numbers["blocked_cv"] is True
    assert numbers["overall_accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum())
    assert numbers["overall_accuracy"] >= 0.9
    assert "Overall accuracy" in open(report).read()

    output = str(folder / "classes.tif")
    result = processing.runAndLoadResults("sitscube:classify", {"INPUT": seasons["composite"], "MODEL": model,
                                                                "OUTPUT": output, "OUTPUT_PROBABILITY": str(folder / "p.tif")}, feedback=feedback)
    import rasterio

    with rasterio.open(output) as src:
        predicted = src.read(1)
    names = {int(k): v for k, v in numbers.get("classes", {}).items()} or None
    truth_names = np.vectorize(sc.CLASSES.get)(scene.classes())
    predicted_names = np.vectorize(lambda c: names.get(int(c), "") if names else str(c))(predicted)
    field_ids = (np.arange(448)[:, None] // 16) * 28 + (np.arange(448)[None, :] // 16)
    held_out = (field_ids % 2 == 1) & scene.coverage_global(10) & (predicted > 0)
    accuracy = (predicted_names[held_out] == truth_names[held_out]).mean()
    assert accuracy >= 0.9, accuracy
    assert (predicted[~scene.coverage_global(10)] == 0).all()  # nodata stays nodata

    from qgis.core import QgsPalettedRasterRenderer

    loaded = [l for l in QgsProject.instance().mapLayers().values() if l.source() == result["OUTPUT"]]
    assert len(loaded) == 1 and isinstance(loaded[0].renderer(), QgsPalettedRasterRenderer)
    labels = {c.label for c in loaded[0].renderer().classes()}
    assert labels == set(sc.CLASSES.values())
    for layer in QgsProject.instance().mapLayers().values():
        if layer.source() in (output, str(folder / "p.tif")):
            QgsProject.instance().removeMapLayer(layer.id())


def test_training_layer_in_another_crs(seasons, fields, feedback):
    """The same fields in EPSG:4326 sample the same pixels as in the raster's UTM zone."""
    native = _subset(fields, '"field_id" < 200')
    reprojected = processing.run("native:reprojectlayer", {"INPUT": native, "TARGET_CRS": "EPSG:4326", "OUTPUT": "memory:"})["OUTPUT"]
    assert reprojected.crs().authid() == "EPSG:4326"
    folder = seasons["folder"]
    pixels = []
    for name, layer in (("utm", native), ("wgs84", reprojected)):
        _run("sitscube:trainrandomforest", {"INPUT": seasons["composite"], "TRAINING": layer, "CLASS_FIELD": "class_code",
                                            "N_TREES": 5, "CV_FOLDS": 2, "MAX_PER_CLASS": 1000000,
                                            "OUTPUT_MODEL": str(folder / f"{name}.sitsmodel"),
                                            "OUTPUT_REPORT": str(folder / f"{name}.html")}, feedback)
        with open(str(folder / f"{name}.json")) as stream:
            pixels.append(json.load(stream)["data"]["pixels"])
    assert pixels[0] == pixels[1]
    assert 0.99 * 200 * 256 <= pixels[0] <= 200 * 256  # 200 fields of 16 x 16 pixels, less nodata (cloudy all season)


@pytest.mark.parametrize(
    "make_training, message",
    [
        (lambda f: _subset(f, "\"class_name\" = 'water'"), "two classes"),
        (lambda f: _subset(f, '"field_id" < 0'), "no feature"),
    ],
)
def test_bad_training_is_refused_and_writes_nothing(seasons, fields, tmp_path, feedback, make_training, message):
    with pytest.raises(QgsProcessingException, match=message):
        _run("sitscube:trainrandomforest", {"INPUT": seasons["composite"], "TRAINING": make_training(fields),
                                            "CLASS_FIELD": "class_name", "OUTPUT_MODEL": str(tmp_path / "m.sitsmodel"),
                                            "OUTPUT_REPORT": str(tmp_path / "r.html")}, feedback)
    assert os.listdir(tmp_path) == []


def test_a_file_that_is_not_a_model_is_refused(seasons, tmp_path, feedback):
    fake = tmp_path / "fake.sitsmodel"
    fake.write_bytes(b"not a model at all")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException, match="(?i)not a SITS Cube model|not .*model"):
        _run("sitscube:classify", {"INPUT": seasons["composite"], "MODEL": str(fake), "OUTPUT": str(out / "c.tif")}, feedback)
    assert os.listdir(out) == []


def test_band_mismatch_is_refused(seasons, fields, tmp_path, feedback):
    from osgeo import gdal

    folder = seasons["folder"]
    model = str(folder / "small.sitsmodel")
    _run("sitscube:trainrandomforest", {"INPUT": seasons["composite"], "TRAINING": _subset(fields, '"field_id" < 300'),
                                        "CLASS_FIELD": "class_name", "N_TREES": 10, "OUTPUT_MODEL": model,
                                        "OUTPUT_REPORT": str(folder / "small.html")}, feedback)
    three_bands = str(tmp_path / "three.tif")
    gdal.Translate(three_bands, seasons["composite"], bandList=[1, 2, 3])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException, match="band"):
        _run("sitscube:classify", {"INPUT": three_bands, "MODEL": model, "OUTPUT": str(out / "c.tif")}, feedback)
    assert os.listdir(out) == []
