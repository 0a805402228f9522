"""What each catalog's items say, in the fields the loader reads.

Catalogs publish the same facts under different names (README, "Catalogs"):

| fact | Planetary Computer | Earth Search v1 / v0 | CDSE (STAC 1.1) | USGS / Landsat C2 L2 |
|---|---|---|---|---|
| baseline | ``s2:processing_baseline`` | ``s2:processing_baseline`` / product id | ``processing:version`` | — |
| EPSG | ``proj:epsg`` | ``proj:epsg`` | ``proj:code`` | ``proj:epsg`` |
| dtype, nodata | COG header | ``raster:bands`` / COG header | ``bands``, ``nodata``, ``data_type`` | ``raster:bands`` |
| scale, offset | — | ``raster:bands`` | ``raster:scale``, ``raster:offset`` | ``raster:bands`` |
| common name | ``eo:bands`` | ``eo:bands`` | ``bands[].eo:common_name`` | ``eo:bands`` |
| href | https (SAS token) | https | ``s3://`` + ``alternate`` https | https + ``alternate`` s3 |

``normalize_item`` returns a copy of an item with the STAC 1.0 fields
odc-stac reads (``proj:epsg``, ``raster:bands``, ``eo:bands``) filled in
from the other spellings; nothing published is removed.
"""

import copy
import os
import re
from typing import Dict, List, Optional, Sequence

from .errors import UserError

BASELINE_PROPERTIES = ("s2:processing_baseline", "processing:version", "sentinel:processing_baseline")
# Where a Sentinel-2 product name (…_N0400_…) may be found, last resort for the baseline
PRODUCT_NAME_PROPERTIES = ("s2:product_uri", "s2:product_id", "sentinel:product_id", "product:id", "eopf:product_id")
_BASELINE_IN_NAME = re.compile(r"_N(\d{2})(\d{2})(?:_|\.|$)")
_RESOLUTION_SUFFIX = re.compile(r"^(.+?)_(\d+)m$", re.IGNORECASE)
# Landsat Collection 2 Level-2 surface reflectance: USGS publishes its items without raster:bands
LANDSAT_SR_SCALE, LANDSAT_SR_OFFSET = 2.75e-05, -0.2
LANDSAT_SR_KEYS = {"coastal", "blue", "green", "red", "nir08", "swir16", "swir22"}
S3_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_NO_SIGN_REQUEST", "AWS_PROFILE")


def _format_baseline(text) -> Optional[str]:
    """'4' / '04.00' / '5.10' / 'N0400' -> 'NN.NN'; None when it is not a baseline."""
    if text is None:
        return None
    value = str(text).strip()
    match = re.fullmatch(r"N?(\d{2})\.?(\d{2})", value)
    if match:
        return f"{match.group(1)}.{match.group(2)}"
    try:
        number = float(value)
    except ValueError:
        return value or None
    return f"{number:05.2f}"


def processing_baseline(item: dict) -> Optional[str]:
    """The Sentinel-2 processing baseline of an item, from any convention, as 'NN.NN' (None if unknown)."""
    props = item.get("properties", {})
    for key in BASELINE_PROPERTIES:
        if props.get(key) not in (None, ""):
            return _format_baseline(props[key])
    for text in [props.get(k) for k in PRODUCT_NAME_PROPERTIES] + [item.get("id")]:
        match = _BASELINE_IN_NAME.search(str(text or ""))
        if match:
            return f"{match.group(1)}.{match.group(2)}"
    return None


def split_resolution(key: str):
    """'B04_10m' -> ('B04', 10); 'B04' -> ('B04', None)."""
    match = _RESOLUTION_SUFFIX.match(key)
    return (match.group(1), int(match.group(2))) if match else (key, None)


def _epsg_from_code(code) -> Optional[int]:
    match = re.fullmatch(r"EPSG:(\d+)", str(code or "").strip(), re.IGNORECASE)
    return int(match.group(1)) if match else None


def _raster_band(asset: dict) -> dict:
    """STAC 1.1 / raster v2 fields of an asset (or its single band) as one raster:bands entry."""
    bands = asset.get("bands") or [{}]
    band = bands[0] if len(bands) == 1 else {}
    entry = {}
    for target, names in {
        "data_type": ("data_type",),
        "nodata": ("nodata",),
        "scale": ("raster:scale", "scale"),
        "offset": ("raster:offset", "offset"),
        "spatial_resolution": ("raster:spatial_resolution", "spatial_resolution"),
    }.items():
        for name in names:
            for source in (band, asset):
                if name in source and target not in entry:
                    entry[target] = source[name]
    return entry


def normalize_asset(asset: dict) -> dict:
    out = dict(asset)
    if "proj:epsg" not in out and _epsg_from_code(out.get("proj:code")):
        out["proj:epsg"] = _epsg_from_code(out["proj:code"])
    if not out.get("raster:bands"):
        entry = _raster_band(out)
        if entry:
            out["raster:bands"] = [entry]
    if not out.get("eo:bands") and out.get("bands"):
        eo = []
        for band in out["bands"]:
            common = band.get("eo:common_name")
            entry = {"name": band.get("name")}
            if common:
                entry["common_name"] = common
            for key in ("eo:center_wavelength", "eo:full_width_half_max"):
                if key in band:
                    entry[key[3:]] = band[key]
            eo.append(entry)
        out["eo:bands"] = eo
    return out


def is_landsat_level2(item: dict) -> bool:
    props = item.get("properties", {})
    return props.get("landsat:correction") in ("L2SP", "L2SR") or any(
        tag in item.get("id", "") for tag in ("_L2SP_", "_L2SR_"))


def normalize_item(item: dict) -> dict:
    """A copy of the item with proj:epsg, raster:bands and eo:bands filled from other spellings.

    Landsat C2 L2 surface-reflectance assets without a scale get the
    collection's own (2.75e-05, -0.2), so every later step reads it from
    raster:bands whatever the catalog.
    """
    out = copy.deepcopy(item)
    props = out.setdefault("properties", {})
    if "proj:epsg" not in props and _epsg_from_code(props.get("proj:code")):
        props["proj:epsg"] = _epsg_from_code(props["proj:code"])
    out["assets"] = {key: normalize_asset(asset) for key, asset in (out.get("assets") or {}).items()}
    if is_landsat_level2(out):
        for key, asset in out["assets"].items():
            raster = (asset.get("raster:bands") or [{}])[0]
            if key.lower() in LANDSAT_SR_KEYS and raster.get("scale") is None:
                asset["raster:bands"] = [{**raster, "scale": LANDSAT_SR_SCALE, "offset": LANDSAT_SR_OFFSET}]
    return out


# ---- S3 hrefs -----------------------------------------------------------------------------


def has_s3_credentials(environ=None) -> bool:
    """True when GDAL can read s3:// (/vsis3/) with the environment's credentials or settings."""
    environ = os.environ if environ is None else environ
    if any(environ.get(v) for v in S3_CREDENTIAL_VARIABLES):
        return True
    home = environ.get("HOME") or os.path.expanduser("~")
    files = [environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials")]
    return any(os.path.isfile(f) for f in files)


def _http_alternate(asset: dict) -> Optional[str]:
    alternates = asset.get("alternate") or {}
    preferred = [alternates.get(k) for k in ("https", "http")] + list(alternates.values())
    for alternate in preferred:
        href = (alternate or {}).get("href", "") if isinstance(alternate, dict) else ""
        if href.startswith(("https://", "http://")):
            return href
    return None


def choose_hrefs(items: Sequence[dict], keys: Sequence[str], environ=None) -> List[dict]:
    """Items whose s3:// assets (among keys) point at their https alternate when no S3 credentials are set.

    An s3:// asset without credentials and without an http(s) alternate is a
    UserError naming what to set. With credentials, s3:// stays (GDAL /vsis3/).
    """
    if has_s3_credentials(environ):
        return list(items)
    out, stranded = [], []
    for item in items:
        assets = item.get("assets", {})
        changed = None
        for key in keys:
            asset = assets.get(key)
            if not asset or not str(asset.get("href", "")).startswith("s3://"):
                continue
            alternate = _http_alternate(asset)
            if alternate is None:
                stranded.append((item["id"], key, asset["href"]))
                continue
            changed = changed or {**item, "assets": dict(assets)}
            changed["assets"][key] = {**asset, "href": alternate}
        out.append(changed or item)
    if stranded:
        item_id, key, href = stranded[0]
        raise UserError(
            f"{len(stranded)} asset(s) are on S3 with no https alternate (first: item {item_id}, asset {key}, {href}) "
            "and no S3 credentials are set. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for the Copernicus "
            "Data Space Ecosystem also AWS_S3_ENDPOINT=eodata.dataspace.copernicus.eu and AWS_VIRTUAL_HOSTING=FALSE), "
            "or AWS_NO_SIGN_REQUEST=YES for a public bucket. Nothing was written."
        )
    return out


def asset_resolution(asset: dict, key: str) -> Optional[float]:
    """The asset's pixel size: from its key (B04_20m), gsd, raster spatial_resolution or proj:transform."""
    _, from_key = split_resolution(key)
    if from_key:
        return float(from_key)
    raster = (normalize_asset(asset).get("raster:bands") or [{}])[0]
    for value in (raster.get("spatial_resolution"), asset.get("gsd")):
        if value:
            return float(value)
    transform = asset.get("proj:transform")
    if transform and len(transform) >= 6:
        return abs(float(transform[0]))
    return None


def asset_grid(item: dict, key: str):
    """(EPSG, proj:transform) of an item's asset, from the asset or else the item (None when unknown)."""
    asset = (item.get("assets") or {}).get(key) or {}
    props = item.get("properties", {})
    epsg = asset.get("proj:epsg") or _epsg_from_code(asset.get("proj:code")) or props.get("proj:epsg") \
        or _epsg_from_code(props.get("proj:code"))
    transform = asset.get("proj:transform") or props.get("proj:transform")
    if not epsg or not transform or len(transform) < 6 or transform[1] or transform[3]:
        return None
    return int(epsg), [float(v) for v in transform[:6]]


def common_names(asset: dict) -> Dict[str, None]:
    names = [band.get("common_name") for band in asset.get("eo:bands", []) or []]
    names += [band.get("eo:common_name") for band in asset.get("bands", []) or []]
    return {n: None for n in names if n}
