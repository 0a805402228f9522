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


def target_geobox(aoi_lonlat: Box, crs_text: Optional[str], resolution: float, aoi=None,
                  pixel_grid: Optional[Tuple[int, Sequence[float]]] = None):
    """GeoBox covering the area.

    ``aoi`` is an optional odc-geo geometry of the area in its own CRS (more
    exact than the lon/lat box when the area was drawn in a projected CRS).
    ``pixel_grid`` (EPSG, proj:transform) is the items' own grid: with no
    CRS given, the cube takes that CRS (items in southern UTM zones may be
    published in the northern zone, with negative northings, and must stay
    there); in that CRS the cube's pixel edges fall on the items' pixel edges
    (Landsat's sit at 15 m past multiples of 30), so nearest resampling reads
    the stored pixels unshifted. Otherwise pixel edges fall on multiples of
    the resolution.
    """
    from odc.geo import geom
    from odc.geo.crs import CRS
    from odc.geo.geobox import GeoBox

    if crs_text:
        try:
            crs = CRS(crs_text)
        except Exception as err:  # pyproj raises several types
            raise UserError(f"CRS '{crs_text}' is not a coordinate reference system QGIS/PROJ knows ({err}).")
    elif pixel_grid is not None:
        crs = CRS(f"EPSG:{pixel_grid[0]}")
    else:
        lon = (aoi_lonlat[0] + aoi_lonlat[2]) / 2
        lat = (aoi_lonlat[1] + aoi_lonlat[3]) / 2
        crs = CRS(f"EPSG:{utm_epsg(lon, lat)}")
    check_resolution(crs, resolution)
    area = aoi if aoi is not None else geom.box(*aoi_lonlat, crs="EPSG:4326")
    area = area.to_crs(crs)
    if area.is_empty or area.area == 0:
        raise UserError("The area has no size in the target CRS: choose a larger AOI or another CRS.")
    anchor = "default"
    if pixel_grid is not None and crs.epsg == pixel_grid[0]:
        from odc.geo import xy_

        transform = pixel_grid[1]
        anchor = xy_((transform[2] % resolution) / resolution, (transform[5] % resolution) / resolution)
    geobox = GeoBox.from_geopolygon(area, resolution=resolution, crs=crs, anchor=anchor)
    return geobox


def items_pixel_grid(items: Sequence[dict], keys: Sequence[str]) -> Optional[Tuple[int, Sequence[float]]]:
    """(EPSG, transform) of the finest requested band when every item is in that one EPSG; else None."""
    from .conventions import asset_grid

    grids = [asset_grid(item, key) for item in items for key in keys]
    if not grids or any(g is None for g in grids) or len({epsg for epsg, _ in grids}) != 1:
        return None
    return min(grids, key=lambda g: abs(g[1][0]))
