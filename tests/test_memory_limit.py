"""The memory-limit setting bounds the blocks temporal reductions hold at once."""

import dask.array as da
import numpy as np

from sitscube.engine import composite


def test_memory_limit_shrinks_composite_blocks(monkeypatch):
    data = da.zeros((40, 4096, 4096), dtype=np.uint16, chunks=(1, 2048, 2048))
    monkeypatch.delenv("SITSCUBE_MEMORY_LIMIT_MB", raising=False)
    default = composite._time_whole(data)
    assert 40 * max(default.chunks[1]) * max(default.chunks[2]) * 2 <= composite.BLOCK_BYTES
    monkeypatch.setenv("SITSCUBE_MEMORY_LIMIT_MB", "64")  # a quarter: 16 MiB per block
    limited = composite._time_whole(data)
    block = 40 * max(limited.chunks[1]) * max(limited.chunks[2]) * 2
    assert block <= 16 * 2**20 < 40 * max(default.chunks[1]) * max(default.chunks[2]) * 2
    assert limited.chunks[0] == (40,)  # time stays whole
