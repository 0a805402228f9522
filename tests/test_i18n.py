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


def french_help(tmp_path, locale_section):
    """`scripts/qgis_process help sitscube:loadcube` with a fresh QGIS profile whose settings are given.

    QGIS takes its language from the profile's QGIS3.ini (Settings › Options ›
    General › Override system locale), not from the environment: LANG is set
    to C so only the profile decides.
    """
    import os

    config = tmp_path / "qgis-config"
    ini = config / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text(f"[locale]\n{locale_section}\n\n[PythonPlugins]\nsitscube=true\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if k not in ("QGIS_CUSTOM_CONFIG_PATH", "QGIS_OPTIONS_PATH", "LANGUAGE") and not k.startswith("LC_")}
    env.update(SITSCUBE_QGIS_CONFIG=str(config), LANG="C.UTF-8")
    completed = subprocess.run(
        [str(ROOT / "scripts" / "qgis_process"), "help", "sitscube:loadcube"],
        capture_output=True, text=True, encoding="utf-8", env=env, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_qgis_process_help_in_french(tmp_path):
    """QGIS set to French: the algorithm's name, help and parameters are French in qgis_process."""
    subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "i18n"], check=True)
    text = french_help(tmp_path, "overrideFlag=true\nuserLocale=fr")
    assert text.splitlines()[0] == "Charger un cube (sitscube:loadcube)"
    # the help (shortHelpString, literals concatenated over several lines in the source)
    assert "Charge les items trouvés par « Recherche STAC » en un cube de données régulier (time, y, x)" in text
    assert "GROUPBY : « solar_day » fusionne les tuiles d'un même passage en une seule date." in text
    assert "Loads the items found by" not in text
    # parameter labels
    assert "AOI: Zone d'intérêt" in text
    assert "RESOLUTION: Résolution (unités du SCR)" in text


def test_qgis_process_help_follows_the_locale_override(tmp_path):
    """A French userLocale without the override flag is not used (QGIS then follows the system: C)."""
    text = french_help(tmp_path, "overrideFlag=false\nuserLocale=fr")
    assert text.splitlines()[0] == "Load cube (sitscube:loadcube)"
    assert "Loads the items found by 'STAC search'" in text


def test_every_help_text_is_translated(qgis_app):
    """Each algorithm's shortHelpString (several literals in one tr()) has its French in the .qm."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    from sitscube.processing_provider.provider import ALGORITHMS

    subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "i18n"], check=True)
    translator = QTranslator()
    assert translator.load(str(ROOT / "i18n" / "sitscube_fr.qm"))
    english = {a().name(): (a().displayName(), a().shortHelpString()) for a in ALGORITHMS}
    QCoreApplication.installTranslator(translator)
    try:
        french = {a().name(): (a().displayName(), a().shortHelpString()) for a in ALGORITHMS}
    finally:
        QCoreApplication.removeTranslator(translator)
    assert len(french) == len(ALGORITHMS) == 18  # every algorithm of the provider, each name once
    for name, (display, help_text) in french.items():
        assert display != english[name][0], name
        assert help_text != english[name][1], name
        assert help_text.count("\n") == english[name][1].count("\n"), name


def test_make_ts_finds_concatenated_and_looped_strings(tmp_path):
    """scripts/make_ts.py reads tr() calls with ast: implicit concatenation, loops over literals."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_ts", ROOT / "scripts" / "make_ts.py")
    make_ts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_ts)
    source = tmp_path / "sample.py"
    source.write_text(
        "LABELS = {'a': 'Alpha', 'b': 'Beta'}\n"
        "def f(self, name):\n"
        "    x = tr('One')\n"
        "    y = tr(\n        'Two lines, '\n        \"joined.\\n\\n\"\n        'End {n}.'\n    ).format(n=1)\n"
        "    z = self.tr('Method')\n"
        "    for key, label in LABELS.items():\n        tr(label)\n"
        "    tr(f'no {name}')\n"
        "    translate('Other')\n",
        encoding="utf-8",
    )
    problems = []
    make_ts.ROOT = tmp_path
    assert make_ts.strings_in_file(source, problems) == [
        "One", "Two lines, joined.\n\nEnd {n}.", "Method", "Alpha", "Beta",
    ]
    assert problems == ["sample.py:12: tr() of a non-constant string"]


def test_missing_dependencies_message_in_french(qgis_app):
    """The message at load: the same text as dependencies.missing_message(), and French in French."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    from sitscube.plugin import dependencies
    from sitscube.plugin.plugin import missing_message

    missing = [dependencies.BY_MODULE["odc.stac"], dependencies.BY_MODULE["sklearn"]]
    assert missing_message(missing) == dependencies.missing_message(missing)
    subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "i18n"], check=True)
    translator = QTranslator()
    assert translator.load(str(ROOT / "i18n" / "sitscube_fr.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        french = missing_message(missing)
    finally:
        QCoreApplication.removeTranslator(translator)
    assert french.startswith("SITS Cube a besoin de paquets Python que QGIS ne peut pas importer : odc-stac")
    assert 'python3 -m pip install --user "odc-stac" "scikit-learn"' in french
