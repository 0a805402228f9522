"""STAC search against the real loopback STAC API (engine only)."""

import datetime as dt
import json
import socket
import time

import pytest

from sitscube.engine import sample_catalog as sc
from sitscube.engine.errors import UserError
from sitscube.engine.progress import Progress
from sitscube.engine.stac_search import SearchRequest, search, summary_rows


def _catalog_items(catalog, collection=sc.PC_COLLECTION):
    with open(catalog / "items" / f"{collection}.ndjson") as stream:
        return [json.loads(line) for line in stream]


def _request(api, bbox, **kwargs):
    arguments = dict(
        catalog_url=api.url, collections=[sc.PC_COLLECTION], bbox=bbox,
        start=dt.date(2021, 1, 1), end=dt.date(2023, 12, 31),
    )
    arguments.update(kwargs)
    return SearchRequest(**arguments)


def _in_range(item, start, end):
    return start.isoformat() <= item["properties"]["datetime"][:10] <= end.isoformat()


def test_dates_and_area_select_the_right_items(stac_api, sample_catalog, area_lonlat):
    start, end = dt.date(2021, 9, 1), dt.date(2022, 3, 31)
    west, south, east, north = area_lonlat
    corner = (west, north - 0.002, west + 0.002, north)  # inside 31TCJ only
    result = search(_request(stac_api, corner, start=start, end=end))
    expected = [i["id"] for i in _catalog_items(sample_catalog) if _in_range(i, start, end) and "31TCJ" in i["id"]]
    assert sorted(i["id"] for i in result["features"]) == sorted(expected)
    dates = [i["properties"]["datetime"] for i in result["features"]]
    assert dates == sorted(dates)
    first = result["features"][0]["assets"]["B04"]["href"]
    assert first.startswith(stac_api.cog_url)


@pytest.mark.parametrize("mode", ["filter", "query", "client"])
def test_cloud_cover_is_filtered_the_same_way_in_every_mode(stac_api, sample_catalog, area_lonlat, mode, monkeypatch):
    from pystac_client import ConformanceClasses

    from sitscube.engine import stac_search

    opened = stac_search.open_client

    def open_with_conformance(*args):
        client = opened(*args)
        if mode in ("query", "client"):
            client.remove_conforms_to(ConformanceClasses.FILTER.name)
        if mode == "client":
            client.remove_conforms_to(ConformanceClasses.QUERY.name)
        return client

    monkeypatch.setattr(stac_search, "open_client", open_with_conformance)
    progress = Progress()
    result = search(_request(stac_api, area_lonlat, max_cloud=20), progress)
    expected = {i["id"] for i in _catalog_items(sample_catalog) if i["properties"]["eo:cloud_cover"] <= 20}
    assert {i["id"] for i in result["features"]} == expected
    assert 0 < len(expected) < len(_catalog_items(sample_catalog))
    warned = any("neither 'filter' nor 'query'" in w for w in progress.warnings)
    assert warned == (mode == "client")


def test_pagination_and_max_items(stac_api, sample_catalog, area_lonlat):
    everything = search(_request(stac_api, area_lonlat, page_size=10))
    ids = [i["id"] for i in everything["features"]]
    assert len(ids) == len(set(ids)) == len(_catalog_items(sample_catalog))
    limited = search(_request(stac_api, area_lonlat, max_items=7, page_size=5))
    assert len(limited["features"]) == 7


def test_summary_rows_are_readable(stac_api, area_lonlat):
    result = search(_request(stac_api, area_lonlat, max_items=3))
    row = summary_rows(result)[0]
    assert set(row) == {"id", "date", "cloud_cover", "platform", "baseline", "tile"}
    assert row["tile"] in sc.TILES and row["baseline"] == sc.processing_baseline(dt.date.fromisoformat(row["date"]))


def test_earth_search_convention_tiles(stac_api, area_lonlat):
    result = search(_request(stac_api, area_lonlat, collections=[sc.ES_COLLECTION], max_items=2))
    assert summary_rows(result)[0]["tile"] == "31TCJ"


def test_end_before_start_is_refused(stac_api, area_lonlat):
    with pytest.raises(UserError, match="before START_DATE"):
        search(_request(stac_api, area_lonlat, start=dt.date(2022, 5, 1), end=dt.date(2022, 1, 1)))


def test_unknown_collection_lists_the_available_ones(stac_api, area_lonlat):
    with pytest.raises(UserError, match="sentinel-2-l2a") as err:
        search(_request(stac_api, area_lonlat, collections=["sentinel-1-grd"]))
    assert "sentinel-1-grd" in str(err.value)


def test_area_outside_the_catalog_finds_nothing(stac_api):
    result = search(_request(stac_api, (10.0, 50.0, 10.1, 50.1)))
    assert result["features"] == []


def test_unreachable_catalog_fails_fast():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(UserError, match="Cannot reach"):
        search(SearchRequest(f"http://127.0.0.1:{port}", ["x"], (0, 0, 1, 1), dt.date(2022, 1, 1), dt.date(2022, 2, 1), timeout=5))
    assert time.monotonic() - started < 10


def test_silent_server_times_out_within_the_limit():
    """A server that accepts connections but never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(UserError, match="did not answer within 2 s"):
            search(SearchRequest(f"http://127.0.0.1:{port}", ["x"], (0, 0, 1, 1), dt.date(2022, 1, 1), dt.date(2022, 2, 1), timeout=2))
        # bounded: pystac-client's own policy retries 5 times, each within the timeout
        assert time.monotonic() - started < 6 * 2 + 6
