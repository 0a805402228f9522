"""Small helpers shared by the algorithms: feedback, errors, areas, layers."""

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
)

from ..engine.errors import Canceled, UserError
from ..engine.progress import Progress
from ..plugin import dependencies
from ..plugin.i18n import tr

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")


def engine_progress(feedback: QgsProcessingFeedback) -> Progress:
    """The engine's Progress, reporting to a Processing feedback."""
    if feedback is None:
        return Progress()
    return Progress(
        set_percent=feedback.setProgress,
        is_canceled=feedback.isCanceled,
        info=feedback.pushInfo,
        on_warning=feedback.pushWarning,
    )


def run_engine(function, *args, **kwargs):
    """Call the engine; its errors become QgsProcessingExceptions."""
    try:
        return function(*args, **kwargs)
    except UserError as err:
        raise QgsProcessingException(str(err))
    except Canceled:
        raise QgsProcessingException(tr("Canceled: nothing was written."))


def can_execute(modules):
    """(ok, message) for QgsProcessingAlgorithm.canExecute."""
    missing = dependencies.missing(modules)
    if missing:
        return False, dependencies.missing_message(missing)
    return True, ""


def require(modules) -> None:
    ok, message = can_execute(modules)
    if not ok:
        raise QgsProcessingException(message)


def extent_lonlat(extent, crs, context: QgsProcessingContext):
    """An extent in any CRS as a (west, south, east, north) lon/lat box."""
    if not crs.isValid():
        crs = WGS84
    if crs != WGS84:
        transform = QgsCoordinateTransform(crs, WGS84, context.transformContext())
        extent = transform.transformBoundingBox(extent)
    return (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())


def crs_text(crs: QgsCoordinateReferenceSystem) -> str:
    """A CRS as pyproj understands it: the authority id, else WKT."""
    authid = crs.authid()
    if authid and not authid.upper().startswith("USER:"):
        return authid
    return crs.toWkt(QgsCoordinateReferenceSystem.WktVariant.WKT2_2019)


_POST_PROCESSORS = []  # QGIS keeps only a C++ pointer: Python must own them until used


def keep_alive(post_processor):
    """Return a layer post-processor, kept alive for QGIS to call after the algorithm."""
    _POST_PROCESSORS.append(post_processor)
    return post_processor


def layer_file_path(layer) -> str:
    """The file behind a layer (without '|layername=' options)."""
    return layer.source().split("|")[0]


def band_cut(layer, band=1):
    """The 2-98 % cumulative cut of a raster layer's band (sampled), as QGIS's own styling does."""
    from qgis.core import QgsRectangle

    return layer.dataProvider().cumulativeCut(band, 0.02, 0.98, QgsRectangle(), 250000)


def apply_color_ramp(layer, colours, low, high, label="{:.4g}", band=1):
    """Draw ``band`` with an interpolated ramp of ``colours`` spread evenly from low to high."""
    from qgis.core import QgsColorRampShader, QgsRasterShader, QgsSingleBandPseudoColorRenderer
    from qgis.PyQt.QtGui import QColor

    items = []
    for index, colour in enumerate(colours):
        value = low + (high - low) * index / (len(colours) - 1)
        items.append(QgsColorRampShader.ColorRampItem(value, QColor(colour), label.format(value)))
    ramp = QgsColorRampShader(low, high)
    ramp.setColorRampType(QgsColorRampShader.Type.Interpolated)
    ramp.setColorRampItemList(items)
    ramp.setClip(False)
    shader = QgsRasterShader()
    shader.setRasterShaderFunction(ramp)
    renderer = QgsSingleBandPseudoColorRenderer(layer.dataProvider(), band, shader)
    renderer.setClassificationMin(low)
    renderer.setClassificationMax(high)
    layer.setRenderer(renderer)
    layer.triggerRepaint()
