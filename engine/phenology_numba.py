"""Compiled phenology kernel (optional: used when numba is installed).

Per pixel: the series is smoothed in a buffer (smooth_numba.series_pixel,
masked dates filled by the curve), then each year's season is measured;
pixels in parallel, blocks of pixels per thread. Same rules and the same
arithmetic as the numpy kernel in phenology.py; tests check both agree
exactly.
"""

import numpy as np
from numba import njit, prange

from . import smooth_solve
from .smooth_numba import (
    PIXELS_PER_TASK,
    WHITTAKER,
    load_tile,
    load_tile_by_date,
    series_pixel,
    whittaker_finish,
    whittaker_tile,
)

AMPLITUDE, THRESHOLD = 0, 1
METRICS = 7  # sos_doy, pos_doy, eos_doy, peak_value, amplitude, season_length_days, greenup_doy

_crossing = njit(cache=True, nogil=True, inline="always")(smooth_solve.crossing)


@njit(cache=True, nogil=True)
def season_pixel(z, doy, first, stop, mode, fraction, threshold, green_fraction, green_threshold, min_amplitude,
                 pv, pd, out, row, p):
    """Measure the season of dates first..stop-1 of z (NaN: no value) into out[row:row+7, p]."""
    for k in range(METRICS):
        out[row + k, p] = np.nan
    cnt = 0
    for i in range(first, stop):
        if z[i] == z[i]:
            pv[cnt] = z[i]
            pd[cnt] = doy[i]
            cnt += 1
    if cnt < 3:
        return
    peak = 0
    best = pv[0]
    for j in range(1, cnt):
        if pv[j] > best:
            best = pv[j]
            peak = j
    left = pv[0]
    for j in range(1, peak + 1):
        if pv[j] < left:
            left = pv[j]
    right = pv[peak]
    for j in range(peak + 1, cnt):
        if pv[j] < right:
            right = pv[j]
    amplitude = best - 0.5 * (left + right)
    if not amplitude >= min_amplitude:
        return
    if mode == AMPLITUDE:
        up = left + fraction * (best - left)
        down = right + fraction * (best - right)
    else:
        up = threshold
        down = threshold
    sos = np.nan
    for j in range(1, peak + 1):
        if pv[j - 1] < up and pv[j] >= up:
            sos = _crossing(pd[j - 1], pd[j], pv[j - 1], pv[j], up)
            break
    eos = np.nan
    for j in range(cnt - 1, peak, -1):
        if pv[j - 1] >= down and pv[j] < down:
            eos = _crossing(pd[j - 1], pd[j], pv[j - 1], pv[j], down)
            break
    if sos != sos or eos != eos:
        return
    level = green_threshold if green_threshold == green_threshold else left + green_fraction * (best - left)
    green = np.nan
    for j in range(1, peak + 1):
        if pv[j - 1] < level and pv[j] >= level:
            green = pd[j]
            break
    out[row, p] = sos
    out[row + 1, p] = pd[peak]
    out[row + 2, p] = eos
    out[row + 3, p] = best
    out[row + 4, p] = amplitude
    out[row + 5, p] = eos - sos
    out[row + 6, p] = green


@njit(parallel=True, cache=True, nogil=True)
def phenology_block(values, days, nodata, method, window, order, p0, p1, p2, table, gaps, doy, starts, stops, mode, fraction,
                    threshold, green_fraction, green_threshold, min_amplitude, out):
    """values (T, n) -> out (years × 7, n) float32."""
    count, n = values.shape
    tasks = (n + PIXELS_PER_TASK - 1) // PIXELS_PER_TASK
    for task in prange(tasks):
        first = task * PIXELS_PER_TASK
        stop = min(n, first + PIXELS_PER_TASK)
        tile = np.empty((stop - first, count))
        z = np.empty(count)
        pv = np.empty(count)
        pd = np.empty(count)
        scratch = np.empty((9, max(count, 2 * order + 1)))
        m = np.empty((order + 1, order + 1))
        if method == WHITTAKER:
            by_date = np.empty((count, stop - first))
            work = np.empty((5, count, stop - first))
            load_tile_by_date(values, first, stop, nodata, by_date)
            whittaker_tile(by_date, p0, p1, p2, work[0], work[1], work[2], work[3], work[4])
        else:
            by_date = np.empty((1, 1))
            work = np.empty((5, 1, 1))
            load_tile(values, first, stop, nodata, tile)
        for p in range(stop - first):
            if method == WHITTAKER:
                whittaker_finish(by_date, work[4], p, True, z)
            else:
                series_pixel(tile[p], days, method, window, order, p0, p1, p2, table, gaps, True, z, scratch, m)
            for year in range(starts.shape[0]):
                season_pixel(z, doy, starts[year], stops[year], mode, fraction, threshold, green_fraction,
                             green_threshold, min_amplitude, pv, pd, out, year * METRICS, first + p)
