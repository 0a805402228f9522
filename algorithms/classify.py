"""sitscube:classify — apply a random-forest model to a raster, block by block."""

from qgis.core import (
    QgsPalettedRasterRenderer,
    QgsProcessingAlgorithm,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtGui import QColor

from ..plugin.i18n import tr
from .support import can_execute, engine_progress, keep_alive, require, run_engine

REQUIRES = ("sklearn", "rasterio")
# Colours people expect for common land-cover names; others get a palette.
KNOWN_COLOURS = {"water": "#3a7bd5", "forest": "#1b7837", "crops": "#e6c229", "urban": "#b2182b", "grass": "#7fbc41",
                 "bare": "#c2a878", "snow": "#f0f0f0", "wetland": "#66c2a5", "shrub": "#a6761d"}
PALETTE = ["#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f"]


class ClassStyler(QgsProcessingLayerPostProcessorInterface):
    """A paletted renderer with the class names as labels."""

    def __init__(self, classes):
        super().__init__()
        self.classes = classes  # {code: name}

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        entries = []
        for index, (code, name) in enumerate(sorted(self.classes.items())):
            colour = QColor(KNOWN_COLOURS.get(str(name).lower(), PALETTE[index % len(PALETTE)]))
            entries.append(QgsPalettedRasterRenderer.Class(int(code), colour, str(name)))
        layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, entries))
        layer.triggerRepaint()


class ClassifyAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    MODEL = "MODEL"
    OUTPUT = "OUTPUT"
    OUTPUT_PROBABILITY = "OUTPUT_PROBABILITY"

    def name(self):
        return "classify"

    def displayName(self):  # noqa: N802
        return tr("Classify")

    def group(self):
        return tr("Classification")

    def groupId(self):  # noqa: N802
        return "classification"

    def tags(self):
        return [tr("random forest"), tr("classification"), tr("prediction"), tr("land cover"), tr("map")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Applies a model from 'Train random forest' to a raster with the same bands, block by block, so memory "
            "stays bounded whatever the raster's size. Pixels that are nodata in any band stay nodata.\n\n"
            "Output: a class raster (GeoTIFF, class codes) loaded with a palette and the class names; optionally "
            "the probability of the chosen class (0-1), a confidence map. A raster whose bands do not match the "
            "model is refused."
        )

    def createInstance(self):  # noqa: N802
        return ClassifyAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster")))
        self.addParameter(QgsProcessingParameterFile(self.MODEL, tr("Model"), fileFilter=tr("SITS Cube model (*.sitsmodel)")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Classes")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_PROBABILITY, tr("Probability"), optional=True, createByDefault=False))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine import classify

        raster = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        model, metadata = run_engine(classify.load_model, self.parameterAsFile(parameters, self.MODEL, context))
        for warning in metadata.get("warnings", []):
            feedback.pushWarning(warning)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        probability = self.parameterAsOutputLayer(parameters, self.OUTPUT_PROBABILITY, context) or None
        run_engine(classify.predict_raster, model, metadata, raster.source(), output, probability, progress=engine_progress(feedback))
        classes = {int(code): name for code, name in metadata["classes"].items()}
        if context.willLoadLayerOnCompletion(output):
            context.layerToLoadOnCompletionDetails(output).setPostProcessor(keep_alive(ClassStyler(classes)))
        results = {self.OUTPUT: output}
        if probability:
            results[self.OUTPUT_PROBABILITY] = probability
        return results
