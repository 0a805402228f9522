"""Compiled median/percentile selection for composites (optional: used when numba is installed).

For a tile of pixels, every date's values are copied into a (time, pixels)
buffer, invalid ones replaced by a value that sorts last, and the buffer is
sorted along time by a sorting network (Batcher's odd-even merge sort):
the same comparisons for every pixel, so each compare-exchange is a min and
a max over a row of pixels, which the compiler turns into SIMD. numpy's
sort of each pixel's short series is fast only where it has its AVX-512
version; without it (AMD EPYC here) 40 dates × 512² took 0.28 s, this
0.012 s. The two order statistics each pixel needs are then picked by its
count of valid values; the arithmetic that makes the median or percentile
of them stays in composite.py, shared with the numpy kernel, so both give
identical floats (tests compare them).

Not parallel inside: the callers already reduce several blocks at once in
threads, and ``nogil`` lets them.
"""

import numpy as np
from numba import njit

from .sorting_network import MEDIAN, PERCENTILE, network, tile_pixels  # noqa: F401  (composite.py asks the kernel)


@njit(cache=True, nogil=True)
def _sort_rows(buf, pairs, width):
    for k in range(pairs.shape[0]):
        low, high = buf[pairs[k, 0]], buf[pairs[k, 1]]
        for q in range(width):
            a, b = low[q], high[q]
            low[q] = min(a, b)
            high[q] = max(a, b)


@njit(cache=True, nogil=True)
def pick_pair(values, nodata, skip_nodata, fill, method, quantile, pairs, tile, low_out, high_out, count_out):
    """values (T, n): per pixel the two order statistics of its valid values and their count.

    Median: positions (c - 1) // 2 and c // 2; percentile: numpy's linear
    method's floor((c - 1) * quantile) and the next one, clamped to c - 1.
    NaN is never valid, nor ``nodata`` when ``skip_nodata``; ``fill`` (the
    type's maximum, +inf for floats) takes their place. A valid value equal
    to ``fill`` is the same number, so picking by position stays right.
    No valid value: count 0, both NaN.
    """
    steps, n = values.shape
    buf = np.empty((steps, tile), values.dtype)
    count = np.zeros(tile, np.intp)
    for start in range(0, n, tile):
        width = min(tile, n - start)
        count[:] = 0
        for t in range(steps):
            row, out = values[t, start:start + width], buf[t]
            for q in range(width):
                value = row[q]
                valid = value == value and not (skip_nodata and value == nodata)
                out[q] = value if valid else fill
                count[q] += valid
        _sort_rows(buf, pairs, width)
        for q in range(width):
            c = count[q]
            count_out[start + q] = c
            if c == 0:
                low_out[start + q] = np.nan
                high_out[start + q] = np.nan
                continue
            if method == MEDIAN:
                low, high = (c - 1) // 2, c // 2
            else:
                previous = int(np.floor((c - 1) * quantile))
                low, high = min(previous, c - 1), min(previous + 1, c - 1)
            low_out[start + q] = buf[low, q]
            high_out[start + q] = buf[high, q]
