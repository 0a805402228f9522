"""The EPSG code from a GeoTIFF's GeoKeys: GDAL's own answer, or None when the keys say more than a plain code."""

import numpy as np
import pytest
from osgeo import gdal, osr

from sitscube.engine.direct_reads import epsg_code, grid_facts
from sitscube.engine.geotiff_keys import epsg_from_geokeys

FEET_UTM = osr.SpatialReference()
FEET_UTM.ImportFromEPSG(32631)
FEET_UTM.SetLinearUnits("US survey foot", 0.3048006096012192)


def write(path, srs, options=()):
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), 16, 16, 1, gdal.GDT_UInt16, list(options))
    dataset.SetGeoTransform((300000.0, 10.0, 0.0, 4810240.0, 0.0, -10.0))
    dataset.SetSpatialRef(srs)
    dataset.GetRasterBand(1).WriteArray(np.arange(256, dtype=np.uint16).reshape(16, 16))
    dataset = None
    return str(path)


def epsg(code):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(code)
    return srs


@pytest.mark.parametrize("srs, options, expected", [
    (epsg(32631), (), 32631),
    (epsg(32631), ("TILED=YES", "COMPRESS=DEFLATE"), 32631),
    (epsg(32719), ("BIGTIFF=YES",), 32719),
    (epsg(32631), ("ENDIANNESS=BIG",), 32631),
    (epsg(32631), ("BIGTIFF=YES", "ENDIANNESS=BIG"), 32631),
    (epsg(4326), (), None),  # geographic: GDAL's answer
    (epsg(3035), (), None),  # not a UTM zone: GDAL's answer
    (epsg(2154), (), None),
    (FEET_UTM, (), None),  # UTM in feet: not the EPSG CRS
])
def test_code_is_gdals_or_none(tmp_path, srs, options, expected):
    path = write(tmp_path / "a.tif", srs, options)
    dataset = gdal.Open(path)
    gdal_answer = epsg_code(dataset.GetProjectionRef())
    assert epsg_from_geokeys(path) == expected
    if expected is not None:
        assert expected == gdal_answer
    assert grid_facts(dataset)["epsg"] == gdal_answer  # whichever way it was found


def test_not_a_tiff_or_cut_short(tmp_path):
    path = write(tmp_path / "a.tif", epsg(32631))
    data = open(path, "rb").read()
    (tmp_path / "short.tif").write_bytes(data[:200])
    (tmp_path / "text.tif").write_bytes(b"not a tiff at all")
    assert epsg_from_geokeys(str(tmp_path / "short.tif")) is None
    assert epsg_from_geokeys(str(tmp_path / "text.tif")) is None
    assert epsg_from_geokeys(str(tmp_path / "missing.tif")) is None
