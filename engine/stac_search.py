"""Search a STAC API and return the matching items as an ItemCollection dict."""

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from . import atomic
from .conventions import processing_baseline
from .errors import UserError
from .http_client import HttpPolicy, stac_api_io
from .progress import Progress

CLOUD_PROPERTY = "eo:cloud_cover"


@dataclass
class SearchRequest:
    catalog_url: str
    collections: Sequence[str]
    bbox: Tuple[float, float, float, float]  # lon/lat, EPSG:4326
    start: dt.date
    end: dt.date  # inclusive
    max_cloud: Optional[float] = None  # percent; None or >= 100: no filter
    max_items: int = 1000
    headers: Dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0  # seconds, per request
    page_size: int = 100  # items per page the server is asked for
    # Retry policy (engine/http_client.py): retries on 429/5xx and connection
    # errors, backoff doubling from `backoff`, waits capped at `max_wait`, no
    # retry that could end past `deadline` seconds after a request's first attempt.
    retries: int = 4
    backoff: float = 0.5
    max_wait: float = 60.0
    deadline: float = 120.0

    @property
    def policy(self) -> HttpPolicy:
        return HttpPolicy(
            timeout=self.timeout, retries=self.retries, backoff=self.backoff,
            max_wait=self.max_wait, deadline=self.deadline,
        )

    def validate(self) -> None:
        if not self.catalog_url.startswith(("http://", "https://")):
            raise UserError(
                f"CATALOG_URL must be the http(s) address of a STAC API, got '{self.catalog_url}'."
            )
        if self.end < self.start:
            raise UserError(
                f"END_DATE ({self.end}) is before START_DATE ({self.start}): swap them."
            )
        west, south, east, north = self.bbox
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise UserError(
                f"The area {self.bbox} is not a valid longitude/latitude box: draw or pick an extent with a size."
            )
        if self.max_cloud is not None and not 0 <= self.max_cloud <= 100:
            raise UserError(f"MAX_CLOUD must be a percentage between 0 and 100, got {self.max_cloud}.")
        if self.max_items < 1:
            raise UserError("MAX_ITEMS must be at least 1.")

    @property
    def datetime_range(self) -> str:
        return f"{self.start.isoformat()}T00:00:00Z/{self.end.isoformat()}T23:59:59Z"

    @property
    def filters_cloud(self) -> bool:
        return self.max_cloud is not None and self.max_cloud < 100


def open_client(url: str, headers: Dict[str, str], policy, report=None):
    """Open a STAC API with pystac-client, turning failures into UserErrors.

    Every request of the client (landing page, conformance, pages) goes
    through the retry policy of engine/http_client.py. `policy` may also be a
    number: the timeout, with the default retries.
    """
    import requests
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    if not isinstance(policy, HttpPolicy):
        policy = HttpPolicy(timeout=float(policy))
    io = stac_api_io(policy, headers=headers or None, report=report)
    try:
        return Client.open(url, headers=headers or None, stac_io=io, timeout=policy.timeout)
    except (requests.exceptions.RequestException, APIError) as err:
        raise network_error(err, url, policy.timeout, "opening the catalog", io)
    except (json.JSONDecodeError, ValueError) as err:
        raise UserError(f"{url} does not answer like a STAC API ({_short(err)}). Check CATALOG_URL.")


def network_error(err: Exception, url: str, timeout: float, during: str, io=None) -> UserError:
    """A user-facing error for a failed request (pystac-client wraps requests' errors in APIError).

    Names the catalog, what was being done, the last HTTP status (if the
    server answered at all), and how many attempts were made in how long.
    """
    text = f"{type(err).__name__}: {err}"
    log = getattr(io, "log", None)
    status = getattr(err, "status_code", None) or (log.last_status if log else None)
    tries = ""
    if log is not None and log.last_attempts > 1:
        tries = f" after {log.last_attempts} attempts in {time.monotonic() - log.started():.1f} s"
    request_url = f" for {log.last_url}" if log is not None and log.last_url and log.last_url.rstrip("/") != url.rstrip("/") else ""
    if status is not None:
        hint = {
            429: "The catalog is rate-limiting: wait a while, or ask for fewer items (smaller area, dates or MAX_ITEMS).",
            404: "Check CATALOG_URL (and the collection).",
            401: "The catalog requires authentication: give HEADERS (e.g. 'Authorization: Bearer …') or an AUTH_CONFIG.",
            403: "The catalog refused the credentials: check HEADERS or AUTH_CONFIG.",
        }.get(status, "The catalog may be down or overloaded: try again later." if status >= 500 else "Check the parameters and CATALOG_URL.")
        return UserError(
            f"The STAC API at {url} answered HTTP {status} ({during}{request_url}){tries}: {_short(err, 200)}. {hint}"
        )
    if isinstance(err, requests_timeout_types()) or "timed out" in text or "Timeout" in text:
        return UserError(
            f"The STAC API at {url} did not answer within {timeout:g} s ({during}{request_url}){tries}. "
            "Check CATALOG_URL, try later, or raise TIMEOUT."
        )
    if "Connection aborted" in text or "RemoteDisconnected" in text or "Connection reset" in text:
        return UserError(
            f"The STAC API at {url} closed the connection without answering ({during}{request_url}){tries}. "
            "The catalog may be overloaded or behind a failing proxy: try again later."
        )
    if "Connection refused" in text or "NewConnectionError" in text or "Name or service not known" in text or "ConnectionError" in text:
        return UserError(f"Cannot reach the STAC API at {url} ({during}{request_url}){tries}: {_short(err)}. Check CATALOG_URL and your network.")
    return UserError(f"The STAC API at {url} answered with an error ({during}{request_url}){tries}: {_short(err)}")


def requests_timeout_types():
    import requests

    return (requests.exceptions.Timeout,)


def _short(err: Exception, limit: int = 300) -> str:
    text = str(err).strip().replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def cloud_filter_arguments(client, max_cloud: float) -> Tuple[dict, bool]:
    """Search arguments that filter cloud cover on the server, per its conformance.

    Returns (arguments, filtered_on_server).
    """
    from pystac_client import ConformanceClasses

    if client.conforms_to(ConformanceClasses.FILTER):
        cql2 = {"op": "<=", "args": [{"property": CLOUD_PROPERTY}, max_cloud]}
        return {"filter": cql2, "filter_lang": "cql2-json"}, True
    if client.conforms_to(ConformanceClasses.QUERY):
        return {"query": {CLOUD_PROPERTY: {"lte": max_cloud}}}, True
    return {}, False


def search(request: SearchRequest, progress: Optional[Progress] = None) -> dict:
    """Run the search and return a GeoJSON FeatureCollection of STAC items."""
    import requests
    from pystac_client.exceptions import APIError

    progress = progress or Progress()
    request.validate()
    # Retries are reported as they happen (a rate-limited catalog is slow, not stuck).
    client = open_client(request.catalog_url, request.headers, request.policy, progress.info)
    progress.check_canceled()
    _check_collections(client, request.collections, progress)
    progress.check_canceled()  # each request may take up to the timeout: check between them

    arguments = {}
    on_server = False
    if request.filters_cloud:
        arguments, on_server = cloud_filter_arguments(client, request.max_cloud)
        if not on_server:
            progress.warning(
                f"The catalog supports neither 'filter' nor 'query': cloud cover <= {request.max_cloud:g}% "
                "is applied after download, so the search may transfer more items than it keeps."
            )
    progress.check_canceled()
    try:
        item_search = client.search(
            collections=list(request.collections) or None,
            bbox=list(request.bbox),
            datetime=request.datetime_range,
            max_items=None if not on_server and request.filters_cloud else request.max_items,
            limit=min(request.max_items, request.page_size),
            **arguments,
        )
        items = []
        for item in item_search.items_as_dicts():
            progress.check_canceled()
            if request.filters_cloud and not _cloud_ok(item, request.max_cloud):
                continue
            items.append(item)
            progress.set_percent(100.0 * len(items) / request.max_items)
            if len(items) >= request.max_items:
                break
    except (requests.exceptions.RequestException, APIError) as err:
        raise network_error(err, request.catalog_url, request.timeout, "searching", client._stac_io)
    except json.JSONDecodeError as err:
        # A page cut short (proxy, overloaded server): never return a partial result silently.
        log = getattr(client._stac_io, "log", None)
        where = f" for {log.last_url}" if log is not None and log.last_url else ""
        raise UserError(
            f"The STAC API at {request.catalog_url} sent an answer that is not valid JSON{where} "
            f"(truncated?): {_short(err)}. Try again later."
        )
    except NotImplementedError as err:
        raise UserError(f"{request.catalog_url} cannot search items ({_short(err)}): is it a STAC API (not a static catalog)?")

    if on_server and request.filters_cloud:
        _check_server_filtered(items, request.max_cloud, progress)
    items.sort(key=lambda item: (item["properties"].get("datetime") or "", item["id"]))
    return {"type": "FeatureCollection", "features": items}


def _check_collections(client, collections: Sequence[str], progress: Progress) -> None:
    """Refuse a collection the catalog does not have; search anyway when it lists none.

    The STAC API spec allows an item-search-only API (no /collections): there
    the search itself tells whether the collection exists.
    """
    if not collections:
        return
    try:
        available = sorted(c.id for c in client.get_collections())
    except Exception:  # noqa: BLE001 - listing is a convenience: any failure means "cannot list", and the search tells
        available = []
    if not available:
        progress.warning(
            "The catalog does not list its collections (no /collections endpoint): searching "
            f"{', '.join(collections)} anyway. Check COLLECTION if nothing is found."
        )
        return
    unknown = [c for c in collections if c not in available]
    if unknown:
        raise UserError(
            f"Collection(s) {', '.join(unknown)} not found in the catalog. Available: {', '.join(available)}."
        )


def _cloud_ok(item: dict, max_cloud: float) -> bool:
    cloud = item.get("properties", {}).get(CLOUD_PROPERTY)
    return cloud is None or float(cloud) <= max_cloud


def _check_server_filtered(items: List[dict], max_cloud: float, progress: Progress) -> None:
    """A server that ignores the filter would silently return cloudy items."""
    ignored = [item for item in items if not _cloud_ok(item, max_cloud)]
    if ignored:
        progress.warning(
            f"The catalog ignored the cloud-cover filter for {len(ignored)} item(s); they were removed after download."
        )
        items[:] = [item for item in items if _cloud_ok(item, max_cloud)]


def summary_rows(collection: dict) -> List[dict]:
    """One readable row per item: id, date, cloud cover, platform, baseline, tile."""
    rows = []
    for item in collection["features"]:
        props = item.get("properties", {})
        rows.append(
            {
                "id": item["id"],
                "date": (props.get("datetime") or "")[:10],
                "cloud_cover": props.get(CLOUD_PROPERTY),
                "platform": props.get("platform"),
                "baseline": processing_baseline(item),
                "tile": item_tile(props),
            }
        )
    return rows


def item_tile(props: dict) -> Optional[str]:
    """The tile name in either convention (Planetary Computer or Earth Search)."""
    if props.get("s2:mgrs_tile"):
        return props["s2:mgrs_tile"]
    code = props.get("grid:code") or ""
    if code.startswith("MGRS-"):
        return code[5:]
    parts = [props.get(k) for k in ("mgrs:utm_zone", "mgrs:latitude_band", "mgrs:grid_square")]
    if all(parts):
        return "".join(str(p) for p in parts)
    return code or None


def write_item_collection(collection: dict, path: str) -> None:
    """Write the ItemCollection as GeoJSON, atomically (temp file, then rename)."""
    with atomic.output_file(path, ".geojson", encoding="utf-8") as stream:  # readable as the umask says
        json.dump(collection, stream)


def read_item_collection(path: str) -> List[dict]:
    """Items of an ItemCollection GeoJSON file (or a single item)."""
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except FileNotFoundError:
        raise UserError(f"The item collection file {path} does not exist. Run 'STAC search' first.")
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{path} is not a GeoJSON item collection ({_short(err)}).")
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features", [])
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    else:
        raise UserError(f"{path} is not a STAC ItemCollection (a GeoJSON FeatureCollection of STAC items).")
    items = [f for f in features if isinstance(f, dict) and "assets" in f and "properties" in f]
    if len(items) < len(features):
        raise UserError(f"{path} has {len(features) - len(items)} feature(s) that are not STAC items (no assets).")
    return items
