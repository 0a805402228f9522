"""Quick-looks of STAC items: their thumbnails (or a preview rendered from the data) as an HTML gallery.

For each item the thumbnail asset (key ``thumbnail``, an asset whose roles
contain ``thumbnail``, else ``rendered_preview`` / ``preview``) is
downloaded next to the page, into ``<page name>_files/``, so the page works
offline and in QGIS's results viewer. An item without one but with a
true-colour asset (``visual``, ``TCI_10m`` …) or red/green/blue bands gets a
small PNG rendered with GDAL: a downsampled read (GDAL picks the overview),
at most 256 pixels on a side, stretched between the 2nd and 98th
percentiles. A thumbnail that cannot be fetched gets a card with the error;
the run goes on.

The page and its folder are built in a staging folder and renamed into
place when complete: a canceled run leaves nothing behind.
"""

import html
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple
from urllib.parse import quote, urlparse

from .errors import UserError
from .http_client import HttpPolicy
from .progress import Progress

THUMBNAIL_KEYS = ("rendered_preview", "preview")  # after "thumbnail" and the thumbnail role
VISUAL_KEYS = ("visual", "tci_10m", "tci", "visual_10m", "tci_20m", "visual_20m", "tci_60m", "visual_60m")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
CONTENT_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}
MAX_PREVIEW = 256  # pixels on the longest side of a rendered preview
MAX_BYTES = 20 * 1024 * 1024  # a thumbnail larger than this is not a thumbnail


@dataclass
class QuickLookRequest:
    items: Sequence[dict]
    html_path: str
    max_items: Optional[int] = None  # None or 0: every item
    http: HttpPolicy = field(default_factory=HttpPolicy)
    token_endpoint: Optional[str] = None  # SAS signing, as CubeRequest (engine/signing.py)
    sign_hosts: Sequence[str] = ()
    max_preview: int = MAX_PREVIEW


@dataclass
class Card:
    item_id: str
    date: str
    cloud_cover: Optional[float]
    platform: str
    image: Optional[str] = None  # file name inside the _files folder
    source: str = "none"  # "thumbnail", "rendered", "none" or "error"
    message: str = ""


def files_folder(html_path: str) -> str:
    """`<folder>/<name>_files` for `<folder>/<name>.html`."""
    return os.path.splitext(os.path.abspath(html_path))[0] + "_files"


def thumbnail_asset(item: dict) -> Optional[Tuple[str, dict]]:
    assets = item.get("assets") or {}
    if "thumbnail" in assets:
        return "thumbnail", assets["thumbnail"]
    for key, asset in assets.items():
        if "thumbnail" in (asset.get("roles") or []):
            return key, asset
    for key in THUMBNAIL_KEYS:
        if key in assets:
            return key, assets[key]
    return None


def preview_sources(item: dict) -> Optional[List[Tuple[str, int]]]:
    """[(asset key, band number)] of a true-colour image: a visual asset's bands 1-3,
    or the red, green and blue assets; None when the item has neither."""
    from .bands import band_table, lookup

    assets = item.get("assets") or {}
    by_lower = {key.lower(): key for key in assets}
    for name in VISUAL_KEYS:
        if name in by_lower:
            return [(by_lower[name], band) for band in (1, 2, 3)]
    table = band_table([item])
    keys = [lookup(table, name) for name in ("red", "green", "blue")]
    if all(keys):
        return [(key, 1) for key in keys]
    return None


def _float(value) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def new_card(item: dict) -> Card:
    props = item.get("properties") or {}
    return Card(
        item_id=str(item.get("id", "")),
        date=(props.get("datetime") or props.get("start_datetime") or "")[:10],
        cloud_cover=_float(props.get("eo:cloud_cover")),
        platform=str(props.get("platform") or ""),
    )


def http_session(policy: HttpPolicy, report):
    """A requests session with the retry policy of engine/http_client.py, and its RequestLog."""
    import requests
    from requests.adapters import HTTPAdapter

    from .http_client import RequestLog, make_retry

    log = RequestLog(report=report)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=make_retry(policy, log))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, log


def _extension(href: str, content_type: str = "") -> str:
    extension = posixpath.splitext(urlparse(href).path)[1].lower()
    if extension in IMAGE_EXTENSIONS:
        return ".jpg" if extension == ".jpeg" else extension
    return CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower(), ".png")


def fetch(href: str, destination_stem: str, session, log, policy: HttpPolicy) -> str:
    """Download (or copy) an image to destination_stem + its extension; the path written.
    Raises RuntimeError with a short reason."""
    if href.startswith("file://") or "://" not in href:
        source = href[len("file://"):] if href.startswith("file://") else href
        if not os.path.isfile(source):
            raise RuntimeError(f"no file at {source}")
        path = destination_stem + _extension(source)
        shutil.copyfile(source, path)
        return path
    if not href.startswith(("http://", "https://")):
        raise RuntimeError(f"cannot download '{urlparse(href).scheme}://' addresses (only http, https and files)")
    import requests

    from .signing import redact

    log.start(href)
    try:
        with session.get(href, timeout=policy.timeout, stream=True) as answer:
            if answer.status_code != 200:
                raise RuntimeError(f"HTTP {answer.status_code} {answer.reason or ''}".strip())
            content_type = answer.headers.get("Content-Type", "")
            if content_type and not content_type.lower().startswith("image/"):
                raise RuntimeError(f"the server sent {content_type.split(';')[0]}, not an image")
            path = destination_stem + _extension(href, content_type)
            size = 0
            with open(path, "wb") as stream:
                for chunk in answer.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise RuntimeError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
                    stream.write(chunk)
    except requests.RequestException as err:
        text = redact(" ".join(str(err).split()))
        raise RuntimeError(text if len(text) <= 200 else text[:200] + "…")
    if size == 0:
        os.remove(path)
        raise RuntimeError("the server sent an empty answer")
    return path


def stretch(array, valid):
    """uint8 from the 2nd-98th percentiles of the valid pixels."""
    import numpy as np

    out = np.zeros(array.shape, dtype=np.uint8)
    values = array[valid].astype(np.float64)
    if values.size == 0:
        return out
    low, high = np.percentile(values, [2, 98])
    if high <= low:
        high = low + 1
    scaled = (array.astype(np.float64) - low) / (high - low) * 255.0
    out[...] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    out[~valid] = 0
    return out


def render_preview(sources: List[Tuple[str, int]], destination: str, max_size: int = MAX_PREVIEW) -> Tuple[int, int]:
    """An RGBA PNG from three (GDAL path, band) sources; (width, height) written.

    Read once at the preview size (GDAL reads from the overview closest to
    it), nodata transparent, each band stretched 2-98 %."""
    import numpy as np
    from osgeo import gdal

    from .download import open_raster

    datasets = {}
    for path, _band in sources:
        if path not in datasets:
            dataset, message = open_raster(path)
            if dataset is None:
                raise RuntimeError(message)
            datasets[path] = dataset
    first = datasets[sources[0][0]]
    width, height = first.RasterXSize, first.RasterYSize
    scale = min(1.0, max_size / max(width, height))
    out_w, out_h = max(1, int(round(width * scale))), max(1, int(round(height * scale)))
    bands, valid = [], np.ones((out_h, out_w), dtype=bool)
    for path, number in sources:
        dataset = datasets[path]
        if number > dataset.RasterCount:
            raise RuntimeError(f"{path} has {dataset.RasterCount} band(s), not {number}")
        band = dataset.GetRasterBand(number)
        array = band.ReadAsArray(buf_xsize=out_w, buf_ysize=out_h, resample_alg=gdal.GRIORA_NearestNeighbour)
        if array is None:
            raise RuntimeError(gdal.GetLastErrorMsg() or f"cannot read {path}")
        nodata = band.GetNoDataValue()
        ok = np.isfinite(array) if array.dtype.kind == "f" else np.ones(array.shape, dtype=bool)
        if nodata is not None:
            ok &= array != nodata
        valid &= ok
        bands.append(array)
    memory = gdal.GetDriverByName("MEM").Create("", out_w, out_h, 4, gdal.GDT_Byte)
    for index, array in enumerate(bands, start=1):
        memory.GetRasterBand(index).WriteArray(stretch(array, valid))
    memory.GetRasterBand(4).WriteArray((valid * 255).astype(np.uint8))
    png = gdal.GetDriverByName("PNG").CreateCopy(destination, memory)
    if png is None:
        raise RuntimeError(gdal.GetLastErrorMsg() or "the PNG could not be written")
    png = None
    memory = None
    aux = destination + ".aux.xml"
    if os.path.exists(aux):
        os.remove(aux)
    return out_w, out_h


def _render(item: dict, sources, destination: str, signer, options, max_size: int) -> None:
    from osgeo import gdal

    from .download import gdal_config, gdal_path

    paths = []
    for key, band in sources:
        href = item["assets"][key]["href"]
        paths.append((gdal_path(signer(href) if signer is not None else href), band))
    with gdal_config(options):
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        try:
            render_preview(paths, destination, max_size)
        except RuntimeError as err:  # gdal.UseExceptions() raises; our own checks too
            from .download import short_message

            raise RuntimeError(short_message(str(err)))
        finally:
            gdal.PopErrorHandler()


def quick_looks(request: QuickLookRequest, progress: Optional[Progress] = None) -> dict:
    """Write the gallery; {"html", "files", "cards": [Card]}."""
    from .cube_load import CubeRequest, gdal_http_options, make_signer

    progress = progress or Progress()
    items = list(request.items)
    if not items:
        raise UserError("The item collection is empty: widen the search (area, dates, cloud cover).")
    if request.max_items:
        items = items[: int(request.max_items)]
    html_path = os.path.abspath(request.html_path)
    folder = os.path.dirname(html_path)
    files = files_folder(html_path)
    os.makedirs(folder, exist_ok=True)

    plans = []  # (item, ("thumbnail", key) | ("rendered", sources) | None)
    for item in items:
        thumbnail = thumbnail_asset(item)
        if thumbnail is not None:
            plans.append((item, ("thumbnail", thumbnail[0])))
        else:
            sources = preview_sources(item)
            plans.append((item, ("rendered", sources) if sources else None))
    keys = sorted({key for _, plan in plans if plan for key in ([plan[1]] if plan[0] == "thumbnail" else [k for k, _ in plan[1]])})
    signer = make_signer(items, keys, CubeRequest(items=items, bands=keys, http=request.http,
                                                  token_endpoint=request.token_endpoint,
                                                  sign_hosts=request.sign_hosts), progress) if keys else None
    rendered_hrefs = [item["assets"][k]["href"] for item, plan in plans if plan and plan[0] == "rendered" for k, _ in plan[1]]
    options = gdal_http_options(request.http, rendered_hrefs)
    session, log = http_session(request.http, progress.info)

    staging = tempfile.mkdtemp(prefix=".sitscube-", dir=folder)
    staged_files = os.path.join(staging, "files")
    os.makedirs(staged_files)
    cards = []
    try:
        for index, (item, plan) in enumerate(plans):
            progress.check_canceled()
            card = new_card(item)
            stem = f"{index + 1:03d}_{_safe(card.item_id)}"
            if plan is None:
                card.message = "No thumbnail, and no true-colour or red/green/blue asset to render one from."
            elif plan[0] == "thumbnail":
                href = item["assets"][plan[1]].get("href") or ""
                try:
                    url = signer(href) if signer is not None and signer.needs(href) else href
                    path = fetch(url, os.path.join(staged_files, stem), session, log, request.http)
                    card.image, card.source = os.path.basename(path), "thumbnail"
                except (RuntimeError, OSError, UserError) as err:
                    card.source, card.message = "error", f"The thumbnail ({plan[1]}) could not be downloaded: {err}"
                    progress.warning(f"{card.item_id}: {card.message}")
            else:
                path = os.path.join(staged_files, stem + ".png")
                try:
                    _render(item, plan[1], path, signer, options, request.max_preview)
                    card.image, card.source = os.path.basename(path), "rendered"
                    card.message = "Rendered from " + ", ".join(sorted({k for k, _ in plan[1]}))
                except (RuntimeError, UserError) as err:
                    card.source, card.message = "error", f"No thumbnail; rendering a preview failed: {err}"
                    progress.warning(f"{card.item_id}: {card.message}")
            cards.append(card)
            progress.set_percent(100.0 * (index + 1) / len(plans))
        progress.check_canceled()
        staged_html = os.path.join(staging, "page.html")
        with open(staged_html, "w", encoding="utf-8") as stream:
            stream.write(page(cards, os.path.basename(files), total=len(request.items)))
        _replace_folder(staged_files, files)
        os.replace(staged_html, html_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {"html": html_path, "files": files, "cards": cards}


def _safe(text: str) -> str:
    from .download import safe_name

    return safe_name(text)[:120]


def _replace_folder(new: str, target: str) -> None:
    """Put folder `new` at `target`, replacing what an earlier run left there."""
    if not os.path.exists(target):
        os.replace(new, target)
        return
    aside = tempfile.mkdtemp(prefix=".sitscube-old-", dir=os.path.dirname(target))
    old = os.path.join(aside, "old")
    os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(old, target)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


STYLE = """
body { font-family: sans-serif; margin: 1em; background: #fafafa; color: #222; }
h1 { font-size: 1.3em; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
.card { width: 260px; background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 8px; }
.card img { width: 256px; height: auto; display: block; background: #eee; }
.card .none { width: 256px; height: 128px; display: flex; align-items: center; justify-content: center;
  background: #eee; color: #666; text-align: center; font-size: 0.9em; }
.card .error { background: #fde8e8; color: #a00; }
.card .id { font-weight: bold; font-size: 0.8em; word-break: break-all; margin-top: 6px; }
.card table { font-size: 0.85em; border-collapse: collapse; }
.card td { padding: 1px 6px 1px 0; vertical-align: top; }
.card .note { font-size: 0.75em; color: #666; margin-top: 4px; }
"""


def page(cards: List[Card], files_name: str, total: Optional[int] = None) -> str:
    """The gallery page; images referenced relative to it, in `files_name/`."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8"><title>Quick-looks</title>',
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Quick-looks: {len(cards)} item(s)"
        + (f" of {total}" if total is not None and total != len(cards) else "") + "</h1>",
        '<div class="grid">',
    ]
    for card in cards:
        if card.image:
            src = quote(f"{files_name}/{card.image}")
            visual = f'<img src="{esc(src)}" alt="{esc(card.item_id)}">'
        else:
            css = "none error" if card.source == "error" else "none"
            visual = f'<div class="{css}">{esc(card.message or "No thumbnail")}</div>'
        cloud = "" if card.cloud_cover is None else f"{card.cloud_cover:g} %"
        parts.append(
            f'<div class="card" data-item="{esc(card.item_id)}" data-source="{esc(card.source)}">{visual}'
            f'<div class="id">{esc(card.item_id)}</div><table>'
            f"<tr><td>Date</td><td>{esc(card.date)}</td></tr>"
            f"<tr><td>Cloud cover</td><td>{esc(cloud)}</td></tr>"
            f"<tr><td>Platform</td><td>{esc(card.platform)}</td></tr></table>"
            + (f'<div class="note">{esc(card.message)}</div>' if card.image and card.message else "")
            + "</div>"
        )
    parts += ["</div></body></html>", ""]
    return "\n".join(parts)
