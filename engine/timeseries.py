"""Helpers shared by the time-series analyses (anomaly, trend, temporal profile).

Nodata and validity follow the rest of the engine: an integer band's
``nodata`` attribute (0 when absent); a float band's NaN, plus its
``nodata`` attribute when that is a number.
"""

from typing import List, Optional, Sequence

import numpy as np

from .errors import UserError
from .scheduler import rechunk_method

# Input bytes of one (all dates, y, x) block at most: time is never split, y/x are halved
BLOCK_BYTES = 128 * 2**20
MIN_SIDE = 64  # y/x chunks are not halved below this


def band_nodata(band):
    """The band's nodata value: an integer for integer bands, a float (NaN by default) for floats."""
    if band.dtype.kind in "iu":
        return band.dtype.type(band.attrs.get("nodata", 0))
    nodata = band.attrs.get("nodata")
    try:
        return np.nan if nodata is None else float(nodata)
    except (TypeError, ValueError):
        return np.nan


def valid_mask(block: np.ndarray, nodata) -> np.ndarray:
    """True where a value is valid (not nodata, not NaN)."""
    if block.dtype.kind == "f":
        valid = ~np.isnan(block)
        if nodata is not None and not np.isnan(float(nodata)):
            valid &= block != nodata
        return valid
    return block != nodata


def as_float(block: np.ndarray, nodata) -> np.ndarray:
    """float64 copy of a block with NaN where invalid."""
    return np.where(valid_mask(block, nodata), block.astype(np.float64), np.nan)


def time_whole(data, limit: Optional[int] = None):
    """A (time, y, x) dask array with every date in one chunk, y/x chunks halved until a block is at most ``limit`` bytes."""
    import dask.array as da

    if not isinstance(data, da.Array):
        data = da.from_array(np.asarray(data), chunks=(-1, 512, 512))
    limit = limit or block_bytes()
    t = data.shape[0]
    ychunk, xchunk = max(data.chunks[1]), max(data.chunks[2])
    while t * ychunk * xchunk * data.dtype.itemsize > limit and max(ychunk, xchunk) > MIN_SIDE:
        if xchunk >= ychunk:  # x first: the two halves of a stored chunk stay neighbours
            xchunk = max(MIN_SIDE, -(-xchunk // 2))
        else:
            ychunk = max(MIN_SIDE, -(-ychunk // 2))
    if data.chunks[0] == (t,) and max(data.chunks[1]) <= ychunk and max(data.chunks[2]) <= xchunk:
        return data
    return data.rechunk({0: -1, 1: ychunk, 2: xchunk}, method=rechunk_method())


def block_bytes() -> int:
    """A quarter of the memory-limit setting when there is one, else BLOCK_BYTES."""
    try:
        from ..plugin.settings import memory_limit_mb

        limit = memory_limit_mb()
    except Exception:  # noqa: BLE001 - no QGIS settings (plain Python): the default
        limit = None
    return limit * 2**20 // 4 if limit else BLOCK_BYTES


def select_bands(ds, bands: Optional[Sequence[str]] = None, what: str = "analyse") -> List[str]:
    """(time, y, x) bands by name or common name; default: every one but class bands (SCL, QA, masks)."""
    from .gapfill import is_categorical
    from .indices import find_common_band

    candidates = [str(n) for n, v in ds.data_vars.items() if {"time", "y", "x"} <= set(v.dims)]
    if isinstance(bands, str):
        bands = [b for b in (p.strip() for p in bands.split(",")) if b]
    if not bands:
        chosen = [n for n in candidates if not is_categorical(n) and ds[n].dtype.kind in "iuf"]
        if not chosen:
            raise UserError(
                f"The cube has no band to {what}: only class bands ({', '.join(candidates) or 'none'}). "
                "Load reflectance bands or add an index."
            )
        return chosen
    by_lower = {n.lower(): n for n in candidates}
    chosen, unknown = [], []
    for name in bands:
        text = str(name).strip()
        key = by_lower.get(text.lower())
        if key is None and candidates:
            key = find_common_band(ds[candidates], text.lower())
        if key is None:
            unknown.append(text)
        elif str(key) not in chosen:
            chosen.append(str(key))
    if unknown:
        raise UserError(f"The cube has no band {', '.join(unknown)}. Its bands are: {', '.join(candidates) or 'none'}.")
    return chosen


def check_dates(ds, what: str) -> np.ndarray:
    """The cube's times as datetime64[ns]; UserError when there is no time axis or dates are not sorted."""
    if "time" not in ds.dims or ds.sizes["time"] == 0:
        raise UserError(f"{what} needs a cube with a time axis; this one has no dates.")
    times = ds["time"].values
    if not np.issubdtype(times.dtype, np.datetime64):
        raise UserError(f"The cube's time axis does not hold dates: {what} needs acquisition dates.")
    times = times.astype("datetime64[ns]")
    if np.any(np.diff(times) < np.timedelta64(0, "ns")):
        raise UserError(f"The cube's dates are not in order: sort it by time before {what}.")
    return times


def as_day(value, label: str) -> Optional[np.datetime64]:
    """A date (text 'YYYY-MM-DD', date, datetime, QDate-like string) as datetime64[D], None when empty."""
    import datetime as dt

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        return np.datetime64(str(value).strip()[:10], "D")
    except ValueError:
        raise UserError(f"{label} '{value}' is not a date such as 2022-06-01.")


def spatial_coords(ds) -> dict:
    coords = {"y": ds["y"], "x": ds["x"]}
    if "spatial_ref" in ds.coords:
        coords["spatial_ref"] = ds["spatial_ref"]
    return coords
