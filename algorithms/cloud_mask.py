"""sitscube:cloudmask — mask clouds, shadows and cirrus from the Scene Classification Layer."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, cube_output_parameter, open_input_cube, write_and_load
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo")


class CloudMaskAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    MASK_BAND = "MASK_BAND"
    MASK_VALUES = "MASK_VALUES"
    DILATION = "DILATION"
    MAX_MASKED_FRACTION = "MAX_MASKED_FRACTION"
    MASK_BITS = "MASK_BITS"
    OUTPUT = "OUTPUT"

    def name(self):
        return "cloudmask"

    def displayName(self):  # noqa: N802
        return tr("Cloud mask (SCL)")  # also QA bit flags (Landsat qa_pixel): see the help

    def group(self):
        return tr("Cube processing")

    def groupId(self):  # noqa: N802
        return "cubeprocessing"

    def tags(self):
        return [tr("cloud"), tr("shadow"), tr("cirrus"), "SCL", tr("mask"), "sentinel-2", "landsat", "qa_pixel"]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Masks a cube with its Scene Classification Layer: pixels whose class is in MASK_VALUES become "
            "nodata in every band except the mask band (kept, so you can see why a pixel was masked).\n\n"
            "Default classes: 0 no data, 1 saturated or defective, 3 cloud shadow, 8 cloud medium probability, "
            "9 cloud high probability, 10 thin cirrus. DILATION grows the masked area by that many pixels (a "
            "disc) to catch cloud edges. MAX_MASKED_FRACTION (0-1, optional) drops whole dates whose masked "
            "share of the observed area is larger; the log lists them and why."
        ) + "\n\n" + tr(
            "Landsat Collection 2 (qa_pixel) and other bit-flag bands are masked by bits: a pixel is masked when any "
            "of the MASK_BITS is set. Default for qa_pixel: fill, dilated_cloud, cirrus, cloud, shadow; add snow or "
            "water, or give bit numbers (0-15). A cube without SCL but with qa_pixel is masked with qa_pixel even when "
            "MASK_BAND is left at SCL. MASK_VALUES is then not used."
        )

    def createInstance(self):  # noqa: N802
        return CloudMaskAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterString(self.MASK_BAND, tr("Mask band"), defaultValue="SCL"))
        self.addParameter(QgsProcessingParameterString(self.MASK_VALUES, tr("Classes to mask"), defaultValue="0,1,3,8,9,10"))
        self.addParameter(
            QgsProcessingParameterNumber(self.DILATION, tr("Dilation (pixels)"), QgsProcessingParameterNumber.Type.Integer, defaultValue=0, minValue=0, maxValue=100)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.MAX_MASKED_FRACTION, tr("Drop dates masked more than (fraction 0-1)"),
                QgsProcessingParameterNumber.Type.Double, optional=True, minValue=0.0, maxValue=1.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                self.MASK_BITS, tr("Bits to mask (bit-flag bands such as qa_pixel)"), optional=True,
                defaultValue="",
            )
        )
        self.addParameter(cube_output_parameter(self.OUTPUT, tr("Masked cube"), recipe_in_models=True))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.cloudmask import cloud_mask

        source, cube = open_input_cube(self, parameters, self.INPUT, context)
        text = self.parameterAsString(parameters, self.MASK_VALUES, context)
        try:
            values = [int(v) for v in text.replace(";", ",").split(",") if v.strip()]
        except ValueError:
            raise QgsProcessingException(tr("MASK_VALUES must be whole numbers separated by commas, e.g. 0,1,3,8,9,10 (got '{text}').").format(text=text))
        fraction = None
        if parameters.get(self.MAX_MASKED_FRACTION) not in (None, ""):
            fraction = self.parameterAsDouble(parameters, self.MAX_MASKED_FRACTION, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        progress = engine_progress(feedback)
        cube, dropped = run_engine(
            cloud_mask, cube, self.parameterAsString(parameters, self.MASK_BAND, context), values,
            self.parameterAsInt(parameters, self.DILATION, context), fraction, progress,
            (self.parameterAsString(parameters, self.MASK_BITS, context) or "").strip() or None,
        )
        for date, share in dropped:
            feedback.pushWarning(tr("Dropped {date}: {percent:.1f}% masked (more than {limit:.0f}%).").format(date=date, percent=100 * share, limit=100 * fraction))
        write_and_load(cube, output, self.OUTPUT, context, feedback, progress.scaled(50, 100) if fraction is not None else progress, source=source)
        return {self.OUTPUT: output}
