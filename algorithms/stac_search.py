"""sitscube:stacsearch — search a STAC API by area, dates and cloud cover."""

import datetime as dt

from qgis.core import (
    Qgis,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterDefinition,
    QgsProcessingUtils,
)

from ..plugin.i18n import tr
from ..plugin import settings
from .secrets import SecretStringParameter
from .support import can_execute, engine_progress, extent_lonlat, keep_alive, require, run_engine

REQUIRES = ("pystac_client", "requests")
from ..engine.catalogs import CATALOG_IDS as CATALOGS  # static strings: models pass the words  # noqa: E402


# Readable names for the fields QGIS shows in the footprint layer.
FIELD_ALIASES = {
    "datetime": "Date",
    "eo:cloud_cover": "Cloud cover (%)",
    "platform": "Platform",
    "s2:processing_baseline": "Processing baseline",
    "processing:version": "Processing baseline",
    "s2:mgrs_tile": "Tile",
    "grid:code": "Tile",
    "earthsearch:boa_offset_applied": "Offset removed by catalog",
}


class FootprintStyler(QgsProcessingLayerPostProcessorInterface):
    """Outlined footprints with readable field names."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from qgis.core import QgsFillSymbol

        symbol = QgsFillSymbol.createSimple(
            {"color": "0,0,0,0", "outline_color": "31,120,180,255", "outline_width": "0.5"}
        )
        layer.renderer().setSymbol(symbol)
        fields = layer.fields()
        for name, alias in FIELD_ALIASES.items():
            index = fields.indexOf(name)
            if index >= 0:
                layer.setFieldAlias(index, tr(alias))
        layer.triggerRepaint()


class StacSearchAlgorithm(QgsProcessingAlgorithm):
    CATALOG = "CATALOG"
    CATALOG_URL = "CATALOG_URL"
    COLLECTION = "COLLECTION"
    AOI = "AOI"
    START_DATE = "START_DATE"
    END_DATE = "END_DATE"
    MAX_CLOUD = "MAX_CLOUD"
    MAX_ITEMS = "MAX_ITEMS"
    TIMEOUT = "TIMEOUT"
    HEADERS = "HEADERS"
    AUTH_CONFIG = "AUTH_CONFIG"
    OUTPUT = "OUTPUT"

    def name(self):
        return "stacsearch"

    def displayName(self):  # noqa: N802
        return tr("STAC search")

    def group(self):
        return tr("Search and load")

    def groupId(self):  # noqa: N802
        return "searchload"

    def tags(self):
        return [tr("stac"), "sentinel-2", "landsat", tr("catalog"), tr("search"), tr("footprints")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Searches a STAC API (Earth Search, Planetary Computer or any other) for items of a collection "
            "that intersect an area, between two dates (both included), with at most a given cloud cover.\n\n"
            "The area can be drawn on the map, typed, or taken from a layer, in any CRS. Cloud cover is "
            "filtered by the server when it supports the 'filter' or 'query' extension, otherwise after "
            "download (with a warning). Results are sorted by date.\n\n"
            "Busy or flaky catalogs: each request waits at most TIMEOUT seconds for an answer; rate limits "
            "(429) and temporary errors (500, 502, 503, 504, dropped connections) are retried up to 4 times "
            "with growing waits (0.5, 1, 2, 4 s, or the server's Retry-After up to 60 s), never past 120 s "
            "per request. Retries are reported in the log.\n\n"
            "Output: the STAC ItemCollection as GeoJSON, loaded as a footprint layer. Use it as ITEMS in "
            "'Load cube'."
        ) + "\n\n" + tr(
            "CATALOG: 'custom' (default) uses CATALOG_URL as given (empty: the default catalog of the settings). "
            "'earth-search' (Earth Search v1, Element 84) and 'planetary-computer' (Microsoft Planetary Computer) "
            "use the preset's address when CATALOG_URL is empty or is the address of a preset (such as the default); "
            "any other CATALOG_URL is kept as a mirror or proxy of that catalog. An empty COLLECTION means the "
            "preset's collection (sentinel-2-l2a). Bands such as 'red,nir,scl' or 'B04,B08,SCL' load from both "
            "catalogs; Planetary Computer assets are signed with SAS tokens when the cube is loaded.\n\n"
            "HEADERS (advanced): extra HTTP headers sent with every request to the catalog, as 'Name: value' lines "
            "or a JSON object, e.g. 'Authorization: Bearer …'. AUTH_CONFIG: a QGIS authentication configuration "
            "(Basic, API header …) whose headers are added the same way; HEADERS win on a name clash. Header "
            "values are never written to the log."
        ) + "\n\n" + tr(
            "More presets: 'cdse' (Copernicus Data Space Ecosystem, ESA's own catalog: assets B04_10m, B04_20m … "
            "are chosen to fit the cube's resolution; its s3:// assets are read through their https alternates "
            "unless S3 credentials are set, with the bearer token of an AUTH_CONFIG in 'Load cube') and "
            "'usgs-landsat' (USGS LandsatLook, Landsat Collection 2 Level-2, collection landsat-c2l2-sr). "
            "Landsat Collection 2 Level-2 is also 'landsat-c2-l2' on Earth Search and the Planetary Computer."
        )

    def createInstance(self):  # noqa: N802
        return StacSearchAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(
            QgsProcessingParameterEnum(
                self.CATALOG, tr("Catalog preset"), options=CATALOGS, defaultValue="custom", usesStaticStrings=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.CATALOG_URL, tr("STAC API URL"), defaultValue=settings.default_catalog_url(), optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.COLLECTION, tr("Collection(s), comma separated"), defaultValue="sentinel-2-l2a", optional=True
            )
        )
        self.addParameter(QgsProcessingParameterExtent(self.AOI, tr("Area of interest")))
        for key, label in ((self.START_DATE, tr("Start date")), (self.END_DATE, tr("End date (included)"))):
            self.addParameter(
                QgsProcessingParameterDateTime(key, label, type=Qgis.ProcessingDateTimeParameterDataType.Date)
            )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_CLOUD, tr("Maximum cloud cover (%)"), QgsProcessingParameterNumber.Type.Double,
                defaultValue=100.0, minValue=0.0, maxValue=100.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_ITEMS, tr("Maximum number of items"), QgsProcessingParameterNumber.Type.Integer,
                defaultValue=1000, minValue=1,
            )
        )
        timeout = QgsProcessingParameterNumber(
            self.TIMEOUT, tr("Timeout per request (seconds)"), QgsProcessingParameterNumber.Type.Double,
            defaultValue=30.0, minValue=1.0,
        )
        timeout.setFlags(timeout.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(timeout)
        headers = SecretStringParameter(  # tokens: written as <hidden> in logs and history (algorithms/secrets.py)
            self.HEADERS, tr("HTTP headers ('Name: value' lines or JSON)"), multiLine=True, optional=True,
        )
        headers.setFlags(headers.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(headers)
        auth = QgsProcessingParameterAuthConfig(self.AUTH_CONFIG, tr("Authentication configuration"), optional=True)
        auth.setFlags(auth.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(auth)
        self.addParameter(
            QgsProcessingParameterFileDestination(
                self.OUTPUT, tr("Items (GeoJSON)"), fileFilter=tr("GeoJSON (*.geojson)")
            )
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine import catalogs
        from ..engine.errors import UserError
        from ..engine.http_client import describe_headers
        from ..engine.stac_search import SearchRequest, search, summary_rows, write_item_collection

        start = self.parameterAsDateTime(parameters, self.START_DATE, context).date()
        end = self.parameterAsDateTime(parameters, self.END_DATE, context).date()
        if not start.isValid() or not end.isValid():
            raise QgsProcessingException(tr("START_DATE and END_DATE must be dates such as 2022-01-31."))
        extent = self.parameterAsExtent(parameters, self.AOI, context)
        if extent.isNull() or extent.isEmpty():
            raise QgsProcessingException(tr("AOI is empty: draw an area on the map or choose a layer."))
        bbox = extent_lonlat(extent, self.parameterAsExtentCrs(parameters, self.AOI, context), context)
        collections = [
            c.strip() for c in (self.parameterAsString(parameters, self.COLLECTION, context) or "").split(",") if c.strip()
        ]
        try:
            catalog_url, collections, preset = catalogs.resolve(
                self.parameterAsEnumString(parameters, self.CATALOG, context) or catalogs.CUSTOM,
                self.parameterAsString(parameters, self.CATALOG_URL, context) or "",
                collections, default_url=settings.default_catalog_url(),
            )
        except UserError as err:
            raise QgsProcessingException(str(err))
        if preset.id != catalogs.CUSTOM:
            feedback.pushInfo(tr("Catalog preset: {title}").format(title=preset.title))
        headers = self._headers(parameters, context, catalog_url)
        if headers:
            feedback.pushInfo(tr("Extra HTTP headers: {names}").format(names=describe_headers(headers)))
        request = SearchRequest(
            catalog_url=catalog_url,
            collections=collections,
            headers=headers,
            bbox=bbox,
            start=dt.date(start.year(), start.month(), start.day()),
            end=dt.date(end.year(), end.month(), end.day()),
            max_cloud=self.parameterAsDouble(parameters, self.MAX_CLOUD, context),
            max_items=self.parameterAsInt(parameters, self.MAX_ITEMS, context),
            timeout=self.parameterAsDouble(parameters, self.TIMEOUT, context),
            # Retry policy from the settings (or SITSCUBE_HTTP_* variables): see engine/http_client.py.
            retries=settings.http_retries(),
            backoff=settings.http_backoff(),
            max_wait=settings.http_max_wait(),
            deadline=settings.http_deadline(),
        )
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        feedback.pushInfo(tr("Searching {url} for {collections}…").format(url=request.catalog_url, collections=", ".join(collections)))
        collection = run_engine(search, request, engine_progress(feedback))
        if not collection["features"]:
            raise QgsProcessingException(
                tr("No items found in {collections} for this area between {start} and {end} with cloud cover ≤ {cloud}%. "
                   "Widen the area or the dates, or raise MAX_CLOUD.").format(
                    collections=", ".join(collections), start=request.start, end=request.end, cloud=f"{request.max_cloud:g}"
                )
            )
        write_item_collection(collection, output)
        for row in summary_rows(collection)[:50]:
            feedback.pushInfo(f"{row['date']}  {row['id']}  cloud {row['cloud_cover']}%  baseline {row['baseline']}  tile {row['tile']}")
        feedback.pushInfo(tr("{n} item(s) written to {path}").format(n=len(collection["features"]), path=output))
        self._load_footprints(output, context)
        return {self.OUTPUT: output}

    def _headers(self, parameters, context, url):
        """HEADERS, over the headers of AUTH_CONFIG; plain values for the engine."""
        from ..engine.http_client import parse_headers

        headers = {}
        authcfg = (self.parameterAsString(parameters, self.AUTH_CONFIG, context) or "").strip()
        if authcfg:
            headers.update(auth_config_headers(authcfg, url))
        try:
            headers.update(parse_headers(self.parameterAsString(parameters, self.HEADERS, context) or ""))
        except ValueError as err:
            raise QgsProcessingException(str(err))
        return headers

    def _load_footprints(self, path, context):
        details = QgsProcessingContext.LayerDetails(
            tr("STAC items"), context.project(), self.OUTPUT, QgsProcessingUtils.LayerHint.Vector
        )
        details.setPostProcessor(keep_alive(FootprintStyler()))
        context.addLayerToLoadOnCompletion(path, details)


def auth_config_headers(authcfg: str, url: str) -> dict:
    """The HTTP headers a QGIS authentication configuration adds to a request.

    QgsAuthManager.updateNetworkRequest applies the configuration the way QGIS
    does for its own requests (Basic: Authorization, API header: its headers,
    OAuth2: the bearer token …); the headers it set are passed on as plain
    values. Methods that work below HTTP (client certificates) add no header
    and are refused with a clear message.
    """
    from qgis.core import QgsApplication
    from qgis.PyQt.QtCore import QUrl
    from qgis.PyQt.QtNetwork import QNetworkRequest

    manager = QgsApplication.authManager()
    if manager.isDisabled():
        raise QgsProcessingException(
            tr("AUTH_CONFIG is set but the QGIS authentication system is disabled: {reason}").format(
                reason=manager.disabledMessage()))
    if authcfg not in manager.configIds():
        raise QgsProcessingException(
            tr("AUTH_CONFIG '{id}' is not an authentication configuration of this QGIS profile.").format(id=authcfg))
    request = QNetworkRequest(QUrl(url))
    before = {bytes(h).decode("latin-1") for h in request.rawHeaderList()}
    result = manager.updateNetworkRequest(request, authcfg)
    ok, updated = result if isinstance(result, tuple) else (result, request)
    if not ok:
        raise QgsProcessingException(
            tr("AUTH_CONFIG '{id}' could not be applied (wrong master password, or an incomplete configuration).").format(id=authcfg))
    headers = {}
    for raw in updated.rawHeaderList():
        name = bytes(raw).decode("latin-1")
        if name not in before:
            headers[name] = bytes(updated.rawHeader(raw)).decode("latin-1")
    if not headers:
        raise QgsProcessingException(
            tr("AUTH_CONFIG '{id}' adds no HTTP header (method {method}): only header-based methods such as Basic "
               "or API header can be used for a STAC API; give HEADERS instead.").format(
                id=authcfg, method=manager.configAuthMethodKey(authcfg)))
    return headers
