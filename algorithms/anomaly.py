"""sitscube:anomaly — monthly or seasonal climatology, anomalies and z-scores of a cube."""

import os

from qgis.core import (
    Qgis,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterEnum,
    QgsProcessingParameterString,
    QgsProcessingUtils,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, cube_output_parameter, open_input_cube
from .support import can_execute, engine_progress, keep_alive, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo")
PERIODS = ["month", "season"]


class PeriodRanges(QgsProcessingLayerPostProcessorInterface):
    """Raster band i = period i: each band shown over its whole period by the temporal controller, in grey."""

    def __init__(self, periods):
        super().__init__()
        self.periods = periods  # (first day, last day) as datetime.date, per raster band

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from qgis.core import (
            QgsContrastEnhancement,
            QgsDateTimeRange,
            QgsRasterMinMaxOrigin,
            QgsSingleBandGrayRenderer,
        )
        from qgis.PyQt.QtCore import QDate, QDateTime, QTime, Qt

        if layer.renderer() is None or layer.bandCount() > 1:
            layer.setRenderer(QgsSingleBandGrayRenderer(layer.dataProvider(), 1))
            layer.setContrastEnhancement(
                QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum,
                QgsRasterMinMaxOrigin.Limits.CumulativeCut,
            )
        if not self.periods or not hasattr(Qgis.RasterTemporalMode, "FixedRangePerBand"):
            return
        ranges = {}
        for band, (first, last) in enumerate(self.periods[: layer.bandCount()], start=1):
            begin = QDateTime(QDate(first.year, first.month, first.day), QTime(0, 0), Qt.TimeSpec.UTC)
            end = QDateTime(QDate(last.year, last.month, last.day), QTime(0, 0), Qt.TimeSpec.UTC).addDays(1)
            ranges[band] = QgsDateTimeRange(begin, end, True, False)
        properties = layer.temporalProperties()
        properties.setMode(Qgis.RasterTemporalMode.FixedRangePerBand)
        properties.setFixedRangePerBand(ranges)
        properties.setIsActive(True)
        layer.triggerRepaint()


def write_and_load_periods(cube, output, output_name, context, feedback, progress):
    """Write the anomaly cube and load one layer per variable: period bands named by period, climatology by month/season."""
    import datetime

    from osgeo import gdal

    from ..engine.cube_io import cube_format, write_cube, write_display_vrts
    from ..engine.hdf5_lock import hdf5_lock

    run_engine(cube_format, output)
    run_engine(write_cube, cube, output, progress)
    try:
        layers = write_display_vrts(output, cube)
    except RuntimeError as err:  # display helpers only: the cube itself is complete
        feedback.reportError(tr("Could not prepare map layers for the cube: {error}").format(error=err))
        layers = {}
    labels = [str(v) for v in cube["period_label"].values]
    of_year = [str(v) for v in cube["period_of_year_label"].values]
    periods = [(datetime.date.fromisoformat(str(t)[:10]), datetime.date.fromisoformat(str(e)))
               for t, e in zip(cube["time"].values, cube["period_end"].values)]
    stem = os.path.splitext(os.path.basename(output))[0]
    for name, uri in layers.items():
        along_time = "time" in cube[name].dims
        names = labels if along_time else of_year
        with hdf5_lock():  # the VRT opens the netCDF file
            vrt = gdal.Open(uri, gdal.GA_Update)
            if vrt is not None:
                for index in range(1, min(vrt.RasterCount, len(names)) + 1):
                    vrt.GetRasterBand(index).SetDescription(f"{name} {names[index - 1]}")
            vrt = None
        details = QgsProcessingContext.LayerDetails(f"{stem} {name}", context.project(), output_name,
                                                    QgsProcessingUtils.LayerHint.Raster)
        details.setPostProcessor(keep_alive(PeriodRanges(periods if along_time else [])))
        context.addLayerToLoadOnCompletion(uri, details)
    return output


class AnomalyAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    BANDS = "BANDS"
    PERIOD = "PERIOD"
    REFERENCE_START = "REFERENCE_START"
    REFERENCE_END = "REFERENCE_END"
    OUTPUT = "OUTPUT"

    def name(self):
        return "anomaly"

    def displayName(self):  # noqa: N802
        return tr("Anomalies (monthly or seasonal climatology)")

    def group(self):
        return tr("Time-series analysis")

    def groupId(self):  # noqa: N802
        return "timeseriesanalysis"

    def tags(self):
        return [tr("anomaly"), tr("climatology"), tr("z-score"), tr("time series"), tr("month"), tr("season")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "How each month (or season) departs from normal. For every band, the mean of the valid values of "
            "each period of the cube (months, or meteorological seasons DJF/MAM/JJA/SON with December in the "
            "next year's DJF); the climatology of each calendar month or season: the mean and standard "
            "deviation of its period means over the reference years; each period's anomaly (its mean minus the "
            "climatology mean of the same month or season) and z-score (the anomaly divided by the climatology "
            "standard deviation; empty where that is 0 or comes from fewer than two reference years).\n\n"
            "BANDS: default every band but class bands such as SCL. REFERENCE_START / REFERENCE_END (optional, "
            "default the whole cube): the periods whose first day falls between them make the climatology.\n\n"
            "Output: a cube with, per band, <band>_mean, <band>_anomaly and <band>_zscore along a time axis of "
            "period starts (2022-05-01 for May 2022, 2021-12-01 for DJF 2022), and <band>_climatology_mean, "
            "_std and _count along a period_of_year axis (1-12 or 1-4). Values are in the band's units (DN stay "
            "DN), float, nodata kept as empty."
        )

    def createInstance(self):  # noqa: N802
        return AnomalyAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterString(self.BANDS, tr("Bands (default: all but class bands)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(self.PERIOD, tr("Period"), options=PERIODS, defaultValue="month", usesStaticStrings=True))
        for key, label in ((self.REFERENCE_START, tr("Reference from (optional)")), (self.REFERENCE_END, tr("Reference to (optional, included)"))):
            self.addParameter(QgsProcessingParameterDateTime(key, label, type=Qgis.ProcessingDateTimeParameterDataType.Date, optional=True))
        self.addParameter(cube_output_parameter(self.OUTPUT, tr("Anomaly cube")))

    def _date(self, parameters, key, context):
        if parameters.get(key) in (None, ""):
            return None
        value = self.parameterAsDateTime(parameters, key, context).date()
        return value.toString("yyyy-MM-dd") if value.isValid() else None

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.anomaly import anomalies
        from ..engine.bands import parse_band_list

        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        from ..engine.cube_io import cube_format

        run_engine(cube_format, output)  # a wrong extension is refused before anything is read
        _, cube = open_input_cube(self, parameters, self.INPUT, context)
        bands = parse_band_list(self.parameterAsString(parameters, self.BANDS, context)) or None
        progress = engine_progress(feedback)
        result = run_engine(
            anomalies, cube, self.parameterAsEnumString(parameters, self.PERIOD, context), bands,
            self._date(parameters, self.REFERENCE_START, context), self._date(parameters, self.REFERENCE_END, context),
            progress,
        )
        write_and_load_periods(result, output, self.OUTPUT, context, feedback, progress)
        return {self.OUTPUT: output}
