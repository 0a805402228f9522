"""Random forest land-cover classification: sampling, blocked validation, model files, prediction.

The chain the ``trainrandomforest`` and ``classify`` algorithms run:

``sample_training`` -> ``cross_validate`` (+ ``train``) -> ``save_model`` / ``write_report``,
then ``load_model`` -> ``predict_raster``.

Choices (written down because the design page is silent on them):

* Sampling. Geometries come already reprojected to the raster's CRS (the
  caller does it with QGIS). A polygon contributes the pixels whose *centre*
  is inside it (rasterio's default rasterize rule, ``all_touched=False``);
  only the polygon's bounding window is rasterized and read, never the whole
  raster. A point contributes the pixel that contains it. Invalid polygons
  are repaired with ``shapely.make_valid`` (a self-touching ring drawn by
  hand should not silently lose a field); lines and empty geometries are
  skipped and counted. A pixel that is nodata (or NaN) in any band is
  dropped.
* Class codes. Text labels get codes 1..k in sorted order. Integer labels
  (or integral floats, as QGIS often hands out) are kept as codes, and must
  be between 1 and 65535: 0 is the class map's nodata, so a code 0 is refused
  at sampling with a message rather than remapped behind the user's back.
* Groups. Every sample carries the group that cross-validation holds out
  together: the polygon's index for polygons; for points, a square spatial
  block of ``point_block_size`` map units (default 20 pixels), because
  neighbouring points are as correlated as pixels of one polygon. Point
  block ids are offset past the polygon indices so the two never collide.
* Accuracy (DESIGN.md, "Random forest accuracy"): spatially blocked k-fold
  (``StratifiedGroupKFold``: whole groups are held out, classes spread over
  the folds). If a class has fewer than two groups, no blocked split can test
  it: the report says so (``blocked_cv: False`` and a plain-language
  ``warning``) and gives *no* accuracy figure rather than a random pixel
  split that would look excellent and mean nothing. When some class has
  fewer groups than the requested folds, folds are reduced to that number
  and the report says so. The numbers are pooled over the out-of-fold
  predictions (every sample predicted once by a model that did not see its
  group).
* Model file: our own container, see ``save_model``: a header line, JSON
  metadata and the trees' arrays (numpy .npz, loaded without pickle), so
  opening a model someone sent never runs code. Models of the first format
  (a joblib pickle) open only when the caller says it trusts the file.
* Class map: uint8 (codes <= 255) or uint16, nodata 0, tiled DEFLATE GeoTIFF;
  class names as band tags (``CLASS_<code>=name``, ``sitscube_classes`` JSON),
  as GDAL category names and a thematic raster attribute table in the PAM
  ``.aux.xml`` sidecar (what gdalinfo and QGIS's RAT support read), and a
  colour table for uint8 maps. The optional probability raster is float32,
  the winning class's probability in [0, 1], nodata NaN.
"""

import csv
import datetime as dt
import hashlib
import html
import io
import json
import math
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import atomic
from .errors import UserError
from .palette import class_colours
from .progress import Progress

MAGIC = b"SITSCUBE-RF 2\n"
FORMAT_VERSION = 2  # 1: a joblib pickle (read only when trusted); 2: numpy arrays
MAX_METADATA_BYTES = 64 * 2**20  # a metadata line longer than this is not ours
DEFAULT_POINT_BLOCK_PIXELS = 20
GEOTIFF_TILE = 256
# Colours of the class map (uint8 maps get a colour table): engine/palette.py (water is blue).


# ---- samples ------------------------------------------------------------------------------


@dataclass
class Samples:
    """Training pixels: one row per pixel.

    ``groups`` is what blocked cross-validation holds out together (the
    polygon index, or a spatial block id for points). ``classes`` maps the
    integer code to the class name; ``skipped`` counts geometries that gave
    nothing, by reason.
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    band_names: List[str]
    classes: Dict[int, str]
    skipped: Dict[str, int] = field(default_factory=dict)
    group_kind: str = "polygon"  # "polygon", "block" or "mixed"
    point_block_size: Optional[float] = None  # map units, when points were sampled
    crs_wkt: Optional[str] = None
    n_geometries: int = 0


def _class_codes(labels: Sequence) -> Tuple[np.ndarray, Dict[int, str], np.ndarray]:
    """(code per geometry with 0 = no label, code -> name, has-label mask)."""
    has_label = np.array([not (v is None or (isinstance(v, float) and math.isnan(v)) or
                               (isinstance(v, str) and not v.strip())) for v in labels], dtype=bool)
    present = [v for v, ok in zip(labels, has_label) if ok]

    def integral(v):
        if isinstance(v, (bool, np.bool_)):
            return False
        if isinstance(v, (int, np.integer)):
            return True
        return isinstance(v, (float, np.floating)) and float(v).is_integer()

    codes = np.zeros(len(labels), dtype=np.int64)
    if present and all(integral(v) for v in present):
        values = np.array([int(v) for v in present], dtype=np.int64)
        bad = sorted({int(v) for v in values if v < 1 or v > 65535})
        if bad:
            raise UserError(
                f"Class code(s) {', '.join(map(str, bad))} cannot be used: class codes must be between 1 and "
                "65535 because 0 marks 'no data' in the class map. Renumber the classes from 1, or use a text "
                "field with the class names."
            )
        codes[has_label] = values
        names = {int(c): str(int(c)) for c in np.unique(values)}
    else:
        text = [str(v).strip() for v in present]
        ordered = sorted(set(text))
        lookup = {name: code for code, name in enumerate(ordered, start=1)}
        codes[has_label] = [lookup[t] for t in text]
        names = {code: name for name, code in lookup.items()}
    return codes, names, has_label


def _pixel_window(bounds, transform, width, height):
    """(row0, row1, col0, col1) of the pixels whose footprint meets ``bounds``, clipped to the raster."""
    inverse = ~transform
    xmin, ymin, xmax, ymax = bounds
    cols, rows = zip(*[inverse * (x, y) for x in (xmin, xmax) for y in (ymin, ymax)])
    col0 = max(0, int(math.floor(min(cols))))
    col1 = min(width, int(math.ceil(max(cols))))
    row0 = max(0, int(math.floor(min(rows))))
    row1 = min(height, int(math.ceil(max(rows))))
    # an empty window (row1 <= row0 or col1 <= col0) means the bounds miss the raster
    return row0, row1, col0, col1


def valid_pixels(data) -> np.ndarray:
    """(bands, ...) masked array -> (...) True where every band has a value (not nodata, not NaN)."""
    values = np.ma.getdata(data)
    invalid = np.ma.getmaskarray(data).any(axis=0)
    if values.dtype.kind == "f":
        invalid |= ~np.isfinite(values).all(axis=0)
    return ~invalid


def band_names_of(dataset) -> List[str]:
    return [d if d else f"band_{i}" for i, d in enumerate(dataset.descriptions, start=1)]


def sample_training(raster_path: str, geometries: Sequence, labels: Sequence, max_per_class: Optional[int] = None,
                    seed: int = 0, point_block_size: Optional[float] = None,
                    progress: Optional[Progress] = None) -> Samples:
    """Pixels under the training geometries (already in the raster's CRS); see the module docstring.

    ``max_per_class`` None or 0: every pixel; otherwise at most that many per
    class, drawn at random (reproducibly from ``seed``).
    """
    import rasterio
    import shapely
    from rasterio.features import geometry_mask
    from rasterio.windows import Window

    progress = progress or Progress()
    if len(geometries) != len(labels):
        raise UserError(f"{len(geometries)} geometries but {len(labels)} class values were given.")
    codes, names, has_label = _class_codes(list(labels))
    skipped = {"no_class_value": 0, "empty_or_invalid_geometry": 0, "unsupported_geometry": 0,
               "outside_raster": 0, "no_pixel_centre_inside": 0, "no_valid_pixel": 0}
    skipped["no_class_value"] = int((~has_label).sum())

    xs, ys, gs = [], [], []  # per geometry: (n, bands) values, codes, groups
    point_x, point_y, point_code = [], [], []
    with rasterio.open(raster_path) as src:
        transform, width, height = src.transform, src.width, src.height
        if point_block_size is None:
            point_block_size = DEFAULT_POINT_BLOCK_PIXELS * abs(transform.a)
        if not point_block_size or point_block_size <= 0:
            raise UserError(f"The spatial block size for points must be positive, not {point_block_size}.")
        total = max(1, len(geometries))
        for index, (geometry, code) in enumerate(zip(geometries, codes)):
            if index % 50 == 0:
                progress.check_canceled()
                progress.set_percent(90.0 * index / total)
            if not has_label[index]:
                continue
            if geometry is None or geometry.is_empty:
                skipped["empty_or_invalid_geometry"] += 1
                continue
            kind = geometry.geom_type
            if kind in ("Point", "MultiPoint"):
                for point in getattr(geometry, "geoms", [geometry]):
                    point_x.append(point.x)
                    point_y.append(point.y)
                    point_code.append(code)
                continue
            if kind not in ("Polygon", "MultiPolygon"):
                skipped["unsupported_geometry"] += 1
                continue
            if not geometry.is_valid:
                # keep the polygonal part of the repair (a bow-tie becomes two triangles)
                repaired = shapely.make_valid(geometry)
                parts = [g for g in getattr(repaired, "geoms", [repaired]) if g.geom_type in ("Polygon", "MultiPolygon")]
                geometry = shapely.union_all(parts) if parts else None
                if geometry is None or geometry.is_empty:
                    skipped["empty_or_invalid_geometry"] += 1
                    continue
            row0, row1, col0, col1 = _pixel_window(geometry.bounds, transform, width, height)
            if row1 <= row0 or col1 <= col0:
                skipped["outside_raster"] += 1
                continue
            window = Window(col0, row0, col1 - col0, row1 - row0)
            inside = geometry_mask([geometry], out_shape=(row1 - row0, col1 - col0),
                                   transform=src.window_transform(window), invert=True)
            if not inside.any():
                # the polygon is within the raster's extent but holds no pixel centre
                skipped["outside_raster" if not geometry.intersects(shapely.box(*src.bounds))
                        else "no_pixel_centre_inside"] += 1
                continue
            data = src.read(window=window, masked=True)
            keep = inside & valid_pixels(data)
            if not keep.any():
                skipped["no_valid_pixel"] += 1
                continue
            values = np.ma.getdata(data)[:, keep].T  # (n, bands)
            xs.append(values.astype(np.float32))
            ys.append(np.full(len(values), code, dtype=np.int64))
            gs.append(np.full(len(values), index, dtype=np.int64))

        n_polygon_groups = len(geometries)
        if point_x:
            px, py = np.asarray(point_x), np.asarray(point_y)
            cols, rows = (~transform) * (px, py)
            cols, rows = np.floor(cols).astype(np.int64), np.floor(rows).astype(np.int64)
            within = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
            skipped["outside_raster"] += int((~within).sum())
            if within.any():
                rows, cols = rows[within], cols[within]
                pcode = np.asarray(point_code, dtype=np.int64)[within]
                # read the bounding window of the points (point sets are small) in row strips
                values, valid = _read_pixels(src, rows, cols, progress)
                skipped["no_valid_pixel"] += int((~valid).sum())
                # spatial block of each point, from the point's own coordinates
                bx = np.floor((px[within] - transform.c) / point_block_size).astype(np.int64)
                by = np.floor((py[within] - transform.f) / point_block_size).astype(np.int64)
                _, block_id = np.unique(np.stack([bx, by], axis=1), axis=0, return_inverse=True)
                xs.append(values[valid])
                ys.append(pcode[valid])
                gs.append(n_polygon_groups + block_id.reshape(-1)[valid])
        band_names = band_names_of(src)
        crs_wkt = src.crs.to_wkt() if src.crs else None

    if not xs or sum(len(v) for v in ys) == 0:
        raise UserError(
            "No training pixel: no geometry covers a valid pixel of the raster "
            f"({_describe_skipped(skipped)}). Check that the training layer overlaps the raster."
        )
    X = np.concatenate(xs).astype(np.float32)
    y = np.concatenate(ys)
    groups = np.concatenate(gs)

    if max_per_class is not None and int(max_per_class) > 0:  # None or 0: no cap (QGIS's "0 = unlimited")
        rng = np.random.default_rng(seed)
        keep = []
        for code in np.unique(y):  # classes in code order, so the draw is reproducible
            members = np.flatnonzero(y == code)
            if len(members) > max_per_class:
                members = np.sort(rng.choice(members, size=int(max_per_class), replace=False))
            keep.append(members)
        keep = np.sort(np.concatenate(keep))
        X, y, groups = X[keep], y[keep], groups[keep]

    found = set(np.unique(y).tolist())
    missing = [names[c] for c in sorted(names) if c not in found]
    if missing:
        progress.warning(f"No training pixel for the class(es) {', '.join(missing)}: they are left out.")
    classes = {int(c): names[int(c)] for c in sorted(found)}
    if len(classes) < 2:
        only = next(iter(classes.values()))
        raise UserError(
            f"A classification needs at least two classes; the training pixels all belong to '{only}'."
        )
    kinds = {"polygon" if g < n_polygon_groups else "block" for g in np.unique(groups)}
    progress.set_percent(100.0)
    progress.info(f"{len(y)} training pixels in {len(classes)} classes, {len(np.unique(groups))} groups "
                  f"({_describe_skipped(skipped)}).")
    return Samples(
        X=X, y=y, groups=groups, band_names=band_names, classes=classes, skipped=skipped,
        group_kind=kinds.pop() if len(kinds) == 1 else "mixed",
        point_block_size=float(point_block_size) if point_x else None, crs_wkt=crs_wkt,
        n_geometries=len(geometries),
    )


def _read_pixels(src, rows, cols, progress, strip_rows=256):
    """Values (n, bands) float32 and validity of the pixels (rows, cols), reading row strips of their extent."""
    from rasterio.windows import Window

    values = np.zeros((len(rows), src.count), dtype=np.float32)
    valid = np.zeros(len(rows), dtype=bool)
    col0, col1 = int(cols.min()), int(cols.max()) + 1
    for start in range(int(rows.min()), int(rows.max()) + 1, strip_rows):
        progress.check_canceled()
        here = (rows >= start) & (rows < start + strip_rows)
        if not here.any():
            continue
        height = min(strip_rows, src.height - start)
        data = src.read(window=Window(col0, start, col1 - col0, height), masked=True)
        r, c = rows[here] - start, cols[here] - col0
        values[here] = np.ma.getdata(data)[:, r, c].T
        valid[here] = valid_pixels(data)[r, c]
    return values, valid


def _describe_skipped(skipped: Dict[str, int]) -> str:
    parts = [f"{count} {reason.replace('_', ' ')}" for reason, count in skipped.items() if count]
    return "skipped: " + ", ".join(parts) if parts else "nothing skipped"


# ---- training and validation --------------------------------------------------------------


def train(samples: Samples, n_trees: int = 100, max_depth: Optional[int] = None, class_weight=None,
          seed: int = 0, n_jobs: int = 1):
    """A RandomForestClassifier fitted on every sample."""
    from sklearn.ensemble import RandomForestClassifier

    if int(n_trees) < 1:
        raise UserError(f"The number of trees must be at least 1, not {n_trees}.")
    if max_depth is not None and int(max_depth) < 1:
        max_depth = None  # 0 or negative: no limit, as the algorithm's "0 = unlimited"
    if class_weight not in (None, "balanced", "balanced_subsample") and not isinstance(class_weight, dict):
        raise UserError(f"Unknown class weighting '{class_weight}': use none or balanced.")
    model = RandomForestClassifier(
        n_estimators=int(n_trees), max_depth=None if max_depth is None else int(max_depth),
        class_weight=class_weight, random_state=seed, n_jobs=n_jobs,
    )
    model.fit(samples.X, samples.y)
    return model


def accuracy_metrics(y_true: np.ndarray, y_pred: np.ndarray, codes: Sequence[int]) -> dict:
    """Confusion matrix (rows true, columns predicted, in ``codes`` order), OA, kappa, per-class scores."""
    codes = np.asarray(list(codes))
    k = len(codes)
    position = {int(c): i for i, c in enumerate(codes)}
    t = np.array([position[int(v)] for v in y_true], dtype=np.int64)
    p = np.array([position[int(v)] for v in y_pred], dtype=np.int64)
    matrix = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    n = matrix.sum()
    diagonal = np.diag(matrix).astype(np.float64)
    truth, predicted = matrix.sum(axis=1).astype(np.float64), matrix.sum(axis=0).astype(np.float64)
    overall = float(diagonal.sum() / n) if n else float("nan")
    expected = float((truth * predicted).sum() / n**2) if n else float("nan")
    kappa = (overall - expected) / (1.0 - expected) if expected < 1.0 else (1.0 if overall == 1.0 else 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # no prediction of a class -> precision 0 (sklearn's zero_division default)
        precision = np.where(predicted > 0, diagonal / predicted, 0.0)
        recall = np.where(truth > 0, diagonal / truth, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return {
        "confusion_matrix": matrix.tolist(),
        "overall_accuracy": overall,
        "kappa": float(kappa),
        "per_class": [
            {"code": int(c), "precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
             "support": int(truth[i])}
            for i, c in enumerate(codes)
        ],
        "macro_f1": float(f1[truth > 0].mean()) if (truth > 0).any() else float("nan"),
    }


def _data_summary(samples: Samples) -> dict:
    per_class = []
    for code, name in samples.classes.items():
        members = samples.y == code
        per_class.append({"code": int(code), "name": name, "pixels": int(members.sum()),
                          "groups": int(len(np.unique(samples.groups[members])))})
    return {
        "pixels": int(len(samples.y)), "bands": len(samples.band_names), "band_names": list(samples.band_names),
        "groups": int(len(np.unique(samples.groups))), "group_kind": samples.group_kind,
        "point_block_size": samples.point_block_size, "geometries": int(samples.n_geometries),
        "skipped": dict(samples.skipped), "classes": per_class,
    }


def _importances(model, band_names) -> List[dict]:
    values = getattr(model, "feature_importances_", None)
    if values is None:
        return []
    order = np.argsort(-np.asarray(values), kind="stable")
    return [{"band": band_names[i], "importance": float(values[i])} for i in order]


def cross_validate(samples: Samples, n_trees: int = 100, max_depth: Optional[int] = None, class_weight=None,
                   folds: int = 5, seed: int = 0, n_jobs: int = 1, progress: Optional[Progress] = None,
                   model=None) -> dict:
    """Spatially blocked k-fold accuracy report (see the module docstring).

    ``max_depth`` None or 0 means unlimited. ``model`` is the final model (trained on every sample) whose feature
    importances the report lists; when None it is trained here. The report
    also holds ``out_of_fold`` = {"fold": fold index per sample (-1 if not
    tested), "predicted": out-of-fold class per sample} as numpy arrays, for
    checks and maps; ``write_report`` leaves them out of the files.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    progress = progress or Progress()
    if int(folds) < 2:
        raise UserError(f"Cross-validation needs at least 2 folds, not {folds}.")
    parameters = {"n_trees": int(n_trees), "max_depth": max_depth, "class_weight": class_weight,
                  "folds_requested": int(folds), "seed": int(seed)}
    summary = _data_summary(samples)
    codes = list(samples.classes)
    groups_per_class = {c["code"]: c["groups"] for c in summary["classes"]}
    unit = _group_unit(samples)
    report = {
        "title": "Random forest accuracy (spatially blocked cross-validation)",
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "data": summary, "parameters": parameters, "classes": {int(c): n for c, n in samples.classes.items()},
        "blocked_cv": False, "folds": None, "notes": [], "warning": None,
        "overall_accuracy": None, "kappa": None, "confusion_matrix": None, "per_class": None, "macro_f1": None,
        "feature_importances": [], "out_of_fold": None,
    }

    lonely = [samples.classes[c] for c in codes if groups_per_class[c] < 2]
    if lonely:
        report["warning"] = (
            f"No spatially blocked accuracy can be given: the class(es) {', '.join(lonely)} have a single "
            f"{unit}. Holding it out leaves nothing of that class to learn from, and keeping it in tests the "
            f"model on pixels it was trained on. Digitize at least two separate {unit}s per class (better: "
            f"five or more, spread over the area) to get an honest accuracy. The model can still be trained, "
            "but its accuracy is unknown."
        )
        progress.warning(report["warning"])
    else:
        n_folds = int(folds)
        fewest = min(groups_per_class.values())
        if fewest < n_folds:
            short = [samples.classes[c] for c in codes if groups_per_class[c] < n_folds]
            report["notes"].append(
                f"{n_folds} folds were asked for, but the class(es) {', '.join(short)} have only {fewest} "
                f"{unit}(s): {fewest} folds were used so that each fold can hold one out."
            )
            progress.info(report["notes"][-1])
            n_folds = fewest
        splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        fold_of = np.full(len(samples.y), -1, dtype=np.int64)
        predicted = np.zeros_like(samples.y)
        for number, (train_index, test_index) in enumerate(splitter.split(samples.X, samples.y, samples.groups)):
            progress.check_canceled()
            subset = Samples(samples.X[train_index], samples.y[train_index], samples.groups[train_index],
                             samples.band_names, samples.classes)
            fold_model = train(subset, n_trees, max_depth, class_weight, seed, n_jobs)
            predicted[test_index] = fold_model.predict(samples.X[test_index])
            fold_of[test_index] = number
            missing = sorted(set(codes) - set(fold_model.classes_.tolist()))
            if missing:
                report["notes"].append(
                    f"Fold {number + 1}: every {unit} of {', '.join(samples.classes[c] for c in missing)} was held "
                    "out, so that fold could not predict it (its pixels count as errors)."
                )
            progress.set_percent(90.0 * (number + 1) / n_folds)
        report.update(accuracy_metrics(samples.y, predicted, codes))
        report["blocked_cv"] = True
        report["folds"] = n_folds
        report["out_of_fold"] = {"fold": fold_of, "predicted": predicted}
        report["method"] = (
            f"Stratified group {n_folds}-fold cross-validation: each {unit} is held out whole, in one fold; "
            "the figures pool the predictions of every pixel by the model that did not see its "
            f"{unit}."
        )
    if model is None:
        model = train(samples, n_trees, max_depth, class_weight, seed, n_jobs)
    report["feature_importances"] = _importances(model, samples.band_names)
    progress.set_percent(100.0)
    return report


def add_feature_importance(report: dict, model, samples: Samples) -> dict:
    """Put the final model's band importances into ``report`` (when it was trained after the CV)."""
    report["feature_importances"] = _importances(model, samples.band_names)
    return report


def _group_unit(samples: Samples) -> str:
    if samples.group_kind == "polygon":
        return "polygon"
    if samples.group_kind == "block":
        return f"spatial block ({samples.point_block_size:g} map units square)"
    return "polygon or point block"


def train_and_validate(samples: Samples, n_trees=100, max_depth=None, class_weight=None, folds=5, seed=0,
                       n_jobs=1, progress: Optional[Progress] = None):
    """(final model on every sample, blocked CV report with that model's importances)."""
    progress = progress or Progress()
    progress.info("Training the final model on every training pixel.")
    model = train(samples, n_trees, max_depth, class_weight, seed, n_jobs)
    progress.set_percent(15.0)
    report = cross_validate(samples, n_trees, max_depth, class_weight, folds, seed, n_jobs,
                            progress.scaled(15, 100), model=model)
    return model, report


# ---- model files --------------------------------------------------------------------------


def model_metadata(samples: Samples, parameters: dict, crs_wkt: Optional[str] = None, report: Optional[dict] = None) -> dict:
    """Metadata to store with a model trained on ``samples``."""
    metadata = {
        "band_count": len(samples.band_names), "band_names": list(samples.band_names),
        "classes": {int(c): n for c, n in samples.classes.items()},
        "crs_wkt": crs_wkt if crs_wkt is not None else samples.crs_wkt,
        "parameters": dict(parameters),
        "training_pixels": int(len(samples.y)),
    }
    if report is not None:
        metadata["accuracy"] = {k: report.get(k) for k in ("blocked_cv", "folds", "overall_accuracy", "kappa", "warning")}
    return metadata


def _atomic_bytes(path: str, chunks) -> str:
    """Write ``chunks`` (bytes) to a temporary next to ``path``, then move it into place."""
    with atomic.output_file(path, ".tmp", "wb") as stream:
        for chunk in chunks:
            stream.write(chunk)
    return os.path.abspath(path)


def save_model(path: str, model, metadata: dict) -> str:
    """Write a model file: magic line, one line of JSON metadata, the forest's arrays (numpy .npz).

    No pickle: the payload holds only numbers (every tree's nodes: children,
    split feature and threshold, class counts), read back with
    ``np.load(allow_pickle=False)`` and checked before a predictor is rebuilt
    from them (see ``forest_arrays`` / ``forest_from_arrays``). The metadata
    gains the format version, the scikit-learn version and the payload's size
    and sha256, which ``load_model`` checks.
    """
    import sklearn

    for key in ("band_count", "classes"):
        if key not in metadata:
            raise ValueError(f"model metadata needs '{key}'")
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **forest_arrays(model))
    payload = buffer.getvalue()
    meta = dict(metadata)
    meta.pop("warnings", None)
    meta["classes"] = {str(int(c)): str(n) for c, n in metadata["classes"].items()}  # JSON keys are text
    meta.update({
        "format": "sitscube-random-forest", "format_version": FORMAT_VERSION, "payload": "npz",
        "sklearn_version": sklearn.__version__, "model_class": type(model).__name__,
        "n_features": int(model.n_features_in_), "n_trees": len(model.estimators_),
        "saved": dt.datetime.now().isoformat(timespec="seconds"),
        "payload_bytes": len(payload), "payload_sha256": hashlib.sha256(payload).hexdigest(),
    })
    # json.dumps never writes a raw newline (they are escaped in strings): one line
    line = json.dumps(meta, default=_json_default).encode("utf-8") + b"\n"
    return _atomic_bytes(path, [MAGIC, line, payload])


# Node fields stored per tree, with their dtypes (scikit-learn's NODE_DTYPE, by name).
_INT_FIELDS = ("left_child", "right_child", "feature", "n_node_samples")
_FLOAT_FIELDS = ("threshold", "impurity", "weighted_n_node_samples")


def forest_arrays(model) -> Dict[str, np.ndarray]:
    """A fitted RandomForestClassifier as plain arrays: the trees' nodes end to end."""
    if type(model).__name__ != "RandomForestClassifier" or getattr(model, "n_outputs_", 1) != 1:
        raise ValueError("only single-output RandomForestClassifier models can be saved")
    states = [tree.tree_.__getstate__() for tree in model.estimators_]
    arrays = {
        "classes": np.asarray(model.classes_, dtype=np.int64),
        "node_counts": np.array([int(s["node_count"]) for s in states], dtype=np.int64),
        "max_depths": np.array([int(s["max_depth"]) for s in states], dtype=np.int64),
        "values": np.concatenate([np.asarray(s["values"], dtype=np.float64)[:, 0, :] for s in states]),
    }
    for name in _INT_FIELDS:
        arrays[name] = np.concatenate([np.asarray(s["nodes"][name], dtype=np.int64) for s in states])
    for name in _FLOAT_FIELDS:
        arrays[name] = np.concatenate([np.asarray(s["nodes"][name], dtype=np.float64) for s in states])
    return arrays


def _check_forest_arrays(arrays: Dict[str, np.ndarray], n_features: int) -> None:
    """ValueError unless the arrays describe well-formed trees (every walk ends at a leaf, in bounds)."""
    wanted = ("classes", "node_counts", "max_depths", "values") + _INT_FIELDS + _FLOAT_FIELDS
    missing = [name for name in wanted if name not in arrays]
    if missing:
        raise ValueError(f"arrays missing: {', '.join(missing)}")
    for name in wanted:
        kind = "f" if name in _FLOAT_FIELDS or name == "values" else "i"
        if arrays[name].dtype.kind != kind:
            raise ValueError(f"'{name}' has type {arrays[name].dtype}")
    classes, counts, values = arrays["classes"], arrays["node_counts"], arrays["values"]
    total = int(counts.sum()) if counts.size else 0
    if classes.ndim != 1 or classes.size < 1 or counts.ndim != 1 or counts.size < 1 or (counts < 1).any():
        raise ValueError("no trees or no classes")
    if n_features < 1 or arrays["max_depths"].shape != counts.shape or (arrays["max_depths"] < 0).any():
        raise ValueError("bad feature count or tree depths")
    if values.shape != (total, classes.size) or not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("class counts of the nodes do not match")
    for name in _INT_FIELDS + _FLOAT_FIELDS:
        if arrays[name].shape != (total,):
            raise ValueError(f"'{name}' does not have one value per node")
    left, right, feature = arrays["left_child"], arrays["right_child"], arrays["feature"]
    start = np.repeat(np.cumsum(counts) - counts, counts)  # first node of each node's tree
    size = np.repeat(counts, counts)
    local = np.arange(total) - start
    leaf = left == -1
    if not np.array_equal(leaf, right == -1):
        raise ValueError("a node has one child")
    inner = ~leaf
    # children come after their parent in the same tree: every walk from the root ends
    if ((left[inner] <= local[inner]) | (left[inner] >= size[inner]) | (right[inner] <= local[inner])
            | (right[inner] >= size[inner])).any():
        raise ValueError("a child index is out of its tree")
    if ((feature[inner] < 0) | (feature[inner] >= n_features)).any() or not np.isfinite(arrays["threshold"][inner]).all():
        raise ValueError("a split uses an unknown band or an invalid threshold")


def forest_from_arrays(arrays: Dict[str, np.ndarray], n_features: int, n_jobs: Optional[int] = None):
    """A RandomForestClassifier rebuilt from ``forest_arrays`` (checked first): scikit-learn's own
    prediction code runs on the stored trees, so predictions and probabilities are the original's."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.tree._tree import NODE_DTYPE, Tree

    _check_forest_arrays(arrays, n_features)
    classes = arrays["classes"]
    k = classes.size
    n_classes = np.array([k], dtype=np.intp)
    trees = []
    offset = 0
    for count, depth in zip(arrays["node_counts"].tolist(), arrays["max_depths"].tolist()):
        part = slice(offset, offset + count)
        offset += count
        nodes = np.zeros(count, dtype=NODE_DTYPE)  # fields of newer versions (missing values) stay 0
        for name in _INT_FIELDS + _FLOAT_FIELDS:
            nodes[name] = arrays[name][part]
        tree_ = Tree(n_features, n_classes, 1)
        tree_.__setstate__({"max_depth": depth, "node_count": count, "nodes": nodes,
                            "values": np.ascontiguousarray(arrays["values"][part].reshape(count, 1, k))})
        tree = DecisionTreeClassifier()
        tree.n_features_in_, tree.n_outputs_, tree.n_classes_ = n_features, 1, k
        tree.classes_ = np.arange(k, dtype=np.float64)  # a forest's trees see class indices
        tree.max_features_ = n_features
        tree.tree_ = tree_
        trees.append(tree)
    forest = RandomForestClassifier(n_estimators=len(trees), n_jobs=n_jobs)
    forest.estimators_ = trees
    forest.n_features_in_, forest.n_outputs_, forest.n_classes_ = n_features, 1, k
    forest.classes_ = classes.copy()
    return forest


LEGACY_MAGIC = b"SITSCUBE-RF 1\n"  # models of SITS Cube before format 2: a joblib pickle


def load_model(path: str, trust_pickle: bool = False):
    """(model, metadata) from a ``save_model`` file; UserError on a foreign, newer or damaged file.

    Nothing in a current model file is executed: its arrays are checked and
    the forest rebuilt from them. A model of the first format (a pickle) is
    read only with ``trust_pickle``, since unpickling runs whatever code the
    file's author put in it. ``metadata["warnings"]`` lists what the caller
    should show.
    """
    if not os.path.isfile(path):
        raise UserError(f"The model file '{path}' does not exist.")
    with open(path, "rb") as stream:
        head = stream.read(len(MAGIC))
        if not head.startswith(b"SITSCUBE-RF "):
            raise UserError(
                f"'{path}' is not a SITS Cube random forest model (made by 'Train random forest'). "
                "Choose the model file that algorithm wrote."
            )
        legacy = head == LEGACY_MAGIC
        if head != MAGIC and not legacy:
            raise UserError(f"'{path}' was written by a newer SITS Cube (model format {head.strip().decode('ascii', 'replace')}): update the plugin.")
        if legacy and not trust_pickle:
            raise UserError(
                f"'{path}' is a model of an older SITS Cube, stored as a Python pickle: opening it runs any code its "
                "author put in the file, so it is not opened by default. If you made it yourself or trust who did, "
                "run Classify again with 'Trust a pickled model' (TRUST_PICKLE) checked; better, train the model "
                "again with this version, whose model files hold only numbers."
            )
        line = stream.readline(MAX_METADATA_BYTES)
        try:
            meta = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise UserError(f"The model file '{path}' is damaged (its description cannot be read). Train the model again.")
        payload = stream.read()
    if not isinstance(meta, dict) or "payload_sha256" not in meta:
        raise UserError(f"The model file '{path}' is damaged (its description is incomplete). Train the model again.")
    if int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise UserError(f"'{path}' was written by a newer SITS Cube (model format {meta.get('format_version')}): update the plugin.")
    if len(payload) != meta.get("payload_bytes") or hashlib.sha256(payload).hexdigest() != meta["payload_sha256"]:
        raise UserError(
            f"The model file '{path}' is truncated or corrupt ({len(payload)} of {meta.get('payload_bytes')} bytes, "
            "checksum mismatch). Copy it again or train the model again."
        )
    warnings = []
    if legacy:
        model = _load_pickled(path, payload, meta, warnings)
    else:
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
            model = forest_from_arrays(arrays, int(meta.get("n_features", meta.get("band_count", 0))))
        except (ValueError, OSError, KeyError, TypeError) as error:
            raise UserError(f"The model file '{path}' is damaged or not ours ({error}). Train the model again.")
    if not hasattr(model, "predict_proba"):
        raise UserError(f"'{path}' does not hold a classifier.")
    meta["classes"] = {int(c): n for c, n in meta.get("classes", {}).items()}
    meta["warnings"] = warnings
    return model, meta


def _load_pickled(path: str, payload: bytes, meta: dict, warnings: list):
    """The model of a format-1 file (joblib pickle): only called when the user trusts the file."""
    import joblib
    import sklearn

    warnings.append(f"'{os.path.basename(path)}' is a pickled model of an older SITS Cube, opened because "
                    "TRUST_PICKLE is set. Train it again to get a model file that cannot run code.")
    if meta.get("sklearn_version") != sklearn.__version__:
        warnings.append(
            f"The model was saved with scikit-learn {meta.get('sklearn_version')} and is loaded with "
            f"{sklearn.__version__}: predictions may differ slightly or fail. Retrain it if in doubt."
        )
    try:
        import warnings as python_warnings

        with python_warnings.catch_warnings():
            python_warnings.simplefilter("ignore")  # sklearn's version warning: reported above instead
            return joblib.load(io.BytesIO(payload))
    except Exception as error:
        raise UserError(f"The model in '{path}' cannot be loaded with scikit-learn {sklearn.__version__}: {error}. "
                        "Train the model again.")


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


# ---- report files -------------------------------------------------------------------------


def _report_for_files(report: dict) -> dict:
    out = {k: v for k, v in report.items() if k != "out_of_fold"}
    out["classes"] = {str(c): n for c, n in report.get("classes", {}).items()}
    return out


def _percent(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.1f} %"


def _number(value, digits=3) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _html_report(report: dict) -> str:
    e = html.escape
    classes = {int(c): n for c, n in report.get("classes", {}).items()}
    data = report.get("data", {})
    parts = [
        "<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(report.get('title', 'Random forest accuracy'))}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:1em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:right}"
        "th{background:#eee}td.name,th.name{text-align:left}td.diag{background:#dfd;font-weight:bold}"
        ".warning{background:#fff3cd;border:1px solid #e0b000;padding:.6em}.note{color:#555}</style></head><body>",
        f"<h1>{e(report.get('title', 'Random forest accuracy'))}</h1>",
        f"<p class='note'>Created {e(str(report.get('created', '')))}.</p>",
        "<h2>Training data</h2><ul>",
        f"<li>{data.get('pixels', 0)} training pixels, {data.get('bands', 0)} bands "
        f"({e(', '.join(data.get('band_names', [])))})</li>",
        f"<li>{data.get('geometries', 0)} training geometries, {data.get('groups', 0)} groups "
        f"({e(str(data.get('group_kind', '')))}"
        + (f", point blocks of {data['point_block_size']:g} map units" if data.get("point_block_size") else "")
        + ")</li>",
    ]
    skipped = {k: v for k, v in data.get("skipped", {}).items() if v}
    if skipped:
        parts.append("<li>Skipped: " + e(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in skipped.items())) + "</li>")
    parts.append("</ul><table><tr><th class='name'>class</th><th>code</th><th>pixels</th><th>groups</th></tr>")
    for c in data.get("classes", []):
        parts.append(f"<tr><td class='name'>{e(c['name'])}</td><td>{c['code']}</td><td>{c['pixels']}</td><td>{c['groups']}</td></tr>")
    parts.append("</table>")
    params = report.get("parameters", {})
    parts.append("<h2>Model</h2><p>" + e(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in params.items())) + "</p>")

    parts.append("<h2>Validation</h2>")
    if report.get("warning"):
        parts.append(f"<p class='warning'><b>Warning.</b> {e(report['warning'])}</p>")
    if report.get("blocked_cv"):
        parts.append(f"<p>Spatially blocked: yes. {e(report.get('method', ''))}</p>")
    else:
        parts.append("<p>Spatially blocked: <b>no</b> — no accuracy is given (see the warning).</p>")
    for note in report.get("notes", []):
        parts.append(f"<p class='note'>{e(note)}</p>")
    if report.get("confusion_matrix") is not None:
        parts.append(
            f"<p><b>Overall accuracy: {_percent(report['overall_accuracy'])}</b> &nbsp; "
            f"<b>Kappa: {_number(report['kappa'])}</b> &nbsp; Mean F1: {_number(report.get('macro_f1'))}</p>"
        )
        codes = [p["code"] for p in report["per_class"]]
        matrix = report["confusion_matrix"]
        parts.append("<h3>Confusion matrix</h3><p class='note'>Rows: reference (true) class; columns: predicted class; pixel counts.</p>")
        parts.append("<table><tr><th class='name'>true \\ predicted</th>"
                     + "".join(f"<th>{e(classes.get(c, str(c)))}</th>" for c in codes) + "<th>total</th></tr>")
        for i, c in enumerate(codes):
            cells = "".join(f"<td{' class=diag' if i == j else ''}>{v}</td>" for j, v in enumerate(matrix[i]))
            parts.append(f"<tr><th class='name'>{e(classes.get(c, str(c)))}</th>{cells}<td>{sum(matrix[i])}</td></tr>")
        totals = "".join(f"<td>{sum(row[j] for row in matrix)}</td>" for j in range(len(codes)))
        parts.append(f"<tr><th class='name'>total</th>{totals}<td>{sum(map(sum, matrix))}</td></tr></table>")
        parts.append("<h3>Per class</h3><table><tr><th class='name'>class</th><th>precision (user's accuracy)</th>"
                     "<th>recall (producer's accuracy)</th><th>F1</th><th>support (pixels)</th></tr>")
        for p in report["per_class"]:
            parts.append(f"<tr><td class='name'>{e(classes.get(p['code'], str(p['code'])))}</td><td>{_number(p['precision'])}</td>"
                         f"<td>{_number(p['recall'])}</td><td>{_number(p['f1'])}</td><td>{p['support']}</td></tr>")
        parts.append("</table>")
    if report.get("feature_importances"):
        parts.append("<h2>Band importance</h2><p class='note'>Mean decrease in impurity of the final model "
                     "(trained on every pixel); it sums to 1.</p><table><tr><th class='name'>band</th><th>importance</th></tr>")
        for item in report["feature_importances"]:
            parts.append(f"<tr><td class='name'>{e(item['band'])}</td><td>{item['importance']:.4f}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _csv_matrix(report: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    classes = {int(c): n for c, n in report.get("classes", {}).items()}
    if report.get("confusion_matrix") is None:
        writer.writerow(["no spatially blocked cross-validation was possible", report.get("warning") or ""])
        return buffer.getvalue()
    codes = [p["code"] for p in report["per_class"]]
    writer.writerow(["true\\predicted"] + [classes.get(c, str(c)) for c in codes])
    for c, row in zip(codes, report["confusion_matrix"]):
        writer.writerow([classes.get(c, str(c))] + list(row))
    return buffer.getvalue()


def write_report(report: dict, html_path: str, json_path: Optional[str] = None, csv_path: Optional[str] = None) -> str:
    """The accuracy report as HTML (and JSON with the same numbers, CSV of the confusion matrix); atomic."""
    _atomic_bytes(html_path, [_html_report(report).encode("utf-8")])
    if json_path:
        text = json.dumps(_report_for_files(report), indent=1, default=_json_default, allow_nan=True)
        _atomic_bytes(json_path, [text.encode("utf-8")])
    if csv_path:
        _atomic_bytes(csv_path, [_csv_matrix(report).encode("utf-8")])
    return html_path


# ---- prediction ---------------------------------------------------------------------------


def _pam_xml(classes: Dict[int, str]) -> str:
    """GDAL PAM sidecar: category names (index = pixel value) and a thematic raster attribute table."""
    e = html.escape
    top = max(classes)
    names = ["no data"] + [classes.get(v, "") for v in range(1, top + 1)]
    rows = "".join(
        f"<Row index=\"{i}\"><F>{code}</F><F>{e(name)}</F></Row>" for i, (code, name) in enumerate(sorted(classes.items()))
    )
    return (
        "<PAMDataset>\n  <PAMRasterBand band=\"1\">\n    <CategoryNames>\n"
        + "".join(f"      <Category>{e(n)}</Category>\n" for n in names)
        + "    </CategoryNames>\n"
        "    <GDALRasterAttributeTable tableType=\"thematic\">\n"
        "      <FieldDefn index=\"0\"><Name>Value</Name><Type>0</Type><Usage>5</Usage></FieldDefn>\n"
        "      <FieldDefn index=\"1\"><Name>Class</Name><Type>2</Type><Usage>2</Usage></FieldDefn>\n"
        f"      {rows}\n    </GDALRasterAttributeTable>\n  </PAMRasterBand>\n</PAMDataset>\n"
    )


def predict_block(model, data) -> Tuple[np.ndarray, np.ndarray]:
    """(bands, h, w) masked array -> (classes with 0 for nodata, max probability with NaN for nodata)."""
    bands, h, w = data.shape
    valid = valid_pixels(data).reshape(-1)
    classes = np.zeros(h * w, dtype=np.int64)
    probability = np.full(h * w, np.nan, dtype=np.float32)
    if valid.any():
        X = np.ma.getdata(data).reshape(bands, -1)[:, valid].T.astype(np.float32)
        # Trees are summed in parallel, in no fixed order: the last bits differ run to run, and
        # exact ties between classes would flip. Rounded, the same pixel always gets the same class.
        proba = np.round(model.predict_proba(X), 12)
        best = np.argmax(proba, axis=1)  # what RandomForestClassifier.predict does
        classes[valid] = model.classes_[best]
        probability[valid] = proba[np.arange(len(best)), best]
    return classes.reshape(h, w), probability.reshape(h, w)


GDAL_CACHE_MB = 64  # GDAL caches blocks up to 5 % of RAM by default: cap it so memory stays flat


def predict_raster(*args, **kwargs):
    """Classify a raster block by block (see _predict_raster), with a small GDAL block cache."""
    import rasterio

    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
        return _predict_raster(*args, **kwargs)


def _predict_raster(model, metadata: dict, raster_path: str, out_path: str, probability_path: Optional[str] = None,
                   block_size: int = 512, progress: Optional[Progress] = None) -> str:
    """Classify a raster block by block into a GeoTIFF class map (see the module docstring); atomic."""
    import rasterio
    from rasterio.crs import CRS
    from rasterio.windows import Window

    progress = progress or Progress()
    classes = {int(c): str(n) for c, n in metadata.get("classes", {}).items()} or {
        int(c): str(c) for c in model.classes_}
    if min(classes) < 1 or max(classes) > 65535:
        raise UserError("The model's class codes must be between 1 and 65535 (0 is the class map's nodata); "
                        "train it again with classes numbered from 1.")
    dtype = "uint8" if max(classes) <= 255 else "uint16"
    block_size = max(16, int(block_size))
    for path in [out_path] + ([probability_path] if probability_path else []):
        if os.path.splitext(path)[1].lower() not in (".tif", ".tiff"):
            raise UserError(f"The classification is written as GeoTIFF: the file name must end in .tif, not '{path}'.")

    temporaries = []
    try:
        with rasterio.open(raster_path) as src:
            expected = int(metadata.get("band_count", getattr(model, "n_features_in_", src.count)))
            trained_names = list(metadata.get("band_names", []))
            if src.count != expected:
                raise UserError(
                    f"The raster '{os.path.basename(raster_path)}' has {src.count} band(s) but the model was trained "
                    f"on {expected} ({', '.join(trained_names) or 'unnamed'}). Classify a raster made the same "
                    "way as the training raster (same bands, same dates, same order)."
                )
            names = band_names_of(src)
            if trained_names and names != trained_names and not all(n.startswith("band_") for n in names):
                progress.warning(f"The raster's bands ({', '.join(names)}) are not named as the model's "
                                 f"({', '.join(trained_names)}): check they are the same bands in the same order.")
            trained_crs = metadata.get("crs_wkt")
            if trained_crs and src.crs and CRS.from_wkt(trained_crs) != src.crs:
                progress.warning("The raster's CRS differs from the training raster's; the bands are used as they are.")

            profile = dict(
                driver="GTiff", width=src.width, height=src.height, count=1, dtype=dtype, crs=src.crs,
                transform=src.transform, nodata=0, tiled=True, blockxsize=GEOTIFF_TILE, blockysize=GEOTIFF_TILE,
                compress="DEFLATE", predictor=2, BIGTIFF="IF_SAFER",
            )
            outputs = [(out_path, profile)]
            if probability_path:
                outputs.append((probability_path, dict(profile, dtype="float32", nodata=float("nan"), predictor=3)))
            handles = []
            for path, _ in outputs:
                directory = os.path.dirname(os.path.abspath(path))
                os.makedirs(directory, exist_ok=True)
                temporaries.append(atomic.temporary_file(directory, ".tif"))
            dst = rasterio.open(temporaries[0], "w", **outputs[0][1])
            handles.append(dst)
            if probability_path:
                handles.append(rasterio.open(temporaries[1], "w", **outputs[1][1]))
            try:
                dst.set_band_description(1, "class")
                dst.update_tags(1, **{f"CLASS_{c}": n for c, n in classes.items()})
                dst.update_tags(sitscube_classes=json.dumps({str(c): n for c, n in classes.items()}),
                                sitscube_model=json.dumps({k: metadata.get(k) for k in ("band_names", "parameters", "saved")},
                                                          default=_json_default))
                if dtype == "uint8":
                    colormap = {v: (0, 0, 0, 0) for v in range(256)}
                    for code, colour in class_colours(classes).items():
                        colormap[code] = colour + (255,)
                    dst.write_colormap(1, colormap)
                if probability_path:
                    handles[1].set_band_description(1, "probability of the predicted class")

                windows = [Window(col, row, min(block_size, src.width - col), min(block_size, src.height - row))
                           for row in range(0, src.height, block_size) for col in range(0, src.width, block_size)]
                for number, window in enumerate(windows):
                    progress.check_canceled()
                    predicted, probability = predict_block(model, src.read(window=window, masked=True))
                    dst.write(predicted.astype(dtype), 1, window=window)
                    if probability_path:
                        handles[1].write(probability, 1, window=window)
                    progress.set_percent(100.0 * (number + 1) / len(windows))
            finally:
                for handle in handles:
                    handle.close()
        # category names and attribute table in the PAM sidecar GDAL reads next to the file
        aux_temporary = temporaries[0] + ".aux.xml"
        with open(aux_temporary, "w", encoding="utf-8") as stream:
            stream.write(_pam_xml(classes))
        temporaries.append(aux_temporary)
        atomic.publish(aux_temporary, os.path.abspath(out_path) + ".aux.xml")
        atomic.publish(temporaries[0], os.path.abspath(out_path))
        if probability_path:
            atomic.publish(temporaries[1], os.path.abspath(probability_path))
        for leftover in [t + ".aux.xml" for t in temporaries]:  # anything GDAL left next to a temporary
            if os.path.exists(leftover):
                os.remove(leftover)
    except BaseException:
        for leftover in temporaries + [t + ".aux.xml" for t in temporaries]:
            if os.path.exists(leftover):
                os.remove(leftover)
        raise
    progress.info(f"Classified {os.path.basename(raster_path)} into {len(classes)} classes: {out_path}")
    return out_path
