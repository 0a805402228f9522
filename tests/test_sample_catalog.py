"""The generated catalog matches its own truth (engine only, no QGIS)."""

import datetime as dt
import json

import numpy as np
import pytest
import rasterio

from sitscube.engine import sample_catalog as sc


def _items(catalog, collection):
    with open(catalog / "items" / f"{collection}.ndjson") as stream:
        return [json.loads(line) for line in stream]


def test_catalog_layout_and_counts(sample_catalog, scene):
    pc = _items(sample_catalog, sc.PC_COLLECTION)
    es = _items(sample_catalog, sc.ES_COLLECTION)
    assert len(pc) == len(scene.dates) * len(sc.TILES)
    assert len(es) == len(scene.dates) * len(sc.ES_TILES)
    years = {d.year for d in scene.dates}
    assert {2021, 2022} <= years
    assert min(scene.dates) < sc.BASELINE_DATE < max(scene.dates)
    assert (sample_catalog / "truth" / "fields.geojson").exists()


def test_items_carry_real_stac_metadata(sample_catalog):
    item = _items(sample_catalog, sc.PC_COLLECTION)[0]
    props = item["properties"]
    for key in ("datetime", "platform", "eo:cloud_cover", "s2:processing_baseline", "s2:mgrs_tile", "proj:epsg"):
        assert key in props
    red = item["assets"]["B04"]
    assert red["eo:bands"][0]["common_name"] == "red"
    assert red["raster:bands"][0]["nodata"] == 0 and red["raster:bands"][0]["data_type"] == "uint16"
    assert red["proj:shape"] == [256, 256] and red["proj:transform"][0] == 10
    assert item["assets"]["B11"]["proj:shape"] == [128, 128]
    es = _items(sample_catalog, sc.ES_COLLECTION)[0]
    assert {"red", "nir", "scl"} <= set(es["assets"]) and "earthsearch:boa_offset_applied" in es["properties"]


@pytest.mark.parametrize("band", ["B04", "B11", "SCL"])
def test_cogs_hold_the_truth(sample_catalog, scene, band):
    date = scene.dates[13]  # after 25 January 2022: offset
    offset = band != "SCL" and sc.has_offset(sc.processing_baseline(date))
    resolution = sc.band_resolution(band)
    for tile in sc.TILES:
        path = sample_catalog / "data" / "pc" / tile / date.isoformat() / f"{band}.tif"
        with rasterio.open(path) as src:
            assert src.crs.to_epsg() == sc.EPSG and src.nodata == 0 and src.res == (resolution, resolution)
            assert src.overviews(1) or src.width <= 128  # a real COG
            data = src.read(1)
        truth = scene.stored(band, date, offset)[scene.window(tile, resolution)]
        expected = np.where(scene.coverage(tile, resolution), truth, 0)
        np.testing.assert_array_equal(data, expected)


def test_offset_follows_the_processing_baseline(sample_catalog, scene):
    """+1000 from baseline 04.00 on, and in older products reprocessed to 05.00."""
    items = {i["properties"]["datetime"][:10]: i for i in _items(sample_catalog, sc.PC_COLLECTION) if "31TCJ" in i["id"]}
    reprocessed = scene.dates[0]
    old = next(d for d in scene.dates if sc.processing_baseline(d) == "03.01")
    new = next(d for d in scene.dates if d > sc.BASELINE_DATE)
    assert items[reprocessed.isoformat()]["properties"]["s2:processing_baseline"] == "05.00"
    assert reprocessed < sc.BASELINE_DATE
    for date, offset in ((reprocessed, 1000), (old, 0), (new, 1000)):
        observed = scene.observed("B04", date)
        stored = scene.stored("B04", date, sc.has_offset(sc.processing_baseline(date)))
        ok = (observed > 0) & (observed < 60000) & scene.coverage_global(10)
        assert np.all(stored[ok].astype(int) - observed[ok] == offset)


def test_earth_search_items_have_the_offset_removed(sample_catalog, scene):
    new = next(d for d in scene.dates if d > sc.BASELINE_DATE)
    item = next(i for i in _items(sample_catalog, sc.ES_COLLECTION) if i["properties"]["datetime"].startswith(new.isoformat()))
    assert item["properties"]["earthsearch:boa_offset_applied"] is True
    with rasterio.open(sample_catalog / item["assets"]["red"]["href"]) as src:
        data = src.read(1)
    np.testing.assert_array_equal(data, scene.stored("B04", new, False)[scene.window("31TCJ", 10)])


def test_scene_has_clouds_shadows_cirrus_snow_and_dark_water(scene):
    classes = set()
    for date in scene.dates:
        classes |= set(np.unique(scene.scl(date)).tolist())
    assert {3, 4, 5, 6, 8, 9, 10, 11} <= classes
    snow_date = next(d for d in scene.dates if scene.is_snow_date(d))
    assert scene.observed("B04", snow_date).max() > 10000  # brighter than 1.0
    assert (scene.surface("B12", scene.dates[0]) < 0).any()  # truth below zero
    assert set(np.unique(scene.classes()).tolist()) == {1, 2, 3, 4}


def test_cloud_cover_matches_the_scl(sample_catalog, scene):
    for item in _items(sample_catalog, sc.PC_COLLECTION)[:12]:
        tile = item["properties"]["s2:mgrs_tile"]
        date = dt.date.fromisoformat(item["properties"]["datetime"][:10])
        scl = scene.scl(date)[scene.window(tile, 20)][scene.coverage(tile, 20)]
        expected = 100 * np.isin(scl, [8, 9, 10]).mean()
        assert item["properties"]["eo:cloud_cover"] == pytest.approx(expected, abs=0.01)
