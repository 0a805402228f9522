"""Spectral indices added to a cube as float32 bands.

``add_index(ds, "NDVI")`` returns the cube with one more variable, named
like the index (``NDVI``), dims as the input bands (time, y, x), lazy when
the cube is dask-backed.

Choices:

* Bands are found by common name in either catalog convention, matched
  case-insensitively: Planetary-Computer asset keys (``B04``) or
  Earth-Search ones (``red``). ``nir`` is the 10 m B08 / ``nir``; a cube
  with only the 20 m narrow NIR (``B8A`` / ``nir08``) uses that instead,
  with a note in the log.
* Computed in reflectance: DN × the band's ``reflectance_scale`` attribute
  (0.0001 when absent). The ratios (NDVI, NDWI, NDMI, NBR) do not depend on
  the scale, but EVI and SAVI have additive constants defined in
  reflectance units, so the scale matters for them.
* A pixel is NaN where any input band is nodata (the band's ``nodata``
  attribute, 0 when absent for integers; NaN for floats) and where the
  denominator is zero (instead of ±inf).
* The baseline 04.00 offset (+1000 DN) biases every index. If the cube
  still carries it (per-date baselines >= 04.00, no ``harmonize`` step in
  the provenance) a warning says to run Harmonize first; the index is still
  computed, because the user may know better (e.g. a cube from elsewhere).
* Output is float32 (plenty for an index in [-1, 1]) with ``nodata`` NaN.
"""

from typing import Dict, List, Optional, Tuple

import numpy as np

from .cube_io import add_history, history
from .errors import UserError
from .progress import Progress

STEP = "spectralindex"
DEFAULT_SCALE = 0.0001

# common name -> asset keys that hold it, in order of preference
# (Planetary Computer key, Earth Search key, then fallbacks)
BAND_ALIASES: Dict[str, Tuple[str, ...]] = {
    "blue": ("B02", "blue"),
    "green": ("B03", "green"),
    "red": ("B04", "red"),
    "nir": ("B08", "nir", "B8A", "nir08"),
    "swir16": ("B11", "swir16"),
    "swir22": ("B12", "swir22"),
}

# index -> (bands it needs, formula on reflectance, description)
INDICES = {
    "NDVI": (("nir", "red"), "(nir - red) / (nir + red)", "Normalized Difference Vegetation Index"),
    "NDWI": (("green", "nir"), "(green - nir) / (green + nir)", "Normalized Difference Water Index (McFeeters)"),
    "NDMI": (("nir", "swir16"), "(nir - swir16) / (nir + swir16)", "Normalized Difference Moisture Index"),
    "NBR": (("nir", "swir22"), "(nir - swir22) / (nir + swir22)", "Normalized Burn Ratio"),
    "EVI": (
        ("nir", "red", "blue"),
        "2.5 * (nir - red) / (nir + 6 * red - 7.5 * blue + 1)",
        "Enhanced Vegetation Index",
    ),
    "SAVI": (("nir", "red"), "1.5 * (nir - red) / (nir + red + 0.5)", "Soil Adjusted Vegetation Index (L = 0.5)"),
}
SAVI_L = 0.5


def supported_indices() -> List[str]:
    return list(INDICES)


def find_common_band(ds, common: str) -> Optional[str]:
    """The cube variable holding a common-name band, or None."""
    by_lower = {str(name).lower(): name for name in ds.data_vars}
    for key in BAND_ALIASES.get(common, (common,)):
        if key.lower() in by_lower:
            return by_lower[key.lower()]
    return None


def _nodata_mask(band):
    """True where the band has no value."""
    if band.dtype.kind in "iu":
        return band == band.attrs.get("nodata", 0)
    nodata = band.attrs.get("nodata")
    mask = band.isnull()
    if nodata is not None and not np.isnan(float(nodata)):
        mask = mask | (band == nodata)
    return mask


def _reflectance(band):
    """float32 reflectance: DN × scale for stored integers, floats as they are unless a scale is given."""
    scale = band.attrs.get("reflectance_scale")
    if band.dtype.kind in "iu":
        scale = DEFAULT_SCALE if scale is None else scale
    value = band.astype(np.float32)
    if scale is not None and float(scale) != 1.0:
        value = value * np.float32(scale)
    offset = band.attrs.get("reflectance_offset")  # Landsat C2 L2: -0.2 (Sentinel-2's is removed by harmonize)
    if offset and band.dtype.kind in "iu":
        value = value + np.float32(offset)
    return value


def _warn_if_offset(ds, progress: Progress) -> None:
    """Warn when the cube still carries ESA's +1000 offset (see module docstring)."""
    if "processing_baseline" not in ds.coords:
        return
    if any(record.get("step") == "harmonize" for record in history(ds)):
        return
    from .harmonize import offset_dates

    try:
        flags = offset_dates(ds, Progress())
    except UserError:  # mixed or unknown baselines: harmonize itself will explain
        flags = np.ones(1, dtype=bool)
    if flags.any():
        progress.warning(
            "This cube was not harmonized and some dates carry the +1000 offset of processing baseline 04.00: "
            "the index is biased on those dates. Run Harmonize first."
        )


def add_index(ds, index: str, progress: Optional[Progress] = None):
    """Return ds with a float32 variable named like the index (e.g. ``NDVI``)."""
    progress = progress or Progress()
    name = str(index or "").strip().upper()
    if name not in INDICES:
        raise UserError(
            f"Unknown spectral index '{index}'. Supported indices: {', '.join(supported_indices())}."
        )
    needs, formula, description = INDICES[name]
    found = {common: find_common_band(ds, common) for common in needs}
    missing = [common for common, key in found.items() if key is None]
    if missing:
        wanted = ", ".join(f"{c} ({' or '.join(BAND_ALIASES[c][:2])})" for c in needs)
        raise UserError(
            f"{name} needs the bands {wanted}; the cube lacks {', '.join(missing)}. "
            f"The cube has: {', '.join(map(str, ds.data_vars)) or 'no bands'}. "
            "Load the cube again with those bands."
        )
    if found.get("nir") and found["nir"].lower() in ("b8a", "nir08"):
        progress.info(f"{name}: no 10 m NIR band (B08/nir) in the cube, using {found['nir']} instead.")
    _warn_if_offset(ds, progress)

    bands = {common: ds[key] for common, key in found.items()}
    invalid = None
    for band in bands.values():
        mask = _nodata_mask(band)
        invalid = mask if invalid is None else (invalid | mask)
    r = {common: _reflectance(band) for common, band in bands.items()}

    if name == "EVI":
        numerator = 2.5 * (r["nir"] - r["red"])
        denominator = r["nir"] + 6.0 * r["red"] - 7.5 * r["blue"] + 1.0
    elif name == "SAVI":
        numerator = (1.0 + SAVI_L) * (r["nir"] - r["red"])
        denominator = r["nir"] + r["red"] + SAVI_L
    else:  # normalized differences (a - b) / (a + b), in the order the table gives
        a, b = (r[c] for c in needs)
        numerator, denominator = a - b, a + b

    # NaN for nodata and for a zero denominator (never ±inf). The zero denominator becomes NaN
    # before dividing, so neither numpy nor dask (at compute time) warns about 0/0.
    value = (numerator / denominator.where(denominator != 0)).where(~invalid)
    value = value.astype(np.float32)
    value = value.transpose(*bands[needs[0]].dims)
    value.attrs = {
        "long_name": description,
        "formula": formula + " (surface reflectance)",
        "units": "1",
        "nodata": np.float32(np.nan),
        "inputs": ", ".join(str(found[c]) for c in needs),
    }
    if name in ds.data_vars:
        progress.warning(f"The cube already had a variable {name}: it is replaced.")
    out = ds.copy()
    out[name] = value
    progress.info(f"{name} = {formula} from {', '.join(f'{c}={found[c]}' for c in needs)}.")
    return add_history(out, STEP, {"index": name, "bands": {c: str(found[c]) for c in needs}})
