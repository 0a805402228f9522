"""`make package`: the plugin zip a QGIS user installs, installed into a fresh
QGIS profile and run from there with the real qgis_process."""

import configparser
import json
import os
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT

# Dates on both sides of baseline 04.00 (25 Jan 2022), so harmonize has work to do
TINY_DATES = ["2021-12-20", "2022-03-19", "2022-04-08"]
DEV_TOP_LEVEL = {".venv", ".venv-stac", "build", "dist", "demo-output", "bench", "bench-output", "tests", "scripts",
                 ".ci", ".git", ".gitignore", ".qgis-settings", "Makefile", "pytest.ini", "requirements-dev.txt",
                 "requirements-stac.txt", "requirements-bench.txt", "test-artifacts"}


def write_tiny_cube(path, dates=TINY_DATES, size=(4, 5), bands=("B04",)):
    """A small Sentinel-2 cube as Load cube writes it (EPSG:32631, 20 m, nodata 0,
    per-date baselines, an SCL band); reflectance bands carry the 04.00 offset
    where the baseline says so, and a spatial pattern so QGIS has something to stretch."""
    import xarray as xr
    from affine import Affine
    from odc.geo.geobox import GeoBox
    from odc.geo.xr import xr_coords

    from sitscube.engine.cube_io import write_cube

    t, (ny, nx) = len(dates), size
    coords = dict(xr_coords(GeoBox((ny, nx), Affine(20, 0, 300000, 0, -20, 4810240), "EPSG:32631")))
    coords["time"] = np.array([np.datetime64(d) for d in dates], dtype="datetime64[ns]")
    coords["item_ids"] = ("time", [f"S2_{d}" for d in dates])
    baselines = ["03.01" if d < "2022-01-25" else "04.00" for d in dates]
    coords["processing_baseline"] = ("time", baselines)
    y, x = np.mgrid[0:ny, 0:nx]
    variables = {}
    for k, band in enumerate(bands):
        pattern = 300 + 2000 * (((x // 8 + y // 8 + k) % 3) / 2) + 10 * x + 5 * y
        offsets = [1000 if b >= "04.00" else 0 for b in baselines]
        variables[band] = (("time", "y", "x"), np.stack([pattern + 50 * i + offsets[i] for i in range(t)]).astype(np.uint16))
    variables["SCL"] = (("time", "y", "x"), np.full((t, ny, nx), 4, np.uint8))
    cube = xr.Dataset(variables, coords=coords)
    for name in cube.data_vars:
        cube[name].attrs["nodata"] = 0
    return write_cube(cube, str(path))


def venv_site_packages() -> str:
    found = sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
    assert found, "no .venv: run 'make setup'"
    return str(found[0])


@pytest.fixture(scope="module")
def package() -> Path:
    completed = subprocess.run(["make", "--no-print-directory", "package"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    metadata = configparser.ConfigParser(interpolation=None)
    metadata.read(ROOT / "metadata.txt", encoding="utf-8")
    path = ROOT / "dist" / f"sitscube-{metadata['general']['version']}.zip"
    assert path.is_file(), completed.stdout
    return path


def test_zip_is_one_plugin_folder_with_valid_metadata(package):
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        text = archive.read("sitscube/metadata.txt").decode("utf-8")
    assert {name.split("/")[0] for name in names} == {"sitscube"}
    metadata = configparser.ConfigParser(interpolation=None)
    metadata.read_string(text)
    general = metadata["general"]
    assert general["name"] == "SITS Cube"
    assert package.name == f"sitscube-{general['version']}.zip"
    assert general["qgisMinimumVersion"] == "3.34"
    assert general["hasProcessingProvider"] == "yes"
    assert f"sitscube/{general['icon']}" in names  # the icon the plugin manager shows


def test_zip_ships_the_plugin_and_translations_but_no_dev_files(package):
    with zipfile.ZipFile(package) as archive:
        files = [n[len("sitscube/"):] for n in archive.namelist() if not n.endswith("/")]
    for needed in ("__init__.py", "metadata.txt", "requirements.txt", "README.md", "plugin/plugin.py",
                   "processing_provider/provider.py", "engine/cube_io.py", "algorithms/harmonize.py"):
        assert needed in files
    if (ROOT / "LICENSE").exists():
        assert "LICENSE" in files
    assert any(f.startswith("i18n/") and f.endswith(".qm") for f in files)  # compiled by `make i18n`
    assert not [f for f in files if f.split("/")[0] in DEV_TOP_LEVEL or f.startswith(".")]
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc") or "/." in f]


def test_zip_is_deterministic(package):
    first = package.read_bytes()
    completed = subprocess.run(["make", "--no-print-directory", "package"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert package.read_bytes() == first


def _fresh_profile_env(config: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("QGIS_PLUGINPATH", "PYTHONDONTWRITEBYTECODE")}
    env.update({
        "QGIS_CUSTOM_CONFIG_PATH": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        # only the dependencies: the plugin itself must come from the profile
        "PYTHONPATH": venv_site_packages(),
        "XDG_RUNTIME_DIR": str(config / "xdg"),
    })
    return env


def test_installed_zip_runs_in_a_fresh_profile(package, tmp_path):
    config = tmp_path / "config"
    plugins = config / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    (config / "xdg").mkdir(mode=0o700)
    with zipfile.ZipFile(package) as archive:
        archive.extractall(plugins)  # what Plugins › Install from ZIP does
    ini = config / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nsitscube=true\n")
    installed = plugins / "sitscube"
    env = _fresh_profile_env(config)

    # A module the plugin imports that git does not track yet is not in the zip
    # (only `git ls-files` ship): name such files when the installed copy fails.
    untracked = [f for f in subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=ROOT,
                                           capture_output=True, text=True).stdout.split()
                 if f.split("/")[0] not in DEV_TOP_LEVEL]
    hint = f"\nNote: these untracked files are not packaged (git add them): {untracked}" if untracked else ""

    listing = subprocess.run(["qgis_process", "--json", "plugins"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout)["plugins"]["sitscube"]["loaded"], listing.stdout + listing.stderr + hint

    cube = write_tiny_cube(tmp_path / "cube.nc")
    output = tmp_path / "harmonized.nc"
    run = subprocess.run(
        ["qgis_process", "--json", "run", "sitscube:harmonize", "--", f"INPUT={cube}", f"OUTPUT={output}"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr + hint
    assert json.loads(run.stdout)["results"]["OUTPUT"] == str(output)

    from sitscube.engine.cube_io import open_cube

    result = open_cube(str(output))
    values, raw = result.B04.values, open_cube(str(cube)).B04.values
    np.testing.assert_array_equal(values[0], raw[0])  # baseline 03.01: untouched
    np.testing.assert_array_equal(values[1:], raw[1:] - 1000)  # 04.00: offset removed
    assert (result.SCL.values == 4).all()
    assert (Path(str(output) + ".layers") / "B04.vrt").exists()
    # the code that ran is the installed copy: Python compiled it there
    # (PYTHONDONTWRITEBYTECODE removed above; nothing else puts sitscube on the path)
    assert list((installed / "algorithms" / "__pycache__").glob("harmonize.*.pyc"))
    assert list((installed / "engine" / "__pycache__").glob("harmonize.*.pyc"))
