"""Write and read cubes: netCDF-4 (.nc, default) or Zarr v2 (.zarr).

A cube is an xarray Dataset with dims (time, y, x), one variable per band,
CF grid mapping in ``spatial_ref``, per-date metadata as coordinates along
``time`` and the provenance of each step in the ``sitscube_history``
attribute (a JSON list). Outputs are written to a temporary path next to the
destination and moved into place only when complete.
"""

import contextlib
import datetime as dt
import json
import os
import shutil
from typing import Optional

import numpy as np

from . import atomic
from .errors import UserError
from .hdf5_lock import close_unused_files, hdf5_lock
from .progress import Progress, polled
from .scheduler import local_get

FORMATS = {".nc": "netcdf", ".zarr": "zarr", ".sitscube": "recipe"}  # recipe: engine/recipe.py
HISTORY_ATTR = "sitscube_history"
CHUNK = 512  # pixels per chunk side on disk
# Dates per dask chunk when a cube is opened: a task reads this many stored (one-date)
# chunks. One date per task made ~1600 tiny tasks per 512² window of a four-band
# recipe chain, and dask's per-task overhead (under the GIL) left a core idle: a
# 1024² median from recipes took 6.4 s in-process with 1 date, 4.4 s with 20 or 40.
# 24 uint16 dates of 512² are 12 MiB per task.
OPEN_DATES = 24
# zlib level of netCDF cubes: 1 compresses shuffled uint16 reflectance almost as well
# as 4 (the usual default) in a fraction of the time, and writing is the slow part.
COMPLEVEL = 1


def cube_format(path: str) -> str:
    extension = os.path.splitext(path.rstrip("/\\"))[1].lower()
    if extension not in FORMATS:
        raise UserError(f"The cube file must end in .nc (netCDF), .zarr (Zarr) or .sitscube (a recipe), not '{extension or path}'.")
    return FORMATS[extension]


def history(ds) -> list:
    return parse_history(ds.attrs.get(HISTORY_ATTR, "[]"))


def parse_history(text: str) -> list:
    try:
        return json.loads(text or "[]")
    except json.JSONDecodeError:
        return []


def with_record(text: str, step: str, parameters: dict) -> str:
    """A provenance attribute (JSON list) with one more record."""
    records = parse_history(text) + [
        {"step": step, "parameters": parameters, "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    ]
    return json.dumps(records)


def add_history(ds, step: str, parameters: dict):
    """Return ds with one more provenance record."""
    ds = ds.copy()
    ds.attrs[HISTORY_ATTR] = with_record(ds.attrs.get(HISTORY_ATTR, "[]"), step, parameters)
    return ds


# Zarr chunk codecs (bench/bench_storage.py measures them). Default: Blosc LZ4 with byte shuffle,
# multi-threaded, as zarr-python writes Zarr v2 unless told otherwise; SITSCUBE_ZARR_CODEC picks another.
ZARR_CODECS = {
    "blosc-lz4": dict(cname="lz4", clevel=5, shuffle=1),
    "blosc-zstd1": dict(cname="zstd", clevel=1, shuffle=1),
    "blosc-zstd3": dict(cname="zstd", clevel=3, shuffle=1),
    "blosc-lz4-bitshuffle": dict(cname="lz4", clevel=5, shuffle=2),
}
DEFAULT_ZARR_CODEC = "blosc-lz4"


def zarr_compressor():
    """The numcodecs Blosc codec for Zarr cubes (None: zarr's own default)."""
    name = os.environ.get("SITSCUBE_ZARR_CODEC", DEFAULT_ZARR_CODEC)
    if name not in ZARR_CODECS:
        raise UserError(f"SITSCUBE_ZARR_CODEC must be one of {', '.join(ZARR_CODECS)}, got '{name}'.")
    from numcodecs import Blosc

    return Blosc(**ZARR_CODECS[name])


def _encoding(ds, fmt: str) -> dict:
    encoding = {}
    for name, variable in ds.data_vars.items():
        chunks = tuple(min(n, CHUNK if dim in ("x", "y") else 1) for dim, n in zip(variable.dims, variable.shape))
        item = {}
        nodata = variable.attrs.get("nodata", variable.encoding.get("_FillValue"))
        if nodata is not None and variable.dtype.kind in "iuf":
            item["_FillValue"] = variable.dtype.type(nodata)
        if fmt == "netcdf":
            item.update(zlib=True, complevel=COMPLEVEL, chunksizes=chunks)
            if variable.dtype.kind in "iu":
                item["shuffle"] = True
        else:
            item["chunks"] = chunks
            codec = zarr_compressor()
            if codec is not None:
                item["compressors"] = (codec,)  # zarr-python 3 spelling; one codec in Zarr v2
        encoding[name] = item
    if "time" in ds.coords:
        encoding["time"] = {"units": "seconds since 1970-01-01 00:00:00", "calendar": "standard", "dtype": "float64"}
    return encoding


def _prepare(ds):
    """CF attributes GDAL and QGIS need, and attrs netCDF can store."""
    ds = ds.copy()
    for name in ds.variables:  # a cube read back carries its encoding as attrs
        attrs = ds[name].attrs
        fill = attrs.pop("_FillValue", None)
        if fill is not None and name in ds.data_vars:
            attrs.setdefault("nodata", fill)
        attrs.pop("coordinates", None)
        attrs.pop("_CRS", None)  # Zarr-only; added back when writing Zarr
    for name in ds.data_vars:
        if "grid_mapping" not in ds[name].attrs and "spatial_ref" in ds.coords:
            ds[name].attrs["grid_mapping"] = "spatial_ref"
    for axis, name in (("X", "x"), ("Y", "y")):  # so GDAL recognises the grid axes
        if name in ds.coords:
            ds[name].attrs.update(_axis_attrs(ds, axis))
    ds.attrs.setdefault("Conventions", "CF-1.8")
    for key, value in list(ds.attrs.items()):
        if isinstance(value, (dict, list, bool)) or value is None:  # netCDF stores no JSON
            ds.attrs[key] = json.dumps(value)
    return ds


def _axis_attrs(ds, axis: str) -> dict:
    geographic = False
    try:
        geographic = bool(ds.odc.crs.geographic)
    except Exception:  # no CRS known: treat as projected
        pass
    if geographic:
        name = "longitude" if axis == "X" else "latitude"
        return {"standard_name": name, "units": "degrees_east" if axis == "X" else "degrees_north", "axis": axis}
    name = "projection_x_coordinate" if axis == "X" else "projection_y_coordinate"
    return {"standard_name": name, "long_name": f"{axis.lower()} coordinate of projection", "units": "m", "axis": axis}


def write_cube(ds, path: str, progress: Optional[Progress] = None, scheduler=None) -> str:
    """Compute a (lazy) cube chunk by chunk into path, atomically.

    ``scheduler`` overrides the setting (see engine/scheduler.py): dask's
    local threads by default, or a Dask cluster whose workers compute the
    chunks that this process writes.
    """
    from . import scheduler as schedulers

    progress = progress or Progress()
    scheduler = scheduler or schedulers.scheduler_from_settings()
    fmt = cube_format(path)
    close_unused_files()  # see open_cube
    path = os.path.abspath(path.rstrip("/\\"))
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    suffix = os.path.splitext(path)[1]
    atomic.clean_stale(directory)  # temporaries of runs killed earlier (engine/atomic.py)
    # zarr makes its folder itself; netCDF writes into an (empty) file of ours
    temporary = atomic.temporary_name(directory, suffix) if fmt == "zarr" else atomic.temporary_file(directory, suffix)
    try:
        ds = _prepare(ds)
        for name in ds.data_vars:  # stored variables need a key
            ds[name].encoding.pop("chunks", None)
            ds[name].encoding.pop("preferred_chunks", None)
        if fmt == "zarr":  # dask chunks must match the stored ones
            ds = ds.chunk({d: (1 if d == "time" else CHUNK) for d in ds.dims if d in ("time", "y", "x")})
            wkt = ds["spatial_ref"].attrs.get("crs_wkt") if "spatial_ref" in ds.coords else None
            for name in ds.data_vars:
                if wkt:  # GDAL's Zarr driver reads the CRS from _CRS, not from CF
                    ds[name].attrs["_CRS"] = {"wkt": wkt}
        encoding = _encoding(ds, fmt)
        if fmt == "netcdf":
            _write_netcdf(ds, temporary, encoding, progress, scheduler)
        else:
            threads = None
            if schedulers.is_distributed(scheduler):
                # The cluster computes the chunks, this process writes them (local threads,
                # one chunk in flight per cluster thread): workers need not see this path.
                ds = schedulers.computed_on_cluster(ds, scheduler)
                scheduler, threads = "threads", schedulers.cluster_threads(scheduler)
            delayed = ds.to_zarr(temporary, mode="w", encoding=encoding, compute=False, consolidated=True, zarr_format=2)
            schedulers.compute(delayed, progress=progress, scheduler=scheduler, num_workers=threads)
        progress.check_canceled()  # a cancel during the last batch (polled there) still cancels
        _move_into_place(temporary, path)
    except BaseException:
        _remove(temporary)
        raise
    return path


# Bytes of the blocks computed at once when writing netCDF (see _write_netcdf).
BATCH_BYTES = 64 * 2**20


def _write_netcdf(ds, path: str, encoding: dict, progress: Progress, scheduler) -> None:
    """Write ds to a new netCDF file, its dask blocks a batch at a time.

    ``to_netcdf`` hands dask one graph of read and write tasks. The writes
    go one at a time (HDF5 holds a lock while it compresses) and dask's
    threads run ahead on the reads, so blocks pile up in memory waiting for
    their write: a few hundred MiB at 2048², 1.1 GiB at 4096² (seen). Here
    xarray sets the file up (dimensions, coordinates, attributes, encoded
    lazy variables: ``multifile=True`` is its hook for that), then this
    loop computes a batch of blocks (every band of the same block together,
    so inputs they share are read once). With local threads each block's
    task compresses and stores it as soon as it is computed; from a Dask
    cluster a batch comes back to one writer thread, which compresses and
    stores it while the next batch is computed. Memory is a batch (two from
    a cluster), whatever the area. Only this process writes.

    The writer compresses the chunks itself and stores them with HDF5's
    direct chunk write when it can (engine/netcdf_chunks.py: ~6× faster
    than HDF5's own zlib), else it writes through netCDF.
    """
    from concurrent.futures import ThreadPoolExecutor

    try:
        from xarray.backends.writers import to_netcdf
    except ImportError:  # xarray before 2025.x
        from xarray.backends.api import to_netcdf

    from . import scheduler as schedulers
    from .heap import kept
    from .netcdf_chunks import open_direct

    with hdf5_lock():  # xarray's own lock does not cover all it does while setting the file up
        writer, store = to_netcdf(ds, path, engine="netcdf4", encoding=encoding, multifile=True)
    sink = None
    try:
        names = [target.variable_name for target in writer.targets]
        writer.sources = [_unmasked(ds, name, source, encoding.get(name, {})) for name, source in zip(names, writer.sources)]
        dims = [ds[name].dims if name in ds.variables else tuple(range(source.ndim))
                for name, source in zip(names, writer.sources)]
        batches = _batches(_block_jobs(writer.sources, names, writer.regions, dims), scheduler)
        with hdf5_lock():
            store.close()  # the file is set up; the data goes in through one of the sinks below
        sink = open_direct(path, names) or _NetCDFSink(path)
        # Local threads encode and store each block in the graph as soon as it is computed,
        # in parallel with the reads (a block waiting for its batch to end left a core idle
        # and held memory). A cluster's workers need not have this module, nor this file:
        # there the blocks come back raw and a writer thread encodes and stores them.
        in_graph = not schedulers.is_distributed(scheduler)
        stored = {}
        if in_graph:
            stored = {id(source): _stored(source, sink, name, region)
                      for source, name, region in zip(writer.sources, names, writer.regions)}
        # kept(): freed blocks reused from one batch to the next (engine/heap.py)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitscube-netcdf") as pool, kept():
            pending = None
            for number, batch in enumerate(batches, start=1):
                progress.check_canceled()
                # percent and cancel within the batch too (a small cube is one batch)
                within = progress.scaled(100.0 * (number - 1) / len(batches), 100.0 * number / len(batches))
                within.is_canceled = polled(progress.is_canceled)
                jobs = _flatten(batch)
                blocks = [stored.get(id(source), source).blocks[index] for source, index, _, _ in jobs]
                results = schedulers.compute(*blocks, scheduler=scheduler, progress=within)
                if not in_graph:
                    if pending is not None:
                        pending.result()  # one batch in memory while the next is computed
                    writes = [(name, where, result) for (_, _, name, where), result in zip(jobs, results)]
                    pending = pool.submit(_store_blocks, sink, writes)
                    del writes
                del results, blocks
                progress.set_percent(100.0 * number / len(batches))
            if pending is not None:
                pending.result()
    finally:
        if sink is not None:
            sink.close()
        with hdf5_lock():
            store.close()


# Encoding keys that leave an integer band's values as they are (storage options only).
STORAGE_KEYS = {"_FillValue", "zlib", "complevel", "chunksizes", "shuffle", "chunks", "compressors"}


def _unmasked(ds, name, source, encoding: dict):
    """The band's own dask array for source when xarray's encoding of it is a copy.

    xarray encodes a band with a _FillValue as ``where(notnull(data), data,
    fill)``: for an integer band every value is "not null", so each block
    costs a boolean array, its negation and a full copy of the block into
    fresh memory (about a sixth of a 1024² chain's CPU, page zeroing
    included) for the same values. Only for integer bands written in their
    own type without scale, offset or _Unsigned; anything else keeps
    xarray's encoding.
    """
    variable = ds.variables.get(name)
    if variable is None or not hasattr(variable.data, "dask") or variable.dtype.kind not in "iu":
        return source
    if source.dtype != variable.dtype or source.shape != variable.shape or source.chunks != variable.data.chunks:
        return source
    if set(encoding) - STORAGE_KEYS:
        return source
    own = {**variable.attrs, **variable.encoding}  # what xarray merges with the encoding asked for
    if {"scale_factor", "add_offset", "_Unsigned"} & set(own) or np.dtype(own.get("dtype", variable.dtype)) != variable.dtype:
        return source
    return variable.data


def _stored(source, sink, name, region):
    """source's blocks, each encoded (netcdf_chunks.encode_block) and stored in sink by its task.

    Still a dask array (of 1-element placeholders), so dask fuses the chain
    that makes a block with its encoding as it does any array graph (a
    dask.delayed wrapper lost that: 2× the CPU). The sink holds the HDF5
    lock while it stores.
    """
    import uuid

    # an explicit key: dask would otherwise try to hash the sink (an open file) into one
    return source.map_blocks(
        _store_block, name=f"sitscube-store-{uuid.uuid4().hex}", sink=sink, variable=name, region=region, dtype=np.uint8,
        chunks=tuple((1,) * len(c) for c in source.chunks), meta=np.empty((0,) * source.ndim, dtype=np.uint8),
    )


def _store_block(block, sink=None, variable=None, region=None, block_info=None):
    from .netcdf_chunks import encode_block

    where = _in_file(tuple(slice(start, stop) for start, stop in block_info[0]["array-location"]), region)
    sink.store(variable, where, encode_block(sink.encodings.get(variable), where, block))
    return np.zeros((1,) * block.ndim, dtype=np.uint8)


def _batches(jobs, scheduler):
    """Whole jobs grouped so that a batch computes about BATCH_BYTES, and at least a block per thread."""
    from . import scheduler as schedulers

    threads = schedulers.cluster_threads(scheduler) if schedulers.is_distributed(scheduler) else (os.cpu_count() or 1)
    batches, batch, size, blocks = [], [], 0, 0
    for job in jobs:
        batch.append(job)
        blocks += len(job)
        size += sum(int(np.prod([c[i] for c, i in zip(source.chunks, index)])) * source.dtype.itemsize
                    for source, index, _, _ in job)
        if size >= BATCH_BYTES and blocks >= threads:
            batches.append(batch)
            batch, size, blocks = [], 0, 0
    if batch:
        batches.append(batch)
    return batches


class _NetCDFSink:
    """Blocks written through netCDF (HDF5 compresses them): when direct chunk writes cannot be used."""

    encodings: dict = {}  # no variable has its chunks encoded here (encode_block passes arrays through)

    def __init__(self, path: str):
        import netCDF4

        self._lock = hdf5_lock()
        with self._lock:
            self._dataset = netCDF4.Dataset(path, "r+")
        for variable in self._dataset.variables.values():
            variable.set_auto_maskandscale(False)

    def store(self, name: str, where, encoded) -> None:
        _kind, value = encoded
        with self._lock:
            self._dataset.variables[name][tuple(where)] = value

    def close(self) -> None:
        with self._lock:
            self._dataset.close()


def _block_jobs(sources, names, regions, dims):
    """[[(source, block index, name, slices in the file)]]: the blocks computed together.

    A job holds the blocks of every variable that start in the same cell of
    the coarsest chunk grid (per dimension, the largest chunk of any
    variable), so inputs they share are computed once. Gap-filled bands
    (all dates, 1024 × 512) and the SCL they were masked with (one date,
    1024²) go together: written apart, the SCL dates were read twice.
    """
    import itertools

    cell = {}
    for source, source_dims in zip(sources, dims):
        for dim, chunks in zip(source_dims, source.chunks):
            cell[dim] = max(cell.get(dim, 1), max(chunks, default=1))
    jobs = {}
    for source, name, region, source_dims in zip(sources, names, regions, dims):
        offsets = [np.cumsum((0,) + c) for c in source.chunks]
        for index in itertools.product(*[range(len(c)) for c in source.chunks]):
            where = tuple(slice(int(o[i]), int(o[i + 1])) for o, i in zip(offsets, index))
            key = tuple(sorted((dim, s.start // cell[dim]) for dim, s in zip(source_dims, where)))
            jobs.setdefault(key, []).append((source, index, name, _in_file(where, region)))
    return list(jobs.values())


def _in_file(where, region):
    """Slices of a block in its variable -> slices in the file (xarray's region, if any, is an offset)."""
    if not region:
        return where
    return tuple(slice(r.start + w.start, r.start + w.stop) for r, w in zip(region, where))


def _flatten(batch):
    return [job for jobs in batch for job in jobs]


def _store_blocks(sink, writes) -> None:
    """Encode and store blocks computed raw (by a cluster's workers)."""
    from .netcdf_chunks import encode_block

    for name, where, result in writes:
        sink.store(name, where, encode_block(sink.encodings.get(name), where, result))


def _remove(path: str) -> None:
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.exists(path):
        os.remove(path)


def _move_into_place(temporary: str, path: str) -> None:
    """Replace path by temporary; a directory the user had is removed only after."""
    atomic.make_readable(temporary)
    if not os.path.isdir(temporary):
        os.replace(temporary, path)  # atomic: readers see the old file or the new one
        return
    # A folder cannot be renamed onto a folder that has files: the old one is moved aside
    # (a name of this process, so a kill leaves it to atomic.clean_stale), then removed.
    # Another run may put its own cube there in between: then move that one aside too.
    for _ in range(20):
        backup = None
        if os.path.lexists(path):
            backup = atomic.temporary_name(os.path.dirname(path), ".old")
            try:
                os.replace(path, backup)
            except FileNotFoundError:  # another run moved it aside first
                backup = None
        try:
            os.replace(temporary, path)
            return
        except OSError:  # another run's cube arrived at path meanwhile: try again
            continue
        finally:
            if backup:
                _remove(backup)
    raise UserError(f"Could not move the new cube into place at {path}: other runs keep writing there.")


def open_cube(path: str, chunks=None):
    """Open a cube lazily, integers kept as stored (no masking, no scaling)."""
    import odc.geo.xr  # noqa: F401  (registers the .odc accessor callers read the CRS and grid with)
    import xarray as xr

    fmt = cube_format(path)
    if not os.path.exists(path):
        raise UserError(f"The cube {path} does not exist.")
    if fmt == "recipe":  # a lazy cube: its source opened and its steps replayed
        from .recipe import open_recipe

        return open_recipe(path)
    # Close the files of cubes no longer used, here rather than from a finalizer (engine/hdf5_lock.py).
    close_unused_files()
    # dask chunks = whole stored chunks (a task reads each once), OPEN_DATES of them along time
    chunks = chunks or {"time": OPEN_DATES, "y": CHUNK, "x": CHUNK}
    # netCDF: opened, and read later, under the process's HDF5 lock (engine/hdf5_lock.py)
    lock = hdf5_lock() if fmt == "netcdf" else contextlib.nullcontext()
    with lock:
        try:
            if fmt == "netcdf":
                ds = xr.open_dataset(path, engine="netcdf4", chunks=chunks, mask_and_scale=False,
                                     decode_coords="all", lock=lock)
            else:
                ds = xr.open_zarr(path, chunks=chunks, mask_and_scale=False, decode_coords="all")
        except (OSError, ValueError, KeyError) as err:
            raise UserError(f"{path} is not a readable cube: {err}")
        for name in ds.coords:  # per-date metadata is small: keep it in memory
            if name not in ds.dims and ds[name].ndim <= 1:
                # in this thread: a dask worker thread would wait for the lock held here
                ds.coords[name] = ds[name].load(scheduler=local_get("synchronous"))
    from . import scheduler as schedulers

    if fmt == "netcdf" and schedulers.uses_local_threads():  # a cluster's workers need not have h5py
        from .netcdf_direct_read import direct_arrays

        # inflated in dask's threads, not under the HDF5 lock
        for name, direct in direct_arrays(path, ds).items():
            ds[name] = ds[name].copy(data=direct)
    for name in ds.data_vars:
        fill = ds[name].attrs.get("_FillValue", ds[name].encoding.get("_FillValue"))
        if fill is not None:
            ds[name].attrs["nodata"] = fill
    return ds


def _hdf5_lock(uri: str):
    """The HDF5 lock for a netCDF URI; a no-op for Zarr."""
    return hdf5_lock() if uri.startswith("NETCDF:") else contextlib.nullcontext()


def gdal_layer_uris(path: str, ds) -> dict:
    """GDAL dataset names, one per band variable, for QGIS to load."""
    fmt = cube_format(path)
    uris = {}
    for name, variable in ds.data_vars.items():
        if variable.dims[-2:] != ("y", "x"):
            continue
        uris[name] = f'NETCDF:"{path}":{name}' if fmt == "netcdf" else f'ZARR:"{path}":/{name}'
    return uris


def write_display_vrts(path: str, ds) -> dict:
    """One VRT per band next to the cube, its bands named by date, for QGIS.

    GDAL names netCDF/Zarr bands by raw time numbers; these small VRTs (in
    ``<cube>.layers/``) point at the cube and carry readable dates.
    """
    from osgeo import gdal

    folder = path.rstrip("/\\") + ".layers"
    os.makedirs(folder, exist_ok=True)
    dates = [str(t)[:10] for t in ds["time"].values] if "time" in ds.coords else []
    vrts = {}
    for band, uri in gdal_layer_uris(path, ds).items():
        vrt_path = os.path.join(folder, f"{band}.vrt")
        # GDAL's netCDF driver calls HDF5 (not thread-safe): hold the HDF5 lock from open
        # to close, or another algorithm reading a cube meanwhile can crash
        with _hdf5_lock(uri):
            if uri.startswith("ZARR:"):  # GDAL < 3.8 opens one time index at a time
                sources = [f"{uri}:{index}" for index in range(len(dates))]
                vrt = gdal.BuildVRT(vrt_path, sources, separate=True)
            else:
                vrt = gdal.Translate(vrt_path, gdal.Open(uri), format="VRT")
            if vrt is None:
                continue
            for index in range(1, vrt.RasterCount + 1):
                label = dates[index - 1] if index <= len(dates) else str(index)
                vrt.GetRasterBand(index).SetDescription(f"{band} {label}")
            vrt = None  # closes the VRT and the netCDF file it opened
        vrts[band] = vrt_path
    return vrts
