"""Benchmark zonal statistics: ours against rasterstats and QGIS's native:zonalstatisticsfb.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_zonal.py [--quick] [--json PATH]

Data: a 4096x4096 uint16 GeoTIFF (tiled 256x256, uncompressed, EPSG:32631,
10 m pixels, ~5 % nodata = 0) and 3000 zones: rotated squares and hexagons
5-40 pixels across, placed at random (some overlap, some cross the edge).
Statistics: count, sum, mean, min, max, std, median.

* ours: ``sitscube.engine.zonal.zonal_statistics`` in this process, the
  whole call timed (opening the raster, grouping, rasterizing, reading).
* rasterstats: ``rasterstats.zonal_stats(geometries, path, ...)`` in a
  separate venv (``build/bench-venv``, see requirements-bench.txt: its
  wheels bring their own GDAL, which must not meet QGIS's in .venv), in a
  subprocess; only the call is timed.
* QGIS: ``processing.run("native:zonalstatisticsfb")`` in a subprocess that
  starts a headless QgsApplication and builds a memory layer of the zones
  (not timed); only the algorithm's run is timed (into a memory layer).

Each is run several times; medians and ratios are reported (goals: >= 10x
rasterstats, not slower than zonalstatisticsfb) and results are compared
zone by zone (count exactly; the rest within 1e-9 relative).
``--quick`` uses 1024x1024, 300 zones and fewer repeats.
Results go to bench-output/zonal.json by default.
"""

import argparse
import json
import os
import platform
import statistics as pystats
import subprocess
import sys
import tempfile
import time

import common

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_PYTHON = os.path.join(ROOT, "build", "bench-venv", "bin", "python")
X0, Y0, RES = 500000.0, 4800000.0, 10.0
STATS = ("count", "sum", "mean", "min", "max", "std", "median")


# ---- data ------------------------------------------------------------------------------------


def make_data(folder: str, size: int, n_zones: int, seed: int = 1) -> dict:
    import numpy as np
    import rasterio
    import shapely
    from affine import Affine
    from shapely import affinity

    rng = np.random.default_rng(seed)
    data = rng.integers(1, 10001, (size, size), dtype=np.uint16)
    data[rng.random((size, size)) < 0.05] = 0
    raster = os.path.join(folder, "raster.tif")
    with rasterio.open(raster, "w", driver="GTiff", width=size, height=size, count=1, dtype="uint16",
                       crs="EPSG:32631", transform=Affine(RES, 0, X0, 0, -RES, Y0), nodata=0,
                       tiled=True, blockxsize=256, blockysize=256) as dst:
        dst.write(data, 1)
    zones = []
    for k in range(n_zones):
        across = rng.uniform(5, 40)  # pixels
        cx = X0 + RES * rng.uniform(-10, size + 10)
        cy = Y0 - RES * rng.uniform(-10, size + 10)
        half = across * RES / 2
        if k % 2:
            shape = affinity.rotate(shapely.box(cx - half, cy - half, cx + half, cy + half), rng.uniform(0, 90))
        else:
            angles = np.arange(6) * np.pi / 3 + rng.uniform(0, np.pi / 3)
            shape = shapely.Polygon(np.c_[cx + half * np.cos(angles), cy + half * np.sin(angles)])
        zones.append((k + 1, shape.wkt))
    path = os.path.join(folder, "zones.json")
    with open(path, "w") as stream:
        json.dump(zones, stream)
    return {"raster": raster, "zones": path, "size": size, "n_zones": n_zones}


# ---- workers (each in its own interpreter) ---------------------------------------------------


def worker_rasterstats(raster: str, zones_path: str, repeats: int) -> dict:
    import shapely
    from rasterstats import zonal_stats

    with open(zones_path) as stream:
        zones = [(k, shapely.from_wkt(w)) for k, w in json.load(stream)]
    geometries = [g for _, g in zones]
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = zonal_stats(geometries, raster, stats=list(STATS), nodata=0, all_touched=False)
        times.append(time.perf_counter() - start)
    values = {str(k): {s: r.get(s) for s in STATS} for (k, _), r in zip(zones, result)}
    return {"times": times, "values": values, "peak_rss_mib": common.peak_rss_mib()}


def worker_qgis(raster: str, zones_path: str, repeats: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.append("/usr/share/qgis/python/plugins")
    from qgis.core import QgsApplication, QgsFeature, QgsField, QgsGeometry, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    import processing

    with open(zones_path) as stream:
        zones = json.load(stream)
    layer = QgsVectorLayer("Polygon?crs=EPSG:32631", "zones", "memory")
    layer.dataProvider().addAttributes([QgsField("zone_id", QVariant.Int)])
    layer.updateFields()
    features = []
    for zone_id, wkt in zones:
        feature = QgsFeature(layer.fields())
        feature.setAttributes([zone_id])
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    # 0 count, 1 sum, 2 mean, 3 median, 4 st dev, 5 min, 6 max
    fields = {"count": "q_count", "sum": "q_sum", "mean": "q_mean", "median": "q_median", "std": "q_stdev",
              "min": "q_min", "max": "q_max"}
    times, output = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        output = processing.run("native:zonalstatisticsfb", {
            "INPUT": layer, "INPUT_RASTER": raster, "RASTER_BAND": 1, "COLUMN_PREFIX": "q_",
            "STATISTICS": [0, 1, 2, 3, 4, 5, 6], "OUTPUT": "memory:",
        })["OUTPUT"]
        times.append(time.perf_counter() - start)
    values = {}
    for feature in output.getFeatures():
        values[str(feature["zone_id"])] = {
            s: (None if feature[f] is None or str(feature[f]) == "NULL" else float(feature[f])) for s, f in fields.items()
        }
    from qgis.core import Qgis

    result = {"times": times, "values": values, "qgis_version": Qgis.QGIS_VERSION, "peak_rss_mib": common.peak_rss_mib()}
    app.exitQgis()
    return result


def run_worker(python: str, kind: str, data: dict, repeats: int) -> dict:
    env = dict(os.environ)
    if kind == "rasterstats":  # keep .venv and build/plugins out of the bench venv
        env.pop("PYTHONPATH", None)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    done = subprocess.run(
        [python, os.path.abspath(__file__), "--worker", kind, "--raster", data["raster"], "--zones", data["zones"],
         "--repeats", str(repeats)],
        capture_output=True, text=True, env=env, timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- ours and the comparison -----------------------------------------------------------------


def worker_ours(raster: str, zones_path: str, repeats: int) -> dict:
    import shapely

    from sitscube.engine.zonal import zonal_statistics

    with open(zones_path) as stream:
        zones = [(k, shapely.from_wkt(w)) for k, w in json.load(stream)]
    zonal_statistics(raster, zones, STATS)  # warm-up: imports, file cache
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = zonal_statistics(raster, zones, STATS)
        times.append(time.perf_counter() - start)
    return {"times": times, "values": {str(k): v[1] for k, v in result.items()}, "peak_rss_mib": common.peak_rss_mib()}


def compare(ours: dict, theirs: dict, skip_small: bool) -> dict:
    """Zones compared, and those that differ (count exactly, the rest within 1e-9 relative)."""
    differing, compared = [], 0
    for zone, mine in ours.items():
        other = theirs.get(zone)
        if other is None:
            differing.append((zone, "missing"))
            continue
        if skip_small and mine["count"] <= 1:
            continue  # QGIS weights pixels by covered area for such zones (see engine/zonal.py)
        compared += 1
        for stat in STATS:
            a, b = mine[stat], other.get(stat)
            if stat == "count" and not mine["count"]:
                b = b or 0
            if a is None or b is None:
                if not (a is None and (b is None or (stat == "sum" and b == 0))):
                    differing.append((zone, stat, a, b))
            elif abs(a - b) > 1e-9 * max(abs(a), abs(b), 1.0):
                differing.append((zone, stat, a, b))
    return {"zones_compared": compared, "zones_differing": len({d[0] for d in differing}),
            "examples": differing[:5]}


def median(times):
    return float(pystats.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=os.path.join(ROOT, "bench-output", "zonal.json"))
    parser.add_argument("--worker", choices=("ours", "rasterstats", "qgis"))
    parser.add_argument("--raster")
    parser.add_argument("--zones")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        worker = {"ours": worker_ours, "rasterstats": worker_rasterstats, "qgis": worker_qgis}[args.worker]
        print(json.dumps(worker(args.raster, args.zones, args.repeats)))
        return

    size, n_zones = (1024, 300) if args.quick else (4096, 3000)
    repeats = 2 if args.quick else 5
    slow_repeats = 1 if args.quick else 3
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
              "raster": {"width": size, "height": size, "dtype": "uint16", "tiled": 256, "nodata_fraction": 0.05},
              "zones": {"count": n_zones, "shapes": "rotated squares and hexagons 5-40 px across"},
              "statistics": list(STATS)}
    with tempfile.TemporaryDirectory(prefix="bench-zonal-") as folder:
        data = make_data(folder, size, n_zones)
        ours = run_worker(sys.executable, "ours", data, repeats)
        figures = [common.figure("zonal/sitscube", ours["times"], ours["peak_rss_mib"])]
        report["ours_seconds"] = round(median(ours["times"]), 4)
        report["ours_runs"] = [round(t, 4) for t in ours["times"]]
        print(f"ours: {report['ours_seconds']} s (median of {repeats})", flush=True)

        if os.path.exists(BENCH_PYTHON):
            rs = run_worker(BENCH_PYTHON, "rasterstats", data, slow_repeats)
            report["rasterstats_seconds"] = round(median(rs["times"]), 4)
            report["rasterstats_runs"] = [round(t, 4) for t in rs["times"]]
            report["speedup_vs_rasterstats"] = round(median(rs["times"]) / median(ours["times"]), 2)
            report["agreement_rasterstats"] = compare(ours["values"], rs["values"], skip_small=False)
            figures.append(common.figure("zonal/rasterstats", rs["times"], rs["peak_rss_mib"]))
            common.compare(figures, "zonal/sitscube", "zonal/rasterstats", goal=10)
            print(f"rasterstats: {report['rasterstats_seconds']} s -> {report['speedup_vs_rasterstats']}x", flush=True)
        else:
            sys.exit(f"The rasterstats baseline needs {BENCH_PYTHON}: run `make bench` (see requirements-bench.txt).")

        qgis = run_worker(sys.executable, "qgis", data, slow_repeats)
        report["qgis_version"] = qgis.get("qgis_version")
        report["qgis_zonalstatisticsfb_seconds"] = round(median(qgis["times"]), 4)
        report["qgis_runs"] = [round(t, 4) for t in qgis["times"]]
        report["speedup_vs_qgis"] = round(median(qgis["times"]) / median(ours["times"]), 2)
        report["agreement_qgis"] = compare(ours["values"], qgis["values"], skip_small=True)
        figures.append(common.figure("zonal/native:zonalstatisticsfb", qgis["times"], qgis["peak_rss_mib"]))
        ours_vs_qgis = dict(common.figure("zonal/sitscube vs QGIS", ours["times"], ours["peak_rss_mib"]))
        figures.append(ours_vs_qgis)
        common.compare(figures, "zonal/sitscube vs QGIS", "zonal/native:zonalstatisticsfb", goal=1)
        print(f"QGIS zonalstatisticsfb: {report['qgis_zonalstatisticsfb_seconds']} s -> {report['speedup_vs_qgis']}x",
              flush=True)
    report["figures"] = figures
    report["goals"] = {"speedup_vs_rasterstats": 10.0, "speedup_vs_qgis": 1.0}
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as stream:
        json.dump(report, stream, indent=2)
    print(json.dumps({k: v for k, v in report.items() if not k.endswith("_runs") and k != "figures"}, indent=2))
    agree = all(report[k]["zones_differing"] == 0 for k in ("agreement_rasterstats", "agreement_qgis"))
    if not agree or any(f["goal_met"] is False for f in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
