"""The backfill: web archives (WARC) → read → skip stored stories → parse → classify → warehouse,
with the batch run's stages from the pages on (`batch.parse_classify_write`)."""
from __future__ import annotations

import apache_beam as beam

from dyad import warehouse
from dyad.options import Settings
from dyad.pipelines.batch import parse_classify_write
from dyad.pipelines.launch import Run, execute
from dyad.transforms.dedupe import SkipStoredPages
from dyad.transforms.read_warcs import ReadWarcs


def build(pipeline: beam.Pipeline, settings: Settings, run: Run) -> dict:
    """Add the backfill to `pipeline`; returns its PCollections by table, and the write results."""
    pages, read_errors = pipeline | "ReadWarcs" >> ReadWarcs(
        settings.warc, run.run_id, settings.since, settings.until, settings.sites,
        settings.article_policy.max_bytes)
    new_pages, dedupe_errors, sightings = pages | "Dedupe" >> SkipStoredPages(
        run.run_id, warehouse.known_ids(settings, run.started_at))
    return parse_classify_write(new_pages, sightings, read_errors + dedupe_errors, settings, run)


def run(argv: list[str], run_identity: Run | None = None):
    """Validate options, build and run the backfill; returns (Run, Settings, PipelineResult)."""
    return execute(argv, build, streaming=False, run_identity=run_identity, source="warc")
