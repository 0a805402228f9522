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
	rm -rf build dist demo-output .pytest_cache

# Benchmarks: each figure as a ratio against its baseline in the same run;
# JSON in bench-output/. BENCH_ARGS=--quick for a smoke run.
# rasterstats (the zonal baseline) lives in its own venv: see requirements-bench.txt.
bench: setup
	@[ -x build/bench-venv/bin/python ] || { /usr/bin/python3 -m venv build/bench-venv && \
	  build/bench-venv/bin/pip install -q -r requirements-bench.txt; }
	PYTHONPATH=build/plugins .venv/bin/python bench/bench_gapfill.py $(BENCH_ARGS)
	PYTHONPATH=build/plugins .venv/bin/python bench/bench_composite.py $(BENCH_ARGS)
	PYTHONPATH=build/plugins .venv/bin/python bench/bench_zonal.py $(BENCH_ARGS)
	PYTHONPATH=build/plugins .venv/bin/python bench/bench_predict.py $(BENCH_ARGS)

# Installable plugin zip: dist/sitscube-<version>.zip, one top folder
# `sitscube/`, tracked files only, no tests or dev files, .qm included.
.PHONY: package
package:
	@bash scripts/package.sh
