"""The batch ingest: feed list → read → dedupe → fetch → parse → classify → warehouse."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions

from dyad import progress, warehouse
from dyad.feedlist import load_feed_list
from dyad.options import Settings, settings_from
from dyad.transforms.classify import ClassifyStories
from dyad.transforms.dedupe import DedupeStories
from dyad.transforms.fetch import FetchArticles
from dyad.transforms.parse import ParseArticles
from dyad.transforms.read_feeds import ReadFeeds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Run:
    """Identity of one ingest run: every row it writes carries these."""

    run_id: str
    started_at: dt.datetime

    @classmethod
    def new(cls) -> "Run":
        now = dt.datetime.now(dt.timezone.utc)
        return cls(f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", now)


def build(pipeline: beam.Pipeline, settings: Settings, run: Run) -> dict:
    """Add the ingest to `pipeline`; returns its PCollections by table, and the write results."""
    feeds = load_feed_list(settings.feeds)
    progress.set_value("feeds_total", len(feeds))
    entries, feed_errors = (
        pipeline
        | "FeedList" >> beam.Create(feeds)
        | "ReadFeeds" >> ReadFeeds(settings.feed_policy, run.run_id, run.started_at)
    )
    known = pipeline | "KnownStories" >> warehouse.read_known(settings, run.started_at)
    stories, dedupe_errors, sightings = (entries, known) | "Dedupe" >> DedupeStories(run.run_id)
    pages, fetch_errors = stories | "FetchArticles" >> FetchArticles(
        settings.article_policy, run.run_id, settings.fetch_threads, settings.per_host)
    articles, parse_errors = pages | "ParseArticles" >> ParseArticles(run.run_id)
    rows, classify_errors = articles | "Classify" >> ClassifyStories(run.run_id, run.started_at)
    errors = (
        (feed_errors, dedupe_errors, fetch_errors, parse_errors, classify_errors)
        | "AllErrors" >> beam.Flatten()
    )
    tables = {"stories": rows, "story_sightings": sightings, "ingest_errors": errors}
    written = tables | "WriteWarehouse" >> warehouse.write(settings, run.run_id, run.started_at)
    return {**tables, "written": written}


def run(argv: list[str], run_identity: Run | None = None):
    """Validate options, build and run the batch pipeline; returns (Run, Settings, PipelineResult)."""
    options = PipelineOptions(argv)
    setup = options.view_as(SetupOptions)
    setup.save_main_session = False
    settings = settings_from(options)
    if settings.bigquery:  # workers then point Beam's BigQuery clients where the launcher does
        setup.beam_plugins = [*(setup.beam_plugins or []), warehouse.BEAM_PLUGIN]
    warehouse.prepare(settings)
    identity = run_identity or Run.new()
    pipeline = beam.Pipeline(options=options)
    build(pipeline, settings, identity)
    result = pipeline.run()
    result.wait_until_finish()
    return identity, settings, result
