"""Tests of the loopback test services (tests/services/stac_api.py).

They start a real STAC API (PostgreSQL + pgstac + stac-fastapi-pgstac) once
for the module, on a tiny catalog built here, and check that searches filter
on the server and that GDAL reads the assets through /vsicurl/.
"""

import json

import numpy as np
import pytest
import rasterio
import requests
from rasterio.transform import from_origin

from services.stac_api import RangeHTTPServer, StacApi

COLLECTION = "test-s2"
ASSET = "data/31TCJ/2021-05-01/B04.tif"
# Two tiles far apart so a bbox selects one of them.
BBOX_A = [1.0, 43.0, 1.1, 43.1]
BBOX_B = [5.0, 45.0, 5.1, 45.1]
# id -> (datetime, eo:cloud_cover, bbox)
ITEMS = {
    "it-0501": ("2021-05-01T10:40:00Z", 5.0, BBOX_A),
    "it-0511": ("2021-05-11T10:40:00Z", 30.0, BBOX_A),
    "it-0521": ("2021-05-21T10:40:00Z", 60.0, BBOX_A),
    "it-0601": ("2021-06-01T10:40:00Z", 10.0, BBOX_B),
}
PIXELS = (np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 3) % 10000

NO_PROXY = {"http": None, "https": None}  # loopback only, whatever the env says

# No skip when .venv-stac is missing: `make setup` always makes it, and a
# missing server must fail the suite, not pass it quietly.


def _polygon(b):
    x0, y0, x1, y1 = b
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _make_catalog(root):
    """1 collection, 4 items, one real GeoTIFF asset with relative hrefs."""
    (root / "collections").mkdir(parents=True)
    (root / "items").mkdir()
    tif = root / ASSET
    tif.parent.mkdir(parents=True)
    with rasterio.open(
        tif, "w", driver="GTiff", width=64, height=64, count=1, dtype="uint16",
        crs="EPSG:32631", transform=from_origin(300000, 4800000, 10, 10),
        tiled=True, blockxsize=32, blockysize=32,
    ) as dst:
        dst.write(PIXELS, 1)

    collection = {
        "type": "Collection", "stac_version": "1.0.0", "id": COLLECTION,
        "description": "test collection", "license": "proprietary", "links": [],
        "extent": {
            "spatial": {"bbox": [[1.0, 43.0, 5.1, 45.1]]},
            "temporal": {"interval": [["2021-05-01T00:00:00Z", "2021-06-30T00:00:00Z"]]},
        },
    }
    (root / "collections" / f"{COLLECTION}.json").write_text(json.dumps(collection))

    lines = []
    for item_id, (dt, cc, bbox) in ITEMS.items():
        lines.append(json.dumps({
            "type": "Feature", "stac_version": "1.0.0", "id": item_id,
            "collection": COLLECTION, "bbox": bbox, "geometry": _polygon(bbox),
            "properties": {"datetime": dt, "eo:cloud_cover": cc},
            "links": [],
            "assets": {"B04": {"href": ASSET, "type": "image/tiff; application=geotiff"}},
        }))
    (root / "items" / "items.ndjson").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    catalog = _make_catalog(tmp_path_factory.mktemp("catalog"))
    with StacApi(catalog) as stac:
        yield stac


def _search(api, body):
    r = requests.post(f"{api.url}/search", json=body, proxies=NO_PROXY, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _ids(fc):
    return sorted(f["id"] for f in fc["features"])


@pytest.mark.parametrize("in_process", [False, True])
def test_range_server(tmp_path, in_process):
    data = bytes(range(256)) * 4
    (tmp_path / "f.bin").write_bytes(data)
    with RangeHTTPServer(tmp_path, in_process=in_process) as srv:
        url = f"{srv.url}/f.bin"
        r = requests.get(url, headers={"Range": "bytes=10-19"}, proxies=NO_PROXY)
        assert r.status_code == 206
        assert r.content == data[10:20]
        assert r.headers["Content-Range"] == f"bytes 10-19/{len(data)}"
        assert r.headers["Accept-Ranges"] == "bytes"

        r = requests.get(url, headers={"Range": "bytes=-5"}, proxies=NO_PROXY)
        assert r.status_code == 206 and r.content == data[-5:]

        r = requests.get(url, headers={"Range": "bytes=5000-"}, proxies=NO_PROXY)
        assert r.status_code == 416
        assert r.headers["Content-Range"] == f"bytes */{len(data)}"

        r = requests.head(url, proxies=NO_PROXY)
        assert r.status_code == 200
        assert r.headers["Content-Length"] == str(len(data))
        assert r.headers["Accept-Ranges"] == "bytes"

        r = requests.get(url, proxies=NO_PROXY)
        assert r.status_code == 200 and r.content == data


def test_api_root_and_conformance(api):
    r = requests.get(f"{api.url}/conformance", proxies=NO_PROXY, timeout=30)
    classes = " ".join(r.json()["conformsTo"])
    for ext in ("item-search#query", "item-search#filter", "item-search#sort",
                "item-search#fields"):
        assert ext in classes, ext
    root = requests.get(f"{api.url}/", proxies=NO_PROXY, timeout=30).json()
    # Links point back at the loopback address the API is reached at.
    assert all(link["href"].startswith(api.url) for link in root["links"]
               if link["rel"] in ("self", "root", "search"))


def test_search_bbox_datetime(api):
    fc = _search(api, {"collections": [COLLECTION], "bbox": BBOX_A,
                       "datetime": "2021-05-05T00:00:00Z/2021-06-30T00:00:00Z"})
    assert _ids(fc) == ["it-0511", "it-0521"]
    fc = _search(api, {"collections": [COLLECTION], "bbox": BBOX_B})
    assert _ids(fc) == ["it-0601"]
    # GET with the same parameters.
    r = requests.get(f"{api.url}/search", proxies=NO_PROXY, timeout=30, params={
        "collections": COLLECTION, "bbox": ",".join(map(str, BBOX_A)),
        "datetime": "2021-05-01T00:00:00Z/2021-05-15T00:00:00Z"})
    assert _ids(r.json()) == ["it-0501", "it-0511"]


def test_query_cloud_cover(api):
    fc = _search(api, {"collections": [COLLECTION],
                       "query": {"eo:cloud_cover": {"lte": 10}}})
    assert _ids(fc) == ["it-0501", "it-0601"]


def test_filter_cql2_cloud_cover(api):
    fc = _search(api, {
        "collections": [COLLECTION], "filter-lang": "cql2-json",
        "filter": {"op": "<", "args": [{"property": "eo:cloud_cover"}, 40]}})
    assert _ids(fc) == ["it-0501", "it-0511", "it-0601"]
    # cql2-text via GET, as pystac-client may send it.
    r = requests.get(f"{api.url}/search", proxies=NO_PROXY, timeout=30, params={
        "collections": COLLECTION, "filter-lang": "cql2-text",
        "filter": "\"eo:cloud_cover\" > 20"})
    assert r.status_code == 200, r.text
    assert _ids(r.json()) == ["it-0511", "it-0521"]


def test_sort_and_paging(api):
    fc = _search(api, {"collections": [COLLECTION],
                       "sortby": [{"field": "properties.eo:cloud_cover", "direction": "desc"}]})
    assert [f["id"] for f in fc["features"]] == ["it-0521", "it-0511", "it-0601", "it-0501"]
    fc = _search(api, {"collections": [COLLECTION], "limit": 3})
    assert len(fc["features"]) == 3
    assert fc.get("numberMatched") == 4
    assert any(link["rel"] == "next" and link["href"].startswith(api.url)
               for link in fc["links"])


def test_asset_hrefs_and_vsicurl(api):
    fc = _search(api, {"ids": ["it-0501"]})
    href = fc["features"][0]["assets"]["B04"]["href"]
    assert href == f"{api.cog_url}/{ASSET}"
    # GDAL reads the asset over HTTP range requests, like a real catalog's COGs.
    env = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "GDAL_HTTP_MAX_RETRY": "0"}
    with rasterio.Env(**env), rasterio.open(f"/vsicurl/{href}") as src:
        assert src.profile["width"] == 64 and src.crs.to_epsg() == 32631
        np.testing.assert_array_equal(src.read(1), PIXELS)
        window = src.read(1, window=((40, 44), (8, 12)))
        np.testing.assert_array_equal(window, PIXELS[40:44, 8:12])
