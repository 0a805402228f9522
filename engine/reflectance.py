"""Stored DN -> physical values (surface reflectance), each date with its own scale and offset.

``value = DN * scale + offset``, float32, nodata -> NaN. Per band and date
the scale and offset come from the items fused into that date:

* the asset's ``raster:bands`` scale/offset (or ``raster:scale`` /
  ``raster:offset``, CDSE), or the COG header's when the item says nothing
  (engine/cube_load.py fills them in);
* else, for a Sentinel-2 L2A reflectance band (an item with a processing
  baseline): 0.0001, and -0.1 on the dates whose DN still carry the
  baseline-04.00 offset (baseline >= 04.00, not flagged as removed by the
  catalog), 0 otherwise (Landsat C2 L2's 2.75e-05 and -0.2 are filled into
  raster:bands by engine/conventions.py where USGS's items omit them);
* an item flagged ``earthsearch:boa_offset_applied: true`` has had the
  offset removed from its DN, so an offset of -0.1 stated next to that flag
  is not applied a second time (the real Earth Search items keep both).

Items fused into one date must agree; categorical bands (SCL, qa_pixel) stay
as stored. The cube records what was applied in its provenance, and
``harmonize`` leaves such bands alone (the offset is already in).
"""

from typing import List, Sequence, Tuple

from .errors import UserError
from .progress import Progress

S2_SCALE = 0.0001
S2_OFFSET = -0.1
STEP = "reflectance"


def _item_scaling(item: dict, key: str) -> Tuple[float, float]:
    from .conventions import processing_baseline

    raster = (item["assets"][key].get("raster:bands") or [{}])[0]
    flagged = item.get("properties", {}).get("earthsearch:boa_offset_applied") is True
    baseline = processing_baseline(item)
    if raster.get("scale") is not None:
        scale, offset = float(raster["scale"]), float(raster.get("offset") or 0.0)
        if flagged and baseline and abs(offset - S2_OFFSET) < 1e-9:
            offset = 0.0  # the catalog removed the +1000 already: -0.1 would remove it twice
        return scale, offset
    if baseline:
        carries = float(baseline) >= 4.0 and not flagged
        return S2_SCALE, (S2_OFFSET if carries else 0.0)
    raise UserError(
        f"Item {item['id']} does not say how to turn asset {key} into reflectance (no raster:bands scale, no "
        "scale in the COG header, not a Sentinel-2 L2A product). Load it with UNITS 'dn'."
    )


def date_scaling(groups: Sequence[Sequence[dict]], key: str, labels: Sequence[str]) -> Tuple[List[float], List[float]]:
    scales, offsets = [], []
    for label, group in zip(labels, groups):
        found = {_item_scaling(item, key) for item in group}
        if len(found) > 1:
            raise UserError(
                f"The products fused into {label} scale {key} differently ({sorted(found)}): load with GROUPBY "
                "'none' (one product per date), or with UNITS 'dn' and harmonize."
            )
        scale, offset = found.pop()
        scales.append(scale)
        offsets.append(offset)
    return scales, offsets


def to_reflectance(ds, groups: Sequence[Sequence[dict]], keys: Sequence[str], progress: Progress = None):
    """The cube with every non-categorical band as float32 physical values (lazy)."""
    import numpy as np
    import xarray as xr

    from .cube_io import add_history
    from .cube_load import is_categorical

    progress = progress or Progress()
    labels = [str(t)[:10] for t in ds["time"].values]
    applied = {}
    out = ds.copy()
    for key in keys:
        if is_categorical(key):
            continue
        band = ds[key]
        scales, offsets = date_scaling(groups, key, labels)
        scale = xr.DataArray(np.asarray(scales, dtype=np.float32), dims="time")
        offset = xr.DataArray(np.asarray(offsets, dtype=np.float32), dims="time")
        value = band.astype(np.float32) * scale + offset
        nodata = band.attrs.get("nodata")
        if nodata is not None and not (isinstance(nodata, float) and np.isnan(nodata)):
            value = value.where(band != nodata)
        value = value.astype(np.float32).transpose(*band.dims)
        value.attrs = {**{k: v for k, v in band.attrs.items() if k not in ("nodata", "reflectance_scale")},
                       "nodata": np.float32(np.nan), "units": "reflectance", "scale_offset_applied": "per date"}
        out[key] = value
        applied[key] = sorted({(s, o) for s, o in zip(scales, offsets)})
    progress.info("Reflectance: " + "; ".join(
        f"{key} " + ", ".join(f"x{s:g}{o:+g}" for s, o in pairs) for key, pairs in applied.items()) + ".")
    return add_history(out, STEP, {"bands": list(applied), "scale_offset": {k: [list(p) for p in v] for k, v in applied.items()}})
