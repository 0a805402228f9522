"""Read netCDF-4 variables chunk by chunk, inflated in dask's threads, not under HDF5's lock.

The mirror of engine/netcdf_chunks.py. Through netCDF (xarray's backend),
HDF5 inflates and unshuffles every chunk inside the read call, and every
HDF5 call holds the process's one HDF5 lock (engine/hdf5_lock.py): reading
a cube ran on one thread, about 120 MB/s here, which made harmonize and
cloud mask the slowest steps of the workflow. ``DirectReader`` holds the
lock only to fetch each chunk's stored bytes (h5py's ``read_direct_chunk``,
0.3 ms per chunk with the file opened and closed around it), then inflates
(engine/fast_inflate.py: the system's libdeflate, else ISA-L, else zlib) and unshuffles in
the calling thread, so dask's threads do that work in parallel.

Used for a variable only when h5py is importable and the variable's
filters are ones this undoes (shuffle, deflate); ``direct_arrays`` leaves
any other variable out, and it reads through netCDF as before. Not used with a
Dask cluster (the workers need not have h5py): see ``open_cube``.
"""

import itertools
import os
from typing import Optional, Sequence

import numpy as np

from .fast_inflate import inflater
from .hdf5_lock import hdf5_lock

SHUFFLE, DEFLATE = 2, 1  # HDF5 filter ids


def unshuffle(data: bytes, dtype: np.dtype, count: int, out: Optional[np.ndarray] = None) -> np.ndarray:
    """Undo HDF5's shuffle filter: count values whose byte j is at data[j * count + i]; into ``out`` when given."""
    size = dtype.itemsize
    raw = np.frombuffer(data, dtype=np.uint8, count=size * count)
    if size == 1 or dtype.byteorder == ">" or size not in (2, 4, 8):
        values = raw.view(dtype) if size == 1 else np.ascontiguousarray(raw.reshape(size, count).T).view(dtype).reshape(-1)
        if out is None:
            return values
        out[...] = values
        return out
    unsigned = np.dtype(f"<u{size}")
    values = np.empty(count, unsigned) if out is None else out.view(unsigned)
    # Horner, from the top byte: value = (value << 8) | byte_j. SIMD passes in place, not a
    # strided transpose, and no temporaries (1.3-1.5x the speed of shifting copies of each byte).
    np.copyto(values, raw[(size - 1) * count:], casting="unsafe")
    for byte in range(size - 2, -1, -1):
        values <<= unsigned.type(8)
        np.bitwise_or(values, raw[byte * count:(byte + 1) * count], out=values)
    return values.view(dtype) if out is None else out


class DirectReader:
    """Array-like for ``dask.array.from_array``: [slices] read from the file's chunks (module docstring).

    Holds the path, never an open file: each read opens and closes the file
    under the HDF5 lock, so nothing is left for a finalizer to close.
    """

    def __init__(self, path: str, name: str, shape, dtype, chunks, filters: Sequence[int], fill):
        self.path, self.name = path, name
        self.shape, self.dtype, self.ndim = tuple(shape), np.dtype(dtype), len(shape)
        self.chunks, self.filters, self.fill = tuple(chunks), tuple(filters), fill

    def __getitem__(self, key) -> np.ndarray:
        """Numpy indexing: dask hands whole blocks (slices), and fuses integer or array indexing into it."""
        key = key if isinstance(key, tuple) else (key,)
        if any(k is None or k is Ellipsis for k in key):
            return self._block([slice(0, n) for n in self.shape])[key]
        key = key + (slice(None),) * (self.ndim - len(key))
        if all(isinstance(k, slice) and k.step in (None, 1) for k in key):
            return self._block([slice(*k.indices(n)[:2]) for k, n in zip(key, self.shape)])
        # anything else: read the bounding block, then index it with the key moved to its origin
        box, moved = [], []
        for k, n in zip(key, self.shape):
            if isinstance(k, slice):
                r = range(*k.indices(n))
                low = min(r[0], r[-1]) if len(r) else 0
                box.append(slice(low, max(r[0], r[-1]) + 1 if len(r) else 0))
                stop = r.stop - low
                moved.append(slice(r.start - low, stop if stop >= 0 else None, r.step) if len(r) else slice(0, 0))
            else:
                index = np.asarray(k)
                if index.dtype == bool:
                    index = np.flatnonzero(index)
                index = np.where(index < 0, index + n, index)
                low = int(index.min()) if index.size else 0
                box.append(slice(low, int(index.max()) + 1 if index.size else 0))
                moved.append(index - low if index.ndim else int(index) - low)
        return self._block(box)[tuple(moved)]

    def _block(self, box) -> np.ndarray:
        """The values in box (step-1 slices within the shape), from every chunk it touches."""
        where = [range(b.start, b.stop) for b in box]
        out = np.empty(tuple(len(r) for r in where), dtype=self.dtype)
        if out.size == 0:
            return out
        offsets = list(itertools.product(*[range(r.start - r.start % c, r.stop, c) for r, c in zip(where, self.chunks)]))
        stored = self._stored(offsets)
        inflate = inflater()
        for offset, (mask, data) in zip(offsets, stored):
            inside = tuple(slice(max(r.start, o), min(r.stop, o + c)) for r, o, c in zip(where, offset, self.chunks))
            target = out[tuple(slice(s.start - r.start, s.stop - r.start) for s, r in zip(inside, where))]
            if target.shape == self.chunks and target.flags.c_contiguous:  # a whole chunk: decoded in place
                self._decoded(mask, data, inflate, target.reshape(-1))
            else:
                chunk = np.empty(self.chunks, self.dtype)
                self._decoded(mask, data, inflate, chunk.reshape(-1))
                target[...] = chunk[tuple(slice(s.start - o, s.stop - o) for s, o in zip(inside, offset))]
        return out

    def _stored(self, offsets):
        """[(filter mask, bytes or None when the chunk was never written)]."""
        with hdf5_lock():
            return _read_stored(self.path, self.name, offsets)

    def _decoded(self, mask: int, data: Optional[bytes], inflate, into: np.ndarray) -> None:
        """Decode a stored chunk into ``into`` (its values, flat); the inflated bytes are not kept."""
        if data is None:
            into.fill(self.fill)
            return
        count = int(np.prod(self.chunks))
        for index in reversed(range(len(self.filters))):  # undone in reverse order
            if mask & (1 << index):  # HDF5 skipped this filter for this chunk
                continue
            if self.filters[index] == DEFLATE:  # shuffle keeps the size: inflated, a chunk's bytes
                data = inflate(data, count * self.dtype.itemsize)
        if SHUFFLE in self.filters and not mask & (1 << self.filters.index(SHUFFLE)):
            unshuffle(data, self.dtype, count, into)
        else:
            into[...] = np.frombuffer(data, dtype=self.dtype, count=count)


def _read_stored(path: str, name: str, offsets):
    """Called under the HDF5 lock; its h5py objects are dropped when it returns, still under it."""
    import h5py

    with h5py.File(path, "r") as handle:
        dataset = handle[name].id
        return [(0, None) if dataset.get_chunk_info_by_coord(offset).byte_offset is None
                else dataset.read_direct_chunk(offset) for offset in offsets]


def _describe(path: str, names) -> dict:
    """{name: DirectReader's arguments} for the variables it can read; called under the HDF5 lock (see _read_stored)."""
    import h5py

    described = {}
    with h5py.File(path, "r") as handle:
        for name in names:
            dataset = handle.get(name)
            if dataset is None or not isinstance(dataset, h5py.Dataset) or dataset.chunks is None:
                continue
            plist = dataset.id.get_create_plist()
            filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
            if not set(filters) <= {SHUFFLE, DEFLATE} or filters.count(SHUFFLE) > 1:
                continue
            fill = dataset.fillvalue
            described[name] = {"shape": dataset.shape, "dtype": dataset.dtype, "chunks": dataset.chunks,
                               "filters": filters, "fill": fill.item() if hasattr(fill, "item") else fill}
    return described


def direct_readers(path: str, names) -> dict:
    """{name: DirectReader} for the variables of the netCDF-4 file that can be read so (none without h5py)."""
    try:
        import h5py  # noqa: F401
    except ImportError:
        return {}
    with hdf5_lock():
        described = _describe(path, names)
    return {name: DirectReader(os.path.abspath(path), name, **arguments) for name, arguments in described.items()}


def direct_arrays(path: str, ds) -> dict:
    """{name: dask array read through a DirectReader, with the variable's chunks} for ds's data variables.

    Only integer and float variables whose stored shape and type are the
    ones xarray shows (no decoded values such as scaled or time variables).
    """
    import dask.array as da
    from dask.base import tokenize

    names = [name for name, variable in ds.data_vars.items()
             if hasattr(variable.data, "chunks") and variable.dtype.kind in "iuf"]
    stamp = os.stat(path).st_mtime_ns
    arrays = {}
    for name, reader in direct_readers(path, names).items():
        data = ds[name].data
        if reader.shape != data.shape or reader.dtype != data.dtype:
            continue
        key = f"direct-{name}-{tokenize(reader.path, name, stamp, data.chunks)}"
        arrays[name] = da.from_array(reader, chunks=data.chunks, name=key, asarray=False, lock=False,
                                     meta=np.empty((0,) * reader.ndim, dtype=reader.dtype))
    return arrays
