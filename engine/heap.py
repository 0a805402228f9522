"""Freed memory kept for reuse while the engine computes (glibc's malloc), given back after.

A chain makes a fresh array for nearly every block (a date read, a
time-whole block, a filled copy: 2-20 MiB each) and frees it soon after.
glibc hands such memory back to the kernel as soon as the top of a heap is
free, and serves large blocks with fresh mappings, so the next block of the
same size lands on new pages that the kernel zeroes on first touch: in a
1024² chain ~180 000 page faults, with page zeroing the largest single item
of the profile (11 % of the CPU).

``kept()`` marks a computation: while one runs, blocks up to 32 MiB come
from the heaps, a free top is kept with 64 MiB of headroom, and so the
pages of one block are reused by the next. When the last computation in
the process ends, the heaps are trimmed (``malloc_trim``: the memory goes
back to the system, as QGIS expects after an algorithm) and glibc's
defaults are set again. Nested and concurrent uses (QGIS task threads)
count; only the outermost end trims. Another C library: nothing is done.
"""

import contextlib
import ctypes
import ctypes.util
import threading
from functools import lru_cache

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's mallopt parameters
KEPT = {M_MMAP_THRESHOLD: 32 * 2**20, M_TRIM_THRESHOLD: 2**31 - 1, M_TOP_PAD: 64 * 2**20}
DEFAULTS = {M_MMAP_THRESHOLD: 128 * 2**10, M_TRIM_THRESHOLD: 128 * 2**10, M_TOP_PAD: 128 * 2**10}  # man mallopt

_lock = threading.Lock()
_depth = 0


@lru_cache(maxsize=1)
def _glibc():
    """The C library when it is glibc (it has mallopt and malloc_trim), else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes, libc.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
        return libc
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without malloc_trim)
        return None


def _set(values: dict) -> None:
    libc = _glibc()
    if libc is not None:
        for parameter, value in values.items():
            libc.mallopt(parameter, value)


@contextlib.contextmanager
def kept():
    """Keep freed memory for reuse during the computation; give it back after the last one."""
    global _depth
    with _lock:
        _depth += 1
        if _depth == 1:
            _set(KEPT)
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _set(DEFAULTS)
                libc = _glibc()
                if libc is not None:
                    libc.malloc_trim(0)
