"""The SITS Cube page of QGIS's Settings › Options dialog.

Plain Qt layouts (no .ui file). The page edits the QGIS settings under
``sitscube/`` that plugin/settings.py reads; an environment variable set for
a setting wins over it (headless runs), and the page says so next to the field.
"""

import os

from qgis.core import QgsSettings
from qgis.gui import QgsFileWidget, QgsOptionsPageWidget, QgsOptionsWidgetFactory
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

from . import settings
from .i18n import tr

ICON = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "processing_provider", "icon.svg")
CATALOGS = [settings.EARTH_SEARCH, settings.PLANETARY_COMPUTER]
THREADS, LOCAL_CLUSTER, CLUSTER = "threads", "local-cluster", "cluster"
PAGE_NAME = "sitscube"


def _key(name: str) -> str:
    return f"{settings.SETTINGS_GROUP}/{name}"


def _stored(name: str, default):
    """The value saved in QGIS settings (not the environment's), typed like `default`."""
    value = QgsSettings().value(_key(name), default)
    if value in (None, ""):
        return default
    try:
        return int(float(value)) if isinstance(default, int) else type(default)(value)
    except (TypeError, ValueError):
        return default


class SitsCubeOptionsPage(QgsOptionsPageWidget):
    """Settings › Options › SITS Cube."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(PAGE_NAME)  # iface.showOptionsDialog(currentPage=PAGE_NAME) opens this page
        self.environment_notes = {}
        layout = QVBoxLayout(self)

        # STAC catalog
        catalog_box = QGroupBox(tr("STAC catalog"), self)
        catalog_form = QFormLayout(catalog_box)
        self.catalog_url = QComboBox(catalog_box)
        self.catalog_url.setEditable(True)
        self.catalog_url.addItems(CATALOGS)
        self.catalog_url.setToolTip(tr(
            "The STAC API that 'STAC search' proposes by default, e.g. Earth Search or Planetary Computer. "
            "Environment variable: SITSCUBE_CATALOG_URL."
        ))
        self._add_row(catalog_form, tr("Default catalog URL"), self.catalog_url, "catalog_url")
        layout.addWidget(catalog_box)

        # Computation
        compute_box = QGroupBox(tr("Computation"), self)
        compute_form = QFormLayout(compute_box)
        self.scheduler = QComboBox(compute_box)
        self.scheduler.addItem(tr("Threads on this computer (default)"), THREADS)
        self.scheduler.addItem(tr("Local Dask cluster (worker processes)"), LOCAL_CLUSTER)
        self.scheduler.addItem(tr("Existing Dask cluster at this address"), CLUSTER)
        self.scheduler.setToolTip(tr(
            "Where the cube computations run: dask's threads in QGIS, a local cluster of worker processes "
            "started on first use, or an existing Dask cluster (its scheduler address, e.g. tcp://host:8786). "
            "Environment variable: SITSCUBE_DASK_SCHEDULER."
        ))
        self._add_row(compute_form, tr("Dask scheduler"), self.scheduler, "dask_scheduler")
        self.scheduler_address = QLineEdit(compute_box)
        self.scheduler_address.setPlaceholderText("tcp://host:8786")
        self.scheduler_address.setToolTip(tr("The Dask scheduler's address, e.g. tcp://host:8786."))
        compute_form.addRow(tr("Scheduler address"), self.scheduler_address)
        self.scheduler.currentIndexChanged.connect(self._scheduler_changed)

        self.memory_limit = QSpinBox(compute_box)
        self.memory_limit.setRange(0, 1024 * 1024)
        self.memory_limit.setSingleStep(256)
        self.memory_limit.setSuffix(" " + tr("MB"))
        self.memory_limit.setSpecialValueText(tr("Automatic"))
        self.memory_limit.setToolTip(tr(
            "Memory budget for one computation, in MB; 0 (Automatic) lets dask choose. It is the hint for "
            "the size of dask chunks (a quarter of the budget per chunk): lower it if QGIS runs out of memory, "
            "raise it for fewer, larger reads. Environment variable: SITSCUBE_MEMORY_LIMIT_MB."
        ))
        self._add_row(compute_form, tr("Memory limit"), self.memory_limit, "memory_limit_mb")

        self.cache_dir = QgsFileWidget(compute_box)
        self.cache_dir.setStorageMode(QgsFileWidget.StorageMode.GetDirectory)
        self.cache_dir.setDialogTitle(tr("Cache folder"))
        self.cache_dir.setToolTip(tr(
            "Folder for downloaded and intermediate files; created when first used. Default: a folder in "
            "the QGIS profile. Environment variable: SITSCUBE_CACHE_DIR."
        ))
        self._add_row(compute_form, tr("Cache folder"), self.cache_dir, "cache_dir")
        layout.addWidget(compute_box)

        # HTTP
        http_box = QGroupBox(tr("HTTP (STAC requests and image reads)"), self)
        http_form = QFormLayout(http_box)
        self.http_retries = QSpinBox(http_box)
        self.http_retries.setRange(0, 20)
        self.http_retries.setToolTip(tr(
            "Extra attempts after a rate limit (429), a temporary server error (5xx) or a dropped connection. "
            "Environment variable: SITSCUBE_HTTP_RETRIES."
        ))
        self._add_row(http_form, tr("Retries"), self.http_retries, "http_retries")
        self.http_backoff = self._seconds(http_box, 0.0, 60.0, 1)
        self.http_backoff.setToolTip(tr(
            "Wait before the first retry; it doubles at each retry. Environment variable: SITSCUBE_HTTP_BACKOFF."
        ))
        self._add_row(http_form, tr("First retry after"), self.http_backoff, "http_backoff")
        self.http_max_wait = self._seconds(http_box, 0.0, 3600.0, 0)
        self.http_max_wait.setToolTip(tr(
            "Longest wait between two attempts, a server's Retry-After included. "
            "Environment variable: SITSCUBE_HTTP_MAX_WAIT."
        ))
        self._add_row(http_form, tr("Longest wait between attempts"), self.http_max_wait, "http_max_wait")
        self.http_deadline = self._seconds(http_box, 1.0, 86400.0, 0)
        self.http_deadline.setToolTip(tr(
            "No retry starts that could end later than this after a request's first attempt. "
            "Environment variable: SITSCUBE_HTTP_DEADLINE."
        ))
        self._add_row(http_form, tr("Give up a request after"), self.http_deadline, "http_deadline")
        layout.addWidget(http_box)

        note = QLabel(tr(
            "For headless runs (qgis_process, scripts), the SITSCUBE_* environment variables named in the "
            "tooltips override these settings."
        ), self)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)
        self.load()

    # --- building ---------------------------------------------------------

    @staticmethod
    def _seconds(parent, minimum, maximum, decimals):
        box = QDoubleSpinBox(parent)
        box.setRange(minimum, maximum)
        box.setDecimals(decimals)
        box.setSuffix(" s")
        return box

    def _add_row(self, form, label, widget, name):
        form.addRow(label, widget)
        value = settings.environment_override(name)
        if value is not None:
            note = QLabel(tr("Overridden by the environment variable {name}={value}").format(
                name=settings.ENVIRONMENT[name], value=value
            ))
            note.setWordWrap(True)
            note.setStyleSheet("color: #b35900;")
            form.addRow("", note)
            self.environment_notes[name] = note

    def _scheduler_changed(self, *_):
        self.scheduler_address.setEnabled(self.scheduler.currentData() == CLUSTER)

    # --- values -----------------------------------------------------------

    def load(self):
        """Show the values saved in QGIS settings."""
        self.catalog_url.setEditText(_stored("catalog_url", settings.DEFAULTS["catalog_url"]))
        self.set_scheduler(_stored("dask_scheduler", settings.DEFAULTS["dask_scheduler"]))
        self.memory_limit.setValue(max(0, _stored("memory_limit_mb", 0)))
        self.cache_dir.setFilePath(_stored("cache_dir", settings.default_cache_dir()))
        self.http_retries.setValue(_stored("http_retries", settings.DEFAULTS["http_retries"]))
        self.http_backoff.setValue(_stored("http_backoff", settings.DEFAULTS["http_backoff"]))
        self.http_max_wait.setValue(_stored("http_max_wait", settings.DEFAULTS["http_max_wait"]))
        self.http_deadline.setValue(_stored("http_deadline", settings.DEFAULTS["http_deadline"]))

    def set_scheduler(self, value: str):
        value = (value or THREADS).strip()
        if value in ("", THREADS):
            self.scheduler.setCurrentIndex(self.scheduler.findData(THREADS))
        elif value in ("processes", LOCAL_CLUSTER):
            self.scheduler.setCurrentIndex(self.scheduler.findData(LOCAL_CLUSTER))
        else:
            self.scheduler.setCurrentIndex(self.scheduler.findData(CLUSTER))
            self.scheduler_address.setText(value)
        self._scheduler_changed()

    def scheduler_value(self) -> str:
        """threads, local-cluster or the cluster address (tcp:// added when no scheme is given)."""
        choice = self.scheduler.currentData()
        if choice != CLUSTER:
            return choice
        address = self.scheduler_address.text().strip()
        if not address:
            return THREADS
        return address if "://" in address else f"tcp://{address}"

    def apply(self):
        """Save the fields to QGIS settings (called by the Options dialog's OK)."""
        qsettings = QgsSettings()
        catalog = self.catalog_url.currentText().strip() or settings.DEFAULTS["catalog_url"]
        qsettings.setValue(_key("catalog_url"), catalog)
        qsettings.setValue(_key("dask_scheduler"), self.scheduler_value())
        qsettings.setValue(_key("memory_limit_mb"), int(self.memory_limit.value()))
        qsettings.setValue(_key("cache_dir"), self.cache_dir.filePath().strip() or settings.default_cache_dir())
        qsettings.setValue(_key("http_retries"), int(self.http_retries.value()))
        qsettings.setValue(_key("http_backoff"), float(self.http_backoff.value()))
        qsettings.setValue(_key("http_max_wait"), float(self.http_max_wait.value()))
        qsettings.setValue(_key("http_deadline"), float(self.http_deadline.value()))
        qsettings.sync()

    def helpKey(self):  # noqa: N802
        return ""


class SitsCubeOptionsFactory(QgsOptionsWidgetFactory):
    """Adds the SITS Cube page to Settings › Options."""

    def __init__(self):
        super().__init__(tr("SITS Cube"), QIcon(ICON))
        self.setObjectName("SitsCubeOptionsFactory")
        self.setKey(PAGE_NAME)

    def icon(self):
        return QIcon(ICON)

    def title(self):
        return tr("SITS Cube")

    def createWidget(self, parent=None):  # noqa: N802
        return SitsCubeOptionsPage(parent)
