"""sitscube:trend — per-pixel Theil-Sen slope and Mann-Kendall test over the years, change between two periods."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, open_input_cube
from .support import apply_color_ramp, band_cut, can_execute, engine_progress, keep_alive, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo", "rasterio")
AGGREGATIONS = ["mean", "median", "max"]
# decline red, stable pale yellow, increase green (ColorBrewer RdYlGn)
DIVERGING = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")


class SlopeStyler(QgsProcessingLayerPostProcessorInterface):
    """Band 1 (the slope) drawn with a diverging ramp centred on 0, symmetric at the 98th percentile of |slope|."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        low, high = band_cut(layer)
        span = max(abs(low), abs(high))
        if not span > 0 or span != span:  # all flat, or no value at all
            span = 1.0
        apply_color_ramp(layer, DIVERGING, -span, span)


class TrendAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    BAND = "BAND"
    AGGREGATION = "AGGREGATION"
    ALPHA = "ALPHA"
    PERIOD_A = "PERIOD_A"
    PERIOD_B = "PERIOD_B"
    OUTPUT = "OUTPUT"

    def name(self):
        return "trend"

    def displayName(self):  # noqa: N802
        return tr("Trend (Theil-Sen, Mann-Kendall)")

    def group(self):
        return tr("Time-series analysis")

    def groupId(self):  # noqa: N802
        return "timeseriesanalysis"

    def tags(self):
        return [tr("trend"), "Theil-Sen", "Mann-Kendall", tr("slope"), tr("change"), tr("significance"), tr("time series")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Where a band (or an index) trends up or down over the years, pixel by pixel. Each calendar year "
            "gives one value, the AGGREGATION (mean, median or max) of its valid dates; years without one are "
            "left out, and pixels with fewer than 3 years get no trend.\n\n"
            "Output bands: slope (Theil-Sen, the median of the slopes between all pairs of years, in the band's "
            "units per year), intercept (the line's value at the first year), mk_s (Mann-Kendall S), tau "
            "(Kendall's tau-b), p_value (two-sided, normal approximation with tie correction and continuity "
            "correction), significance (1 significant increase, -1 significant decrease, 0 not significant at "
            "ALPHA) and n_years.\n\n"
            "PERIOD_A and PERIOD_B (optional, each 'start,end' such as 2019-01-01,2019-12-31, both days "
            "included): change (mean of B minus mean of A, over the valid dates of each) and relative_change "
            "(that change divided by |mean of A|: 0.1 is +10 %).\n\n"
            "A float GeoTIFF with named bands, loaded with a diverging ramp on the slope (decline red, increase "
            "green)."
        )

    def createInstance(self):  # noqa: N802
        return TrendAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterString(self.BAND, tr("Band or index (e.g. NDVI, B08, nir)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.AGGREGATION, tr("One value per year"), options=AGGREGATIONS,
                                                     defaultValue="mean", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterNumber(self.ALPHA, tr("Significance level (alpha)"),
                                                       QgsProcessingParameterNumber.Type.Double, defaultValue=0.05,
                                                       minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterString(self.PERIOD_A, tr("Change: period A 'start,end' (optional)"), optional=True))
        self.addParameter(QgsProcessingParameterString(self.PERIOD_B, tr("Change: period B 'start,end' (optional)"), optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Trend")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.trend import trend, write_trend_geotiff

        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        if not output.lower().endswith((".tif", ".tiff")):
            from qgis.core import QgsProcessingException

            raise QgsProcessingException(tr("The trend is written as GeoTIFF: the file name must end in .tif, not '{path}'.").format(path=output))
        _, cube = open_input_cube(self, parameters, self.INPUT, context)
        progress = engine_progress(feedback)
        result = run_engine(
            trend, cube, self.parameterAsString(parameters, self.BAND, context).strip() or None,
            self.parameterAsEnumString(parameters, self.AGGREGATION, context),
            self.parameterAsDouble(parameters, self.ALPHA, context),
            self.parameterAsString(parameters, self.PERIOD_A, context),
            self.parameterAsString(parameters, self.PERIOD_B, context), progress,
        )
        run_engine(write_trend_geotiff, result, output, progress)
        if context.willLoadLayerOnCompletion(output):
            context.layerToLoadOnCompletionDetails(output).setPostProcessor(keep_alive(SlopeStyler()))
        return {self.OUTPUT: output}
