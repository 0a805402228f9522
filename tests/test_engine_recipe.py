"""Recipes (.sitscube): lazy cube outputs replayed exactly, and refused when their source changed."""

import json
import os
import time

import numpy as np
import pytest

from sitscube.engine import recipe
from sitscube.engine.cloudmask import cloud_mask
from sitscube.engine.cube_io import history, open_cube, write_cube
from sitscube.engine.errors import UserError
from sitscube.engine.gapfill import gap_fill
from sitscube.engine.harmonize import harmonize

from test_engine_harmonize_mask import make_cube


@pytest.fixture
def source(tmp_path):
    rng = np.random.default_rng(3)
    t, n = 6, 48
    red = rng.integers(1001, 9000, size=(t, n, n)).astype(np.uint16)
    scl = np.full((t, n, n), 4, dtype=np.uint8)
    scl[1, :20, :20] = 9  # a cloud
    scl[3, 30:, 10:30] = 3  # a shadow
    dates = ["2021-12-01", "2022-01-10", "2022-02-01", "2022-03-05", "2022-04-01", "2022-05-20"]
    ds = make_cube({"B04": red, "SCL": scl}, dates, ["03.01", "03.01", "04.00", "04.00", "04.00", "04.00"],
                   chunks={"time": 1, "y": 16, "x": 16})
    ds = ds.assign_coords(y=4810240.0 - 10 * np.arange(n) - 5, x=300000.0 + 10 * np.arange(n) + 5)
    import odc.geo.xr  # noqa: F401

    ds = ds.odc.assign_crs("EPSG:32631")
    path = tmp_path / "cube.nc"
    write_cube(ds, str(path))
    return str(path)


def _chain(ds):
    ds, _ = harmonize(ds)
    ds, _ = cloud_mask(ds, "SCL", dilation=1)
    return gap_fill(ds, "linear")


def test_a_chain_of_recipes_equals_the_chain_run_at_once(source, tmp_path):
    h = recipe.write_step_recipe(harmonize(open_cube(source))[0], str(tmp_path / "h.sitscube"), source)
    m = recipe.write_step_recipe(cloud_mask(open_cube(h), "SCL", dilation=1)[0], str(tmp_path / "m.sitscube"), h)
    g = recipe.write_step_recipe(gap_fill(open_cube(m), "linear"), str(tmp_path / "g.sitscube"), m)
    assert os.path.getsize(g) < 20_000  # a small file, not a cube
    lazy, direct = open_cube(g), _chain(open_cube(source))
    assert [r["step"] for r in history(lazy)] == ["harmonize", "cloudmask", "gapfill"] == [r["step"] for r in history(direct)]
    for name in direct.data_vars:
        assert lazy[name].dtype == direct[name].dtype
        np.testing.assert_array_equal(lazy[name].values, direct[name].values)
    assert lazy["B04"].chunks is not None  # still lazy until computed
    # writing the recipe's cube computes the whole chain once, to the same values
    written = write_cube(lazy, str(tmp_path / "g.nc"))
    np.testing.assert_array_equal(open_cube(written)["B04"].values, direct["B04"].values)


def test_the_recipe_file_names_its_source_and_steps(source, tmp_path):
    path = recipe.write_step_recipe(harmonize(open_cube(source))[0], str(tmp_path / "h.sitscube"), source)
    document = json.loads(open(path).read())
    assert document["source"]["path"] == os.path.abspath(source)
    assert [s["step"] for s in document["steps"]] == ["harmonize"]
    from sitscube.engine.atomic import current_umask

    assert os.stat(path).st_mode & 0o777 == 0o666 & ~current_umask()  # readable as any new file


def test_a_changed_source_is_refused(source, tmp_path):
    path = recipe.write_step_recipe(harmonize(open_cube(source))[0], str(tmp_path / "h.sitscube"), source)
    time.sleep(0.01)
    os.utime(source)  # touched: could be other values
    with pytest.raises(UserError, match="has changed since the recipe was written"):
        open_cube(path)


def test_a_vanished_source_is_refused(source, tmp_path):
    path = recipe.write_step_recipe(harmonize(open_cube(source))[0], str(tmp_path / "h.sitscube"), source)
    os.remove(source)
    with pytest.raises(UserError, match="no longer exists"):
        open_cube(path)


def test_a_step_that_cannot_be_replayed_asks_for_a_cube(source, tmp_path):
    from sitscube.engine.cube_io import add_history

    ds = add_history(open_cube(source), "somethingnew", {"x": 1})
    with pytest.raises(UserError, match="somethingnew cannot be written as a recipe.*\\.nc or \\.zarr"):
        recipe.write_step_recipe(ds, str(tmp_path / "x.sitscube"), source)
    assert not os.path.exists(tmp_path / "x.sitscube")


def test_not_a_recipe_is_a_clear_error(tmp_path):
    path = tmp_path / "x.sitscube"
    path.write_text("hello")
    with pytest.raises(UserError, match="not a SITS Cube recipe"):
        open_cube(str(path))
