"""Cube inputs and outputs shared by the cube algorithms (functions, no base class)."""

import os

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingUtils,
)

from ..plugin.i18n import tr
from .support import keep_alive, run_engine

CUBE_INPUT_FILTER = "SITS Cube (*.nc *.zarr *.zmetadata *.vrt *.sitscube);;All files (*)"
CUBE_OUTPUT_FILTER = "netCDF (*.nc);;Zarr (*.zarr);;SITS Cube recipe, computed later (*.sitscube)"


def cube_input_parameter(name: str, description: str) -> QgsProcessingParameterFile:
    return QgsProcessingParameterFile(
        name, description, behavior=QgsProcessingParameterFile.Behavior.File, fileFilter=CUBE_INPUT_FILTER
    )


class CubeDestinationParameter(QgsProcessingParameterFileDestination):
    """A cube output. Where it is a temporary output inside a model (a step's cube that only the
    next step reads), a step that can be replayed gets a recipe (``.sitscube``) instead of a
    netCDF file: the model then computes its chain of steps once, in the step that needs values.

    QGIS names a model's temporary outputs with ``generateTemporaryDestination``, called with the
    model's context, whose expression context holds the model's scope (``@model_name``) while a
    child step's parameters are made; a temporary output run from the toolbox or ``qgis_process``
    has no model scope and stays ``.nc`` (so it can be loaded into the map).
    """

    def __init__(self, name, description, recipe_in_models=False):
        super().__init__(name, description, fileFilter=CUBE_OUTPUT_FILTER)
        self.recipe_in_models = recipe_in_models

    def generateTemporaryDestination(self, context=None):  # noqa: N802
        if self.recipe_in_models and in_model(context):
            from ..engine.recipe import EXTENSION

            return QgsProcessingUtils.generateTempFilename(self.name() + EXTENSION, context)
        return super().generateTemporaryDestination(context)

    def clone(self):
        copy = CubeDestinationParameter(self.name(), self.description(), self.recipe_in_models)
        copy.setFlags(self.flags())
        copy.setHelp(self.help())
        copy.setMetadata(self.metadata())
        copy.setDefaultValue(self.defaultValue())
        return copy


def in_model(context) -> bool:
    """True while a model makes its steps' parameters (its scope is in the context)."""
    return context is not None and context.expressionContext().hasVariable("model_name")


def cube_output_parameter(name: str, description: str, recipe_in_models: bool = False) -> QgsProcessingParameterFileDestination:
    """``recipe_in_models``: the step can write a recipe, and does so for a model's temporary outputs."""
    return CubeDestinationParameter(name, description, recipe_in_models)


def resolve_cube_path(path: str) -> str:
    """The cube behind what a user picked: a .nc, a .zarr folder or a file in it,
    or one of the band layers (cube.nc.layers/B04.vrt) loadcube put in the map."""
    path = os.path.abspath(path.rstrip("/\\"))
    parent = os.path.dirname(path)
    if parent.endswith(".layers") and path.endswith(".vrt"):
        return parent[: -len(".layers")]
    if parent.endswith(".zarr") and os.path.basename(path).startswith(".z"):
        return parent
    return path


def open_input_cube(algorithm, parameters, name, context):
    import odc.geo.xr  # noqa: F401  (registers the .odc accessor the engine reads CRS and grid with)

    from ..engine.cube_io import open_cube

    path = resolve_cube_path(algorithm.parameterAsFile(parameters, name, context))
    return path, run_engine(open_cube, path)


class BandDates(QgsProcessingLayerPostProcessorInterface):
    """Makes a loaded cube band layer (raster band i = date i) temporal.

    Each raster band gets the day of its date as a fixed range, so QGIS's
    temporal controller shows the band of the current frame (and nothing on
    days without an acquisition). QGIS only switches the band of a single-band
    renderer, and a VRT with 3+ bands would get an RGB one (three dates as
    red/green/blue, meaningless here), so the layer is drawn in grey.
    """


    def __init__(self, dates):
        super().__init__()
        self.dates = dates  # datetime.date per raster band, in band order

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        from qgis.core import (
            Qgis,
            QgsContrastEnhancement,
            QgsDateTimeRange,
            QgsRasterMinMaxOrigin,
            QgsSingleBandGrayRenderer,
        )
        from qgis.PyQt.QtCore import QDate, QDateTime, QTime, Qt

        if layer.bandCount() > 1 or layer.renderer() is None:
            layer.setRenderer(QgsSingleBandGrayRenderer(layer.dataProvider(), 1))
            layer.setContrastEnhancement(
                QgsContrastEnhancement.ContrastEnhancementAlgorithm.StretchToMinimumMaximum,
                QgsRasterMinMaxOrigin.Limits.CumulativeCut,
            )
        if not hasattr(Qgis.RasterTemporalMode, "FixedRangePerBand"):  # QGIS < 3.38: no per-band ranges
            return
        ranges = {}
        for band, day in enumerate(self.dates[: layer.bandCount()], start=1):
            # Sentinel-2 and Landsat dates are UTC dates: the whole UTC day, end excluded
            begin = QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0), Qt.TimeSpec.UTC)
            ranges[band] = QgsDateTimeRange(begin, begin.addDays(1), True, False)
        properties = layer.temporalProperties()
        properties.setMode(Qgis.RasterTemporalMode.FixedRangePerBand)
        properties.setFixedRangePerBand(ranges)
        properties.setIsActive(True)
        layer.triggerRepaint()


def write_and_load(cube, output, output_name, context, feedback, progress, source=None, load=None):
    """Write the cube atomically and load one raster layer per band (dates as band
    names), each made temporal so the temporal controller steps through the dates.

    A ``.sitscube`` output is a recipe (engine/recipe.py): the steps ``cube``
    adds to ``source`` (the input cube, or for Load cube the item collection
    with ``load``, its request), written in milliseconds and computed by
    whichever step finally needs the values. It is not loaded into the map.
    """
    import datetime

    from ..engine.cube_io import cube_format, write_cube, write_display_vrts

    if run_engine(cube_format, output) == "recipe":
        from ..engine import recipe

        if source is None:
            raise QgsProcessingException(tr("This algorithm cannot write a recipe (.sitscube): choose a .nc or .zarr output."))
        if load is not None:
            from ..engine.cube_io import history

            run_engine(recipe.write_recipe, output, source, history(cube), history(cube), load)
        else:
            run_engine(recipe.write_step_recipe, cube, output, source)
        feedback.pushInfo(tr("Recipe written to {path}: the steps run when a later step (or a .nc/.zarr output) needs "
                             "the values. A recipe is not loaded into the map.").format(path=output))
        return output
    run_engine(write_cube, cube, output, progress)
    try:
        layers = write_display_vrts(output, cube)
    except RuntimeError as err:  # display helpers only: the cube itself is complete
        feedback.reportError(tr("Could not prepare map layers for the cube: {error}").format(error=err))
        layers = {}
    # the same dates write_display_vrts puts in the band names (numpy datetime64 -> "YYYY-MM-DD")
    dates = [datetime.date.fromisoformat(str(t)[:10]) for t in cube["time"].values] if "time" in cube.coords else []
    stem = os.path.splitext(os.path.basename(output))[0]
    for band, uri in layers.items():
        details = QgsProcessingContext.LayerDetails(f"{stem} {band}", context.project(), output_name, QgsProcessingUtils.LayerHint.Raster)
        if dates:
            details.setPostProcessor(keep_alive(BandDates(dates)))
        context.addLayerToLoadOnCompletion(uri, details)
    return output
