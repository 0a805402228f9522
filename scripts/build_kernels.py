"""Compile the composite kernel ahead of time: engine/_composite_kernels (see engine/composite_aot.py).

    PYTHONPATH=build/plugins .venv/bin/python scripts/build_kernels.py

Run by ``make setup``; does nothing when the module is already built from
the current engine/composite_numba.py. Needs a C compiler and Python's
headers (numba.pycc links the module with them); without them the plugin
uses numba's JIT, as before.
"""

import os
import sys


def main() -> int:
    from sitscube.engine import composite_aot, composite_numba

    if composite_aot.compiled_module() is not None:
        return 0
    from numba.pycc import CC

    compiler = CC(composite_aot.MODULE)
    compiler.output_dir = os.path.dirname(composite_aot.SOURCE)
    compiler.target_cpu = "host"  # built where it runs, as the JIT does: this CPU's SIMD
    compiler.verbose = False
    for code in composite_aot.CODES.values():
        compiler.export("pick_pair_" + code, composite_aot.signature(code))(composite_numba.pick_pair.py_func)
    namespace = {}
    exec(f"def source_hash():\n    return {composite_aot.source_hash()}\n", namespace)  # noqa: S102  (a constant)
    compiler.export("source_hash", "i8()")(namespace["source_hash"])
    compiler.compile()
    composite_aot.compiled_module.cache_clear()
    if composite_aot.compiled_module() is None:
        print("build_kernels: the module was built but does not load", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
