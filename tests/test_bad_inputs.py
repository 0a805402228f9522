"""Bad inputs to every algorithm: a clear message, and nothing written.

One table: each row names the algorithm, builds its parameters from small real
inputs prepared once for the module (a 32 x 32 x 28 cube loaded from the
loopback catalog at 40 m, the same cube without SCL, a 2-band composite, a
model trained on it, ...), and gives the message expected (a regex). Every row
runs with its own empty output folder, which must still be empty afterwards;
rows marked `keep` first put a file at the output path, which must be left
byte for byte as it was.
"""

import json
import os
from types import SimpleNamespace

import numpy as np
import pytest
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsProcessingException,
    QgsRectangle,
    QgsVectorLayer,
)

from sitscube.engine import sample_catalog as sc

from qgis_helpers import run_algorithm as _run  # noqa: E402

SMALL_AOI = "300000,301280,4808960,4810240 [EPSG:32631]"  # 32 x 32 pixels at 40 m
X0, Y0, X1, Y1 = 300000.0, 4808960.0, 301280.0, 4810240.0


def _layer(kind, features, crs="EPSG:32631", fields="field=class:string"):
    """A memory layer; features are (wkt or None, [attributes])."""
    layer = QgsVectorLayer(f"{kind}?crs={crs}&{fields}", "layer", "memory")
    rows = []
    for wkt, attributes in features:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(attributes)
        if wkt is not None:
            feature.setGeometry(QgsGeometry.fromWkt(wkt))
        rows.append(feature)
    layer.dataProvider().addFeatures(rows)
    layer.updateExtents()
    return layer


def _square(x, y, size=200.0):
    return QgsGeometry.fromRect(QgsRectangle(x, y, x + size, y + size)).asWkt()


BOWTIE = "Polygon((300100 4809100, 300500 4809500, 300500 4809100, 300100 4809500, 300100 4809100))"


def _training_features(labels=("water", "crops")):
    """Three squares per class: class 0 on the left half, class 1 on the right."""
    features = []
    for row, y in enumerate((Y0 + 100, Y0 + 500, Y0 + 900)):
        features.append((_square(X0 + 100, y), [labels[0]]))
        features.append((_square(X0 + 800, y), [labels[-1]]))
    return features


@pytest.fixture(scope="module")
def inputs(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    """Small real inputs, made once for the whole table."""
    import rasterio
    from rasterio.transform import from_origin

    folder = tmp_path_factory.mktemp("bad-inputs")
    west, south, east, north = area_lonlat
    f = SimpleNamespace(folder=folder, catalog=stac_api.url, aoi_lonlat=f"{west},{east},{south},{north} [EPSG:4326]")
    f.items = _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f.aoi_lonlat,
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(folder / "items.geojson")})["OUTPUT"]
    f.cube = _run("sitscube:loadcube", {"ITEMS": f.items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,nir,scl",
                                        "OUTPUT": str(folder / "cube.nc")})["OUTPUT"]
    f.cube_no_scl = _run("sitscube:loadcube", {"ITEMS": f.items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,nir",
                                               "OUTPUT": str(folder / "cube_no_scl.nc")})["OUTPUT"]
    f.composite = _run("sitscube:composite", {"INPUT": f.cube, "BANDS": "B04,B08",
                                              "OUTPUT": str(folder / "composite.tif")})["OUTPUT"]
    f.training = _layer("Polygon", _training_features())
    trained = _run("sitscube:trainrandomforest", {
        "INPUT": f.composite, "TRAINING": f.training, "CLASS_FIELD": "class", "N_TREES": 10, "CV_FOLDS": 3,
        "OUTPUT_MODEL": str(folder / "model.sitsmodel"), "OUTPUT_REPORT": str(folder / "report.html")})
    f.model = trained["OUTPUT_MODEL"]
    # a 3-band raster on the same grid: not what the 2-band model was trained on
    f.three_bands = str(folder / "three_bands.tif")
    with rasterio.open(f.three_bands, "w", driver="GTiff", width=32, height=32, count=3, dtype="uint16",
                       crs="EPSG:32631", transform=from_origin(X0, Y1, 40, 40), nodata=0) as dst:
        dst.write(np.random.default_rng(0).integers(1, 5000, (3, 32, 32), dtype=np.uint16))
    # the same kind of raster in lon/lat: no class areas in degrees
    f.lonlat_raster = str(folder / "lonlat.tif")
    with rasterio.open(f.lonlat_raster, "w", driver="GTiff", width=32, height=32, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=from_origin(1.0, 43.5, 0.001, 0.001), nodata=0) as dst:
        dst.write(np.ones((1, 32, 32), dtype=np.uint8))
    # files that are not what they claim to be
    f.text = str(folder / "notes.txt")
    with open(f.text, "w") as stream:
        stream.write("not a cube\n")
    f.text_as_nc = str(folder / "notes.nc")
    with open(f.text_as_nc, "w") as stream:
        stream.write("not a netCDF file either\n")
    f.png = str(folder / "picture.png")
    with rasterio.open(f.png, "w", driver="PNG", width=8, height=8, count=1, dtype="uint8") as dst:
        dst.write(np.zeros((1, 8, 8), dtype=np.uint8))
    f.png_as_model = str(folder / "picture.sitsmodel")
    with open(f.png, "rb") as source, open(f.png_as_model, "wb") as target:
        target.write(source.read())
    f.plain_geojson = str(folder / "fields.geojson")
    with open(f.plain_geojson, "w") as stream:
        json.dump({"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"name": "a field"},
            "geometry": {"type": "Polygon", "coordinates": [[[1.4, 43.4], [1.41, 43.4], [1.41, 43.41], [1.4, 43.4]]]}}]}, stream)
    f.points_outside = _layer("Point", [("Point(500000 5000000)", ["far"])], fields="field=name:string")
    # items as real catalogs can publish them: only metadata assets; S3 hrefs without an https alternate
    with open(f.items, encoding="utf-8") as stream:
        found = json.load(stream)
    first = found["features"][:2]
    f.items_no_raster = str(folder / "items_no_raster.geojson")
    with open(f.items_no_raster, "w", encoding="utf-8") as stream:
        json.dump({"type": "FeatureCollection", "features": [
            {**item, "assets": {"granule-metadata": {"href": "https://example.invalid/MTD_TL.xml", "type": "application/xml",
                                                     "roles": ["metadata"]}}} for item in first]}, stream)
    f.items_s3 = str(folder / "items_s3.geojson")
    with open(f.items_s3, "w", encoding="utf-8") as stream:
        json.dump({"type": "FeatureCollection", "features": [
            {**item, "assets": {key: {**asset, "href": "s3://eodata/Sentinel-2/" + asset["href"].rsplit("/", 3)[-3] + ".tif"}
                                for key, asset in item["assets"].items()}} for item in first]}, stream)
    f.cube_scl_only = _run("sitscube:loadcube", {"ITEMS": f.items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "scl",
                                                 "OUTPUT": str(folder / "cube_scl.nc")})["OUTPUT"]
    return f


def _empty_polygons():
    return _layer("Polygon", [])


def _empty_points():
    return _layer("Point", [], fields="field=name:string")


# (id, algorithm, parameters(f, out) -> dict, expected message regex, output key kept when "keep")
BAD = [
    # ---- STAC search
    ("search-reversed-dates", "sitscube:stacsearch", lambda f, out: {
        "CATALOG_URL": f.catalog, "COLLECTION": sc.PC_COLLECTION, "AOI": f.aoi_lonlat,
        "START_DATE": "2022-06-01", "END_DATE": "2022-01-01", "OUTPUT": out("items.geojson")}, r"before START_DATE", "OUTPUT"),
    ("search-unknown-collection", "sitscube:stacsearch", lambda f, out: {
        "CATALOG_URL": f.catalog, "COLLECTION": "sentinel-1-grd", "AOI": f.aoi_lonlat,
        "START_DATE": "2022-01-01", "END_DATE": "2022-06-01", "OUTPUT": out("items.geojson")}, r"not found in the catalog", None),
    ("search-empty-aoi", "sitscube:stacsearch", lambda f, out: {
        "CATALOG_URL": f.catalog, "COLLECTION": sc.PC_COLLECTION, "AOI": "1.4,1.4,43.5,43.5 [EPSG:4326]",
        "START_DATE": "2022-01-01", "END_DATE": "2022-06-01", "OUTPUT": out("items.geojson")}, r"AOI is empty", None),
    ("search-no-item-in-area", "sitscube:stacsearch", lambda f, out: {
        "CATALOG_URL": f.catalog, "COLLECTION": sc.PC_COLLECTION, "AOI": "10,10.1,50,50.1 [EPSG:4326]",
        "START_DATE": "2022-01-01", "END_DATE": "2022-06-01", "OUTPUT": out("items.geojson")}, r"No items found", None),
    # ---- load
    ("load-geographic-crs-10m", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.items, "AOI": SMALL_AOI, "CRS": "EPSG:4326", "RESOLUTION": 10, "BANDS": "red",
        "OUTPUT": out("cube.nc")}, r"projected CRS", "OUTPUT"),
    ("load-unknown-band", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red,cirrus", "OUTPUT": out("cube.nc")},
     r"Unknown band.*cirrus", None),
    ("load-huge-grid", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.items, "AOI": SMALL_AOI, "RESOLUTION": 0.001, "BANDS": "red", "OUTPUT": out("cube.nc")},
     r"grid would be 1280000 x 1280000 pixels per band and date, about [0-9,]+ GB.*coarser RESOLUTION", "OUTPUT"),
    ("load-area-outside-items", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.items, "AOI": "10,10.1,50,50.1 [EPSG:4326]", "BANDS": "red", "OUTPUT": out("cube.nc")},
     r"No item overlaps", None),
    ("load-zarr-typo", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.items, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red", "OUTPUT": out("cube.zar")},
     r"must end in \.nc.*\.zarr.*not '\.zar'", None),
    ("load-geojson-not-items", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.plain_geojson, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red", "OUTPUT": out("cube.nc")},
     r"not STAC items", None),
    ("load-text-as-items", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.text, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red", "OUTPUT": out("cube.nc")},
     r"ITEMS|not a GeoJSON|not a STAC", None),
    ("load-collection-without-raster-assets", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.items_no_raster, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red", "OUTPUT": out("cube.nc")},
     r"no raster data asset.*choose another COLLECTION", None),
    ("load-s3-without-credentials", "sitscube:loadcube", lambda f, out: {
        "ITEMS": f.items_s3, "AOI": SMALL_AOI, "RESOLUTION": 40, "BANDS": "red", "OUTPUT": out("cube.nc")},
     r"on S3 with no https alternate.*AWS_ACCESS_KEY_ID.*Nothing was written", "OUTPUT"),
    ("download-aoi-outside-items", "sitscube:downloadassets", lambda f, out: {
        "ITEMS": f.items, "BANDS": "red", "AOI": "500000,500100,5000000,5000100 [EPSG:32631]",
        "OUTPUT_FOLDER": out("downloads")}, r"AOI is outside all", None),
    ("download-no-raster-assets", "sitscube:downloadassets", lambda f, out: {
        "ITEMS": f.items_no_raster, "BANDS": "red", "OUTPUT_FOLDER": out("downloads")}, r"no raster data asset", None),
    ("quicklooks-geojson-not-items", "sitscube:quicklooks", lambda f, out: {
        "ITEMS": f.plain_geojson, "OUTPUT_HTML": out("gallery.html")}, r"not STAC items", None),
    # ---- smoothing and phenology
    ("smooth-even-window", "sitscube:smooth", lambda f, out: {"INPUT": f.cube, "WINDOW": 4, "OUTPUT": out("s.nc")},
     r"WINDOW must be an odd number of dates", "OUTPUT"),
    ("smooth-order-not-below-window", "sitscube:smooth", lambda f, out: {
        "INPUT": f.cube, "WINDOW": 5, "ORDER": 5, "OUTPUT": out("s.nc")}, r"ORDER \(5\) must be smaller than WINDOW \(5\)", None),
    ("smooth-unknown-band", "sitscube:smooth", lambda f, out: {"INPUT": f.cube, "BANDS": "B04,B99", "OUTPUT": out("s.nc")},
     r"no band B99 to smooth", None),
    ("smooth-only-class-bands", "sitscube:smooth", lambda f, out: {"INPUT": f.cube_scl_only, "OUTPUT": out("s.nc")},
     r"no reflectance or index band to smooth", None),
    ("smooth-geotiff-output", "sitscube:smooth", lambda f, out: {"INPUT": f.cube, "OUTPUT": out("s.tif")},
     r"must end in \.nc", None),
    ("phenology-unknown-band", "sitscube:phenology", lambda f, out: {"INPUT": f.cube, "BAND": "B99", "OUTPUT": out("p.tif")},
     r"no band 'B99'", "OUTPUT"),
    ("phenology-index-without-its-bands", "sitscube:phenology", lambda f, out: {
        "INPUT": f.cube, "BAND": "EVI", "OUTPUT": out("p.tif")}, r"EVI needs .*lacks blue", None),
    ("phenology-threshold-without-value", "sitscube:phenology", lambda f, out: {
        "INPUT": f.cube, "METHOD": "threshold", "OUTPUT": out("p.tif")}, r"needs a THRESHOLD", None),
    ("phenology-year-outside-the-cube", "sitscube:phenology", lambda f, out: {
        "INPUT": f.cube, "YEARS": "2030", "OUTPUT": out("p.tif")}, r"no date in 2030.*2021-04-03 to 2023-02-07", None),
    ("phenology-netcdf-output", "sitscube:phenology", lambda f, out: {"INPUT": f.cube, "OUTPUT": out("p.nc")},
     r"must end in \.tif", None),
    # ---- cube steps
    ("harmonize-nothing-it-can-correct", "sitscube:harmonize", lambda f, out: {
        "INPUT": f.cube_scl_only, "OUTPUT": out("h.nc")}, r"carry the \+1000 offset .* no reflectance band", "OUTPUT"),
    ("cloudmask-unknown-bit", "sitscube:cloudmask", lambda f, out: {
        "INPUT": f.cube, "MASK_BITS": "cloud,haze", "OUTPUT": out("m.nc")}, r"MASK_BITS: 'haze'", None),
    ("harmonize-text-as-cube", "sitscube:harmonize", lambda f, out: {"INPUT": f.text, "OUTPUT": out("h.nc")},
     r"must end in \.nc.*not '\.txt'", None),
    ("harmonize-text-named-nc", "sitscube:harmonize", lambda f, out: {"INPUT": f.text_as_nc, "OUTPUT": out("h.nc")},
     r"not a readable cube", "OUTPUT"),
    ("harmonize-missing-cube", "sitscube:harmonize", lambda f, out: {
        "INPUT": str(f.folder / "no-such-cube.nc"), "OUTPUT": out("h.nc")}, r"does not exist", None),
    ("cloudmask-without-scl", "sitscube:cloudmask", lambda f, out: {"INPUT": f.cube_no_scl, "OUTPUT": out("m.nc")},
     r"no mask band 'SCL'.*B04, B08", "OUTPUT"),
    ("cloudmask-fraction-out-of-range", "sitscube:cloudmask", lambda f, out: {
        "INPUT": f.cube, "MAX_MASKED_FRACTION": 1.5, "OUTPUT": out("m.nc")}, r"MAX_MASKED_FRACTION", None),
    ("cloudmask-values-not-numbers", "sitscube:cloudmask", lambda f, out: {
        "INPUT": f.cube, "MASK_VALUES": "cloud,shadow", "OUTPUT": out("m.nc")}, r"MASK_VALUES must be whole numbers", None),
    ("cloudmask-empty-values", "sitscube:cloudmask", lambda f, out: {
        "INPUT": f.cube, "MASK_VALUES": " , ", "OUTPUT": out("m.nc")}, r"MASK_VALUES is empty", None),
    ("cloudmask-output-typo", "sitscube:cloudmask", lambda f, out: {"INPUT": f.cube, "OUTPUT": out("m.zarr.bak")},
     r"must end in \.nc", None),
    ("gapfill-unknown-method", "sitscube:gapfill", lambda f, out: {
        "INPUT": f.cube, "METHOD": "cubic", "OUTPUT": out("g.nc")}, r"METHOD", None),
    ("gapfill-png-as-cube", "sitscube:gapfill", lambda f, out: {"INPUT": f.png, "OUTPUT": out("g.nc")},
     r"must end in \.nc.*not '\.png'", None),
    ("index-missing-bands", "sitscube:spectralindex", lambda f, out: {
        "INPUT": f.cube, "INDEX": "EVI", "OUTPUT": out("evi.nc")}, r"EVI needs .*lacks blue", "OUTPUT"),
    ("index-ndwi-without-green", "sitscube:spectralindex", lambda f, out: {
        "INPUT": f.cube, "INDEX": "NDWI", "OUTPUT": out("ndwi.nc")}, r"lacks green", None),
    ("composite-window-without-dates", "sitscube:composite", lambda f, out: {
        "INPUT": f.cube, "START_DATE": "2030-01-01", "END_DATE": "2030-12-31", "OUTPUT": out("c.tif")},
     r"No date of the cube falls between 2030-01-01 and 2030-12-31.*28 date", "OUTPUT"),
    ("composite-reversed-window", "sitscube:composite", lambda f, out: {
        "INPUT": f.cube, "START_DATE": "2022-09-30", "END_DATE": "2022-05-01", "OUTPUT": out("c.tif")},
     r"start date 2022-09-30 is after the end date 2022-05-01", None),
    ("composite-unknown-band", "sitscube:composite", lambda f, out: {
        "INPUT": f.cube, "BANDS": "B04,B99", "OUTPUT": out("c.tif")}, r"no band B99", None),
    ("composite-netcdf-output", "sitscube:composite", lambda f, out: {"INPUT": f.cube, "OUTPUT": out("c.nc")},
     r"must end in \.tif", None),
    ("export-empty-points", "sitscube:exporttimeseries", lambda f, out: {
        "INPUT": f.cube, "POINTS": _empty_points(), "OUTPUT": out("series.csv")}, r"POINTS has no feature", "OUTPUT"),
    ("export-points-outside", "sitscube:exporttimeseries", lambda f, out: {
        "INPUT": f.cube, "POINTS": f.points_outside, "OUTPUT": out("series.csv")}, r"None of the points falls inside", None),
    # ---- classification
    ("train-single-class", "sitscube:trainrandomforest", lambda f, out: {
        "INPUT": f.composite, "TRAINING": _layer("Polygon", _training_features(("forest",))), "CLASS_FIELD": "class",
        "OUTPUT_MODEL": out("m.sitsmodel"), "OUTPUT_REPORT": out("r.html")}, r"at least two classes.*'forest'", "OUTPUT_MODEL"),
    ("train-no-class-values", "sitscube:trainrandomforest", lambda f, out: {
        "INPUT": f.composite, "TRAINING": _layer("Polygon", [(w, [None]) for w, _ in _training_features()]),
        "CLASS_FIELD": "class", "OUTPUT_MODEL": out("m.sitsmodel"), "OUTPUT_REPORT": out("r.html")},
     r"No training feature has both a valid geometry and a value in 'class'", None),
    ("train-only-invalid-geometries", "sitscube:trainrandomforest", lambda f, out: {
        "INPUT": f.composite, "TRAINING": _layer("Polygon", [(BOWTIE, ["water"]), (BOWTIE, ["crops"])]),
        "CLASS_FIELD": "class", "OUTPUT_MODEL": out("m.sitsmodel"), "OUTPUT_REPORT": out("r.html")},
     r"No training feature has both a valid geometry", None),
    ("train-empty-layer", "sitscube:trainrandomforest", lambda f, out: {
        "INPUT": f.composite, "TRAINING": _empty_polygons(), "CLASS_FIELD": "class",
        "OUTPUT_MODEL": out("m.sitsmodel"), "OUTPUT_REPORT": out("r.html")}, r"training layer has no feature", None),
    ("train-outside-raster", "sitscube:trainrandomforest", lambda f, out: {
        "INPUT": f.composite, "TRAINING": _layer("Polygon", [(_square(500000, 5000000), ["water"]), (_square(500400, 5000000), ["crops"])]),
        "CLASS_FIELD": "class", "OUTPUT_MODEL": out("m.sitsmodel"), "OUTPUT_REPORT": out("r.html")},
     r"No training pixel", None),
    ("classify-png-as-model", "sitscube:classify", lambda f, out: {
        "INPUT": f.composite, "MODEL": f.png, "OUTPUT": out("classes.tif")}, r"not a SITS Cube random forest model", "OUTPUT"),
    ("classify-png-named-sitsmodel", "sitscube:classify", lambda f, out: {
        "INPUT": f.composite, "MODEL": f.png_as_model, "OUTPUT": out("classes.tif")}, r"not a SITS Cube random forest model", None),
    ("classify-other-band-count", "sitscube:classify", lambda f, out: {
        "INPUT": f.three_bands, "MODEL": f.model, "OUTPUT": out("classes.tif")},
     r"has 3 band\(s\) but the model was trained on 2", "OUTPUT"),
    ("classify-missing-model", "sitscube:classify", lambda f, out: {
        "INPUT": f.composite, "MODEL": str(f.folder / "no-such.sitsmodel"), "OUTPUT": out("classes.tif")},
     r"does not exist", None),
    ("classify-geojson-output", "sitscube:classify", lambda f, out: {
        "INPUT": f.composite, "MODEL": f.model, "OUTPUT": out("classes.nc")}, r"must end in \.tif", None),
    # ---- zonal statistics
    ("zonal-only-invalid-zones", "sitscube:zonalstatistics", lambda f, out: {
        "INPUT": f.composite, "ZONES": _layer("Polygon", [(BOWTIE, ["a"]), (BOWTIE, ["b"])]), "OUTPUT": out("zones.gpkg")},
     r"ZONES has no polygon with a valid geometry", "OUTPUT"),
    ("zonal-empty-zones", "sitscube:zonalstatistics", lambda f, out: {
        "INPUT": f.composite, "ZONES": _empty_polygons(), "OUTPUT": out("zones.gpkg")},
     r"ZONES has no polygon with a valid geometry", None),
    ("zonal-class-area-in-degrees", "sitscube:zonalstatistics", lambda f, out: {
        "INPUT": f.lonlat_raster, "STATISTICS": ["class_area"],
        "ZONES": _layer("Polygon", [("Polygon((1.001 43.47, 1.02 43.47, 1.02 43.49, 1.001 43.49, 1.001 43.47))", ["a"])], crs="EPSG:4326"),
        "OUTPUT": out("zones.gpkg")}, r"projected CRS.*geographic", None),
    ("zonal-unknown-statistic", "sitscube:zonalstatistics", lambda f, out: {
        "INPUT": f.composite, "STATISTICS": ["mode"], "ZONES": _layer("Polygon", _training_features()),
        "OUTPUT": out("zones.gpkg")}, r"STATISTICS", None),
    # ---- time-series analysis
    ("anomaly-empty-reference", "sitscube:anomaly", lambda f, out: {
        "INPUT": f.cube, "REFERENCE_START": "2030-01-01", "OUTPUT": out("a.nc")}, r"reference period is empty", "OUTPUT"),
    ("anomaly-geotiff-output", "sitscube:anomaly", lambda f, out: {"INPUT": f.cube, "OUTPUT": out("a.tif")},
     r"must end in \.nc", None),
    ("anomaly-only-class-bands", "sitscube:anomaly", lambda f, out: {"INPUT": f.cube_scl_only, "OUTPUT": out("a.nc")},
     r"no band to analyse: only class bands", None),
    ("trend-unknown-band", "sitscube:trend", lambda f, out: {"INPUT": f.cube, "BAND": "B99", "OUTPUT": out("t.tif")},
     r"no band B99", "OUTPUT"),
    ("trend-one-period-only", "sitscube:trend", lambda f, out: {
        "INPUT": f.cube, "BAND": "B08", "PERIOD_A": "2021-05-01,2021-09-30", "OUTPUT": out("t.tif")},
     r"both PERIOD_A and PERIOD_B", None),
    ("trend-band-needed", "sitscube:trend", lambda f, out: {"INPUT": f.cube, "OUTPUT": out("t.tif")},
     r"Choose the BAND.*B04, B08", None),
    ("trend-netcdf-output", "sitscube:trend", lambda f, out: {"INPUT": f.cube, "BAND": "B08", "OUTPUT": out("t.nc")},
     r"must end in \.tif", None),
    ("profile-unknown-band", "sitscube:temporalprofile", lambda f, out: {
        "INPUT": [f.cube], "POINTS": _layer("Point", [("Point(300500 4809500)", ["a"])], fields="field=name:string"),
        "BAND": "NDVI", "OUTPUT_HTML": out("p.html"), "OUTPUT_CHART": out("p.png"), "OUTPUT_CSV": out("p.csv")},
     r"no band NDVI", "OUTPUT_HTML"),
    ("profile-points-outside", "sitscube:temporalprofile", lambda f, out: {
        "INPUT": [f.cube], "POINTS": f.points_outside, "OUTPUT_HTML": out("p.html"), "OUTPUT_CHART": out("p.png"),
        "OUTPUT_CSV": out("p.csv")}, r"None of the points or polygons falls inside", None),
    ("profile-empty-points", "sitscube:temporalprofile", lambda f, out: {
        "INPUT": [f.cube], "POINTS": _empty_points(), "OUTPUT_HTML": out("p.html"), "OUTPUT_CHART": out("p.png"),
        "OUTPUT_CSV": out("p.csv")}, r"POINTS has no feature with a valid geometry", None),
    ("profile-chart-not-png", "sitscube:temporalprofile", lambda f, out: {
        "INPUT": [f.cube], "POINTS": _layer("Point", [("Point(300500 4809500)", ["a"])], fields="field=name:string"),
        "OUTPUT_HTML": out("p.html"), "OUTPUT_CHART": out("p.jpg"), "OUTPUT_CSV": out("p.csv")},
     r"OUTPUT_CHART must end in \.png", None),
    ("profile-text-as-cube", "sitscube:temporalprofile", lambda f, out: {
        "INPUT": [f.text_as_nc], "POINTS": _layer("Point", [("Point(300500 4809500)", ["a"])], fields="field=name:string"),
        "OUTPUT_HTML": out("p.html"), "OUTPUT_CHART": out("p.png"), "OUTPUT_CSV": out("p.csv")},
     r"not a readable cube", None),
]


@pytest.mark.parametrize("name, algorithm, build, message, keep", BAD, ids=[row[0] for row in BAD])
def test_bad_input_is_refused_and_writes_nothing(inputs, tmp_path, name, algorithm, build, message, keep):
    from recording_feedback import RecordingFeedback

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    parameters = build(inputs, lambda file_name: str(out_dir / file_name))
    existing = None
    if keep:  # a file the user already had at the output path
        existing = parameters[keep]
        with open(existing, "wb") as stream:
            stream.write(b"the user's own file, not to be touched\n")
    with pytest.raises(QgsProcessingException, match=message) as raised:
        _run(algorithm, parameters, RecordingFeedback())
    assert "Traceback" not in str(raised.value)
    if existing:
        assert os.listdir(out_dir) == [os.path.basename(existing)]
        with open(existing, "rb") as stream:
            assert stream.read() == b"the user's own file, not to be touched\n"
    else:
        assert os.listdir(out_dir) == []


def test_the_table_covers_every_algorithm_with_25_rows_or_more():
    algorithms = {row[1] for row in BAD}
    assert len(BAD) >= 25 and len({row[0] for row in BAD}) == len(BAD)
    assert algorithms == {f"sitscube:{name}" for name in (
        "stacsearch", "loadcube", "harmonize", "cloudmask", "gapfill", "spectralindex", "composite",
        "exporttimeseries", "trainrandomforest", "classify", "zonalstatistics", "downloadassets", "quicklooks",
        "anomaly", "trend", "temporalprofile", "smooth", "phenology")}
