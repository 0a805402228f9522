"""Reading netCDF cubes: chunks fetched under the HDF5 lock, inflated outside it, every value as netCDF reads it."""

import sys

import dask.array as da
import netCDF4
import numpy as np
import xarray as xr

from sitscube.engine.cube_io import open_cube, write_cube
from sitscube.engine.netcdf_direct_read import unshuffle


def _direct(data) -> bool:
    return any(str(key[0] if isinstance(key, tuple) else key).startswith("direct-") for key in dict(data.__dask_graph__()))


def _written_cube(tmp_path):
    """A uint16 band and a float band with NaN over 600 × 700 pixels: edge chunks of 88 and 188 on the 512 grid."""
    rng = np.random.default_rng(11)
    shape = (3, 600, 700)
    reflectance = rng.integers(1, 12000, shape, dtype=np.uint16)
    reflectance[:, :50] = 0
    ndvi = rng.normal(0.4, 0.2, shape).astype(np.float32)
    ndvi[1, 10:20, 30:40] = np.nan
    coords = {"time": np.datetime64("2022-01-01") + np.arange(3).astype("timedelta64[D]"),
              "y": 4810000 - 10 * np.arange(600) - 5.0, "x": 300000 + 10 * np.arange(700) + 5.0}
    ds = xr.Dataset({"B04": (("time", "y", "x"), da.from_array(reflectance, chunks=(1, 512, 512))),
                     "NDVI": (("time", "y", "x"), da.from_array(ndvi, chunks=(1, 512, 512)))}, coords=coords)
    ds["B04"].attrs["nodata"] = 0
    return write_cube(ds, str(tmp_path / "cube.nc"), scheduler="threads"), {"B04": reflectance, "NDVI": ndvi}


def test_cube_bands_are_read_directly_with_every_value(tmp_path):
    path, truth = _written_cube(tmp_path)
    cube = open_cube(path)
    for name, values in truth.items():
        assert _direct(cube[name].data), name
        np.testing.assert_array_equal(cube[name].values, values, err_msg=name)
        assert cube[name].dtype == values.dtype
    # dask chunks that cut the stored chunks: each block takes its part of every chunk it touches
    cut = open_cube(path, chunks={"time": 2, "y": 200, "x": 300})
    assert _direct(cut["B04"].data)
    np.testing.assert_array_equal(cut["B04"].values, truth["B04"])
    np.testing.assert_array_equal(cut["NDVI"][:, 150:420, 290:610].values, truth["NDVI"][:, 150:420, 290:610])
    assert cube["B04"].attrs["nodata"] == 0


def test_unwritten_chunks_other_filters_and_no_h5py_read_as_netcdf_does(tmp_path, monkeypatch):
    path = str(tmp_path / "hand.nc")
    values = np.arange(2 * 40 * 30, dtype=np.int16).reshape(2, 40, 30) - 1000
    with netCDF4.Dataset(path, "w") as nc:
        for dim, size in zip(("time", "y", "x"), values.shape):
            nc.createDimension(dim, size)
        nc.createVariable("time", "f8", ("time",))[:] = [0, 1]
        nc["time"].units = "days since 2022-01-01"
        partial = nc.createVariable("partial", "i2", ("time", "y", "x"), zlib=True, shuffle=True,
                                    chunksizes=(1, 16, 16), fill_value=-7)
        partial[0] = values[0]  # the second date's chunks are never written: the fill value
        plain = nc.createVariable("plain", "i2", ("time", "y", "x"), chunksizes=(1, 16, 16))  # no filter
        plain[:] = values
        checked = nc.createVariable("checked", "i2", ("time", "y", "x"), zlib=True, fletcher32=True, chunksizes=(1, 16, 16))
        checked[:] = values  # fletcher32: a filter not undone here

    cube = open_cube(path)
    expected = values.copy()
    expected[1] = -7
    assert _direct(cube["partial"].data) and _direct(cube["plain"].data)
    assert not _direct(cube["checked"].data)
    np.testing.assert_array_equal(cube["partial"].values, expected)
    np.testing.assert_array_equal(cube["plain"].values, values)
    np.testing.assert_array_equal(cube["checked"].values, values)

    monkeypatch.setitem(sys.modules, "h5py", None)  # import h5py raises ImportError
    cube = open_cube(path)
    assert not _direct(cube["partial"].data)
    np.testing.assert_array_equal(cube["partial"].values, expected)


def test_a_dask_cluster_reads_through_netcdf(tmp_path, monkeypatch):
    from sitscube.engine import scheduler

    path, truth = _written_cube(tmp_path)
    monkeypatch.setattr(scheduler, "scheduler_setting", lambda: "tcp://127.0.0.1:8786")
    cube = open_cube(path)
    assert not _direct(cube["B04"].data)
    np.testing.assert_array_equal(cube["B04"].values, truth["B04"])


def test_unshuffle_undoes_hdf5s_shuffle_for_every_type():
    from sitscube.engine.netcdf_chunks import shuffle

    rng = np.random.default_rng(2)
    for dtype in ("u1", "<u2", "<i2", "<u4", "<f4", "<f8", "<i8", ">u2"):
        values = rng.integers(-30000, 30000, 501).astype(dtype)
        shuffled = np.asarray(shuffle(values)).tobytes()
        np.testing.assert_array_equal(unshuffle(shuffled, values.dtype, values.size), values, err_msg=dtype)


def test_any_numpy_index_reads_what_numpy_gives(tmp_path):
    """dask fuses isel/sel into the read: integers, steps, negative steps, index arrays and masks."""
    from sitscube.engine.netcdf_direct_read import direct_readers

    path, truth = _written_cube(tmp_path)
    reader = direct_readers(path, ["B04"])["B04"]
    values = truth["B04"]
    keys = [(0,), (1, slice(None), 5), (-1, slice(590, 520, -3)), (slice(None), [5, 599, 0, 300], slice(None, None, 7)),
            (np.array([True, False, True]), 3), (2, slice(10, 10)), (Ellipsis, 699), (0, None, slice(3, 5))]
    for key in keys:
        np.testing.assert_array_equal(reader[key], values[key], err_msg=str(key))
    cube = open_cube(path)
    np.testing.assert_array_equal(cube["B04"].isel(time=1, y=slice(None, None, -1)).values, values[1, ::-1])
    np.testing.assert_array_equal(cube["NDVI"].sel(x=cube.x[[3, 400, 650]]).values, truth["NDVI"][:, :, [3, 400, 650]])


def test_inflaters_give_the_stream_back_and_fall_back(monkeypatch):
    """libdeflate (system, ctypes), else isal, else zlib: the same bytes; a stream libdeflate refuses goes to zlib."""
    import zlib

    import pytest

    from sitscube.engine import fast_inflate

    raw = np.random.default_rng(3).integers(0, 3000, 300_000, dtype=np.uint16).tobytes()
    stream = zlib.compress(raw, 1)
    assert fast_inflate._libdeflate() is not None  # GDAL's libdeflate is on this machine (Debian's libdeflate0)
    assert bytes(fast_inflate.inflater()(stream, len(raw))) == raw
    assert bytes(fast_inflate.inflater()(stream, len(raw) + 10)) == raw  # not the size said: zlib's answer
    with pytest.raises(zlib.error):
        fast_inflate.inflater()(stream[:-100], len(raw))
    monkeypatch.setattr(fast_inflate, "_libdeflate", lambda: None)
    assert bytes(fast_inflate.inflater()(stream, len(raw))) == raw  # isal
    monkeypatch.setitem(sys.modules, "isal", None)
    assert bytes(fast_inflate.inflater()(stream, len(raw))) == raw  # zlib
