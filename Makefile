# Two commands for a fresh machine: `make demo` and `make test` (README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

DEMO_COUNT ?= 1000
DEMO_ITERATIONS ?= 30

.PHONY: help install test lint types pytest demo perf clean

help:
	@echo "make demo   install everything, run the local benchmark end to end, write the report"
	@echo "make test   install everything, run lint, types and the full test suite"
	@echo "make perf   measure every speed target against its raw baseline"
	@echo "make clean  remove the virtualenv, node_modules and local data under var/"

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' || \
		{ echo "Python 3.12 is required (PYTHON=$(PYTHON) is $$($(PYTHON) --version 2>&1))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy .

pytest: install
	$(BIN)/pytest --cov --cov-report=term-missing

test: lint types pytest

demo: install
	$(BIN)/python manage.py runbenchmark --local --count $(DEMO_COUNT) --iterations $(DEMO_ITERATIONS)
	@echo "Report: $$(ls -t docs/benchmarks/*-benchmark.md | head -n 1) (with its .csv and .png)"

perf: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .pytest_cache .coverage htmlcov
