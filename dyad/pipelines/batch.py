"""The batch ingest: feed list → read → dedupe → fetch → parse → classify → warehouse, and the
run's same-story clusters set in the warehouse once its rows are written."""
from __future__ import annotations

import logging

import apache_beam as beam

from dyad import progress, warehouse
from dyad.feeds.feedlist import load_feed_list
from dyad.options import Settings
from dyad.pipelines.launch import Run, execute
from dyad.transforms.classify import ClassifyStories
from dyad.transforms.cluster import ClusterStories, SetClusterIds
from dyad.transforms.dedupe import DedupeStories
from dyad.transforms.fetch import FetchArticles
from dyad.transforms.parse import ParseArticles
from dyad.transforms.read_feeds import ReadFeeds

log = logging.getLogger(__name__)


def build(pipeline: beam.Pipeline, settings: Settings, run: Run) -> dict:
    """Add the ingest to `pipeline`; returns its PCollections by table, and the write results."""
    feeds = load_feed_list(settings.feeds)
    progress.set_value("feeds_total", len(feeds))
    entries, feed_errors = (
        pipeline
        | "FeedList" >> beam.Create(feeds)
        | "ReadFeeds" >> ReadFeeds(settings.feed_policy, run.run_id, run.started_at,
                                   settings.fetch_threads, settings.per_host)
    )
    known = pipeline | "KnownStories" >> warehouse.read_known(settings, run.started_at)
    stories, dedupe_errors, sightings = (entries, known) | "Dedupe" >> DedupeStories(
        run.run_id, warehouse.outlet_stories(settings, run.started_at))
    pages, fetch_errors = stories | "FetchArticles" >> FetchArticles(
        settings.article_policy, run.run_id, settings.fetch_threads, settings.per_host,
        obey_robots=not settings.ignore_robots, max_crawl_delay=settings.max_crawl_delay)
    return parse_classify_write(pages, sightings, feed_errors + dedupe_errors + fetch_errors,
                                settings, run)


def parse_classify_write(pages, sightings, errors, settings: Settings, run: Run) -> dict:
    """The stages a batch run and a backfill share once they have the pages: parse, classify,
    write, cluster. Returns the PCollections by table, and the write and cluster results."""
    articles, parse_errors = pages | "ParseArticles" >> ParseArticles(run.run_id)
    classified, classify_errors, fingerprints = articles | "Classify" >> ClassifyStories(
        run.run_id, run.started_at, fingerprints=True)
    errors = errors + parse_errors + classify_errors
    # Rows are written as they come, each a cluster of its own; the stories that join another's
    # cluster are set once every row is written, so that no row waits in memory for the clusters.
    tables = {"stories": classified, "story_sightings": sightings, "ingest_errors": errors}
    written = tables | "WriteWarehouse" >> warehouse.write(settings, run.run_id, run.started_at)
    assigned = fingerprints | "Cluster" >> ClusterStories(
        warehouse.recent_stories(settings, run.started_at))
    clustered = assigned | "SetClusters" >> SetClusterIds(
        warehouse.cluster_setter(settings, run.run_id), after=written)
    return {**tables, "written": written, "clustered": clustered}


def run(argv: list[str], run_identity: Run | None = None):
    """Validate options, build and run the batch pipeline; returns (Run, Settings, PipelineResult)."""
    return execute(argv, build, streaming=False, run_identity=run_identity)
