# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed-run

# init + demo organisations (prints their sign-ins) + serve on http://127.0.0.1:8000
run: $(VENV)/.installed-run
	$(BIN)/pcfhub demo
	$(BIN)/pcfhub serve --host 127.0.0.1 --port 8000

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# PostgreSQL server binaries, Chromium and a CJK font from Debian's packages, when missing.
system-deps:
	scripts/install-system-deps

test: lint system-deps
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/calc_vs_bw2calc.py --sizes 1000 5000 20000 --output docs/performance.md
	$(BIN)/python bench/lci_import.py --output docs/performance.md
	$(BIN)/python bench/accounting.py --output docs/performance.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache var
