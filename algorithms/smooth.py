"""sitscube:smooth — Savitzky-Golay or Whittaker smoothing along time, in actual days."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, cube_output_parameter, open_input_cube, write_and_load
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo")
METHODS = ["savitzky-golay", "whittaker"]


def smoothing_parameters(algorithm, advanced=False):
    """WINDOW, ORDER, LAMBDA: shared with sitscube:phenology (advanced there)."""
    parameters = [
        QgsProcessingParameterNumber(algorithm.WINDOW, tr("Savitzky-Golay window (dates, odd)"),
                                     QgsProcessingParameterNumber.Type.Integer, 7, minValue=3, maxValue=101),
        QgsProcessingParameterNumber(algorithm.ORDER, tr("Savitzky-Golay polynomial order"),
                                     QgsProcessingParameterNumber.Type.Integer, 2, minValue=0, maxValue=6),
        QgsProcessingParameterNumber(algorithm.LAMBDA, tr("Whittaker lambda (days⁴)"),
                                     QgsProcessingParameterNumber.Type.Double, 1e4, minValue=1e-6),
    ]
    for parameter in parameters:
        if advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        algorithm.addParameter(parameter)


class SmoothAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    METHOD = "METHOD"
    WINDOW = "WINDOW"
    ORDER = "ORDER"
    LAMBDA = "LAMBDA"
    BANDS = "BANDS"
    FILL = "FILL"
    OUTPUT = "OUTPUT"

    def name(self):
        return "smooth"

    def displayName(self):  # noqa: N802
        return tr("Smooth time series")

    def group(self):
        return tr("Time-series analysis")

    def groupId(self):  # noqa: N802
        return "timeseriesanalysis"

    def tags(self):
        return [tr("smoothing"), "savitzky-golay", "whittaker", tr("time series"), tr("filter"), tr("noise")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Smooths every pixel's time series along time, in actual days (acquisition dates), never counting "
            "masked values. 'savitzky-golay' fits, at each date, a polynomial of degree ORDER to the WINDOW valid "
            "observations around it (WINDOW counts dates and is odd; over a gap the window reaches further in "
            "time; at the ends it slides inwards): a polynomial of degree ORDER or less is kept exactly, whatever "
            "the dates. 'whittaker' is Eilers' smoother for uneven dates (second divided differences in days, "
            "masked values weighted 0): LAMBDA (days⁴) sets the smoothness, independently of the number of dates; "
            "roughly, wiggles shorter than 2π(LAMBDA/4)^¼ days are removed (1e3: 25 days, 1e4: 45, 1e5: 80).\n\n"
            "FILL (default on) gives masked dates the smooth curve's value, and dates before the first or after "
            "the last valid one the curve's value there; off, they stay nodata. BANDS: the bands to smooth "
            "(default: every reflectance and index band; class bands such as SCL are unchanged). Each band keeps "
            "its type: integer bands are rounded (half away from zero) and never take the nodata value."
        )

    def createInstance(self):  # noqa: N802
        return SmoothAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterEnum(self.METHOD, tr("Method"), options=METHODS,
                                                     defaultValue="savitzky-golay", usesStaticStrings=True))
        smoothing_parameters(self)
        self.addParameter(QgsProcessingParameterString(self.BANDS, tr("Bands (default: all but class bands)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(self.FILL, tr("Fill masked dates from the smooth curve"), defaultValue=True))
        self.addParameter(cube_output_parameter(self.OUTPUT, tr("Smoothed cube")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.smooth import smooth

        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        from ..engine.cube_io import cube_format

        run_engine(cube_format, output)  # a wrong extension is refused before any work
        _, cube = open_input_cube(self, parameters, self.INPUT, context)
        progress = engine_progress(feedback)
        cube = run_engine(
            smooth, cube, method=self.parameterAsEnumString(parameters, self.METHOD, context),
            window=self.parameterAsInt(parameters, self.WINDOW, context),
            order=self.parameterAsInt(parameters, self.ORDER, context),
            lam=self.parameterAsDouble(parameters, self.LAMBDA, context),
            bands=self.parameterAsString(parameters, self.BANDS, context) or None,
            fill=self.parameterAsBoolean(parameters, self.FILL, context), progress=progress,
        )
        write_and_load(cube, output, self.OUTPUT, context, feedback, progress)
        return {self.OUTPUT: output}
