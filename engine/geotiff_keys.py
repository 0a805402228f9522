"""The EPSG code of a GeoTIFF read from its GeoKeys, without building its CRS.

The asset probe needs each COG's EPSG code (engine/direct_reads.py:
whether a band is on the cube's grid). ``GetProjectionRef`` makes GDAL
build the whole CRS from PROJ's database, about 1 ms of CPU per file plus a
PROJ context per thread: 200 assets cost more in it than in opening their
headers. The code is one number in the file's GeoKeyDirectory, in the
header GDAL has just read (and cached: reading it again through GDAL's
virtual file system asks the server for nothing more).

Only the CRSs of Sentinel-2 and Landsat products are answered here, and
only when the keys say nothing else: WGS 84 / UTM zones (EPSG 32601-32660,
32701-32760), metres and degrees as their units (what GDAL writes with
them), citations and the raster type. Any other
key or value (user-defined parameters, other units, a datum) could make
GDAL's CRS differ from the plain EPSG one, so the caller asks GDAL
(``None``), as it does for anything this cannot parse.
"""

import struct
from typing import Optional

GEOKEY_DIRECTORY = 34735
MODEL_TYPE, RASTER_TYPE, CITATION = 1024, 1025, 1026
GEOGRAPHIC_CITATION = 2049
PROJECTED_TYPE, PROJECTED_CITATION = 3072, 3073
PLAIN_KEYS = {MODEL_TYPE, RASTER_TYPE, CITATION, GEOGRAPHIC_CITATION, PROJECTED_TYPE, PROJECTED_CITATION}
PROJECTED = 1
GEOGRAPHIC_UNITS, PROJECTED_UNITS = 2054, 3076
UNITS = {GEOGRAPHIC_UNITS: 9102, PROJECTED_UNITS: 9001}  # degree, metre: what WGS 84 and its UTM zones use
HEADER_BYTES = 16384  # what GDAL reads first of a remote file: the IFD and its tags are there in a COG


def epsg_from_geokeys(path: str) -> Optional[int]:
    """The WGS 84 / UTM EPSG code the GeoKeys of the GeoTIFF at path (a GDAL path) give, or None (module docstring)."""
    from osgeo import gdal

    handle = gdal.VSIFOpenL(path, "rb")
    if handle is None:
        return None
    try:
        def read(offset: int, size: int) -> bytes:
            if gdal.VSIFSeekL(handle, offset, 0) != 0:
                return b""
            return bytes(gdal.VSIFReadL(1, size, handle) or b"")

        return _epsg(read)
    except (struct.error, ValueError, TypeError, RuntimeError):
        return None
    finally:
        gdal.VSIFCloseL(handle)


def _epsg(read) -> Optional[int]:
    head = read(0, HEADER_BYTES)

    def take(offset: int, size: int) -> bytes:  # from the header when it is there
        return head[offset:offset + size] if offset + size <= len(head) else read(offset, size)

    order = {b"II": "<", b"MM": ">"}.get(head[:2])
    if order is None:
        return None
    version = struct.unpack_from(order + "H", head, 2)[0]
    if version == 42:  # classic TIFF: 2-byte entry count, 12-byte entries, 4 bytes of inline value
        ifd, count_format, entry_format, inline = struct.unpack_from(order + "I", head, 4)[0], "H", "HHII", 4
    elif version == 43:  # BigTIFF: 8-byte entry count, 20-byte entries, 8 bytes of inline value
        ifd, count_format, entry_format, inline = struct.unpack_from(order + "Q", head, 8)[0], "Q", "HHQQ", 8
    else:
        return None
    count_size, entry_size = struct.calcsize(order + count_format), struct.calcsize(order + entry_format)
    entries = struct.unpack(order + count_format, take(ifd, count_size))[0]
    table = take(ifd + count_size, entries * entry_size)
    for index in range(entries):
        tag, kind, count, value = struct.unpack_from(order + entry_format, table, index * entry_size)
        if tag != GEOKEY_DIRECTORY:
            continue
        if kind != 3 or count < 4:  # SHORTs: the directory's header at least
            return None
        size = 2 * count
        raw = struct.pack(order + entry_format[-1], value)[:size] if size <= inline else take(value, size)
        return _epsg_of_keys(struct.unpack(order + f"{count}H", raw))
    return None


def _epsg_of_keys(shorts) -> Optional[int]:
    keys = {}
    for number in range(shorts[3]):
        key, location, _count, value = shorts[4 + 4 * number:8 + 4 * number]
        keys[key] = value if location == 0 else None  # None: a value stored elsewhere (a citation's text)
    if set(keys) - PLAIN_KEYS - set(UNITS) or any(keys[key] != unit for key, unit in UNITS.items() if key in keys):
        return None
    code = keys.get(PROJECTED_TYPE)
    if keys.get(MODEL_TYPE) != PROJECTED or code is None or not _is_wgs84_utm(code):
        return None
    return int(code)


def _is_wgs84_utm(code: int) -> bool:
    return 32601 <= code <= 32660 or 32701 <= code <= 32760
