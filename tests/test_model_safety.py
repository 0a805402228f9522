"""Model files that cannot run code, under any name; class maps where water is blue (issue 16).

* A model written now holds the trees as numpy arrays: it loads with pickle
  (and joblib) unusable, and predicts exactly what the scikit-learn forest
  that was saved predicts, probabilities included.
* A model of the first format (a joblib pickle) is refused unless
  TRUST_PICKLE is set; a crafted pickle that would create a file when
  unpickled is refused and never runs. Hand-made arrays that would send a
  tree walk out of bounds are refused.
* OUTPUT_MODEL 'model.joblib' (or any name) works end to end with classify.
"""

import hashlib
import io
import json
import os
import pathlib
import pickle

import numpy as np
import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsProcessingException, QgsRectangle, QgsVectorLayer

from qgis_helpers import run_algorithm as _run
from sitscube.engine import classify
from sitscube.engine import sample_catalog as sc
from sitscube.engine.errors import UserError
from sitscube.engine.palette import class_colours, known_colour

AOI = "300000,301920,4808320,4810240 [EPSG:32631]"  # 96 x 96 pixels at 20 m
X0, Y0 = 300000.0, 4808320.0
LABELS = {"water": (X0 + 100, Y0 + 100), "crops": (X0 + 1200, Y0 + 100), "forest": (X0 + 100, Y0 + 1200)}


def _training():
    layer = QgsVectorLayer("Polygon?crs=EPSG:32631&field=class:string", "training", "memory")
    features = []
    for label, (x, y) in LABELS.items():
        for k in range(3):
            feature = QgsFeature(layer.fields())
            feature.setGeometry(QgsGeometry.fromRect(QgsRectangle(x + 220 * k, y, x + 220 * k + 180, y + 180)))
            feature.setAttributes([label])
            features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def _shapely_training():
    from shapely.geometry import box

    geometries, labels = [], []
    for label, (x, y) in LABELS.items():
        for k in range(3):
            geometries.append(box(x + 220 * k, y, x + 220 * k + 180, y + 180))
            labels.append(label)
    return geometries, labels


@pytest.fixture(scope="module")
def composite(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    folder = tmp_path_factory.mktemp("model-safety")
    west, south, east, north = area_lonlat
    items = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2022-01-01", "END_DATE": "2022-12-31", "OUTPUT": str(folder / "items.geojson")})["OUTPUT"]
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": AOI, "RESOLUTION": 20, "BANDS": "blue,green,red,nir,scl",
                                      "OUTPUT": str(folder / "cube.nc")})["OUTPUT"]
    masked = _run("sitscube:cloudmask", {"INPUT": cube, "OUTPUT": str(folder / "masked.nc")})["OUTPUT"]
    return _run("sitscube:composite", {"INPUT": masked, "BANDS": "B02,B03,B04,B08",
                                       "OUTPUT": str(folder / "composite.tif")})["OUTPUT"]


@pytest.fixture(scope="module")
def forest(composite):
    """(sklearn forest, its metadata, every pixel of the composite as features)."""
    import rasterio

    geometries, labels = _shapely_training()
    samples = classify.sample_training(composite, geometries, labels)
    model = classify.train(samples, n_trees=40, seed=3, n_jobs=1)
    metadata = classify.model_metadata(samples, {"n_trees": 40})
    with rasterio.open(composite) as src:
        data = src.read(masked=True)
    valid = classify.valid_pixels(data).reshape(-1)
    X = np.ma.getdata(data).reshape(data.shape[0], -1)[:, valid].T.astype(np.float32)
    return model, metadata, X


def _no_pickle(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("pickle used while loading a model")

    import joblib

    for module, name in ((pickle, "load"), (pickle, "loads"), (pickle, "Unpickler"), (joblib, "load")):
        monkeypatch.setattr(module, name, refuse)


def test_a_new_model_loads_without_pickle_and_predicts_as_sklearn(forest, tmp_path, monkeypatch):
    model, metadata, X = forest
    path = classify.save_model(str(tmp_path / "rf.sitsmodel"), model, metadata)
    raw = open(path, "rb").read()
    magic, line, payload = raw.split(b"\n", 2)
    assert magic == b"SITSCUBE-RF 2" and json.loads(line)["payload"] == "npz"
    assert payload[:2] == b"PK"  # a zip of .npy arrays
    with np.load(io.BytesIO(payload), allow_pickle=False) as arrays:  # numbers only: no object array in it
        assert all(arrays[name].dtype.kind in "if" for name in arrays.files)
    _no_pickle(monkeypatch)
    loaded, meta = classify.load_model(path)
    loaded.n_jobs = model.n_jobs = 1  # one thread: the trees are summed in the same order
    assert len(X) > 5000
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    assert meta["classes"] == {1: "crops", 2: "forest", 3: "water"} and meta["warnings"] == []


def test_the_class_map_of_a_loaded_model_equals_the_original_models(forest, composite, tmp_path, monkeypatch):
    import rasterio

    model, metadata, _ = forest
    path = classify.save_model(str(tmp_path / "rf.sitsmodel"), model, metadata)
    _no_pickle(monkeypatch)
    loaded, meta = classify.load_model(path)
    classify.predict_raster(model, metadata, composite, str(tmp_path / "original.tif"), str(tmp_path / "p0.tif"))
    classify.predict_raster(loaded, meta, composite, str(tmp_path / "loaded.tif"), str(tmp_path / "p1.tif"))
    for a, b in (("original.tif", "loaded.tif"), ("p0.tif", "p1.tif")):
        with rasterio.open(tmp_path / a) as first, rasterio.open(tmp_path / b) as second:
            np.testing.assert_array_equal(first.read(), second.read())


def _legacy_file(path, payload: bytes, metadata: dict) -> str:
    """A model file of the first format: magic 1, JSON, a joblib/pickle payload (what SITS Cube wrote before)."""
    meta = dict(metadata, format="sitscube-random-forest", format_version=1, model_class="RandomForestClassifier",
                classes={str(c): n for c, n in metadata["classes"].items()},
                payload_bytes=len(payload), payload_sha256=hashlib.sha256(payload).hexdigest())
    meta.pop("warnings", None)
    import sklearn

    meta["sklearn_version"] = sklearn.__version__
    with open(path, "wb") as stream:
        stream.write(b"SITSCUBE-RF 1\n" + json.dumps(meta).encode() + b"\n" + payload)
    return str(path)


def test_an_old_pickled_model_needs_trust_pickle(forest, composite, tmp_path, feedback):
    import joblib
    import rasterio

    model, metadata, X = forest
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    old = _legacy_file(tmp_path / "old.sitsmodel", buffer.getvalue(), metadata)
    with pytest.raises(UserError, match=r"(?s)older SITS Cube.*pickle.*runs any code.*TRUST_PICKLE"):
        classify.load_model(old)
    loaded, meta = classify.load_model(old, trust_pickle=True)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert "TRUST_PICKLE" in meta["warnings"][0]

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException, match="TRUST_PICKLE"):
        _run("sitscube:classify", {"INPUT": composite, "MODEL": old, "OUTPUT": str(out / "refused.tif")}, feedback)
    assert os.listdir(out) == []
    _run("sitscube:classify", {"INPUT": composite, "MODEL": old, "TRUST_PICKLE": True, "OUTPUT": str(out / "trusted.tif")}, feedback)
    assert any("TRUST_PICKLE" in w for w in feedback.warnings)
    new = classify.save_model(str(tmp_path / "new.sitsmodel"), model, metadata)
    _run("sitscube:classify", {"INPUT": composite, "MODEL": new, "OUTPUT": str(out / "new.tif")})
    with rasterio.open(out / "trusted.tif") as a, rasterio.open(out / "new.tif") as b:
        np.testing.assert_array_equal(a.read(), b.read())


class _Marker:
    """Unpickling this creates the marker file: what a malicious model file would do."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def test_a_crafted_pickle_is_refused_and_never_runs(forest, composite, tmp_path, feedback):
    model, metadata, _ = forest
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Marker(str(marker)))
    pickle.loads(payload)  # the payload does what it says ...
    assert marker.exists()
    marker.unlink()
    evil = _legacy_file(tmp_path / "evil.sitsmodel", payload, metadata)
    with pytest.raises(UserError, match="TRUST_PICKLE"):
        classify.load_model(evil)
    with pytest.raises(QgsProcessingException, match="TRUST_PICKLE"):
        _run("sitscube:classify", {"INPUT": composite, "MODEL": evil, "OUTPUT": str(tmp_path / "c.tif")}, feedback)
    assert not marker.exists()  # ... but was never unpickled
    assert not (tmp_path / "c.tif").exists()

    # the same pickle inside a current-format file (an object array in the .npz): refused by np.load
    arrays = classify.forest_arrays(model)
    arrays["classes"] = np.array([_Marker(str(marker))], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    sneaky = tmp_path / "sneaky.sitsmodel"
    _write_current(sneaky, buffer.getvalue(), metadata, model)
    with pytest.raises(UserError, match="damaged or not ours"):
        classify.load_model(str(sneaky))
    assert not marker.exists()


def _write_current(path, payload, metadata, model):
    meta = dict(metadata, format="sitscube-random-forest", format_version=2, payload="npz",
                n_features=int(model.n_features_in_), classes={str(c): n for c, n in metadata["classes"].items()},
                payload_bytes=len(payload), payload_sha256=hashlib.sha256(payload).hexdigest())
    with open(path, "wb") as stream:
        stream.write(classify.MAGIC + json.dumps(meta).encode() + b"\n" + payload)


@pytest.mark.parametrize("damage", ["child-out-of-tree", "child-before-parent", "unknown-band", "one-child", "nan-threshold",
                                    "values-shape", "float-children"])
def test_hand_made_arrays_that_would_walk_out_of_a_tree_are_refused(forest, tmp_path, damage):
    model, metadata, _ = forest
    arrays = classify.forest_arrays(model)
    inner = int(np.flatnonzero(arrays["left_child"] != -1)[0])
    if damage == "child-out-of-tree":
        arrays["left_child"][inner] = 10**9
    elif damage == "child-before-parent":
        arrays["right_child"][inner] = 0  # a loop back to the root
    elif damage == "unknown-band":
        arrays["feature"][inner] = 4
    elif damage == "one-child":
        leaf = int(np.flatnonzero(arrays["left_child"] == -1)[0])
        arrays["left_child"][leaf] = leaf + 1
    elif damage == "nan-threshold":
        arrays["threshold"][inner] = np.nan
    elif damage == "values-shape":
        arrays["values"] = arrays["values"][:, :2]
    else:
        arrays["left_child"] = arrays["left_child"].astype(np.float64)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path = tmp_path / f"{damage}.sitsmodel"
    _write_current(path, buffer.getvalue(), metadata, model)
    with pytest.raises(UserError, match="damaged or not ours"):
        classify.load_model(str(path))


@pytest.mark.parametrize("name", ["model.joblib", "model.sitsmodel", "model"])
def test_the_model_name_the_user_gives_works_with_classify(composite, tmp_path, name):
    """The model is written where the user said, whatever the extension; classify reads it by its header."""
    trained = _run("sitscube:trainrandomforest", {
        "INPUT": composite, "TRAINING": _training(), "CLASS_FIELD": "class", "N_TREES": 10, "CV_FOLDS": 3,
        "OUTPUT_MODEL": str(tmp_path / name), "OUTPUT_REPORT": str(tmp_path / "report.html")})
    expected = str(tmp_path / name)  # exactly the name given: nothing appended
    assert trained["OUTPUT_MODEL"] == expected and os.path.isfile(expected)
    with open(expected, "rb") as stream:
        assert stream.readline() == classify.MAGIC
    result = _run("sitscube:classify", {"INPUT": composite, "MODEL": expected, "OUTPUT": str(tmp_path / "classes.tif")})
    assert os.path.isfile(result["OUTPUT"])


# ---- water is blue -----------------------------------------------------------------------


def _is_blue(rgb):
    r, g, b = rgb[:3]
    return b > 150 and b > r + 60 and b > g + 40


def test_water_is_blue_in_any_language_and_nothing_else_is():
    colours = class_colours({1: "crops", 2: "forest", 3: "urban", 4: "water", 5: "Plan d'eau", 6: "Eau libre",
                             7: "plateau", 8: "bureau", 9: "class 9", 10: "other", 11: "Forêt"})
    assert all(_is_blue(colours[c]) for c in (4, 5, 6))
    assert not any(_is_blue(colours[c]) for c in (1, 2, 3, 7, 8, 9, 10, 11))
    assert colours[11] == colours[2]  # Forêt = forest
    assert known_colour("plateau") is None and known_colour("WATER") == colours[4]


def test_the_class_map_and_its_layer_show_water_in_blue(composite, tmp_path):
    import rasterio
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsRasterLayer

    from sitscube.algorithms.classify import ClassStyler

    trained = _run("sitscube:trainrandomforest", {
        "INPUT": composite, "TRAINING": _training(), "CLASS_FIELD": "class", "N_TREES": 10, "CV_FOLDS": 3,
        "OUTPUT_MODEL": str(tmp_path / "m.sitsmodel"), "OUTPUT_REPORT": str(tmp_path / "r.html")})
    out = _run("sitscube:classify", {"INPUT": composite, "MODEL": trained["OUTPUT_MODEL"], "OUTPUT": str(tmp_path / "c.tif")})["OUTPUT"]
    with rasterio.open(out) as src:
        classes = {int(c): n for c, n in json.loads(src.tags()["sitscube_classes"]).items()}
        colormap = src.colormap(1)
    water = next(c for c, n in classes.items() if n == "water")
    assert water == 3  # sorted labels: crops, forest, water (the last one, not the palette's first colour)
    assert _is_blue(colormap[water]) and not any(_is_blue(colormap[c]) for c in classes if c != water)
    layer = QgsRasterLayer(out, "classes")
    ClassStyler(classes).postProcessLayer(layer, QgsProcessingContext(), QgsProcessingFeedback())
    entries = {entry.value: entry for entry in layer.renderer().classes()}
    assert entries[water].label == "water"
    colour = entries[water].color
    assert _is_blue((colour.red(), colour.green(), colour.blue()))
    assert (colour.red(), colour.green(), colour.blue()) == tuple(colormap[water][:3])  # map and layer agree
