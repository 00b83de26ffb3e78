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

# A local BigQuery emulator, in a virtualenv of its own: it needs DuckDB 1.5.5, dyad uses 2.0.
BQEMU_VENV := .venv-bqemulator
BQEMU      := $(BQEMU_VENV)/bin/bqemulator

# Dataflow (`make template`, `make run-dataflow`): gcloud and a project are needed; nothing here
# runs them in tests. PIPELINE=batch|stream|backfill picks the template that run-dataflow launches
# (a backfill reads WARC=gs://... instead of the feeds).
PROJECT  ?= $(shell gcloud config get-value project 2>/dev/null)
REGION   ?= europe-west1
BUCKET   ?= gs://$(PROJECT)-dyad
DATASET  ?= news
FEEDS    ?= $(BUCKET)/feeds/world.yaml
WARC     ?= $(BUCKET)/warc/*.warc.gz
PIPELINE ?= batch
VERSION  := $(shell $(PYTHON) -c "import re; print(re.search(r'version=\"([^\"]+)', open('setup.py').read())[1])")
IMAGE    ?= $(REGION)-docker.pkg.dev/$(PROJECT)/dyad/dyad:$(VERSION)

.PHONY: install run test eval bench gazetteer model clean dashboard bq-emulator bq-emulator-install template run-dataflow

install: $(STAMP)

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,eval,dashboard]'
	touch $(STAMP)

run: install
	@mkdir -p data
	@$(PY) -m dyad.net.fixture_server --sample sample --feed-list data/sample-feeds.yaml \
		--base-port $(SAMPLE_PORT) -- \
		$(DYAD) ingest --feeds data/sample-feeds.yaml --warehouse duckdb:$(DB) \
		--allow-network 127.0.0.1/32
	@echo
	@echo "Query it, e.g.:"
	@echo "  $(PY) -c \"import duckdb; print(duckdb.connect('$(DB)', read_only=True).sql(\\\"SELECT country_pair, topic, count(*) AS stories FROM stories GROUP BY ALL ORDER BY stories DESC LIMIT 10\\\"))\""

test: install $(BQEMU)
	DYAD_BQEMULATOR=$(BQEMU) $(PY) -m pytest

bq-emulator-install: $(BQEMU)

$(BQEMU):
	$(PYTHON) -m venv $(BQEMU_VENV)
	$(BQEMU_VENV)/bin/pip install --quiet --upgrade pip
	$(BQEMU_VENV)/bin/pip install --quiet bqemulator==1.4.0 duckdb==1.5.5 \
		duckdb-extension-spatial==1.5.5 numpy==2.4.6

# Runs the emulator on 127.0.0.1:9050 until Ctrl-C; it prints the BIGQUERY_EMULATOR_HOST to export.
bq-emulator: install $(BQEMU)
	$(PY) -m dyad.bigquery.emulator --executable $(BQEMU) --rest-port 9050 --grpc-port 9060

# After `make run`: the sample data on http://127.0.0.1:8050/ until Ctrl-C.
dashboard: install
	$(DYAD) dashboard --warehouse duckdb:$(DB) --port 8050

# Throughput against the naive feedparser + newspaper3k loop, on a generated corpus (see README).
bench: install
	$(PY) -W ignore -m dyad.benchmark

eval: install
	$(PY) -W ignore -m dyad.evaluation $(CORPUS)

# Retrains the topic model (dyad/classify/data/topic-model.npz) from the labelled sets of the
# corpus: deterministic, so an unchanged corpus and lexicon give the same file.
model: install
	$(PY) -m pip install --quiet -e '.[model]'
	$(PY) -m dyad.training.topics $(CORPUS)
	$(PY) -m dyad.training.document_frequency $(CORPUS)

# Rebuilds the gazetteer's data files after a hand file (dyad/classify/data/forms/*.tsv) changed:
# the cities (GeoNames), then every country form. `make test` checks they are up to date.
gazetteer: install
	$(PY) -m dyad.gazetteer build-places
	$(PY) -m dyad.gazetteer build-forms

# Builds the image (launcher and worker in one) and a template per pipeline.
template:
	gcloud builds submit --project $(PROJECT) --region $(REGION) \
		--config dataflow/cloudbuild.yaml --substitutions _IMAGE=$(IMAGE) .
	for pipeline in batch stream backfill; do \
		gcloud dataflow flex-template build $(BUCKET)/templates/dyad-$$pipeline.json \
			--project $(PROJECT) --image $(IMAGE) --sdk-language PYTHON \
			--metadata-file dataflow/metadata$$([ $$pipeline = backfill ] && echo -backfill).json \
			--env DYAD_PIPELINE=$$pipeline; \
	done

run-dataflow:
	gcloud dataflow flex-template run dyad-$(PIPELINE)-$$(date +%Y%m%d-%H%M%S) \
		--project $(PROJECT) --region $(REGION) \
		--template-file-gcs-location $(BUCKET)/templates/dyad-$(PIPELINE).json \
		--temp-location $(BUCKET)/tmp --staging-location $(BUCKET)/staging \
		--parameters $(if $(filter backfill,$(PIPELINE)),warc=$(WARC),feeds=$(FEEDS)),warehouse=bigquery:$(PROJECT).$(DATASET) \
		--parameters sdk_container_image=$(IMAGE) \
		$(if $(filter stream,$(PIPELINE)),--enable-streaming-engine,)

clean:
	rm -rf $(VENV) $(BQEMU_VENV) .bqemulator-home data build *.egg-info
