"""sitscube:spectralindex — add NDVI, NDWI, … to a cube."""

from qgis.core import QgsProcessingAlgorithm, QgsProcessingParameterEnum

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, cube_output_parameter, open_input_cube, write_and_load
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo")
INDICES = ["NDVI", "NDWI", "NDMI", "NBR", "EVI", "SAVI"]


class SpectralIndexAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    INDEX = "INDEX"
    OUTPUT = "OUTPUT"

    def name(self):
        return "spectralindex"

    def displayName(self):  # noqa: N802
        return tr("Spectral index")

    def group(self):
        return tr("Cube processing")

    def groupId(self):  # noqa: N802
        return "cubeprocessing"

    def tags(self):
        return ["NDVI", "NDWI", "NDMI", "NBR", "EVI", "SAVI", tr("index"), tr("vegetation")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Adds a spectral index to the cube as a new float variable, computed in reflectance (the digital "
            "numbers times the band's scale, 0.0001 for Sentinel-2):\n"
            "NDVI (nir-red)/(nir+red); NDWI (green-nir)/(green+nir); NDMI (nir-swir16)/(nir+swir16); "
            "NBR (nir-swir22)/(nir+swir22); EVI 2.5(nir-red)/(nir+6red-7.5blue+1); SAVI 1.5(nir-red)/(nir+red+0.5).\n\n"
            "Bands are found by common name (red is B04 or red). Pixels where an input is nodata are NaN. "
            "Harmonize the cube first if it carries the baseline 04.00 offset."
        )

    def createInstance(self):  # noqa: N802
        return SpectralIndexAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(QgsProcessingParameterEnum(self.INDEX, tr("Index"), options=INDICES, defaultValue="NDVI", usesStaticStrings=True))
        self.addParameter(cube_output_parameter(self.OUTPUT, tr("Cube with the index"), recipe_in_models=True))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.indices import add_index

        source, cube = open_input_cube(self, parameters, self.INPUT, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        progress = engine_progress(feedback)
        cube = run_engine(add_index, cube, self.parameterAsEnumString(parameters, self.INDEX, context), progress)
        write_and_load(cube, output, self.OUTPUT, context, feedback, progress, source=source)
        return {self.OUTPUT: output}
