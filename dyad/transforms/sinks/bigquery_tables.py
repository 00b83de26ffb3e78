"""The BigQuery side of the warehouse: dataset, tables, view, staging and the MERGE that publishes.

Everything here derives from the declarations in `schemas/`. `stories` and `story_sightings` are
never written directly: a run appends to `staging_<table>` (partitioned by day, expiring), then one
MERGE per table on its key publishes the run's rows. A re-run, a retried bundle or a retried
insert can stage a row twice; the MERGE still inserts each key once, so analysts never see a story
twice, whether or not BigQuery honoured an insertId. `ingest_errors` is appended to directly.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass

import requests
from google.api_core import exceptions as gexc
from google.cloud import bigquery

from dyad.schemas import (ALL_TABLES, VIEWS, HOURLY, SIGHTINGS, STORIES,
                          Field, Table, bigquery_schema)
from dyad.transforms.sinks import summary

log = logging.getLogger(__name__)

STAGING_PREFIX = "staging_"
STAGING_EXPIRATION_DAYS = 7
MERGED_TABLES = (STORIES, SIGHTINGS, HOURLY)
STAGED_FIELDS = (
    Field("staged_run_id", "STRING", "REQUIRED", "The run (or stream) that staged the row."),
    Field("staged_at", "TIMESTAMP", "REQUIRED", "When it was staged; staging expires by day."),
)
# Stories a run's dedupe skips without fetching. Older ones that reappear are fetched again, and
# the MERGE still keeps one row: the window only saves work.
KNOWN_IDS_DAYS = 14
MERGE_ATTEMPTS = 5
# Stories whose cluster one UPDATE sets: its parameters stay well under the request limit (10 MB).
CLUSTER_IDS_PER_UPDATE = 5000
_PROJECT = re.compile(r"^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_DATASET = re.compile(r"^[A-Za-z0-9_]{1,1024}$")


class WarehouseError(RuntimeError):
    """The BigQuery warehouse cannot be used as asked; the message says what to change."""


@dataclass(frozen=True)
class Dataset:
    project: str
    dataset: str
    location: str = "US"

    @classmethod
    def parse(cls, target: str, location: str = "US") -> "Dataset":
        """`PROJECT.DATASET` → Dataset; ValueError names what is wrong."""
        project, dot, dataset = target.rpartition(".")
        if not dot:
            raise ValueError("expected PROJECT.DATASET, e.g. my-project.news")
        if not _PROJECT.match(project or ""):
            raise ValueError(f"{project!r} is not a Google Cloud project id (6-30 lower-case "
                             "letters, digits and hyphens)")
        if not _DATASET.match(dataset):
            raise ValueError(f"{dataset!r} is not a dataset name (letters, digits, underscores)")
        return cls(project, dataset, location)

    def ref(self, table: str) -> str:
        """`project.dataset.table`, as the BigQuery client and SQL take it."""
        return f"{self.project}.{self.dataset}.{table}"

    def sql(self, table: str) -> str:
        return f"`{self.ref(table)}`"


def staging_table(table: Table) -> Table:
    return Table(name=STAGING_PREFIX + table.name, fields=table.fields + STAGED_FIELDS,
                 description=f"Rows staged for {table.name}; merged on its key, expire after "
                             f"{STAGING_EXPIRATION_DAYS} days.",
                 partition_field="staged_at", cluster_fields=table.primary_key[:4])


def _schema(table: Table) -> list[bigquery.SchemaField]:
    return [bigquery.SchemaField.from_api_repr(f) for f in bigquery_schema(table)["fields"]]


def ensure_warehouse(client: bigquery.Client, ds: Dataset) -> None:
    """Create what is missing (dataset, tables, staging, view); add columns the schema gained."""
    try:
        try:  # first contact: fail fast rather than retry for minutes against a wrong endpoint
            client.get_dataset(f"{ds.project}.{ds.dataset}", retry=None, timeout=30)
        except gexc.NotFound:
            dataset = bigquery.Dataset(f"{ds.project}.{ds.dataset}")
            dataset.location = ds.location
            client.create_dataset(dataset, exists_ok=True)
        for table in ALL_TABLES:
            ensure_table(client, ds, table)
        for table in MERGED_TABLES:
            ensure_table(client, ds, staging_table(table),
                         expiration_ms=STAGING_EXPIRATION_DAYS * 86_400_000)
        for name, (sql, description) in VIEWS.items():
            view = bigquery.Table(ds.ref(name))
            view.view_query = sql.format(stories=ds.sql(STORIES.name))
            view.description = description
            client.delete_table(view, not_found_ok=True)  # a view changes by being replaced
            client.create_table(view)
    except gexc.Forbidden as exc:
        raise WarehouseError(f"BigQuery refused access to {ds.project}.{ds.dataset}: "
                             f"{exc.message}. The account needs roles/bigquery.dataEditor on the "
                             "dataset and roles/bigquery.jobUser on the project.") from None
    except gexc.GoogleAPICallError as exc:
        raise WarehouseError(f"BigQuery {ds.project}.{ds.dataset}: {exc.message}") from None
    except requests.exceptions.ConnectionError:
        raise WarehouseError(f"cannot reach BigQuery at {client._connection.API_BASE_URL}") from None


def ensure_table(client: bigquery.Client, ds: Dataset, table: Table,
                 expiration_ms: int | None = None) -> None:
    try:
        existing = client.get_table(ds.ref(table.name))
    except gexc.NotFound:
        create = bigquery.Table(ds.ref(table.name), schema=_schema(table))
        create.description = table.description
        if table.partition_field:
            create.time_partitioning = bigquery.TimePartitioning(
                type_=bigquery.TimePartitioningType.DAY, field=table.partition_field,
                expiration_ms=expiration_ms)
        create.clustering_fields = list(table.cluster_fields) or None
        client.create_table(create)
        log.info("created %s", ds.ref(table.name))
        return
    check_types(table, existing.schema)
    add_columns(client, ds, table, existing)


def check_types(table: Table, existing: list[bigquery.SchemaField]) -> None:
    """Refuse a table whose shared columns have other types than dyad writes (rows would bounce)."""
    have = {f.name: f for f in existing}
    for declared in _schema(table):
        found = have.get(declared.name)
        if found is None:
            continue
        if (_type(found), found.mode == "REPEATED") != (_type(declared), declared.mode == "REPEATED"):
            raise WarehouseError(
                f"{table.name}.{declared.name} is {found.mode} {found.field_type} in BigQuery but "
                f"dyad writes {declared.mode} {declared.field_type}: fix the column or use another "
                "dataset")


def _type(f: bigquery.SchemaField) -> str:
    return {"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN", "STRUCT": "RECORD"}.get(
        f.field_type, f.field_type)


def add_columns(client: bigquery.Client, ds: Dataset, table: Table, existing: bigquery.Table) -> None:
    """Add the declared columns `existing` lacks; rows already there keep their values.

    New columns are added by DDL and the table's schema is then patched to the merged one, which
    also adds new subfields of existing records (DDL cannot) and records descriptions. New
    columns are NULLABLE in BigQuery whatever they are declared as: old rows have no value.
    """
    have = {f.name for f in existing.schema}
    missing = [f for f in table.fields if f.name not in have]
    if not missing:
        return
    for f in missing:
        client.query(f"ALTER TABLE {ds.sql(table.name)} ADD COLUMN IF NOT EXISTS "
                     f"`{f.name}` {_ddl_type(f)}").result()
    added = [bigquery.SchemaField.from_api_repr({**bigquery_schema(Table("", (f,)))["fields"][0],
                                                 "mode": "REPEATED" if f.repeated else "NULLABLE"})
             for f in missing]
    existing.schema = list(existing.schema) + added
    client.update_table(existing, ["schema"])
    log.warning("%s: added columns %s", ds.ref(table.name), ", ".join(f.name for f in missing))


def _ddl_type(f: Field) -> str:
    names = {"STRING": "STRING", "INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL",
             "TIMESTAMP": "TIMESTAMP", "DATE": "DATE"}
    if f.type == "RECORD":
        base = "STRUCT<" + ", ".join(f"`{sub.name}` {_ddl_type(sub)}" for sub in f.fields) + ">"
    else:
        base = names[f.type]
    return f"ARRAY<{base}>" if f.repeated else base


def merge_sql(ds: Dataset, table: Table) -> str:
    """MERGE the run's staged rows (@run_id, staged since @since) into `table`, once per key.

    Columns in `table.on_conflict` keep the least or greatest value of the stored and the staged
    row; every other column keeps the stored row (a story is never rewritten). INSERT lists every
    column because the emulator cannot do `INSERT ROW`.
    """
    cols, keys = table.column_names, table.primary_key
    policy = dict(table.on_conflict)
    staged = (f"{ds.sql(STAGING_PREFIX + table.name)} "
              "WHERE staged_run_id = @run_id AND staged_at >= @since")
    if policy:
        picks = [c if c in keys else f"{_AGGREGATES[policy.get(c, 'any')]}({c}) AS {c}"
                 for c in cols]
        source = f"SELECT {', '.join(picks)} FROM {staged} GROUP BY {', '.join(keys)}"
        matched = "WHEN MATCHED THEN UPDATE SET " + ", ".join(
            f"{c} = {_EXTREMES[how]}(T.{c}, S.{c})" for c, how in table.on_conflict) + " "
    else:
        first = "ingested_at, run_id" if "ingested_at" in cols else ", ".join(keys)
        source = (f"SELECT {', '.join(cols)} FROM {staged} QUALIFY ROW_NUMBER() OVER "
                  f"(PARTITION BY {', '.join(keys)} ORDER BY {first}) = 1")
        matched = ""
    on = " AND ".join(f"T.{k} = S.{k}" for k in keys)
    insert = f"INSERT ({', '.join(cols)}) VALUES ({', '.join(f'S.{c}' for c in cols)})"
    return (f"MERGE {ds.sql(table.name)} T USING ({source}) S ON {on} "
            f"{matched}WHEN NOT MATCHED THEN {insert}")


_AGGREGATES = {"min": "MIN", "max": "MAX", "any": "ANY_VALUE"}
_EXTREMES = {"min": "LEAST", "max": "GREATEST"}


def query_parameters(**values) -> bigquery.QueryJobConfig:
    kinds = {str: "STRING", int: "INT64", dt.datetime: "TIMESTAMP", dt.date: "DATE"}
    return bigquery.QueryJobConfig(query_parameters=[
        bigquery.ScalarQueryParameter(name, kinds[type(v)], v) for name, v in values.items()])


def merge_staged(client: bigquery.Client, ds: Dataset, run_id: str, since: dt.datetime,
                 tables: tuple[Table, ...] = MERGED_TABLES) -> dict[str, int]:
    """Publish what `run_id` staged since `since`; returns the rows each MERGE inserted or updated
    (for stories, which are never updated, the new stories)."""
    merged = {}
    for table in tables:
        job = _run_dml(client, merge_sql(ds, table), query_parameters(run_id=run_id, since=since))
        merged[table.name] = job.num_dml_affected_rows or 0
    return merged


def _run_dml(client: bigquery.Client, sql: str, config: bigquery.QueryJobConfig):
    """Run one DML statement, retrying when a concurrent MERGE on the same table won the race."""
    for attempt in range(1, MERGE_ATTEMPTS + 1):
        job = client.query(sql, job_config=config)
        try:
            job.result()
            return job
        except gexc.BadRequest as exc:
            if "concurrent update" not in str(exc) or attempt == MERGE_ATTEMPTS:
                raise
            log.info("concurrent update on merge, retrying (attempt %d)", attempt)
            time.sleep(2 ** attempt)
    raise AssertionError("unreachable")


def set_cluster_ids(client: bigquery.Client, ds: Dataset, assigned: list[tuple[str, str]],
                    run_id: str) -> int:
    """Set the cluster of each of `run_id`'s stories in `assigned` ((story_id, cluster_id));
    returns the rows changed."""
    changed = 0
    for start in range(0, len(assigned), CLUSTER_IDS_PER_UPDATE):
        pairs = [bigquery.StructQueryParameter(
            None, bigquery.ScalarQueryParameter("story_id", "STRING", story),
            bigquery.ScalarQueryParameter("cluster_id", "STRING", cluster))
            for story, cluster in assigned[start:start + CLUSTER_IDS_PER_UPDATE]]
        config = query_parameters(run_id=run_id)
        config.query_parameters = [*config.query_parameters,
                                   bigquery.ArrayQueryParameter("assigned", "STRUCT", pairs)]
        sql = (f"UPDATE {ds.sql(STORIES.name)} T SET cluster_id = A.cluster_id "
               "FROM UNNEST(@assigned) AS A WHERE T.story_id = A.story_id AND T.run_id = @run_id")
        changed += _run_dml(client, sql, config).num_dml_affected_rows or 0
    return changed


def known_story_ids(client: bigquery.Client, ds: Dataset, now: dt.datetime) -> list[str]:
    """Ids of stories published in the last KNOWN_IDS_DAYS (partitions pruned on published_at)."""
    since = now - dt.timedelta(days=KNOWN_IDS_DAYS)
    sql = f"SELECT story_id FROM {ds.sql(STORIES.name)} WHERE published_at >= @since"
    return [row[0] for row in client.query(sql, job_config=query_parameters(since=since)).result()]


def outlet_stories(client: bigquery.Client, ds: Dataset, since: dt.datetime) -> list[dict]:
    """The stories published since `since`, once per feed link (summary.OUTLET_STORIES_SQL)."""
    sql = summary.OUTLET_STORIES_SQL.format(stories=ds.sql(STORIES.name),
                                            sightings=ds.sql(SIGHTINGS.name))
    return [dict(zip(summary.OUTLET_COLUMNS, row)) for row in
            client.query(sql, job_config=query_parameters(since=since)).result()]


def recent_stories(client: bigquery.Client, ds: Dataset, since: dt.datetime) -> list[dict]:
    """The stories published since `since` (summary.RECENT_STORIES_SQL)."""
    sql = summary.RECENT_STORIES_SQL.format(stories=ds.sql(STORIES.name))
    return [dict(zip(summary.RECENT_COLUMNS, row)) for row in
            client.query(sql, job_config=query_parameters(since=since)).result()]
