"""Download STAC assets as GeoTIFFs, optionally clipped to an area, without resampling.

One file per (item, asset): ``<folder>/<item id>/<asset key>.tif``, a
Cloud-Optimized GeoTIFF (DEFLATE) cut from the asset on its own pixel grid
(GDAL Translate with a source window: same CRS, pixel size, dtype and nodata
as the asset; the pixels are copied, never resampled). Remote hrefs are read
through ``/vsicurl/`` with the GDAL HTTP options the cube loader uses, and
signed (SAS tokens) the same way.

Atomic as a whole: every asset is first read into a staging folder inside
the destination folder; only when all of them are complete are they renamed
into place, with the manifest. A failed or canceled run leaves nothing
behind and does not touch the files already there.
"""

import csv
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from .bands import resolve_bands
from .errors import Canceled, UserError
from .http_client import HttpPolicy
from .progress import Progress

MANIFEST_NAME = "manifest.csv"
MANIFEST_FIELDS = ("item_id", "date", "asset", "path", "width", "height", "crs")
STAGING_PREFIX = ".sitscube-download-"
EPSILON = 1e-6  # pixels: an AOI edge this close to a pixel edge is on it


@dataclass
class DownloadRequest:
    items: Sequence[dict]
    bands: Sequence[str]
    folder: str
    # Optional area (xmin, ymin, xmax, ymax) in aoi_crs (authority id or WKT); None: whole assets.
    aoi: Optional[Tuple[float, float, float, float]] = None
    aoi_crs: Optional[str] = None
    http: HttpPolicy = field(default_factory=HttpPolicy)
    token_endpoint: Optional[str] = None  # SAS signing, as CubeRequest (engine/signing.py)
    sign_hosts: Sequence[str] = ()


@dataclass
class AssetJob:
    item: dict
    key: str
    href: str
    path: str  # GDAL path to read (signed, /vsicurl/ for http)
    window: Tuple[int, int, int, int]  # col, row, width, height on the asset's grid
    crs: str
    target: str  # final path

    @property
    def item_id(self) -> str:
        return self.item["id"]


def safe_name(text: str) -> str:
    """A file or folder name from an item id or asset key (no separators, no leading dot)."""
    name = re.sub(r"[^\w.\-]+", "_", str(text)).strip("._")
    return name or "item"


def item_date(item: dict) -> str:
    props = item.get("properties", {})
    return (props.get("datetime") or props.get("start_datetime") or "")[:10]


def gdal_path(href: str) -> str:
    """The path GDAL opens for an href: /vsicurl/ for http(s), /vsis3/ for s3 … (as rasterio maps them)."""
    if href.startswith("file://"):
        return href[len("file://"):]
    if href.startswith("/vsi") or "://" not in href:
        return href
    try:
        from rasterio._path import _parse_path

        return _parse_path(href).as_vsi()
    except Exception:  # noqa: BLE001 - an href rasterio cannot map: let GDAL say why
        return f"/vsicurl/{href}" if href.startswith(("http://", "https://")) else href


class gdal_config:  # noqa: N801 - used as a context manager
    """GDAL configuration options for this thread only, restored on exit."""

    def __init__(self, options):
        self.options = dict(options)
        self.saved = {}

    def __enter__(self):
        from osgeo import gdal

        for key, value in self.options.items():
            self.saved[key] = gdal.GetThreadLocalConfigOption(key, None)
            gdal.SetThreadLocalConfigOption(key, str(value))
        return self

    def __exit__(self, *exc):
        from osgeo import gdal

        for key, value in self.saved.items():
            gdal.SetThreadLocalConfigOption(key, value)


def short_message(message: str) -> str:
    """GDAL's words on one line, URL tokens redacted, at most 300 characters."""
    from .signing import redact

    text = redact(" ".join(str(message).split())).rstrip(".")
    return text if len(text) <= 300 else text[:300] + "…"


def _gdal_error(default: str) -> str:
    from osgeo import gdal

    return short_message(gdal.GetLastErrorMsg() or default)


def open_raster(path: str):
    """(dataset, None) or (None, GDAL's words for why it cannot be opened); quiet."""
    from osgeo import gdal

    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        gdal.ErrorReset()
        dataset = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY)
        if dataset is None or dataset.RasterCount == 0:
            return None, _gdal_error("not a raster GDAL can read")
        return dataset, None
    except RuntimeError as err:  # gdal.UseExceptions() is on in some processes
        return None, short_message(str(err))
    finally:
        gdal.PopErrorHandler()


def aoi_in_crs(aoi, aoi_crs: Optional[str], crs_wkt: str):
    """The AOI box in the asset's CRS (the bounding box of the densified edges)."""
    from osgeo import osr

    if not aoi_crs:
        return tuple(aoi)
    source, target = osr.SpatialReference(), osr.SpatialReference()
    for srs in (source, target):
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    if source.SetFromUserInput(aoi_crs) != 0:
        raise UserError(f"The CRS of the AOI cannot be understood: {aoi_crs[:80]}")
    target.ImportFromWkt(crs_wkt)
    if source.IsSame(target):
        return tuple(aoi)
    transform = osr.CoordinateTransformation(source, target)
    return tuple(transform.TransformBounds(aoi[0], aoi[1], aoi[2], aoi[3], 21))


def pixel_window(box, geotransform, width: int, height: int) -> Optional[Tuple[int, int, int, int]]:
    """(col, row, ncols, nrows) of the pixels a box touches on a north-up grid, or None if none."""
    x0, dx, rx, y0, ry, dy = geotransform
    if rx != 0 or ry != 0:
        raise UserError("The asset's grid is rotated: clipping it to an AOI is not supported; leave AOI empty.")
    xmin, ymin, xmax, ymax = box
    cols = sorted(((xmin - x0) / dx, (xmax - x0) / dx))
    rows = sorted(((ymax - y0) / dy, (ymin - y0) / dy))
    col0 = max(0, math.floor(cols[0] + EPSILON))
    col1 = min(width, math.ceil(cols[1] - EPSILON))
    row0 = max(0, math.floor(rows[0] + EPSILON))
    row1 = min(height, math.ceil(rows[1] - EPSILON))
    if col1 <= col0 or row1 <= row0:
        return None
    return col0, row0, col1 - col0, row1 - row0


def plan(request: DownloadRequest, progress: Progress) -> Tuple[List[AssetJob], List[str]]:
    """Open every asset's header, compute its window; (jobs, skipped descriptions).

    Nothing is written here: an asset that cannot be read, an unknown band or
    an AOI outside every item fails the run before any download starts.
    """
    from .conventions import choose_hrefs, normalize_item
    from .cube_load import CubeRequest, gdal_http_options, make_signer

    if not request.items:
        raise UserError("The item collection is empty: widen the search (area, dates, cloud cover).")
    items = [normalize_item(item) for item in request.items]  # every catalog's spellings (engine/conventions.py)
    keys = resolve_bands(items, list(request.bands))
    items = choose_hrefs(items, keys)  # s3:// -> https alternate without S3 credentials
    signer = make_signer(items, keys, CubeRequest(items=items, bands=keys, http=request.http,
                                                  token_endpoint=request.token_endpoint,
                                                  sign_hosts=request.sign_hosts), progress)
    hrefs = [item["assets"][key]["href"] for item in items for key in keys]
    options = gdal_http_options(request.http, hrefs)
    jobs, skipped, failures = [], [], []
    total = len(items) * len(keys)
    with gdal_config(options):
        for done, (item, key) in enumerate(((i, k) for i in items for k in keys), start=1):
            progress.check_canceled()
            href = item["assets"][key]["href"]
            path = gdal_path(signer(href) if signer is not None else href)
            dataset, message = open_raster(path)
            if dataset is None:
                failures.append(f"item {item['id']}, asset {key}: {message}")
                continue
            crs = dataset.GetProjection()
            if request.aoi is None:
                window = (0, 0, dataset.RasterXSize, dataset.RasterYSize)
            else:
                if not crs:
                    failures.append(f"item {item['id']}, asset {key}: the asset has no CRS, so the AOI cannot be placed on it")
                    continue
                box = aoi_in_crs(request.aoi, request.aoi_crs, crs)
                window = pixel_window(box, dataset.GetGeoTransform(), dataset.RasterXSize, dataset.RasterYSize)
            dataset = None
            if window is None:
                skipped.append(f"item {item['id']}, asset {key}")
            else:
                target = os.path.join(request.folder, safe_name(item["id"]), f"{safe_name(key)}.tif")
                jobs.append(AssetJob(item, key, href, path, window, crs, target))
            progress.set_percent(10.0 * done / total)
    if failures:
        shown = "; ".join(failures[:10])
        more = f" (and {len(failures) - 10} more)" if len(failures) > 10 else ""
        raise UserError(f"{len(failures)} asset(s) cannot be read: {shown}{more}. Nothing was written.")
    if not jobs:
        raise UserError(
            f"The AOI is outside all {len(items)} item(s): no asset has a pixel in it. "
            "Choose an AOI inside the items' footprints, or search again over this area."
        )
    targets = [job.target for job in jobs]
    if len(set(targets)) < len(targets):
        raise UserError("Two items or assets map to the same file name (ids differing only in special characters).")
    if skipped:
        progress.warning(
            f"Skipped {len(skipped)} asset(s) outside the AOI: {', '.join(skipped[:10])}"
            + (f" (and {len(skipped) - 10} more)" if len(skipped) > 10 else "") + "."
        )
    return jobs, skipped


def creation_options(key: str) -> List[str]:
    from .cube_load import CATEGORICAL

    resampling = "NEAREST" if key.lower() in CATEGORICAL else "AVERAGE"  # overviews only; the pixels are copied
    return ["COMPRESS=DEFLATE", "PREDICTOR=YES", "BIGTIFF=IF_SAFER", f"RESAMPLING={resampling}"]


def copy_window(job: AssetJob, destination: str, progress: Progress) -> None:
    """GDAL Translate of the job's window to a COG at `destination`; Canceled or UserError on failure."""
    from osgeo import gdal

    canceled = []

    def callback(complete, _message, _data):
        progress.set_percent(100.0 * complete)
        if progress.is_canceled():
            canceled.append(True)
            return 0
        return 1

    source, message = open_raster(job.path)
    if source is None:
        raise UserError(f"Reading item {job.item_id}, asset {job.key} failed: {message}. Nothing was written.")
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        gdal.ErrorReset()
        options = gdal.TranslateOptions(format="COG", srcWin=list(job.window),
                                        creationOptions=creation_options(job.key), callback=callback)
        result = gdal.Translate(destination, source, options=options)
        error = None if result is not None else _gdal_error("GDAL Translate failed")
        if result is not None:
            result.FlushCache()
        result = None
    except RuntimeError as err:
        error = str(err)
    finally:
        source = None
        gdal.PopErrorHandler()
    if canceled:
        raise Canceled("Canceled by the user.")
    if error is not None:
        raise UserError(f"Reading item {job.item_id}, asset {job.key} failed: {short_message(error)}. "
                        "Nothing was written.")


def download_assets(request: DownloadRequest, progress: Optional[Progress] = None) -> dict:
    """Download (and clip) every asset; {"folder", "manifest", "files": [rows], "skipped": [...]}."""
    from .cube_load import gdal_http_options

    progress = progress or Progress()
    jobs, skipped = plan(request, progress)
    folder = os.path.abspath(request.folder)
    created_folder = not os.path.isdir(folder)
    os.makedirs(folder, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder)
    options = gdal_http_options(request.http, [job.href for job in jobs])
    rows = []
    try:
        with gdal_config(options):
            for index, job in enumerate(jobs):
                progress.check_canceled()
                progress.info(f"{job.item_id} / {job.key}: {job.window[2]} x {job.window[3]} pixels")
                share = 85.0 / len(jobs)
                copy_window(job, os.path.join(staging, f"{index}.tif"), progress.scaled(10 + share * index, 10 + share * (index + 1)))
                rows.append({
                    "item_id": job.item_id, "date": item_date(job.item), "asset": job.key, "path": job.target,
                    "width": job.window[2], "height": job.window[3], "crs": _crs_name(job.crs),
                })
        progress.check_canceled()
        manifest = os.path.join(folder, MANIFEST_NAME)
        staged_manifest = os.path.join(staging, MANIFEST_NAME)
        with open(staged_manifest, "w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=MANIFEST_FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        # Every file is complete: move them into place (renames within one folder tree).
        for index, job in enumerate(jobs):
            os.makedirs(os.path.dirname(job.target), exist_ok=True)
            os.replace(os.path.join(staging, f"{index}.tif"), job.target)
        os.replace(staged_manifest, manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_folder:
            try:
                os.rmdir(folder)  # only if still empty
            except OSError:
                pass
        raise
    shutil.rmtree(staging, ignore_errors=True)
    progress.set_percent(100.0)
    return {"folder": folder, "manifest": manifest, "files": rows, "skipped": skipped}


def _crs_name(wkt: str) -> str:
    from osgeo import osr

    if not wkt:
        return ""
    srs = osr.SpatialReference()
    srs.ImportFromWkt(wkt)
    name, code = srs.GetAuthorityName(None), srs.GetAuthorityCode(None)
    return f"{name}:{code}" if name and code else srs.GetName() or ""
