"""Feed parsing: a fetched feed body to FeedEntry records (feedparser; `bozo` feeds still yield)."""
from __future__ import annotations

import calendar
import datetime as dt
import logging
from urllib.parse import urljoin

import feedparser

from dyad.extract import html_to_text
from dyad.records import FeedDocument, FeedEntry
from dyad.urls import BadURL, canonical_url, source_domain, story_id

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

    Duplicate GUIDs within one feed body are yielded once (the first).
    """
    parsed = feedparser.parse(doc.body, response_headers={
        "content-type": doc.content_type or "application/xml",
        "content-location": doc.final_url,
    })
    if not parsed.entries:
        if parsed.bozo:
            raise FeedParseError("malformed_feed", f"not a readable feed: {parsed.bozo_exception!r}"[:500])
        if not parsed.version:
            raise FeedParseError("not_a_feed", "the document is not RSS, Atom or JSON Feed")
        return
    if parsed.bozo:
        log.info("feed %s is malformed (%r); keeping %d entries", doc.url, parsed.bozo_exception,
                 len(parsed.entries))
    seen_guids: set[str] = set()
    for raw in parsed.entries:
        guid = str(raw.get("id") or "")
        if guid and guid in seen_guids:
            continue
        seen_guids.add(guid)
        try:
            yield entry_from_raw(raw, doc, seen_at)
        except EntryProblem as problem:
            yield problem


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
    link = raw.get("link") or ""
    if not link:
        guid = str(raw.get("id") or "")
        if guid.startswith(("http://", "https://")):
            link = guid
    return str(link).strip()


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
