"""Real catalogs: presets, band names on both layouts, HTTP headers and QGIS
authentication, Planetary Computer SAS signing, GDAL options for cloud COGs.

Loopback only: the `stac_api` fixture serves the sample catalog's two
collections (`sentinel-2-l2a`, Planetary Computer layout; `earth-search-s2-l2a`,
Earth Search layout); tests/services/token_server.py puts a header-checking
proxy in front of it, a SAS token endpoint, and a COG gate that answers 403
to any URL without a valid token.
"""

import datetime as dt
import json
import os

import numpy as np
import pytest

from sitscube.engine import catalogs
from sitscube.engine import sample_catalog as sc
from sitscube.engine import signing
from sitscube.engine.bands import resolve_bands
from sitscube.engine.errors import UserError
from sitscube.engine.http_client import parse_headers
from sitscube.engine.stac_search import SearchRequest, search, write_item_collection

BEARER = "Authorization: Bearer test"
AOI_BOX = (300000.0, 4808960.0, 301280.0, 4810240.0)  # 128 x 128 pixels at 10 m, top-left of the area
AOI_UTM = "300000,301280,4808960,4810240 [EPSG:32631]"


def _request(url, area, collection=sc.PC_COLLECTION, **kwargs):
    return SearchRequest(url, [collection], area, dt.date(2021, 1, 1), dt.date(2023, 12, 31), **kwargs)


# ------------------------------------------------------------------ presets


def test_preset_precedence():
    es, pc = catalogs.EARTH_SEARCH_URL, catalogs.PLANETARY_COMPUTER_URL
    # custom: CATALOG_URL as given; empty -> the settings' default
    assert catalogs.resolve("custom", "http://mine/stac", ["c"])[:2] == ("http://mine/stac", ["c"])
    assert catalogs.resolve("custom", "", ["c"], default_url="http://default")[0] == "http://default"
    assert catalogs.resolve(None, "", [])[0] == es
    # a preset replaces an empty URL or another preset's URL (the parameter's default) ...
    assert catalogs.resolve("planetary-computer", es, [])[:2] == (pc, ["sentinel-2-l2a"])
    assert catalogs.resolve("planetary-computer", "", [])[0] == pc
    assert catalogs.resolve("earth-search", pc + "/", ["sentinel-2-c1-l2a"])[:2] == (es, ["sentinel-2-c1-l2a"])
    # ... but keeps any other URL (a mirror or proxy), with the preset's conventions
    url, collections, preset = catalogs.resolve("planetary-computer", "http://127.0.0.1:1234", [])
    assert url == "http://127.0.0.1:1234" and collections == ["sentinel-2-l2a"] and preset.needs_signing
    with pytest.raises(UserError, match="CATALOG must be one of"):
        catalogs.resolve("landsatlook", "", [])
    assert catalogs.preset("earth-search").offset_flag == "earthsearch:boa_offset_applied"
    assert "sentinel-2-c1-l2a" in catalogs.preset("earth-search").collections
    assert catalogs.preset("planetary-computer").token_endpoint == "https://planetarycomputer.microsoft.com/api/sas/v1/token"
    assert catalogs.preset_for_url(pc).id == "planetary-computer"
    # appended, never reordered: models and batch files pass the words
    assert catalogs.CATALOG_IDS == ["custom", "earth-search", "planetary-computer", "cdse", "usgs-landsat"]
    assert catalogs.resolve("cdse", es, [])[:2] == ("https://stac.dataspace.copernicus.eu/v1", ["sentinel-2-l2a"])
    assert catalogs.resolve("usgs-landsat", "", [])[:2] == ("https://landsatlook.usgs.gov/stac-server", ["landsat-c2l2-sr"])
    assert "landsat-c2-l2" in catalogs.preset("planetary-computer").collections
    assert "landsat-c2-l2" in catalogs.preset("earth-search").collections


@pytest.fixture(scope="module")
def both_layouts(stac_api, area_lonlat):
    pc = search(_request(stac_api.url, area_lonlat, sc.PC_COLLECTION, max_items=6))["features"]
    es = search(_request(stac_api.url, area_lonlat, sc.ES_COLLECTION, max_items=6))["features"]
    assert pc and es
    return pc, es


@pytest.mark.parametrize("bands, pc_keys, es_keys", [
    ("red,nir,scl", ["B04", "B08", "SCL"], ["red", "nir", "scl"]),
    ("RED,NIR,SCL", ["B04", "B08", "SCL"], ["red", "nir", "scl"]),
    ("B04,B08,SCL", ["B04", "B08", "SCL"], ["red", "nir", "scl"]),
    ("blue,green,nir08,swir16,swir22", ["B02", "B03", "B8A", "B11", "B12"], ["blue", "green", "nir08", "swir16", "swir22"]),
    ("B8A,b11,B12", ["B8A", "B11", "B12"], ["nir08", "swir16", "swir22"]),
])
def test_bands_resolve_on_both_layouts(both_layouts, bands, pc_keys, es_keys):
    pc, es = both_layouts
    assert resolve_bands(pc, bands.split(",")) == pc_keys
    assert resolve_bands(es, bands.split(",")) == es_keys


def test_unknown_band_still_names_the_choices(both_layouts):
    with pytest.raises(UserError, match="Unknown band.*rededge1") as err:
        resolve_bands(both_layouts[1], ["rededge1"])  # not in the sample catalog
    assert "red" in str(err.value)


def test_preset_keys_exist_in_the_layouts(both_layouts):
    pc, es = both_layouts
    for name in ("blue", "green", "red", "nir", "nir08", "swir16", "swir22", "scl"):
        assert catalogs.preset("planetary-computer").asset_keys[name] in pc[0]["assets"]
        assert catalogs.preset("earth-search").asset_keys[name] in es[0]["assets"]


# ------------------------------------------------------------------ headers


def test_parse_headers():
    assert parse_headers("Authorization: Bearer test\nX-Api-Key: a:b\n\n# comment") == {
        "Authorization": "Bearer test", "X-Api-Key": "a:b"}
    assert parse_headers('{"Authorization": "Bearer test"}') == {"Authorization": "Bearer test"}
    assert parse_headers("A: 1 ;; B: 2") == {"A": "1", "B": "2"}
    assert parse_headers("") == {} and parse_headers(None) == {}
    for bad, message in (("no colon", "not 'Name: value'"), ("{nope", "not valid JSON"), ('["a"]', "object"),
                         ("Bad Name: x", "not a valid HTTP header name"), ("Host: x", "set by the HTTP client")):
        with pytest.raises(ValueError, match=message):
            parse_headers(bad)


@pytest.fixture(scope="module")
def header_gate(stac_api):
    from services.token_server import LoopbackServer

    with LoopbackServer("header", upstream=stac_api.url, header=BEARER) as gate:
        yield gate


def test_catalog_without_the_header_is_a_clear_401(header_gate, area_lonlat):
    with pytest.raises(UserError, match="HTTP 401") as err:
        search(_request(header_gate.url, area_lonlat))
    assert header_gate.url in str(err.value) and "HEADERS" in str(err.value)


def test_headers_are_sent_on_every_request(header_gate, stac_api, area_lonlat):
    direct = search(_request(stac_api.url, area_lonlat))["features"]
    before = header_gate.stats()
    result = search(_request(header_gate.url, area_lonlat, headers=parse_headers(BEARER), page_size=3))["features"]
    after = header_gate.stats()
    assert sorted(i["id"] for i in result) == sorted(i["id"] for i in direct)
    assert after["refused"] == before["refused"]  # not one request without the header
    # landing page, conformance/collections, and every page of 3 items
    assert after["served"] - before["served"] >= 2 + len(direct) // 3


def _run_search(parameters, feedback):
    from qgis_helpers import run_algorithm

    return run_algorithm("sitscube:stacsearch", parameters, feedback)


def _search_parameters(area_lonlat, tmp_path, **overrides):
    west, south, east, north = area_lonlat
    parameters = {"COLLECTION": sc.ES_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
                  "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(tmp_path / "items.geojson")}
    parameters.update(overrides)
    return parameters


def test_stacsearch_headers_parameter(sitscube_provider, header_gate, area_lonlat, feedback, tmp_path):
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="HTTP 401"):
        _run_search(_search_parameters(area_lonlat, tmp_path, CATALOG_URL=header_gate.url), feedback)
    # a preset with a URL that is not a preset's: kept as a mirror of that catalog
    result = _run_search(_search_parameters(area_lonlat, tmp_path, CATALOG="earth-search", CATALOG_URL=header_gate.url,
                                            HEADERS='{"Authorization": "Bearer test"}'), feedback)
    with open(result["OUTPUT"], encoding="utf-8") as stream:
        assert json.load(stream)["features"]
    assert any("Extra HTTP headers: Authorization: …" in line for line in feedback.infos)
    assert not any("Bearer test" in line for line in feedback.infos)  # values never logged


AUTH_SCRIPT = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

app = QgsApplication([], False)
app.initQgis()
manager = QgsApplication.authManager()
if manager.isDisabled() or not manager.setMasterPassword("test", True):
    print(json.dumps({"skip": manager.disabledMessage() or "master password"}))
    sys.exit(0)

def store(method, values):
    config = QgsAuthMethodConfig()
    config.setName(method)
    config.setMethod(method)
    for key, value in values.items():
        config.setConfig(key, value)
    stored = manager.storeAuthenticationConfig(config)
    ok, config = stored if isinstance(stored, tuple) else (stored, config)
    assert ok
    return config.id()

from processing.core.Processing import Processing
Processing.initialize()
import processing
from sitscube.processing_provider.provider import SitsCubeProvider
from sitscube.algorithms.stac_search import auth_config_headers
provider = SitsCubeProvider()
QgsApplication.processingRegistry().addProvider(provider)

args = json.loads(sys.argv[1])
api = store("APIHeader", {"Authorization": "Bearer test"})
basic = store("Basic", {"username": "u", "password": "p"})
out = {"api": auth_config_headers(api, args["url"]), "basic": auth_config_headers(basic, args["url"])}
for name, authcfg in (("run_api", api), ("run_basic", basic), ("run_unknown", "nope123")):
    parameters = dict(args["parameters"], AUTH_CONFIG=authcfg, OUTPUT=args["output"] + name + ".geojson")
    try:
        result = processing.run("sitscube:stacsearch", parameters, context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
        with open(result["OUTPUT"], encoding="utf-8") as stream:
            out[name] = "ok: %d items" % len(json.load(stream)["features"])
    except QgsProcessingException as err:
        out[name] = "error: " + str(err)
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)
"""


def test_auth_config_headers(header_gate, area_lonlat, tmp_path):
    """AUTH_CONFIG, in a QGIS of its own: the test must not give the shared
    test profile an authentication database with a master password."""
    import subprocess
    import sys

    from conftest import ROOT

    parameters = _search_parameters(area_lonlat, tmp_path, CATALOG_URL=header_gate.url)
    parameters.pop("OUTPUT")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_AUTH_DB_DIR_PATH=str(tmp_path),
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"),
               PYTHONPATH=os.pathsep.join([str(ROOT / "build" / "plugins"), "/usr/share/qgis/python/plugins",
                                           os.environ.get("PYTHONPATH", "")]))
    arguments = json.dumps({"url": header_gate.url, "parameters": parameters, "output": str(tmp_path / "items_")})
    run = subprocess.run([sys.executable, "-c", AUTH_SCRIPT, arguments], env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout[-2000:] + run.stderr[-2000:]
    out = json.loads(lines[-1])
    if "skip" in out:
        pytest.skip(f"QGIS authentication unavailable headless: {out['skip']}")
    assert out["api"] == {"Authorization": "Bearer test"}
    assert out["basic"] == {"Authorization": "Basic dTpw"}  # u:p
    assert out["run_api"].startswith("ok:") and out["run_api"] != "ok: 0 items"
    assert out["run_basic"].startswith("error:") and "HTTP 401" in out["run_basic"]  # wrong credentials: refused
    assert "not an authentication configuration" in out["run_unknown"]
    assert os.path.exists(tmp_path / "qgis-auth.db")  # its own database, not the shared profile's


# ------------------------------------------------------------------ signing


def test_needs_signing_in_production():
    href = "https://sentinel2l2a01.blob.core.windows.net/sentinel2-l2/31/T/CJ/2022/05/01/S2A/GRANULE/IMG_DATA/R10m/T31TCJ_B04_10m.tif"
    assert signing.needs_signing(href)
    assert signing.account_container(href) == ("sentinel2l2a01", "sentinel2-l2")
    assert not signing.needs_signing(href + "?sv=2021&sig=abc")  # already signed
    assert not signing.needs_signing("https://sentinel-cogs.s3.us-west-2.amazonaws.com/x/B04.tif")  # Earth Search
    assert not signing.needs_signing("http://127.0.0.1:8000/a.tif")
    assert signing.needs_signing("http://127.0.0.1:8000/a.tif", signing.sign_hosts(["127.0.0.1:8000"]))
    signer = signing.Signer(endpoint="https://planetarycomputer.microsoft.com/api/sas/v1/token")
    assert signer.token_url(href) == "https://planetarycomputer.microsoft.com/api/sas/v1/token/sentinel2l2a01/sentinel2-l2"
    templated = signing.Signer(endpoint="https://pc.example/token/{collection}", collection_of={href: "sentinel-2-l2a"})
    assert templated.token_url(href) == "https://pc.example/token/sentinel-2-l2a"
    assert signing.append_token(href, "sv=1&sig=x") == href + "?sv=1&sig=x"
    assert signing.redact("GET a.tif?sv=1&sig=SECRET%3D&x=1 failed") == "GET a.tif?sv=1&sig=…&x=1 failed"


def test_token_expiry_parsing():
    token = signing.parse_token({"token": "sv=1&sig=x", "msft:expiry": "2030-01-01T00:00:00Z"}, "u")
    assert token.expiry == dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    token = signing.parse_token({"token": "?se=2031-01-01T00%3A00%3A00Z&sig=x"}, "u")
    assert token.expiry.year == 2031 and token.token.startswith("se=")
    with pytest.raises(UserError, match="without a 'token'"):
        signing.parse_token({"detail": "nope"}, "http://endpoint")


@pytest.fixture(scope="module")
def token_server():
    from services.token_server import LoopbackServer

    with LoopbackServer("token") as server:
        yield server


@pytest.fixture
def sas_gate(stac_api):
    from services.token_server import LoopbackServer

    # a new gate per test (new port, new URLs): GDAL caches what it learnt about a URL
    with LoopbackServer("sas", upstream=stac_api.cog_url) as gate:
        yield gate


@pytest.fixture(scope="module")
def aoi_items(stac_api):
    from conftest import utm_to_lonlat

    return search(_request(stac_api.url, utm_to_lonlat(AOI_BOX)))["features"]


def _behind(items, stac_api, gate):
    return json.loads(json.dumps(items).replace(stac_api.cog_url, gate.url))


def _cube_request(items, gate, token_server_url, **kwargs):
    from odc.geo import geom

    from conftest import utm_to_lonlat
    from sitscube.engine.cube_load import CubeRequest

    arguments = dict(items=items, bands=["red"], crs="EPSG:32631", resolution=10.0, chunk_size=128,
                     aoi_lonlat=utm_to_lonlat(AOI_BOX), aoi=geom.box(*AOI_BOX, crs="EPSG:32631"),
                     token_endpoint=token_server_url, sign_hosts=[f"127.0.0.1:{gate.port}"])
    arguments.update(kwargs)
    return CubeRequest(**arguments)


def _check_truth(cube, scene, items):
    dates = sorted({i["properties"]["datetime"][:10] for i in items})
    assert [str(t)[:10] for t in cube.time.values] == dates
    for index, text in enumerate(dates):
        date = dt.date.fromisoformat(text)
        truth = scene.stored("B04", date, sc.has_offset(sc.processing_baseline(date)))[:128, :128]
        np.testing.assert_array_equal(cube.B04.isel(time=index).values, truth, err_msg=text)


def test_unsigned_reads_are_refused_by_the_gate(stac_api, sas_gate, aoi_items, token_server):
    from sitscube.engine.cube_load import load_cube

    items = _behind(aoi_items, stac_api, sas_gate)
    with pytest.raises(UserError, match="cannot be read") as err:
        load_cube(_cube_request(items, sas_gate, token_server.url, sign_hosts=[]))
    assert "403" in str(err.value) or "HTTP" in str(err.value)
    assert sas_gate.stats()["refused"] > 0


def test_signed_cube_loads_and_tokens_are_cached(stac_api, sas_gate, aoi_items, token_server, scene):
    from sitscube.engine.cube_load import load_cube

    signing.CACHE.clear()
    token_server.configure(lifetime=3600, reset=True)
    items = _behind(aoi_items, stac_api, sas_gate)
    infos = []
    from sitscube.engine.progress import Progress

    cube = load_cube(_cube_request(items, sas_gate, token_server.url), Progress(info=infos.append)).compute()
    _check_truth(cube, scene, items)
    stats = sas_gate.stats()
    assert stats["refused"] == 0 and stats["served"] > 0
    calls = token_server.stats()
    assert calls["calls"] == 1  # one container, one token for the whole load (probe + reads)
    assert list(calls["paths"]) == [f"/127.0.0.1:{sas_gate.port}/data"]  # /<account>/<container>
    assert any("SAS token for" in m for m in infos) and not any("loopback-secret" in m for m in infos)
    # a second load within the token's life: no new token
    load_cube(_cube_request(items, sas_gate, token_server.url)).compute()
    assert token_server.stats()["calls"] == 1
    assert "sig=" not in json.dumps(items)  # the items themselves are never changed


def test_token_near_expiry_is_refreshed(stac_api, sas_gate, aoi_items, token_server, scene):
    from sitscube.engine.cube_load import load_cube

    signing.CACHE.clear()
    token_server.configure(lifetime=120, reset=True)  # less than the 5 minute margin
    try:
        items = _behind(aoi_items, stac_api, sas_gate)
        first = load_cube(_cube_request(items, sas_gate, token_server.url)).compute()
        assert token_server.stats()["calls"] == 1
        second = load_cube(_cube_request(items, sas_gate, token_server.url)).compute()
        assert token_server.stats()["calls"] == 2  # the cached token had < 5 min left: a new one
        _check_truth(second, scene, items)
        np.testing.assert_array_equal(first.B04.values, second.B04.values)
        assert sas_gate.stats()["refused"] == 0
    finally:
        token_server.configure(lifetime=3600)


def test_unreachable_token_endpoint_is_a_clear_error(stac_api, sas_gate, aoi_items):
    from sitscube.engine.cube_load import load_cube
    from sitscube.engine.http_client import HttpPolicy

    signing.CACHE.clear()
    items = _behind(aoi_items, stac_api, sas_gate)
    endpoint = "http://127.0.0.1:9/api/sas/v1/token"
    with pytest.raises(UserError) as err:
        load_cube(_cube_request(items, sas_gate, endpoint, http=HttpPolicy(timeout=2, retries=1, backoff=0.1)))
    message = str(err.value)
    assert "token endpoint" in message and "http://127.0.0.1:9/api/sas/v1/token" in message
    assert "SITSCUBE_PC_TOKEN_ENDPOINT" in message
    assert sas_gate.stats()["served"] == 0  # nothing read


def test_loadcube_signs_with_the_settings(sitscube_provider, stac_api, sas_gate, aoi_items, token_server, scene,
                                          feedback, tmp_path, monkeypatch):
    from qgis.core import QgsProcessingContext, QgsProject

    import processing
    from sitscube.engine.cube_io import open_cube

    signing.CACHE.clear()
    monkeypatch.setenv("SITSCUBE_SIGN_HOSTS", f"127.0.0.1:{sas_gate.port}")
    monkeypatch.setenv("SITSCUBE_PC_TOKEN_ENDPOINT", token_server.url + "/api/sas/v1/token")
    items = _behind(aoi_items, stac_api, sas_gate)
    path = tmp_path / "items.geojson"
    write_item_collection({"type": "FeatureCollection", "features": items}, str(path))
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    result = processing.run("sitscube:loadcube", {
        "ITEMS": str(path), "AOI": AOI_UTM, "CRS": "EPSG:32631", "BANDS": "red", "CHUNK_SIZE": 128,
        "OUTPUT": str(tmp_path / "cube.nc")}, context=context, feedback=feedback)
    _check_truth(open_cube(result["OUTPUT"]), scene, items)
    assert sas_gate.stats()["refused"] == 0
    assert f"/api/sas/v1/token/127.0.0.1:{sas_gate.port}/data" in token_server.stats()["paths"]


# ------------------------------------------------------------------ GDAL


def test_gdal_options_for_cloud_cogs():
    from sitscube.engine.cube_load import allowed_extensions, gdal_http_options
    from sitscube.engine.http_client import HttpPolicy

    options = gdal_http_options(HttpPolicy(), ["https://a.blob.core.windows.net/c/B04.tif?sv=1&sig=x", "http://h/B08.TIF"])
    assert options["GDAL_DISABLE_READDIR_ON_OPEN"] == "EMPTY_DIR"
    assert options["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] == ".TIF,.tif"
    assert options["GDAL_HTTP_MULTIRANGE"] == "YES" and options["GDAL_HTTP_MERGE_CONSECUTIVE_RANGES"] == "YES"
    assert options["VSI_CACHE"] == "TRUE" and int(options["CPL_VSIL_CURL_CACHE_SIZE"]) >= 16 * 1024 * 1024
    assert options["GDAL_HTTP_MAX_RETRY"] == "4"
    # an asset without a raster extension: GDAL is not restricted
    assert allowed_extensions(["http://h/download?id=1"]) is None
    assert "CPL_VSIL_CURL_ALLOWED_EXTENSIONS" not in gdal_http_options(HttpPolicy(), ["http://h/B04.tif", "http://h/get/3"])


# ------------------------------------------------------------------ item-search-only APIs


COLLECTIONS_CLASS = "https://api.stacspec.org/v1.0.0/collections"


@pytest.fixture
def search_only_api(stac_api):
    """The STAC API as an item-search-only API (the spec allows it): no /collections, no collections conformance."""
    from services.faulty_http import FaultyProxy

    with FaultyProxy(stac_api.url) as running:
        running.set_faults([
            {"fault": "missing", "match": "/collections"},
            {"fault": "replace", "match": "", "old": f'"{COLLECTIONS_CLASS}"', "new": '"urn:x-removed"'},
        ])
        yield running


def test_api_without_collections_endpoint_is_searched_with_a_warning(search_only_api, area_lonlat, stac_api):
    import urllib.request

    with urllib.request.urlopen(search_only_api.url + "/conformance", timeout=10) as answer:
        assert COLLECTIONS_CLASS not in answer.read().decode()  # the proxy really hides them
    from sitscube.engine.progress import Progress

    progress = Progress()
    found = search(_request(search_only_api.url, area_lonlat, max_items=5), progress)["features"]
    direct = search(_request(stac_api.url, area_lonlat, max_items=5))["features"]
    assert [i["id"] for i in found] == [i["id"] for i in direct] and len(found) == 5
    assert any("does not list its collections" in w and sc.PC_COLLECTION in w for w in progress.warnings)
    assert search_only_api.stats()["injected"].get("missing", 0) + search_only_api.stats()["injected"].get("replace", 0) > 0


def test_unknown_collection_is_still_refused_where_the_catalog_lists_them(stac_api, area_lonlat):
    with pytest.raises(UserError, match="not-a-collection.*Available: .*sentinel-2-l2a"):
        search(_request(stac_api.url, area_lonlat, "not-a-collection"))
