"""STAC items -> a lazy (time, y, x) cube with odc-stac."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from .bands import cube_names, resolve_bands
from .conventions import choose_hrefs, normalize_item, processing_baseline, split_resolution
from .direct_reads import grid_facts, replace_reads
from .errors import UserError
from .grids import Box, items_bbox, items_pixel_grid, target_geobox
from .http_client import HttpPolicy
from .native_grid import coarse_geobox, native_factors, repeated
from .progress import Progress

GROUPBY = ("solar_day", "time", "none")
ON_ASSET_ERROR = ("fail", "skip")
PROBE_WORKERS = 8  # parallel header reads when probing remote assets (I/O bound)
RESAMPLING = ("nearest", "bilinear", "cubic", "average", "mode", "min", "max", "med")
CATEGORICAL = {"scl", "qa_pixel", "pixel_qa", "fmask", "mask", "cloud", "classification"}  # always nearest
UNITS = ("dn", "reflectance")

# Per-date coordinates: name in the cube -> STAC property (the baseline: engine/conventions.py)
DATE_PROPERTIES = {
    "platform": "platform",
    "processing_baseline": None,
    "boa_offset_applied": "earthsearch:boa_offset_applied",
    "cloud_cover": "eo:cloud_cover",
}
# boa_offset_applied per date: every item flagged true / false, none flagged, or a mixture
OFFSET_APPLIED, OFFSET_KEPT, OFFSET_UNFLAGGED, OFFSET_MIXED = 1, 0, -1, -2


def is_categorical(key: str) -> bool:
    """Classes or flags (SCL, qa_pixel …), whatever the resolution suffix (SCL_20m)."""
    return split_resolution(key)[0].lower() in CATEGORICAL


@dataclass
class CubeRequest:
    items: Sequence[dict]
    bands: Sequence[str]
    resolution: float = 10.0
    crs: Optional[str] = None  # None: the UTM zone of the area
    aoi_lonlat: Optional[Box] = None  # None: all items
    aoi: object = None  # optional odc-geo geometry of the area in its own CRS
    groupby: str = "solar_day"
    resampling: str = "nearest"
    chunk_size: int = 1024
    max_pixels: int = 2_000_000_000  # per band and date: refuse absurd grids
    # An asset that cannot be read even after GDAL's retries: "fail" the run, or
    # "skip" its item (with a warning listing the items skipped).
    on_asset_error: str = "fail"
    probe_assets: bool = True  # open every needed asset's header before the lazy load
    # Coarser bands wanted with nearest resampling (SCL at 10 m) read on their own aligned
    # grid and repeated, instead of warped (engine/native_grid.py): the same values.
    native_grid_reads: bool = True
    # Bands on the cube's own pixel grid (by their probed headers) read with GDAL in one task per chunk
    # instead of odc-stac's per-read machinery (engine/direct_reads.py): the same values.
    direct_reads: bool = True
    http: HttpPolicy = field(default_factory=HttpPolicy)  # GDAL timeouts and retries
    # "dn": values as stored; "reflectance": float32, each date's scale and offset applied (engine/reflectance.py)
    units: str = "dn"
    # Extra GDAL HTTP headers for the asset reads (a bearer token from an AUTH_CONFIG), never written anywhere
    asset_headers: Dict[str, str] = field(default_factory=dict)
    # SAS signing of Azure Blob hrefs (Planetary Computer), see engine/signing.py:
    # the token endpoint (None: SITSCUBE_PC_TOKEN_ENDPOINT or the Planetary
    # Computer's) and host patterns signed besides *.blob.core.windows.net
    # (and SITSCUBE_SIGN_HOSTS).
    token_endpoint: Optional[str] = None
    sign_hosts: Sequence[str] = ()


@dataclass
class AssetFailure:
    item_id: str
    asset: str
    href: str
    message: str

    def describe(self) -> str:
        return f"item {self.item_id}, asset {self.asset}: {self.message}"


def _parse_datetime(item: dict) -> dt.datetime:
    props = item["properties"]
    text = props.get("datetime") or props.get("start_datetime")
    if not text:
        raise UserError(f"Item {item['id']} has no datetime.")
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.timezone.utc).replace(tzinfo=None)


def _centre_lon(item: dict) -> float:
    bbox = item.get("bbox")
    return (bbox[0] + bbox[2]) / 2 if bbox else 0.0


def group_key(item: dict, groupby: str):
    """The date an item belongs to; items with equal keys are fused."""
    when = _parse_datetime(item)
    if groupby == "solar_day":
        return (when + dt.timedelta(hours=_centre_lon(item) / 15.0)).date().isoformat()
    if groupby == "time":
        return when.isoformat()
    return f"{when.isoformat()}/{item['id']}"


def group_items(items: Sequence[dict], groupby: str) -> List[List[dict]]:
    ordered = sorted(items, key=lambda i: (group_key(i, groupby), _parse_datetime(i), i["id"]))
    groups: Dict[str, List[dict]] = {}
    for item in ordered:
        groups.setdefault(group_key(item, groupby), []).append(item)
    return list(groups.values())


def _overlapping(items: Sequence[dict], geobox) -> List[dict]:
    from odc.geo import geom

    extent = geobox.extent
    keep = []
    for item in items:
        footprint = item.get("geometry")
        shape = geom.Geometry(footprint, crs="EPSG:4326") if footprint else geom.box(*item["bbox"], crs="EPSG:4326")
        if shape.to_crs(geobox.crs).intersects(extent):
            keep.append(item)
    return keep


def _offset_flag(values) -> int:
    stated = set(values)
    if stated == {True}:
        return OFFSET_APPLIED
    if stated == {False}:
        return OFFSET_KEPT
    if stated == {None}:
        return OFFSET_UNFLAGGED
    return OFFSET_MIXED


def _date_coordinates(groups: List[List[dict]]) -> Dict[str, Tuple[str, list]]:
    """Per-date metadata from the items fused into each date."""
    coords = {"item_ids": [",".join(i["id"] for i in g) for g in groups]}
    for name, key in DATE_PROPERTIES.items():
        if key is None:  # the baseline, under any of its names
            values = [[processing_baseline(i) for i in g] for g in groups]
        else:
            values = [[i["properties"].get(key) for i in g] for g in groups]
        if all(v is None for group in values for v in group):
            continue
        if name == "cloud_cover":
            coords[name] = [
                float(sum(v for v in group if v is not None) / max(1, sum(v is not None for v in group)))
                for group in values
            ]
        elif name == "boa_offset_applied":
            coords[name] = [_offset_flag(g) for g in values]
        else:
            coords[name] = [",".join(sorted({str(v) for v in group if v is not None})) for group in values]
    return coords


# Extensions GDAL may be told are the only ones worth a request (see allowed_extensions).
RASTER_EXTENSIONS = (".tif", ".tiff", ".jp2", ".vrt", ".nc", ".h5", ".hdf", ".img", ".zarr")


def allowed_extensions(hrefs: Sequence[str]) -> Optional[str]:
    """CPL_VSIL_CURL_ALLOWED_EXTENSIONS for these hrefs, or None.

    With it GDAL never probes side-car files (.aux.xml, .ovr, .msk …) next to
    a COG: one request less per asset, and no 403/404 noise on signed URLs.
    Set only when every href ends (query string aside) in a known raster
    extension: a catalog serving assets at extension-less URLs is left alone.
    """
    import posixpath
    from urllib.parse import urlparse

    found = set()
    for href in hrefs:
        extension = posixpath.splitext(urlparse(href).path)[1].lower()
        if extension not in RASTER_EXTENSIONS:
            return None
        found.add(extension)
    if not found:
        return None
    return ",".join(sorted(found | {e.upper() for e in found}))


def gdal_http_options(policy: HttpPolicy, hrefs: Sequence[str] = ()) -> Dict[str, str]:
    """GDAL options for reading COGs over HTTP: the retry policy plus the usual cloud settings.

    odc.stac.configure_rio(cloud_defaults=True) only sets GDAL_DISABLE_READDIR_ON_OPEN
    and its own retries (which these replace); the rest is set here:

    - GDAL_DISABLE_READDIR_ON_OPEN=EMPTY_DIR: no directory listing per asset
      (object stores have none; a signed URL would answer 403).
    - CPL_VSIL_CURL_ALLOWED_EXTENSIONS: the hrefs' own extensions (see
      allowed_extensions), so no side-car files are probed.
    - GDAL_HTTP_MERGE_CONSECUTIVE_RANGES=YES, GDAL_HTTP_MULTIRANGE=YES
      (the blocks a window needs are fetched together: adjacent ranges merged,
      the others in parallel), GDAL_HTTP_MULTIPLEX=YES (HTTP/2 where offered).
    - VSI_CACHE=TRUE (25 MB per open file) and CPL_VSIL_CURL_CACHE_SIZE=128 MB
      (the process-wide cache of downloaded ranges, 16 MB by default): the
      header and tile index read by the probe are reused by the load.
    - GDAL_HTTP_TIMEOUT/CONNECTTIMEOUT/MAX_RETRY/RETRY_DELAY: policy.gdal_options().
    """
    options = {
        **policy.gdal_options(),
        "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
        "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
        "GDAL_HTTP_MULTIRANGE": "YES",
        "GDAL_HTTP_MULTIPLEX": "YES",
        "VSI_CACHE": "TRUE",
        "VSI_CACHE_SIZE": str(25 * 1024 * 1024),
        "CPL_VSIL_CURL_CACHE_SIZE": str(128 * 1024 * 1024),
    }
    extensions = allowed_extensions(hrefs) if hrefs else None
    if extensions:
        options["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] = extensions
    return options


def _gdal_message(message: str) -> str:
    from .signing import redact

    text = redact(" ".join(message.split()))
    return text if len(text) <= 300 else text[:300] + "…"


def is_local_path(href: str) -> bool:
    """A plain file path (or file:// URL), not a URL or a GDAL /vsi… path."""
    return href.startswith("file://") or ("://" not in href and not href.startswith("/vsi"))


def probe_assets(items: Sequence[dict], keys: Sequence[str], policy: HttpPolicy,
                 progress: Optional[Progress] = None, workers: Optional[int] = None,
                 sign=None, headers: Optional[Dict[str, str]] = None,
                 found: Optional[Dict[Tuple[str, str], dict]] = None) -> List[AssetFailure]:
    """Open the header of every (item, asset) the cube needs; return what fails.

    ``found`` (optional dict) receives each readable asset's header facts,
    keyed by (item id, asset key): data type, nodata, scale, offset
    (``_header_facts``), for items that do not say them.

    Cheap (a few range reads per asset, which GDAL caches for the load that
    follows) and done before anything is written, so a missing or corrupt
    asset is reported by item id and asset key instead of as a GDAL error in
    the middle of the write. Uses GDAL's retries (policy.gdal_options()).
    `sign` (href -> href, engine/signing.Signer) signs the URLs it opens,
    exactly as the load will.

    ``workers`` (default): PROBE_WORKERS threads for remote assets, whose
    headers wait on the network; one thread when every asset is a local
    file, whose header is read at CPU speed (~2 ms), in the calling thread:
    each extra thread only adds its own GDAL/PROJ start-up (~15-20 ms) and
    competes for the GIL (bench/bench_load.py's catalogs: 200 local assets
    probed in 0.42 s on one thread, 0.59 s on 8; 50 in 0.09 s, 0.23 s on 8).
    """
    from concurrent.futures import ThreadPoolExecutor

    import rasterio

    progress = progress or Progress()
    pairs = [(item, key) for item in items for key in keys]
    hrefs = _hrefs(items, keys)
    options = {**gdal_http_options(policy, hrefs), **gdal_header_options(headers)}
    if workers is None:
        workers = 1 if hrefs and all(is_local_path(h) for h in hrefs) else PROBE_WORKERS

    def probe(pair) -> Optional[AssetFailure]:
        item, key = pair
        asset = item.get("assets", {}).get(key)
        if asset is None:
            return AssetFailure(item["id"], key, "", "the item has no such asset")
        href = asset["href"]
        try:
            url = sign(href) if sign is not None else href
        except UserError as err:  # the token endpoint: the same for every asset, not an asset failure
            return err
        # rasterio.Env is per thread: set the HTTP options in the worker itself.
        with rasterio.Env(**options):
            message, facts = _open_header(url)
        if message is None:
            if found is not None:
                found[(item["id"], key)] = facts
            return None
        return AssetFailure(item["id"], key, href, _gdal_message(message) + _auth_hint(message))

    failures = []
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sitscube-probe") as pool:
        # One worker: probe in this thread (the pool starts no thread until it is given work,
        # and a new thread pays its own GDAL/PROJ start-up, ~20 ms).
        results = pool.map(probe, pairs) if workers > 1 else map(probe, pairs)
        for done, failure in enumerate(results, start=1):
            if isinstance(failure, UserError):
                raise failure
            if failure is not None:
                failures.append(failure)
            if done % 50 == 0:
                progress.check_canceled()
    return failures


GDAL_TYPES = {"Byte": "uint8", "Int8": "int8", "UInt16": "uint16", "Int16": "int16", "UInt32": "uint32",
              "Int32": "int32", "UInt64": "uint64", "Int64": "int64", "Float32": "float32", "Float64": "float64"}


def _header_facts(dataset) -> dict:
    """What a COG header says of its first band: data type, nodata, scale, offset."""
    from osgeo import gdal

    band = dataset.GetRasterBand(1)
    facts = {"data_type": GDAL_TYPES.get(gdal.GetDataTypeName(band.DataType))}
    nodata = band.GetNoDataValue()
    if nodata is not None:
        facts["nodata"] = int(nodata) if float(nodata).is_integer() and facts["data_type"] and "int" in facts["data_type"] else nodata
    scale, offset = band.GetScale(), band.GetOffset()
    if scale not in (None, 1.0) or offset not in (None, 0.0):
        facts["scale"], facts["offset"] = scale if scale is not None else 1.0, offset or 0.0
    facts["grid"] = grid_facts(dataset)  # whether the load may read it directly (engine/direct_reads.py)
    return facts


def _open_header(url: str) -> Tuple[Optional[str], dict]:
    """Open url's header with GDAL itself: (None, header facts), or (GDAL's own words for why it cannot be opened, {}).

    GDAL directly, not rasterio.open: the same header reads, without the
    Python-side dataset set-up (CRS, transforms) rasterio does on open,
    which was most of the probe's time (200 cached COG headers: 0.06 s
    against 0.36 s). Errors are caught quietly, per thread (GDAL's error
    state and handler stack are thread-local), so QGIS's log sees nothing.
    """
    from osgeo import gdal
    from rasterio._path import _parse_path

    try:
        path = _parse_path(url).as_vsi()
    except Exception as err:  # an href rasterio cannot map to a GDAL path
        return str(err), {}
    dataset = None
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        gdal.ErrorReset()
        dataset = gdal.OpenEx(path, gdal.OF_RASTER | gdal.OF_READONLY)
        if dataset is not None and dataset.RasterCount > 0:
            return None, _header_facts(dataset)
        return gdal.GetLastErrorMsg() or f"'{url}' is not a raster GDAL can read", {}
    except RuntimeError as err:  # gdal.UseExceptions() is on in some processes (QGIS's)
        return str(err), {}
    finally:
        dataset = None
        gdal.PopErrorHandler()


def _auth_hint(message: str) -> str:
    if any(code in message for code in ("HTTP error code : 401", "HTTP error code: 401", " 401")):
        return " (the asset server wants credentials: give an AUTH_CONFIG with a bearer token, or S3 credentials)"
    if any(code in message for code in ("HTTP error code : 403", "HTTP error code: 403", " 403")):
        return " (the asset server refused the credentials: check AUTH_CONFIG, or the token has expired)"
    return ""


def gdal_header_options(headers: Optional[Dict[str, str]]) -> Dict[str, str]:
    """GDAL_HTTP_HEADERS for extra headers on every asset request (e.g. a CDSE bearer token)."""
    if not headers:
        return {}
    return {"GDAL_HTTP_HEADERS": "\r\n".join(f"{name}: {value}" for name, value in headers.items())}


def _hrefs(items: Sequence[dict], keys: Sequence[str]) -> List[str]:
    return [a["href"] for item in items for k in keys for a in [item.get("assets", {}).get(k)] if a and a.get("href")]


def make_signer(items: Sequence[dict], keys: Sequence[str], request: "CubeRequest", progress: Progress):
    """A Signer when some href needs a SAS token (engine/signing.py), else None."""
    from .signing import Signer, sign_hosts

    signer = Signer(endpoint=request.token_endpoint, hosts=sign_hosts(request.sign_hosts),
                    policy=HttpPolicy(timeout=request.http.timeout, retries=min(request.http.retries, 3),
                                      backoff=request.http.backoff, deadline=min(request.http.deadline, 60.0)),
                    report=progress.info)
    hrefs = _hrefs(items, keys)
    if not any(signer.needs(h) for h in hrefs):
        return None
    signer.collection_of = {
        a["href"]: item.get("collection") or "" for item in items for k in keys
        for a in [item.get("assets", {}).get(k)] if a and a.get("href")
    }
    return signer


def _handle_asset_failures(items: List[dict], failures: List[AssetFailure], on_error: str, progress: Progress) -> List[dict]:
    """Fail the run, or drop the items whose assets failed (with a warning)."""
    if not failures:
        return items
    shown = "; ".join(f.describe() for f in failures[:10])
    more = f" (and {len(failures) - 10} more)" if len(failures) > 10 else ""
    if on_error == "fail":
        raise UserError(
            f"{len(failures)} asset(s) cannot be read: {shown}{more}. "
            "Nothing was written. Set ON_ASSET_ERROR to 'skip' to load the cube without these items."
        )
    bad = sorted({f.item_id for f in failures})
    keep = [item for item in items if item["id"] not in bad]
    progress.warning(
        f"Skipped {len(bad)} item(s) whose assets cannot be read: {', '.join(bad)}. Details: {shown}{more}. "
        "A date made only of skipped items is left out; a date with other tiles keeps them."
    )
    if not keep:
        raise UserError(f"No item can be read: every one of the {len(items)} item(s) has an asset that fails ({shown}{more}).")
    return keep


def _exception_chain(err: BaseException, limit: int = 20) -> List[BaseException]:
    """err and its causes: rasterio's last message is often just 'See previous exception'."""
    chain, seen = [], set()
    while err is not None and id(err) not in seen and len(chain) < limit:
        chain.append(err)
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return chain


def describe_read_error(err: Exception, items: Sequence[dict], keys: Sequence[str]) -> Optional[str]:
    """Name the item and asset behind a GDAL error raised while the cube is written.

    The probe runs first, so this is the rare case of an asset that broke
    between the probe and the read, or whose data (not header) is damaged.
    GDAL's messages carry the URL, which tells which item and asset it was.
    """
    texts = [" ".join(str(e).split()) for e in _exception_chain(err)]
    joined = " | ".join(texts)
    for item in items:
        for key in keys:
            href = (item.get("assets", {}).get(key) or {}).get("href")
            if href and href in joined:
                # innermost first: the decoder's words, then GDAL's block read
                details = "; ".join(t for t in reversed(texts) if t and "See previous exception" not in t)
                return (
                    f"Reading item {item['id']}, asset {key} failed while writing the cube: {_gdal_message(details)}. "
                    "Nothing was written."
                )
    return None


def load_cube(request: CubeRequest, progress: Optional[Progress] = None):
    """Build the lazy cube; nothing is read until it is computed or written."""
    import numpy as np
    import odc.stac
    import pystac

    progress = progress or Progress()
    if not request.items:
        raise UserError("The item collection is empty: widen the search (area, dates, cloud cover).")
    if request.groupby not in GROUPBY:
        raise UserError(f"GROUPBY must be one of {', '.join(GROUPBY)}.")
    if request.resampling not in RESAMPLING:
        raise UserError(f"RESAMPLING must be one of {', '.join(RESAMPLING)}.")
    if request.units not in UNITS:
        raise UserError(f"UNITS must be one of {', '.join(UNITS)}.")
    # Every catalog's spellings (proj:code, STAC 1.1 bands, raster:scale …) as odc-stac reads them
    all_items = [normalize_item(item) for item in request.items]
    keys = resolve_bands(all_items, request.bands, request.resolution)
    area = request.aoi_lonlat or items_bbox(all_items)
    geobox = target_geobox(area, request.crs, request.resolution, aoi=request.aoi,
                           pixel_grid=items_pixel_grid(all_items, keys))
    if geobox.shape[0] * geobox.shape[1] > request.max_pixels:
        dates = len(group_items(all_items, request.groupby))
        gigabytes = geobox.shape[0] * geobox.shape[1] * len(keys) * dates * 2 / 1e9  # uint16 reflectance
        raise UserError(
            f"The grid would be {geobox.shape[1]} x {geobox.shape[0]} pixels per band and date, about "
            f"{gigabytes:,.0f} GB for {len(keys)} band(s) and {dates} date(s): "
            "choose a smaller area or a coarser RESOLUTION."
        )
    items = _overlapping(all_items, geobox)
    if not items:
        box = ", ".join(f"{v:.4f}" for v in area)
        raise UserError(
            f"No item overlaps the area ({box} in lon/lat). Search again over this area, or choose an AOI inside the items' footprints."
        )
    if request.on_asset_error not in ON_ASSET_ERROR:
        raise UserError(f"ON_ASSET_ERROR must be one of {', '.join(ON_ASSET_ERROR)}.")
    items = choose_hrefs(items, keys)  # s3:// -> https alternate when no S3 credentials are set
    skipped: List[str] = []
    signer = make_signer(items, keys, request, progress)
    if signer is not None:
        signer.token_for(next(h for h in _hrefs(items, keys) if signer.needs(h)))  # fail early, with the endpoint named
    header_facts: Dict[Tuple[str, str], dict] = {}
    if request.probe_assets:
        failures = probe_assets(items, keys, request.http, progress, sign=signer, headers=request.asset_headers,
                                found=header_facts)
        before = {item["id"] for item in items}
        items = _handle_asset_failures(items, failures, request.on_asset_error, progress)
        skipped = sorted(before - {item["id"] for item in items})
    items = _with_header_facts(items, keys, header_facts, request, signer, progress)
    groups = group_items(items, request.groupby)
    progress.info(f"{len(items)} item(s) fused into {len(groups)} date(s) on a {geobox.shape[1]} x {geobox.shape[0]} grid in {geobox.crs}.")

    resampling = {k: ("nearest" if is_categorical(k) else request.resampling) for k in keys}
    # The same HTTP policy for the reads during the write (odc-stac applies it in every worker thread).
    read_options = {**gdal_http_options(request.http, _hrefs(items, keys)), **gdal_header_options(request.asset_headers)}
    odc.stac.configure_rio(cloud_defaults=True, **read_options)
    stac_items = [pystac.Item.from_dict(item, preserve_dict=True) for item in items]
    keys_by_id = {item["id"]: group_key(item, request.groupby) for item in items}
    chunk = int(request.chunk_size)
    native = native_factors(stac_items, keys, geobox, resampling, chunk) if request.native_grid_reads else {}
    if len(native) == len(keys):  # the cube's own grid comes from a band read on it
        native = {}
    direct = (header_facts if request.direct_reads else {}), read_options
    ds = _odc_load(stac_items, [k for k in keys if k not in native], geobox, chunk, resampling, keys_by_id, signer, groups,
                   direct)
    for factor in sorted(set(native.values())):
        group = [k for k in keys if native.get(k) == factor]
        coarse = _odc_load(stac_items, group, coarse_geobox(geobox, factor), chunk // factor, resampling, keys_by_id,
                           signer, groups, direct)
        if not np.array_equal(coarse["time"].values, ds["time"].values):
            raise UserError("Internal mismatch: the dates of bands read on their own grid differ from the cube's.")
        for key in group:
            ds[key] = (("time", "y", "x"), repeated(coarse[key].data, factor, geobox.shape), coarse[key].attrs)
    ds = ds[list(keys)]  # the bands in the order asked for

    for name, values in _date_coordinates(groups).items():
        ds = ds.assign_coords({name: ("time", np.asarray(values))})
    for key in keys:
        raster = (items[0]["assets"][key].get("raster:bands") or [{}])[0]
        if "scale" in raster:  # Sentinel-2's offset varies by date: see processing_baseline and harmonize
            ds[key].attrs["reflectance_scale"] = raster["scale"]
        offset = _constant_offset(items, key)
        if offset:  # Landsat C2 L2's -0.2: the same on every date, kept for indices and GeoTIFFs
            ds[key].attrs["reflectance_offset"] = offset
        ds[key].attrs["asset_key"] = key
    if request.units == "reflectance":
        from .reflectance import to_reflectance

        ds = to_reflectance(ds, groups, keys, progress)
    names = cube_names(keys)
    if any(name != key for key, name in names.items()):
        ds = ds.rename({key: name for key, name in names.items() if name != key})
    if skipped:
        ds.attrs["skipped_items"] = ",".join(skipped)  # provenance: items left out by ON_ASSET_ERROR=skip
    ds.attrs["title"] = "SITS Cube"
    ds.attrs["source"] = ", ".join(sorted({i.get("collection") or "" for i in items}))
    return ds


def _constant_offset(items: Sequence[dict], key: str) -> Optional[float]:
    """The offset every item states for this band, when it is not Sentinel-2's baseline offset (harmonize's job)."""
    if is_categorical(key) or any(processing_baseline(item) for item in items):
        return None
    offsets = {(item["assets"][key].get("raster:bands") or [{}])[0].get("offset") for item in items}
    if len(offsets) != 1:
        return None
    offset = offsets.pop()
    return float(offset) if offset else None


def _with_header_facts(items: List[dict], keys: Sequence[str], found: Dict[Tuple[str, str], dict],
                       request: "CubeRequest", signer, progress: Progress) -> List[dict]:
    """Items whose assets state data type and nodata, taken from the COG headers where the item does not.

    Planetary Computer and Earth Search v0 items have no ``raster:bands``:
    odc-stac would then make every band float32 with NaN (twice the size,
    and steps that work on stored integers would not recognize them).
    Without a probe, one header per band is read here.
    """
    lacking = [k for k in keys if any("data_type" not in ((i["assets"][k].get("raster:bands") or [{}])[0]) for i in items)]
    if not lacking:
        return items
    per_key: Dict[str, dict] = {}
    for key in lacking:
        facts = next((found[(i["id"], key)] for i in items if (i["id"], key) in found), None)
        if facts is None:  # no probe: read the first item's header
            import rasterio

            href = items[0]["assets"][key]["href"]
            with rasterio.Env(**gdal_http_options(request.http, [href]), **gdal_header_options(request.asset_headers)):
                message, facts = _open_header(signer(href) if signer is not None else href)
            if message is not None:
                raise UserError(f"Cannot read the header of item {items[0]['id']}, asset {key}: {_gdal_message(message)}{_auth_hint(message)}")
        per_key[key] = facts
    out = []
    for item in items:
        assets = dict(item["assets"])
        for key in lacking:
            facts = found.get((item["id"], key)) or per_key[key]
            raster = dict((assets[key].get("raster:bands") or [{}])[0])
            for name in ("data_type", "nodata", "scale", "offset"):
                if name in facts and name not in raster:
                    raster[name] = facts[name]
            assets[key] = {**assets[key], "raster:bands": [raster]}
        out.append({**item, "assets": assets})
    progress.info(
        "Data type and nodata from the COG headers (the items do not state them): "
        + ", ".join(f"{k} {per_key[k].get('data_type')}/nodata {per_key[k].get('nodata')}" for k in lacking) + "."
    )
    return out


def _odc_load(stac_items, keys, geobox, chunk: int, resampling, keys_by_id, signer, groups, direct):
    """odc-stac's lazy load; bands on the cube's grid then read directly (direct: header facts, GDAL options)."""
    import odc.stac

    try:
        ds = odc.stac.load(
            stac_items,
            bands=keys,
            geobox=geobox,
            groupby=lambda item, parsed, idx: keys_by_id[item.id],
            resampling=resampling,
            chunks={"time": 1, "y": chunk, "x": chunk},
            fail_on_error=True,  # a read failure during the write fails the run: never silent holes
            patch_url=signer,  # SAS tokens for Azure Blob hrefs (None: hrefs as they are)
            debug=True,  # its plan (which items each chunk reads), for replace_reads
        )
    except ValueError as err:
        raise UserError(f"odc-stac cannot load these items: {err}")
    if ds.sizes["time"] != len(groups):
        raise UserError(f"Internal mismatch: {ds.sizes['time']} dates loaded for {len(groups)} groups of items.")
    header_facts, options = direct
    replace_reads(ds, geobox, header_facts, options)  # also drops the plan from ds.encoding
    return ds
