"""The one list of Python packages SITS Cube needs beyond QGIS.

Pins are requirements.txt's (tests/test_engine_conventions.py checks they agree).

Checked with ``importlib.util.find_spec`` so nothing heavy is imported when
QGIS starts. Each algorithm names the modules it needs; ``canExecute`` and
the message at load say which are missing and how to install them.
"""

import importlib.util
import os
import re
from dataclasses import dataclass
from typing import Iterable, List


@dataclass(frozen=True)
class Dependency:
    module: str  # import name
    requirement: str  # pip requirement
    used_for: str


DEPENDENCIES = [
    Dependency("numpy", "numpy>=1.24,<2", "arrays"),
    Dependency("pystac", "pystac", "STAC items"),
    Dependency("pystac_client", "pystac-client", "STAC search"),
    Dependency("odc.stac", "odc-stac", "cube loading"),
    Dependency("odc.geo", "odc-geo", "cube grids"),
    Dependency("shapely", "shapely", "geometries"),
    Dependency("xarray", "xarray", "cubes"),
    Dependency("dask", "dask", "lazy, chunked processing"),
    Dependency("rasterio", "rasterio", "reading Cloud-Optimized GeoTIFFs"),
    Dependency("rioxarray", "rioxarray", "cube CRS and GeoTIFF output"),
    Dependency("netCDF4", "netCDF4", "netCDF cubes"),
    Dependency("zarr", "zarr>=3,<4", "Zarr cubes"),
    Dependency("requests", "requests", "HTTP"),
    Dependency("sklearn", "scikit-learn", "random-forest classification"),
    Dependency("numba", "numba", "fast gap-filling (optional)"),
    # h5py must use the HDF5 that netCDF4 and GDAL use (Debian: python3-h5py), not a wheel's own copy
    Dependency("h5py", "h5py", "fast netCDF cube writing, with isal (optional)"),
    Dependency("isal", "isal", "fast netCDF cube compression (optional)"),
    Dependency("distributed", "distributed", "running on a Dask cluster (optional)"),
]
OPTIONAL = {"numba", "distributed", "h5py", "isal"}  # missing: slower, not broken
BY_MODULE = {d.module: d for d in DEPENDENCIES}


def is_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is missing or broken
        return False


def missing(modules: Iterable[str] = None) -> List[Dependency]:
    wanted = [BY_MODULE[m] for m in modules] if modules is not None else [d for d in DEPENDENCIES if d.module not in OPTIONAL]
    return [d for d in wanted if not is_available(d.module)]


def requirements_file() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "requirements.txt")


def install_command(dependencies: Iterable[Dependency]) -> str:
    """The shell command that installs them into QGIS's Python."""
    quoted = " ".join(f'"{d.requirement}"' for d in dependencies)
    return f"python3 -m pip install --user {quoted}"


def missing_message(dependencies: List[Dependency]) -> str:
    names = ", ".join(f"{re.match(r'[A-Za-z0-9_.-]+', d.requirement).group(0)} ({d.used_for})" for d in dependencies)
    return (
        f"SITS Cube needs Python packages that QGIS cannot import: {names}. "
        f"Install them with: {install_command(dependencies)} "
        f"(on Windows, in the OSGeo4W Shell; or pip install -r \"{requirements_file()}\"), then restart QGIS."
    )
