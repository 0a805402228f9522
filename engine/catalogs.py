"""Presets for the public catalogs people actually use, and how they differ.

| | Earth Search v1 (Element 84) | Planetary Computer | CDSE (ESA) | USGS LandsatLook |
|---|---|---|---|---|
| API | earth-search.aws.element84.com/v1 | planetarycomputer.microsoft.com/api/stac/v1 | stac.dataspace.copernicus.eu/v1 | landsatlook.usgs.gov/stac-server |
| collections | ``sentinel-2-l2a``, ``sentinel-2-c1-l2a``, ``landsat-c2-l2`` | ``sentinel-2-l2a``, ``landsat-c2-l2`` | ``sentinel-2-l2a`` | ``landsat-c2l2-sr`` |
| asset keys | common names: red nir scl … | band ids B04 B08 SCL … (Landsat: red nir08 qa_pixel) | B04_10m B04_20m SCL_20m … | red nir08 qa_pixel … |
| +1000 offset (baseline >= 04.00) | removed, flagged ``earthsearch:boa_offset_applied`` | kept as ESA ships it | kept (``raster:offset`` -0.1) | (Landsat: scale 2.75e-5, offset -0.2) |
| assets | public https | Azure Blob: SAS token (engine/signing.py) | s3:// + https alternate, both need credentials | https, s3 alternate (requester pays) |

The other spellings of the same facts (``processing:version``, ``proj:code``,
STAC 1.1 ``bands``) are read by engine/conventions.py.

``BANDS`` such as ``red,nir,scl`` or ``B04,B08,SCL`` resolve on every layout:
by asset key or common name (engine/bands.py), and through ``BAND_ALIASES``
when an item has neither (e.g. ``B04`` on Earth Search, ``scl`` -> ``SCL``
on the Planetary Computer, whose SCL asset has no common name, ``nir`` ->
``nir08`` on Landsat).

Which URL and collection a search uses (``resolve``):

- ``custom`` (the default): ``CATALOG_URL`` as given; empty means the
  default catalog of the settings (``sitscube/catalog_url`` or
  ``SITSCUBE_CATALOG_URL``, Earth Search unless changed).
- a preset: the preset's URL when ``CATALOG_URL`` is empty or the address
  of a *preset* (typically the parameter's default, the Earth Search
  address, left as it was); any other ``CATALOG_URL`` is kept (a mirror or
  a proxy of that catalog) and the preset still brings its conventions
  (signing). ``COLLECTION`` empty means the preset's default collection.
"""

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from .errors import UserError

CUSTOM = "custom"
EARTH_SEARCH = "earth-search"
PLANETARY_COMPUTER = "planetary-computer"
CDSE = "cdse"
USGS_LANDSAT = "usgs-landsat"

EARTH_SEARCH_URL = "https://earth-search.aws.element84.com/v1"
PLANETARY_COMPUTER_URL = "https://planetarycomputer.microsoft.com/api/stac/v1"
CDSE_URL = "https://stac.dataspace.copernicus.eu/v1"
USGS_LANDSAT_URL = "https://landsatlook.usgs.gov/stac-server"
PC_TOKEN_ENDPOINT = "https://planetarycomputer.microsoft.com/api/sas/v1/token"  # + /{account}/{container} or /{collection}

# Sentinel-2 L2A: Planetary Computer key (ESA band id) -> Earth Search key (common-name style)
SENTINEL2_KEYS: Dict[str, str] = {
    "B01": "coastal",
    "B02": "blue",
    "B03": "green",
    "B04": "red",
    "B05": "rededge1",
    "B06": "rededge2",
    "B07": "rededge3",
    "B08": "nir",
    "B8A": "nir08",
    "B09": "nir09",
    "B11": "swir16",
    "B12": "swir22",
    "SCL": "scl",
    "AOT": "aot",
    "WVP": "wvp",
    "visual": "visual",
}


def _aliases() -> Dict[str, List[str]]:
    table: Dict[str, List[str]] = {}
    for pc, es in SENTINEL2_KEYS.items():
        table.setdefault(pc.lower(), []).append(es)
        table.setdefault(es.lower(), []).append(pc)
    # common names that Earth Search spells differently in its keys
    for extra, keys in {"rededge": ["rededge1", "B05"], "cirrus": ["B10"], "swir1": ["swir16", "B11"],
                        "swir2": ["swir22", "B12"], "narrow_nir": ["nir08", "B8A"]}.items():
        table.setdefault(extra, []).extend(keys)
    return table


# lower-case requested name -> other names of the same band (asset keys of the other layout)
SENTINEL2_ALIASES: Dict[str, List[str]] = _aliases()

# Landsat Collection 2 Level-2 asset keys (every catalog) for names users give
LANDSAT_ALIASES: Dict[str, List[str]] = {
    "nir": ["nir08"], "b08": ["nir08"], "swir1": ["swir16"], "swir2": ["swir22"], "b11": ["swir16"],
    "b12": ["swir22"], "fmask": ["qa_pixel"], "pixel_qa": ["qa_pixel"],
}


def _all_aliases() -> Dict[str, List[str]]:
    table = {name: list(keys) for name, keys in SENTINEL2_ALIASES.items()}
    for name, keys in LANDSAT_ALIASES.items():
        table.setdefault(name, []).extend(keys)
    return table


BAND_ALIASES: Dict[str, List[str]] = _all_aliases()


@dataclass(frozen=True)
class CatalogPreset:
    id: str
    title: str
    url: Optional[str]
    collections: Tuple[str, ...] = ()
    default_collection: Optional[str] = None
    asset_keys: Dict[str, str] = field(default_factory=dict)  # common name -> asset key
    offset_flag: Optional[str] = None  # item property: the catalog removed the +1000 offset
    needs_signing: bool = False  # assets need a SAS token (engine/signing.py)
    token_endpoint: Optional[str] = None


PRESETS: Dict[str, CatalogPreset] = {
    CUSTOM: CatalogPreset(CUSTOM, "Custom (CATALOG_URL as given)", None),
    EARTH_SEARCH: CatalogPreset(
        EARTH_SEARCH, "Earth Search v1 (Element 84, AWS)", EARTH_SEARCH_URL,
        collections=("sentinel-2-l2a", "sentinel-2-c1-l2a", "landsat-c2-l2"), default_collection="sentinel-2-l2a",
        asset_keys={es: es for es in SENTINEL2_KEYS.values()},
        offset_flag="earthsearch:boa_offset_applied",
    ),
    PLANETARY_COMPUTER: CatalogPreset(
        PLANETARY_COMPUTER, "Microsoft Planetary Computer", PLANETARY_COMPUTER_URL,
        collections=("sentinel-2-l2a", "landsat-c2-l2"), default_collection="sentinel-2-l2a",
        asset_keys={es: pc for pc, es in SENTINEL2_KEYS.items()},
        needs_signing=True, token_endpoint=PC_TOKEN_ENDPOINT,
    ),
    # ESA's own catalog: s3:// assets (engine/conventions.py choose_hrefs) and OIDC bearer tokens (AUTH_CONFIG)
    CDSE: CatalogPreset(
        CDSE, "Copernicus Data Space Ecosystem (ESA)", CDSE_URL,
        collections=("sentinel-2-l2a",), default_collection="sentinel-2-l2a",
        asset_keys={"blue": "B02_10m", "green": "B03_10m", "red": "B04_10m", "nir": "B08_10m", "nir08": "B8A_20m",
                    "swir16": "B11_20m", "swir22": "B12_20m", "scl": "SCL_20m"},
    ),
    USGS_LANDSAT: CatalogPreset(
        USGS_LANDSAT, "USGS LandsatLook (Landsat Collection 2)", USGS_LANDSAT_URL,
        collections=("landsat-c2l2-sr",), default_collection="landsat-c2l2-sr",
        asset_keys={"blue": "blue", "green": "green", "red": "red", "nir": "nir08", "swir16": "swir16",
                    "swir22": "swir22", "qa_pixel": "qa_pixel"},
    ),
}

# The order of the CATALOG enum (static strings: models pass the words).
CATALOG_IDS = [CUSTOM, EARTH_SEARCH, PLANETARY_COMPUTER, CDSE, USGS_LANDSAT]


def preset(catalog_id: Optional[str]) -> CatalogPreset:
    key = (catalog_id or CUSTOM).strip().lower()
    if key not in PRESETS:
        raise UserError(f"CATALOG must be one of {', '.join(CATALOG_IDS)}, got '{catalog_id}'.")
    return PRESETS[key]


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def resolve(catalog_id: Optional[str], catalog_url: str, collections: Sequence[str],
            default_url: Optional[str] = None) -> Tuple[str, List[str], CatalogPreset]:
    """(URL, collections, preset) for a search; the precedence is in the module docstring."""
    chosen = preset(catalog_id)
    url = (catalog_url or "").strip()
    collections = [c for c in (c.strip() for c in collections) if c]
    if chosen.id == CUSTOM:
        url = url or (default_url or EARTH_SEARCH_URL)
    else:
        preset_urls = [p.url for p in PRESETS.values() if p.url]
        if not url or any(_same_url(url, other) for other in preset_urls):
            url = chosen.url
        if not collections and chosen.default_collection:
            collections = [chosen.default_collection]
    return url, collections, chosen


def preset_for_url(url: str) -> CatalogPreset:
    """The preset whose API this is (custom when none)."""
    for candidate in PRESETS.values():
        if candidate.url and _same_url(url or "", candidate.url):
            return candidate
    return PRESETS[CUSTOM]
