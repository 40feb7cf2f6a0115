# IngestIO: `make run` starts the whole app locally, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format venv venv-dev contract clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.requirements $@

venv: $(VENV)/.requirements

venv-dev: $(VENV)/.requirements-dev

run: venv
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/run.sh

test: venv-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

contract: venv
	bash ../shared/contract/run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
