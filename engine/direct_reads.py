"""Bands already on the cube's pixel grid, read straight with GDAL instead of through odc-stac's reader.

When an asset has the cube's CRS and pixel size and its pixel corners lie
on the cube's, odc-stac "pastes": it reads the window and copies it into
the chunk, no resampling. But per chunk and asset it also opens the file
with rasterio, enters a rasterio Env and plans a reprojection in Python,
about 15 ms each: 200 reads of 1024² (40 dates × 5 bands) took 3.9 s on 2
threads, the same GDAL reads alone 1.3 s.

Here each chunk of such a band is one task that opens each of its assets
with GDAL, reads the window and fuses them as odc-stac does: the chunk
starts as nodata, the date's items come in odc-stac's own order (its plan,
``tyx_bins``, taken from the load itself, so which items touch which chunk
is odc-stac's decision) and each fills only what is still nodata.

Used only when that is exact, checked on the COG headers the probe read
(the file's own grid, which is what odc-stac reads by too): every asset of
the band on the cube's EPSG code, the cube's pixel size, north-up, its
origin a whole number of pixels from the cube's, its data type the band's
and its nodata the band's; hrefs GDAL opens without credentials from
rasterio (http(s), files). Anything else stays with odc-stac. A file whose
grid changed between the probe and the read fails the read, naming it.
"""

import functools
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .download import gdal_config  # GDAL options for this thread only, as rasterio.Env sets them

GRID_TOLERANCE = 1e-6  # pixels: offsets this close to whole numbers are whole
SCHEMES = ("", "file", "http", "https")  # what GDAL reads here without rasterio's credential sessions


def grid_facts(dataset) -> dict:
    """The file's own grid, from its header: EPSG code (or None), geotransform, size.

    A GeoTIFF's code from its GeoKeys when they say it plainly (engine/geotiff_keys.py:
    ~0.05 ms, not the ~1 ms GDAL takes to build the CRS), else from GDAL's CRS.
    """
    from .geotiff_keys import epsg_from_geokeys

    driver = dataset.GetDriver()
    epsg = epsg_from_geokeys(dataset.GetDescription()) if driver is not None and driver.ShortName in ("GTiff", "COG") else None
    if epsg is None:
        epsg = epsg_code(dataset.GetProjectionRef() or "")
    return {"epsg": epsg, "transform": tuple(dataset.GetGeoTransform()), "size": (dataset.RasterXSize, dataset.RasterYSize)}


@functools.lru_cache(maxsize=64)
def epsg_code(wkt: str) -> Optional[int]:
    """EPSG code of a WKT, parsed once per distinct text (a catalog's assets share a few)."""
    from osgeo import osr

    srs = osr.SpatialReference()
    try:  # gdal.UseExceptions() may be on (QGIS): a WKT it cannot parse raises
        if not wkt or srs.ImportFromWkt(wkt) != 0 or (srs.GetAuthorityName(None) or "").upper() != "EPSG":
            return None
        return int(srs.GetAuthorityCode(None))
    except (RuntimeError, TypeError, ValueError):
        return None


def pixel_offset(grid: dict, geobox) -> Optional[Tuple[int, int]]:
    """(column, row) of the file's first pixel on the cube's grid, when the file is on that grid; else None."""
    target = geobox.affine
    if grid is None or grid.get("epsg") is None or geobox.crs.epsg != grid["epsg"]:
        return None
    x0, a, b, y0, d, e = grid["transform"]
    if b or d or target.b or target.d or a != target.a or e != target.e or a <= 0 or e >= 0:
        return None
    column, row = (x0 - target.c) / target.a, (y0 - target.f) / target.e
    if abs(column - round(column)) > GRID_TOLERANCE or abs(row - round(row)) > GRID_TOLERANCE:
        return None
    return int(round(column)), int(round(row))


def replace_reads(ds, geobox, header_facts: Dict[Tuple[str, str], dict], options: Dict[str, str]) -> List[str]:
    """Give ds's eligible bands dask arrays that read with GDAL (see the module docstring); their names.

    ds is odc-stac's lazy load made with ``debug=True`` (its plan in
    ``ds.encoding["debug"]``, removed here); coordinates, attributes,
    chunks and dtype stay odc-stac's.
    """
    plan = ds.encoding.pop("debug", None)
    parsed = getattr(plan, "parsed", None)
    srcs = getattr(plan, "srcs", None)
    bins = getattr(plan, "tyx_bins", None)
    if parsed is None or srcs is None or bins is None:
        return []  # another odc-stac: its own reads
    from rasterio._path import _parse_path

    replaced = []
    for key in list(ds.data_vars):
        band = ds[key]
        if band.dims != ("time", "y", "x") or not hasattr(band.data, "dask"):
            continue
        sources = _sources(key, band, parsed, srcs, header_facts, geobox, _parse_path)
        if sources is None:
            continue
        ds[key] = (band.dims, _array(key, band, bins, sources, options), band.attrs)
        ds[key].encoding = band.encoding
        replaced.append(key)
    return replaced


def _sources(key, band, parsed, srcs, header_facts, geobox, parse_path) -> Optional[Dict[int, tuple]]:
    """{item index: (GDAL path, href, item id, column, row, width, height)} when every asset is on the grid; else None."""
    nodata = band.attrs.get("nodata")
    if nodata is None or np.dtype(band.dtype).kind == "f" and np.isnan(nodata):
        return None
    sources = {}
    for index, item in enumerate(parsed):
        source = srcs[index].get(key) if srcs[index] else None
        facts = header_facts.get((item.id, key))
        if source is None or facts is None or getattr(source, "band", 1) != 1 or getattr(source, "subdataset", None):
            return None
        if facts.get("data_type") != np.dtype(band.dtype).name or facts.get("nodata") != nodata:
            return None
        offset = pixel_offset(facts.get("grid"), geobox)
        if offset is None:
            return None
        try:
            path = parse_path(source.uri)
        except Exception:  # odc-stac's reader reports what it cannot open
            return None
        if (getattr(path, "scheme", "") or "") not in SCHEMES:
            return None
        width, height = facts["grid"]["size"]
        sources[index] = (path.as_vsi(), source.uri, item.id, offset[0], offset[1], width, height,
                          facts["grid"]["transform"])
    return sources


def _array(key, band, bins, sources, options):
    """A dask array with band's chunks, each block read by read_block from the items odc-stac's plan names."""
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    chunks = band.data.chunks
    starts = [np.cumsum((0,) + axis[:-1]) for axis in chunks]
    dtype, nodata = np.dtype(band.dtype), band.attrs["nodata"]
    name = f"sitscube-read-{key}-" + tokenize(key, sorted(bins.items()), sources, options, chunks, dtype.str)
    layer = {}
    for t, t_size in enumerate(chunks[0]):
        for iy, height in enumerate(chunks[1]):
            for ix, width in enumerate(chunks[2]):
                window = (int(starts[1][iy]), int(starts[2][ix]), height, width)
                # odc-stac's bins are keyed by (date, y tile, x tile) of its own chunking, which these chunks are
                wanted = tuple(sources[i] for i in bins.get((t, iy, ix), ()))
                layer[(name, t, iy, ix)] = (read_block, wanted, window, t_size, dtype.str, nodata, options)
    graph = HighLevelGraph.from_collections(name, layer, dependencies=())
    return da.Array(graph, name, chunks, dtype=dtype)


def read_block(sources: Sequence[tuple], window, dates: int, dtype: str, nodata, options: Dict[str, str]) -> np.ndarray:
    """One (dates=1, y, x) chunk: each source's overlap read with GDAL, fused first-valid-wins."""
    row0, col0, height, width = window
    block = np.empty((dates, height, width), dtype=np.dtype(dtype))
    out = block[0]
    blank = True  # nothing written yet: the common case, one file covering the chunk, fills it directly
    with gdal_config(options):
        for path, href, item_id, column, row, file_width, file_height, transform in sources:
            # the window in the file's pixels, clipped to the file
            x0, y0 = max(col0 - column, 0), max(row0 - row, 0)
            x1, y1 = min(col0 + width - column, file_width), min(row0 + height - row, file_height)
            if x1 <= x0 or y1 <= y0:
                continue
            target = out[y0 + row - row0:y1 + row - row0, x0 + column - col0:x1 + column - col0]
            if blank and target.shape == out.shape:  # GDAL writes straight into the chunk
                _read(path, href, transform, x0, y0, x1 - x0, y1 - y0, np.dtype(dtype), into=out)
            else:
                if blank:
                    out.fill(nodata)
                pixels = _read(path, href, transform, x0, y0, x1 - x0, y1 - y0, np.dtype(dtype))
                np.copyto(target, pixels, where=target == nodata)
            blank = False
    if blank:
        out.fill(nodata)
    block[1:] = nodata  # (chunks are one date: nothing)
    return block


def _read(path: str, href: str, transform, x0: int, y0: int, width: int, height: int, dtype, into=None) -> np.ndarray:
    """The window's pixels, in a new array or into ``into`` (same shape and type)."""
    from osgeo import gdal, gdal_array

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    dataset = None
    try:
        gdal.ErrorReset()
        dataset = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY)
        if dataset is None:
            raise RuntimeError(gdal.GetLastErrorMsg() or "GDAL cannot open it")
        if tuple(dataset.GetGeoTransform()) != tuple(transform):
            raise RuntimeError("its grid changed since its header was read; load the cube again")
        pixels = dataset.GetRasterBand(1).ReadAsArray(
            x0, y0, width, height, buf_type=gdal_array.NumericTypeCodeToGDALTypeCode(dtype), buf_obj=into)
        if pixels is None:
            raise RuntimeError(gdal.GetLastErrorMsg() or "GDAL returned no pixels")
        return pixels
    except RuntimeError as err:  # with or without gdal.UseExceptions(): the href names item and asset
        raise RuntimeError(f"Reading {href.split('?')[0]} failed: {err}") from None  # no SAS token in messages
    finally:
        dataset = None
        gdal.PopErrorHandler()
