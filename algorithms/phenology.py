"""sitscube:phenology — start, peak and end of season per pixel and per year, as a multi-band GeoTIFF."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, open_input_cube
from .smooth import smoothing_parameters
from .support import apply_color_ramp, band_cut, can_execute, engine_progress, keep_alive, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo", "rasterio")
MODES = ["amplitude", "threshold"]
SMOOTHERS = ["savitzky-golay", "whittaker", "none"]
# early season dark blue to late season yellow (viridis)
SEASON_RAMP = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")


class SeasonStartStyler(QgsProcessingLayerPostProcessorInterface):
    """Band 1 (the start of season, day of year) with a viridis ramp over its 2-98 % range."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        low, high = band_cut(layer)
        if not (low == low and high == high) or not high > low:  # no season anywhere, or one value
            low, high = (low, low + 1.0) if low == low else (1.0, 366.0)
        apply_color_ramp(layer, SEASON_RAMP, low, high, "{:.0f}")


class PhenologyAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    BAND = "BAND"
    YEARS = "YEARS"
    METHOD = "METHOD"
    FRACTION = "FRACTION"
    THRESHOLD = "THRESHOLD"
    GREENUP_FRACTION = "GREENUP_FRACTION"
    GREENUP_THRESHOLD = "GREENUP_THRESHOLD"
    MIN_AMPLITUDE = "MIN_AMPLITUDE"
    SMOOTH = "SMOOTH"
    WINDOW = "WINDOW"
    ORDER = "ORDER"
    LAMBDA = "LAMBDA"
    OUTPUT = "OUTPUT"

    def name(self):
        return "phenology"

    def displayName(self):  # noqa: N802
        return tr("Phenology")

    def group(self):
        return tr("Time-series analysis")

    def groupId(self):  # noqa: N802
        return "timeseriesanalysis"

    def tags(self):
        return [tr("phenology"), tr("season"), tr("start of season"), tr("green-up"), "NDVI", "TIMESAT"]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Measures the growing season of every pixel, for each calendar year, from a band or an index (BAND, "
            "default NDVI; an index the cube lacks is computed from its bands, e.g. NDVI from red and nir). The "
            "series is first smoothed in time (SMOOTH: savitzky-golay by default, whittaker or none; masked dates "
            "are filled by the smooth curve), then within each year: the peak (its day of year and value), the "
            "base before and after it (their minima) and the amplitude (peak minus the mean of the two bases).\n\n"
            "METHOD 'amplitude': the season starts where the curve first rises through base + FRACTION × "
            "(peak - base) (FRACTION 0.5 by default) and ends where it last falls through it; 'threshold': where "
            "it crosses THRESHOLD. Crossings are interpolated linearly between dates, in day of year. The green-up "
            "date is the first date at or above base + GREENUP_FRACTION × (peak - base), or GREENUP_THRESHOLD "
            "when given. A pixel whose amplitude is below MIN_AMPLITUDE, or without a start or an end within the "
            "year, has no season (nodata).\n\n"
            "YEARS: e.g. 2022, 2021,2022 or 2020-2022; default: every year the cube covers completely. Output: "
            "one GeoTIFF with the bands sos_doy, pos_doy, eos_doy, peak_value, amplitude, season_length_days, "
            "greenup_doy (prefixed by the year, e.g. 2022_sos_doy, when there are several years), loaded with a "
            "colour ramp on the start of season."
        )

    def createInstance(self):  # noqa: N802
        return PhenologyAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterString(self.BAND, tr("Band or index"), defaultValue="NDVI"))
        self.addParameter(QgsProcessingParameterString(self.YEARS, tr("Years (default: every complete year)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.METHOD, tr("Start and end of season by"), options=MODES,
                                                     defaultValue="amplitude", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterNumber(self.FRACTION, tr("Fraction of the amplitude"),
                                                       QgsProcessingParameterNumber.Type.Double, 0.5, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(self.THRESHOLD, tr("Threshold (method 'threshold')"),
                                                       QgsProcessingParameterNumber.Type.Double, optional=True))
        self.addParameter(QgsProcessingParameterNumber(self.GREENUP_FRACTION, tr("Green-up: fraction of the amplitude"),
                                                       QgsProcessingParameterNumber.Type.Double, 0.2, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(self.GREENUP_THRESHOLD, tr("Green-up: threshold (optional)"),
                                                       QgsProcessingParameterNumber.Type.Double, optional=True))
        self.addParameter(QgsProcessingParameterNumber(self.MIN_AMPLITUDE, tr("Minimum amplitude for a season"),
                                                       QgsProcessingParameterNumber.Type.Double, 0.1, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(self.SMOOTH, tr("Smoothing first"), options=SMOOTHERS,
                                                     defaultValue="savitzky-golay", usesStaticStrings=True))
        smoothing_parameters(self, advanced=True)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Phenology")))

    def _optional_number(self, parameters, key, context):
        if parameters.get(key) in (None, ""):
            return None
        return self.parameterAsDouble(parameters, key, context)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.composite import write_geotiff
        from ..engine.phenology import phenology

        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        if not output.lower().endswith((".tif", ".tiff")):
            raise QgsProcessingException(
                tr("The phenology is written as GeoTIFF: the file name must end in .tif, not '{path}'.").format(path=output))
        _, cube = open_input_cube(self, parameters, self.INPUT, context)
        progress = engine_progress(feedback)
        result = run_engine(
            phenology, cube, band=self.parameterAsString(parameters, self.BAND, context).strip() or "NDVI",
            years=self.parameterAsString(parameters, self.YEARS, context),
            method=self.parameterAsEnumString(parameters, self.METHOD, context),
            fraction=self.parameterAsDouble(parameters, self.FRACTION, context),
            threshold=self._optional_number(parameters, self.THRESHOLD, context),
            greenup_fraction=self.parameterAsDouble(parameters, self.GREENUP_FRACTION, context),
            greenup_threshold=self._optional_number(parameters, self.GREENUP_THRESHOLD, context),
            min_amplitude=self.parameterAsDouble(parameters, self.MIN_AMPLITUDE, context),
            smooth=self.parameterAsEnumString(parameters, self.SMOOTH, context),
            window=self.parameterAsInt(parameters, self.WINDOW, context),
            order=self.parameterAsInt(parameters, self.ORDER, context),
            lam=self.parameterAsDouble(parameters, self.LAMBDA, context), progress=progress,
        )
        run_engine(write_geotiff, result, output, progress)
        if context.willLoadLayerOnCompletion(output):
            context.layerToLoadOnCompletionDetails(output).setPostProcessor(keep_alive(SeasonStartStyler()))
        return {self.OUTPUT: output}
