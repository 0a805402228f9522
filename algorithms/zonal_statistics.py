"""sitscube:zonalstatistics — statistics of a raster or a cube per polygon (and per date)."""

import json

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtCore import QMetaType

from ..plugin.i18n import tr
from .cube_parameters import resolve_cube_path
from .support import can_execute, engine_progress, require, run_engine

REQUIRES = ("rasterio", "shapely", "xarray")
STATISTICS = ["count", "sum", "mean", "std", "min", "max", "median", "p10", "p25", "p75", "p90", "majority", "class_area"]
MAX_CUBE_FIELDS = 300  # beyond this, the per-date values go to the table only


def zones_in(source, crs, context, feedback):
    """[(feature id, shapely geometry in crs)], skipping features without a usable geometry."""
    import shapely.wkb

    transform = QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())
    zones, skipped = [], 0
    for feature in source.getFeatures():
        if feedback.isCanceled():  # thousands of zones take a while to read
            raise QgsProcessingException(tr("Canceled: nothing was written."))
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty() or not geometry.isGeosValid():
            skipped += 1
            continue
        geometry.transform(transform)
        zones.append((feature.id(), shapely.wkb.loads(bytes(geometry.asWkb()))))
    if skipped:
        feedback.pushWarning(tr("{n} zone(s) with an empty or invalid geometry were skipped (their statistics are empty).").format(n=skipped))
    return zones


class ZonalStatisticsAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    ZONES = "ZONES"
    STATISTICS = "STATISTICS"
    OUTPUT = "OUTPUT"
    OUTPUT_TABLE = "OUTPUT_TABLE"

    def name(self):
        return "zonalstatistics"

    def displayName(self):  # noqa: N802
        return tr("Zonal statistics")

    def group(self):
        return tr("Classification")

    def groupId(self):  # noqa: N802
        return "classification"

    def tags(self):
        return [tr("zonal"), tr("statistics"), tr("polygon"), tr("field"), tr("parcel"), tr("time series"), tr("area")]

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Statistics of a raster's pixels inside each polygon: count, sum, mean, std (population), min, max, "
            "median, percentiles, and for class maps the majority class and the area of each class (in the "
            "raster's projected CRS units, e.g. m²).\n\n"
            "A pixel belongs to a polygon when its centre is inside it, as QGIS's own zonal statistics does for "
            "polygons that contain pixel centres; nodata pixels are ignored. Zones may overlap and may be in any "
            "CRS.\n\n"
            "When INPUT is a band layer of a cube (as 'Load cube' puts in the map), the statistics are computed "
            "for every band and date of the cube: a long table (zone, date, band, statistics) is written to "
            "OUTPUT_TABLE, and the values are added to the zones as fields named band_date_statistic."
        )

    def createInstance(self):  # noqa: N802
        return ZonalStatisticsAlgorithm()

    def canExecute(self):  # noqa: N802
        return can_execute(REQUIRES)

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(self.INPUT, tr("Raster or cube band layer")))
        self.addParameter(QgsProcessingParameterFeatureSource(self.ZONES, tr("Zones"), [QgsProcessing.SourceType.TypeVectorPolygon]))
        self.addParameter(
            QgsProcessingParameterEnum(self.STATISTICS, tr("Statistics"), options=STATISTICS, allowMultiple=True,
                                       defaultValue=["count", "mean"], usesStaticStrings=True)
        )
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Zones with statistics"), QgsProcessing.SourceType.TypeVectorPolygon))
        self.addParameter(
            QgsProcessingParameterFileDestination(self.OUTPUT_TABLE, tr("Long table (CSV)"), fileFilter="CSV (*.csv)", optional=True, createByDefault=False)
        )

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        require(REQUIRES)
        from ..engine import zonal

        raster = self.parameterAsRasterLayer(parameters, self.INPUT, context)
        source = self.parameterAsSource(parameters, self.ZONES, context)
        statistics = self.parameterAsEnumStrings(parameters, self.STATISTICS, context) or ["count", "mean"]
        progress = engine_progress(feedback)
        cube_path = resolve_cube_path(raster.source())
        if cube_path != raster.source().rstrip("/\\") and cube_path.endswith((".nc", ".zarr")):
            values, rows = self._cube(cube_path, source, statistics, context, feedback, progress)
        else:
            zones = zones_in(source, raster.crs(), context, feedback)
            if not zones:
                raise QgsProcessingException(tr("ZONES has no polygon with a valid geometry."))
            result = run_engine(zonal.zonal_statistics, raster.source(), zones, statistics, progress=progress.scaled(0, 90))
            names = [raster.bandName(b) if raster.bandCount() > 1 else "" for b in range(1, raster.bandCount() + 1)]
            values = {fid: {self._field(names[band - 1], stat): value for band, stats in bands.items() for stat, value in stats.items()}
                      for fid, bands in result.items()}
            rows = [{"zone_id": fid, "band": band, **stats} for fid, bands in result.items() for band, stats in bands.items()]
        if feedback.isCanceled():  # the statistics may end between two cancel checks: write nothing
            raise QgsProcessingException(tr("Canceled: nothing was written."))
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        results = {}
        if table:
            results[self.OUTPUT_TABLE] = run_engine(zonal.write_table_csv, rows, table)
        results[self.OUTPUT] = self._write_zones(parameters, context, source, values)
        return results

    @staticmethod
    def _field(prefix, stat):
        prefix = prefix.split(":")[-1].strip().replace(" ", "_") if prefix else ""
        return f"{prefix}_{stat}" if prefix else stat

    def _cube(self, path, source, statistics, context, feedback, progress):
        import odc.geo.xr  # noqa: F401  (registers the .odc accessor)

        from ..engine import zonal
        from ..engine.cube_io import open_cube

        cube = run_engine(open_cube, path)
        zones = zones_in(source, QgsCoordinateReferenceSystem(cube.odc.crs.to_wkt()), context, feedback)
        if not zones:
            raise QgsProcessingException(tr("ZONES has no polygon with a valid geometry."))
        rows = run_engine(zonal.zonal_statistics_cube, cube, zones, statistics, progress=progress.scaled(0, 90))
        per_zone = {}
        for row in rows:
            for stat in statistics:
                name = f"{row['band']}_{row['date'].replace('-', '')}_{stat}"
                per_zone.setdefault(row["zone_id"], {})[name] = row.get(stat)
        field_count = len(next(iter(per_zone.values()), {}))
        if field_count > MAX_CUBE_FIELDS:
            feedback.pushWarning(tr("{n} date/band/statistic fields are too many for a layer: they are in the long table only.").format(n=field_count))
            per_zone = {}
        return per_zone, rows

    def _write_zones(self, parameters, context, source, values):
        fields = QgsFields(source.fields())
        names = []
        for zone_values in values.values():
            for name in zone_values:
                if name not in names:
                    names.append(name)
        for name in names:
            kind = QMetaType.Type.QString if name.endswith("class_area") else QMetaType.Type.Double  # QVariant types: deprecated in 3.38
            fields.append(QgsField(name, kind))
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields, source.wkbType(), source.sourceCrs())
        for feature in source.getFeatures():
            out = QgsFeature(fields)
            out.setGeometry(feature.geometry())
            zone_values = values.get(feature.id(), {})
            attributes = list(feature.attributes())
            for name in names:
                value = zone_values.get(name)
                attributes.append(json.dumps({str(k): v for k, v in value.items()}) if isinstance(value, dict) else value)
            out.setAttributes(attributes)
            sink.addFeature(out, QgsFeatureSink.Flag.FastInsert)
        return dest
