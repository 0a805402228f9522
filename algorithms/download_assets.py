"""sitscube:downloadassets — STAC assets as GeoTIFFs, clipped to an area on their own grid."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingOutputFile,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsProcessingUtils,
)

from ..plugin.i18n import tr
from .support import can_execute, crs_text, engine_progress, layer_file_path, require, run_engine

REQUIRES = ("numpy", "rasterio")


class DownloadAssetsAlgorithm(QgsProcessingAlgorithm):
    ITEMS = "ITEMS"
    BANDS = "BANDS"
    AOI = "AOI"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    LOAD = "LOAD"
    MANIFEST = "MANIFEST"

    def name(self):
        return "downloadassets"

    def displayName(self):  # noqa: N802
        return tr("Download assets")

    def group(self):
        return tr("Search and load")

    def groupId(self):  # noqa: N802
        return "searchload"

    def tags(self):
        return [tr("stac"), tr("download"), tr("clip"), "geotiff", "cog", "sentinel-2", tr("assets")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Downloads the assets (bands) of the items found by 'STAC search' as GeoTIFF files, one per item "
            "and asset: OUTPUT_FOLDER/<item id>/<asset key>.tif, Cloud-Optimized GeoTIFFs compressed with "
            "DEFLATE.\n\n"
            "ITEMS: the item collection (GeoJSON file or footprint layer). BANDS: asset keys or common names, "
            "comma separated, e.g. 'red,nir,scl' or 'B04,B08,SCL'. AOI (optional): each asset is clipped to "
            "this area in its own CRS and on its own pixel grid: the pixels the area touches are copied, "
            "never resampled, with the asset's data type, nodata and CRS. Items whose assets do not reach "
            "the area are skipped with a warning. Without AOI the whole assets are downloaded.\n\n"
            "Every asset is opened first: if one cannot be read, the run stops before downloading and names "
            "the item and asset. Files are written under temporary names and moved into place only when all "
            "are complete, so a failed or canceled run leaves no partial file. Remote assets are read with "
            "the HTTP retries of the settings and signed (Planetary Computer) like 'Load cube' does.\n\n"
            "Outputs: the folder, and a manifest (manifest.csv in it) listing item id, date, asset and the "
            "path of each file. LOAD adds the files to the map."
        )

    def createInstance(self):  # noqa: N802
        return DownloadAssetsAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(self.ITEMS, tr("Items (from STAC search)")))
        self.addParameter(QgsProcessingParameterString(
            self.BANDS, tr("Bands (asset keys or common names)"), defaultValue="blue,green,red,nir,scl"))
        self.addParameter(QgsProcessingParameterExtent(self.AOI, tr("Clip to area"), optional=True))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, tr("Output folder")))
        self.addParameter(QgsProcessingParameterBoolean(self.LOAD, tr("Add the files to the map"), defaultValue=False))
        self.addOutput(QgsProcessingOutputFile(self.MANIFEST, tr("Manifest (CSV)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.bands import parse_band_list
        from ..engine.download import DownloadRequest, download_assets
        from ..engine.http_client import HttpPolicy
        from ..engine.stac_search import read_item_collection
        from ..plugin import settings

        layer = self.parameterAsVectorLayer(parameters, self.ITEMS, context)
        if layer is None:
            raise QgsProcessingException(tr("ITEMS is not a layer or file QGIS can open: give the GeoJSON written by 'STAC search'."))
        items = run_engine(read_item_collection, layer_file_path(layer))
        aoi, aoi_crs = None, None
        if parameters.get(self.AOI):
            extent = self.parameterAsExtent(parameters, self.AOI, context)
            if extent.isNull() or extent.isEmpty():
                raise QgsProcessingException(tr("AOI is empty: draw an area on the map or choose a layer."))
            crs = self.parameterAsExtentCrs(parameters, self.AOI, context)
            aoi = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
            aoi_crs = crs_text(crs) if crs.isValid() else "EPSG:4326"
        folder = self.parameterAsFileOutput(parameters, self.OUTPUT_FOLDER, context)
        request = DownloadRequest(
            items=items,
            bands=parse_band_list(self.parameterAsString(parameters, self.BANDS, context)),
            folder=folder,
            aoi=aoi,
            aoi_crs=aoi_crs,
            http=HttpPolicy(retries=settings.http_retries(), backoff=settings.http_backoff()),
            token_endpoint=settings.pc_token_endpoint(),
            sign_hosts=settings.sign_hosts(),
        )
        result = run_engine(download_assets, request, engine_progress(feedback))
        for row in result["files"][:50]:
            feedback.pushInfo(f"{row['date']}  {row['item_id']}  {row['asset']}  {row['width']} x {row['height']}  {row['path']}")
        feedback.pushInfo(tr("{n} file(s) written to {path}").format(n=len(result["files"]), path=result["folder"]))
        if self.parameterAsBoolean(parameters, self.LOAD, context):
            for row in result["files"]:
                details = QgsProcessingContext.LayerDetails(
                    f"{row['item_id']} {row['asset']}", context.project(), self.OUTPUT_FOLDER, QgsProcessingUtils.LayerHint.Raster
                )
                context.addLayerToLoadOnCompletion(row["path"], details)
        return {self.OUTPUT_FOLDER: result["folder"], self.MANIFEST: result["manifest"]}
