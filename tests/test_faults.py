"""What the plugin does when the catalog or the asset server misbehaves.

Every fault is injected by a real HTTP proxy on loopback
(tests/services/faulty_http.py) in front of the real STAC API and the real
COG server; the summary of faults injected and survived is printed at the
end of the module.
"""

import datetime as dt
import json
import os
import time

import numpy as np
import pytest

from sitscube.engine import sample_catalog as sc
from sitscube.engine.errors import UserError
from sitscube.engine.http_client import HttpPolicy
from sitscube.engine.progress import Progress
from sitscube.engine.stac_search import SearchRequest, search, write_item_collection

# case -> {"injected": n, "outcome": "..."}: printed after the module's tests.
SUMMARY = {}


@pytest.fixture(scope="module", autouse=True)
def print_summary(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not SUMMARY:
        return
    with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
        _write_summary(reporter)


def _write_summary(reporter):
    reporter.write_line("")
    reporter.write_line("Faults injected by the loopback proxy, and what the plugin did:")
    for case, row in SUMMARY.items():
        reporter.write_line(f"  {case:<38} injected {row['injected']:>3}  -> {row['outcome']}")
        if row.get("detail"):
            reporter.write_line(f"      {row['detail'][:400]}")
    total = sum(row["injected"] for row in SUMMARY.values())
    survived = sum(row["injected"] for row in SUMMARY.values() if row["outcome"].startswith("survived"))
    reporter.write_line(f"  total: {total} faults injected, {survived} survived by retrying or skipping, the rest reported as clear errors")


def _record(case, proxy, outcome, detail=""):
    SUMMARY[case] = {"injected": sum(proxy.stats()["injected"].values()), "outcome": outcome, "detail": detail}


@pytest.fixture
def proxy(stac_api):
    from services.faulty_http import FaultyProxy

    with FaultyProxy(stac_api.url) as running:
        yield running


@pytest.fixture
def cog_proxy(stac_api):
    from services.faulty_http import FaultyProxy

    # A new proxy (new port, new URLs) per test: GDAL caches what it learnt about a URL.
    with FaultyProxy(stac_api.cog_url) as running:
        yield running


@pytest.fixture(scope="module")
def expected_ids(stac_api, area_lonlat):
    direct = search(SearchRequest(stac_api.url, [sc.PC_COLLECTION], area_lonlat, dt.date(2021, 1, 1), dt.date(2023, 12, 31)))
    return sorted(item["id"] for item in direct["features"])


def _request(url, area, **kwargs):
    arguments = dict(catalog_url=url, collections=[sc.PC_COLLECTION], bbox=area,
                     start=dt.date(2021, 1, 1), end=dt.date(2023, 12, 31))
    arguments.update(kwargs)
    return SearchRequest(**arguments)


def _progress():
    infos = []
    return Progress(info=infos.append), infos


# ---------------------------------------------------------------- STAC API


def test_503_twice_then_ok_is_retried(proxy, area_lonlat, expected_ids):
    proxy.set_faults([{"fault": "status", "status": 503, "count": 2}])
    progress, infos = _progress()
    result = search(_request(proxy.url, area_lonlat), progress)
    assert sorted(i["id"] for i in result["features"]) == expected_ids
    assert proxy.stats()["injected"] == {"status": 2}
    retries = [m for m in infos if "HTTP 503; retry" in m]
    assert len(retries) == 2 and "retry 1/4 in 0.5 s" in retries[0] and "retry 2/4 in 1.0 s" in retries[1]
    _record("503 x2 then OK", proxy, "survived: all items after 2 retries")


@pytest.mark.parametrize("retry_after", ["1", "date:2"])
def test_429_retry_after_is_honoured(proxy, area_lonlat, expected_ids, retry_after):
    proxy.set_faults([{"fault": "status", "status": 429, "retry_after": retry_after, "count": 1}])
    progress, infos = _progress()
    started = time.monotonic()
    result = search(_request(proxy.url, area_lonlat, backoff=0.1), progress)
    waited = time.monotonic() - started
    assert sorted(i["id"] for i in result["features"]) == expected_ids
    assert waited >= 1.0  # the server's Retry-After, not the 0.1 s backoff
    assert any("HTTP 429; retry 1/4" in m for m in infos)
    _record(f"429 Retry-After {retry_after}", proxy, f"survived: waited {waited:.1f} s as asked")


def test_retry_after_is_capped(proxy, area_lonlat, expected_ids):
    proxy.set_faults([{"fault": "status", "status": 429, "retry_after": "3600", "count": 1}])
    started = time.monotonic()
    result = search(_request(proxy.url, area_lonlat, max_wait=1.0))
    assert sorted(i["id"] for i in result["features"]) == expected_ids
    assert time.monotonic() - started < 10  # an hour asked, max_wait (1 s) given
    _record("429 Retry-After 3600 (capped)", proxy, "survived: waited max_wait, not an hour")


def test_catalog_down_is_a_clear_error_within_the_bound(proxy, area_lonlat):
    proxy.set_faults([{"fault": "status", "status": 503}])
    request = _request(proxy.url, area_lonlat, timeout=5, backoff=0.2)
    started = time.monotonic()
    with pytest.raises(UserError) as err:
        search(request)
    elapsed = time.monotonic() - started
    message = str(err.value)
    assert proxy.url in message and "HTTP 503" in message and "after 5 attempts" in message
    assert proxy.stats()["injected"] == {"status": 5}  # 1 + 4 retries, then give up
    assert elapsed < request.policy.bound() and elapsed < 0.2 + 0.4 + 0.8 + 1.6 + 3
    _record("always 503", proxy, f"clear error after 5 attempts in {elapsed:.1f} s", message)


def test_deadline_stops_retrying_early(proxy, area_lonlat):
    proxy.set_faults([{"fault": "status", "status": 503, "retry_after": "1"}])
    request = _request(proxy.url, area_lonlat, timeout=1, deadline=2.5)
    started = time.monotonic()
    with pytest.raises(UserError, match="HTTP 503"):
        search(request)
    elapsed = time.monotonic() - started
    # attempt, 1 s, attempt; a third would end past 2.5 s (1 s wait + 1 s timeout): not made
    assert proxy.stats()["injected"] == {"status": 2}
    assert elapsed <= request.policy.bound()
    _record("always 503, short deadline", proxy, f"clear error after 2 attempts in {elapsed:.1f} s")


def test_slow_server_times_out_within_the_bound(proxy, area_lonlat):
    proxy.set_faults([{"fault": "slow", "delay": 4}])
    request = _request(proxy.url, area_lonlat, timeout=1)
    started = time.monotonic()
    with pytest.raises(UserError, match="did not answer within 1 s") as err:
        search(request)
    elapsed = time.monotonic() - started
    assert proxy.url in str(err.value)
    # a silent server is retried once: 1 s + 0.5 s + 1 s, not 5 x 1 s
    assert proxy.stats()["injected"] == {"slow": 2}
    assert elapsed < 4
    _record("slow server (always)", proxy, f"timeout error in {elapsed:.1f} s", str(err.value))


def test_one_slow_answer_is_retried(proxy, area_lonlat, expected_ids):
    proxy.set_faults([{"fault": "slow", "delay": 3, "match": "/search", "count": 1}])
    result = search(_request(proxy.url, area_lonlat, timeout=1))
    assert sorted(i["id"] for i in result["features"]) == expected_ids
    _record("slow once on /search", proxy, "survived: retried after the timeout")


def test_dropped_connections_are_retried(proxy, area_lonlat, expected_ids):
    proxy.set_faults([{"fault": "drop", "count": 2}])
    progress, infos = _progress()
    result = search(_request(proxy.url, area_lonlat), progress)
    assert sorted(i["id"] for i in result["features"]) == expected_ids
    assert proxy.stats()["injected"] == {"drop": 2}
    assert sum("retry" in m for m in infos) == 2
    _record("dropped connection x2", proxy, "survived: all items after 2 retries")


def test_always_dropped_is_a_clear_error(proxy, area_lonlat):
    proxy.set_faults([{"fault": "drop"}])
    started = time.monotonic()
    with pytest.raises(UserError, match="closed the connection") as err:
        search(_request(proxy.url, area_lonlat, backoff=0.1))
    assert proxy.url in str(err.value)
    assert proxy.stats()["injected"] == {"drop": 5}
    _record("always dropped", proxy, f"clear error after 5 attempts in {time.monotonic() - started:.1f} s", str(err.value))


def test_truncated_json_is_a_clear_error(proxy, area_lonlat):
    proxy.set_faults([{"fault": "truncate", "match": "/search"}])
    with pytest.raises(UserError, match="not valid JSON") as err:
        search(_request(proxy.url, area_lonlat))
    assert proxy.url in str(err.value) and "/search" in str(err.value)
    _record("truncated JSON on /search", proxy, "clear error, no partial result", str(err.value))


def test_many_pages_through_the_proxy_with_a_failing_page(proxy, area_lonlat, expected_ids):
    # the 4th page answers 503 once: the search goes on and loses nothing
    proxy.set_faults([{"fault": "status", "status": 503, "match": "/search", "skip": 3, "count": 1}])
    result = search(_request(proxy.url, area_lonlat, page_size=4))
    ids = [i["id"] for i in result["features"]]
    assert sorted(ids) == expected_ids and len(ids) == len(set(ids))
    pages = proxy.stats()["paths"]["/search"]
    assert pages >= len(expected_ids) / 4  # every page came through the proxy
    _record(f"503 on page 4 of {pages - 1}", proxy, f"survived: {len(ids)} items, none lost")


def test_stacsearch_algorithm_reports_retries(sitscube_provider, proxy, area_lonlat, feedback, tmp_path):
    from qgis.core import QgsProcessingContext, QgsProject

    import processing

    proxy.set_faults([{"fault": "status", "status": 502, "count": 1}])
    west, south, east, north = area_lonlat
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    result = processing.run("sitscube:stacsearch", {
        "CATALOG_URL": proxy.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "TIMEOUT": 5, "OUTPUT": str(tmp_path / "items.geojson"),
    }, context=context, feedback=feedback)
    assert os.path.exists(result["OUTPUT"])
    assert any("HTTP 502; retry 1/4" in line for line in feedback.infos)
    _record("502 once (sitscube:stacsearch)", proxy, "survived: retry shown in the log")


def test_http_policy_bound_is_documented():
    policy = HttpPolicy(timeout=30, deadline=120)
    assert policy.bound() == 150
    assert HttpPolicy(timeout=200, deadline=120).bound() == 400  # the first attempt always gets its timeout
    assert policy.gdal_options()["GDAL_HTTP_TIMEOUT"] == "30"


# ------------------------------------------------------------------ assets

AOI_UTM = "300000,301280,4808960,4810240 [EPSG:32631]"  # 128 x 128 pixels at 10 m, top-left of the area


@pytest.fixture(scope="module")
def aoi_items(stac_api):
    from conftest import utm_to_lonlat

    area = utm_to_lonlat((300000.0, 4808960.0, 301280.0, 4810240.0))
    return search(_request(stac_api.url, area))["features"]


def _items_through(items, stac_api, cog_proxy, path):
    """The items with every asset href pointing at the proxy, written as GeoJSON."""
    moved = json.loads(json.dumps(items).replace(stac_api.cog_url, cog_proxy.url))
    write_item_collection({"type": "FeatureCollection", "features": moved}, str(path))
    return str(path)


def _load(items_path, output, feedback, on_error=None):
    from qgis.core import QgsProcessingContext, QgsProject

    import processing

    parameters = {"ITEMS": items_path, "AOI": AOI_UTM, "CRS": "EPSG:32631", "BANDS": "red", "CHUNK_SIZE": 128, "OUTPUT": output}
    if on_error:
        parameters["ON_ASSET_ERROR"] = on_error
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return processing.run("sitscube:loadcube", parameters, context=context, feedback=feedback)


def _broken(scene):
    """Two dates whose B04 is damaged on every tile: one corrupt, one missing."""
    corrupt, missing = scene.dates[3], scene.dates[7]
    rules = [
        {"fault": "corrupt", "match": f"/{corrupt.isoformat()}/B04.tif"},
        {"fault": "missing", "match": f"/{missing.isoformat()}/B04.tif"},
    ]
    return corrupt, missing, rules


def _ids_on(items, date):
    return sorted(i["id"] for i in items if i["properties"]["datetime"][:10] == date.isoformat())


def test_broken_assets_fail_the_run_by_default(sitscube_provider, stac_api, cog_proxy, aoi_items, scene, feedback, tmp_path):
    from qgis.core import QgsProcessingException

    corrupt, missing, rules = _broken(scene)
    cog_proxy.set_faults(rules)
    items_path = _items_through(aoi_items, stac_api, cog_proxy, tmp_path / "items.geojson")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(QgsProcessingException) as err:
        _load(items_path, str(out_dir / "cube.nc"), feedback)
    message = str(err.value)
    for item_id in _ids_on(aoi_items, corrupt) + _ids_on(aoi_items, missing):
        assert f"item {item_id}, asset B04" in message
    assert "not recognized" in message or "not a" in message.lower()  # GDAL's words for the corrupt file
    assert "404" in message or "does not exist" in message or "No such file" in message  # ... and the missing one
    assert "ON_ASSET_ERROR" in message
    assert os.listdir(out_dir) == []  # nothing written
    _record("corrupt + missing COG, fail", cog_proxy, "clear error naming items and asset B04, nothing written", message)


def test_broken_assets_are_skipped_on_request(sitscube_provider, stac_api, cog_proxy, aoi_items, scene, feedback, tmp_path):
    from sitscube.engine.cube_io import history, open_cube

    corrupt, missing, rules = _broken(scene)
    cog_proxy.set_faults(rules)
    items_path = _items_through(aoi_items, stac_api, cog_proxy, tmp_path / "items.geojson")
    output = _load(items_path, str(tmp_path / "cube.nc"), feedback, on_error="skip")["OUTPUT"]
    skipped = _ids_on(aoi_items, corrupt) + _ids_on(aoi_items, missing)
    warning = " ".join(w for w in feedback.warnings if "Skipped" in w)
    assert all(item_id in warning for item_id in skipped)

    cube = open_cube(output)
    kept = [d for d in scene.dates if d not in (corrupt, missing)]
    assert [str(t)[:10] for t in cube.time.values] == [d.isoformat() for d in kept]
    for index, date in enumerate(kept):
        offset = sc.has_offset(sc.processing_baseline(date))
        truth = scene.stored("B04", date, offset)[:128, :128]
        np.testing.assert_array_equal(cube.B04.isel(time=index).values, truth, err_msg=str(date))
    assert sorted(history(cube)[-1]["parameters"]["skipped_items"]) == sorted(skipped)
    stats = cog_proxy.stats()
    _record("corrupt + missing COG, skip", cog_proxy,
            f"survived: {len(skipped)} item(s) skipped with a warning, {len(kept)} dates equal the truth", warning)
    assert stats["injected"]["corrupt"] >= 1 and stats["injected"]["missing"] >= 1


def test_nothing_left_after_skipping_is_a_clear_error(sitscube_provider, stac_api, cog_proxy, aoi_items, feedback, tmp_path):
    from qgis.core import QgsProcessingException

    cog_proxy.set_faults([{"fault": "missing", "match": "/B04.tif"}])
    items_path = _items_through(aoi_items, stac_api, cog_proxy, tmp_path / "items.geojson")
    with pytest.raises(QgsProcessingException, match="No item can be read"):
        _load(items_path, str(tmp_path / "cube.nc"), feedback, on_error="skip")
    assert not (tmp_path / "cube.nc").exists()
    _record("every B04 missing, skip", cog_proxy, "clear error: no item can be read")


def test_asset_503_is_retried_by_gdal(sitscube_provider, stac_api, cog_proxy, aoi_items, scene, feedback, tmp_path):
    from sitscube.engine.cube_io import open_cube

    date = scene.dates[5]
    cog_proxy.set_faults([{"fault": "status", "status": 503, "match": f"/{date.isoformat()}/B04.tif", "count": 2}])
    items_path = _items_through(aoi_items, stac_api, cog_proxy, tmp_path / "items.geojson")
    output = _load(items_path, str(tmp_path / "cube.nc"), feedback)["OUTPUT"]
    cube = open_cube(output)
    assert cube.sizes["time"] == len(scene.dates)
    truth = scene.stored("B04", date, sc.has_offset(sc.processing_baseline(date)))[:128, :128]
    np.testing.assert_array_equal(cube.B04.isel(time=5).values, truth)
    _record("503 x2 on one COG", cog_proxy, "survived: GDAL retried, values equal the truth")


def test_data_damaged_after_a_good_header_fails_naming_the_item(sitscube_provider, stac_api, cog_proxy, aoi_items, scene, feedback, tmp_path):
    """The probe reads headers only: damaged tile data is caught by odc-stac's
    fail_on_error during the write, and the error still names item and asset."""
    from qgis.core import QgsProcessingException

    date = scene.dates[9]
    # bytes from 16384 on: GDAL's first read (the header) is intact, the tiles are not
    cog_proxy.set_faults([{"fault": "corrupt", "match": f"/{date.isoformat()}/B04.tif", "from_byte": 16384}])
    items_path = _items_through(aoi_items, stac_api, cog_proxy, tmp_path / "items.geojson")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(QgsProcessingException) as err:
        _load(items_path, str(out_dir / "cube.nc"), feedback)
    message = str(err.value)
    for item_id in _ids_on(aoi_items, date):
        assert f"item {item_id}, asset B04" in message
    assert not (out_dir / "cube.nc").exists()
    _record("COG data corrupt, header intact", cog_proxy, "error during the write naming item and asset, no cube", message)
