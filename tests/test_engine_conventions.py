"""Catalog conventions, on items exactly as the catalogs publish them (tests/data/real-items).

No QGIS and no server: what the engine reads from each item (baseline, EPSG,
data type, nodata, scale and offset, which asset a band name means, which
href it reads) and the QA-bit cloud mask on small cubes of known values.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sitscube.engine import conventions
from sitscube.engine.bands import cube_names, resolve_bands
from sitscube.engine.cloudmask import cloud_mask, parse_bits
from sitscube.engine.errors import UserError
from sitscube.engine.progress import Progress
from sitscube.engine.reflectance import date_scaling

REAL = Path(__file__).parent / "data" / "real-items"
ROOT = Path(__file__).resolve().parents[1]


def real(name):
    return json.loads((REAL / f"{name}.json").read_text())


@pytest.mark.parametrize("name, baseline", [
    ("pc-sentinel-2-l2a", "05.10"),  # s2:processing_baseline
    ("earth-search-v1-sentinel-2-l2a", "04.00"),
    ("earth-search-v0-sentinel-s2-l2a-cogs", "02.14"),  # only in sentinel:product_id (…_N0214_…)
    ("cdse-sentinel-2-l2a", "05.11"),  # processing:version
    ("pc-landsat-c2-l2", None),
    ("usgs-landsat-c2l2-sr", None),
])
def test_processing_baseline_from_every_convention(name, baseline):
    assert conventions.processing_baseline(real(name)) == baseline


def test_baseline_from_the_product_name_as_a_last_resort():
    item = {"id": "S2A_MSIL2A_20220301T105021_N0400_R051_T31TCJ_20220301T140251", "properties": {}}
    assert conventions.processing_baseline(item) == "04.00"
    assert conventions.processing_baseline({"id": "x", "properties": {"processing:version": "4"}}) == "04.00"


def test_cdse_item_normalized_to_what_odc_stac_reads():
    import odc.stac
    import pystac

    item = conventions.normalize_item(real("cdse-sentinel-2-l2a"))
    red = item["assets"]["B04_10m"]
    assert red["proj:epsg"] == 32633
    assert red["raster:bands"] == [{"data_type": "uint16", "nodata": 0, "scale": 0.0001, "offset": -0.1, "spatial_resolution": 10}] \
        or red["raster:bands"][0]["scale"] == 0.0001
    assert red["eo:bands"][0]["common_name"] == "red"
    assert real("cdse-sentinel-2-l2a")["assets"]["B04_10m"].get("raster:bands") is None  # the original is untouched
    parsed = odc.stac.parse_item(pystac.Item.from_dict(item))
    band = parsed["B04_10m"]
    assert str(band.geobox.crs) == "EPSG:32633" and band.geobox.resolution.x == 10
    assert parsed.collection.bands[("B04_10m", 1)].data_type == "uint16"
    assert parsed.collection.bands[("B04_10m", 1)].nodata == 0


@pytest.mark.parametrize("resolution, red, scl", [(10, "B04_10m", "SCL_20m"), (20, "B04_20m", "SCL_20m"),
                                                  (30, "B04_20m", "SCL_20m"), (60, "B04_60m", "SCL_60m")])
def test_cdse_asset_fits_the_resolution(resolution, red, scl):
    item = conventions.normalize_item(real("cdse-sentinel-2-l2a"))
    keys = resolve_bands([item], ["red", "scl"], resolution)
    assert keys == [red, scl]
    assert resolve_bands([item], ["B04", "SCL"], resolution) == keys
    assert cube_names(keys) == {red: "B04", scl: "SCL"}
    assert resolve_bands([item], ["B04_60m"], 10) == ["B04_60m"]  # an exact key is taken as asked


@pytest.mark.parametrize("name", ["pc-landsat-c2-l2", "usgs-landsat-c2l2-sr"])
def test_landsat_band_names(name):
    item = conventions.normalize_item(real(name))
    assert resolve_bands([item], ["red", "nir", "swir16", "qa_pixel"], 30) == ["red", "nir08", "swir16", "qa_pixel"]


def test_sentinel2_names_on_earth_search_v0_items_without_eo_bands():
    item = conventions.normalize_item(real("earth-search-v0-sentinel-s2-l2a-cogs"))
    assert resolve_bands([item], ["red", "nir", "scl"], 10) == ["B04", "B08", "SCL"]


def test_collection_without_raster_assets_is_a_clear_error():
    item = {"id": "x", "properties": {}, "assets": {"metadata": {"href": "x.xml", "type": "application/xml", "roles": ["metadata"]}}}
    with pytest.raises(UserError, match="no raster data asset.*choose another COLLECTION"):
        resolve_bands([item], ["red"])


def test_s3_hrefs_use_the_https_alternate_without_credentials():
    item = conventions.normalize_item(real("cdse-sentinel-2-l2a"))
    [chosen] = conventions.choose_hrefs([item], ["B04_10m"], environ={"HOME": "/nonexistent"})
    assert chosen["assets"]["B04_10m"]["href"].startswith("https://zipper.dataspace.copernicus.eu/")
    assert item["assets"]["B04_10m"]["href"].startswith("s3://")  # not changed in place
    [kept] = conventions.choose_hrefs([item], ["B04_10m"], environ={"AWS_ACCESS_KEY_ID": "x", "HOME": "/nonexistent"})
    assert kept["assets"]["B04_10m"]["href"].startswith("s3://eodata/")
    del item["assets"]["B04_10m"]["alternate"]
    with pytest.raises(UserError, match="AWS_ACCESS_KEY_ID.*Nothing was written"):
        conventions.choose_hrefs([item], ["B04_10m"], environ={"HOME": "/nonexistent"})


@pytest.mark.parametrize("name, key, expected", [
    ("pc-sentinel-2-l2a", "B04", (0.0001, -0.1)),  # baseline 05.10, no raster:bands: ESA's rule
    ("earth-search-v1-sentinel-2-l2a", "red", (0.0001, 0.0)),  # offset -0.1 stated, but flagged as removed
    ("earth-search-v0-sentinel-s2-l2a-cogs", "B04", (0.0001, 0.0)),  # baseline 02.14
    ("cdse-sentinel-2-l2a", "B04_10m", (0.0001, -0.1)),  # raster:scale / raster:offset
    ("pc-landsat-c2-l2", "red", (2.75e-05, -0.2)),  # raster:bands
    ("usgs-landsat-c2l2-sr", "red", (2.75e-05, -0.2)),  # Collection 2 Level-2 rule (the item does not say)
])
def test_reflectance_scale_and_offset_per_convention(name, key, expected):
    item = conventions.normalize_item(real(name))
    scales, offsets = date_scaling([[item]], key, ["d"])
    assert (scales[0], offsets[0]) == pytest.approx(expected)


def test_earth_search_v1_publishes_both_the_offset_and_the_flag():
    """Why the rule above exists: the published item says offset -0.1 *and* boa_offset_applied."""
    item = real("earth-search-v1-sentinel-2-l2a")
    assert item["properties"]["earthsearch:boa_offset_applied"] is True
    assert item["assets"]["red"]["raster:bands"][0]["offset"] == -0.1


# ---- QA bits -------------------------------------------------------------------------------

CLEAR, CLOUD, SHADOW, SNOW, FILL, DILATED = 21824, 22280, 23888, 30048, 1, 21826  # USGS QA_PIXEL values


def landsat_cube():
    qa = np.array([[[CLEAR, CLOUD, SHADOW], [SNOW, FILL, DILATED]]], dtype=np.uint16)
    red = np.array([[[9000, 9100, 9200], [9300, 0, 9500]]], dtype=np.uint16)
    ds = xr.Dataset({"red": (("time", "y", "x"), red), "qa_pixel": (("time", "y", "x"), qa)},
                    coords={"time": [np.datetime64("2020-01-14", "ns")], "y": [10.0, 0.0], "x": [0.0, 30.0, 60.0]})
    ds["red"].attrs["nodata"] = 0
    ds["qa_pixel"].attrs["nodata"] = 1
    return ds


def test_usgs_qa_values_have_the_bits_we_think():
    assert CLOUD & (1 << 3) and SHADOW & (1 << 4) and SNOW & (1 << 5) and DILATED & (1 << 1) and CLEAR & (1 << 6)
    assert not CLEAR & 0b111111


def test_qa_pixel_masked_by_bits_by_default_even_with_mask_band_scl():
    infos = []
    progress = Progress(info=infos.append)
    out, _ = cloud_mask(landsat_cube(), "SCL", progress=progress)  # the default MASK_BAND on a Landsat cube
    assert out["red"].values[0].tolist() == [[9000, 0, 0], [9300, 0, 0]]  # snow kept by default
    assert out["qa_pixel"].values.tolist() == landsat_cube()["qa_pixel"].values.tolist()
    assert any("qa_pixel" in message for message in infos)


def test_mask_bits_are_choosable():
    out, _ = cloud_mask(landsat_cube(), "qa_pixel", mask_bits="cloud,snow")
    assert out["red"].values[0].tolist() == [[9000, 0, 9200], [0, 0, 9500]]  # fill pixel was already nodata
    assert parse_bits("fill, dilated cloud, cirrus, cloud, cloud_shadow") == [0, 1, 2, 3, 4]
    with pytest.raises(UserError, match="MASK_BITS.*haze"):
        parse_bits("cloud,haze")


def test_fill_is_not_dilated_but_clouds_are():
    ds = landsat_cube()
    qa = np.full((1, 5, 5), CLEAR, dtype=np.uint16)
    qa[0, :, 0] = FILL  # a swath edge
    qa[0, 2, 3] = CLOUD
    ds = xr.Dataset({"red": (("time", "y", "x"), np.full((1, 5, 5), 5000, np.uint16)), "qa_pixel": (("time", "y", "x"), qa)},
                    coords={"time": ds.time.values})
    out, _ = cloud_mask(ds, "qa_pixel", dilation=1)
    masked = out["red"].values[0] == 0
    assert masked[:, 0].all() and not masked[:, 1].any()  # the edge is not buffered
    assert masked[1:4, 3].all() and masked[2, 2:5].all() and masked.sum() == 5 + 5


# ---- dependencies -----------------------------------------------------------------------------


def _requirement_names(path):
    names = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name = re.match(r"[A-Za-z0-9_.\-]+", line).group(0).lower().replace("_", "-")
            names[name] = line[len(name):].strip()
    return names


def test_dependency_list_and_requirements_agree():
    from sitscube.plugin.dependencies import DEPENDENCIES

    pip = _requirement_names(ROOT / "requirements.txt")
    debian = (ROOT / "scripts" / "setup.sh").read_text()  # packages QGIS links are installed from Debian
    for dependency in DEPENDENCIES:
        name = re.match(r"[A-Za-z0-9_.\-]+", dependency.requirement).group(0).lower()
        if name in pip:
            pin = dependency.requirement[len(name):]
            assert pin in ("", pip[name].replace(" ", "")), f"{name}: dependencies.py says '{pin}', requirements.txt '{pip[name]}'"
        else:
            debian_name = {"scikit-learn": "python3-sklearn", "netcdf4": "python3-netcdf4", "h5py": "python3-h5py"}.get(name)
            assert debian_name and debian_name in debian, f"{name} is neither in requirements.txt nor installed by setup.sh"
    assert "rioxarray" in pip


def test_rioxarray_reads_a_cube_crs(tmp_path):
    from sitscube.engine.cube_io import write_cube

    ds = landsat_cube()
    import odc.geo.xr  # noqa: F401
    from odc.geo.geobox import GeoBox

    geobox = GeoBox.from_bbox((300000, 4800000, 300090, 4800060), crs="EPSG:32631", resolution=30)
    ds = ds.assign_coords(y=geobox.coords["y"].values, x=geobox.coords["x"].values).odc.assign_crs("EPSG:32631")
    path = tmp_path / "cube.nc"
    write_cube(ds, str(path))
    import rioxarray  # noqa: F401

    with xr.open_dataset(path, decode_coords="all") as opened:
        assert opened["red"].rio.crs.to_epsg() == 32631


def test_landsat_index_uses_scale_and_offset():
    """NDVI of Landsat DN: reflectance = DN x 2.75e-05 - 0.2, not DN x 1e-4."""
    from sitscube.engine.indices import add_index

    red_r, nir_r = 0.05, 0.35
    dn = lambda r: np.full((1, 2, 2), round((r + 0.2) / 2.75e-05), dtype=np.uint16)  # noqa: E731
    ds = xr.Dataset({"red": (("time", "y", "x"), dn(red_r)), "nir08": (("time", "y", "x"), dn(nir_r))},
                    coords={"time": [np.datetime64("2020-01-14", "ns")], "y": [30.0, 0.0], "x": [0.0, 30.0]})
    for name in ("red", "nir08"):
        ds[name].attrs.update(nodata=0, reflectance_scale=2.75e-05, reflectance_offset=-0.2)
        ds[name].attrs["eo_common_name"] = name
    out = add_index(ds, "NDVI")
    np.testing.assert_allclose(out["NDVI"].values, (nir_r - red_r) / (nir_r + red_r), atol=2e-4)
