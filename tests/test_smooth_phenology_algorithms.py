"""sitscube:smooth and sitscube:phenology through processing.run, on small cubes with known curves."""

import os
import time

import numpy as np
import pytest
import xarray as xr
from qgis.core import QgsProcessingException, QgsProject, QgsSingleBandPseudoColorRenderer

import processing  # noqa: E402  (QGIS's own plugin; pytest.ini puts it on the path)
from qgis_helpers import new_context, run_algorithm as _run  # noqa: E402
from recording_feedback import RecordingFeedback

X0, Y0, STEP = 300000.0, 4810000.0, 10.0


def write_cube_file(path, bands, times):
    """A (time, y, x) cube file in EPSG:32631, 10 m pixels, nodata 0 for integer bands, NaN for floats."""
    import odc.geo.xr  # noqa: F401

    from sitscube.engine.cube_io import add_history, write_cube

    _, ny, nx = next(iter(bands.values())).shape
    ds = xr.Dataset({name: (("time", "y", "x"), array) for name, array in bands.items()},
                    coords={"time": np.asarray(times, dtype="datetime64[ns]"),
                            "y": Y0 - STEP / 2 - STEP * np.arange(ny), "x": X0 + STEP / 2 + STEP * np.arange(nx)})
    ds = ds.odc.assign_crs("EPSG:32631")
    for name in bands:
        if ds[name].dtype.kind in "iu":
            ds[name].attrs.update(nodata=0, reflectance_scale=0.0001)
    ds = add_history(ds, "loadcube", {})
    return write_cube(ds.chunk({"time": 1, "y": 512, "x": 512}), str(path))


def double_logistic(doy, t1, t2, base=0.2, amplitude=0.6):
    return base + amplitude * (1 / (1 + np.exp(-(doy - t1) / 7.0)) - 1 / (1 + np.exp(-(doy - t2) / 9.0)))


def day_of_year(times):
    days = np.asarray(times).astype("datetime64[D]")
    return (days - days.astype("datetime64[Y]")).astype(int) + 1


@pytest.fixture(scope="module")
def cubes(sitscube_provider, tmp_path_factory):
    folder = tmp_path_factory.mktemp("smooth-phenology")
    rng = np.random.default_rng(15)
    # two whole years every 5 days (+0-2), SOS known per column, a flat column, clouds
    times = np.arange("2021-01-02", "2022-12-31", 5, dtype="datetime64[D]") + rng.integers(0, 3, 146).astype("timedelta64[D]")
    doy = day_of_year(times)
    ny, nx = 6, 8
    t1 = np.linspace(100, 150, nx)[None, :] * np.ones((ny, 1))
    t1[:, 0] = np.nan
    ndvi = double_logistic(doy[:, None, None], t1, 260.0) + rng.normal(0, 0.005, (len(times), ny, nx))
    ndvi[:, :, 0] = 0.25  # flat: no season
    clouds = rng.random(ndvi.shape) < 0.2
    ndvi[clouds] = np.nan
    red = np.where(clouds, 0, 800).astype(np.uint16)
    nir = np.where(clouds, 0, np.rint(800 * (1 + ndvi) / (1 - ndvi))).astype(np.uint16)
    scl = np.where(clouds, 9, 4).astype(np.uint8)
    seasons = write_cube_file(folder / "seasons.nc", {"B04": red, "B08": nir, "SCL": scl,
                                                       "NDVI": ndvi.astype(np.float32)}, times)
    no_ndvi = write_cube_file(folder / "red_nir.nc", {"B04": red, "B08": nir, "SCL": scl}, times)
    # a larger cube for cancel: 30 dates of 2022 × 512²
    big_times = np.arange("2022-01-05", "2022-12-31", 12, dtype="datetime64[D]")
    big = (0.2 + 0.5 * rng.random((len(big_times), 512, 512))).astype(np.float32)
    big_cube = write_cube_file(folder / "big.nc", {"NDVI": big}, big_times)
    return {"folder": folder, "seasons": seasons, "no_ndvi": no_ndvi, "big": big_cube, "t1": t1, "times": times,
            "ndvi": ndvi, "red": red}


def test_smooth_writes_a_cube_of_the_same_types_and_loads_it(cubes, tmp_path, feedback):
    from sitscube.engine import smooth as sm
    from sitscube.engine.cube_io import history, open_cube

    output = str(tmp_path / "smoothed.nc")
    context = new_context()
    result = _run("sitscube:smooth", {"INPUT": cubes["seasons"], "METHOD": "savitzky-golay", "WINDOW": 5, "ORDER": 2,
                                      "OUTPUT": output}, feedback, context)
    assert result["OUTPUT"] == output
    smoothed = open_cube(output)
    assert smoothed["B04"].dtype == np.uint16 and smoothed["SCL"].dtype == np.uint8
    assert smoothed["NDVI"].dtype == np.float32
    # exactly the engine's result on the same values (the stored float32 NDVI)
    source = cubes["ndvi"].astype(np.float32)
    days = (cubes["times"] - cubes["times"][0]).astype(float)
    expected = sm.smooth_block(source, days, np.nan, "savitzky-golay", 5, 2)
    np.testing.assert_array_equal(smoothed["NDVI"].values, expected)
    assert not np.isnan(smoothed["NDVI"].values).any()  # FILL: clouds filled from the curve
    np.testing.assert_array_equal(smoothed["SCL"].values, open_cube(cubes["seasons"])["SCL"].values)
    assert (smoothed["B04"].values > 0).all()  # red 800 where clear: masked dates filled, never nodata
    assert history(smoothed)[-1]["parameters"] == {"method": "savitzky-golay", "fill": True,
                                                   "bands": ["B04", "B08", "NDVI"], "window": 5, "order": 2}
    assert "Smoothing 3 band(s)" in feedback.log
    loaded = {os.path.basename(uri) for uri in context.layersToLoadOnCompletion()}
    assert {"B04.vrt", "NDVI.vrt", "SCL.vrt"} <= loaded


def test_smooth_whittaker_without_fill_keeps_masked_dates_nodata(cubes, tmp_path, feedback):
    from sitscube.engine.cube_io import open_cube

    output = str(tmp_path / "whittaker.nc")
    _run("sitscube:smooth", {"INPUT": cubes["seasons"], "METHOD": "whittaker", "LAMBDA": 1000, "BANDS": "NDVI",
                             "FILL": False, "OUTPUT": output}, feedback)
    smoothed = open_cube(output)
    values = smoothed["NDVI"].values
    np.testing.assert_array_equal(np.isnan(values), np.isnan(cubes["ndvi"]))
    np.testing.assert_array_equal(smoothed["B04"].values, cubes["red"])  # not asked for: unchanged
    seasonal = values[:, :, 1:]
    truth = double_logistic(day_of_year(cubes["times"])[:, None, None], cubes["t1"][None, :, 1:], 260.0)
    clear = ~np.isnan(seasonal)
    assert np.abs(seasonal - truth)[clear].mean() < 0.01


def test_smooth_bad_window_is_refused_and_writes_nothing(cubes, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(QgsProcessingException, match=r"WINDOW must be an odd number of dates"):
        _run("sitscube:smooth", {"INPUT": cubes["seasons"], "WINDOW": 6, "OUTPUT": str(out_dir / "s.nc")})
    with pytest.raises(QgsProcessingException, match=r"ORDER \(4\) must be smaller than WINDOW \(3\)"):
        _run("sitscube:smooth", {"INPUT": cubes["seasons"], "WINDOW": 3, "ORDER": 4, "OUTPUT": str(out_dir / "s.nc")})
    assert os.listdir(out_dir) == []


def test_phenology_two_years_named_bands_known_starts_nodata_and_style(cubes, tmp_path, feedback):
    import rasterio

    output = str(tmp_path / "phenology.tif")
    result = processing.runAndLoadResults("sitscube:phenology", {"INPUT": cubes["seasons"], "BAND": "NDVI",
                                                                  "OUTPUT": output}, feedback=feedback)
    with rasterio.open(result["OUTPUT"]) as src:
        names = src.descriptions
        assert names == tuple(f"{year}_{metric}" for year in (2021, 2022) for metric in (
            "sos_doy", "pos_doy", "eos_doy", "peak_value", "amplitude", "season_length_days", "greenup_doy"))
        assert src.dtypes[0] == "float32" and src.crs.to_epsg() == 32631 and (src.width, src.height) == (8, 6)
        bands = {name: src.read(index + 1) for index, name in enumerate(names)}
    for year in (2021, 2022):
        sos, eos = bands[f"{year}_sos_doy"], bands[f"{year}_eos_doy"]
        assert np.isnan(sos[:, 0]).all() and np.isnan(bands[f"{year}_amplitude"][:, 0]).all()  # flat: no season
        assert np.abs(sos[:, 1:] - cubes["t1"][:, 1:]).max() < 3.0
        assert np.abs(eos[:, 1:] - 260).max() < 3.0
        np.testing.assert_allclose(bands[f"{year}_season_length_days"][:, 1:], (eos - sos)[:, 1:], atol=1e-3)
    loaded = [layer for layer in QgsProject.instance().mapLayers().values() if layer.source() == output]
    assert len(loaded) == 1
    renderer = loaded[0].renderer()
    assert isinstance(renderer, QgsSingleBandPseudoColorRenderer) and renderer.band() == 1
    assert 95 <= renderer.classificationMin() < renderer.classificationMax() <= 155
    QgsProject.instance().removeMapLayer(loaded[0].id())


def test_phenology_computes_ndvi_from_red_and_nir_for_one_year(cubes, tmp_path, feedback):
    import rasterio

    output = str(tmp_path / "p2022.tif")
    _run("sitscube:phenology", {"INPUT": cubes["no_ndvi"], "YEARS": "2022", "SMOOTH": "whittaker", "LAMBDA": 500,
                                "OUTPUT": output}, feedback)
    assert "computing it from its bands" in feedback.log
    with rasterio.open(output) as src:
        assert src.descriptions[:3] == ("sos_doy", "pos_doy", "eos_doy") and src.count == 7
        sos = src.read(1)
    assert np.abs(sos[:, 1:] - cubes["t1"][:, 1:]).max() < 3.0


def test_phenology_bad_inputs_are_refused_and_write_nothing(cubes, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for parameters, message in (
        ({"BAND": "EVI"}, r"EVI needs .*lacks blue"),
        ({"METHOD": "threshold"}, r"needs a THRESHOLD"),
        ({"YEARS": "2030"}, r"no date in 2030"),
        ({"OUTPUT": str(out_dir / "p.nc")}, r"must end in \.tif"),
    ):
        with pytest.raises(QgsProcessingException, match=message):
            _run("sitscube:phenology", {"INPUT": cubes["no_ndvi"], "OUTPUT": str(out_dir / "p.tif"), **parameters})
    assert os.listdir(out_dir) == []


@pytest.mark.parametrize("algorithm, output", [("sitscube:smooth", "s.nc"), ("sitscube:phenology", "p.tif")])
def test_cancel_stops_promptly_and_leaves_nothing(cubes, tmp_path, algorithm, output):
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    class Timed(RecordingFeedback):
        canceled_at = None

        def cancel(self):
            if self.canceled_at is None:
                self.canceled_at = time.monotonic()
            super().cancel()

    feedback = Timed(cancel_at_percent=1)
    with pytest.raises(QgsProcessingException, match="Cancel"):
        _run(algorithm, {"INPUT": cubes["big"], "METHOD": "whittaker" if "smooth" in algorithm else "amplitude",
                         "OUTPUT": str(out_dir / output)}, feedback)
    assert feedback.canceled_at is not None
    assert time.monotonic() - feedback.canceled_at < 5.0
    assert os.listdir(out_dir) == []
