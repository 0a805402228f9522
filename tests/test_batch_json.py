"""Every algorithm takes its parameters as JSON on stdin through qgis_process (batch runs)."""

import json
import os

from sitscube.engine import sample_catalog as sc
from test_qgis_process import qgis_process

AOI = "300000,301920,4808320,4810240 [EPSG:32631]"  # 1.9 km: forest, crops, the river


def _run_json(algorithm, inputs):
    completed = qgis_process("run", algorithm, "--json", "-", stdin=json.dumps({"inputs": inputs}))
    assert completed.returncode == 0, (algorithm, completed.stdout[-2000:], completed.stderr[-2000:])
    return json.loads(completed.stdout)["results"]


def test_the_whole_chain_as_json_batch_runs(stac_api, sample_catalog, area_lonlat, tmp_path):
    west, south, east, north = area_lonlat
    out = {name: str(tmp_path / name) for name in (
        "items.geojson", "cube.nc", "harmonized.nc", "masked.zarr", "filled.nc", "ndvi.nc", "seasons.tif",
        "series.csv", "model.sitsmodel", "report.html", "classes.tif", "zones.gpkg", "downloads", "gallery.html", "all.geojson", "all.nc", "trend.tif", "anomaly.nc", "smooth.nc",
        "phenology.tif", "profile.html")}
    with open(sample_catalog / "truth" / "fields.geojson") as stream:
        fields = json.load(stream)
    inside = [f for f in fields["features"] if f["geometry"]["coordinates"][0][0][0] < 301920
              and f["geometry"]["coordinates"][0][0][1] > 4808320]
    training = tmp_path / "training.geojson"
    training.write_text(json.dumps(dict(fields, features=inside)))

    ran = []
    results = _run_json("sitscube:stacsearch", {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION,
                                                 "AOI": f"{west},{east},{south},{north} [EPSG:4326]", "START_DATE": "2021-12-01",
                                                 "END_DATE": "2022-11-30", "MAX_CLOUD": 80, "OUTPUT": out["items.geojson"]})
    ran.append("stacsearch")
    downloaded = _run_json("sitscube:downloadassets", {"ITEMS": results["OUTPUT"], "BANDS": "red", "AOI": AOI,
                                                       "OUTPUT_FOLDER": out["downloads"]})
    assert open(downloaded["MANIFEST"]).read().count("\n") > 1
    gallery = _run_json("sitscube:quicklooks", {"ITEMS": results["OUTPUT"], "MAX_ITEMS": 3, "OUTPUT_HTML": out["gallery.html"]})
    assert "<html" in open(gallery["OUTPUT_HTML"]).read().lower()
    ran += ["downloadassets", "quicklooks"]
    _run_json("sitscube:loadcube", {"ITEMS": results["OUTPUT"], "AOI": AOI, "RESOLUTION": 40, "BANDS": "red,green,nir,swir16,scl",
                                    "OUTPUT": out["cube.nc"]})
    _run_json("sitscube:harmonize", {"INPUT": out["cube.nc"], "OUTPUT": out["harmonized.nc"]})
    _run_json("sitscube:cloudmask", {"INPUT": out["harmonized.nc"], "MASK_VALUES": "0,1,3,8,9,10", "DILATION": 1,
                                     "OUTPUT": out["masked.zarr"]})
    _run_json("sitscube:gapfill", {"INPUT": out["masked.zarr"], "METHOD": "linear", "OUTPUT": out["filled.nc"]})
    _run_json("sitscube:spectralindex", {"INPUT": out["filled.nc"], "INDEX": "NDVI", "OUTPUT": out["ndvi.nc"]})
    _run_json("sitscube:composite", {"INPUT": out["filled.nc"], "METHOD": "median", "PERIOD": "season", "OUTPUT": out["seasons.tif"]})
    _run_json("sitscube:exporttimeseries", {"INPUT": out["ndvi.nc"], "OUTPUT": out["series.csv"]})
    trained = _run_json("sitscube:trainrandomforest", {"INPUT": out["seasons.tif"], "TRAINING": str(training),
                                                       "CLASS_FIELD": "class_name", "N_TREES": 20, "CV_FOLDS": 3,
                                                       "OUTPUT_MODEL": out["model.sitsmodel"], "OUTPUT_REPORT": out["report.html"]})
    _run_json("sitscube:classify", {"INPUT": out["seasons.tif"], "MODEL": trained["OUTPUT_MODEL"], "OUTPUT": out["classes.tif"]})
    zonal = _run_json("sitscube:zonalstatistics", {"INPUT": out["classes.tif"], "ZONES": str(training),
                                                   "STATISTICS": ["majority", "count"], "OUTPUT": out["zones.gpkg"]})
    ran += ["loadcube", "harmonize", "cloudmask", "gapfill", "spectralindex", "composite", "exporttimeseries",
            "trainrandomforest", "classify", "zonalstatistics"]
    # time-series analysis: smoothing, phenology and anomalies on the year, trends over the three years of the catalog
    _run_json("sitscube:smooth", {"INPUT": out["filled.nc"], "METHOD": "whittaker", "OUTPUT": out["smooth.nc"]})
    _run_json("sitscube:phenology", {"INPUT": out["ndvi.nc"], "BAND": "NDVI", "OUTPUT": out["phenology.tif"]})
    _run_json("sitscube:anomaly", {"INPUT": out["filled.nc"], "BANDS": "B04", "OUTPUT": out["anomaly.nc"]})
    profile = _run_json("sitscube:temporalprofile", {"INPUT": [out["cube.nc"], out["filled.nc"]], "POINTS": str(training),
                                                     "BAND": "B04", "OUTPUT_HTML": out["profile.html"],
                                                     "OUTPUT_CHART": str(tmp_path / "profile.png"),
                                                     "OUTPUT_CSV": str(tmp_path / "profile.csv")})
    assert os.path.exists(profile["OUTPUT_HTML"])
    every = _run_json("sitscube:stacsearch", {"CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION,
                                              "AOI": f"{west},{east},{south},{north} [EPSG:4326]", "START_DATE": "2021-01-01",
                                              "END_DATE": "2023-12-31", "OUTPUT": out["all.geojson"]})
    _run_json("sitscube:loadcube", {"ITEMS": every["OUTPUT"], "AOI": AOI, "RESOLUTION": 80, "BANDS": "red,scl",
                                    "OUTPUT": out["all.nc"]})
    _run_json("sitscube:trend", {"INPUT": out["all.nc"], "BAND": "B04", "OUTPUT": out["trend.tif"]})
    ran += ["smooth", "phenology", "anomaly", "temporalprofile", "trend"]

    listing = qgis_process("list").stdout
    algorithms = {line.split()[0].split(":")[1] for line in listing.splitlines() if line.strip().startswith("sitscube:")}
    models = {"cloudfreecomposite", "landcovermap", "phenologymap"}  # their JSON runs are in tests/test_models.py
    assert algorithms - models == set(ran)
    with open(out["series.csv"]) as stream:
        header = stream.readline().strip().split(",")
    assert header[:6] == ["id", "x", "y", "date", "band", "value"]
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(zonal["OUTPUT"], "zones")
    assert layer.isValid() and layer.featureCount() == len(inside)
