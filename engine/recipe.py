"""Lazy (virtual) cubes: a small recipe file instead of a written cube.

A cube step whose OUTPUT ends in ``.sitscube`` writes, in a few
milliseconds, a JSON recipe: its source (a cube ``.nc``/``.zarr``, another
recipe, or for Load cube the item collection), the source's fingerprint
(size and modification time), and the steps to replay, taken from the
provenance records the step added (each step records the parameters it ran
with). Opening a recipe (``open_recipe``, through ``cube_io.open_cube``)
opens its source lazily and replays the steps: the result is the same dask
graph the steps would have built in one process, so whatever finally
computes it (a composite, an export, zonal statistics, a ``.nc``/``.zarr``
output) reads the source once and runs the whole chain in one pass.

Rules:

* A source that vanished or changed since the recipe was written is an
  error naming it (the recipe would silently give other values).
* Only steps that can be replayed exactly are written as recipes
  (``REPLAYABLE``); another step asks for a ``.nc``/``.zarr`` output.
* Credentials are never stored: Load cube with AUTH_CONFIG refuses a
  recipe output.
* A recipe is not a raster QGIS can draw: it is not loaded into the map
  (the log says so); write ``.nc`` to look at the values.
"""

import json
import os
from typing import Dict, List, Optional

from .errors import UserError
from .progress import Progress

EXTENSION = ".sitscube"
VERSION = 1
REPLAYABLE = ("loadcube", "harmonize", "cloudmask", "gapfill", "spectralindex")
MAX_DEPTH = 64  # recipes of recipes: a loop is an error, not a hang


def is_recipe(path: str) -> bool:
    return str(path).rstrip("/\\").lower().endswith(EXTENSION)


def fingerprint(path: str) -> Dict[str, int]:
    """Size and modification time of a file (a Zarr folder: of its consolidated metadata)."""
    target = path
    if os.path.isdir(path):
        metadata = os.path.join(path, ".zmetadata")
        target = metadata if os.path.exists(metadata) else path
    info = os.stat(target)
    return {"size": int(info.st_size), "mtime_ns": int(info.st_mtime_ns)}


def _check_source(recipe_path: str, source: dict) -> str:
    path = source["path"]
    if not os.path.exists(path):
        raise UserError(
            f"The recipe {recipe_path} is made from {path}, which no longer exists. Run the steps again "
            "from an existing source, or write the cube as .nc or .zarr to keep it."
        )
    if fingerprint(path) != {"size": source["size"], "mtime_ns": source["mtime_ns"]}:
        raise UserError(
            f"The recipe {recipe_path} is made from {path}, which has changed since the recipe was written: "
            "its values would no longer be the ones the steps saw. Run the steps again."
        )
    return path


def write_recipe(path: str, source: str, steps: List[dict], history_records: List[dict],
                 load: Optional[dict] = None) -> str:
    """Write a recipe atomically: replay ``steps`` (provenance records) on ``source``."""
    from . import atomic

    unknown = [s["step"] for s in steps if s["step"] not in REPLAYABLE]
    if unknown:
        raise UserError(
            f"{', '.join(sorted(set(unknown)))} cannot be written as a recipe (.sitscube) yet: "
            "choose a .nc or .zarr output."
        )
    source = os.path.abspath(source)
    document = {
        "sitscube_recipe": VERSION,
        "source": {"path": source, **fingerprint(source)},
        "load": load,
        "steps": steps,
        "sitscube_history": history_records,
    }
    with atomic.output_file(path, EXTENSION, encoding="utf-8") as stream:
        json.dump(document, stream, indent=1)
    return path


def read_recipe(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
    except FileNotFoundError:
        raise UserError(f"The recipe {path} does not exist.")
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{path} is not a SITS Cube recipe ({err}).")
    if not isinstance(document, dict) or document.get("sitscube_recipe") != VERSION:
        raise UserError(f"{path} is not a SITS Cube recipe of version {VERSION}.")
    return document


def open_recipe(path: str, progress: Optional[Progress] = None, _depth: int = 0):
    """The recipe's cube, lazily: its source opened and its steps replayed."""
    from .cube_io import HISTORY_ATTR, open_cube

    progress = progress or Progress()
    if _depth > MAX_DEPTH:
        raise UserError(f"The recipe {path} refers to itself through its sources: write a .nc or .zarr cube.")
    document = read_recipe(path)
    source = _check_source(path, document["source"])
    if document.get("load") is not None:
        ds = _replay_load(source, document["load"], progress)
    elif is_recipe(source):
        ds = open_recipe(source, progress, _depth + 1)
    else:
        ds = open_cube(source)
    for record in document["steps"]:
        if record["step"] == "loadcube":
            continue  # done by _replay_load
        ds = _replay(ds, record, progress)
    ds = ds.copy()
    ds.attrs[HISTORY_ATTR] = json.dumps(document["sitscube_history"])
    return ds


def _replay(ds, record: dict, progress: Progress):
    step, p = record["step"], record.get("parameters", {})
    if step == "harmonize":
        from .harmonize import harmonize

        return harmonize(ds, progress, p.get("unflagged_dates", "baseline"))[0]
    if step == "cloudmask":
        from .cloudmask import DEFAULT_MASK_VALUES, cloud_mask

        bits = p.get("mask_bits") or None
        return cloud_mask(ds, p["mask_band"], p.get("mask_values") or ([] if bits else DEFAULT_MASK_VALUES),
                          p.get("dilation", 0), p.get("max_masked_fraction"), progress, bits)[0]
    if step == "gapfill":
        from .gapfill import gap_fill

        return gap_fill(ds, p["method"], p["fill_edges"], p.get("max_gap_days"), p.get("bands"), progress)
    if step == "spectralindex":
        from .indices import add_index

        return add_index(ds, p["index"], progress)
    raise UserError(f"This recipe has a step SITS Cube cannot replay: {step}.")


def _replay_load(items_path: str, load: dict, progress: Progress):
    from odc.geo import geom

    from .cube_load import CubeRequest, load_cube
    from .http_client import HttpPolicy
    from .stac_search import read_item_collection

    aoi = geom.box(*load["aoi"], crs=load["aoi_crs"]) if load.get("aoi") else None
    request = CubeRequest(
        items=read_item_collection(items_path), bands=load["bands"], resolution=load["resolution"],
        crs=load.get("crs"), aoi_lonlat=tuple(load["aoi_lonlat"]) if load.get("aoi_lonlat") else None, aoi=aoi,
        groupby=load["groupby"], resampling=load["resampling"], chunk_size=load["chunk_size"],
        on_asset_error=load["on_asset_error"], units=load.get("units", "dn"),
        http=HttpPolicy(**load.get("http", {})), token_endpoint=load.get("token_endpoint"),
        sign_hosts=tuple(load.get("sign_hosts", ())),
    )
    return load_cube(request, progress)


def load_parameters(request, aoi_box=None, aoi_crs=None) -> dict:
    """What a Load cube recipe stores of a CubeRequest (never its headers: credentials stay out of files)."""
    if request.asset_headers:
        raise UserError(
            "A recipe (.sitscube) cannot keep credentials, and this load uses AUTH_CONFIG: write the cube as "
            ".nc or .zarr."
        )
    return {
        "bands": list(request.bands), "resolution": request.resolution, "crs": request.crs,
        "aoi": list(aoi_box) if aoi_box else None, "aoi_crs": aoi_crs,
        "aoi_lonlat": list(request.aoi_lonlat) if request.aoi_lonlat else None,
        "groupby": request.groupby, "resampling": request.resampling, "chunk_size": request.chunk_size,
        "on_asset_error": request.on_asset_error, "units": request.units,
        "http": {"timeout": request.http.timeout, "retries": request.http.retries, "backoff": request.http.backoff},
        "token_endpoint": request.token_endpoint, "sign_hosts": list(request.sign_hosts),
    }


def source_history(source: str) -> List[dict]:
    from .cube_io import history, open_cube

    if is_recipe(source):
        return read_recipe(source)["sitscube_history"]
    return history(open_cube(source))


def write_step_recipe(cube, path: str, source: str) -> str:
    """The recipe of what ``cube`` adds to ``source``: the provenance records after the source's own."""
    from .cube_io import history

    records = history(cube)
    before = source_history(source)
    if records[: len(before)] != before:
        raise UserError(f"The cube's provenance does not start with that of {source}: it cannot be written as a recipe of it.")
    return write_recipe(path, source, records[len(before):], records)
