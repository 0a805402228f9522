"""The composite workflow end to end: time and peak memory per step as the area grows.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_workflow.py [--quick] [--sizes 1024,4096]

On the scaled-up sample catalog (bench/catalog.py: 40 dates, B02 B03 B04
B08 at 10 m and SCL at 20 m, uint16 COGs), the steps a user runs from the
toolbox or a batch script, each through the real ``qgis_process``
(scripts/qgis_process) in its own process, each writing its result:

    loadcube (4 bands + SCL, 10 m, the catalog's square in EPSG:32631)
    -> harmonize -> cloudmask -> gapfill (linear) -> composite (median GeoTIFF)

For every step: wall-clock seconds and the peak resident memory of the
qgis_process (``ru_maxrss`` of that child from ``os.wait4``: the kernel's
high-water mark, QGIS itself included). Done at each size (default 1024²
and 4096² pixels: 16× the area), then the growth of each step's peak from
the smallest to the largest area. Goals: every step's peak under 2 GiB at
4096² × 40 dates × 4 bands, and the peak barely grows with the area
(largest / smallest < 1.5).

The whole workflow is slow at 4096² (gigabytes per cube), so each size
runs once by default (``--repeats``); ``--quick`` is 256² and 512², 12 dates.
Cubes go to a temporary folder under build/ (``--keep`` keeps them).
Results: bench-output/workflow.json.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import catalog
import common

QGIS_PROCESS = os.path.join(common.ROOT, "scripts", "qgis_process")
GOAL_PEAK_MIB = 2048
GOAL_GROWTH = 1.5


def run_measured(command, env=None):
    """Run command; return (seconds, peak RSS MiB of the child and its waited-for children, output)."""
    log = tempfile.TemporaryFile(mode="w+")
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    log.seek(0)
    output = log.read()
    if process.returncode != 0:
        sys.stderr.write(output[-6000:])
        raise RuntimeError(f"step failed ({process.returncode}): {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024.0, output


# --format: the cube written by each step (loadcube, then harmonize, cloudmask, gapfill)
FORMATS = {
    "nc": (".nc", ".nc"),
    "zarr": (".zarr", ".zarr"),
    # intermediate steps as recipes (engine/recipe.py): the composite computes them in one pass
    "recipes": (".nc", ".sitscube"),
    # the load too: the composite reads the COGs and runs the whole chain in one pass
    "recipes-all": (".sitscube", ".sitscube"),
}
GOAL_WORKFLOW_S = 150  # issue 14: the 4096² × 40 × 4 workflow


def steps(folder: str, catalog_dir: str, size: int, cube_format: str):
    """(name, algorithm, parameters) of the workflow, in order."""
    x0, y1 = catalog.ORIGIN
    aoi = f"{x0},{x0 + size * 10},{y1 - size * 10},{y1} [EPSG:{catalog.EPSG}]"
    load_ext, step_ext = FORMATS[cube_format]
    cube = lambda name: os.path.join(folder, name + (load_ext if name == "cube" else step_ext))  # noqa: E731
    return [
        ("loadcube", "sitscube:loadcube", {
            "ITEMS": os.path.join(catalog_dir, "items.geojson"), "AOI": aoi,
            "CRS": f"EPSG:{catalog.EPSG}", "RESOLUTION": 10, "BANDS": "B02,B03,B04,B08,SCL",
            "OUTPUT": cube("cube")}),
        ("harmonize", "sitscube:harmonize", {"INPUT": cube("cube"), "OUTPUT": cube("harmonized")}),
        ("cloudmask", "sitscube:cloudmask", {"INPUT": cube("harmonized"), "OUTPUT": cube("masked")}),
        ("gapfill", "sitscube:gapfill", {"INPUT": cube("masked"), "METHOD": "linear", "OUTPUT": cube("filled")}),
        ("composite", "sitscube:composite", {"INPUT": cube("filled"), "METHOD": "median",
                                             "OUTPUT": os.path.join(folder, "median.tif")}),
    ]


def run_size(size: int, dates: int, repeats: int, cube_format: str, keep: bool):
    catalog_dir = catalog.ensure_catalog(size, dates)
    work = tempfile.mkdtemp(prefix=f"bench-workflow-{size}-", dir=os.path.join(common.ROOT, "build"))
    env = dict(os.environ)
    results = []
    try:
        for name, algorithm, parameters in steps(work, catalog_dir, size, cube_format):
            runs, peaks = [], []
            for _ in range(repeats):
                command = [QGIS_PROCESS, "run", algorithm, "--"] + [f"{k}={v}" for k, v in parameters.items()]
                seconds, peak, _ = run_measured(command, env)
                runs.append(seconds)
                peaks.append(peak)
            output = parameters["OUTPUT"]
            results.append(common.figure(f"workflow {size}²/{name}", runs, max(peaks), size=size, step=name,
                                         output_mib=round(disk_mib(output), 1)))
            print(common.format_row(results[-1]), flush=True)
        total = sum(f["median_s"] for f in results)
        print(f"  whole workflow at {size}²: {total:.1f} s, highest step peak "
              f"{max(f['peak_rss_mib'] for f in results):.0f} MiB", flush=True)
    finally:
        if keep:
            print(f"  kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return results


def disk_mib(path: str) -> float:
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files) / 2**20
    return os.path.getsize(path) / 2**20 if os.path.exists(path) else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="256² and 512², 12 dates")
    parser.add_argument("--sizes", help="comma list of pixels per side (default 1024,4096)")
    parser.add_argument("--dates", type=int, default=None, help="default 40 (12 with --quick)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--format", choices=tuple(FORMATS), default="recipes",
                        help="cube format between steps (default: .nc load, recipes after it)")
    parser.add_argument("--keep", action="store_true", help="keep the cubes")
    parser.add_argument("--json", default=os.path.join(common.OUTPUT, "workflow.json"))
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("256,512" if args.quick else "1024,4096")).split(",")]
    dates = args.dates or (12 if args.quick else 40)

    figures = []
    for size in sizes:
        print(f"workflow at {size}² × {dates} dates × 4 bands (+SCL), {args.format} cubes:", flush=True)
        figures += run_size(size, dates, args.repeats, args.format, args.keep)

    small, large = min(sizes), max(sizes)
    by = {(f["size"], f["step"]): f for f in figures}
    growth = {}
    for (size, step), f in by.items():
        if size == large and (small, step) in by and small != large:
            growth[step] = round(f["peak_rss_mib"] / by[(small, step)]["peak_rss_mib"], 3)
            f.update(peak_growth_from_smallest=growth[step])
    largest_peak = max(f["peak_rss_mib"] for f in figures if f["size"] == large)
    whole = sum(f["median_s"] for f in figures if f["size"] == large)
    goals = {
        f"every step under {GOAL_PEAK_MIB} MiB at {large}²": bool(largest_peak < GOAL_PEAK_MIB),
        f"whole workflow at {large}² within {GOAL_WORKFLOW_S} s": bool(large < 4096 or whole <= GOAL_WORKFLOW_S),
    }
    if small != large:  # one size (--sizes 4096): no growth to judge
        goals[f"peak growth {small}² -> {large}² < {GOAL_GROWTH}"] = bool(growth) and all(g < GOAL_GROWTH for g in growth.values())
        print(f"peak growth {small}² -> {large}² ({(large / small) ** 2:.0f}× the area): "
              + ", ".join(f"{k} x{v}" for k, v in growth.items()))
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")
    path = common.write_results("workflow", figures, path=args.json, dates=dates, sizes=sizes, cube_format=args.format,
                                peak_growth=growth, largest_peak_mib=largest_peak, goals=goals,
                                whole_workflow_s=round(whole, 1))
    print(f"results: {path}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
