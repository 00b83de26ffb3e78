# dyad — `make run` (sample ingest into data/dyad.duckdb) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DYAD   := $(VENV)/bin/dyad
STAMP  := $(VENV)/.installed
DB     := data/dyad.duckdb
# The sample sites' first port: fixed, so that a second `make run` sees the same story URLs.
SAMPLE_PORT ?= 48101

# The development corpus that `make eval` measures against (skipped when absent).
CORPUS ?= ../shared/corpus

.PHONY: install run test eval clean

install: $(STAMP)

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,eval]'
	touch $(STAMP)

run: install
	@mkdir -p data
	@$(PY) -m dyad.fixture_server --sample sample --feed-list data/sample-feeds.yaml \
		--base-port $(SAMPLE_PORT) -- \
		$(DYAD) ingest --feeds data/sample-feeds.yaml --warehouse duckdb:$(DB) \
		--allow-network 127.0.0.1/32
	@echo
	@echo "Query it, e.g.:"
	@echo "  $(PY) -c \"import duckdb; print(duckdb.connect('$(DB)', read_only=True).sql(\\\"SELECT country_pair, topic, count(*) AS stories FROM stories GROUP BY ALL ORDER BY stories DESC LIMIT 10\\\"))\""

test: install
	$(PY) -m pytest

eval: install
	$(PY) -W ignore -m dyad.evaluation $(CORPUS)

clean:
	rm -rf $(VENV) data build *.egg-info
