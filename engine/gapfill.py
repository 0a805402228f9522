"""Fill nodata pixels of a cube along time (after cloud masking).

``gap_fill`` replaces each nodata pixel of a reflectance band with a value
built from the valid observations of the same pixel on other dates.

Methods (DESIGN.md, "Gap-fill is linear in time"):

* ``linear`` (default): interpolation **weighted by acquisition dates**, not
  by index: ``v = v0 + (v1 - v0) * (t - t0) / (t1 - t0)`` with ``(t0, v0)``
  the previous and ``(t1, v1)`` the next valid observation of that pixel,
  times in days. Day 10 between 100 on day 0 and 400 on day 40 gives 175.
* ``nearest``: the valid value nearest in time; a tie goes to the earlier one.
* ``previous``: the last valid value before (forward fill).

Choices:

* **Edges.** Before the first and after the last valid value of a pixel
  there is only one neighbour. ``fill_edges=True`` (default) copies the
  nearest valid value there, for every method; ``False`` leaves those dates
  nodata, for every method (so ``previous`` with ``fill_edges=False`` fills
  only gaps that have a valid value on both sides).
* **max_gap_days.** A gap longer than this stays nodata. For ``linear`` and
  ``nearest`` the gap is the time between the two valid neighbours
  (``t1 - t0``): the whole gap is filled or none of it. For ``previous`` it
  is the age of the value carried forward (``t - t0``). On the edges it is
  the distance to the nearest valid value. The limit is inclusive.
* A pixel with no valid value on any date stays nodata.
* **Which bands.** Reflectance bands only: categorical bands (SCL, ``qa*``,
  ``mask*``/``msk*``, ``fmask``, ``cloud``, ``classification``; names matched
  case-insensitively) are never interpolated, since a mean of two classes is
  no class, and are returned unchanged. Bands without a time axis too.
* **Nodata** is the band's ``nodata`` attribute (0 when absent for integers,
  NaN for floats; NaN is always missing in a float band).
* **Types.** Integer bands keep their type: interpolated values are rounded
  half away from zero (174.5 -> 175), clipped into the type's range, and a
  filled pixel never gets the nodata value: if it would, it gets the next
  value inside the range instead (nodata + 1, so 1 for uint16 with nodata 0;
  nodata - 1 when nodata is the type's maximum). With uint16 and nodata 0
  this cannot happen by interpolation (valid neighbours are >= 1) but it can
  with another nodata or a signed band (between -3 and 3 lies 0). Float bands
  are not rounded; a filled value equal to a numeric nodata is moved to the
  next float up.
* **Duplicate dates** (GROUPBY 'none' can give two products at the same time)
  are accepted: a gap whose two neighbours have the same time takes the
  earlier one's value. Dates must not decrease.

Implementation: a vectorized numpy kernel on a whole ``(time, …)`` block; Python
loops over dates, never over pixels. For every (date, pixel) the index of the
last valid date at or before it is a running maximum of ``valid × (index+1)``
along time (the ``np.maximum.accumulate`` idea, computed as one whole-row
``np.maximum`` per date because numpy's accumulate along axis 0 is ~20×
slower); the first valid date at or after it is the same running maximum
taken backwards. Then, date by date, only the missing pixels are gathered
(``take`` of their neighbours' values and times) and filled. On a
dask-backed cube the work is lazy, in chunks of all dates (y/x chunks
kept, or halved until a chunk holds at most ``BLOCK_BYTES``, 24 MiB): one
task per such chunk gathers its pieces into a new block and fills it in
place (``_filled_lazily``); the result keeps those chunks.

Memory per chunk: the chunk with all its dates, in and out
(``T × cy × cx × itemsize`` each, e.g. 40 dates × 512² uint16 = 20 MiB),
plus the kernel's temporaries, which are bounded whatever the chunk size: the
kernel walks through the chunk in slabs of at most ``SLAB_ELEMENTS`` values
(dates × pixels, 1 Mi) and needs about 8 bytes per slab value (a contiguous
copy, the valid mask, two int16 index arrays) plus, for one date at a time,
a few dozen bytes per missing pixel: about 10 MiB per running thread.
"""

from typing import List, Optional, Sequence, Union

import numpy as np

from .cube_io import add_history
from .cube_load import CATEGORICAL
from .errors import UserError
from .progress import Progress
from .scheduler import rechunk_method

STEP = "gapfill"
METHODS = ("linear", "nearest", "previous")
# Values (dates × pixels) processed at once by the kernel: bounds its temporaries (~8 bytes each)
SLAB_ELEMENTS = 1 << 20
# Bytes of one (all dates, y, x) chunk of a band at most: 40 dates × 512² uint16 is 20 MiB.
# Under glibc's largest mmap threshold (32 MiB): bigger arrays are fresh mappings each
# time, and the kernel zeroing their pages cost 6 % of a whole chain's CPU (40 MiB chunks).
BLOCK_BYTES = 24 * 2**20
NANOSECONDS_PER_DAY = 86400e9


def is_categorical(name: str) -> bool:
    """True for bands that hold classes or flags (never interpolated)."""
    low = str(name).lower()
    return low in CATEGORICAL or low.startswith(("scl", "qa", "mask", "msk"))


def _nodata(dtype, attrs) -> object:
    if np.dtype(dtype).kind in "iu":
        return np.dtype(dtype).type(attrs.get("nodata", 0))
    return np.dtype(dtype).type(attrs.get("nodata", np.nan))


def _replacement(dtype, nodata):
    """The value a filled pixel gets instead of the nodata value."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return dtype.type(nodata + 1 if nodata < info.max else nodata - 1)
    return np.nextafter(dtype.type(nodata), dtype.type(np.inf))


def _round_half_away(values: np.ndarray) -> np.ndarray:
    # np.rint rounds half to even (174.5 -> 174); a reflectance user expects 175
    return np.trunc(values + np.copysign(0.5, values))


def _fill_slab(values, days, nodata, method, fill_edges, max_gap):
    """Fill one C-contiguous (T, n) array of values along axis 0. Returns a new array, same dtype.

    Every step is vectorized over the n pixels; Python only loops over the
    dates (twice for the indices, once to fill), never over pixels.
    """
    count, n = values.shape
    nan_nodata = values.dtype.kind == "f" and np.isnan(nodata)
    if nan_nodata:
        valid = ~np.isnan(values)
    elif values.dtype.kind == "f":
        valid = ~np.isnan(values) & (values != nodata)
    else:
        valid = values != nodata
    out = values.copy()
    if valid.all():
        return out

    # last[i] = 1 + index of the last valid date <= i, 0 when there is none: a running maximum of
    # valid * (index + 1). (np.maximum.accumulate along axis 0 computes the same but is ~20× slower
    # than this loop of whole-row np.maximum calls, because its inner loop runs along the time axis.)
    itype = np.int16 if count < np.iinfo(np.int16).max else np.int32
    last = np.empty((count, n), dtype=itype)
    first = np.empty((count, n), dtype=itype)
    np.multiply(valid[0], itype(1), out=last[0])
    for i in range(1, count):
        np.multiply(valid[i], itype(i + 1), out=last[i])
        np.maximum(last[i], last[i - 1], out=last[i])
    # first[i] = count - index of the first valid date >= i, 0 when there is none (running maximum backwards).
    np.multiply(valid[count - 1], itype(1), out=first[count - 1])
    for i in range(count - 2, -1, -1):
        np.multiply(valid[i], itype(count - i), out=first[i])
        np.maximum(first[i], first[i + 1], out=first[i])

    flat = values.reshape(-1)
    missing = ~valid
    duplicates = bool(np.any(np.diff(days) == 0))
    for i in range(count):
        cols = np.flatnonzero(missing[i])  # the missing pixels of this date (compact: ~the nodata share)
        if cols.size:
            prev = last[i].take(cols).astype(np.intp)
            prev -= 1  # -1: no valid date before
            nxt = first[i].take(cols).astype(np.intp)
            np.subtract(count, nxt, out=nxt)  # count: no valid date after
            out[i].put(cols, _fill_date(flat, n, cols, prev, nxt, days, i, nodata, nan_nodata,
                                        method, fill_edges, max_gap, duplicates))
    return out


def _fill_date(flat, n, cols, prev, nxt, days, i, nodata, nan_nodata, method, fill_edges, max_gap, duplicates):
    """Values for the missing pixels ``cols`` of date ``i``; ``prev``/``nxt`` index their valid neighbours.

    Works in place on its own temporaries where it can: this is the hot loop.
    """
    count = len(days)
    dtype = flat.dtype
    has_prev = prev >= 0
    has_next = nxt < count
    inner = has_prev & has_next
    everywhere = bool(inner.all())  # usual case: no edge pixel on this date, the masks can be skipped
    if not everywhere:
        np.maximum(prev, 0, out=prev)  # in bounds for the gathers; the masks say what is real
        np.minimum(nxt, count - 1, out=nxt)
    t = days[i]
    t0 = days.take(prev)
    t1 = days.take(nxt)
    prev *= n  # flat index of the previous valid value: prev * n + col
    prev += cols
    nxt *= n
    nxt += cols
    v0 = flat.take(prev)
    v1 = flat.take(nxt)

    if method == "linear":
        with np.errstate(divide="ignore", invalid="ignore"):
            # Same expression and order as np.interp: slope * (t - t0) + v0, in float64.
            a = v0.astype(np.float64)
            estimate = np.subtract(v1, a)
            estimate /= t1 - t0
            estimate *= t - t0
            estimate += a
            if duplicates:  # a gap between two products of the same time: the earlier value
                estimate = np.where(t1 == t0, a, estimate)
            if dtype.kind in "iu":
                if dtype.kind == "u":  # >= 0 here: half away from zero is floor(x + 0.5)
                    estimate += 0.5
                    np.floor(estimate, out=estimate)
                else:
                    estimate = _round_half_away(estimate)
                info = np.iinfo(dtype)
                np.clip(estimate, info.min, info.max, out=estimate)
            filled = estimate.astype(dtype)  # NaN only where not inner, never used
    elif method == "nearest":
        filled = np.where((t - t0) <= (t1 - t), v0, v1)  # tie -> earlier
    else:  # previous
        filled = v0
    if max_gap is not None:
        span = (t - t0) if method == "previous" else (t1 - t0)
        inner &= span <= max_gap
        everywhere = False

    result = filled if everywhere else np.where(inner, filled, dtype.type(nodata))
    done = inner
    if fill_edges and not bool(has_prev.all() and has_next.all()):
        lead = ~has_prev & has_next  # before the first valid value: the next one
        trail = has_prev & ~has_next  # after the last valid value: the previous one
        if max_gap is not None:
            lead &= (t1 - t) <= max_gap
            trail &= (t - t0) <= max_gap
        result = np.where(lead, v1, np.where(trail, v0, result))
        done = inner | lead | trail
    # A filled pixel must never read as nodata.
    if not nan_nodata:
        clash = result == nodata
        if clash.any():
            clash &= done
            result[clash] = _replacement(dtype, nodata)
    return result


def fill_block(block: np.ndarray, days: np.ndarray, nodata, method: str = "linear",
               fill_edges: bool = True, max_gap=None, owned: bool = False) -> np.ndarray:
    """Gap-fill a numpy block whose axis 0 is time (any trailing shape).

    Works through the pixels in slabs of at most SLAB_ELEMENTS values so the
    temporaries stay small (and in cache) whatever the block size.
    ``owned``: the block is the caller's to change (the compiled kernel then
    fills it in place, not a copy).
    """
    block = np.asarray(block)
    count = block.shape[0]
    flat = block.reshape(count, -1)
    days = np.asarray(days, dtype=np.float64)
    compiled = _compiled_kernel(flat.dtype)
    if compiled is not None:
        info = np.iinfo(flat.dtype)
        gap = -1.0 if max_gap is None else float(max_gap)
        own = owned and flat.flags.c_contiguous and flat.flags.writeable
        filled = compiled.fill_integer(
            flat if own else np.array(flat, order="C"), days, flat.dtype.type(nodata), _replacement(flat.dtype, nodata),
            compiled.METHOD_CODES[method], bool(fill_edges), gap, float(info.min), float(info.max),
        )
        return filled.reshape(block.shape)
    out = np.empty_like(flat)
    step = max(1, SLAB_ELEMENTS // max(count, 1))
    for start in range(0, flat.shape[1], step):  # slabs of pixels, not single pixels
        part = np.ascontiguousarray(flat[:, start:start + step])  # a small copy: flat gathers need C order
        out[:, start:start + step] = _fill_slab(part, days, nodata, method, fill_edges, max_gap)
    return out.reshape(block.shape)


USE_COMPILED = True  # tests switch it off to compare both kernels


def _compiled_kernel(dtype):
    """The numba kernel for integer bands, or None (numba missing, or a float band)."""
    if not USE_COMPILED or np.dtype(dtype).kind not in "iu":
        return None
    try:
        from . import gapfill_numba
    except ImportError:
        return None
    return gapfill_numba


def _whole_sizes(data) -> List[int]:
    """Chunk sizes with the whole time axis (0): other chunks halved until one is at most BLOCK_BYTES."""
    sizes = [data.shape[0]] + [max(c) for c in data.chunks[1:]]
    while int(np.prod(sizes)) * data.dtype.itemsize > BLOCK_BYTES and len(sizes) > 1 and max(sizes[1:]) > 64:
        # the last of the largest axes: the two halves of a chunk are then neighbours in
        # row-major order and one batch of the writer computes both from one read
        axis = len(sizes) - 1 - int(np.argmax(sizes[:0:-1]))
        sizes[axis] = -(-sizes[axis] // 2)
    return sizes


def _time_whole(data):
    """data with the whole time axis (0) in each chunk (``_whole_sizes``), rechunked by dask."""
    sizes = _whole_sizes(data)
    return data.rechunk({0: -1, **{axis: sizes[axis] for axis in range(1, data.ndim)}}, method=rechunk_method())


def _filled_lazily(data, kwargs):
    """data (dask, time on axis 0) gap-filled in blocks of all dates (``_whole_sizes``).

    One task per block gathers the block's pieces from the input chunks
    into a new array and fills that in place: a dask rechunk here made a
    split task per piece and a merge task per block (656 of a 1024² chain's
    1972 tasks), and the kernel a second copy, since a merged block may be
    shared with another consumer of the same rechunk and is never changed.
    """
    import functools
    import itertools

    import dask.array as da
    from dask.base import tokenize
    from dask.array.rechunk import old_to_new
    from dask.highlevelgraph import HighLevelGraph

    sizes = _whole_sizes(data)
    chunks = tuple(da.core.normalize_chunks(sizes, data.shape))
    task = functools.partial(_gather_and_fill, dtype=data.dtype.str, **kwargs)
    name = "gapfill-" + tokenize(data.name, chunks, kwargs)
    # which input chunks, and which part of each, make every target chunk: dask's own rechunk plan
    per_axis = [[list(_placed(pieces)) for pieces in axis] for axis in old_to_new(data.chunks, chunks)]
    layer = {}
    for index in itertools.product(*(range(len(c)) for c in chunks)):
        pieces = list(itertools.product(*(per_axis[axis][i] for axis, i in enumerate(index))))
        keys = [(data.name,) + tuple(p[0] for p in piece) for piece in pieces]
        cuts = [(tuple(p[1] for p in piece), tuple(p[2] for p in piece)) for piece in pieces]
        shape = tuple(c[i] for c, i in zip(chunks, index))
        layer[(name,) + index] = (task, keys, cuts, shape)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=[data])
    return da.Array(graph, name, chunks, dtype=data.dtype)


def _placed(pieces):
    """dask's plan of one target chunk, [(source chunk, slice in it)], with the slice each fills in the target."""
    begin = 0
    for number, inside in pieces:
        end = begin + inside.stop - inside.start
        yield number, inside, slice(begin, end)
        begin = end


def _gather_and_fill(pieces, cuts, shape, dtype, **kwargs) -> np.ndarray:
    """One block of all dates made from its pieces, gap-filled in place (it is this task's own)."""
    block = np.empty(shape, dtype=np.dtype(dtype))
    for piece, (inside, at) in zip(pieces, cuts):
        block[at] = piece[inside]
    return fill_block(block, owned=True, **kwargs)


def _select_bands(ds, bands, progress) -> List[str]:
    """Names of the bands to fill: reflectance bands with (time, y, x)."""
    if bands is None:
        chosen = [str(n) for n in ds.data_vars if not is_categorical(n)]
    else:
        wanted = [b.strip() for b in bands.split(",")] if isinstance(bands, str) else [str(b).strip() for b in bands]
        wanted = [b for b in wanted if b]
        by_lower = {str(n).lower(): str(n) for n in ds.data_vars}
        unknown = [b for b in wanted if b.lower() not in by_lower]
        if unknown:
            raise UserError(
                f"The cube has no band {', '.join(unknown)}. Its bands are: {', '.join(map(str, ds.data_vars))}."
            )
        chosen = []
        for b in wanted:
            name = by_lower[b.lower()]
            if is_categorical(name):
                progress.warning(f"{name} holds classes, not reflectance: it is not gap-filled (left unchanged).")
            elif name not in chosen:
                chosen.append(name)
    result = []
    for name in chosen:
        band = ds[name]
        if "time" not in band.dims:
            continue
        if band.dtype.kind not in "iuf":
            progress.warning(f"{name} is not numeric ({band.dtype}): left unchanged.")
            continue
        result.append(name)
    return result


def gap_fill(
    ds,
    method: str = "linear",
    fill_edges: bool = True,
    max_gap_days: Optional[float] = None,
    bands: Optional[Union[str, Sequence[str]]] = None,
    progress: Optional[Progress] = None,
):
    """Return the cube with nodata pixels of its reflectance bands filled along time (lazy on dask)."""
    progress = progress or Progress()
    method = str(method or "linear").strip().lower()
    if method not in METHODS:
        raise UserError(f"Unknown gap-fill method '{method}': choose one of {', '.join(METHODS)}.")
    if max_gap_days is not None:
        max_gap_days = float(max_gap_days)
        if not max_gap_days >= 0:  # also rejects NaN
            raise UserError("The maximum gap must be a positive number of days (or empty for no limit).")
    if "time" not in ds.dims or ds.sizes["time"] < 2:
        raise UserError(
            "Gap-filling needs a cube with a time axis of at least two dates; this one has "
            f"{ds.sizes.get('time', 0)}. Load more dates."
        )
    times = ds["time"].values
    if not np.issubdtype(times.dtype, np.datetime64):
        raise UserError("The cube's time axis does not hold dates: gap-filling weights by acquisition dates.")
    # Days since the first date, as float64 (fractions of a day kept: acquisitions have a time of day).
    days = (times.astype("datetime64[ns]") - times.astype("datetime64[ns]")[0]).astype(np.int64) / NANOSECONDS_PER_DAY
    if np.any(np.diff(days) < 0):
        raise UserError("The cube's dates are not in order: sort it by time (ds.sortby('time')) before gap-filling.")

    names = _select_bands(ds, bands, progress)
    out = ds.copy()
    for name in names:
        band = ds[name]
        nodata = _nodata(band.dtype, band.attrs)
        moved = band.transpose("time", ...)  # the kernel works on axis 0
        data = moved.data
        kwargs = dict(days=days, nodata=nodata, method=method, fill_edges=bool(fill_edges), max_gap=max_gap_days)
        if hasattr(data, "map_blocks"):  # dask: the whole time axis in each chunk, other chunks kept or split
            data = _filled_lazily(data, kwargs)
        else:
            data = fill_block(np.asarray(data), **kwargs)
        value = moved.copy(data=data).transpose(*band.dims)
        value.attrs = dict(band.attrs)
        value.encoding = dict(band.encoding)
        out[name] = value
    skipped = [str(n) for n in ds.data_vars if str(n) not in names]
    progress.info(
        f"Gap-filling {len(names)} band(s) ({', '.join(names) or 'none'}) along {len(days)} dates, method {method}"
        + (f"; left unchanged: {', '.join(skipped)}" if skipped else "") + "."
    )
    if not names:
        progress.warning("The cube has no reflectance band to gap-fill: it is unchanged.")
    return add_history(
        out, STEP,
        {"method": method, "fill_edges": bool(fill_edges), "max_gap_days": max_gap_days, "bands": names},
    )
