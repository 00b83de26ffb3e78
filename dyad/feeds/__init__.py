"""Feed parsing: a fetched feed body to FeedEntry records (feedparser; `bozo` feeds still yield)."""
from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
from urllib.parse import urljoin

import feedparser

from dyad.extract import html_to_text
from dyad.records import FeedDocument, FeedEntry
from dyad.net.urls import BadURL, canonical_url, source_domain, story_id

log = logging.getLogger(__name__)

MAX_TITLE = 1000
MAX_SUMMARY = 20000
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.timezone.utc)
FUTURE_SLACK = dt.timedelta(days=2)


class FeedParseError(Exception):
    """The body is not a feed at all; `error_type` names why."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


class EntryProblem(Exception):
    """One entry cannot become a story (no usable link)."""

    def __init__(self, error_type: str, message: str, url: str | None = None):
        super().__init__(message)
        self.error_type = error_type
        self.url = url


def parse_feed(doc: FeedDocument, seen_at: dt.datetime):
    """Yield a FeedEntry or an EntryProblem per entry; FeedParseError when nothing is a feed.

    Every entry is yielded, even one that repeats another's GUID: a broken feed may reuse a GUID
    for another link, and an entry that repeats a link is counted as a duplicate by the dedupe.
    """
    raw_entries = _json_feed_items(doc.body) if _is_json(doc) else _xml_feed_items(doc)
    for raw in raw_entries:
        try:
            yield entry_from_raw(raw, doc, seen_at)
        except EntryProblem as problem:
            yield problem


def _is_json(doc: FeedDocument) -> bool:
    return "json" in (doc.content_type or "").lower() or doc.body.lstrip()[:1] == b"{"


def _xml_feed_items(doc: FeedDocument) -> list:
    parsed = feedparser.parse(doc.body, response_headers={
        "content-type": doc.content_type or "application/xml",
        "content-location": doc.final_url,
    })
    if not parsed.entries:
        if b"<html" in doc.body[:2048].lower():
            raise FeedParseError("not_a_feed", "an HTML page where a feed should be")
        if parsed.bozo:
            raise FeedParseError("malformed_feed", f"not a readable feed: {parsed.bozo_exception!r}"[:500])
        if not parsed.get("version"):
            raise FeedParseError("not_a_feed", "the document is not RSS, Atom or JSON Feed")
    elif parsed.bozo:
        log.info("feed %s is malformed (%r); keeping %d entries", doc.url, parsed.bozo_exception,
                 len(parsed.entries))
    return parsed.entries


def _json_feed_items(body: bytes) -> list[dict]:
    """JSON Feed 1.0/1.1 items in feedparser's entry shape (feedparser 6 reads no JSON Feed)."""
    try:
        feed = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedParseError("malformed_feed", f"not readable JSON: {exc}") from None
    if not isinstance(feed, dict) or "jsonfeed.org" not in str(feed.get("version", "")):
        raise FeedParseError("not_a_feed", "JSON, but not a JSON Feed")
    items = []
    for item in feed.get("items") or []:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        items.append({
            "id": item.get("id"),
            "link": item.get("url") or item.get("external_url"),
            "title": item.get("title") or "",
            "summary": item.get("summary") or item.get("content_text") or item.get("content_html") or "",
            "authors": [a for a in authors if isinstance(a, dict)],
            "published_parsed": _iso_struct(item.get("date_published") or item.get("date_modified")),
        })
    return items


def _iso_struct(value):
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.utctimetuple()


def entry_from_raw(raw, doc: FeedDocument, seen_at: dt.datetime) -> FeedEntry:
    link = _link_of(raw)
    if not link:
        raise EntryProblem("no_link", f"entry {str(raw.get('title', ''))[:120]!r} has no link")
    link = urljoin(doc.final_url or doc.url, link)
    try:
        canonical = canonical_url(link)
    except BadURL as exc:
        raise EntryProblem("bad_link", str(exc), url=link[:2000]) from exc
    authors = tuple(a.get("name", "").strip() for a in raw.get("authors", []) if a.get("name"))
    if not authors and raw.get("author"):
        authors = (str(raw["author"]).strip(),)
    return FeedEntry(
        story_id=story_id(canonical),
        url=link,
        canonical_url=canonical,
        source=source_domain(canonical),
        feed_url=doc.url,
        feed_name=doc.feed.name,
        guid=str(raw.get("id") or link)[:2000],
        title=html_to_text(str(raw.get("title") or ""))[:MAX_TITLE],
        summary=html_to_text(_summary_of(raw))[:MAX_SUMMARY],
        authors=authors,
        published_at=plausible_date(raw.get("published_parsed") or raw.get("updated_parsed"), seen_at),
        seen_at=seen_at,
    )


def _link_of(raw) -> str:
    link = str(raw.get("link") or "").strip()
    guid = str(raw.get("id") or "").strip()
    # feedparser copies a permalink guid into `link`; a guid that is no absolute URL is no link.
    if (not link or raw.get("guidislink")) and not guid.startswith(("http://", "https://")):
        return ""
    return link or guid


def _summary_of(raw) -> str:
    summary = raw.get("summary") or ""
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value", "")
    return str(summary)


def plausible_date(parsed, now: dt.datetime) -> dt.datetime | None:
    """A feed's time.struct_time (UTC) as a datetime, or None when absent or absurd."""
    if not parsed:
        return None
    try:
        value = dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.timezone.utc)
    except (OverflowError, ValueError, OSError, TypeError):
        return None
    if value < EARLIEST or value > now + FUTURE_SLACK:
        return None
    return value
