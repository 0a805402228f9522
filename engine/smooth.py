"""Smooth the time series of a cube: Savitzky-Golay or Whittaker, in actual time.

``smooth(ds, "savitzky-golay", window=7, order=2)`` returns the cube with
every reflectance/index band smoothed along time, lazily (dask).

Methods (issue 15):

* ``savitzky-golay`` (default): at each date, the least-squares polynomial of
  degree ``order`` through the ``window`` valid observations around it
  (``window // 2`` before and after), fitted **in days** (acquisition times,
  not indices) and evaluated at that date's time. Masked observations are
  skipped, so the window reaches further in time over a gap, and it slides
  inwards at the ends of the series (the first dates use the first
  ``window`` valid observations), like scipy's ``mode="interp"``. A
  polynomial of degree <= ``order`` is reproduced exactly, on any dates.
  This is not ``scipy.signal.savgol_filter``, whose fixed weights assume
  evenly spaced dates and know no masked values. A masked date (when
  ``fill``) gets the fit of the ``window // 2`` valid observations before it
  and the ``window // 2`` after it. A pixel with fewer valid observations
  than the window uses those it has, with the degree lowered to at most
  their number minus one.
* ``whittaker``: the Whittaker-Eilers smoother for uneven spacing (Eilers
  2003, "A perfect smoother", divided differences ``ddmat``): the series
  ``z`` minimising ``Σ wᵢ (yᵢ - zᵢ)² + λ Σ (Δ²z)ᵢ²`` with ``wᵢ`` 1 for a
  valid observation and 0 for a masked one, and ``Δ²`` the second divided
  differences on the acquisition times in days (Eilers' ``ddmat(t, 2)``:
  ``V₂ · diff(V₁ · diff(I))``, ``Vₖ = diag(1 / (t[i+k] - t[i]))``, no
  factorial). Solved per pixel as a banded (pentadiagonal) symmetric system
  by LDLᵀ factorization, O(dates). ``lam`` is therefore in days⁴ and does
  not depend on how many dates the cube has: oscillations shorter than
  about ``2π (λ/4)^¼`` days are smoothed away (λ 1e3: ~25 days, 1e4: ~45,
  1e5: ~80, 1e6: ~140). A huge λ gives the weighted straight-line fit, a
  tiny one the data. A pixel with a single valid observation gets that
  value.

Choices:

* **Window** counts dates (valid observations), odd, at least 3 and more
  than ``order``; ``order`` 0-6.
* **Masked values** (nodata: the band's ``nodata`` attribute, 0 when absent
  for integers; NaN for floats) never enter a fit: their weight is 0, so
  whatever value they hold changes nothing. ``fill=True`` (default) gives
  them the smooth curve's value; before the first and after the last valid
  observation of a pixel, the curve's value at that first/last observation
  (no extrapolation, as gap-fill fills the ends). ``fill=False`` leaves them
  nodata. A pixel never valid stays nodata.
* **Types.** Each band keeps its type: integer bands (DN, e.g. uint16
  reflectance) are rounded half away from zero, clipped into the type's
  range and never given the nodata value (nodata + 1 instead, as
  gap-fill), so ``reflectance_scale`` still applies and the cube stays the
  size it was (rounding moves a reflectance by at most 0.00005); float
  bands (indices) stay float. The arithmetic is float64.
* **Bands**: every (time, y, x) band except class bands (SCL, QA, masks),
  or the ``bands`` given (asset keys or common names).
* **Dates** must increase strictly (two products at the same time: load
  with GROUPBY solar_day).

Implementation: the compiled kernel (smooth_numba.py, numba) smooths one
pixel at a time, pixels in parallel; the numpy kernel here, used when numba
is missing, does the same operations in the same order on many pixels at
once (Python loops over dates and window positions, never over pixels), so
both give identical results. Dates are the same for every pixel, so a
Savitzky-Golay window whose dates are all valid, or that spans one masked
date, is a fixed filter computed once per cube (``savgol_table``,
``savgol_gap_table``: about half the fits on a cloud-masked series); the
other windows are fitted from their moments (closed-form solve up to degree
2). Whittaker's recurrences are solved for a tile of pixels at once (the
divisions of one pixel depend on each other; those of 512 pixels do not). On a dask cube the time axis is put into one
chunk (y/x chunks kept, or halved until a chunk holds at most 24 MiB, as
gap-fill does) and the kernel runs per chunk with ``map_blocks``.
"""

from typing import List, Optional, Sequence, Union

import numpy as np

from .cube_io import add_history
from .errors import UserError
from .gapfill import NANOSECONDS_PER_DAY, _nodata, _replacement, _time_whole, is_categorical
from .progress import Progress
from .smooth_solve import solve2, solve3

STEP = "smooth"
METHODS = ("savitzky-golay", "whittaker")
DEFAULT_WINDOW = 7
DEFAULT_ORDER = 2
DEFAULT_LAMBDA = 1e4
MAX_ORDER = 6
SLAB_ELEMENTS = 1 << 19  # values (dates × pixels) the numpy kernel works on at once
USE_COMPILED = True  # tests switch it off to compare both kernels


# ---- parameters ----------------------------------------------------------------------------


def check_parameters(method, window, order, lam):
    """Normalised (method, window, order, lam); UserError with what to change."""
    method = str(method or "savitzky-golay").strip().lower().replace("_", "-")
    if method in ("savgol", "sg", "savitzky golay"):
        method = "savitzky-golay"
    if method not in METHODS:
        raise UserError(f"Unknown smoothing method '{method}': choose savitzky-golay or whittaker.")
    try:
        window, order, lam = int(window), int(order), float(lam)
    except (TypeError, ValueError):
        raise UserError("WINDOW and ORDER must be whole numbers and LAMBDA a number.")
    if method == "savitzky-golay":
        if window < 3 or window % 2 == 0:
            raise UserError(f"WINDOW must be an odd number of dates, at least 3 (got {window}).")
        if not 0 <= order <= MAX_ORDER:
            raise UserError(f"ORDER must be between 0 and {MAX_ORDER} (got {order}).")
        if order >= window:
            raise UserError(f"ORDER ({order}) must be smaller than WINDOW ({window}): a polynomial of degree "
                            f"{order} needs {order + 1} dates and would pass through them all.")
    elif not (lam > 0 and np.isfinite(lam)):
        raise UserError(f"LAMBDA must be a positive number (got {lam}).")
    return method, window, order, lam


def cube_days(ds, what="Smoothing") -> np.ndarray:
    """Days since the cube's first date (float64); UserError unless strictly increasing dates."""
    if "time" not in ds.dims or ds.sizes["time"] < 2:
        raise UserError(f"{what} needs a cube with a time axis of at least two dates; this one has "
                        f"{ds.sizes.get('time', 0)}. Load more dates.")
    times = ds["time"].values
    if not np.issubdtype(times.dtype, np.datetime64):
        raise UserError(f"The cube's time axis does not hold dates: {what.lower()} works in days.")
    ns = times.astype("datetime64[ns]")
    days = (ns - ns[0]).astype(np.int64) / NANOSECONDS_PER_DAY
    steps = np.diff(days)
    if np.any(steps <= 0):
        where = int(np.flatnonzero(steps <= 0)[0])
        raise UserError(
            f"The cube's dates must increase strictly: {str(times[where])[:19]} is followed by "
            f"{str(times[where + 1])[:19]}. Sort the cube by time, and load it with GROUPBY solar_day "
            "so two products of the same overpass are one date."
        )
    return days


def whittaker_bands(days: np.ndarray, lam: float):
    """The three diagonals (main, first, second) of λ DᵀD, D = Eilers' ddmat(days, 2)."""
    t = np.asarray(days, dtype=np.float64)
    count = len(t)
    p0, p1, p2 = np.zeros(count), np.zeros(max(count - 1, 1)), np.zeros(max(count - 2, 1))
    if count < 3:
        return p0, p1, p2
    # row i of D (i = 0..count-3) has entries on columns i, i+1, i+2
    h0 = t[1:-1] - t[:-2]  # t[i+1] - t[i]
    h1 = t[2:] - t[1:-1]  # t[i+2] - t[i+1]
    span = t[2:] - t[:-2]  # t[i+2] - t[i]
    a = 1.0 / (h0 * span)
    c = 1.0 / (h1 * span)
    b = -(a + c)
    rows = np.arange(count - 2)
    entries = np.stack([a, b, c])  # (3, count-2): D[i, i+k] = entries[k, i]
    for k in range(3):
        np.add.at(p0, rows + k, lam * entries[k] * entries[k])
    for k in range(2):
        np.add.at(p1, rows + k, lam * entries[k] * entries[k + 1])
    np.add.at(p2, rows, lam * entries[0] * entries[2])
    return p0, p1, p2


def savgol_table(days: np.ndarray, window: int, order: int) -> np.ndarray:
    """(T, 2 + window) float64: per date, the first date of its window when all its dates are valid
    (-1: the cube has fewer dates than the window), the time scale of the fits (column 1, the same on
    every row: 1 / (window // 2 × the median step between dates)), and the Savitzky-Golay coefficients
    of that all-valid window (the fitted value is Σ coefficient × value, in date order).

    Dates are the same for every pixel, so where a pixel's window holds no masked date its fit is
    this fixed filter (exactly what the general fit computes, up to rounding): the fast path.
    """
    days = np.asarray(days, dtype=np.float64)
    count = len(days)
    table = np.zeros((count, 2 + max(int(window), 1)))
    table[:, 0] = -1.0
    step = float(np.median(np.diff(days))) if count > 1 else 1.0
    inverse = 1.0 / (max(int(window) // 2, 1) * (step if step > 0 else 1.0))
    table[:, 1] = inverse
    if count < window or window < 1:
        return table
    half = window // 2
    q = min(order, window - 1)
    for i in range(count):
        first = min(max(i - half, 0), count - window)
        u = (days[first:first + window] - days[i]) * inverse
        vandermonde = np.vander(u, q + 1, increasing=True)
        table[i, 0] = first
        table[i, 2:] = np.linalg.pinv(vandermonde)[0]
    return table


def savgol_gap_table(days: np.ndarray, window: int, order: int, inverse: float) -> np.ndarray:
    """(T, window + 1, window + 1, window) float64: Savitzky-Golay coefficients at date i of the windows
    of ``window`` valid dates spanning ``window + 1`` dates with one masked date inside, the most
    common window after the all-valid one. Index [i, a - (i - window), m]: the window's first date is
    a, its masked date a + m (1 <= m < window). NaN where no such window exists. Empty (0, ...) when
    the cube has too few dates."""
    days = np.asarray(days, dtype=np.float64)
    count = len(days)
    if window < 3 or count < window + 1:
        return np.zeros((0, 1, 1, 1))
    gaps = np.full((count, window + 1, window + 1, window), np.nan)
    q = min(order, window - 1)
    for i in range(count):
        for shift in range(window + 1):
            a = i - window + shift
            if a < 0 or a + window > count - 1:
                continue
            for m in range(1, window):
                if a + m == i:
                    continue
                points = [a + j for j in range(window + 1) if j != m]
                u = (days[points] - days[i]) * inverse
                gaps[i, shift, m] = np.linalg.pinv(np.vander(u, q + 1, increasing=True))[0]
    return gaps


def kernel_tables(days, method, window=DEFAULT_WINDOW, order=DEFAULT_ORDER, lam=DEFAULT_LAMBDA):
    """What the kernels need besides the values: (p0, p1, p2) of Whittaker, the Savitzky-Golay tables."""
    days = np.asarray(days, dtype=np.float64)
    p0, p1, p2 = whittaker_bands(days if method == "whittaker" else days[:0], lam)
    if method == "savitzky-golay":
        table = savgol_table(days, int(window), int(order))
        gaps = savgol_gap_table(days, int(window), int(order), table[0, 1])
    else:
        table, gaps = savgol_table(days, 0, 0), np.zeros((0, 1, 1, 1))
    return p0, p1, p2, table, gaps


# ---- numpy kernels (the same operations as smooth_numba.py, on many pixels at once) ---------


def _valid(values: np.ndarray, nodata) -> np.ndarray:
    valid = values == values  # not NaN
    if not np.isnan(float(nodata)):
        valid &= values != nodata
    return valid


def _fit_numpy(ct, cy, cols, start, size, t0, order, inverse):
    """smooth_numba._fit for the pixels ``cols``, all with the same ``size``; start per pixel."""
    q = order if order < size - 1 else size - 1
    powers = 2 * q + 1
    s = [np.zeros(len(cols)) for _ in range(powers)]
    r = [np.zeros(len(cols)) for _ in range(q + 1)]
    for j in range(size):
        u = (ct[start + j, cols] - t0) * inverse
        yj = cy[start + j, cols]
        p = np.ones(len(cols))
        for a in range(powers):
            s[a] += p
            if a <= q:
                r[a] += p * yj
            p = p * u
    if q == 0:
        return r[0] / s[0]
    if q == 1:
        return solve2(s[0], s[1], s[2], r[0], r[1])
    if q == 2:
        return solve3(s[0], s[1], s[2], s[3], s[4], r[0], r[1], r[2])
    n = q + 1
    m = [[s[a + b].copy() for b in range(n)] for a in range(n)]
    for k in range(n):
        pivot = m[k][k]
        for row in range(k + 1, n):
            f = m[row][k] / pivot
            for col in range(k, n):
                m[row][col] = m[row][col] - f * m[k][col]
            r[row] = r[row] - f * r[k]
    for k in range(n - 1, -1, -1):
        total = r[k]
        for col in range(k + 1, n):
            total = total - m[k][col] * r[col]
        r[k] = total / m[k][k]
    return r[0]


def _savgol_numpy(values, valid, days, window, order, fill, table, gaps):
    """(T, n) -> float64 (T, n), NaN where no value."""
    count, n = values.shape
    half = window // 2
    cols_all = np.arange(n)
    order_index = np.argsort(~valid, axis=0, kind="stable")  # valid dates first, in time order
    ct = days[order_index]
    cy = np.take_along_axis(values, order_index, axis=0).astype(np.float64)
    series = values.astype(np.float64)
    c = valid.sum(axis=0)
    rank = np.cumsum(valid, axis=0) - valid  # valid dates before each date
    inverse = table[0, 1]
    z = np.full((count, n), np.nan)
    for i in range(count):
        k = rank[i]
        ok = valid[i]
        inner = ~ok & (k > 0) & (k < c) if fill else np.zeros(n, dtype=bool)
        size = np.where(ok, np.minimum(window, c), np.minimum(2 * half, c))
        start = np.minimum(np.maximum(k - half, 0), c - size)
        todo = (ok | inner) & (c > 0)
        first_date = table[i, 0]
        if first_date >= 0:  # valid dates whose window is the dates around them, all valid: the fixed filter
            base = int(first_date)
            last = np.minimum(start + window - 1, count - 1)
            fast = (todo & ok & (size == window) & (order_index[start, cols_all] == base)
                    & (order_index[last, cols_all] == base + window - 1))
            cols = cols_all[fast]
            total = np.zeros(len(cols))
            for j in range(window):
                total = total + table[i, 2 + j] * series[base + j, cols]
            z[i, cols] = total
            todo &= ~fast
        if gaps.shape[0]:  # windows with one masked date inside their span: the precomputed filter
            begin = order_index[start, cols_all]
            end = order_index[np.minimum(start + window - 1, count - 1), cols_all]
            one = todo & ok & (size == window) & (end - begin == window)
            cols = cols_all[one]
            if len(cols):
                begin = begin[cols]
                missing = np.full(len(cols), window)
                for j in range(window - 1, 0, -1):  # the first offset whose date is not the one expected
                    missing = np.where(order_index[start[cols] + j, cols] != begin + j, j, missing)
                coefficients = gaps[i, begin - (i - window), missing]  # (pixels, window)
                total = np.zeros(len(cols))
                for j in range(window):
                    total = total + coefficients[:, j] * cy[start[cols] + j, cols]
                z[i, cols] = total
                todo[cols] = False
        for value in np.unique(size[todo]):
            cols = cols_all[todo & (size == value)]
            z[i, cols] = _fit_numpy(ct, cy, cols, start[cols], int(value), days[i], order, inverse)
    return z


def _whittaker_numpy(values, valid, p0, p1, p2, fill):
    count, n = values.shape
    w = valid.astype(np.float64)
    d = np.empty((count, n))
    l1 = np.zeros((count, n))
    l2 = np.zeros((count, n))
    x = np.empty((count, n))
    z = np.empty((count, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(count):
            di = p0[i] + w[i]
            if i >= 1:
                di = di - l1[i - 1] * l1[i - 1] * d[i - 1]
            if i >= 2:
                di = di - l2[i - 2] * l2[i - 2] * d[i - 2]
            d[i] = di
            if i + 1 < count:
                e = np.full(n, p1[i])
                if i >= 1:
                    e = e - l2[i - 1] * l1[i - 1] * d[i - 1]
                l1[i] = e / di
            if i + 2 < count:
                l2[i] = p2[i] / di
        for i in range(count):
            xi = np.where(valid[i], values[i].astype(np.float64), 0.0)
            if i >= 1:
                xi = xi - l1[i - 1] * x[i - 1]
            if i >= 2:
                xi = xi - l2[i - 2] * x[i - 2]
            x[i] = xi
        x /= d
        for i in range(count - 1, -1, -1):
            zi = x[i]
            if i + 1 < count:
                zi = zi - l1[i] * z[i + 1]
            if i + 2 < count:
                zi = zi - l2[i] * z[i + 2]
            z[i] = zi
    c = valid.sum(axis=0)
    single = c == 1
    if single.any():
        only = np.where(valid[:, single], values[:, single].astype(np.float64), 0.0).sum(axis=0)
        z[:, single] = only
    if not fill:
        z[~valid] = np.nan
    z[:, c == 0] = np.nan
    return z


def _fill_ends(z, valid):
    """Dates before the first / after the last valid one: the curve's value there."""
    count = valid.shape[0]
    any_valid = valid.any(axis=0)
    first = np.argmax(valid, axis=0)
    last = count - 1 - np.argmax(valid[::-1], axis=0)
    cols = np.arange(valid.shape[1])
    at_first = z[first, cols]
    at_last = z[last, cols]
    index = np.arange(count)[:, None]
    z = np.where((index < first) & any_valid, at_first, z)
    return np.where((index > last) & any_valid, at_last, z)


def series_numpy(values, days, nodata, method, window, order, tables, fill):
    """The numpy kernel: (T, n) values -> float64 (T, n) smoothed, NaN where no value. tables: kernel_tables()."""
    valid = _valid(values, nodata)
    if method == "savitzky-golay":
        z = _savgol_numpy(values, valid, days, window, order, fill, tables[3], tables[4])
    elif method == "whittaker":
        z = _whittaker_numpy(values, valid, *tables[:3], fill)
    else:  # none
        return np.where(valid, values.astype(np.float64), np.nan)
    return _fill_ends(z, valid) if fill else z


def _store_numpy(z, dtype, nodata, replacement):
    dtype = np.dtype(dtype)
    missing = np.isnan(z)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        value = np.where(z >= 0, np.floor(z + 0.5), -np.floor(-z + 0.5))
        value = np.minimum(np.maximum(value, float(info.min)), float(info.max))
        value = np.where(value == nodata, float(replacement), value)
        value = np.where(missing, float(nodata), value)
        return value.astype(dtype)
    value = np.where(z == nodata, replacement, z)
    return np.where(missing, nodata, value).astype(dtype)


def _compiled():
    if not USE_COMPILED:
        return None
    try:
        from . import smooth_numba
    except ImportError:
        return None
    return smooth_numba


def smooth_block(block, days, nodata, method="savitzky-golay", window=DEFAULT_WINDOW, order=DEFAULT_ORDER,
                 lam=DEFAULT_LAMBDA, fill=True, tables=None):
    """Smooth a numpy block whose axis 0 is time (any trailing shape); same dtype out.

    tables: kernel_tables(days, method, window, order, lam), computed when not given.
    """
    block = np.asarray(block)
    count = block.shape[0]
    flat = block.reshape(count, -1)
    days = np.asarray(days, dtype=np.float64)
    dtype = flat.dtype
    nodata = _nodata(dtype, {"nodata": nodata}) if nodata is not None else _nodata(dtype, {})
    replacement = nodata if np.isnan(float(nodata)) else _replacement(dtype, nodata)
    if tables is None:
        tables = kernel_tables(days, method, window, order, lam)
    compiled = _compiled()
    if compiled is not None:
        integer = dtype.kind in "iu"
        low, high = (float(np.iinfo(dtype).min), float(np.iinfo(dtype).max)) if integer else (0.0, 0.0)
        out = np.empty(flat.shape, dtype=dtype)
        compiled.smooth_block(
            np.ascontiguousarray(flat), days, float(nodata), compiled.METHOD_CODES[method], int(window), int(order),
            *tables, bool(fill), integer, low, high, dtype.type(replacement), dtype.type(nodata), out,
        )
        return out.reshape(block.shape)
    out = np.empty(flat.shape, dtype=dtype)
    step = max(1, SLAB_ELEMENTS // max(count, 1))
    for start in range(0, flat.shape[1], step):
        part = flat[:, start:start + step]
        z = series_numpy(part, days, nodata, method, int(window), int(order), tables, bool(fill))
        out[:, start:start + step] = _store_numpy(z, dtype, nodata, replacement)
    return out.reshape(block.shape)


# ---- the cube ------------------------------------------------------------------------------


def select_bands(ds, bands, progress) -> List[str]:
    """Bands to smooth: (time, y, x) numeric bands that are not class bands; or those named."""
    from .indices import find_common_band

    candidates = [str(n) for n, v in ds.data_vars.items() if "time" in v.dims and v.dtype.kind in "iuf"]
    if bands is None or (isinstance(bands, str) and not bands.strip()):
        chosen = [n for n in candidates if not is_categorical(n)]
    else:
        wanted = [b.strip() for b in bands.split(",")] if isinstance(bands, str) else [str(b).strip() for b in bands]
        chosen, unknown = [], []
        by_lower = {n.lower(): n for n in candidates}
        for name in (w for w in wanted if w):
            key = by_lower.get(name.lower()) or find_common_band(ds[candidates] if candidates else ds, name.lower())
            if key is None or str(key) not in candidates:
                unknown.append(name)
            elif is_categorical(key):
                progress.warning(f"{key} holds classes, not values: it is not smoothed (left unchanged).")
            elif str(key) not in chosen:
                chosen.append(str(key))
        if unknown:
            raise UserError(f"The cube has no band {', '.join(unknown)} to smooth. Its bands are: "
                            f"{', '.join(map(str, ds.data_vars))}.")
    if not chosen:
        raise UserError("The cube has no reflectance or index band to smooth (only class bands: "
                        f"{', '.join(map(str, ds.data_vars)) or 'none'}).")
    return chosen


def smooth_array(data, days, nodata, dtype, **kwargs):
    """Lazy (dask) or eager smoothing of a (time, ...) array."""
    if hasattr(data, "map_blocks"):
        data = _time_whole(data)
        return data.map_blocks(smooth_block, dtype=dtype, days=days, nodata=nodata, **kwargs)
    return smooth_block(np.asarray(data), days, nodata, **kwargs)


def smooth(
    ds,
    method: str = "savitzky-golay",
    window: int = DEFAULT_WINDOW,
    order: int = DEFAULT_ORDER,
    lam: float = DEFAULT_LAMBDA,
    bands: Optional[Union[str, Sequence[str]]] = None,
    fill: bool = True,
    progress: Optional[Progress] = None,
):
    """Return the cube with its reflectance/index bands smoothed along time (lazy on dask)."""
    progress = progress or Progress()
    method, window, order, lam = check_parameters(method, window, order, lam)
    days = cube_days(ds)
    names = select_bands(ds, bands, progress)
    tables = kernel_tables(days, method, window, order, lam)
    out = ds.copy()
    for name in names:
        band = ds[name]
        nodata = _nodata(band.dtype, band.attrs)
        moved = band.transpose("time", ...)
        data = smooth_array(moved.data, days, nodata, band.dtype, method=method, window=window, order=order,
                            lam=lam, fill=bool(fill), tables=tables)
        value = moved.copy(data=data).transpose(*band.dims)
        value.attrs = dict(band.attrs)
        value.encoding = dict(band.encoding)
        out[name] = value
    skipped = [str(n) for n in ds.data_vars if str(n) not in names]
    detail = f"window {window} dates, order {order}" if method == "savitzky-golay" else f"lambda {lam:g}"
    progress.info(
        f"Smoothing {len(names)} band(s) ({', '.join(names)}) along {len(days)} dates, {method} ({detail})"
        + (", masked values filled" if fill else ", masked values left nodata")
        + (f"; left unchanged: {', '.join(skipped)}" if skipped else "") + "."
    )
    parameters = {"method": method, "fill": bool(fill), "bands": names}
    parameters.update({"window": window, "order": order} if method == "savitzky-golay" else {"lambda": lam})
    return add_history(out, STEP, parameters)
