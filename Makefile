# realitycheck — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets and what they do
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[demo]'
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev,demo]'
	@touch $@ $(STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv and install realitycheck into it

.PHONY: dev
dev: $(DEV_STAMP) ## Install realitycheck with the development extras

.PHONY: demo
demo: $(STAMP) ## Build the example repository and show what realitycheck finds in it
	$(BIN)/realitycheck demo

.PHONY: services
services: ## Install the system tools the tests use (wrk, prometheus), when missing and possible
	@scripts/services.sh

.PHONY: lint
lint: $(DEV_STAMP) ## ruff, mypy --strict, and the layer rules (import-linter)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

.PHONY: test
test: $(DEV_STAMP) services ## Install the dev extras, lint, and run the whole test suite
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q -p no:cacheprovider -n auto

.PHONY: bench
bench: $(DEV_STAMP) ## Run every benchmark and print the ratios
	$(BIN)/python -m benchmarks

.PHONY: format
format: $(DEV_STAMP) ## Format the code with ruff
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

.PHONY: clean
clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis benchmarks/.work
