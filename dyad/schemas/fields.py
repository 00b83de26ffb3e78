"""One declarative field list per table, and everything derived from it.

A table is declared once as a tuple of `Field`s; the BigQuery schema, the DuckDB DDL, the Arrow
schema used to bulk-insert into DuckDB and the row builder all come from that declaration, so a
column added here appears everywhere at once.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import pyarrow as pa

_DUCKDB_TYPES = {
    "STRING": "VARCHAR",
    "INTEGER": "BIGINT",
    "FLOAT": "DOUBLE",
    "BOOLEAN": "BOOLEAN",
    "TIMESTAMP": "TIMESTAMPTZ",
    "DATE": "DATE",
}
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
_ARROW_TYPES = {
    "STRING": pa.string(),
    "INTEGER": pa.int64(),
    "FLOAT": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
}


@dataclass(frozen=True)
class Field:
    """A column: BigQuery type name, mode (NULLABLE, REQUIRED, REPEATED) and, for RECORD, subfields."""

    name: str
    type: str
    mode: str = "NULLABLE"
    description: str = ""
    fields: tuple["Field", ...] = field(default_factory=tuple)

    @property
    def repeated(self) -> bool:
        return self.mode == "REPEATED"


@dataclass(frozen=True)
class Table:
    name: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    description: str = ""
    # BigQuery storage layout: DAY partitions on this TIMESTAMP/DATE column, then clustering.
    partition_field: str = ""
    cluster_fields: tuple[str, ...] = ()
    # What a second row for a stored key does: each column named here keeps the "min" or "max" of
    # the two; every other column keeps the first row's value (so a story is never rewritten).
    on_conflict: tuple[tuple[str, str], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def label(self) -> str:
        """CamelCase name, for pipeline step labels: story_sightings → StorySightings."""
        return "".join(part.title() for part in self.name.split("_"))


class RowError(ValueError):
    """A row does not fit its table's schema."""


def bigquery_schema(table: Table) -> dict:
    """The schema in the JSON form that BigQuery's API and Beam's WriteToBigQuery accept."""
    return {"fields": [_bq_field(f) for f in table.fields]}


def _bq_field(f: Field) -> dict:
    out = {"name": f.name, "type": f.type, "mode": f.mode, "description": f.description}
    if f.fields:
        out["fields"] = [_bq_field(sub) for sub in f.fields]
    return out


def bigquery_json(table: Table, row: Mapping[str, Any]) -> dict:
    """`row` (as built by `build_row`) in the JSON form BigQuery's insertAll and JSON loads take.

    Raises RowError for NaN and infinite floats, which JSON cannot carry (and which would make
    BigQuery refuse the whole request, not just this row).
    """
    return {f.name: _json_value(f"{table.name}.{f.name}", f, row.get(f.name)) for f in table.fields
            if f.name in row}


def _json_value(where: str, f: Field, value: Any) -> Any:
    if value is None:
        return None
    if f.repeated and isinstance(value, (list, tuple)):
        return [_json_scalar(where, f, v) for v in value]
    return _json_scalar(where, f, value)


def _json_scalar(where: str, f: Field, value: Any) -> Any:
    if f.type == "RECORD" and isinstance(value, Mapping):
        return {sub.name: _json_value(f"{where}.{sub.name}", sub, value.get(sub.name))
                for sub in f.fields if sub.name in value}
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.timezone.utc) if value.tzinfo else value
        return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") + "+00:00"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise RowError(f"{where}: {value!r} cannot be stored")
    return value


def duckdb_type(f: Field) -> str:
    if f.type == "RECORD":
        inner = ", ".join(f'"{sub.name}" {duckdb_type(sub)}' for sub in f.fields)
        base = f"STRUCT({inner})"
    else:
        base = _DUCKDB_TYPES[f.type]
    return f"{base}[]" if f.repeated else base


def duckdb_ddl(table: Table) -> str:
    cols = []
    for f in table.fields:
        not_null = " NOT NULL" if f.mode == "REQUIRED" else ""
        cols.append(f'  "{f.name}" {duckdb_type(f)}{not_null}')
    if table.primary_key:
        cols.append("  PRIMARY KEY (" + ", ".join(f'"{k}"' for k in table.primary_key) + ")")
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" (\n' + ",\n".join(cols) + "\n)"


def arrow_type(f: Field) -> pa.DataType:
    if f.type == "RECORD":
        base = pa.struct([pa.field(sub.name, arrow_type(sub)) for sub in f.fields])
    else:
        base = _ARROW_TYPES[f.type]
    return pa.list_(base) if f.repeated else base


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(f.name, arrow_type(f)) for f in table.fields])


def build_row(table: Table, values: Mapping[str, Any]) -> dict:
    """Validate `values` against `table` and return a row with every column present.

    Unknown keys and missing REQUIRED values raise RowError: a row that does not fit the contract
    must fail loudly at the stage that built it, not at the warehouse.
    """
    unknown = set(values) - set(table.column_names)
    if unknown:
        raise RowError(f"{table.name}: unknown columns {sorted(unknown)}")
    return {f.name: _coerce(table.name, f, values.get(f.name)) for f in table.fields}


def _coerce(table: str, f: Field, value: Any) -> Any:
    if f.repeated:
        if value is None:
            return []
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            raise RowError(f"{table}.{f.name}: expected a list, got {type(value).__name__}")
        return [_coerce_scalar(table, f, v) for v in value]
    if value is None:
        if f.mode == "REQUIRED":
            raise RowError(f"{table}.{f.name}: required value missing")
        return None
    return _coerce_scalar(table, f, value)


def _coerce_scalar(table: str, f: Field, value: Any) -> Any:
    where = f"{table}.{f.name}"
    if f.type == "RECORD":
        if not isinstance(value, Mapping):
            raise RowError(f"{where}: expected a record, got {type(value).__name__}")
        return build_row(Table(where, f.fields), value)
    if value is None:
        return None
    if f.type == "STRING":
        text = str(value)
        try:  # a lone surrogate would make the warehouse refuse the whole batch
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RowError(f"{where}: not valid Unicode ({exc.reason})") from None
        return text
    if f.type == "INTEGER":
        if isinstance(value, bool) or not isinstance(value, int):
            raise RowError(f"{where}: expected an integer, got {value!r}")
        if not INT64_MIN <= value <= INT64_MAX:
            raise RowError(f"{where}: {value} is outside the 64-bit integer range")
        return value
    if f.type == "FLOAT":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RowError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if f.type == "BOOLEAN":
        return bool(value)
    if f.type == "TIMESTAMP":
        if not isinstance(value, dt.datetime):
            raise RowError(f"{where}: expected a datetime, got {value!r}")
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if f.type == "DATE":
        if not isinstance(value, dt.date):
            raise RowError(f"{where}: expected a date, got {value!r}")
        return value
    raise RowError(f"{where}: unsupported type {f.type}")
