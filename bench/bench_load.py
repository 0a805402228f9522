"""Benchmark cube loading: SITS Cube's load (odc-stac inside) against odc.stac.load and stackstac.stack.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_load.py [--quick] [--repeats 3] [--rounds 1] [--no-tune]

What is loaded. The scaled-up sample catalog of bench/catalog.py
(``ensure_catalog``): one Sentinel-2 L2A item per date, B02, B03, B04, B08
(10 m, uint16, nodata 0) and SCL (20 m, uint8) as local tiled DEFLATE COGs
(512² blocks), read through their absolute file paths (items.geojson), not
HTTP, so the loaders are measured and not a Python HTTP server. Default
2048² pixels × 40 dates (1.4 GB of pixels once loaded); ``--quick`` 512² × 10.
Every figure loads the same five bands on the same grid: EPSG:32631, 10 m,
exactly the catalog's square (the area is given in the cube's CRS, as an
AOI drawn in UTM would be), SCL resampled to 10 m with nearest, every
reflectance band read without resampling (the grid is aligned with the COGs).

Figures (each in its own fresh Python process, ``--repeats`` runs, median;
``--rounds N`` runs every figure's process N times, the figures interleaved,
and takes the median of all the runs: use it on a machine where other work
comes and goes):

* ``load/sitscube``: what the ``sitscube:loadcube`` algorithm does up to the
  pixels, timed from the item file: ``read_item_collection``, ``CubeRequest``
  (bands B02,B03,B04,B08,SCL, resolution 10, CRS EPSG:32631, the AOI, chunks
  1 × 1024²), ``load_cube`` (probe of every asset header, configure_rio with
  the GDAL options, odc.stac.load, per-date coordinates), ``add_history``,
  then its band arrays computed into memory by ``engine.scheduler.compute``
  (dask threads, with the plugin's progress/cancel callback) and put back
  into the Dataset, as xarray's ``.compute()`` does. (``dask.compute`` of
  the whole Dataset would hold every chunk until the last one is done, plus
  the assembled arrays: +1.1 GB peak at 2048² × 40 dates, for nothing; the
  algorithm itself never computes a cube into memory, it writes it.)
* ``load/odc.stac.load``: the direct call a user would write:
  ``pystac.ItemCollection.from_file`` then ``odc.stac.load(items, bands,
  crs, resolution=10, geopolygon=<the same area>, groupby="solar_day",
  chunks={"time": 1, "y": 1024, "x": 1024}, resampling="nearest")`` and
  ``.compute()``.
* ``load/stackstac.stack``: ``pystac.ItemCollection.from_file`` then
  ``stackstac.stack(items, assets, epsg=32631, resolution=10, bounds=<the
  same area>, chunksize=1024, dtype=uint16, fill_value=0, rescale=False,
  resampling=nearest, xy_coords="center")``; items sharing a solar day would
  be fused with ``stackstac.mosaic`` (the catalog has one item per day, so
  none is), then ``.compute()``. Its SCL comes out as uint16 (one dtype for
  the whole array); values are compared as uint16.
* ``load+write/sitscube``: as ``load/sitscube`` but written by ``write_cube``
  to a netCDF file (.nc, compressed, in build/), as the algorithm does. Not
  comparable with the in-memory figures (it compresses and writes 1.4 GB);
  reported for what the algorithm really costs, and its peak memory.
* ``tune/…`` (unless ``--no-tune``): ``load/sitscube`` with chunks of 512²
  or 2048², with GDAL_CACHEMAX=64 (MB; GDAL's default is 5 % of RAM), with
  GDAL_NUM_THREADS=ALL_CPUS, with OPENBLAS_NUM_THREADS=1 (odc-geo inverts
  3 × 3 affine matrices for every chunk read, and numpy's OpenBLAS wakes
  its own threads for each, competing with dask's), and without the probe of
  asset headers (``probe_assets=False``); ``odc.stac.load`` with
  OPENBLAS_NUM_THREADS=1 and with the plugin's GDAL options
  (``configure_rio``) to isolate their effect. The ratio of a tune/sitscube
  figure is against ``load/sitscube``, of a tune/odc.stac.load figure against
  ``load/odc.stac.load`` (> 1: faster than the defaults).

Every process uses dask's threads scheduler with ``--threads`` workers
(default 2, the cores of the reference machine), set with
``dask.config.set(scheduler="threads", num_workers=...)``. The files are
read once before the first figure so that every figure finds them in the
OS page cache. ``peak_rss_mib`` is each process's high-water mark (VmHWM)
when its last run ends. ``build_s`` is the median time to build the lazy
cube (for sitscube: probe included), ``compute_s`` the rest, ``cpu_s`` the
median CPU time of the process (all threads) per run: less sensitive than
wall-clock time to other work on the machine.

Agreement: every process reports its grid (shape, affine transform, CRS),
its dates and a SHA-1 of every band of every date (as uint16, after the
clock stops; for the written cube, of the file read back). The parent
requires the same grid and dates everywhere and identical pixels (exact
equality: nearest resampling on an aligned grid), and exits 1 otherwise,
naming the bands and dates that differ.

Goal (issue 7): the plugin at most ~10 % slower than the direct
odc.stac.load, i.e. ratio = odc.stac.load median / sitscube median >= 0.9
(wall-clock). ``cpu_ratio`` is the same ratio on CPU time. The 1-minute load
average before and after each process is kept (``load_average``): with
other work on the machine, wall-clock figures vary by tens of percent.
Results: bench-output/load.json (bench/common.write_results).

stackstac is a baseline only. It is installed into this Python on first use
with ``python -m pip install --no-deps stackstac==0.5.1``: --no-deps so that
no rasterio wheel (with its own GDAL) replaces the one built against the
system GDAL; its dependencies (dask, xarray, pyproj, rasterio, pandas) are
already there.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402  (bench/common.py)

STACKSTAC = "stackstac==0.5.1"
BANDS = ["B02", "B03", "B04", "B08", "SCL"]
EPSG = 32631
RESOLUTION = 10
GOAL = 0.9  # odc.stac.load median / sitscube median: at most ~10 % slower


def area_bounds(manifest: dict):
    """The catalog's square in EPSG:32631: (xmin, ymin, xmax, ymax)."""
    x0, y1 = manifest["origin"]
    width = manifest["size"] * RESOLUTION
    return (x0, y1 - width, x0 + width, y1)


# ---- the measured process ---------------------------------------------------------------


def load_sitscube(items_path, bounds, chunk, probe=True, write_to=None):
    """Load cube as the sitscube:loadcube algorithm does; compute into memory or write to .nc."""
    from odc.geo import geom

    from sitscube.engine import scheduler as schedulers
    from sitscube.engine.cube_io import add_history, write_cube
    from sitscube.engine.cube_load import CubeRequest, load_cube
    from sitscube.engine.stac_search import read_item_collection

    start = time.perf_counter()
    items = read_item_collection(items_path)
    request = CubeRequest(
        items=items, bands=BANDS, resolution=RESOLUTION, crs=f"EPSG:{EPSG}",
        aoi=geom.box(*bounds, crs=f"EPSG:{EPSG}"), groupby="solar_day", resampling="nearest",
        chunk_size=chunk, probe_assets=probe,
    )
    cube = load_cube(request)
    cube = add_history(cube, "loadcube", {"bands": list(cube.data_vars), "crs": str(cube.odc.crs),
                                          "resolution": request.resolution, "groupby": request.groupby})
    built = time.perf_counter() - start
    chunks = list(cube["B02"].data.chunksize)
    if write_to:
        write_cube(cube, write_to)
        return write_to, built, chunks
    # The engine's compute (dask threads + the plugin's progress/cancel callback) on the
    # band arrays, as xarray's .compute() does: dask.compute(<whole Dataset>) would hold
    # every chunk until all are done, plus the assembled arrays (measured: +1.1 GB peak
    # at 2048² x 40 dates). The engine itself never computes a whole cube into memory.
    names = list(cube.data_vars)
    arrays = schedulers.compute(*[cube[name].data for name in names])
    return cube.copy(data=dict(zip(names, arrays))), built, chunks


def load_odc(items_path, bounds, chunk, plugin_gdal_options=False):
    import odc.stac
    import pystac
    from odc.geo import geom

    start = time.perf_counter()
    items = pystac.ItemCollection.from_file(items_path)
    if plugin_gdal_options:  # diagnosis only: the options load_cube sets
        from sitscube.engine.cube_load import gdal_http_options
        from sitscube.engine.http_client import HttpPolicy

        hrefs = [a.href for item in items for k, a in item.assets.items() if k in BANDS]
        odc.stac.configure_rio(cloud_defaults=True, **gdal_http_options(HttpPolicy(), hrefs))
    ds = odc.stac.load(
        items, bands=BANDS, crs=f"EPSG:{EPSG}", resolution=RESOLUTION,
        geopolygon=geom.box(*bounds, crs=f"EPSG:{EPSG}"), groupby="solar_day",
        chunks={"time": 1, "y": chunk, "x": chunk}, resampling="nearest",
    )
    built = time.perf_counter() - start
    return ds.compute(), built, list(ds["B02"].data.chunksize)


def load_stackstac(items_path, bounds, chunk):
    import datetime as dt

    import numpy as np
    import pystac
    import stackstac
    from rasterio.enums import Resampling

    start = time.perf_counter()
    items = pystac.ItemCollection.from_file(items_path)
    arr = stackstac.stack(
        items, assets=BANDS, epsg=EPSG, resolution=RESOLUTION, bounds=bounds, chunksize=chunk,
        dtype=np.dtype("uint16"), fill_value=np.uint16(0), rescale=False,
        resampling=Resampling.nearest, xy_coords="center",
    )
    # solar day of each item, in stackstac's order (sorted by datetime): UTC time + centre
    # longitude / 15 h (odc-stac's and the plugin's rule)
    days = [(item.datetime + dt.timedelta(hours=(item.bbox[0] + item.bbox[2]) / 30.0)).date().isoformat()
            for item in sorted(items, key=lambda item: item.datetime)]
    if len(set(days)) < len(days):  # several tiles of one overpass: fuse them
        arr = arr.assign_coords(solar_day=("time", days)).groupby("solar_day").map(stackstac.mosaic)
    built = time.perf_counter() - start
    return arr.compute(), built, list(arr.data.chunksize)


def grid_of_dataset(ds) -> dict:
    geobox = ds.odc.geobox
    return {"shape": list(geobox.shape), "transform": [round(v, 6) for v in tuple(geobox.affine)[:6]],
            "crs": f"EPSG:{geobox.crs.epsg}", "x0": float(ds.x.values[0]), "y0": float(ds.y.values[0])}


def grid_of_stackstac(arr) -> dict:
    transform = arr.attrs["transform"]
    return {"shape": [arr.sizes["y"], arr.sizes["x"]], "transform": [round(v, 6) for v in tuple(transform)[:6]],
            "crs": "EPSG:" + str(arr.attrs["crs"]).split(":")[-1], "x0": float(arr.x.values[0]),
            "y0": float(arr.y.values[0])}


def band_arrays(result, kind):
    """{band: (time, y, x) numpy array} from whatever the loader returned."""
    if kind == "stackstac":
        return {band: result.sel(band=band).values for band in BANDS}
    return {band: result[band].values for band in BANDS}


def digest(arrays) -> dict:
    """Per band: SHA-1 of each date's pixels as uint16, sum and count of zeros (nodata)."""
    import numpy as np

    out = {}
    for band, values in arrays.items():
        dates = [hashlib.sha1(np.ascontiguousarray(values[t], dtype=np.uint16).tobytes()).hexdigest()
                 for t in range(values.shape[0])]
        out[band] = {"sha1": dates, "sum": int(values.sum(dtype=np.uint64)), "zeros": int((values == 0).sum()),
                     "dtype": str(values.dtype)}
    return out


def child(args) -> dict:
    import dask
    import numpy as np  # noqa: F401  (imports before the clock: only the loading is timed)
    import odc.stac  # noqa: F401
    import rasterio  # noqa: F401
    import xarray  # noqa: F401

    dask.config.set(scheduler="threads", num_workers=args.threads)
    with open(os.path.join(args.catalog, "manifest.json")) as stream:
        manifest = json.load(stream)
    bounds = area_bounds(manifest)
    items_path = os.path.join(args.catalog, "items.geojson")
    kind = args.child
    builds, chunksizes, cpu = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-load-", dir=args.scratch) as folder:
        output = os.path.join(folder, "cube.nc")

        def run():
            started = time.process_time()
            if kind == "sitscube":
                result, built, chunks = load_sitscube(items_path, bounds, args.chunk, probe=not args.no_probe)
            elif kind == "sitscube-write":
                result, built, chunks = load_sitscube(items_path, bounds, args.chunk, write_to=output)
            elif kind == "odc":
                result, built, chunks = load_odc(items_path, bounds, args.chunk, args.plugin_gdal_options)
            elif kind == "stackstac":
                result, built, chunks = load_stackstac(items_path, bounds, args.chunk)
            else:
                raise ValueError(kind)
            builds.append(built)
            chunksizes.append(chunks)
            cpu.append(time.process_time() - started)
            return result

        if kind == "stackstac":  # imports before the clock, as above
            import stackstac  # noqa: F401
        if kind.startswith("sitscube"):
            import sitscube.engine.cube_load  # noqa: F401
        load_before = os.getloadavg()[0]
        median, runs, result = common.timed_runs(run, args.repeats)
        peak = common.peak_rss_mib()
        if kind == "sitscube-write":
            from sitscube.engine.cube_io import open_cube

            result = open_cube(result).load()
        grid = grid_of_stackstac(result) if kind == "stackstac" else grid_of_dataset(result)
        times = [str(t)[:10] for t in result.time.values]
        if kind == "stackstac" and "solar_day" in result.coords:
            times = [str(t) for t in result.solar_day.values]
        checks = digest(band_arrays(result, "stackstac" if kind == "stackstac" else "dataset"))
    return {
        "runs_s": runs, "peak_rss_mib": peak, "build_s": builds, "cpu_s": cpu, "loadavg": [load_before, os.getloadavg()[0]],
        "grid": grid, "dates": times, "digest": checks, "chunksize": chunksizes[-1],
        "mosaic": kind == "stackstac" and "solar_day" in result.coords,
    }


# ---- the parent ---------------------------------------------------------------------------


def ensure_stackstac() -> str:
    """stackstac's version, installing it (--no-deps) into this Python when missing."""
    if importlib.util.find_spec("stackstac") is None:
        print(f"Installing the stackstac baseline: {sys.executable} -m pip install --no-deps {STACKSTAC}", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", STACKSTAC], check=True)
    done = subprocess.run([sys.executable, "-c", "import stackstac; print(stackstac.__version__)"],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def warm_page_cache(folder: str) -> int:
    """Read every COG once so that no figure pays for the first read from disk."""
    total = 0
    for root, _dirs, files in os.walk(os.path.join(folder, "data")):
        for name in files:
            with open(os.path.join(root, name), "rb") as stream:
                while True:
                    block = stream.read(1 << 22)
                    if not block:
                        break
                    total += len(block)
    return total


def measure(spec: dict, args, catalog: str) -> dict:
    """One fresh process running spec's loader --repeats times: its JSON report."""
    command = [sys.executable, os.path.abspath(__file__), "--child", spec["kind"], "--catalog", catalog,
               "--repeats", str(args.repeats), "--threads", str(args.threads),
               "--chunk", str(spec.get("chunk", args.chunk)), "--scratch", args.scratch]
    if spec.get("no_probe"):
        command.append("--no-probe")
    if spec.get("plugin_gdal_options"):
        command.append("--plugin-gdal-options")
    env = dict(os.environ, **spec.get("env", {}))
    return common.run_json(command, env=env)


def as_figure(spec: dict, results, args) -> dict:
    """The figure of one spec from its processes' reports (one per round)."""
    runs = [r for result in results for r in result["runs_s"]]
    builds = [b for result in results for b in result["build_s"]]
    cpu = [c for result in results for c in result["cpu_s"]]
    last = results[-1]
    notes = spec.get("notes", "")
    if spec["kind"] == "stackstac":
        notes += "; mosaic: " + ("yes" if last["mosaic"] else "not needed (one item per solar day)")
    return common.figure(
        spec["name"], runs, max(result["peak_rss_mib"] for result in results), notes=notes,
        build_s=round(statistics.median(builds), 4),
        compute_s=round(statistics.median(r - b for r, b in zip(runs, builds)), 4),
        cpu_s=round(statistics.median(cpu), 4), cpu_runs_s=[round(c, 3) for c in cpu],
        processes=len(results), load_average=[result["loadavg"] for result in results],
        chunk=spec.get("chunk", args.chunk), dask_chunksize=last["chunksize"], env=spec.get("env", {}),
        grid=last["grid"], dates=len(last["dates"]), _reports=results,
    )


def specs(args):
    chunk = args.chunk
    main = [
        {"name": "load/sitscube", "kind": "sitscube",
         "notes": f"read_item_collection + load_cube (probe, configure_rio, odc.stac.load, per-date coords) "
                  f"+ engine.scheduler.compute; chunks 1 x {chunk}²"},
        {"name": "load/odc.stac.load", "kind": "odc",
         "notes": f"pystac.ItemCollection.from_file + odc.stac.load(groupby='solar_day', chunks 1 x {chunk}²).compute()"},
        {"name": "load/stackstac.stack", "kind": "stackstac",
         "notes": f"pystac.ItemCollection.from_file + stackstac.stack(dtype uint16, fill 0, rescale False, "
                  f"chunksize {chunk}).compute(); stackstac.mosaic per solar day when items share one"},
        {"name": "load+write/sitscube", "kind": "sitscube-write",
         "notes": "as load/sitscube, then write_cube to .nc instead of computing to memory"},
    ]
    tune = [
        {"name": "tune/sitscube chunk 512", "kind": "sitscube", "chunk": 512},
        {"name": "tune/sitscube chunk 2048", "kind": "sitscube", "chunk": 2048},
        {"name": "tune/sitscube GDAL_CACHEMAX=64", "kind": "sitscube", "env": {"GDAL_CACHEMAX": "64"}},
        {"name": "tune/sitscube GDAL_NUM_THREADS=ALL_CPUS", "kind": "sitscube",
         "env": {"GDAL_NUM_THREADS": "ALL_CPUS"}},
        {"name": "tune/sitscube OPENBLAS_NUM_THREADS=1", "kind": "sitscube", "env": {"OPENBLAS_NUM_THREADS": "1"},
         "notes": "odc-geo inverts a 3x3 affine twice per chunk read; OpenBLAS wakes its own threads for it"},
        {"name": "tune/odc.stac.load OPENBLAS_NUM_THREADS=1", "kind": "odc", "env": {"OPENBLAS_NUM_THREADS": "1"}},
        {"name": "tune/sitscube no probe", "kind": "sitscube", "no_probe": True,
         "notes": "probe_assets=False: the cost of opening every asset header first"},
        {"name": "tune/odc.stac.load + plugin GDAL options", "kind": "odc", "plugin_gdal_options": True,
         "notes": "odc.stac.configure_rio(cloud_defaults=True, **gdal_http_options(...)) before the direct load"},
    ]
    return main + ([] if args.no_tune else tune)


def agreement(figures) -> dict:
    """Same grid, dates and pixels in every process of every figure; odc.stac.load's first is the reference."""
    reference_figure = next(f for f in figures if f["name"] == "load/odc.stac.load")
    reference = reference_figure["_reports"][0]
    problems, pixels, checked = [], [], 0
    for f in figures:
        for index, report in enumerate(f["_reports"]):
            if report is reference:
                continue
            checked += 1
            label = f["name"] + (f" (process {index + 1})" if len(f["_reports"]) > 1 else "")
            for key in ("shape", "transform", "crs", "x0", "y0"):
                if report["grid"][key] != reference["grid"][key]:
                    problems.append(f"{label}: grid {key} {report['grid'][key]} != {reference['grid'][key]}")
            if report["dates"] != reference["dates"]:
                problems.append(f"{label}: dates {report['dates']} != {reference['dates']}")
            for band in BANDS:
                mine, theirs = report["digest"][band], reference["digest"][band]
                differ = [reference["dates"][t] for t, (a, b) in enumerate(zip(mine["sha1"], theirs["sha1"])) if a != b]
                if differ or len(mine["sha1"]) != len(theirs["sha1"]):
                    pixels.append(
                        f"{label}: {band} differs on {len(differ)} date(s) ({', '.join(differ[:5])}"
                        f"{' …' if len(differ) > 5 else ''}); sum {mine['sum']} vs {theirs['sum']}, "
                        f"nodata pixels {mine['zeros']} vs {theirs['zeros']}")
    return {"reference": reference_figure["name"], "processes_checked": checked,
            "grid": reference["grid"], "dates": len(reference["dates"]),
            "dtypes": {f["name"]: {b: f["_reports"][0]["digest"][b]["dtype"] for b in BANDS} for f in figures},
            "same_grid_and_dates": not problems, "identical_pixels": not pixels,
            "identical": not problems and not pixels, "problems": problems + pixels}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="512² × 10 dates instead of 2048² × 40")
    parser.add_argument("--size", type=int, help="pixels per side at 10 m (default 2048, 512 with --quick)")
    parser.add_argument("--dates", type=int, help="dates (default 40, 10 with --quick)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per process (median over all runs)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every figure's process this many times, interleaved (for a busy machine)")
    parser.add_argument("--threads", type=int, default=2, help="dask threads in every figure")
    parser.add_argument("--chunk", type=int, default=1024, help="y/x chunk (the plugin's default: 1024)")
    parser.add_argument("--no-tune", action="store_true", help="only the four main figures")
    parser.add_argument("--json", help="default: bench-output/load.json")
    parser.add_argument("--scratch", default=os.path.join(common.ROOT, "build"),
                        help="folder for the written cube (load+write)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--catalog", help=argparse.SUPPRESS)
    parser.add_argument("--no-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plugin-gdal-options", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args)))
        return 0

    size = args.size or (512 if args.quick else 2048)
    count = args.dates or (10 if args.quick else 40)
    from catalog import ensure_catalog

    version = ensure_stackstac()
    folder = ensure_catalog(size, count)
    os.makedirs(args.scratch, exist_ok=True)
    cached = warm_page_cache(folder)
    print(f"Load {len(BANDS)} bands × {count} dates × {size}² at {RESOLUTION} m from {folder} "
          f"({cached / 2**20:.0f} MiB of COGs), dask threads × {args.threads}, {args.repeats} runs per process, "
          f"{args.rounds} round(s); stackstac {version}", flush=True)
    todo = specs(args)
    reports = {spec["name"]: [] for spec in todo}
    for round_ in range(args.rounds):
        for spec in todo:
            print(f"  {spec['name']}{f' (round {round_ + 1})' if args.rounds > 1 else ''} …", flush=True)
            reports[spec["name"]].append(measure(spec, args, folder))
    figures = [as_figure(spec, reports[spec["name"]], args) for spec in todo]

    check = agreement(figures)
    ours = common.compare(figures, "load/sitscube", "load/odc.stac.load", goal=GOAL)
    by_name = {f["name"]: f for f in figures}
    # The same ratio on CPU time (all threads): what the plugin adds in work, whatever else runs here.
    ours["cpu_ratio"] = round(by_name["load/odc.stac.load"]["cpu_s"] / ours["cpu_s"], 3)
    ours["ratio_vs_stackstac"] = round(by_name["load/stackstac.stack"]["median_s"] / ours["median_s"], 3)
    if "load+write/sitscube" in by_name:
        by_name["load+write/sitscube"]["notes"] += (
            f"; writing adds {by_name['load+write/sitscube']['median_s'] - ours['median_s']:.2f} s to load/sitscube")
    for f in figures:
        if f["name"].startswith("tune/sitscube"):
            common.compare(figures, f["name"], "load/sitscube")
        elif f["name"].startswith("tune/odc"):
            common.compare(figures, f["name"], "load/odc.stac.load")
    for f in figures:
        f.pop("_reports")

    print()
    for f in figures:
        print(common.format_row(f))
        print(f"  {'':<44} build {f['build_s']:.3f} s, compute {f['compute_s']:.3f} s, CPU {f['cpu_s']:.2f} s; "
              f"runs {', '.join(f'{r:.2f}' for r in f['runs_s'])}")
    print(f"  load/sitscube: x{ours['cpu_ratio']:.2f} vs load/odc.stac.load in CPU time, "
          f"x{ours['ratio_vs_stackstac']:.2f} vs load/stackstac.stack in wall-clock time")
    loads = [value for f in figures for pair in f["load_average"] for value in pair]
    print(f"  1-minute load average during the figures: {min(loads):.1f} to {max(loads):.1f} "
          f"({os.cpu_count()} CPUs)")
    grid = check["grid"]
    print(f"Agreement with {check['reference']}: grid {grid['shape']} {grid['transform']} {grid['crs']}, "
          f"{check['dates']} dates; in the {check['processes_checked']} other process(es): grid and dates "
          f"{'the same' if check['same_grid_and_dates'] else 'DIFFERENT'}, pixels "
          f"{'identical' if check['identical_pixels'] else 'DIFFERENT'}")
    for problem in check["problems"]:
        print(f"  {problem}")
    path = write_results(figures, check, args, size, count, version)
    print(f"Written {path}")
    return 0 if check["identical"] else 1


def write_results(figures, check, args, size, count, version):
    return common.write_results(
        "load", figures, path=args.json, quick=args.quick,
        data={"size": size, "dates": count, "bands": BANDS, "resolution": RESOLUTION, "epsg": EPSG,
              "source": "bench/catalog.py, local COG files (absolute paths)"},
        scheduler=f"dask threads, num_workers={args.threads}", repeats=args.repeats, rounds=args.rounds,
        stackstac=version, agreement=check,
    )


if __name__ == "__main__":
    sys.exit(main())
