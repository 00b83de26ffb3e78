"""End to end into BigQuery (a real local emulator): the sample feeds, twice, and against DuckDB."""
import datetime as dt
import os
import subprocess
import sys

import duckdb
import pytest
from apache_beam.runners.runner import PipelineState

from dyad.bigquery import client as bigquery_client
from dyad.pipelines import batch, stream
from dyad.pipelines.launch import Run
from dyad.schemas import STORIES
from tests.conftest import BQ_PROJECT, REPO

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("bigquery_emulator")]

DYAD = os.path.join(os.path.dirname(sys.executable), "dyad")
DATASET = "news_e2e"
WAREHOUSE = f"bigquery:{BQ_PROJECT}.{DATASET}"
# Differ between two runs by nature: when each page was fetched.
PER_FETCH = {"fetched_at"}


def ingest(feed_list, warehouse, identity):
    _identity, _settings, result = batch.run(
        ["--feeds", feed_list, "--warehouse", warehouse, "--allow-network", "127.0.0.1/32"],
        run_identity=identity)
    assert result.state == PipelineState.DONE


@pytest.fixture(scope="module")
def runs(sample_sites, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bq-e2e")
    feed_list = sample_sites.write_feed_list(str(folder / "feeds.yaml"))
    first = Run.new()
    db = str(folder / "dyad.duckdb")
    ingest(feed_list, f"duckdb:{db}", first)
    ingest(feed_list, WAREHOUSE, first)
    # The second run as a user types it: a separate process that finds the emulator by its variable.
    second = subprocess.run([DYAD, "ingest", "--feeds", feed_list, "--warehouse", WAREHOUSE,
                             "--allow-network", "127.0.0.1/32"], capture_output=True, text=True,
                            timeout=600, cwd=REPO, env=os.environ.copy())
    assert second.returncode == 0, second.stderr
    return db, first, second


def query(sql):
    client = bigquery_client.client(BQ_PROJECT)
    return [dict(row.items()) for row in client.query(sql).result()]


def table(name):
    return f"`{BQ_PROJECT}.{DATASET}.{name}`"


def test_tables_are_partitioned_and_clustered(runs):
    client = bigquery_client.client(BQ_PROJECT)
    stories = client.get_table(f"{BQ_PROJECT}.{DATASET}.stories")
    assert (stories.time_partitioning.type_, stories.time_partitioning.field) == ("DAY",
                                                                                  "published_at")
    assert stories.clustering_fields == ["country_pair", "topic"]
    assert {t.table_id for t in client.list_tables(f"{BQ_PROJECT}.{DATASET}")} >= {
        "stories", "story_sightings", "ingest_errors", "daily_pair_topic"}


def test_second_run_adds_no_visible_duplicate(runs):
    _db, first, second = runs
    assert "stories written: 0 " in second.stdout and "in warehouse: 44" in second.stdout
    counts = query(f"SELECT count(*) AS n, count(DISTINCT story_id) AS ids, "
                   f"countif(run_id = '{first.run_id}') AS first FROM {table('stories')}")
    assert counts == [{"n": 44, "ids": 44, "first": 44}]
    sightings = query(f"SELECT count(*) AS n, count(DISTINCT story_id || feed_url) AS keys "
                      f"FROM {table('story_sightings')}")
    # 44 stories, 2 of them also carried by a second feed
    assert sightings[0]["n"] == sightings[0]["keys"] == 46


def test_failures_land_in_the_errors_table(runs):
    _db, first, _second = runs
    errors = query(f"SELECT stage, error_type FROM {table('ingest_errors')} "
                   f"WHERE run_id = '{first.run_id}' ORDER BY stage")
    assert [(e["stage"], e["error_type"]) for e in errors] == [
        ("fetch", "http_404"), ("parse_feeds", "no_link"), ("read_feeds", "http_404")]


def test_daily_view_counts_every_story(runs):
    days = query(f"SELECT sum(stories) AS n FROM {table('daily_pair_topic')}")
    assert days == [{"n": 44}]


def test_duckdb_and_bigquery_hold_the_same_stories_and_values(runs):
    db, _first, _second = runs
    con = duckdb.connect(db, read_only=True)
    cursor = con.execute("SELECT * FROM stories ORDER BY story_id")
    names = [d[0] for d in cursor.description]
    in_duckdb = [dict(zip(names, r)) for r in cursor.fetchall()]
    in_bigquery = query(f"SELECT * FROM {table('stories')} ORDER BY story_id")
    assert len(in_duckdb) == len(in_bigquery) == 44
    compared = [c for c in STORIES.column_names if c not in PER_FETCH]
    for a, b in zip(in_duckdb, in_bigquery):
        for column in compared:
            assert normal(a[column]) == normal(b[column]), (a["url"], column)
        assert (a["fetched_at"] is None) == (b["fetched_at"] is None)


def normal(value):
    """One form for both clients: UTC datetimes; records and lists compared by value."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


def readme_queries():
    text = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    section = text.split("## BigQuery", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```sql\n")[1:]]


def test_clusters_and_their_view_in_bigquery(runs):
    """The batch assigns same-story clusters in BigQuery too (the second run reads the first's
    recent stories back); story_clusters and the daily view count them."""
    shared = query(f"SELECT articles, outlets, languages FROM {table('story_clusters')} "
                   "WHERE articles > 1")
    assert len(shared) >= 2 and all(row["outlets"] == 2 and row["languages"] == "en"
                                    for row in shared)
    totals = query(f"SELECT sum(stories) AS stories, sum(clusters) AS clusters "
                   f"FROM {table('daily_pair_topic')}")
    assert totals[0]["stories"] == 44 and totals[0]["clusters"] < 44


def test_the_readme_queries_run(runs):
    queries = readme_queries()
    assert len(queries) == 4
    for sql in queries:
        query(sql.replace("my-project.news", f"{BQ_PROJECT}.{DATASET}"))
    iran = query(queries[2].replace("my-project.news", f"{BQ_PROJECT}.{DATASET}"))
    expected = query(f"SELECT count(*) AS n FROM {table('stories')}, UNNEST(countries) AS c "
                     "WHERE c.code = 'IRN'")
    assert len(iran) == expected[0]["n"] > 0


def test_a_stream_publishes_into_bigquery(sample_sites, tmp_path):
    feed_list = sample_sites.write_feed_list(str(tmp_path / "feeds.yaml"))
    _identity, _settings, result = stream.run(
        ["--feeds", feed_list, "--warehouse", f"bigquery:{BQ_PROJECT}.news_stream",
         "--allow-network", "127.0.0.1/32", "--poll-interval", "2", "--duration", "5"])
    assert result.state == PipelineState.DONE
    counts = query(f"SELECT count(*) AS n, count(DISTINCT story_id) AS ids "
                   f"FROM `{BQ_PROJECT}.news_stream.stories`")
    assert counts == [{"n": 44, "ids": 44}]
