"""Stage 6, write to DuckDB: rows of `stories`, `story_sightings`, `ingest_errors` (and the hourly
counts of a stream) → the file.

Rows are batched within a bundle (no shuffle, so a stream writes as it goes) and each batch is
written in its own short connection, under a lock file: DuckDB allows one writing process per file,
and between batches the file is free for analysts and dashboards to read. A reader holding the
file makes the writer wait and retry. Inserts are idempotent: a stored key keeps its row, except
the columns a table's `on_conflict` widens (a sighting's first/last seen). A batch the database
refuses is retried row by row, and each refused row becomes an `ingest_errors` row (stage `write`).
"""
from __future__ import annotations

import fcntl
import logging
import os
import time
from contextlib import contextmanager
from typing import Iterable

import apache_beam as beam
import duckdb
import pyarrow as pa
from apache_beam.metrics import Metrics

from dyad import progress
from dyad.errors import error_row
from dyad.transforms.sinks import summary
from dyad.schemas import (ALL_TABLES, VIEWS, ERRORS, Table,
                          arrow_schema, duckdb_ddl)
from dyad.schemas.fields import duckdb_type

log = logging.getLogger(__name__)
TABLES = {t.name: t for t in ALL_TABLES}


# How long a writer waits for readers to let go of the file before the batch fails (seconds).
LOCK_WAIT = 60.0


def connect(path: str, read_only: bool = False, wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the file; while another process holds it, retry for up to `wait` seconds."""
    if not read_only:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@contextmanager
def writer_lock(path: str):
    """One writer at a time across threads and processes (DuckDB's own lock would just refuse)."""
    with open(os.path.abspath(path) + ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_schema(con) -> None:
    """Create missing tables and the daily view; add columns the schema gained since (no data lost)."""
    for table in ALL_TABLES:
        con.execute(duckdb_ddl(table)).fetchall()
        have = {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
            [table.name]).fetchall()}
        for f in table.fields:
            if f.name not in have:
                con.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{f.name}" '
                            f'{duckdb_type(f)}').fetchall()
    for name, (sql, _description) in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql.format(stories='stories')}").fetchall()


def known_story_ids(path: str) -> list[str]:
    """Ids already in the warehouse at `path` (none when the file or table does not exist yet)."""
    return [row[0] for row in _stories_query(path, "SELECT story_id FROM stories", {})]


def recent_stories(path: str, since) -> list[dict]:
    """The stories published since `since` (summary.RECENT_STORIES_SQL); none without a file."""
    sql = summary.duckdb_parameters(summary.RECENT_STORIES_SQL.format(stories="stories"))
    return [dict(zip(summary.RECENT_COLUMNS, row))
            for row in _stories_query(path, sql, {"since": since})]


def outlet_stories(path: str, since) -> list[dict]:
    """The stories published since `since`, once per feed link (summary.OUTLET_STORIES_SQL)."""
    sql = summary.duckdb_parameters(summary.OUTLET_STORIES_SQL.format(
        stories="stories", sightings="story_sightings"))
    return [dict(zip(summary.OUTLET_COLUMNS, row))
            for row in _stories_query(path, sql, {"since": since}, ("stories", "story_sightings"))]


def _stories_query(path: str, sql: str, params: dict, tables: tuple = ("stories",)
                   ) -> list[tuple]:
    """Rows of a read-only query of the stories table (and the other `tables` it reads); none
    when the file or a table does not exist yet."""
    if not os.path.exists(path):
        return []
    con = connect(path, read_only=True, wait=LOCK_WAIT)
    try:
        exists = con.execute("SELECT count(DISTINCT table_name) FROM information_schema.tables "
                             "WHERE table_name IN (SELECT unnest($tables))",
                             {"tables": list(tables)}).fetchall()[0][0]
        return con.execute(sql, params).fetchall() if exists == len(tables) else []
    finally:
        con.close()


def _insert_sql(table: Table) -> str:
    base = f'INSERT INTO "{table.name}" BY NAME SELECT * FROM batch'
    if table.on_conflict:
        keys = ", ".join(f'"{k}"' for k in table.primary_key)
        sets = ", ".join(f'"{c}" = {_EXTREMES[how]}("{table.name}"."{c}", excluded."{c}")'
                         for c, how in table.on_conflict)
        return base + f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
    if table.primary_key:
        return base + " ON CONFLICT DO NOTHING"
    return base


_EXTREMES = {"min": "least", "max": "greatest"}


def insert_rows(con, table: Table, rows: list[dict]) -> int:
    """Insert `rows` (already built against `table`); returns how many rows were new."""
    if table.primary_key:  # one command may not touch a key twice
        rows = list({tuple(r[k] for k in table.primary_key): r for r in rows}.values())
    before = con.execute(f'SELECT count(*) FROM "{table.name}"').fetchall()[0][0]
    batch = pa.Table.from_pylist(rows, schema=arrow_schema(table))
    con.register("batch", batch)
    try:
        con.execute(_insert_sql(table)).fetchall()
    finally:
        con.unregister("batch")
    return con.execute(f'SELECT count(*) FROM "{table.name}"').fetchall()[0][0] - before


def write_batch(path: str, tagged_rows: Iterable[tuple[str, dict]], run_id: str) -> dict[str, int]:
    """Write (table name, row) pairs; refused rows become error rows. Returns new rows per table."""
    by_table: dict[str, list[dict]] = {}
    for name, row in tagged_rows:
        by_table.setdefault(name, []).append(row)
    written = {name: 0 for name in by_table}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with writer_lock(path):
        con = connect(path, wait=LOCK_WAIT)
        try:
            _write_tables(con, by_table, written, run_id)
        finally:
            con.close()
    return written


def _write_tables(con, by_table: dict, written: dict, run_id: str) -> None:
    ensure_schema(con)
    refused = []
    for name, rows in by_table.items():
        table = TABLES[name]
        try:
            written[name] += insert_rows(con, table, rows)
        except (duckdb.Error, pa.ArrowException) as exc:
            log.warning("batch of %d %s rows refused (%s); retrying one by one", len(rows), name, exc)
            for row in rows:
                try:
                    written[name] += insert_rows(con, table, [row])
                except (duckdb.Error, pa.ArrowException) as row_exc:
                    refused.append(error_row("write", row.get("url"), row.get("feed_url"),
                                             type(row_exc).__name__, str(row_exc), run_id))
    if refused:
        written[ERRORS.name] = written.get(ERRORS.name, 0) + insert_rows(con, ERRORS, refused)


def set_cluster_ids(path: str, run_id: str, assigned: list[tuple[str, str]]) -> int:
    """Set the cluster of each of `run_id`'s stories in `assigned` ((story_id, cluster_id));
    returns the rows changed."""
    if not assigned:
        return 0
    stories, clusters = zip(*assigned)
    with writer_lock(path):
        con = connect(path, wait=LOCK_WAIT)
        try:
            con.register("assigned", pa.table({"story_id": list(stories),
                                               "cluster_id": list(clusters)}))
            return con.execute(
                "UPDATE stories SET cluster_id = a.cluster_id FROM assigned AS a "
                "WHERE stories.story_id = a.story_id AND stories.run_id = ?",
                [run_id]).fetchall()[0][0]
        finally:
            con.close()


class WriteDuckDBBatchFn(beam.DoFn):
    def __init__(self, path: str, run_id: str):
        self.path = path
        self.run_id = run_id
        self.counters = {name: Metrics.counter("dyad", f"written_{name}") for name in TABLES}

    def process(self, tagged_rows: list) -> Iterable[dict]:
        for name, count in write_batch(self.path, tagged_rows, self.run_id).items():
            self.counters[name].inc(count)
            if name == "stories":
                progress.bump("stories_written", count)
            yield {"table": name, "written": count}


class WriteToDuckDB(beam.PTransform):
    """{table name: PCollection[row] or a tuple of them} → [PCollection[{table, written}]], each
    written in batches into the one file.

    With `flatten`, a table's inputs are flattened into one writer. Without (streams), each input
    has its own writer (see dead_letters); windowed rows must be re-windowed into the global
    window first."""

    def __init__(self, path: str, run_id: str, batch_size: int = 500, flatten: bool = False):
        super().__init__()
        self.path = path
        self.run_id = run_id
        self.batch_size = batch_size
        self.flatten = flatten

    def expand(self, tables: dict):
        written = []
        for name in sorted(tables):
            inputs = tables[name] if isinstance(tables[name], tuple) else (tables[name],)
            if self.flatten and len(inputs) > 1:
                inputs = (inputs | f"Flatten{TABLES[name].label}" >> beam.Flatten(),)
            for i, rows in enumerate(inputs):
                label = TABLES[name].label + (str(i) if len(inputs) > 1 else "")
                result = (
                    rows
                    | f"Tag{label}" >> beam.Map(lambda row, name=name: (name, row))
                    # Full batches: each write pays ~50 ms (open, schema check, checkpoint) under
                    # the file lock. A bundle's end (a stream's every bundle) flushes the rest.
                    | f"Batch{label}" >> beam.BatchElements(min_batch_size=self.batch_size,
                                                            max_batch_size=self.batch_size)
                    | f"Insert{label}" >> beam.ParDo(WriteDuckDBBatchFn(self.path, self.run_id))
                    .with_exception_handling()
                )
                result.bad | f"LogFailures{label}" >> beam.Map(_log_failed_batch)
                written.append(result.good)
        return written


def _log_failed_batch(dead_letter) -> None:
    rows, (_type, message, _tb) = dead_letter
    log.error("could not write %d rows to DuckDB: %s", len(list(rows)), message)
    Metrics.counter("dyad", "write_batches_failed").inc()


def run_summary(path: str, run_id: str, top: int = 5) -> dict:
    """What a run wrote and what the warehouse holds, for the end-of-run report."""
    con = connect(path, read_only=True)
    try:
        return summary.run_summary(
            lambda sql, params: con.execute(summary.duckdb_parameters(sql), params).fetchall(),
            "stories", ERRORS.name, run_id, top)
    finally:
        con.close()


class ReadKnownStoryIds(beam.PTransform):
    """PBegin → PCollection[story_id] already in the DuckDB file (what batch dedupe skips)."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def expand(self, pbegin):
        return (pbegin
                | "WarehousePath" >> beam.Create([self.path])
                | "ReadIds" >> beam.FlatMap(known_story_ids))
