"""Each step as users feel it: a whole `qgis_process` run against the script a user would write.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_steps.py [--quick] [--size 1024] [--dates 40]

On the scaled-up sample catalog (bench/catalog.py: 40 dates, B02 B03 B04 B08
at 10 m, SCL at 20 m, uint16 COGs), the composite workflow step by step,
every step a fresh process (start-up and imports included):

* ours: ``scripts/qgis_process run sitscube:<step>``, the load written as
  netCDF, harmonize / cloud mask / gap-fill as recipes (``.sitscube``, the
  default of the shipped models: computed by the next step that needs
  values), the median composite to a GeoTIFF;
* the user's script: odc-stac + xarray as the documentation teaches, each
  step reading the previous step's netCDF and writing its own
  (``odc.stac.load``; ``where`` on the baseline; ``where(~scl.isin(...))``;
  ``interpolate_na(dim="time")`` + ``ffill``/``bfill``; ``median(dim="time")``
  then ``rio.to_raster``), uncompressed netCDF as ``to_netcdf`` writes it.

Two comparisons, each figure a fresh process's seconds and peak memory:

* same input: every step of ours writes a stored cube (.nc; the composite a
  GeoTIFF), and the user's script for that step reads the SAME file ours
  read (our previous step's netCDF: uint16, nodata 0, compressed) and writes
  its own. Like for like: one step's work, one read and one write each.
  Goals (issue 14) apply here: gap-fill step >= 5x, median step >= 4x.
  ``--steps composite --no-workflow --size 4096`` runs only what the median
  goal needs at 4096² (our four steps make its input).
* the workflow: ours as the shipped models run it (the load stored,
  harmonize / cloud mask / gap-fill as recipes, so the composite computes
  them in one pass), the user's scripts each reading the previous one's file;
  per step and whole-workflow ratios (per step not like for like: our
  recipe steps only write a recipe, our composite does four steps' work).

Both medians are compared (same values within one DN where the user's float
median is rounded).
Results: bench-output/steps.json.
"""

import argparse
import os
import shutil
import sys
import tempfile

import bench_workflow
import catalog
import common

GOALS = {"gapfill": 5.0, "composite": 4.0}
# xarray's ffill/bfill need bottleneck, which a user installs as xarray's documentation says; kept out of
# the plugin's venv (it would change xarray's reductions there), on the user script's PYTHONPATH only.
USER_SITE = os.path.join(common.ROOT, "build", "bench-user-site")


def user_environment() -> dict:
    import subprocess

    if not os.path.isdir(os.path.join(USER_SITE, "bottleneck")):
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", USER_SITE,
                        "bottleneck>=1.3,<1.5"], check=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = USER_SITE + os.pathsep + env.get("PYTHONPATH", "")
    return env

USER_SCRIPT = r'''
import sys, json
import numpy as np
import xarray as xr
step, source, target, items, aoi, epsg = sys.argv[1:7]
if step == "loadcube":
    import odc.stac, pystac
    from odc.geo.geobox import GeoBox
    with open(items) as f:
        features = json.load(f)["features"]
    x0, x1, y0, y1 = map(float, aoi.split(" ")[0].split(","))
    geobox = GeoBox.from_bbox((x0, y0, x1, y1), f"EPSG:{epsg}", resolution=10)
    ds = odc.stac.load([pystac.Item.from_dict(i) for i in features], bands=["B02", "B03", "B04", "B08", "SCL"],
                       geobox=geobox, chunks={"time": 1, "x": 1024, "y": 1024}, groupby="solar_day")
    ds.to_netcdf(target)
else:
    ds = xr.open_dataset(source, chunks={"time": 1, "x": 1024, "y": 1024})
    bands = ["B02", "B03", "B04", "B08"]
    if step == "harmonize":
        import pandas as pd
        offset = xr.DataArray(np.asarray(pd.to_datetime(ds.time.values) >= pd.Timestamp("2022-01-25")), dims="time")
        for b in bands:
            ds[b] = xr.where(offset & (ds[b] > 1000), ds[b] - 1000, ds[b]).astype("uint16")
        ds.to_netcdf(target)
    elif step == "cloudmask":
        bad = ds.SCL.isin([0, 1, 3, 8, 9, 10])
        for b in bands:
            ds[b] = ds[b].where(~bad)
        ds.to_netcdf(target)
    elif step == "gapfill":
        ds = ds.chunk({"time": -1, "x": 512, "y": 512})
        for b in bands:
            ds[b] = ds[b].interpolate_na(dim="time").ffill("time").bfill("time")
        ds.to_netcdf(target)
    elif step == "composite":
        import rioxarray  # noqa: F401
        median = ds[bands].median(dim="time", skipna=True).to_array("band")
        median.rio.write_crs(f"EPSG:{epsg}").rio.to_raster(target)
'''


def _run(command, env, repeats):
    runs, peaks = [], []
    for _ in range(repeats):
        seconds, peak, _ = bench_workflow.run_measured(command, env)
        runs.append(seconds)
        peaks.append(peak)
    return runs, max(peaks)


def _ours(algorithm, parameters):
    return [bench_workflow.QGIS_PROCESS, "run", algorithm, "--"] + [f"{k}={v}" for k, v in parameters.items()]


def _user(script, step, source, target, catalog_dir, aoi):
    return [sys.executable, script, step, source or "", target, os.path.join(catalog_dir, "items.geojson"), aoi,
            str(catalog.EPSG)]


def same_input(work, catalog_dir, size, script, user_env, repeats, wanted):
    """Each step, ours and the user's, reading the same stored input: our previous step's .nc."""
    figures = []
    chain = bench_workflow.steps(os.path.join(work, "stored"), catalog_dir, size, "nc")
    os.makedirs(os.path.join(work, "stored"))
    aoi = chain[0][2]["AOI"]
    for name, algorithm, parameters in chain:
        runs, peak = _run(_ours(algorithm, parameters), dict(os.environ), repeats)
        figures.append(common.figure(f"steps {size}²/{name} ours, stored", runs, peak, step=name))
        print(common.format_row(figures[-1]), flush=True)
        if name not in wanted:
            continue
        target = os.path.join(work, f"user-same-{name}" + (".tif" if name == "composite" else ".nc"))
        runs, peak = _run(_user(script, name, parameters.get("INPUT"), target, catalog_dir, aoi), user_env, repeats)
        figures.append(common.figure(f"steps {size}²/{name} user script, same input", runs, peak, step=name))
        print(common.format_row(figures[-1]), flush=True)
        common.compare(figures, f"steps {size}²/{name} ours, stored", f"steps {size}²/{name} user script, same input",
                       GOALS.get(name))
        if os.path.exists(target) and name != "composite":
            os.remove(target)  # only the median is compared; the disk holds a few cubes at 4096²
    medians = _compare_medians(os.path.join(work, "stored", "median.tif"), os.path.join(work, "user-same-composite.tif")) \
        if "composite" in wanted else None
    return figures, medians


def recipe_workflow(work, catalog_dir, size, script, user_env, repeats):
    """Ours as the shipped models run it (recipes between steps) against the user's chain of scripts."""
    figures = []
    ours = bench_workflow.steps(work, catalog_dir, size, "recipes")
    aoi = ours[0][2]["AOI"]
    previous = None
    for name, algorithm, parameters in ours:
        runs, peak = _run(_ours(algorithm, parameters), dict(os.environ), repeats)
        figures.append(common.figure(f"steps {size}²/{name} ours, recipes", runs, peak, step=name))
        print(common.format_row(figures[-1]), flush=True)
        target = os.path.join(work, f"user-{name}" + (".tif" if name == "composite" else ".nc"))
        runs, peak = _run(_user(script, name, previous, target, catalog_dir, aoi), user_env, repeats)
        figures.append(common.figure(f"steps {size}²/{name} user script, own files", runs, peak, step=name))
        print(common.format_row(figures[-1]), flush=True)
        common.compare(figures, f"steps {size}²/{name} ours, recipes", f"steps {size}²/{name} user script, own files")
        if previous and os.path.exists(previous):
            os.remove(previous)
        previous = target
    ours_total = sum(f["median_s"] for f in figures if f["name"].endswith(" ours, recipes"))
    user_total = sum(f["median_s"] for f in figures if f["name"].endswith(" user script, own files"))
    figures.append(common.figure(f"steps {size}²/whole workflow ours, recipes", [ours_total]))
    figures.append(common.figure(f"steps {size}²/whole workflow user script", [user_total]))
    common.compare(figures, f"steps {size}²/whole workflow ours, recipes", f"steps {size}²/whole workflow user script")
    return figures, _compare_medians(os.path.join(work, "median.tif"), os.path.join(work, "user-composite.tif"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="256² × 12 dates")
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--dates", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--steps", default="loadcube,harmonize,cloudmask,gapfill,composite",
                        help="steps whose user script runs on the same input (ours runs every step to make the inputs)")
    parser.add_argument("--no-workflow", action="store_true", help="leave out the recipes workflow against the user's chain")
    parser.add_argument("--json", default=os.path.join(common.OUTPUT, "steps.json"))
    args = parser.parse_args()
    size = args.size or (256 if args.quick else 1024)
    dates = args.dates or (12 if args.quick else 40)
    wanted = set(args.steps.split(","))
    catalog_dir = catalog.ensure_catalog(size, dates)
    work = tempfile.mkdtemp(prefix=f"bench-steps-{size}-", dir=os.path.join(common.ROOT, "build"))
    script = os.path.join(work, "user_step.py")
    with open(script, "w") as stream:
        stream.write(USER_SCRIPT)
    user_env = user_environment()
    medians = {}
    try:
        print(f"steps at {size}² × {dates} dates × 4 bands (+SCL), the same stored input for both:", flush=True)
        figures, medians["same input"] = same_input(work, catalog_dir, size, script, user_env, args.repeats, wanted)
        if not args.no_workflow:
            print(f"the workflow at {size}²: ours with recipes, the user's scripts each reading the previous one's file:",
                  flush=True)
            more, medians["workflow"] = recipe_workflow(work, catalog_dir, size, script, user_env, args.repeats)
            figures += more
        for f in figures:
            if f.get("ratio") is not None:
                print(common.format_row(f))
        print(f"medians agree within 1 DN: {medians}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    goals = {f"{step} step >= {goal}x (same input)": bool(next(f for f in figures if f["name"] == f"steps {size}²/{step} ours, stored")["goal_met"])
             for step, goal in GOALS.items() if step in wanted}
    path = common.write_results("steps", figures, path=args.json, size=size, dates=dates, goals=goals, medians=medians)
    print(f"results: {path}")
    agree = all(m is None or m["within_1_dn"] >= 0.99 for m in medians.values())
    return 0 if all(goals.values()) and agree else 1


def _compare_medians(ours: str, user: str) -> dict:
    import numpy as np
    import rasterio

    with rasterio.open(ours) as a, rasterio.open(user) as b:
        x, y = a.read().astype(np.float64), b.read().astype(np.float64)
        nodata = a.nodata
    valid = np.isfinite(y) & (x != nodata)
    close = np.abs(x - y) <= 1.0
    return {"pixels": int(valid.sum()), "within_1_dn": round(float((close & valid).sum() / max(1, valid.sum())), 4)}


if __name__ == "__main__":
    sys.exit(main())
