# redline — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= redline.db

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/redline --db $(DB) import sample_articles/kazakhstan-eu-kallas.md
	$(BIN)/redline --db $(DB) import sample_articles
	$(BIN)/redline --db $(DB)

test: $(STAMP)
	bash tools/system-deps
	$(BIN)/ruff check storage tui tests bench
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check storage tui tests bench

clean:
	rm -rf $(VENV) build dist *.egg-info
