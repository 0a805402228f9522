"""sitscube:quicklooks — the items' thumbnails (or previews rendered from the data) as an HTML gallery."""

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterVectorLayer,
)

from ..plugin.i18n import tr
from .support import can_execute, engine_progress, layer_file_path, require, run_engine

REQUIRES = ("numpy", "requests")


class QuickLooksAlgorithm(QgsProcessingAlgorithm):
    ITEMS = "ITEMS"
    MAX_ITEMS = "MAX_ITEMS"
    OUTPUT_HTML = "OUTPUT_HTML"

    def name(self):
        return "quicklooks"

    def displayName(self):  # noqa: N802
        return tr("Quick-looks")

    def group(self):
        return tr("Search and load")

    def groupId(self):  # noqa: N802
        return "searchload"

    def tags(self):
        return [tr("stac"), tr("thumbnail"), tr("preview"), tr("quick-look"), tr("gallery"), "html"]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Shows the items found by 'STAC search' as a gallery of quick-looks: one card per item with its "
            "image, id, date, cloud cover and platform, in an HTML page that opens in the results viewer.\n\n"
            "The image is the item's thumbnail asset (key 'thumbnail', an asset with the 'thumbnail' role, or "
            "'rendered_preview' / 'preview'), downloaded into the folder <page name>_files next to the page, so "
            "the page also works offline. An item without a thumbnail but with a true-colour asset ('visual', "
            "'TCI_10m' …) or red, green and blue bands gets a small preview rendered from them (at most 256 "
            "pixels, stretched between the 2nd and 98th percentiles, read from the overviews). An item with "
            "neither gets a card saying so; a thumbnail that cannot be downloaded gets a card with the error.\n\n"
            "MAX_ITEMS (optional): only the first items of the collection."
        )

    def createInstance(self):  # noqa: N802
        return QuickLooksAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(self.ITEMS, tr("Items (from STAC search)")))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_ITEMS, tr("Maximum number of items (0: all)"), QgsProcessingParameterNumber.Type.Integer,
            defaultValue=0, minValue=0, optional=True))
        # An .html destination: QGIS makes its output a QgsProcessingOutputHtml, shown by the results viewer.
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_HTML, tr("Quick-looks (HTML)"), fileFilter=tr("HTML files (*.html)")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.http_client import HttpPolicy
        from ..engine.quicklooks import QuickLookRequest, quick_looks
        from ..engine.stac_search import read_item_collection
        from ..plugin import settings

        layer = self.parameterAsVectorLayer(parameters, self.ITEMS, context)
        if layer is None:
            raise QgsProcessingException(tr("ITEMS is not a layer or file QGIS can open: give the GeoJSON written by 'STAC search'."))
        items = run_engine(read_item_collection, layer_file_path(layer))
        max_items = self.parameterAsInt(parameters, self.MAX_ITEMS, context)
        request = QuickLookRequest(
            items=items,
            html_path=self.parameterAsFileOutput(parameters, self.OUTPUT_HTML, context),
            max_items=max_items or None,
            http=HttpPolicy(retries=settings.http_retries(), backoff=settings.http_backoff(),
                            max_wait=settings.http_max_wait(), deadline=settings.http_deadline()),
            token_endpoint=settings.pc_token_endpoint(),
            sign_hosts=settings.sign_hosts(),
        )
        result = run_engine(quick_looks, request, engine_progress(feedback))
        cards = result["cards"]
        counts = {source: sum(c.source == source for c in cards) for source in ("thumbnail", "rendered", "none", "error")}
        feedback.pushInfo(tr("{n} card(s): {thumbnails} thumbnail(s), {rendered} rendered preview(s), {none} without image, "
                             "{errors} error(s). Page: {path}").format(
            n=len(cards), thumbnails=counts["thumbnail"], rendered=counts["rendered"], none=counts["none"],
            errors=counts["error"], path=result["html"]))
        return {self.OUTPUT_HTML: result["html"]}
