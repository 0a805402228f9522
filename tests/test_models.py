"""The shipped graphical models, end to end through the real qgis_process."""

import json

from sitscube.engine import sample_catalog as sc
from test_qgis_process import qgis_process

WHOLE_AREA = "300000,304480,4805760,4810240 [EPSG:32631]"


def test_models_are_exposed_by_the_provider():
    listing = qgis_process("list").stdout
    assert "sitscube:cloudfreecomposite\tCloud-free composite from STAC" in listing
    assert "sitscube:landcovermap\tLand-cover map from STAC" in listing


def test_cloud_free_composite_model(stac_api, tmp_path):
    output = tmp_path / "composite.tif"
    request = {"inputs": {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": "300000,301280,4808960,4810240 [EPSG:32631]",
                          "START_DATE": "2022-05-01", "END_DATE": "2022-09-30", "MAX_CLOUD": 100, "RESOLUTION": 20,
                          "BANDS": "blue,green,red,scl", "composite": str(output)}}
    completed = qgis_process("run", "sitscube:cloudfreecomposite", "--json", "-", stdin=json.dumps(request))
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    from osgeo import gdal

    dataset = gdal.Open(str(output))
    assert dataset.RasterCount == 3 and dataset.RasterXSize == 64
    assert [dataset.GetRasterBand(i + 1).GetDescription() for i in range(3)] == ["B02", "B03", "B04"]


def test_land_cover_model(stac_api, sample_catalog, tmp_path):
    with open(sample_catalog / "truth" / "fields.geojson") as stream:
        fields = json.load(stream)
    for name, parity in (("training", 0), ("zones", 1)):
        subset = dict(fields, features=[f for f in fields["features"] if f["properties"]["field_id"] % 2 == parity])
        (tmp_path / f"{name}.geojson").write_text(json.dumps(subset))
    outputs = {key: str(tmp_path / name) for key, name in (
        ("seasonal_composites", "seasons.tif"), ("model", "model.sitsmodel"), ("report", "report.html"),
        ("land_cover", "landcover.tif"), ("zones", "zones.gpkg"))}
    request = {"inputs": {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": WHOLE_AREA,
                          "START_DATE": "2021-12-01", "END_DATE": "2022-11-30", "MAX_CLOUD": 100, "RESOLUTION": 20,
                          "BANDS": "red,nir,swir16,scl", "TRAINING": str(tmp_path / "training.geojson"),
                          "CLASS_FIELD": "class_name", "ZONES": str(tmp_path / "zones.geojson"), **outputs}}
    completed = qgis_process("run", "sitscube:landcovermap", "--json", "-", stdin=json.dumps(request), timeout=900)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    with open(tmp_path / "report.json") as stream:
        report = json.load(stream)
    assert report["blocked_cv"] and report["overall_accuracy"] >= 0.9

    from qgis.core import QgsVectorLayer

    zones = QgsVectorLayer(outputs["zones"], "zones")
    assert zones.isValid() and zones.featureCount() == len(fields["features"]) // 2
    codes = {name: code for code, name in sc.CLASSES.items()}
    scored = [(f["majority"], codes[f["class_name"]]) for f in zones.getFeatures() if isinstance(f["majority"], (int, float))]
    # the class map's codes follow the sorted class names: crops 1, forest 2, urban 3, water 4
    names = sorted(sc.CLASSES.values())
    agree = sum(names[int(majority) - 1] == sc.CLASSES[truth] for majority, truth in scored)
    assert len(scored) > 300 and agree / len(scored) >= 0.9


def test_phenology_map_model(stac_api, scene, tmp_path):
    """search -> load -> harmonize -> cloud mask -> NDVI -> phenology: crop fields start when their NDVI crosses half its amplitude."""
    assert "sitscube:phenologymap\tPhenology map from STAC" in qgis_process("list").stdout
    output = tmp_path / "phenology.tif"
    request = {"inputs": {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": "300000,301280,4808960,4810240 [EPSG:32631]",
                          "START_DATE": "2021-04-01", "END_DATE": "2023-02-28", "MAX_CLOUD": 100, "RESOLUTION": 20,
                          "phenology": str(output)}}
    completed = qgis_process("run", "sitscube:phenologymap", "--json", "-", stdin=json.dumps(request), timeout=900)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    import numpy as np
    import rasterio

    with rasterio.open(output) as src:
        assert src.descriptions == ("sos_doy", "pos_doy", "eos_doy", "peak_value", "amplitude", "season_length_days", "greenup_doy")
        assert (src.width, src.height) == (64, 64) and src.crs.to_epsg() == 32631
        sos, amplitude = src.read(1), src.read(5)
    classes = scene.classes(20)[:64, :64]
    fi, fj = scene._field_index(20)
    sowing = scene._sowing[fi, fj][:64, :64]
    # NDVI of the crops' surface, (1000 + 3200 g) / (3400 + 1400 g), is half-way between its bare (g = 0) and
    # full (g = 1) values at g = 0.4154, which the green-up logistic reaches 37.3 days after its sowing day
    # (the model masks the snow date too: its NDVI below 0 would be taken for the winter base)
    crops = classes == 3
    found = crops & ~np.isnan(sos)
    assert found.sum() >= 0.8 * crops.sum()
    error = np.abs(sos[found] - (sowing[found] + 37.3))
    assert np.median(error) < 3 and np.percentile(error, 90) < 10, np.percentile(error, [50, 90])  # dates 25 days apart
    assert np.isnan(sos[classes == 4]).mean() > 0.9  # town: flat NDVI, no season
    assert (amplitude[found] > 0.3).all()
