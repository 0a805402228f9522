"""Compiled gap-fill kernel for integer bands (optional: used when numba is installed).

One pass along time per pixel. Not parallel inside: dask already runs one
block per thread, and a kernel split over every core waits, at each call,
for its share on the core another task holds (in the chain a block took
67 ms of wall time so, 30 ms serial; its OpenMP threads spun meanwhile).
Same rules and the same
arithmetic as the numpy kernel in gapfill.py (np.interp's expression in
float64, half away from zero, clipping, a filled pixel never equal to
nodata); tests check that both give identical results.
"""

import numpy as np
from numba import njit

LINEAR, NEAREST, PREVIOUS = 0, 1, 2
METHOD_CODES = {"linear": LINEAR, "nearest": NEAREST, "previous": PREVIOUS}


@njit(cache=True, nogil=True)
def _store(out, k, p, value, nodata, replacement, low, high):
    """Round half away from zero, clip to the type, never write nodata for a filled pixel."""
    value = np.floor(value + 0.5) if value >= 0 else -np.floor(-value + 0.5)
    value = min(max(value, low), high)
    if value == nodata:
        value = replacement
    out[k, p] = value


@njit(cache=True, nogil=True)
def fill_integer(values, days, nodata, replacement, method, fill_edges, max_gap, low, high):
    """values: (T, n) integer array, filled in place and returned. max_gap < 0 means no limit.

    In place is exact: only valid values are read and only nodata ones written.
    """
    count, n = values.shape
    out = values
    for p in range(n):
        prev = -1
        for t in range(count):
            if values[t, p] == nodata:
                continue
            v1 = float(values[t, p])
            if prev == -1:
                if fill_edges:  # before the first valid value: the next one
                    for k in range(t):
                        if max_gap < 0 or days[t] - days[k] <= max_gap:
                            _store(out, k, p, v1, nodata, replacement, low, high)
            elif t - prev > 1:
                v0 = float(values[prev, p])
                t0, t1 = days[prev], days[t]
                for k in range(prev + 1, t):
                    tk = days[k]
                    span = tk - t0 if method == PREVIOUS else t1 - t0
                    if max_gap >= 0 and span > max_gap:
                        continue
                    if method == LINEAR:
                        value = v0 if t1 == t0 else (v1 - v0) / (t1 - t0) * (tk - t0) + v0
                    elif method == NEAREST:
                        value = v0 if (tk - t0) <= (t1 - tk) else v1
                    else:
                        value = v0
                    _store(out, k, p, value, nodata, replacement, low, high)
            prev = t
        if prev >= 0 and fill_edges:  # after the last valid value: the previous one
            v0 = float(values[prev, p])
            for k in range(prev + 1, count):
                if max_gap < 0 or days[k] - days[prev] <= max_gap:
                    _store(out, k, p, v0, nodata, replacement, low, high)
    return out
