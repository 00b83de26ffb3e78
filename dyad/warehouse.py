"""The warehouse a run writes to, DuckDB or BigQuery: preparing it, its stages, its report.

Pipelines ask here for the two warehouse stages (the ids already held, the writer) so that they
wire the same steps, under the same labels, whichever warehouse the options name.
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Callable

import apache_beam as beam

from dyad.bigquery import client as bigquery_client
from dyad.options import Settings
from dyad.schemas import ERRORS, STORIES
from dyad.transforms.sinks import bigquery, bigquery_tables, duckdb, summary

BEAM_PLUGIN = "dyad.bigquery.client"


def prepare(settings: Settings) -> None:
    """Create or update the BigQuery dataset before a job starts; WarehouseError says what failed."""
    if settings.bigquery is None:
        return  # the DuckDB writer creates its tables itself, in the one process that writes
    import google.auth.exceptions
    ds = settings.bigquery.dataset
    try:
        client = bigquery_client.client(ds.project)
    except google.auth.exceptions.DefaultCredentialsError:
        raise bigquery_tables.WarehouseError(
            "no Google credentials found: run `gcloud auth application-default login`, set "
            "GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or set "
            f"{bigquery_client.EMULATOR_ENV} for a local emulator") from None
    bigquery_tables.ensure_warehouse(client, ds)


def read_known(settings: Settings, now) -> beam.PTransform:
    if settings.bigquery:
        return bigquery.ReadKnownStoryIdsBigQuery(settings.bigquery.dataset, now)
    return duckdb.ReadKnownStoryIds(settings.warehouse_target)


def known_ids(settings: Settings, now) -> Callable[[], list[str]]:
    """A picklable function giving the ids already stored, for a stream's workers to call once
    (read in `setup()`: a stream may not wait for a bounded side input to join it)."""
    if settings.bigquery:
        return functools.partial(bigquery.known_ids_now, settings.bigquery.dataset, now)
    return functools.partial(duckdb.known_story_ids, settings.warehouse_target)


def recent_stories(settings: Settings, now) -> Callable[[], list[dict]]:
    """A picklable function giving the stories published since `now` less RECENT_DAYS (what a
    run's new stories are clustered with): story_id, cluster_id, title, the text's opening,
    language and published_at."""
    from dyad.transforms.cluster import RECENT_DAYS
    since = now - dt.timedelta(days=RECENT_DAYS)
    if settings.bigquery:
        return functools.partial(bigquery.recent_stories_now, settings.bigquery.dataset, since)
    return functools.partial(duckdb.recent_stories, settings.warehouse_target, since)


def outlet_stories(settings: Settings, now) -> Callable[[], list[dict]]:
    """A picklable function giving the stories held from the last KNOWN_IDS_DAYS, once per feed
    link, with the feed's GUID (what an outlet's republished entry is matched with)."""
    since = now - dt.timedelta(days=bigquery_tables.KNOWN_IDS_DAYS)
    if settings.bigquery:
        return functools.partial(bigquery.outlet_stories_now, settings.bigquery.dataset, since)
    return functools.partial(duckdb.outlet_stories, settings.warehouse_target, since)


def cluster_setter(settings: Settings, run_id: str) -> Callable[[list[tuple[str, str]]], int]:
    """A picklable function that sets the clusters of the run's written stories from
    (story_id, cluster_id) pairs; returns the rows changed."""
    if settings.bigquery:
        return functools.partial(bigquery.set_cluster_ids_now, settings.bigquery.dataset, run_id)
    return functools.partial(duckdb.set_cluster_ids, settings.warehouse_target, run_id)


def write(settings: Settings, run_id: str, started_at, ticks=None) -> beam.PTransform:
    """The writer; a stream passes its clock's `ticks`, on which BigQuery publishes staged rows."""
    if settings.bigquery:
        return bigquery.WriteToBigQueryWarehouse(settings.bigquery, run_id, started_at, ticks)
    # A batch run flattens each table's inputs into one writer (a smaller graph starts faster);
    # a local stream's runner would hold a flatten's output until the stream ends.
    return duckdb.WriteToDuckDB(settings.warehouse_target, run_id, settings.write_batch_size,
                                flatten=ticks is None)


def run_summary(settings: Settings, run_id: str) -> dict:
    if settings.bigquery is None:
        return duckdb.run_summary(settings.warehouse_target, run_id)
    ds = settings.bigquery.dataset
    client = bigquery_client.client(ds.project)

    def query(sql: str, params: dict):
        return list(client.query(sql, job_config=bigquery_tables.query_parameters(**params)).result())

    return summary.run_summary(query, ds.sql(STORIES.name), ds.sql(ERRORS.name), run_id)


def location(settings: Settings) -> str:
    """The warehouse as a person reads it: a file path or project.dataset."""
    if settings.bigquery:
        ds = settings.bigquery.dataset
        return f"bigquery:{ds.project}.{ds.dataset}"
    return settings.warehouse_target
