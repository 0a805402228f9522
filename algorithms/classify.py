"""sitscube:classify — apply a random-forest model to a raster, block by block."""

from qgis.core import (
    QgsPalettedRasterRenderer,
    QgsProcessingAlgorithm,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterFile,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtGui import QColor

from ..plugin.i18n import tr
from .support import can_execute, engine_progress, keep_alive, require, run_engine

REQUIRES = ("sklearn", "rasterio")
class ClassStyler(QgsProcessingLayerPostProcessorInterface):
    """A paletted renderer with the class names as labels."""

    def __init__(self, classes):
        super().__init__()
        self.classes = classes  # {code: name}

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from ..engine.palette import class_colours, hex_colour

        colours = class_colours(self.classes)  # the GeoTIFF's colour table too: water is blue
        entries = [QgsPalettedRasterRenderer.Class(int(code), QColor(hex_colour(colours[int(code)])), str(name))
                   for code, name in sorted(self.classes.items())]
        layer.setRenderer(QgsPalettedRasterRenderer(layer.dataProvider(), 1, entries))
        layer.triggerRepaint()


class ClassifyAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    MODEL = "MODEL"
    OUTPUT = "OUTPUT"
    OUTPUT_PROBABILITY = "OUTPUT_PROBABILITY"
    TRUST_PICKLE = "TRUST_PICKLE"

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
            "model is refused.\n\n"
            "The model file may have any name: it is recognised by its content. Model files of this version hold "
            "only numbers and never run code when opened. Models of older versions are Python pickles, which can "
            "run code: they are opened only with TRUST_PICKLE (advanced) checked, for files you trust."
        )

    def createInstance(self):  # noqa: N802
        return ClassifyAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster")))
        self.addParameter(QgsProcessingParameterFile(self.MODEL, tr("Model"), fileFilter=tr("SITS Cube model (*.sitsmodel);;All files (*)")))  # any name: recognised by its header
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Classes")))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT_PROBABILITY, tr("Probability"), optional=True, createByDefault=False))
        trust = QgsProcessingParameterBoolean(
            self.TRUST_PICKLE, tr("Trust a pickled model of an older version (opening it can run code)"), defaultValue=False)
        trust.setFlags(trust.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        self.addParameter(trust)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine import classify

        raster = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        model, metadata = run_engine(classify.load_model, self.parameterAsFile(parameters, self.MODEL, context),
                                     trust_pickle=self.parameterAsBoolean(parameters, self.TRUST_PICKLE, context))
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
