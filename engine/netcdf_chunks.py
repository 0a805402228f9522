"""Write netCDF-4 variables chunk by chunk, compressed here, stored by HDF5 as they are.

netCDF-4 hands each chunk to HDF5, which shuffles and deflates it inside the
write call, under the library's lock, on one thread. zlib at level 1 runs at
about 55 MB/s on this machine's 2 cores, so compression was the slowest
step of a whole chain (7.3 s of 16 for 40 dates × 5 bands × 1024²).

``DirectChunks`` does that work itself: it cuts a block into the variable's
chunks, shuffles their bytes and deflates them with ISA-L's zlib-compatible
deflate (the ``isal`` package, about 6× zlib's speed at the same level 1
ratio; zlib when isal is missing), then hands the bytes to HDF5's direct
chunk write (h5py's ``write_direct_chunk``), which only stores them. The
file is exactly what netCDF would have written: the same chunking, the same
filters recorded (shuffle, deflate), the same zlib streams any reader
inflates; netCDF, GDAL and QGIS read it as before.

Used only when h5py is importable and every variable's filters are ones this
reproduces (shuffle and/or deflate); ``open_direct`` returns None otherwise
and the caller writes through netCDF as usual. A block that does not start
and end on chunk boundaries is written through h5py's ordinary write (HDF5
compresses it). h5py must be linked to the same HDF5 as netCDF4 and GDAL
(Debian's python3-h5py; a pip wheel brings its own copy): HDF5 is not
thread-safe, so every HDF5 call here holds the process's HDF5 lock
(engine/hdf5_lock.py), the one cubes are read under in other threads.
"""

import itertools
import zlib
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .hdf5_lock import hdf5_lock

SUPPORTED_FILTERS = {"shuffle", "gzip"}
ISAL_MAX_LEVEL = 3  # isal's levels are 0-3; a higher zlib level asked for is honoured with zlib


def deflater(level: int) -> Callable[[bytes], bytes]:
    """bytes -> a zlib stream (what HDF5's deflate filter stores) at this level."""
    if level <= ISAL_MAX_LEVEL:
        try:
            from isal import isal_zlib
        except ImportError:
            pass
        else:
            return lambda data: isal_zlib.compress(data, max(level, 1))
    return lambda data: zlib.compress(data, level)


def shuffle(chunk: np.ndarray) -> np.ndarray:
    """HDF5's shuffle filter: the first byte of every value, then the second, …"""
    size = chunk.dtype.itemsize
    if size == 1:
        return chunk
    if chunk.dtype.byteorder == ">" or size not in (2, 4, 8):
        return np.ascontiguousarray(chunk.reshape(-1).view(np.uint8).reshape(-1, size).T)
    # Byte j of a little-endian value is (value >> 8j) & 0xFF: shifts and masks run in
    # SIMD: 3-4x faster than the strided byte transpose above. Shifting straight into
    # the uint8 output (an unsigned cast keeps the low byte) needs no temporary: 3x again.
    values = np.ascontiguousarray(chunk).reshape(-1).view(f"<u{size}")
    out = np.empty(values.size * size, dtype=np.uint8)
    for byte in range(size):
        plane = out[byte * values.size:(byte + 1) * values.size]
        if byte:
            np.right_shift(values, 8 * byte, out=plane, casting="unsafe")
        else:
            np.copyto(plane, values, casting="unsafe")
    return out


@dataclass(frozen=True)
class ChunkEncoding:
    """How one variable's chunks are stored: what HDF5's filters would make of them."""

    shape: Tuple[int, ...]
    chunks: Tuple[int, ...]
    dtype: str
    shuffled: bool
    level: Optional[int]  # deflate level; None: not deflated
    fill: float

    def aligned(self, where: Sequence[slice]) -> bool:
        return all(
            s.start % c == 0 and (s.stop % c == 0 or s.stop == n)
            for s, c, n in zip(where, self.chunks, self.shape)
        )

    def encode(self, where: Sequence[slice], value: np.ndarray) -> List[Tuple[Tuple[int, ...], bytes]]:
        """[(chunk offset in the file, stored bytes)] of an aligned block."""
        deflate = deflater(self.level) if self.level is not None else None
        starts = [range(s.start, s.stop, c) for s, c in zip(where, self.chunks)]
        encoded = []
        for offset in itertools.product(*starts):
            local = tuple(slice(o - s.start, min(o + c, s.stop) - s.start) for o, s, c in zip(offset, where, self.chunks))
            piece = value[local]
            if piece.shape != self.chunks:  # an edge chunk: HDF5 stores whole chunks
                full = np.full(self.chunks, self.fill, self.dtype)
                full[tuple(slice(0, n) for n in piece.shape)] = piece
                piece = full
            data = np.ascontiguousarray(piece, dtype=self.dtype)
            raw = shuffle(data) if self.shuffled else data
            # deflate reads the array's buffer: no bytes copy of a chunk that is compressed anyway
            encoded.append((offset, deflate(raw) if deflate else raw.tobytes()))
        return encoded


def encode_block(encoding: Optional[ChunkEncoding], where: Sequence[slice], value) -> tuple:
    """("chunks", [(offset, bytes)]) ready to store, or ("array", value) for an ordinary write.

    Pure and thread-safe: runs in dask's worker threads, in parallel (isal and
    zlib release the GIL), while other blocks are computed and stored.
    """
    value = np.asarray(value)
    if encoding is None or not encoding.aligned(where):
        return ("array", value)
    return ("chunks", encoding.encode(where, value))


class DirectChunks:
    """Stores encoded blocks of the named variables of an open h5py file (see the module docstring).

    Its h5py objects are made and dropped under the HDF5 lock only: an h5py
    object freed elsewhere closes its HDF5 id outside the lock.
    """

    def __init__(self, handle, datasets: Dict[str, object], encodings: Dict[str, ChunkEncoding]):
        self._handle = handle
        self._datasets = datasets
        self.encodings = encodings

    def store(self, name: str, where: Sequence[slice], encoded: tuple) -> None:
        kind, payload = encoded
        dataset = self._datasets[name]
        if kind == "array":  # not on chunk boundaries: HDF5 compresses it
            with hdf5_lock():
                dataset[tuple(where)] = payload
            return
        for offset, data in payload:
            with hdf5_lock():
                dataset.id.write_direct_chunk(offset, data)

    def close(self) -> None:
        with hdf5_lock():
            self._datasets.clear()
            self._handle.close()


def _encoding(dataset) -> Optional[ChunkEncoding]:
    filters = dataset._filters  # {'shuffle': …, 'gzip': level, …} as recorded in the file
    if dataset.chunks is None or not set(filters) <= SUPPORTED_FILTERS:
        return None
    fill = dataset.fillvalue
    return ChunkEncoding(
        shape=tuple(dataset.shape), chunks=tuple(dataset.chunks), dtype=dataset.dtype.str,
        shuffled="shuffle" in filters, level=int(filters["gzip"]) if "gzip" in filters else None,
        fill=0 if fill is None else fill.item() if hasattr(fill, "item") else fill,
    )


def open_direct(path: str, names: Sequence[str]) -> Optional[DirectChunks]:
    """A DirectChunks on the netCDF file at path (closed by netCDF), or None when it cannot be used."""
    try:
        import h5py
    except ImportError:
        return None
    with hdf5_lock():
        handle = h5py.File(path, "r+")
        try:
            datasets = {name: handle[name] for name in names}
            encodings = {name: _encoding(dataset) for name, dataset in datasets.items()}
        except BaseException:
            datasets = None
            handle.close()
            raise
        if any(encoding is None for encoding in encodings.values()):
            datasets.clear()
            handle.close()
            return None
    return DirectChunks(handle, datasets, encodings)
