"""Monthly or seasonal climatology of a cube, and each period's anomaly and z-score.

``anomalies(ds, period="month")`` returns a new cube (lazy on dask) with,
for every band analysed (``B04`` …):

* along a new ``time`` axis holding the first day of each period the cube
  has dates in (``2022-05-01`` for May 2022; ``2021-12-01`` for the DJF
  season of 2022):

  - ``B04_mean``: the mean of the band's valid values in that period;
  - ``B04_anomaly``: that mean minus the climatology mean of the same
    calendar month (or season);
  - ``B04_zscore``: the anomaly divided by the climatology standard
    deviation; NaN where that deviation is 0 or comes from fewer than two
    reference years;

  with the coordinates ``period_label`` (``2022-05``, ``2022-DJF``),
  ``period_end`` (last day, ``YYYY-MM-DD``), ``n_dates`` (acquisitions in the
  period) and ``in_reference`` (1 when the period is part of the reference);

* along a ``period_of_year`` axis (1-12 for months, 1-4 for DJF, MAM, JJA,
  SON; labels in ``period_of_year_label``): ``B04_climatology_mean``,
  ``B04_climatology_std`` and ``B04_climatology_count`` (the number of
  reference years with a value).

The climatology lives in the same cube, on its own axis (a second output
would be a second file to keep in step with the first).

Rules (decided here):

* **Periods.** Months, or meteorological seasons with December in the next
  year's DJF (as ``sitscube:composite``). Only periods holding at least one
  date of the cube appear on the new time axis.
* **The period mean** is the mean of the pixel's valid values on the dates
  of that period (nodata and NaN left out); no valid value -> NaN.
* **Reference.** A period belongs to the reference when its first day lies
  between ``reference_start`` and ``reference_end`` (both included;
  default: the whole cube). The climatology of a calendar month is the mean
  and the sample standard deviation (``ddof=1``) of that month's period
  means over the reference years, per pixel, ignoring years without a
  value. Fewer than two values: std NaN; none: mean NaN too.
* **anomaly** = period mean - climatology mean; **z-score** =
  anomaly / climatology std. Every period gets them, inside the reference
  or not.
* **Units.** The band's values as stored (DN stay DN); ``reflectance_scale``
  (and ``reflectance_offset`` for the means) is carried in the attributes.
  Every output is float32 with NaN as nodata; the count is int16.
* **Bands**: every (time, y, x) band but class bands (SCL, QA, masks) by
  default; or those named (asset key or common name).

Laziness: each band is read with all its dates in one chunk per y/x block
(``timeseries.time_whole``); the period means, the climatology and the
anomalies are ``map_blocks`` on those blocks. The means of a block are
computed once for the (time, y, x) outputs; the climatology variables are
written in their own batches and compute them again (one more read).
"""

import calendar
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .cube_io import add_history
from .errors import UserError
from .progress import Progress
from .timeseries import as_day, band_nodata, check_dates, select_bands, spatial_coords, time_whole, valid_mask

STEP = "anomaly"
PERIODS = ("month", "season")
SEASON_NAMES = ("DJF", "MAM", "JJA", "SON")
SEASON_OF_MONTH = {12: 1, 1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3, 9: 4, 10: 4, 11: 4}
SEASON_START_MONTH = {1: 12, 2: 3, 3: 6, 4: 9}


# ---- periods ------------------------------------------------------------------------------


def period_key(day, period: str) -> Tuple[int, int]:
    """(year, period of year) of a datetime.date: (2022, 5) for May 2022, (2022, 1) for December 2021 (DJF 2022)."""
    if period == "month":
        return day.year, day.month
    season = SEASON_OF_MONTH[day.month]
    return (day.year + 1 if day.month == 12 else day.year), season


def period_bounds(year: int, index: int, period: str):
    """(first day, last day) of a period as datetime.date."""
    import datetime as dt

    if period == "month":
        return dt.date(year, index, 1), dt.date(year, index, calendar.monthrange(year, index)[1])
    month = SEASON_START_MONTH[index]
    start = dt.date(year - 1 if month == 12 else year, month, 1)
    end_month = month + 2 if month < 12 else 2
    end_year = start.year if month < 12 else year
    return start, dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def period_label(year: int, index: int, period: str) -> str:
    return f"{year:04d}-{index:02d}" if period == "month" else f"{year:04d}-{SEASON_NAMES[index - 1]}"


def period_of_year_labels(period: str) -> List[str]:
    if period == "month":
        return [calendar.month_abbr[m] for m in range(1, 13)]
    return list(SEASON_NAMES)


def parse_period(period) -> str:
    text = str(period or "month").strip().lower()
    if text not in PERIODS:
        raise UserError(f"Unknown period '{period}': use month or season (DJF, MAM, JJA, SON).")
    return text


def group_dates(times: np.ndarray, period: str):
    """[(year, index, [date indices])] in time order, one per period holding dates."""
    groups = {}
    for position, day in enumerate(np.asarray(times).astype("datetime64[D]").astype(object)):
        groups.setdefault(period_key(day, period), []).append(position)
    return [(year, index, positions) for (year, index), positions in sorted(groups.items(),
                                                                           key=lambda kv: period_bounds(kv[0][0], kv[0][1], period)[0])]


# ---- kernels ------------------------------------------------------------------------------


def period_means_block(block: np.ndarray, groups: Sequence[Sequence[int]], nodata) -> np.ndarray:
    """(time, ...) -> (periods, ...) float32: the mean of the valid values of each group of dates; NaN when none."""
    block = np.asarray(block)
    out = np.empty((len(groups),) + block.shape[1:], dtype=np.float32)
    for number, positions in enumerate(groups):
        total = np.zeros(block.shape[1:], dtype=np.float64)
        count = np.zeros(block.shape[1:], dtype=np.int32)
        for position in positions:  # one date at a time: bounded temporaries, same sum order everywhere
            values = block[position]
            valid = valid_mask(values, nodata)
            total += np.where(valid, values, 0).astype(np.float64)
            count += valid
        with np.errstate(invalid="ignore", divide="ignore"):
            out[number] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out


def climatology_block(means: np.ndarray, members: Sequence[Sequence[int]]) -> np.ndarray:
    """(periods, ...) -> (3 K, ...) float64: mean, std (ddof 1) and count per period of year over its reference periods.

    Two passes (the mean, then the squared deviations), one 2-D slice at a time: small temporaries.
    """
    k = len(members)
    shape = means.shape[1:]
    out = np.full((3 * k,) + shape, np.nan, dtype=np.float64)
    for index, positions in enumerate(members):
        total = np.zeros(shape)
        count = np.zeros(shape, dtype=np.int64)
        for position in positions:
            values = means[position].astype(np.float64)
            valid = ~np.isnan(values)
            total += np.where(valid, values, 0.0)
            count += valid
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        squares = np.zeros(shape)
        for position in positions:
            deviation = means[position].astype(np.float64) - mean
            squares += np.where(np.isnan(deviation), 0.0, deviation * deviation)
        with np.errstate(invalid="ignore", divide="ignore"):
            std = np.where(count > 1, np.sqrt(squares / np.maximum(count - 1, 1)), np.nan)
        out[index], out[k + index], out[2 * k + index] = mean, std, count
    return out


def anomaly_block(means: np.ndarray, climatology: np.ndarray, of_year: Sequence[int]) -> np.ndarray:
    """(P, ...) means and (3 K, ...) climatology -> (2 P, ...) float32: anomalies then z-scores."""
    k = climatology.shape[0] // 3
    p = means.shape[0]
    out = np.empty((2 * p,) + means.shape[1:], dtype=np.float32)
    usable = {}
    for number, index in enumerate(of_year):
        if index not in usable:
            std = climatology[k + index]
            ok = np.isfinite(std) & (std > 0)
            usable[index] = (ok, np.where(ok, std, 1.0))
        ok, std = usable[index]
        anomaly = means[number].astype(np.float64) - climatology[index]
        out[number] = anomaly
        out[p + number] = np.where(ok, anomaly / std, np.nan)
    return out


# ---- the cube -----------------------------------------------------------------------------


def _reference(groups, period, start, end):
    """Indices (into groups) of the reference periods."""
    first, last = as_day(start, "REFERENCE_START"), as_day(end, "REFERENCE_END")
    if first is not None and last is not None and first > last:
        raise UserError(f"The reference start {first} is after the reference end {last}.")
    chosen = []
    for number, (year, index, _) in enumerate(groups):
        begin = np.datetime64(period_bounds(year, index, period)[0], "D")
        if (first is None or begin >= first) and (last is None or begin <= last):
            chosen.append(number)
    if not chosen:
        labels = [period_label(y, i, period) for y, i, _ in groups]
        shown = ", ".join(labels) if len(labels) <= 24 else ", ".join(labels[:12]) + ", … " + ", ".join(labels[-6:])
        raise UserError(
            f"No {period} of the cube starts between {first or 'the start'} and {last or 'the end'}: the reference "
            f"period is empty. The cube's {period}s are: {shown}."
        )
    return chosen


def anomalies(ds, period: str = "month", bands=None, reference_start=None, reference_end=None,
              progress: Optional[Progress] = None):
    """The anomaly cube of ``ds`` (see the module docstring)."""
    import dask.array as da
    import xarray as xr

    progress = progress or Progress()
    period = parse_period(period)
    times = check_dates(ds, "The anomaly analysis")
    names = select_bands(ds, bands, "analyse")
    groups = group_dates(times, period)
    reference = _reference(groups, period, reference_start, reference_end)
    k = 12 if period == "month" else 4
    members = [[p for p in reference if groups[p][1] == index] for index in range(1, k + 1)]
    of_year = [index - 1 for _, index, _ in groups]
    thin = [period_of_year_labels(period)[i] for i in range(k) if len(members[i]) < 2]
    if thin:
        progress.warning(
            f"The reference has fewer than two years for {', '.join(thin)}: their z-scores are NaN "
            "(and anomalies too where no reference year has a value)."
        )

    spatial = spatial_coords(ds)
    starts = [np.datetime64(period_bounds(y, i, period)[0], "ns") for y, i, _ in groups]
    out = xr.Dataset(attrs=dict(ds.attrs))
    p = len(groups)
    date_groups = [positions for _, _, positions in groups]
    for name in names:
        band = ds[name]
        nodata = band_nodata(band)
        data = time_whole(band.transpose("time", "y", "x").data)
        ychunks, xchunks = data.chunks[1], data.chunks[2]
        means = da.map_blocks(period_means_block, data, groups=date_groups, nodata=nodata, dtype=np.float32,
                              chunks=((p,), ychunks, xchunks), meta=np.empty((0, 0, 0), dtype=np.float32))
        climatology = da.map_blocks(climatology_block, means, members=members, dtype=np.float64,
                                    chunks=((3 * k,), ychunks, xchunks), meta=np.empty((0, 0, 0), dtype=np.float64))
        both = da.map_blocks(anomaly_block, means, climatology, of_year=of_year, dtype=np.float32,
                             chunks=((2 * p,), ychunks, xchunks), meta=np.empty((0, 0, 0), dtype=np.float32))
        scale = {key: band.attrs[key] for key in ("reflectance_scale",) if key in band.attrs}
        level = {key: band.attrs[key] for key in ("reflectance_scale", "reflectance_offset") if key in band.attrs}
        common = {"source_band": str(name), "nodata": np.float32(np.nan), "grid_mapping": "spatial_ref"}
        if "spatial_ref" not in spatial:
            common.pop("grid_mapping")

        def put(variable, array, dims, statistic, extra, dtype=np.float32):
            coords = dict(spatial)
            value = xr.DataArray(array.astype(dtype) if array.dtype != dtype else array, dims=dims, coords=coords)
            value.attrs = {**common, **extra, "statistic": statistic, "long_name": f"{name} {statistic.replace('_', ' ')}"}
            if np.dtype(dtype).kind in "iu":
                value.attrs.pop("nodata", None)
            out[variable] = value

        put(f"{name}_mean", means, ("time", "y", "x"), f"{period} mean", level)
        put(f"{name}_anomaly", both[:p], ("time", "y", "x"), "anomaly", scale)
        put(f"{name}_zscore", both[p:], ("time", "y", "x"), "z-score", {})
        put(f"{name}_climatology_mean", climatology[:k], ("period_of_year", "y", "x"), "climatology mean", level)
        put(f"{name}_climatology_std", climatology[k:2 * k], ("period_of_year", "y", "x"), "climatology std", scale)
        put(f"{name}_climatology_count", climatology[2 * k:], ("period_of_year", "y", "x"), "climatology count", {},
            dtype=np.int16)
    in_reference = np.zeros(p, dtype=np.int8)
    in_reference[reference] = 1
    labels = [period_label(y, i, period) for y, i, _ in groups]
    out = out.assign_coords(
        time=("time", np.asarray(starts, dtype="datetime64[ns]")),
        period_label=("time", labels),
        period_end=("time", [str(period_bounds(y, i, period)[1]) for y, i, _ in groups]),
        n_dates=("time", np.asarray([len(g) for g in date_groups], dtype=np.int32)),
        in_reference=("time", in_reference),
        period_of_year=("period_of_year", np.arange(1, k + 1, dtype=np.int32)),
        period_of_year_label=("period_of_year", period_of_year_labels(period)),
    )
    out["time"].attrs["long_name"] = f"first day of the {period}"
    out["period_of_year"].attrs["long_name"] = "month (1-12)" if period == "month" else "season (1 DJF, 2 MAM, 3 JJA, 4 SON)"
    used = [labels[i] for i in reference]
    progress.info(
        f"{period.capitalize()} anomalies of {', '.join(names)}: {p} {period}(s) from {labels[0]} to {labels[-1]}, "
        f"reference {used[0]} to {used[-1]} ({len(used)} {period}(s))."
    )
    return add_history(
        out, STEP,
        {"period": period, "bands": names, "reference_start": str(as_day(reference_start, "REFERENCE_START") or "") or None,
         "reference_end": str(as_day(reference_end, "REFERENCE_END") or "") or None,
         "reference_periods": used},
    )
