"""Recipe outputs (.sitscube) through the algorithms: instant steps, one computation at the end, same values."""

import os
import time

import numpy as np
import pytest
from qgis.core import QgsProcessingException

from sitscube.engine import sample_catalog as sc
from sitscube.engine.cube_io import history, open_cube

from qgis_helpers import run_algorithm as _run  # noqa: E402
from test_qgis_process import qgis_process  # noqa: E402

AOI = "300000,301920,4808320,4810240 [EPSG:32631]"


@pytest.fixture(scope="module")
def items(sitscube_provider, stac_api, area_lonlat, tmp_path_factory):
    folder = tmp_path_factory.mktemp("recipes")
    west, south, east, north = area_lonlat
    return _run("sitscube:stacsearch", {
        "CATALOG_URL": stac_api.url, "COLLECTION": sc.PC_COLLECTION, "AOI": f"{west},{east},{south},{north} [EPSG:4326]",
        "START_DATE": "2021-01-01", "END_DATE": "2023-12-31", "OUTPUT": str(folder / "items.geojson")})["OUTPUT"]


def _steps(items, folder, ext, feedback=None):
    """load -> harmonize -> cloud mask -> gap-fill -> NDVI, every cube output with extension ext; seconds per step."""
    seconds, outputs = {}, {}
    source = items
    for step, parameters in [
        ("loadcube", {"ITEMS": items, "AOI": AOI, "RESOLUTION": 20, "BANDS": "red,nir,scl"}),
        ("harmonize", {}), ("cloudmask", {"DILATION": 1}), ("gapfill", {"METHOD": "linear"}),
        ("spectralindex", {"INDEX": "NDVI"}),
    ]:
        output = str(folder / f"{step}{ext}")
        if step != "loadcube":
            parameters = {"INPUT": source, **parameters}
        started = time.perf_counter()
        _run(f"sitscube:{step}", {**parameters, "OUTPUT": output}, feedback)
        seconds[step] = time.perf_counter() - started
        outputs[step] = source = output
    return outputs, seconds


def test_a_chain_of_recipes_gives_the_written_chain_values(items, tmp_path, feedback):
    written, _ = _steps(items, tmp_path, ".nc")
    lazy, seconds = _steps(items, tmp_path, ".sitscube", feedback)
    for step in ("harmonize", "cloudmask", "gapfill", "spectralindex"):
        assert os.path.getsize(lazy[step]) < 50_000 and seconds[step] < 2.0, (step, seconds[step])
    assert any("Recipe written" in message for message in feedback.infos)
    a, b = open_cube(written["spectralindex"]), open_cube(lazy["spectralindex"])
    assert [r["step"] for r in history(b)] == [r["step"] for r in history(a)]
    for name in a.data_vars:
        assert a[name].dtype == b[name].dtype
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
    # a materializing step reads the recipe: composite of the lazy chain == composite of the written one
    tifs = {}
    for kind, cube in (("written", written["gapfill"]), ("lazy", lazy["gapfill"])):
        tifs[kind] = _run("sitscube:composite", {"INPUT": cube, "METHOD": "median", "OUTPUT": str(tmp_path / f"{kind}.tif")})["OUTPUT"]
    import rasterio

    with rasterio.open(tifs["written"]) as one, rasterio.open(tifs["lazy"]) as two:
        np.testing.assert_array_equal(one.read(), two.read())
    # and a .nc output from a recipe input computes the chain once, to the same values
    materialized = _run("sitscube:spectralindex", {"INPUT": lazy["gapfill"], "INDEX": "NDVI", "OUTPUT": str(tmp_path / "m.nc")})["OUTPUT"]
    np.testing.assert_array_equal(open_cube(materialized)["NDVI"].values, a["NDVI"].values)


def test_a_recipe_whose_source_changed_is_a_clear_error(items, tmp_path):
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": AOI, "RESOLUTION": 40, "BANDS": "red,scl", "OUTPUT": str(tmp_path / "c.nc")})["OUTPUT"]
    recipe = _run("sitscube:harmonize", {"INPUT": cube, "OUTPUT": str(tmp_path / "h.sitscube")})["OUTPUT"]
    os.utime(cube, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    with pytest.raises(QgsProcessingException, match="has changed since the recipe was written"):
        _run("sitscube:composite", {"INPUT": recipe, "OUTPUT": str(tmp_path / "x.tif")})
    assert not os.path.exists(tmp_path / "x.tif")
    os.remove(cube)
    with pytest.raises(QgsProcessingException, match="no longer exists"):
        _run("sitscube:cloudmask", {"INPUT": recipe, "OUTPUT": str(tmp_path / "m.sitscube")})
    assert not os.path.exists(tmp_path / "m.sitscube")


def test_recipes_through_qgis_process(items, tmp_path):
    """Batch users choose by extension."""
    cube = str(tmp_path / "cube.sitscube")
    done = qgis_process("run", "sitscube:loadcube", "--", f"ITEMS={items}", f"AOI={AOI}", "RESOLUTION=40",
                        "BANDS=red,nir,scl", f"OUTPUT={cube}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    masked = str(tmp_path / "masked.sitscube")
    done = qgis_process("run", "sitscube:cloudmask", "--", f"INPUT={cube}", f"OUTPUT={masked}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    tif = str(tmp_path / "median.tif")
    done = qgis_process("run", "sitscube:composite", "--", f"INPUT={masked}", "METHOD=median", f"OUTPUT={tif}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lazy = open_cube(masked)
    assert [r["step"] for r in history(lazy)] == ["loadcube", "cloudmask"]
    import rasterio

    with rasterio.open(tif) as src:
        assert src.count == 2 and src.width == 48  # red and nir, 1920 m at 40 m


def test_a_materializing_step_refuses_a_recipe_output(items, tmp_path):
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": AOI, "RESOLUTION": 40, "BANDS": "red,scl", "OUTPUT": str(tmp_path / "c.nc")})["OUTPUT"]
    with pytest.raises(QgsProcessingException, match=r"must end in \.tif"):
        _run("sitscube:composite", {"INPUT": cube, "OUTPUT": str(tmp_path / "x.sitscube")})
    assert not os.path.exists(tmp_path / "x.sitscube")


def _chain_model():
    """A model as a user draws it: a cube file -> harmonize -> cloud mask -> gap-fill -> median composite."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource as Source,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterFile,
    )

    model = QgsProcessingModelAlgorithm("chain", "tests")
    model.addModelParameter(QgsProcessingParameterFile("cube", "Cube"), QgsProcessingModelParameter("cube"))
    previous = Source.fromModelParameter("cube")
    for step in ("harmonize", "cloudmask", "gapfill", "composite"):
        child = QgsProcessingModelChildAlgorithm(f"sitscube:{step}")
        child.setChildId(step)
        child.addParameterSources("INPUT", [previous])
        if step == "composite":
            output = QgsProcessingModelOutput("median", "median")
            output.setChildOutputName("OUTPUT")
            child.setModelOutputs({"median": output})
        model.addChildAlgorithm(child)
        previous = Source.fromChildOutput(step, "OUTPUT")
    return model


def test_a_models_temporary_cubes_are_recipes(items, tmp_path, feedback):
    """Inside a model, the replayable steps' temporary cubes are recipes: the composite runs the chain once."""
    import processing
    import rasterio

    from qgis_helpers import new_context

    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": AOI, "RESOLUTION": 40, "BANDS": "red,nir,scl",
                                      "OUTPUT": str(tmp_path / "cube.nc")})["OUTPUT"]
    model_tif = str(tmp_path / "model.tif")
    processing.run(_chain_model(), {"cube": cube, "median": model_tif}, context=new_context(), feedback=feedback)
    recipes = [m for m in feedback.infos if m.startswith("Recipe written to")]
    assert len(recipes) == 3 and all(".sitscube:" in m for m in recipes), feedback.infos
    # the same steps run one by one with .nc outputs give the same composite
    source = cube
    for step in ("harmonize", "cloudmask", "gapfill"):
        source = _run(f"sitscube:{step}", {"INPUT": source, "OUTPUT": str(tmp_path / f"{step}.nc")})["OUTPUT"]
    written_tif = _run("sitscube:composite", {"INPUT": source, "OUTPUT": str(tmp_path / "written.tif")})["OUTPUT"]
    with rasterio.open(model_tif) as one, rasterio.open(written_tif) as two:
        assert one.count == 2
        np.testing.assert_array_equal(one.read(), two.read())


def test_a_temporary_output_outside_a_model_stays_netcdf(items, tmp_path):
    """From the toolbox (or qgis_process) a temporary cube is written, so it can be loaded into the map."""
    cube = _run("sitscube:loadcube", {"ITEMS": items, "AOI": AOI, "RESOLUTION": 40, "BANDS": "red,scl",
                                      "OUTPUT": str(tmp_path / "cube.nc")})["OUTPUT"]
    harmonized = _run("sitscube:harmonize", {"INPUT": cube, "OUTPUT": "TEMPORARY_OUTPUT"})["OUTPUT"]
    assert harmonized.endswith(".nc") and os.path.getsize(harmonized) > 10_000
