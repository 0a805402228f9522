"""The sorting network and tiling the median/percentile kernels share, without numba.

composite_numba.py (numba's JIT) and composite_aot.py (the same kernel
compiled ahead of time) both sort tiles of pixels' series with these
compare-exchange pairs; this module imports only numpy, so a process using
the ahead-of-time kernel never imports numba.
"""

from functools import lru_cache

import numpy as np

MEDIAN, PERCENTILE = 0, 1  # the kernels' ``method``
BUFFER_BYTES = 64 * 2**10  # one tile's buffer: stays in the core's cache


@lru_cache(maxsize=None)
def network(size: int) -> np.ndarray:
    """Compare-exchange pairs (i < j) that sort ``size`` values: Batcher's network for the next power of two,
    without the pairs that touch the padding (the padding would be +inf, which never moves)."""
    pairs, padded, p = [], 1, 1
    while padded < size:
        padded *= 2
    while p < padded:
        k = p
        while k >= 1:
            for j in range(k % p, padded - k, 2 * k):
                for i in range(min(k, padded - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p) and i + j + k < size:
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return np.array(pairs, dtype=np.intp).reshape(-1, 2)


def tile_pixels(steps: int, itemsize: int) -> int:
    """Pixels per tile: ``steps`` dates of them fill about BUFFER_BYTES."""
    return int(max(16, min(1024, BUFFER_BYTES // max(1, steps * itemsize))))
