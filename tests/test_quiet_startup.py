"""Start-up and runs without noisy warnings (issue 16): qgis_process lists the provider and loads a
cube with every Python warning shown (PYTHONWARNINGS=default), and none of the three known ones
(numpy "size changed", rasterio NotGeoreferencedWarning, the deprecated QgsField constructor) appears."""

import os
import subprocess

from conftest import ROOT
from sitscube.engine import sample_catalog as sc

QGIS_PROCESS = str(ROOT / "scripts" / "qgis_process")
NOISE = ("size changed", "NotGeoreferencedWarning", "QgsField", "DeprecationWarning", "RuntimeWarning")


def _run(*arguments):
    completed = subprocess.run([QGIS_PROCESS, *arguments], capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, PYTHONWARNINGS="default"))
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    return completed.stdout + completed.stderr


def test_listing_and_a_chain_print_no_warning(stac_api, area_lonlat, tmp_path):
    output = _run("list")
    assert "sitscube:loadcube" in output
    west, south, east, north = area_lonlat
    items, cube = tmp_path / "items.geojson", tmp_path / "cube.nc"
    output += _run("run", "sitscube:stacsearch", "--", f"CATALOG_URL={stac_api.url}", f"COLLECTION={sc.PC_COLLECTION}",
                   f"AOI={west},{east},{south},{north} [EPSG:4326]", "START_DATE=2022-01-01", "END_DATE=2022-06-30",
                   f"OUTPUT={items}")
    output += _run("run", "sitscube:loadcube", "--", f"ITEMS={items}", "AOI=300000,301280,4808960,4810240 [EPSG:32631]",
                   "RESOLUTION=40", "BANDS=red,nir,scl", f"OUTPUT={cube}")
    zones = tmp_path / "zones.geojson"
    zones.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:32631"}}, '
                     '"features": [{"type": "Feature", "properties": {"id": 1}, "geometry": {"type": "Polygon", '
                     '"coordinates": [[[300100, 4809100], [300600, 4809100], [300600, 4809600], [300100, 4809100]]]}}]}')
    output += _run("run", "sitscube:composite", "--", f"INPUT={cube}", "BANDS=B04,B08", f"OUTPUT={tmp_path / 'c.tif'}")
    output += _run("run", "sitscube:zonalstatistics", "--", f"INPUT={tmp_path / 'c.tif'}", f"ZONES={zones}",
                   f"OUTPUT={tmp_path / 'z.gpkg'}")
    noisy = [line for line in output.splitlines() if any(word in line for word in NOISE)]
    assert noisy == []
