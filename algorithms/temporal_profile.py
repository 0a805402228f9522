"""sitscube:temporalprofile — series of points or polygons in several cubes, as a chart, an HTML page and a CSV."""

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapLayer,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
    QgsProcessingUtils,
    QgsWkbTypes,
)

from ..plugin.i18n import tr
from .cube_parameters import resolve_cube_path
from .support import can_execute, engine_progress, layer_file_path, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo", "rasterio", "shapely")


def cube_paths(value, context):
    """Cube files behind the INPUT list: paths, or layers (objects, ids, names) such as loadcube's band layers."""
    values = value if isinstance(value, (list, tuple)) else ([] if value in (None, "") else [value])
    paths = []
    for item in values:
        if isinstance(item, QgsMapLayer):
            source = layer_file_path(item)
        else:
            text = str(item).strip()
            if not text:
                continue
            layer = QgsProcessingUtils.mapLayerFromString(text, context, False)
            source = layer_file_path(layer) if layer is not None else text
        paths.append(resolve_cube_path(source))
    return paths


class TemporalProfileAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    POINTS = "POINTS"
    BAND = "BAND"
    ID_FIELD = "ID_FIELD"
    OUTPUT_HTML = "OUTPUT_HTML"
    OUTPUT_CHART = "OUTPUT_CHART"
    OUTPUT_CSV = "OUTPUT_CSV"

    def name(self):
        return "temporalprofile"

    def displayName(self):  # noqa: N802
        return tr("Temporal profile")

    def group(self):
        return tr("Time-series analysis")

    def groupId(self):  # noqa: N802
        return "timeseriesanalysis"

    def tags(self):
        return [tr("profile"), tr("chart"), tr("time series"), tr("plot"), tr("points"), tr("polygon"), "html", "csv"]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "The time series of points or polygons in one or more cubes, side by side, so you see what each "
            "step did: for instance the loaded cube, the harmonized one and the gap-filled one. Each cube is "
            "labelled by its file name and the steps recorded in it (loadcube › harmonize › cloudmask › "
            "gapfill).\n\n"
            "INPUT: cube files (.nc, a .zarr folder or a file in it, or the band layers 'Load cube' puts in the "
            "map). POINTS: a point layer (each point takes the pixel it falls in) or a polygon layer (the mean of "
            "the valid pixels whose centre is inside), in any CRS. BAND: the band or index to draw (default: the "
            "first band that is not a class band). ID_FIELD (optional) names the features (default: their id).\n\n"
            "Nodata and masked dates are gaps: a break in the line, an empty cell, never a zero. Values are "
            "shown as stored in each cube.\n\n"
            "Outputs: a PNG chart (one panel per feature, the first 12, one line per cube), an HTML page shown "
            "in the results viewer (the chart, the cubes with their history, a table of the values) and a CSV "
            "table feature_id, cube, history, date, band, value, pixels."
        )

    def createInstance(self):  # noqa: N802
        return TemporalProfileAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterMultipleLayers(self.INPUT, tr("Cubes (files or cube band layers)"),
                                                               QgsProcessing.SourceType.TypeFile))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.POINTS, tr("Points or polygons"),
            [QgsProcessing.SourceType.TypeVectorPoint, QgsProcessing.SourceType.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterString(self.BAND, tr("Band or index (default: the first band)"), optional=True))
        self.addParameter(QgsProcessingParameterField(self.ID_FIELD, tr("Feature id field"), parentLayerParameterName=self.POINTS, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_HTML, tr("Profile page (HTML)"), fileFilter=tr("HTML files (*.html)")))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_CHART, tr("Chart (PNG)"), fileFilter="PNG (*.png)"))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT_CSV, tr("Values (CSV)"), fileFilter="CSV (*.csv)"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        import odc.geo.xr  # noqa: F401  (the .odc accessor gives the cube's CRS)

        from ..engine.cube_io import open_cube
        from ..engine.profile import cube_series, write_profile

        paths = cube_paths(parameters.get(self.INPUT), context)
        if not paths:
            raise QgsProcessingException(tr("INPUT has no cube: give one or more cube files or cube band layers."))
        source = self.parameterAsSource(parameters, self.POINTS, context)
        if source is None:
            raise QgsProcessingException(tr("POINTS is not a vector layer."))
        id_field = self.parameterAsString(parameters, self.ID_FIELD, context)
        band = self.parameterAsString(parameters, self.BAND, context).strip() or None
        html_path = self.parameterAsFileOutput(parameters, self.OUTPUT_HTML, context)
        chart_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CHART, context)
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        for path, extensions, key in ((html_path, (".html", ".htm"), self.OUTPUT_HTML), (chart_path, (".png",), self.OUTPUT_CHART),
                                      (csv_path, (".csv",), self.OUTPUT_CSV)):
            if not path.lower().endswith(extensions):
                raise QgsProcessingException(tr("{key} must end in {extension}, not '{path}'.").format(
                    key=key, extension=extensions[0], path=path))
        progress = engine_progress(feedback)
        cubes = [run_engine(open_cube, path) for path in paths]
        series = []
        features = None
        for number, (path, cube) in enumerate(zip(paths, cubes)):
            feedback.pushInfo(tr("Reading {cube} ({n}/{total})…").format(cube=path, n=number + 1, total=len(paths)))
            crs = QgsCoordinateReferenceSystem(cube.odc.crs.to_wkt()) if cube.odc.crs is not None else source.sourceCrs()
            cube_features = self._features(source, id_field, crs, context, feedback)
            if features is None:
                features = cube_features
            part = progress.scaled(100.0 * number / len(paths), 100.0 * (number + 1) / len(paths))
            series.append(run_engine(cube_series, cube, band, cube_features, path, part))
        written = run_engine(write_profile, series, features, chart_path, html_path, csv_path, progress)
        return {self.OUTPUT_HTML: written["html"], self.OUTPUT_CHART: written["chart"], self.OUTPUT_CSV: written["csv"]}

    def _features(self, source, id_field, crs, context, feedback):
        """engine Features in the cube's CRS: (x, y) for points, shapely geometries for polygons."""
        import shapely.wkb

        from ..engine.profile import Feature

        transform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
        features, skipped = [], 0
        for feature in source.getFeatures():
            if feedback.isCanceled():
                raise QgsProcessingException(tr("Canceled: nothing was written."))
            geometry = feature.geometry()
            if geometry.isNull() or geometry.isEmpty() or (geometry.type() == QgsWkbTypes.GeometryType.PolygonGeometry and not geometry.isGeosValid()):
                skipped += 1
                continue
            geometry.transform(transform)
            fid = feature[id_field] if id_field else feature.id()
            if geometry.type() == QgsWkbTypes.GeometryType.PointGeometry:
                point = geometry.centroid().asPoint()
                features.append(Feature(fid, (point.x(), point.y())))
            else:
                features.append(Feature(fid, shapely.wkb.loads(bytes(geometry.asWkb()))))
        if skipped:
            feedback.pushWarning(tr("{n} feature(s) with an empty or invalid geometry were skipped.").format(n=skipped))
        if not features:
            raise QgsProcessingException(tr("POINTS has no feature with a valid geometry."))
        return features
