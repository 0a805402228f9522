"""Match requested band names to asset keys, by key or by common name."""

from typing import Dict, List, Sequence

from .errors import UserError

RASTER_TYPES = ("image/tiff", "image/jp2", "image/vnd.stac.geotiff", "application/x-hdf")


def _is_raster(asset: dict) -> bool:
    media = (asset.get("type") or "").lower()
    roles = asset.get("roles") or ["data"]
    return "data" in roles and (not media or media.startswith(RASTER_TYPES))


def _common_names(asset: dict) -> List[str]:
    names = [band.get("common_name") for band in asset.get("eo:bands", [])]
    names += [band.get("eo:common_name") for band in asset.get("bands", [])]  # STAC 1.1
    return [n for n in names if n]


def band_table(items: Sequence[dict]) -> Dict[str, str]:
    """lower-case name (asset key or common name) -> asset key, over all items."""
    table: Dict[str, str] = {}
    for item in items:
        for key, asset in item.get("assets", {}).items():
            if not _is_raster(asset):
                continue
            table.setdefault(key.lower(), key)
            for common in _common_names(asset):
                table.setdefault(common.lower(), key)
    return table


def available_names(items: Sequence[dict]) -> List[str]:
    """Asset keys, each followed by its common name when it has one."""
    labels = {}
    for item in items:
        for key, asset in item.get("assets", {}).items():
            if _is_raster(asset):
                common = _common_names(asset)
                labels[key] = f"{key} ({common[0]})" if common and common[0] != key else key
    return sorted(labels.values())


def parse_band_list(text: str) -> List[str]:
    return [b.strip() for b in (text or "").replace(";", ",").split(",") if b.strip()]


def lookup(table: Dict[str, str], name: str):
    """The asset key for one name: asset key or common name first, then the
    Sentinel-2 aliases of the other catalog layout (B04 <-> red, SCL <-> scl …),
    so the same BANDS work on Earth Search and on the Planetary Computer."""
    from .catalogs import SENTINEL2_ALIASES

    key = table.get(name.lower())
    if key is None:
        for alias in SENTINEL2_ALIASES.get(name.lower(), []):
            key = table.get(alias.lower())
            if key is not None:
                break
    return key


def resolve_bands(items: Sequence[dict], requested: Sequence[str]) -> List[str]:
    """Asset keys for the requested names (asset keys or common names)."""
    if not requested:
        raise UserError("BANDS is empty: give asset keys or common names, e.g. 'red,nir,scl'.")
    table = band_table(items)
    keys, unknown = [], []
    for name in requested:
        key = lookup(table, name)
        if key is None:
            unknown.append(name)
        elif key not in keys:
            keys.append(key)
    if unknown:
        raise UserError(
            f"Unknown band(s): {', '.join(unknown)}. The items have: {', '.join(available_names(items))}."
        )
    missing = [(item["id"], k) for item in items for k in keys if k not in item.get("assets", {})]
    if missing:
        ids = sorted({i for i, _ in missing})
        raise UserError(
            f"{len(ids)} item(s) lack band(s) {', '.join(sorted({k for _, k in missing}))} "
            f"(first: {ids[0]}). Remove those items or choose other BANDS."
        )
    return keys
