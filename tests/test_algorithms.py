"""The algorithms inside a real QGIS, through processing.run."""

import json
import os

import numpy as np
import pytest
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProcessingException,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
)

from conftest import AREA_UTM
from sitscube.engine import sample_catalog as sc

import processing  # noqa: E402  (QGIS's own plugin; pytest.ini puts it on the path)
from qgis_helpers import new_context, run_algorithm  # noqa: E402


def _run(algorithm, parameters, feedback):
    context = new_context()
    return run_algorithm(algorithm, parameters, feedback, context), context


def _area_in(crs_code):
    transform = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:32631"), QgsCoordinateReferenceSystem(crs_code), QgsProject.instance()
    )
    box = transform.transformBoundingBox(QgsRectangle(*AREA_UTM))
    return f"{box.xMinimum()},{box.xMaximum()},{box.yMinimum()},{box.yMaximum()} [{crs_code}]"


def test_provider_lists_the_algorithms_with_help(sitscube_provider):
    ids = {a.id() for a in sitscube_provider.algorithms()}
    assert {"sitscube:stacsearch", "sitscube:loadcube"} <= ids
    for algorithm in sitscube_provider.algorithms():
        assert len(algorithm.shortHelpString()) > 100
        assert algorithm.canExecute()[0]


def test_search_with_an_area_in_web_mercator(sitscube_provider, stac_api, sample_catalog, tmp_path, feedback):
    output = str(tmp_path / "items.geojson")
    result, context = _run(
        "sitscube:stacsearch",
        {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": _area_in("EPSG:3857"),
         "START_DATE": "2022-01-01", "END_DATE": "2022-06-30", "MAX_CLOUD": 30, "OUTPUT": output},
        feedback,
    )
    with open(output) as stream:
        features = json.load(stream)["features"]
    with open(sample_catalog / "items" / f"{sc.PC_COLLECTION}.ndjson") as stream:
        expected = [json.loads(line) for line in stream]
    expected = {i["id"] for i in expected if "2022-01-01" <= i["properties"]["datetime"][:10] <= "2022-06-30"
                and i["properties"]["eo:cloud_cover"] <= 30}
    assert {f["id"] for f in features} == expected
    assert result["OUTPUT"] == output
    assert output in context.layersToLoadOnCompletion()
    assert any("item(s) written" in line for line in feedback.infos)


def _search(stac_api, tmp_path, feedback, **overrides):
    parameters = {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": _area_in("EPSG:4326"),
                  "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(tmp_path / "items.geojson")}
    parameters.update(overrides)
    return _run("sitscube:stacsearch", parameters, feedback)[0]["OUTPUT"]


def test_load_cube_in_the_map_matches_the_truth(sitscube_provider, stac_api, scene, tmp_path, feedback):
    items = _search(stac_api, tmp_path, feedback)
    output = str(tmp_path / "cube.nc")
    result, context = _run(
        "sitscube:loadcube",
        {"ITEMS": items, "AOI": "300000,302560,4807680,4810240 [EPSG:32631]", "BANDS": "red,scl",
         "RESOLUTION": 10, "OUTPUT": output},
        feedback,
    )
    assert result["OUTPUT"] == output and os.path.exists(output)
    assert max(feedback.percents) == pytest.approx(100, abs=1)
    layers = context.layersToLoadOnCompletion()
    assert len(layers) == 2
    red = next(path for path in layers if path.endswith("B04.vrt"))
    layer = QgsRasterLayer(red, "red")
    assert layer.isValid() and layer.crs().authid() == "EPSG:32631"
    assert layer.extent() == QgsRectangle(300000, 4807680, 302560, 4810240)
    assert layer.bandCount() == len(scene.dates)
    assert scene.dates[13].isoformat() in layer.bandName(14)
    block = layer.dataProvider().block(14, layer.extent(), 256, 256)
    values = np.frombuffer(bytes(block.data()), dtype=np.uint16).reshape(256, 256)
    truth = scene.stored("B04", scene.dates[13], True)[scene.window("31TCJ", 10)]
    np.testing.assert_array_equal(values, truth)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"BANDS": "red,cirrus"}, "Unknown band"),
        ({"CRS": "EPSG:4326", "RESOLUTION": 10}, "projected CRS"),
        ({"AOI": "10,10.1,50,50.1 [EPSG:4326]"}, "No item overlaps"),
        ({"OUTPUT": "cube.tif"}, "must end in .nc"),
    ],
)
def test_load_cube_bad_input_leaves_nothing(sitscube_provider, stac_api, tmp_path, feedback, overrides, message):
    items = _search(stac_api, tmp_path, feedback, MAX_ITEMS=6)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    parameters = {"ITEMS": items, "BANDS": "red", "OUTPUT": str(out_dir / "cube.nc")}
    parameters.update(overrides)
    if overrides.get("OUTPUT"):
        parameters["OUTPUT"] = str(out_dir / overrides["OUTPUT"])
    with pytest.raises(QgsProcessingException, match=message):
        _run("sitscube:loadcube", parameters, feedback)
    assert os.listdir(out_dir) == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"START_DATE": "2022-06-01", "END_DATE": "2022-01-01"}, "before START_DATE"),
        ({"AOI": "10,10.1,50,50.1 [EPSG:4326]"}, "No items found"),
        ({"COLLECTION": "sentinel-1-grd"}, "not found in the catalog"),
        ({"CATALOG_URL": "http://127.0.0.1:9"}, "Cannot reach"),
    ],
)
def test_search_bad_input_leaves_nothing(sitscube_provider, stac_api, tmp_path, feedback, overrides, message):
    with pytest.raises(QgsProcessingException, match=message):
        _search(stac_api, tmp_path, feedback, **overrides)
    assert not (tmp_path / "items.geojson").exists()


def test_missing_library_disables_the_algorithms_with_an_install_command(sitscube_provider, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec

    def without_odc(name, *args):
        if name == "odc.stac" or name.startswith("odc."):
            return None
        return real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_odc)
    load = sitscube_provider.algorithm("loadcube")
    ok, message = load.canExecute()
    assert not ok and "odc-stac" in message and "pip install" in message
    assert sitscube_provider.algorithm("stacsearch").canExecute()[0]  # needs no odc


def test_cancel_during_load_stops_and_leaves_nothing(sitscube_provider, stac_api, tmp_path):
    from recording_feedback import RecordingFeedback

    items = _search(stac_api, tmp_path, RecordingFeedback())
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    feedback = RecordingFeedback(cancel_at_percent=10)
    with pytest.raises(QgsProcessingException, match="Canceled"):
        _run("sitscube:loadcube", {"ITEMS": items, "BANDS": "red,nir", "CHUNK_SIZE": 128,
                                    "OUTPUT": str(out_dir / "cube.nc")}, feedback)
    assert max(feedback.percents) < 100
    assert os.listdir(out_dir) == []


def test_items_from_a_map_layer_and_a_model_chain(sitscube_provider, stac_api, tmp_path, feedback):
    """search -> load wired in a graphical model, as the modeler does."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource as Source,
        QgsProcessingModelOutput,
        QgsVectorLayer,
    )

    items_path = _search(stac_api, tmp_path, feedback, MAX_ITEMS=6)
    layer = QgsVectorLayer(items_path, "items")
    assert layer.isValid() and layer.featureCount() == 6
    result, _ = _run("sitscube:loadcube", {"ITEMS": layer, "BANDS": "nir", "RESOLUTION": 40,
                                           "OUTPUT": str(tmp_path / "from_layer.nc")}, feedback)
    assert os.path.exists(result["OUTPUT"])

    model = QgsProcessingModelAlgorithm("search and load", "tests")
    search = QgsProcessingModelChildAlgorithm("sitscube:stacsearch")
    search.setChildId("search")
    for key, value in {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": _area_in("EPSG:4326"),
                       "START_DATE": "2022-03-01", "END_DATE": "2022-06-30"}.items():
        search.addParameterSources(key, [Source.fromStaticValue(value)])
    load = QgsProcessingModelChildAlgorithm("sitscube:loadcube")
    load.setChildId("load")
    load.addParameterSources("ITEMS", [Source.fromChildOutput("search", "OUTPUT")])
    load.addParameterSources("BANDS", [Source.fromStaticValue("red")])
    load.addParameterSources("RESOLUTION", [Source.fromStaticValue(20)])
    output = QgsProcessingModelOutput("cube", "cube")
    output.setChildOutputName("OUTPUT")
    load.setModelOutputs({"cube": output})
    model.addChildAlgorithm(search)
    model.addChildAlgorithm(load)
    model.updateDestinationParameters()
    cube = str(tmp_path / "model_cube.nc")
    processing.run(model, {"cube": cube}, feedback=feedback)
    assert os.path.exists(cube)
    from sitscube.engine.cube_io import open_cube

    assert open_cube(cube).sizes["time"] == 5  # 2022-03-19 ... 2022-06-27


def test_footprints_load_in_the_map_with_readable_fields(sitscube_provider, stac_api, tmp_path, feedback):
    output = str(tmp_path / "footprints.geojson")
    processing.runAndLoadResults("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": _area_in("EPSG:3857"),
        "START_DATE": "2022-01-01", "END_DATE": "2022-03-31", "OUTPUT": output}, feedback=feedback)
    layers = [l for l in QgsProject.instance().mapLayers().values() if l.source().split("|")[0] == output]
    assert len(layers) == 1
    layer = layers[0]
    assert layer.crs().authid() == "EPSG:4326" and layer.featureCount() == 12  # 4 dates x 3 tiles
    fields = layer.fields()
    aliases = {fields.at(i).name(): layer.attributeAlias(i) for i in range(fields.count())}
    assert aliases["eo:cloud_cover"] == "Cloud cover (%)" and aliases["s2:mgrs_tile"] == "Tile"
    assert aliases["s2:processing_baseline"] == "Processing baseline"
    assert {f["s2:mgrs_tile"] for f in layer.getFeatures()} == set(sc.TILES)
    QgsProject.instance().removeMapLayer(layer.id())
