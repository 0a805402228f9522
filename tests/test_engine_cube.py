"""Cube loading over HTTP from the real STAC API, checked against the truth."""

import datetime as dt
import os

import numpy as np
import pytest

from conftest import AREA_UTM
from sitscube.engine import sample_catalog as sc
from sitscube.engine.cube_io import history, open_cube, write_cube
from sitscube.engine.cube_load import CubeRequest, load_cube
from sitscube.engine.errors import Canceled, UserError
from sitscube.engine.progress import Progress
from sitscube.engine.stac_search import SearchRequest, search


@pytest.fixture(scope="module")
def pc_items(stac_api, area_lonlat):
    request = SearchRequest(stac_api.url, [sc.PC_COLLECTION], area_lonlat, dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    return search(request)["features"]


@pytest.fixture(scope="module")
def es_items(stac_api, area_lonlat):
    request = SearchRequest(stac_api.url, [sc.ES_COLLECTION], area_lonlat, dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    return search(request)["features"]


def _whole_area():
    from odc.geo import geom

    return geom.box(*AREA_UTM, crs="EPSG:32631")


@pytest.fixture(scope="module")
def cube_path(pc_items, tmp_path_factory):
    request = CubeRequest(pc_items, ["red", "nir", "swir16", "scl"], 10, "EPSG:32631", aoi=_whole_area(), aoi_lonlat=(0, 0, 1, 1), chunk_size=256)
    path = str(tmp_path_factory.mktemp("cube") / "cube.nc")
    write_cube(load_cube(request), path)
    return path


def _expected(scene, band, date):
    offset = band != "SCL" and sc.has_offset(sc.processing_baseline(date))
    value = scene.stored(band, date, offset)
    if sc.band_resolution(band) == 20:
        value = np.repeat(np.repeat(value, 2, axis=0), 2, axis=1)
    return value


def test_cube_equals_the_truth_over_http(cube_path, scene):
    cube = open_cube(cube_path)
    assert list(cube.data_vars) == ["B04", "B08", "B11", "SCL"]  # named by asset key
    assert cube.sizes == {"time": len(scene.dates), "y": 448, "x": 448}
    assert [str(t)[:10] for t in cube.time.values] == [d.isoformat() for d in scene.dates]
    assert cube.B04.dtype == np.uint16 and cube.SCL.dtype == np.uint8
    assert cube.B04.attrs["nodata"] == 0
    for index in (0, 9, 13, 20):
        date = scene.dates[index]
        for band in ("B04", "B08", "B11", "SCL"):
            np.testing.assert_array_equal(cube[band].isel(time=index).values, _expected(scene, band, date), err_msg=f"{band} {date}")


def test_cube_grid_and_crs(cube_path):
    from osgeo import gdal

    dataset = gdal.Open(f'NETCDF:"{cube_path}":B04')
    assert dataset.GetGeoTransform() == (300000.0, 10.0, 0.0, 4810240.0, 0.0, -10.0)
    assert "UTM zone 31N" in dataset.GetProjection()
    assert dataset.RasterCount == 28 and dataset.GetRasterBand(1).GetNoDataValue() == 0


def test_per_date_metadata_and_provenance(cube_path, scene, pc_items):
    cube = open_cube(cube_path)
    assert list(cube.processing_baseline.values) == [sc.processing_baseline(d) for d in scene.dates]
    ids = cube.item_ids.values[0].split(",")
    assert len(ids) == 3 and all(i in {item["id"] for item in pc_items} for i in ids)
    assert set(cube.platform.values) == {"Sentinel-2A", "Sentinel-2B"}
    assert cube.cloud_cover.dtype == np.float64
    assert history(cube) == []  # the engine writes what it is given; algorithms add steps


def test_earth_search_common_names_and_offset_flag(es_items, scene, tmp_path):
    from odc.geo import geom

    tile = geom.box(300000, 4807680, 302560, 4810240, crs="EPSG:32631")
    cube = load_cube(CubeRequest(es_items, ["red", "scl"], 10, None, aoi=tile, aoi_lonlat=(0.5, 43.4, 0.6, 43.5)))
    assert list(cube.data_vars) == ["red", "scl"]
    assert cube.odc.crs.epsg == 32631  # UTM zone of the area by default
    new = [i for i, d in enumerate(scene.dates) if d > sc.BASELINE_DATE][0]
    old = [i for i, d in enumerate(scene.dates) if sc.processing_baseline(d) == "03.00"][0]
    assert cube.boa_offset_applied.values[new] == 1 and cube.boa_offset_applied.values[old] == 0
    assert cube.boa_offset_applied.values[0] == 1  # reprocessed to 05.00: corrected too
    expected = scene.stored("B04", scene.dates[new], False)[scene.window("31TCJ", 10)]
    np.testing.assert_array_equal(cube.red.isel(time=new).values, expected)


def test_zarr_cube_equals_netcdf_cube(cube_path, tmp_path):
    cube = open_cube(cube_path)
    zarr_path = write_cube(cube, str(tmp_path / "cube.zarr"))
    again = open_cube(zarr_path)
    for band in cube.data_vars:
        np.testing.assert_array_equal(again[band].values, cube[band].values)
    np.testing.assert_array_equal(again.processing_baseline.values, cube.processing_baseline.values)


def test_reprojected_cube_in_another_crs(pc_items):
    from odc.geo import geom

    aoi = geom.box(300500, 4808000, 301500, 4809000, crs="EPSG:32631")
    cube = load_cube(CubeRequest(pc_items, ["red"], 20, "EPSG:3857", aoi=aoi, aoi_lonlat=(0, 0, 1, 1)))
    assert cube.odc.crs.epsg == 3857
    assert cube.odc.geobox.resolution.x == 20


def test_unknown_band_lists_the_available_ones(pc_items):
    with pytest.raises(UserError, match=r"Unknown band\(s\): cirrus.*B04 \(red\)"):
        load_cube(CubeRequest(pc_items, ["red", "cirrus"], 10, "EPSG:32631"))


def test_geographic_crs_with_metres_is_refused(pc_items):
    with pytest.raises(UserError, match="projected CRS"):
        load_cube(CubeRequest(pc_items, ["red"], 10, "EPSG:4326"))


def test_area_outside_the_items_is_refused(pc_items):
    with pytest.raises(UserError, match="No item overlaps"):
        load_cube(CubeRequest(pc_items, ["red"], 10, None, aoi_lonlat=(10.0, 50.0, 10.1, 50.1)))


def test_empty_item_collection_is_refused():
    with pytest.raises(UserError, match="empty"):
        load_cube(CubeRequest([], ["red"], 10))


def test_cancel_during_write_leaves_nothing(pc_items, tmp_path):
    calls = []

    def cancel_after_a_few():
        calls.append(1)
        return len(calls) > 3

    cube = load_cube(CubeRequest(pc_items, ["red", "nir"], 10, "EPSG:32631", aoi=_whole_area(), aoi_lonlat=(0, 0, 1, 1), chunk_size=128))
    target = tmp_path / "cube.nc"
    with pytest.raises(Canceled):
        write_cube(cube, str(target), Progress(is_canceled=cancel_after_a_few))
    assert os.listdir(tmp_path) == []


def test_failed_write_keeps_the_users_file(pc_items, tmp_path):
    target = tmp_path / "cube.nc"
    target.write_bytes(b"the user's previous result")
    cube = load_cube(CubeRequest(pc_items, ["red"], 10, "EPSG:32631", aoi=_whole_area(), aoi_lonlat=(0, 0, 1, 1)))
    with pytest.raises(Canceled):
        write_cube(cube, str(target), Progress(is_canceled=lambda: True))
    assert target.read_bytes() == b"the user's previous result"
    assert os.listdir(tmp_path) == ["cube.nc"]


def _repeats(data) -> bool:
    return any("_repeat" in str(key) for key in dict(data.__dask_graph__()))


def test_coarser_bands_are_read_on_their_own_grid_and_repeated(pc_items):
    """SCL and B11 (20 m) at 10 m: read on their 20 m grid and repeated 2 × 2, the values warping gives."""
    request = dict(items=pc_items, bands=["red", "swir16", "scl"], resolution=10, crs="EPSG:32631",
                   aoi=_whole_area(), aoi_lonlat=(0, 0, 1, 1), chunk_size=128)
    native = load_cube(CubeRequest(**request))
    warped = load_cube(CubeRequest(**request, native_grid_reads=False))
    assert list(native.data_vars) == ["B04", "B11", "SCL"]
    assert [_repeats(native[b].data) for b in native.data_vars] == [False, True, True]
    assert not any(_repeats(warped[b].data) for b in warped.data_vars)
    for band in native.data_vars:
        assert native[band].chunks == warped[band].chunks
        assert native[band].attrs == warped[band].attrs
        np.testing.assert_array_equal(native[band].values, warped[band].values, err_msg=band)


def test_a_grid_off_the_coarser_pixels_is_warped(pc_items, scene):
    from odc.geo import geom

    x0, y0, x1, y1 = AREA_UTM
    shifted = geom.box(x0 + 10, y0, x1 + 10, y1, crs="EPSG:32631")  # half a 20 m pixel
    cube = load_cube(CubeRequest(pc_items, ["red", "scl"], 10, "EPSG:32631", aoi=shifted, aoi_lonlat=(0, 0, 1, 1)))
    assert not _repeats(cube["SCL"].data)
    date = scene.dates[0]
    np.testing.assert_array_equal(cube["SCL"].isel(time=0).values[:, :-1], _expected(scene, "SCL", date)[:, 1:])


def test_integer_factor_only_for_exactly_nested_grids():
    from affine import Affine
    from odc.geo.geobox import GeoBox

    from sitscube.engine.native_grid import integer_factor

    cube = GeoBox((100, 100), Affine(10, 0, 300000, 0, -10, 4810000), "EPSG:32631")

    def band(size, x=300000, y=4810000, crs="EPSG:32631"):
        return GeoBox((10, 10), Affine(size, 0, x, 0, -size, y), crs)

    assert integer_factor([band(20), band(20, x=299960)], cube) == 2
    assert integer_factor([band(60, x=300060, y=4810120)], cube) == 6
    assert integer_factor([band(10)], cube) is None  # same pixels: nothing to repeat
    assert integer_factor([band(15)], cube) is None
    assert integer_factor([band(20, x=300010)], cube) is None  # off the cube's pixel corners
    assert integer_factor([band(20), band(60)], cube) is None  # one factor for all items
    assert integer_factor([band(20, crs="EPSG:32630")], cube) is None
    assert integer_factor([], cube) is None


def _reads_directly(data) -> bool:
    return any(str(name).startswith("sitscube-read-") for name in data.dask.layers)


@pytest.mark.parametrize("collection, shift_m", [("pc", 0), ("pc", 30), ("es", 0)])
def test_bands_on_the_cube_grid_are_read_directly_with_odc_stacs_values(pc_items, es_items, collection, shift_m):
    """Assets on the cube's pixel grid are read with GDAL (engine/direct_reads.py): the values, chunks and
    attributes odc-stac's own reads give, three fused tiles per date, chunks cut across the files' tiles."""
    from odc.geo import geom

    x0, y0, x1, y1 = AREA_UTM
    aoi = geom.box(x0 + shift_m, y0 + 2 * shift_m, x1 - 3 * shift_m, y1 - shift_m, crs="EPSG:32631")
    items = pc_items if collection == "pc" else es_items
    request = dict(items=items, bands=["red", "nir", "scl"], resolution=10, crs="EPSG:32631", aoi=aoi,
                   aoi_lonlat=(0, 0, 1, 1), chunk_size=96)
    direct = load_cube(CubeRequest(**request))
    odc_reads = load_cube(CubeRequest(**request, direct_reads=False))
    # SCL (20 m) is on the cube's grid only read at 20 m: 30 m off its pixel corners it is warped
    assert [_reads_directly(direct[b].data) for b in direct.data_vars] == [True, True, shift_m == 0]
    assert not any(_reads_directly(odc_reads[b].data) for b in odc_reads.data_vars)
    assert "debug" not in direct.encoding and "debug" not in odc_reads.encoding
    for band in direct.data_vars:
        assert direct[band].chunks == odc_reads[band].chunks and direct[band].dtype == odc_reads[band].dtype
        assert direct[band].attrs == odc_reads[band].attrs
        values = direct[band].values
        np.testing.assert_array_equal(values, odc_reads[band].values, err_msg=band)
        assert (values != 0).mean() > 0.25  # data, not two empty cubes compared (Earth Search covers a part)


def test_another_pixel_size_is_left_to_odc_stac(pc_items):
    cube = load_cube(CubeRequest(pc_items, ["red", "nir"], 20, "EPSG:32631", aoi=_whole_area(), aoi_lonlat=(0, 0, 1, 1)))
    assert not any(_reads_directly(cube[b].data) for b in cube.data_vars)
    assert cube.sizes == {"time": cube.sizes["time"], "y": 224, "x": 224}


def _geotiff(path, values, x0, y0, nodata=0):
    from osgeo import gdal, osr

    height, width = values.shape
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), width, height, 1, gdal.GDT_UInt16)
    dataset.SetGeoTransform((x0, 10.0, 0.0, y0, 0.0, -10.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32631)
    dataset.SetProjection(srs.ExportToWkt())
    band = dataset.GetRasterBand(1)
    band.SetNoDataValue(nodata)
    band.WriteArray(values)
    dataset = None
    return str(path)


def test_direct_reads_fuse_first_valid_and_name_a_changed_file(tmp_path):
    """read_block on two real GeoTIFFs: the first item's pixels win, the second fills its nodata and the
    part it does not cover, pixels neither covers stay nodata; a file whose grid moved fails naming it."""
    from affine import Affine
    from odc.geo.geobox import GeoBox
    from osgeo import gdal

    from sitscube.engine.direct_reads import grid_facts, pixel_offset, read_block

    first = np.arange(1, 25, dtype=np.uint16).reshape(4, 6)
    first[0, 0] = first[1, 2] = 0  # nodata holes
    second = np.arange(101, 125, dtype=np.uint16).reshape(4, 6)
    second[1, 2] = 0  # a hole in both
    a = _geotiff(tmp_path / "a.tif", first, 300000, 4810000)
    b = _geotiff(tmp_path / "b.tif", second, 300020, 4809990)  # 2 columns right, 1 row down
    cube = GeoBox((6, 10), Affine(10, 0, 300000, 0, -10, 4810000), "EPSG:32631")
    sources = []
    for path in (a, b):
        grid = grid_facts(gdal.Open(path))
        column, row = pixel_offset(grid, cube)
        sources.append((path, path, "item", column, row, *grid["size"], grid["transform"]))
    assert [s[3:5] for s in sources] == [(0, 0), (2, 1)]

    block = read_block(sources, (0, 0, 6, 10), 1, "uint16", 0, {})[0]
    expected = np.zeros((6, 10), np.uint16)
    expected[1:5, 2:8] = second
    covered = first != 0
    expected[:4, :6][covered] = first[covered]
    np.testing.assert_array_equal(block, expected)
    assert block[0, 1] == 2 and block[2, 4] == first[2, 4]  # the first wins where it has data
    assert block[1, 2] == second[0, 0]  # its hole filled by the second
    assert block[0, 0] == 0 and block[5, 9] == 0  # neither has data there
    assert block[2, 7] == second[1, 5]  # beyond the first file

    window = read_block(sources, (3, 4, 3, 6), 1, "uint16", 0, {})[0]  # a chunk inside, cut across both files
    np.testing.assert_array_equal(window, block[3:6, 4:10])
    inside = read_block(sources, (1, 2, 3, 4), 1, "uint16", 0, {})[0]  # the first file covers it all: read in place
    np.testing.assert_array_equal(inside, block[1:4, 2:6])
    assert inside[0, 0] == second[0, 0]  # the first's hole still filled by the second
    alone = read_block(sources[:1], (0, 0, 4, 6), 1, "uint16", 0, {})[0]
    np.testing.assert_array_equal(alone, first)

    moved = sources[1][:-1] + ((300030.0, 10.0, 0.0, 4809990.0, 0.0, -10.0),)
    with pytest.raises(RuntimeError, match="b.tif failed: its grid changed"):
        read_block([sources[0], moved], (0, 0, 6, 10), 1, "uint16", 0, {})


def test_pixel_offset_only_for_the_cubes_own_grid():
    from affine import Affine
    from odc.geo.geobox import GeoBox

    from sitscube.engine.direct_reads import pixel_offset

    cube = GeoBox((100, 100), Affine(10, 0, 300000, 0, -10, 4810000), "EPSG:32631")

    def grid(x=299960.0, y=4810030.0, size=10.0, epsg=32631):
        return {"epsg": epsg, "transform": (x, size, 0.0, y, 0.0, -size), "size": (10, 10)}

    assert pixel_offset(grid(), cube) == (-4, -3)
    assert pixel_offset(grid(x=300005.0), cube) is None  # half a pixel off
    assert pixel_offset(grid(size=20.0), cube) is None  # another pixel size (native_grid's case)
    assert pixel_offset(grid(epsg=32630), cube) is None
    assert pixel_offset(grid(epsg=None), cube) is None
    assert pixel_offset(None, cube) is None
