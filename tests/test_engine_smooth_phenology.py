"""Smoothing and phenology on curves whose answer is known (engine only, no QGIS).

Savitzky-Golay in days reproduces polynomials of degree <= ORDER exactly on
any dates and whatever is masked; Whittaker tends to the weighted straight
line for a huge lambda and to the data for a tiny one; masked values change
nothing; the compiled and numpy kernels agree exactly; phenology finds the
known start and end of a trapezoid exactly and of a noisy, gappy
double-logistic NDVI within a day or two.
"""

import numpy as np
import pytest
import xarray as xr

from sitscube.engine import phenology as ph
from sitscube.engine import smooth as sm
from sitscube.engine.cube_io import history
from sitscube.engine.errors import UserError
from sitscube.engine.progress import Progress

import numba  # noqa: E402,F401  (requirements.txt installs it; the numpy kernels are the fallback)

START = np.datetime64("2022-01-01T10:30:00", "ns")


def times_from_days(days):
    return START + (np.asarray(days, dtype=np.float64) * 86400e9).astype("timedelta64[ns]")


def make_cube(bands, days, chunks=None, nodata=None):
    """A (time, y, x) cube on the given days after 2022-01-01 10:30."""
    first = next(iter(bands.values()))
    t, ny, nx = first.shape
    coords = {"time": times_from_days(days), "y": 4810230.0 - 20.0 * np.arange(ny), "x": 300010.0 + 20.0 * np.arange(nx)}
    ds = xr.Dataset({name: (("time", "y", "x"), array) for name, array in bands.items()}, coords=coords)
    for name in ds.data_vars:
        if ds[name].dtype.kind in "iu":
            ds[name].attrs["nodata"] = 0 if nodata is None else nodata
        elif nodata is not None:
            ds[name].attrs["nodata"] = nodata
    return ds.chunk(chunks) if chunks else ds


def uneven_days(count, seed=0, low=2.0, high=17.0):
    rng = np.random.default_rng(seed)
    days = np.concatenate([[0.0], np.cumsum(rng.uniform(low, high, count - 1))])
    return days + rng.uniform(0, 0.5, count)  # times of day too


@pytest.fixture(params=[True, False], ids=["numba", "numpy"])
def kernel(request, monkeypatch):
    """Run the test with the compiled kernels and with the numpy fallback."""
    monkeypatch.setattr(sm, "USE_COMPILED", request.param)
    monkeypatch.setattr(ph, "USE_COMPILED", request.param)
    return request.param


# ---- Savitzky-Golay --------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2, 3])
def test_savgol_reproduces_polynomials_on_uneven_dates_with_masked_values(kernel, order):
    days = uneven_days(35, seed=order)
    rng = np.random.default_rng(order)
    coefficients = rng.normal(size=(order + 1, 6, 7))
    x = days[:, None, None] / 100.0
    truth = sum(coefficients[k] * x ** k for k in range(order + 1))
    values = truth.copy()
    masked = rng.random(values.shape) < 0.3
    masked[:, 0, 0] = False
    values[masked] = np.nan
    out = sm.smooth_block(values, days, np.nan, "savitzky-golay", window=7, order=order, fill=True)
    # every valid date, and every masked date between two valid ones (ends are held constant)
    valid = ~masked
    inner = (np.cumsum(valid, axis=0) > 0) & (np.cumsum(valid[::-1], axis=0)[::-1] > 0)
    np.testing.assert_allclose(out[inner], truth[inner], rtol=0, atol=1e-9)
    # a degree-`order` polynomial is also kept with a higher order
    if order < 3:
        higher = sm.smooth_block(values, days, np.nan, "savitzky-golay", window=9, order=order + 1, fill=True)
        np.testing.assert_allclose(higher[inner], truth[inner], rtol=0, atol=1e-8)


def test_savgol_is_weighted_by_dates_not_by_index():
    # a straight line in time on uneven dates: kept exactly, where an index-based filter bends it
    from scipy.signal import savgol_filter

    days = np.array([0, 1, 2, 30, 31, 32, 60, 61, 62, 90, 91], dtype=float)
    line = (0.1 + 0.005 * days)[:, None, None]
    ours = sm.smooth_block(line, days, np.nan, "savitzky-golay", window=5, order=1)
    np.testing.assert_allclose(ours, line, atol=1e-12)
    scipy_index_based = savgol_filter(line, 5, 1, axis=0, mode="interp")
    assert np.abs(scipy_index_based - line).max() > 0.01


def test_savgol_on_even_dates_without_gaps_equals_scipy_interp_mode(kernel):
    from scipy.signal import savgol_filter

    rng = np.random.default_rng(4)
    days = np.arange(30) * 10.0
    values = rng.normal(size=(30, 5, 4))
    for window, order in ((5, 2), (7, 2), (7, 3), (9, 4), (3, 1)):
        ours = sm.smooth_block(values, days, np.nan, "savitzky-golay", window=window, order=order)
        np.testing.assert_allclose(ours, savgol_filter(values, window, order, axis=0, mode="interp"), atol=1e-9)


def test_savgol_masked_dates_are_as_if_absent():
    """The fit at each valid date is the one of the cube without the masked dates at all."""
    rng = np.random.default_rng(5)
    days = uneven_days(40, seed=5)
    values = rng.normal(size=(40, 4, 4))
    masked = rng.random(values.shape) < 0.35
    with_gaps = np.where(masked, np.nan, values)
    smoothed = sm.smooth_block(with_gaps, days, np.nan, "savitzky-golay", window=7, order=2, fill=False)
    for i in range(4):
        for j in range(4):
            keep = ~masked[:, i, j]
            alone = sm.smooth_block(values[keep, i, j][:, None, None], days[keep], np.nan, "savitzky-golay",
                                    window=7, order=2, fill=False)[:, 0, 0]
            np.testing.assert_allclose(smoothed[keep, i, j], alone, rtol=0, atol=1e-12)
            assert np.isnan(smoothed[~keep, i, j]).all()  # FILL off: masked dates stay nodata


@pytest.mark.parametrize("method", ["savitzky-golay", "whittaker"])
def test_masked_values_do_not_influence_the_result(kernel, method):
    """Masked dates holding garbage (-9999 as the band's nodata) give what NaN gives."""
    rng = np.random.default_rng(6)
    days = uneven_days(30, seed=6)
    values = (0.3 + 0.1 * rng.normal(size=(30, 5, 6))).astype(np.float32)
    masked = rng.random(values.shape) < 0.3
    nan_masked = np.where(masked, np.nan, values).astype(np.float32)
    garbage = np.where(masked, np.float32(-9999), values).astype(np.float32)
    a = sm.smooth_block(nan_masked, days, np.nan, method, lam=300.0)
    b = sm.smooth_block(garbage, days, -9999.0, method, lam=300.0)
    np.testing.assert_array_equal(a, b)
    assert np.isfinite(a).all() and np.abs(a).max() < 5


# ---- Whittaker -------------------------------------------------------------------------------


def test_whittaker_huge_lambda_is_the_weighted_straight_line(kernel):
    rng = np.random.default_rng(7)
    days = uneven_days(30, seed=7)
    values = np.sin(days / 20.0)[:, None, None] + rng.normal(0, 0.05, (30, 3, 3))
    masked = rng.random(values.shape) < 0.3
    gappy = np.where(masked, np.nan, values)
    out = sm.smooth_block(gappy, days, np.nan, "whittaker", lam=1e13, fill=False)
    for i in range(3):
        for j in range(3):
            keep = ~masked[:, i, j]
            slope, intercept = np.polyfit(days[keep], values[keep, i, j], 1)
            np.testing.assert_allclose(out[keep, i, j], intercept + slope * days[keep], atol=2e-4)


def test_whittaker_tiny_lambda_is_the_data_and_lines_are_kept(kernel):
    rng = np.random.default_rng(8)
    days = uneven_days(30, seed=8)
    values = rng.normal(size=(30, 4, 4))
    masked = rng.random(values.shape) < 0.3
    gappy = np.where(masked, np.nan, values)
    out = sm.smooth_block(gappy, days, np.nan, "whittaker", lam=1e-6, fill=False)
    np.testing.assert_allclose(out[~masked], values[~masked], atol=1e-5)
    # a straight line is in the penalty's null space: kept for any lambda, masked inner dates on the line
    line = (2.0 - 0.01 * days)[:, None, None] * np.ones((1, 4, 4))
    out = sm.smooth_block(np.where(masked, np.nan, line), days, np.nan, "whittaker", lam=1e5, fill=True)
    valid = ~masked
    inner = (np.cumsum(valid, axis=0) > 0) & (np.cumsum(valid[::-1], axis=0)[::-1] > 0)
    np.testing.assert_allclose(out[inner], line[inner], atol=1e-8)


def test_whittaker_lambda_is_in_days_whatever_the_sampling():
    """The same curve sampled every 5 or every 10 days is smoothed alike (lambda in days⁴)."""
    truth = lambda d: 0.2 + 0.5 * np.exp(-((d - 180) / 40.0) ** 2) + 0.05 * np.sin(d / 3.0)  # noqa: E731
    dense, sparse = np.arange(0, 365, 5.0), np.arange(0, 365, 10.0)
    a = sm.smooth_block(truth(dense)[:, None, None], dense, np.nan, "whittaker", lam=1e5)[::2, 0, 0]
    b = sm.smooth_block(truth(sparse)[:, None, None], sparse, np.nan, "whittaker", lam=1e5)[:, 0, 0]
    assert np.abs(a - b).max() < 0.02
    assert np.abs(b - (0.2 + 0.5 * np.exp(-((sparse - 180) / 40.0) ** 2))).max() < 0.04  # the wiggle is gone


# ---- both kernels, types, the cube ----------------------------------------------------------


@pytest.mark.parametrize("method", ["savitzky-golay", "whittaker"])
@pytest.mark.parametrize("fill", [True, False])
@pytest.mark.parametrize("dtype, nodata", [(np.uint16, 0), (np.int16, -9999), (np.float32, np.nan)])
def test_compiled_kernel_equals_numpy_kernel(method, fill, dtype, nodata, monkeypatch):
    rng = np.random.default_rng(9)
    days = uneven_days(33, seed=9)
    values = rng.integers(1, 9000, size=(33, 20, 30)).astype(dtype)
    values[rng.random(values.shape) < 0.4] = nodata
    values[:, 0, :3] = nodata  # never valid
    values[:, 1, :3] = nodata
    values[5, 1, 0] = 100  # a single valid value
    values[[5, 9], 1, 1] = 100  # two
    for order in (0, 1, 2, 3, 4):
        window = 7 if order < 4 else 9
        compiled = sm.smooth_block(values, days, nodata, method, window, order, 500.0, fill)
        monkeypatch.setattr(sm, "USE_COMPILED", False)
        reference = sm.smooth_block(values, days, nodata, method, window, order, 500.0, fill)
        monkeypatch.setattr(sm, "USE_COMPILED", True)
        np.testing.assert_array_equal(compiled, reference)
        assert compiled.dtype == values.dtype
        if method == "whittaker":
            break


def test_integer_bands_keep_their_type_rounded_and_never_nodata(kernel):
    days = np.array([0, 10, 20, 30, 40.0])
    values = np.array([100, 0, 101, 2, 1], dtype=np.uint16)[:, None, None]  # 0: nodata
    out = sm.smooth_block(values, days, 0, "savitzky-golay", window=3, order=1)
    assert out.dtype == np.uint16
    assert out[1, 0, 0] == 101  # the masked date, between 100 (day 0) and 101 (day 20): 100.5 -> 101
    assert (out > 0).all()  # a curve dipping to 0 or below is clipped to 1, never nodata


def test_smooth_cube_is_lazy_keeps_class_bands_and_records_history():
    rng = np.random.default_rng(10)
    days = uneven_days(24, seed=10)
    red = rng.integers(1, 3000, (24, 40, 50)).astype(np.uint16)
    red[rng.random(red.shape) < 0.3] = 0
    scl = rng.integers(0, 12, (24, 40, 50)).astype(np.uint8)
    eager = make_cube({"B04": red, "SCL": scl}, days)
    lazy = make_cube({"B04": red, "SCL": scl}, days, chunks={"time": 1, "y": 16, "x": 32})
    progress = Progress()
    result = sm.smooth(lazy, "whittaker", lam=1e3, progress=progress)
    assert hasattr(result["B04"].data, "dask") and result["B04"].data.chunks[0] == (24,)
    np.testing.assert_array_equal(result["B04"].values, sm.smooth(eager, "whittaker", lam=1e3)["B04"].values)
    np.testing.assert_array_equal(result["SCL"].values, scl)
    assert result["B04"].attrs["nodata"] == 0
    record = history(result)[-1]
    assert record["step"] == "smooth" and record["parameters"]["lambda"] == 1e3 and record["parameters"]["bands"] == ["B04"]
    # bands by common name; a class band named explicitly is left alone with a warning
    only = sm.smooth(eager, bands="red,SCL", progress=progress)
    assert history(only)[-1]["parameters"]["bands"] == ["B04"] and "SCL holds classes" in progress.warnings[-1]


@pytest.mark.parametrize("kwargs, message", [
    ({"window": 6}, r"WINDOW must be an odd number"),
    ({"window": 1}, r"WINDOW must be an odd number"),
    ({"window": 5, "order": 5}, r"ORDER \(5\) must be smaller than WINDOW \(5\)"),
    ({"order": 9, "window": 11}, r"ORDER must be between 0 and 6"),
    ({"method": "loess"}, r"Unknown smoothing method 'loess'"),
    ({"method": "whittaker", "lam": 0}, r"LAMBDA must be a positive number"),
    ({"bands": "B99"}, r"no band B99 to smooth"),
])
def test_bad_smoothing_parameters_are_explained(kwargs, message):
    ds = make_cube({"B04": np.ones((5, 2, 2), dtype=np.uint16)}, [0, 5, 10, 15, 20])
    with pytest.raises(UserError, match=message):
        sm.smooth(ds, **kwargs)


def test_duplicate_dates_are_refused_with_the_fix():
    ds = make_cube({"B04": np.ones((4, 2, 2), dtype=np.uint16)}, [0, 5, 5, 20])
    with pytest.raises(UserError, match=r"must increase strictly.*GROUPBY solar_day"):
        sm.smooth(ds)


# ---- phenology -------------------------------------------------------------------------------


def double_logistic(doy, t1, t2, s1=7.0, s2=9.0, base=0.2, amplitude=0.6):
    return base + amplitude * (1 / (1 + np.exp(-(doy - t1) / s1)) - 1 / (1 + np.exp(-(doy - t2) / s2)))


def trapezoid(doy, rise=(100, 160), fall=(240, 300), low=0.2, high=0.8):
    up = np.clip((doy - rise[0]) / (rise[1] - rise[0]), 0, 1)
    down = np.clip((doy - fall[0]) / (fall[1] - fall[0]), 0, 1)
    return low + (high - low) * (up - down)


def ndvi_cube(values, dates, chunks=None):
    """A float32 NDVI cube on datetime64[D] dates (10:30 UTC)."""
    times = np.asarray(dates).astype("datetime64[D]").astype("datetime64[ns]") + np.timedelta64(37800, "s")
    ny, nx = values.shape[1:]
    ds = xr.Dataset({"NDVI": (("time", "y", "x"), values.astype(np.float32))},
                    coords={"time": times, "y": 4810230.0 - 20.0 * np.arange(ny), "x": 300010.0 + 20.0 * np.arange(nx)})
    return ds.chunk(chunks) if chunks else ds


def doy_of(dates, year=2022):
    return (np.asarray(dates).astype("datetime64[D]") - np.datetime64(f"{year}-01-01")).astype(int) + 1.0


def maps(result):
    return {name: result[name].values for name in result.data_vars}


def test_trapezoid_gives_the_exact_start_end_peak_and_greenup(kernel):
    rng = np.random.default_rng(11)
    dates = np.datetime64("2022-01-03") + np.sort(rng.choice(362, 45, replace=False)).astype("timedelta64[D]")
    doy = doy_of(dates)
    # the dates next to the half-amplitude crossings sit on the ramps (so the answer is exactly linear)
    keep = ~((doy > 95) & (doy < 105)) & ~((doy > 155) & (doy < 165)) & ~((doy > 235) & (doy < 245)) & ~((doy > 295) & (doy < 305))
    dates, doy = dates[keep], doy[keep]
    values = np.repeat(trapezoid(doy)[:, None, None], 3, axis=2)
    masked = np.zeros(values.shape, dtype=bool)
    masked[(doy < 90) | (doy > 310), :, 1] = rng.random((((doy < 90) | (doy > 310)).sum(), 1)) < 0.5  # gaps on the plateaus
    values[masked] = np.nan
    out = maps(ph.phenology(ndvi_cube(values, dates), smooth="none", years="2022"))
    assert list(out) == list(ph.METRICS)
    for col in range(3):
        assert out["sos_doy"][0, col] == pytest.approx(130.0, abs=1e-4)  # 0.2 + 0.5 × 0.6 = 0.5 on the rise
        assert out["eos_doy"][0, col] == pytest.approx(270.0, abs=1e-4)
        assert out["season_length_days"][0, col] == pytest.approx(140.0, abs=1e-4)
        assert out["peak_value"][0, col] == pytest.approx(0.8, abs=1e-6)
        assert out["amplitude"][0, col] == pytest.approx(0.6, abs=1e-6)
        assert 160 <= out["pos_doy"][0, col] <= 240 and out["pos_doy"][0, col] == doy[np.argmax(trapezoid(doy))]
        # green-up: the first date at or above 0.2 + 0.2 × 0.6 = 0.32, i.e. on day 112 of the ramp or after
        assert out["greenup_doy"][0, col] == doy[doy >= 112][0]
    # by an absolute threshold: 0.35 is crossed on days 115 and 285
    out = maps(ph.phenology(ndvi_cube(values, dates), smooth="none", method="threshold", threshold=0.35))
    np.testing.assert_allclose(out["sos_doy"], 115.0, atol=1e-4)
    np.testing.assert_allclose(out["eos_doy"], 285.0, atol=1e-4)


def test_double_logistic_with_noise_gaps_and_irregular_dates(kernel):
    """SOS/EOS of a double logistic are its inflection days t1/t2 (the 0.5-amplitude crossings)."""
    rng = np.random.default_rng(12)
    gaps = rng.uniform(3, 12, 70)
    dates = (np.datetime64("2021-11-20") + np.cumsum(gaps).astype(int).astype("timedelta64[D]"))
    dates = np.unique(dates[dates < np.datetime64("2023-01-25")])
    doy = doy_of(dates)
    ny, nx = 8, 10
    t1 = rng.uniform(95, 150, (ny, nx))
    t2 = rng.uniform(230, 290, (ny, nx))
    values = double_logistic(doy[:, None, None], t1, t2) + rng.normal(0, 0.01, (len(dates), ny, nx))
    values[rng.random(values.shape) < 0.25] = np.nan
    values[:, 0, 0] = 0.3 + rng.normal(0, 0.01, len(dates))  # flat: no season
    values[:, 0, 1] = np.nan  # never observed
    for smoother in ("savitzky-golay", "whittaker"):
        out = maps(ph.phenology(ndvi_cube(values, dates), smooth=smoother, lam=1e3))
        seasonal = np.ones((ny, nx), dtype=bool)
        seasonal[0, :2] = False
        for name in ph.METRICS:
            assert np.isnan(out[name][~seasonal]).all(), name  # nodata where there is no season
        sos_error = np.abs(out["sos_doy"] - t1)[seasonal]
        eos_error = np.abs(out["eos_doy"] - t2)[seasonal]
        assert np.median(sos_error) < 1.5 and np.percentile(sos_error, 90) < 4, (smoother, sos_error)
        assert np.median(eos_error) < 1.5 and np.percentile(eos_error, 90) < 4, (smoother, eos_error)
        np.testing.assert_allclose(out["amplitude"][seasonal], 0.6, atol=0.08)  # noise lifts the max, lowers the minima
        np.testing.assert_allclose(out["peak_value"][seasonal], 0.8, atol=0.08)
        np.testing.assert_allclose(out["season_length_days"], out["eos_doy"] - out["sos_doy"], atol=1e-3)
        # green-up (a lower level) is an observation date, at the latest the first one after the start
        green, sos = out["greenup_doy"][seasonal], out["sos_doy"][seasonal]
        assert np.isin(green, doy).all()
        assert (green <= np.array([doy[doy >= s][0] for s in sos])).all()
        assert ((out["pos_doy"] > out["sos_doy"]) & (out["pos_doy"] < out["eos_doy"]))[seasonal].all()


def test_phenology_compiled_equals_numpy(monkeypatch):
    rng = np.random.default_rng(13)
    dates = np.datetime64("2021-01-04") + (np.arange(0, 3 * 365, 8) + rng.integers(0, 3, 137)).astype("timedelta64[D]")
    doy = (dates - dates.astype("datetime64[Y]")).astype(int) + 1
    values = double_logistic(doy[:, None, None], rng.uniform(90, 150, (12, 15)), rng.uniform(220, 300, (12, 15)))
    values = values + rng.normal(0, 0.03, values.shape)
    values[rng.random(values.shape) < 0.35] = np.nan
    ds = ndvi_cube(values, dates)
    for kwargs in ({}, {"smooth": "whittaker", "lam": 500.0}, {"smooth": "none"},
                   {"method": "threshold", "threshold": 0.45, "greenup_threshold": 0.3}):
        compiled = maps(ph.phenology(ds, **kwargs))
        monkeypatch.setattr(ph, "USE_COMPILED", False)
        monkeypatch.setattr(sm, "USE_COMPILED", False)
        reference = maps(ph.phenology(ds, **kwargs))
        monkeypatch.setattr(ph, "USE_COMPILED", True)
        monkeypatch.setattr(sm, "USE_COMPILED", True)
        assert list(compiled) == [f"{y}_{m}" for y in (2021, 2022, 2023) for m in ph.METRICS]
        for name in compiled:
            np.testing.assert_array_equal(compiled[name], reference[name], err_msg=f"{kwargs} {name}")


def test_years_complete_by_default_explicit_ones_checked():
    dates = np.datetime64("2021-04-01") + np.arange(0, 640, 10).astype("timedelta64[D]")  # April 2021 - Dec 2022
    doy = (dates - dates.astype("datetime64[Y]")).astype(int) + 1
    values = double_logistic(doy[:, None, None], 120, 260) * np.ones((1, 2, 2))
    ds = ndvi_cube(values, dates)
    result = ph.phenology(ds)
    assert list(result.data_vars) == list(ph.METRICS) and result["sos_doy"].attrs["year"] == 2022
    assert history(result)[-1]["parameters"]["years"] == [2022]
    progress = Progress()
    both = ph.phenology(ds, years="2021-2022", progress=progress)
    assert list(both.data_vars)[:2] == ["2021_sos_doy", "2021_pos_doy"] and "2022_greenup_doy" in both
    assert "2021 is not completely covered" in progress.warnings[0]
    with pytest.raises(UserError, match=r"no date in 2019"):
        ph.phenology(ds, years="2019,2022")
    with pytest.raises(UserError, match=r"covers no calendar year completely"):
        ph.phenology(ds.isel(time=slice(0, 20)))
    with pytest.raises(UserError, match=r"YEARS must be years"):
        ph.phenology(ds, years="last year")


def test_ndvi_is_computed_from_red_and_nir_when_missing_and_integer_bands_are_in_reflectance():
    dates = np.datetime64("2022-01-02") + np.arange(0, 364, 6).astype("timedelta64[D]")
    ndvi = double_logistic(doy_of(dates)[:, None, None], 130, 250) * np.ones((1, 3, 4))
    red = np.full(ndvi.shape, 800.0)
    nir = red * (1 + ndvi) / (1 - ndvi)
    times = dates.astype("datetime64[ns]")
    ds = xr.Dataset({"B04": (("time", "y", "x"), red.round().astype(np.uint16)),
                     "B08": (("time", "y", "x"), nir.round().astype(np.uint16))},
                    coords={"time": times, "y": np.arange(3.0), "x": np.arange(4.0)})
    for name in ds.data_vars:
        ds[name].attrs.update(nodata=0, reflectance_scale=0.0001)
    out = maps(ph.phenology(ds, band="NDVI", smooth="none"))
    np.testing.assert_allclose(out["sos_doy"], 130.0, atol=1.0)
    np.testing.assert_allclose(out["peak_value"], 0.8, atol=0.01)
    nir_season = maps(ph.phenology(ds, band="nir", smooth="none", min_amplitude=0.05))
    assert np.nanmax(nir_season["peak_value"]) < 1.0  # reflectance, not DN


@pytest.mark.parametrize("kwargs, message", [
    ({"band": "B99"}, r"no band 'B99'"),
    ({"band": "EVI"}, r"EVI needs .*lacks"),
    ({"method": "threshold"}, r"needs a THRESHOLD"),
    ({"method": "spline"}, r"Unknown phenology METHOD"),
    ({"fraction": 1.2}, r"FRACTION must be between 0 and 1"),
    ({"smooth": "loess"}, r"Unknown SMOOTH"),
    ({"window": 4}, r"WINDOW must be an odd number"),
    ({"min_amplitude": -1}, r"MIN_AMPLITUDE"),
])
def test_bad_phenology_parameters_are_explained(kwargs, message):
    dates = np.datetime64("2022-01-02") + np.arange(0, 364, 10).astype("timedelta64[D]")
    red = np.full((len(dates), 2, 2), 900, dtype=np.uint16)
    ds = xr.Dataset({"B04": (("time", "y", "x"), red), "B08": (("time", "y", "x"), red * 2)},
                    coords={"time": dates.astype("datetime64[ns]"), "y": np.arange(2.0), "x": np.arange(2.0)})
    with pytest.raises(UserError, match=message):
        ph.phenology(ds, **kwargs)


def test_phenology_is_lazy_by_blocks_with_all_dates():
    dates = np.datetime64("2022-01-02") + np.arange(0, 364, 7).astype("timedelta64[D]")
    values = double_logistic(doy_of(dates)[:, None, None], np.linspace(100, 150, 64)[None, :] * np.ones((48, 1)), 260)
    lazy = ph.phenology(ndvi_cube(values, dates, chunks={"time": 1, "y": 16, "x": 32}))
    assert hasattr(lazy["sos_doy"].data, "dask") and lazy["sos_doy"].data.chunks == ((16, 16, 16), (32, 32))
    eager = ph.phenology(ndvi_cube(values, dates))
    for name in ph.METRICS:
        np.testing.assert_array_equal(lazy[name].values, eager[name].values)
    assert "spatial_ref" not in lazy or lazy["spatial_ref"].dims == ()
