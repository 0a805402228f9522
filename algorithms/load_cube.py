"""sitscube:loadcube — STAC items to a lazy, chunked (time, y, x) cube file."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingParameterAuthConfig,
    QgsProcessingException,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_output_parameter, write_and_load
from .support import can_execute, crs_text, engine_progress, extent_lonlat, layer_file_path, require, run_engine

REQUIRES = ("pystac", "odc.stac", "odc.geo", "xarray", "dask", "rasterio", "netCDF4")
GROUPBY = ["solar_day", "time", "none"]
ON_ASSET_ERROR = ["fail", "skip"]  # static strings: models and scripts pass the words, not indexes
RESAMPLING = ["nearest", "bilinear", "cubic", "average", "mode"]
UNITS = ["dn", "reflectance"]  # static strings (engine/cube_load.py UNITS)


class LoadCubeAlgorithm(QgsProcessingAlgorithm):
    ITEMS = "ITEMS"
    AOI = "AOI"
    CRS = "CRS"
    RESOLUTION = "RESOLUTION"
    BANDS = "BANDS"
    GROUPBY = "GROUPBY"
    RESAMPLING = "RESAMPLING"
    CHUNK_SIZE = "CHUNK_SIZE"
    ON_ASSET_ERROR = "ON_ASSET_ERROR"
    UNITS = "UNITS"
    AUTH_CONFIG = "AUTH_CONFIG"
    OUTPUT = "OUTPUT"

    def name(self):
        return "loadcube"

    def displayName(self):  # noqa: N802
        return tr("Load cube")

    def group(self):
        return tr("Search and load")

    def groupId(self):  # noqa: N802
        return "searchload"

    def tags(self):
        return [tr("stac"), tr("cube"), "odc-stac", "netcdf", "zarr", tr("time series"), "sentinel-2"]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Loads the items found by 'STAC search' as a regular (time, y, x) data cube with odc-stac, "
            "reading the Cloud-Optimized GeoTIFFs lazily and chunk by chunk.\n\n"
            "ITEMS: the item collection (GeoJSON file or footprint layer). AOI: the area to load (default: "
            "all items). CRS: the cube's CRS (default: the UTM zone of the area). RESOLUTION: pixel size in "
            "CRS units (metres for UTM). BANDS: asset keys or common names, comma separated, e.g. "
            "'red,nir,scl' or 'B04,B08,SCL'. GROUPBY: 'solar_day' fuses the tiles of one overpass into one "
            "date. Categorical bands such as SCL are always resampled with 'nearest'.\n\n"
            "Output: a cube file, netCDF (.nc, default) or Zarr (.zarr), with one variable per band, integer "
            "types and nodata kept, and per-date metadata (item ids, platform, processing baseline, cloud "
            "cover). Each band is loaded into the map as a raster layer with one band per date.\n\n"
            "ON_ASSET_ERROR: every asset is opened first (with GDAL's HTTP retries); if one still cannot be "
            "read, 'fail' (default) stops before writing and names the item and asset, 'skip' leaves those "
            "items out with a warning listing them."
        ) + "\n\n" + tr(
            "UNITS: 'dn' (default) keeps the values as stored (integers, nodata kept); 'reflectance' writes float32 "
            "surface reflectance, each date with its own scale and offset from the items (raster:bands, CDSE's "
            "raster:scale/raster:offset, the COG header; Sentinel-2 0.0001 and -0.1 from baseline 04.00 unless the "
            "catalog removed it; Landsat Collection 2 Level-2 0.0000275 and -0.2). Such a cube needs no harmonization.\n\n"
            "Catalog conventions: asset keys with a resolution (CDSE's B04_10m, B04_20m …) are chosen to fit "
            "RESOLUTION and named without it in the cube (B04); data type and nodata come from the COG headers when "
            "the items do not state them (Planetary Computer); s3:// assets are read through their https alternate "
            "unless S3 credentials (AWS_ACCESS_KEY_ID …) are set. AUTH_CONFIG (advanced): a QGIS authentication "
            "configuration whose headers (e.g. a CDSE bearer token) are sent with every asset request; they are "
            "never written to the cube or the log."
        )

    def createInstance(self):  # noqa: N802
        return LoadCubeAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(self.ITEMS, tr("Items (from STAC search)")))
        self.addParameter(QgsProcessingParameterExtent(self.AOI, tr("Area of interest"), optional=True))
        self.addParameter(QgsProcessingParameterCrs(self.CRS, tr("Cube CRS (default: UTM zone of the area)"), optional=True))
        self.addParameter(
            QgsProcessingParameterNumber(
                self.RESOLUTION, tr("Resolution (CRS units)"), QgsProcessingParameterNumber.Type.Double,
                defaultValue=10.0, minValue=0.0,
            )
        )
        self.addParameter(QgsProcessingParameterString(self.BANDS, tr("Bands (asset keys or common names)"), defaultValue="blue,green,red,nir,scl"))
        self.addParameter(QgsProcessingParameterEnum(self.GROUPBY, tr("Group items into dates by"), options=GROUPBY, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(self.RESAMPLING, tr("Resampling"), options=RESAMPLING, defaultValue=0))
        chunk = QgsProcessingParameterNumber(
            self.CHUNK_SIZE, tr("Chunk size (pixels)"), QgsProcessingParameterNumber.Type.Integer,
            defaultValue=1024, minValue=64, maxValue=8192,
        )
        chunk.setFlags(chunk.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(chunk)
        # Label not wrapped in tr() yet: the French catalogue (scripts/translations_fr.py) needs it first.
        on_error = QgsProcessingParameterEnum(
            self.ON_ASSET_ERROR, tr("When an asset cannot be read"), options=ON_ASSET_ERROR,
            defaultValue="fail", usesStaticStrings=True,
        )
        on_error.setFlags(on_error.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(on_error)
        self.addParameter(QgsProcessingParameterEnum(
            self.UNITS, tr("Values"), options=UNITS, defaultValue="dn", usesStaticStrings=True))
        auth = QgsProcessingParameterAuthConfig(self.AUTH_CONFIG, tr("Authentication for the assets"), optional=True)
        auth.setFlags(auth.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(auth)
        self.addParameter(cube_output_parameter(self.OUTPUT, tr("Cube")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.bands import parse_band_list
        from ..engine.cube_io import add_history, cube_format
        from ..engine.cube_load import CubeRequest, describe_read_error, load_cube
        from ..engine.http_client import HttpPolicy
        from ..plugin import settings
        from ..engine.stac_search import read_item_collection

        layer = self.parameterAsVectorLayer(parameters, self.ITEMS, context)
        if layer is None:
            raise QgsProcessingException(tr("ITEMS is not a layer or file QGIS can open: give the GeoJSON written by 'STAC search'."))
        items_path = layer_file_path(layer)
        items = run_engine(read_item_collection, items_path)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        run_engine(cube_format, output)

        aoi_lonlat, aoi, aoi_box, aoi_crs = None, None, None, None
        if parameters.get(self.AOI):
            from odc.geo import geom

            extent = self.parameterAsExtent(parameters, self.AOI, context)
            extent_crs = self.parameterAsExtentCrs(parameters, self.AOI, context)
            aoi_lonlat = extent_lonlat(extent, extent_crs, context)
            if extent_crs.isValid():
                aoi_box = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
                aoi_crs = crs_text(extent_crs)
                aoi = geom.box(*aoi_box, crs=aoi_crs)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        headers = {}
        authcfg = (self.parameterAsString(parameters, self.AUTH_CONFIG, context) or "").strip()
        if authcfg:
            from .stac_search import auth_config_headers

            first_href = next(iter(items[0].get("assets", {}).values()), {}).get("href", "")
            headers = auth_config_headers(authcfg, first_href)
            from ..engine.http_client import describe_headers

            feedback.pushInfo(tr("Extra HTTP headers: {names}").format(names=describe_headers(headers)))
        request = CubeRequest(
            items=items,
            bands=parse_band_list(self.parameterAsString(parameters, self.BANDS, context)),
            resolution=self.parameterAsDouble(parameters, self.RESOLUTION, context),
            crs=crs_text(crs) if crs.isValid() else None,
            aoi_lonlat=aoi_lonlat,
            aoi=aoi,
            groupby=GROUPBY[self.parameterAsEnum(parameters, self.GROUPBY, context)],
            resampling=RESAMPLING[self.parameterAsEnum(parameters, self.RESAMPLING, context)],
            chunk_size=self.parameterAsInt(parameters, self.CHUNK_SIZE, context),
            on_asset_error=self.parameterAsEnumString(parameters, self.ON_ASSET_ERROR, context) or "fail",
            units=self.parameterAsEnumString(parameters, self.UNITS, context) or "dn",
            asset_headers=headers,  # never recorded: only their names go to the log
            # GDAL retries and timeouts for the COG reads, from the same settings as the STAC search.
            http=HttpPolicy(retries=settings.http_retries(), backoff=settings.http_backoff()),
            # SAS tokens for assets on Azure Blob Storage (Planetary Computer): engine/signing.py.
            token_endpoint=settings.pc_token_endpoint(),
            sign_hosts=settings.sign_hosts(),
        )
        progress = engine_progress(feedback)
        load = None
        if run_engine(cube_format, output) == "recipe":  # engine/recipe.py: replayed when the values are needed
            from ..engine.recipe import load_parameters

            load = run_engine(load_parameters, request, aoi_box, aoi_crs)
        cube = run_engine(load_cube, request, progress)
        cube = add_history(
            cube, "loadcube",
            {"bands": list(cube.data_vars), "crs": str(cube.odc.crs), "resolution": request.resolution,
             "groupby": request.groupby, "resampling": request.resampling, "items": len(items),
             "on_asset_error": request.on_asset_error, "units": request.units,
             "skipped_items": [i for i in cube.attrs.get("skipped_items", "").split(",") if i]},
        )
        feedback.pushInfo(tr("Reading and writing {dates} date(s) × {bands} band(s) to {path}…").format(
            dates=cube.sizes["time"], bands=len(cube.data_vars), path=output))
        try:
            write_and_load(cube, output, self.OUTPUT, context, feedback, progress, source=items_path, load=load)
        except QgsProcessingException:
            raise
        except Exception as err:  # a GDAL read failing during the write (fail_on_error): name the item
            message = describe_read_error(err, items, list(cube.data_vars))
            if message is None:
                raise
            raise QgsProcessingException(message)
        return {self.OUTPUT: output}
