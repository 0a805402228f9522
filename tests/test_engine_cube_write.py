"""Writing cubes: the batched netCDF writer keeps every value, whatever the chunking."""

import os

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
    jobs_per_call = -(-threads // 2)  # a job is B04 and B08 of one chunk; a batch holds a block per thread
    assert len(calls) == -(-blocks // jobs_per_call)
    assert all(len(shapes) % 2 == 0 and len(shapes) <= 2 * jobs_per_call for shapes in calls)  # B04 and B08 together
    assert sum(len(shapes) for shapes in calls) == 2 * blocks  # each block computed once
    back = open_cube(path)
    np.testing.assert_array_equal(back["B08"].values, truth["B08"])


# ---- chunks compressed here, stored by HDF5 as they are (engine/netcdf_chunks.py) ------------------


def _edge_cube(chunks=(1, 512, 512)):
    """Two bands over 600 × 700 pixels: edge chunks of 88 and 188 on a 512 grid; a float band with NaN."""
    rng = np.random.default_rng(7)
    shape = (3, 600, 700)
    reflectance = rng.integers(1, 12000, shape, dtype=np.uint16)
    reflectance[:, :50] = 0  # nodata
    ndvi = rng.normal(0.4, 0.2, shape).astype(np.float32)
    ndvi[1, 10:20, 30:40] = np.nan
    coords = {"time": np.datetime64("2022-01-01") + np.arange(3).astype("timedelta64[D]"),
              "y": 4810000 - 10 * np.arange(600) - 5.0, "x": 300000 + 10 * np.arange(700) + 5.0}
    ds = xr.Dataset({"B04": (("time", "y", "x"), da.from_array(reflectance, chunks=chunks)),
                     "NDVI": (("time", "y", "x"), da.from_array(ndvi, chunks=chunks))}, coords=coords)
    ds["B04"].attrs["nodata"] = 0
    return ds, {"B04": reflectance, "NDVI": ndvi}


def _filters(path, name):
    import h5py

    with h5py.File(path, "r") as handle:
        return dict(handle[name]._filters), handle[name].chunks


def test_direct_chunk_writes_store_what_netcdf_would(tmp_path, monkeypatch):
    """Same values, same chunks and filters, readable by netCDF and GDAL; with and without direct writes."""
    from osgeo import gdal

    from sitscube.engine import netcdf_chunks

    stored = []
    original = netcdf_chunks.DirectChunks.store

    def counting(self, name, where, encoded):
        stored.append(encoded[0])
        return original(self, name, where, encoded)

    monkeypatch.setattr(netcdf_chunks.DirectChunks, "store", counting)
    ds, truth = _edge_cube()
    direct = write_cube(ds, str(tmp_path / "direct.nc"), scheduler="threads")
    assert stored and set(stored) == {"chunks"}  # every block went in as compressed chunks

    monkeypatch.setattr(netcdf_chunks, "open_direct", lambda path, names: None)
    plain = write_cube(ds, str(tmp_path / "plain.nc"), scheduler="threads")

    for path in (direct, plain):
        back = open_cube(path)
        np.testing.assert_array_equal(back["B04"].values, truth["B04"])
        np.testing.assert_array_equal(back["NDVI"].values, truth["NDVI"])  # NaN where NaN
        dataset = gdal.Open(f'NETCDF:"{path}":B04')  # kept: a band outlives no dataset
        np.testing.assert_array_equal(dataset.GetRasterBand(2).ReadAsArray(), truth["B04"][1])
        dataset = None
    assert _filters(direct, "B04") == _filters(plain, "B04") == ({"shuffle": (2,), "gzip": cube_io.COMPLEVEL}, (1, 512, 512))
    assert _filters(direct, "NDVI") == _filters(plain, "NDVI")
    raw = sum(v.nbytes for v in truth.values())
    assert os.path.getsize(direct) < raw  # compressed, not stored raw
    assert abs(os.path.getsize(direct) - os.path.getsize(plain)) < 0.1 * os.path.getsize(plain)  # as well as zlib


def test_integer_bands_are_stored_without_xarrays_fill_copy(tmp_path, monkeypatch):
    """xarray encodes a band with a _FillValue as where(notnull(v), v, fill): for integers a copy of
    every block for the same values. Those are written from the band itself; floats still get it."""
    import netCDF4

    executed = []
    where = np.where

    def recording(condition, *values):
        if values and isinstance(values[0], np.ndarray) and values[0].size > 1:  # a block: not dask's probes
            executed.append(np.asarray(values[0]).dtype.kind)
        return where(condition, *values)

    monkeypatch.setattr(np, "where", recording)  # before the graph is built: dask keeps the function
    ds, truth = _edge_cube()
    ds["NDVI"].attrs["nodata"] = -9999.0
    path = write_cube(ds, str(tmp_path / "cube.nc"), scheduler="threads")
    assert "f" in executed  # the float band's NaN still become its fill value
    assert not set(executed) & set("iu")
    with netCDF4.Dataset(path) as handle:
        handle.set_auto_mask(False)
        np.testing.assert_array_equal(handle["B04"][:], truth["B04"])
        assert handle["B04"].getncattr("_FillValue") == 0
        ndvi = handle["NDVI"][:]
    np.testing.assert_array_equal(ndvi, np.where(np.isnan(truth["NDVI"]), np.float32(-9999), truth["NDVI"]))


def test_blocks_off_the_chunk_grid_and_missing_libraries_still_write_every_value(tmp_path, monkeypatch):
    """Dask chunks that cut HDF5 chunks go through h5py's own write; no isal: zlib; no h5py: netCDF."""
    import sys

    ds, truth = _edge_cube(chunks=(1, 100, 130))  # not on the 512 grid
    path = write_cube(ds, str(tmp_path / "unaligned.nc"), scheduler="threads")
    np.testing.assert_array_equal(open_cube(path)["B04"].values, truth["B04"])

    ds, truth = _edge_cube()
    monkeypatch.setitem(sys.modules, "isal", None)  # import isal raises ImportError
    path = write_cube(ds, str(tmp_path / "zlib.nc"), scheduler="threads")
    np.testing.assert_array_equal(open_cube(path)["B04"].values, truth["B04"])
    assert _filters(path, "B04")[0]["gzip"] == cube_io.COMPLEVEL

    monkeypatch.setitem(sys.modules, "h5py", None)
    path = write_cube(ds, str(tmp_path / "netcdf.nc"), scheduler="threads")
    np.testing.assert_array_equal(open_cube(path)["NDVI"].values, truth["NDVI"])


def test_blocks_that_share_inputs_are_computed_together(tmp_path, monkeypatch):
    """Gap-filled bands (all dates, half a tile wide) and the one-date SCL of the same tile: one compute."""
    from sitscube.engine import scheduler as schedulers

    monkeypatch.setattr(cube_io, "BATCH_BYTES", 1)  # every job its own batch
    rng = np.random.default_rng(1)
    dates, size = 4, 256
    values = rng.integers(1, 5000, (dates, size, size), dtype=np.uint16)
    scl = rng.integers(0, 12, (dates, size, size), dtype=np.uint8)
    coords = {"time": np.datetime64("2022-01-01") + np.arange(dates).astype("timedelta64[D]"),
              "y": 4810000 - 10 * np.arange(size) - 5.0, "x": 300000 + 10 * np.arange(size) + 5.0}
    ds = xr.Dataset({"B04": (("time", "y", "x"), da.from_array(values, chunks=(dates, 128, 64))),
                     "SCL": (("time", "y", "x"), da.from_array(scl, chunks=(1, 128, 128)))}, coords=coords)
    calls = []
    original = schedulers.compute

    def counting(*arrays, **kwargs):
        calls.append(len(arrays))
        return original(*arrays, **kwargs)

    monkeypatch.setattr(schedulers, "compute", counting)
    path = write_cube(ds, str(tmp_path / "cube.nc"), scheduler="threads")
    # cells of the coarsest grid: (all dates, 128, 128), 4 of them; each holds 2 B04 and 4 SCL blocks
    assert calls == [6, 6, 6, 6]
    back = open_cube(path)
    np.testing.assert_array_equal(back["B04"].values, values)
    np.testing.assert_array_equal(back["SCL"].values, scl)


def test_shuffle_is_hdf5s_byte_transpose_for_every_type():
    from sitscube.engine.netcdf_chunks import shuffle

    rng = np.random.default_rng(5)
    for dtype in ("u1", "<u2", "<i2", "<u4", "<i4", "<f4", "<f8", "<i8", ">u2", ">f4"):
        values = rng.integers(-30000, 30000, (3, 17, 11)).astype(dtype)
        size = values.dtype.itemsize
        expected = values.reshape(-1).view(np.uint8).reshape(-1, size).T.reshape(-1)  # byte j of every value, j = 0, 1, …
        np.testing.assert_array_equal(np.asarray(shuffle(values)).reshape(-1).view(np.uint8), expected, err_msg=dtype)
