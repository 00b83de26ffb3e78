"""Stage 1-2, read feeds: FeedSpec → FeedEntry (one per entry of every feed).

FetchFeedFn fetches feeds through the guarded client, many at a time; ParseFeedFn (in the run's
CPU pool when it has one) turns the body into entries with feedparser (malformed feeds still
yield what they can). Failures become `ingest_errors` rows with stage `read_feeds` (fetch) or
`parse_feeds` (not a feed, entry without a usable link).
"""
import datetime as dt
from typing import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from dyad import progress
from dyad.errors import error_row
from dyad.feeds import EntryProblem, FeedParseError, parse_feed
from dyad.net.http import Fetcher, FetchError, FetchPolicy
from dyad.records import FeedDocument, FeedEntry, FeedSpec
from dyad.transforms.cpu_pool import PooledFn
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


def feed_outputs(doc: FeedDocument, run_id: str,
                 seen_at: dt.datetime | None) -> list[FeedEntry | ErrorOut]:
    """The entries of a feed, an error row for each that cannot become a story, or one error row
    for a body that is not a feed."""
    out = []
    try:
        for item in parse_feed(doc, seen_at or doc.fetched_at):
            if isinstance(item, EntryProblem):
                out.append(error_output(error_row("parse_feeds", item.url, doc.url,
                                                  item.error_type, str(item), run_id)))
            else:
                out.append(item)
    except FeedParseError as exc:
        out.append(error_output(error_row("parse_feeds", doc.url, doc.url, exc.error_type,
                                          str(exc), run_id)))
    return out


class ParseFeedFn(PooledFn):
    """FeedDocument → FeedEntry each, in the run's CPU pool when it has one (`cpu_pool`); seen at
    `seen_at`, or (streams) when the feed was fetched."""

    stage = "parse_feeds"
    work = feed_outputs

    def __init__(self, run_id: str, seen_at: dt.datetime | None):
        super().__init__(run_id)
        self.seen_at = seen_at
        self.entries = Metrics.counter("dyad", "entries_read")

    def work_args(self) -> tuple:
        return (self.run_id, self.seen_at)

    def count(self, output) -> None:
        # Entries read: those that became FeedEntries and those refused, whose error row names
        # the feed and the entry's link (or none). A body that is no feed names the feed twice;
        # a crash's dead letter names no feed.
        if isinstance(output, FeedEntry):
            self.entries.inc()
        elif output.value["feed_url"] is not None and output.value["url"] != output.value["feed_url"]:
            self.entries.inc()


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
