"""sitscube:harmonize — remove the Sentinel-2 processing-baseline 04.00 offset."""

from qgis.core import QgsProcessingAlgorithm, QgsProcessingParameterDefinition, QgsProcessingParameterEnum

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, cube_output_parameter, open_input_cube, write_and_load
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo")
UNFLAGGED = ["baseline", "removed"]  # static strings (engine/harmonize.py UNFLAGGED)


class HarmonizeAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    UNFLAGGED_DATES = "UNFLAGGED_DATES"
    OUTPUT = "OUTPUT"

    def name(self):
        return "harmonize"

    def displayName(self):  # noqa: N802
        return tr("Harmonize Sentinel-2 baselines")

    def group(self):
        return tr("Cube processing")

    def groupId(self):  # noqa: N802
        return "cubeprocessing"

    def tags(self):
        return ["sentinel-2", tr("baseline"), "04.00", "BOA_ADD_OFFSET", tr("offset"), tr("harmonize")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "From processing baseline 04.00 (25 January 2022) ESA's Sentinel-2 L2A products add 1000 to every "
            "reflectance band (BOA_ADD_OFFSET = -1000), and older products reprocessed to baseline 05.00 carry it "
            "too. This algorithm removes it date by date, from each date's processing baseline (not from its "
            "date), so a time series crosses January 2022 without a jump.\n\n"
            "Dates the catalog already corrected (Earth Search's earthsearch:boa_offset_applied) are skipped; "
            "SCL and other class bands are untouched; nodata (0) stays nodata; values that were below the offset "
            "(negative reflectance) become 1, never wrap around; bright values (clouds, snow above 1.0) are kept. "
            "A cube already harmonized is left unchanged, with a warning.\n\n"
            "Input and output: cubes (.nc or .zarr) as written by 'Load cube'."
        ) + "\n\n" + tr(
            "UNFLAGGED_DATES (advanced): a date without earthsearch:boa_offset_applied in a cube whose other dates "
            "have it holds values as ESA ships them, so by default ('baseline') it is corrected by its baseline, with "
            "a warning naming it; 'removed' treats such dates as already corrected by the catalog. The baseline is "
            "read from s2:processing_baseline, processing:version (CDSE) or the product name (_N0400_). Float cubes "
            "are corrected in their units; reflectance that 'Load cube' computed with UNITS 'reflectance' already "
            "has each date's offset applied. Dates that need the correction in a cube with no reflectance band are "
            "an error."
        )

    def createInstance(self):  # noqa: N802
        return HarmonizeAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        unflagged = QgsProcessingParameterEnum(
            self.UNFLAGGED_DATES, tr("Dates the catalog did not flag"), options=UNFLAGGED, defaultValue="baseline",
            usesStaticStrings=True,
        )
        unflagged.setFlags(unflagged.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(unflagged)
        self.addParameter(cube_output_parameter(self.OUTPUT, tr("Harmonized cube"), recipe_in_models=True))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.harmonize import harmonize

        source, cube = open_input_cube(self, parameters, self.INPUT, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        progress = engine_progress(feedback)
        unflagged = self.parameterAsEnumString(parameters, self.UNFLAGGED_DATES, context) or "baseline"
        cube, corrected = run_engine(harmonize, cube, progress, unflagged)
        if not corrected:  # the engine lists the corrected dates itself
            feedback.pushInfo(tr("No date carries the offset: the cube is copied unchanged."))
        write_and_load(cube, output, self.OUTPUT, context, feedback, progress, source=source)
        return {self.OUTPUT: output}
