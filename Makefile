# One entry point for every task. `make run` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APP_STAMP := $(VENV)/.installed-app
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8501
LOCK_DIR ?= requirements

.PHONY: run test lint bench lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (Streamlit requires it); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(APP_STAMP): requirements/app.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/app.txt
	touch $@

$(DEV_STAMP): requirements/dev.txt requirements/app.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@ $(APP_STAMP)

## run: set up and start the app on the shipped catalogue (http://localhost:8501)
run: $(APP_STAMP)
	$(BIN)/python -m streamlit run streamlit_app.py --server.port $(PORT)

## test: set up and run every test, the real-browser test included
test: $(DEV_STAMP)
	$(BIN)/python -m pytest

## lint: ruff and mypy (strict on scoring/, matrix/, ui/ and streamlit_app.py)
lint: $(DEV_STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/python -m mypy

## bench: speed against references measured in the same run (not part of the tests)
bench: $(DEV_STAMP)
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_portfolio.py
	$(BIN)/python bench/bench_plan.py
	$(BIN)/python bench/bench_montecarlo.py
	$(BIN)/python bench/bench_sensitivity.py
	$(BIN)/python bench/bench_app.py
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_catalogue.py
	$(BIN)/python bench/bench_browser.py

## lock: re-resolve requirements/*.txt to the newest versions pyproject.toml allows, in throwaway virtualenvs
# The app's pins come from `pip install -e .`, the dev pins from `pip install -e .[dev]` held to the
# app's pins (so `-r app.txt` stays consistent); each file keeps its header. LOCK_DIR=/tmp/x writes elsewhere.
lock:
	@set -eu; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for env in app dev; do \
		$(PYTHON) -m venv "$$tmp/$$env"; \
		"$$tmp/$$env/bin/python" -m pip install --quiet --upgrade pip; \
	done; \
	"$$tmp/app/bin/python" -m pip install --quiet -e .; \
	"$$tmp/app/bin/python" -m pip freeze --exclude-editable > "$$tmp/app.pins"; \
	"$$tmp/dev/bin/python" -m pip install --quiet -e '.[dev]' -c "$$tmp/app.pins"; \
	"$$tmp/dev/bin/python" -m pip freeze --exclude-editable > "$$tmp/dev.all"; \
	mkdir -p $(LOCK_DIR); \
	{ grep '^#' requirements/app.txt; cat "$$tmp/app.pins"; } > "$$tmp/app.txt"; \
	{ grep '^[#-]' requirements/dev.txt; grep -vixFf "$$tmp/app.pins" "$$tmp/dev.all" || [ $$? -eq 1 ]; } > "$$tmp/dev.txt"; \
	cp "$$tmp/app.txt" "$$tmp/dev.txt" $(LOCK_DIR)/; \
	echo "wrote $(LOCK_DIR)/app.txt and $(LOCK_DIR)/dev.txt; run make clean test before committing them"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
