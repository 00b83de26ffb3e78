"""The one dead-letter shape: every stage's failures become `ingest_errors` rows through here."""
from __future__ import annotations

import datetime as dt

from dyad import __version__, progress
from dyad.schemas import ERRORS, build_row

MAX_MESSAGE = 2000


def error_row(stage: str, url: str | None, feed_url: str | None, error_type: str, message: str,
              run_id: str, occurred_at: dt.datetime | None = None) -> dict:
    progress.bump("errors")
    return build_row(ERRORS, {
        "stage": stage,
        "url": url,
        "feed_url": feed_url,
        "error_type": error_type,
        "message": (message or error_type)[:MAX_MESSAGE],
        "occurred_at": occurred_at or dt.datetime.now(dt.timezone.utc),
        "run_id": run_id,
        "pipeline_version": __version__,
    })


def dead_letter_row(stage: str, dead_letter, run_id: str) -> dict:
    """Turn a `with_exception_handling` dead letter `(element, (type, repr, traceback))` into a row."""
    element, (exc_type, exc_repr, _traceback) = dead_letter
    name = getattr(exc_type, "__name__", str(exc_type))
    return error_row(stage, _field_of(element, "url"), _field_of(element, "feed_url"), name,
                     exc_repr, run_id)


def _field_of(element, name: str) -> str | None:
    """`url` or `feed_url` of any stage's element: a record, a row dict, or a (key, value) pair."""
    if isinstance(element, tuple) and element:
        element = element[-1]
    value = element.get(name) if isinstance(element, dict) else getattr(element, name, None)
    return value if isinstance(value, str) else None
