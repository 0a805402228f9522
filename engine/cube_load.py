"""STAC items -> a lazy (time, y, x) cube with odc-stac."""

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from .bands import resolve_bands
from .errors import UserError
from .grids import Box, items_bbox, target_geobox
from .progress import Progress

GROUPBY = ("solar_day", "time", "none")
RESAMPLING = ("nearest", "bilinear", "cubic", "average", "mode", "min", "max", "med")
CATEGORICAL = {"scl", "qa_pixel", "fmask", "mask", "cloud", "classification"}  # always nearest

# Per-date coordinates: name in the cube -> STAC property
DATE_PROPERTIES = {
    "platform": "platform",
    "processing_baseline": "s2:processing_baseline",
    "boa_offset_applied": "earthsearch:boa_offset_applied",
    "cloud_cover": "eo:cloud_cover",
}


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


def _date_coordinates(groups: List[List[dict]]) -> Dict[str, Tuple[str, list]]:
    """Per-date metadata from the items fused into each date."""
    coords = {"item_ids": [",".join(i["id"] for i in g) for g in groups]}
    for name, key in DATE_PROPERTIES.items():
        values = [[i["properties"].get(key) for i in g] for g in groups]
        if all(v is None for group in values for v in group):
            continue
        if name == "cloud_cover":
            coords[name] = [
                float(sum(v for v in group if v is not None) / max(1, sum(v is not None for v in group)))
                for group in values
            ]
        elif name == "boa_offset_applied":  # 1 true, 0 false, -1 unknown or mixed
            coords[name] = [1 if set(g) == {True} else 0 if set(g) == {False} else -1 for g in values]
        else:
            coords[name] = [",".join(sorted({str(v) for v in group if v is not None})) for group in values]
    return coords


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
    keys = resolve_bands(request.items, request.bands)
    area = request.aoi_lonlat or items_bbox(request.items)
    geobox = target_geobox(area, request.crs, request.resolution, aoi=request.aoi)
    if geobox.shape[0] * geobox.shape[1] > request.max_pixels:
        raise UserError(
            f"The grid would be {geobox.shape[1]} x {geobox.shape[0]} pixels per band and date: "
            "choose a smaller area or a coarser RESOLUTION."
        )
    items = _overlapping(request.items, geobox)
    if not items:
        box = ", ".join(f"{v:.4f}" for v in area)
        raise UserError(
            f"No item overlaps the area ({box} in lon/lat). Search again over this area, or choose an AOI inside the items' footprints."
        )
    groups = group_items(items, request.groupby)
    progress.info(f"{len(items)} item(s) fused into {len(groups)} date(s) on a {geobox.shape[1]} x {geobox.shape[0]} grid in {geobox.crs}.")

    resampling = {k: ("nearest" if k.lower() in CATEGORICAL else request.resampling) for k in keys}
    odc.stac.configure_rio(cloud_defaults=True, GDAL_HTTP_MAX_RETRY=3, GDAL_HTTP_RETRY_DELAY=1)
    stac_items = [pystac.Item.from_dict(item, preserve_dict=True) for item in items]
    keys_by_id = {item["id"]: group_key(item, request.groupby) for item in items}
    chunk = int(request.chunk_size)
    try:
        ds = odc.stac.load(
            stac_items,
            bands=keys,
            geobox=geobox,
            groupby=lambda item, parsed, idx: keys_by_id[item.id],
            resampling=resampling,
            chunks={"time": 1, "y": chunk, "x": chunk},
            fail_on_error=True,
        )
    except ValueError as err:
        raise UserError(f"odc-stac cannot load these items: {err}")
    if ds.sizes["time"] != len(groups):
        raise UserError(f"Internal mismatch: {ds.sizes['time']} dates loaded for {len(groups)} groups of items.")

    for name, values in _date_coordinates(groups).items():
        ds = ds.assign_coords({name: ("time", np.asarray(values))})
    for key in keys:
        raster = (items[0]["assets"][key].get("raster:bands") or [{}])[0]
        if "scale" in raster:  # the offset varies by date: see processing_baseline
            ds[key].attrs["reflectance_scale"] = raster["scale"]
    ds.attrs["title"] = "SITS Cube"
    ds.attrs["source"] = ", ".join(sorted({i.get("collection") or "" for i in items}))
    return ds
