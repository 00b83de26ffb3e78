"""Stage 6, write to BigQuery: rows of `stories`, `story_sightings`, `ingest_errors` → the dataset.

Each row is checked against its table and turned into BigQuery's JSON form; a row that does not
fit becomes an `ingest_errors` row (stage `write`). Rows go out through Beam's WriteToBigQuery:
FILE_LOADS in batch (free, atomic per load), STREAMING_INSERTS in streaming. Stories and sightings
land in staging tables; once every write of the run has finished, one MERGE per table publishes
them (see bigquery_tables), so a re-run or a retried insert never shows a story twice. Rows that
BigQuery itself rejects (streaming inserts report them row by row) become `ingest_errors` rows.
"""
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Iterable

import apache_beam as beam
from apache_beam.io.gcp.bigquery import BigQueryDisposition, WriteToBigQuery
from apache_beam.metrics import Metrics
from apache_beam.pvalue import AsList

from dyad import progress
from dyad.bigquery import client as bigquery_client
from dyad.errors import error_row
from dyad.schemas import ERRORS, RowError, Table, bigquery_json, bigquery_schema, build_row
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage
from dyad.transforms.sinks.bigquery_tables import (MERGED_TABLES, Dataset, known_story_ids,
                                                   merge_staged, outlet_stories, recent_stories,
                                                   set_cluster_ids, staging_table)

log = logging.getLogger(__name__)

FILE_LOADS = "FILE_LOADS"
STREAMING_INSERTS = "STREAMING_INSERTS"
METHODS = (FILE_LOADS, STREAMING_INSERTS)
TABLES = {t.name: t for t in (*MERGED_TABLES, ERRORS)}


@dataclass(frozen=True)
class BigQueryTarget:
    """Where and how rows are written: plain values the transforms take."""

    dataset: Dataset
    method: str
    temp_location: str = ""  # FILE_LOADS writes its files here (gs://..., or local for an emulator)

    @property
    def local_files(self) -> bool:
        return not self.temp_location.startswith("gs://")


class ToBigQueryJsonFn(beam.DoFn):
    """A row of `table` → its JSON form (plus staging columns when `staged`), or an error row.

    Staged rows carry the run and `staged_at` (a batch run's start, or for streams the time now).
    """

    def __init__(self, table: Table, run_id: str, staged: bool,
                 staged_at: dt.datetime | None = None):
        self.table = table
        self.run_id = run_id
        self.staged = staged
        self.staged_at = staged_at
        self.refused = Metrics.counter("dyad", "bigquery_rows_refused")

    def process(self, row: dict) -> Iterable[dict | ErrorOut]:
        try:
            out = bigquery_json(self.table, build_row(self.table, row))
        except RowError as exc:
            self.refused.inc()
            yield error_output(error_row("write", row.get("url"), row.get("feed_url"),
                                         "row_invalid", str(exc), self.run_id))
            return
        if self.staged:
            staged_at = self.staged_at or dt.datetime.now(dt.timezone.utc)
            out["staged_run_id"] = self.run_id
            out["staged_at"] = staged_at.isoformat(sep=" ")
        yield out


def rejected_row(rejection, run_id: str) -> dict:
    """A (destination, row, errors) rejection from WriteToBigQuery → an `ingest_errors` row."""
    destination, row, errors = rejection
    message = "; ".join(f"{e.get('location') or '-'}: {e.get('message') or e.get('reason')}"
                        for e in errors or [])
    Metrics.counter("dyad", "bigquery_rows_rejected").inc()
    return error_row("write", row.get("url"), row.get("feed_url"), "bigquery_rejected",
                     f"{destination}: {message}", run_id)


class MergeStagedFn(beam.DoFn):
    """Once the run's writes are done (side inputs complete), MERGE its staged rows."""

    def __init__(self, dataset: Dataset, run_id: str, since: dt.datetime, tables: tuple):
        self.dataset = dataset
        self.run_id = run_id
        self.since = since
        self.tables = tables
        self.counters = {t.name: Metrics.counter("dyad", f"written_{t.name}") for t in tables}

    def setup(self):
        bigquery_client.configure_beam()
        self.client = bigquery_client.client(self.dataset.project)

    def process(self, _trigger, *_writes_done) -> Iterable[dict]:
        merged = merge_staged(self.client, self.dataset, self.run_id, self.since, self.tables)
        for name, count in merged.items():
            self.counters[name].inc(count)
            if name == "stories":
                progress.bump("stories_written", count)
            yield {"table": name, "written": count}


class WriteToBigQueryWarehouse(beam.PTransform):
    """{table name: PCollection[row] or a tuple of them} → [PCollection[{table, written}]] once the
    run is published."""

    def __init__(self, target: BigQueryTarget, run_id: str, started_at: dt.datetime,
                 merge_ticks=None):
        super().__init__()
        self.target = target
        self.run_id = run_id
        self.started_at = started_at
        # A stream also publishes on each tick of its clock (its writes never "finish").
        self.merge_ticks = merge_ticks

    def expand(self, tables):
        tables = {name: _one(rows, f"All{TABLES[name].label}") for name, rows in tables.items()}
        writes_done, refused, rejections = [], [], []
        merged_tables = tuple(t for t in MERGED_TABLES if t.name in tables)
        for table in merged_tables:
            name = table.label
            rows, bad = run_stage(tables[table.name], f"{name}ToJson",
                                  ToBigQueryJsonFn(table, self.run_id, True,
                                                   None if self.merge_ticks else self.started_at),
                                  "write", self.run_id)
            result = rows | f"Write{name}" >> self._write(staging_table(table))
            writes_done += self._finished(result)
            refused += bad
            if self.target.method == STREAMING_INSERTS:
                rejections.append(result.failed_rows_with_errors)
        all_errors = (tables[ERRORS.name], *refused, *self._rejected(rejections)) | (
            "AllErrorRows" >> beam.Flatten())
        errors, unwritable = run_stage(all_errors, "IngestErrorsToJson",
                                       ToBigQueryJsonFn(ERRORS, self.run_id, False), "write",
                                       self.run_id)
        errors_result = errors | "WriteIngestErrors" >> self._write(ERRORS)
        lost = list(unwritable)
        if self.target.method == STREAMING_INSERTS:
            lost.append(errors_result.failed_rows_with_errors)
        lost | "LostErrorRows" >> beam.Flatten() | "LogLostErrorRows" >> beam.Map(_log_lost)
        pipeline = tables[ERRORS.name].pipeline
        merged = (
            pipeline
            | "MergeTrigger" >> beam.Create([self.run_id])
            | "MergeStaged" >> beam.ParDo(
                MergeStagedFn(self.target.dataset, self.run_id, self.started_at, merged_tables),
                *[AsList(done) for done in writes_done]).with_exception_handling()
        )
        merged.bad | "LogMergeFailure" >> beam.Map(_log_merge_failure)
        if self.merge_ticks is None:
            return [merged.good]
        on_ticks = self.merge_ticks | "MergeEachTick" >> beam.ParDo(MergeStagedFn(
            self.target.dataset, self.run_id, self.started_at, merged_tables)
        ).with_exception_handling()
        on_ticks.bad | "LogTickMergeFailure" >> beam.Map(_log_merge_failure)
        return [merged.good, on_ticks.good]

    def _write(self, table: Table) -> WriteToBigQuery:
        loads = self.target.method == FILE_LOADS
        return WriteToBigQuery(
            table=table.name,
            dataset=self.target.dataset.dataset,
            project=self.target.dataset.project,
            schema=bigquery_schema(table),
            method=self.target.method,
            create_disposition=BigQueryDisposition.CREATE_NEVER,
            write_disposition=BigQueryDisposition.WRITE_APPEND,
            custom_gcs_temp_location=self.target.temp_location if loads else None,
            temp_file_format="NEWLINE_DELIMITED_JSON",
            insert_retry_strategy="RETRY_ON_TRANSIENT_ERROR",
            # Beam insists on a gs:// temp location; an emulator reads local files instead.
            validate=not self.target.local_files,
        )

    def _finished(self, result) -> list:
        """PCollections that are complete only when the write has finished."""
        if self.target.method == FILE_LOADS:
            return [result.destination_load_jobid_pairs, result.destination_copy_jobid_pairs]
        return [result.failed_rows_with_errors]

    def _rejected(self, rejections: list) -> list:
        return [rejected | f"Rejected{i}ToErrorRows" >> beam.Map(rejected_row, self.run_id)
                for i, rejected in enumerate(rejections)]


def _one(rows, label: str):
    """A table's rows as one PCollection (BigQuery's writers are not per input)."""
    return rows | label >> beam.Flatten() if isinstance(rows, tuple) else rows


def _log_lost(lost) -> None:
    """An error row that could not be written either: the log is the last place it can go."""
    Metrics.counter("dyad", "error_rows_lost").inc()
    log.error("an ingest_errors row could not be written to BigQuery: %s", lost)


def _log_merge_failure(dead_letter) -> None:
    _trigger, (_type, message, _tb) = dead_letter
    Metrics.counter("dyad", "write_batches_failed").inc()
    log.error("publishing the run's staged rows failed (%s); they stay unpublished, and the next "
              "run fetches and publishes those stories", message)


def known_ids_now(dataset: Dataset, now: dt.datetime) -> list[str]:
    bigquery_client.configure_beam()
    return known_story_ids(bigquery_client.client(dataset.project), dataset, now)


def recent_stories_now(dataset: Dataset, since: dt.datetime) -> list[dict]:
    bigquery_client.configure_beam()
    return recent_stories(bigquery_client.client(dataset.project), dataset, since)


def outlet_stories_now(dataset: Dataset, since: dt.datetime) -> list[dict]:
    bigquery_client.configure_beam()
    return outlet_stories(bigquery_client.client(dataset.project), dataset, since)


def set_cluster_ids_now(dataset: Dataset, run_id: str, assigned: list[tuple[str, str]]) -> int:
    if not assigned:
        return 0
    bigquery_client.configure_beam()
    return set_cluster_ids(bigquery_client.client(dataset.project), dataset, assigned, run_id)


class KnownStoryIdsFn(beam.DoFn):
    def __init__(self, dataset: Dataset, now: dt.datetime):
        self.dataset = dataset
        self.now = now

    def setup(self):
        bigquery_client.configure_beam()
        self.client = bigquery_client.client(self.dataset.project)

    def process(self, _trigger) -> Iterable[str]:
        yield from known_story_ids(self.client, self.dataset, self.now)


class ReadKnownStoryIdsBigQuery(beam.PTransform):
    """PBegin → PCollection[story_id] of recent stories already in BigQuery (dedupe skips them)."""

    def __init__(self, dataset: Dataset, now: dt.datetime):
        super().__init__()
        self.dataset = dataset
        self.now = now

    def expand(self, pbegin):
        return (pbegin
                | "Trigger" >> beam.Create([None])
                | "ReadIds" >> beam.ParDo(KnownStoryIdsFn(self.dataset, self.now)))
