"""Table declarations (tables.py) and what derives from them (fields.py)."""
from dyad.schemas.fields import (
    Field, RowError, Table, arrow_schema, bigquery_json, bigquery_schema, build_row, duckdb_ddl,
)
from dyad.schemas.tables import (
    ALL_TABLES, CLUSTER_SQL, CLUSTERS_VIEW_NAME, DAILY_VIEW_NAME, DAILY_VIEW_SQL, ERRORS, HOURLY, SIGHTINGS,
    RELATIONS_VIEW_NAME, STORIES, STORY_DATE_SQL, VIEWS,
)

__all__ = [
    "Field", "RowError", "Table", "arrow_schema", "bigquery_json", "bigquery_schema", "build_row",
    "duckdb_ddl",
    "ALL_TABLES", "CLUSTER_SQL", "CLUSTERS_VIEW_NAME", "DAILY_VIEW_NAME", "DAILY_VIEW_SQL", "ERRORS", "HOURLY",
    "RELATIONS_VIEW_NAME", "SIGHTINGS", "STORIES", "STORY_DATE_SQL", "VIEWS",
]
