"""Benchmark the whole chain against the PyPI ``sits`` package (0.8.0): STAC search to gap-filled cube.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_sits_chain.py [--quick] [--repeats 3] [--steps]

What is compared. The same product made by two libraries from the same
catalog, on the same machine, in the same run: the Sentinel-2 L2A items of
bench/catalog.py (``ensure_catalog``; default 1024² pixels × 40 dates,
``--quick`` 256² × 12) served by the project's real STAC API on loopback
(tests/services/stac_api.py: PostgreSQL + pgstac + stac-fastapi, assets as
HTTP URLs on a loopback server with Range support, read through GDAL's
/vsicurl/). Each chain searches that API (same lon/lat box, same dates,
collection sentinel-2-l2a, no cloud filter), loads B02, B03, B04, B08 and
SCL at 10 m in EPSG:32631 on exactly the catalog's square (SCL resampled
with nearest), removes the baseline-04.00 offset, masks SCL classes
0, 1, 3, 8, 9, 10, fills the masked pixels along time, and writes the cube
to a netCDF file. Each builds its chain lazily (dask) and computes it once,
when writing.

* ``chain/sitscube`` (.venv's Python, the plugin's engine, as its algorithms
  call it, in one graph): ``stac_search.search(SearchRequest(...))``,
  ``load_cube(CubeRequest(items, bands, resolution=10, crs="EPSG:32631",
  aoi=<the square in EPSG:32631>))``, ``harmonize``, ``cloud_mask`` (its
  defaults: SCL, 0,1,3,8,9,10, no dilation), ``gap_fill(method="linear")``,
  ``write_cube(cube, "….nc")`` (uint16 kept, shuffle + deflate level 1,
  512² chunks, compressed in dask's threads: engine/netcdf_chunks.py).
* ``chain/sits-package`` (build/sits-venv's Python, sits 0.8.0 as its docs
  and tests use it): ``StacAttack(provider="aws", collection, bands)``,
  ``searchItems(bbox_lonlat, date_start, date_end)``,
  ``loadCube(bbox_utm, resolution=10, crs_out=32631)``, ``fixS2shift()``,
  ``mask_conf(mask_band="SCL", mask_values=[0,1,3,8,9,10])``,
  ``mask_apply()``, ``gapfill()``, ``to_nc(folder, filename=…)``.
  sits 0.8.0 knows two catalogs only (Planetary Computer, Earth Search) and
  has no parameter for another URL, so the benchmark sets the URL of the
  provider entry it chose, ``StacAttack.stac["stac"]``, before searching:
  configuration data, not code; nothing of sits is monkeypatched.
* ``chain/sits-package+linear``: the same, plus the one line a user needs
  for the linear interpolation ``gapfill`` documents:
  ``cube = cube.chunk(time=-1).interpolate_na(dim="time", method="linear")``
  before ``gapfill()``. sits 0.8.0's ``gapfill`` calls
  ``Dataset.interpolate_na()`` without ``dim``, which xarray turns into a
  no-op (no variable has the dimension ``None``), so as shipped it only runs
  ``bfill`` then ``ffill``: a masked pixel takes the NEXT valid value in
  time, not a linear interpolation. This variant is the like-for-like
  product; its time is reported too (``--no-linear`` leaves it out).

Measured: each run of each chain is a fresh subprocess (no warm GDAL or
dask caches carried over); runs are interleaved (ours, sits, sits+linear,
ours, …) and every COG is read once beforehand so all find them in the OS
page cache. After each run the written file is synced to disk (``os.sync``,
outside the clocks) so no run is timed while the kernel flushes another's. The clock starts after the imports (reported as ``imports_s``)
and stops when the netCDF file is closed: search, load, harmonize, mask,
gap-fill and write are all inside. Both use dask's local threads with
``--threads`` workers (default 2). Per figure: median seconds of
``--repeats`` runs (default 3), all runs, and peak resident memory (VmHWM
of the child, the largest over its runs). Per-step times in ``steps``:
``search``, ``build`` (the lazy graph: load … gap-fill, which for
sitscube includes probing every asset header) and ``compute+write``.
``--steps`` adds one run per chain for each prefix of the chain written
to disk (load; +harmonize; +mask), giving what each step costs when it is
computed (``steps/<chain>/<prefix>`` figures; increments in their notes).

Agreement (last run of each chain; exit 1 if a check fails): same dates,
grid and shape; on pixels kept by the mask both must hold the harmonized
value, with two documented exceptions counted separately: sits clips
reflectance to 10000 (``fixS2shift(maxval=10000)``, on every date between
the first and last offset date: the sample's snow, SCL 11, above 1.0) and
sets post-04.00 values below 1000 to 0 (ours: 1, since 0 is nodata); any
other difference on a kept pixel fails the check. On filled pixels the
differences are reported (the shipped sits fills with the next
observation); ``+linear`` must agree with ours within 1 DN (rounding) on at
least 99.9 % of them, every band. sits writes float32 with NaN (and masks,
then fills, SCL too); ours keeps uint16 and nodata 0 and leaves SCL as
loaded.

Goal (issue 7): ``chain/sitscube`` at least 5× faster than
``chain/sits-package`` (median over median). Results:
bench-output/sits_chain.json (bench/common.write_results).

sits lives in its own venv, ``build/sits-venv`` (its pins clash with QGIS's
Python: numpy, dask, wheels bundling GDAL/GEOS), made here when missing:
``/usr/bin/python3 -m venv build/sits-venv`` and ``pip install -r
requirements-sits.txt``.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402  (bench/common.py; stdlib only, importable in both venvs)

ROOT = common.ROOT
SITS_VENV = os.path.join(ROOT, "build", "sits-venv")
SITS_PYTHON = os.path.join(SITS_VENV, "bin", "python")
SITS_REQUIREMENTS = os.path.join(ROOT, "requirements-sits.txt")
STAC_SERVICE = os.path.join(ROOT, "tests", "services", "stac_api.py")
COLLECTION = "sentinel-2-l2a"
BANDS = ["B02", "B03", "B04", "B08"]
MASK_BAND = "SCL"
MASK_VALUES = [0, 1, 3, 8, 9, 10]
EPSG = 32631
RESOLUTION = 10
GOAL = 5.0
SITS_MAXVAL = 10000  # fixS2shift's default clip
LINEAR_AGREEMENT = 0.999  # share of filled pixels within 1 DN: sits+linear against ours
OURS = "chain/sitscube"
SITS = "chain/sits-package"
SITS_LINEAR = "chain/sits-package+linear"
CHAINS = {OURS: "sitscube", SITS: "sits-package", SITS_LINEAR: "sits-package+linear"}
PREFIXES = ("load", "harmonize", "mask")  # --steps: the chain cut after these, written to disk


# ---- the measured processes -----------------------------------------------------------------


class Clock:
    """Lap times of one run, in seconds."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.steps = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = round(now - self.last, 4)
        self.last = now

    def total(self) -> float:
        return self.last - self.start


def chain_sitscube(spec: dict, output: str, until: str) -> dict:
    """The engine's chain, as the algorithms run it, in one lazy graph written once."""
    imports = Clock()
    # The engine imports its libraries inside its functions (QGIS must start fast):
    # import them before the clock, as `from sits import sits` does for sits.
    import dask.array  # noqa: F401
    import netCDF4  # noqa: F401
    import odc.stac  # noqa: F401
    import pystac_client  # noqa: F401
    import xarray  # noqa: F401
    from odc.geo import geom

    with contextlib.suppress(ImportError):
        import distributed  # noqa: F401  (dask's rechunk imports it when it is installed)
    with contextlib.suppress(ImportError):
        import sitscube.engine.gapfill_numba  # noqa: F401  (numba, and the kernel from its cache)
    with contextlib.suppress(ImportError):
        import h5py  # noqa: F401  (netCDF chunks stored directly)
    with contextlib.suppress(ImportError):
        from isal import isal_zlib  # noqa: F401  (their deflate)
    from osgeo import gdal  # noqa: F401  (the asset probe; QGIS has it loaded anyway)
    from sitscube.engine.cloudmask import cloud_mask
    from sitscube.engine.cube_io import write_cube
    from sitscube.engine.cube_load import CubeRequest, load_cube
    from sitscube.engine.gapfill import gap_fill
    from sitscube.engine.harmonize import harmonize
    from sitscube.engine.stac_search import SearchRequest, search

    imports.lap("imports")
    clock = Clock()
    found = search(SearchRequest(
        catalog_url=spec["url"], collections=[COLLECTION], bbox=tuple(spec["bbox_lonlat"]),
        start=dt.date.fromisoformat(spec["start"]), end=dt.date.fromisoformat(spec["end"]),
    ))
    items = found["features"]
    clock.lap("search")
    cube = load_cube(CubeRequest(
        items=items, bands=BANDS + [MASK_BAND], resolution=RESOLUTION, crs=f"EPSG:{EPSG}",
        aoi=geom.box(*spec["bounds"], crs=f"EPSG:{EPSG}"),
    ))
    if until != "load":
        cube, _ = harmonize(cube)
    if until not in ("load", "harmonize"):
        cube, _ = cloud_mask(cube, mask_band=MASK_BAND, mask_values=MASK_VALUES)
    if until == "gapfill":
        cube = gap_fill(cube, method="linear")
    clock.lap("build")
    write_cube(cube, output)
    clock.lap("compute+write")
    return {"seconds": clock.total(), "steps": clock.steps, "imports_s": imports.total(), "items": len(items)}


def chain_sits_package(spec: dict, output: str, until: str, linear: bool) -> dict:
    """sits 0.8.0's chain, through its public methods (see the module docstring)."""
    imports = Clock()
    from sits import sits

    imports.lap("imports")
    clock = Clock()
    stac = sits.StacAttack(provider="aws", collection=COLLECTION, bands=BANDS + [MASK_BAND])
    stac.stac["stac"] = spec["url"]  # the only way to name another catalog (no parameter for it)
    start = dt.datetime.fromisoformat(spec["start"])
    end = dt.datetime.fromisoformat(spec["end"]) + dt.timedelta(hours=23, minutes=59, seconds=59)
    stac.searchItems(list(spec["bbox_lonlat"]), date_start=start, date_end=end)
    clock.lap("search")
    stac.loadCube(list(spec["bounds"]), arrtype="image", resolution=RESOLUTION, crs_out=EPSG)
    if until != "load":
        stac.fixS2shift()
    if until not in ("load", "harmonize"):
        stac.mask_conf(mask_band=MASK_BAND, mask_values=MASK_VALUES)
        stac.mask_apply()
    if until == "gapfill":
        if linear:  # what gapfill() documents but does not do (it omits dim=)
            stac.cube = stac.cube.chunk(time=-1).interpolate_na(dim="time", method="linear")
        stac.gapfill()
    clock.lap("build")
    stac.to_nc(os.path.dirname(output), filename=os.path.basename(output))
    clock.lap("compute+write")
    return {"seconds": clock.total(), "steps": clock.steps, "imports_s": imports.total(), "items": len(stac.items)}


def versions(chain: str) -> dict:
    import importlib.metadata as metadata

    names = ["numpy", "xarray", "dask", "odc-stac", "rasterio", "netCDF4", "pystac-client"]
    names += ["numba"] if chain == "sitscube" else ["sits"]
    found = {}
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    import rasterio

    found["gdal"] = rasterio.__gdal_version__
    return found


def child(args) -> dict:
    import dask

    dask.config.set(scheduler="threads", num_workers=args.threads)
    spec = json.loads(args.spec)
    if args.child == "sitscube":
        result = chain_sitscube(spec, args.output, args.until)
    else:
        result = chain_sits_package(spec, args.output, args.until, linear=args.child.endswith("+linear"))
    result["peak_rss_mib"] = common.peak_rss_mib()
    result["versions"] = versions(args.child)
    return result


# ---- the parent: environment, services, runs -----------------------------------------------------


def ensure_sits_venv() -> None:
    """build/sits-venv with requirements-sits.txt, made when missing or broken."""
    check = [SITS_PYTHON, "-c", "import sits.sits"]
    if os.path.exists(SITS_PYTHON) and subprocess.run(check, capture_output=True).returncode == 0:
        return
    print(f"Making {SITS_VENV} (pip install -r requirements-sits.txt) …", flush=True)
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--clear", SITS_VENV], check=True)
    subprocess.run([SITS_PYTHON, "-m", "pip", "install", "-q", "-r", SITS_REQUIREMENTS], check=True)
    subprocess.run(check, check=True)


def catalog_spec(folder: str, threads: int) -> dict:
    """What both chains are asked for: the square in UTM, its lon/lat box, the dates."""
    with open(os.path.join(folder, "manifest.json")) as stream:
        manifest = json.load(stream)
    with open(os.path.join(folder, "collections", f"{COLLECTION}.json")) as stream:
        collection = json.load(stream)
    x0, y1 = manifest["origin"]
    width = manifest["size"] * RESOLUTION
    first, last = collection["extent"]["temporal"]["interval"][0]
    return {
        "bounds": [x0, y1 - width, x0 + width, y1], "bbox_lonlat": collection["extent"]["spatial"]["bbox"][0],
        "start": first[:10], "end": last[:10], "size": manifest["size"], "dates": manifest["dates"],
        "threads": threads,
    }


def warm_page_cache(folder: str) -> int:
    """Read every COG once so that no run pays for the first read from disk."""
    total = 0
    for root, _dirs, files in os.walk(os.path.join(folder, "data")):
        for name in files:
            with open(os.path.join(root, name), "rb") as stream:
                while block := stream.read(1 << 22):
                    total += len(block)
    return total


@contextlib.contextmanager
def stac_api(folder: str, scratch: str, timeout: float = 300.0):
    """The real STAC API serving folder on loopback; yields {url, cog_url}. Stopped with SIGTERM."""
    state = os.path.join(scratch, "stac-state.json")
    log_path = os.path.join(scratch, "stac-api.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, STAC_SERVICE, "serve", "--catalog", folder, "--state", state],
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not os.path.exists(state):
            if server.poll() is not None or time.monotonic() > deadline:
                with open(log_path) as log:
                    raise RuntimeError(f"The STAC API did not start:\n{log.read()[-3000:]}")
            time.sleep(0.5)
        with open(state) as stream:
            yield json.load(stream)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def child_command(chain: str, spec: dict, output: str, until: str, threads: int):
    python = sys.executable if chain == "sitscube" else SITS_PYTHON
    return [python, os.path.abspath(__file__), "--child", chain, "--spec", json.dumps(spec),
            "--output", output, "--until", until, "--threads", str(threads)]


def child_env(chain: str) -> dict:
    env = dict(os.environ)
    if chain == "sitscube":
        env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.join(ROOT, "build", "plugins"), env.get("PYTHONPATH")) if p)
    else:  # sits's wheels bring their own GDAL and PROJ: no paths meant for the system ones
        for name in ("PYTHONPATH", "GDAL_DATA", "PROJ_LIB", "PROJ_DATA"):
            env.pop(name, None)
    return env


def run_chain(chain: str, spec: dict, output: str, until: str, threads: int) -> dict:
    with contextlib.suppress(FileNotFoundError):
        os.remove(output)
    result = common.run_json(child_command(chain, spec, output, until, threads), env=child_env(chain))
    if not os.path.exists(output):
        raise RuntimeError(f"{chain} wrote nothing to {output}")
    result["output_mib"] = round(os.path.getsize(output) / 2**20, 1)
    # Its file's dirty pages written out now, outside every clock: otherwise the kernel
    # flushes them (sits: 800 MiB) while the next run, of the other chain, is timed.
    os.sync()
    return result


def make_figure(name: str, runs, notes: str) -> dict:
    steps = {key: round(statistics.median(r["steps"][key] for r in runs), 4) for key in runs[0]["steps"]}
    return common.figure(
        name, [r["seconds"] for r in runs], max(r["peak_rss_mib"] for r in runs), notes=notes, steps=steps,
        peak_rss_runs_mib=[round(r["peak_rss_mib"], 1) for r in runs],
        imports_s=round(statistics.median(r["imports_s"] for r in runs), 3), items=runs[-1]["items"],
        output_mib=runs[-1]["output_mib"], versions=runs[-1]["versions"],
    )


NOTES = {
    OURS: "engine: search, load_cube, harmonize, cloud_mask, gap_fill(linear), write_cube (.nc uint16, shuffle+deflate 1)",
    SITS: "sits 0.8.0: StacAttack.searchItems, loadCube, fixS2shift, mask_conf+mask_apply, gapfill, to_nc "
          "(float32, uncompressed); gapfill as shipped = bfill+ffill (interpolate_na without dim is a no-op)",
    SITS_LINEAR: "as chain/sits-package plus cube.chunk(time=-1).interpolate_na(dim='time') before gapfill(): "
                 "the linear fill gapfill documents",
}


# ---- agreement ----------------------------------------------------------------------------------


def compare_products(ours_path: str, theirs_path: str, linear: bool) -> dict:
    """Dates, grid, and per band the pixel differences on kept and on filled pixels."""
    import numpy as np
    import xarray as xr

    with xr.open_dataset(ours_path, mask_and_scale=False) as ours, xr.open_dataset(theirs_path) as theirs:
        problems = []
        mine_t = ours["time"].values.astype("datetime64[ms]")
        their_t = theirs["time"].values.astype("datetime64[ms]")
        if mine_t.shape != their_t.shape or (mine_t != their_t).any():
            problems.append(f"dates differ: {len(mine_t)} vs {len(their_t)}")
        for axis in ("x", "y"):
            if ours[axis].shape != theirs[axis].shape or not np.allclose(ours[axis], theirs[axis]):
                problems.append(f"{axis} coordinates differ ({ours.sizes[axis]} vs {theirs.sizes[axis]} pixels)")
        if problems:
            return {"ok": False, "problems": problems}
        masked = np.isin(ours[MASK_BAND].values, MASK_VALUES)
        bands = {band: compare_band(ours[band].values, theirs[band].values, masked) for band in BANDS}
    other = sum(b["kept_other"] for b in bands.values())
    if other:
        problems.append(f"{other} kept pixel(s) differ for no documented reason")
    if linear and any((b["filled_within_1"] or 0) < LINEAR_AGREEMENT for b in bands.values()):
        problems.append(f"linear fill: fewer than {LINEAR_AGREEMENT:.1%} of filled pixels within 1 DN of ours")
    return {
        "ok": not problems, "problems": problems, "dates": int(len(mine_t)),
        "shape": [int(n) for n in masked.shape], "masked_fraction": round(float(masked.mean()), 4), "bands": bands,
    }


def compare_band(mine, theirs, masked) -> dict:
    """mine: uint16 (nodata 0); theirs: float32 (NaN); masked: where SCL was masked."""
    import numpy as np

    mine = mine.astype(np.float32)
    kept = ~masked
    diff = theirs - mine
    clipped = kept & (theirs == SITS_MAXVAL) & (mine > SITS_MAXVAL)
    zeroed = kept & (theirs == 0) & (mine == 1)
    kept_other = kept & ~(diff == 0) & ~clipped & ~zeroed
    filled = masked & (mine != 0) & ~np.isnan(theirs)
    gaps = np.abs(diff[filled])
    return {
        "kept_pixels": int(kept.sum()), "kept_equal": int((kept & (diff == 0)).sum()),
        "kept_clipped_by_sits": int(clipped.sum()), "kept_zero_in_sits_one_in_ours": int(zeroed.sum()),
        "kept_other": int(kept_other.sum()),
        "filled_pixels": int(filled.sum()),
        "filled_within_1": round(float((gaps <= 1).mean()), 4) if gaps.size else None,
        "filled_mean_abs_diff": round(float(gaps.mean()), 2) if gaps.size else None,
        "filled_p99_abs_diff": round(float(np.percentile(gaps, 99)), 1) if gaps.size else None,
        "unfilled_ours": int((masked & (mine == 0)).sum()), "nan_theirs": int(np.isnan(theirs).sum()),
    }


def describe(label: str, check: dict) -> str:
    if "bands" not in check:
        return f"  {label}: STRUCTURE DIFFERS: {'; '.join(check['problems'])}"
    total = {key: sum(b[key] for b in check["bands"].values())
             for key in ("kept_pixels", "kept_equal", "kept_clipped_by_sits", "kept_zero_in_sits_one_in_ours",
                         "kept_other", "filled_pixels")}
    within = [b["filled_within_1"] for b in check["bands"].values() if b["filled_within_1"] is not None]
    mean = [b["filled_mean_abs_diff"] for b in check["bands"].values() if b["filled_mean_abs_diff"] is not None]
    return (f"  {label}: {check['dates']} dates, shape {check['shape']}, {check['masked_fraction']:.1%} masked; "
            f"kept pixels equal {total['kept_equal'] / max(1, total['kept_pixels']):.4%} "
            f"(sits clipped at {SITS_MAXVAL}: {total['kept_clipped_by_sits']}, sits 0 / ours 1: "
            f"{total['kept_zero_in_sits_one_in_ours']}, other: {total['kept_other']}); filled pixels within 1 DN "
            f"{min(within, default=0):.2%}-{max(within, default=0):.2%}, mean |diff| "
            f"{min(mean, default=0):.1f}-{max(mean, default=0):.1f} DN"
            + ("" if check["ok"] else f"; FAILED: {'; '.join(check['problems'])}"))


# ---- main -----------------------------------------------------------------------------------------


def measure(chains, spec, scratch, args) -> dict:
    """Interleaved runs of every chain; {figure name: [run results]}."""
    runs = {name: [] for name in chains}
    for repeat in range(args.repeats):
        for name in chains:
            output = os.path.join(scratch, CHAINS[name].replace("+", "_") + ".nc")
            result = run_chain(CHAINS[name], spec, output, "gapfill", args.threads)
            runs[name].append(result)
            print(f"  run {repeat + 1}/{args.repeats} {name:<28} {result['seconds']:8.2f} s "
                  f"{result['peak_rss_mib']:7.0f} MiB  {result['steps']}", flush=True)
    return runs


def measure_steps(chains, spec, scratch, args, figures) -> list:
    """--steps: one run of each prefix per chain; the full chain's median closes the list."""
    extra = []
    for name in chains:
        chain = CHAINS[name]
        previous = 0.0
        for prefix in PREFIXES:
            output = os.path.join(scratch, f"steps-{chain.replace('+', '_')}.nc")
            result = run_chain(chain, spec, output, prefix, args.threads)
            figure = common.figure(f"steps/{chain}/{prefix}", [result["seconds"]], result["peak_rss_mib"],
                                   notes=f"{result['seconds'] - previous:+.2f} s for {prefix}", steps=result["steps"])
            previous = result["seconds"]
            extra.append(figure)
            print(common.format_row(figure) + f"   {figure['notes']}", flush=True)
        full = next(f for f in figures if f["name"] == name)
        print(f"  {name}: {full['median_s'] - previous:+.2f} s for gapfill (full chain median)", flush=True)
    return extra


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="256² × 12 dates instead of 1024² × 40")
    parser.add_argument("--size", type=int, help="pixels per side at 10 m (default 1024, 256 with --quick)")
    parser.add_argument("--dates", type=int, help="dates (default 40, 12 with --quick)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per chain (median)")
    parser.add_argument("--threads", type=int, default=2, help="dask threads in every chain")
    parser.add_argument("--no-linear", action="store_true", help="leave out chain/sits-package+linear")
    parser.add_argument("--steps", action="store_true", help="also time each chain cut after load, harmonize, mask")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal is not met")
    parser.add_argument("--keep", action="store_true", help="keep the cubes written (path printed)")
    parser.add_argument("--json", help="default: bench-output/sits_chain.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--until", default="gapfill", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args)))
        return 0

    size = args.size or (256 if args.quick else 1024)
    count = args.dates or (12 if args.quick else 40)
    chains = [OURS, SITS] + ([] if args.no_linear else [SITS_LINEAR])
    from catalog import ensure_catalog

    ensure_sits_venv()
    folder = ensure_catalog(size, count)
    spec = catalog_spec(folder, args.threads)
    cached = warm_page_cache(folder)
    scratch = tempfile.mkdtemp(prefix="bench-sits-chain-", dir=os.path.join(ROOT, "build"))
    try:
        with stac_api(folder, scratch) as service:
            spec["url"] = service["url"]
            print(f"Chain search → gap-filled cube: {len(BANDS)} bands + SCL × {count} dates × {size}² at "
                  f"{RESOLUTION} m, STAC API {service['url']}, COGs {service['cog_url']} ({cached / 2**20:.0f} MiB), "
                  f"dask threads × {args.threads}, {args.repeats} runs per chain", flush=True)
            runs = measure(chains, spec, scratch, args)
            figures = [make_figure(name, runs[name], NOTES[name]) for name in chains]
            if args.steps:
                figures += measure_steps(chains, spec, scratch, args, figures)
        checks = {name: compare_products(os.path.join(scratch, "sitscube.nc"),
                                         os.path.join(scratch, CHAINS[name].replace("+", "_") + ".nc"),
                                         linear=name == SITS_LINEAR)
                  for name in chains if name != OURS}
    finally:
        if args.keep:
            print(f"Cubes kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return report(figures, checks, args, spec)


def report(figures, checks, args, spec) -> int:
    ours = common.compare(figures, OURS, SITS, goal=GOAL)
    if any(f["name"] == SITS_LINEAR for f in figures):
        by_name = {f["name"]: f for f in figures}
        ours["ratio_vs_sits_linear"] = round(by_name[SITS_LINEAR]["median_s"] / ours["median_s"], 3)
    print()
    for f in figures:
        if f["name"].startswith("chain/"):
            print(common.format_row(f) + f"   steps {f['steps']}, imports {f['imports_s']:.1f} s, "
                                         f"file {f['output_mib']} MiB")
    if "ratio_vs_sits_linear" in ours:
        print(f"  {OURS} vs {SITS_LINEAR}: x{ours['ratio_vs_sits_linear']:.2f}")
    print("Agreement with chain/sitscube (last run of each):")
    for name, check in checks.items():
        print(describe(name, check))
    path = common.write_results(
        "sits_chain", figures, path=args.json, quick=args.quick, repeats=args.repeats,
        data={key: spec[key] for key in ("size", "dates", "bounds", "bbox_lonlat", "start", "end")}
        | {"bands": BANDS + [MASK_BAND], "mask_values": MASK_VALUES, "epsg": EPSG, "resolution": RESOLUTION,
           "source": "bench/catalog.py served by tests/services/stac_api.py (pgstac + stac-fastapi, COGs over HTTP)"},
        scheduler=f"dask threads, num_workers={args.threads}", agreement=checks,
    )
    print(f"Written {path}")
    agree = all(check["ok"] for check in checks.values())
    return 0 if agree and (ours["goal_met"] or not args.strict) else 1


if __name__ == "__main__":
    sys.exit(main())
