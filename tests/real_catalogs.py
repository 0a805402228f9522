"""Loopback copies of six real STAC catalogs, built from items as they publish them.

tests/data/real-items/ holds one real Item per catalog (see SOURCES.md there).
For each, ``build`` writes a catalog directory in StacApi's layout
(``collections/<id>.json``, ``items/<name>.ndjson``) whose assets are real
raster files on a small window of each asset's OWN grid, and ``RealCatalogs``
serves it: a RangeHTTPServer for the files and one StacApi (PostgreSQL +
pgstac + stac-fastapi-pgstac) per catalog, started lazily, stopped at the
end of the session. The six catalogs share collection ids
(``sentinel-2-l2a`` on three of them), so each has its own API.

What is kept and what is changed
--------------------------------
* Dates: the real item is one acquisition; ``DATES - 1`` more are made by
  copying it and changing ONLY ``id`` (the acquisition date inside it),
  ``properties.datetime`` (and ``start_datetime``/``end_datetime``,
  ``created``/``updated`` where present, moved by the same number of days),
  the asset hrefs, and the old id inside link hrefs. Every other field stays
  as published, including the processing baseline (``s2:processing_baseline``,
  ``processing:version``, the baseline inside ``sentinel:product_id``), the
  ``earthsearch:boa_offset_applied`` flag, ``raster:bands`` and friends: a
  copy dated before 25 January 2022 still says baseline 04.00 (a reprocessed
  product), which is what harmonization must go by.
* Hrefs: every asset href points at the loopback file server (files that are
  not needed are not written: a read of them is a 404), except
  - CDSE: the primary ``href`` stays ``s3://eodata/…`` as published (with the
    copy's date); only ``alternate.https.href`` points at the loopback, behind
    a gate that answers 401 without ``Authorization: Bearer <CDSE_TOKEN>``,
    with the same extension-less ``…/Nodes(<file>.jp2)/$value`` path shape as
    CDSE's OData URLs;
  - USGS: ``href`` points at the loopback; the ``alternate.s3`` hrefs stay.
* Files: each needed asset is written on the window's position on the
  asset's own grid (``proj:transform``/``proj:shape`` of the asset, else of
  the item; CRS from ``proj:epsg`` or ``proj:code``): COGs (DEFLATE, tiled)
  for every catalog but CDSE, which serves JPEG 2000 (written lossless,
  QUALITY=100 REVERSIBLE=YES). Nodata as the real products: reflectance
  uint16 0, SCL uint8 0, Landsat SR uint16 0, qa_pixel uint16 1.

The truth (``Truth``)
---------------------
Surface reflectance is a smooth function of (x, y in the item's CRS, date,
band) with four land-cover patches (water, forest, crops with a season,
bare soil), 0.015-0.6. The sky is a function of the date's index: date 0
clear, then clouds with their medium-probability (S2) or dilated (Landsat)
ring and shadows, a swath edge (nodata) with a cirrus band, another cloud
with a snow patch (Landsat only), a small cloud and shadow. It is decided on
the mask band's grid (SCL 20 m, qa_pixel 30 m) and repeated onto finer bands.
Stored values follow each catalog's convention:

* Sentinel-2 with the baseline-04.00 offset kept (PC, CDSE): DN =
  round(reflectance * 10000) + 1000;
* Earth Search v1 (``earthsearch:boa_offset_applied: true``, offset
  removed by the catalog) and Earth Search v0 (baseline 02.14): DN =
  round(reflectance * 10000);
* Landsat Collection 2 L2: DN = round((reflectance + 0.2) / 2.75e-05);
* SCL classes 4/5/6 (vegetation, bare, water) clear, 8/9 cloud, 3 shadow,
  10 cirrus, 0 no data; qa_pixel bits 0 fill, 1 dilated cloud, 2 cirrus,
  3 cloud, 4 shadow, 5 snow, 6 clear, 7 water plus the confidence pairs,
  e.g. 21824 clear land, 22280 cloud, 23888 shadow.

Run as a script (``python tests/real_catalogs.py DIR``) it only writes the
catalogs, with hrefs under http://127.0.0.1:8000.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REAL_ITEMS = ROOT / "tests" / "data" / "real-items"
DATA_DIR = ROOT / "build" / "test-data" / "real-catalogs"
GENERATOR_VERSION = 1

WINDOW = 2400.0  # metres: 240 px at 10 m, 120 at 20 m, 80 at 30 m (a multiple of 60 m)
DATES = 5  # the published one and four copies
CDSE_TOKEN = "cdse-loopback-token"
CDSE_HEADER = f"Authorization: Bearer {CDSE_TOKEN}"

# Sky states on the mask band's grid
CLEAR, CLOUD, CLOUD_MEDIUM, SHADOW, CIRRUS, EDGE, SNOW, DILATED = range(8)

# Landsat qa_pixel bits and confidence pairs (Collection 2)
FILL, DILATED_BIT, CIRRUS_BIT, CLOUD_BIT, SHADOW_BIT, SNOW_BIT, CLEAR_BIT, WATER_BIT = range(8)
LOW, HIGH = 1, 3


def qa_value(bits=(), cloud=LOW, shadow=LOW, snow=LOW, cirrus=LOW) -> int:
    """A qa_pixel value from its flag bits and confidence pairs (bits 8-9, 10-11, 12-13, 14-15)."""
    value = sum(1 << b for b in bits)
    return value | cloud << 8 | shadow << 10 | snow << 12 | cirrus << 14


QA_CLEAR_LAND = qa_value([CLEAR_BIT])  # 21824
QA_CLEAR_WATER = qa_value([CLEAR_BIT, WATER_BIT])  # 21952
QA_CLOUD = qa_value([CLOUD_BIT], cloud=HIGH)  # 22280
QA_DILATED = qa_value([DILATED_BIT])  # 21762
QA_SHADOW = qa_value([SHADOW_BIT, CLEAR_BIT], shadow=HIGH)  # 23888
QA_CIRRUS = qa_value([CIRRUS_BIT, CLEAR_BIT], cirrus=HIGH)  # 54596
QA_SNOW = qa_value([SNOW_BIT, CLEAR_BIT], snow=HIGH)  # 30048
QA_FILL = 1
assert (QA_CLEAR_LAND, QA_CLOUD, QA_SHADOW, QA_SNOW) == (21824, 22280, 23888, 30048)

# Bits the cloud mask sets to nodata by default on qa_pixel, and the names MASK_BITS takes
QA_BITS = {"fill": FILL, "dilated_cloud": DILATED_BIT, "cirrus": CIRRUS_BIT, "cloud": CLOUD_BIT,
           "shadow": SHADOW_BIT, "snow": SNOW_BIT}
QA_DEFAULT_MASK = ("fill", "dilated_cloud", "cirrus", "cloud", "shadow")
SCL_DEFAULT_MASK = (0, 1, 3, 8, 9, 10)

WATER, FOREST, CROPS, BARE = range(4)


# --------------------------------------------------------------------------------------------
# Catalog specifications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    name: str  # directory and fixture name
    file: str  # in tests/data/real-items
    preset: str  # sitscube:stacsearch CATALOG
    family: str  # "s2" or "landsat"
    convention: str  # "s2-offset" (+1000 kept), "s2-plain" (no +1000), "landsat"
    assets: Dict[str, str]  # asset key -> truth band (red, nir, scl, qa_pixel)
    extension: str = ".tif"
    href_mode: str = "href"  # "href" or "alternate" (CDSE: s3 href kept, https alternate repointed)
    gated: bool = False  # files behind a bearer-token gate
    day_step: int = 5  # revisit between the dates
    before: int = 2  # how many copies are dated before the published item

    @property
    def mask_band(self) -> str:
        return "scl" if self.family == "s2" else "qa_pixel"


SPECS: Dict[str, Spec] = {s.name: s for s in [
    Spec("pc-s2", "pc-sentinel-2-l2a.json", "planetary-computer", "s2", "s2-offset",
         {"B04": "red", "B08": "nir", "SCL": "scl"}),
    # the published item is 30 Jan 2022: two copies before 25 Jan 2022, two after, all baseline 04.00
    Spec("es-v1", "earth-search-v1-sentinel-2-l2a.json", "earth-search", "s2", "s2-plain",
         {"red": "red", "nir": "nir", "scl": "scl"}),
    Spec("es-v0", "earth-search-v0-sentinel-s2-l2a-cogs.json", "earth-search", "s2", "s2-plain",
         {"B04": "red", "B08": "nir", "SCL": "scl"}),
    Spec("cdse", "cdse-sentinel-2-l2a.json", "cdse", "s2", "s2-offset",
         {"B04_10m": "red", "B04_20m": "red", "B08_10m": "nir", "SCL_20m": "scl"},
         extension=".jp2", href_mode="alternate", gated=True),
    Spec("pc-landsat", "pc-landsat-c2-l2.json", "planetary-computer", "landsat", "landsat",
         {"red": "red", "nir08": "nir", "qa_pixel": "qa_pixel"}, day_step=16),
    Spec("usgs-landsat", "usgs-landsat-c2l2-sr.json", "usgs-landsat", "landsat", "landsat",
         {"red": "red", "nir08": "nir", "qa_pixel": "qa_pixel"}, day_step=16),
]}


def real_item(spec: Spec) -> dict:
    with open(REAL_ITEMS / spec.file, encoding="utf-8") as stream:
        return json.load(stream)


# --------------------------------------------------------------------------------------------
# Grids
# --------------------------------------------------------------------------------------------


def asset_epsg(item: dict, asset: dict) -> int:
    import re

    for source in (asset, item["properties"]):
        if source.get("proj:epsg"):
            return int(source["proj:epsg"])
        match = re.fullmatch(r"EPSG:(\d+)", str(source.get("proj:code") or ""))
        if match:
            return int(match.group(1))
    raise ValueError(f"{item['id']}: no proj:epsg / proj:code")


def asset_grid(item: dict, asset: dict) -> Tuple[float, float, float, Tuple[int, int]]:
    """(pixel size, x origin, y origin, shape) of an asset: its proj:transform/proj:shape, else the item's."""
    props = item["properties"]
    transform = asset.get("proj:transform") or props.get("proj:transform")
    shape = asset.get("proj:shape") or props.get("proj:shape")
    if not transform or not shape:
        raise ValueError(f"{item['id']}: no proj:transform / proj:shape")
    res, _, x0, _, neg, y0 = [float(v) for v in transform[:6]]
    assert res == -neg, "north-up square pixels"
    return res, x0, y0, (int(shape[0]), int(shape[1]))


@dataclass(frozen=True)
class Window:
    """A square window in the item's CRS; corners on every needed band's pixel corners."""
    epsg: int
    xmin: float
    ymin: float
    size: float = WINDOW

    @property
    def xmax(self) -> float:
        return self.xmin + self.size

    @property
    def ymax(self) -> float:
        return self.ymin + self.size

    def aoi(self) -> str:
        """As a QGIS extent parameter: 'xmin,xmax,ymin,ymax [EPSG:n]'."""
        return f"{self.xmin:.0f},{self.xmax:.0f},{self.ymin:.0f},{self.ymax:.0f} [EPSG:{self.epsg}]"

    def lonlat(self, inset: float = 0.0) -> Tuple[float, float, float, float]:
        """(west, south, east, north) of the window (shrunk by `inset` metres)."""
        from pyproj import Transformer

        to_lonlat = Transformer.from_crs(self.epsg, 4326, always_xy=True)
        xs = [self.xmin + inset, self.xmax - inset]
        ys = [self.ymin + inset, self.ymax - inset]
        lons, lats = to_lonlat.transform([xs[0], xs[0], xs[1], xs[1]], [ys[0], ys[1], ys[0], ys[1]])
        return min(lons), min(lats), max(lons), max(lats)

    def lonlat_aoi(self, inset: float = 100.0) -> str:
        west, south, east, north = self.lonlat(inset)
        return f"{west},{east},{south},{north} [EPSG:4326]"

    def offset(self, res: float, x_origin: float, y_origin: float) -> Tuple[int, int]:
        """(row, col) of the window's top-left pixel on a grid."""
        col = (self.xmin - x_origin) / res
        row = (y_origin - self.ymax) / res
        assert abs(col - round(col)) < 1e-6 and abs(row - round(row)) < 1e-6, "window off the asset's grid"
        return int(round(row)), int(round(col))

    def pixels(self, res: float) -> int:
        return int(round(self.size / res))

    def centres(self, res: float) -> Tuple[np.ndarray, np.ndarray]:
        """x (1, n) and y (n, 1) of the pixel centres at `res`, top row first."""
        n = self.pixels(res)
        xs = self.xmin + (np.arange(n) + 0.5) * res
        ys = self.ymax - (np.arange(n) + 0.5) * res
        return xs[None, :], ys[:, None]


def choose_window(item: dict, keys: Sequence[str], size: float = WINDOW) -> Window:
    """A window inside the item's footprint, in its UTM zone, on every needed asset's grid.

    The window's centre is in the item's own UTM zone, so a cube whose CRS
    defaults to "the UTM zone of the area" is in the item's CRS.
    """
    import shapely
    import shapely.ops
    from pyproj import Transformer
    from shapely.geometry import box, shape

    assets = item["assets"]
    epsgs = {asset_epsg(item, assets[k]) for k in keys}
    assert len(epsgs) == 1
    epsg = epsgs.pop()
    grids = [asset_grid(item, assets[k]) for k in keys]
    coarse = max(grids, key=lambda g: g[0])
    align = math.lcm(*[int(round(g[0])) for g in grids]) if all(float(g[0]).is_integer() for g in grids) else coarse[0]
    align = max(align, 60.0) if item["properties"].get("platform", "").lower().startswith("sentinel") else align
    footprint = shape(item["geometry"])
    zone = epsg % 100
    west = -180 + (zone - 1) * 6
    region = footprint.intersection(box(west + 0.05, -84, west + 6 - 0.05, 84))
    to_crs = Transformer.from_crs(4326, epsg, always_xy=True)
    region = shapely.ops.transform(to_crs.transform, shapely.segmentize(region, 0.01))
    for res, x0, y0, (rows, cols) in grids:
        region = region.intersection(box(x0, y0 - rows * res, x0 + cols * res, y0))
    inner = region.buffer(-size)
    if inner.is_empty:
        raise ValueError(f"{item['id']}: no room for a {size} m window")
    point = inner.centroid if inner.contains(inner.centroid) else inner.representative_point()
    res, x0, y0, _ = coarse
    xmin = x0 + round((point.x - size / 2 - x0) / align) * align
    ymax = y0 - round((y0 - (point.y + size / 2)) / align) * align
    window = Window(epsg, float(xmin), float(ymax - size), size)
    assert region.contains(box(window.xmin, window.ymin, window.xmax, window.ymax))
    for res, gx, gy, _ in grids:
        window.offset(res, gx, gy)
    return window


# --------------------------------------------------------------------------------------------
# The truth
# --------------------------------------------------------------------------------------------


def _disc(u, v, cu, cv, r):
    return (u - cu) ** 2 + (v - cv) ** 2 <= r * r


@dataclass
class Truth:
    """Surface, sky and stored values of one catalog's window on each date (see the module docstring)."""
    window: Window
    dates: List[dt.date]
    family: str  # "s2" or "landsat"
    convention: str
    mask_res: float  # the mask band's pixel (SCL 20 m, qa_pixel 30 m)

    # -- surface ---------------------------------------------------------------------------

    def land_cover(self, res: float) -> np.ndarray:
        x, y = self.window.centres(res)
        u = np.sin(2 * np.pi * x / 1900) + np.cos(2 * np.pi * y / 1500) + 0.6 * np.sin(2 * np.pi * (x - y) / 2700)
        return np.select([u < -1.3, u < 0.1, u < 1.1], [WATER, FOREST, CROPS], BARE)

    def surface(self, band: str, date: dt.date, res: float) -> np.ndarray:
        """Cloud-free surface reflectance at the pixel centres of `res` (float64)."""
        x, y = self.window.centres(res)
        cover = self.land_cover(res)
        season = 0.5 + 0.5 * np.sin(2 * np.pi * (date.timetuple().tm_yday - 110) / 365.25)
        if band == "red":
            table = {WATER: 0.03, FOREST: 0.035, CROPS: 0.09 - 0.05 * season, BARE: 0.18}
        elif band == "nir":
            table = {WATER: 0.02, FOREST: 0.32, CROPS: 0.22 + 0.2 * season, BARE: 0.26}
        else:
            raise KeyError(band)
        base = np.choose(cover, [table[WATER], table[FOREST], table[CROPS], table[BARE]])
        texture = 0.01 * np.sin(x / 97.0 + y / 131.0) + 0.006 * np.sin(date.toordinal() * 0.9 + x / 300.0 - y / 410.0)
        return np.clip(base + texture, 0.015, 0.6)

    # -- sky ---------------------------------------------------------------------------------

    def sky(self, date: dt.date) -> np.ndarray:
        """Sky state (CLEAR, CLOUD …) on the mask band's grid."""
        index = self.dates.index(date)
        n = self.window.pixels(self.mask_res)
        u = ((np.arange(n) + 0.5) / n)[None, :].repeat(n, 0)
        v = ((np.arange(n) + 0.5) / n)[:, None].repeat(n, 1)
        state = np.full((n, n), CLEAR, dtype=np.int8)
        ring = CLOUD_MEDIUM if self.family == "s2" else DILATED
        if index == 1:
            state[_disc(u, v, 0.42, 0.55, 0.16)] = SHADOW
            state[_disc(u, v, 0.3, 0.35, 0.24)] = ring
            state[_disc(u, v, 0.3, 0.35, 0.18)] = CLOUD
        elif index == 2:
            state[(v > 0.55) & (v < 0.7)] = CIRRUS
            state[u < 0.2] = EDGE  # swath edge: no data
        elif index == 3:
            state[_disc(u, v, 0.7, 0.7, 0.26)] = ring
            state[_disc(u, v, 0.7, 0.7, 0.2)] = CLOUD
            if self.family == "landsat":
                state[(u > 0.75) & (v < 0.25)] = SNOW
        elif index == 4:
            state[_disc(u, v, 0.6, 0.22, 0.06)] = SHADOW
            state[_disc(u, v, 0.5, 0.15, 0.08)] = CLOUD
        return state

    def _fine(self, coarse: np.ndarray, res: float) -> np.ndarray:
        factor = self.mask_res / res
        assert factor >= 1 and float(factor).is_integer(), "bands finer than or equal to the mask band"
        factor = int(factor)
        return np.repeat(np.repeat(coarse, factor, axis=0), factor, axis=1)

    def sky_at(self, date: dt.date, res: float) -> np.ndarray:
        return self._fine(self.sky(date), res)

    def observed(self, band: str, date: dt.date, res: float) -> np.ndarray:
        """What the sensor saw (reflectance, NaN at the swath edge)."""
        value = self.surface(band, date, res)
        sky = self.sky_at(date, res)
        bright = {"red": 0.55, "nir": 0.6}[band]
        value = np.where(np.isin(sky, (CLOUD, CLOUD_MEDIUM)), bright, value)
        value = np.where(sky == DILATED, 0.5 * (value + bright), value)
        value = np.where(sky == SHADOW, value * 0.4, value)
        value = np.where(sky == CIRRUS, value + 0.08, value)
        value = np.where(sky == SNOW, {"red": 0.85, "nir": 0.8}[band], value)
        return np.where(sky == EDGE, np.nan, value)

    # -- stored values ----------------------------------------------------------------------

    def encode(self, reflectance: np.ndarray) -> np.ndarray:
        """Reflectance (NaN = nodata) -> stored uint16 DN by the catalog's convention."""
        valid = ~np.isnan(reflectance)
        r = np.where(valid, reflectance, 0.0)
        if self.convention == "s2-offset":
            dn = np.rint(r * 10000) + 1000
        elif self.convention == "s2-plain":
            dn = np.maximum(np.rint(r * 10000), 1)
        elif self.convention == "landsat":
            dn = np.rint((r + 0.2) / 2.75e-05)
        else:
            raise ValueError(self.convention)
        return np.where(valid, dn, 0).astype(np.uint16)

    def stored(self, band: str, date: dt.date, res: float) -> np.ndarray:
        """The file's values of a band (red, nir, scl, qa_pixel) at `res`."""
        if band == "scl":
            return self.scl(date, res)
        if band == "qa_pixel":
            return self.qa_pixel(date, res)
        return self.encode(self.observed(band, date, res))

    def scl(self, date: dt.date, res: Optional[float] = None) -> np.ndarray:
        res = res or self.mask_res
        sky = self.sky_at(date, res)
        cover = self.land_cover(self.mask_res)
        clear = np.choose(cover, [6, 4, 4, 5]).astype(np.uint8)  # water, vegetation, vegetation, not vegetated
        classes = {CLOUD: 9, CLOUD_MEDIUM: 8, SHADOW: 3, CIRRUS: 10, EDGE: 0, SNOW: 11, DILATED: 8}
        out = self._fine(clear, res)
        for state, value in classes.items():
            out = np.where(sky == state, value, out)
        return out.astype(np.uint8)

    def qa_pixel(self, date: dt.date, res: Optional[float] = None) -> np.ndarray:
        res = res or self.mask_res
        sky = self.sky_at(date, res)
        water = self._fine(self.land_cover(self.mask_res), res) == WATER
        out = np.where(water, QA_CLEAR_WATER, QA_CLEAR_LAND)
        values = {CLOUD: QA_CLOUD, CLOUD_MEDIUM: QA_DILATED, DILATED: QA_DILATED, SHADOW: QA_SHADOW,
                  CIRRUS: QA_CIRRUS, EDGE: QA_FILL, SNOW: QA_SNOW}
        for state, value in values.items():
            out = np.where(sky == state, value, out)
        return out.astype(np.uint16)

    # -- what the steps must give -------------------------------------------------------------

    def masked(self, date: dt.date, res: float, bits: Sequence[str] = QA_DEFAULT_MASK,
               classes: Sequence[int] = SCL_DEFAULT_MASK) -> np.ndarray:
        """True where the cloud mask must blank the pixel (SCL classes, or qa_pixel bits)."""
        if self.family == "s2":
            return np.isin(self.scl(date, res), classes)
        qa = self.qa_pixel(date, res).astype(np.int64)
        mask = 0
        for name in bits:
            mask |= 1 << QA_BITS[name]
        return (qa & mask) != 0

    def dn(self, band: str, date: dt.date, res: float) -> np.ndarray:
        """Values in the cube's units after harmonize: DN without the +1000 offset (Landsat: as stored)."""
        stored = self.stored(band, date, res).astype(np.int64)
        if self.convention == "s2-offset":
            stored = np.where(stored == 0, 0, np.maximum(stored - 1000, 1))
        return stored

    def reflectance(self, band: str, date: dt.date, res: float) -> np.ndarray:
        """What UNITS 'reflectance' must give (NaN at nodata): DN * scale + offset of the convention."""
        stored = self.stored(band, date, res).astype(np.float64)
        if self.family == "s2":
            value = stored * 1e-4 - (0.1 if self.convention == "s2-offset" else 0.0)
        else:
            value = stored * 2.75e-05 - 0.2
        return np.where(stored == 0, np.nan, value)

    def median(self, band: str, res: float, dates: Optional[Sequence[dt.date]] = None, **mask) -> np.ndarray:
        """Per pixel median of `dn` over the dates where it is not masked (NaN where none is)."""
        dates = list(dates or self.dates)
        values = np.stack([self.dn(band, d, res).astype(float) for d in dates])
        clear = np.stack([~self.masked(d, res, **mask) for d in dates])
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return np.nanmedian(np.where(clear, values, np.nan), axis=0)


# --------------------------------------------------------------------------------------------
# Items and files
# --------------------------------------------------------------------------------------------


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _shift_stamp(text: str, days: int) -> str:
    """An ISO timestamp moved by `days`, written in the published spelling (Z, fraction digits)."""
    when = _parse(text) + dt.timedelta(days=days)
    head, _, _ = text.partition("T")
    new_date = when.date().isoformat()
    return new_date + text[len(head):]


def _date_token(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


@dataclass
class BuiltCatalog:
    spec: Spec
    window: Window
    truth: Truth
    items: List[dict]  # as loaded into the API, hrefs absolute
    directory: Path  # StacApi catalog dir (collections/, items/)
    files: Path  # served by the file server

    @property
    def collection(self) -> str:
        return self.items[0]["collection"]

    @property
    def dates(self) -> List[dt.date]:
        return self.truth.dates

    @property
    def epsg(self) -> int:
        return self.window.epsg


def _copy_item(published: dict, days: int) -> dict:
    item = copy.deepcopy(published)
    if days == 0:
        return item
    props = item["properties"]
    old_day = _parse(props.get("datetime") or props["start_datetime"]).date()
    new_day = old_day + dt.timedelta(days=days)
    item["id"] = published["id"].replace(_date_token(old_day), _date_token(new_day))
    for key in ("datetime", "start_datetime", "end_datetime", "created", "updated"):
        if props.get(key):
            props[key] = _shift_stamp(props[key], days)
    for link in item.get("links", []):
        if "href" in link:
            link["href"] = link["href"].replace(published["id"], item["id"])
    return item


def _dated_href(href: str, published: dict, item: dict, old_day: dt.date, new_day: dt.date) -> str:
    """A published href (s3://…) as the copy's: its id and date path changed."""
    href = href.replace(published["id"], item["id"]).replace(_date_token(old_day), _date_token(new_day))
    return href.replace(old_day.strftime("/%Y/%m/%d/"), new_day.strftime("/%Y/%m/%d/"))


def _file_path(spec: Spec, item: dict, key: str, asset: dict) -> str:
    """Path of an asset under the file server (relative)."""
    if spec.href_mode == "alternate":
        name = os.path.basename(asset["href"].split("?")[0])
        name = name.replace(_date_token(_item_day(real_item(spec))), _date_token(_item_day(item)))
        return f"odata/v1/Products({item['id']})/Nodes({name})/$value"
    extension = spec.extension if key in spec.assets else os.path.splitext(asset["href"].split("?")[0])[1] or ""
    return f"{item['id']}/{key}{extension}"


def _item_day(item: dict) -> dt.date:
    props = item["properties"]
    return _parse(props.get("datetime") or props["start_datetime"]).date()


def make_items(spec: Spec, file_url: str, gate_url: Optional[str] = None) -> List[dict]:
    """The published item and its dated copies, hrefs pointing at the loopback servers."""
    from urllib.parse import quote

    published = real_item(spec)
    old_day = _item_day(published)
    shifts = [(k - spec.before) * spec.day_step for k in range(DATES)]
    items = []
    for days in shifts:
        item = _copy_item(published, days)
        new_day = _item_day(item)
        for key, asset in item["assets"].items():
            if spec.href_mode == "alternate":
                asset["href"] = _dated_href(asset["href"], published, item, old_day, new_day)
                https = (asset.get("alternate") or {}).get("https")
                if https is not None:
                    https["href"] = f"{gate_url or file_url}/{quote(_file_path(spec, item, key, asset), safe='/()$')}"
            else:
                asset["href"] = f"{file_url}/{_file_path(spec, item, key, asset)}"
                for alternate in (asset.get("alternate") or {}).values():
                    if isinstance(alternate, dict) and "href" in alternate:
                        alternate["href"] = _dated_href(alternate["href"], published, item, old_day, new_day)
        items.append(item)
    return items


def _write_raster(path: Path, array: np.ndarray, res: float, window: Window, epsg: int, nodata, jp2: bool) -> None:
    import rasterio
    from rasterio.transform import from_origin

    path.parent.mkdir(parents=True, exist_ok=True)
    transform = from_origin(window.xmin, window.ymax, res, res)
    common = dict(width=array.shape[1], height=array.shape[0], count=1, dtype=array.dtype.name,
                  crs=f"EPSG:{epsg}", transform=transform)
    if jp2:
        # As CDSE serves them: JPEG 2000, lossless; nodata is stated by the item (no .aux.xml side-car)
        # (written under a .jp2 name, then renamed: the driver writes no georeferencing boxes otherwise)
        profile = dict(driver="JP2OpenJPEG", QUALITY="100", REVERSIBLE="YES", RESOLUTIONS="2", **common)
        temporary = path.with_name(path.name + ".tmp.jp2")
        with rasterio.Env(GDAL_PAM_ENABLED="NO"):
            with rasterio.open(temporary, "w", **profile) as dst:
                dst.write(array, 1)
        os.replace(temporary, path)
    else:
        profile = dict(driver="COG", nodata=nodata, compress="DEFLATE", predictor=2, blocksize=128,
                       overview_resampling="nearest", **common)
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(array, 1)


def nodata_of(spec: Spec, band: str):
    return 1 if band == "qa_pixel" else 0


def write_files(spec: Spec, items: Sequence[dict], window: Window, truth: Truth, files: Path) -> None:
    """Each needed asset of each item on the window, on the asset's own grid."""
    published = real_item(spec)
    for item, date in zip(items, truth.dates):
        for key, band in spec.assets.items():
            asset = published["assets"][key]
            res, x0, y0, _ = asset_grid(published, asset)
            window.offset(res, x0, y0)  # on the asset's grid
            array = truth.stored(band, date, res)
            if band == "scl":
                array = array.astype(np.uint8)
            relative = _file_path(spec, item, key, item["assets"][key])
            _write_raster(files / relative, array, res, window, asset_epsg(published, asset),
                          nodata_of(spec, band), spec.extension == ".jp2")


def collection_for(items: Sequence[dict]) -> dict:
    first = items[0]
    west = min(i["bbox"][0] for i in items)
    south = min(i["bbox"][1] for i in items)
    east = max(i["bbox"][2] for i in items)
    north = max(i["bbox"][3] for i in items)
    times = sorted(i["properties"].get("datetime") or i["properties"]["start_datetime"] for i in items)
    return {
        "type": "Collection", "stac_version": "1.0.0", "id": first["collection"],
        "description": f"Loopback copy of {first['collection']} (tests/real_catalogs.py)",
        "license": "proprietary", "links": [],
        "extent": {"spatial": {"bbox": [[west, south, east, north]]}, "temporal": {"interval": [[times[0], times[-1]]]}},
    }


def build(spec: Spec, directory: Path, files: Path, file_url: str, gate_url: Optional[str] = None) -> BuiltCatalog:
    """Write the catalog dir (collections/, items/) and the raster files of one catalog."""
    published = real_item(spec)
    window = choose_window(published, list(spec.assets))
    items = make_items(spec, file_url, gate_url)
    dates = [_item_day(i) for i in items]
    mask_key = next(k for k, b in spec.assets.items() if b == spec.mask_band)
    mask_res = asset_grid(published, published["assets"][mask_key])[0]
    truth = Truth(window, dates, spec.family, spec.convention, mask_res)
    stamp = files / "manifest.json"
    manifest = {"version": GENERATOR_VERSION, "window": [window.xmin, window.ymin, window.size],
                "files": sorted(_file_path(spec, i, k, i["assets"][k]) for i in items for k in spec.assets)}
    if not stamp.exists() or json.loads(stamp.read_text()) != manifest:
        shutil.rmtree(files, ignore_errors=True)
        write_files(spec, items, window, truth, files)
        stamp.write_text(json.dumps(manifest))
    (directory / "collections").mkdir(parents=True, exist_ok=True)
    (directory / "items").mkdir(parents=True, exist_ok=True)
    (directory / "collections" / f"{items[0]['collection']}.json").write_text(json.dumps(collection_for(items)))
    with open(directory / "items" / f"{spec.name}.ndjson", "w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item) + "\n")
    return BuiltCatalog(spec, window, truth, items, directory, files)


# --------------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------------


@dataclass
class RunningCatalog:
    built: BuiltCatalog
    api: object  # services.stac_api.StacApi
    files: object  # RangeHTTPServer
    gate: object = None  # services.token_server.LoopbackServer in front of the files (CDSE)

    def __getattr__(self, name):
        return getattr(self.built, name)

    @property
    def url(self) -> str:
        return self.api.url

    def stop(self) -> None:
        for server in (self.api, self.gate, self.files):
            if server is not None:
                server.stop()


class RealCatalogs:
    """Start each catalog's servers on first use; `stop()` stops them all."""

    def __init__(self, workdir: Optional[Path] = None, data_dir: Path = DATA_DIR):
        self.data_dir = Path(data_dir)
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="sits-real-catalogs-"))
        self._running: Dict[str, RunningCatalog] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> RunningCatalog:
        with self._lock:
            if name not in self._running:
                self._running[name] = self._start(SPECS[name])
            return self._running[name]

    def _start(self, spec: Spec) -> RunningCatalog:
        from services.stac_api import RangeHTTPServer, StacApi
        from services.token_server import LoopbackServer

        files_dir = self.data_dir / spec.name
        files_dir.mkdir(parents=True, exist_ok=True)
        files = RangeHTTPServer(files_dir).start()
        gate = api = None
        try:
            if spec.gated:
                gate = LoopbackServer("header", upstream=files.url, header=CDSE_HEADER).start()
            built = build(spec, self.workdir / spec.name, files_dir, files.url, gate.url if gate else None)
            api = StacApi(built.directory, cog_server=files).start()
        except BaseException:
            for server in (api, gate, files):
                if server is not None:
                    server.stop()
            raise
        return RunningCatalog(built, api, files, gate)

    def stop(self) -> None:
        with self._lock:
            running, self._running = self._running, {}
        for catalog in running.values():
            catalog.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "real-catalogs")
    for spec in SPECS.values():
        built = build(spec, target / spec.name, target / spec.name / "data", "http://127.0.0.1:8000",
                      "http://127.0.0.1:8001" if spec.gated else None)
        print(spec.name, built.window.aoi(), [d.isoformat() for d in built.dates])
