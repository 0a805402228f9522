"""Match requested band names to asset keys, by key or by common name.

A name may match several assets of one band at different resolutions, as
the Copernicus Data Space Ecosystem publishes them (``B04_10m``,
``B04_20m``, ``B04_60m``; ``SCL_20m``, ``SCL_60m``): the asset whose
pixel fits the cube's RESOLUTION is chosen, i.e. the coarsest one still at
least as fine as RESOLUTION, else the finest there is. Such a band is named
in the cube by its key without the suffix (``B04``, ``SCL``), so the steps
after loading see the same names on every catalog.
"""

from typing import Dict, List, Optional, Sequence

from .conventions import asset_resolution, common_names, split_resolution
from .errors import UserError

RASTER_TYPES = ("image/tiff", "image/jp2", "image/vnd.stac.geotiff", "application/x-hdf")


# Roles of quality bands published without "data" (USGS qa_pixel: cloud, cloud-shadow, snow-ice, water-mask)
MASK_ROLES = {"cloud", "cloud-shadow", "snow-ice", "water-mask", "data-mask", "saturation", "quality"}


def _is_raster(asset: dict) -> bool:
    media = (asset.get("type") or "").lower()
    roles = set(asset.get("roles") or ["data"])
    return bool(roles & ({"data"} | MASK_ROLES)) and (not media or media.startswith(RASTER_TYPES))


def band_table(items: Sequence[dict]) -> Dict[str, List[str]]:
    """lower-case name (asset key, key without its _NNm suffix, or common name) -> asset keys."""
    table: Dict[str, List[str]] = {}

    def add(name: str, key: str) -> None:
        keys = table.setdefault(name.lower(), [])
        if key not in keys:
            keys.append(key)

    for item in items:
        for key, asset in item.get("assets", {}).items():
            if not _is_raster(asset):
                continue
            add(key, key)
            base, _ = split_resolution(key)
            add(base, key)
            names = common_names(asset)
            if len(names) == 1:  # not 'visual' (red, green, blue in one asset) for 'red'
                add(next(iter(names)), key)
    return table


def available_names(items: Sequence[dict]) -> List[str]:
    """Asset keys, each followed by its common name when it has one."""
    labels = {}
    for item in items:
        for key, asset in item.get("assets", {}).items():
            if _is_raster(asset):
                common = list(common_names(asset))
                labels[key] = f"{key} ({common[0]})" if common and common[0] != key else key
    return sorted(labels.values())


def parse_band_list(text: str) -> List[str]:
    return [b.strip() for b in (text or "").replace(";", ",").split(",") if b.strip()]


def _resolutions(items: Sequence[dict], key: str) -> Optional[float]:
    for item in items:
        asset = item.get("assets", {}).get(key)
        if asset:
            found = asset_resolution(asset, key)
            if found:
                return found
    return None


def choose_by_resolution(keys: Sequence[str], items: Sequence[dict], resolution: Optional[float]) -> str:
    """The coarsest asset at least as fine as ``resolution``, else the finest; the first when no size is known."""
    if len(keys) == 1:
        return keys[0]
    sized = [(size, key) for key in keys for size in [_resolutions(items, key)] if size]
    if not sized:
        return keys[0]
    fine_enough = [s for s in sized if resolution and s[0] <= resolution + 1e-9]
    return max(fine_enough)[1] if fine_enough else min(sized)[1]


def lookup(table: Dict[str, List[str]], name: str, items: Sequence[dict] = (), resolution: Optional[float] = None):
    """The asset key for one name: asset key or common name first, then the
    aliases of the other catalog layouts (B04 <-> red, SCL <-> scl, nir <-> nir08 …),
    so the same BANDS work on every catalog."""
    from .catalogs import BAND_ALIASES

    keys = table.get(name.lower())
    if not keys:
        for alias in BAND_ALIASES.get(name.lower(), []):
            keys = table.get(alias.lower())
            if keys:
                break
    if not keys:
        return None
    exact = [k for k in keys if k.lower() == name.lower()]
    return exact[0] if exact else choose_by_resolution(keys, items, resolution)


def resolve_bands(items: Sequence[dict], requested: Sequence[str], resolution: Optional[float] = None) -> List[str]:
    """Asset keys for the requested names (asset keys or common names)."""
    if not requested:
        raise UserError("BANDS is empty: give asset keys or common names, e.g. 'red,nir,scl'.")
    table = band_table(items)
    keys, unknown = [], []
    for name in requested:
        key = lookup(table, name, items, resolution)
        if key is None:
            unknown.append(name)
        elif key not in keys:
            keys.append(key)
    if unknown:
        choices = available_names(items)
        raise UserError(
            f"Unknown band(s): {', '.join(unknown)}. "
            + (f"The items have: {', '.join(choices)}." if choices else
               "The items have no raster data asset at all (no GeoTIFF/JP2 asset with role 'data'): "
               "this collection cannot be loaded as a cube; choose another COLLECTION.")
        )
    missing = [(item["id"], k) for item in items for k in keys if k not in item.get("assets", {})]
    if missing:
        ids = sorted({i for i, _ in missing})
        raise UserError(
            f"{len(ids)} item(s) lack band(s) {', '.join(sorted({k for _, k in missing}))} "
            f"(first: {ids[0]}). Remove those items or choose other BANDS."
        )
    return keys


def cube_names(keys: Sequence[str]) -> Dict[str, str]:
    """asset key -> variable name in the cube: the key without a _NNm suffix when that is unambiguous."""
    bases = [split_resolution(k)[0] for k in keys]
    return {k: (b if bases.count(b) == 1 and b not in keys else k) for k, b in zip(keys, bases)}
