# One entry point for people and CI. Every target installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INDEX_DIR ?= var/index
DEV_QUESTIONS ?= ../shared/eval/dev.jsonl
LAWS_DIR ?= ../shared/corpus/laws
export INDEX_DIR

.PHONY: install run test test-fast lint ingest eval bench clean

$(VENV)/.installed: requirements.txt requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) app.py

test: install
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

$(INDEX_DIR)/CURRENT: | install
	$(PY) -m ingest corpus/union --index $(INDEX_DIR)

ingest: install
	$(PY) -m ingest corpus/union --index $(INDEX_DIR)

eval: install $(INDEX_DIR)/CURRENT
	$(PY) -m eval $(DEV_QUESTIONS) --index $(INDEX_DIR)
	$(PY) -m eval eval/colloquial.jsonl --index $(INDEX_DIR)

bench: install
	$(PY) -m bench --laws $(LAWS_DIR) --questions $(DEV_QUESTIONS)

clean:
	rm -rf var
