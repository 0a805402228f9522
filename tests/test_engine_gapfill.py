"""Gap-filling along time: known values on irregular dates, options, types, chunks, and the truth."""

import numpy as np
import pytest
import xarray as xr

from sitscube.engine import sample_catalog as sc
from sitscube.engine.cube_io import history
from sitscube.engine.errors import UserError
from sitscube.engine.gapfill import fill_block, gap_fill
from sitscube.engine.progress import Progress

START = np.datetime64("2022-03-01T10:30:00", "ns")


def make_cube(bands, days, chunks=None):
    """A (time, y, x) cube on the given days after START, nodata 0, per-date coordinates."""
    first = next(iter(bands.values()))
    t, ny, nx = first.shape
    coords = {
        "time": START + (np.asarray(days, dtype=np.float64) * 86400e9).astype("timedelta64[ns]"),
        "y": 4810230.0 - 20.0 * np.arange(ny),
        "x": 300010.0 + 20.0 * np.arange(nx),
        "item_ids": ("time", [f"S2_{i}" for i in range(t)]),
        "processing_baseline": ("time", ["04.00"] * t),
    }
    ds = xr.Dataset({name: (("time", "y", "x"), array) for name, array in bands.items()}, coords=coords)
    for name in ds.data_vars:
        ds[name].attrs["nodata"] = 0
    return ds.chunk(chunks) if chunks else ds


def series(values, dtype=np.uint16):
    """One pixel's time series as a (T, 1, 1) array."""
    return np.asarray(values, dtype=dtype)[:, None, None]


def filled(ds, band="B04", **kwargs):
    return gap_fill(ds, **kwargs)[band].values[:, 0, 0].tolist()


DAYS = [0, 10, 40, 45]


# ---- methods on known values ---------------------------------------------------------


def test_linear_is_weighted_by_dates_not_by_index():
    ds = make_cube({"B04": series([100, 0, 400, 0])}, DAYS)
    # day 10 of 0..40: 100 + 300 * 10/40 = 175 (by index it would be 250); day 45 is an edge -> 400
    assert filled(ds) == [100, 175, 400, 400]


def test_linear_two_missing_dates_and_rounding_half_away_from_zero():
    # days 0, 10, 40 missing, 45: between 100 (day 0) and 101 (day 45)
    ds = make_cube({"B04": series([100, 0, 0, 101])}, DAYS)
    # 100 + 10/45 = 100.22 -> 100; 100 + 40/45 = 100.89 -> 101
    assert filled(ds) == [100, 100, 101, 101]
    # exactly half: day 10 of 0..20 between 100 and 101 -> 100.5 -> 101 (np.rint would give 100)
    half = make_cube({"B04": series([100, 0, 101])}, [0, 10, 20])
    assert filled(half) == [100, 101, 101]


def test_nearest_and_ties_go_to_the_earlier_date():
    ds = make_cube({"B04": series([100, 0, 400, 0])}, DAYS)
    assert filled(ds, method="nearest") == [100, 100, 400, 400]  # day 10 is 10 from day 0, 30 from day 40
    ds = make_cube({"B04": series([100, 0, 0, 400])}, [0, 30, 35, 60])
    assert filled(ds, method="nearest") == [100, 100, 400, 400]  # day 30: a tie (30/30) -> earlier
    ds = make_cube({"B04": series([100, 0, 400])}, [0, 31, 60])
    assert filled(ds, method="nearest") == [100, 400, 400]


def test_previous_carries_the_last_valid_value_forward():
    ds = make_cube({"B04": series([100, 0, 400, 0])}, DAYS)
    assert filled(ds, method="previous") == [100, 100, 400, 400]
    ds = make_cube({"B04": series([0, 200, 0, 0])}, DAYS)
    assert filled(ds, method="previous") == [200, 200, 200, 200]  # leading edge: nearest valid


@pytest.mark.parametrize("method", ["linear", "nearest", "previous"])
def test_edges_on_and_off(method):
    ds = make_cube({"B04": series([0, 300, 0, 500, 0, 0])}, [0, 10, 40, 45, 50, 70])
    on = filled(ds, method=method)
    off = filled(ds, method=method, fill_edges=False)
    assert on[0] == 300 and on[4:] == [500, 500]
    assert off[0] == 0 and off[4:] == [0, 0]
    assert on[1:4] == off[1:4] and off[2] != 0  # the inner gap is filled either way


def test_max_gap_days():
    ds = make_cube({"B04": series([100, 0, 400, 0, 0, 0, 200])}, [0, 10, 40, 45, 60, 100, 110])
    # gaps: 0..40 (40 days) and 40..110 (70 days)
    assert filled(ds, max_gap_days=50) == [100, 175, 400, 0, 0, 0, 200]
    assert filled(ds, max_gap_days=70) == [100, 175, 400, 386, 343, 229, 200]  # 70 is inclusive
    assert filled(ds, max_gap_days=30) == [100, 0, 400, 0, 0, 0, 200]
    assert filled(ds, method="nearest", max_gap_days=50) == [100, 100, 400, 0, 0, 0, 200]
    # previous: the age of the carried value, t - t0
    assert filled(ds, method="previous", max_gap_days=20) == [100, 100, 400, 400, 400, 0, 200]
    # edges: distance to the nearest valid value
    edges = make_cube({"B04": series([0, 0, 300, 0, 0])}, [0, 30, 40, 45, 90])
    assert filled(edges, max_gap_days=10) == [0, 300, 300, 300, 0]
    with pytest.raises(UserError, match="maximum gap"):
        gap_fill(ds, max_gap_days=-1)


def test_all_missing_pixel_stays_nodata_and_single_valid_fills_all():
    data = np.zeros((4, 1, 2), dtype=np.uint16)
    data[2, 0, 1] = 250
    out = gap_fill(make_cube({"B04": data}, DAYS))["B04"].values
    assert out[:, 0, 0].tolist() == [0, 0, 0, 0]
    assert out[:, 0, 1].tolist() == [250, 250, 250, 250]


def test_valid_values_are_never_changed():
    rng = np.random.default_rng(3)
    data = rng.integers(1, 10000, (12, 5, 6)).astype(np.uint16)
    data[rng.random(data.shape) < 0.4] = 0
    out = gap_fill(make_cube({"B04": data}, np.cumsum(rng.integers(1, 30, 12))))["B04"].values
    assert np.array_equal(out[data != 0], data[data != 0])


# ---- types and nodata --------------------------------------------------------------


def test_dtype_and_attrs_kept():
    ds = make_cube({"B04": series([100, 0, 400, 0]), "B8A": series([7, 0, 9, 0], dtype=np.int16)}, DAYS)
    ds["B04"].attrs["scale"] = 1e-4
    out = gap_fill(ds)
    assert out["B04"].dtype == np.uint16 and out["B8A"].dtype == np.int16
    assert out["B04"].attrs == {"nodata": 0, "scale": 1e-4}
    assert out["B8A"].values[:, 0, 0].tolist() == [7, 8, 9, 9]  # 7.5 -> 8
    assert list(out["item_ids"].values) == list(ds["item_ids"].values)  # per-date metadata kept


def test_filled_pixels_never_get_the_nodata_value():
    # uint16, nodata 0: the smallest valid values stay >= 1
    ds = make_cube({"B04": series([1, 0, 0, 1])}, DAYS)
    assert filled(ds) == [1, 1, 1, 1]
    # a signed band: between -3 and 3 lies 0, the nodata value -> 1
    ds = make_cube({"B12": series([-3, 0, 3], dtype=np.int16)}, [0, 10, 20])
    assert filled(ds, band="B12") == [-3, 1, 3]
    # another nodata: halfway between 4 and 6 is 5 = nodata -> 6
    ds = make_cube({"B04": series([4, 5, 6])}, [0, 10, 20])
    ds["B04"].attrs["nodata"] = 5
    assert filled(ds) == [4, 6, 6]
    # nodata = the type's maximum: the next value inside the range is below it
    ds = make_cube({"B04": series([65534, 65535, 65534])}, [0, 10, 20])
    ds["B04"].attrs["nodata"] = 65535
    assert filled(ds) == [65534, 65534, 65534]


def test_float_band_with_nan_nodata():
    ds = make_cube({"ndvi": series([0.2, np.nan, 0.6, np.nan], dtype=np.float32)}, DAYS)
    del ds["ndvi"].attrs["nodata"]
    out = filled(ds, band="ndvi")
    assert out == pytest.approx([0.2, 0.3, 0.6, 0.6])


def test_categorical_bands_untouched():
    scl = series([4, 0, 8, 0], dtype=np.uint8)
    ds = make_cube({"B04": series([100, 0, 400, 0]), "SCL": scl, "qa60": scl.copy(), "mask_cloud": scl.copy()}, DAYS)
    out = gap_fill(ds)
    for name in ("SCL", "qa60", "mask_cloud"):
        assert out[name].values[:, 0, 0].tolist() == [4, 0, 8, 0]
    assert out["B04"].values[:, 0, 0].tolist() == [100, 175, 400, 400]
    assert history(out)[-1]["parameters"]["bands"] == ["B04"]
    # asked for explicitly: skipped with a warning
    progress = Progress()
    out = gap_fill(ds, bands="B04,scl", progress=progress)
    assert out["SCL"].values[:, 0, 0].tolist() == [4, 0, 8, 0]
    assert any("SCL" in w for w in progress.warnings)


def test_bands_parameter_limits_the_work():
    ds = make_cube({"B04": series([100, 0, 400, 0]), "B8A": series([100, 0, 400, 0])}, DAYS)
    out = gap_fill(ds, bands=["b8a"])
    assert out["B04"].values[:, 0, 0].tolist() == [100, 0, 400, 0]
    assert out["B8A"].values[:, 0, 0].tolist() == [100, 175, 400, 400]
    with pytest.raises(UserError, match="no band B99"):
        gap_fill(ds, bands="B99")


# ---- errors and provenance ------------------------------------------------------------


def test_user_errors():
    ds = make_cube({"B04": series([100, 0, 400, 0])}, DAYS)
    with pytest.raises(UserError, match="Unknown gap-fill method"):
        gap_fill(ds, method="cubic")
    with pytest.raises(UserError, match="at least two dates"):
        gap_fill(ds.isel(time=[0]))
    with pytest.raises(UserError, match="at least two dates"):
        gap_fill(ds.isel(time=0))
    with pytest.raises(UserError, match="not in order"):
        gap_fill(ds.isel(time=[1, 0, 2]))


def test_provenance_recorded():
    ds = make_cube({"B04": series([100, 0, 400, 0])}, DAYS)
    record = history(gap_fill(ds, method="nearest", fill_edges=False, max_gap_days=30))[-1]
    assert record["step"] == "gapfill"
    assert record["parameters"] == {"method": "nearest", "fill_edges": False, "max_gap_days": 30.0, "bands": ["B04"]}


def test_duplicate_dates_do_not_divide_by_zero():
    # two products on day 10 around a missing one (GROUPBY 'none'): the earlier neighbour's value
    ds = make_cube({"B04": series([100, 200, 0, 300])}, [0, 10, 10, 10])
    assert filled(ds) == [100, 200, 200, 300]


# ---- laziness, chunks and a reference ------------------------------------------------------


def random_cube(t=30, ny=17, nx=23, missing=0.4, seed=0, chunks=None):
    rng = np.random.default_rng(seed)
    days = np.cumsum(rng.integers(1, 20, t)).astype(float) + rng.random(t)  # irregular, fractional days
    data = rng.integers(1, 12000, (t, ny, nx)).astype(np.uint16)
    data[rng.random(data.shape) < missing] = 0
    data[:, 0, 0] = 0  # one pixel never observed
    data[:, 1, 1] = 0
    data[7, 1, 1] = 4321  # one pixel observed once
    return make_cube({"B04": data, "B8A": data[:, ::-1, :].copy()}, days, chunks=chunks), days


def reference_linear(data, days):
    """Straightforward per-pixel reference: np.interp on the valid dates (constant beyond the ends)."""
    out = data.copy()
    for i in range(data.shape[1]):
        for j in range(data.shape[2]):
            valid = data[:, i, j] != 0
            if valid.any():
                v = np.interp(days, days[valid], data[valid, i, j].astype(np.float64))
                out[:, i, j] = np.trunc(v + 0.5)  # values > 0: round half up = half away from zero
    return out


def test_chunked_equals_unchunked_and_is_lazy():
    ds, _ = random_cube()
    chunked = ds.chunk({"time": 1, "y": 5, "x": 4})
    for method in ("linear", "nearest", "previous"):
        for kwargs in ({}, {"fill_edges": False, "max_gap_days": 25}):
            lazy = gap_fill(chunked, method=method, **kwargs)
            assert lazy["B04"].chunks is not None  # still lazy
            assert lazy["B04"].data.chunks[1:] == chunked["B04"].data.chunks[1:]  # y/x chunks kept
            expected = gap_fill(ds, method=method, **kwargs)
            for band in ("B04", "B8A"):
                assert np.array_equal(lazy[band].values, expected[band].values), (method, kwargs, band)


def test_inputs_are_never_changed_whatever_their_chunks():
    """Each task fills in place only the block it gathered itself; the input's blocks stay as they were."""
    import dask.array as da

    ds, days = random_cube()
    truth = ds["B04"].values.copy()
    expected = gap_fill(ds)["B04"].values
    for chunks in ((30, 17, 23), (30, 9, 23), (7, 9, 23)):
        source = truth.copy()  # from_array's blocks are views of it
        cube = ds.copy()
        cube["B04"] = (("time", "y", "x"), da.from_array(source, chunks=chunks), dict(ds["B04"].attrs))
        filled = gap_fill(cube)["B04"].values
        assert np.array_equal(source, truth), chunks  # not filled in place
        assert np.array_equal(filled, expected) and (filled != truth).any()
    block = truth.copy()
    fill_block(block, days - days[0], 0)
    assert np.array_equal(block, truth)  # a numpy block too


def test_blocks_gathered_across_uneven_chunks(monkeypatch):
    """Target chunks cut across the input's (uneven dates, rows and columns): every value in its place."""
    from sitscube.engine import gapfill as module

    ds, _ = random_cube(t=30, ny=160, nx=144)
    monkeypatch.setattr(module, "BLOCK_BYTES", 30 * 80 * 72 * 2)  # 100 x 144 halved to 50 x 72 pixels
    chunked = ds.chunk({"time": (4, 11, 15), "y": (30, 100, 30), "x": (144,)})
    lazy = gap_fill(chunked)["B04"]
    assert lazy.data.chunks == ((30,), (50, 50, 50, 10), (72, 72))
    assert np.array_equal(lazy.values, gap_fill(ds)["B04"].values)


def test_small_slabs_equal_one_slab(monkeypatch):
    from sitscube.engine import gapfill as module

    ds, days = random_cube()
    data = ds["B04"].values
    whole = fill_block(data, days - days[0], 0)
    monkeypatch.setattr(module, "SLAB_ELEMENTS", 7 * data.shape[0])  # 7 pixels per slab
    assert np.array_equal(fill_block(data, days - days[0], 0), whole)


def test_equals_reference_implementation_on_random_cube():
    ds, days = random_cube(t=30, ny=40, nx=50, missing=0.4, seed=11)
    out = gap_fill(ds.chunk({"y": 16, "x": 16}))
    for band in ("B04", "B8A"):
        data = ds[band].values
        assert np.array_equal(out[band].values, reference_linear(data, days)), band
    assert out["B04"].values[:, 0, 0].tolist() == [0] * 30
    assert set(out["B04"].values[:, 1, 1].tolist()) == {4321}


def test_time_axis_not_first():
    ds, _ = random_cube()
    moved = ds.transpose("y", "x", "time")
    out = gap_fill(moved)
    assert out["B04"].dims == ("y", "x", "time")
    assert np.array_equal(out["B04"].transpose("time", "y", "x").values, gap_fill(ds)["B04"].values)


# ---- the truth -----------------------------------------------------------------------------


def test_fills_cloudy_pixels_with_the_interpolated_truth():
    """Knock out the cloudy pixels of the true surface, gap-fill, compare with np.interp of the truth."""
    scene = sc.SampleScene()
    dates = scene.dates
    window = (slice(40, 104), slice(60, 124))  # 64 × 64 pixels of the 20 m grid
    truth = np.stack([scene.surface("B8A", d)[window] for d in dates])  # int32
    truth = np.clip(truth, 1, 65535).astype(np.uint16)  # as stored: 0 is nodata
    cloudy = np.stack([np.isin(scene.scl(d)[window], [3, 8, 9, 10]) for d in dates])
    assert 0.05 < cloudy.mean() < 0.6  # the window really has gaps
    masked = np.where(cloudy, 0, truth).astype(np.uint16)

    days = np.array([(d - dates[0]).days for d in dates], dtype=np.float64)
    ds = make_cube({"B8A": masked, "SCL": np.stack([scene.scl(d)[window] for d in dates])}, days, chunks={"time": 1, "y": 32, "x": 32})
    out = gap_fill(ds)["B8A"].values

    # Independent expectation: per pixel, np.interp of the clear truth at the clear dates (in days).
    expected = truth.copy()
    for i in range(truth.shape[1]):
        for j in range(truth.shape[2]):
            clear = ~cloudy[:, i, j]
            if not clear.any():
                expected[:, i, j] = 0  # never clear: stays nodata
                continue
            v = np.interp(days, days[clear], truth[clear, i, j].astype(np.float64))
            expected[:, i, j] = np.floor(v + 0.5)
    assert np.array_equal(out[~cloudy], truth[~cloudy])  # clear pixels are the truth, untouched
    assert np.array_equal(out[cloudy], expected[cloudy])
    # and the fill is close to the real (hidden) surface where the season changes slowly
    inner = cloudy & (out > 0)
    error = np.abs(out[inner].astype(float) - truth[inner].astype(float))
    assert np.median(error) < 300

