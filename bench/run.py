"""`make bench`: every benchmark, one after the other, then one table of all figures.

    PYTHONPATH=build/plugins .venv/bin/python bench/run.py [--quick] [--only load,gapfill]

Each benchmark is a script in bench/ that builds its own data, measures
each figure several times in fresh processes and writes
bench-output/<name>.json (see bench/common.py). They run one at a time, so
none competes with another for the two cores. At the end the table of every
figure (median, ratio against its baseline from the same run, peak memory)
is printed and saved as bench-output/summary.json, and a copy with the date
goes to bench-output/history/ so runs can be compared.

Exit status: non-zero when a benchmark fails, a result disagrees with its
baseline, or a goal is not met (the table says which).
"""

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time

import common

# name -> script; in the order they run (cheap first)
BENCHMARKS = {
    "gapfill": "bench_gapfill.py",
    "composite": "bench_composite.py",
    "smooth": "bench_smooth.py",
    "phenology": "bench_phenology.py",
    "zonal": "bench_zonal.py",
    "predict": "bench_predict.py",
    "load": "bench_load.py",
    "storage": "bench_storage.py",
    "steps": "bench_steps.py",
    "sits_chain": "bench_sits_chain.py",
    "workflow": "bench_workflow.py",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--only", help=f"comma list among {', '.join(BENCHMARKS)}")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    here = os.path.dirname(os.path.abspath(__file__))
    status, seconds = {}, {}
    for name in names:
        script = os.path.join(here, BENCHMARKS[name])
        output = os.path.join(common.OUTPUT, f"{name}.json")
        if os.path.exists(output):
            os.remove(output)  # never report a previous run's figures as this one's
        command = [sys.executable, script, "--json", output] + (["--quick"] if args.quick else [])
        print(f"\n== {name}: {' '.join(os.path.relpath(c) if c.startswith('/') else c for c in command[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.call(command)
        seconds[name] = round(time.perf_counter() - start, 1)
        status[name] = "ok" if code == 0 else ("goal or check failed" if os.path.exists(output) else f"failed ({code})")

    figures, goals_missed = [], []
    print("\n== summary (median of repeats; ratio = baseline time / this time, same run; peak resident memory)")
    for name in names:
        path = os.path.join(common.OUTPUT, f"{name}.json")
        print(f" {name} [{status[name]}, {seconds[name]} s]")
        if not os.path.exists(path):
            continue
        with open(path) as stream:
            rows = json.load(stream).get("figures", [])
        for row in rows:
            print(common.format_row(row))
            row = dict(row, benchmark=name)
            figures.append(row)
            if row.get("goal_met") is False:
                goals_missed.append(row["name"])
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    path = common.write_results("summary", figures, quick=args.quick, status=status, seconds=seconds,
                                goals_missed=goals_missed, when=stamp)
    history = os.path.join(common.OUTPUT, "history")
    os.makedirs(history, exist_ok=True)
    shutil.copy(path, os.path.join(history, f"summary-{stamp}{'-quick' if args.quick else ''}.json"))
    print(f"\nsummary: {path} (and bench-output/history/)")
    failed = [n for n, s in status.items() if s != "ok"]
    if failed or goals_missed:
        print(f"not ok: {', '.join(failed + goals_missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
