"""Random forest engine: sampling, blocked cross-validation, model files, reports, prediction.

No QGIS: small GeoTIFFs are built from numpy arrays whose values are known.
"""

import csv
import datetime as dt
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, shape

from sitscube.engine import classify
from sitscube.engine.errors import Canceled, UserError
from sitscube.engine.progress import Progress

X0, Y0, PIXEL = 500000.0, 4000000.0, 10.0
TRANSFORM = Affine(PIXEL, 0, X0, 0, -PIXEL, Y0)
CRS = "EPSG:32631"
SPECTRA = {1: [100.0, 900.0, 300.0], 2: [600.0, 200.0, 800.0], 3: [300.0, 500.0, 1500.0]}


def write_raster(path, data, nodata=None, descriptions=None, transform=TRANSFORM):
    data = np.asarray(data)
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[2], height=data.shape[1], count=data.shape[0],
                       dtype=data.dtype.name, crs=CRS, transform=transform, nodata=nodata) as dst:
        dst.write(data)
        for i, name in enumerate(descriptions or [], start=1):
            dst.set_band_description(i, name)
    return str(path)


def pixel_box(col0, row0, col1, row1, inset=0.0):
    """Polygon over pixel columns col0..col1-1 and rows row0..row1-1 (inset in map units)."""
    return box(X0 + col0 * PIXEL + inset, Y0 - row1 * PIXEL + inset, X0 + col1 * PIXEL - inset, Y0 - row0 * PIXEL - inset)


def centres(height, width):
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    return X0 + (cols + 0.5) * PIXEL, Y0 - (rows + 0.5) * PIXEL


def id_raster(tmp_path, height=40, width=50, nodata=None, name="ids.tif"):
    """Band 1 = pixel id (row * width + col), bands 2-3 = other values."""
    ids = np.arange(height * width, dtype=np.float32).reshape(height, width)
    data = np.stack([ids, ids * 2 + 1, np.full_like(ids, 7)])
    return data, write_raster(tmp_path / name, data, nodata=nodata, descriptions=["ID", "TWICE", "SEVEN"])


def class_scene(height=60, width=60, seed=0):
    """A class map of 4x4 blocks of 15x15 pixels (3 classes) and its noisy 3-band image."""
    blocks = np.array([[1, 2, 3, 1], [2, 3, 1, 2], [3, 1, 2, 3], [1, 2, 3, 1]])
    truth = np.kron(blocks, np.ones((15, 15), dtype=int))[:height, :width]
    rng = np.random.default_rng(seed)
    image = np.stack([np.vectorize(lambda c: SPECTRA[c][b])(truth) for b in range(3)]).astype(np.float32)
    image += rng.normal(0, 60, image.shape).astype(np.float32)
    polygons, labels = [], []
    for i in range(4):
        for j in range(4):  # one polygon per block, inset so it stays inside its block
            polygons.append(pixel_box(j * 15 + 2, i * 15 + 2, j * 15 + 13, i * 15 + 13))
            labels.append({1: "water", 2: "forest", 3: "urban"}[blocks[i, j]])
    return truth, image, polygons, labels


@pytest.fixture
def scene_raster(tmp_path):
    truth, image, polygons, labels = class_scene()
    path = write_raster(tmp_path / "scene.tif", image, descriptions=["B1", "B2", "B3"])
    return path, truth, image, polygons, labels


# ---- sampling -----------------------------------------------------------------------------


def test_polygon_sampling_takes_pixel_centres_inside(tmp_path):
    data, path = id_raster(tmp_path)
    xx, yy = centres(40, 50)
    triangle = Polygon([(X0 + 13, Y0 - 7), (X0 + 187, Y0 - 33), (X0 + 61, Y0 - 251)])
    rectangle = box(X0 + 221, Y0 - 152, X0 + 352, Y0 - 61)  # centres 225..345 x, 65..145 y
    multi = MultiPolygon([pixel_box(30, 30, 33, 32, inset=2), pixel_box(40, 35, 42, 38, inset=2)])
    partly_outside = box(X0 + 451, Y0 - 393, X0 + 560, Y0 - 301)  # runs past the right edge
    geometries = [triangle, rectangle, multi, partly_outside,
                  box(X0 - 300, Y0 - 200, X0 - 100, Y0 - 100),  # outside the raster
                  box(X0 + 101, Y0 - 109, X0 + 104, Y0 - 101),  # inside, but no pixel centre
                  Polygon(), LineString([(X0, Y0 - 5), (X0 + 100, Y0 - 5)]), None]
    labels = ["crops", "water", "forest", "crops", "water", "water", "water", "water", "water"]
    samples = classify.sample_training(path, geometries, labels)

    assert samples.classes == {1: "crops", 2: "forest", 3: "water"}
    assert samples.band_names == ["ID", "TWICE", "SEVEN"]
    assert samples.X.dtype == np.float32 and samples.X.shape[1] == 3
    for index, geometry in enumerate(geometries[:4]):
        expected = np.sort(data[0][shapely.contains_xy(geometry, xx, yy)])
        got = np.sort(samples.X[samples.groups == index, 0])
        np.testing.assert_array_equal(got, expected)
        assert len(got) > 0
    assert (samples.groups == 1).sum() == 13 * 9  # the rectangle: 13 columns x 9 rows of centres
    assert (samples.groups == 2).sum() == 3 * 2 + 2 * 3
    np.testing.assert_array_equal(samples.X[:, 1], samples.X[:, 0] * 2 + 1)  # rows stay whole
    np.testing.assert_array_equal(samples.y[samples.groups == 0], 1)
    np.testing.assert_array_equal(samples.y[samples.groups == 1], 3)
    assert samples.skipped["outside_raster"] == 1
    assert samples.skipped["no_pixel_centre_inside"] == 1
    assert samples.skipped["empty_or_invalid_geometry"] == 2
    assert samples.skipped["unsupported_geometry"] == 1
    assert samples.group_kind == "polygon"


def test_invalid_polygon_is_repaired_not_dropped(tmp_path):
    data, path = id_raster(tmp_path)
    bowtie = Polygon([(X0 + 1, Y0 - 3), (X0 + 199, Y0 - 197), (X0 + 199, Y0 - 3), (X0 + 1, Y0 - 197)])
    assert not bowtie.is_valid
    samples = classify.sample_training(path, [bowtie, pixel_box(20, 20, 23, 23)], ["a", "b"])
    xx, yy = centres(40, 50)
    expected = np.sort(data[0][shapely.contains_xy(shapely.make_valid(bowtie), xx, yy)])
    np.testing.assert_array_equal(np.sort(samples.X[samples.groups == 0, 0]), expected)


def test_nodata_in_any_band_drops_the_pixel(tmp_path):
    data, _ = id_raster(tmp_path)
    data = data.copy()
    data[1, 5, 5] = -9999  # declared nodata in band 2
    data[2, 6, 7] = np.nan  # NaN in band 3
    data[:, 20:25, 20:25] = -9999  # a whole polygon on nodata
    path = write_raster(tmp_path / "holes.tif", data, nodata=-9999)
    samples = classify.sample_training(path, [pixel_box(3, 3, 10, 10), pixel_box(20, 20, 25, 25), pixel_box(30, 30, 33, 33)],
                                       ["a", "a", "b"])
    ids = set(samples.X[:, 0].astype(int).tolist())
    assert 5 * 50 + 5 not in ids and 6 * 50 + 7 not in ids
    assert (samples.groups == 0).sum() == 49 - 2
    assert samples.skipped["no_valid_pixel"] == 1
    assert np.isfinite(samples.X).all() and (samples.X != -9999).all()


def test_cap_per_class_is_reproducible(tmp_path):
    _, path = id_raster(tmp_path)
    geometries = [pixel_box(0, 0, 10, 10), pixel_box(20, 0, 30, 10), pixel_box(0, 20, 3, 22)]
    labels = ["a", "a", "b"]
    first = classify.sample_training(path, geometries, labels, max_per_class=25, seed=3)
    again = classify.sample_training(path, geometries, labels, max_per_class=25, seed=3)
    other = classify.sample_training(path, geometries, labels, max_per_class=25, seed=4)
    assert np.bincount(first.y).tolist() == [0, 25, 6]  # b has only 6 pixels: all kept
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.groups, again.groups)
    assert not np.array_equal(first.X[first.y == 1], other.X[other.y == 1])
    full = classify.sample_training(path, geometries, labels)
    assert set(first.X[:, 0]) <= set(full.X[:, 0])
    unlimited = classify.sample_training(path, geometries, labels, max_per_class=0)  # 0 = no cap
    np.testing.assert_array_equal(unlimited.X, full.X)


def test_integer_labels_keep_their_codes_and_zero_is_refused(tmp_path):
    _, path = id_raster(tmp_path)
    geometries = [pixel_box(0, 0, 3, 3), pixel_box(10, 10, 13, 13), pixel_box(20, 20, 22, 22)]
    samples = classify.sample_training(path, geometries, [12, 7.0, None])
    assert samples.classes == {7: "7", 12: "12"}
    assert sorted(set(samples.y.tolist())) == [7, 12]
    assert samples.skipped["no_class_value"] == 1
    with pytest.raises(UserError, match="0 marks 'no data'"):
        classify.sample_training(path, geometries[:2], [0, 1])


def test_points_take_their_pixel_and_are_grouped_by_spatial_block(tmp_path):
    data, path = id_raster(tmp_path)
    rng = np.random.default_rng(5)
    xs = rng.uniform(X0, X0 + 500, 80)
    ys = rng.uniform(Y0 - 400, Y0, 80)
    points = [Point(x, y) for x, y in zip(xs, ys)] + [Point(X0 - 50, Y0 - 50), Point(X0 + 900, Y0 - 10)]
    labels = ["a" if x < X0 + 250 else "b" for x in xs] + ["a", "b"]
    samples = classify.sample_training(path, points, labels, point_block_size=100.0)

    cols = np.floor((xs - X0) / PIXEL).astype(int)
    rows = np.floor((Y0 - ys) / PIXEL).astype(int)
    np.testing.assert_array_equal(samples.X[:, 0], data[0][rows, cols])
    assert samples.skipped["outside_raster"] == 2
    assert samples.group_kind == "block" and samples.point_block_size == 100.0
    blocks = [(int(np.floor((x - X0) / 100)), int(np.floor((y - Y0) / 100))) for x, y in zip(xs, ys)]
    for a in range(80):  # same group <=> same 100 m block
        for b in range(80):
            assert (samples.groups[a] == samples.groups[b]) == (blocks[a] == blocks[b])
    default = classify.sample_training(path, points, labels)  # 20 pixels = 200 m blocks
    assert len(np.unique(default.groups)) < len(np.unique(samples.groups))


def test_single_class_and_no_pixel_are_user_errors(tmp_path):
    _, path = id_raster(tmp_path)
    with pytest.raises(UserError, match="at least two classes"):
        classify.sample_training(path, [pixel_box(0, 0, 3, 3), pixel_box(5, 5, 9, 9)], ["a", "a"])
    with pytest.raises(UserError, match="No training pixel"):
        classify.sample_training(path, [box(0, 0, 10, 10), box(20, 20, 30, 30)], ["a", "b"])


# ---- cross-validation and report -----------------------------------------------------------


def test_blocked_cv_holds_out_whole_polygons_and_its_numbers_are_right(scene_raster):
    from sklearn.metrics import (accuracy_score, cohen_kappa_score, confusion_matrix,
                                 precision_recall_fscore_support)

    path, _, _, polygons, labels = scene_raster
    samples = classify.sample_training(path, polygons, labels)
    report = classify.cross_validate(samples, n_trees=30, folds=3, seed=1)
    assert report["blocked_cv"] is True and report["folds"] == 3 and report["warning"] is None
    fold = report["out_of_fold"]["fold"]
    predicted = report["out_of_fold"]["predicted"]
    assert (fold >= 0).all() and set(fold.tolist()) == {0, 1, 2}
    for group in np.unique(samples.groups):  # a polygon is in exactly one fold
        assert len(np.unique(fold[samples.groups == group])) == 1

    codes = sorted(samples.classes)
    np.testing.assert_array_equal(report["confusion_matrix"], confusion_matrix(samples.y, predicted, labels=codes))
    assert report["overall_accuracy"] == pytest.approx(accuracy_score(samples.y, predicted))
    assert report["kappa"] == pytest.approx(cohen_kappa_score(samples.y, predicted))
    precision, recall, f1, support = precision_recall_fscore_support(samples.y, predicted, labels=codes, zero_division=0)
    for i, row in enumerate(report["per_class"]):
        assert row["code"] == codes[i]
        assert row["precision"] == pytest.approx(precision[i])
        assert row["recall"] == pytest.approx(recall[i])
        assert row["f1"] == pytest.approx(f1[i])
        assert row["support"] == support[i]
    assert report["overall_accuracy"] > 0.9  # distinct spectra: easy
    importances = report["feature_importances"]
    assert [i["band"] for i in importances] and sum(i["importance"] for i in importances) == pytest.approx(1.0)


def test_accuracy_metrics_against_sklearn_on_messy_predictions():
    from sklearn.metrics import cohen_kappa_score, f1_score

    rng = np.random.default_rng(0)
    truth = rng.choice([2, 5, 9], 500)
    predicted = np.where(rng.random(500) < 0.7, truth, rng.choice([2, 5], 500))  # 9 under-predicted
    metrics = classify.accuracy_metrics(truth, predicted, [2, 5, 9])
    assert metrics["kappa"] == pytest.approx(cohen_kappa_score(truth, predicted))
    np.testing.assert_allclose([p["f1"] for p in metrics["per_class"]], f1_score(truth, predicted, average=None, labels=[2, 5, 9]))
    assert metrics["macro_f1"] == pytest.approx(f1_score(truth, predicted, average="macro"))


def test_folds_are_reduced_to_the_groups_of_the_smallest_class(scene_raster):
    path, _, _, polygons, labels = scene_raster
    samples = classify.sample_training(path, polygons[:12], labels[:12])
    fewest = min(len(np.unique(samples.groups[samples.y == c])) for c in samples.classes)
    report = classify.cross_validate(samples, n_trees=10, folds=10)
    assert report["blocked_cv"] and report["folds"] == fewest
    assert any("10 folds were asked for" in note for note in report["notes"])


def test_a_class_with_a_single_polygon_gives_no_accuracy_but_a_warning(scene_raster, tmp_path):
    path, _, _, polygons, labels = scene_raster
    keep = [i for i, label in enumerate(labels) if label != "urban"] + [labels.index("urban")]
    samples = classify.sample_training(path, [polygons[i] for i in keep], [labels[i] for i in keep])
    progress = Progress()
    report = classify.cross_validate(samples, n_trees=10, folds=3, progress=progress)
    assert report["blocked_cv"] is False
    assert "urban" in report["warning"] and "single polygon" in report["warning"]
    assert "water" not in report["warning"]
    assert report["overall_accuracy"] is None and report["confusion_matrix"] is None and report["kappa"] is None
    assert progress.warnings == [report["warning"]]
    assert report["feature_importances"]  # the model can still be trained
    html_path = classify.write_report(report, str(tmp_path / "r.html"), str(tmp_path / "r.json"), str(tmp_path / "r.csv"))
    text = open(html_path, encoding="utf-8").read()
    assert "urban" in text and "Spatially blocked: <b>no</b>" in text and "Overall accuracy" not in text


def test_report_files_carry_the_same_numbers(scene_raster, tmp_path):
    path, _, _, polygons, labels = scene_raster
    samples = classify.sample_training(path, polygons, labels)
    model, report = classify.train_and_validate(samples, n_trees=20, folds=4, seed=2)
    assert report["feature_importances"] == classify.add_feature_importance({}, model, samples)["feature_importances"]
    classify.write_report(report, str(tmp_path / "out" / "report.html"), str(tmp_path / "out" / "report.json"),
                          str(tmp_path / "out" / "matrix.csv"))
    text = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    for expected in ("forest", "urban", "water", "Confusion matrix", "Kappa", "Spatially blocked: yes", "B3",
                     f"{100 * report['overall_accuracy']:.1f} %"):
        assert expected in text
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert saved["overall_accuracy"] == report["overall_accuracy"] and saved["kappa"] == report["kappa"]
    assert saved["confusion_matrix"] == report["confusion_matrix"] and saved["blocked_cv"] is True
    assert saved["classes"] == {"1": "forest", "2": "urban", "3": "water"} and "out_of_fold" not in saved
    with open(tmp_path / "out" / "matrix.csv", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["true\\predicted", "forest", "urban", "water"]
    assert [[int(v) for v in row[1:]] for row in rows[1:]] == report["confusion_matrix"]
    assert [row[0] for row in rows[1:]] == ["forest", "urban", "water"]
    assert not [n for n in os.listdir(tmp_path / "out") if n.startswith(".sitscube-")]


# ---- model files --------------------------------------------------------------------------


@pytest.fixture
def trained(scene_raster):
    path, truth, image, polygons, labels = scene_raster
    samples = classify.sample_training(path, polygons, labels)
    model = classify.train(samples, n_trees=15, seed=0)
    metadata = classify.model_metadata(samples, {"n_trees": 15})
    return model, metadata, samples, path, image


def test_model_round_trip(trained, tmp_path):
    model, metadata, samples, _, _ = trained
    target = str(tmp_path / "rf.model")
    classify.save_model(target, model, metadata)
    with open(target, "rb") as stream:
        assert stream.readline() == b"SITSCUBE-RF 2\n"
    loaded, meta = classify.load_model(target)
    np.testing.assert_array_equal(loaded.predict(samples.X), model.predict(samples.X))
    assert meta["classes"] == {1: "forest", 2: "urban", 3: "water"}
    assert meta["band_count"] == 3 and meta["band_names"] == ["B1", "B2", "B3"]
    assert "PROJCS" in meta["crs_wkt"] or "PROJCRS" in meta["crs_wkt"]
    assert meta["warnings"] == [] and meta["parameters"] == {"n_trees": 15}
    assert [n for n in os.listdir(tmp_path) if n.startswith(".sitscube-")] == []


def test_foreign_corrupt_and_other_version_model_files(trained, tmp_path):
    import joblib

    model, metadata, samples, _, _ = trained
    good = str(tmp_path / "rf.model")
    classify.save_model(good, model, metadata)
    raw = open(good, "rb").read()

    plain = tmp_path / "plain.joblib"
    joblib.dump(model, plain)
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    for foreign in (plain, text):
        with pytest.raises(UserError, match="not a SITS Cube random forest model"):
            classify.load_model(str(foreign))
    with pytest.raises(UserError, match="does not exist"):
        classify.load_model(str(tmp_path / "missing.model"))

    truncated = tmp_path / "truncated.model"
    truncated.write_bytes(raw[:-200])
    with pytest.raises(UserError, match="truncated or corrupt"):
        classify.load_model(str(truncated))
    flipped = bytearray(raw)
    flipped[-50] ^= 0xFF
    (tmp_path / "flipped.model").write_bytes(bytes(flipped))
    with pytest.raises(UserError, match="truncated or corrupt"):
        classify.load_model(str(tmp_path / "flipped.model"))
    (tmp_path / "header.model").write_bytes(raw[:30])
    with pytest.raises(UserError, match="damaged"):
        classify.load_model(str(tmp_path / "header.model"))

    magic, line, payload = raw.split(b"\n", 2)
    meta = json.loads(line)
    meta["sklearn_version"] = "0.99.0"
    # the trees are plain arrays: another scikit-learn version reads them the same, without a warning
    (tmp_path / "old.model").write_bytes(magic + b"\n" + json.dumps(meta).encode() + b"\n" + payload)
    loaded, meta = classify.load_model(str(tmp_path / "old.model"))
    assert meta["warnings"] == []
    np.testing.assert_array_equal(loaded.predict(samples.X), model.predict(samples.X))
    meta = json.loads(line)
    meta["format_version"] = 3
    (tmp_path / "newer.model").write_bytes(magic + b"\n" + json.dumps(meta).encode() + b"\n" + payload)
    with pytest.raises(UserError, match="newer SITS Cube"):
        classify.load_model(str(tmp_path / "newer.model"))


# ---- prediction ---------------------------------------------------------------------------


def test_band_count_mismatch_names_both(trained, tmp_path):
    model, metadata, _, _, image = trained
    two = write_raster(tmp_path / "two.tif", image[:2])
    with pytest.raises(UserError) as error:
        classify.predict_raster(model, metadata, two, str(tmp_path / "map.tif"))
    assert "2 band" in str(error.value) and "3 (B1, B2, B3)" in str(error.value)
    assert not os.path.exists(tmp_path / "map.tif")


def test_prediction_block_wise_equals_whole_array(trained, tmp_path):
    model, metadata, _, _, image = trained
    image = image[:, :53, :47].copy()  # not a multiple of the block size
    image[0, 3, 4] = -1.0  # nodata in one band
    image[:, 40:45, 10:20] = -1.0
    image[2, 30, 30] = np.nan
    path = write_raster(tmp_path / "in.tif", image, nodata=-1.0)
    out, probability = str(tmp_path / "map.tif"), str(tmp_path / "probability.tif")
    progress = Progress()
    seen = []
    progress.set_percent = seen.append
    classify.predict_raster(model, metadata, path, out, probability, block_size=16, progress=progress)
    assert seen[-1] == 100.0 and len(seen) == 4 * 3

    nodata = (image == -1.0).any(axis=0) | np.isnan(image).any(axis=0)
    flat = image.reshape(3, -1).T
    expected = np.zeros(flat.shape[0], dtype=np.int64)
    expected[~nodata.reshape(-1)] = model.predict(flat[~nodata.reshape(-1)])
    expected_probability = np.full(flat.shape[0], np.nan)
    expected_probability[~nodata.reshape(-1)] = model.predict_proba(flat[~nodata.reshape(-1)]).max(axis=1)
    with rasterio.open(out) as src:
        assert src.dtypes[0] == "uint8" and src.nodata == 0 and src.crs.to_epsg() == 32631
        assert src.transform == TRANSFORM and src.profile["tiled"] and src.compression.name == "deflate"
        assert src.tags(1)["CLASS_2"] == "urban"
        assert json.loads(src.tags()["sitscube_classes"]) == {"1": "forest", "2": "urban", "3": "water"}
        assert src.colormap(1)[3][:3] == (31, 120, 200)  # water is blue (engine/palette.py)
        predicted = src.read(1)
    np.testing.assert_array_equal(predicted, expected.reshape(predicted.shape))
    assert (predicted[nodata] == 0).all() and (predicted[~nodata] >= 1).all()
    with rasterio.open(probability) as src:
        assert src.dtypes[0] == "float32" and np.isnan(src.nodata)
        values = src.read(1)
    assert np.isnan(values[nodata]).all()
    assert (values[~nodata] >= 1 / 3 - 1e-6).all() and (values[~nodata] <= 1).all()
    np.testing.assert_allclose(values.reshape(-1), expected_probability, rtol=1e-6)
    # one big block gives the same map
    classify.predict_raster(model, metadata, path, str(tmp_path / "whole.tif"), block_size=4096)
    with rasterio.open(tmp_path / "whole.tif") as src:
        np.testing.assert_array_equal(src.read(1), predicted)
    assert "urban" in (tmp_path / "map.tif.aux.xml").read_text()
    if shutil.which("gdalinfo"):  # GDAL reads the category names
        info = subprocess.run(["gdalinfo", out], capture_output=True, text=True).stdout
        assert "Categories" in info and "forest" in info
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".sitscube-")]


def test_canceled_prediction_leaves_the_existing_output(trained, tmp_path):
    model, metadata, _, path, _ = trained
    out = tmp_path / "map.tif"
    out.write_bytes(b"previous result")
    calls = []
    progress = Progress(is_canceled=lambda: calls.append(1) or len(calls) > 2)
    with pytest.raises(Canceled):
        classify.predict_raster(model, metadata, path, str(out), str(tmp_path / "p.tif"), block_size=16, progress=progress)
    assert out.read_bytes() == b"previous result"
    assert sorted(os.listdir(tmp_path)) == ["map.tif", "scene.tif"]


def test_uint16_map_for_large_codes(trained, tmp_path):
    model, metadata, _, path, _ = trained
    samples = classify.sample_training(path, *zip(*[(p, {"water": 300, "forest": 2, "urban": 7}[label])
                                                     for p, label in zip(*class_scene()[2:])]))
    big = classify.train(samples, n_trees=5)
    classify.predict_raster(big, classify.model_metadata(samples, {}), path, str(tmp_path / "map.tif"))
    with rasterio.open(tmp_path / "map.tif") as src:
        assert src.dtypes[0] == "uint16"
        assert set(np.unique(src.read(1)).tolist()) <= {2, 7, 300}


# ---- the truth test -----------------------------------------------------------------------


def test_sample_scene_classified_on_held_out_fields(tmp_path, scene):
    """Train on the even fields of the synthetic scene, check the map on the odd ones."""
    from sitscube.engine.sample_catalog import EPSG

    dates = [dt.date(2022, 3, 15), dt.date(2022, 5, 20), dt.date(2022, 7, 10), dt.date(2022, 9, 25)]
    layers, names = [], []
    for date in dates:
        for band in ("B02", "B03", "B04", "B08", "B11"):
            value = scene.surface(band, date)
            if value.shape[0] != scene.shape(10)[0]:  # 20 m band on the 10 m grid
                value = np.repeat(np.repeat(value, 2, axis=0), 2, axis=1)
            layers.append(value.astype(np.int16))
            names.append(f"{band} {date}")
    data = np.stack(layers)
    path = str(tmp_path / "stack.tif")
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[2], height=data.shape[1], count=len(layers),
                       dtype="int16", crs=f"EPSG:{EPSG}", transform=scene.transform(10), nodata=-32768) as dst:
        dst.write(data)
        for i, name in enumerate(names, start=1):
            dst.set_band_description(i, name)

    features = scene.fields_geojson()["features"]
    even = [f for f in features if f["properties"]["field_id"] % 2 == 0]
    samples = classify.sample_training(path, [shape(f["geometry"]) for f in even],
                                       [f["properties"]["class_name"] for f in even], max_per_class=4000, seed=0)
    assert samples.classes == {1: "crops", 2: "forest", 3: "urban", 4: "water"}
    model, report = classify.train_and_validate(samples, n_trees=60, folds=5, seed=0, n_jobs=2)
    assert report["blocked_cv"] and report["overall_accuracy"] > 0.9
    out = str(tmp_path / "map.tif")
    classify.predict_raster(model, classify.model_metadata(samples, {"n_trees": 60}), path, out)
    with rasterio.open(out) as src:
        predicted = src.read(1)

    truth = scene.classes(10)
    names_to_truth = {"water": 1, "forest": 2, "crops": 3, "urban": 4}
    mapped = np.zeros_like(predicted, dtype=np.uint8)
    for code, name in samples.classes.items():
        mapped[predicted == code] = names_to_truth[name]
    per_field = 16  # 160 m fields of 10 m pixels
    field_col = np.arange(truth.shape[1]) // per_field
    field_row = np.arange(truth.shape[0]) // per_field
    field_id = field_row[:, None] * (truth.shape[1] // per_field) + field_col[None, :]
    odd = field_id % 2 == 1
    accuracy = float((mapped[odd] == truth[odd]).mean())
    assert accuracy >= 0.9, accuracy
