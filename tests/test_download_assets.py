"""sitscube:downloadassets and sitscube:quicklooks on the loopback STAC API.

Real parts only: items found by engine.stac_search.search on the `stac_api`
fixture, COGs read over HTTP (Range requests, /vsicurl/) from its file
server, thumbnails served by a RangeHTTPServer of our own. Pixels are
checked against the sample catalog's truth (SampleScene).
"""

import csv
import datetime as dt
import json
import os
import re
from urllib.parse import unquote

import numpy as np
import pytest
from qgis.core import QgsApplication, QgsProcessingException

from qgis_helpers import new_context, run_algorithm
from recording_feedback import RecordingFeedback
from services.stac_api import RangeHTTPServer
from sitscube.engine import sample_catalog as sc
from sitscube.engine.stac_search import SearchRequest, search, write_item_collection

DATE = dt.date(2022, 3, 19)  # baseline 04.00: stored with the +1000 offset
OTHER_DATE = dt.date(2022, 4, 13)  # the next acquisition
# Not on pixel edges: the pixels it touches are cols 50-150, rows 24-124 of 31TCJ at 10 m
AOI_ALL_TILES = "300505,302995,4807505,4809995 [EPSG:32631]"
AOI_TDJ_EDGE = "303000,304480,4807680,4809000 [EPSG:32631]"  # only 31TDJ, across the swath edge (nodata)
AOI_OUTSIDE = "310000,311000,4790000,4791000 [EPSG:32631]"


def _tile(item):
    return item["properties"]["s2:mgrs_tile"]


@pytest.fixture(scope="module")
def items(stac_api, area_lonlat):
    """The three tiles of DATE and of OTHER_DATE, Planetary Computer layout, hrefs over HTTP."""
    request = SearchRequest(stac_api.url, [sc.PC_COLLECTION], area_lonlat, DATE, OTHER_DATE)
    features = search(request)["features"]
    assert len(features) == 6 and all(f["assets"]["B04"]["href"].startswith("http://") for f in features)
    return features


def _write(features, path):
    write_item_collection({"type": "FeatureCollection", "features": features}, str(path))
    return str(path)


def _of_date(features, date=DATE):
    return [f for f in features if f["properties"]["datetime"].startswith(date.isoformat())]


def _run(name, parameters, feedback=None):
    return run_algorithm(name, parameters, feedback or RecordingFeedback())


def _files(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, names in os.walk(folder) for f in names)


def _truth(scene, band, tile, date):
    """The tile's own COG as the catalog stores it (global truth, tile coverage applied)."""
    resolution = sc.band_resolution(band)
    offset = sc.has_offset(sc.processing_baseline(date)) and band != sc.SCL_KEY
    stored = scene.stored(band, date, offset)[scene.window(tile, resolution)]
    return np.where(scene.coverage(tile, resolution), stored, 0)


def _read(path):
    from osgeo import gdal, osr

    dataset = gdal.Open(path)
    band = dataset.GetRasterBand(1)
    srs = osr.SpatialReference(dataset.GetProjection())
    return {
        "array": band.ReadAsArray(), "transform": dataset.GetGeoTransform(), "nodata": band.GetNoDataValue(),
        "epsg": srs.GetAuthorityCode(None), "dtype": gdal.GetDataTypeName(band.DataType),
        "driver_layout": dataset.GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"),
        "compression": dataset.GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"),
    }


# ------------------------------------------------------------------ downloadassets


def test_clipped_assets_are_the_source_pixels_on_their_own_grid(sitscube_provider, items, scene, tmp_path):
    features = _of_date(items)
    out = tmp_path / "assets"
    feedback = RecordingFeedback()
    result = _run("sitscube:downloadassets",
                  {"ITEMS": _write(features, tmp_path / "items.geojson"), "BANDS": "red,scl",
                   "AOI": AOI_ALL_TILES, "OUTPUT_FOLDER": str(out)}, feedback)
    assert result["OUTPUT_FOLDER"] == str(out)
    expected = sorted(f"{f['id']}/{key}.tif" for f in features for key in ("B04", "SCL")) + ["manifest.csv"]
    assert _files(out) == sorted(expected)  # nothing else: no temporary left
    with open(result["MANIFEST"], newline="") as stream:
        manifest = list(csv.DictReader(stream))
    assert {(r["item_id"], r["asset"]) for r in manifest} == {(f["id"], k) for f in features for k in ("B04", "SCL")}
    assert {r["date"] for r in manifest} == {DATE.isoformat()}

    xmin, xmax, ymin, ymax = 300505, 302995, 4807505, 4809995
    for row in manifest:
        item = next(f for f in features if f["id"] == row["item_id"])
        band, tile = row["asset"], _tile(item)
        resolution = sc.band_resolution(band)
        x0, y0 = sc.TILES[tile]
        # the pixels of the tile's grid the AOI touches
        col0, col1 = max(0, (xmin - x0) // resolution), min(sc.TILE_SIZE // resolution, -(-(xmax - x0) // resolution))
        row0, row1 = max(0, (y0 - ymax) // resolution), min(sc.TILE_SIZE // resolution, -(-(y0 - ymin) // resolution))
        got = _read(row["path"])
        assert row["path"] == str(out / item["id"] / f"{band}.tif")
        assert got["epsg"] == "32631" and row["crs"] == "EPSG:32631"
        assert got["transform"] == (x0 + col0 * resolution, resolution, 0.0, y0 - row0 * resolution, 0.0, -resolution)
        assert got["nodata"] == 0
        assert got["dtype"] == ("Byte" if band == sc.SCL_KEY else "UInt16")
        assert got["compression"] == "DEFLATE"
        assert got["array"].shape == (row1 - row0, col1 - col0) == (int(row["height"]), int(row["width"]))
        np.testing.assert_array_equal(got["array"], _truth(scene, band, tile, DATE)[row0:row1, col0:col1])
    first = next(r for r in manifest if r["asset"] == "B04" and "31TCJ" in r["item_id"])
    assert (int(first["width"]), int(first["height"])) == (206, 232)  # cols 50-256, rows 24-256 of the tile
    assert feedback.percents and feedback.percents[-1] == 100


def test_nodata_kept_and_items_outside_the_aoi_skipped(sitscube_provider, items, scene, tmp_path):
    features = _of_date(items)
    out = tmp_path / "edge"
    feedback = RecordingFeedback()
    context = new_context()
    run_algorithm("sitscube:downloadassets",
                  {"ITEMS": _write(features, tmp_path / "items.geojson"), "BANDS": "B04", "AOI": AOI_TDJ_EDGE,
                   "OUTPUT_FOLDER": str(out), "LOAD": True}, feedback, context)
    tdj = next(f for f in features if _tile(f) == "31TDJ")
    assert list(context.layersToLoadOnCompletion()) == [str(out / tdj["id"] / "B04.tif")]
    assert _files(out) == sorted([f"{tdj['id']}/B04.tif", "manifest.csv"])
    assert any("Skipped 2 asset(s) outside the AOI" in w for w in feedback.warnings)
    got = _read(str(out / tdj["id"] / "B04.tif"))
    truth = _truth(scene, "B04", "31TDJ", DATE)[124:256, 108:256]
    np.testing.assert_array_equal(got["array"], truth)
    assert got["nodata"] == 0 and (got["array"] == 0).any() and (got["array"] > 0).any()


def test_without_aoi_the_whole_asset_is_copied(sitscube_provider, items, sample_catalog, tmp_path):
    item = _of_date(items)[0]
    out = tmp_path / "whole"
    _run("sitscube:downloadassets",
         {"ITEMS": _write([item], tmp_path / "one.geojson"), "BANDS": "SCL", "OUTPUT_FOLDER": str(out)})
    got = _read(str(out / item["id"] / "SCL.tif"))
    source = _read(str(sample_catalog / item["assets"]["SCL"]["href"].split("/", 3)[3]))
    np.testing.assert_array_equal(got["array"], source["array"])
    assert got["transform"] == source["transform"] and got["array"].shape == (128, 128)
    assert got["driver_layout"] == "COG"


def test_aoi_outside_all_items_is_a_clear_error(sitscube_provider, items, tmp_path):
    out = tmp_path / "outside"
    with pytest.raises(QgsProcessingException, match="AOI is outside all 3 item"):
        _run("sitscube:downloadassets",
             {"ITEMS": _write(_of_date(items), tmp_path / "items.geojson"), "BANDS": "red",
              "AOI": AOI_OUTSIDE, "OUTPUT_FOLDER": str(out)})
    assert not out.exists() or _files(out) == []


def test_unknown_band_and_empty_collection(sitscube_provider, items, tmp_path):
    with pytest.raises(QgsProcessingException, match="Unknown band.*nope"):
        _run("sitscube:downloadassets",
             {"ITEMS": _write(_of_date(items), tmp_path / "items.geojson"), "BANDS": "red,nope",
              "OUTPUT_FOLDER": str(tmp_path / "a")})
    from sitscube.engine.download import DownloadRequest, download_assets
    from sitscube.engine.errors import UserError

    with pytest.raises(UserError, match="empty"):
        download_assets(DownloadRequest(items=[], bands=["red"], folder=str(tmp_path / "b")))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_missing_asset_names_item_and_asset_and_writes_nothing(sitscube_provider, items, stac_api, tmp_path):
    features = json.loads(json.dumps(_of_date(items)))
    broken = features[1]
    broken["assets"]["B04"]["href"] = f"{stac_api.cog_url}/data/pc/missing/B04.tif"
    out = tmp_path / "missing"
    out.mkdir()
    (out / "mine.txt").write_text("a file the user already had")
    with pytest.raises(QgsProcessingException) as raised:
        _run("sitscube:downloadassets",
             {"ITEMS": _write(features, tmp_path / "items.geojson"), "BANDS": "red,scl",
              "AOI": AOI_ALL_TILES, "OUTPUT_FOLDER": str(out)})
    message = str(raised.value)
    assert f"item {broken['id']}, asset B04" in message and "Nothing was written" in message
    assert _files(out) == ["mine.txt"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A folder of our own served over HTTP with Range support (its own process)."""
    folder = tmp_path_factory.mktemp("served")
    server = RangeHTTPServer(folder).start()
    yield folder, server.url
    server.stop()


def test_asset_failing_during_the_copy_leaves_no_partial_file(sitscube_provider, items, sample_catalog, served, tmp_path):
    """Its header reads, its tiles do not (a truncated COG): the run fails naming it, nothing is left."""
    folder, url = served
    features = json.loads(json.dumps(_of_date(items)))
    broken = features[2]
    source = sample_catalog / broken["assets"]["B04"]["href"].split("/", 3)[3]
    data = source.read_bytes()
    (folder / "truncated.tif").write_bytes(data[: int(len(data) * 0.6)])
    broken["assets"]["B04"]["href"] = f"{url}/truncated.tif"
    out = tmp_path / "truncated"
    with pytest.raises(QgsProcessingException) as raised:
        _run("sitscube:downloadassets",
             {"ITEMS": _write(features, tmp_path / "items.geojson"), "BANDS": "red", "OUTPUT_FOLDER": str(out)})
    assert f"item {broken['id']}, asset B04" in str(raised.value)
    assert not out.exists() or _files(out) == []


def test_cancel_leaves_no_file(sitscube_provider, items, tmp_path):
    out = tmp_path / "canceled"
    out.mkdir()
    feedback = RecordingFeedback(cancel_at_percent=40)
    with pytest.raises(QgsProcessingException, match="Cancel"):
        _run("sitscube:downloadassets",
             {"ITEMS": _write(items, tmp_path / "items.geojson"), "BANDS": "red,scl",
              "OUTPUT_FOLDER": str(out)}, feedback)
    assert feedback.isCanceled()
    assert os.listdir(out) == []


# ------------------------------------------------------------------ quicklooks


def _png(path, size=(24, 16)):
    from osgeo import gdal

    memory = gdal.GetDriverByName("MEM").Create("", size[0], size[1], 3, gdal.GDT_Byte)
    for band in (1, 2, 3):
        memory.GetRasterBand(band).WriteArray(np.full((size[1], size[0]), 60 * band, np.uint8))
    gdal.GetDriverByName("PNG").CreateCopy(str(path), memory)
    aux = str(path) + ".aux.xml"
    if os.path.exists(aux):
        os.remove(aux)


def test_quick_looks_gallery(sitscube_provider, items, served, tmp_path):
    from osgeo import gdal

    folder, url = served
    _png(folder / "thumb.png")
    features = json.loads(json.dumps(items[:4]))
    with_thumbnail, failing, rendered, bare = features
    with_thumbnail["assets"]["thumbnail"] = {"href": f"{url}/thumb.png", "type": "image/png", "roles": ["thumbnail"]}
    failing["assets"]["overview"] = {"href": f"{url}/gone.png", "type": "image/png", "roles": ["thumbnail"]}
    bare["assets"] = {"SCL": bare["assets"]["SCL"]}  # no thumbnail, nothing to render from
    html_path = tmp_path / "looks.html"
    feedback = RecordingFeedback()
    algorithm = QgsApplication.processingRegistry().algorithmById("sitscube:quicklooks")
    assert algorithm.outputDefinition("OUTPUT_HTML").type() == "outputHtml"
    result = _run("sitscube:quicklooks", {"ITEMS": _write(features, tmp_path / "items.geojson"),
                                          "OUTPUT_HTML": str(html_path)}, feedback)
    assert result["OUTPUT_HTML"] == str(html_path)
    text = html_path.read_text(encoding="utf-8")
    for feature in features:
        assert f'data-item="{feature["id"]}"' in text
    sources = [unquote(s) for s in re.findall(r'<img src="([^"]+)"', text)]
    assert len(sources) == 2
    for source in sources:
        assert not os.path.isabs(source) and source.startswith("looks_files/")
        assert (tmp_path / source).is_file()
    cards = dict(re.findall(r'data-item="([^"]+)" data-source="([^"]+)"', text))
    assert cards == {with_thumbnail["id"]: "thumbnail", failing["id"]: "error", rendered["id"]: "rendered", bare["id"]: "none"}
    assert "HTTP 404" in text and "No thumbnail" in text
    assert any(failing["id"] in w for w in feedback.warnings)
    thumbnail = next(s for s in sources if "001_" in s)
    assert (tmp_path / thumbnail).read_bytes() == (folder / "thumb.png").read_bytes()
    preview = gdal.Open(str(tmp_path / next(s for s in sources if "003_" in s)))
    assert preview.GetDriver().ShortName == "PNG"
    assert (preview.RasterXSize, preview.RasterYSize, preview.RasterCount) == (256, 256, 4)
    rgb = preview.ReadAsArray()
    assert rgb[:3].std() > 10 and rgb[3].max() == 255  # stretched, with opaque pixels
    assert sorted(os.listdir(tmp_path)) == ["items.geojson", "looks.html", "looks_files"]
    for date_text in {f["properties"]["datetime"][:10] for f in features}:
        assert date_text in text

    # MAX_ITEMS: the first items only; a second run replaces the page and its folder
    _run("sitscube:quicklooks", {"ITEMS": str(tmp_path / "items.geojson"), "MAX_ITEMS": 1, "OUTPUT_HTML": str(html_path)})
    text = html_path.read_text(encoding="utf-8")
    assert text.count('class="card"') == 1 and "1 item(s) of 4" in text
    assert os.listdir(tmp_path / "looks_files") == [os.path.basename(thumbnail)]


def test_rendered_preview_is_downsampled_to_the_size_asked(items, tmp_path):
    from osgeo import gdal

    from sitscube.engine.download import gdal_path
    from sitscube.engine.quicklooks import preview_sources, render_preview

    item = items[0]
    sources = preview_sources(item)
    assert sources == [("B04", 1), ("B03", 1), ("B02", 1)]
    size = render_preview([(gdal_path(item["assets"][k]["href"]), b) for k, b in sources], str(tmp_path / "p.png"), 100)
    assert size == (100, 100)
    png = gdal.Open(str(tmp_path / "p.png"))
    assert (png.RasterXSize, png.RasterYSize) == (100, 100)
    visual = json.loads(json.dumps(item))
    visual["assets"]["visual"] = dict(visual["assets"]["B04"])
    assert preview_sources(visual) == [("visual", 1), ("visual", 2), ("visual", 3)]


def test_aoi_in_lon_lat_is_placed_on_the_asset_grid():
    """An AOI in another CRS: its densified bounding box in the asset's CRS (lon/lat axis order kept)."""
    from osgeo import osr
    from pyproj import Transformer

    from sitscube.engine.download import aoi_in_crs, pixel_window

    utm = osr.SpatialReference()
    utm.ImportFromEPSG(32631)
    to_lonlat = Transformer.from_crs(32631, 4326, always_xy=True)
    west, south = to_lonlat.transform(300505, 4809005)
    east, north = to_lonlat.transform(301495, 4809995)
    box = aoi_in_crs((west, south, east, north), "EPSG:4326", utm.ExportToWkt())
    # the lon/lat box, its edges curved in UTM, inside the box returned, which is at most 50 m larger
    assert box[0] <= 300505 + 1e-6 and box[1] <= 4809005 + 1e-6 and box[2] >= 301495 - 1e-6 and box[3] >= 4809995 - 1e-6
    assert max(300505 - box[0], 4809005 - box[1], box[2] - 301495, box[3] - 4809995) < 50
    col, row, width, height = pixel_window(box, (300000, 10, 0, 4810240, 0, -10), 256, 256)
    assert 45 <= col <= 50 and 19 <= row <= 24 and 100 <= width <= 110 and 100 <= height <= 110
    assert pixel_window((0, 0, 1, 1), (300000, 10, 0, 4810240, 0, -10), 256, 256) is None
