"""The composite of a whole stored netCDF cube without xarray (engine/stored_composite.py): the same file."""

import json
import os

import numpy as np
import pytest

from sitscube.engine.composite import composite, write_geotiff
from sitscube.engine.cube_io import open_cube, write_cube
from sitscube.engine.errors import Canceled
from sitscube.engine.progress import Progress
from sitscube.engine.stored_composite import plan, write_composite
from test_engine_composite_index import make_cube, random_cube

DATES = [f"2022-{m:02d}-{d:02d}" for m in range(1, 13) for d in (3, 19)]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A cube as the steps store it (write_cube: uint16 nodata 0, reflectance scale, SCL, history), 2 x 2 chunks."""
    from sitscube.engine.cube_io import add_history

    shape = (len(DATES), 700, 600)
    bands = {"B02": random_cube(shape[0], *shape[1:], seed=1), "B04": random_cube(shape[0], *shape[1:], seed=2),
             "B08": random_cube(shape[0], *shape[1:], seed=3), "SCL": np.full(shape, 4, np.uint8)}
    ds = make_cube(bands, DATES, res=10.0)
    for name in ("B02", "B04", "B08"):
        ds[name].attrs["reflectance_scale"] = 0.0001
    ds = add_history(ds, "gapfill", {"method": "linear"})
    path = str(tmp_path_factory.mktemp("stored") / "cube.nc")
    write_cube(ds, path)
    return path


def _file(path):
    from osgeo import gdal

    dataset = gdal.Open(path)
    tags = dataset.GetMetadata()
    records = json.loads(tags.pop("sitscube_history"))
    for record in records:
        record.pop("time")
    bands = [dataset.GetRasterBand(i + 1) for i in range(dataset.RasterCount)]
    described = [(b.GetDescription(), b.GetMetadata(), repr(b.GetNoDataValue()), b.GetScale(), b.GetOffset(), b.DataType,
                  b.GetBlockSize()) for b in bands]
    return (tags, records, described, dataset.GetGeoTransform(), dataset.GetProjection(),
            dataset.GetMetadata("IMAGE_STRUCTURE")), dataset.ReadAsArray()


@pytest.mark.parametrize("method", ["median", "p90", "mean", "max"])
def test_the_same_geotiff_as_through_xarray(stored, tmp_path, method):
    found = plan(stored, method)
    assert found is not None and found.names == ["B02", "B04", "B08"] and found.window == (512, 512)
    fast, slow = str(tmp_path / "fast.tif"), str(tmp_path / "slow.tif")
    infos = []
    write_composite(found, fast, Progress(info=infos.append))
    write_geotiff(composite(open_cube(stored), method), slow)
    (fast_meta, fast_values), (slow_meta, slow_values) = _file(fast), _file(slow)
    assert fast_meta == slow_meta  # descriptions, tags, nodata, scales, type, tiles, grid, CRS, provenance
    assert [r["step"] for r in fast_meta[1]] == ["gapfill", "composite"]
    np.testing.assert_array_equal(fast_values, slow_values)
    assert fast_values.shape == (3, 700, 600) and np.isfinite(fast_values.astype(float)).mean() > 0.99
    assert infos and f"over {len(DATES)} date(s)" in infos[0]


def test_anything_but_the_whole_stored_cube_takes_the_xarray_path(stored, tmp_path):
    assert plan(stored, "median", bands=["B04"]) is None
    assert plan(stored, "median", start="2022-03-01") is None
    assert plan(stored, "median", end="2022-03-01") is None
    assert plan(stored, "median", period="month") is None
    assert plan(str(tmp_path / "missing.nc"), "median") is None
    recipe = tmp_path / "cube.sitscube"
    recipe.write_text("{}")
    assert plan(str(recipe), "median") is None


def test_cancel_leaves_the_users_file(stored, tmp_path):
    target = tmp_path / "composite.tif"
    target.write_bytes(b"the user's file")
    calls = []

    def canceled():
        calls.append(1)
        return len(calls) > 1  # after the first window

    with pytest.raises(Canceled):
        write_composite(plan(stored, "median"), str(target), Progress(is_canceled=canceled))
    assert target.read_bytes() == b"the user's file"
    assert os.listdir(tmp_path) == ["composite.tif"]


def test_the_algorithm_takes_it_and_writes_the_same_file(sitscube_provider, stored, tmp_path):
    import processing

    fast, slow = str(tmp_path / "fast.tif"), str(tmp_path / "slow.tif")
    processing.run("sitscube:composite", {"INPUT": stored, "METHOD": "median", "OUTPUT": fast})
    write_geotiff(composite(open_cube(stored), "median"), slow)
    (fast_meta, fast_values), (slow_meta, slow_values) = _file(fast), _file(slow)
    assert fast_meta == slow_meta
    np.testing.assert_array_equal(fast_values, slow_values)
