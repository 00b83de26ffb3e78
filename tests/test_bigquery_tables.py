"""BigQuery tables, schema changes, staging and MERGE, against a real local emulator."""
import datetime as dt

import pytest
from google.cloud import bigquery

from dyad.bigquery import client as bigquery_client
from dyad.schemas import ERRORS, SIGHTINGS, STORIES, Field, Table, bigquery_json
from dyad.transforms.sinks.bigquery_tables import (Dataset, WarehouseError, ensure_table,
                                                   ensure_warehouse, known_story_ids, merge_sql,
                                                   merge_staged, outlet_stories, staging_table)
from tests.conftest import NOW, RUN_ID, story

pytestmark = pytest.mark.usefixtures("bigquery_emulator")


def rows(client, sql):
    return [tuple(r) for r in client.query(sql).result()]


@pytest.fixture
def warehouse(bq_dataset):
    client = bigquery_client.client(bq_dataset.project)
    ensure_warehouse(client, bq_dataset)
    return client, bq_dataset


def stage(client, ds, table, rows_, run_id=RUN_ID, staged_at=NOW):
    staged = [{**bigquery_json(table, r), "staged_run_id": run_id,
               "staged_at": staged_at.isoformat(sep=" ")} for r in rows_]
    errors = client.insert_rows_json(ds.ref(staging_table(table).name), staged)
    assert errors == []


def sighting(i, feed, first, last):
    return {"story_id": f"id{i}", "feed_url": feed, "entry_url": f"http://x/{i}", "guid": None,
            "entry_published_at": None, "first_seen_at": first, "last_seen_at": last}


def test_dataset_parse():
    assert Dataset.parse("my-project.news_2026") == Dataset("my-project", "news_2026")
    assert Dataset.parse("example.com:my-project.news").project == "example.com:my-project"
    for bad in ("news", "UPPER.news", "my-project.bad-name", "my-project."):
        with pytest.raises(ValueError):
            Dataset.parse(bad)


def test_tables_have_the_declared_partitioning_clustering_and_view(warehouse):
    client, ds = warehouse
    stories = client.get_table(ds.ref("stories"))
    assert stories.time_partitioning.type_ == "DAY"
    assert stories.time_partitioning.field == "published_at"
    assert stories.clustering_fields == ["country_pair", "topic"]
    assert [f.name for f in stories.schema] == STORIES.column_names
    errors = client.get_table(ds.ref("ingest_errors"))
    assert errors.time_partitioning.field == "occurred_at"
    staging = client.get_table(ds.ref("staging_stories"))
    assert staging.time_partitioning.field == "staged_at"
    assert staging.time_partitioning.expiration_ms == 7 * 86_400_000
    assert client.get_table(ds.ref("daily_pair_topic")).table_type == "VIEW"


def test_merge_publishes_each_story_once_across_retries_and_reruns(warehouse):
    client, ds = warehouse
    first, retry = story(1, title="first"), story(1, title="retried insert")
    # Story 2's page states the day before NOW's UTC day: the daily view counts it there.
    day_before = NOW.date() - dt.timedelta(days=1)
    stage(client, ds, STORIES, [first, retry, story(2, published_date=day_before)])
    assert merge_staged(client, ds, RUN_ID, NOW)["stories"] == 2
    # The same run merged again (a restarted job) and another run staging the same story.
    assert merge_staged(client, ds, RUN_ID, NOW)["stories"] == 0
    stage(client, ds, STORIES, [story(1, run_id="rerun"), story(3, run_id="rerun")], run_id="rerun")
    assert merge_staged(client, ds, "rerun", NOW)["stories"] == 1
    got = rows(client, f"SELECT story_id, title, run_id FROM {ds.sql('stories')} ORDER BY 1")
    assert got == [("id1", "first", RUN_ID), ("id2", None, RUN_ID), ("id3", None, "rerun")]
    assert sorted(rows(client, f"SELECT * FROM {ds.sql('daily_pair_topic')}")) == [
        (day_before, "CHN-RUS", "defence", 1, 1, 1), (NOW.date(), "CHN-RUS", "defence", 2, 1, 2)]


def test_the_relations_view_gives_each_pairs_day_its_lean(warehouse):
    client, ds = warehouse
    relation = {"event": "AGREE", "quad_class": "verbal_cooperation", "score": 4.0,
                "source": "CHN", "target": "RUS", "confidence": 0.8, "evidence": "s"}
    stage(client, ds, STORIES, [story(1, relation=relation), story(2), story(3, relation={
        **relation, "event": "FIGHT", "quad_class": "material_conflict", "score": -10.0})])
    merge_staged(client, ds, RUN_ID, NOW)
    assert rows(client, f"SELECT relation.event FROM {ds.sql('stories')} WHERE story_id = 'id1'"
                ) == [("AGREE",)]
    assert rows(client, f"SELECT country_pair, stories, related, cooperation_share, "
                        f"conflict_share, mean_score FROM {ds.sql('daily_pair_relations')}") == [
        ("CHN-RUS", 3, 2, 0.5, 0.5, -3.0)]


def test_merge_only_takes_its_own_run_and_recent_staging(warehouse):
    client, ds = warehouse
    stage(client, ds, STORIES, [story(1)], run_id="other")
    stage(client, ds, STORIES, [story(2)], staged_at=NOW - dt.timedelta(days=1))
    assert merge_staged(client, ds, RUN_ID, NOW) == {"stories": 0, "story_sightings": 0,
                                                     "hourly_pair_topic": 0}


def test_sightings_merge_widens_first_and_last_seen(warehouse):
    client, ds = warehouse
    day = dt.timedelta(days=1)
    stage(client, ds, SIGHTINGS, [sighting(1, "f1", NOW, NOW), sighting(1, "f1", NOW - day, NOW),
                                  sighting(1, "f2", NOW, NOW)])
    assert merge_staged(client, ds, RUN_ID, NOW)["story_sightings"] == 2
    stage(client, ds, SIGHTINGS, [sighting(1, "f1", NOW + day, NOW + 2 * day)], run_id="later")
    assert merge_staged(client, ds, "later", NOW)["story_sightings"] == 1  # updated, not added
    got = rows(client, f"SELECT feed_url, first_seen_at, last_seen_at FROM "
                       f"{ds.sql('story_sightings')} ORDER BY 1")
    assert got == [("f1", NOW - day, NOW + 2 * day), ("f2", NOW, NOW)]


def test_merge_sql_lists_every_column():
    sql = merge_sql(Dataset("p-roject", "d"), STORIES)
    assert "INSERT ROW" not in sql and all(c in sql for c in STORIES.column_names)
    assert "WHEN MATCHED" not in sql  # a story keeps its first row
    assert "WHEN MATCHED" in merge_sql(Dataset("p-roject", "d"), SIGHTINGS)


def test_added_columns_are_applied_without_losing_rows(bq_dataset):
    client = bigquery_client.client(bq_dataset.project)
    client.create_dataset(bq_dataset.dataset)
    old = Table("ingest_errors", ERRORS.fields[:3])
    client.create_table(bigquery.Table(bq_dataset.ref(old.name), schema=[
        bigquery.SchemaField(f.name, f.type, f.mode) for f in old.fields]))
    assert client.insert_rows_json(bq_dataset.ref(old.name), [
        {"stage": "fetch", "url": "http://x/1", "feed_url": "http://x/feed"}]) == []
    ensure_warehouse(client, bq_dataset)
    table = client.get_table(bq_dataset.ref("ingest_errors"))
    assert [f.name for f in table.schema] == ERRORS.column_names
    assert rows(client, f"SELECT stage, url, run_id FROM {bq_dataset.sql('ingest_errors')}") == [
        ("fetch", "http://x/1", None)]
    assert client.insert_rows_json(bq_dataset.ref("ingest_errors"), [
        {"stage": "parse", "error_type": "e", "message": "m", "run_id": "r2",
         "occurred_at": "2026-11-27 12:00:00+00:00", "pipeline_version": "t"}]) == []
    assert rows(client, f"SELECT count(*), count(run_id) FROM "
                        f"{bq_dataset.sql('ingest_errors')}") == [(2, 1)]


def test_a_column_of_another_type_is_refused_with_its_name(bq_dataset):
    client = bigquery_client.client(bq_dataset.project)
    client.create_dataset(bq_dataset.dataset)
    client.create_table(bigquery.Table(bq_dataset.ref("drift"), schema=[
        bigquery.SchemaField("word_count", "STRING")]))
    with pytest.raises(WarehouseError, match=r"drift\.word_count is NULLABLE STRING"):
        ensure_table(client, bq_dataset, Table("drift", (Field("word_count", "INTEGER"),)))


def test_known_ids_are_the_recent_stories(warehouse):
    client, ds = warehouse
    stage(client, ds, STORIES, [story(1), story(2, published_at=NOW - dt.timedelta(days=60))])
    merge_staged(client, ds, RUN_ID, NOW)
    assert known_story_ids(client, ds, NOW) == ["id1"]


def test_outlet_stories_bring_each_feeds_link_and_guid(warehouse):
    client, ds = warehouse
    stage(client, ds, STORIES, [story(1, title="Floods cut the road"), story(2),
                                story(3, published_at=NOW - dt.timedelta(days=60))])
    stage(client, ds, SIGHTINGS, [{**sighting(1, "http://x/feed", NOW, NOW), "guid": "g-1"},
                                  {**sighting(1, "http://y/feed", NOW, NOW),
                                   "entry_url": "http://x/1?from=y"}])
    merge_staged(client, ds, RUN_ID, NOW)
    found = outlet_stories(client, ds, NOW - dt.timedelta(days=14))
    assert sorted((s["story_id"], s["url"], s["guid"], s["title"], s["source"]) for s in found) == [
        ("id1", "http://x/1", "g-1", "Floods cut the road", "x"),
        ("id1", "http://x/1?from=y", "", "Floods cut the road", "x"),
        ("id2", "http://x/2", "", None, "x")]


def test_unreachable_endpoint_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv(bigquery_client.EMULATOR_ENV, "http://127.0.0.1:9")
    client = bigquery_client.client("dyad-test")
    with pytest.raises(WarehouseError, match="cannot reach BigQuery at http://127.0.0.1:9"):
        ensure_warehouse(client, Dataset("dyad-test", "nowhere"))
