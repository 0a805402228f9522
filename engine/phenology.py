"""Land-surface phenology per pixel and per year: start, peak and end of season.

``phenology(ds, band="NDVI")`` returns a Dataset of (y, x) float32 maps,
lazily (dask), which ``composite.write_geotiff`` writes as one multi-band
GeoTIFF whose band descriptions are the metric names.

Per pixel and per season year (issue 15; the "seasonal amplitude" method of
TIMESAT, as dea-tools' ``xr_phenology`` and FORCE's TSA use it):

1. The band's series is smoothed along time (``smooth``: Savitzky-Golay by
   default, or Whittaker, or none; see smooth.py) with masked dates filled
   by the smooth curve. With ``smooth="none"`` masked dates are skipped.
2. For each year, the dates of that calendar year (1 January to
   31 December; a season crossing the new year, as in the southern
   hemisphere or for winter crops sown in autumn, is not handled):
   * ``pos_doy``/``peak_value``: the date (day of year) and value of the
     maximum (the first one if several dates tie);
   * the base levels: the minimum before the peak (``left``) and after it
     (``right``); ``amplitude`` = peak - (left + right) / 2;
   * ``sos_doy``: the first crossing upwards, before the peak, of
     ``left + fraction × (peak - left)`` (``method="amplitude"``, fraction
     0.5 by default) or of ``threshold`` (``method="threshold"``), in day of
     year, interpolated linearly between the two dates around it;
   * ``eos_doy``: the last crossing downwards, after the peak, of
     ``right + fraction × (peak - right)`` (or of ``threshold``);
   * ``season_length_days`` = eos - sos;
   * ``greenup_doy``: the day of year of the first date at or above the
     green-up level after a date below it, before the peak: ``left +
     greenup_fraction × (peak - left)`` (0.2 by default) or
     ``greenup_threshold`` when given. NaN when the series never rises
     through that level within the year (e.g. it starts the year above it).
3. A pixel-year **has no season** (every metric NaN, the GeoTIFF's
   nodata) when it has fewer than 3 dates with a value, when the amplitude
   is below ``min_amplitude`` (0.1 by default: NDVI units; 0 keeps every
   pixel), or when there is no start or no end crossing within the year.

Choices:

* **Days of year** are 1 on 1 January; observations are placed on their
  UTC date (so a peak is a whole day of year), crossings in between are
  fractional (``sos_doy`` 131.4).
* **Years**: ``years=None`` takes every calendar year the cube covers
  completely: a first date at most 45 days after 1 January (or before it)
  and a last date at most 45 days before 31 December (or after it). A year
  asked for explicitly may be incomplete (a warning says so) but must have
  dates.
* **Band**: a cube variable by name or common name (``nir`` finds B08);
  an index name (NDVI, EVI …; engine/indices.py) the cube lacks is computed
  from its bands. Integer bands are measured in reflectance (DN × the band's
  ``reflectance_scale``, 0.0001 when absent), so thresholds and peak
  values are in reflectance, like an index.
* **Outputs**: band names ``sos_doy``, ``pos_doy``, ``eos_doy``,
  ``peak_value``, ``amplitude``, ``season_length_days``, ``greenup_doy``;
  with several years each is prefixed by its year (``2022_sos_doy``), years
  in order. float32, NaN nodata.

Implementation: one compiled kernel (phenology_numba.py) smooths each pixel
in a buffer and measures all its years (pixels in parallel); the numpy
kernel here does the same operations on many pixels at once, used when
numba is missing, with identical results. Lazy: the time axis in one chunk
(as smooth and gap-fill), ``map_blocks`` from (dates, y, x) blocks to
(years × 7, y, x) blocks; ``write_geotiff`` computes them block by block,
with progress and cancel.
"""

from typing import List, Optional, Sequence, Union

import numpy as np

from .cube_io import add_history
from .errors import UserError
from .gapfill import _nodata, _time_whole
from .progress import Progress
from .smooth import (
    DEFAULT_LAMBDA,
    DEFAULT_ORDER,
    DEFAULT_WINDOW,
    check_parameters,
    cube_days,
    kernel_tables,
    series_numpy,
)
from .smooth_solve import crossing

STEP = "phenology"
METRICS = ("sos_doy", "pos_doy", "eos_doy", "peak_value", "amplitude", "season_length_days", "greenup_doy")
MODES = ("amplitude", "threshold")
SMOOTHERS = ("savitzky-golay", "whittaker", "none")
COMPLETE_TOLERANCE_DAYS = 45
DEFAULT_SCALE = 0.0001
SLAB_ELEMENTS = 1 << 19
USE_COMPILED = True  # tests switch it off to compare both kernels


# ---- the numpy kernel ----------------------------------------------------------------------


def _seasons_numpy(z, doy, first, stop, mode, fraction, threshold, green_fraction, green_threshold, min_amplitude):
    """phenology_numba.season_pixel on many pixels: z (T, n) float64 -> (7, n) float64."""
    n = z.shape[1]
    seg = z[first:stop]
    span = seg.shape[0]
    result = np.full((len(METRICS), n), np.nan)
    if span == 0:
        return result
    has = ~np.isnan(seg)
    order = np.argsort(~has, axis=0, kind="stable")
    pv = np.take_along_axis(seg, order, axis=0)
    pd = doy[first:stop][order]
    cnt = has.sum(axis=0)
    cols = np.arange(n)
    best = pv[0].copy()
    peak = np.zeros(n, dtype=np.int64)
    for j in range(1, span):
        better = (j < cnt) & (pv[j] > best)
        best = np.where(better, pv[j], best)
        peak = np.where(better, j, peak)
    left = pv[0].copy()
    for j in range(1, span):
        take = (j <= peak) & (pv[j] < left)
        left = np.where(take, pv[j], left)
    right = pv[peak, cols]
    for j in range(1, span):
        take = (j > peak) & (j < cnt) & (pv[j] < right)
        right = np.where(take, pv[j], right)
    amplitude = best - 0.5 * (left + right)
    if mode == "amplitude":
        up = left + fraction * (best - left)
        down = right + fraction * (best - right)
    else:
        up = np.full(n, float(threshold))
        down = up
    if np.isnan(green_threshold):
        level = left + green_fraction * (best - left)
    else:
        level = np.full(n, float(green_threshold))
    sos = np.full(n, np.nan)
    eos = np.full(n, np.nan)
    green = np.full(n, np.nan)
    found_sos = np.zeros(n, dtype=bool)
    found_green = np.zeros(n, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(1, span):
            before, here = pv[j - 1], pv[j]
            rising = j <= peak
            hit = ~found_sos & rising & (before < up) & (here >= up)
            sos = np.where(hit, crossing(pd[j - 1], pd[j], before, here, up), sos)
            found_sos |= hit
            hit = (j > peak) & (j < cnt) & (before >= down) & (here < down)
            eos = np.where(hit, crossing(pd[j - 1], pd[j], before, here, down), eos)
            hit = ~found_green & rising & (before < level) & (here >= level)
            green = np.where(hit, pd[j], green)
            found_green |= hit
    ok = (cnt >= 3) & (amplitude >= min_amplitude) & ~np.isnan(sos) & ~np.isnan(eos)
    values = (sos, pd[peak, cols], eos, best, amplitude, eos - sos, green)
    for k, value in enumerate(values):
        result[k] = np.where(ok, value, np.nan)
    return result


def _compiled():
    if not USE_COMPILED:
        return None
    try:
        from . import phenology_numba
    except ImportError:
        return None
    return phenology_numba


def phenology_block(block, days, nodata, smooth_method, window, order, tables, doy, starts, stops, mode, fraction,
                    threshold, green_fraction, green_threshold, min_amplitude):
    """(T, ...) block -> (years × 7, ...) float32 metrics."""
    block = np.asarray(block)
    count = block.shape[0]
    flat = block.reshape(count, -1)
    years = len(starts)
    out = np.empty((years * len(METRICS), flat.shape[1]), dtype=np.float32)
    compiled = _compiled()
    if compiled is not None:
        from .smooth_numba import METHOD_CODES

        compiled.phenology_block(
            np.ascontiguousarray(flat), days, float(nodata), METHOD_CODES[smooth_method], int(window), int(order),
            *tables, doy, starts, stops, compiled.AMPLITUDE if mode == "amplitude" else compiled.THRESHOLD,
            float(fraction), float(threshold), float(green_fraction), float(green_threshold), float(min_amplitude), out,
        )
    else:
        step = max(1, SLAB_ELEMENTS // max(count, 1))
        for start in range(0, flat.shape[1], step):
            part = flat[:, start:start + step]
            z = series_numpy(part, days, nodata, smooth_method, int(window), int(order), tables, True)
            for year in range(years):
                out[year * len(METRICS):(year + 1) * len(METRICS), start:start + step] = _seasons_numpy(
                    z, doy, int(starts[year]), int(stops[year]), mode, float(fraction), float(threshold),
                    float(green_fraction), float(green_threshold), float(min_amplitude))
    return out.reshape((out.shape[0],) + block.shape[1:])


# ---- parameters ----------------------------------------------------------------------------


def parse_years(text) -> Optional[List[int]]:
    """'2022', '2021,2022', '2020-2022' or a list -> sorted years; None/empty -> None."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    parts = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    years = set()
    for part in parts:
        item = str(part).strip()
        if not item:
            continue
        try:
            if "-" in item.lstrip("-"):
                low, high = (int(v) for v in item.split("-", 1))
                if low > high:
                    raise ValueError
                years.update(range(low, high + 1))
            else:
                years.add(int(item))
        except ValueError:
            raise UserError(f"YEARS must be years such as 2022, 2021,2022 or 2020-2022 (got '{text}').")
    if not years:
        return None
    if min(years) < 1900 or max(years) > 2200:
        raise UserError(f"YEARS must be calendar years such as 2022 (got '{text}').")
    return sorted(years)


def season_years(times, years=None, progress: Optional[Progress] = None) -> List[int]:
    """The years to measure: those given (with dates), else every completely covered calendar year."""
    progress = progress or Progress()
    day = np.asarray(times).astype("datetime64[D]")
    first, last = day.min(), day.max()
    present = sorted({int(str(d)[:4]) for d in day})

    def complete(year):
        start = np.datetime64(f"{year}-01-01") + np.timedelta64(COMPLETE_TOLERANCE_DAYS, "D")
        end = np.datetime64(f"{year}-12-31") - np.timedelta64(COMPLETE_TOLERANCE_DAYS, "D")
        return first <= start and last >= end

    if years is None:
        chosen = [y for y in present if complete(y)]
        if not chosen:
            raise UserError(
                f"The cube ({str(first)} to {str(last)}) covers no calendar year completely (dates within "
                f"{COMPLETE_TOLERANCE_DAYS} days of 1 January and 31 December): load a whole year, or give YEARS "
                "to measure an incomplete one."
            )
        return chosen
    missing = [y for y in years if y not in present]
    if missing:
        raise UserError(
            f"The cube has no date in {', '.join(map(str, missing))}: its dates run from {str(first)} to {str(last)} "
            f"(years {', '.join(map(str, present))})."
        )
    for year in years:
        if not complete(year):
            progress.warning(f"{year} is not completely covered by the cube ({str(first)} to {str(last)}): "
                             "its season may be cut and its start or end missing.")
    return list(years)


def _resolve_band(ds, band: str, progress: Progress):
    """(DataArray in float32 with NaN nodata (or the band as stored if float), description)."""
    from .indices import INDICES, add_index, find_common_band

    name = str(band or "NDVI").strip()
    candidates = {str(n).lower(): str(n) for n, v in ds.data_vars.items() if "time" in v.dims}
    key = candidates.get(name.lower())
    if key is None:
        common = find_common_band(ds, name.lower())
        key = str(common) if common is not None and str(common).lower() in candidates else None
    if key is None and name.upper() in INDICES:
        progress.info(f"The cube has no {name.upper()} band: computing it from its bands.")
        ds = add_index(ds, name.upper(), progress)
        key = name.upper()
    if key is None:
        raise UserError(
            f"The cube has no band '{name}' and it is not an index SITS Cube computes ({', '.join(INDICES)}). "
            f"Its bands are: {', '.join(map(str, ds.data_vars))}."
        )
    value = ds[key]
    if value.dtype.kind in "iu":
        nodata = value.attrs.get("nodata", 0)
        scale = float(value.attrs.get("reflectance_scale", DEFAULT_SCALE))
        value = (value.where(value != nodata).astype(np.float32) * np.float32(scale))
        value.attrs = {"nodata": np.nan}
    elif value.dtype.kind != "f":
        raise UserError(f"The band {key} is not numeric ({value.dtype}).")
    return value.transpose("time", "y", "x"), key


def phenology(
    ds,
    band: str = "NDVI",
    years: Optional[Union[str, Sequence[int]]] = None,
    method: str = "amplitude",
    fraction: float = 0.5,
    threshold: Optional[float] = None,
    greenup_fraction: float = 0.2,
    greenup_threshold: Optional[float] = None,
    min_amplitude: float = 0.1,
    smooth: str = "savitzky-golay",
    window: int = DEFAULT_WINDOW,
    order: int = DEFAULT_ORDER,
    lam: float = DEFAULT_LAMBDA,
    progress: Optional[Progress] = None,
):
    """Phenology maps of the cube (see the module docstring): a Dataset of (y, x) float32 variables."""
    import xarray as xr

    progress = progress or Progress()
    mode = str(method or "amplitude").strip().lower()
    if mode not in MODES:
        raise UserError(f"Unknown phenology METHOD '{method}': choose amplitude or threshold.")
    smoother = str(smooth or "none").strip().lower()
    if smoother not in SMOOTHERS:
        raise UserError(f"Unknown SMOOTH '{smooth}': choose savitzky-golay, whittaker or none.")
    if smoother != "none":
        smoother, window, order, lam = check_parameters(smoother, window, order, lam)
    fraction = float(fraction)
    if mode == "amplitude" and not 0 < fraction < 1:
        raise UserError(f"FRACTION must be between 0 and 1, exclusive (got {fraction:g}).")
    if mode == "threshold":
        if threshold is None or not np.isfinite(float(threshold)):
            raise UserError("METHOD 'threshold' needs a THRESHOLD: the value the curve crosses at the start and end "
                            "of the season (e.g. 0.4 for NDVI).")
        threshold = float(threshold)
    else:
        threshold = np.nan
    greenup_fraction = float(greenup_fraction)
    if not 0 < greenup_fraction < 1:
        raise UserError(f"GREENUP_FRACTION must be between 0 and 1, exclusive (got {greenup_fraction:g}).")
    greenup_threshold = np.nan if greenup_threshold is None else float(greenup_threshold)
    min_amplitude = float(min_amplitude)
    if not min_amplitude >= 0:
        raise UserError(f"MIN_AMPLITUDE must be zero or positive (got {min_amplitude:g}).")
    if not {"y", "x"} <= set(ds.dims):
        raise UserError("Phenology needs a cube with y and x dimensions.")
    if isinstance(years, str) or years is None:
        years = parse_years(years)
    else:
        years = parse_years(",".join(map(str, years)))

    days = cube_days(ds, "Phenology")
    value, key = _resolve_band(ds, band, progress)
    chosen = season_years(ds["time"].values, years, progress)
    day = ds["time"].values.astype("datetime64[D]")
    year_of = np.array([int(str(d)[:4]) for d in day])
    starts = np.array([int(np.searchsorted(year_of, y, "left")) for y in chosen], dtype=np.int64)
    stops = np.array([int(np.searchsorted(year_of, y, "right")) for y in chosen], dtype=np.int64)
    doy = np.array([(d - np.datetime64(f"{y}-01-01")).astype(int) + 1 for d, y in zip(day, year_of)], dtype=np.float64)
    tables = kernel_tables(days, smoother, window, order, lam)
    nodata = _nodata(value.dtype, {"nodata": value.attrs.get("nodata", np.nan)}) if value.dtype.kind == "f" else np.nan
    kwargs = dict(days=days, nodata=nodata, smooth_method=smoother, window=window, order=order, tables=tables, doy=doy,
                  starts=starts, stops=stops, mode=mode, fraction=fraction, threshold=threshold,
                  green_fraction=greenup_fraction, green_threshold=greenup_threshold, min_amplitude=min_amplitude)
    rows = len(chosen) * len(METRICS)
    data = value.data
    if hasattr(data, "map_blocks"):
        import dask.array as da

        data = _time_whole(data)
        result = da.map_blocks(phenology_block, data, chunks=((rows,),) + data.chunks[1:], dtype=np.float32, **kwargs)
    else:
        result = phenology_block(np.asarray(data), **kwargs)
    names = [f"{year}_{metric}" if len(chosen) > 1 else metric for year in chosen for metric in METRICS]
    coords = {name: c for name, c in ds.coords.items() if set(c.dims) <= {"y", "x"}}
    out = xr.Dataset(
        {name: (("y", "x"), result[k]) for k, name in enumerate(names)}, coords=coords, attrs=dict(ds.attrs),
    )
    for k, name in enumerate(names):
        metric = METRICS[k % len(METRICS)]
        out[name].attrs.update(year=int(chosen[k // len(METRICS)]), metric=metric,
                               units="day of year" if metric.endswith("_doy") else
                               ("days" if metric == "season_length_days" else key))
    detail = (f"start/end at {fraction:g} of the amplitude" if mode == "amplitude" else f"start/end at {threshold:g}")
    progress.info(
        f"Phenology of {key} for {', '.join(map(str, chosen))}: {detail}, smoothed with {smoother}"
        + (f" (window {window}, order {order})" if smoother == "savitzky-golay" else
           (f" (lambda {lam:g})" if smoother == "whittaker" else "")) + f"; {len(names)} band(s)."
    )
    parameters = {"band": key, "years": chosen, "method": mode, "fraction": fraction if mode == "amplitude" else None,
                  "threshold": threshold if mode == "threshold" else None, "greenup_fraction": greenup_fraction,
                  "greenup_threshold": None if np.isnan(greenup_threshold) else greenup_threshold,
                  "min_amplitude": min_amplitude, "smooth": smoother}
    if smoother == "savitzky-golay":
        parameters.update(window=window, order=order)
    elif smoother == "whittaker":
        parameters["lambda"] = lam
    return add_history(out, STEP, parameters)
