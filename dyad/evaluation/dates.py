"""Publish dates: the day of publication right, dyad beside the libraries it builds on.

A date is right when its day, as the extractor gives it (in the page's own offset, or as written
when it has none), is the labelled day: the held-out check reads the day of `dyad parse --jsonl`'s
`published_at` the same way, and an analyst's daily count does too. Sets: trafilatura-news (its
`date` labels; pages split by a hash of the URL, the even half tuned on, the odd half reported)
and the newspaper4k test pages with a recorded `publish_date` (that library's output: a
regression baseline rather than the truth).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import trafilatura
from htmldate import find_date

from dyad.extract import ExtractionError, decode_html, extract


def _dyad(url, html):
    try:
        return extract(url, html)["published_at"]
    except ExtractionError:
        return None


def _trafilatura(url, html):
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    return doc.date if doc is not None else None


EXTRACTORS = {
    "dyad": _dyad,
    "htmldate (extensive)": lambda url, html: find_date(html, url=url, original_date=True,
                                                        extensive_search=True),
    "htmldate (fast)": lambda url, html: find_date(html, url=url, original_date=True,
                                                   extensive_search=False),
    "trafilatura": _trafilatura,
}


def day_of(value) -> str | None:
    """The day a value states: a datetime's in its own offset (or as written), a string's first
    ten characters."""
    if value is None or value == "":
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value)[:10]


def url_half(url: str) -> str:
    return "odd (reported)" if hashlib.sha1(url.encode("utf-8")).digest()[0] % 2 else \
        "even (tuned on)"


def trafilatura_news_pages(root: Path) -> list[tuple[str, str, str, str]]:
    """(part, url, html, labelled day) of the pages with a date label."""
    labels = json.loads((root / "evaldata_news_subset.json").read_text(encoding="utf-8"))
    return [(url_half(url), url, decode_html((root / "html" / spec["file"]).read_bytes()),
             spec["date"]) for url, spec in labels.items() if spec.get("date")]


def newspaper4k_pages(root: Path) -> list[tuple[str, str, str, str]]:
    pages = []
    for meta_file in sorted((root / "metadata").glob("*.json")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        html_file = root / "html" / (meta_file.stem + ".html")
        day = str(meta.get("publish_date") or "")[:10]
        if html_file.exists() and day[:4].isdigit():
            pages.append(("all", meta.get("url") or None, decode_html(html_file.read_bytes()), day))
    return pages


def dates_table(title: str, pages: list[tuple[str, str, str, str]]) -> dict:
    """Share of pages whose day is right, per part and extractor (format_table: a row's values
    go down a column)."""
    parts = sorted({part for part, *_ in pages})
    rows = {}
    for name, fn in EXTRACTORS.items():
        right: dict[str, list[bool]] = {part: [] for part in parts}
        for part, url, html, day in pages:
            right[part].append(day_of(fn(url, html)) == day)
        rows[name] = {f"{part} ({len(flags)})": sum(flags) / len(flags)
                      for part, flags in right.items()}
    return {"title": title, "rows": rows}


def evaluate(corpus: Path) -> list[dict]:
    articles = corpus / "articles"
    tables = []
    if (articles / "trafilatura-news").is_dir():
        tables.append(dates_table("Publish day right: trafilatura-news, pages with a date label",
                                  trafilatura_news_pages(articles / "trafilatura-news")))
    n4k = articles / "newspaper4k" / "tests" / "data"
    if (n4k / "metadata").is_dir():
        tables.append(dates_table("Publish day right: newspaper4k test pages with a recorded "
                                  "publish_date", newspaper4k_pages(n4k)))
    return tables
