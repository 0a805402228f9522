"""Baseline harmonization and cloud masking: the domain rules, on small cubes of known values and on the truth."""

import numpy as np
import pytest
import xarray as xr

from sitscube.engine import sample_catalog as sc
from sitscube.engine.cloudmask import cloud_mask, dilate_disc
from sitscube.engine.cube_io import history, open_cube, write_cube
from sitscube.engine.errors import UserError
from sitscube.engine.harmonize import harmonize
from sitscube.engine.progress import Progress


def make_cube(bands, dates, baselines=None, applied=None, chunks=None):
    """A (time, y, x) cube like Load cube writes: nodata 0, per-date coordinates."""
    first = next(iter(bands.values()))
    t, ny, nx = first.shape
    coords = {
        "time": np.array([np.datetime64(d) for d in dates], dtype="datetime64[ns]"),
        "y": 4810230.0 - 20.0 * np.arange(ny),
        "x": 300010.0 + 20.0 * np.arange(nx),
        "item_ids": ("time", [f"S2_{d}" for d in dates]),
        "platform": ("time", ["sentinel-2a"] * t),
        "cloud_cover": ("time", np.linspace(0, 50, t)),
    }
    if baselines is not None:
        coords["processing_baseline"] = ("time", list(baselines))
    if applied is not None:
        coords["boa_offset_applied"] = ("time", np.asarray(applied))
    ds = xr.Dataset({name: (("time", "y", "x"), array) for name, array in bands.items()}, coords=coords)
    for name in ds.data_vars:
        ds[name].attrs["nodata"] = 0
    return ds.chunk(chunks) if chunks else ds


def const(value, t=1, n=2, dtype=np.uint16):
    return np.full((t, n, n), value, dtype=dtype)


# ---- harmonize -------------------------------------------------------------------


def test_offset_removed_by_baseline_not_by_date():
    dates = ["2021-05-01", "2021-12-01", "2022-02-01", "2022-12-20"]
    baselines = ["05.00", "03.01", "04.00", "05.09"]  # the first is an old product reprocessed to 05.00
    ds = make_cube({"B04": const(2000, t=4), "B8A": const(3000, t=4)}, dates, baselines)
    out, corrected = harmonize(ds)
    assert corrected == ["2021-05-01", "2022-02-01", "2022-12-20"]
    assert out["B04"].values[:, 0, 0].tolist() == [1000, 2000, 1000, 1000]
    assert out["B8A"].values[:, 0, 0].tolist() == [2000, 3000, 2000, 2000]
    assert out["B04"].dtype == np.uint16 and out["B04"].attrs["nodata"] == 0
    assert list(out.coords["processing_baseline"].values) == baselines  # metadata carried through


def test_catalog_corrected_dates_skipped():
    dates = ["2022-02-01", "2022-03-01", "2021-06-01"]
    ds = make_cube({"red": const(2500, t=3)}, dates, ["04.00", "04.00", "05.00"], applied=[0, 1, 0])
    out, corrected = harmonize(ds)
    assert corrected == ["2022-02-01", "2021-06-01"]
    assert out["red"].values[:, 0, 0].tolist() == [1500, 2500, 1500]


def test_nodata_dark_and_bright_values():
    stored = np.array([[[0, 950, 1000, 1001], [1500, 13000, 65535, 1]]], dtype=np.uint16)
    ds = make_cube({"B12": stored}, ["2022-06-01"], ["04.00"])
    out, _ = harmonize(ds)
    # nodata stays 0; below-offset values clamp to 1 (never wrap to 65486); bright values are not clipped
    assert out["B12"].values.tolist() == [[[0, 1, 1, 1], [500, 12000, 64535, 1]]]
    assert out["B12"].dtype == np.uint16


def test_scl_untouched():
    scl = np.array([[[0, 4], [8, 10]]], dtype=np.uint8)
    ds = make_cube({"B04": const(1800), "SCL": scl}, ["2022-06-01"], ["04.00"])
    out, _ = harmonize(ds)
    np.testing.assert_array_equal(out["SCL"].values, scl)
    assert out["SCL"].dtype == np.uint8
    assert out["B04"].values[0, 0, 0] == 800


def test_never_twice():
    ds = make_cube({"B04": const(1800)}, ["2022-06-01"], ["04.00"])
    once, corrected = harmonize(ds)
    assert corrected == ["2022-06-01"]
    assert [r["step"] for r in history(once)] == ["harmonize"]
    assert history(once)[0]["parameters"]["dates_corrected"] == ["2022-06-01"]
    progress = Progress()
    twice, corrected = harmonize(once, progress)
    assert corrected == []
    assert twice is once
    assert twice["B04"].values[0, 0, 0] == 800
    assert any("already harmonized" in w for w in progress.warnings)


def test_never_twice_after_a_round_trip_through_a_file(tmp_path):
    ds = make_cube({"B04": const(1800, n=4)}, ["2022-06-01"], ["04.00"])
    path = write_cube(harmonize(ds)[0], str(tmp_path / "h.nc"))
    reopened = open_cube(path)
    again, corrected = harmonize(reopened, Progress())
    assert corrected == []
    assert int(again["B04"].values[0, 0, 0]) == 800


def test_not_a_sentinel2_cube():
    ds = make_cube({"B04": const(1800)}, ["2022-06-01"])  # no processing_baseline
    with pytest.raises(UserError, match="not a Sentinel-2"):
        harmonize(ds)


def test_mixed_baselines_in_one_date_refused():
    ds = make_cube({"B04": const(1800, t=2)}, ["2022-01-20", "2022-06-01"], ["03.01,04.00", "04.00"])
    with pytest.raises(UserError, match="2022-01-20"):
        harmonize(ds)
    # baselines that agree on the offset are fine
    ok = make_cube({"B04": const(1800)}, ["2022-12-10"], ["04.00,05.09"])
    assert harmonize(ok)[1] == ["2022-12-10"]


def test_a_date_mixing_corrected_and_uncorrected_products_is_refused():
    ds = make_cube({"red": const(1800)}, ["2022-06-01"], ["04.00"], applied=[-2])
    with pytest.raises(UserError, match="2022-06-01.*GROUPBY 'none'"):
        harmonize(ds)


def test_unflagged_dates_are_decided_by_baseline_with_a_warning():
    # 2022-06-01 flagged corrected, 2022-07-01 without the flag (values as ESA ships them), 2021-09-01 pre-04.00
    dates = ["2021-09-01", "2022-06-01", "2022-07-01"]
    ds = make_cube({"red": const(1800, t=3)}, dates, ["03.01", "04.00", "04.00"], applied=[-1, 1, -1])
    progress = Progress()
    out, corrected = harmonize(ds, progress)
    assert corrected == ["2022-07-01"]
    assert out["red"].values[:, 0, 0].tolist() == [1800, 1800, 800]
    assert any("2022-07-01" in w and "UNFLAGGED_DATES" in w for w in progress.warnings)
    # the override: the catalog removed it there too
    out, corrected = harmonize(ds, unflagged="removed")
    assert corrected == [] and out["red"].values[:, 0, 0].tolist() == [1800, 1800, 1800]
    with pytest.raises(UserError, match="UNFLAGGED_DATES must be one of"):
        harmonize(ds, unflagged="maybe")


def test_float_cubes_are_corrected_in_their_units():
    dates = ["2021-12-01", "2022-02-01"]
    dn = make_cube({"B04": np.array([[[np.nan, 1800.0]], [[np.nan, 1800.0]]], dtype=np.float32)}, dates, ["03.01", "04.00"])
    dn["B04"].attrs["nodata"] = np.float32(np.nan)
    out, corrected = harmonize(dn)
    assert corrected == ["2022-02-01"] and out["B04"].dtype == np.float32
    np.testing.assert_array_equal(out["B04"].values[:, 0], [[np.nan, 1800.0], [np.nan, 800.0]])
    reflectance = dn.copy()
    reflectance["B04"] = dn["B04"] / 10000
    reflectance["B04"].attrs.update(units="reflectance", nodata=np.float32(np.nan))
    out, _ = harmonize(reflectance)
    np.testing.assert_allclose(out["B04"].values[:, 0], [[np.nan, 0.18], [np.nan, 0.08]], rtol=1e-6)
    # reflectance that Load cube made with each date's offset already applied is left as it is
    applied = reflectance.copy()
    applied["B04"].attrs["scale_offset_applied"] = "per date"
    out, _ = harmonize(applied)
    np.testing.assert_array_equal(out["B04"].values, applied["B04"].values)


def test_dates_needing_the_correction_with_no_band_to_correct_are_an_error():
    ds = make_cube({"SCL": const(4, dtype=np.uint8)}, ["2022-06-01"], ["04.00"])
    with pytest.raises(UserError, match="no reflectance band"):
        harmonize(ds)


def test_harmonize_is_lazy():
    rng = np.random.default_rng(0)
    values = rng.integers(0, 20000, size=(3, 10, 10)).astype(np.uint16)
    ds = make_cube({"B04": values}, ["2021-12-01", "2022-02-01", "2022-03-01"], ["03.01", "04.00", "04.00"],
                   chunks={"time": 1, "y": 4, "x": 4})
    out, _ = harmonize(ds)
    assert out["B04"].chunks is not None  # still a dask graph
    expected = values.astype(np.int32)
    expected[1:] = np.where(values[1:] == 0, 0, np.maximum(expected[1:] - 1000, 1))
    np.testing.assert_array_equal(out["B04"].values, expected.astype(np.uint16))


# ---- cloud mask ------------------------------------------------------------------


def test_mask_values_exact():
    scl = np.arange(12, dtype=np.uint8).reshape(1, 3, 4)
    ds = make_cube({"B04": const(500, n=4)[:, :3, :], "B08": const(3000, n=4)[:, :3, :], "SCL": scl},
                   ["2022-06-01"], ["04.00"])
    out, dropped = cloud_mask(ds)
    assert dropped == []
    masked = np.isin(scl, [0, 1, 3, 8, 9, 10])
    for band in ("B04", "B08"):
        np.testing.assert_array_equal(out[band].values == 0, masked)
        assert out[band].dtype == np.uint16
    np.testing.assert_array_equal(out["SCL"].values, scl)  # the mask band is kept
    record = history(out)[-1]
    assert record["step"] == "cloudmask"
    assert record["parameters"]["mask_values"] == [0, 1, 3, 8, 9, 10]


def test_mask_band_case_insensitive_and_custom_values():
    scl = np.array([[[4, 11], [8, 5]]], dtype=np.uint8)
    ds = make_cube({"red": const(500), "scl": scl}, ["2022-06-01"], ["04.00"], applied=[1])
    out, _ = cloud_mask(ds, mask_band="SCL", mask_values=[11])
    assert out["red"].values.tolist() == [[[500, 0], [500, 500]]]


def test_missing_mask_band_lists_the_bands():
    ds = make_cube({"B04": const(500), "B08": const(500)}, ["2022-06-01"], ["04.00"])
    with pytest.raises(UserError, match="B04, B08"):
        cloud_mask(ds)


def _disc_truth(seeds, shape, radius):
    """Brute-force dilation: every pixel within radius (Euclidean) of a seed."""
    rows, cols = np.indices(shape)
    out = np.zeros(shape, dtype=bool)
    for r, c in seeds:
        out |= (rows - r) ** 2 + (cols - c) ** 2 <= radius**2
    return out


def test_dilation_exact_across_chunk_boundaries():
    shape = (12, 12)
    seeds = [(3, 3), (4, 8), (11, 0)]  # next to the 4-pixel chunk edges and the array corner
    scl = np.full((1,) + shape, 4, dtype=np.uint8)
    for r, c in seeds:
        scl[0, r, c] = 9
    bands = {"B04": np.full((1,) + shape, 700, np.uint16), "SCL": scl}
    expected = _disc_truth(seeds, shape, 2)
    for chunks in (None, {"time": 1, "y": 4, "x": 4}, {"time": 1, "y": 3, "x": 5}):
        ds = make_cube(bands, ["2022-06-01"], ["04.00"], chunks=chunks)
        out, _ = cloud_mask(ds, dilation=2)
        np.testing.assert_array_equal(out["B04"].values[0] == 0, expected, err_msg=str(chunks))


def test_dilation_does_not_grow_the_mask_band_nodata():
    scl = np.full((1, 6, 6), 4, dtype=np.uint8)
    scl[0, :, :2] = 0  # swath edge
    ds = make_cube({"B04": np.full((1, 6, 6), 700, np.uint16), "SCL": scl}, ["2022-06-01"], ["04.00"])
    out, _ = cloud_mask(ds, dilation=2)
    np.testing.assert_array_equal(out["B04"].values == 0, scl == 0)


def test_dilate_disc_matches_scipy():
    from scipy import ndimage
    rng = np.random.default_rng(1)
    mask = rng.random((2, 40, 33)) < 0.02
    for radius in (1, 3, 5):
        yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
        disc = (yy**2 + xx**2 <= radius**2)[None]
        np.testing.assert_array_equal(dilate_disc(mask, radius), ndimage.binary_dilation(mask, structure=disc))


def test_cloudy_dates_dropped_and_reported():
    scl = np.full((3, 4, 4), 4, dtype=np.uint8)
    scl[1, :2] = 9  # half cloudy
    scl[2] = 8  # overcast
    scl[0, :, :2] = 0  # half outside the swath but clear: 0 % of what was observed is masked
    dates = ["2022-05-01", "2022-05-26", "2022-06-20"]
    ds = make_cube({"B04": np.full((3, 4, 4), 700, np.uint16), "SCL": scl}, dates, ["04.00"] * 3, chunks={"time": 1})
    out, dropped = cloud_mask(ds, max_masked_fraction=0.6)
    assert dropped == [("2022-06-20", 1.0)]
    assert [str(t)[:10] for t in out.time.values] == dates[:2]
    assert list(out.coords["item_ids"].values) == ["S2_2022-05-01", "S2_2022-05-26"]
    assert history(out)[-1]["parameters"]["dropped_dates"] == ["2022-06-20"]
    _, dropped = cloud_mask(ds, max_masked_fraction=0.4)
    assert dropped == [("2022-05-26", 0.5), ("2022-06-20", 1.0)]
    overcast = make_cube({"B04": np.full((1, 2, 2), 7, np.uint16), "SCL": np.full((1, 2, 2), 9, np.uint8)},
                         ["2022-06-01"], ["04.00"])
    with pytest.raises(UserError, match="Every date"):
        cloud_mask(overcast, max_masked_fraction=0.5)


# ---- against the truth -------------------------------------------------------------


def test_harmonize_and_mask_match_the_sample_scene(scene):
    dates = [scene.dates[i] for i in (0, 2, 6, 9, 12, 14, 27)]
    baselines = [sc.processing_baseline(d) for d in dates]
    assert {"05.00", "03.00", "03.01", "04.00", "05.09"} <= set(baselines)
    assert any(d < sc.BASELINE_DATE and sc.has_offset(b) for d, b in zip(dates, baselines))  # reprocessed
    window = (slice(96, 160), slice(72, 136))  # 20 m grid: water, fields, the no-data corner
    bands = ["B8A", "B11", "B12"]
    cube_bands = {
        b: np.stack([scene.stored(b, d, sc.has_offset(bl))[window] for d, bl in zip(dates, baselines)])
        for b in bands
    }
    cube_bands["SCL"] = np.stack([scene.stored("SCL", d, False)[window] for d in dates])
    labels = [d.isoformat() for d in dates]
    ds = make_cube(cube_bands, labels, baselines, chunks={"time": 1, "y": 32, "x": 32})
    assert (cube_bands["SCL"] == 0).any()  # the window does hold nodata
    offset = np.array([sc.has_offset(bl) for bl in baselines])
    dark = cube_bands["B12"][offset]
    assert ((dark >= 1) & (dark <= 1000)).any()  # dark water below zero reflectance on offset dates

    out, corrected = harmonize(ds)
    assert corrected == [label for label, bl in zip(labels, baselines) if sc.has_offset(bl)]
    for b in bands:
        truth = np.stack([scene.stored(b, d, False)[window] for d in dates])
        np.testing.assert_array_equal(out[b].values, truth, err_msg=b)

    masked, _ = cloud_mask(out)
    scl = cube_bands["SCL"]
    clear = ~np.isin(scl, [0, 1, 3, 8, 9, 10])
    assert (~clear & (scl != 0)).any() and clear.any()  # clouds and clear pixels both present
    for b in bands:
        np.testing.assert_array_equal(masked[b].values != 0, clear, err_msg=b)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("values", [[9], [0, 1, 3, 8, 9, 10], list(range(0, 24, 2)), [3, 300, 70000]])
def test_class_membership_equals_isin_by_comparisons_or_table(dtype, values):
    """A few classes are compared one by one, many looked up in a table; out-of-range classes match nothing."""
    import dask.array as da

    from sitscube.engine.cloudmask import _in_classes

    rng = np.random.default_rng(5)
    classes = rng.integers(0, 30 if dtype == np.uint8 else 400, (3, 40, 50)).astype(dtype)
    cube = xr.DataArray(da.from_array(classes, chunks=(1, 20, 50)), dims=("time", "y", "x"))
    got = _in_classes(cube, values)
    assert got.dtype == bool and got.chunks is not None
    np.testing.assert_array_equal(got.values, np.isin(classes, [v for v in values if v <= np.iinfo(dtype).max]))
