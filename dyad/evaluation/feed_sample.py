"""The hand-labelled samples of the February 2026 feeds (`data/feeds2026-*.tsv`): their rows,
and the feed entries they label, read from the corpus as dyad's evaluation reads a story (title
and summary, HTML stripped, and the entry's date).

A labels file has '#' comment lines, a header naming its columns, then one tab-separated row per
entry, which is found by (feed_file, entry_index) and checked by its link.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import feedparser

from dyad.extract import html_to_text

DATA = Path(__file__).parent / "data"
FEEDS_DIR = Path("feeds") / "fastfeedparser" / "news_feeds_benchmark_data"


@dataclass(frozen=True)
class LabelledEntry:
    number: int                      # the row's place in the file, from 0
    row: dict[str, str]
    title: str
    summary: str
    published_at: dt.datetime | None


def read_rows(path: Path) -> list[dict[str, str]]:
    """The data rows, keyed by the header's names ('#' lines skipped; short rows padded)."""
    header, rows = None, []
    with open(path, encoding="utf-8", newline="") as handle:
        for fields in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not fields or fields[0].startswith("#"):
                continue
            if header is None:
                header = fields
                continue
            fields += [""] * (len(header) - len(fields))
            rows.append(dict(zip(header, fields)))
    return rows


def _find(entries: list, row: dict[str, str]):
    """The labelled entry: at its index when the link agrees, else found by its link."""
    index, link = int(row["entry_index"]), row["entry_link"]
    if index < len(entries) and entries[index].get("link") == link:
        return entries[index]
    return next((e for e in entries if e.get("link") == link), None)


def labelled_entries(rows: list[dict[str, str]], feeds_dir: Path) -> tuple[list[LabelledEntry], int]:
    """The entries the rows label, and how many rows' entries were not found."""
    parsed: dict[str, list] = {}
    found, unmatched = [], 0
    for number, row in enumerate(rows):
        name = row["feed_file"]
        if name not in parsed:
            path = feeds_dir / name
            parsed[name] = feedparser.parse(path.read_bytes()).entries if path.exists() else []
        entry = _find(parsed[name], row)
        if entry is None:
            unmatched += 1
            continue
        summary = entry.get("summary") or (entry.get("content") or [{}])[0].get("value", "")
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        found.append(LabelledEntry(
            number, row, html_to_text(entry.get("title", "")), html_to_text(summary),
            dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.timezone.utc) if stamp else None))
    return found, unmatched
