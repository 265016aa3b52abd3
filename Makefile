# The README's two commands: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
UV := $(PYTHON) -m uv
STAMP := .venv/.brandcare-setup

.PHONY: setup demo test bench ui clean

setup: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --compile-bytecode
	cd dbt_project && BRANDCARE_HOME=$(CURDIR)/data ../.venv/bin/dbt parse --quiet
	@touch $(STAMP)

demo: setup
	$(UV) run --frozen brandcare demo

test: setup
	$(UV) run --frozen pytest

bench: setup
	$(UV) run --frozen python benchmarks/bench_pipeline.py

ui: setup
	$(UV) run --frozen brandcare ui

clean:
	rm -rf .venv dbt_project/target dbt_project/logs data
