"""The engine's view of a progress bar, a cancel button and a log."""

from dataclasses import dataclass, field
from typing import Callable, List

from .errors import Canceled


CANCEL_POLL = 0.25  # seconds between cancel checks while dask computes (its callback asks per task)


def polled(is_canceled: Callable[[], bool], every: float = CANCEL_POLL) -> Callable[[], bool]:
    """is_canceled, asked only once `every` seconds have passed since the last time."""
    import time

    last = [time.monotonic()]

    def check():
        now = time.monotonic()
        if now - last[0] < every:
            return False
        last[0] = now
        return is_canceled()

    return check


def _ignore(*_args):
    return None


@dataclass
class Progress:
    """Callbacks the engine reports through; all optional.

    ``set_percent`` takes 0-100, ``is_canceled`` is polled between units of
    work, ``info``/``warning`` take a message. Warnings are also kept in
    ``warnings`` so callers and tests can read them back.
    """

    set_percent: Callable[[float], None] = _ignore
    is_canceled: Callable[[], bool] = lambda: False
    info: Callable[[str], None] = _ignore
    on_warning: Callable[[str], None] = _ignore
    warnings: List[str] = field(default_factory=list)

    def warning(self, message: str) -> None:
        self.warnings.append(message)
        self.on_warning(message)

    def check_canceled(self) -> None:
        if self.is_canceled():
            raise Canceled("Canceled by the user.")

    def scaled(self, start: float, end: float) -> "Progress":
        """A Progress whose 0-100 maps onto start-end of this one."""
        span = end - start
        child = Progress(
            set_percent=lambda p: self.set_percent(start + span * max(0.0, min(p, 100.0)) / 100.0),
            is_canceled=self.is_canceled,
            info=self.info,
            on_warning=self.on_warning,
        )
        child.warnings = self.warnings
        return child
