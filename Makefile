# SITS Cube — every target does its own set-up.
.PHONY: setup test demo clean

setup:
	@bash scripts/setup.sh

test: setup
	.venv/bin/python -m pytest

demo: setup
	@bash scripts/demo.sh

clean:
	rm -rf build dist demo-output .pytest_cache
