"""Running Processing algorithms in the test session's QGIS."""

from qgis.core import QgsProcessingContext, QgsProject

from recording_feedback import RecordingFeedback


def new_context():
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return context


def run_algorithm(algorithm, parameters, feedback=None, context=None):
    """processing.run with a context on the current project and a recording feedback."""
    import processing

    return processing.run(algorithm, parameters, context=context or new_context(), feedback=feedback or RecordingFeedback())
