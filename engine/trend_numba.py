"""Compiled trend kernel (optional: used when numba is installed).

Per pixel, in parallel: yearly aggregation, Theil-Sen slope and intercept,
Mann-Kendall S with the tie-corrected variance, Kendall's tau-b, the
two-sided p-value and the significance flag. Same rules and the same
arithmetic, in the same order, as the numpy kernel in trend.py; tests check
that both give identical results.
"""

import math

import numpy as np
from numba import njit, prange

MEAN, MEDIAN, MAX = 0, 1, 2
OUTPUTS = 7  # slope, intercept, mk_s, tau, p_value, significance, n_years


@njit(cache=True, nogil=True)
def _median_sorted(values, count):
    return (values[(count - 1) // 2] + values[count // 2]) / 2.0


@njit(parallel=True, cache=True, nogil=True)
def trend_pixels(values, year_starts, years, nodata, nan_nodata, aggregation, alpha, min_years):
    """values (T, n); year_starts (Y + 1) date offsets of each year; years (Y) x values. Returns (7, n) float64."""
    count_dates, n = values.shape
    n_years = years.shape[0]
    out = np.full((OUTPUTS, n), np.nan)
    for p in prange(n):
        ys = np.empty(n_years)
        xs = np.empty(n_years)
        buffer = np.empty(count_dates)
        k = 0
        for year in range(n_years):
            m = 0
            total = 0.0
            best = -np.inf
            for t in range(year_starts[year], year_starts[year + 1]):
                v = values[t, p]
                if v != v:  # NaN
                    continue
                if not nan_nodata and v == nodata:
                    continue
                fv = float(v)
                total += fv
                if fv > best:
                    best = fv
                buffer[m] = fv
                m += 1
            if m == 0:
                continue
            if aggregation == MEAN:
                ys[k] = total / m
            elif aggregation == MAX:
                ys[k] = best
            else:
                ordered = np.sort(buffer[:m])
                ys[k] = _median_sorted(ordered, m)
            xs[k] = years[year]
            k += 1
        out[6, p] = k
        if k < min_years:
            continue
        pairs = k * (k - 1) // 2
        slopes = np.empty(pairs)
        s = 0.0
        q = 0
        for i in range(k):
            for j in range(i + 1, k):
                difference = ys[j] - ys[i]
                slopes[q] = difference / (xs[j] - xs[i])
                q += 1
                if difference > 0:
                    s += 1.0
                elif difference < 0:
                    s -= 1.0
        slope = _median_sorted(np.sort(slopes), pairs)
        sorted_y = np.sort(ys[:k])
        intercept = _median_sorted(sorted_y, k) - slope * _median_sorted(xs[:k], k)
        # ties in the values: sum of t (t - 1) (2 t + 5) and of t (t - 1) / 2 over groups of equal values
        tie_variance = 0.0
        tie_pairs = 0.0
        run = 1
        for i in range(1, k + 1):
            if i < k and sorted_y[i] == sorted_y[i - 1]:
                run += 1
                continue
            t = float(run)
            tie_variance += t * (t - 1.0) * (2.0 * t + 5.0)
            tie_pairs += t * (t - 1.0) / 2.0
            run = 1
        kf = float(k)
        variance = (kf * (kf - 1.0) * (2.0 * kf + 5.0) - tie_variance) / 18.0
        if variance > 0:
            if s > 0:
                z = (s - 1.0) / math.sqrt(variance)
            elif s < 0:
                z = (s + 1.0) / math.sqrt(variance)
            else:
                z = 0.0
            p_value = math.erfc(abs(z) / math.sqrt(2.0))
        else:
            p_value = 1.0
        all_pairs = kf * (kf - 1.0) / 2.0
        denominator = math.sqrt(all_pairs * (all_pairs - tie_pairs))
        tau = s / denominator if denominator > 0 else 0.0
        flag = 0.0
        if p_value < alpha:
            flag = 1.0 if s > 0 else (-1.0 if s < 0 else 0.0)
        out[0, p] = slope
        out[1, p] = intercept
        out[2, p] = s
        out[3, p] = tau
        out[4, p] = p_value
        out[5, p] = flag
    return out
