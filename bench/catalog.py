"""The sample catalog scaled up, for the benchmarks.

    PYTHONPATH=build/plugins .venv/bin/python bench/catalog.py --size 4096 --dates 40

One Sentinel-2 L2A item per date covering a square of ``size`` × ``size``
10 m pixels in UTM 31N, with the bands B02, B03, B04, B08 (10 m) and SCL
(20 m) as tiled, DEFLATE-compressed uint16/uint8 Cloud-Optimized GeoTIFFs
with overviews, in the Planetary Computer conventions of the test catalog
(``s2:processing_baseline``, ESA's +1000 offset from baseline 04.00).

The pixels are the test catalog's (``SampleScene``: fields with phenology,
water, forest, town, clouds, shadows, cirrus, a snow date) repeated over the
larger area, so every step of the chain does the same work per pixel as on
the real sample. Dates run every 9 days from 2021-12-02, so the series
crosses baseline 04.00 (25 January 2022).

Layout (what tests/services/stac_api.py serves, plus one file for loaders):

    <folder>/collections/sentinel-2-l2a.json
    <folder>/items/sentinel-2-l2a.ndjson    hrefs relative to <folder>
    <folder>/items.geojson                  an ItemCollection, absolute file paths
    <folder>/data/<date>/<band>.tif
    <folder>/manifest.json                  written last: a complete catalog

Made once per (size, dates) and reused: ``ensure_catalog`` returns at once
when the manifest is there.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile

import numpy as np

COLLECTION = "sentinel-2-l2a"
BANDS = ("B02", "B03", "B04", "B08")  # 10 m reflectance
SCL = "SCL"  # 20 m
ORIGIN = (300000, 4810240)  # top-left, EPSG:32631, on the sample scene's grid
EPSG = 32631
FIRST_DATE = dt.date(2021, 12, 2)
DAYS_BETWEEN = 9
VERSION = 1


def dates(count: int):
    return [FIRST_DATE + dt.timedelta(days=DAYS_BETWEEN * i) for i in range(count)]


def default_folder(size: int, count: int) -> str:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(root, "build", f"bench-catalog-{size}px-{count}d")


def _tiled(array: np.ndarray, size: int) -> np.ndarray:
    """The scene's square repeated to size × size."""
    reps = -(-size // array.shape[0])
    return np.tile(array, (reps, reps))[:size, :size]


def _write_cog(path: str, array: np.ndarray, resolution: int) -> None:
    import rasterio
    from affine import Affine

    profile = dict(
        driver="COG", width=array.shape[1], height=array.shape[0], count=1, dtype=array.dtype.name,
        crs=f"EPSG:{EPSG}", transform=Affine(resolution, 0, ORIGIN[0], 0, -resolution, ORIGIN[1]),
        nodata=0, compress="DEFLATE", level=1, predictor=2, blocksize=512,
        overview_resampling="nearest", num_threads="ALL_CPUS",
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array, 1)


def _footprint(size: int):
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(EPSG, 4326, always_xy=True)
    width = size * 10
    corners = [(0, 0), (width, 0), (width, -width), (0, -width)]
    ring = [[round(v, 7) for v in to_lonlat.transform(ORIGIN[0] + dx, ORIGIN[1] + dy)] for dx, dy in corners]
    ring.append(ring[0])
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return {"type": "Polygon", "coordinates": [ring]}, [min(lons), min(lats), max(lons), max(lats)]


def _asset(href: str, key: str, size: int, resolution: int, common_name=None, offset=None) -> dict:
    n = size * 10 // resolution
    asset = {
        "href": href, "type": "image/tiff; application=geotiff; profile=cloud-optimized", "title": key,
        "roles": ["data"], "proj:shape": [n, n], "gsd": resolution,
        "proj:transform": [resolution, 0, ORIGIN[0], 0, -resolution, ORIGIN[1]],
    }
    if common_name is None:
        asset["raster:bands"] = [{"nodata": 0, "data_type": "uint8", "spatial_resolution": resolution}]
    else:
        asset["eo:bands"] = [{"name": key, "common_name": common_name}]
        asset["raster:bands"] = [{"nodata": 0, "data_type": "uint16", "spatial_resolution": resolution,
                                  "scale": 0.0001, "offset": -0.1 if offset else 0.0}]
    return asset


def write_catalog(folder: str, size: int, count: int, log=print) -> dict:
    from sitscube.engine import sample_catalog as sample

    if size % 2:
        raise ValueError("size must be even (SCL is at 20 m)")
    scene = sample.SampleScene(dates=dates(count))
    geometry, bbox = _footprint(size)
    common = {b[0]: b[1] for b in sample.BANDS}
    items = []
    for index, date in enumerate(scene.dates):
        baseline = sample.processing_baseline(date)
        offset = sample.has_offset(baseline)
        os.makedirs(os.path.join(folder, "data", date.isoformat()), exist_ok=True)
        hrefs = {}
        for band in BANDS + (SCL,):
            resolution = 20 if band == SCL else 10
            if band == SCL:
                pixels = scene.scl(date)
            else:  # every pixel covered: no swath edge in the scaled-up area
                pixels = scene.encode(scene.observed(band, date), offset)
            hrefs[band] = f"data/{date.isoformat()}/{band}.tif"
            _write_cog(os.path.join(folder, hrefs[band]), _tiled(pixels, size * 10 // resolution), resolution)
        scl = _tiled(scene.scl(date), size // 2)
        cloudy = np.isin(scl, [sample.SCL_CLOUD_MEDIUM, sample.SCL_CLOUD_HIGH, sample.SCL_CIRRUS])
        assets = {b: _asset(hrefs[b], b, size, 10, common[b], offset) for b in BANDS}
        assets[SCL] = _asset(hrefs[SCL], SCL, size, 20)
        stamp = date.strftime("%Y%m%d")
        items.append({
            "type": "Feature", "stac_version": "1.0.0", "stac_extensions": sample.STAC_EXTENSIONS,
            "id": f"S2{'AB'[index % 2]}_MSIL2A_{stamp}T105621_R051_TBENCH_{stamp}T160000",
            "collection": COLLECTION, "geometry": geometry, "bbox": bbox,
            "properties": {
                "datetime": f"{date.isoformat()}T10:56:21.024000Z",
                "platform": f"Sentinel-2{'AB'[index % 2]}", "constellation": "Sentinel 2",
                "instruments": ["msi"], "eo:cloud_cover": round(100.0 * float(cloudy.mean()), 2),
                "s2:processing_baseline": baseline, "s2:mgrs_tile": "31TCJ", "proj:epsg": EPSG,
            },
            "links": [], "assets": assets,
        })
        log(f"  {date}: {len(BANDS) + 1} COGs of {size}² ({index + 1}/{count})")

    for sub in ("collections", "items"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    collection = {
        "type": "Collection", "stac_version": "1.0.0", "id": COLLECTION, "license": "CC-BY-4.0", "links": [],
        "title": "Sample Sentinel-2 L2A, scaled up for benchmarks",
        "description": "The SITS Cube sample scene repeated over a larger area (bench/catalog.py).",
        "extent": {"spatial": {"bbox": [bbox]},
                   "temporal": {"interval": [[items[0]["properties"]["datetime"], items[-1]["properties"]["datetime"]]]}},
    }
    with open(os.path.join(folder, "collections", f"{COLLECTION}.json"), "w") as stream:
        json.dump(collection, stream, indent=1)
    with open(os.path.join(folder, "items", f"{COLLECTION}.ndjson"), "w") as stream:
        for item in items:
            stream.write(json.dumps(item) + "\n")
    absolute = json.loads(json.dumps(items))
    for item in absolute:
        for asset in item["assets"].values():
            asset["href"] = os.path.join(os.path.abspath(folder), asset["href"])
    with open(os.path.join(folder, "items.geojson"), "w") as stream:
        json.dump({"type": "FeatureCollection", "features": absolute}, stream)
    manifest = {"version": VERSION, "size": size, "dates": count, "bands": list(BANDS) + [SCL],
                "epsg": EPSG, "origin": list(ORIGIN), "collection": COLLECTION}
    with open(os.path.join(folder, "manifest.json"), "w") as stream:
        json.dump(manifest, stream, indent=1)
    return manifest


def ensure_catalog(size: int, count: int, folder=None, log=print) -> str:
    """The catalog folder for (size, dates), written first if missing (atomically)."""
    folder = os.path.abspath(folder or default_folder(size, count))
    manifest = os.path.join(folder, "manifest.json")
    if os.path.exists(manifest):
        with open(manifest) as stream:
            if json.load(stream).get("version") == VERSION:
                return folder
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    log(f"Writing the benchmark catalog ({count} dates × {size}² pixels) to {folder}")
    temporary = tempfile.mkdtemp(prefix=".bench-catalog-", dir=parent)
    try:
        write_catalog(temporary, size, count, log=log)
        # items.geojson holds absolute paths: rewrite them for the final folder
        with open(os.path.join(temporary, "items.geojson")) as stream:
            text = stream.read().replace(temporary, folder)
        with open(os.path.join(temporary, "items.geojson"), "w") as stream:
            stream.write(text)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(temporary, folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1024, help="pixels per side at 10 m")
    parser.add_argument("--dates", type=int, default=40)
    parser.add_argument("--folder", help="default: build/bench-catalog-<size>px-<dates>d")
    args = parser.parse_args()
    print(ensure_catalog(args.size, args.dates, args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
