"""Remove ESA's processing-baseline 04.00 BOA offset from a Sentinel-2 L2A cube.

From baseline 04.00 (25 January 2022, and older products reprocessed to
05.00) ESA stores reflectance ×10000 **plus 1000** (``BOA_ADD_OFFSET =
-1000``). ``harmonize`` subtracts 1000 from every reflectance band on the
dates that carry the offset, so all dates share one scale.

Rules (DESIGN.md, "Rules of the domain"):

* Which dates: decided by the per-date ``processing_baseline`` coordinate
  (not by the date: reprocessed old products carry the offset too), parsed as
  a number, offset where it is >= 4.0. Dates the catalog already corrected
  (``boa_offset_applied == 1``, Earth-Search) are skipped. A date none of
  whose items carries the flag, in a cube where other dates do, holds values
  as ESA ships them: decided by its baseline, with a warning naming it
  (``unflagged="removed"`` says the catalog removed the offset there too). A
  date whose fused items disagree (e.g. ``"03.01,04.00"``, or flags true and
  false on an offset baseline) cannot be corrected with one number:
  UserError. A date with an empty baseline is left untouched, with a warning.
* Which bands: every data variable except categorical ones (SCL, QA, masks).
  Integer bands hold DN: 1000 is removed as below. Float bands are corrected
  in their units: 1000 in DN, 0.1 where ``units`` is ``reflectance``; bands
  Load cube turned into reflectance (``scale_offset_applied``) already have
  each date's offset applied and are left alone. Dates that need the
  correction with no band it can apply to are an error, never a silent
  success.
* Nodata (the band's ``nodata`` attribute, 0 when absent) stays nodata.
* Type: bands keep their unsigned type (uint16) so bright values up to 65535
  survive (int16 would not hold them) and nothing wraps: a corrected value is
  ``max(stored - 1000, 1)``. Stored values below 1001 after 04.00 stand for
  zero or negative reflectance (dark water in B12); they become 1, the same
  clamp ESA applied before 04.00, because 0 is nodata and uint16 holds no
  negative numbers. Bright values are never clipped (13000 -> 12000).
* Never twice: if the cube's provenance already has a ``harmonize`` step the
  cube is returned unchanged with a warning (and no corrected dates).

``harmonize`` is lazy: on a dask-backed cube it only builds the graph.
"""

from typing import List, Optional, Tuple

import numpy as np

from .cube_io import add_history, history
from .cube_load import CATEGORICAL
from .errors import UserError
from .progress import Progress

BOA_OFFSET = 1000
OFFSET_BASELINE = 4.0
STEP = "harmonize"
# Bands that hold classes or flags, never reflectance
NOT_REFLECTANCE = set(CATEGORICAL) | {"qa", "qa60", "scl_mask", "msk_cldprb", "msk_snwprb"}


def is_reflectance(name: str) -> bool:
    from .conventions import split_resolution

    return split_resolution(str(name))[0].lower() not in NOT_REFLECTANCE


def date_labels(ds) -> List[str]:
    return [str(t)[:10] for t in ds["time"].values]


UNFLAGGED = ("baseline", "removed")  # a date without the catalog's flag: decide by baseline, or taken as corrected


def offset_dates(ds, progress: Optional[Progress] = None, unflagged: str = "baseline") -> np.ndarray:
    """Boolean per date: True where the stored values still carry the +1000 offset."""
    from .cube_load import OFFSET_APPLIED, OFFSET_MIXED, OFFSET_UNFLAGGED

    progress = progress or Progress()
    if unflagged not in UNFLAGGED:
        raise UserError(f"UNFLAGGED_DATES must be one of {', '.join(UNFLAGGED)}, got '{unflagged}'.")
    if "processing_baseline" not in ds.coords:
        raise UserError(
            "This is not a Sentinel-2 L2A cube: it has no per-date processing baseline "
            "(the 'processing_baseline' coordinate that Load cube takes from s2:processing_baseline). "
            "Harmonization only applies to Sentinel-2 L2A products."
        )
    labels = date_labels(ds)
    baselines = [str(b) for b in ds["processing_baseline"].values]
    applied = ds["boa_offset_applied"].values if "boa_offset_applied" in ds.coords else [0] * len(labels)
    flags = np.zeros(len(labels), dtype=bool)
    mixed, unknown, missing, unflagged_dates = [], [], [], []
    for index, (label, text, done) in enumerate(zip(labels, baselines, applied)):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            missing.append(label)
            continue
        try:
            has_offset = {float(p) >= OFFSET_BASELINE for p in parts}
        except ValueError:
            raise UserError(f"The processing baseline '{text}' of {label} is not a number such as 04.00.")
        if len(has_offset) > 1:  # fused items disagree: no single correction is right
            mixed.append(f"{label} ({text})")
            continue
        if not has_offset.pop() or int(done) == OFFSET_APPLIED:
            continue
        if int(done) == OFFSET_MIXED:  # some items corrected by the catalog, some not
            unknown.append(label)
            continue
        if int(done) == OFFSET_UNFLAGGED:  # the catalog says nothing for this date
            unflagged_dates.append(label)
            if unflagged == "removed":
                continue
        flags[index] = True
    if mixed:
        raise UserError(
            "These dates fuse products from processing baselines before and after 04.00, so some pixels "
            f"carry the +1000 offset and others do not: {', '.join(mixed)}. Load the cube again with "
            "GROUPBY 'time' or 'none' (one product per date), or search a single baseline."
        )
    if unknown:
        raise UserError(
            "Some products of these dates had the +1000 offset removed by the catalog and others did not "
            f"(earthsearch:boa_offset_applied true for some, false or missing for others): {', '.join(unknown)}. "
            "Load the cube again with GROUPBY 'none' (one product per date), so each is corrected on its own."
        )
    if unflagged_dates:
        verdict = ("taken as already corrected (UNFLAGGED_DATES 'removed')" if unflagged == "removed" else
                   "corrected by their baseline, as ESA ships them (set UNFLAGGED_DATES to 'removed' if the catalog "
                   "did remove it)")
        progress.warning(
            "The catalog does not say whether it removed the +1000 offset on "
            f"{', '.join(unflagged_dates)} (no earthsearch:boa_offset_applied, unlike other dates): {verdict}."
        )
    if missing:
        progress.warning(f"No processing baseline for {', '.join(missing)}: these dates are left unchanged.")
    return flags


def remove_offset(values: np.ndarray, needs: np.ndarray, nodata) -> np.ndarray:
    """``max(stored - 1000, 1)`` where ``needs`` (broadcast over values) and the value is not nodata.

    Branch-free passes in place, in the band's own type: ``max(v, 1001) - 1000``
    cannot wrap and equals ``max(v - 1000, 1)``; it is never above ``v`` when
    ``v >= 1``, so for unsigned bands with nodata 0 ``min(that, v)`` also
    keeps nodata. Other nodata values and dates without the offset are
    copied back with ``copyto``. (``np.where`` on a real scene took 2.3× the time: it
    branches per pixel. An earlier version in int32 temporaries took 16×.)
    A type that cannot hold 1001 goes through a wider one.
    """
    needs = np.asarray(needs, dtype=bool)
    if not needs.any():
        return values
    kind = values.dtype.type
    if np.iinfo(values.dtype).max <= BOA_OFFSET:
        lowered = np.maximum(values.astype(np.int64) - BOA_OFFSET, 1).astype(values.dtype)
        np.copyto(lowered, values, where=values == nodata)
    else:
        lowered = np.maximum(values, kind(BOA_OFFSET + 1))
        lowered -= kind(BOA_OFFSET)
        if nodata == 0 and values.dtype.kind == "u":
            np.minimum(lowered, values, out=lowered)
        else:
            np.copyto(lowered, values, where=values == nodata)
    if not needs.all():
        np.copyto(lowered, values, where=~needs)
    return lowered


def _float_offset(band) -> Optional[float]:
    """The offset in a float band's units; None when Load cube already applied each date's offset."""
    if band.attrs.get("scale_offset_applied"):
        return None
    return BOA_OFFSET * 1e-4 if str(band.attrs.get("units", "")).lower() == "reflectance" else float(BOA_OFFSET)


def remove_float_offset(values: np.ndarray, needs: np.ndarray, offset: float, nodata) -> np.ndarray:
    """values - offset where needed; NaN and nodata stay (float reflectance may go below 0)."""
    needs = np.asarray(needs, dtype=bool)
    keep = ~needs | np.isnan(values)
    if nodata is not None and not np.isnan(nodata):
        keep |= values == nodata
    return np.where(keep, values, values - values.dtype.type(offset))


def harmonize(ds, progress: Optional[Progress] = None, unflagged: str = "baseline") -> Tuple[object, List[str]]:
    """Return (harmonized cube, dates corrected as 'YYYY-MM-DD').

    A cube already harmonized comes back unchanged with an empty list and a
    warning on ``progress``.
    """
    import xarray as xr

    progress = progress or Progress()
    if any(record.get("step") == STEP for record in history(ds)):
        progress.warning("This cube was already harmonized: the offset is not removed twice; the cube is unchanged.")
        return ds, []
    flags = offset_dates(ds, progress, unflagged)
    labels = date_labels(ds)
    corrected = [label for label, flag in zip(labels, flags) if flag]
    needs = xr.DataArray(flags, dims="time")  # broadcasts over y, x
    out = ds.copy()
    bands, already = [], []
    for name, band in ds.data_vars.items():
        if not is_reflectance(name) or "time" not in band.dims:
            continue
        if band.dtype.kind in "iu":
            nodata = band.attrs.get("nodata", 0)
            value = xr.apply_ufunc(remove_offset, band, needs, kwargs={"nodata": nodata},
                                   dask="parallelized", output_dtypes=[band.dtype])
        elif band.dtype.kind == "f":
            offset = _float_offset(band)
            if offset is None:
                already.append(name)
                continue
            nodata = band.attrs.get("nodata")
            nodata = float(nodata) if nodata is not None else None
            value = xr.apply_ufunc(remove_float_offset, band, needs, kwargs={"offset": offset, "nodata": nodata},
                                   dask="parallelized", output_dtypes=[band.dtype])
        else:
            progress.warning(f"{name} is neither integer nor float ({band.dtype}): left unchanged.")
            continue
        value = value.transpose(*band.dims)
        value.attrs = dict(band.attrs)
        value.encoding = dict(band.encoding)
        out[name] = value
        bands.append(name)
    if already:
        progress.info(f"{', '.join(already)}: reflectance with each date's own offset applied at loading; left as they are.")
    if corrected and not bands and not already:
        raise UserError(
            f"{len(corrected)} date(s) carry the +1000 offset ({', '.join(corrected[:5])}{' …' if len(corrected) > 5 else ''}) "
            "but the cube has no reflectance band it can be removed from (bands: "
            f"{', '.join(map(str, ds.data_vars))}). Load the reflectance bands (e.g. BANDS red,nir,scl)."
        )
    if not bands:
        corrected = []
    progress.info(
        f"Offset removed from {len(bands)} band(s) on {len(corrected)} of {len(labels)} date(s)"
        + (f": {', '.join(corrected)}." if corrected else ".")
    )
    out = add_history(out, STEP, {"offset": BOA_OFFSET, "bands": bands, "dates_corrected": corrected,
                                  "unflagged_dates": unflagged})
    return out, corrected
