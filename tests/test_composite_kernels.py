"""The compiled median/percentile kernels (numba's JIT, and the same code built ahead of time by
``make setup``): the same floats as the numpy kernel and np.nan* functions."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from sitscube.engine import composite as comp
from sitscube.engine.composite import masked_median, masked_percentile

import numba  # noqa: E402,F401  (requirements.txt installs it; the numpy kernel is the fallback)
from sitscube.engine import composite_aot, composite_numba  # noqa: E402


@pytest.fixture(params=["ahead-of-time", "jit"])
def compiled(request, monkeypatch):
    """Each test once with the kernel make setup built, once with numba's JIT."""
    monkeypatch.setattr(comp, "USE_AHEAD_OF_TIME", request.param == "ahead-of-time")
    return request.param


def as_nan(data, nodata):
    floats = data.astype(np.float64)
    if nodata is not None and not np.isnan(nodata):
        floats[data == nodata] = np.nan
    return floats


def nan_reduce(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels: NaN, as ours
        return function(*args, **kwargs)


def cube(t, dtype, nodata, seed):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        data = rng.normal(0.3, 0.2, size=(t, 37, 41)).astype(dtype)
    else:
        info = np.iinfo(dtype)
        data = rng.integers(max(info.min, -3000), min(info.max, 12000), size=(t, 37, 41), endpoint=True).astype(dtype)
    data[rng.random(data.shape) < 0.4] = nodata
    data[:, 0, :4] = nodata  # never valid
    if np.dtype(dtype).kind in "iu":
        data[:, 1, 0] = np.iinfo(dtype).max  # valid values equal to the fill value
    data[: t // 2, 1, 1] = nodata  # exactly half valid
    return data


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 33, 40, 64, 100])
def test_network_sorts(size):
    rng = np.random.default_rng(size)
    values = rng.integers(0, 50, size=(size, 300)).astype(np.int32)
    rows = values.copy()
    composite_numba._sort_rows(rows, composite_numba.network(size), rows.shape[1])
    np.testing.assert_array_equal(rows, np.sort(values, axis=0))


@pytest.mark.parametrize("t", [1, 2, 7, 40, 130])
@pytest.mark.parametrize("dtype, nodata", [(np.uint16, 0), (np.int16, -9999), (np.uint8, 255), (np.float32, np.nan),
                                           (np.float64, -1.0)])
def test_compiled_equals_numpy_and_nan_functions(t, dtype, nodata, compiled, monkeypatch):
    data = cube(t, dtype, nodata, seed=t)
    assert comp._compiled_kernel(dtype) is (composite_aot if compiled == "ahead-of-time" else composite_numba)
    floats = as_nan(data, nodata)
    median = masked_median(data, nodata)
    percentiles = {q: masked_percentile(data, q, nodata) for q in (0, 2.5, 10, 33.3, 50, 90, 100)}
    np.testing.assert_array_equal(median, nan_reduce(np.nanmedian, floats, axis=0))
    for q, value in percentiles.items():
        np.testing.assert_array_equal(value, nan_reduce(np.nanpercentile, floats, q, axis=0))
    assert np.isnan(median[0, :4]).all()
    monkeypatch.setattr(comp, "USE_COMPILED", False)
    np.testing.assert_array_equal(masked_median(data, nodata), median)
    for q, value in percentiles.items():
        np.testing.assert_array_equal(masked_percentile(data, q, nodata), value)


def test_compiled_kernel_is_used_and_tiles_cover_every_pixel(compiled, monkeypatch):
    data = cube(40, np.uint16, 0, seed=1)
    kernel = composite_aot if compiled == "ahead-of-time" else composite_numba
    monkeypatch.setattr(kernel, "tile_pixels", lambda steps, itemsize: 16)  # many tiles, a short last one
    assert comp._compiled_kernel(data.dtype) is kernel
    np.testing.assert_array_equal(masked_median(data, 0), nan_reduce(np.nanmedian, as_nan(data, 0), axis=0))
    assert comp._compiled_kernel(np.float16) is None  # numba has no float16: the numpy kernel


def test_setup_built_the_kernel_and_it_needs_no_numba():
    """make setup compiled it (scripts/build_kernels.py); a process using it never imports numba."""
    assert composite_aot.compiled_module() is not None, "run make setup: engine/_composite_kernels is not built"
    script = ("import sys, numpy as np\n"
              "from sitscube.engine.composite import masked_median, _compiled_kernel\n"
              "data = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5) % 7\n"
              "print(_compiled_kernel(data.dtype).__name__, masked_median(data, 0).sum(), 'numba' in sys.modules)\n")
    plugins = os.path.dirname(os.path.dirname(os.path.dirname(comp.__file__)))  # the folder holding sitscube/
    env = dict(os.environ, PYTHONPATH=plugins)
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env=env).stdout.split()
    data = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5) % 7
    expected = np.nansum(nan_reduce(np.nanmedian, as_nan(data, 0), axis=0))
    assert output == ["sitscube.engine.composite_aot", str(expected), "False"]


def test_a_kernel_built_from_other_source_is_not_used(monkeypatch):
    """After composite_numba.py changes, the old build is refused until make setup rebuilds it: the JIT runs."""
    composite_aot.compiled_module.cache_clear()
    monkeypatch.setattr(composite_aot, "source_hash", lambda: -1)
    try:
        assert composite_aot.compiled_module() is None
        assert not composite_aot.takes(np.uint16)
        assert comp._compiled_kernel(np.uint16) is composite_numba
    finally:
        monkeypatch.undo()
        composite_aot.compiled_module.cache_clear()
    assert comp._compiled_kernel(np.uint16) is composite_aot


def test_ahead_of_time_kernel_takes_native_types_only():
    assert composite_aot.takes(np.uint16) and composite_aot.takes(np.float64)
    assert not composite_aot.takes(np.dtype(">u2"))  # big-endian: the JIT (or numpy) takes it
    assert not composite_aot.takes(np.float16)
