"""The engine on a real Dask cluster gives the same results as on local threads.

A `dask scheduler` and a `dask worker` (two worker processes, so netCDF
writes from workers really cross processes) are started as subprocesses on
127.0.0.1; the engine is pointed at them through SITSCUBE_DASK_SCHEDULER.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sitscube.engine import scheduler as schedulers
from sitscube.engine.composite import composite, write_geotiff
from sitscube.engine.cube_io import open_cube, write_cube
from sitscube.engine.errors import Canceled, UserError
from sitscube.engine.gapfill import gap_fill
from sitscube.engine.progress import Progress
from sitscube.engine.zonal import zonal_statistics_cube

import distributed  # noqa: E402,F401  (requirements.txt installs it)

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).parent / "dask"  # the venv's `dask` command
DATES = 6
SCL_MASKED = (3, 8, 9, 10)  # shadow, clouds, cirrus


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(address, client to inspect it) of a real scheduler + worker on loopback."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ)
    # workers unpickle tasks that reference sitscube.engine: they import it like QGIS does
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "build" / "plugins"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("SITSCUBE_DASK_SCHEDULER", None)
    logs = tmp_path_factory.mktemp("dask-logs")
    processes = []
    try:
        processes.append(subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(logs / "scheduler.log", "w"),
        ))
        processes.append(subprocess.Popen(
            [str(DASK), "worker", address, "--nworkers", "2", "--nthreads", "2", "--no-dashboard",
             "--local-directory", str(logs)],
            env=env, stdout=subprocess.DEVNULL, stderr=open(logs / "worker.log", "w"),
        ))
        client = distributed.Client(address, timeout=30, set_as_default=False)
        client.wait_for_workers(2, timeout=60)
        yield address, client
        client.close()
    finally:
        schedulers.close_clients()  # the engine's cached Client to this cluster
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _executed(client) -> int:
    """Tasks the cluster's workers have run so far."""
    return sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values())


@pytest.fixture(scope="module")
def cube(scene):
    """Six dates of B04/B08 from the sample scene, clouds masked to nodata, 4x4 chunks."""
    from odc.geo.geobox import GeoBox
    from odc.geo.xr import xr_coords

    dates = scene.dates[:DATES]
    geobox = GeoBox(scene.shape(10), scene.transform(10), "EPSG:32631")
    coords = dict(xr_coords(geobox))
    coords["time"] = np.array([np.datetime64(d) for d in dates], dtype="datetime64[ns]")
    coords["item_ids"] = ("time", [f"S2_{d}" for d in dates])
    bands = {}
    for band in ("B04", "B08"):
        stack = []
        for date in dates:
            values = scene.stored(band, date, False)
            scl = np.repeat(np.repeat(scene.scl(date), 2, axis=0), 2, axis=1)
            values[np.isin(scl, SCL_MASKED)] = 0
            stack.append(values)
        bands[band] = (("time", "y", "x"), np.stack(stack))
    ds = xr.Dataset(bands, coords=coords)
    for name in ds.data_vars:
        ds[name].attrs["nodata"] = 0
    assert (ds.B04.values == 0).any()  # gaps for gap-fill
    return ds.chunk({"time": 1, "y": 128, "x": 128})


def _zones(scene):
    from shapely.geometry import box

    x0, y0 = scene.transform(10).c, scene.transform(10).f
    return [(i, box(x0 + 300 * i + 5, y0 - 900 - 300 * i, x0 + 300 * i + 1500, y0 - 5 - 300 * i)) for i in range(5)]


def _recording():
    percents = []
    return Progress(set_percent=percents.append), percents


def _both(monkeypatch, address, run):
    """run() with threads, then on the cluster; (threads result, cluster result, percents, tasks run)."""
    monkeypatch.delenv("SITSCUBE_DASK_SCHEDULER", raising=False)
    assert schedulers.scheduler_from_settings() == "threads"
    local = run("threads")
    monkeypatch.setenv("SITSCUBE_DASK_SCHEDULER", address)
    assert isinstance(schedulers.scheduler_from_settings(), distributed.Client)
    return local, run("cluster")


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_write_cube_on_the_cluster_is_identical(cluster, cube, tmp_path, monkeypatch, suffix):
    address, client = cluster
    percents = {}

    def run(label):
        progress, percents[label] = _recording()
        return write_cube(cube, str(tmp_path / f"{label}{suffix}"), progress)

    before = _executed(client)
    local, remote = _both(monkeypatch, address, run)
    assert _executed(client) - before > 2 * DATES * 16  # every chunk of both bands ran there
    a, b = open_cube(local), open_cube(remote)
    for band in ("B04", "B08"):
        assert a[band].dtype == b[band].dtype
        np.testing.assert_array_equal(a[band].values, b[band].values)
        np.testing.assert_array_equal(b[band].values, cube[band].values)
    np.testing.assert_array_equal(a.time.values, b.time.values)
    assert a.attrs == b.attrs
    assert percents["cluster"][-1] == pytest.approx(100) and percents["threads"][-1] == pytest.approx(100)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".sitscube-")]  # no temporaries left


def test_gapfill_composite_geotiff_on_the_cluster_is_identical(cluster, cube, tmp_path, monkeypatch):
    import rasterio

    address, client = cluster
    percents = {}

    def run(label):
        progress, percents[label] = _recording()
        filled = gap_fill(cube, method="linear")
        result = composite(filled, method="median", period="month")
        return write_geotiff(result, str(tmp_path / f"{label}.tif"), progress)

    before = _executed(client)
    local, remote = _both(monkeypatch, address, run)
    assert _executed(client) > before
    with rasterio.open(local) as a, rasterio.open(remote) as b:
        assert a.count == b.count > 1 and a.descriptions == b.descriptions
        assert a.transform == b.transform and a.crs == b.crs and a.dtypes == b.dtypes
        np.testing.assert_array_equal(a.read(), b.read())
    assert percents["cluster"][-1] == pytest.approx(100)


def test_zonal_statistics_cube_on_the_cluster_is_identical(cluster, cube, scene, monkeypatch):
    address, client = cluster
    percents = {}

    def run(label):
        progress, percents[label] = _recording()
        return zonal_statistics_cube(cube, _zones(scene), ("count", "mean", "median", "majority"), progress=progress)

    before = _executed(client)
    local, remote = _both(monkeypatch, address, run)
    assert _executed(client) - before >= 2 * DATES  # at least one task per image
    assert len(local) == 5 * DATES * 2 and local == remote
    assert percents["cluster"][-1] == pytest.approx(100)


def test_cancel_on_the_cluster_stops_and_leaves_nothing(cluster, cube, tmp_path, monkeypatch):
    address, _ = cluster
    monkeypatch.setenv("SITSCUBE_DASK_SCHEDULER", address)
    with pytest.raises(Canceled):
        write_cube(cube, str(tmp_path / "canceled.nc"), Progress(is_canceled=lambda: True))
    assert os.listdir(tmp_path) == []


def test_cancel_stops_the_futures_on_the_cluster(cluster, monkeypatch):
    import dask

    address, client = cluster
    monkeypatch.setenv("SITSCUBE_DASK_SCHEDULER", address)
    slow = [dask.delayed(time.sleep)(1) for _ in range(40)]  # 10 s on the cluster's 4 threads
    start = time.monotonic()
    progress = Progress(is_canceled=lambda: time.monotonic() - start > 1.0)
    with pytest.raises(Canceled):
        schedulers.compute(*slow, progress=progress)
    assert time.monotonic() - start < 4
    keys = {s.key for s in slow}
    deadline = time.monotonic() + 10  # the scheduler forgets cancelled tasks
    while time.monotonic() < deadline:
        known = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks))
        if not keys & set(known):
            break
        time.sleep(0.2)
    assert not keys & set(known)


def test_unreachable_address_is_a_quick_user_error(monkeypatch):
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    monkeypatch.setenv("SITSCUBE_DASK_SCHEDULER", address)
    monkeypatch.setattr(schedulers, "CONNECT_TIMEOUT", 3)
    start = time.monotonic()
    with pytest.raises(UserError, match=address.replace(".", r"\.")):
        schedulers.scheduler_from_settings()
    assert time.monotonic() - start < 15


def test_unknown_setting_is_a_user_error(monkeypatch):
    monkeypatch.setenv("SITSCUBE_DASK_SCHEDULER", "gpu-please")
    with pytest.raises(UserError, match="gpu-please"):
        schedulers.scheduler_from_settings()


def test_local_cluster_writes_the_same_cube(cube, tmp_path, monkeypatch):
    monkeypatch.delenv("SITSCUBE_DASK_SCHEDULER", raising=False)
    local = open_cube(write_cube(cube, str(tmp_path / "threads.nc")))
    monkeypatch.setenv("SITSCUBE_DASK_SCHEDULER", "local-cluster")
    try:
        client = schedulers.scheduler_from_settings()
        assert isinstance(client, distributed.Client) and schedulers.scheduler_from_settings() is client  # kept
        progress, percents = _recording()
        remote = open_cube(write_cube(cube, str(tmp_path / "cluster.zarr"), progress))
        assert _executed(client) > 0 and percents[-1] == pytest.approx(100)
        for band in ("B04", "B08"):
            np.testing.assert_array_equal(local[band].values, remote[band].values)
    finally:
        schedulers.close_clients()


def test_processing_run_on_the_cluster_is_identical(cluster, cube, tmp_path, monkeypatch, sitscube_provider):
    import processing
    import rasterio
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    address, client = cluster
    monkeypatch.delenv("SITSCUBE_DASK_SCHEDULER", raising=False)
    source = write_cube(cube, str(tmp_path / "cube.nc"))

    def run(label):
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        output = str(tmp_path / f"{label}.tif")
        processing.run("sitscube:composite", {"INPUT": source, "METHOD": "median", "OUTPUT": output},
                       context=context, feedback=QgsProcessingFeedback())
        return output

    before = _executed(client)
    local, remote = _both(monkeypatch, address, run)
    assert _executed(client) > before
    with rasterio.open(local) as a, rasterio.open(remote) as b:
        assert a.descriptions == b.descriptions
        np.testing.assert_array_equal(a.read(), b.read())
