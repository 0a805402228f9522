"""Outputs others can read, inputs never destroyed, nothing partial at OUTPUT (issue 16).

* Every file and folder a short chain writes has the mode the umask gives
  (0644 / 0755 under 022, 0600 / 0700 under 077), not mkstemp's 0600.
* INPUT equal to OUTPUT: the cube is read lazily from INPUT while the new one
  is written to a temporary, renamed over INPUT only once complete: the
  result equals the same step written elsewhere.
* A qgis_process run killed with SIGKILL while writing leaves OUTPUT as it was
  (or absent); its temporary is removed by a later run once stale.
* Two qgis_process runs writing one OUTPUT at once leave one complete cube.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import ROOT
from qgis_helpers import run_algorithm as _run
from sitscube.engine import atomic
from sitscube.engine import sample_catalog as sc
from sitscube.engine.cube_io import open_cube

SMALL_AOI = "300000,301280,4808960,4810240 [EPSG:32631]"  # 32 x 32 pixels at 40 m
X0, Y0 = 300000.0, 4808960.0
QGIS_PROCESS = str(ROOT / "scripts" / "qgis_process")


def _training_layer():
    from qgis.core import QgsFeature, QgsGeometry, QgsRectangle, QgsVectorLayer

    layer = QgsVectorLayer("Polygon?crs=EPSG:32631&field=class:string", "training", "memory")
    features = []
    for row, y in enumerate((Y0 + 100, Y0 + 500, Y0 + 900)):
        for x, label in ((X0 + 100, "water"), (X0 + 800, "crops")):
            feature = QgsFeature(layer.fields())
            feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x, y, x + 200, y + 200)))
            feature.setAttributes([label])
            features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


@pytest.fixture(scope="module")
def items(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    west, south, east, north = area_lonlat
    folder = tmp_path_factory.mktemp("safety-items")
    return _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(folder / "items.geojson")})["OUTPUT"]


@pytest.fixture(scope="module")
def small_cube(items, tmp_path_factory):
    folder = tmp_path_factory.mktemp("safety-cube")
    return _run("sitscube:loadcube", {"ITEMS": items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,nir,scl",
                                      "OUTPUT": str(folder / "cube.nc")})["OUTPUT"]


@pytest.fixture
def umask():
    before = os.umask(0o022)
    os.umask(before)

    def set_mask(mask):
        os.umask(mask)
        return mask

    yield set_mask
    os.umask(before)


def _modes(folder):
    """{relative path: mode} of everything under folder (the folder itself excluded)."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = os.stat(path).st_mode & 0o777
    return found


@pytest.mark.parametrize("mask", [0o022, 0o077], ids=["umask022", "umask077"])
def test_every_output_of_a_chain_follows_the_umask(stac_api, area_lonlat, items, tmp_path, umask, mask):
    umask(mask)
    out = tmp_path / "out"
    west, south, east, north = area_lonlat
    search = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2022-01-01", "END_DATE": "2022-12-31", "OUTPUT": str(out / "items.geojson")})["OUTPUT"]
    assert os.path.exists(search)
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,nir,scl",
                                      "OUTPUT": str(out / "cube.nc")})["OUTPUT"]
    _run("sitscube:loadcube", {"ITEMS": items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,scl",
                               "OUTPUT": str(out / "cube.zarr")})
    harmonized = _run("sitscube:harmonize", {"INPUT": cube, "OUTPUT": str(out / "harmonized.nc")})["OUTPUT"]
    masked = _run("sitscube:cloudmask", {"INPUT": harmonized, "OUTPUT": str(out / "masked.nc")})["OUTPUT"]
    filled = _run("sitscube:gapfill", {"INPUT": masked, "OUTPUT": str(out / "filled.nc")})["OUTPUT"]
    composite = _run("sitscube:composite", {"INPUT": filled, "BANDS": "B04,B08", "OUTPUT": str(out / "composite.tif")})["OUTPUT"]
    _run("sitscube:exporttimeseries", {"INPUT": filled, "OUTPUT": str(out / "series.csv")})
    model = _run("sitscube:trainrandomforest", {
        "INPUT": composite, "TRAINING": _training_layer(), "CLASS_FIELD": "class", "N_TREES": 10, "CV_FOLDS": 3,
        "OUTPUT_MODEL": str(out / "model.sitsmodel"), "OUTPUT_REPORT": str(out / "report.html")})["OUTPUT_MODEL"]
    _run("sitscube:classify", {"INPUT": composite, "MODEL": model, "OUTPUT": str(out / "classes.tif"),
                               "OUTPUT_PROBABILITY": str(out / "probability.tif")})
    _run("sitscube:zonalstatistics", {"INPUT": composite, "ZONES": _training_layer(), "OUTPUT": str(out / "zones.gpkg")})

    modes = _modes(out)
    for expected in ("items.geojson", "cube.nc", "cube.zarr", "cube.zarr/.zmetadata", "cube.nc.layers", "cube.nc.layers/B04.vrt",
                     "harmonized.nc", "masked.nc", "filled.nc", "composite.tif", "series.csv", "model.sitsmodel",
                     "report.html", "report.json", "report.csv", "classes.tif", "classes.tif.aux.xml", "probability.tif",
                     "zones.gpkg"):
        assert expected in modes, sorted(modes)
    file_mode, folder_mode = 0o666 & ~mask, 0o777 & ~mask
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (folder_mode if os.path.isdir(out / name) else file_mode)}
    assert wrong == {}, f"expected {oct(file_mode)} / {oct(folder_mode)}"
    assert not [name for name in modes if os.path.basename(name).startswith(".sitscube-")]


def test_publish_follows_the_umask_and_reads_it_without_changing_it(tmp_path, umask):
    for mask in (0o022, 0o027, 0o077):
        umask(mask)
        assert atomic.current_umask() == mask
        temporary = atomic.temporary_file(str(tmp_path), ".tif")
        assert os.stat(temporary).st_mode & 0o777 == 0o600  # mkstemp's
        atomic.publish(temporary, str(tmp_path / "out.tif"))
        assert os.stat(tmp_path / "out.tif").st_mode & 0o777 == 0o666 & ~mask
        assert atomic.current_umask() == mask  # read, not changed


# ---- INPUT equal to OUTPUT -------------------------------------------------------------------


def _values(path):
    cube = open_cube(path)
    values = {name: cube[name].values.copy() for name in cube.data_vars}
    cube.close()
    return values


@pytest.mark.parametrize("extension", [".nc", ".zarr"])
def test_input_equal_to_output_is_replaced_by_the_complete_result(items, small_cube, tmp_path, extension):
    """harmonize -> cloudmask -> gapfill, each in place, equals the same steps to new files."""
    elsewhere = {}
    source = small_cube
    for step in ("harmonize", "cloudmask", "gapfill"):
        source = _run(f"sitscube:{step}", {"INPUT": source, "OUTPUT": str(tmp_path / f"{step}{extension}")})["OUTPUT"]
        elsewhere[step] = _values(source)

    in_place = str(tmp_path / f"in_place{extension}")
    if extension == ".nc":
        shutil.copy(small_cube, in_place)
    else:
        _run("sitscube:loadcube", {"ITEMS": items, "AOI": SMALL_AOI, "RESOLUTION": 40,
                                   "BANDS": "red,nir,scl", "OUTPUT": in_place})
    for step in ("harmonize", "cloudmask", "gapfill"):
        assert _run(f"sitscube:{step}", {"INPUT": in_place, "OUTPUT": in_place})["OUTPUT"] == in_place
        now = _values(in_place)
        assert sorted(now) == sorted(elsewhere[step])
        for name, values in elsewhere[step].items():
            np.testing.assert_array_equal(now[name], values, err_msg=f"{step} {name}")
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".sitscube-")]


def test_classify_in_place_replaces_the_raster_only_when_complete(small_cube, tmp_path):
    composite = _run("sitscube:composite", {"INPUT": small_cube, "BANDS": "B04,B08", "OUTPUT": str(tmp_path / "c.tif")})["OUTPUT"]
    model = _run("sitscube:trainrandomforest", {
        "INPUT": composite, "TRAINING": _training_layer(), "CLASS_FIELD": "class", "N_TREES": 5, "CV_FOLDS": 3,
        "OUTPUT_MODEL": str(tmp_path / "m.sitsmodel"), "OUTPUT_REPORT": str(tmp_path / "r.html")})["OUTPUT_MODEL"]
    expected = _run("sitscube:classify", {"INPUT": composite, "MODEL": model, "OUTPUT": str(tmp_path / "expected.tif")})["OUTPUT"]
    _run("sitscube:classify", {"INPUT": composite, "MODEL": model, "OUTPUT": composite})
    import rasterio

    with rasterio.open(expected) as a, rasterio.open(composite) as b:
        assert b.count == 1 and np.array_equal(a.read(), b.read())


# ---- killed runs, concurrent runs (real qgis_process) ------------------------------------------


@pytest.fixture(scope="module")
def big_cube(tmp_path_factory):
    """A synthetic cube that takes qgis_process a few seconds to gap-fill (12 dates x 1024^2 x 2 bands)."""
    import dask.array as da
    import odc.geo.xr  # noqa: F401  (the .odc accessor)
    import xarray as xr

    from sitscube.engine.cube_io import write_cube

    folder = tmp_path_factory.mktemp("big")
    dates, size = 12, 1024
    rng = np.random.default_rng(16)
    coords = {"time": np.datetime64("2022-01-01") + (10 * np.arange(dates)).astype("timedelta64[D]"),
              "y": 4810000 - 10 * np.arange(size) - 5.0, "x": 300000 + 10 * np.arange(size) + 5.0}
    bands = {}
    for name in ("B04", "B08"):
        values = rng.integers(1, 10000, (dates, size, size), dtype=np.uint16)
        values[rng.random(values.shape) < 0.3] = 0  # gaps to fill
        bands[name] = (("time", "y", "x"), da.from_array(values, chunks=(1, 512, 512)))
    ds = xr.Dataset(bands, coords=coords)
    for name in bands:
        ds[name].attrs["nodata"] = 0
    ds = ds.odc.assign_crs("EPSG:32631")
    return write_cube(ds, str(folder / "big.nc"), scheduler="threads")


def _qgis_process(arguments, **kwargs):
    return subprocess.Popen([QGIS_PROCESS, "run", *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, env=dict(os.environ), **kwargs)


def _digest(path):
    digest = hashlib.sha256()
    for root, _, files in sorted(os.walk(path)) if os.path.isdir(path) else [("", [], [path])]:
        for name in sorted(files):
            with open(os.path.join(root, name), "rb") as stream:
                digest.update(stream.read())
    return digest.hexdigest()


def _temporaries(folder):
    return [n for n in os.listdir(folder) if n.startswith(".sitscube-")]


@pytest.mark.parametrize("existing", [True, False], ids=["previous-file-kept", "nothing-left"])
def test_a_run_killed_while_writing_leaves_output_as_it_was(big_cube, tmp_path, existing):
    output = tmp_path / "filled.nc"
    if existing:
        shutil.copy(big_cube, output)
        before = _digest(output)
    run = _qgis_process(["sitscube:gapfill", "--", f"INPUT={big_cube}", f"OUTPUT={output}"])
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and run.poll() is None and not _temporaries(tmp_path):
            time.sleep(0.02)
        time.sleep(0.5)  # the temporary is set up and its blocks being computed and written (about 2 s here)
        assert run.poll() is None, "the run ended before it was killed: make the cube bigger"
        os.killpg(run.pid, signal.SIGKILL)
    finally:
        run.wait(30)
    assert run.returncode == -signal.SIGKILL
    if existing:
        assert _digest(output) == before  # the previous file, byte for byte
        open_cube(str(output)).close()
    else:
        assert not output.exists()
    stale = _temporaries(tmp_path)
    assert stale and all(n.startswith(f".sitscube-{run.pid}-") for n in stale)  # named after the dead process
    # the next write into that folder removes them once they are stale (nobody touched them for an hour)
    assert atomic.clean_stale(str(tmp_path)) == []  # too recent: maybe a writer on another machine
    removed = atomic.clean_stale(str(tmp_path), now=time.time() + atomic.STALE_SECONDS + 1)
    assert sorted(os.path.basename(p) for p in removed) == sorted(stale)
    assert _temporaries(tmp_path) == []


@pytest.mark.parametrize("extension", [".nc", ".zarr"])
def test_two_runs_writing_one_output_leave_one_complete_cube(big_cube, tmp_path, extension):
    output = tmp_path / f"filled{extension}"
    runs = [_qgis_process(["sitscube:gapfill", "--", f"INPUT={big_cube}", f"METHOD={method}", f"OUTPUT={output}"])
            for method in ("linear", "previous")]
    outcomes = [run.communicate(timeout=300) for run in runs]
    for run, (stdout, stderr) in zip(runs, outcomes):
        assert run.returncode == 0, stdout.decode()[-2000:] + stderr.decode()[-2000:]
    result = open_cube(str(output))
    history = result.attrs["sitscube_history"]
    assert ('"linear"' in history) != ('"previous"' in history)  # one of the two, whole
    assert result["B04"].shape == (12, 1024, 1024) and int((result["B04"].values == 0).sum()) < 0.3 * 12 * 1024 * 1024
    result.close()
    assert _temporaries(tmp_path) == []
