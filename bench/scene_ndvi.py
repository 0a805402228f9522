"""NDVI of the sample scene scaled up, for the smoothing and phenology benchmarks.

The bench catalog's dates (bench/catalog.py: 40 dates every 9 days from
2021-12-02) and pixels (SampleScene: crop fields with their own sowing
dates, forest, water, town; clouds, shadows, cirrus and a snow date),
NDVI = (B08 - B04) / (B08 + B04) of what the sensor sees, NaN where SCL is
0, 1, 3, 8, 9, 10 or 11 (what cloud masking with snow leaves), the 448²
scene tiled to size² as bench/catalog.py tiles it. float32, cached as .npy
in build/ (made once per size and dates).
"""

import os

import numpy as np

import catalog

MASKED_SCL = (0, 1, 3, 8, 9, 10, 11)


def ndvi_path(size: int, count: int) -> str:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(root, "build", f"bench-ndvi-{size}px-{count}d.npy")


def scene_ndvi(size: int, count: int):
    """(times datetime64[ns], float32 NDVI (count, size, size) with NaN where masked)."""
    path = ndvi_path(size, count)
    dates = catalog.dates(count)
    times = np.array([np.datetime64(f"{d.isoformat()}T10:56:21", "ns") for d in dates])
    if os.path.exists(path):
        return times, np.load(path, mmap_mode="r")
    from sitscube.engine import sample_catalog as sample

    scene = sample.SampleScene(dates=dates)
    data = np.empty((count, size, size), dtype=np.float32)
    for index, date in enumerate(dates):
        red = scene.observed("B04", date).astype(np.float32)
        nir = scene.observed("B08", date).astype(np.float32)
        scl = np.repeat(np.repeat(scene.scl(date), 2, axis=0), 2, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ndvi = (nir - red) / (nir + red)
        ndvi[np.isin(scl, MASKED_SCL)] = np.nan
        data[index] = catalog._tiled(ndvi, size)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + f".{os.getpid()}.tmp.npy"
    np.save(temporary, data)
    os.replace(temporary, path)
    return times, data
