"""sitscube:trainrandomforest — a random forest from training polygons or points, with an honest accuracy report."""

import os

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)

from ..plugin.i18n import tr
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("sklearn", "rasterio", "shapely")


def training_geometries(source, class_field, raster_crs, context, feedback):
    """(shapely geometries in the raster CRS, labels), skipping what cannot be used, with counts."""
    import shapely.wkb

    transform = QgsCoordinateTransform(source.sourceCrs(), raster_crs, context.transformContext())
    geometries, labels = [], []
    skipped = {"no geometry": 0, "invalid geometry": 0, "no class value": 0}
    for feature in source.getFeatures():
        value = feature[class_field]
        if value is None or str(value).strip() == "" or (hasattr(value, "isNull") and value.isNull()):
            skipped["no class value"] += 1
            continue
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty():
            skipped["no geometry"] += 1
            continue
        if not geometry.isGeosValid():
            skipped["invalid geometry"] += 1
            continue
        geometry.transform(transform)
        geometries.append(shapely.wkb.loads(bytes(geometry.asWkb())))
        labels.append(value if isinstance(value, int) else str(value))
    for reason, count in skipped.items():
        if count:
            feedback.pushWarning(tr("{n} training feature(s) skipped: {reason}.").format(n=count, reason=tr(reason)))
    return geometries, labels


class TrainRandomForestAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    TRAINING = "TRAINING"
    CLASS_FIELD = "CLASS_FIELD"
    N_TREES = "N_TREES"
    MAX_DEPTH = "MAX_DEPTH"
    BALANCED = "BALANCED"
    MAX_PER_CLASS = "MAX_PER_CLASS"
    CV_FOLDS = "CV_FOLDS"
    SEED = "SEED"
    OUTPUT_MODEL = "OUTPUT_MODEL"
    OUTPUT_REPORT = "OUTPUT_REPORT"

    def name(self):
        return "trainrandomforest"

    def displayName(self):  # noqa: N802
        return tr("Train random forest")

    def group(self):
        return tr("Classification")

    def groupId(self):  # noqa: N802
        return "classification"

    def tags(self):
        return [tr("random forest"), tr("classification"), tr("training"), "scikit-learn", tr("accuracy"), tr("land cover")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Trains a scikit-learn random forest on the pixels of a multi-band raster (a composite, a stack, a "
            "cube band layer) inside training polygons, or under training points, labelled by CLASS_FIELD "
            "(text or integer). The training layer may be in any CRS.\n\n"
            "Accuracy is estimated with spatially blocked cross-validation: a whole polygon (or, for points, a "
            "spatial block) is never split between training and test, so neighbouring, nearly identical pixels "
            "cannot inflate the score. The report gives the confusion matrix, overall accuracy, kappa, per-class "
            "precision, recall and F1, and feature importance. When blocked cross-validation is impossible (a "
            "class with a single polygon) the report says so plainly and the model is still trained.\n\n"
            "Outputs: the model file (bands, classes, CRS and parameters recorded) for 'Classify', and the report "
            "as HTML, with JSON and CSV next to it."
        )

    def createInstance(self):  # noqa: N802
        return TrainRandomForestAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster")))
        self.addParameter(
            QgsProcessingParameterFeatureSource(
                self.TRAINING, tr("Training polygons or points"),
                [QgsProcessing.SourceType.TypeVectorPolygon, QgsProcessing.SourceType.TypeVectorPoint],
            )
        )
        self.addParameter(QgsProcessingParameterField(self.CLASS_FIELD, tr("Class field"), parentLayerParameterName=self.TRAINING))
        self.addParameter(QgsProcessingParameterNumber(self.N_TREES, tr("Number of trees"), QgsProcessingParameterNumber.Type.Integer, 100, minValue=1, maxValue=5000))
        self.addParameter(QgsProcessingParameterNumber(self.CV_FOLDS, tr("Cross-validation folds"), QgsProcessingParameterNumber.Type.Integer, 5, minValue=2, maxValue=50))
        advanced = [
            QgsProcessingParameterNumber(self.MAX_DEPTH, tr("Maximum tree depth (empty: unlimited)"), QgsProcessingParameterNumber.Type.Integer, optional=True, minValue=1),
            QgsProcessingParameterBoolean(self.BALANCED, tr("Balance classes (weights)"), defaultValue=False),
            QgsProcessingParameterNumber(self.MAX_PER_CLASS, tr("Maximum pixels per class"), QgsProcessingParameterNumber.Type.Integer, 10000, minValue=10),
            QgsProcessingParameterNumber(self.SEED, tr("Random seed"), QgsProcessingParameterNumber.Type.Integer, 0, minValue=0),
        ]
        for parameter in advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
            self.addParameter(parameter)
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_MODEL, tr("Model"), fileFilter=tr("SITS Cube model (*.sitsmodel)")))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_REPORT, tr("Accuracy report"), fileFilter=tr("HTML (*.html)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine import classify

        raster = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        source = self.parameterAsSource(parameters, self.TRAINING, context)
        class_field = self.parameterAsString(parameters, self.CLASS_FIELD, context)
        if not class_field:
            raise QgsProcessingException(tr("CLASS_FIELD is empty: choose the field of the training layer that holds the class."))
        if source.featureCount() == 0:
            raise QgsProcessingException(tr("The training layer has no feature."))
        geometries, labels = training_geometries(source, class_field, raster.crs(), context, feedback)
        if not geometries:
            raise QgsProcessingException(tr("No training feature has both a valid geometry and a value in '{field}'.").format(field=class_field))
        seed = self.parameterAsInt(parameters, self.SEED, context)
        max_depth = self.parameterAsInt(parameters, self.MAX_DEPTH, context) if parameters.get(self.MAX_DEPTH) not in (None, "") else None
        options = dict(
            n_trees=self.parameterAsInt(parameters, self.N_TREES, context), max_depth=max_depth,
            class_weight="balanced" if self.parameterAsBoolean(parameters, self.BALANCED, context) else None, seed=seed,
        )
        progress = engine_progress(feedback)
        path = raster.source()
        samples = run_engine(
            classify.sample_training, path, geometries, labels,
            max_per_class=self.parameterAsInt(parameters, self.MAX_PER_CLASS, context), seed=seed, progress=progress.scaled(0, 20),
        )
        feedback.pushInfo(tr("{n} training pixels in {k} classes.").format(n=len(samples.y), k=len(samples.classes)))
        model, report = run_engine(
            classify.train_and_validate, samples, folds=self.parameterAsInt(parameters, self.CV_FOLDS, context),
            n_jobs=-1, progress=progress.scaled(20, 90), **options,
        )
        if report.get("warning"):
            feedback.pushWarning(report["warning"])
        metadata = classify.model_metadata(
            samples, {**options, "class_field": class_field, "raster": path}, crs_wkt=raster.crs().toWkt(), report=report
        )
        model_path = self.parameterAsFileOutput(parameters, self.OUTPUT_MODEL, context)
        report_path = self.parameterAsFileOutput(parameters, self.OUTPUT_REPORT, context)
        run_engine(classify.save_model, model_path, model, metadata)
        stem = os.path.splitext(report_path)[0]
        run_engine(classify.write_report, report, report_path, stem + ".json", stem + ".csv")
        if report.get("overall_accuracy") is not None:
            feedback.pushInfo(tr("Overall accuracy {oa:.3f}, kappa {kappa:.3f} (spatially blocked cross-validation).").format(
                oa=report["overall_accuracy"], kappa=report["kappa"]))
        progress.set_percent(100)
        return {self.OUTPUT_MODEL: model_path, self.OUTPUT_REPORT: report_path}
