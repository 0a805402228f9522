# SITS Cube — every target does its own set-up.
.PHONY: setup test demo bench i18n clean

setup:
	@bash scripts/setup.sh

test: setup
	.venv/bin/python -m pytest

demo: setup
	@bash scripts/demo.sh

# Compiled translations (.qm) from i18n/*.ts; `python3 scripts/make_ts.py`
# refreshes the .ts from the tr("...") strings first.
i18n:
	lrelease -silent i18n/*.ts

clean:
	rm -rf build dist demo-output .pytest_cache engine/_composite_kernels*

# Benchmarks: every figure's median, its ratio against the baseline measured
# in the same run and its peak memory; one table at the end, JSON in
# bench-output/ (history/ keeps each run). BENCH_ARGS=--quick for a smoke run,
# BENCH_ARGS="--only load,workflow" for some of them. Each benchmark builds
# its own data (bench/catalog.py: the sample catalog scaled up, in build/).
# Baselines live in their own venvs where their wheels would clash with
# QGIS's libraries: rasterstats (requirements-bench.txt) and the `sits`
# package (requirements-sits.txt, made by bench/bench_sits_chain.py).
bench: setup
	@[ -x build/bench-venv/bin/python ] || { /usr/bin/python3 -m venv build/bench-venv && \
	  build/bench-venv/bin/pip install -q -r requirements-bench.txt; }
	PYTHONPATH=build/plugins .venv/bin/python bench/run.py $(BENCH_ARGS)

# Installable plugin zip: dist/sitscube-<version>.zip, one top folder
# `sitscube/`, tracked files only, no tests or dev files, .qm included.
.PHONY: package
package:
	@bash scripts/package.sh
