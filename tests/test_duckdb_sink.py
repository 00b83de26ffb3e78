import datetime as dt

import apache_beam as beam
import duckdb
import pytest
from apache_beam.testing.test_pipeline import TestPipeline

from dyad.errors import error_row
from dyad.schemas import STORIES
from dyad.transforms.sinks.duckdb import (WriteToDuckDB, ensure_schema, known_story_ids,
                                          run_summary, write_batch)
from tests.conftest import RUN_ID, story


def test_writes_are_idempotent_and_nested_columns_survive(tmp_path):
    path = str(tmp_path / "w.duckdb")
    rows = [("stories", story(1)), ("stories", story(2)),
            ("ingest_errors", error_row("fetch", "u", "f", "http_404", "m", RUN_ID))]
    assert write_batch(path, rows, RUN_ID) == {"stories": 2, "ingest_errors": 1}
    assert write_batch(path, rows[:2], RUN_ID) == {"stories": 0}
    con = duckdb.connect(path, read_only=True)
    assert con.execute("SELECT countries[1].code, topics[1].label FROM stories WHERE "
                       "story_id = 'id1'").fetchall() == [("CHN", "defence")]
    con.close()
    assert sorted(known_story_ids(path)) == ["id1", "id2"]
    summary = run_summary(path, RUN_ID)
    assert summary["stories_written"] == 2 and summary["top_pairs"] == [("CHN-RUS", 2)]


def test_schema_gains_added_columns_without_losing_rows(tmp_path):
    path = str(tmp_path / "old.duckdb")
    con = duckdb.connect(path)
    con.execute("CREATE TABLE stories (story_id VARCHAR PRIMARY KEY, url VARCHAR)").fetchall()
    con.execute("INSERT INTO stories VALUES ('old', 'http://old')").fetchall()
    ensure_schema(con)
    cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'stories'").fetchall()}
    assert set(STORIES.column_names) <= cols
    assert con.execute("SELECT url FROM stories").fetchall() == [("http://old",)]


def test_refused_rows_become_error_rows(tmp_path):
    path = str(tmp_path / "r.duckdb")
    bad = story(3)
    bad["story_id"] = None  # violates NOT NULL in the database
    written = write_batch(path, [("stories", story(4)), ("stories", bad)], RUN_ID)
    assert written["stories"] == 1 and written["ingest_errors"] == 1
    con = duckdb.connect(path, read_only=True)
    assert con.execute("SELECT stage, url FROM ingest_errors").fetchall() == [("write", "http://x/3")]


def test_write_to_duckdb_composite(tmp_path):
    path = str(tmp_path / "c.duckdb")
    with TestPipeline() as p:
        tables = {"stories": p | "S" >> beam.Create([story(i) for i in range(7)]),
                  "ingest_errors": p | "E" >> beam.Create(
                      [error_row("parse", "u", "f", "x", "m", RUN_ID, dt.datetime(2026, 1, 1))])}
        tables | WriteToDuckDB(path, RUN_ID, batch_size=3)
    con = duckdb.connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM stories").fetchall() == [(7,)]
    assert con.execute("SELECT count(*) FROM ingest_errors").fetchall() == [(1,)]
    assert con.execute("SELECT sum(stories) FROM daily_pair_topic").fetchall() == [(7,)]


def test_the_daily_view_counts_a_story_on_the_day_its_page_states(tmp_path):
    path = str(tmp_path / "d.duckdb")
    late_evening = dt.datetime(2022, 2, 4, 4, 30, tzinfo=dt.timezone.utc)  # 23:30 in New York
    write_batch(path, [("stories", story(1, published_at=late_evening,
                                         published_date=dt.date(2022, 2, 3))),
                       ("stories", story(2, published_at=late_evening))], RUN_ID)
    con = duckdb.connect(path, read_only=True)
    assert con.execute("SELECT date, stories FROM daily_pair_topic ORDER BY 1").fetchall() == [
        (dt.date(2022, 2, 3), 1), (dt.date(2022, 2, 4), 1)]   # no published_date: the UTC day


def test_a_batch_writer_flattens_a_tables_inputs_into_one_insert(tmp_path):
    path = str(tmp_path / "f.duckdb")
    p = TestPipeline()
    errors = tuple(p | f"E{i}" >> beam.Create(
        [error_row("parse", f"u{i}", "f", "x", "m", RUN_ID, dt.datetime(2026, 1, 1))])
        for i in range(3))
    {"stories": p | "S" >> beam.Create([story(1)]), "ingest_errors": errors} | WriteToDuckDB(
        path, RUN_ID, batch_size=10, flatten=True)
    labels = {t.full_label.rsplit("/", 1)[-1] for t in p.transforms_stack[0].parts[-1].parts}
    assert {"FlattenIngestErrors", "InsertIngestErrors", "InsertStories"} <= labels
    assert not {"InsertIngestErrors0", "InsertIngestErrors1"} & labels
    p.run().wait_until_finish()
    con = duckdb.connect(path, read_only=True)
    assert con.execute("SELECT url FROM ingest_errors ORDER BY url").fetchall() == [
        ("u0",), ("u1",), ("u2",)]
    assert con.execute("SELECT count(*) FROM stories").fetchall() == [(1,)]


def test_the_relations_view_gives_each_pairs_day_its_lean(tmp_path):
    path = str(tmp_path / "r.duckdb")

    def related(i, quad, score):
        return story(i, relation={"event": "X", "quad_class": quad, "score": score,
                                  "source": "CHN", "target": "RUS", "confidence": 0.8,
                                  "evidence": "s"})
    write_batch(path, [("stories", related(1, "verbal_cooperation", 4.0)),
                       ("stories", related(2, "material_conflict", -9.0)),
                       ("stories", related(3, "material_cooperation", 6.0)),
                       ("stories", story(4))], RUN_ID)
    con = duckdb.connect(path, read_only=True)
    (row,) = con.execute("SELECT country_pair, stories, related, cooperation_share, "
                         "conflict_share, mean_score FROM daily_pair_relations").fetchall()
    assert row[:3] == ("CHN-RUS", 4, 3)
    assert row[3:] == pytest.approx((2 / 3, 1 / 3, 1 / 3))
