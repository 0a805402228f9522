"""Write the graphical models shipped in models/ (run inside QGIS's Python).

    QT_QPA_PLATFORM=offscreen PYTHONPATH=build/plugins:/usr/share/qgis/python/plugins \
        .venv/bin/python scripts/build_models.py

QGIS names a model's outputs after their descriptions (lower case): the
outputs are `composite` (cloudfreecomposite), `seasonal_composites`, `model`, `report`, `land_cover` and `zones` (landcovermap).
The .model3 files are committed; this script is how they were made and how
to remake them after a parameter changes. They open in the graphical modeler.
"""

from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsProcessing,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource as Source,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QPointF

MODELS = Path(__file__).resolve().parents[1] / "models"
EARTH_SEARCH = "https://earth-search.aws.element84.com/v1"


def add_input(model, parameter, position):
    component = QgsProcessingModelParameter(parameter.name())
    component.setPosition(QPointF(*position))
    model.addModelParameter(parameter, component)


def add_child(model, child_id, algorithm, description, sources, position, outputs=None):
    child = QgsProcessingModelChildAlgorithm(algorithm)
    child.setChildId(child_id)
    child.setDescription(description)
    child.setPosition(QPointF(*position))
    for name, source in sources.items():
        child.addParameterSources(name, [source])
    for name, (child_output, description_text) in (outputs or {}).items():
        output = QgsProcessingModelOutput(name, description_text)
        output.setChildOutputName(child_output)
        output.setChildId(child_id)
        output.setPosition(QPointF(position[0] + 200, position[1] + 40))
        child.setModelOutputs({**child.modelOutputs(), name: output})
    model.addChildAlgorithm(child)
    return child


def stac_inputs(model, bands="blue,green,red,nir,swir16,scl"):
    add_input(model, QgsProcessingParameterString("CATALOG_URL", "STAC API URL", defaultValue=EARTH_SEARCH), (120, 60))
    add_input(model, QgsProcessingParameterString("COLLECTION", "Collection", defaultValue="sentinel-2-l2a"), (120, 120))
    add_input(model, QgsProcessingParameterExtent("AOI", "Area of interest"), (120, 180))
    date = Qgis.ProcessingDateTimeParameterDataType.Date
    add_input(model, QgsProcessingParameterDateTime("START_DATE", "Start date", type=date), (120, 240))
    add_input(model, QgsProcessingParameterDateTime("END_DATE", "End date (included)", type=date), (120, 300))
    add_input(model, QgsProcessingParameterNumber("MAX_CLOUD", "Maximum cloud cover (%)", QgsProcessingParameterNumber.Type.Double, 60.0, minValue=0, maxValue=100), (120, 360))
    add_input(model, QgsProcessingParameterNumber("RESOLUTION", "Resolution (m)", QgsProcessingParameterNumber.Type.Double, 10.0, minValue=0), (120, 420))
    add_input(model, QgsProcessingParameterString("BANDS", "Bands", defaultValue=bands), (120, 480))


def chain_to_composite(model, period=None, composite_output=None):
    """search -> load -> harmonize -> mask -> gap-fill -> composite."""
    add_child(model, "search", "sitscube:stacsearch", "STAC search", {
        "CATALOG_URL": Source.fromModelParameter("CATALOG_URL"), "COLLECTION": Source.fromModelParameter("COLLECTION"),
        "AOI": Source.fromModelParameter("AOI"), "START_DATE": Source.fromModelParameter("START_DATE"),
        "END_DATE": Source.fromModelParameter("END_DATE"), "MAX_CLOUD": Source.fromModelParameter("MAX_CLOUD"),
    }, (420, 80))
    add_child(model, "load", "sitscube:loadcube", "Load cube", {
        "ITEMS": Source.fromChildOutput("search", "OUTPUT"), "AOI": Source.fromModelParameter("AOI"),
        "RESOLUTION": Source.fromModelParameter("RESOLUTION"), "BANDS": Source.fromModelParameter("BANDS"),
    }, (420, 180))
    add_child(model, "harmonize", "sitscube:harmonize", "Harmonize Sentinel-2 baselines",
              {"INPUT": Source.fromChildOutput("load", "OUTPUT")}, (420, 280))
    add_child(model, "mask", "sitscube:cloudmask", "Cloud mask (SCL)",
              {"INPUT": Source.fromChildOutput("harmonize", "OUTPUT")}, (420, 380))
    add_child(model, "gapfill", "sitscube:gapfill", "Gap-fill in time",
              {"INPUT": Source.fromChildOutput("mask", "OUTPUT")}, (420, 480))
    sources = {"INPUT": Source.fromChildOutput("gapfill", "OUTPUT"), "METHOD": Source.fromStaticValue("median")}
    if period:
        sources["PERIOD"] = Source.fromStaticValue(period)
    add_child(model, "composite", "sitscube:composite", "Temporal composite", sources, (420, 580), composite_output)


def cloud_free_composite():
    model = QgsProcessingModelAlgorithm("cloudfreecomposite", "Workflows", "sitscube")
    model.setHelpContent({"ALG_DESC": (
        "Searches a STAC catalog, loads a cube, removes the baseline 04.00 offset, masks clouds with SCL, "
        "fills the gaps in time and writes the median composite as a GeoTIFF."
    )})
    stac_inputs(model)
    chain_to_composite(model, composite_output={"COMPOSITE": ("OUTPUT", "Composite")})
    return model


def land_cover_map():
    model = QgsProcessingModelAlgorithm("landcovermap", "Workflows", "sitscube")
    model.setHelpContent({"ALG_DESC": (
        "Seasonal cloud-free composites from a STAC catalog, a random forest trained on your polygons "
        "(spatially blocked accuracy report), the land-cover map, and statistics of the map per zone."
    )})
    stac_inputs(model)
    add_input(model, QgsProcessingParameterFeatureSource("TRAINING", "Training polygons", [QgsProcessing.SourceType.TypeVectorPolygon]), (120, 560))
    add_input(model, QgsProcessingParameterField("CLASS_FIELD", "Class field", parentLayerParameterName="TRAINING"), (120, 620))
    add_input(model, QgsProcessingParameterFeatureSource("ZONES", "Zones for statistics", [QgsProcessing.SourceType.TypeVectorPolygon]), (120, 680))
    chain_to_composite(model, period="season", composite_output={"COMPOSITE": ("OUTPUT", "Seasonal composites")})
    add_child(model, "train", "sitscube:trainrandomforest", "Train random forest", {
        "INPUT": Source.fromChildOutput("composite", "OUTPUT"), "TRAINING": Source.fromModelParameter("TRAINING"),
        "CLASS_FIELD": Source.fromModelParameter("CLASS_FIELD"),
    }, (700, 580), {"MODEL": ("OUTPUT_MODEL", "Model"), "REPORT": ("OUTPUT_REPORT", "Report")})
    add_child(model, "classify", "sitscube:classify", "Classify", {
        "INPUT": Source.fromChildOutput("composite", "OUTPUT"), "MODEL": Source.fromChildOutput("train", "OUTPUT_MODEL"),
    }, (700, 700), {"CLASSES": ("OUTPUT", "Land cover")})
    add_child(model, "zonal", "sitscube:zonalstatistics", "Zonal statistics", {
        "INPUT": Source.fromChildOutput("classify", "OUTPUT"), "ZONES": Source.fromModelParameter("ZONES"),
        "STATISTICS": Source.fromStaticValue(["majority", "class_area"]),
    }, (700, 820), {"ZONAL": ("OUTPUT", "Zones")})
    return model


def phenology_map():
    model = QgsProcessingModelAlgorithm("phenologymap", "Workflows", "sitscube")
    model.setHelpContent({"ALG_DESC": (
        "Searches a STAC catalog, loads red, near infrared and SCL, removes the baseline 04.00 offset, masks "
        "clouds, shadows and snow, computes NDVI and maps the growing season of every pixel for each complete "
        "year: start, peak and end of season (day of year), peak value, amplitude, season length and green-up "
        "date, as one GeoTIFF. NDVI is smoothed first with the Whittaker smoother (lambda 1e4 days⁴, the same "
        "smoothness whatever the revisit), masked dates filled by the curve."
    )})
    stac_inputs(model, bands="red,nir,scl")
    add_input(model, QgsProcessingParameterString("YEARS", "Years (default: every complete year)", optional=True), (120, 560))
    add_child(model, "search", "sitscube:stacsearch", "STAC search", {
        "CATALOG_URL": Source.fromModelParameter("CATALOG_URL"), "COLLECTION": Source.fromModelParameter("COLLECTION"),
        "AOI": Source.fromModelParameter("AOI"), "START_DATE": Source.fromModelParameter("START_DATE"),
        "END_DATE": Source.fromModelParameter("END_DATE"), "MAX_CLOUD": Source.fromModelParameter("MAX_CLOUD"),
    }, (420, 80))
    add_child(model, "load", "sitscube:loadcube", "Load cube", {
        "ITEMS": Source.fromChildOutput("search", "OUTPUT"), "AOI": Source.fromModelParameter("AOI"),
        "RESOLUTION": Source.fromModelParameter("RESOLUTION"), "BANDS": Source.fromModelParameter("BANDS"),
    }, (420, 180))
    add_child(model, "harmonize", "sitscube:harmonize", "Harmonize Sentinel-2 baselines",
              {"INPUT": Source.fromChildOutput("load", "OUTPUT")}, (420, 280))
    # snow (SCL 11) masked too: a snowy date's negative NDVI would be taken for the winter base
    add_child(model, "mask", "sitscube:cloudmask", "Cloud and snow mask (SCL)", {
        "INPUT": Source.fromChildOutput("harmonize", "OUTPUT"), "MASK_VALUES": Source.fromStaticValue("0,1,3,8,9,10,11"),
    }, (420, 380))
    add_child(model, "ndvi", "sitscube:spectralindex", "Spectral index (NDVI)",
              {"INPUT": Source.fromChildOutput("mask", "OUTPUT"), "INDEX": Source.fromStaticValue("NDVI")}, (420, 480))
    add_child(model, "phenology", "sitscube:phenology", "Phenology", {
        "INPUT": Source.fromChildOutput("ndvi", "OUTPUT"), "BAND": Source.fromStaticValue("NDVI"),
        "YEARS": Source.fromModelParameter("YEARS"), "SMOOTH": Source.fromStaticValue("whittaker"),
    }, (420, 580), {"PHENOLOGY": ("OUTPUT", "Phenology")})
    return model


def main():
    application = QgsApplication([], False)
    application.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from sitscube.processing_provider.provider import SitsCubeProvider

    provider = SitsCubeProvider(load_models=False)  # keep a reference: the registry does not own Python objects
    QgsApplication.processingRegistry().addProvider(provider)
    MODELS.mkdir(exist_ok=True)
    for model in (cloud_free_composite(), land_cover_map(), phenology_map()):
        model.updateDestinationParameters()
        path = MODELS / f"{model.name()}.model3"
        assert model.toFile(str(path)), path
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
