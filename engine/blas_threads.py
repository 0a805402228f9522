"""One BLAS thread while dask computes cube chunks.

Cube graphs call BLAS only on tiny matrices (odc-geo inverts a 3×3 affine
per chunk), and dask already runs one chunk per core. OpenBLAS still wakes
its own thread pool for each such call: on the benchmark chain (40 dates ×
5 bands × 1024², 2 cores) ``OPENBLAS_NUM_THREADS=1`` took 12-12.5 CPU-s
instead of 14.3-15.8, and 7.3-8.2 s instead of 8.1-8.9 s.

The limit is process-wide (threadpoolctl), so it is counted: the first
computation to start sets it, the last to end restores what was there, and
two algorithms computing at once in QGIS's task threads leave no limit
behind. Without threadpoolctl (scikit-learn brings it) nothing changes.
"""

import contextlib
import threading

_lock = threading.Lock()
_active = 0
_limiter = None


@contextlib.contextmanager
def one_blas_thread():
    global _active, _limiter
    with _lock:
        if _active == 0:
            try:
                from threadpoolctl import threadpool_limits
            except ImportError:
                _limiter = None
            else:
                _limiter = threadpool_limits(limits=1, user_api="blas")
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None
