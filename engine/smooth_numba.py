"""Compiled smoothing kernels (optional: used when numba is installed).

One pixel at a time, in blocks of pixels that share their scratch buffers.
Not parallel inside: dask already runs one block per thread (split over
every core, a call waits for its share on the core another task holds:
see gapfill_numba.py). Same rules and the same
arithmetic, operation for operation, as the numpy kernels in smooth.py
(Savitzky-Golay by normal equations on centred, scaled times; Whittaker by a
banded LDLᵀ factorization); tests check both give identical results.

The per-pixel functions (``series_pixel``) are shared with the phenology
kernel (phenology_numba.py), which smooths a pixel's series in a buffer and
measures its seasons without writing the smoothed cube.
"""

import numpy as np
from numba import njit

from . import smooth_solve

SAVGOL, WHITTAKER, NONE = 0, 1, 2
METHOD_CODES = {"savitzky-golay": SAVGOL, "whittaker": WHITTAKER, "none": NONE}
PIXELS_PER_TASK = 512  # pixels smoothed with one set of scratch buffers


_solve2 = njit(cache=True, nogil=True, inline="always")(smooth_solve.solve2)
_solve3 = njit(cache=True, nogil=True, inline="always")(smooth_solve.solve3)


@njit(cache=True, nogil=True, inline="always")
def _fit(ct, cy, start, size, t0, order, inverse, s, r, m):
    """Value at t0 of the least-squares polynomial through points start..start+size-1 of (ct, cy).

    Degree min(order, size - 1); times centred on t0 and multiplied by
    ``inverse`` (one scale per cube, see smooth.kernel_tables). Degrees 0-2 (nearly every fit): moments in
    scalars and a closed-form solve (smooth_solve.py); higher degrees: the
    normal equations by Gaussian elimination without pivoting (the matrix
    is symmetric positive definite).
    """
    q = order if order < size - 1 else size - 1
    stop = start + size
    if q == 0:
        s0 = r0 = 0.0
        for j in range(start, stop):
            s0 += 1.0
            r0 += cy[j]
        return r0 / s0
    if q == 1:
        s0 = s1 = s2 = r0 = r1 = 0.0
        for j in range(start, stop):
            u = (ct[j] - t0) * inverse
            yj = cy[j]
            s0 += 1.0
            r0 += yj
            s1 += u
            r1 += u * yj
            s2 += u * u
        return _solve2(s0, s1, s2, r0, r1)
    if q == 2:
        s0 = s1 = s2 = s3 = s4 = r0 = r1 = r2 = 0.0
        for j in range(start, stop):
            u = (ct[j] - t0) * inverse
            yj = cy[j]
            s0 += 1.0
            r0 += yj
            s1 += u
            r1 += u * yj
            u2 = u * u
            s2 += u2
            r2 += u2 * yj
            u3 = u2 * u
            s3 += u3
            s4 += u3 * u
        return _solve3(s0, s1, s2, s3, s4, r0, r1, r2)
    powers = 2 * q + 1
    for a in range(powers):
        s[a] = 0.0
    for a in range(q + 1):
        r[a] = 0.0
    for j in range(start, stop):
        u = (ct[j] - t0) * inverse
        yj = cy[j]
        p = 1.0
        for a in range(powers):
            s[a] += p
            if a <= q:
                r[a] += p * yj
            p *= u
    n = q + 1
    for a in range(n):
        for b in range(n):
            m[a, b] = s[a + b]
    for k in range(n):
        pivot = m[k, k]
        for row in range(k + 1, n):
            f = m[row, k] / pivot
            for col in range(k, n):
                m[row, col] -= f * m[k, col]
            r[row] -= f * r[k]
    for k in range(n - 1, -1, -1):
        total = r[k]
        for col in range(k + 1, n):
            total -= m[k, col] * r[col]
        r[k] = total / m[k, k]
    return r[0]


@njit(cache=True, nogil=True)
def series_pixel(y, days, method, window, order, p0, p1, p2, table, gaps, fill, z, scratch, m):
    """Smooth one pixel's series y (T float64, NaN where masked) into z (T, float64; NaN: no value).

    Returns the number of valid values. p0-p2: Whittaker's λDᵀD diagonals;
    table: Savitzky-Golay's (T, 2 + window) table (smooth.kernel_tables:
    first date of each date's window of all-valid dates, the time scale, the
    filter coefficients of that window). scratch: (9, >= T) float64 work
    rows; m: (order+1, order+1) float64.
    """
    count = days.shape[0]
    ct, cy, rank, s, r = scratch[0], scratch[1], scratch[2], scratch[3], scratch[4]
    valid = scratch[5]
    where = scratch[8]  # date index of each valid value
    c = 0
    first, last = -1, -1
    for i in range(count):
        v = y[i]
        ok = v == v
        rank[i] = c
        if ok:
            valid[i] = 1.0
            ct[c] = days[i]
            cy[c] = v
            where[c] = i
            c += 1
            if first < 0:
                first = i
            last = i
        else:
            valid[i] = 0.0
    if c == 0:
        for i in range(count):
            z[i] = np.nan
        return c
    half = window // 2
    if method == NONE:
        for i in range(count):
            z[i] = y[i]
        return c
    if method == SAVGOL:
        for i in range(count):
            k = int(rank[i])
            if valid[i] > 0.0:
                size = window if window < c else c
            elif not fill or k == 0 or k == c:
                z[i] = np.nan
                continue
            else:
                size = 2 * half if 2 * half < c else c
            start = k - half
            if start < 0:
                start = 0
            if start > c - size:
                start = c - size
            first_date = table[i, 0]
            if (size == window and first_date >= 0 and where[start] == first_date
                    and where[start + window - 1] == first_date + window - 1):
                # the window is the dates around i, all valid: the cube's filter for that date
                base = int(first_date)
                total = 0.0
                for j in range(window):
                    total += table[i, 2 + j] * y[base + j]
                z[i] = total
            elif size == window and gaps.shape[0] > 0 and where[start + window - 1] - where[start] == window:
                begin = int(where[start])
                missing = 1
                while where[start + missing] == begin + missing:
                    missing += 1
                total = 0.0
                for j in range(window):
                    total += gaps[i, begin - (i - window), missing, j] * cy[start + j]
                z[i] = total
            else:
                z[i] = _fit(ct, cy, start, size, days[i], order, table[0, 1], s, r, m)
    else:  # Whittaker
        if c == 1:
            for i in range(count):
                z[i] = cy[0] if valid[i] > 0.0 else np.nan
        else:
            d, l1, l2, x = scratch[3], scratch[4], scratch[6], scratch[7]
            for i in range(count):
                di = p0[i] + valid[i]
                if i >= 1:
                    di -= l1[i - 1] * l1[i - 1] * d[i - 1]
                if i >= 2:
                    di -= l2[i - 2] * l2[i - 2] * d[i - 2]
                d[i] = di
                if i + 1 < count:
                    e = p1[i]
                    if i >= 1:
                        e -= l2[i - 1] * l1[i - 1] * d[i - 1]
                    l1[i] = e / di
                if i + 2 < count:
                    l2[i] = p2[i] / di
            for i in range(count):
                xi = y[i] if valid[i] > 0.0 else 0.0
                if i >= 1:
                    xi -= l1[i - 1] * x[i - 1]
                if i >= 2:
                    xi -= l2[i - 2] * x[i - 2]
                x[i] = xi
            for i in range(count):
                x[i] = x[i] / d[i]
            for i in range(count - 1, -1, -1):
                zi = x[i]
                if i + 1 < count:
                    zi -= l1[i] * z[i + 1]
                if i + 2 < count:
                    zi -= l2[i] * z[i + 2]
                z[i] = zi
            if not fill:
                for i in range(count):
                    if valid[i] == 0.0:
                        z[i] = np.nan
    if fill:  # the series' ends: the curve's value at the first / last valid date
        for i in range(first):
            z[i] = z[first]
        for i in range(last + 1, count):
            z[i] = z[last]
    return c


@njit(cache=True, nogil=True)
def load_tile(values, first, stop, nodata, tile):
    """Pixels first..stop-1 of values (T, n) into tile (P, T) float64, NaN where nodata.

    Reading whole rows and writing a pixel-major tile: a pixel's series is
    then contiguous (reading (T, n) down a column touches T pages per pixel).
    """
    count = values.shape[0]
    for i in range(count):
        for p in range(first, stop):
            v = values[i, p]
            tile[p - first, i] = v if (v == v and v != nodata) else np.nan


@njit(cache=True, nogil=True)
def load_tile_by_date(values, first, stop, nodata, tile):
    """Pixels first..stop-1 of values (T, n) into tile (T, P) float64, NaN where nodata."""
    count = values.shape[0]
    for i in range(count):
        for p in range(first, stop):
            v = values[i, p]
            tile[i, p - first] = v if (v == v and v != nodata) else np.nan


@njit(cache=True, nogil=True)
def whittaker_tile(tile, p0, p1, p2, d, l1, l2, x, z):
    """Whittaker's banded LDLᵀ solve for every pixel (column) of tile (T, P) at once.

    The same operations as series_pixel's per-pixel solve (and the numpy
    kernel), but pixels are the inner loop: the recurrences along time are
    chains of dependent divisions, and interleaving pixels keeps the CPU busy.
    z gets the raw solution; whittaker_finish applies the rules per pixel.
    """
    count, pixels = tile.shape
    for i in range(count):
        for p in range(pixels):
            di = p0[i] + (1.0 if tile[i, p] == tile[i, p] else 0.0)
            if i >= 1:
                di -= l1[i - 1, p] * l1[i - 1, p] * d[i - 1, p]
            if i >= 2:
                di -= l2[i - 2, p] * l2[i - 2, p] * d[i - 2, p]
            d[i, p] = di
            if i + 1 < count:
                e = p1[i]
                if i >= 1:
                    e -= l2[i - 1, p] * l1[i - 1, p] * d[i - 1, p]
                l1[i, p] = e / di
            if i + 2 < count:
                l2[i, p] = p2[i] / di
    for i in range(count):
        for p in range(pixels):
            v = tile[i, p]
            xi = v if v == v else 0.0
            if i >= 1:
                xi -= l1[i - 1, p] * x[i - 1, p]
            if i >= 2:
                xi -= l2[i - 2, p] * x[i - 2, p]
            x[i, p] = xi
    for i in range(count):
        for p in range(pixels):
            x[i, p] = x[i, p] / d[i, p]
    for i in range(count - 1, -1, -1):
        for p in range(pixels):
            zi = x[i, p]
            if i + 1 < count:
                zi -= l1[i, p] * z[i + 1, p]
            if i + 2 < count:
                zi -= l2[i, p] * z[i + 2, p]
            z[i, p] = zi


@njit(cache=True, nogil=True)
def whittaker_finish(tile, solved, p, fill, z):
    """Pixel p's series into z (T): the solve where it has 2+ valid values, its value if one, NaN if none;
    masked dates NaN without fill, the ends held at the first/last valid date's value with fill."""
    count = tile.shape[0]
    c = 0
    first, last = -1, -1
    for i in range(count):
        if tile[i, p] == tile[i, p]:
            c += 1
            if first < 0:
                first = i
            last = i
    if c == 0:
        for i in range(count):
            z[i] = np.nan
        return
    for i in range(count):
        valid = tile[i, p] == tile[i, p]
        if c == 1:
            z[i] = tile[first, p] if valid else np.nan
        else:
            z[i] = solved[i, p] if (valid or fill) else np.nan
    if fill:
        for i in range(first):
            z[i] = z[first]
        for i in range(last + 1, count):
            z[i] = z[last]


@njit(cache=True, nogil=True)
def smooth_block(values, days, nodata, method, window, order, p0, p1, p2, table, gaps, fill, integer, low, high,
                 replacement, out_nodata, out):
    """Smooth every pixel of values (T, n) into out (T, n, the output type).

    integer: round half away from zero, clip to [low, high], a value equal to
    nodata becomes replacement; no value -> out_nodata. Floats: stored as
    they are (a numeric nodata hit by a value becomes replacement).
    """
    count, n = values.shape
    tasks = (n + PIXELS_PER_TASK - 1) // PIXELS_PER_TASK
    for task in range(tasks):
        first = task * PIXELS_PER_TASK
        stop = min(n, first + PIXELS_PER_TASK)
        tile = np.empty((stop - first, count))
        smoothed = np.empty((stop - first, count))
        scratch = np.empty((9, max(count, 2 * order + 1)))
        m = np.empty((order + 1, order + 1))
        if method == WHITTAKER:
            by_date = np.empty((count, stop - first))
            work = np.empty((5, count, stop - first))
            load_tile_by_date(values, first, stop, nodata, by_date)
            whittaker_tile(by_date, p0, p1, p2, work[0], work[1], work[2], work[3], work[4])
            for p in range(stop - first):
                whittaker_finish(by_date, work[4], p, fill, smoothed[p])
        else:
            load_tile(values, first, stop, nodata, tile)
            for p in range(stop - first):
                series_pixel(tile[p], days, method, window, order, p0, p1, p2, table, gaps, fill, smoothed[p], scratch, m)
        for i in range(count):
            for p in range(stop - first):
                value = smoothed[p, i]
                if value != value:
                    out[i, first + p] = out_nodata
                elif integer:
                    value = np.floor(value + 0.5) if value >= 0 else -np.floor(-value + 0.5)
                    value = min(max(value, low), high)
                    if value == nodata:
                        value = replacement
                    out[i, first + p] = value
                else:
                    if value == nodata:
                        value = replacement
                    out[i, first + p] = value
