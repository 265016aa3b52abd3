# The README's two commands: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
UV := $(PYTHON) -m uv
STAMP := .venv/.brandcare-setup
SIZE ?= 100000

.PHONY: setup browser demo test lint unit bench models ui clean

setup: $(STAMP)

# uv sync, then the dbt manifest Dagster reads (parsed once per installation, never at import).
$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --compile-bytecode
	.venv/bin/python -c "from pipelines.project import parse_project; parse_project()"
	@touch $(STAMP)

# Debian's chromium renders the report and the UI in the browser tests.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null; \
	  else echo "the browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

demo: setup
	$(UV) run --frozen brandcare demo

# ruff, and sqlfluff with the dbt templater (which opens a scratch warehouse: a temporary home)
lint: setup
	.venv/bin/ruff check .
	@home=$$(mktemp -d) && mkdir -p $$home/warehouse && cd dbt_project && \
	  BRANDCARE_HOME=$$home ../.venv/bin/sqlfluff lint models --processes 2; status=$$?; rm -rf $$home; exit $$status

# Two workers (the tests reading the shared demo run stay on one of them, see tests/conftest.py).
test: setup browser lint
	$(UV) run --frozen pytest -n 2 --dist loadgroup

# Unit tests only (seconds): no pipeline run.
unit: setup
	$(UV) run --frozen pytest -m "not e2e"

bench: setup
	$(UV) run --frozen python -m benchmarks --size $(SIZE)

# Retrain the classifiers from corpus/ (needs the public files for the texts not committed: see corpus/README.md).
models: setup
	$(UV) run --frozen brandcare train
	$(UV) run --frozen brandcare evaluate

ui: setup
	$(UV) run --frozen brandcare ui

clean:
	rm -rf .venv dbt_project/target dbt_project/logs data
