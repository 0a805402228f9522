"""What every benchmark shares: timing, peak memory, one record per figure, JSON.

A *figure* is one thing timed several times in one process:

    {"name": "gapfill/ours", "median_s": 0.41, "runs_s": [...], "peak_rss_mib": 612.0,
     "baseline": "gapfill/xarray.interpolate_na", "ratio": 35.2, "goal": 20, "goal_met": true,
     "notes": "..."}

``ratio`` is the baseline's median time over this figure's (> 1: faster than
the baseline), both measured in the same run; ``goal`` the ratio asked for.
A baseline figure has ``baseline`` None. Every benchmark writes
``{"benchmark": ..., "machine": ..., "figures": [...], ...}`` to
bench-output/<name>.json; bench/summary.py prints them all as one table.

Peak memory is the measuring process's high-water mark of resident memory
(``VmHWM`` from /proc/self/status): a true peak, not a sample. Each
figure runs in its own fresh process so one figure's peak is not another's.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "bench-output")


def peak_rss_mib() -> float:
    """This process's peak resident memory, MiB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed_runs(function, repeats: int):
    """Run function() repeats times; return (median seconds, all seconds, last result)."""
    runs, result = [], None
    for _ in range(max(1, repeats)):
        result = None  # free the previous result first
        start = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs, result


def figure(name: str, runs_s, peak_rss=None, baseline=None, goal=None, notes: str = "", **extra) -> dict:
    return {
        "name": name, "median_s": statistics.median(runs_s), "runs_s": [round(r, 4) for r in runs_s],
        "peak_rss_mib": None if peak_rss is None else round(peak_rss, 1),
        "baseline": baseline, "ratio": None, "goal": goal, "goal_met": None, "notes": notes, **extra,
    }


def compare(figures, ours: str, baseline: str, goal=None, lower_is_better=True):
    """Set figure `ours`'s ratio against `baseline` (both in figures, by name)."""
    by_name = {f["name"]: f for f in figures}
    mine, base = by_name[ours], by_name[baseline]
    ratio = base["median_s"] / mine["median_s"] if lower_is_better else mine["median_s"] / base["median_s"]
    mine.update(baseline=baseline, ratio=round(ratio, 3), goal=goal,
                goal_met=None if goal is None else bool(ratio >= goal))
    return mine


def machine() -> dict:
    import numpy

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "numpy": numpy.__version__,
            "platform": platform.platform()}


def write_results(name: str, figures, path=None, **extra) -> str:
    path = path or os.path.join(OUTPUT, f"{name}.json")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    payload = {"benchmark": name, "machine": machine(), "figures": figures, **extra}
    with open(path, "w") as stream:
        json.dump(payload, stream, indent=2)
    return path


def run_json(command, env=None, timeout=None) -> dict:
    """Run a child that prints one JSON object as its last stdout line; return it."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise RuntimeError(f"benchmark child failed ({done.returncode}): {' '.join(map(str, command))}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def format_row(f: dict) -> str:
    ratio = "" if f.get("ratio") is None else f"x{f['ratio']:.2f} vs {f['baseline']}"
    goal = "" if f.get("goal") is None else f" (goal x{f['goal']:g}: {'met' if f['goal_met'] else 'NOT met'})"
    memory = "" if f.get("peak_rss_mib") is None else f"{f['peak_rss_mib']:8.0f} MiB"
    return f"  {f['name']:<44} {f['median_s']:9.3f} s {memory:>12}  {ratio}{goal}"
