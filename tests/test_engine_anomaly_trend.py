"""Anomalies, trends and temporal profiles on curves whose answer is known (engine only, no QGIS)."""

import math
import struct

import numpy as np
import pytest
import xarray as xr

from sitscube.engine import profile, trend as trend_module
from sitscube.engine.anomaly import anomalies
from sitscube.engine.cube_io import add_history, history
from sitscube.engine.errors import UserError
from sitscube.engine.progress import Progress
from sitscube.engine.trend import trend, trend_block, write_trend_geotiff

X0, Y0, STEP = 300000.0, 4810000.0, 10.0


def make_cube(bands, times, chunks=None, nodata=0):
    """(time, y, x) cube on the given dates (datetime64), 10 m pixels, EPSG:32631, nodata attribute."""
    import odc.geo.xr  # noqa: F401

    first = next(iter(bands.values()))
    _, ny, nx = first.shape
    ds = xr.Dataset(
        {name: (("time", "y", "x"), array) for name, array in bands.items()},
        coords={"time": np.asarray(times, dtype="datetime64[ns]"),
                "y": Y0 - STEP / 2 - STEP * np.arange(ny), "x": X0 + STEP / 2 + STEP * np.arange(nx)},
    )
    ds = ds.odc.assign_crs("EPSG:32631")
    for name in bands:
        if ds[name].dtype.kind in "iu":
            ds[name].attrs["nodata"] = nodata
    return ds.chunk(chunks) if chunks else ds


def dates_every(days, start="2018-01-01", end="2023-01-01"):
    return np.arange(start, end, days, dtype="datetime64[D]")


# ---- anomaly ------------------------------------------------------------------------------

SEASONAL = {m: 1000 + int(round(300 * math.sin(2 * math.pi * (m - 1) / 12))) for m in range(1, 13)}
YEAR_OFFSET = {2018: -10, 2019: 0, 2020: 10, 2021: 0, 2022: 0}


def seasonal_cube(chunks=None):
    """Seasonal cycle + a year offset (reference years 2018-2020: std 10), +150 in July 2021, one masked July date."""
    times = dates_every(5)
    months = times.astype("datetime64[M]").astype(int) % 12 + 1
    years = times.astype("datetime64[Y]").astype(int) + 1970
    values = np.array([SEASONAL[m] + YEAR_OFFSET[y] for m, y in zip(months, years)], dtype=np.int64)
    july_2021 = (years == 2021) & (months == 7)
    values[july_2021] += 150
    data = np.repeat(values[:, None, None], 3, axis=1).repeat(4, axis=2).astype(np.uint16)
    data[np.flatnonzero(july_2021)[1], :, :] = 0  # a masked date inside July 2021: left out of the mean
    data[:, 2, 3] = 0  # a pixel never valid
    return make_cube({"B04": data}, times, chunks)


def test_known_seasonal_cycle_gives_the_anomaly_and_z_score_of_the_odd_month():
    result = anomalies(seasonal_cube({"time": 1, "y": 2, "x": 2}), "month", reference_start="2018-01-01",
                       reference_end="2020-12-31").compute()
    labels = list(result["period_label"].values)
    july = labels.index("2021-07")
    assert str(result["time"].values[july])[:10] == "2021-07-01"
    assert result["B04_mean"].values[july, 0, 0] == SEASONAL[7] + 150
    assert result["B04_anomaly"].values[july, 0, 0] == pytest.approx(150.0)
    assert result["B04_zscore"].values[july, 0, 0] == pytest.approx(15.0)  # std of -10, 0, 10 is 10
    # the climatology: the seasonal cycle itself, std 10 from three reference years
    np.testing.assert_allclose(result["B04_climatology_mean"].values[:, 0, 0], [SEASONAL[m] for m in range(1, 13)])
    np.testing.assert_allclose(result["B04_climatology_std"].values[:, 0, 0], 10.0)
    assert result["B04_climatology_count"].values[:, 0, 0].tolist() == [3] * 12
    # every other month of 2021 and 2022 is normal
    others = [i for i, label in enumerate(labels) if label[:4] in ("2021", "2022") and label != "2021-07"]
    np.testing.assert_allclose(result["B04_anomaly"].values[others, 0, 0], 0.0, atol=1e-4)
    np.testing.assert_allclose(result["B04_zscore"].values[others, 0, 0], 0.0, atol=1e-5)
    # reference years: -1, 0, +1 standard deviations
    assert result["B04_zscore"].values[labels.index("2018-03"), 1, 1] == pytest.approx(-1.0)
    assert result["B04_zscore"].values[labels.index("2020-03"), 1, 1] == pytest.approx(1.0)
    assert result["in_reference"].values[labels.index("2020-12")] == 1 and result["in_reference"].values[july] == 0
    # nodata respected: a pixel never valid is NaN everywhere, count 0
    assert np.isnan(result["B04_mean"].values[:, 2, 3]).all() and np.isnan(result["B04_zscore"].values[:, 2, 3]).all()
    assert (result["B04_climatology_count"].values[:, 2, 3] == 0).all()


def test_same_result_in_memory_and_in_small_chunks_and_lazy():
    ds = seasonal_cube()
    lazy = anomalies(ds.chunk({"time": 1, "y": 1, "x": 3}), reference_end="2020-12-31")
    assert all(hasattr(lazy[name].data, "dask") for name in lazy.data_vars)
    eager = anomalies(ds, reference_end="2020-12-31")
    for name in lazy.data_vars:
        np.testing.assert_array_equal(lazy[name].values, eager[name].values)
    assert history(lazy)[-1]["step"] == "anomaly"


def test_anomalies_equal_a_plain_xarray_groupby_on_random_data_with_gaps():
    rng = np.random.default_rng(3)
    times = np.sort(rng.choice(dates_every(1, "2019-01-01", "2022-12-31"), 150, replace=False))
    data = rng.integers(1, 5000, (len(times), 4, 5)).astype(np.uint16)
    data[rng.random(data.shape) < 0.35] = 0
    ds = make_cube({"B08": data}, times, {"time": 10, "y": 4, "x": 5})
    result = anomalies(ds, "month", reference_start="2019-06-01", reference_end="2021-12-31").compute()
    # the reference implementation a user would write
    values = xr.DataArray(np.where(data > 0, data, np.nan), dims=("time", "y", "x"), coords={"time": times})
    monthly = values.resample(time="MS").mean().dropna("time", how="all")
    ref = monthly.sel(time=slice("2019-06-01", "2021-12-31"))
    mean = ref.groupby("time.month").mean()
    std = ref.groupby("time.month").std(ddof=1)
    count = ref.groupby("time.month").count()
    expected_anomaly = monthly.groupby("time.month") - mean
    expected_z = expected_anomaly.groupby("time.month") / std.where((std > 0) & (count >= 2))
    common = np.intersect1d(result["time"].values, monthly["time"].values)
    got = result.sel(time=common)
    np.testing.assert_allclose(got["B08_mean"].values, monthly.sel(time=common).values, rtol=1e-6)
    np.testing.assert_allclose(got["B08_anomaly"].values, expected_anomaly.sel(time=common).values, rtol=1e-5, atol=1e-2)
    np.testing.assert_allclose(got["B08_zscore"].values, expected_z.sel(time=common).values, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(result["B08_climatology_std"].values, std.values, rtol=1e-5)
    np.testing.assert_array_equal(result["B08_climatology_count"].values, count.values)


def test_seasons_put_december_in_the_next_djf_and_single_reference_years_give_no_z_score():
    times = np.array(["2020-12-15", "2021-01-15", "2021-02-15", "2021-04-10", "2021-12-20", "2022-01-05"], dtype="datetime64[D]")
    data = np.array([10, 20, 30, 7, 40, 60], dtype=np.uint16)[:, None, None]
    progress = Progress()
    result = anomalies(make_cube({"B04": data}, times), "season", progress=progress).compute()
    assert list(result["period_label"].values) == ["2021-DJF", "2021-MAM", "2022-DJF"]
    assert [str(t)[:10] for t in result["time"].values] == ["2020-12-01", "2021-03-01", "2021-12-01"]
    assert list(result["period_end"].values) == ["2021-02-28", "2021-05-31", "2022-02-28"]
    assert result["B04_mean"].values[:, 0, 0].tolist() == [20.0, 7.0, 50.0]
    assert result["B04_climatology_mean"].values[:, 0, 0][0] == 35.0  # DJF: (20 + 50) / 2
    assert result["B04_anomaly"].values[:, 0, 0].tolist() == [-15.0, 0.0, 15.0]
    assert result["B04_zscore"].values[0, 0, 0] == pytest.approx(-15.0 / np.std([20, 50], ddof=1))
    assert np.isnan(result["B04_zscore"].values[1, 0, 0])  # MAM: one reference year
    assert np.isnan(result["B04_climatology_std"].values[1, 0, 0])
    assert any("fewer than two years" in w for w in progress.warnings)


def test_anomaly_bad_inputs_are_clear():
    ds = seasonal_cube()
    with pytest.raises(UserError, match="reference period is empty"):
        anomalies(ds, reference_start="2030-01-01")
    with pytest.raises(UserError, match="after the reference end"):
        anomalies(ds, reference_start="2021-01-01", reference_end="2020-01-01")
    with pytest.raises(UserError, match="Unknown period 'week'"):
        anomalies(ds, "week")
    with pytest.raises(UserError, match="no band B99"):
        anomalies(ds, bands=["B99"])


# ---- trend --------------------------------------------------------------------------------

YEARS = np.arange(2008, 2024)


def yearly_cube(values_per_year, dates_per_year=3, chunks=None, dtype=np.float32):
    """values_per_year: (Y, ny, nx) -> a cube with dates_per_year identical dates per year (the yearly mean is exact)."""
    values_per_year = np.asarray(values_per_year)
    times, data = [], []
    for index, year in enumerate(YEARS[: len(values_per_year)]):
        for k in range(dates_per_year):
            times.append(np.datetime64(f"{year}-0{3 + 2 * k}-15"))
            data.append(values_per_year[index])
    return make_cube({"NDVI": np.asarray(data, dtype=dtype)}, np.asarray(times), chunks)


def _pixel(result, name, y=0, x=0):
    return float(result[name].values[y, x])


def test_noise_free_line_gives_the_exact_slope_and_intercept_and_is_significant():
    values = (0.2 + 0.015 * np.arange(len(YEARS)))[:, None, None].astype(np.float64)
    result = trend(yearly_cube(values, dtype=np.float64), "NDVI").compute()
    assert _pixel(result, "slope") == pytest.approx(0.015, rel=1e-6)
    assert _pixel(result, "intercept") == pytest.approx(0.2, rel=1e-6)
    assert _pixel(result, "mk_s") == len(YEARS) * (len(YEARS) - 1) / 2
    assert _pixel(result, "tau") == 1.0
    assert _pixel(result, "p_value") < 1e-5 and _pixel(result, "significance") == 1
    assert _pixel(result, "n_years") == len(YEARS)
    down = trend(yearly_cube(values[::-1], dtype=np.float64), "NDVI").compute()
    assert _pixel(down, "slope") == pytest.approx(-0.015, rel=1e-6) and _pixel(down, "significance") == -1


def _noisy_lines(seed=5, shape=(6, 7)):
    rng = np.random.default_rng(seed)
    slope = rng.uniform(-20, 20, shape)
    line = 1000 + slope[None] * np.arange(len(YEARS))[:, None, None]
    noisy = line + rng.normal(0, 15, (len(YEARS),) + shape)
    outliers = rng.random(noisy.shape) < 0.12
    noisy[outliers] += rng.choice([-400, 600], outliers.sum())  # wild values Theil-Sen must shrug off
    return noisy, slope


def test_theil_sen_equals_scipy_and_resists_outliers():
    from scipy import stats

    noisy, slope = _noisy_lines()
    result = trend(yearly_cube(noisy, dtype=np.float64, chunks={"time": 4, "y": 3, "x": 4}), "NDVI").compute()
    years = np.arange(len(YEARS), dtype=float)
    for y in range(noisy.shape[1]):
        for x in range(noisy.shape[2]):
            expected = stats.theilslopes(noisy[:, y, x], years)
            assert result["slope"].values[y, x] == pytest.approx(expected.slope, rel=1e-5, abs=1e-4)
            assert result["intercept"].values[y, x] == pytest.approx(expected.intercept, rel=1e-5, abs=1e-3)
    # outliers barely move it: within a few units of the true slope, where least squares is far off
    assert np.abs(result["slope"].values - slope).max() < 6


def _mann_kendall_reference(values):
    """Mann-Kendall as written in Hamed & Rao (1998) / pymannkendall's original_test, in plain Python."""
    n = len(values)
    s = sum(np.sign(values[j] - values[i]) for i in range(n) for j in range(i + 1, n))
    _, counts = np.unique(values, return_counts=True)
    variance = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts)) / 18.0
    z = (s - 1) / math.sqrt(variance) if s > 0 else ((s + 1) / math.sqrt(variance) if s < 0 else 0.0)
    return s, variance, 2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2))))


def test_mann_kendall_p_value_and_tau_match_the_formula_and_scipy():
    from scipy import stats

    rng = np.random.default_rng(11)
    shape = (5, 6)
    tie_free = 1000 + 3 * np.arange(len(YEARS))[:, None, None] + rng.normal(0, 20, (len(YEARS),) + shape)
    tied = np.round(tie_free / 25) * 25  # many ties
    for values in (tie_free, tied):
        result = trend(yearly_cube(values, dtype=np.float64), "NDVI").compute()
        for y in range(shape[0]):
            for x in range(shape[1]):
                series = values[:, y, x]
                s, variance, p = _mann_kendall_reference(series)
                assert result["mk_s"].values[y, x] == s
                assert result["p_value"].values[y, x] == pytest.approx(p, rel=1e-4, abs=1e-7)
                scipy_result = stats.kendalltau(np.arange(len(series)), series, method="asymptotic")
                assert result["tau"].values[y, x] == pytest.approx(scipy_result.statistic, rel=1e-5)
                # scipy's asymptotic p is the same normal approximation without the continuity correction
                assert 2 * stats.norm.sf(abs(s) / math.sqrt(variance)) == pytest.approx(scipy_result.pvalue, rel=1e-6)
    # tie-free: scipy's p-value without continuity correction, and ours (with it) a little larger
    result = trend(yearly_cube(tie_free, dtype=np.float64), "NDVI").compute()
    scipy_p = stats.kendalltau(np.arange(len(YEARS)), tie_free[:, 0, 0], method="asymptotic").pvalue
    assert result["p_value"].values[0, 0] >= scipy_p * (1 - 1e-6)


def test_flat_and_pure_noise_series_are_not_significant():
    flat = np.full((len(YEARS), 2, 2), 500.0)
    result = trend(yearly_cube(flat), "NDVI").compute()
    assert (result["slope"].values == 0).all() and (result["p_value"].values == 1).all()
    assert (result["significance"].values == 0).all() and (result["tau"].values == 0).all()
    rng = np.random.default_rng(2)
    noise = rng.normal(1000, 50, (len(YEARS), 20, 20))
    result = trend(yearly_cube(noise), "NDVI", alpha=0.05).compute()
    share = np.mean(result["significance"].values != 0)
    assert share < 0.15  # about alpha by chance
    assert np.median(result["p_value"].values) > 0.2


@pytest.mark.parametrize("aggregation", ["mean", "median", "max"])
@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_compiled_and_numpy_kernels_give_identical_results(aggregation, dtype):
    pytest.importorskip("numba")
    rng = np.random.default_rng(7)
    times = np.sort(rng.choice(dates_every(1, "2012-01-01", "2023-12-31"), 120, replace=False))
    data = rng.integers(1, 3000, (len(times), 13, 11)).astype(dtype)
    data[rng.random(data.shape) < 0.4] = 0 if dtype == np.uint16 else np.nan
    data[:, 0, :] = 0 if dtype == np.uint16 else np.nan  # a row never valid
    data[:, 1, :] = 7  # a flat row (ties everywhere)
    ds = make_cube({"B08": data}, times, {"time": 17, "y": 5, "x": 6})
    if dtype == np.float32:
        ds["B08"].attrs.pop("nodata", None)
    try:
        trend_module.USE_COMPILED = True
        compiled = trend(ds, "B08", aggregation, period_a="2012-01-01,2014-12-31", period_b="2021-01-01,2023-12-31").compute()
        trend_module.USE_COMPILED = False
        plain = trend(ds, "B08", aggregation, period_a="2012-01-01,2014-12-31", period_b="2021-01-01,2023-12-31").compute()
    finally:
        trend_module.USE_COMPILED = True
    assert trend_module._compiled() is not None
    for name in compiled.data_vars:
        np.testing.assert_array_equal(compiled[name].values, plain[name].values, err_msg=name)
    assert np.isnan(compiled["slope"].values[0]).all() and (compiled["n_years"].values[0] == 0).all()
    assert (compiled["p_value"].values[1] == 1).all()


def test_yearly_aggregation_ignores_nodata_and_years_without_values():
    # 5 years, dates: one masked (0) in each year; year 2010 entirely masked
    times, data = [], []
    truth = {2008: [100, 200, 600], 2009: [300, 400, 500], 2010: [0, 0, 0], 2011: [700, 800, 900], 2012: [1000, 1100, 1500]}
    for year, values in truth.items():
        for month, value in zip((3, 6, 9, 11), values + [0]):
            times.append(np.datetime64(f"{year}-{month:02d}-01"))
            data.append(value)
    ds = make_cube({"B04": np.asarray(data, dtype=np.uint16)[:, None, None]}, np.asarray(times))
    for aggregation, yearly in (("mean", [300, 400, 800, 1200]), ("median", [200, 400, 800, 1100]), ("max", [600, 500, 900, 1500])):
        result = trend(ds, "B04", aggregation).compute()
        assert _pixel(result, "n_years") == 4
        x = np.array([0, 1, 3, 4], dtype=float)
        slopes = sorted((yearly[j] - yearly[i]) / (x[j] - x[i]) for i in range(4) for j in range(i + 1, 4))
        assert _pixel(result, "slope") == pytest.approx((slopes[2] + slopes[3]) / 2), aggregation


def test_change_between_two_periods_is_exact():
    times = np.array(["2019-03-01", "2019-06-01", "2019-09-01", "2020-05-01", "2021-03-01", "2021-06-01", "2021-09-01"], dtype="datetime64[D]")
    data = np.array([100, 200, 0, 999, 300, 500, 400], dtype=np.uint16)[:, None, None].repeat(2, axis=2)
    data[:, 0, 1] = [0, 0, 0, 5, 10, 10, 10]  # period A all masked: no change
    result = trend(make_cube({"B04": data}, times), "B04", period_a="2019-01-01,2019-12-31",
                   period_b=("2021-01-01", "2021-12-31")).compute()
    assert _pixel(result, "change") == 400 - 150  # mean B (300, 500, 400) - mean A (100, 200; the 0 is nodata)
    assert _pixel(result, "relative_change") == pytest.approx(250 / 150)
    assert np.isnan(_pixel(result, "change", 0, 1)) and np.isnan(_pixel(result, "relative_change", 0, 1))


def test_trend_bad_inputs_are_clear():
    ds = yearly_cube(np.ones((len(YEARS), 1, 1)))
    with pytest.raises(UserError, match="at least 3 different years"):
        trend(yearly_cube(np.ones((2, 1, 1))), "NDVI")
    with pytest.raises(UserError, match="no band EVI"):
        trend(ds, "EVI")
    with pytest.raises(UserError, match="ALPHA"):
        trend(ds, "NDVI", alpha=1.5)
    with pytest.raises(UserError, match="AGGREGATION"):
        trend(ds, "NDVI", "sum")
    with pytest.raises(UserError, match="both PERIOD_A and PERIOD_B"):
        trend(ds, "NDVI", period_a="2010-01-01,2010-12-31")
    with pytest.raises(UserError, match="PERIOD_A must be two dates"):
        trend(ds, "NDVI", period_a="2010-01-01", period_b="2011-01-01,2011-12-31")
    with pytest.raises(UserError, match="No date of the cube falls in PERIOD_B"):
        trend(ds, "NDVI", period_a="2010-01-01,2010-12-31", period_b="2040-01-01,2040-12-31")


def test_trend_is_lazy_by_blocks_with_all_years_in_one_chunk_and_written_as_named_bands(tmp_path):
    import rasterio

    noisy, _ = _noisy_lines(shape=(20, 30))
    ds = yearly_cube(noisy, chunks={"time": 1, "y": 8, "x": 16})
    result = trend(ds, "NDVI", period_a="2008-01-01,2010-12-31", period_b="2020-01-01,2023-12-31")
    data = result["slope"].data
    assert hasattr(data, "dask") and data.chunks == ((8, 8, 4), (16, 14))
    path = write_trend_geotiff(result, str(tmp_path / "trend.tif"))
    with rasterio.open(path) as src:
        assert src.descriptions == ("slope", "intercept", "mk_s", "tau", "p_value", "significance", "n_years",
                                    "change", "relative_change")
        assert src.dtypes[0] == "float32" and src.crs.to_epsg() == 32631
        np.testing.assert_array_equal(src.read(1), result["slope"].values)
        assert src.tags()["intercept_year"] == "2008"
    with pytest.raises(UserError, match="must end in .tif"):
        write_trend_geotiff(result, str(tmp_path / "trend.nc"))


def test_trend_block_works_on_a_plain_numpy_block():
    block = np.arange(30, dtype=np.float32).reshape(10, 3, 1)  # 10 dates
    out = trend_block(block, year_starts=[0, 4, 7, 10], years=[0.0, 1.0, 2.0], nodata=np.nan, aggregation="mean", alpha=0.05)
    assert out.shape == (7, 3, 1) and (out[6] == 3).all()


# ---- temporal profile (engine) ------------------------------------------------------------


def profile_cube(chunks=None):
    rng = np.random.default_rng(4)
    times = np.array(["2022-03-01", "2022-03-21", "2022-04-10", "2022-05-05", "2022-06-01"], dtype="datetime64[D]")
    data = rng.integers(100, 3000, (5, 8, 10)).astype(np.uint16)
    data[2, 3, 4] = 0  # a masked date at the point (3, 4)
    data[1, 5, 2:5] = 0  # part of the polygon masked on date 1
    data[3, 5:7, 2:5] = 0  # all of it masked on date 3
    return make_cube({"B04": data, "SCL": np.full_like(data, 4)}, times, chunks), data


def test_profile_values_are_the_cube_values_at_points_and_the_polygon_mean():
    from shapely.geometry import box

    ds, data = profile_cube({"time": 1, "y": 4, "x": 4})
    point = profile.Feature("p1", (X0 + 4 * STEP + 3.0, Y0 - 3 * STEP - 7.0))  # inside pixel row 3, col 4
    edge = profile.Feature("p2", (X0 + 9 * STEP + 9.99, Y0 - 0.01))  # top right pixel
    far = profile.Feature("far", (X0 - 100.0, Y0))
    # pixel centres of rows 5-6, cols 2-4 inside; the box edge passes 2 m beyond them
    polygon = profile.Feature("field", box(X0 + 2 * STEP + 3, Y0 - 7 * STEP + 3, X0 + 5 * STEP - 3, Y0 - 5 * STEP - 3))
    progress = Progress()
    series = profile.cube_series(add_history(ds, "loadcube", {}), "B04", [point, edge, far, polygon],
                                 "/data/raw.nc", progress)
    assert series.label == "raw.nc (loadcube)" and series.dates[0] == "2022-03-01"
    expected = data[:, 3, 4].astype(float)
    expected[2] = np.nan
    np.testing.assert_array_equal(series.values[0], expected)  # masked date: NaN, not 0
    np.testing.assert_array_equal(series.values[1], data[:, 0, 9].astype(float))
    assert np.isnan(series.values[2]).all() and any("outside" in w for w in progress.warnings)
    block = data[:, 5:7, 2:5].astype(float)
    block[block == 0] = np.nan
    means = [np.nanmean(b) if np.isfinite(b).any() else np.nan for b in block.reshape(5, -1)]
    np.testing.assert_allclose(series.values[3], means)
    assert np.isnan(series.values[3][3])  # every pixel masked that date: a gap
    assert series.pixels[3].tolist() == [6, 3, 6, 0, 6]


def _png_size(path):
    with open(path, "rb") as stream:
        head = stream.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_profile_outputs_chart_html_and_csv_with_gaps(tmp_path):
    ds, data = profile_cube()
    raw = profile.cube_series(add_history(ds, "loadcube", {}), "B04", [profile.Feature(7, (X0 + 45.0, Y0 - 35.0))], "raw.nc")
    filled_ds = ds.copy()
    filled_ds["B04"] = ds["B04"].where(ds["B04"] > 0, 1234)
    filled = profile.cube_series(add_history(add_history(ds, "loadcube", {}), "gapfill", {"method": "linear"}).assign(
        B04=filled_ds["B04"]), "B04", [profile.Feature(7, (X0 + 45.0, Y0 - 35.0))], "filled.nc")
    features = [profile.Feature(7, (X0 + 45.0, Y0 - 35.0))]
    written = profile.write_profile([raw, filled], features, str(tmp_path / "chart.png"), str(tmp_path / "page.html"),
                                    str(tmp_path / "values.csv"))
    assert _png_size(written["chart"]) == profile.chart_size(1)
    page = open(written["html"], encoding="utf-8").read()
    assert "data:image/png;base64," in page and 'href="chart.png"' in page
    assert "raw.nc (loadcube)" in page and "filled.nc (loadcube › gapfill)" in page
    assert '<td class="gap"></td>' in page
    rows = open(written["csv"], encoding="utf-8").read().splitlines()
    assert rows[0] == "feature_id,cube,history,date,band,value,pixels"
    assert "7,raw.nc,loadcube,2022-04-10,B04,,0" in rows  # the masked date: empty, never 0
    assert "7,filled.nc,loadcube > gapfill,2022-04-10,B04,1234,1" in rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.png", "page.html", "values.csv"]


def test_profile_chart_without_matplotlib_is_an_inline_svg(tmp_path):
    ds, _ = profile_cube()
    series = profile.cube_series(ds, "B04", [profile.Feature("a", (X0 + 45.0, Y0 - 35.0))], "raw.nc")
    try:
        profile.USE_MATPLOTLIB = False
        written = profile.write_profile([series], [profile.Feature("a", (X0 + 45.0, Y0 - 35.0))], str(tmp_path / "c.png"),
                                        str(tmp_path / "p.html"), str(tmp_path / "v.csv"))
    finally:
        profile.USE_MATPLOTLIB = True
    assert written["chart"].endswith("c.svg")
    svg = open(written["chart"], encoding="utf-8").read()
    assert svg.startswith("<svg") and 'width="1000"' in svg and "<polyline" in svg
    assert svg in open(written["html"], encoding="utf-8").read()


def test_profile_refuses_a_band_the_cube_lacks():
    ds, _ = profile_cube()
    with pytest.raises(UserError, match="no band NDVI"):
        profile.cube_series(ds, "NDVI", [profile.Feature(1, (X0, Y0))], "raw.nc")
