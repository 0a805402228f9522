"""Benchmark random-forest prediction: pixels per second and peak memory as the raster grows.

    PYTHONPATH=build/plugins .venv/bin/python bench/bench_predict.py [--quick] [--json PATH]

A 12-band uint16 GeoTIFF (4 classes with distinct spectra plus noise) is
classified with a 100-tree model by ``engine.classify.predict_raster``
(block by block). Each size runs in a fresh subprocess whose peak RSS
(VmHWM) is read; the raster and the model are made beforehand, outside
the measured process. Goal: peak memory does not grow with the raster.

Baseline, in the same run: what a script without a cube engine does, the
whole raster read into memory and ``model.predict`` on every pixel at once
(scikit-learn, the same model and thread count), then written as one
GeoTIFF. Both maps are compared pixel by pixel (nodata aside).
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time

import numpy as np

import common

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


def child(raster, model_path, out, how="ours"):
    from sitscube.engine import classify

    model, metadata = classify.load_model(model_path)
    started = time.perf_counter()
    if how == "ours":
        classify.predict_raster(model, metadata, raster, out)
    else:  # the whole raster at once
        import rasterio

        with rasterio.open(raster) as src:
            data, profile = src.read(), src.profile
        X = data.reshape(data.shape[0], -1).T.astype(np.float32)
        classes = model.predict(X).reshape(data.shape[1:]).astype(np.uint8)
        profile.update(count=1, dtype="uint8", compress="DEFLATE", predictor=2)
        with rasterio.open(out, "w", **profile) as dst:
            dst.write(classes, 1)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mib": peak_rss_mib()}))


def same_map(ours, naive) -> dict:
    import rasterio

    with rasterio.open(ours) as a, rasterio.open(naive) as b:
        x, y = a.read(1), b.read(1)
    differing = int(((x != y) & (x != 0)).sum())
    return {"pixels_differing": differing, "fraction_differing": differing / x.size}


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
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=os.path.join("bench-output", "predict.json"))
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    sizes = (256, 512) if args.quick else (1024, 2048)
    results = {"bands": BANDS, "trees": 100, "cpus": os.cpu_count(), "runs": []}
    figures = results["figures"] = []
    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "model.sitsmodel")
        make_model(model)
        for size in sizes:
            raster = os.path.join(folder, f"r{size}.tif")
            make_raster(raster, size)
            maps = {}
            for how in ("ours", "naive"):
                maps[how] = os.path.join(folder, f"{how}{size}.tif")
                runs = [common.run_json([sys.executable, os.path.abspath(__file__), "--child", raster, model, maps[how], how])
                        for _ in range(args.repeats)]
                seconds = [r["seconds"] for r in runs]
                run = {"seconds": float(np.median(seconds)), "runs": seconds, "peak_mib": max(r["peak_mib"] for r in runs),
                       "size": size, "pixels": size * size}
                run["pixels_per_second"] = size * size / run["seconds"]
                name = f"predict {size}²/" + ("sitscube (block by block)" if how == "ours" else "sklearn predict, whole raster")
                figures.append(common.figure(name, seconds, run["peak_mib"], pixels_per_second=round(run["pixels_per_second"])))
                if how == "ours":
                    results["runs"].append(run)
                print(f"{size}² {how}: {run['seconds']:.2f} s, {run['pixels_per_second'] / 1e6:.2f} Mpixel/s, "
                      f"peak {run['peak_mib']:.0f} MiB", flush=True)
            common.compare(figures, figures[-2]["name"], figures[-1]["name"])
            results.setdefault("agreement", {})[str(size)] = same_map(maps["ours"], maps["naive"])
    small, large = results["runs"]
    results["memory_growth"] = large["peak_mib"] / small["peak_mib"]
    print(f"peak memory grows x{results['memory_growth']:.2f} for x4 pixels (goal: does not grow with the raster)")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as stream:
        json.dump(results, stream, indent=1)
    print(f"results: {args.json}")


if __name__ == "__main__":
    main()
