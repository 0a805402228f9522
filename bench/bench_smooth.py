"""Benchmark: sitscube:smooth's kernels against the scipy/xarray code a user would write.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_smooth.py [--quick] [--json bench-output/smooth.json]

Data: NDVI of the sample scene scaled up (bench/scene_ndvi.py: the bench
catalog's 40 dates every 9 days, 1024² pixels, 256² with --quick; clouds,
shadows and snow masked: ~18 % NaN), float32.

Figures, each measured in its own fresh process (median of --repeats runs,
peak resident memory VmHWM):

* ``ours savitzky-golay``: ``smooth(ds, "savitzky-golay", window=7,
  order=2)`` on the cube chunked as a stored cube (time 1, y/x 512),
  computed with dask's threads: the rechunk to all dates per chunk is in
  the time.
* ``ours whittaker``: the same with ``smooth(ds, "whittaker", lam=1e4)``.
* ``baseline``: what a user writes to get a smooth series from a masked
  cube with scipy and xarray: ``DataArray.interpolate_na(dim="time",
  use_coordinate=True)``, a forward and a backward fill for the ends
  (bottleneck, else pandas), then ``scipy.signal.savgol_filter(window 7,
  order 2, axis=time)`` (vectorized, index-based). In memory, numpy.

Goal: >= 10x the baseline (issue 15). Check: where the 7 dates around a
date are all valid, the index-based filter on evenly spaced dates and ours
fit the same points: both must agree there (float32 rounding).
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np

import common
import scene_ndvi

GOAL = 10
WINDOW, ORDER, LAMBDA = 7, 2, 1e4
NAMES = {
    "savgol": "smooth/sitscube savitzky-golay (dask threads)",
    "whittaker": "smooth/sitscube whittaker (dask threads)",
    "baseline": "smooth/interpolate_na + ffill/bfill + savgol_filter",
}


def baseline_edges(filled):
    try:
        import bottleneck  # noqa: F401

        return filled.ffill("time").bfill("time")
    except ImportError:
        import pandas as pd

        values = filled.values
        flat = pd.DataFrame(values.reshape(values.shape[0], -1)).ffill().bfill().to_numpy()
        return filled.copy(data=flat.reshape(values.shape))


def worker(args) -> dict:
    import xarray as xr

    times, data = scene_ndvi.scene_ndvi(args.size, args.dates)
    data = np.array(data)  # in memory before the clock
    coords = {"time": times, "y": np.arange(args.size, dtype=float), "x": np.arange(args.size, dtype=float)}
    if args.worker in ("savgol", "whittaker"):
        from sitscube.engine import smooth as sm

        ds = xr.Dataset({"NDVI": (("time", "y", "x"), data)}, coords=coords).chunk({"time": 1, "y": 512, "x": 512})
        kwargs = {"method": "savitzky-golay", "window": WINDOW, "order": ORDER} if args.worker == "savgol" else \
            {"method": "whittaker", "lam": LAMBDA}
        sm.smooth(ds.isel(y=slice(0, 8), x=slice(0, 8)), **kwargs)["NDVI"].values  # compiled kernel loaded

        def run():
            return sm.smooth(ds, **kwargs)["NDVI"].data.compute(scheduler="threads")
    else:
        from scipy.signal import savgol_filter

        source = xr.DataArray(data, dims=("time", "y", "x"), coords=coords)
        del data

        def run():
            filled = baseline_edges(source.interpolate_na(dim="time", method="linear", use_coordinate=True))
            return savgol_filter(filled.values, WINDOW, ORDER, axis=0)

    input_mib = common.peak_rss_mib()
    _, runs, result = common.timed_runs(run, args.repeats)
    np.save(args.out, np.asarray(result, dtype=np.float32))
    return {"runs": runs, "peak_rss_mib": common.peak_rss_mib(), "input_mib": input_mib}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 dates × 256² instead of 40 × 1024²")
    parser.add_argument("--json", default=os.path.join(common.OUTPUT, "smooth.json"))
    parser.add_argument("--dates", type=int, default=40)
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--baseline-repeats", type=int, default=None)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.size = args.size or (256 if args.quick else 1024)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    repeats = args.repeats or (3 if args.quick else 5)
    baseline_repeats = args.baseline_repeats or (1 if args.quick else 3)
    times, data = scene_ndvi.scene_ndvi(args.size, args.dates)  # made once, before the clocks
    masked = float(np.isnan(data).mean())
    print(f"NDVI of the sample scene: {args.dates} dates × {args.size}², {masked:.0%} masked; {os.cpu_count()} CPU(s)", flush=True)
    figures, results = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-smooth-") as folder:
        for key in ("savgol", "whittaker", "baseline"):
            out = os.path.join(folder, key + ".npy")
            command = [sys.executable, os.path.abspath(__file__), "--worker", key, "--out", out, "--size", str(args.size),
                       "--dates", str(args.dates), "--repeats", str(baseline_repeats if key == "baseline" else repeats)]
            print(f"  measuring {NAMES[key]} ...", flush=True)
            run = common.run_json(command)
            figures.append(common.figure(NAMES[key], run["runs"], run["peak_rss_mib"],
                                         notes=f"+{run['peak_rss_mib'] - run['input_mib']:.0f} MiB above the input"))
            print("  " + common.format_row(figures[-1]), flush=True)
            results[key] = np.load(out)
    for key in ("savgol", "whittaker"):
        common.compare(figures, NAMES[key], NAMES["baseline"], goal=GOAL)
    # agreement where the whole 7-date window is valid (dates are evenly spaced: 9 days)
    valid = ~np.isnan(np.asarray(data))
    half = WINDOW // 2
    full = np.zeros_like(valid)
    for i in range(half, valid.shape[0] - half):
        full[i] = valid[i - half:i + half + 1].all(axis=0)
    difference = np.abs(results["savgol"] - results["baseline"])[full]
    agreement = {"compared_values": int(full.sum()), "max_abs_difference": float(difference.max()),
                 "ok": bool(difference.max() < 1e-4), "whittaker_finite": bool(np.isfinite(results["whittaker"]).all())}
    agreement["ok"] = agreement["ok"] and agreement["whittaker_finite"]
    path = common.write_results("smooth", figures, args.json, quick=args.quick, agreement=agreement,
                                cube={"dates": args.dates, "size": args.size, "masked_fraction": round(masked, 3)},
                                goal_speedup=GOAL)
    for f in figures:
        print(common.format_row(f))
    print(f"agreement with savgol_filter where the window is complete: {agreement}")
    print(f"written {path}")
    met = all(f["goal_met"] for f in figures if f["goal"] is not None)
    return 0 if agreement["ok"] and met else 1


if __name__ == "__main__":
    sys.exit(main())
