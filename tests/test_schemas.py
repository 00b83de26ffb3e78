import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from dyad.schemas import (ALL_TABLES, ERRORS, SIGHTINGS, STORIES, RowError, arrow_schema,
                          bigquery_json, bigquery_schema, build_row, duckdb_ddl)
from tests.conftest import story

REQUIRED_COLUMNS = {"story_id", "url", "canonical_url", "source", "feed_url", "title", "summary",
                    "text", "authors", "language", "published_at", "fetched_at", "ingested_at",
                    "topic", "topic_score", "topics", "countries", "country_pair", "country_a",
                    "country_b", "extraction", "word_count", "pipeline_version"}


def test_stories_table_carries_the_brief_contract():
    assert REQUIRED_COLUMNS <= set(STORIES.column_names)


def test_bigquery_schema_nests_records_and_modes():
    fields = {f["name"]: f for f in bigquery_schema(STORIES)["fields"]}
    assert fields["countries"]["type"] == "RECORD" and fields["countries"]["mode"] == "REPEATED"
    assert [f["name"] for f in fields["countries"]["fields"]] == ["code", "name", "mentions", "salience"]
    assert fields["story_id"]["mode"] == "REQUIRED"


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.name)
def test_duckdb_ddl_and_arrow_schema_agree(table, tmp_path):
    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    con.execute(duckdb_ddl(table)).fetchall()
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table.name]).fetchall()]
    assert cols == table.column_names == arrow_schema(table).names


def test_build_row_fills_missing_and_rejects_bad_values():
    row = build_row(ERRORS, {"stage": "fetch", "error_type": "x", "message": "m",
                             "occurred_at": dt.datetime(2026, 1, 1), "run_id": "r",
                             "pipeline_version": "0"})
    assert row["url"] is None and row["occurred_at"].tzinfo is not None
    with pytest.raises(RowError, match="required"):
        build_row(ERRORS, {"stage": "fetch"})
    with pytest.raises(RowError, match="unknown columns"):
        build_row(ERRORS, {"stage": "fetch", "nope": 1})
    with pytest.raises(RowError, match="expected a list"):
        build_row(ERRORS.__class__("t", STORIES.fields[9:10]), {"authors": "Jane"})


def test_rows_convert_to_arrow():
    row = build_row(ERRORS, {"stage": "fetch", "error_type": "x", "message": "m",
                             "occurred_at": dt.datetime(2026, 1, 1), "run_id": "r",
                             "pipeline_version": "0"})
    table = pa.Table.from_pylist([row], schema=arrow_schema(ERRORS))
    assert table.num_rows == 1


def test_values_a_warehouse_would_refuse_are_refused_by_the_row_builder():
    with pytest.raises(RowError, match="word_count: .* 64-bit"):
        story(1, word_count=2 ** 63)
    with pytest.raises(RowError, match="title: not valid Unicode"):
        story(1, title="half a pair \ud800")


def test_bigquery_json_form():
    row = bigquery_json(STORIES, story(1, published_at=dt.datetime(7, 3, 1, 9, 30, tzinfo=dt.timezone(
        dt.timedelta(hours=2)))))
    assert row["published_at"] == "0007-03-01 07:30:00.000000+00:00"
    assert row["countries"] == [{"code": "CHN", "name": "China", "mentions": 2, "salience": 1.0}]
    assert row["provenance"] is None and row["authors"] == []
    with pytest.raises(RowError, match="topics.score"):
        bigquery_json(STORIES, story(1, topics=[{"label": "x", "iptc": "y", "score": float("nan")}]))


def test_step_labels_come_from_table_names():
    assert (STORIES.label, SIGHTINGS.label, ERRORS.label) == ("Stories", "StorySightings",
                                                              "IngestErrors")
