"""Arithmetic shared by the compiled and the numpy kernels (smoothing, phenology).

Plain arithmetic only, so the same function runs on floats inside numba
(smooth_numba.py compiles it) and on numpy arrays of many pixels
(smooth.py): both kernels then do exactly the same operations.

``solve2``/``solve3`` give the first coefficient (the value at the centre)
of the least-squares polynomial of degree 1/2 from the moments
``s_a = Σ u^a`` and ``r_a = Σ u^a y`` (Cramer's rule on the symmetric
2 × 2 / 3 × 3 normal matrix).
"""


def solve2(s0, s1, s2, r0, r1):
    return (s2 * r0 - s1 * r1) / (s0 * s2 - s1 * s1)


def solve3(s0, s1, s2, s3, s4, r0, r1, r2):
    c00 = s2 * s4 - s3 * s3
    c01 = s2 * s3 - s1 * s4
    c02 = s1 * s3 - s2 * s2
    return (c00 * r0 + c01 * r1 + c02 * r2) / (s0 * c00 + s1 * c01 + s2 * c02)


def crossing(d0, d1, v0, v1, level):
    """Where the segment from (d0, v0) to (d1, v1) reaches level (linear interpolation)."""
    return d0 + (level - v0) / (v1 - v0) * (d1 - d0)
