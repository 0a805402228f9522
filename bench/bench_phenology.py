"""Benchmark: sitscube:phenology's kernel against the scipy/xarray code a user would write.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_phenology.py [--quick] [--json bench-output/phenology.json]

Data: NDVI of the sample scene scaled up (bench/scene_ndvi.py: 40 dates
every 9 days from 2021-12-02, 1024² pixels, 256² with --quick; clouds,
shadows and snow masked), float32. Season year 2022 (the one complete year).

Figures, each in its own fresh process (median of --repeats runs, peak
resident memory VmHWM):

* ``ours``: ``phenology(ds, "NDVI")`` (Savitzky-Golay in days, window 7,
  order 2; start/end at half the amplitude, green-up at 0.2, minimum
  amplitude 0.1) on the cube chunked as stored (time 1, y/x 512), the seven
  maps computed together by dask's threads.
* ``baseline``: what a user writes with scipy and xarray: interpolate_na +
  forward/backward fill, ``scipy.signal.savgol_filter(7, 2)`` along time
  (vectorized), then ``xarray.apply_ufunc(..., vectorize=True)`` of a
  Python/numpy function measuring one pixel's 2022 season with the same
  definitions (first/last crossing of half the amplitude above the left/right
  minima, linear interpolation in day of year, green-up date, season length).

Goal: >= 10x. Check: the two agree on which pixels have a season and on
their start (median |difference| under 2 days): they smooth differently
over gaps (index-based on an interpolated series vs. fitted in days).
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
YEAR = 2022
NAMES = {"ours": "phenology/sitscube (dask threads)",
         "baseline": "phenology/interpolate_na + savgol_filter + apply_ufunc(vectorize)"}


def python_phenology(series, doy, fraction=0.5, green_fraction=0.2, min_amplitude=0.1):
    """One pixel's season, as a user would write it with numpy: 7 values (sos, pos, eos, peak, amplitude, length, green-up)."""
    out = np.full(7, np.nan)
    keep = ~np.isnan(series)
    v, d = series[keep], doy[keep]
    if v.size < 3:
        return out
    peak = int(np.argmax(v))
    left, right = v[:peak + 1].min(), v[peak:].min()
    amplitude = v[peak] - 0.5 * (left + right)
    if not amplitude >= min_amplitude:
        return out
    up = left + fraction * (v[peak] - left)
    down = right + fraction * (v[peak] - right)
    rises = np.flatnonzero((v[:-1] < up) & (v[1:] >= up)) + 1
    rises = rises[rises <= peak]
    falls = np.flatnonzero((v[:-1] >= down) & (v[1:] < down)) + 1
    falls = falls[falls > peak]
    if not rises.size or not falls.size:
        return out
    j, k = rises[0], falls[-1]
    sos = d[j - 1] + (up - v[j - 1]) / (v[j] - v[j - 1]) * (d[j] - d[j - 1])
    eos = d[k - 1] + (down - v[k - 1]) / (v[k] - v[k - 1]) * (d[k] - d[k - 1])
    level = left + green_fraction * (v[peak] - left)
    greens = np.flatnonzero((v[:-1] < level) & (v[1:] >= level)) + 1
    greens = greens[greens <= peak]
    out[:] = (sos, d[peak], eos, v[peak], amplitude, eos - sos, d[greens[0]] if greens.size else np.nan)
    return out


def worker(args) -> dict:
    import xarray as xr

    times, data = scene_ndvi.scene_ndvi(args.size, args.dates)
    data = np.array(data)
    coords = {"time": times, "y": np.arange(args.size, dtype=float), "x": np.arange(args.size, dtype=float)}
    if args.worker == "ours":
        import dask

        from sitscube.engine import phenology as ph

        ds = xr.Dataset({"NDVI": (("time", "y", "x"), data)}, coords=coords).chunk({"time": 1, "y": 512, "x": 512})
        ph.phenology(ds.isel(y=slice(0, 8), x=slice(0, 8)))["sos_doy"].values  # compiled kernel loaded

        def run():
            maps = ph.phenology(ds)
            return np.stack(dask.compute(*[maps[name].data for name in maps.data_vars], scheduler="threads"))
    else:
        from scipy.signal import savgol_filter

        from bench_smooth import baseline_edges

        source = xr.DataArray(data, dims=("time", "y", "x"), coords=coords)
        del data
        day = times.astype("datetime64[D]")
        in_year = (day >= np.datetime64(f"{YEAR}-01-01")) & (day <= np.datetime64(f"{YEAR}-12-31"))
        doy = (day[in_year] - np.datetime64(f"{YEAR}-01-01")).astype(int) + 1.0

        def run():
            filled = baseline_edges(source.interpolate_na(dim="time", method="linear", use_coordinate=True))
            smooth = filled.copy(data=savgol_filter(filled.values, 7, 2, axis=0))
            metrics = xr.apply_ufunc(python_phenology, smooth.isel(time=np.flatnonzero(in_year)),
                                     input_core_dims=[["time"]], output_core_dims=[["metric"]], vectorize=True,
                                     kwargs={"doy": doy})
            return np.moveaxis(metrics.values, -1, 0)

    input_mib = common.peak_rss_mib()
    _, runs, result = common.timed_runs(run, args.repeats)
    np.save(args.out, np.asarray(result, dtype=np.float32))
    return {"runs": runs, "peak_rss_mib": common.peak_rss_mib(), "input_mib": input_mib}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="40 dates × 256² instead of 40 × 1024²")
    parser.add_argument("--json", default=os.path.join(common.OUTPUT, "phenology.json"))
    parser.add_argument("--dates", type=int, default=40)
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--baseline-repeats", type=int, default=1)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.size = args.size or (256 if args.quick else 1024)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    repeats = args.repeats or (3 if args.quick else 5)
    scene_ndvi.scene_ndvi(args.size, args.dates)  # made once, before the clocks
    print(f"phenology of {YEAR}: NDVI {args.dates} dates × {args.size}²; {os.cpu_count()} CPU(s)", flush=True)
    figures, results = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-phenology-") as folder:
        for key in ("ours", "baseline"):
            out = os.path.join(folder, key + ".npy")
            command = [sys.executable, os.path.abspath(__file__), "--worker", key, "--out", out, "--size", str(args.size),
                       "--dates", str(args.dates), "--repeats", str(args.baseline_repeats if key == "baseline" else repeats)]
            print(f"  measuring {NAMES[key]} ...", flush=True)
            run = common.run_json(command)
            figures.append(common.figure(NAMES[key], run["runs"], run["peak_rss_mib"],
                                         notes=f"+{run['peak_rss_mib'] - run['input_mib']:.0f} MiB above the input"))
            print("  " + common.format_row(figures[-1]), flush=True)
            results[key] = np.load(out)
    common.compare(figures, NAMES["ours"], NAMES["baseline"], goal=GOAL)
    ours, base = results["ours"], results["baseline"]
    season_ours, season_base = ~np.isnan(ours[0]), ~np.isnan(base[0])
    both = season_ours & season_base
    sos_difference = np.abs(ours[0] - base[0])[both]
    agreement = {
        "pixels": int(season_ours.size), "season_ours": int(season_ours.sum()), "season_baseline": int(season_base.sum()),
        "same_season_or_not": round(float((season_ours == season_base).mean()), 4),
        "sos_median_abs_difference_days": round(float(np.median(sos_difference)), 3) if both.any() else None,
        "sos_p90_abs_difference_days": round(float(np.percentile(sos_difference, 90)), 3) if both.any() else None,
    }
    agreement["ok"] = bool(both.any() and agreement["same_season_or_not"] >= 0.9
                           and agreement["sos_median_abs_difference_days"] < 2)
    path = common.write_results("phenology", figures, args.json, quick=args.quick, agreement=agreement, year=YEAR,
                                cube={"dates": args.dates, "size": args.size}, goal_speedup=GOAL)
    for f in figures:
        print(common.format_row(f))
    print(f"agreement with the baseline: {agreement}")
    print(f"written {path}")
    met = all(f["goal_met"] for f in figures if f["goal"] is not None)
    return 0 if agreement["ok"] and met else 1


if __name__ == "__main__":
    sys.exit(main())
