"""Export a cube's time series: a long CSV (as the R sits package's to_csv) and CF netCDF.

CSV layout, one row per pixel (or point), date and band::

    id,x,y,date,band,value
    1,300005.0,4810235.0,2022-05-01,B04,812

Choices:

* ``id``: for a whole-cube export, the 1-based pixel number in row-major
  order (row * width + column + 1); for points, the id given with each
  point. ``x``/``y`` are the pixel centre in the cube's CRS for pixels, and
  the coordinates given for points (the value is the nearest pixel's).
  Points farther than half a pixel outside the cube are skipped with a
  warning (UserError when none is left).
* ``date``: ``YYYY-MM-DD``; the full ISO time when two dates share a day.
* Rows are ordered by id, then date, then band (variables in cube order).
  Every (time, y, x) variable is written, SCL included.
* ``value``: integers as stored (DN), floats in numpy's shortest exact form;
  nodata is an empty field.
* The file is written a strip of rows at a time (about ``CHUNK_VALUES``
  values per strip), never as one DataFrame, into a temporary file next to
  the destination that replaces it only when complete.
"""

import os
import re
from typing import List, Optional, Sequence, Tuple

import numpy as np

from . import atomic
from .errors import UserError
from .progress import Progress
from .scheduler import local_get

CHUNK_VALUES = 2_000_000  # cube values per CSV strip
COLUMNS = ("id", "x", "y", "date", "band", "value")


def safe_filename(text, default: str = "output", max_length: int = 100) -> str:
    """A file name made of letters, digits, '.', '-' and '_' only, from any text.

    Other characters (spaces, slashes, colons…) become '_', runs collapse,
    leading dots and separators go (no hidden files, no '..'), and the
    result is cut to ``max_length``; empty -> ``default``.
    """
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text or ""))
    name = re.sub(r"_+", "_", name).strip("._-")[:max_length].rstrip("._-")
    return name or default


def default_name(ds, kind: str, extension: str) -> str:
    """e.g. 'B04_B08_2022-04-01_2022-09-30_timeseries.csv' for a cube's default output name."""
    bands = "_".join(str(n) for n, v in ds.data_vars.items() if "time" in v.dims)
    dates = ""
    if "time" in ds.coords and ds.sizes.get("time", 0):
        times = ds["time"].values
        dates = f"{str(times.min())[:10]}_{str(times.max())[:10]}"
    return safe_filename(f"{bands}_{dates}_{kind}") + extension


def _destination(path: str, ds, kind: str, extension: str) -> str:
    """An existing folder gets a default file name inside it."""
    if os.path.isdir(path):
        path = os.path.join(path, default_name(ds, kind, extension))
    return os.path.abspath(path)


def _date_texts(ds) -> List[str]:
    days = [str(t)[:10] for t in ds["time"].values]
    if len(set(days)) == len(days):
        return days
    return [str(t)[:19] for t in ds["time"].values]


def _value_texts(values: np.ndarray, nodata) -> np.ndarray:
    """Values as strings, nodata as ''."""
    if values.dtype.kind in "iu":
        missing = values == nodata
    else:
        missing = np.isnan(values)
        if nodata is not None and not np.isnan(float(nodata)):
            missing |= values == nodata
    texts = values.astype(str).astype(object)
    texts[missing] = ""
    return texts


def _nodata(band):
    if band.dtype.kind in "iu":
        return band.attrs.get("nodata", 0)
    nodata = band.attrs.get("nodata")
    return np.nan if nodata is None else float(nodata)


def _series_bands(ds) -> List[str]:
    names = [n for n, v in ds.data_vars.items() if {"time", "y", "x"} <= set(v.dims)]
    if not names:
        raise UserError("The cube has no (time, y, x) band to export.")
    return names


def _write_rows(handle, ids, xs, ys, dates, names, blocks) -> None:
    """Rows for pixels/points ids (n), dates (t), bands (b): blocks[b] is (t, n)."""
    import pandas as pd

    n, t, b = len(ids), len(dates), len(names)
    # row order: id, then date, then band -> arrays shaped (n, t, b), raveled
    values = np.empty((n, t, b), dtype=object)
    for k, (name, block, nodata) in enumerate(blocks):
        values[:, :, k] = _value_texts(np.asarray(block), nodata).T
    frame = pd.DataFrame(
        {
            "id": np.repeat(ids, t * b),
            "x": np.repeat(xs, t * b),
            "y": np.repeat(ys, t * b),
            "date": np.tile(np.repeat(np.asarray(dates, dtype=object), b), n),
            "band": np.tile(np.asarray([str(s) for s in names], dtype=object), n * t),
            "value": values.ravel(),
        }
    )
    frame.to_csv(handle, header=False, index=False, lineterminator="\n")


def _nearest(coords: np.ndarray, value: float) -> Tuple[int, bool]:
    """Index of the nearest coordinate, and whether value lies within half a pixel of the grid."""
    index = int(np.abs(coords - value).argmin())
    step = abs(float(coords[1] - coords[0])) if len(coords) > 1 else 0.0
    return index, abs(float(coords[index]) - value) <= step / 2 + 1e-9 * max(1.0, abs(value))


def export_csv(ds, path: str, points: Optional[Sequence[Tuple[object, float, float]]] = None,
               progress: Optional[Progress] = None) -> str:
    """Write the long CSV (see module docstring); returns the path written."""
    import dask

    progress = progress or Progress()
    names = _series_bands(ds)
    path = _destination(path, ds, "timeseries", ".csv")
    dates = _date_texts(ds)
    xcoords, ycoords = ds["x"].values, ds["y"].values
    nodatas = [_nodata(ds[n]) for n in names]
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    temporary = atomic.temporary_file(directory, ".csv")
    try:
        with open(temporary, "w", newline="") as handle:
            handle.write(",".join(COLUMNS) + "\n")
            if points is None:
                width = len(xcoords)
                per_row = max(1, len(dates) * width * len(names))
                rows = max(1, CHUNK_VALUES // per_row)
                for start in range(0, len(ycoords), rows):
                    progress.check_canceled()
                    stop = min(start + rows, len(ycoords))
                    strip = [ds[n].isel(y=slice(start, stop)).transpose("time", "y", "x").data for n in names]
                    strip = dask.compute(*strip, scheduler=local_get("threads"))
                    row, col = np.meshgrid(np.arange(start, stop), np.arange(width), indexing="ij")
                    ids = (row * width + col + 1).ravel()
                    blocks = [(n, np.asarray(b).reshape(len(dates), -1), nd) for n, b, nd in zip(names, strip, nodatas)]
                    _write_rows(handle, ids, xcoords[col.ravel()], ycoords[row.ravel()], dates, names, blocks)
                    progress.set_percent(100.0 * stop / len(ycoords))
            else:
                _write_points(handle, ds, names, nodatas, dates, points, progress)
        atomic.publish(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return path


def _write_points(handle, ds, names, nodatas, dates, points, progress: Progress) -> None:
    import dask

    xcoords, ycoords = ds["x"].values, ds["y"].values
    inside, outside = [], []
    for point in points:
        pid, x, y = point
        col, ok_x = _nearest(xcoords, float(x))
        row, ok_y = _nearest(ycoords, float(y))
        (inside if ok_x and ok_y else outside).append((pid, float(x), float(y), row, col))
    if outside:
        progress.warning(
            f"{len(outside)} point(s) outside the cube are skipped: "
            + ", ".join(str(p[0]) for p in outside[:20]) + (" …" if len(outside) > 20 else "")
        )
    if not inside:
        raise UserError("None of the points falls inside the cube: check that they are in the cube's CRS and area.")
    per_point = max(1, len(dates) * len(names))
    size = max(1, CHUNK_VALUES // per_point)
    for start in range(0, len(inside), size):
        progress.check_canceled()
        part = inside[start : start + size]
        rows = xr_index([p[3] for p in part])
        cols = xr_index([p[4] for p in part])
        # vectorized pointwise selection: one (time, point) array per band
        strip = [ds[n].transpose("time", "y", "x").isel(y=rows, x=cols).data for n in names]
        strip = dask.compute(*strip, scheduler=local_get("threads"))
        blocks = [(n, np.asarray(b), nd) for n, b, nd in zip(names, strip, nodatas)]
        ids = np.asarray([p[0] for p in part], dtype=object)
        _write_rows(handle, ids, np.asarray([p[1] for p in part]), np.asarray([p[2] for p in part]), dates, names, blocks)
        progress.set_percent(100.0 * min(start + size, len(inside)) / len(inside))


def xr_index(values):
    """An xarray indexer along a new 'point' dimension (pointwise, not outer, selection)."""
    import xarray as xr

    return xr.DataArray(np.asarray(values, dtype=np.int64), dims="point")


def export_netcdf(ds, path: str, progress: Optional[Progress] = None) -> str:
    """The cube as CF netCDF-4 (chunk by chunk, atomic) with cube_io.write_cube."""
    from .cube_io import write_cube

    path = _destination(path, ds, "cube", ".nc")
    if os.path.splitext(path)[1].lower() != ".nc":
        raise UserError(f"The netCDF export must end in .nc, not '{os.path.basename(path)}'.")
    return write_cube(ds, path, progress=progress)
