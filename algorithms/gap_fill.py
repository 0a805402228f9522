"""sitscube:gapfill — fill masked pixels along time."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, cube_output_parameter, open_input_cube, write_and_load
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo")
METHODS = ["linear", "nearest", "previous"]


class GapFillAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    METHOD = "METHOD"
    FILL_EDGES = "FILL_EDGES"
    MAX_GAP_DAYS = "MAX_GAP_DAYS"
    OUTPUT = "OUTPUT"

    def name(self):
        return "gapfill"

    def displayName(self):  # noqa: N802
        return tr("Gap-fill in time")

    def group(self):
        return tr("Cube processing")

    def groupId(self):  # noqa: N802
        return "cubeprocessing"

    def tags(self):
        return [tr("gap"), tr("interpolation"), tr("time series"), tr("cloud")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Fills nodata pixels (for instance masked clouds) of every reflectance band from the same pixel's "
            "valid values at other dates. 'linear' interpolates between the previous and the next valid value, "
            "weighted by the acquisition dates (a date 10 days after a valid one and 30 days before the next "
            "is 1/4 of the way); 'nearest' takes the closest valid date; 'previous' the last valid one.\n\n"
            "FILL_EDGES fills dates before the first and after the last valid value with the nearest valid "
            "value. MAX_GAP_DAYS (optional) leaves gaps longer than that as nodata. Pixels never valid stay "
            "nodata; class bands such as SCL are unchanged."
        )

    def createInstance(self):  # noqa: N802
        return GapFillAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterEnum(self.METHOD, tr("Method"), options=METHODS, defaultValue="linear", usesStaticStrings=True))
        self.addParameter(QgsProcessingParameterBoolean(self.FILL_EDGES, tr("Fill the series' ends with the nearest value"), defaultValue=True))
        self.addParameter(
            QgsProcessingParameterNumber(self.MAX_GAP_DAYS, tr("Maximum gap (days)"), QgsProcessingParameterNumber.Type.Double, optional=True, minValue=0.0)
        )
        self.addParameter(cube_output_parameter(self.OUTPUT, tr("Gap-filled cube"), recipe_in_models=True))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.gapfill import gap_fill

        source, cube = open_input_cube(self, parameters, self.INPUT, context)
        max_gap = None
        if parameters.get(self.MAX_GAP_DAYS) not in (None, ""):
            max_gap = self.parameterAsDouble(parameters, self.MAX_GAP_DAYS, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        progress = engine_progress(feedback)
        cube = run_engine(
            gap_fill, cube, method=self.parameterAsEnumString(parameters, self.METHOD, context),
            fill_edges=self.parameterAsBoolean(parameters, self.FILL_EDGES, context), max_gap_days=max_gap, progress=progress,
        )
        write_and_load(cube, output, self.OUTPUT, context, feedback, progress, source=source)
        return {self.OUTPUT: output}
