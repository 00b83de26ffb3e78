"""The stream: a clock → poll feeds → dedupe in state → fetch → parse → classify → cluster in
state → warehouse, and running hourly counts. It shares fetch, parse, classify, the clusters'
logic and the writers with the batch ingest; only the source (a polling clock), the dedupe and
the clusters (keyed state) and the windowed counts differ. No stage between the clock and the writers shuffles, so a local run writes each poll's
stories as soon as that poll is processed.
"""
from __future__ import annotations

import datetime as dt

import apache_beam as beam

from dyad import warehouse
from dyad.feeds.feedlist import load_feed_list
from dyad.options import Settings
from dyad.pipelines.launch import Run, execute
from dyad.transforms.aggregate import CountStoriesPerHour
from dyad.transforms.classify import ClassifyStories
from dyad.transforms.cluster import ClusterInState
from dyad.transforms.dedupe import DedupeInState
from dyad.transforms.fetch import FetchArticles
from dyad.transforms.parse import ParseArticles
from dyad.transforms.poll_feeds import PollClock, PollFeeds
from dyad.transforms.read_feeds import ParseFeeds


def build(pipeline: beam.Pipeline, settings: Settings, run: Run) -> dict:
    """Add the stream to `pipeline`; returns its PCollections by table, and the write results."""
    feeds = load_feed_list(settings.feeds)
    stop = run.started_at + dt.timedelta(seconds=settings.duration) if settings.duration else None
    ticks = pipeline | "Clock" >> PollClock(settings.poll_interval, run.started_at, stop)
    docs, poll_errors = ticks | "PollFeeds" >> PollFeeds(
        feeds, settings.feed_policy, settings.poll_interval, run.run_id)
    entries, parse_feed_errors = docs | "ParseFeeds" >> ParseFeeds(run.run_id)
    stories, dedupe_errors, sightings = entries | "Dedupe" >> DedupeInState(
        run.run_id, settings.dedupe_ttl, warehouse.known_ids(settings, run.started_at),
        warehouse.outlet_stories(settings, run.started_at))
    pages, fetch_errors = stories | "FetchArticles" >> FetchArticles(
        settings.article_policy, run.run_id, settings.fetch_threads, settings.per_host,
        spread=False, obey_robots=not settings.ignore_robots,
        max_crawl_delay=settings.max_crawl_delay)
    articles, parse_errors = pages | "ParseArticles" >> ParseArticles(run.run_id)
    classified, classify_errors = articles | "Classify" >> ClassifyStories(run.run_id, None)
    rows, cluster_errors = classified | "Cluster" >> ClusterInState(
        run.run_id, warehouse.recent_stories(settings, run.started_at))
    hourly, count_errors = rows | "CountPerHour" >> CountStoriesPerHour(run.run_id)
    errors = (poll_errors + parse_feed_errors + dedupe_errors + fetch_errors + parse_errors
              + classify_errors + cluster_errors + count_errors)
    tables = {"stories": rows, "story_sightings": sightings, "ingest_errors": errors,
              "hourly_pair_topic": hourly}
    written = tables | "WriteWarehouse" >> warehouse.write(settings, run.run_id, run.started_at,
                                                           ticks)
    return {**tables, "written": written}


def run(argv: list[str], run_identity: Run | None = None):
    """Validate options, build and run the stream until it stops; (Run, Settings, PipelineResult)."""
    return execute(argv, build, streaming=True, run_identity=run_identity)
