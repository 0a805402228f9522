"""Target CRS and pixel grid of a cube."""

from typing import Optional, Sequence, Tuple

from .errors import UserError

Box = Tuple[float, float, float, float]


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 / UTM zone containing a point."""
    zone = min(int((lon + 180) // 6) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def items_bbox(items: Sequence[dict]) -> Box:
    boxes = [item["bbox"] for item in items if item.get("bbox")]
    if not boxes:
        raise UserError("The items have no bbox: is this a STAC ItemCollection?")
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def check_resolution(crs, resolution: float) -> None:
    """Refuse metres in a geographic CRS, where units are degrees."""
    if resolution <= 0:
        raise UserError(f"RESOLUTION must be positive, got {resolution:g}.")
    if crs.geographic and resolution > 0.5:
        raise UserError(
            f"RESOLUTION {resolution:g} is in degrees in the geographic CRS {crs}, i.e. pixels of about "
            f"{resolution * 111:.0f} km. Choose a projected CRS (for example the UTM zone, EPSG:326xx) "
            "to give the resolution in metres, or give it in degrees (e.g. 0.0001)."
        )


def target_geobox(aoi_lonlat: Box, crs_text: Optional[str], resolution: float, aoi=None):
    """GeoBox covering the area: pixel edges on multiples of the resolution.

    ``aoi`` is an optional odc-geo geometry of the area in its own CRS (more
    exact than the lon/lat box when the area was drawn in a projected CRS).
    """
    from odc.geo import geom
    from odc.geo.crs import CRS
    from odc.geo.geobox import GeoBox

    if crs_text:
        try:
            crs = CRS(crs_text)
        except Exception as err:  # pyproj raises several types
            raise UserError(f"CRS '{crs_text}' is not a coordinate reference system QGIS/PROJ knows ({err}).")
    else:
        lon = (aoi_lonlat[0] + aoi_lonlat[2]) / 2
        lat = (aoi_lonlat[1] + aoi_lonlat[3]) / 2
        crs = CRS(f"EPSG:{utm_epsg(lon, lat)}")
    check_resolution(crs, resolution)
    area = aoi if aoi is not None else geom.box(*aoi_lonlat, crs="EPSG:4326")
    area = area.to_crs(crs)
    if area.is_empty or area.area == 0:
        raise UserError("The area has no size in the target CRS: choose a larger AOI or another CRS.")
    geobox = GeoBox.from_geopolygon(area, resolution=resolution, crs=crs)
    return geobox
