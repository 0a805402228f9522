"""Cube inputs and outputs shared by the cube algorithms (functions, no base class)."""

import os

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingUtils,
)

from ..plugin.i18n import tr
from .support import run_engine

CUBE_INPUT_FILTER = "SITS Cube (*.nc *.zarr *.zmetadata *.vrt);;All files (*)"
CUBE_OUTPUT_FILTER = "netCDF (*.nc);;Zarr (*.zarr)"


def cube_input_parameter(name: str, description: str) -> QgsProcessingParameterFile:
    return QgsProcessingParameterFile(
        name, description, behavior=QgsProcessingParameterFile.Behavior.File, fileFilter=CUBE_INPUT_FILTER
    )


def cube_output_parameter(name: str, description: str) -> QgsProcessingParameterFileDestination:
    return QgsProcessingParameterFileDestination(name, description, fileFilter=CUBE_OUTPUT_FILTER)


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
    from ..engine.cube_io import open_cube

    path = resolve_cube_path(algorithm.parameterAsFile(parameters, name, context))
    return path, run_engine(open_cube, path)


def write_and_load(cube, output, output_name, context, feedback, progress):
    """Write the cube atomically and load one raster layer per band (dates as band names)."""
    from ..engine.cube_io import cube_format, write_cube, write_display_vrts

    run_engine(cube_format, output)
    run_engine(write_cube, cube, output, progress)
    try:
        layers = write_display_vrts(output, cube)
    except RuntimeError as err:  # display helpers only: the cube itself is complete
        feedback.reportError(tr("Could not prepare map layers for the cube: {error}").format(error=err))
        layers = {}
    stem = os.path.splitext(os.path.basename(output))[0]
    for band, uri in layers.items():
        context.addLayerToLoadOnCompletion(
            uri,
            QgsProcessingContext.LayerDetails(f"{stem} {band}", context.project(), output_name, QgsProcessingUtils.LayerHint.Raster),
        )
    return output
