"""Report dask progress to a Progress, and stop the computation on cancel."""

from dask.callbacks import Callback

from .progress import Progress


class DaskProgress(Callback):
    """A dask local-scheduler callback: percent done, cancel between tasks."""

    def __init__(self, progress: Progress):
        super().__init__()
        self.progress = progress
        self.total = 0

    def _start_state(self, dsk, state):
        self.total = sum(len(state[k]) for k in ("ready", "waiting", "running", "finished")) or 1

    def _posttask(self, key, result, dsk, state, worker_id):
        self.progress.set_percent(100.0 * len(state["finished"]) / self.total)
        self.progress.check_canceled()  # raising here aborts the compute
