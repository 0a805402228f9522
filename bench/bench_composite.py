"""Benchmark the median composite: speed against np.nanmedian, and memory as the area grows.

    .venv/bin/python bench/bench_composite.py [--quick] [--json PATH]

1. Speed: a synthetic uint16 cube (40 dates x 1024², 30 % nodata = 0).
   ``masked_median`` (our kernel, one thread, as np.nanmedian is) against
   ``np.nanmedian`` on the same data as float64 with NaN for nodata (the
   conversion is not timed), median of several repeats; the lazy composite
   computed by dask's threads is timed too. Goal: >= 3x; results identical.
2. Memory: a median composite written to GeoTIFF (``write_geotiff``) from a
   lazily generated cube (chunks of 1 date x 512², like Load cube's), once
   at 1024² and once at 2048² (4x the area), each in a fresh subprocess
   that reports its peak resident memory (VmHWM). Goal: peak grows < 1.5x.

``--quick`` shrinks everything (20 dates, 512² and 1024²) for a smoke run.
Results go to bench-output/composite.json by default.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import common

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_engine():
    """The engine as QGIS imports it: `make bench` puts build/plugins on PYTHONPATH."""
    from sitscube.engine import composite

    return composite


def synthetic_block(shape, seed, missing=0.3):
    """uint16 DN 1-10000 with ``missing`` of them 0 (nodata), reproducible by seed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    data = rng.integers(1, 10001, size=shape, dtype=np.uint16)
    data[rng.random(shape) < missing] = 0
    return data


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB (bench/common.py)."""
    return common.peak_rss_mib()


# ---- 1. speed ----------------------------------------------------------------------------


def speed_worker(which: str, dates: int, size: int, repeats: int, out: str) -> dict:
    """One speed figure in this (fresh) process: builds the cube, times `which`, saves the result."""
    import warnings

    import numpy as np

    composite = import_engine()
    data = synthetic_block((dates, size, size), seed=1)
    data[:, :8, :8] = 0  # some pixels never valid
    if which == "ours":
        run = lambda: composite.masked_median(data, 0)  # noqa: E731
    elif which == "nanmedian":
        floats = np.where(data == 0, np.nan, data.astype(np.float64))  # prepared before the clock
        del data

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels
                return np.nanmedian(floats, axis=0)
    else:  # the lazy composite on dask threads, from a cube chunked like Load cube's (1 date x 512²)
        import dask.array as da
        import xarray as xr

        cube = xr.Dataset(
            {"B04": (("time", "y", "x"), da.from_array(data, chunks=(1, 512, 512)))},
            coords={"time": np.datetime64("2022-01-01") + np.arange(dates).astype("timedelta64[D]"),
                    "y": np.arange(size, dtype=float), "x": np.arange(size, dtype=float)},
        )
        cube["B04"].attrs["nodata"] = 0
        lazy = composite.composite(cube, bands=["B04"])["B04"]
        run = lambda: lazy.compute(scheduler="threads").values  # noqa: E731
    input_mib = peak_rss_mb()
    median_s, runs, result = common.timed_runs(run, repeats)
    np.save(out, result)
    return {"runs": runs, "peak_rss_mib": peak_rss_mb(), "input_mib": input_mib}


def bench_speed(dates: int, size: int, repeats: int, nan_repeats: int) -> dict:
    import numpy as np

    names = {"ours": "median/sitscube masked_median (1 thread)", "nanmedian": "median/np.nanmedian (1 thread)",
             "dask": "median/sitscube composite (dask threads)"}
    figures, results = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-median-") as folder:
        for which in ("ours", "dask", "nanmedian"):
            out = os.path.join(folder, which + ".npy")
            command = [sys.executable, os.path.abspath(__file__), "--speed-worker", which, "--dates", str(dates),
                       "--size", str(size), "--repeats", str(nan_repeats if which == "nanmedian" else repeats),
                       "--output", out]
            run = common.run_json(command)
            figures.append(common.figure(names[which], run["runs"], run["peak_rss_mib"],
                                         notes=f"+{run['peak_rss_mib'] - run['input_mib']:.0f} MiB above the input"))
            results[which] = np.load(out)
    common.compare(figures, names["ours"], names["nanmedian"], goal=3)
    common.compare(figures, names["dask"], names["nanmedian"], goal=3)
    reference = results["nanmedian"]
    rounded = np.where(np.isnan(reference), 0, np.rint(np.nan_to_num(reference))).astype(np.uint16)
    by = {f["name"]: f for f in figures}
    return {
        "cube": {"dates": dates, "height": size, "width": size, "dtype": "uint16", "nodata_fraction": 0.3},
        "figures": figures,
        "ours_kernel_seconds": round(by[names["ours"]]["median_s"], 4),
        "np_nanmedian_seconds": round(by[names["nanmedian"]]["median_s"], 4),
        "speedup_kernel": by[names["ours"]]["ratio"],
        "ours_composite_dask_threads_seconds": round(by[names["dask"]]["median_s"], 4),
        "speedup_composite_dask": by[names["dask"]]["ratio"],
        "results_identical": bool(np.array_equal(results["ours"], reference, equal_nan=True)),
        "composite_equals_rounded_nanmedian": bool(np.array_equal(results["dask"], rounded)),
        "goal_speedup": 3.0,
    }


# ---- 2. memory -----------------------------------------------------------------------------


def memory_child(size: int, dates: int, output: str) -> dict:
    """In a fresh process: median composite of a lazy size² cube written to GeoTIFF."""
    import dask.array as da
    import numpy as np
    import xarray as xr
    from affine import Affine
    from odc.geo.geobox import GeoBox
    from odc.geo.xr import xr_coords

    composite = import_engine()
    import rasterio  # noqa: F401  (imported before the baseline is taken, like the rest)

    baseline = peak_rss_mb()
    chunk = 512

    def make(block_id=None):  # one (1, 512, 512) chunk, seeded by its position
        t, i, j = block_id
        return synthetic_block((1, chunk, chunk), seed=[t, i, j])

    blocks = (size // chunk, size // chunk)
    data = da.map_blocks(make, dtype=np.uint16, chunks=((1,) * dates, (chunk,) * blocks[0], (chunk,) * blocks[1]))
    geobox = GeoBox((size, size), Affine(10, 0, 300000, 0, -10, 4810240), "EPSG:32631")
    cube = xr.Dataset({"B04": (("time", "y", "x"), data)}, coords=dict(xr_coords(geobox)))
    cube = cube.assign_coords(time=np.datetime64("2022-01-01") + np.arange(dates).astype("timedelta64[D]"))
    cube["B04"].attrs.update(nodata=0, reflectance_scale=0.0001)
    start = time.perf_counter()
    result = composite.composite(cube)
    composite.write_geotiff(result, output)
    seconds = time.perf_counter() - start
    return {
        "size": size, "dates": dates, "cube_mb": round(dates * size * size * 2 / 2**20, 1),
        "baseline_mb_after_imports": round(baseline, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
        "seconds": round(seconds, 2), "geotiff_mb": round(os.path.getsize(output) / 2**20, 2),
    }


def bench_memory(sizes, dates: int) -> dict:
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-composite-") as folder:
        for size in sizes:
            output = os.path.join(folder, f"median_{size}.tif")
            command = [sys.executable, os.path.abspath(__file__), "--child-memory", str(size),
                       "--dates", str(dates), "--output", output]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    small, large = runs[0], runs[-1]
    growth = large["peak_rss_mb"] / small["peak_rss_mb"]
    above = (large["peak_rss_mb"] - large["baseline_mb_after_imports"]) / max(
        1.0, small["peak_rss_mb"] - small["baseline_mb_after_imports"])
    return {
        "runs": runs,
        "area_ratio": (sizes[-1] / sizes[0]) ** 2,
        "peak_growth": round(growth, 3),
        "peak_above_imports_growth": round(above, 3),
        "goal_peak_growth_below": 1.5,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--json", default=os.path.join("bench-output", "composite.json"), help="where to write results")
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dates", type=int, default=40, help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--speed-worker", choices=("ours", "nanmedian", "dask"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.speed_worker:  # a fresh subprocess of the speed benchmark
        print(json.dumps(speed_worker(args.speed_worker, args.dates, args.size, args.repeats, args.output)))
        return 0

    if args.child_memory:  # we are the fresh subprocess of the memory benchmark
        print(json.dumps(memory_child(args.child_memory, args.dates, args.output)))
        return 0

    if args.quick:
        dates, size, repeats, nan_repeats, sizes = 20, 512, 3, 1, (512, 1024)
    else:
        dates, size, repeats, nan_repeats, sizes = 40, 1024, 5, 3, (1024, 2048)
    import numpy

    results = {
        "benchmark": "composite median",
        "quick": args.quick,
        "machine": {"python": platform.python_version(), "numpy": numpy.__version__,
                    "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    print(f"speed: {dates} dates x {size}², 30 % nodata …", flush=True)
    results["speed"] = bench_speed(dates, size, repeats, nan_repeats)
    speed = results["speed"]
    print(f"  ours (kernel, 1 thread) {speed['ours_kernel_seconds']:.3f} s | np.nanmedian "
          f"{speed['np_nanmedian_seconds']:.3f} s | x{speed['speedup_kernel']} (goal >= 3) | "
          f"composite via dask threads {speed['ours_composite_dask_threads_seconds']:.3f} s "
          f"(x{speed['speedup_composite_dask']}) | identical: {speed['results_identical']}", flush=True)
    print(f"memory: median GeoTIFF from {sizes[0]}² and {sizes[1]}² x {dates} dates, fresh processes …", flush=True)
    results["memory"] = bench_memory(sizes, dates)
    memory = results["memory"]
    for run in memory["runs"]:
        print(f"  {run['size']}² ({run['cube_mb']} MB cube): peak {run['peak_rss_mb']} MB "
              f"(after imports {run['baseline_mb_after_imports']} MB), {run['seconds']} s")
    print(f"  peak grows x{memory['peak_growth']} for x{memory['area_ratio']:.0f} area (goal < 1.5); "
          f"above the imports x{memory['peak_above_imports_growth']}")
    results["figures"] = speed["figures"] + [
        common.figure(f"median GeoTIFF from a lazy cube {run['size']}² x {dates} dates", [run["seconds"]], run["peak_rss_mb"],
                      notes=f"{run['cube_mb']} MB cube; peak grows x{memory['peak_growth']} for x{memory['area_ratio']:.0f} area")
        for run in memory["runs"]]
    results["goals_met"] = {
        "speedup": speed["speedup_kernel"] >= 3.0 and speed["results_identical"],
        "memory": memory["peak_growth"] < 1.5,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump(results, handle, indent=2)
    print(f"results: {args.json}")
    return 0 if all(results["goals_met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
