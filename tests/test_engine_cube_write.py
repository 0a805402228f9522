"""Writing cubes: the batched netCDF writer keeps every value, whatever the chunking."""

import dask.array as da
import numpy as np
import xarray as xr

from sitscube.engine import cube_io
from sitscube.engine.cube_io import open_cube, write_cube


def _cube(dates=5, size=300, chunks=(1, 128, 96)):
    rng = np.random.default_rng(3)
    values = {name: rng.integers(0, 10000, (dates, size, size), dtype=np.uint16) for name in ("B04", "B08")}
    scl = rng.integers(0, 12, (dates, size, size), dtype=np.uint8)
    coords = {"time": np.datetime64("2022-01-01") + np.arange(dates).astype("timedelta64[D]"),
              "y": 4810000 - 10 * np.arange(size) - 5.0, "x": 300000 + 10 * np.arange(size) + 5.0,
              "item_ids": ("time", [f"item-{i}" for i in range(dates)])}
    ds = xr.Dataset({name: (("time", "y", "x"), da.from_array(v, chunks=chunks)) for name, v in values.items()}, coords=coords)
    ds["SCL"] = (("time", "y", "x"), da.from_array(scl, chunks=(dates, 64, 64)))  # other chunks than the bands
    ds["count"] = (("y", "x"), np.ones((size, size), dtype=np.int16))  # in memory, no time axis
    for name in ("B04", "B08", "SCL"):
        ds[name].attrs["nodata"] = 0
    return ds, {**values, "SCL": scl}


def test_batched_netcdf_write_keeps_every_value(tmp_path, monkeypatch):
    monkeypatch.setattr(cube_io, "BATCH_BYTES", 200_000)  # many small batches
    ds, truth = _cube()
    path = write_cube(ds, str(tmp_path / "cube.nc"), scheduler="threads")
    back = open_cube(path)
    for name, values in truth.items():
        np.testing.assert_array_equal(back[name].values, values)
        assert back[name].dtype == values.dtype
    np.testing.assert_array_equal(back["count"].values, 1)
    assert list(back["item_ids"].values) == [f"item-{i}" for i in range(5)]
    assert back["B04"].encoding["chunksizes"] == (1, 300, 300)  # min(size, CHUNK)


def test_batches_are_computed_a_few_blocks_at_a_time(tmp_path, monkeypatch):
    """Each compute gets one batch of blocks, every band of a block together: memory does not grow with the area."""
    import os

    from sitscube.engine import scheduler as schedulers

    monkeypatch.setattr(cube_io, "BATCH_BYTES", 1)  # as few blocks per batch as there are threads
    ds, truth = _cube(dates=3, size=256, chunks=(1, 64, 64))
    ds = ds.drop_vars("SCL")
    calls = []
    original = schedulers.compute

    def counting(*arrays, **kwargs):
        calls.append([a.shape for a in arrays])
        return original(*arrays, **kwargs)

    monkeypatch.setattr(schedulers, "compute", counting)
    path = write_cube(ds, str(tmp_path / "cube.nc"), scheduler="threads")
    threads = os.cpu_count() or 1
    blocks = 3 * 4 * 4  # dates × 4 × 4 chunks of 64², per band
    assert len(calls) == -(-blocks // threads)
    assert all(len(shapes) <= 2 * threads and set(shapes) == {(1, 64, 64)} for shapes in calls)  # B04 and B08 together
    back = open_cube(path)
    np.testing.assert_array_equal(back["B08"].values, truth["B08"])
