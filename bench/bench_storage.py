"""Stored cubes: netCDF-4 (shuffle + deflate) against Zarr v2 with Blosc codecs.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_storage.py [--quick] [--size 1024] [--dates 40]

One realistic cube (the scaled-up sample scene of bench/catalog.py, loaded
with the plugin's load_cube: 40 dates × B02 B03 B04 B08 uint16 + SCL uint8,
compressible like real reflectance, not noise) is written once to a source
netCDF. Then, each in a fresh process: the source is written as every format
(our writer, engine/cube_io.write_cube, with 512² chunks), and each written
cube is read back whole (open_cube + a sum of every band on dask's threads).
Figures: seconds, peak memory, size on disk, and the ratio of each Zarr codec
against netCDF (> 1: faster). Also checked: every copy holds the same values
and GDAL opens it (the QGIS side).
Results: bench-output/storage.json.
"""

import argparse
import json
import os
import subprocess
import sys

import catalog
import common

VARIANTS = ["netcdf", "zarr:blosc-lz4", "zarr:blosc-zstd1", "zarr:blosc-zstd3", "zarr:blosc-lz4-bitshuffle"]


def _path(folder: str, variant: str) -> str:
    return os.path.join(folder, variant.replace(":", "-") + (".nc" if variant == "netcdf" else ".zarr"))


def make_source(size: int, dates: int, folder: str) -> str:
    """The cube every variant copies: loaded from the benchmark catalog, written once."""
    source = os.path.join(folder, f"source-{size}-{dates}.nc")
    if os.path.exists(source):
        return source
    from sitscube.engine.cube_io import write_cube
    from sitscube.engine.cube_load import CubeRequest, load_cube
    from sitscube.engine.stac_search import read_item_collection

    catalog_dir = catalog.ensure_catalog(size, dates)
    x0, y1 = catalog.ORIGIN
    from odc.geo import geom

    box = (x0, y1 - size * 10, x0 + size * 10, y1)
    cube = load_cube(CubeRequest(items=read_item_collection(os.path.join(catalog_dir, "items.geojson")),
                                 bands=["B02", "B03", "B04", "B08", "SCL"], resolution=10, crs=f"EPSG:{catalog.EPSG}",
                                 aoi=geom.box(*box, crs=f"EPSG:{catalog.EPSG}")))
    write_cube(cube, source)
    return source


def child(args) -> int:
    """One measurement in this fresh process: write a variant, or read it back."""
    import time

    from sitscube.engine.cube_io import open_cube, write_cube

    fmt, _, codec = args.variant.partition(":")
    if codec:
        os.environ["SITSCUBE_ZARR_CODEC"] = codec
    target = _path(args.folder, args.variant)
    import dask
    import numpy as np

    start = time.perf_counter()
    if args.action == "write":
        if os.path.exists(target):
            import shutil

            shutil.rmtree(target) if os.path.isdir(target) else os.remove(target)
        write_cube(open_cube(args.source), target)
        result = {}
    else:
        cube = open_cube(target)
        sums = dask.compute(*[cube[name].data.astype(np.int64).sum() for name in cube.data_vars], scheduler="threads")
        result = {"checksum": [int(s) for s in sums]}
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_rss_mib": common.peak_rss_mib(), **result}))
    return 0


def disk_mib(path: str) -> float:
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files) / 2**20
    return os.path.getsize(path) / 2**20


def gdal_opens(path: str) -> bool:
    from osgeo import gdal

    uri = f'ZARR:"{path}":/B04:0' if path.endswith(".zarr") else f'NETCDF:"{path}":B04'  # Zarr: the first date
    dataset = gdal.Open(uri)
    return dataset is not None and dataset.RasterCount > 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="256² × 12 dates")
    parser.add_argument("--size", type=int, default=None)
    parser.add_argument("--dates", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--action", choices=("write", "read"), help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--json", default=os.path.join(common.OUTPUT, "storage.json"))
    args = parser.parse_args()
    if args.child:
        return child(args)
    size = args.size or (256 if args.quick else 1024)
    dates = args.dates or (12 if args.quick else 40)
    repeats = 1 if args.quick else args.repeats
    folder = os.path.join(common.ROOT, "build", f"bench-storage-{size}-{dates}")
    os.makedirs(folder, exist_ok=True)
    print(f"storage: {dates} dates × {size}² × 4 bands + SCL", flush=True)
    source = make_source(size, dates, folder)

    figures, sizes, checksums, readable = [], {}, {}, {}
    for variant in VARIANTS:
        for action in ("write", "read"):
            runs, peaks, last = [], [], {}
            for _ in range(repeats):
                command = [sys.executable, os.path.abspath(__file__), "--child", "--action", action, "--variant", variant,
                           "--folder", folder, "--source", source]
                last = common.run_json(command, env=dict(os.environ))
                runs.append(last["seconds"])
                peaks.append(last["peak_rss_mib"])
            path = _path(folder, variant)
            if action == "write":
                sizes[variant] = round(disk_mib(path), 1)
                readable[variant] = gdal_opens(path)
            else:
                checksums[variant] = last["checksum"]
            figures.append(common.figure(f"storage/{action} {variant}", runs, max(peaks), disk_mib=sizes[variant]))
            print(common.format_row(figures[-1]) + f"  {sizes[variant]:.0f} MiB on disk", flush=True)
    for variant in VARIANTS[1:]:
        for action in ("write", "read"):
            common.compare(figures, f"storage/{action} {variant}", f"storage/{action} netcdf")
    same = all(c == checksums["netcdf"] for c in checksums.values())
    print(f"same values in every copy: {same}; GDAL opens: {readable}")
    for f in figures:
        if f.get("ratio") is not None:
            print(common.format_row(f))
    path = common.write_results("storage", figures, path=args.json, size=size, dates=dates, disk_mib=sizes,
                                gdal_opens=readable, same_values=same)
    print(f"results: {path}")
    return 0 if same and all(readable.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
