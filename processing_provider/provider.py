"""The SITS Cube Processing provider (id ``sitscube``)."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..algorithms.classify import ClassifyAlgorithm
from ..algorithms.cloud_mask import CloudMaskAlgorithm
from ..algorithms.composite import CompositeAlgorithm
from ..algorithms.download_assets import DownloadAssetsAlgorithm
from ..algorithms.export_time_series import ExportTimeSeriesAlgorithm
from ..algorithms.gap_fill import GapFillAlgorithm
from ..algorithms.harmonize import HarmonizeAlgorithm
from ..algorithms.load_cube import LoadCubeAlgorithm
from ..algorithms.quick_looks import QuickLooksAlgorithm
from ..algorithms.spectral_index import SpectralIndexAlgorithm
from ..algorithms.stac_search import StacSearchAlgorithm
from ..algorithms.train_random_forest import TrainRandomForestAlgorithm
from ..algorithms.zonal_statistics import ZonalStatisticsAlgorithm
from ..algorithms.anomaly import AnomalyAlgorithm
from ..algorithms.temporal_profile import TemporalProfileAlgorithm
from ..algorithms.smooth import SmoothAlgorithm
from ..algorithms.phenology import PhenologyAlgorithm
from ..algorithms.trend import TrendAlgorithm
from ..plugin.i18n import tr
from .models import shipped_models

ALGORITHMS = [
    StacSearchAlgorithm,
    LoadCubeAlgorithm,
    HarmonizeAlgorithm,
    CloudMaskAlgorithm,
    GapFillAlgorithm,
    SpectralIndexAlgorithm,
    CompositeAlgorithm,
    ExportTimeSeriesAlgorithm,
    TrainRandomForestAlgorithm,
    ClassifyAlgorithm,
    ZonalStatisticsAlgorithm,
    DownloadAssetsAlgorithm,
    QuickLooksAlgorithm,
    AnomalyAlgorithm,
    TrendAlgorithm,
    TemporalProfileAlgorithm,
    SmoothAlgorithm,
    PhenologyAlgorithm,
]
ICON = os.path.join(os.path.dirname(__file__), "icon.svg")


class SitsCubeProvider(QgsProcessingProvider):
    def __init__(self, load_models=True):
        super().__init__()
        self.load_models = load_models

    def id(self):
        return "sitscube"

    def name(self):
        return tr("SITS Cube")

    def longName(self):  # noqa: N802
        return tr("SITS Cube — satellite image time series")

    def icon(self):
        return QIcon(ICON)

    def svgIconPath(self):  # noqa: N802
        return ICON

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
        self.models = shipped_models() if self.load_models else []
        for model in self.models:
            self.addAlgorithm(model)
        self.attach_models()

    def attach_models(self):
        """Resolve the models' steps; call again once the provider is registered.

        While the provider loads, the registry cannot find its own algorithms
        yet, so the models' outputs (destination parameters) appear only after
        this second pass.
        """
        for model in getattr(self, "models", []):
            for child_id in model.childAlgorithms():
                model.childAlgorithm(child_id).reattach()
            model.updateDestinationParameters()
