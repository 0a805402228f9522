"""The sample catalog's CDSE and Landsat C2 L2 collections match their truth (engine only, no QGIS)."""

import datetime as dt
import json
import re

import numpy as np
import pytest
import rasterio

from sitscube.engine import sample_catalog as sc


def _items(catalog, collection):
    with open(catalog / "items" / f"{collection}.ndjson") as stream:
        return [json.loads(line) for line in stream]


def _date(item):
    return dt.date.fromisoformat(item["properties"]["datetime"][:10])


def _read(path):
    with rasterio.open(path) as src:
        return src.read(1), src


def _by_date(items, date):
    return next(i for i in items if _date(i) == date)


def test_the_four_collections_are_written(sample_catalog, scene):
    manifest = json.loads((sample_catalog / "manifest.json").read_text())
    assert manifest["version"] == sc.GENERATOR_VERSION
    assert manifest["collections"] == {
        sc.PC_COLLECTION: len(scene.dates) * len(sc.TILES), sc.ES_COLLECTION: len(scene.dates),
        sc.CDSE_COLLECTION: len(scene.dates), sc.LANDSAT_COLLECTION: len(scene.landsat_dates()),
    }
    for collection in manifest["collections"]:
        assert (sample_catalog / "collections" / f"{collection}.json").exists()
        assert len(_items(sample_catalog, collection)) == manifest["collections"][collection]
    landsat = scene.landsat_dates()
    assert set(landsat) <= set(scene.dates) and any(scene.is_snow_date(d) for d in landsat)
    assert min(landsat) < sc.BASELINE_DATE < max(landsat)


# ---- CDSE ---------------------------------------------------------------------------------


def test_cdse_items_follow_the_cdse_conventions(sample_catalog, scene):
    items = _items(sample_catalog, sc.CDSE_COLLECTION)
    assert [_date(i) for i in items] == scene.dates
    platforms = set()
    for index, item in enumerate(items):
        props = item["properties"]
        baseline = sc.processing_baseline(_date(item))
        assert item["stac_version"] == "1.1.0"
        assert re.fullmatch(rf"S2[AB]_MSIL2A_\d{{8}}T105621_N{baseline.replace('.', '')}_R051_T31TCJ_\d{{8}}T160000",
                            item["id"])
        assert props["processing:version"] == baseline and "s2:processing_baseline" not in props
        assert props["grid:code"] == "MGRS-31TCJ" and props["product:type"] == "S2MSI2A"
        assert "proj:epsg" not in json.dumps(item)  # proj:code only
        platforms.add(props["platform"])
        assert set(item["assets"]) == set(sc.CDSE_ASSETS)
        offset = sc.has_offset(baseline)
        for key, asset in item["assets"].items():
            band, resolution = sc.CDSE_ASSETS[key]
            assert asset["proj:code"] == "EPSG:32631" and asset["gsd"] == resolution
            assert asset["proj:shape"] == [2560 // resolution] * 2
            assert asset["proj:transform"] == [resolution, 0, 300000, 0, -resolution, 4810240]
            assert "data" in asset["roles"] and asset["nodata"] == 0
            assert asset["href"].startswith("s3://eodata/Sentinel-2/MSI/L2A/") and asset["href"].endswith(f"_{key}.jp2")
            https = asset["alternate"]["https"]
            assert https["auth:refs"] == ["oidc"] and https["href"].startswith("data/cdse/")
            assert (sample_catalog / https["href"]).is_file()
            if band == sc.SCL_KEY:
                assert "bands" not in asset and asset["data_type"] == "uint8" and "raster:offset" not in asset
            else:
                assert asset["data_type"] == "uint16" and asset["raster:scale"] == 0.0001
                assert asset["raster:offset"] == (-0.1 if offset else 0.0)
                (entry,) = asset["bands"]
                common = next(b[1] for b in sc.BANDS if b[0] == band)
                assert entry["name"] == band and entry["eo:common_name"] == common
        if index == 0:
            assert {"B02_10m", "B03_10m", "B04_10m", "B08_10m", "B8A_20m", "B11_20m", "B12_20m", "SCL_20m"} <= set(
                item["assets"])
            assert "B08_20m" not in item["assets"]
    assert platforms == {"sentinel-2a", "sentinel-2b"}
    assert {"05.00", "03.01", "04.00"} <= {i["properties"]["processing:version"] for i in items}


def test_cdse_cloud_cover_is_the_pc_one(sample_catalog):
    pc = {(_date(i)): i for i in _items(sample_catalog, sc.PC_COLLECTION) if i["properties"]["s2:mgrs_tile"] == "31TCJ"}
    for item in _items(sample_catalog, sc.CDSE_COLLECTION):
        assert item["properties"]["eo:cloud_cover"] == pc[_date(item)]["properties"]["eo:cloud_cover"]


@pytest.mark.parametrize("index", [0, 5, 13])  # reprocessed 05.00 (offset), 03.00 (none), 04.00 (offset)
def test_cdse_files_hold_the_truth(sample_catalog, scene, index):
    date = scene.dates[index]
    item = _by_date(_items(sample_catalog, sc.CDSE_COLLECTION), date)
    offset = sc.has_offset(sc.processing_baseline(date))
    for key, asset in item["assets"].items():
        band, resolution = sc.CDSE_ASSETS[key]
        data, src = _read(sample_catalog / asset["alternate"]["https"]["href"])
        assert src.driver == "JP2OpenJPEG" and src.crs.to_epsg() == sc.EPSG and src.res == (resolution, resolution)
        assert src.nodata is None  # as ESA ships them: the item states the nodata
        np.testing.assert_array_equal(data, scene.cdse_stored(key, date), err_msg=key)
        if resolution == sc.band_resolution(band):  # the same DN as the Planetary Computer file
            pc, _ = _read(sample_catalog / "data" / "pc" / "31TCJ" / date.isoformat() / f"{band}.tif")
            np.testing.assert_array_equal(data, pc, err_msg=key)
    # the documented aggregation rules, recomputed from the 10 m / 20 m truth
    observed = scene.observed("B04", date)[:256, :256].astype(float)
    mean20 = np.rint(observed.reshape(128, 2, 128, 2).mean(axis=(1, 3)))
    mean60 = np.rint(observed[:252, :252].reshape(42, 6, 42, 6).mean(axis=(1, 3)))
    add = 1000 if offset else 0
    np.testing.assert_array_equal(scene.cdse_stored("B04_20m", date), np.clip(mean20 + add, 1, 65535))
    np.testing.assert_array_equal(scene.cdse_stored("B04_60m", date), np.clip(mean60 + add, 1, 65535))
    np.testing.assert_array_equal(scene.cdse_stored("SCL_60m", date), scene.scl(date)[:128, :128][1::3, 1::3][:42, :42])


# ---- Landsat --------------------------------------------------------------------------------


def test_landsat_items_follow_the_collection_2_conventions(sample_catalog, scene):
    items = _items(sample_catalog, sc.LANDSAT_COLLECTION)
    assert [_date(i) for i in items] == scene.landsat_dates()
    for item in items:
        props = item["properties"]
        date = _date(item)
        sensor = {"landsat-8": "LC08", "landsat-9": "LC09"}[props["platform"]]
        assert re.fullmatch(rf"{sensor}_L2SP_197030_{date:%Y%m%d}_\d{{8}}_02_T1", item["id"])
        assert props["platform"] == "landsat-8" or date >= sc.LANDSAT_9_FROM
        assert props["instruments"] == ["oli", "tirs"] and props["landsat:correction"] == "L2SP"
        assert (props["landsat:wrs_path"], props["landsat:wrs_row"]) == ("197", "030")
        assert props["proj:epsg"] == 32631 and props["proj:shape"] == [149, 149]
        assert props["proj:transform"] == [30, 0, 300000, 0, -30, 4810230]
        assert 0 <= props["eo:cloud_cover"] <= 100
        assert set(item["assets"]) == {"blue", "green", "red", "nir08", "swir16", "swir22", "qa_pixel"}
        for key, asset in item["assets"].items():
            assert asset["href"].startswith("data/landsat/") and (sample_catalog / asset["href"]).is_file()
            (raster,) = asset["raster:bands"]
            assert raster["data_type"] == "uint16" and raster["spatial_resolution"] == 30
            if key == "qa_pixel":
                assert raster["nodata"] == 1 and "scale" not in raster and "eo:bands" not in asset
                fields = {f["name"]: (f["offset"], f["length"]) for f in asset["classification:bitfields"]}
                assert fields["fill"] == (0, 1) and fields["dilated_cloud"] == (1, 1) and fields["cirrus"] == (2, 1)
                assert fields["cloud"] == (3, 1) and fields["cloud_shadow"] == (4, 1) and fields["snow"] == (5, 1)
                assert fields["clear"] == (6, 1) and fields["water"] == (7, 1) and fields["cloud_confidence"] == (8, 2)
            else:
                assert (raster["nodata"], raster["scale"], raster["offset"]) == (0, 2.75e-05, -0.2)
                assert asset["eo:bands"][0]["common_name"] == key
    assert {i["properties"]["platform"] for i in items} == {"landsat-8", "landsat-9"}


@pytest.mark.parametrize("index", [1, 4])  # a cloudy summer date, the snow date (after the baseline change)
def test_landsat_dn_decode_to_the_truth_reflectance(sample_catalog, scene, index):
    date = scene.landsat_dates()[index]
    item = _by_date(_items(sample_catalog, sc.LANDSAT_COLLECTION), date)
    valid = scene.landsat_valid()
    assert not valid[0, 0] and valid[-1, -1] and 0 < (~valid).sum() < 400
    for key, asset in item["assets"].items():
        if key == "qa_pixel":
            continue
        data, src = _read(sample_catalog / asset["href"])
        assert src.crs.to_epsg() == sc.EPSG and src.res == (30, 30) and src.nodata == 0
        assert tuple(src.transform)[:6] == (30, 0, 300000, 0, -30, 4810230)
        raster = asset["raster:bands"][0]
        truth = scene.landsat_reflectance(key, date)
        decoded = data * raster["scale"] + raster["offset"]
        assert np.all(data[~valid] == 0) and np.all(data[valid] > 0)
        assert np.abs(decoded - truth)[valid].max() <= 2.75e-05
        np.testing.assert_array_equal(data, scene.landsat_stored(key, date))
    # the documented rule: the mean of the nine 10 m cells (red: B04; nir08: B8A, 20 m repeated onto 10 m)
    red = scene.observed("B04", date)[1:448, 0:447].reshape(149, 3, 149, 3).mean(axis=(1, 3)) / 10000
    np.testing.assert_allclose(scene.landsat_reflectance("red", date), red)
    b8a = np.repeat(np.repeat(scene.observed("B8A", date), 2, axis=0), 2, axis=1)
    assert scene.landsat_reflectance("nir08", date)[10, 20] == pytest.approx(b8a[31:34, 60:63].mean() / 10000)


def _expected_qa(scl10, row, col, cloud_near):
    """qa_pixel of one 30 m pixel from its nine 10 m SCL cells, written out bit by bit."""
    cells = scl10[1 + 3 * row: 4 + 3 * row, 3 * col: 3 * col + 3].ravel().tolist()
    cloud = any(c in (8, 9) for c in cells)
    dilated = not cloud and cloud_near
    value = (1 << 8) | (1 << 10) | (1 << 12) | (1 << 14)
    if cloud:
        value |= (1 << 3) | (3 << 8)
    if any(c == 10 for c in cells):
        value |= (1 << 2) | (3 << 14)
    if any(c == 3 for c in cells):
        value |= (1 << 4) | (3 << 10)
    if any(c == 11 for c in cells):
        value |= (1 << 5) | (3 << 12)
    if dilated:
        value |= 1 << 1
    if not (cloud or dilated):
        value |= 1 << 6
    if not cloud and sum(c == 6 for c in cells) >= 5:
        value |= 1 << 7
    return value


def test_qa_pixel_bits_follow_the_scl(sample_catalog, scene):
    seen = set()
    rng = np.random.default_rng(0)
    for item in _items(sample_catalog, sc.LANDSAT_COLLECTION):
        date = _date(item)
        qa, src = _read(sample_catalog / item["assets"]["qa_pixel"]["href"])
        assert qa.dtype == np.uint16 and src.nodata == 1
        np.testing.assert_array_equal(qa, scene.landsat_qa(date))
        seen |= set(np.unique(qa).tolist())
        valid = scene.landsat_valid()
        assert np.all(qa[~valid] == 1)
        scl10 = np.repeat(np.repeat(scene.scl(date), 2, axis=0), 2, axis=1)
        cloud = (qa & (1 << 3)) != 0
        for row, col in rng.integers(0, 149, size=(150, 2)):
            if not valid[row, col]:
                continue
            near = cloud[max(row - 1, 0): row + 2, max(col - 1, 0): col + 2].any()
            assert qa[row, col] == _expected_qa(scl10, row, col, near), (date, row, col)
        cloudy = (qa & ((1 << 3) | (1 << 2))) != 0
        assert item["properties"]["eo:cloud_cover"] == pytest.approx(100 * cloudy[valid].mean(), abs=0.01)
    # the values USGS documents: fill, clear land/water, cloud, dilated cloud, shadow, snow, cirrus
    assert {1, 21824, 21952, 22280, 21762, 23888, 30048, 54596} <= seen
    assert (sc.QA_CLEAR_LAND, sc.QA_CLOUD_HIGH, sc.QA_SHADOW_HIGH, sc.QA_SNOW_HIGH) == (21824, 22280, 23888, 30048)


# ---- through the loopback STAC API ------------------------------------------------------------


def test_search_finds_the_new_collections(stac_api, sample_catalog, scene, area_lonlat):
    from sitscube.engine.stac_search import SearchRequest, search

    start, end = dt.date(2021, 1, 1), dt.date(2023, 12, 31)
    cdse = search(SearchRequest(stac_api.url, [sc.CDSE_COLLECTION], area_lonlat, start, end))["features"]
    landsat = search(SearchRequest(stac_api.url, [sc.LANDSAT_COLLECTION], area_lonlat, start, end))["features"]
    assert len(cdse) == len(scene.dates) and len(landsat) == len(scene.landsat_dates())
    winter = search(SearchRequest(stac_api.url, [sc.LANDSAT_COLLECTION], area_lonlat,
                                  dt.date(2022, 1, 1), dt.date(2022, 3, 1)))["features"]
    assert [f["properties"]["datetime"][:10] for f in winter] == ["2022-01-28"]
    # CDSE: the s3:// href stays, the https alternate is served; Landsat hrefs are served
    asset = cdse[0]["assets"]["B04_10m"]
    assert asset["href"].startswith("s3://eodata/")
    https = asset["alternate"]["https"]["href"]
    assert https.startswith(stac_api.cog_url)
    with rasterio.open(f"/vsicurl/{https}") as src:
        data = src.read(1)
    np.testing.assert_array_equal(data, scene.cdse_stored("B04_10m", _date(cdse[0])))
    red = landsat[0]["assets"]["red"]["href"]
    assert red.startswith(stac_api.cog_url)
    with rasterio.open(f"/vsicurl/{red}") as src:
        np.testing.assert_array_equal(src.read(1), scene.landsat_stored("red", _date(landsat[0])))


# ---- loading them: the same truth through every convention -------------------------------------


def _search(stac_api, area_lonlat, collection):
    from sitscube.engine.stac_search import SearchRequest, search

    return search(SearchRequest(stac_api.url, [collection], area_lonlat, dt.date(2021, 1, 1), dt.date(2023, 12, 31)))["features"]


def test_cdse_cube_harmonized_equals_the_planetary_computer_one(stac_api, area_lonlat, scene):
    """CDSE's B04_10m / SCL_20m through the https alternates: the same harmonized DN as the PC truth."""
    from sitscube.engine.cube_load import CubeRequest, load_cube
    from sitscube.engine.harmonize import harmonize

    items = _search(stac_api, area_lonlat, sc.CDSE_COLLECTION)
    box = (300000.0, 4808960.0, 301280.0, 4810240.0)  # 128 x 128 at 10 m, inside 31TCJ
    from odc.geo import geom

    cube = load_cube(CubeRequest(items=items, bands=["red", "scl"], resolution=10,
                                 aoi=geom.box(*box, crs="EPSG:32631"), aoi_lonlat=_lonlat(box)))
    assert list(cube.data_vars) == ["B04", "SCL"] and cube["B04"].attrs["asset_key"] == "B04_10m"
    assert cube["B04"].dtype == np.uint16 and cube.odc.crs.epsg == 32631
    harmonized, corrected = harmonize(cube)
    assert corrected == [d.isoformat() for d in scene.dates if sc.has_offset(sc.processing_baseline(d))]
    rows, cols = slice(0, 128), slice(0, 128)  # the box is the top-left of the global 10 m grid
    for index in (0, 5, 12, 27):
        date = scene.dates[index]
        np.testing.assert_array_equal(harmonized["B04"].isel(time=index).values, scene.stored("B04", date, False)[rows, cols])
        np.testing.assert_array_equal(harmonized["SCL"].isel(time=index).values, np.repeat(np.repeat(
            scene.stored("SCL", date, False)[:64, :64], 2, axis=0), 2, axis=1))


def test_landsat_cube_and_qa_mask_equal_the_truth(stac_api, area_lonlat, scene):
    from sitscube.engine.cloudmask import cloud_mask
    from sitscube.engine.cube_load import CubeRequest, load_cube

    items = _search(stac_api, area_lonlat, sc.LANDSAT_COLLECTION)
    x0, y0 = sc.LANDSAT_ORIGIN
    box = (x0 + 30 * 20, y0 - 30 * 60, x0 + 30 * 60, y0 - 30 * 20)  # rows and columns 20-59 of the scene
    from odc.geo import geom

    cube = load_cube(CubeRequest(items=items, bands=["red", "nir", "qa_pixel"], resolution=30,
                                 aoi=geom.box(*box, crs="EPSG:32631"), aoi_lonlat=_lonlat(box)))
    assert list(cube.data_vars) == ["red", "nir08", "qa_pixel"]
    assert cube.odc.geobox.affine[2] == box[0] and cube.odc.geobox.affine[5] == box[3]  # on the scene's own pixels
    masked, _ = cloud_mask(cube, "SCL")  # no SCL: qa_pixel bits
    window = (slice(20, 60), slice(20, 60))
    for index, date in enumerate(scene.landsat_dates()):
        stored = scene.landsat_stored("red", date)[window]
        qa = scene.landsat_qa(date)[window]
        np.testing.assert_array_equal(cube["red"].isel(time=index).values, stored)
        np.testing.assert_array_equal(cube["qa_pixel"].isel(time=index).values, qa)
        bad = (qa & 0b11111) != 0
        np.testing.assert_array_equal(masked["red"].isel(time=index).values, np.where(bad, 0, stored))


def _lonlat(box):
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(32631, 4326, always_xy=True)
    xs, ys = to_lonlat.transform([box[0], box[2], box[0], box[2]], [box[1], box[1], box[3], box[3]])
    return (min(xs), min(ys), max(xs), max(ys))
