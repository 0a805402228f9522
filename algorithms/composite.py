"""sitscube:composite — temporal reduction of a cube to a multi-band GeoTIFF."""

from qgis.core import (
    Qgis,
    QgsContrastEnhancement,
    QgsMultiBandColorRenderer,
    QgsProcessingAlgorithm,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
    QgsRasterMinMaxOrigin,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, open_input_cube, resolve_cube_path
from .support import can_execute, engine_progress, keep_alive, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo", "rasterio")
METHODS = ["median", "mean", "min", "max", "p10", "p25", "p75", "p90"]
PERIODS = ["whole", "month", "season"]
RGB = (("red", "B04"), ("green", "B03"), ("blue", "B02"))


class TrueColourStyler(QgsProcessingLayerPostProcessorInterface):
    """Red/green/blue bands as a true-colour image with a 2-98 % stretch."""

    def __init__(self, bands):
        super().__init__()
        self.bands = bands  # 1-based band numbers of red, green, blue

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        renderer = QgsMultiBandColorRenderer(layer.dataProvider(), *self.bands)
        layer.setRenderer(renderer)
        layer.setContrastEnhancement(
            QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum,
            QgsRasterMinMaxOrigin.Limits.CumulativeCut,
        )
        layer.triggerRepaint()


def rgb_band_numbers(descriptions):
    """1-based band numbers of red, green and blue among band descriptions, or None."""
    numbers = []
    for names in RGB:
        found = [i + 1 for i, d in enumerate(descriptions) if d.split(" ")[0].lower() in [n.lower() for n in names]]
        if not found:
            return None
        numbers.append(found[0])
    return numbers


class CompositeAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    METHOD = "METHOD"
    BANDS = "BANDS"
    START_DATE = "START_DATE"
    END_DATE = "END_DATE"
    PERIOD = "PERIOD"
    OUTPUT = "OUTPUT"

    def name(self):
        return "composite"

    def displayName(self):  # noqa: N802
        return tr("Temporal composite")

    def group(self):
        return tr("Cube processing")

    def groupId(self):  # noqa: N802
        return "cubeprocessing"

    def tags(self):
        return [tr("composite"), tr("median"), tr("mosaic"), tr("cloud-free"), "geotiff", tr("percentile")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Reduces a cube over time, pixel by pixel, ignoring nodata (masked clouds): median (default), mean, "
            "min, max or a percentile. Optionally over a date window (START_DATE, END_DATE, both included) and "
            "per period (one composite per month or per season DJF/MAM/JJA/SON).\n\n"
            "BANDS: the bands to keep (default: every band but class bands such as SCL).\n\n"
            "Output: a tiled, compressed multi-band GeoTIFF whose band descriptions are the band names (and "
            "periods); loaded into the map in true colour when it has red, green and blue bands. Integer bands "
            "keep their type for median, min and max; mean and percentiles are float."
        )

    def createInstance(self):  # noqa: N802
        return CompositeAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterEnum(self.METHOD, tr("Method"), options=METHODS, defaultValue="median", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterString(self.BANDS, tr("Bands (default: all but class bands)"), optional=True))
        for key, label in ((self.START_DATE, tr("From date (optional)")), (self.END_DATE, tr("To date (optional, included)"))):
            self.addParameter(QgsProcessingParameterDateTime(key, label, type=Qgis.ProcessingDateTimeParameterDataType.Date, optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.PERIOD, tr("One composite per"), options=PERIODS, defaultValue="whole", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Composite")))

    def _date(self, parameters, key, context):
        if parameters.get(key) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, key, context).date()
        return value.toString("yyyy-MM-dd") if value.isValid() else None

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.bands import parse_band_list
        from ..engine.composite import composite, write_geotiff

        from ..engine.stored_composite import plan, write_composite

        period = self.parameterAsEnumString(parameters, self.PERIOD, context)
        period = None if period == "whole" else period
        method = self.parameterAsEnumString(parameters, self.METHOD, context)
        bands = parse_band_list(self.parameterAsString(parameters, self.BANDS, context)) or None
        start, end = self._date(parameters, self.START_DATE, context), self._date(parameters, self.END_DATE, context)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        progress = engine_progress(feedback)
        # A whole stored .nc cube: read and reduced without xarray (engine/stored_composite.py), same file
        stored = run_engine(plan, resolve_cube_path(self.parameterAsFile(parameters, self.INPUT, context)),
                            method, bands, start, end, period)
        if stored is not None:
            run_engine(write_composite, stored, output, progress)
        else:
            _, cube = open_input_cube(self, parameters, self.INPUT, context)
            result = run_engine(composite, cube, method, bands, start, end, period, progress)
            run_engine(write_geotiff, result, output, progress)
        self._style(output, context)
        return {self.OUTPUT: output}

    def _style(self, path, context):
        from osgeo import gdal

        dataset = gdal.Open(path)
        descriptions = [dataset.GetRasterBand(i + 1).GetDescription() for i in range(dataset.RasterCount)]
        dataset = None
        bands = rgb_band_numbers(descriptions)
        if bands and context.willLoadLayerOnCompletion(path):
            context.layerToLoadOnCompletionDetails(path).setPostProcessor(keep_alive(TrueColourStyler(bands)))
