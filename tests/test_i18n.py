"""The French translation is complete and loads in QGIS."""

import subprocess
import xml.etree.ElementTree as ET

from conftest import ROOT


def test_french_ts_has_every_string_translated():
    subprocess.run(["python3", str(ROOT / "scripts" / "make_ts.py")], check=True, capture_output=True)
    root = ET.parse(ROOT / "i18n" / "sitscube_fr.ts").getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 30
    unfinished = [m.findtext("source") for m in messages if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []


def test_algorithm_names_in_french(qgis_app):
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "i18n"], check=True)
    translator = QTranslator()
    assert translator.load(str(ROOT / "i18n" / "sitscube_fr.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        from sitscube.algorithms.load_cube import LoadCubeAlgorithm
        from sitscube.algorithms.stac_search import StacSearchAlgorithm

        assert LoadCubeAlgorithm().displayName() == "Charger un cube"
        assert StacSearchAlgorithm().displayName() == "Recherche STAC"
    finally:
        QCoreApplication.removeTranslator(translator)
