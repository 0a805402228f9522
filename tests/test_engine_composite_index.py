"""Spectral indices, temporal composites, GeoTIFF writing and time-series export (engine only, no QGIS)."""

import datetime as dt
import json
import os
import warnings

import numpy as np
import pytest
import xarray as xr

from sitscube.engine import composite as comp
from sitscube.engine import export
from sitscube.engine.cloudmask import cloud_mask
from sitscube.engine.composite import composite, masked_median, masked_percentile, write_geotiff
from sitscube.engine.cube_io import history, open_cube
from sitscube.engine.errors import Canceled, UserError
from sitscube.engine.indices import add_index
from sitscube.engine.progress import Progress

X0, Y0, RES = 300000.0, 4810240.0, 20.0


def make_cube(bands, dates, res=RES, chunks=None, x0=X0, y0=Y0):
    """A (time, y, x) cube as Load cube makes it: nodata 0, CRS EPSG:32631 in spatial_ref."""
    from affine import Affine
    from odc.geo.geobox import GeoBox
    from odc.geo.xr import xr_coords

    first = next(iter(bands.values()))
    t, ny, nx = first.shape
    geobox = GeoBox((ny, nx), Affine(res, 0, x0, 0, -res, y0), "EPSG:32631")
    coords = dict(xr_coords(geobox))
    coords["time"] = np.array([np.datetime64(d) for d in dates], dtype="datetime64[ns]")
    coords["item_ids"] = ("time", [f"S2_{d}" for d in dates])
    ds = xr.Dataset({name: (("time", "y", "x"), array) for name, array in bands.items()}, coords=coords)
    for name in ds.data_vars:
        if ds[name].dtype.kind in "iu":
            ds[name].attrs["nodata"] = 0
    return ds.chunk(chunks) if chunks else ds


def as_nan(array, nodata=0):
    """Float copy with NaN for nodata: what np.nanmedian and friends expect."""
    return np.where(array == nodata, np.nan, array.astype(np.float64))


def nan_reduce(function, *args, **kwargs):
    with warnings.catch_warnings():  # "All-NaN slice encountered" is the point of some pixels
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args, **kwargs)


# ---- spectral indices ----------------------------------------------------------------------

# DN of one date, 2x2 pixels: (0,0) all valid; (0,1) red nodata; (1,0) blue nodata; (1,1) swir22 nodata.
DN = {"blue": [[500, 500], [0, 500]], "green": [[800, 800], [800, 800]], "red": [[1000, 0], [1000, 1000]],
      "nir": [[3000, 3000], [3000, 3000]], "swir16": [[2000, 2000], [2000, 2000]],
      "swir22": [[1000, 1000], [1000, 0]]}
PC_KEYS = {"blue": "B02", "green": "B03", "red": "B04", "nir": "B08", "swir16": "B11", "swir22": "B12"}
nan = np.nan
# by hand, reflectance b=.05 g=.08 r=.1 n=.3 s16=.2 s22=.1
EXPECTED = {
    "NDVI": [[0.2 / 0.4, nan], [0.5, 0.5]],
    "NDWI": [[-0.22 / 0.38, -0.22 / 0.38], [-0.22 / 0.38, -0.22 / 0.38]],
    "NDMI": [[0.1 / 0.5] * 2] * 2,
    "NBR": [[0.5, 0.5], [0.5, nan]],
    "EVI": [[2.5 * 0.2 / (0.3 + 0.6 - 0.375 + 1), nan], [nan, 2.5 * 0.2 / 1.525]],
    "SAVI": [[1.5 * 0.2 / 0.9, nan], [1.5 * 0.2 / 0.9] * 2],
}


def index_cube(convention, chunks=None):
    keys = PC_KEYS if convention == "pc" else {k: k for k in PC_KEYS}
    bands = {keys[c]: np.array([v], dtype=np.uint16) for c, v in DN.items()}
    ds = make_cube(bands, ["2022-06-01"], chunks=chunks)
    for name in ds.data_vars:
        ds[name].attrs["reflectance_scale"] = 0.0001
    return ds


@pytest.mark.parametrize("convention", ["pc", "es"])
@pytest.mark.parametrize("index", list(EXPECTED))
def test_index_values_by_hand(index, convention):
    out = add_index(index_cube(convention), index)
    value = out[index]
    assert value.dtype == np.float32 and value.dims == ("time", "y", "x")
    np.testing.assert_allclose(value.values[0], np.array(EXPECTED[index]), rtol=1e-6, equal_nan=True)
    assert np.isnan(value.attrs["nodata"])
    assert history(out)[-1]["step"] == "spectralindex"
    assert history(out)[-1]["parameters"]["index"] == index


def test_index_lazy_and_case_insensitive():
    lazy = add_index(index_cube("pc", chunks={"y": 1, "x": 1}), "ndvi")
    assert lazy["NDVI"].chunks is not None  # still a dask graph
    np.testing.assert_allclose(lazy["NDVI"].values[0], EXPECTED["NDVI"], rtol=1e-6, equal_nan=True)


def test_index_scale_matters_for_evi_not_ndvi():
    ds = index_cube("pc")
    ds["B02"].attrs.pop("reflectance_scale")  # absent -> 0.0001 by default: same result
    np.testing.assert_allclose(add_index(ds, "EVI")["EVI"].values[0, 0, 0], EXPECTED["EVI"][0][0], rtol=1e-6)
    floats = ds.astype(np.float32) * np.float32(0.0001)  # already reflectance, no scale attribute
    for name in floats.data_vars:
        floats[name].attrs = {}
    floats["B04"] = floats["B04"].where(ds["B04"] != 0)  # nodata as NaN in float cubes
    out = add_index(floats, "EVI")
    np.testing.assert_allclose(out["EVI"].values[0, 0, 0], EXPECTED["EVI"][0][0], rtol=1e-5)
    assert np.isnan(out["EVI"].values[0, 0, 1])


def test_index_zero_denominator_is_nan_not_inf():
    # signed DN with nodata -9999: red = -nir makes nir + red == 0 on the first pixel
    ds = make_cube({"B04": np.array([[[-5, 1]]], np.int16), "B08": np.array([[[5, 3]]], np.int16)}, ["2022-06-01"])
    for name in ds.data_vars:
        ds[name].attrs["nodata"] = -9999
    value = add_index(ds, "NDVI")["NDVI"].values
    assert np.isnan(value[0, 0, 0]) and value[0, 0, 1] == pytest.approx(0.5)


def test_index_missing_band_and_unknown_index():
    ds = index_cube("es").drop_vars(["swir22", "blue"])
    with pytest.raises(UserError) as info:
        add_index(ds, "NBR")
    message = str(info.value)
    assert "NBR" in message and "swir22" in message and "B12" in message and "nir" in message
    assert "green" in message and "red" in message  # what the cube has
    with pytest.raises(UserError, match="EVI.*blue"):
        add_index(ds, "EVI")
    with pytest.raises(UserError) as info:
        add_index(ds, "NDSI")
    for name in ("NDVI", "NDWI", "NDMI", "NBR", "EVI", "SAVI"):
        assert name in str(info.value)


def test_index_falls_back_on_narrow_nir_and_warns_on_offset():
    bands = {"B04": np.array([[[1000]]], np.uint16), "B8A": np.array([[[3000]]], np.uint16)}
    ds = make_cube(bands, ["2022-06-01"]).assign_coords(processing_baseline=("time", ["04.00"]))
    progress = Progress()
    out = add_index(ds, "NDVI", progress)
    assert out["NDVI"].values[0, 0, 0] == pytest.approx(0.5)
    assert any("Harmonize" in w for w in progress.warnings)


# ---- the median / percentile kernel -----------------------------------------------------------


def random_cube(t, ny=23, nx=19, seed=0, missing=0.35):
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 65536, size=(t, ny, nx), dtype=np.uint16)
    data[rng.random(data.shape) < missing] = 0
    data[:, 0, :3] = 0  # all-missing pixels
    data[:, 1, 0] = 65535  # valid values equal to the fill value
    data[: t // 2, 1, 1] = 0  # exactly half valid
    data[:, 2, 2] = [v if i % 3 else 0 for i, v in enumerate(data[:, 2, 2])]
    return data


@pytest.mark.parametrize("t", [1, 2, 9, 10, 40])
def test_median_kernel_equals_nanmedian(t):
    data = random_cube(t, seed=t)
    expected = nan_reduce(np.nanmedian, as_nan(data), axis=0)
    ours = masked_median(data, 0)
    np.testing.assert_array_equal(ours, expected)  # identical, NaN where nothing is valid
    assert np.isnan(ours[0, :3]).all()
    counts = (data != 0).sum(0)
    assert (counts % 2 == 0).any() and (counts == 0).any()


@pytest.mark.parametrize("q", [0, 2.5, 10, 25, 33.3, 50, 75, 90, 99, 100])
def test_percentile_kernel_equals_nanpercentile(q):
    data = random_cube(12, seed=3)
    expected = nan_reduce(np.nanpercentile, as_nan(data), q, axis=0)
    np.testing.assert_array_equal(masked_percentile(data, q, 0), expected)


def test_kernel_other_nodata_and_float_input(monkeypatch):
    data = random_cube(8, seed=5).astype(np.int16)  # wraps: negative values are valid data here
    data[data == 0] = -9999
    ours = masked_median(data, -9999)
    expected = nan_reduce(np.nanmedian, as_nan(data, -9999), axis=0)
    np.testing.assert_array_equal(ours, expected)
    floats = as_nan(random_cube(8, seed=6)).astype(np.float32)
    np.testing.assert_array_equal(masked_percentile(floats, 90, np.nan), nan_reduce(np.nanpercentile, floats.astype(np.float64), 90, axis=0))
    monkeypatch.setattr(comp, "STRIP_BYTES", 50)  # many strips of one row: same numbers
    np.testing.assert_array_equal(masked_median(data, -9999), expected)


# ---- composites -------------------------------------------------------------------------------

DATES = ["2021-12-20", "2022-01-10", "2022-02-25", "2022-03-05", "2022-05-30", "2022-06-01", "2022-08-31",
         "2022-09-01", "2022-11-30", "2022-12-01"]


def composite_cube(chunks=None):
    data = random_cube(len(DATES), ny=20, nx=24, seed=11)
    other = random_cube(len(DATES), ny=20, nx=24, seed=12)
    scl = np.full(data.shape, 4, np.uint8)
    return make_cube({"B04": data, "B08": other, "SCL": scl}, DATES, chunks=chunks), data, other


def test_median_composite_uint16_rounded_with_nodata():
    ds, data, _ = composite_cube()
    out = composite(ds)
    assert set(out.data_vars) == {"B04", "B08"}  # SCL excluded by default
    assert out["B04"].dims == ("y", "x") and out["B04"].dtype == np.uint16
    expected = nan_reduce(np.nanmedian, as_nan(data), axis=0)
    expected = np.where(np.isnan(expected), 0, np.rint(np.nan_to_num(expected))).astype(np.uint16)
    np.testing.assert_array_equal(out["B04"].values, expected)
    assert out["B04"].attrs["nodata"] == 0 and (out["B04"].values[0, :3] == 0).all()
    assert out.odc.crs.epsg == 32631
    assert history(out)[-1]["step"] == "composite" and history(out)[-1]["parameters"]["method"] == "median"


@pytest.mark.parametrize("method", ["mean", "min", "max", "p10", "p90"])
def test_other_methods(method):
    ds, data, _ = composite_cube()
    out = composite(ds, method=method, bands=["red"])  # common name -> B04
    assert list(out.data_vars) == ["B04"]
    floats = as_nan(data)
    if method == "mean":
        expected = nan_reduce(np.nanmean, floats, axis=0)
    elif method == "min":
        expected = nan_reduce(np.nanmin, floats, axis=0)
    elif method == "max":
        expected = nan_reduce(np.nanmax, floats, axis=0)
    else:
        expected = nan_reduce(np.nanpercentile, floats, float(method[1:]), axis=0)
    value = out["B04"].values
    if method in ("min", "max"):
        assert value.dtype == np.uint16
        np.testing.assert_array_equal(value, np.nan_to_num(expected, nan=0).astype(np.uint16))
    else:
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, expected.astype(np.float32))


def test_chunked_equals_unchunked():
    ds, _, _ = composite_cube()
    lazy, _, _ = composite_cube(chunks={"time": 1, "y": 7, "x": 5})
    for method in ("median", "p25", "mean", "max"):
        for period in (None, "season"):
            a = composite(ds, method=method, period=period)
            b = composite(lazy, method=method, period=period)
            assert b["B04"].chunks is not None  # lazy until computed
            xr.testing.assert_equal(a.compute(), b.compute())  # values, dims, coords (not the timestamped history)
            assert a["B04"].dtype == b["B04"].dtype and a["B04"].attrs["composite_method"] == b["B04"].attrs["composite_method"]


def test_categorical_band_only_when_asked_and_bad_method():
    ds, _, _ = composite_cube()
    assert "SCL" in composite(ds, method="max", bands=["scl", "B04"]).data_vars
    with pytest.raises(UserError, match="p90"):
        composite(ds, method="average")
    with pytest.raises(UserError, match="B04"):
        composite(ds, bands=["swir16"])


def test_date_window_inclusive_and_empty_window():
    ds, data, _ = composite_cube()
    out = composite(ds, start="2022-01-10", end=dt.date(2022, 3, 5))  # both ends included
    expected = nan_reduce(np.nanmedian, as_nan(data[1:4]), axis=0)
    np.testing.assert_array_equal(out["B04"].values, np.rint(np.nan_to_num(expected)).astype(np.uint16))
    with pytest.raises(UserError) as info:
        composite(ds, start="2023-01-01", end="2023-06-30")
    assert "2023-01-01" in str(info.value) and "2021-12-20" in str(info.value) and "2022-12-01" in str(info.value)
    with pytest.raises(UserError, match="after"):
        composite(ds, start="2022-06-01", end="2022-01-01")


def test_monthly_and_seasonal_periods():
    ds, data, _ = composite_cube()
    seasons = composite(ds, period="season")
    assert list(seasons["period"].values) == ["2022-DJF", "2022-MAM", "2022-JJA", "2022-SON", "2023-DJF"]
    assert list(seasons["n_dates"].values) == [3, 2, 2, 2, 1]
    assert seasons["B04"].dims == ("period", "y", "x")
    mam = nan_reduce(np.nanmedian, as_nan(data[3:5]), axis=0)  # 2022-03-05 and 2022-05-30
    np.testing.assert_array_equal(seasons["B04"].sel(period="2022-MAM").values, np.rint(np.nan_to_num(mam)).astype(np.uint16))
    assert seasons["first_date"].values[0] == "2021-12-20" and seasons["last_date"].values[0] == "2022-02-25"
    months = composite(ds, period="month", start="2022-05-01", end="2022-09-30")
    assert list(months["period"].values) == ["2022-05", "2022-06", "2022-08", "2022-09"]
    with pytest.raises(UserError, match="month or season"):
        composite(ds, period="week")


def test_truth_median_of_clear_dates(scene):
    """Cloudy pixels masked by SCL: the median composite is the median of the clear surface values."""
    from sitscube.engine.sample_catalog import SCL_KEY

    dates = [d for d in scene.dates if dt.date(2021, 6, 1) <= d <= dt.date(2021, 9, 30)]
    assert len(dates) >= 4
    rows, cols = slice(0, 96), slice(0, 128)  # a window of the 10 m global grid
    observed = np.stack([np.clip(scene.observed("B04", d), 1, 65535)[rows, cols] for d in dates]).astype(np.uint16)
    scl = np.stack([np.repeat(np.repeat(scene.scl(d), 2, 0), 2, 1)[rows, cols] for d in dates]).astype(np.uint8)
    truth = np.stack([scene.surface("B04", d)[rows, cols] for d in dates]).astype(np.float64)
    ds = make_cube({"B04": observed, SCL_KEY: scl}, [d.isoformat() for d in dates], res=10.0,
                   chunks={"time": 1, "y": 32, "x": 64})
    masked, _ = cloud_mask(ds, mask_values=(3, 8, 9, 10))
    out = composite(masked).compute()
    clear = ~np.isin(scl, (3, 8, 9, 10))
    assert 0.05 < 1 - clear.mean() < 0.9 and (clear.sum(0) % 2 == 0).any()  # clouds there, some even counts
    expected = nan_reduce(np.nanmedian, np.where(clear, truth, np.nan), axis=0)
    np.testing.assert_array_equal(out["B04"].values, np.where(np.isnan(expected), 0, np.rint(np.nan_to_num(expected))))
    unmasked = composite(ds).compute()["B04"].values  # without masking, clouds drag the median up
    assert (unmasked != out["B04"].values).any()


# ---- GeoTIFF ----------------------------------------------------------------------------------


def test_geotiff_read_back(tmp_path):
    import rasterio

    ds, data, other = composite_cube(chunks={"time": 1, "y": 8, "x": 16})
    ds["B04"].attrs["reflectance_scale"] = 0.0001
    ds["B08"].attrs["reflectance_scale"] = 0.0001
    out = composite(ds, period="season")
    path = write_geotiff(out, str(tmp_path / "composite.tif"))
    with rasterio.open(path) as src:
        assert src.count == 10 and src.dtypes[0] == "uint16"
        assert src.descriptions[:3] == ("B04 2022-DJF", "B08 2022-DJF", "B04 2022-MAM")
        assert src.nodata == 0
        assert src.crs.to_epsg() == 32631
        assert tuple(src.transform)[:6] == (RES, 0.0, X0, 0.0, -RES, Y0)
        assert src.profile["tiled"] and src.profile["blockxsize"] == 256
        assert src.profile["compress"].lower() == "deflate"
        assert src.scales[0] == pytest.approx(0.0001)
        assert src.tags(3) == {"band": "B04", "period": "2022-MAM"}
        np.testing.assert_array_equal(src.read(3), out["B04"].sel(period="2022-MAM").values)
        np.testing.assert_array_equal(src.read(10), out["B08"].sel(period="2023-DJF").values)
        assert json.loads(src.tags()["sitscube_history"])[-1]["step"] == "composite"
    assert os.listdir(tmp_path) == ["composite.tif"]  # no temporary left behind


def test_geotiff_float_and_mixed_types(tmp_path):
    import rasterio

    ds, data, _ = composite_cube(chunks={"y": 10})
    p90 = composite(ds, method="p90", bands=["B04"])
    path = write_geotiff(p90, str(tmp_path / "p90.tif"))
    with rasterio.open(path) as src:
        assert src.dtypes[0] == "float32" and np.isnan(src.nodata) and src.descriptions == ("B04",)
        np.testing.assert_array_equal(src.read(1), p90["B04"].values)
    mixed = composite(ds, bands=["B04"])  # uint16 median ...
    mixed["NDVI"] = add_index(ds, "NDVI").pipe(composite, method="mean", bands=["NDVI"])["NDVI"]  # ... and float
    path = write_geotiff(mixed, str(tmp_path / "mixed.tif"))
    with rasterio.open(path) as src:
        assert src.count == 2 and src.dtypes == ("float32", "float32") and np.isnan(src.nodata)
        band = src.read(1)
        assert np.isnan(band[0, :3]).all()  # uint16 nodata 0 -> NaN
        np.testing.assert_array_equal(band[1:], mixed["B04"].values[1:].astype(np.float32))


def test_geotiff_cancel_keeps_existing_file(tmp_path, monkeypatch):
    monkeypatch.setattr(comp, "BLOCKS_PER_BATCH", 1)  # one block between cancel checks, whatever the CPUs
    ds, _, _ = composite_cube(chunks={"time": 1, "y": 5, "x": 6})  # 16 blocks
    target = tmp_path / "composite.tif"
    target.write_bytes(b"the user's file")
    calls = []

    def canceled():
        calls.append(1)
        return len(calls) > 1  # canceled after the first block

    percents = []
    with pytest.raises(Canceled):
        write_geotiff(composite(ds), str(target), Progress(is_canceled=canceled, set_percent=percents.append))
    assert target.read_bytes() == b"the user's file"
    assert os.listdir(tmp_path) == ["composite.tif"]
    assert len(calls) == 2 and 0 < percents[-1] < 100


def test_geotiff_needs_tif_extension(tmp_path):
    ds, _, _ = composite_cube()
    with pytest.raises(UserError, match=".tif"):
        write_geotiff(composite(ds), str(tmp_path / "composite.nc"))


# ---- time-series export ---------------------------------------------------------------------------


def tiny_series_cube(chunks=None):
    red = np.array([[[100, 0], [300, 400]], [[110, 210], [0, 410]]], dtype=np.uint16)
    ndvi = np.array([[[0.5, np.nan], [0.25, 1.0]], [[0.125, 0.75], [np.nan, -0.5]]], dtype=np.float32)
    ds = make_cube({"B04": red, "NDVI": ndvi}, ["2022-05-01", "2022-05-26"], res=10.0, chunks=chunks)
    return ds


def test_csv_whole_cube(tmp_path, monkeypatch):
    ds = tiny_series_cube()
    path = export.export_csv(ds, str(tmp_path / "series.csv"))
    lines = open(path).read().splitlines()
    assert lines[0] == "id,x,y,date,band,value"
    assert len(lines) == 1 + 4 * 2 * 2  # pixels x dates x bands
    assert lines[1:5] == [
        "1,300005.0,4810235.0,2022-05-01,B04,100",
        "1,300005.0,4810235.0,2022-05-01,NDVI,0.5",
        "1,300005.0,4810235.0,2022-05-26,B04,110",
        "1,300005.0,4810235.0,2022-05-26,NDVI,0.125",
    ]
    assert lines[5:9] == [
        "2,300015.0,4810235.0,2022-05-01,B04,",  # nodata -> empty
        "2,300015.0,4810235.0,2022-05-01,NDVI,",
        "2,300015.0,4810235.0,2022-05-26,B04,210",
        "2,300015.0,4810235.0,2022-05-26,NDVI,0.75",
    ]
    assert lines[-1] == "4,300015.0,4810225.0,2022-05-26,NDVI,-0.5"
    monkeypatch.setattr(export, "CHUNK_VALUES", 1)  # one row of pixels per strip, lazy input
    again = export.export_csv(tiny_series_cube(chunks={"time": 1, "y": 1}), str(tmp_path / "strips.csv"))
    assert open(again).read() == open(path).read()
    assert sorted(os.listdir(tmp_path)) == ["series.csv", "strips.csv"]


def test_csv_points_and_default_name(tmp_path):
    ds = tiny_series_cube()
    progress = Progress()
    points = [("a", 300014.0, 4810226.0), ("far", 250000.0, 4810226.0), (7, 300001.0, 4810239.0)]
    path = export.export_csv(ds, str(tmp_path), points=points, progress=progress)  # a folder: default name
    assert os.path.basename(path) == "B04_NDVI_2022-05-01_2022-05-26_timeseries.csv"
    lines = open(path).read().splitlines()
    assert lines[1:5] == [
        "a,300014.0,4810226.0,2022-05-01,B04,400",
        "a,300014.0,4810226.0,2022-05-01,NDVI,1.0",
        "a,300014.0,4810226.0,2022-05-26,B04,410",
        "a,300014.0,4810226.0,2022-05-26,NDVI,-0.5",
    ]
    assert lines[5] == "7,300001.0,4810239.0,2022-05-01,B04,100" and len(lines) == 9
    assert any("far" in w for w in progress.warnings)
    with pytest.raises(UserError, match="None of the points"):
        export.export_csv(ds, str(tmp_path / "none.csv"), points=[("far", 0.0, 0.0)])
    assert not os.path.exists(tmp_path / "none.csv")


def test_csv_cancel_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_VALUES", 1)
    target = tmp_path / "series.csv"
    target.write_text("old")
    calls = []
    with pytest.raises(Canceled):
        export.export_csv(tiny_series_cube(), str(target), progress=Progress(is_canceled=lambda: calls.append(1) or len(calls) > 1))
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["series.csv"]


def test_netcdf_export_round_trip(tmp_path):
    ds = tiny_series_cube()
    path = export.export_netcdf(ds, str(tmp_path / "cube.nc"))
    back = open_cube(path)
    np.testing.assert_array_equal(back["B04"].values, ds["B04"].values)
    assert back["B04"].dtype == np.uint16 and back.odc.crs.epsg == 32631
    with pytest.raises(UserError, match=".nc"):
        export.export_netcdf(ds, str(tmp_path / "cube.csv"))


def test_safe_filename():
    assert export.safe_filename("B04 median 2022-MAM") == "B04_median_2022-MAM"
    assert export.safe_filename("../../etc/passwd") == "etc_passwd"
    assert export.safe_filename("a:b*c?d|e<f>g\"h") == "a_b_c_d_e_f_g_h"
    assert export.safe_filename("...") == "output"
    assert export.safe_filename("é" * 300) == "output"
    assert len(export.safe_filename("x" * 300)) == 100
