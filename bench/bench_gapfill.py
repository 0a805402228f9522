"""Benchmark: SITS Cube's gap_fill against xarray's interpolate_na.

    .venv/bin/python bench/bench_gapfill.py [--quick] [--json bench-output/gapfill.json]

Builds a synthetic uint16 cube (40 dates × 1024 × 1024 by default, 40 × 256
× 256 with --quick) on irregular dates with ~35 % nodata (0), then measures:

* ``ours_threads``: ``gap_fill(method="linear")`` on the cube chunked like a
  stored cube (time 1, y/x 512), computed with dask's threads scheduler
  (all cores); the rechunk of time into one chunk is part of the time.
* ``ours_synchronous``: the same on one thread (dask's synchronous
  scheduler), for a per-core comparison with the baseline, which runs on one
  thread.
* ``baseline``: ``xarray.DataArray.interpolate_na(dim="time",
  method="linear", use_coordinate=True)`` on the same values as float64 with
  NaN for nodata (in memory, numpy), followed by a forward and a backward
  fill along time so the edges are filled as ours fills them
  (``fill_edges=True``). xarray's ``ffill``/``bfill`` need bottleneck; when
  it is missing, pandas' ``DataFrame.ffill``/``bfill`` (vectorized C) do the
  same. The float conversion is prepared before the clock starts, and the
  result is rounded half away from zero (to compare) after it stops: the
  baseline is timed float in, float out, ours uint16 in, uint16 out.

Each measurement runs in its own subprocess, which builds the same cube
(fixed seed), runs the method ``--repeats`` times and reports the median
wall-clock seconds. Memory is the subprocess's peak resident set size from
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (Linux: KiB): reported as the
whole peak, and as the peak above the level already reached once the input
was built (what the method itself added at its worst). ru_maxrss is a true
high-water mark of the whole process (Python, libraries, input, dask's
buffers), not a sample, so nothing is missed; the second figure is the
honest "extra memory" of the method.

Finally the parent checks that both results agree (same nodata pixels, max
absolute difference ≤ 1 after rounding: the two compute time weights on
different scales, so a value at exactly .5 can round differently) and writes
every figure as JSON.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import common

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 20240601
NODATA_FRACTION = 0.35


def import_engine():
    """The engine as QGIS imports it: `make bench` puts build/plugins on PYTHONPATH."""
    from sitscube.engine import gapfill

    return gapfill


def make_data(dates: int, size: int):
    """uint16 values 1..10000 on irregular dates (2-15 days apart, with a time of day), ~35 % zeros."""
    rng = np.random.default_rng(SEED)
    steps = rng.integers(2 * 86400, 15 * 86400, dates - 1)  # seconds between acquisitions
    seconds = np.concatenate([[0], np.cumsum(steps)])
    times = np.datetime64("2022-03-01T10:30:00", "ns") + (seconds * 10**9).astype("timedelta64[ns]")
    data = rng.integers(1, 10001, (dates, size, size), dtype=np.uint16)
    data[rng.random(data.shape, dtype=np.float32) < NODATA_FRACTION] = 0
    return times, data


def round_half_away(values):
    return np.trunc(values + np.copysign(0.5, values))


def baseline_edges(filled):
    """Forward then backward fill along time (axis 0): xarray's if bottleneck is there, else pandas."""
    try:
        import bottleneck  # noqa: F401

        return filled.ffill("time").bfill("time"), "xarray ffill/bfill (bottleneck)"
    except ImportError:
        import pandas as pd

        values = filled.values
        flat = pd.DataFrame(values.reshape(values.shape[0], -1)).ffill().bfill().to_numpy()
        return filled.copy(data=flat.reshape(values.shape)), "pandas DataFrame.ffill/bfill (no bottleneck)"


def worker(args):
    """One measurement in this process: prints a JSON line, saves the last result as .npy."""
    import xarray as xr

    times, data = make_data(args.dates, args.size)
    coords = {"time": times, "y": np.arange(args.size, dtype=float), "x": np.arange(args.size, dtype=float)}
    info = {"name": args.worker}
    if args.worker.startswith("ours"):
        gapfill = import_engine()
        ds = xr.Dataset({"B04": (("time", "y", "x"), data)}, coords=coords)
        ds["B04"].attrs["nodata"] = 0
        ds = ds.chunk({"time": 1, "y": args.chunk, "x": args.chunk})
        scheduler = "threads" if args.worker == "ours_threads" else "synchronous"
        info.update(scheduler=scheduler, chunks=f"time 1, y/x {args.chunk} (rechunked to all dates by gap_fill)")

        def run():
            out = gapfill.gap_fill(ds, method="linear", fill_edges=True)
            return out["B04"].data.compute(scheduler=scheduler)

        def as_uint16(values):
            return values
    else:
        source = xr.DataArray(np.where(data == 0, np.nan, data.astype(np.float64)), dims=("time", "y", "x"), coords=coords)
        del data
        info.update(scheduler="none (numpy, one thread)")
        split = []

        def run():
            start = time.perf_counter()
            inner = source.interpolate_na(dim="time", method="linear", use_coordinate=True)
            middle = time.perf_counter()
            edged, how = baseline_edges(inner)
            split.append((middle - start, time.perf_counter() - middle))
            info["edges"] = how
            return edged.values  # float64 with NaN: rounded for the comparison after the clock stops

        def as_uint16(values):
            return np.where(np.isnan(values), 0, round_half_away(np.nan_to_num(values))).astype(np.uint16)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds = []
    result = None
    for _ in range(args.repeats):
        result = None  # free the previous result before the next run
        start = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - start)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not args.worker.startswith("ours"):
        info["interpolate_na_median_s"] = statistics.median(s for s, _ in split)
        info["edge_fill_median_s"] = statistics.median(e for _, e in split)
        info["timed"] = "interpolate_na + edge fill, float64 in and out (conversions outside the clock)"
    np.save(args.out, as_uint16(result))
    info.update(
        seconds=seconds,
        median_s=statistics.median(seconds),
        min_s=min(seconds),
        peak_rss_mib=rss_peak / 1024,
        input_rss_mib=rss_before / 1024,
        peak_above_input_mib=max(rss_peak - rss_before, 0) / 1024,
    )
    print(json.dumps(info))


def measure(name, args, out_path):
    command = [
        sys.executable, os.path.abspath(__file__), "--worker", name, "--out", out_path,
        "--dates", str(args.dates), "--size", str(args.size), "--chunk", str(args.chunk),
        "--repeats", str(args.baseline_repeats if name == "baseline" else args.repeats),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def gapfill_figures(results):
    """The common figure records (bench/common.py): ours on threads and on one thread vs the baseline."""
    names = {"ours_threads": "gapfill/sitscube (dask threads)", "ours_synchronous": "gapfill/sitscube (1 thread)",
             "baseline": "gapfill/xarray.interpolate_na + ffill/bfill"}
    figures = [common.figure(names[k], r["seconds"], r["peak_rss_mib"], notes=f"+{r['peak_above_input_mib']:.0f} MiB above the input")
               for k, r in results.items()]
    for key in ("ours_threads", "ours_synchronous"):
        common.compare(figures, names[key], names["baseline"], goal=20)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 dates × 256 × 256 instead of 40 × 1024 × 1024")
    parser.add_argument("--json", default=os.path.join("bench-output", "gapfill.json"), help="where to write the figures")
    parser.add_argument("--dates", type=int, default=40)
    parser.add_argument("--size", type=int, default=None, help="pixels per side (default 1024, 256 with --quick)")
    parser.add_argument("--chunk", type=int, default=512, help="y/x chunk of the input cube")
    parser.add_argument("--repeats", type=int, default=7, help="runs of ours per measurement (median)")
    parser.add_argument("--baseline-repeats", type=int, default=3, help="runs of interpolate_na (median)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size is None:
        args.size = 256 if args.quick else 1024
    if args.worker:
        worker(args)
        return

    print(f"Cube: {args.dates} dates × {args.size} × {args.size} uint16, {NODATA_FRACTION:.0%} nodata; "
          f"{os.cpu_count()} CPU(s)", flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("ours_threads", "ours_synchronous", "baseline"):
            print(f"  measuring {name} ...", flush=True)
            results[name] = measure(name, args, os.path.join(tmp, name + ".npy"))
            print(f"    median {results[name]['median_s']:.3f} s (min {results[name]['min_s']:.3f} s), peak RSS {results[name]['peak_rss_mib']:.0f} MiB "
                  f"(+{results[name]['peak_above_input_mib']:.0f} MiB above the input)", flush=True)
        ours = np.load(os.path.join(tmp, "ours_threads.npy"))
        ours_sync = np.load(os.path.join(tmp, "ours_synchronous.npy"))
        base = np.load(os.path.join(tmp, "baseline.npy"))
    same_nodata = bool(np.array_equal(ours == 0, base == 0))
    difference = np.abs(ours.astype(np.int32) - base.astype(np.int32))
    max_difference = int(difference.max())
    differing = int((difference > 0).sum())
    agree = same_nodata and max_difference <= 1 and bool(np.array_equal(ours, ours_sync))

    speedup = results["baseline"]["median_s"] / results["ours_threads"]["median_s"]
    speedup_interpolate_na_only = results["baseline"]["interpolate_na_median_s"] / results["ours_threads"]["median_s"]
    speedup_one_thread = results["baseline"]["median_s"] / results["ours_synchronous"]["median_s"]
    best = min(results["ours_threads"]["median_s"], results["ours_synchronous"]["median_s"])
    figures = {
        "cube": {"dates": args.dates, "y": args.size, "x": args.size, "dtype": "uint16",
                 "nodata_fraction": NODATA_FRACTION, "input_chunks": f"time 1, y/x {args.chunk}"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "memory_measure": "resource.getrusage(RUSAGE_SELF).ru_maxrss in one subprocess per measurement",
        "results": results,
        "speedup": speedup,
        "speedup_one_thread": speedup_one_thread,
        "speedup_vs_interpolate_na_alone": speedup_interpolate_na_only,
        "speedup_best_scheduler": results["baseline"]["median_s"] / best,
        "goal_speedup": 20,
        "figures": gapfill_figures(results),
        "agreement": {"same_nodata_pixels": same_nodata, "max_abs_difference": max_difference,
                      "pixels_differing": differing, "threads_equal_synchronous": bool(np.array_equal(ours, ours_sync)),
                      "ok": agree},
    }
    folder = os.path.dirname(os.path.abspath(args.json))
    os.makedirs(folder, exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(figures, f, indent=2)

    print(f"gap_fill (threads):     {results['ours_threads']['median_s']:.3f} s")
    print(f"gap_fill (1 thread):    {results['ours_synchronous']['median_s']:.3f} s")
    print(f"interpolate_na + edges: {results['baseline']['median_s']:.3f} s "
          f"(interpolate_na {results['baseline']['interpolate_na_median_s']:.3f} s, "
          f"edges {results['baseline']['edge_fill_median_s']:.3f} s with {results['baseline']['edges']})")
    print(f"speed-up: {speedup:.1f}× (threads), {speedup_one_thread:.1f}× (one thread), "
          f"{speedup_interpolate_na_only:.1f}× against interpolate_na alone without edges (threads); goal ≥ 20×")
    print(f"agreement: same nodata pixels {same_nodata}, max |difference| {max_difference} "
          f"({differing} pixel values differ), ok={agree}")
    print(f"written {args.json}")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
