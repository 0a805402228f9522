"""The chain through the real qgis_process, as batch users run it."""

import json
import os
import subprocess

import numpy as np

from conftest import ROOT
from sitscube.engine import sample_catalog as sc
from sitscube.engine.cube_io import open_cube

QGIS_PROCESS = str(ROOT / "scripts" / "qgis_process")


def qgis_process(*args, stdin=None, env=None, timeout=600):
    completed = subprocess.run(
        [QGIS_PROCESS, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    return completed


def test_qgis_process_lists_the_provider():
    completed = qgis_process("list")
    assert completed.returncode == 0, completed.stderr
    assert "sitscube:stacsearch" in completed.stdout and "sitscube:loadcube" in completed.stdout


def test_help_is_shown():
    completed = qgis_process("help", "sitscube:loadcube")
    assert completed.returncode == 0
    assert "odc-stac" in completed.stdout and "RESOLUTION" in completed.stdout


def test_search_then_load_chain(stac_api, scene, area_lonlat, tmp_path):
    items = tmp_path / "items.geojson"
    west, south, east, north = area_lonlat
    search = qgis_process(
        "run", "sitscube:stacsearch", "--json", "--",
        f"CATALOG_URL={stac_api.url}", f"COLLECTION={sc.PC_COLLECTION}",
        f"AOI={west},{east},{south},{north} [EPSG:4326]", "START_DATE=2021-06-01", "END_DATE=2022-08-31",
        "MAX_CLOUD=50", f"OUTPUT={items}",
    )
    assert search.returncode == 0, search.stdout + search.stderr
    assert json.loads(search.stdout)["results"]["OUTPUT"] == str(items)

    # parameters as JSON on stdin, as batch scripts send them
    cube = tmp_path / "cube.zarr"
    request = {"inputs": {"ITEMS": str(items), "AOI": "300000,304480,4805760,4810240 [EPSG:32631]",
                          "BANDS": "nir,swir16,scl", "RESOLUTION": 20, "OUTPUT": str(cube)}}
    load = qgis_process("run", "sitscube:loadcube", "--json", "-", stdin=json.dumps(request))
    assert load.returncode == 0, load.stdout + load.stderr
    assert json.loads(load.stdout)["results"]["OUTPUT"] == str(cube)

    loaded = open_cube(str(cube))
    with open(items) as stream:
        dates = sorted({f["properties"]["datetime"][:10] for f in json.load(stream)["features"]})
    assert [str(t)[:10] for t in loaded.time.values] == dates
    assert loaded.sizes["x"] == loaded.sizes["y"] == 224
    index = dates.index(next(d for d in dates if d > "2022-01-25"))
    date = next(d for d in scene.dates if d.isoformat() == dates[index])
    np.testing.assert_array_equal(loaded.B11.isel(time=index).values, scene.stored("B11", date, True))


def test_bad_input_gives_a_clear_error_and_exit_code(tmp_path):
    completed = qgis_process(
        "run", "sitscube:stacsearch", "--", "CATALOG_URL=http://127.0.0.1:9", "COLLECTION=x",
        "AOI=0,1,40,41 [EPSG:4326]", "START_DATE=2022-01-01", "END_DATE=2022-02-01", f"OUTPUT={tmp_path / 'i.geojson'}",
    )
    assert completed.returncode != 0
    assert "Cannot reach the STAC API" in completed.stdout + completed.stderr
    assert not (tmp_path / "i.geojson").exists()


def test_plugin_without_its_libraries_says_what_to_install(tmp_path):
    """QGIS's plain Python (no venv): the plugin loads and names what is missing."""
    env = {"PYTHONPATH": "", "SITSCUBE_SKIP_VENV": "1"}
    listing = qgis_process("list", env=env)
    assert "sitscube:loadcube" in listing.stdout
    items = tmp_path / "x.geojson"
    items.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "properties": {}, "assets": {},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}))
    completed = qgis_process("run", "sitscube:loadcube", "--", f"ITEMS={items}", f"OUTPUT={tmp_path / 'c.nc'}", env=env)
    assert completed.returncode != 0
    output = completed.stdout + completed.stderr
    assert "odc-stac" in output and "pip install" in output


def test_composite_in_a_fresh_process_keeps_the_crs(stac_api, area_lonlat, tmp_path):
    """A process that never loaded odc-stac must still georeference its outputs."""
    from osgeo import gdal

    west, south, east, north = area_lonlat
    items = tmp_path / "items.geojson"
    assert qgis_process("run", "sitscube:stacsearch", "--", f"CATALOG_URL={stac_api.url}", f"COLLECTION={sc.PC_COLLECTION}",
                        f"AOI={west},{east},{south},{north} [EPSG:4326]", "START_DATE=2022-06-01", "END_DATE=2022-08-31",
                        f"OUTPUT={items}").returncode == 0
    cube = tmp_path / "cube.nc"
    assert qgis_process("run", "sitscube:loadcube", "--", f"ITEMS={items}", "BANDS=red", "RESOLUTION=40",
                        f"OUTPUT={cube}").returncode == 0
    composite = tmp_path / "composite.tif"
    completed = qgis_process("run", "sitscube:composite", "--", f"INPUT={cube}", f"OUTPUT={composite}")
    assert completed.returncode == 0, completed.stderr
    assert "UTM zone 31N" in gdal.Open(str(composite)).GetProjection()
