"""The one lock around every netCDF and HDF5 call SITS Cube makes in a process.

netCDF-C and the HDF5 library it uses (built without thread safety) must
never be entered by two threads at once, or their state is corrupted and a
later call crashes the process (seen: QGIS running a composite and a
gap-fill on the same cube at once, then a segfault opening it again).
xarray holds a lock of its own while it reads data, but not while it reads
a file's metadata on open (``var.filters()``, ``var.chunking()``,
attributes). So every cube is opened with this lock held and handed to
xarray as the lock of its reads (``open_dataset(lock=...)``); writers, the
direct chunk writer and GDAL's netCDF driver (display VRTs) hold it too.

It is re-entrant (xarray acquires it again inside an open we hold it
around) and pickles as a reference to the receiving process's own lock, so
a graph reading a cube can still go to a Dask cluster.

Files are closed only at known points, never from a garbage collector's
finalizer: xarray closes the file of a cube nobody references any more from
``__del__`` (at any point of any thread, the same thread included when the
lock is re-entrant) when it can take the lock without waiting. Closing one
netCDF handle of a file while another handle of the same file is being set
up crashed the next open of that file (reproduced: two threads reading one
cube, cubes left to the garbage collector). So a non-blocking ``acquire``
fails: xarray then leaves such a file in its cache, and
``close_unused_files`` (called before a cube is opened or written) closes
every cached file no cube refers to.
"""

import threading

_LOCK = threading.RLock()


class Hdf5Lock:
    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not blocking:  # only xarray's finalizer asks so: see the module docstring
            return False
        return _LOCK.acquire(True, timeout)

    def release(self) -> None:
        _LOCK.release()

    def __enter__(self):
        _LOCK.acquire()
        return self

    def __exit__(self, *exc) -> None:
        _LOCK.release()

    def __reduce__(self):
        return (hdf5_lock, ())


_INSTANCE = Hdf5Lock()


def hdf5_lock() -> Hdf5Lock:
    return _INSTANCE


def close_unused_files() -> int:
    """Close the files in xarray's cache that no open cube refers to; how many were closed.

    Collects garbage first, so that cubes no longer reachable give up their files.
    """
    import gc

    from xarray.backends import file_manager

    if not file_manager.FILE_CACHE:
        return 0  # nothing to close: no collection (~0.1 s in a process holding a big graph)
    gc.collect()
    closed = 0
    with _INSTANCE:
        for key in list(file_manager.FILE_CACHE.keys()):
            if file_manager.REF_COUNTS.get(key, 0) or file_manager._PIN_COUNTS.get(key):
                continue
            handle = file_manager.FILE_CACHE.pop(key, None)
            if handle is not None:
                handle.close()
                closed += 1
    return closed
