"""The SITS Cube page of Settings › Options: its fields are saved to QGIS
settings, plugin/settings.py reads them back, environment variables win,
and the plugin registers the page with QGIS."""

import os

import pytest

KEYS = [
    "catalog_url", "dask_scheduler", "cache_dir", "memory_limit_mb",
    "http_retries", "http_backoff", "http_max_wait", "http_deadline",
]


@pytest.fixture
def clean_settings(qgis_app, monkeypatch):
    """No SITSCUBE_* variable, and the sitscube/ settings restored after the test."""
    from qgis.core import QgsSettings

    from sitscube.plugin import settings

    for variable in settings.ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    qsettings = QgsSettings()
    saved = {key: qsettings.value(f"sitscube/{key}") for key in KEYS if qsettings.contains(f"sitscube/{key}")}
    for key in KEYS:
        qsettings.remove(f"sitscube/{key}")
    yield
    qsettings = QgsSettings()
    for key in KEYS:
        qsettings.remove(f"sitscube/{key}")
    for key, value in saved.items():
        qsettings.setValue(f"sitscube/{key}", value)


def test_defaults_without_settings(clean_settings):
    from qgis.core import QgsApplication

    from sitscube.plugin import settings

    assert settings.default_catalog_url() == settings.EARTH_SEARCH
    assert settings.dask_scheduler() == "threads"
    assert settings.memory_limit_mb() == 0
    assert settings.dask_chunk_size_hint() is None
    assert settings.cache_dir() == os.path.join(QgsApplication.qgisSettingsDirPath(), "sitscube", "cache")
    assert settings.http_retries() == 4


def test_page_shows_defaults(clean_settings):
    from sitscube.plugin import settings
    from sitscube.plugin.settings_page import SitsCubeOptionsPage

    page = SitsCubeOptionsPage()
    assert page.catalog_url.currentText() == settings.EARTH_SEARCH
    assert page.scheduler_value() == "threads"
    assert not page.scheduler_address.isEnabled()
    assert page.memory_limit.value() == 0
    assert page.cache_dir.filePath() == settings.default_cache_dir()
    assert page.http_retries.value() == 4
    assert page.http_deadline.value() == 120.0
    assert "chunk" in page.memory_limit.toolTip()  # says what it is for
    assert page.environment_notes == {}


def test_apply_saves_settings_that_the_readers_return(clean_settings, tmp_path):
    from qgis.core import QgsSettings

    from sitscube.plugin import settings
    from sitscube.plugin.settings_page import SitsCubeOptionsPage

    page = SitsCubeOptionsPage()
    page.catalog_url.setEditText("http://127.0.0.1:8082/stac")
    page.scheduler.setCurrentIndex(page.scheduler.findData("cluster"))
    assert page.scheduler_address.isEnabled()
    page.scheduler_address.setText("scheduler.example:8786")  # scheme added
    page.memory_limit.setValue(2048)
    page.cache_dir.setFilePath(str(tmp_path / "cache"))
    page.http_retries.setValue(7)
    page.http_backoff.setValue(1.5)
    page.http_max_wait.setValue(30)
    page.http_deadline.setValue(300)
    page.apply()

    qsettings = QgsSettings()
    assert qsettings.value("sitscube/catalog_url") == "http://127.0.0.1:8082/stac"
    assert qsettings.value("sitscube/dask_scheduler") == "tcp://scheduler.example:8786"
    assert int(qsettings.value("sitscube/memory_limit_mb")) == 2048
    assert qsettings.value("sitscube/cache_dir") == str(tmp_path / "cache")

    assert settings.default_catalog_url() == "http://127.0.0.1:8082/stac"
    assert settings.dask_scheduler() == "tcp://scheduler.example:8786"
    assert settings.memory_limit_mb() == 2048
    assert settings.dask_chunk_size_hint() == "512MiB"
    assert settings.cache_dir() == str(tmp_path / "cache")
    assert settings.http_retries() == 7
    assert settings.http_backoff() == 1.5
    assert settings.http_max_wait() == 30.0
    assert settings.http_deadline() == 300.0

    # the engine's scheduler reads the same setting
    from sitscube.engine.scheduler import scheduler_setting

    assert scheduler_setting() == "tcp://scheduler.example:8786"

    # a new page (the dialog opened again) shows what was saved
    again = SitsCubeOptionsPage()
    assert again.catalog_url.currentText() == "http://127.0.0.1:8082/stac"
    assert again.scheduler.currentData() == "cluster"
    assert again.scheduler_address.text() == "tcp://scheduler.example:8786"
    assert again.memory_limit.value() == 2048
    assert again.cache_dir.filePath() == str(tmp_path / "cache")
    assert again.http_retries.value() == 7
    assert again.http_backoff.value() == 1.5


def test_local_cluster_and_threads_round_trip(clean_settings):
    from sitscube.plugin import settings
    from sitscube.plugin.settings_page import SitsCubeOptionsPage

    page = SitsCubeOptionsPage()
    page.scheduler.setCurrentIndex(page.scheduler.findData("local-cluster"))
    page.apply()
    assert settings.dask_scheduler() == "local-cluster"
    assert SitsCubeOptionsPage().scheduler.currentData() == "local-cluster"

    page.scheduler.setCurrentIndex(page.scheduler.findData("cluster"))
    page.scheduler_address.setText("")  # no address: back to threads
    page.apply()
    assert settings.dask_scheduler() == "threads"


def test_environment_variables_win(clean_settings, monkeypatch, tmp_path):
    from sitscube.plugin import settings
    from sitscube.plugin.settings_page import SitsCubeOptionsPage

    page = SitsCubeOptionsPage()
    page.catalog_url.setEditText("http://saved.example/stac")
    page.set_scheduler("local-cluster")
    page.memory_limit.setValue(1000)
    page.cache_dir.setFilePath(str(tmp_path / "saved"))
    page.http_retries.setValue(2)
    page.http_deadline.setValue(50)
    page.apply()

    monkeypatch.setenv("SITSCUBE_CATALOG_URL", "http://env.example/stac")
    monkeypatch.setenv("SITSCUBE_DASK_SCHEDULER", "tcp://env-scheduler:8786")
    monkeypatch.setenv("SITSCUBE_MEMORY_LIMIT_MB", "4096")
    monkeypatch.setenv("SITSCUBE_CACHE_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("SITSCUBE_HTTP_RETRIES", "9")
    monkeypatch.setenv("SITSCUBE_HTTP_DEADLINE", "33")
    assert settings.default_catalog_url() == "http://env.example/stac"
    assert settings.dask_scheduler() == "tcp://env-scheduler:8786"
    assert settings.memory_limit_mb() == 4096
    assert settings.cache_dir() == str(tmp_path / "env")
    assert settings.http_retries() == 9
    assert settings.http_deadline() == 33.0
    assert settings.http_max_wait() == 60.0  # not overridden, not saved: the default

    # the page still edits the saved values, and says which ones are overridden
    page = SitsCubeOptionsPage()
    assert page.catalog_url.currentText() == "http://saved.example/stac"
    assert page.memory_limit.value() == 1000
    assert set(page.environment_notes) == {
        "catalog_url", "dask_scheduler", "memory_limit_mb", "cache_dir", "http_retries", "http_deadline",
    }
    assert "SITSCUBE_MEMORY_LIMIT_MB=4096" in page.environment_notes["memory_limit_mb"].text()

    monkeypatch.delenv("SITSCUBE_MEMORY_LIMIT_MB")
    assert settings.memory_limit_mb() == 1000  # the saved value again


def test_invalid_memory_limit_is_automatic(clean_settings, monkeypatch):
    from sitscube.plugin import settings

    monkeypatch.setenv("SITSCUBE_MEMORY_LIMIT_MB", "lots")
    assert settings.memory_limit_mb() == 0
    monkeypatch.setenv("SITSCUBE_MEMORY_LIMIT_MB", "-5")
    assert settings.memory_limit_mb() == 0


def test_factory_creates_the_page(qgis_app):
    from qgis.gui import QgsOptionsPageWidget, QgsOptionsWidgetFactory

    from sitscube.plugin.settings_page import SitsCubeOptionsFactory, SitsCubeOptionsPage

    factory = SitsCubeOptionsFactory()
    assert isinstance(factory, QgsOptionsWidgetFactory)
    assert factory.title() == "SITS Cube"
    assert not factory.icon().isNull()
    page = factory.createWidget(None)
    assert isinstance(page, SitsCubeOptionsPage)
    assert isinstance(page, QgsOptionsPageWidget)


def test_init_gui_registers_the_options_page(qgis_app, qgis_iface, clean_settings):
    """initGui registers the factory with iface; unload unregisters it.

    pytest-qgis's stub iface answers any missing method with a MagicMock,
    so the calls are recorded; the real QGIS desktop has the same methods.
    """
    from qgis.core import QgsApplication

    from sitscube.plugin.plugin import SitsCubePlugin
    from sitscube.plugin.settings_page import SitsCubeOptionsFactory

    registry = QgsApplication.processingRegistry()
    provider_before = registry.providerById("sitscube")
    plugin = SitsCubePlugin(qgis_iface)
    if provider_before is not None:
        plugin.provider = provider_before  # already registered by another test: keep it
    assert hasattr(qgis_iface, "registerOptionsWidgetFactory")
    register = qgis_iface.registerOptionsWidgetFactory
    unregister = qgis_iface.unregisterOptionsWidgetFactory
    register.reset_mock()
    unregister.reset_mock()
    plugin.initGui()
    try:
        register.assert_called_once()
        factory = register.call_args.args[0]
        assert isinstance(factory, SitsCubeOptionsFactory)
        assert factory is plugin.options_factory
        assert factory.createWidget(None) is not None
        plugin.initGui()  # called again (plugin reloaded): not registered twice
        register.assert_called_once()
    finally:
        if provider_before is not None:
            plugin.provider = None  # not ours to remove
        plugin.unload()
    unregister.assert_called_once_with(factory)
    assert plugin.options_factory is None


def test_plugin_without_options_support(qgis_app):
    """An iface without registerOptionsWidgetFactory (e.g. a minimal stub) is tolerated."""
    from sitscube.plugin.plugin import SitsCubePlugin

    class BareIface:
        def messageBar(self):  # noqa: N802
            from unittest.mock import MagicMock

            return MagicMock()

    plugin = SitsCubePlugin(BareIface())
    plugin.register_options_page()
    assert plugin.options_factory is None
    plugin.unload()


# Runs inside the real QGIS desktop (qgis --code): opens Settings › Options on
# the SITS Cube page, edits it, presses OK; the findings go to a JSON file.
DESKTOP_OPTIONS_SCRIPT = '''
import json, os, traceback
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QStackedWidget
from qgis.core import QgsApplication, QgsProject, QgsSettings
from qgis.utils import iface

RESULT = os.environ["SITSCUBE_OPTIONS_RESULT"]
result = {"errors": []}

def finish():
    with open(RESULT, "w") as stream:
        json.dump(result, stream, indent=1)
    QgsProject.instance().setDirty(False)
    QgsApplication.exit(0)

def edit_and_accept():
    try:
        dialog = QApplication.activeModalWidget()
        result["dialog"] = type(dialog).__name__ if dialog else None
        current = dialog.findChild(QStackedWidget).currentWidget()  # QGIS wraps pages in a scroll area
        result["current_page"] = current.objectName()
        page = current.widget() if hasattr(current, "widget") else current
        result["page_class"] = type(page).__name__
        page.memory_limit.setValue(3072)
        page.set_scheduler("tcp://desktop-scheduler:8786")
        page.catalog_url.setEditText("http://desktop.example/stac")
        dialog.accept()
    except Exception:
        result["errors"].append(traceback.format_exc())
        dialog = QApplication.activeModalWidget()
        if dialog:
            dialog.reject()

def open_options():
    try:
        QTimer.singleShot(3000, edit_and_accept)
        iface.showOptionsDialog(iface.mainWindow(), currentPage="sitscube")  # modal: returns after OK
        settings = QgsSettings()
        result["saved"] = {k: settings.value("sitscube/" + k) for k in ("memory_limit_mb", "dask_scheduler", "catalog_url")}
        from sitscube.plugin import settings as readers
        result["readers"] = [readers.memory_limit_mb(), readers.dask_scheduler(), readers.default_catalog_url()]
    except Exception:
        result["errors"].append(traceback.format_exc())
    finish()

QTimer.singleShot(2000, open_options)
'''


@pytest.mark.slow
def test_options_page_in_qgis_desktop(tmp_path):
    """In the real QGIS desktop (Xvfb), Settings › Options has the page; OK saves it."""
    import json
    import shutil
    import signal
    import subprocess

    from conftest import ROOT
    from test_package import venv_site_packages

    if not shutil.which("xvfb-run") or not shutil.which("qgis"):
        pytest.fail("needs qgis and xvfb-run: run make setup")
    profiles = tmp_path / "profiles-root"
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nsitscube=true\nprocessing=true\n")
    (tmp_path / "xdg").mkdir(mode=0o700)
    script = tmp_path / "options.py"
    script.write_text(DESKTOP_OPTIONS_SCRIPT)
    result_path = tmp_path / "result.json"
    plugins = str(ROOT / "build" / "plugins")
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "QGIS_CUSTOM_CONFIG_PATH", "QGIS_OPTIONS_PATH") and not k.startswith("SITSCUBE_")}
    env.update({
        "QGIS_PLUGINPATH": plugins,
        "PYTHONPATH": f"{plugins}:{venv_site_packages()}",
        "XDG_RUNTIME_DIR": str(tmp_path / "xdg"),
        "SITSCUBE_OPTIONS_RESULT": str(result_path),
    })
    command = ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", "qgis", "--nologo", "--noversioncheck",
               "--profiles-path", str(profiles), "--code", str(script)]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        log, _ = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        pytest.fail(f"QGIS desktop did not finish within 120 s:\n{log[-3000:]}")
    assert result_path.exists(), f"QGIS exited ({process.returncode}) without a result:\n{log[-3000:]}"
    result = json.loads(result_path.read_text())
    assert result["errors"] == []
    assert result["current_page"] == "sitscube"
    assert result["page_class"] == "SitsCubeOptionsPage"
    assert result["saved"] == {"memory_limit_mb": 3072, "dask_scheduler": "tcp://desktop-scheduler:8786",
                               "catalog_url": "http://desktop.example/stac"}
    assert result["readers"] == [3072, "tcp://desktop-scheduler:8786", "http://desktop.example/stac"]
    saved = ini.read_text()
    assert "[sitscube]" in saved and "memory_limit_mb=3072" in saved
