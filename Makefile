# SITS Cube — every target does its own set-up.
.PHONY: setup test demo package clean

setup:
	@bash scripts/setup.sh

test: setup
	.venv/bin/python -m pytest

demo: setup
	@bash scripts/demo.sh

package:
	@bash scripts/package.sh

clean:
	rm -rf build dist demo-output .pytest_cache
