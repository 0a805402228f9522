"""A whole-cube composite of a stored netCDF cube, read and reduced without xarray or dask.

The composite step of a stored ``.nc`` cube spent more time importing than
computing: xarray (with pandas), odc-geo's accessor and dask.array take
about 1 s to import, the median of 40 dates × 1024² × 4 bands ~1.5 s. For
the plain case (every date, no period, no band list: every band but class
bands, dask's local threads) this reads each band's stored chunks with
``netcdf_direct_read.DirectReader`` (inflated outside the HDF5 lock) in
one small thread pool, reduces each window with the same ``_reduce_block``
kernel in another (the compiled kernel loading meanwhile in a thread of its
own: ``warm_kernel``), and writes with the same ``write_layers`` as
``composite.write_geotiff``: the same values, band descriptions, tags,
scales, nodata, georeferencing and provenance (tests compare both files).

``plan(path, ...)`` returns None whenever anything is outside that case
(a recipe, Zarr, a date window, a period, a band list, a cluster, no
h5py, filters or a layout it does not read, a time axis it does not
decode, unsorted dates, blocks above the memory setting); the caller then
takes the xarray path.
"""

import contextlib
import os
import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np

from .composite import (STEP, _band_nodata_value, _file_type, _reduce_block, block_bytes, check_geotiff_name,
                        coordinates_transform, is_categorical, layer_attrs, masked_median, output_dtype, parse_method,
                        summarize, write_layers)
from .cube_io import HISTORY_ATTR, with_record
from .hdf5_lock import hdf5_lock
from .progress import Progress

TIME_UNITS = re.compile(r"^(seconds|minutes|hours|days) since 1970-01-01( 00:00(:00)?)?$")
CALENDARS = ("standard", "gregorian", "proleptic_gregorian")
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


@dataclass
class Plan:
    path: str
    kind: str
    q: Optional[float]
    names: List[str]
    readers: Dict[str, object]
    attrs: Dict[str, dict]
    dates: List[str]
    history: str
    crs: str
    transform: object
    shape: tuple
    window: tuple  # (y, x) pixels: the stored chunks
    warming: Optional[threading.Thread] = None  # loading the compiled kernel meanwhile (warm_kernel)


def warm_kernel() -> threading.Thread:
    """Import and load the compiled median kernel (numba: ~0.5 s of CPU the first time in a process) in a
    thread of its own, while the file is planned and read; reductions wait for it rather than each load it."""
    def load():
        with contextlib.suppress(Exception):  # no numba: the numpy kernel, nothing to load
            masked_median(np.zeros((2, 1, 1), np.uint16), 0)

    thread = threading.Thread(target=load, name="sitscube-kernel", daemon=True)
    thread.start()
    return thread


def plan(path: str, method: str, bands=None, start=None, end=None, period=None) -> Optional[Plan]:
    """What the fast path needs, or None when it does not apply (see the module docstring)."""
    from . import scheduler

    if bands or start or end or period or not str(path).lower().endswith(".nc") or not os.path.isfile(path):
        return None
    if not scheduler.uses_local_threads():
        return None
    try:
        import h5py  # noqa: F401
        import netCDF4
    except ImportError:
        return None
    from .netcdf_direct_read import direct_readers

    kind, q = parse_method(method)
    warming = warm_kernel() if kind in ("median", "percentile") else None
    with hdf5_lock():
        try:
            with netCDF4.Dataset(path) as nc:
                facts = _facts(nc)
        except (OSError, KeyError, ValueError, AttributeError):
            return None
    if facts is None:
        return None
    names, attrs, dates, history, crs, transform, shape = facts
    readers = direct_readers(path, names)
    if set(readers) != set(names):
        return None
    window = readers[names[0]].chunks[1:]  # the stored chunks: each read once
    for name in names:
        reader = readers[name]
        if reader.shape != (len(dates),) + shape or reader.chunks[1:] != window \
                or len(dates) * window[0] * window[1] * reader.dtype.itemsize > block_bytes():
            return None
    return Plan(os.path.abspath(path), kind, q, names, readers, attrs, dates, history, crs, transform, shape, window,
                warming)


def _facts(nc):
    """(bands, their attrs, date labels, history, crs, transform, (height, width)) of a cube the writer made; else None."""
    from affine import Affine

    from .direct_reads import epsg_code

    names = [n for n, v in nc.variables.items() if v.dimensions == ("time", "y", "x") and v.dtype.kind in "iuf"
             and not is_categorical(n)]
    if not names or "time" not in nc.variables or "spatial_ref" not in nc.variables:
        return None
    time = nc.variables["time"]
    units, calendar = getattr(time, "units", ""), getattr(time, "calendar", "standard")
    match = TIME_UNITS.match(units)
    if match is None or calendar not in CALENDARS:
        return None
    seconds = np.asarray(time[:], dtype=np.float64) * SECONDS[match.group(1)]
    if not len(seconds) or not np.all(np.isfinite(seconds)) or np.any(np.diff(seconds) < 0):
        return None
    dates = [str(np.datetime64(int(round(s)), "s"))[:10] for s in seconds]
    ref = nc.variables["spatial_ref"]
    wkt, geotransform = getattr(ref, "crs_wkt", ""), getattr(ref, "GeoTransform", "")
    x, y = np.asarray(nc.variables["x"][:], dtype=np.float64), np.asarray(nc.variables["y"][:], dtype=np.float64)
    if not wkt or len(x) < 2 or len(y) < 2:
        return None
    transform = coordinates_transform(x, y)  # as composite._georeference
    if geotransform and Affine.from_gdal(*map(float, geotransform.split())) != transform:
        return None
    epsg = epsg_code(wkt)
    attrs = {}
    for name in names:
        variable = nc.variables[name]
        attrs[name] = {k: variable.getncattr(k) for k in variable.ncattrs()}
        if variable.dtype.kind == "f" and attrs[name].get("nodata") is None:
            return None  # float cubes written with NaN: left to the xarray path's rules
    history = nc.getncattr(HISTORY_ATTR) if HISTORY_ATTR in nc.ncattrs() else "[]"
    return names, attrs, dates, history, (f"EPSG:{epsg}" if epsg else wkt), transform, (len(y), len(x))


def write_composite(plan: Plan, path: str, progress: Optional[Progress] = None) -> str:
    """The composite GeoTIFF of composite(...) + write_geotiff(...), from the plan."""
    progress = progress or Progress()
    check_geotiff_name(path)
    method_text = plan.kind if plan.q is None else f"p{plan.q:g}"
    layers, reducers = [], []
    for name in plan.names:
        band_attrs, reader = plan.attrs[name], plan.readers[name]
        nodata = _band_nodata_value(reader.dtype, band_attrs)
        dtype = output_dtype(plan.kind, reader.dtype)
        attrs = layer_attrs(band_attrs, nodata, dtype, method_text, grid_mapping=True)
        layers.append((str(name), dtype, attrs, {"band": str(name)}))
        reducers.append((reader, nodata, dtype, nodata if dtype.kind in "iu" else np.nan))
    dtype, nodata = _file_type(layers)
    history = with_record(plan.history, STEP, summarize(method_text, plan.names, plan.dates, None, None, progress))
    height, width = plan.shape
    wy, wx = plan.window
    windows = [(slice(y, min(y + wy, height)), slice(x, min(x + wx, width)))
               for y in range(0, height, wy) for x in range(0, width, wx)]
    computed = _computed(windows, reducers, plan, progress)
    return write_layers(path, layers, dtype, nodata, plan.crs, plan.transform, plan.shape, history,
                        computed, len(windows), progress)


def _read(reducer, plan: Plan, ys: slice, xs: slice) -> np.ndarray:
    return reducer[0]._block([slice(0, len(plan.dates)), ys, xs])


def _reduced(reducer, plan: Plan, read) -> np.ndarray:
    _, nodata, dtype, out_nodata = reducer
    if plan.warming is not None:
        plan.warming.join()
    return _reduce_block(read.result(), plan.kind, plan.q, nodata, dtype, out_nodata)


def _computed(windows, reducers, plan: Plan, progress: Progress):
    """([window], [block per band]) in order, CPUs' worth of windows computing ahead in threads.

    Reads (inflate) and reductions run in pools of their own: while the
    first reduction loads the compiled kernel (numba: ~0.5 s the first time
    in a process), the reads go on with the next windows.
    """
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, os.cpu_count() or 1)
    pending = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sitscube-read") as reading, \
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sitscube-composite") as reducing:
        try:
            for ys, xs in windows:
                progress.check_canceled()
                reads = [reading.submit(_read, r, plan, ys, xs) for r in reducers]
                pending.append(((ys, xs), reads, [reducing.submit(_reduced, r, plan, f) for r, f in zip(reducers, reads)]))
                if len(pending) > workers:
                    window, _, futures = pending.popleft()
                    yield [window], [f.result() for f in futures]
            while pending:
                progress.check_canceled()
                window, _, futures = pending.popleft()
                yield [window], [f.result() for f in futures]
        finally:
            for _, reads, futures in pending:  # cancel or error: what has not started never will
                for future in reads + futures:
                    future.cancel()
            for _, reads, futures in pending:
                for future in reads + futures:
                    with contextlib.suppress(Exception):
                        future.result()
