"""HTTP secrets (HEADERS, AUTH_CONFIG) never reach a file, a log or QGIS's processing history (issue 16).

A distinctive token is sent to a loopback gate that refuses any request
without it (so it really was used), then every byte written under the test
folder (items, cube, layers, QGIS profile, authentication database), the
feedback log, QGIS's message log and what the Processing dialog would store
in the history are searched for it.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from qgis_helpers import new_context
from qgis_helpers import run_algorithm as _run
from sitscube.engine import sample_catalog as sc

SECRET = "s3cr3t-TOKEN-42"
HEADER = f"Authorization: Bearer {SECRET}"
SMALL_AOI = "300000,301280,4808960,4810240 [EPSG:32631]"


@pytest.fixture(scope="module")
def secret_gate(stac_api):
    from services.token_server import LoopbackServer

    with LoopbackServer("header", upstream=stac_api.url, header=HEADER) as gate:
        yield gate


def _files_with_secret(folder):
    found = []
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as stream:
                if SECRET.encode() in stream.read():
                    found.append(os.path.relpath(path, folder))
    return found


def _search_parameters(gate, area_lonlat, output, **extra):
    west, south, east, north = area_lonlat
    return {"CATALOG_URL": gate.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
            "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(output), **extra}


def test_headers_are_used_and_written_nowhere(sitscube_provider, secret_gate, area_lonlat, tmp_path, feedback):
    from qgis.core import QgsApplication

    messages = []
    log = QgsApplication.messageLog()
    log.messageReceived.connect(lambda message, tag, level: messages.append(f"{tag}: {message}"))
    before = secret_gate.stats()
    parameters = _search_parameters(secret_gate, area_lonlat, tmp_path / "items.geojson", HEADERS=HEADER)
    items = _run("sitscube:stacsearch", parameters, feedback)["OUTPUT"]
    after = secret_gate.stats()
    assert after["refused"] == before["refused"]  # every request carried the token ...
    with open(items, encoding="utf-8") as stream:
        assert json.load(stream)["features"]
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,scl",
                                      "OUTPUT": str(tmp_path / "cube.nc")}, feedback)["OUTPUT"]
    _run("sitscube:harmonize", {"INPUT": cube, "OUTPUT": str(tmp_path / "harmonized.nc")}, feedback)
    assert any("Authorization: …" in line for line in feedback.infos)  # ... named, never shown
    assert _files_with_secret(tmp_path) == []
    assert SECRET not in feedback.log and not [m for m in messages if SECRET in m]

    # What the Processing dialog logs ("Input parameters:") and stores in the history entry
    algorithm = QgsApplication.processingRegistry().createAlgorithmById("sitscube:stacsearch")
    context = new_context()
    dialog_log = [algorithm.parameterDefinition(k).valueAsPythonString(v, context) for k, v in parameters.items()]
    history = {"python_command": algorithm.asPythonCommand(parameters, context),
               "parameters": algorithm.asMap(parameters, context),
               "process_command": algorithm.asQgisProcessCommand(parameters, context)[0]}
    assert SECRET not in " ".join(dialog_log) and SECRET not in json.dumps(history)
    assert "'HEADERS':'<hidden>'" in history["python_command"] and history["parameters"]["inputs"]["HEADERS"] == "<hidden>"
    assert "--HEADERS='<hidden>'" in history["process_command"]


def test_a_malformed_header_line_is_not_quoted_in_the_error(sitscube_provider, secret_gate, area_lonlat, tmp_path, feedback):
    from qgis.core import QgsProcessingException

    for headers in (f"Bearer {SECRET}", f"Authorization Bearer {SECRET}: x"):
        with pytest.raises(QgsProcessingException) as error:
            _run("sitscube:stacsearch", _search_parameters(secret_gate, area_lonlat, tmp_path / "items.geojson",
                                                            HEADERS=headers), feedback)
        assert "HEADERS" in str(error.value) and SECRET not in str(error.value)
    assert SECRET not in feedback.log and os.listdir(tmp_path) == []


AUTH_SCRIPT = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsMessageLog, QgsProcessingContext, QgsProcessingFeedback

app = QgsApplication([], False)
app.initQgis()
manager = QgsApplication.authManager()
assert not manager.isDisabled() and manager.setMasterPassword("test", True)
config = QgsAuthMethodConfig()
config.setName("token")
config.setMethod("APIHeader")
config.setConfig("Authorization", "Bearer " + "s3cr3t-" + "TOKEN-42")
stored = manager.storeAuthenticationConfig(config)
ok, config = stored if isinstance(stored, tuple) else (stored, config)
assert ok
from processing.core.Processing import Processing
Processing.initialize()
import processing
from sitscube.processing_provider.provider import SitsCubeProvider
provider = SitsCubeProvider()
QgsApplication.processingRegistry().addProvider(provider)

class Feedback(QgsProcessingFeedback):
    lines = []
    def pushInfo(self, text): self.lines.append(text); super().pushInfo(text)
    def pushWarning(self, text): self.lines.append(text); super().pushWarning(text)
    def reportError(self, text, fatal=False): self.lines.append(text); super().reportError(text, fatal)

messages = []
QgsApplication.messageLog().messageReceived.connect(lambda m, t, l: messages.append(m))
args = json.loads(sys.argv[1])
feedback = Feedback()
search = processing.run("sitscube:stacsearch", dict(args["search"], AUTH_CONFIG=config.id()),
                        context=QgsProcessingContext(), feedback=feedback)
load = processing.run("sitscube:loadcube", dict(args["load"], ITEMS=search["OUTPUT"], AUTH_CONFIG=config.id()),
                      context=QgsProcessingContext(), feedback=feedback)
algorithm = QgsApplication.processingRegistry().createAlgorithmById("sitscube:loadcube")
context = QgsProcessingContext()
history = [algorithm.asPythonCommand(dict(args["load"], AUTH_CONFIG=config.id()), context)]
print(json.dumps({"authcfg": config.id(), "cube": load["OUTPUT"], "log": feedback.lines, "messages": messages,
                  "history": history}))
sys.stdout.flush()
os._exit(0)
"""


def test_auth_config_secrets_are_written_nowhere(secret_gate, area_lonlat, tmp_path):
    """stacsearch and loadcube with an AUTH_CONFIG (API header), in a QGIS with its own authentication database."""
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_AUTH_DB_DIR_PATH=str(tmp_path),
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"),
               PYTHONPATH=os.pathsep.join([str(ROOT / "build" / "plugins"), "/usr/share/qgis/python/plugins",
                                           os.environ.get("PYTHONPATH", "")]))
    arguments = {"search": _search_parameters(secret_gate, area_lonlat, work / "items.geojson"),
                 "load": {"AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,scl", "OUTPUT": str(work / "cube.nc")}}
    before = secret_gate.stats()
    run = subprocess.run([sys.executable, "-c", AUTH_SCRIPT, json.dumps(arguments)], env=env, capture_output=True,
                         text=True, timeout=300)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines and run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    out = json.loads(lines[-1])
    assert secret_gate.stats()["refused"] == before["refused"]  # the token was sent
    assert os.path.isfile(out["cube"]) and any("Authorization: …" in line for line in out["log"])
    assert out["authcfg"] in out["history"][0]  # the configuration's id, never its secret
    assert SECRET not in run.stdout and SECRET not in run.stderr
    # every file: items, cube, layers, the profile QGIS wrote and its encrypted authentication database
    assert os.path.isfile(tmp_path / "qgis-auth.db")
    assert _files_with_secret(tmp_path) == []
