"""WriteToBigQueryWarehouse on the DirectRunner against a real local emulator, both write methods."""
import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from google.cloud import bigquery

from dyad.bigquery import client as bigquery_client
from dyad.errors import error_row
from dyad.schemas import STORIES, bigquery_schema
from dyad.transforms.sinks.bigquery import (FILE_LOADS, STREAMING_INSERTS, BigQueryTarget,
                                            ToBigQueryJsonFn, WriteToBigQueryWarehouse,
                                            rejected_row)
from dyad.transforms.sinks.bigquery_tables import ensure_warehouse, staging_table
from tests.conftest import NOW, RUN_ID, story

SIGHTING = {"story_id": "id1", "feed_url": "http://x/feed", "entry_url": "http://x/1",
            "guid": "g1", "entry_published_at": None, "first_seen_at": NOW, "last_seen_at": NOW}


def rows(client, sql):
    return [tuple(r) for r in client.query(sql).result()]


def write(target, stories, sightings=(), errors=()):
    with TestPipeline() as p:
        tables = {"stories": p | "S" >> beam.Create(list(stories)),
                  "story_sightings": p | "G" >> beam.Create(list(sightings)),
                  "ingest_errors": p | "E" >> beam.Create(list(errors))}
        written = tables | WriteToBigQueryWarehouse(target, RUN_ID, NOW)
        assert_that(written | beam.Flatten() | beam.Map(lambda w: (w["table"], w["written"])),
                    equal_to([("stories", 2), ("story_sightings", 1)]))


def test_json_fn_refuses_what_bigquery_could_not_take():
    fn = ToBigQueryJsonFn(STORIES, RUN_ID, True, NOW)
    good = list(fn.process(story(1)))
    assert good[0]["staged_run_id"] == RUN_ID and good[0]["published_at"].startswith("2026-11-27 12")
    bad = list(fn.process(story(2, topic_score=float("nan"))))
    assert bad[0].tag == "errors" and bad[0].value["error_type"] == "row_invalid"
    assert "topic_score" in bad[0].value["message"] and bad[0].value["url"] == "http://x/2"


def test_rejections_become_error_rows():
    row = rejected_row(("p:d.staging_stories", {"url": "http://x/1", "feed_url": "http://x/f"},
                        [{"location": "title", "message": "Cannot convert"}]), RUN_ID)
    assert (row["stage"], row["error_type"], row["url"]) == ("write", "bigquery_rejected",
                                                             "http://x/1")
    assert "staging_stories: title: Cannot convert" in row["message"]


@pytest.mark.parametrize("method", [FILE_LOADS, STREAMING_INSERTS])
def test_each_story_once_and_refused_rows_in_the_errors_table(method, bq_dataset, tmp_path):
    client = bigquery_client.client(bq_dataset.project)
    ensure_warehouse(client, bq_dataset)
    target = BigQueryTarget(bq_dataset, method, str(tmp_path))
    fetch_error = error_row("fetch", "http://x/9", "http://x/feed", "http_404", "gone", RUN_ID)
    write(target, [story(1), story(1), story(2), story(3, topic_score=float("inf"))], [SIGHTING],
          [fetch_error])
    assert rows(client, f"SELECT story_id FROM {bq_dataset.sql('stories')} ORDER BY 1") == [
        ("id1",), ("id2",)]
    errors = rows(client, f"SELECT stage, error_type, url FROM {bq_dataset.sql('ingest_errors')} "
                          "ORDER BY url")
    assert errors == [("write", "row_invalid", "http://x/3"), ("fetch", "http_404", "http://x/9")]
    # The same rows again, as a rerun under another run id: nothing new becomes visible.
    again = BigQueryTarget(bq_dataset, method, str(tmp_path))
    with TestPipeline() as p:
        tables = {"stories": p | "S" >> beam.Create([story(1, run_id="r2"), story(2, run_id="r2")]),
                  "story_sightings": p | "G" >> beam.Create([SIGHTING]),
                  "ingest_errors": p | "E" >> beam.Create([])}
        tables | WriteToBigQueryWarehouse(again, "r2", NOW + dt.timedelta(minutes=1))
    assert rows(client, f"SELECT count(*), count(DISTINCT story_id) FROM "
                        f"{bq_dataset.sql('stories')}") == [(2, 2)]


def test_rows_bigquery_rejects_land_in_the_errors_table(bq_dataset, tmp_path):
    client = bigquery_client.client(bq_dataset.project)
    ensure_warehouse(client, bq_dataset)
    # The table drifts after the job started: someone made `title` an integer.
    staged = staging_table(STORIES)
    drifted = [bigquery.SchemaField.from_api_repr(
        {**f, "type": "INTEGER"} if f["name"] == "title" else f)
        for f in bigquery_schema(staged)["fields"]]
    client.delete_table(bq_dataset.ref(staged.name))
    client.create_table(bigquery.Table(bq_dataset.ref(staged.name), schema=drifted))
    write(BigQueryTarget(bq_dataset, STREAMING_INSERTS), [story(1), story(2), story(3, title="A")],
          [SIGHTING])
    errors = rows(client, f"SELECT stage, error_type, url, message FROM "
                          f"{bq_dataset.sql('ingest_errors')}")
    assert [e[:3] for e in errors] == [("write", "bigquery_rejected", "http://x/3")]
    assert "staging_stories" in errors[0][3]
    assert rows(client, f"SELECT story_id FROM {bq_dataset.sql('stories')} ORDER BY 1") == [
        ("id1",), ("id2",)]
