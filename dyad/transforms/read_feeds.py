"""Stage 1-2, read feeds: FeedSpec → FeedEntry (one per entry of every feed).

FetchFeedFn fetches feeds through the guarded client, many at a time; ParseFeedFn turns the body
into entries with feedparser (malformed feeds still yield what they can). Failures become
`ingest_errors` rows with stage `read_feeds` (fetch) or `parse_feeds` (not a feed, entry without a
usable link).
"""
import datetime as dt
from typing import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from dyad import progress
from dyad.errors import error_row
from dyad.feeds import EntryProblem, FeedParseError, parse_feed
from dyad.http import Fetcher, FetchError, FetchPolicy
from dyad.records import FeedDocument, FeedEntry, FeedSpec
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage
from dyad.transforms.fetch_pool import HostLimitedFetchFn

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


def fetch_feed(fetcher: Fetcher, spec: FeedSpec) -> FeedDocument:
    resp = fetcher.get(spec.url, headers={"Accept": FEED_ACCEPT})
    return FeedDocument(feed=spec, body=resp.body, final_url=resp.final_url,
                        content_type=resp.content_type, fetched_at=resp.fetched_at)


class FetchFeedFn(HostLimitedFetchFn):
    """FeedSpec → FeedDocument, many in flight (see `fetch_pool`), else an error row."""

    stage = "read_feeds"

    def __init__(self, policy: FetchPolicy, run_id: str, threads: int = 32, per_host: int = 4):
        super().__init__(policy, run_id, threads, per_host)
        self.fetched = Metrics.counter("dyad", "feeds_fetched")
        self.failed = Metrics.counter("dyad", "feeds_failed")

    def url_of(self, spec: FeedSpec) -> str:
        return spec.url

    def fetch(self, spec: FeedSpec) -> FeedDocument | FetchError:
        try:
            return fetch_feed(self.fetcher, spec)
        except FetchError as exc:
            return exc

    def fetch_crashed(self, spec: FeedSpec, exc: Exception) -> FetchError:
        return FetchError(type(exc).__name__, str(exc)[:500])

    def emit(self, spec: FeedSpec,
             doc: FeedDocument | FetchError) -> Iterable[FeedDocument | ErrorOut]:
        progress.bump("feeds_done")
        if isinstance(doc, FetchError):
            self.failed.inc()
            yield error_output(error_row("read_feeds", spec.url, spec.url, doc.error_type, str(doc),
                                         self.run_id))
            return
        self.fetched.inc()
        yield doc


class ParseFeedFn(beam.DoFn):
    """FeedDocument → FeedEntry each; seen at `seen_at`, or (streams) when the feed was fetched."""

    def __init__(self, run_id: str, seen_at: dt.datetime | None):
        self.run_id = run_id
        self.seen_at = seen_at
        self.entries = Metrics.counter("dyad", "entries_read")

    def process(self, doc: FeedDocument) -> Iterable[FeedEntry | ErrorOut]:
        try:
            for item in parse_feed(doc, self.seen_at or doc.fetched_at):
                self.entries.inc()
                if isinstance(item, EntryProblem):
                    yield error_output(error_row("parse_feeds", item.url, doc.url, item.error_type,
                                                 str(item), self.run_id))
                else:
                    yield item
        except FeedParseError as exc:
            yield error_output(error_row("parse_feeds", doc.url, doc.url, exc.error_type, str(exc),
                                         self.run_id))


class ReadFeeds(beam.PTransform):
    """PCollection[FeedSpec] → (PCollection[FeedEntry], error row PCollections)."""

    def __init__(self, policy: FetchPolicy, run_id: str, seen_at: dt.datetime, threads: int = 32,
                 per_host: int = 4):
        super().__init__()
        self.policy = policy
        self.run_id = run_id
        self.seen_at = seen_at
        self.threads = threads
        self.per_host = per_host

    def expand(self, specs):
        spread = specs | "SpreadFeeds" >> beam.Reshuffle()
        fn = FetchFeedFn(self.policy, self.run_id, self.threads, self.per_host)
        docs, fetch_errors = run_stage(spread, "FetchFeeds", fn, "read_feeds", self.run_id)
        entries, parse_errors = docs | "ParseFeeds" >> ParseFeeds(self.run_id, self.seen_at)
        return entries, fetch_errors + parse_errors


class ParseFeeds(beam.PTransform):
    """PCollection[FeedDocument] → (PCollection[FeedEntry], error row PCollections)."""

    def __init__(self, run_id: str, seen_at: dt.datetime | None = None):
        super().__init__()
        self.run_id = run_id
        self.seen_at = seen_at

    def expand(self, docs):
        return run_stage(docs, "ParseFeed", ParseFeedFn(self.run_id, self.seen_at), "parse_feeds",
                         self.run_id)
