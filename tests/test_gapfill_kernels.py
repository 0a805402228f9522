"""The compiled (numba) and numpy gap-fill kernels give identical results."""

import numpy as np
import pytest

from sitscube.engine import gapfill

import numba  # noqa: E402,F401  (requirements.txt installs it; the numpy kernel is the fallback)


@pytest.mark.parametrize("method", ["linear", "nearest", "previous"])
@pytest.mark.parametrize("fill_edges", [True, False])
@pytest.mark.parametrize("max_gap", [None, 30.0])
@pytest.mark.parametrize("dtype, nodata", [(np.uint16, 0), (np.int16, -9999), (np.uint8, 255)])
def test_compiled_kernel_equals_numpy_kernel(method, fill_edges, max_gap, dtype, nodata, monkeypatch):
    rng = np.random.default_rng(7)
    days = np.cumsum(rng.uniform(0, 25, size=30)).round(3)
    days[5] = days[4]  # two products of the same time
    info = np.iinfo(dtype)
    values = rng.integers(max(info.min, -2000), min(info.max, 12000), size=(30, 40, 50)).astype(dtype)
    values[rng.random(values.shape) < 0.45] = nodata
    values[:, 0, :5] = nodata  # never valid
    compiled = gapfill.fill_block(values, days, nodata, method, fill_edges, max_gap)
    monkeypatch.setattr(gapfill, "USE_COMPILED", False)
    reference = gapfill.fill_block(values, days, nodata, method, fill_edges, max_gap)
    np.testing.assert_array_equal(compiled, reference)
    assert compiled.dtype == values.dtype
