"""Every step on STAC items as six real catalogs publish them (issue 13).

tests/real_catalogs.py serves loopback copies of the Planetary Computer
(Sentinel-2 and Landsat), Earth Search v1 and v0, the Copernicus Data Space
Ecosystem and USGS LandsatLook: their real items (a few dated copies), real
raster files on a window of each asset's own grid, values from a known truth.
Each chain runs through processing.run: stacsearch (the catalog's preset) ->
loadcube (common band names) -> harmonize (Sentinel-2) -> cloudmask ->
composite, and its result is compared with the truth.

CDSE's files are behind a gate that wants a bearer token: its loads run in
a QGIS of their own with an APIHeader authentication configuration (as
tests/test_catalogs.py test_auth_config_headers does, so the shared test
profile never gets an authentication database with a master password).
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from qgis.core import QgsProcessingException

from real_catalogs import CDSE_TOKEN, SPECS
from sitscube.engine.cube_io import history, open_cube

from qgis_helpers import run_algorithm as _run  # noqa: E402

S2 = ["pc-s2", "es-v1", "es-v0", "cdse"]
LANDSAT = ["pc-landsat", "usgs-landsat"]
# truth band -> the cube's variable (asset key, or key without _NNm)
VARIABLES = {
    "pc-s2": {"red": "B04", "nir": "B08", "scl": "SCL"},
    "es-v1": {"red": "red", "nir": "nir", "scl": "scl"},
    "es-v0": {"red": "B04", "nir": "B08", "scl": "SCL"},
    "cdse": {"red": "B04", "nir": "B08", "scl": "SCL"},
    "pc-landsat": {"red": "red", "nir": "nir08", "qa_pixel": "qa_pixel"},
    "usgs-landsat": {"red": "red", "nir": "nir08", "qa_pixel": "qa_pixel"},
}
# dates whose +1000 offset harmonize must remove (every date is a copy of one item: all or none)
CORRECTED = {"pc-s2": 5, "es-v1": 0, "es-v0": 0, "cdse": 5}


def _res(name):
    return 10.0 if SPECS[name].family == "s2" else 30.0


def _bands(name):
    return "red,nir," + SPECS[name].mask_band


@pytest.fixture(autouse=True)
def _no_s3_credentials(monkeypatch, tmp_path_factory):
    """s3:// hrefs are read through their https alternate only without S3 credentials."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_NO_SIGN_REQUEST", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path_factory.getbasetemp() / "no-aws-credentials"))


# ---- QGIS of its own, with an authentication configuration -------------------------------

AUTH_SCRIPT = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

app = QgsApplication([], False)
app.initQgis()
manager = QgsApplication.authManager()
if manager.isDisabled() or not manager.setMasterPassword("test", True):
    print(json.dumps({"error": "QGIS authentication unavailable: " + (manager.disabledMessage() or "master password")}))
    sys.stdout.flush()
    os._exit(0)
args = json.loads(sys.argv[1])
config = QgsAuthMethodConfig()
config.setName("cdse")
config.setMethod("APIHeader")
name, _, value = args["header"].partition(":")
config.setConfig(name.strip(), value.strip())
stored = manager.storeAuthenticationConfig(config)
ok, config = stored if isinstance(stored, tuple) else (stored, config)
assert ok

from processing.core.Processing import Processing
Processing.initialize()
import processing
from sitscube.processing_provider.provider import SitsCubeProvider
provider = SitsCubeProvider()
QgsApplication.processingRegistry().addProvider(provider)

results = []
for algorithm, parameters in args["runs"]:
    parameters = {k: (config.id() if v == "@auth" else v) for k, v in parameters.items()}
    feedback = QgsProcessingFeedback()
    try:
        result = processing.run(algorithm, parameters, context=QgsProcessingContext(), feedback=feedback)
        results.append({"ok": result["OUTPUT"]})
    except QgsProcessingException as err:
        results.append({"error": str(err)})
print(json.dumps({"results": results}))
sys.stdout.flush()
os._exit(0)
"""


def run_with_auth(runs, tmp_path, header=f"Authorization: Bearer {CDSE_TOKEN}"):
    """Run [(algorithm, parameters)] in a QGIS whose profile has an APIHeader configuration
    (parameters valued '@auth' get its id); [{'ok': output} or {'error': message}]."""
    from conftest import ROOT

    profile = tmp_path / "auth-profile"
    profile.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items()}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_AUTH_DB_DIR_PATH=str(profile), QGIS_CUSTOM_CONFIG_PATH=str(profile / "qgis"),
               PYTHONPATH=os.pathsep.join([str(ROOT / "build" / "plugins"), "/usr/share/qgis/python/plugins",
                                           os.environ.get("PYTHONPATH", "")]))
    arguments = json.dumps({"header": header, "runs": runs})
    run = subprocess.run([sys.executable, "-c", AUTH_SCRIPT, arguments], env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout[-3000:] + run.stderr[-3000:]
    out = json.loads(lines[-1])
    assert "results" in out, out
    return out["results"]


# ---- the chains ---------------------------------------------------------------------------


def _search(catalog, folder, feedback=None):
    first, last = min(catalog.dates), max(catalog.dates)
    return _run("sitscube:stacsearch", {
        "CATALOG": catalog.spec.preset, "CATALOG_URL": catalog.url, "COLLECTION": catalog.collection,
        "AOI": catalog.window.lonlat_aoi(), "START_DATE": first.isoformat(), "END_DATE": last.isoformat(),
        "OUTPUT": str(folder / "items.geojson")}, feedback)["OUTPUT"]


def _load_parameters(name, catalog, items, output, **extra):
    return {"ITEMS": items, "AOI": catalog.window.aoi(), "BANDS": _bands(name), "RESOLUTION": _res(name),
            "OUTPUT": str(output), **extra}


class Chains:
    """Each catalog's chain, run step by step as far as a test needs (a failed step fails every test after it)."""

    STEPS = ("items", "cube", "harmonized", "masked", "composite")

    def __init__(self, real_catalogs, tmp_path_factory):
        self.real_catalogs = real_catalogs
        self.tmp_path_factory = tmp_path_factory
        self.state = {}

    def __call__(self, name, upto="composite"):
        out = self.state.get(name)
        if out is None:
            catalog = self.real_catalogs.get(name)
            out = self.state[name] = {"catalog": catalog, "folder": self.tmp_path_factory.mktemp(name), "name": name}
        for step in self.STEPS[: self.STEPS.index(upto) + 1]:
            if step in out:
                continue
            if f"{step}_error" in out:
                raise RuntimeError(f"{name}: the chain failed at {step}") from out[f"{step}_error"]
            try:
                getattr(self, f"_{step}")(out)
            except Exception as err:
                out[f"{step}_error"] = err
                raise
        return out

    def _items(self, out):
        out["items"] = _search(out["catalog"], out["folder"])

    def _cube(self, out):
        catalog, name, cube = out["catalog"], out["name"], out["folder"] / "cube.nc"
        if catalog.spec.gated:  # CDSE: with the bearer token of a QGIS authentication configuration
            [result] = run_with_auth([("sitscube:loadcube", _load_parameters(name, catalog, out["items"], cube, AUTH_CONFIG="@auth"))], out["folder"])
            assert "ok" in result, result
            out["cube"] = result["ok"]
        else:
            out["cube"] = _run("sitscube:loadcube", _load_parameters(name, catalog, out["items"], cube))["OUTPUT"]

    def _harmonized(self, out):
        from recording_feedback import RecordingFeedback

        if out["catalog"].spec.family != "s2":
            out["harmonized"] = None
            return
        feedback = RecordingFeedback()
        out["harmonized"] = _run("sitscube:harmonize", {"INPUT": out["cube"], "OUTPUT": str(out["folder"] / "harmonized.nc")}, feedback)["OUTPUT"]
        out["harmonize_log"] = feedback.log

    def _masked(self, out):
        parameters = {"INPUT": out["harmonized"] or out["cube"], "OUTPUT": str(out["folder"] / "masked.nc")}
        if out["catalog"].spec.family != "s2":
            parameters["MASK_BAND"] = "qa_pixel"
        out["masked"] = _run("sitscube:cloudmask", parameters)["OUTPUT"]

    def _composite(self, out):
        composite = str(out["folder"] / "median.tif")
        _run("sitscube:composite", {"INPUT": out["masked"], "METHOD": "median", "OUTPUT": composite})
        out["composite"] = composite


@pytest.fixture(scope="module")
def chains(sitscube_provider, real_catalogs, tmp_path_factory):
    return Chains(real_catalogs, tmp_path_factory)


@pytest.mark.parametrize("name", list(SPECS))
def test_search_finds_every_date(chains, name):
    chain = chains(name, "items")
    with open(chain["items"], encoding="utf-8") as stream:
        features = json.load(stream)["features"]
    catalog = chain["catalog"]
    assert sorted(f["id"] for f in features) == sorted(i["id"] for i in catalog.items)


@pytest.mark.parametrize("name", list(SPECS))
def test_loaded_cube_is_the_stored_values_on_the_items_grid(chains, name):
    chain = chains(name, "cube")
    catalog, truth, res = chain["catalog"], chain["catalog"].truth, _res(name)
    cube = open_cube(chain["cube"])
    names = VARIABLES[name]
    assert sorted(cube.data_vars) == sorted(names.values())
    assert cube.odc.crs.epsg == catalog.epsg  # the item's CRS
    assert cube.odc.geobox.affine[:6] == (res, 0.0, catalog.window.xmin, 0.0, -res, catalog.window.ymax)
    for band in ("red", "nir"):
        variable = cube[names[band]]
        assert variable.dtype == np.uint16 and int(variable.attrs["nodata"]) == 0, (band, variable.dtype, variable.attrs)
    mask = cube[names[catalog.spec.mask_band]]
    assert mask.dtype == (np.uint8 if catalog.spec.family == "s2" else np.uint16)
    assert [str(t)[:10] for t in cube.time.values] == [d.isoformat() for d in catalog.dates]
    for index, date in enumerate(catalog.dates):
        for band, variable in names.items():
            np.testing.assert_array_equal(cube[variable].isel(time=index).values, truth.stored(band, date, res),
                                          err_msg=f"{name} {band} {date}")


@pytest.mark.parametrize("name", S2)
def test_harmonize_removes_the_offset_where_the_catalog_kept_it(chains, name):
    chain = chains(name, "harmonized")
    catalog, truth = chain["catalog"], chain["catalog"].truth
    names = VARIABLES[name]
    loaded, harmonized = open_cube(chain["cube"]), open_cube(chain["harmonized"])
    assert f"on {CORRECTED[name]} of {len(catalog.dates)} date(s)" in chain["harmonize_log"]
    record = history(harmonized)[-1]
    assert record["step"] == "harmonize"
    assert len(record["parameters"]["dates_corrected"]) == CORRECTED[name]
    for index, date in enumerate(catalog.dates):
        for band in ("red", "nir"):
            values = harmonized[names[band]].isel(time=index)
            assert values.dtype == np.uint16
            np.testing.assert_array_equal(values.values, truth.dn(band, date, 10), err_msg=f"{band} {date}")
        np.testing.assert_array_equal(harmonized[names["scl"]].isel(time=index).values,
                                      loaded[names["scl"]].isel(time=index).values)  # SCL untouched


@pytest.mark.parametrize("name", list(SPECS))
def test_cloud_mask_blanks_exactly_the_flagged_pixels(chains, name):
    chain = chains(name, "masked")
    catalog, truth, res = chain["catalog"], chain["catalog"].truth, _res(name)
    cube = open_cube(chain["masked"])
    names = VARIABLES[name]
    for index, date in enumerate(catalog.dates):
        masked = truth.masked(date, res)
        for band in ("red", "nir"):
            expected = np.where(masked, 0, truth.dn(band, date, res))
            np.testing.assert_array_equal(cube[names[band]].isel(time=index).values, expected, err_msg=f"{band} {date}")
    assert [r["step"] for r in history(cube)][-1] == "cloudmask"


@pytest.mark.parametrize("name", list(SPECS))
def test_median_composite_equals_the_clear_sky_truth(chains, name):
    from osgeo import gdal, osr

    chain = chains(name)
    catalog, truth, res = chain["catalog"], chain["catalog"].truth, _res(name)
    dataset = gdal.Open(chain["composite"])
    descriptions = [dataset.GetRasterBand(i + 1).GetDescription() for i in range(dataset.RasterCount)]
    names = VARIABLES[name]
    assert names["red"] in descriptions and names["nir"] in descriptions
    assert names[catalog.spec.mask_band] not in descriptions
    srs = osr.SpatialReference(wkt=dataset.GetProjection())
    srs.AutoIdentifyEPSG()
    assert int(srs.GetAuthorityCode(None)) == catalog.epsg
    assert dataset.GetGeoTransform() == (catalog.window.xmin, res, 0.0, catalog.window.ymax, 0.0, -res)
    for band in ("red", "nir"):
        raster = dataset.GetRasterBand(descriptions.index(names[band]) + 1)
        assert raster.GetNoDataValue() == 0
        got = raster.ReadAsArray().astype(float)
        expected = truth.median(band, res)
        seen = ~np.isnan(expected)
        assert seen.all()  # the first date is clear everywhere
        # integer DN: an even number of clear dates gives a half-integer median, rounded
        assert np.abs(got[seen] - expected[seen]).max() <= 0.5, f"{name} {band}"


# ---- reflectance ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pc-s2", "es-v1", "cdse", "pc-landsat", "usgs-landsat"])
def test_reflectance_units_give_the_truth(chains, name, tmp_path):
    chain = chains(name, "items")
    catalog, truth, res = chain["catalog"], chain["catalog"].truth, _res(name)
    output = tmp_path / "reflectance.nc"
    parameters = _load_parameters(name, catalog, chain["items"], output, UNITS="reflectance")
    if catalog.spec.gated:
        [result] = run_with_auth([("sitscube:loadcube", dict(parameters, AUTH_CONFIG="@auth"))], tmp_path)
        assert "ok" in result, result
    else:
        _run("sitscube:loadcube", parameters)
    cube = open_cube(str(output))
    names = VARIABLES[name]
    for index, date in enumerate(catalog.dates):
        for band in ("red", "nir"):
            values = cube[names[band]].isel(time=index).values
            assert values.dtype == np.float32
            # the sensor's reflectance itself (clouds included), NaN where nothing was observed:
            # an offset applied twice (Earth Search v1) would be 0.1 off
            np.testing.assert_allclose(values, truth.observed(band, date, res), atol=1e-4, equal_nan=True, err_msg=f"{band} {date}")
        mask = cube[names[catalog.spec.mask_band]].isel(time=index).values
        np.testing.assert_array_equal(mask, truth.stored(catalog.spec.mask_band, date, res))  # classes stay classes


# ---- CDSE: assets by resolution, s3:// hrefs, bearer tokens --------------------------------


def test_cdse_resolution_chooses_the_asset(chains, tmp_path):
    chain = chains("cdse", "cube")
    catalog, truth = chain["catalog"], chain["catalog"].truth
    ten = open_cube(chain["cube"])
    assert ten["B04"].attrs["asset_key"] == "B04_10m" and ten["SCL"].attrs["asset_key"] == "SCL_20m"
    output = tmp_path / "cube20.nc"
    [result] = run_with_auth([("sitscube:loadcube", {"ITEMS": chain["items"], "AOI": catalog.window.aoi(), "BANDS": "red,scl",
                                                     "RESOLUTION": 20, "AUTH_CONFIG": "@auth", "OUTPUT": str(output)})], tmp_path)
    assert "ok" in result, result
    twenty = open_cube(str(output))
    assert sorted(twenty.data_vars) == ["B04", "SCL"]
    assert twenty["B04"].attrs["asset_key"] == "B04_20m"
    assert twenty.odc.geobox.affine[:6] == (20.0, 0.0, catalog.window.xmin, 0.0, -20.0, catalog.window.ymax)
    for index, date in enumerate(catalog.dates):
        np.testing.assert_array_equal(twenty["B04"].isel(time=index).values, truth.stored("red", date, 20))
        np.testing.assert_array_equal(twenty["SCL"].isel(time=index).values, truth.stored("scl", date, 20))


def test_cdse_items_keep_their_s3_hrefs(chains):
    chain = chains("cdse", "items")
    with open(chain["items"], encoding="utf-8") as stream:
        features = json.load(stream)["features"]
    for feature in features:
        asset = feature["assets"]["B04_10m"]
        assert asset["href"].startswith("s3://eodata/Sentinel-2/MSI/L2A/")
        assert asset["alternate"]["https"]["href"].startswith(chain["catalog"].gate.url)
        assert asset["alternate"]["https"]["href"].endswith(".jp2)/$value")


def test_cdse_without_auth_config_is_a_clear_error(chains, tmp_path, feedback):
    chain = chains("cdse", "items")
    out = tmp_path / "out"
    out.mkdir()
    before = chain["catalog"].gate.stats()["refused"]
    with pytest.raises(QgsProcessingException) as err:
        _run("sitscube:loadcube", _load_parameters("cdse", chain["catalog"], chain["items"], out / "cube.nc"), feedback)
    message = str(err.value)
    assert "AUTH_CONFIG" in message, message
    assert any(i["id"] in message for i in chain["catalog"].items), message
    assert any(key in message for key in ("B04_10m", "B08_10m", "SCL_20m")), message
    assert "401" in message, message
    assert CDSE_TOKEN not in message
    assert chain["catalog"].gate.stats()["refused"] > before  # it did go to the gate, without the header
    assert os.listdir(out) == []


def test_s3_asset_without_an_https_alternate_needs_credentials(chains, tmp_path, feedback):
    chain = chains("cdse", "items")
    with open(chain["items"], encoding="utf-8") as stream:
        collection = json.load(stream)
    for feature in collection["features"]:
        for asset in feature["assets"].values():
            asset.pop("alternate", None)
    items = tmp_path / "s3-only.geojson"
    items.write_text(json.dumps(collection))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException, match="AWS_ACCESS_KEY_ID") as err:
        _run("sitscube:loadcube", _load_parameters("cdse", chain["catalog"], str(items), out / "cube.nc"), feedback)
    assert "s3://eodata/" in str(err.value)
    assert os.listdir(out) == []


# ---- Landsat: bits ---------------------------------------------------------------------------


def test_landsat_mask_bits_choose_what_is_masked(chains, tmp_path):
    chain = chains("usgs-landsat", "masked")
    catalog, truth = chain["catalog"], chain["catalog"].truth
    output = str(tmp_path / "snow.nc")
    _run("sitscube:cloudmask", {"INPUT": chain["cube"], "MASK_BAND": "qa_pixel", "MASK_BITS": "cloud,shadow,snow", "OUTPUT": output})
    cube = open_cube(output)
    bits = ("cloud", "shadow", "snow")
    snowy = 0
    for index, date in enumerate(catalog.dates):
        masked = truth.masked(date, 30, bits=bits)
        snowy += int((truth.sky(date) == 6).sum())
        np.testing.assert_array_equal(cube["red"].isel(time=index).values, np.where(masked, 0, truth.dn("red", date, 30)))
        np.testing.assert_array_equal(cube["qa_pixel"].isel(time=index).values, truth.stored("qa_pixel", date, 30))
    assert snowy > 0
    # the default bits keep snow and blank dilated clouds and cirrus
    default = open_cube(chain["masked"])
    date = catalog.dates[3]
    snow = truth.sky(date) == 6
    assert (default["red"].isel(time=3).values[snow] > 0).all()
