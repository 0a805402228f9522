"""Per-pixel trends over the years: Theil-Sen slope, Mann-Kendall test, change between two periods.

``trend(ds, band="NDVI", aggregation="mean")`` returns a Dataset of (y, x)
float32 layers (lazy on dask), written by ``write_trend_geotiff`` as a
multi-band GeoTIFF whose bands are named:

1. ``slope``: Theil-Sen slope, in the band's units per year;
2. ``intercept``: the Theil-Sen line's value at the first year of the cube
   (``intercept_year`` in the metadata), so the line is
   ``intercept + slope * (year - first year)``;
3. ``mk_s``: Mann-Kendall S, the number of later years above minus below;
4. ``tau``: Kendall's tau-b between year and value (tau-a when no ties);
5. ``p_value``: two-sided p-value of the Mann-Kendall test;
6. ``significance``: 1 (significant increase), -1 (significant decrease)
   or 0 (not significant at ``alpha``);
7. ``n_years``: the number of years with a value;
8. ``change`` and 9. ``relative_change`` when two periods are given.

Rules (decided here):

* **Years.** Each calendar year of the cube that has at least one valid
  value for the pixel gives one value: the ``mean`` (default), ``median``
  (of an even count: the mean of the two middle values) or ``max`` of its
  valid values. Years without one are left out (the series is then
  irregular, which Theil-Sen and Mann-Kendall accept). Fewer than
  ``MIN_YEARS`` (3) years: every statistic is empty but ``n_years``.
* **Theil-Sen** (Sen 1968): the median of the slopes of all pairs of years;
  the intercept is ``median(values) - slope * median(years)`` (the
  "separate" intercept, scipy.stats.theilslopes' default), years counted
  from the cube's first year.
* **Mann-Kendall**: ``S = sum sign(v_j - v_i)`` over i < j; variance
  ``(n(n-1)(2n+5) - sum t(t-1)(2t+5)) / 18`` over groups of t tied values;
  ``Z = (S - 1)/sqrt(var)`` for S > 0, ``(S + 1)/sqrt(var)`` for S < 0, 0
  for S = 0 (continuity correction, as in Hamed & Rao and ``pymannkendall``);
  ``p = erfc(|Z| / sqrt 2)`` (normal approximation, two-sided). A series
  of equal values has variance 0: p = 1, not significant. ``tau`` is
  ``S / sqrt(n0 (n0 - n_ties))`` with ``n0 = n(n-1)/2``; 0 for a flat series.
* **Change between two periods** (optional): ``change = mean_B - mean_A``,
  the means of the valid values on the dates of each period (start and end
  dates included), and ``relative_change = change / |mean_A|`` (a
  fraction: 0.1 is +10 %), empty where mean_A is 0 or either period has no
  valid value.
* **Units.** Values as stored (DN stay DN); the band's ``reflectance_scale``
  (and ``reflectance_offset`` for the intercept) is written as each band's
  GDAL scale/offset, so QGIS shows reflectance units. Every band float32,
  NaN as nodata.

Kernel: compiled with numba (pixels in parallel) when numba is installed,
else vectorized numpy over the pixels of a block (Python loops only over
years and pairs of years); both give identical numbers (same operations in
the same order; tests compare them). Lazy: the band is read with all dates
in one chunk per y/x block (``timeseries.time_whole``) and each block is
reduced by ``map_blocks``; the GeoTIFF is written block by block.
"""

import math
from typing import Optional, Sequence, Tuple

import numpy as np

from .cube_io import add_history
from .errors import UserError
from .progress import Progress
from .timeseries import as_day, band_nodata, check_dates, select_bands, spatial_coords, time_whole, valid_mask

STEP = "trend"
AGGREGATIONS = ("mean", "median", "max")
AGGREGATION_CODES = {"mean": 0, "median": 1, "max": 2}
OUTPUTS = ("slope", "intercept", "mk_s", "tau", "p_value", "significance", "n_years")
CHANGE_OUTPUTS = ("change", "relative_change")
MIN_YEARS = 3
USE_COMPILED = True  # tests switch it off to compare both kernels
_ERFC = np.frompyfunc(math.erfc, 1, 1)


# ---- kernels ------------------------------------------------------------------------------


def _median_of_sorted(values: np.ndarray, count: np.ndarray) -> np.ndarray:
    """values sorted along axis 0 with NaN last; count valid per column -> (low + high) / 2 (NaN where count is 0)."""
    safe = np.maximum(count, 1)
    low = np.take_along_axis(values, ((safe - 1) // 2)[None].astype(np.intp), axis=0)[0]
    high = np.take_along_axis(values, (safe // 2)[None].astype(np.intp), axis=0)[0]
    return np.where(count > 0, (low + high) / 2.0, np.nan)


def yearly_values(values: np.ndarray, year_starts, nodata, aggregation: str) -> np.ndarray:
    """(T, n) -> (Y, n) float64: the mean / median / max of each year's valid values, NaN when none."""
    n = values.shape[1]
    out = np.full((len(year_starts) - 1, n), np.nan)
    for year in range(len(year_starts) - 1):
        part = values[year_starts[year]:year_starts[year + 1]]
        if part.shape[0] == 0:
            continue
        valid = valid_mask(part, nodata)
        count = valid.sum(axis=0)
        if aggregation == "mean":
            total = np.zeros(n)
            for t in range(part.shape[0]):  # date by date: the compiled kernel's order of additions
                total += np.where(valid[t], part[t].astype(np.float64), 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[year] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        elif aggregation == "max":
            filled = np.where(valid, part.astype(np.float64), -np.inf)
            out[year] = np.where(count > 0, filled.max(axis=0), np.nan)
        else:
            ordered = np.sort(np.where(valid, part.astype(np.float64), np.nan), axis=0)
            out[year] = _median_of_sorted(ordered, count)
    return out


def trend_pixels_numpy(values, year_starts, years, nodata, aggregation: str, alpha: float, min_years: int = MIN_YEARS):
    """The numpy kernel: values (T, n) -> (7, n) float64 (see the module docstring for each row)."""
    yearly = yearly_values(values, year_starts, nodata, aggregation)
    n_years, n = yearly.shape
    valid = ~np.isnan(yearly)
    k = valid.sum(axis=0)
    out = np.full((len(OUTPUTS), n), np.nan)
    out[6] = k
    enough = k >= min_years
    if not enough.any() or n_years < 2:
        return out
    x = np.asarray(years, dtype=np.float64)
    first, second = np.triu_indices(n_years, 1)
    slopes = np.empty((len(first), n))
    s = np.zeros(n)
    for q, (i, j) in enumerate(zip(first, second)):
        difference = yearly[j] - yearly[i]
        slopes[q] = difference / (x[j] - x[i])
        s += np.nan_to_num(np.sign(difference))
    pairs = k * (k - 1) // 2
    slope = _median_of_sorted(np.sort(slopes, axis=0), pairs)
    sorted_y = np.sort(yearly, axis=0)
    xs = np.sort(np.where(valid, x[:, None], np.nan), axis=0)
    intercept = _median_of_sorted(sorted_y, k) - slope * _median_of_sorted(xs, k)
    # each value's number of equal values c: sum over groups of t(t-1)(2t+5) = sum over values of (c-1)(2c+5)
    equal = np.zeros((n_years, n))
    for i in range(n_years):
        equal[i] = (yearly == yearly[i]).sum(axis=0)
    equal = np.where(valid, equal, 1.0)
    tie_variance = np.zeros(n)
    tie_pairs = np.zeros(n)
    # the same sums as the compiled kernel, group by group in sorted order: each group once, from its first value
    ordered_equal = np.take_along_axis(equal, np.argsort(yearly, axis=0, kind="stable"), axis=0)
    start = np.ones((n_years, n), dtype=bool)
    start[1:] = sorted_y[1:] != sorted_y[:-1]
    start &= ~np.isnan(sorted_y)
    for i in range(n_years):
        t = np.where(start[i], ordered_equal[i], 1.0)
        tie_variance += t * (t - 1.0) * (2.0 * t + 5.0)
        tie_pairs += t * (t - 1.0) / 2.0
    kf = k.astype(np.float64)
    variance = (kf * (kf - 1.0) * (2.0 * kf + 5.0) - tie_variance) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        root = np.sqrt(np.where(variance > 0, variance, 1.0))
        z = np.where(s > 0, (s - 1.0) / root, np.where(s < 0, (s + 1.0) / root, 0.0))
        p_value = np.where(variance > 0, _ERFC(np.abs(z) / math.sqrt(2.0)).astype(np.float64), 1.0)
        all_pairs = kf * (kf - 1.0) / 2.0
        denominator = np.sqrt(all_pairs * (all_pairs - tie_pairs))
        tau = np.where(denominator > 0, s / np.where(denominator > 0, denominator, 1.0), 0.0)
    flag = np.where(p_value < alpha, np.sign(s), 0.0)
    for row, value in enumerate((slope, intercept, s, tau, p_value, flag)):
        out[row] = np.where(enough, value, np.nan)
    return out


def _compiled():
    if not USE_COMPILED:
        return None
    try:
        from . import trend_numba
    except ImportError:
        return None
    return trend_numba


def trend_block(block: np.ndarray, year_starts, years, nodata, aggregation: str, alpha: float,
                min_years: int = MIN_YEARS) -> np.ndarray:
    """(T, y, x) block -> (7, y, x) float32."""
    block = np.asarray(block)
    shape = block.shape[1:]
    flat = np.ascontiguousarray(block.reshape(block.shape[0], -1))
    compiled = _compiled()
    if compiled is not None:
        nodata_f = float(nodata) if nodata is not None else np.nan
        result = compiled.trend_pixels(flat, np.asarray(year_starts, dtype=np.int64), np.asarray(years, dtype=np.float64),
                                       nodata_f, bool(np.isnan(nodata_f)), AGGREGATION_CODES[aggregation],
                                       float(alpha), int(min_years))
    else:
        result = trend_pixels_numpy(flat, year_starts, years, nodata, aggregation, alpha, min_years)
    return result.astype(np.float32).reshape((len(OUTPUTS),) + shape)


def change_block(block: np.ndarray, window_a: Sequence[int], window_b: Sequence[int], nodata) -> np.ndarray:
    """(T, y, x) -> (2, y, x) float32: mean_B - mean_A and that change relative to |mean_A|."""
    block = np.asarray(block)

    def mean(positions):
        total = np.zeros(block.shape[1:])
        count = np.zeros(block.shape[1:], dtype=np.int64)
        for t in positions:
            valid = valid_mask(block[t], nodata)
            total += np.where(valid, block[t].astype(np.float64), 0.0)
            count += valid
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    a, b = mean(window_a), mean(window_b)
    change = b - a
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.where(a != 0, change / np.abs(np.where(a != 0, a, 1.0)), np.nan)
    return np.stack([change, relative]).astype(np.float32)


# ---- parameters ---------------------------------------------------------------------------


def parse_period(text, label: str) -> Optional[Tuple[np.datetime64, np.datetime64]]:
    """'2021-01-01,2021-12-31' (or a (start, end) pair) -> two datetime64[D]; None when empty."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    parts = [p.strip() for p in text.replace(";", ",").split(",")] if isinstance(text, str) else list(text)
    if len(parts) != 2 or not all(str(p).strip() for p in parts):
        raise UserError(f"{label} must be two dates 'start,end' such as 2021-01-01,2021-12-31 (got '{text}').")
    start, end = as_day(parts[0], label), as_day(parts[1], label)
    if start > end:
        raise UserError(f"{label}: the start date {start} is after the end date {end}.")
    return start, end


def _window(times, period, label):
    days = times.astype("datetime64[D]")
    positions = np.flatnonzero((days >= period[0]) & (days <= period[1]))
    if positions.size == 0:
        raise UserError(
            f"No date of the cube falls in {label} ({period[0]} to {period[1]}). The cube runs from {days[0]} to {days[-1]}."
        )
    return [int(p) for p in positions]


def trend(ds, band=None, aggregation: str = "mean", alpha: float = 0.05, period_a=None, period_b=None,
          progress: Optional[Progress] = None):
    """The trend layers of one band (see the module docstring)."""
    import dask.array as da
    import xarray as xr

    progress = progress or Progress()
    aggregation = str(aggregation or "mean").strip().lower()
    if aggregation not in AGGREGATIONS:
        raise UserError(f"Unknown AGGREGATION '{aggregation}': use {', '.join(AGGREGATIONS)}.")
    alpha = float(alpha)
    if not 0.0 < alpha < 1.0:
        raise UserError(f"ALPHA must be between 0 and 1 (exclusive), e.g. 0.05; got {alpha:g}.")
    times = check_dates(ds, "The trend analysis")
    if band is None or (isinstance(band, str) and not band.strip()):
        names = select_bands(ds, None, "analyse")
        if len(names) > 1:
            raise UserError(f"Choose the BAND to analyse: the cube has {', '.join(names)}.")
    else:
        names = select_bands(ds, [band] if isinstance(band, str) else band, "analyse")
        if len(names) != 1:
            raise UserError("Give one BAND for the trend analysis.")
    name = names[0]
    a = parse_period(period_a, "PERIOD_A")
    b = parse_period(period_b, "PERIOD_B")
    if (a is None) != (b is None):
        raise UserError("Give both PERIOD_A and PERIOD_B for the change between two periods, or neither.")

    years_of_dates = times.astype("datetime64[Y]").astype(np.int64) + 1970
    first_year, last_year = int(years_of_dates[0]), int(years_of_dates[-1])
    all_years = np.arange(first_year, last_year + 1)
    year_starts = np.searchsorted(years_of_dates, np.append(all_years, last_year + 1)).astype(np.int64)
    present = len(np.unique(years_of_dates))
    if present < MIN_YEARS:
        raise UserError(
            f"A trend over the years needs dates in at least {MIN_YEARS} different years; the cube has "
            f"{present} ({', '.join(str(y) for y in np.unique(years_of_dates))}). Load a longer time series."
        )
    years = (all_years - first_year).astype(np.float64)

    variable = ds[name]
    nodata = band_nodata(variable)
    data = time_whole(variable.transpose("time", "y", "x").data)
    ychunks, xchunks = data.chunks[1], data.chunks[2]
    stats = da.map_blocks(trend_block, data, year_starts=year_starts, years=years, nodata=nodata,
                          aggregation=aggregation, alpha=alpha, dtype=np.float32,
                          chunks=((len(OUTPUTS),), ychunks, xchunks), meta=np.empty((0, 0, 0), dtype=np.float32))
    spatial = spatial_coords(ds)
    out = xr.Dataset(attrs={k: v for k, v in ds.attrs.items() if k == "sitscube_history"})
    scale = {k: variable.attrs[k] for k in ("reflectance_scale",) if k in variable.attrs}
    level = {k: variable.attrs[k] for k in ("reflectance_scale", "reflectance_offset") if k in variable.attrs}
    units = {"slope": scale, "intercept": level}
    layers = [(output, stats[index]) for index, output in enumerate(OUTPUTS)]
    windows = None
    if a is not None:
        windows = (_window(times, a, "PERIOD_A"), _window(times, b, "PERIOD_B"))
        change = da.map_blocks(change_block, data, window_a=windows[0], window_b=windows[1], nodata=nodata,
                               dtype=np.float32, chunks=((2,), ychunks, xchunks), meta=np.empty((0, 0, 0), dtype=np.float32))
        layers += [("change", change[0]), ("relative_change", change[1])]
        units["change"] = scale
    for output, array in layers:
        value = xr.DataArray(array, dims=("y", "x"), coords=spatial)
        value.attrs = {"nodata": np.float32(np.nan), "source_band": str(name), **units.get(output, {})}
        if "spatial_ref" in spatial:
            value.attrs["grid_mapping"] = "spatial_ref"
        out[output] = value
    out.attrs.update(intercept_year=first_year, aggregation=aggregation, alpha=alpha, source_band=str(name),
                     first_year=first_year, last_year=last_year)
    kernel = "numba" if _compiled() is not None else "numpy"
    progress.info(
        f"Trend of {name}: yearly {aggregation} over {first_year}-{last_year} ({present} year(s) with dates), "
        f"Theil-Sen and Mann-Kendall at alpha {alpha:g}, {kernel} kernel"
        + (f"; change {b[0]}..{b[1]} minus {a[0]}..{a[1]}." if a is not None else ".")
    )
    return add_history(
        out, STEP,
        {"band": str(name), "aggregation": aggregation, "alpha": alpha, "first_year": first_year, "last_year": last_year,
         "period_a": [str(a[0]), str(a[1])] if a else None, "period_b": [str(b[0]), str(b[1])] if b else None},
    )


def write_trend_geotiff(result, path: str, progress: Optional[Progress] = None) -> str:
    """The trend layers as a tiled float32 GeoTIFF (one band per layer, named), block by block, atomically."""
    from .composite import write_geotiff

    if not str(path).lower().endswith((".tif", ".tiff")):
        raise UserError(f"The trend is written as GeoTIFF: the file name must end in .tif, not '{path}'.")
    written = write_geotiff(result, path, progress)
    try:  # a few facts for the reader of the file (the bands are named already)
        import rasterio

        with rasterio.open(written, "r+") as dst:
            dst.update_tags(**{k: str(result.attrs[k]) for k in ("intercept_year", "aggregation", "alpha", "source_band",
                                                               "first_year", "last_year") if k in result.attrs})
    except Exception:  # noqa: BLE001 - metadata only
        pass
    return written
