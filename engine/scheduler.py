"""Which dask scheduler runs the engine's computations, and running them.

The setting ``sitscube/dask_scheduler`` (QGIS settings) or the environment
variable ``SITSCUBE_DASK_SCHEDULER`` (headless runs; it wins) picks one of:

* ``threads`` (default, also when empty): dask's local threads, exactly as
  before - no cluster, nothing started, nothing imported from distributed.
* ``processes`` or ``local-cluster``: a ``distributed.LocalCluster`` on this
  machine (a few single-threaded worker processes, on loopback), started on
  first use and KEPT for the next computations (starting one takes seconds,
  an algorithm computes many times); it is closed when Python exits, or by
  ``close_clients()``.
* ``tcp://host:8786`` (any ``scheme://`` address): an existing Dask cluster.
  One Client per address is kept the same way. An address that cannot be
  reached within ``CONNECT_TIMEOUT`` seconds is a UserError naming it.

``compute(*collections, progress=...)`` runs ``dask.compute`` with the chosen
scheduler: local schedulers report through ``DaskProgress`` (percent after
each task, cancel between tasks); on a cluster the collections are submitted
as futures, progress comes from the scheduler's count of the tasks still to
run, and on cancel the futures are cancelled and ``Canceled`` is raised.

Outputs are always written by THIS process (cubes: ``computed_on_cluster``
feeds xarray's local writer with chunks computed on the cluster; GeoTIFFs
and zonal tables were already written here block by block), so workers never
need to see the output path. They do read the INPUT files by path (a cube
opened from disk), so for a cube on local disk they must share QGIS's
filesystem (a local cluster always does), and they must be able to import
``sitscube`` and its dependencies (same versions as here).
"""

import atexit
import contextlib
import os
import sys
import threading
from typing import Optional

from .errors import Canceled, UserError
from .progress import Progress

SETTING_KEY = "dask_scheduler"  # QGIS settings key sitscube/dask_scheduler
ENV_VAR = "SITSCUBE_DASK_SCHEDULER"
THREADS = "threads"
LOCAL_CLUSTER = ("processes", "local-cluster")
CONNECT_TIMEOUT = 10  # seconds to reach a cluster before giving up with a UserError
LOCAL_WORKERS = 4  # at most, for local-cluster
POLL = 0.2  # seconds between cancel checks / progress updates on a cluster

_lock = threading.Lock()  # algorithms may run in several QGIS task threads
_clients = {}  # setting value -> (Client, LocalCluster or None), reused across computations


def scheduler_setting() -> str:
    """The raw setting: env var, else QGIS setting, else 'threads'."""
    from ..plugin.settings import dask_scheduler

    return (dask_scheduler() or THREADS).strip()


def uses_local_threads() -> bool:
    """True when the setting is dask's local threads (no cluster)."""
    return scheduler_setting().lower() in ("", THREADS)


def scheduler_from_settings():
    """What to pass as dask's ``scheduler=``: the string 'threads' or a distributed Client."""
    if uses_local_threads():
        return THREADS
    value = scheduler_setting()
    if value.lower() in LOCAL_CLUSTER:
        return _client(LOCAL_CLUSTER[1], _start_local_cluster)
    if "://" in value:
        return _client(value, lambda: _connect(value))
    raise UserError(
        f"Unknown Dask scheduler '{value}' (setting sitscube/{SETTING_KEY} or ${ENV_VAR}): "
        "use 'threads', 'local-cluster' or the address of a cluster such as tcp://host:8786."
    )


def is_distributed(scheduler) -> bool:
    return not isinstance(scheduler, str)


def local_get(name: str):
    """dask's own function for a local scheduler name ('threads', 'synchronous'); other names as given.

    Given a name, ``dask.compute`` imports distributed (0.2 s, once per
    process) to look for a default Client; given the function it does not.
    """
    import dask.local
    import dask.threaded

    return {THREADS: dask.threaded.get, "synchronous": dask.local.get_sync}.get(name, name)


def rechunk_method() -> Optional[str]:
    """dask's rechunk method: "tasks" (its choice without a cluster) unless distributed is imported.

    Left to choose, dask imports distributed (0.2 s) to look for a Client;
    once distributed is imported (a cluster is in use) dask chooses.
    """
    return None if "distributed" in sys.modules else "tasks"


def _client(key: str, start):
    with _lock:
        client, cluster = _clients.get(key, (None, None))
        if client is not None and client.status == "running":
            return client
        if client is not None:  # the cluster went away since last time: reconnect
            _close(client, cluster)
        client, cluster = start()
        _clients[key] = (client, cluster)
        return client


def _connect(address: str):
    try:
        import distributed
    except ImportError:
        raise UserError(_missing_distributed(address))
    try:
        # set_as_default=False: the engine passes the Client explicitly, so other
        # dask calls in QGIS (other plugins, .values here and there) stay local.
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise UserError(
            f"Cannot reach the Dask cluster at {address} within {CONNECT_TIMEOUT} s ({error}). "
            f"Start it, check the address, or set sitscube/{SETTING_KEY} (or ${ENV_VAR}) to 'threads'."
        )
    return client, None


def _start_local_cluster():
    try:
        import distributed
    except ImportError:
        raise UserError(_missing_distributed("local-cluster"))
    _use_python_for_workers()
    workers = max(1, min(LOCAL_WORKERS, os.cpu_count() or 1))
    # One thread per process: processes are the point (GIL-bound code, isolation).
    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True,
        host="127.0.0.1", dashboard_address="127.0.0.1:0",  # loopback only, any free port
    )
    return distributed.Client(cluster, set_as_default=False), cluster


def _use_python_for_workers() -> None:
    """Inside QGIS sys.executable is the qgis binary: spawn workers with Python instead."""
    if os.path.basename(sys.executable).startswith("python"):
        return
    import multiprocessing

    python = os.path.join(sys.exec_prefix, "bin", "python3")
    if os.path.exists(python):
        multiprocessing.set_executable(python)


def _missing_distributed(what: str) -> str:
    return (
        f"The Dask scheduler '{what}' needs the Python package 'distributed' "
        "(python3 -m pip install --user \"distributed==<your dask version>\")."
    )


def _close(client, cluster) -> None:
    with contextlib.suppress(Exception):
        client.close(timeout=5)
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close(timeout=10)


def close_clients() -> None:
    """Close every cached Client (and local cluster)."""
    with _lock:
        for client, cluster in _clients.values():
            _close(client, cluster)
        _clients.clear()


atexit.register(close_clients)


def compute(*collections, progress: Optional[Progress] = None, scheduler=None, num_workers=None):
    """``dask.compute(*collections)`` on the configured scheduler, with progress and cancel.

    Returns a tuple, as ``dask.compute``. ``scheduler`` overrides the setting
    (a string for dask's local schedulers, or a distributed Client);
    ``num_workers`` is the local schedulers' pool size (dask's default: CPUs).
    """
    import dask

    progress = progress or Progress()
    scheduler = scheduler or scheduler_from_settings()
    if not is_distributed(scheduler):
        from .blas_threads import one_blas_thread
        from .dask_progress import DaskProgress
        from .heap import kept

        options = {"num_workers": num_workers} if num_workers else {}
        # The callback is passed to this computation only, never registered globally
        # (``with DaskProgress(...)``): dask's global callbacks are one process-wide set,
        # so two algorithms computing at once (QGIS task threads) would report each
        # other's progress, cancel each other, and could leave a stale callback behind.
        callbacks = [DaskProgress(progress)._callback]
        with one_blas_thread(), kept():
            return dask.compute(*collections, scheduler=local_get(scheduler), callbacks=callbacks, **options)
    return _compute_on_cluster(scheduler, collections, progress)


def _compute_on_cluster(client, collections, progress: Progress):
    from distributed import wait

    progress.check_canceled()
    futures = client.compute(list(collections))
    total = None
    pending = list(futures)
    while pending:
        # wait() returns when all are done or after POLL seconds: check cancel in between
        # (as_completed would block until the next future ends: one long write
        # could then not be canceled.) as_current: the engine's Client is not
        # the process-wide default, on purpose.
        with contextlib.suppress(TimeoutError), client.as_current():
            wait(pending, timeout=POLL)
        if progress.is_canceled():
            client.cancel(futures)  # stops the work on the cluster and frees its results
            raise Canceled("Canceled by the user.")
        pending = [f for f in pending if not f.done()]
        # percent of the tasks behind the futures already done, counted by the scheduler
        remaining = _remaining_tasks(client, pending) if pending else 0
        total = max(total or 0, remaining) or 1
        progress.set_percent(100.0 - 100.0 * remaining / total)
    return tuple(client.gather(futures))  # raises the workers' error, if any


def _remaining_tasks(client, futures) -> int:
    """Tasks the futures still wait for (walking their dependencies on the scheduler)."""
    def count_remaining(keys, dask_scheduler=None) -> int:
        # Defined here so that it is pickled by value: the scheduler need not import sitscube.
        tasks = dask_scheduler.tasks
        stack = [tasks[k] for k in keys if k in tasks]
        seen = set()
        remaining = 0
        while stack:
            task = stack.pop()
            if task.key in seen:
                continue
            seen.add(task.key)
            if task.state != "memory":  # done tasks are in memory or already forgotten
                remaining += 1
                stack.extend(task.dependencies)
        return remaining

    try:
        return client.run_on_scheduler(count_remaining, keys=[f.key for f in futures])
    except Exception:  # a scheduler refusing run_on_scheduler: coarse progress
        return len(futures)


class _ClusterBlocks:
    """Array-like over a dask array whose slices are computed on a cluster when read.

    Wrapped by ``dask.array.from_array`` with the same chunks, it lets a graph run
    by the LOCAL threads scheduler (e.g. xarray writing a netCDF file) take each
    chunk from the cluster: the cluster computes, this process writes.
    """

    def __init__(self, array, client):
        self.array, self.client = array, client
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim

    def __getitem__(self, key):
        return self.client.compute(self.array[key]).result()


def computed_on_cluster(ds, client):
    """ds whose dask variables are computed by the cluster, chunk by chunk, when ds is computed locally."""
    import dask.array as da
    import numpy as np

    ds = ds.copy()
    for name, variable in ds.data_vars.items():  # (a cube's coordinates are small and loaded)
        data = variable.data
        if isinstance(data, da.Array):
            blocks = da.from_array(
                _ClusterBlocks(data, client), chunks=data.chunks, name=f"on-cluster-{data.name}",
                asarray=False, lock=False, meta=np.empty((0,) * data.ndim, dtype=data.dtype),
            )
            ds[name] = variable.copy(data=blocks)
    return ds


def cluster_threads(client) -> int:
    """Threads of the cluster's workers: how many chunks to keep in flight there."""
    return max(1, sum(client.nthreads().values()))
