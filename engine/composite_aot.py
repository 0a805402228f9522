"""composite_numba's kernel compiled ahead of time by ``make setup``: the same code, no numba to load.

Loading numba and its cached kernel costs ~0.5 s of CPU (~0.3 s of wall
time) in every fresh process: a tenth of a median step run through
qgis_process. scripts/build_kernels.py compiles composite_numba.pick_pair
with numba.pycc, for this machine's CPU, into the extension module
``engine/_composite_kernels`` (built per machine: not tracked, not in the
plugin zip), which loads in ~15 ms and never imports numba. It is used
only when it was built from the composite_numba.py that is here (the
source's hash is compiled in); otherwise, or for a type it was not built
for, composite.py uses numba's JIT as before. Unlike the JIT kernel it
holds the GIL while it runs (~10 ms per 40 dates × 512²).
"""

import hashlib
import os
from functools import lru_cache
from typing import Optional

import numpy as np

from .sorting_network import MEDIAN, PERCENTILE, network, tile_pixels  # noqa: F401  (composite.py asks the kernel)

MODULE = "_composite_kernels"
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "composite_numba.py")
CODES = {"uint8": "u1", "uint16": "u2", "uint32": "u4", "uint64": "u8", "int8": "i1", "int16": "i2",
         "int32": "i4", "int64": "i8", "float32": "f4", "float64": "f8"}


def signature(code: str) -> str:
    """pick_pair's arguments for one band type (composite_numba.pick_pair's order)."""
    return f"void({code}[:, ::1], f8, b1, {code}, i8, f8, intp[:, ::1], i8, f8[::1], f8[::1], intp[::1])"


def source_hash() -> int:
    with open(SOURCE, "rb") as stream:
        return int(hashlib.sha256(stream.read()).hexdigest()[:15], 16)


@lru_cache(maxsize=1)
def compiled_module():
    """The extension module when it is built and current, else None."""
    try:
        from . import _composite_kernels as module
    except Exception:  # not built, or built for another numpy (its C API refuses to load): the JIT
        return None
    return module if module.source_hash() == source_hash() else None


def takes(dtype) -> bool:
    dtype = np.dtype(dtype)
    return dtype.isnative and dtype.name in CODES and compiled_module() is not None


def pick_pair(values: np.ndarray, *arguments) -> None:
    """composite_numba.pick_pair, compiled for values' type (check ``takes`` first)."""
    getattr(compiled_module(), "pick_pair_" + CODES[values.dtype.name])(values, *arguments)
