"""Graphical models shipped in models/*.model3, exposed by the provider.

Each keeps the stable id its file gives it (``sitscube:<model name>``); the
display name and group are translated here, never used as ids.
"""

import os

from qgis.core import QgsProcessingModelAlgorithm

from ..plugin.i18n import tr

MODELS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models")


class ShippedModel(QgsProcessingModelAlgorithm):
    def __init__(self, path):
        super().__init__()
        self._path = path
        if not self.fromFile(path):
            raise ValueError(f"cannot read the model {path}")

    def displayName(self):  # noqa: N802
        titles = {
            "cloudfreecomposite": tr("Cloud-free composite from STAC"),
            "landcovermap": tr("Land-cover map from STAC"),
            "phenologymap": tr("Phenology map from STAC"),
        }
        return titles.get(self.name(), self.name())

    def group(self):
        return tr("Workflows")

    def groupId(self):  # noqa: N802
        return "workflows"

    def createInstance(self):  # noqa: N802
        return ShippedModel(self._path)


def shipped_models():
    if not os.path.isdir(MODELS_DIR):
        return []
    return [ShippedModel(os.path.join(MODELS_DIR, name)) for name in sorted(os.listdir(MODELS_DIR)) if name.endswith(".model3")]
