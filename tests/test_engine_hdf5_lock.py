"""netCDF cubes read from several threads at once do not crash the process (engine/hdf5_lock.py)."""

import gc
import os
import pickle
import subprocess
import sys
import textwrap

import dask.array as da
import numpy as np
import xarray as xr

from sitscube.engine import hdf5_lock
from sitscube.engine.cube_io import open_cube, write_cube

# Two threads open and read the same cube and leave it to the garbage collector, then the
# main thread opens it again; before engine/hdf5_lock.py this crashed within a few rounds
# (xarray closing files from finalizers while another handle of the file was being set up).
SCENARIO = textwrap.dedent("""
    import sys, threading
    import dask.array as da, numpy as np, xarray as xr
    from sitscube.engine.cube_io import open_cube, write_cube

    dates, size = 6, 300
    rng = np.random.default_rng(0)
    coords = {"time": np.datetime64("2022-01-01") + np.arange(dates).astype("timedelta64[D]"),
              "y": 4810000 - 10 * np.arange(size) - 5.0, "x": 300000 + 10 * np.arange(size) + 5.0,
              "item_ids": ("time", [f"S2A_{i}" for i in range(dates)]), "platform": ("time", ["sentinel-2a"] * dates)}
    bands = {b: (("time", "y", "x"), da.from_array(rng.integers(0, 9000, (dates, size, size), dtype=np.uint16),
                                                   chunks=(1, 128, 128))) for b in ("B04", "B08", "SCL")}
    path = write_cube(xr.Dataset(bands, coords=coords), sys.argv[1], scheduler="threads")

    def read():
        open_cube(path).compute(scheduler="synchronous")

    for _ in range(15):
        read()
        threads = [threading.Thread(target=read) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print("survived")
""")


def test_threads_reading_one_cube_then_opening_it_again_do_not_crash(tmp_path):
    import sitscube

    # In a child process: a crash must fail this test, not end the test session.
    plugins = os.path.dirname(os.path.dirname(os.path.abspath(sitscube.__file__)))  # where `import sitscube` works
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [plugins, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", SCENARIO, str(tmp_path / "cube.nc")],
                          capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    assert "survived" in done.stdout


def test_files_of_dropped_cubes_are_closed_at_the_next_open_not_by_the_garbage_collector(tmp_path):
    from xarray.backends import file_manager

    ds = xr.Dataset({"B04": (("time", "y", "x"), da.zeros((2, 8, 8), dtype=np.uint16, chunks=(1, 8, 8)))},
                    coords={"time": np.array(["2022-01-01", "2022-01-02"], dtype="datetime64[ns]"),
                            "y": np.arange(8.0), "x": np.arange(8.0)})
    path = write_cube(ds, str(tmp_path / "cube.nc"), scheduler="threads")
    open_cube(path)["B04"].values  # noqa: B018  (opens the file)
    gc.collect()  # the cube is gone; its file stays in xarray's cache, open
    cached = [key for key in file_manager.FILE_CACHE.keys() if path in str(key)]
    assert cached and not any(file_manager.REF_COUNTS.get(key) for key in cached)
    assert hdf5_lock.close_unused_files() >= 1
    assert not [key for key in file_manager.FILE_CACHE.keys() if path in str(key)]


def test_the_lock_is_reentrant_refuses_to_be_taken_without_waiting_and_pickles_to_the_same_lock():
    lock = hdf5_lock.hdf5_lock()
    with lock:
        with lock:  # xarray takes it again inside an open we hold it around
            pass
    assert lock.acquire(blocking=False) is False  # what xarray's finalizer asks
    assert pickle.loads(pickle.dumps(lock)) is lock  # a Dask worker gets its own process's lock
