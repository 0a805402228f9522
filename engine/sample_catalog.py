"""A synthetic Sentinel-2 L2A and Landsat C2 L2 catalog whose truth is known.

Three overlapping tiles in UTM zone 31N, about two years of acquisitions on
both sides of processing baseline 04.00 (25 January 2022), ten- and
twenty-metre bands as uint16 Cloud-Optimized GeoTIFFs with nodata 0, an SCL
band with clouds, shadows, cirrus and snow, and four land-cover classes with
seasonal behaviour. Four catalog conventions are written:

* ``sentinel-2-l2a`` in the Planetary Computer style: asset keys ``B04``,
  ``SCL``…, ``s2:processing_baseline``, ``s2:mgrs_tile``; products from
  baseline 04.00 on (and older products reprocessed to 05.00) carry ESA's
  +1000 offset.
* ``earth-search-s2-l2a`` in the Earth Search style (one tile): asset keys
  by common name (``red``, ``nir``, ``scl``…), ``grid:code`` and
  ``earthsearch:boa_offset_applied``, true where the catalog already removed
  the offset.
* ``cdse-sentinel-2-l2a`` in the Copernicus Data Space Ecosystem style (one
  tile, 31TCJ, same dates and same DN as the PC collection, offset kept):
  STAC 1.1 items, ids with the baseline (``…_N0400_…``),
  ``processing:version``, ``grid:code``, ``product:type``; asset keys with
  the resolution (``B04_10m``, ``B04_20m``, ``B04_60m``, ``B8A_20m``,
  ``SCL_20m``, ``SCL_60m``…) carrying ``bands`` (``eo:common_name``),
  ``nodata``, ``data_type``, ``raster:scale``/``raster:offset`` (-0.1 from
  baseline 04.00, else 0.0) and ``proj:code`` (no ``proj:epsg``); the
  primary ``href`` is ``s3://eodata/…`` and ``alternate.https.href`` the
  file. Files are lossless JPEG 2000 (QUALITY=100, REVERSIBLE=YES) without
  nodata in the file (the item states it), laid out as in the SAFE product.
  Resolutions other than the band's own are aggregations of the truth:
  reflectance is the mean of the finer pixels rounded to the nearest integer
  (``np.rint``: halves to even), then encoded; SCL at 60 m takes the centre
  20 m pixel of each 3 × 3 block (nearest). See :meth:`SampleScene.cdse_stored`.
* ``landsat-c2-l2`` in the Planetary Computer Landsat Collection 2 Level-2
  style: one 30 m scene (WRS-2 197/030, 149 × 149 pixels from
  (300000, 4810230), aligned with the 10 m grid, a fill corner in the
  north-west) on every third Sentinel-2 date, Landsat 8 then Landsat 8/9
  alternating; assets ``blue``, ``green``, ``red``, ``nir08``, ``swir16``,
  ``swir22`` (uint16, nodata 0, DN = round((reflectance + 0.2) / 2.75e-05)
  clipped to 1-65535, ``raster:bands`` scale 2.75e-05 / offset -0.2) and
  ``qa_pixel`` (uint16, nodata 1, USGS bit flags, ``classification:bitfields``).
  Reflectance is the mean of the nine 10 m cells of the Sentinel-2 band
  with the same common name (red: B04, nir08: B8A, …; 20 m bands repeated
  onto 10 m first, i.e. an area-weighted mean), clouds included; qa_pixel
  comes from the nine cells' SCL (rules in :meth:`SampleScene.landsat_qa`).

Everything is a function of the global 10 m grid, so overlapping tiles agree
and tests can recompute what a cube must contain with :class:`SampleScene`.
Asset hrefs are relative to the catalog folder (CDSE: the https alternate);
a server rewrites them.

Run ``python -m sitscube.engine.sample_catalog OUTPUT_DIR`` to write it.
"""

import datetime as dt
import json
import math
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

EPSG = 32631
PIXEL = 10  # metres, the finest band
TILE_SIZE = 2560  # metres: 256 pixels at 10 m, 128 at 20 m
# Top-left corners (x, y) of the tiles on the global grid; overlaps of 640 m.
TILES: Dict[str, Tuple[int, int]] = {
    "31TCJ": (300000, 4810240),
    "31TDJ": (301920, 4810240),
    "31TCH": (300000, 4808320),
}
AREA_ORIGIN = (300000, 4810240)  # top-left of the global grid
AREA_SIZE = 4480  # metres, square
FIELD_SIZE = 160  # metres: land-cover units are aligned with the 20 m grid
BASELINE_DATE = dt.date(2022, 1, 25)
BOA_OFFSET = 1000

# name, common name, resolution, centre wavelength (µm), Earth Search key
BANDS = [
    ("B02", "blue", 10, 0.49, "blue"),
    ("B03", "green", 10, 0.56, "green"),
    ("B04", "red", 10, 0.665, "red"),
    ("B08", "nir", 10, 0.842, "nir"),
    ("B8A", "nir08", 20, 0.865, "nir08"),
    ("B11", "swir16", 20, 1.61, "swir16"),
    ("B12", "swir22", 20, 2.19, "swir22"),
]
SCL_KEY = "SCL"
CLASSES = {1: "water", 2: "forest", 3: "crops", 4: "urban"}

# SCL codes
SCL_NODATA, SCL_DEFECTIVE, SCL_SHADOW, SCL_VEGETATION, SCL_BARE, SCL_WATER = 0, 1, 3, 4, 5, 6
SCL_CLOUD_MEDIUM, SCL_CLOUD_HIGH, SCL_CIRRUS, SCL_SNOW = 8, 9, 10, 11

PC_COLLECTION = "sentinel-2-l2a"
ES_COLLECTION = "earth-search-s2-l2a"
ES_TILES = ("31TCJ",)

# ---- Copernicus Data Space Ecosystem convention
CDSE_COLLECTION = "cdse-sentinel-2-l2a"
CDSE_TILES = ("31TCJ",)
# asset key -> (band, resolution); 10 m only for B02/B03/B04/B08, as ESA ships them
CDSE_ASSETS: Dict[str, Tuple[str, int]] = {
    f"{band}_{resolution}m": (band, resolution)
    for band, resolution in [
        ("B02", 10), ("B03", 10), ("B04", 10), ("B08", 10),
        ("B02", 20), ("B03", 20), ("B04", 20), ("B8A", 20), ("B11", 20), ("B12", 20), ("SCL", 20),
        ("B04", 60), ("SCL", 60),
    ]
}
CDSE_TITLES = {
    "B02": "Blue (band 2)", "B03": "Green (band 3)", "B04": "Red (band 4)", "B08": "NIR 1 (band 8)",
    "B8A": "NIR 2 (band 8A)", "B11": "SWIR 1 (band 11)", "B12": "SWIR 2 (band 12)",
    "SCL": "Scene classification map (SCL)",
}
SCL_CLASSES = [
    "no_data", "saturated_or_defective", "dark_area_pixels", "cloud_shadows", "vegetation", "not_vegetated",
    "water", "unclassified", "cloud_medium_probability", "cloud_high_probability", "thin_cirrus", "snow",
]

# ---- Landsat Collection 2 Level-2 convention
LANDSAT_COLLECTION = "landsat-c2-l2"
LANDSAT_PIXEL = 30
LANDSAT_ORIGIN = (300000, 4810230)  # top-left: multiples of 30 m, on the 10 m grid, inside the area
LANDSAT_SIZE = 149  # pixels a side: 4470 m
LANDSAT_FILL_CORNER = 20  # pixels (row + col < 20) of fill in the north-west corner
LANDSAT_WRS = ("197", "030")  # WRS-2 path, row
LANDSAT_SCALE, LANDSAT_OFFSET = 2.75e-05, -0.2
LANDSAT_9_FROM = dt.date(2021, 11, 1)  # first Landsat 9 products
# asset key, Sentinel-2 band it is derived from, file suffix, OLI band, centre wavelength, FWHM, title, description
LANDSAT_BANDS = [
    ("blue", "B02", "SR_B2", "OLI_B2", 0.48, 0.06, "Blue Band", "Visible blue"),
    ("green", "B03", "SR_B3", "OLI_B3", 0.56, 0.06, "Green Band", "Visible green"),
    ("red", "B04", "SR_B4", "OLI_B4", 0.65, 0.04, "Red Band", "Visible red"),
    ("nir08", "B8A", "SR_B5", "OLI_B5", 0.87, 0.03, "Near Infrared Band 0.8", "Near infrared"),
    ("swir16", "B11", "SR_B6", "OLI_B6", 1.61, 0.09, "Short-wave Infrared Band 1.6", "Short-wave infrared"),
    ("swir22", "B12", "SR_B7", "OLI_B7", 2.2, 0.19, "Short-wave Infrared Band 2.2", "Short-wave infrared"),
]
LANDSAT_QA_KEY = "qa_pixel"
# qa_pixel bits (USGS Landsat 8-9 C2 L2) and the confidence pairs (low 1, high 3)
QA_FILL, QA_DILATED, QA_CIRRUS, QA_CLOUD, QA_SHADOW, QA_SNOW, QA_CLEAR, QA_WATER = (1 << b for b in range(8))
QA_CLOUD_CONFIDENCE, QA_SHADOW_CONFIDENCE, QA_SNOW_CONFIDENCE, QA_CIRRUS_CONFIDENCE = 8, 10, 12, 14  # offsets
QA_LOW = (1 << 8) | (1 << 10) | (1 << 12) | (1 << 14)  # every confidence low: 21760
QA_CLEAR_LAND = QA_LOW | QA_CLEAR  # 21824
QA_CLEAR_WATER = QA_LOW | QA_CLEAR | QA_WATER  # 21952
QA_CLOUD_HIGH = QA_LOW | QA_CLOUD | (3 << QA_CLOUD_CONFIDENCE)  # 22280
QA_DILATED_LAND = QA_LOW | QA_DILATED  # 21762
QA_SHADOW_HIGH = QA_LOW | QA_SHADOW | QA_CLEAR | (3 << QA_SHADOW_CONFIDENCE)  # 23888
QA_SNOW_HIGH = QA_LOW | QA_SNOW | QA_CLEAR | (3 << QA_SNOW_CONFIDENCE)  # 30048
QA_CIRRUS_HIGH = QA_LOW | QA_CIRRUS | QA_CLEAR | (3 << QA_CIRRUS_CONFIDENCE)  # 54596
QA_FILL_VALUE = 1


def band_resolution(band: str) -> int:
    return 20 if band == SCL_KEY else next(b[2] for b in BANDS if b[0] == band)


def default_dates() -> List[dt.date]:
    """28 acquisition dates, every 25 days, April 2021 to December 2022."""
    first = dt.date(2021, 4, 3)
    return [first + dt.timedelta(days=25 * i) for i in range(28)]


def processing_baseline(date: dt.date) -> str:
    """Baseline of the product as the catalog lists it.

    April-June 2021 products were reprocessed to baseline 05.00 and carry
    the offset although they predate 25 January 2022.
    """
    if dt.date(2021, 4, 1) <= date < dt.date(2021, 7, 1):
        return "05.00"
    if date < dt.date(2021, 7, 1) + dt.timedelta(days=90):
        return "03.00"
    if date < BASELINE_DATE:
        return "03.01"
    if date < dt.date(2022, 12, 6):
        return "04.00"
    return "05.09"


def has_offset(baseline: str) -> bool:
    return float(baseline) >= 4.0


@dataclass
class SampleScene:
    """The truth behind the sample catalog; arrays cover the global grid."""

    seed: int = 42
    dates: Optional[List[dt.date]] = None

    def __post_init__(self):
        self.dates = list(self.dates or default_dates())
        self._fields = self._make_fields()
        self._sowing = np.random.default_rng([self.seed, 7]).integers(60, 130, size=self._fields.shape)
        self._scl = {}  # date -> SCL: every band of a date needs it

    # ---- grid ------------------------------------------------------------
    def shape(self, resolution: int) -> Tuple[int, int]:
        n = AREA_SIZE // resolution
        return n, n

    def transform(self, resolution: int):
        from affine import Affine

        return Affine(resolution, 0, AREA_ORIGIN[0], 0, -resolution, AREA_ORIGIN[1])

    def window(self, tile: str, resolution: int) -> Tuple[slice, slice]:
        """Rows/cols of a tile on the global grid at a resolution."""
        x0, y0 = TILES[tile]
        row = (AREA_ORIGIN[1] - y0) // resolution
        col = (x0 - AREA_ORIGIN[0]) // resolution
        n = TILE_SIZE // resolution
        return slice(row, row + n), slice(col, col + n)

    def _field_index(self, resolution: int) -> Tuple[np.ndarray, np.ndarray]:
        rows, cols = self.shape(resolution)
        per_field = FIELD_SIZE // resolution
        return np.arange(rows)[:, None] // per_field, np.arange(cols)[None, :] // per_field

    # ---- land cover ------------------------------------------------------
    def _make_fields(self) -> np.ndarray:
        n = AREA_SIZE // FIELD_SIZE
        rng = np.random.default_rng([self.seed, 1])
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        classes = np.full((n, n), 3, dtype=np.uint8)  # crops
        classes[(i > 15) & (j < 12)] = 2  # a forest block in the south-west
        classes[(i < 8) & (j > 19)] = 4  # a town in the north-east
        noise = rng.random((n, n))
        classes[(classes == 3) & (noise < 0.08)] = 2  # woods among fields
        classes[(classes == 3) & (noise > 0.95)] = 4  # farms
        river = np.abs(j - (11 + 4 * np.sin(i / 4.0))) < 1.2
        classes[river] = 1
        classes[(i > 20) & (i < 24) & (j > 18) & (j < 23)] = 1  # a lake
        return classes

    def classes(self, resolution: int = PIXEL) -> np.ndarray:
        fi, fj = self._field_index(resolution)
        return self._fields[fi, fj]

    def fields_geojson(self) -> dict:
        """Land-cover truth as one square polygon per field (EPSG:32631)."""
        features = []
        n = self._fields.shape[0]
        for i in range(n):
            for j in range(n):
                x0 = AREA_ORIGIN[0] + j * FIELD_SIZE
                y0 = AREA_ORIGIN[1] - i * FIELD_SIZE
                ring = [[x0, y0], [x0 + FIELD_SIZE, y0], [x0 + FIELD_SIZE, y0 - FIELD_SIZE], [x0, y0 - FIELD_SIZE], [x0, y0]]
                code = int(self._fields[i, j])
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"field_id": i * n + j, "class_code": code, "class_name": CLASSES[code]},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                )
        return {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{EPSG}"}},
            "features": features,
        }

    # ---- reflectance -----------------------------------------------------
    def surface(self, band: str, date: dt.date) -> np.ndarray:
        """Cloud-free surface reflectance ×10000 (int32, may be slightly negative)."""
        resolution = band_resolution(band)
        index = [b[0] for b in BANDS].index(band)
        classes = self.classes(resolution)
        doy = date.timetuple().tm_yday
        leaf = 0.5 - 0.5 * math.cos(2 * math.pi * (doy - 15) / 365.25)
        fi, fj = self._field_index(resolution)
        t = doy - self._sowing[fi, fj]
        green = 1 / (1 + np.exp(-(t - 40) / 8.0)) - 1 / (1 + np.exp(-(t - 130) / 8.0))
        green = np.clip(green, 0, 1)
        #                 B02    B03    B04   B08   B8A   B11   B12
        water = np.array([700, 600, 400, 150, 120, 60, 20])
        forest_base = np.array([350, 550, 420, 2400, 2350, 1500, 700])
        forest_gain = np.array([0, 120, -160, 1100, 1050, -300, -250])
        crop_base = np.array([800, 1000, 1200, 2200, 2250, 2500, 1800])
        crop_gain = np.array([-500, -300, -900, 2300, 2200, -800, -900])
        urban = np.array([1300, 1400, 1500, 2000, 2050, 2400, 2100])
        value = np.zeros(classes.shape, dtype=np.float64)
        value[classes == 1] = water[index]
        value[classes == 2] = forest_base[index] + forest_gain[index] * leaf
        crops = classes == 3
        value[crops] = crop_base[index] + crop_gain[index] * green[crops]
        value[classes == 4] = urban[index]
        # Texture fixed in time, plus a little noise per date.
        texture = np.random.default_rng([self.seed, 2, index]).uniform(-0.04, 0.04, value.shape)
        jitter = np.random.default_rng([self.seed, 3, index, date.toordinal()]).normal(0, 15, value.shape)
        value = value * (1 + texture) + jitter
        dark = classes == 1
        if band == "B12":  # very dark water: truth dips below zero
            value[dark] = np.random.default_rng([self.seed, 4, date.toordinal()]).uniform(-30, 60, dark.sum())
        return np.rint(value).astype(np.int32)

    # ---- atmosphere ------------------------------------------------------
    def _cloud_discs(self, date: dt.date):
        rng = np.random.default_rng([self.seed, 5, date.toordinal()])
        i = self.dates.index(date)
        count = [0, 1, 2, 4, 1, 3, 0, 6][i % 8]  # clear, cloudy and overcast dates
        discs = []
        for _ in range(count):
            x = AREA_ORIGIN[0] + rng.uniform(0, AREA_SIZE)
            y = AREA_ORIGIN[1] - rng.uniform(0, AREA_SIZE)
            radius = rng.uniform(200, 900 if count < 6 else 1600)
            discs.append((x, y, radius))
        cirrus = None
        if i % 5 == 2:
            cirrus = (AREA_ORIGIN[1] - rng.uniform(500, AREA_SIZE - 500), rng.uniform(150, 400))
        return discs, cirrus

    def _centres(self, resolution: int):
        rows, cols = self.shape(resolution)
        x = AREA_ORIGIN[0] + (np.arange(cols) + 0.5) * resolution
        y = AREA_ORIGIN[1] - (np.arange(rows) + 0.5) * resolution
        return np.meshgrid(x, y)

    def is_snow_date(self, date: dt.date) -> bool:
        return date == min(self.dates, key=lambda d: abs((d - dt.date(2022, 2, 1)).days))

    def scl(self, date: dt.date) -> np.ndarray:
        """Scene classification on the 20 m global grid (before nodata); a read-only array."""
        if date not in self._scl:
            scl = self._make_scl(date)
            scl.flags.writeable = False
            self._scl[date] = scl
        return self._scl[date]

    def _make_scl(self, date: dt.date) -> np.ndarray:
        resolution = 20
        xx, yy = self._centres(resolution)
        classes = self.classes(resolution)
        scl = np.full(classes.shape, SCL_VEGETATION, dtype=np.uint8)
        scl[classes == 1] = SCL_WATER
        scl[classes == 4] = SCL_BARE
        if self.is_snow_date(date):
            scl[(classes == 2) | (classes == 3)] = SCL_SNOW
        discs, cirrus = self._cloud_discs(date)
        if cirrus is not None:
            centre, half_width = cirrus
            scl[np.abs(yy - centre) < half_width] = SCL_CIRRUS
        for x, y, radius in discs:  # shadows fall north-west of their cloud
            shadow = np.hypot(xx - (x - 0.6 * radius), yy - (y + 0.6 * radius)) < 0.8 * radius
            scl[shadow] = SCL_SHADOW
        for x, y, radius in discs:
            distance = np.hypot(xx - x, yy - y)
            scl[distance < radius] = SCL_CLOUD_MEDIUM
        for x, y, radius in discs:
            distance = np.hypot(xx - x, yy - y)
            scl[distance < 0.7 * radius] = SCL_CLOUD_HIGH
        return scl

    def observed(self, band: str, date: dt.date) -> np.ndarray:
        """What the sensor sees (int32): the surface under clouds, shadows, cirrus and snow."""
        resolution = band_resolution(band)
        value = self.surface(band, date).astype(np.float64)
        scl = self.scl(date)
        if resolution == 10:
            scl = np.repeat(np.repeat(scl, 2, axis=0), 2, axis=1)
        index = [b[0] for b in BANDS].index(band)
        brightness = [11500, 11800, 12000, 11000, 10800, 6000, 4000][index]  # above 1.0 in the visible
        xx, yy = self._centres(resolution)
        discs, _ = self._cloud_discs(date)
        core = np.zeros(value.shape)
        for x, y, radius in discs:
            closeness = np.clip(1 - np.hypot(xx - x, yy - y) / radius, 0, 1)
            core = np.maximum(core, closeness)
        high = scl == SCL_CLOUD_HIGH
        value[high] = brightness * (0.7 + 0.3 * core[high])
        medium = scl == SCL_CLOUD_MEDIUM
        value[medium] = 0.5 * value[medium] + 0.5 * brightness * 0.6
        value[scl == SCL_SHADOW] *= 0.35
        value[scl == SCL_CIRRUS] += [900, 850, 800, 600, 600, 300, 200][index]
        snow = scl == SCL_SNOW
        value[snow] = [10400, 10600, 10800, 9800, 9600, 1500, 1100][index] + 0.0 * value[snow]
        value[snow] += np.random.default_rng([self.seed, 6, index]).uniform(0, 400, snow.sum())
        return np.rint(value).astype(np.int32)

    # ---- what the catalog stores ----------------------------------------
    def coverage(self, tile: str, resolution: int) -> np.ndarray:
        """True where the tile has data (on the tile's own grid)."""
        n = TILE_SIZE // resolution
        rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        if tile == "31TDJ":  # the edge of the swath crosses this tile
            scale = 10 / resolution
            return (cols + 0.5 * rows) < 300 * scale
        return np.ones((n, n), dtype=bool)

    def coverage_global(self, resolution: int) -> np.ndarray:
        covered = np.zeros(self.shape(resolution), dtype=bool)
        for tile in TILES:
            covered[self.window(tile, resolution)] |= self.coverage(tile, resolution)
        return covered

    @staticmethod
    def encode(observed: np.ndarray, offset: bool) -> np.ndarray:
        """DN as stored: +1000 where ESA adds the offset, clamped to 1-65535 (0 is nodata)."""
        return np.clip(observed + (BOA_OFFSET if offset else 0), 1, 65535).astype(np.uint16)

    def stored(self, band: str, date: dt.date, offset: bool) -> np.ndarray:
        """Global-grid DN of a band as a product with/without offset stores it (nodata 0)."""
        resolution = band_resolution(band)
        if band == SCL_KEY:
            value = self.scl(date)
        else:
            value = self.encode(self.observed(band, date), offset)
        return self.masked(value, resolution)

    def masked(self, value: np.ndarray, resolution: int) -> np.ndarray:
        """A global-grid array with 0 where no tile has data."""
        return np.where(self.coverage_global(resolution), value, 0).astype(value.dtype)

    # ---- other resolutions (CDSE's B04_20m, B04_60m, SCL_60m) ---------------
    @staticmethod
    def downsample(values: np.ndarray, band: str, resolution: int) -> np.ndarray:
        """A band's global-grid array on a coarser grid (a multiple of its own resolution).

        Reflectance: the mean of the finer pixels, rounded with ``np.rint``
        (halves to even), int32. SCL: nearest, the centre pixel of each block.
        Finer pixels beyond the last whole block are dropped (60 m: 74 pixels
        cover 4440 of the area's 4480 m).
        """
        native = band_resolution(band)
        if resolution == native:
            return values
        if resolution % native:
            raise ValueError(f"{band}: {resolution} m is not a multiple of {native} m")
        factor = resolution // native
        n = AREA_SIZE // resolution
        if band == SCL_KEY:
            return values[factor // 2::factor, factor // 2::factor][:n, :n]
        blocks = values[: n * factor, : n * factor].astype(np.float64).reshape(n, factor, n, factor)
        return np.rint(blocks.mean(axis=(1, 3))).astype(np.int32)

    def observed_at(self, band: str, date: dt.date, resolution: int) -> np.ndarray:
        """:meth:`observed` (or SCL) on the global grid at a resolution (see :meth:`downsample`)."""
        values = self.scl(date) if band == SCL_KEY else self.observed(band, date)
        return self.downsample(values, band, resolution)

    def stored_at(self, band: str, date: dt.date, offset: bool, resolution: int) -> np.ndarray:
        """:meth:`stored` at another resolution: aggregate the observed values, then encode and mask."""
        value = self.observed_at(band, date, resolution)
        if band != SCL_KEY:
            value = self.encode(value, offset)
        return self.masked(value, resolution)

    def cdse_stored(self, key: str, date: dt.date, tile: str = "31TCJ") -> np.ndarray:
        """What the CDSE file of an asset key (``B04_20m``…) holds on the tile's own grid (0: no data)."""
        band, resolution = CDSE_ASSETS[key]
        offset = band != SCL_KEY and has_offset(processing_baseline(date))
        window = self.window(tile, resolution)
        return np.where(self.coverage(tile, resolution), self.stored_at(band, date, offset, resolution)[window], 0)

    # ---- Landsat (30 m, from the 10 m cells) ------------------------------
    def landsat_dates(self) -> List[dt.date]:
        """Every third Sentinel-2 date (same day, so the same sky): clear, cloudy, overcast and snow dates."""
        return [d for i, d in enumerate(self.dates) if i % 3 == 0]

    def landsat_transform(self):
        from affine import Affine

        return Affine(LANDSAT_PIXEL, 0, LANDSAT_ORIGIN[0], 0, -LANDSAT_PIXEL, LANDSAT_ORIGIN[1])

    def landsat_valid(self) -> np.ndarray:
        """False on the scene's fill (qa_pixel 1, SR 0): a triangle in the north-west corner."""
        rows, cols = np.meshgrid(np.arange(LANDSAT_SIZE), np.arange(LANDSAT_SIZE), indexing="ij")
        return (rows + cols) >= LANDSAT_FILL_CORNER

    @staticmethod
    def landsat_cells(values: np.ndarray) -> np.ndarray:
        """(149, 3, 149, 3) view of a 10 m global-grid array: the nine 10 m cells of each 30 m pixel."""
        k = LANDSAT_PIXEL // PIXEL
        row = (AREA_ORIGIN[1] - LANDSAT_ORIGIN[1]) // PIXEL
        col = (LANDSAT_ORIGIN[0] - AREA_ORIGIN[0]) // PIXEL
        n = LANDSAT_SIZE * k
        return values[row: row + n, col: col + n].reshape(LANDSAT_SIZE, k, LANDSAT_SIZE, k)

    @staticmethod
    def _to_10m(values: np.ndarray, resolution: int) -> np.ndarray:
        factor = resolution // PIXEL
        return values if factor == 1 else np.repeat(np.repeat(values, factor, axis=0), factor, axis=1)

    @staticmethod
    def landsat_band(common_name: str) -> str:
        """The Sentinel-2 band a Landsat asset is derived from (red: B04, nir08: B8A…)."""
        return next(b[1] for b in LANDSAT_BANDS if b[0] == common_name)

    def _landsat_reflectance(self, observed: np.ndarray, band: str) -> np.ndarray:
        cells = self.landsat_cells(self._to_10m(observed, band_resolution(band)))
        return cells.astype(np.float64).mean(axis=(1, 3)) / 10000.0

    def landsat_reflectance(self, common_name: str, date: dt.date) -> np.ndarray:
        """Reflectance (float64, 149 × 149) a Landsat band sees, clouds included, fill not masked.

        The mean of the nine 10 m cells of :meth:`observed` for the Sentinel-2
        band with the same common name (20 m bands repeated onto 10 m first),
        divided by 10000.
        """
        band = self.landsat_band(common_name)
        return self._landsat_reflectance(self.observed(band, date), band)

    def landsat_encode(self, reflectance: np.ndarray) -> np.ndarray:
        """Landsat C2 L2 DN: round((reflectance + 0.2) / 2.75e-05), clipped to 1-65535; 0 on the fill."""
        dn = np.clip(np.rint((reflectance - LANDSAT_OFFSET) / LANDSAT_SCALE), 1, 65535).astype(np.uint16)
        return np.where(self.landsat_valid(), dn, 0).astype(np.uint16)

    def landsat_stored(self, common_name: str, date: dt.date) -> np.ndarray:
        """The DN a Landsat SR file holds (nodata 0)."""
        return self.landsat_encode(self.landsat_reflectance(common_name, date))

    def landsat_qa(self, date: dt.date) -> np.ndarray:
        """qa_pixel (uint16, 149 × 149) from the SCL of the nine 10 m cells of each 30 m pixel.

        Rules (every confidence pair starts low, 01):
        * cloud (bit 3, cloud confidence high): any cell SCL 8 or 9;
        * cirrus (bit 2, cirrus confidence high): any cell SCL 10;
        * cloud shadow (bit 4, shadow confidence high): any cell SCL 3;
        * snow (bit 5, snow confidence high): any cell SCL 11;
        * dilated cloud (bit 1): not cloud, and one of the 8 neighbouring 30 m
          pixels (fill excluded) is cloud;
        * clear (bit 6): neither cloud nor dilated cloud (so shadow, snow and
          cirrus pixels are "clear", as USGS sets it);
        * water (bit 7): at least 5 of the 9 cells SCL 6 and not cloud;
        * fill: the value 1 alone (see :meth:`landsat_valid`).
        Hence clear land 21824, clear water 21952, cloud 22280, dilated cloud
        21762, shadow 23888, snow 30048, cirrus 54596.
        """
        cells = self.landsat_cells(self._to_10m(self.scl(date), 20))

        def any_cell(*codes):
            return np.isin(cells, codes).any(axis=(1, 3))

        valid = self.landsat_valid()
        cloud = any_cell(SCL_CLOUD_MEDIUM, SCL_CLOUD_HIGH) & valid
        cirrus = any_cell(SCL_CIRRUS)
        shadow = any_cell(SCL_SHADOW)
        snow = any_cell(SCL_SNOW)
        water = ((cells == SCL_WATER).sum(axis=(1, 3)) >= 5) & ~cloud
        padded = np.pad(cloud, 1)
        near = np.zeros_like(cloud)
        for dy in range(3):
            for dx in range(3):
                near |= padded[dy: dy + LANDSAT_SIZE, dx: dx + LANDSAT_SIZE]
        dilated = near & ~cloud
        qa = np.full(cloud.shape, QA_LOW, dtype=np.uint16)
        qa[cloud] |= QA_CLOUD | (3 << QA_CLOUD_CONFIDENCE)
        qa[cirrus] |= QA_CIRRUS | (3 << QA_CIRRUS_CONFIDENCE)
        qa[shadow] |= QA_SHADOW | (3 << QA_SHADOW_CONFIDENCE)
        qa[snow] |= QA_SNOW | (3 << QA_SNOW_CONFIDENCE)
        qa[dilated] |= QA_DILATED
        qa[~(cloud | dilated)] |= QA_CLEAR
        qa[water] |= QA_WATER
        qa[~valid] = QA_FILL_VALUE
        return qa


# ---- writing the catalog ---------------------------------------------------
def _write_cog(path: str, array: np.ndarray, transform, nodata=0) -> None:
    import rasterio

    os.makedirs(os.path.dirname(path), exist_ok=True)
    profile = dict(
        driver="COG", width=array.shape[1], height=array.shape[0], count=1, dtype=array.dtype.name,
        crs=f"EPSG:{EPSG}", transform=transform, nodata=nodata, compress="DEFLATE",
        predictor=2, blocksize=128, overview_resampling="nearest",
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array, 1)


def _write_jp2(path: str, array: np.ndarray, transform) -> None:
    """Lossless JPEG 2000 as ESA ships it: no nodata in the file (the item states it), no side-car."""
    import rasterio

    os.makedirs(os.path.dirname(path), exist_ok=True)
    profile = dict(
        driver="JP2OpenJPEG", width=array.shape[1], height=array.shape[0], count=1, dtype=array.dtype.name,
        crs=f"EPSG:{EPSG}", transform=transform, QUALITY="100", REVERSIBLE="YES",
    )
    with rasterio.Env(GDAL_PAM_ENABLED="NO"):
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(array, 1)


def _lonlat_polygon(points: List[Tuple[float, float]]) -> Tuple[dict, List[float]]:
    """A UTM 31N ring (x, y) as a lon/lat polygon, and its bbox."""
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(EPSG, 4326, always_xy=True)
    ring = [list(to_lonlat.transform(x, y)) for x, y in points]
    ring = [[round(lon, 7), round(lat, 7)] for lon, lat in ring]
    ring.append(ring[0])
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return {"type": "Polygon", "coordinates": [ring]}, [min(lons), min(lats), max(lons), max(lats)]


def _footprint_lonlat(scene: SampleScene, tile: str) -> Tuple[dict, List[float]]:
    """Valid-data footprint of a tile as a lon/lat polygon, and its bbox."""
    from pyproj import Transformer

    x0, y0 = TILES[tile]
    if tile == "31TDJ":  # valid where dx + 0.5 dy < 3000 m (see SampleScene.coverage)
        corners = [(0, 0), (TILE_SIZE, 0), (TILE_SIZE, 880), (3000 - 0.5 * TILE_SIZE, TILE_SIZE), (0, TILE_SIZE)]
    else:
        corners = [(0, 0), (TILE_SIZE, 0), (TILE_SIZE, TILE_SIZE), (0, TILE_SIZE)]
    to_lonlat = Transformer.from_crs(EPSG, 4326, always_xy=True)
    ring = [list(to_lonlat.transform(x0 + dx, y0 - dy)) for dx, dy in corners]
    ring = [[round(lon, 7), round(lat, 7)] for lon, lat in ring]
    ring.append(ring[0])
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return {"type": "Polygon", "coordinates": [ring]}, [min(lons), min(lats), max(lons), max(lats)]


def _asset(href: str, key: str, resolution: int, tile: str, eo_band: Optional[dict], offset: Optional[bool]) -> dict:
    x0, y0 = TILES[tile]
    n = TILE_SIZE // resolution
    asset = {
        "href": href,
        "type": "image/tiff; application=geotiff; profile=cloud-optimized",
        "title": key,
        "roles": ["data"],
        "proj:shape": [n, n],
        "proj:transform": [resolution, 0, x0, 0, -resolution, y0],
        "gsd": resolution,
    }
    if eo_band is None:  # SCL
        asset["raster:bands"] = [{"nodata": 0, "data_type": "uint8", "spatial_resolution": resolution}]
    else:
        asset["eo:bands"] = [eo_band]
        asset["raster:bands"] = [
            {
                "nodata": 0, "data_type": "uint16", "spatial_resolution": resolution,
                "scale": 0.0001, "offset": -0.1 if offset else 0.0,
            }
        ]
    return asset


def _item_datetime(date: dt.date) -> str:
    return f"{date.isoformat()}T10:56:21.024000Z"


def _cloud_cover(scene: SampleScene, tile: str, date: dt.date) -> float:
    scl = scene.scl(date)[scene.window(tile, 20)]
    valid = scene.coverage(tile, 20)
    cloudy = np.isin(scl, [SCL_CLOUD_MEDIUM, SCL_CLOUD_HIGH, SCL_CIRRUS]) & valid
    return round(100.0 * cloudy.sum() / valid.sum(), 2)


STAC_EXTENSIONS = [
    "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
    "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
    "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
    "https://stac-extensions.github.io/sat/v1.0.0/schema.json",
]


def _pc_item(scene, tile, date, index, hrefs) -> dict:
    baseline = processing_baseline(date)
    offset = has_offset(baseline)
    platform = "Sentinel-2A" if index % 2 == 0 else "Sentinel-2B"
    stamp = date.strftime("%Y%m%d")
    item_id = f"S2{platform[-1]}_MSIL2A_{stamp}T105621_R051_T{tile}_{stamp}T160000"
    geometry, bbox = _footprint_lonlat(scene, tile)
    assets = {}
    for name, common, resolution, wavelength, _ in BANDS:
        eo_band = {"name": name, "common_name": common, "center_wavelength": wavelength}
        assets[name] = _asset(hrefs[name], name, resolution, tile, eo_band, offset)
    assets[SCL_KEY] = _asset(hrefs[SCL_KEY], SCL_KEY, 20, tile, None, None)
    return {
        "type": "Feature", "stac_version": "1.0.0", "stac_extensions": STAC_EXTENSIONS,
        "id": item_id, "collection": PC_COLLECTION, "geometry": geometry, "bbox": bbox,
        "properties": {
            "datetime": _item_datetime(date), "platform": platform, "constellation": "Sentinel 2",
            "instruments": ["msi"], "eo:cloud_cover": _cloud_cover(scene, tile, date),
            "s2:processing_baseline": baseline, "s2:mgrs_tile": tile, "s2:product_type": "S2MSI2A",
            "sat:relative_orbit": 51, "sat:orbit_state": "descending", "proj:epsg": EPSG,
        },
        "links": [], "assets": assets,
    }


def _es_item(scene, tile, date, index, hrefs) -> dict:
    baseline = processing_baseline(date)
    offset_applied = has_offset(baseline)  # Earth Search removed it: data has no offset
    platform = "sentinel-2a" if index % 2 == 0 else "sentinel-2b"
    geometry, bbox = _footprint_lonlat(scene, tile)
    assets = {}
    for name, common, resolution, wavelength, key in BANDS:
        eo_band = {"name": key, "common_name": common, "center_wavelength": wavelength}
        assets[key] = _asset(hrefs[key], key, resolution, tile, eo_band, False)
    assets["scl"] = _asset(hrefs["scl"], "scl", 20, tile, None, None)
    return {
        "type": "Feature", "stac_version": "1.0.0", "stac_extensions": STAC_EXTENSIONS,
        "id": f"S2{platform[-1].upper()}_{tile}_{date.strftime('%Y%m%d')}_0_L2A",
        "collection": ES_COLLECTION, "geometry": geometry, "bbox": bbox,
        "properties": {
            "datetime": _item_datetime(date), "platform": platform, "constellation": "sentinel-2",
            "instruments": ["msi"], "eo:cloud_cover": _cloud_cover(scene, tile, date),
            "s2:processing_baseline": baseline, "earthsearch:boa_offset_applied": offset_applied,
            "grid:code": f"MGRS-{tile}", "mgrs:utm_zone": int(tile[:2]), "mgrs:latitude_band": tile[2],
            "mgrs:grid_square": tile[3:], "proj:epsg": EPSG,
        },
        "links": [], "assets": assets,
    }


CDSE_STAC_EXTENSIONS = [
    "https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json",
    "https://stac-extensions.github.io/authentication/v1.1.0/schema.json",
    "https://stac-extensions.github.io/classification/v2.0.0/schema.json",
    "https://stac-extensions.github.io/eo/v2.0.0/schema.json",
    "https://stac-extensions.github.io/file/v2.1.0/schema.json",
    "https://stac-extensions.github.io/grid/v1.1.0/schema.json",
    "https://stac-extensions.github.io/processing/v1.2.0/schema.json",
    "https://stac-extensions.github.io/product/v0.1.0/schema.json",
    "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
    "https://stac-extensions.github.io/raster/v2.0.0/schema.json",
    "https://stac-extensions.github.io/sat/v1.1.0/schema.json",
    "https://stac-extensions.github.io/storage/v2.0.0/schema.json",
]


def cdse_product_id(tile: str, date: dt.date, index: int) -> str:
    """S2A_MSIL2A_20220128T105621_N0400_R051_T31TCJ_20220128T160000: the baseline is in _Nxxxx_."""
    stamp = date.strftime("%Y%m%d")
    unit = "A" if index % 2 == 0 else "B"
    baseline = processing_baseline(date).replace(".", "")
    return f"S2{unit}_MSIL2A_{stamp}T105621_N{baseline}_R051_T{tile}_{stamp}T160000"


def cdse_paths(tile: str, date: dt.date, index: int, key: str) -> Tuple[str, str]:
    """(s3:// href, path inside the SAFE product) of a CDSE asset; the file is data/cdse/<path>."""
    band, resolution = CDSE_ASSETS[key]
    product = cdse_product_id(tile, date, index)
    stamp = date.strftime("%Y%m%d")
    granule = f"L2A_T{tile}_A{30000 + index:06d}_{stamp}T105621"
    local = f"{product}.SAFE/GRANULE/{granule}/IMG_DATA/R{resolution}m/T{tile}_{stamp}T105621_{key}.jp2"
    return f"s3://eodata/Sentinel-2/MSI/L2A/{date.strftime('%Y/%m/%d')}/{local}", local


def _cdse_asset(tile, date, index, key, offset: bool) -> dict:
    band, resolution = CDSE_ASSETS[key]
    s3, local = cdse_paths(tile, date, index, key)
    x0, y0 = TILES[tile]
    n = TILE_SIZE // resolution
    sampling = "sampling:original" if resolution == band_resolution(band) else "sampling:downsampled"
    asset = {"href": s3}
    if band != SCL_KEY:
        _, common, _, wavelength, _ = next(b for b in BANDS if b[0] == band)
        asset["bands"] = [
            {"description": CDSE_TITLES[band], "eo:center_wavelength": wavelength, "name": band, "eo:common_name": common}
        ]
    asset.update({
        "alternate": {
            "https": {"href": f"data/cdse/{local}", "auth:refs": ["oidc"], "storage:refs": [], "alternate:name": "HTTPS"}
        },
        "proj:bbox": [x0, y0 - n * resolution, x0 + n * resolution, y0],
        "proj:code": f"EPSG:{EPSG}",
        "proj:transform": [resolution, 0, x0, 0, -resolution, y0],
        "file:local_path": local,
        "gsd": resolution,
        "type": "image/jp2",
        "roles": ["data", "reflectance", sampling, f"gsd:{resolution}m"] if band != SCL_KEY
        else ["data", sampling, f"gsd:{resolution}m"],
        "title": f"{CDSE_TITLES[band]} - {resolution}m",
        "nodata": 0,
        "auth:refs": ["s3"],
        "data_type": "uint8" if band == SCL_KEY else "uint16",
        "proj:shape": [n, n],
    })
    if band == SCL_KEY:
        asset["classification:classes"] = [
            dict({"name": name, "value": value}, **({"nodata": True} if value == 0 else {}))
            for value, name in enumerate(SCL_CLASSES)
        ]
    else:
        asset["raster:scale"] = 0.0001
        asset["raster:offset"] = -0.1 if offset else 0.0
    asset.update({"storage:refs": ["cdse-s3"], "alternate:name": "S3"})
    return asset


def _cdse_item(scene, tile, date, index) -> dict:
    baseline = processing_baseline(date)
    offset = has_offset(baseline)
    platform = "sentinel-2a" if index % 2 == 0 else "sentinel-2b"
    geometry, bbox = _footprint_lonlat(scene, tile)
    scl = scene.scl(date)[scene.window(tile, 20)][scene.coverage(tile, 20)]
    stamp = _item_datetime(date)
    return {
        "type": "Feature", "stac_version": "1.1.0", "stac_extensions": CDSE_STAC_EXTENSIONS,
        "id": cdse_product_id(tile, date, index), "collection": CDSE_COLLECTION,
        "geometry": geometry, "bbox": bbox, "links": [],
        "assets": {key: _cdse_asset(tile, date, index, key, offset) for key in CDSE_ASSETS},
        "properties": {
            "gsd": 10, "datetime": stamp, "start_datetime": stamp, "end_datetime": stamp,
            "platform": platform, "constellation": "sentinel-2", "instruments": ["msi"],
            "grid:code": f"MGRS-{tile}", "product:type": "S2MSI2A", "processing:level": "L2",
            "processing:version": baseline, "processing:facility": "ESA",
            "eo:cloud_cover": _cloud_cover(scene, tile, date),
            "eo:snow_cover": round(100.0 * float(np.mean(scl == SCL_SNOW)), 2),
            "sat:relative_orbit": 51, "sat:absolute_orbit": 30000 + index, "sat:orbit_state": "descending",
            "auth:schemes": {
                "s3": {"type": "s3"},
                "oidc": {
                    "type": "openIdConnect",
                    "openIdConnectUrl": "https://identity.dataspace.copernicus.eu/auth/realms/CDSE/.well-known/openid-configuration",
                },
            },
            "storage:schemes": {
                "cdse-s3": {"type": "custom-s3", "title": "Copernicus Data Space Ecosystem S3",
                            "platform": "https://eodata.dataspace.copernicus.eu", "requester_pays": False},
            },
        },
    }


LANDSAT_STAC_EXTENSIONS = [
    "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
    "https://stac-extensions.github.io/eo/v1.0.0/schema.json",
    "https://stac-extensions.github.io/view/v1.0.0/schema.json",
    "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
    "https://landsat.usgs.gov/stac/landsat-extension/v1.1.1/schema.json",
    "https://stac-extensions.github.io/classification/v1.0.0/schema.json",
]
_CONFIDENCE = {
    "cloud": ["low", "medium", "high"], "cloud_shadow": ["low", "reserved", "high"],
    "snow": ["low", "reserved", "high"], "cirrus": ["low", "reserved", "high"],
}
QA_BITFIELDS = [
    {"name": name, "length": 1, "offset": bit, "description": description,
     "classes": [{"name": f"not_{short}", "value": 0}, {"name": short, "value": 1}]}
    for bit, (name, short, description) in enumerate([
        ("fill", "fill", "Image or fill data"), ("dilated_cloud", "dilated", "Dilated cloud"),
        ("cirrus", "cirrus", "Cirrus mask"), ("cloud", "cloud", "Cloud mask"),
        ("cloud_shadow", "shadow", "Cloud shadow mask"), ("snow", "snow", "Snow/Ice mask"),
        ("clear", "clear", "Clear mask"), ("water", "water", "Water mask"),
    ])
] + [
    {"name": f"{name}_confidence", "length": 2, "offset": offset, "description": f"{name} confidence levels",
     "classes": [{"name": "not_set", "value": 0}] + [{"name": c, "value": v + 1} for v, c in enumerate(_CONFIDENCE[name])]}
    for name, offset in (("cloud", 8), ("cloud_shadow", 10), ("snow", 12), ("cirrus", 14))
]


def landsat_platform(date: dt.date, index: int) -> str:
    """Landsat 8, then Landsat 8 and 9 alternating from November 2021 (index: among the Landsat dates)."""
    return "landsat-9" if date >= LANDSAT_9_FROM and index % 2 == 1 else "landsat-8"


def landsat_product_id(date: dt.date, index: int) -> str:
    """LC08_L2SP_197030_20210403_20210411_02_T1 (acquired, processed 8 days later)."""
    sensor = "LC09" if landsat_platform(date, index) == "landsat-9" else "LC08"
    processed = date + dt.timedelta(days=8)
    return f"{sensor}_L2SP_{''.join(LANDSAT_WRS)}_{date:%Y%m%d}_{processed:%Y%m%d}_02_T1"


def landsat_folder(date: dt.date, index: int) -> str:
    path, row = LANDSAT_WRS
    return f"data/landsat/oli-tirs/{date.year}/{path}/{row}/{landsat_product_id(date, index)}"


def _landsat_footprint() -> Tuple[dict, List[float]]:
    """The valid part of the scene (the fill corner cut along row + col = 20.5 pixels)."""
    x0, y0 = LANDSAT_ORIGIN
    side = LANDSAT_SIZE * LANDSAT_PIXEL
    cut = (LANDSAT_FILL_CORNER + 0.5) * LANDSAT_PIXEL
    return _lonlat_polygon([(x0 + cut, y0), (x0 + side, y0), (x0 + side, y0 - side), (x0, y0 - side), (x0, y0 - cut)])


def _landsat_item(date: dt.date, index: int, qa: np.ndarray, valid: np.ndarray) -> dict:
    product = landsat_product_id(date, index)
    platform = landsat_platform(date, index)
    folder = landsat_folder(date, index)
    geometry, bbox = _landsat_footprint()
    cloudy = (qa & (QA_CLOUD | QA_CIRRUS)) != 0
    cloud_cover = round(100.0 * float(cloudy[valid].mean()), 2)
    land = valid & ((qa & QA_WATER) == 0)
    assets = {}
    for key, _, suffix, oli, wavelength, fwhm, title, description in LANDSAT_BANDS:
        assets[key] = {
            "href": f"{folder}/{product}_{suffix}.TIF",
            "eo:bands": [{"name": oli, "center_wavelength": wavelength, "full_width_half_max": fwhm,
                          "common_name": key, "description": description}],
            "description": f"Collection 2 Level-2 {title} ({suffix}) Surface Reflectance",
            "type": "image/tiff; application=geotiff; profile=cloud-optimized",
            "roles": ["data", "reflectance"], "title": title,
            "raster:bands": [{"scale": LANDSAT_SCALE, "nodata": 0, "offset": LANDSAT_OFFSET,
                              "data_type": "uint16", "spatial_resolution": LANDSAT_PIXEL}],
        }
    assets[LANDSAT_QA_KEY] = {
        "href": f"{folder}/{product}_QA_PIXEL.TIF",
        "classification:bitfields": QA_BITFIELDS,
        "type": "image/tiff; application=geotiff; profile=cloud-optimized",
        "roles": ["cloud", "cloud-shadow", "snow-ice", "water-mask"],
        "title": "Pixel Quality Assessment Band",
        "description": "Collection 2 Level-1 Pixel Quality Assessment Band (QA_PIXEL)",
        "raster:bands": [{"unit": "bit index", "nodata": 1, "data_type": "uint16",
                          "spatial_resolution": LANDSAT_PIXEL}],
    }
    path, row = LANDSAT_WRS
    return {
        "type": "Feature", "stac_version": "1.0.0", "stac_extensions": LANDSAT_STAC_EXTENSIONS,
        "id": product, "collection": LANDSAT_COLLECTION, "geometry": geometry, "bbox": bbox, "links": [],
        "assets": assets,
        "properties": {
            "gsd": LANDSAT_PIXEL, "datetime": f"{date.isoformat()}T10:31:47.123456Z", "platform": platform,
            "proj:epsg": EPSG, "proj:shape": [LANDSAT_SIZE, LANDSAT_SIZE],
            "proj:transform": [float(LANDSAT_PIXEL), 0.0, float(LANDSAT_ORIGIN[0]),
                               0.0, -float(LANDSAT_PIXEL), float(LANDSAT_ORIGIN[1])],
            "description": "Landsat Collection 2 Level-2", "instruments": ["oli", "tirs"],
            "eo:cloud_cover": cloud_cover, "view:off_nadir": 0,
            "landsat:wrs_row": row, "landsat:wrs_path": path, "landsat:wrs_type": "2",
            "landsat:scene_id": f"LC{product[3]}{path}{row}{date.year}{date.timetuple().tm_yday:03d}LGN00",
            "landsat:correction": "L2SP",
            "landsat:cloud_cover_land": round(100.0 * float(cloudy[land].mean()), 2) if land.any() else 0.0,
            "landsat:collection_number": "02", "landsat:collection_category": "T1",
        },
    }


def _collection(collection_id: str, description: str, items: List[dict], summaries: dict,
                title: Optional[str] = None, stac_version: str = "1.0.0") -> dict:
    west = min(i["bbox"][0] for i in items)
    south = min(i["bbox"][1] for i in items)
    east = max(i["bbox"][2] for i in items)
    north = max(i["bbox"][3] for i in items)
    times = sorted(i["properties"]["datetime"] for i in items)
    return {
        "type": "Collection", "stac_version": stac_version, "id": collection_id,
        "title": title or f"Sample Sentinel-2 L2A ({collection_id})", "description": description,
        "license": "CC-BY-4.0", "links": [],
        "extent": {"spatial": {"bbox": [[west, south, east, north]]}, "temporal": {"interval": [[times[0], times[-1]]]}},
        "summaries": summaries,
    }


def write_catalog(out_dir: str, scene: Optional[SampleScene] = None, log=print) -> dict:
    """Write the rasters, items (ndjson), collections and the land-cover truth."""
    from affine import Affine

    scene = scene or SampleScene()
    pc_items, es_items, cdse_items, landsat_items = [], [], [], []
    landsat_dates = scene.landsat_dates()
    landsat_valid = scene.landsat_valid()
    for index, date in enumerate(scene.dates):
        offset = has_offset(processing_baseline(date))
        observed = {band: scene.observed(band, date) for band, *_ in BANDS}  # each band computed once a date
        stored = {band: scene.masked(scene.encode(observed[band], offset), band_resolution(band)) for band, *_ in BANDS}
        stored[SCL_KEY] = scene.stored(SCL_KEY, date, False)
        harmonized = (
            {band: scene.masked(scene.encode(observed[band], False), band_resolution(band)) for band, *_ in BANDS}
            if offset else stored
        )
        for tile in TILES:
            stamp = date.isoformat()
            pc_hrefs, es_hrefs = {}, {}
            for band in list(stored):
                resolution = band_resolution(band)
                window = scene.window(tile, resolution)
                keep = scene.coverage(tile, resolution)
                x0, y0 = TILES[tile]
                transform = Affine(resolution, 0, x0, 0, -resolution, y0)
                href = f"data/pc/{tile}/{stamp}/{band}.tif"
                _write_cog(os.path.join(out_dir, href), np.where(keep, stored[band][window], 0), transform)
                pc_hrefs[band] = href
                if tile in ES_TILES:
                    key = "scl" if band == SCL_KEY else next(b[4] for b in BANDS if b[0] == band)
                    source = stored[SCL_KEY] if band == SCL_KEY else harmonized[band]
                    href = f"data/es/{tile}/{stamp}/{key}.tif"
                    _write_cog(os.path.join(out_dir, href), np.where(keep, source[window], 0), transform)
                    es_hrefs[key] = href
            pc_items.append(_pc_item(scene, tile, date, index, pc_hrefs))
            if tile in ES_TILES:
                es_items.append(_es_item(scene, tile, date, index, es_hrefs))
            if tile in CDSE_TILES:  # same DN as the PC files, also at other resolutions (SampleScene.cdse_stored)
                for key, (band, resolution) in CDSE_ASSETS.items():
                    if resolution == band_resolution(band):
                        value = stored[band]
                    else:
                        source = scene.scl(date) if band == SCL_KEY else observed[band]
                        value = scene.downsample(source, band, resolution)
                        if band != SCL_KEY:
                            value = scene.encode(value, offset)
                        value = scene.masked(value, resolution)
                    x0, y0 = TILES[tile]
                    keep = scene.coverage(tile, resolution)
                    _, local = cdse_paths(tile, date, index, key)
                    _write_jp2(
                        os.path.join(out_dir, "data", "cdse", local),
                        np.where(keep, value[scene.window(tile, resolution)], 0).astype(value.dtype),
                        Affine(resolution, 0, x0, 0, -resolution, y0),
                    )
                cdse_items.append(_cdse_item(scene, tile, date, index))
        if date in landsat_dates:
            landsat_index = landsat_dates.index(date)
            product = landsat_product_id(date, landsat_index)
            folder = os.path.join(out_dir, landsat_folder(date, landsat_index))
            for key, band, suffix, *_ in LANDSAT_BANDS:
                dn = scene.landsat_encode(scene._landsat_reflectance(observed[band], band))
                _write_cog(os.path.join(folder, f"{product}_{suffix}.TIF"), dn, scene.landsat_transform(), nodata=0)
            qa = scene.landsat_qa(date)
            _write_cog(os.path.join(folder, f"{product}_QA_PIXEL.TIF"), qa, scene.landsat_transform(), nodata=1)
            landsat_items.append(_landsat_item(date, landsat_index, qa, landsat_valid))
        log(f"  {date}: {len(TILES)} tiles written" + (", and a Landsat scene" if date in landsat_dates else ""))

    eo_summary = [{"name": b[0], "common_name": b[1], "center_wavelength": b[3]} for b in BANDS]
    collections = {
        PC_COLLECTION: _collection(
            PC_COLLECTION, "Synthetic Sentinel-2 L2A, Planetary Computer conventions (offset kept as ESA ships it).",
            pc_items, {"eo:bands": eo_summary, "platform": ["Sentinel-2A", "Sentinel-2B"]},
        ),
        ES_COLLECTION: _collection(
            ES_COLLECTION, "Synthetic Sentinel-2 L2A, Earth Search conventions (offset removed by the catalog).",
            es_items, {"platform": ["sentinel-2a", "sentinel-2b"]},
        ),
        CDSE_COLLECTION: _collection(
            CDSE_COLLECTION, "Synthetic Sentinel-2 L2A, Copernicus Data Space Ecosystem conventions (STAC 1.1, "
            "offset kept as ESA ships it, s3:// hrefs with https alternates, lossless JPEG 2000).",
            cdse_items, {"platform": ["sentinel-2a", "sentinel-2b"], "processing:version": sorted(
                {i["properties"]["processing:version"] for i in cdse_items})},
            stac_version="1.1.0",
        ),
        LANDSAT_COLLECTION: _collection(
            LANDSAT_COLLECTION, "Synthetic Landsat Collection 2 Level-2, Planetary Computer conventions "
            "(surface reflectance DN * 2.75e-05 - 0.2, qa_pixel bit flags).",
            landsat_items, {"platform": ["landsat-8", "landsat-9"], "instruments": ["oli", "tirs"], "gsd": [30]},
            title=f"Sample Landsat Collection 2 Level-2 ({LANDSAT_COLLECTION})",
        ),
    }
    os.makedirs(os.path.join(out_dir, "collections"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "items"), exist_ok=True)
    os.makedirs(os.path.join(out_dir, "truth"), exist_ok=True)
    for collection_id, collection in collections.items():
        with open(os.path.join(out_dir, "collections", f"{collection_id}.json"), "w") as stream:
            json.dump(collection, stream, indent=1)
    all_items = {PC_COLLECTION: pc_items, ES_COLLECTION: es_items, CDSE_COLLECTION: cdse_items,
                 LANDSAT_COLLECTION: landsat_items}
    for collection_id, items in all_items.items():
        with open(os.path.join(out_dir, "items", f"{collection_id}.ndjson"), "w") as stream:
            for item in items:
                stream.write(json.dumps(item) + "\n")
    with open(os.path.join(out_dir, "truth", "fields.geojson"), "w") as stream:
        json.dump(scene.fields_geojson(), stream)
    manifest = {
        "generator": "sitscube.engine.sample_catalog", "version": GENERATOR_VERSION, "seed": scene.seed,
        "epsg": EPSG, "dates": [d.isoformat() for d in scene.dates],
        "landsat_dates": [d.isoformat() for d in landsat_dates],
        "collections": {collection_id: len(items) for collection_id, items in all_items.items()},
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as stream:
        json.dump(manifest, stream, indent=1)
    return manifest


# 2: the cdse-sentinel-2-l2a and landsat-c2-l2 collections (the first two unchanged)
GENERATOR_VERSION = 2


def ensure_catalog(out_dir: str, log=print) -> dict:
    """Write the catalog unless an identical one is already there."""
    manifest_path = os.path.join(out_dir, "manifest.json")
    if _catalog_version(out_dir) == GENERATOR_VERSION:
        with open(manifest_path) as stream:
            return json.load(stream)
    import shutil
    import tempfile

    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    temporary = tempfile.mkdtemp(prefix=".sample-catalog-", dir=parent)
    try:
        manifest = write_catalog(temporary, log=log)
        # Swap by two renames, so a catalog being served (another test session) is missing
        # for an instant only; if another session put the same version in place meanwhile, keep it.
        old = None
        if os.path.exists(out_dir):
            old = tempfile.mkdtemp(prefix=".sample-catalog-old-", dir=parent)
            os.rmdir(old)
            try:
                os.replace(out_dir, old)
            except OSError:
                old = None
        try:
            os.replace(temporary, out_dir)
        except OSError:
            if _catalog_version(out_dir) != GENERATOR_VERSION:
                raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return manifest


def _catalog_version(out_dir: str):
    try:
        with open(os.path.join(out_dir, "manifest.json")) as stream:
            return json.load(stream).get("version")
    except (OSError, ValueError):
        return None


if __name__ == "__main__":
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else "sample-catalog"
    print(f"Writing the sample catalog to {target}")
    print(json.dumps(write_catalog(target), indent=1))
