# Two entry points (README quick start): `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint

$(BIN)/.installed: requirements.txt requirements-nodeps.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m service.variants.quantized
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/python -m service ingest seeds/*.txt
	$(BIN)/python -m service serve --host $(HOST) --port $(PORT)

test: setup
	bash scripts/ensure_services.sh
	bash scripts/ensure_browser.sh
	$(BIN)/ruff check service models tests scripts wsgi.py
	$(BIN)/mypy service models
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check service models tests scripts wsgi.py
	$(BIN)/ruff format --check service models tests scripts wsgi.py
