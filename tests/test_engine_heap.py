"""engine/heap.py: freed blocks reused while a computation runs, memory given back after it."""

import resource
import threading

import dask.array as da
import numpy as np

from sitscube.engine import heap, scheduler

BLOCK = 20 * 2**20  # a gap-fill block of 40 dates × 512² uint16


def _faults_making_blocks(count=8) -> int:
    """Minor page faults of this process while it makes and frees `count` blocks of BLOCK bytes."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(count):
        block = np.empty(BLOCK, dtype=np.uint8)
        block.fill(1)  # first touch of every page
        del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _resident() -> int:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * resource.getpagesize()


def test_blocks_reuse_pages_while_kept_and_the_memory_goes_back_after():
    assert heap._glibc() is not None  # Linux (CI, QGIS on Linux): glibc
    pages = BLOCK // resource.getpagesize()
    with heap.kept():
        _faults_making_blocks(1)  # the heap grows once
        kept = _faults_making_blocks()
        holding = _resident()
    released = _resident()
    assert kept < pages  # eight blocks on the pages of one
    assert holding - released > BLOCK // 2  # the freed block was kept until the end, then given back
    assert heap._depth == 0


def test_nested_and_concurrent_computations_trim_only_at_the_last_end(monkeypatch):
    calls = []
    monkeypatch.setattr(heap, "_set", lambda values: calls.append("defaults" if values is heap.DEFAULTS else "kept"))
    started, release = threading.Event(), threading.Event()

    def other_task():
        with heap.kept():
            started.set()
            release.wait(10)

    thread = threading.Thread(target=other_task)
    with heap.kept():
        thread.start()
        started.wait(10)
        with heap.kept():
            pass
    assert calls == ["kept"]  # the other computation still runs
    release.set()
    thread.join()
    assert calls == ["kept", "defaults"] and heap._depth == 0


def test_local_computations_keep_freed_memory(monkeypatch):
    depths = []
    array = da.ones((4, 64), chunks=(1, 64)).map_blocks(lambda b: (b.shape == (1, 64) and depths.append(heap._depth)) or b)
    (total,) = scheduler.compute(array.sum(), scheduler="threads")
    assert total == 256 and depths and min(depths) >= 1 and heap._depth == 0
