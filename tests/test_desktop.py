"""SITS Cube in the QGIS desktop (under Xvfb): the toolbox shows the provider,
an algorithm runs and its result is loaded into the map; and the cube band
layers are temporal, so the temporal controller steps through the dates."""

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import textwrap

import pytest

from conftest import ROOT
from test_package import TINY_DATES, venv_site_packages, write_tiny_cube

ARTIFACTS = ROOT / "test-artifacts"  # git-ignored; CI can keep the screenshot

# Runs inside QGIS (qgis --code): everything it learns goes to a JSON file,
# since a failure in there cannot fail pytest directly.
DESKTOP_SCRIPT = textwrap.dedent('''
    import json, os, traceback
    from qgis.PyQt.QtCore import QTimer
    from qgis.core import QgsApplication, QgsProject
    from qgis.utils import iface, plugins

    RESULT, CUBE, OUTPUT, PNG = (os.environ[k] for k in (
        "SITSCUBE_DESKTOP_RESULT", "SITSCUBE_DESKTOP_CUBE", "SITSCUBE_DESKTOP_OUTPUT", "SITSCUBE_DESKTOP_PNG"))
    result = {"errors": []}

    def finish():
        with open(RESULT, "w") as stream:
            json.dump(result, stream, indent=1)
        QgsProject.instance().setDirty(False)  # no "save the project?" question
        QgsApplication.exit(0)

    def toolbox_algorithms(toolbox):
        """Algorithm ids under the "SITS Cube" provider node, as the tree shows them."""
        model = toolbox.algorithmTree.model()
        found, stack = [], [model.index(r, 0) for r in range(model.rowCount())]
        while stack:
            index = stack.pop()
            algorithm = toolbox.algorithmTree.algorithmForIndex(index)
            if algorithm is not None and algorithm.provider().id() == "sitscube":
                found.append(algorithm.id())
            stack.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))
        providers = [model.index(r, 0).data() for r in range(model.rowCount())]
        return providers, sorted(found)

    def step_one():
        try:
            # Xvfb has no window manager to size the window: do it here
            iface.mainWindow().setGeometry(0, 0, 1400, 900)
            result["plugin_loaded"] = "sitscube" in plugins
            provider = QgsApplication.processingRegistry().providerById("sitscube")
            result["provider_name"] = provider.name() if provider else None
            result["registry_algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider else []

            # open the Processing toolbox as the user does (Processing › Toolbox)
            processing_plugin = plugins["processing"]
            processing_plugin.toolboxAction.setChecked(True)
            toolbox = processing_plugin.toolbox
            result["toolbox_visible"] = toolbox.isVisible()
            providers, listed = toolbox_algorithms(toolbox)
            result["toolbox_providers"] = providers
            result["toolbox_algorithms"] = listed
            # search the toolbox as a user types it
            toolbox.searchBox.setText("SITS Cube")
            result["search_providers"], result["search_algorithms"] = toolbox_algorithms(toolbox)
            toolbox.algorithmTree.expandAll()

            import processing
            outputs = processing.runAndLoadResults("sitscube:composite", {"INPUT": CUBE, "OUTPUT": OUTPUT})
            result["output"] = outputs.get("OUTPUT")
            layers = [l for l in QgsProject.instance().mapLayers().values() if l.source() == OUTPUT]
            result["loaded_layers"] = [l.name() for l in layers]
            result["loaded_renderer"] = layers[0].renderer().type() if layers else None
            result["loaded_crs"] = layers[0].crs().authid() if layers else None
            if layers:
                iface.setActiveLayer(layers[0])
                iface.zoomToActiveLayer()  # in the project CRS, whatever the layer's
        except Exception:
            result["errors"].append(traceback.format_exc())
        QTimer.singleShot(3000, step_two)  # let the canvas render before the screenshot

    def step_two():
        try:
            # without network QGIS reports a failed font download: not ours, keep it off the picture
            iface.messageBar().clearWidgets()
            result["screenshot_saved"] = iface.mainWindow().grab().save(PNG)
        except Exception:
            result["errors"].append(traceback.format_exc())
        finish()

    # --code runs during start-up: wait until the main window is up
    QTimer.singleShot(2000, step_one)
''')


def _run_desktop(tmp_path, timeout=120):
    """Start the QGIS desktop with the plugin enabled in a fresh profile; returns (result, log)."""
    if not shutil.which("xvfb-run") or not shutil.which("qgis"):
        pytest.fail("needs qgis and xvfb-run: run make setup")
    profiles = tmp_path / "profiles-root"
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nsitscube=true\nprocessing=true\n")
    (tmp_path / "xdg").mkdir(mode=0o700)
    script = tmp_path / "desktop.py"
    script.write_text(DESKTOP_SCRIPT)
    cube = write_tiny_cube(tmp_path / "cube.nc", size=(96, 128), bands=("B02", "B03", "B04"))
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "desktop.png"
    png.unlink(missing_ok=True)
    result_path = tmp_path / "result.json"
    plugins = str(ROOT / "build" / "plugins")  # build/plugins/sitscube -> this checkout (make setup)
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}  # a real (X) display this time
    env.update({
        "QGIS_PLUGINPATH": plugins,
        "PYTHONPATH": f"{plugins}:{venv_site_packages()}",
        "XDG_RUNTIME_DIR": str(tmp_path / "xdg"),
        "SITSCUBE_DESKTOP_RESULT": str(result_path),
        "SITSCUBE_DESKTOP_CUBE": cube,
        "SITSCUBE_DESKTOP_OUTPUT": str(tmp_path / "composite.tif"),
        "SITSCUBE_DESKTOP_PNG": str(png),
    })
    command = ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", "qgis", "--nologo", "--noversioncheck",
               "--profiles-path", str(profiles), "--code", str(script)]
    # own process group, so a hung QGIS and its Xvfb are stopped together
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        log, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
        pytest.fail(f"QGIS desktop did not finish within {timeout} s:\n{log[-3000:]}")
    assert result_path.exists(), f"QGIS exited ({process.returncode}) without a result:\n{log[-3000:]}"
    return json.loads(result_path.read_text()), log, png


@pytest.mark.slow
def test_desktop_toolbox_runs_and_loads(tmp_path):
    result, log, png = _run_desktop(tmp_path)
    assert result["errors"] == [], "\n".join(result["errors"]) + log[-2000:]
    assert result["plugin_loaded"] and result["provider_name"] == "SITS Cube"
    expected = {"sitscube:stacsearch", "sitscube:loadcube", "sitscube:harmonize", "sitscube:cloudmask",
                "sitscube:gapfill", "sitscube:spectralindex", "sitscube:composite", "sitscube:exporttimeseries",
                "sitscube:trainrandomforest", "sitscube:classify", "sitscube:zonalstatistics"}
    assert expected <= set(result["registry_algorithms"])
    assert result["toolbox_visible"]
    assert "SITS Cube" in result["toolbox_providers"]
    assert set(result["registry_algorithms"]) <= set(result["toolbox_algorithms"])
    # the search "SITS Cube" keeps the provider and its algorithms in the tree
    assert "SITS Cube" in result["search_providers"] and expected <= set(result["search_algorithms"])
    assert result["output"] and os.path.exists(result["output"])
    assert len(result["loaded_layers"]) == 1
    assert result["loaded_renderer"] == "multibandcolor"  # B02/B03/B04: true colour

    assert result["screenshot_saved"] and png.exists()
    from qgis.PyQt.QtGui import QImage

    image = QImage(str(png))
    assert image.width() >= 800 and image.height() >= 600
    sample = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(sample) > 20, "the screenshot looks blank"


def _day(date):
    from qgis.core import QgsDateTimeRange
    from qgis.PyQt.QtCore import QDate, QDateTime, QTime, Qt

    begin = QDateTime(QDate(date.year, date.month, date.day), QTime(0, 0), Qt.TimeSpec.UTC)
    return QgsDateTimeRange(begin, begin.addDays(1), True, False)


def test_cube_layers_step_through_the_dates(sitscube_provider, tmp_path, feedback):
    """write_and_load makes each band layer temporal: band i is shown for the day of date i."""
    from qgis.core import Qgis, QgsProject

    import processing

    # make setup installs QGIS 3.40; per-band temporal ranges exist from 3.38
    assert hasattr(Qgis.RasterTemporalMode, "FixedRangePerBand"), "this test needs QGIS >= 3.38"
    cube = write_tiny_cube(tmp_path / "cube.nc")
    output = str(tmp_path / "harmonized.nc")
    processing.runAndLoadResults("sitscube:harmonize", {"INPUT": cube, "OUTPUT": output}, feedback=feedback)
    layers = {l.source(): l for l in QgsProject.instance().mapLayers().values() if l.source().startswith(output)}
    try:
        assert set(layers) == {f"{output}.layers/B04.vrt", f"{output}.layers/SCL.vrt"}
        dates = [dt.date.fromisoformat(d) for d in TINY_DATES]
        for layer in layers.values():
            properties = layer.temporalProperties()
            assert properties.isActive()
            assert properties.mode() == Qgis.RasterTemporalMode.FixedRangePerBand
            assert properties.fixedRangePerBand() == {band: _day(d) for band, d in enumerate(dates, start=1)}
            assert [layer.bandName(b)[-10:] for b in (1, 2, 3)] == TINY_DATES  # same dates as the band names
            # one band at a time, which the temporal controller can switch
            assert layer.renderer().type() == "singlebandgray"
            noon = _day(dates[1]).begin().addSecs(12 * 3600)
            from qgis.core import QgsDateTimeRange

            assert properties.bandForTemporalRange(layer, QgsDateTimeRange(noon, noon.addSecs(60))) == 2
            assert properties.bandForTemporalRange(layer, _day(dt.date(2022, 3, 20))) == -1  # no acquisition that day
            assert properties.isVisibleInTemporalRange(_day(dates[2]))
            assert not properties.isVisibleInTemporalRange(_day(dt.date(2022, 1, 1)))
    finally:
        for layer in layers.values():
            QgsProject.instance().removeMapLayer(layer.id())
