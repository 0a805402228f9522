"""A QgsProcessingFeedback that records what an algorithm reported."""

from qgis.core import QgsProcessingFeedback


class RecordingFeedback(QgsProcessingFeedback):
    def __init__(self, cancel_at_percent=None):
        super().__init__()
        self.infos, self.warnings, self.errors, self.percents = [], [], [], []
        self.cancel_at_percent = cancel_at_percent
        self.progressChanged.connect(self._on_progress)

    def _on_progress(self, percent):
        self.percents.append(percent)
        if self.cancel_at_percent is not None and percent >= self.cancel_at_percent:
            self.cancel()

    def pushInfo(self, info):  # noqa: N802
        self.infos.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.warnings.append(warning)
        super().pushWarning(warning)

    def reportError(self, error, fatalError=False):  # noqa: N802
        self.errors.append(error)
        super().reportError(error, fatalError)

    @property
    def log(self):
        return "\n".join(self.infos + self.warnings + self.errors)
