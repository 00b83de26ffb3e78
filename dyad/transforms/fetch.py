"""Stage 4a, fetch: FeedEntry → FetchedPage (the article page, or why it could not be had).

Entries are fetched by a thread pool inside the DoFn, many at a time (network-bound work should
not hold a worker idle), with at most `per_host` requests in flight to one host (`fetch_pool`). A
failed fetch is not the end of a story: the page carries the error, parse falls back to the
feed's text, and an `ingest_errors` row with stage `fetch` records why. A page the host's
robots.txt disallows is not requested (`robots`): the story is written from the feed's title
and summary, with a `robots_disallowed` row.

In a batch, entries are grouped by host before they are fetched, so that each host's pages are
all fetched by one worker: its robots.txt is read once and its Crawl-delay holds across every
worker of the run, not per worker. (Pages are parsed where they were fetched, as before: a
shuffle of page bodies would cost more than it evens out, and a run of many outlets spreads its
hosts over the workers anyway.)
"""
from typing import Iterable
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.metrics import Metrics

from dyad.errors import error_row
from dyad.net.http import Fetcher, FetchError, FetchPolicy
from dyad.records import FeedEntry, FetchedPage
from dyad.net.robots import RobotsRules
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage
from dyad.transforms.fetch_pool import HostLimitedFetchFn

ARTICLE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


def fetch_page(fetcher: Fetcher, entry: FeedEntry, robots: RobotsRules | None = None,
               max_crawl_delay: float = 0.0) -> FetchedPage:
    """The page, or why not: a fetch error, or robots.txt (`robots`) disallowing it. A host's
    Crawl-delay (at most `max_crawl_delay` seconds) is waited out first."""
    try:
        if robots is not None:
            robots.admit(entry.url, max_crawl_delay)
        resp = fetcher.get(entry.url, headers={"Accept": ARTICLE_ACCEPT})
    except FetchError as exc:
        return FetchedPage(entry=entry, final_url=entry.url, status=exc.status, content_type="",
                           body=None, fetched_at=None, error_type=exc.error_type,
                           error_message=str(exc))
    return FetchedPage(entry=entry, final_url=resp.final_url, status=resp.status,
                       content_type=resp.content_type, body=resp.body, fetched_at=resp.fetched_at)


class FetchArticlesFn(HostLimitedFetchFn):
    """FeedEntry → FetchedPage, many in flight (see `fetch_pool`); a failed fetch also yields
    its error row."""

    stage = "fetch"

    def __init__(self, policy: FetchPolicy, run_id: str, threads: int, per_host: int,
                 obey_robots: bool = True, max_crawl_delay: float = 10.0):
        super().__init__(policy, run_id, threads, per_host)
        self.obey_robots = obey_robots
        self.max_crawl_delay = max_crawl_delay
        self.ok = Metrics.counter("dyad", "articles_fetched")
        self.failed = Metrics.counter("dyad", "articles_fetch_failed")

    def setup(self):
        super().setup()
        self.robots = RobotsRules(self.fetcher, self.policy.user_agent) \
            if self.obey_robots else None

    def url_of(self, entry: FeedEntry) -> str:
        return entry.url

    def fetch(self, entry: FeedEntry) -> FetchedPage:
        return fetch_page(self.fetcher, entry, self.robots, self.max_crawl_delay)

    def fetch_crashed(self, entry: FeedEntry, exc: Exception) -> FetchedPage:
        return FetchedPage(entry=entry, final_url=entry.url, status=None, content_type="",
                           body=None, fetched_at=None, error_type=type(exc).__name__,
                           error_message=str(exc)[:500])

    def emit(self, entry: FeedEntry, page: FetchedPage) -> Iterable[FetchedPage | ErrorOut]:
        if page.error_type:
            self.failed.inc()
            yield error_output(error_row("fetch", page.url, page.feed_url, page.error_type,
                                         page.error_message or "", self.run_id))
        else:
            self.ok.inc()
        yield page


def keyed_by_host(entry: FeedEntry) -> tuple[str, FeedEntry]:
    """(the host and port the entry's page is fetched from, the entry): robots.txt and
    Crawl-delay are per host (RFC 9309 reads them per authority)."""
    return urlsplit(entry.url).netloc.lower(), entry


def entries_of(keyed: tuple[str, Iterable[FeedEntry]]) -> Iterable[FeedEntry]:
    return keyed[1]


class FetchArticles(beam.PTransform):
    """PCollection[FeedEntry] → (PCollection[FetchedPage], error row PCollections)."""

    def __init__(self, policy: FetchPolicy, run_id: str, threads: int = 32, per_host: int = 4,
                 spread: bool = True, obey_robots: bool = True, max_crawl_delay: float = 10.0):
        super().__init__()
        self.obey_robots = obey_robots
        self.max_crawl_delay = max_crawl_delay
        # A stream's entries come keyed from the stateful dedupe, already spread by story; a
        # shuffle here would also hold a local runner's output until the stream ends.
        self.by_host = spread
        self.policy = policy
        self.run_id = run_id
        self.threads = threads
        self.per_host = per_host

    def expand(self, entries):
        if self.by_host:
            entries = (entries
                       | "KeyByHost" >> beam.Map(keyed_by_host)
                       | "GroupByHost" >> beam.GroupByKey()
                       | "EachEntry" >> beam.FlatMap(entries_of))
        fn = FetchArticlesFn(self.policy, self.run_id, self.threads, self.per_host,
                             self.obey_robots, self.max_crawl_delay)
        return run_stage(entries, "FetchPages", fn, "fetch", self.run_id)
