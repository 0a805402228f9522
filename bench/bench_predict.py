"""Benchmark random-forest prediction: pixels per second and peak memory as the raster grows.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_predict.py [--quick] [--json PATH]

A 12-band uint16 GeoTIFF (4 classes with distinct spectra plus noise) is
classified with a 100-tree model by ``engine.classify.predict_raster``
(block by block). Each size runs in a fresh subprocess whose peak RSS
(VmHWM) is read; the raster and the model are made beforehand, outside
the measured process. Goal: peak memory does not grow with the raster.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

BANDS = 12
CENTRES = np.array([[400 + 150 * b for b in range(BANDS)], [2500 - 80 * b for b in range(BANDS)],
                    [1200 + 40 * b for b in range(BANDS)], [3000 + 10 * b for b in range(BANDS)]], dtype=float)


def make_raster(path, size, seed=0):
    import rasterio
    from affine import Affine

    rng = np.random.default_rng(seed)
    profile = dict(driver="GTiff", width=size, height=size, count=BANDS, dtype="uint16", crs="EPSG:32631",
                   transform=Affine(10, 0, 300000, 0, -10, 4810000), nodata=0, tiled=True, blockxsize=256, blockysize=256)
    with rasterio.open(path, "w", **profile) as dst:
        for row in range(0, size, 512):
            rows = min(512, size - row)
            classes = rng.integers(0, 4, size=(rows, size))
            data = CENTRES[classes].transpose(2, 0, 1) + rng.normal(0, 120, size=(BANDS, rows, size))
            dst.write(np.clip(data, 1, 65535).astype(np.uint16), window=((row, row + rows), (0, size)))


def make_model(path):
    from sitscube.engine import classify

    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, size=20000)
    X = (CENTRES[y] + rng.normal(0, 120, size=(20000, BANDS))).astype(np.float32)
    samples = classify.Samples(X=X, y=y + 1, groups=np.arange(20000) // 100, band_names=[f"b{i}" for i in range(BANDS)],
                               classes={1: "a", 2: "b", 3: "c", 4: "d"}, skipped={})
    model = classify.train(samples, n_trees=100, max_depth=None, class_weight=None, seed=0, n_jobs=-1)
    classify.save_model(path, model, {"band_count": BANDS, "band_names": samples.band_names,
                                      "classes": {str(k): v for k, v in samples.classes.items()}})


def child(raster, model_path, out):
    from sitscube.engine import classify

    model, metadata = classify.load_model(model_path)
    started = time.perf_counter()
    classify.predict_raster(model, metadata, raster, out)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mib": peak_rss_mib()}))


def peak_rss_mib():
    """VmHWM of this process: unlike ru_maxrss it does not carry the parent's size over fork/exec."""
    with open("/proc/self/status") as stream:
        for line in stream:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=os.path.join("bench-output", "predict.json"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    sizes = (256, 512) if args.quick else (1024, 2048)
    results = {"bands": BANDS, "trees": 100, "cpus": os.cpu_count(), "runs": []}
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "model.sitsmodel")
        make_model(model)
        for size in sizes:
            raster = os.path.join(folder, f"r{size}.tif")
            make_raster(raster, size)
            out = os.path.join(folder, f"c{size}.tif")
            completed = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", raster, model, out],
                                       capture_output=True, text=True, check=True)
            run = json.loads(completed.stdout.strip().splitlines()[-1])
            run.update(size=size, pixels=size * size, pixels_per_second=size * size / run["seconds"])
            results["runs"].append(run)
            print(f"{size}²: {run['seconds']:.2f} s, {run['pixels_per_second'] / 1e6:.2f} Mpixel/s, peak {run['peak_mib']:.0f} MiB")
    small, large = results["runs"]
    results["memory_growth"] = large["peak_mib"] / small["peak_mib"]
    print(f"peak memory grows x{results['memory_growth']:.2f} for x4 pixels (goal: does not grow with the raster)")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as stream:
        json.dump(results, stream, indent=1)
    print(f"results: {args.json}")


if __name__ == "__main__":
    main()
