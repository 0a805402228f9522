"""sitscube:exporttimeseries — a cube as a long CSV (and netCDF), like sits' to_csv/to_nc."""

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
)

from ..plugin.i18n import tr
from .cube_parameters import cube_input_parameter, open_input_cube
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("xarray", "dask", "netCDF4", "odc.geo")


class ExportTimeSeriesAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    POINTS = "POINTS"
    ID_FIELD = "ID_FIELD"
    OUTPUT = "OUTPUT"
    OUTPUT_NETCDF = "OUTPUT_NETCDF"

    def name(self):
        return "exporttimeseries"

    def displayName(self):  # noqa: N802
        return tr("Export time series")

    def group(self):
        return tr("Cube processing")

    def groupId(self):  # noqa: N802
        return "cubeprocessing"

    def tags(self):
        return ["csv", "netcdf", tr("time series"), "sits", tr("export"), tr("samples")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Writes a cube's time series as a long CSV table with one row per pixel (or point), date and band: "
            "id, x, y, date, band, value (empty where nodata), as the sits package's to_csv does; and, "
            "optionally, the cube as a CF netCDF file (to_nc).\n\n"
            "POINTS (optional): a point layer in any CRS; each point takes the value of the pixel it falls in, "
            "and its id from ID_FIELD (default: the feature id). Without points, every pixel is written."
        )

    def createInstance(self):  # noqa: N802
        return ExportTimeSeriesAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(cube_input_parameter(self.INPUT, tr("Cube")))
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.POINTS, tr("Points (optional)"), [QgsProcessing.SourceType.TypeVectorPoint], optional=True)
        )
        self.addParameter(QgsProcessingParameterField(self.ID_FIELD, tr("Point id field"), parentLayerParameterName=self.POINTS, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(self.OUTPUT, tr("Time series (CSV)"), fileFilter="CSV (*.csv)"))
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT_NETCDF, tr("Cube as netCDF (optional)"), fileFilter="netCDF (*.nc)", optional=True, createByDefault=False)
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine.export import export_csv, export_netcdf

        _, cube = open_input_cube(self, parameters, self.INPUT, context)
        points = None
        source = self.parameterAsSource(parameters, self.POINTS, context)
        if source is not None:
            points = self._points(source, self.parameterAsString(parameters, self.ID_FIELD, context), cube, context, feedback)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        progress = engine_progress(feedback)
        run_engine(export_csv, cube, output, points, progress)
        results = {self.OUTPUT: output}
        netcdf = self.parameterAsFileOutput(parameters, self.OUTPUT_NETCDF, context)
        if netcdf:
            results[self.OUTPUT_NETCDF] = run_engine(export_netcdf, cube, netcdf, progress)
        return results

    def _points(self, source, id_field, cube, context, feedback):
        cube_crs = QgsCoordinateReferenceSystem(cube.odc.crs.to_wkt())
        transform = QgsCoordinateTransform(source.sourceCrs(), cube_crs, context.transformContext())
        points, skipped = [], 0
        for feature in source.getFeatures():
            geometry = feature.geometry()
            if geometry.isNull() or geometry.isEmpty():
                skipped += 1
                continue
            geometry.transform(transform)
            point = geometry.centroid().asPoint()
            points.append((feature[id_field] if id_field else feature.id(), point.x(), point.y()))
        if skipped:
            feedback.pushWarning(tr("{n} feature(s) without geometry were skipped.").format(n=skipped))
        if not points:
            raise QgsProcessingException(tr("POINTS has no feature with a geometry."))
        return points
