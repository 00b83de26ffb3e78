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
hosts over the workers anyway.) A stream cannot group (a window of a poll's entries would hold
them back), so each entry passes a stateful step keyed by host (`AdmitByHostFn`): the host's
robots.txt answer and its next free Crawl-delay slot live in that key's state, shared by every
worker, and the pooled fetch waits for the entry's slot.
"""
import time
from typing import Any, Iterable, Tuple
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.coders import FloatCoder, PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from dyad.errors import error_row
from dyad.net.http import Fetcher, FetchError, FetchPolicy
from dyad.records import Admission, FeedEntry, FetchedPage
from dyad.net.robots import RobotsRules, Spacing, origin_of
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
        return failed_page(entry, exc.error_type, str(exc), exc.status)
    return FetchedPage(entry=entry, final_url=resp.final_url, status=resp.status,
                       content_type=resp.content_type, body=resp.body, fetched_at=resp.fetched_at)


def failed_page(entry: FeedEntry, error_type: str, message: str,
                status: int | None = None) -> FetchedPage:
    return FetchedPage(entry=entry, final_url=entry.url, status=status, content_type="",
                       body=None, fetched_at=None, error_type=error_type, error_message=message)


def fetch_admitted(fetcher: Fetcher, admission: Admission, spacing: Spacing) -> FetchedPage:
    """A stream's page: refused by robots.txt, or fetched once its slot has come."""
    if admission.refused:
        return failed_page(admission.entry, *admission.refused)
    spacing.wait(origin_of(admission.entry.url), admission.delay, admission.not_before)
    return fetch_page(fetcher, admission.entry)


def admit(rules: RobotsRules, entry: FeedEntry, next_free: float | None, now: float,
          max_crawl_delay: float) -> tuple[Admission, float | None]:
    """The entry's admission under its host's `rules` (read now if not known or stale), and the
    host's next free slot: a host with a Crawl-delay is given slots `delay` apart from `now` or
    its previous slot, whichever is later."""
    try:
        found = rules.check(entry.url)
    except FetchError as exc:
        return Admission(entry, refused=(exc.error_type, str(exc), exc.status)), next_free
    delay = rules.delay(found, max_crawl_delay)
    if delay <= 0:
        return Admission(entry), next_free
    start = max(now, next_free or 0.0)
    return Admission(entry, start, delay), start + delay


class AdmitByHostFn(beam.DoFn):
    """(host, FeedEntry) → Admission, for streams: the host's robots.txt answer and next free
    slot are kept in the key's state, so that every worker obeys one reading and one spacing.
    robots.txt is read (through the guarded fetcher) when the state holds no fresh answer."""

    ROBOTS = ReadModifyWriteStateSpec("robots", PickleCoder())
    NEXT_FREE = ReadModifyWriteStateSpec("next_free", FloatCoder())

    def __init__(self, policy: FetchPolicy, max_crawl_delay: float):
        self.policy = policy
        self.max_crawl_delay = max_crawl_delay

    def setup(self):
        self.fetcher = Fetcher(self.policy, pool_maxsize=1)
        # The wall clock: the state's times are read by other workers' processes.
        self.rules = RobotsRules(self.fetcher, self.policy.user_agent, clock=time.time)

    def teardown(self):
        self.fetcher.close()

    def process(self, keyed, robots=beam.DoFn.StateParam(ROBOTS),
                next_free=beam.DoFn.StateParam(NEXT_FREE)) -> Iterable[Admission | ErrorOut]:
        _host, entry = keyed
        origin = origin_of(entry.url)
        if (saved := robots.read()) is not None:
            self.rules.restore(origin, saved)
        admission, free = admit(self.rules, entry, next_free.read(), time.time(),
                                self.max_crawl_delay)
        robots.write(self.rules.saved(origin))
        if free is not None:
            next_free.write(free)
        yield admission


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
        return failed_page(entry, type(exc).__name__, str(exc)[:500])

    def emit(self, entry: FeedEntry, page: FetchedPage) -> Iterable[FetchedPage | ErrorOut]:
        if page.error_type:
            self.failed.inc()
            yield error_output(error_row("fetch", page.url, page.feed_url, page.error_type,
                                         page.error_message or "", self.run_id))
        else:
            self.ok.inc()
        yield page


class FetchAdmittedFn(FetchArticlesFn):
    """Admission → FetchedPage: a stream's fetch, waiting for each entry's slot (AdmitByHostFn)."""

    def setup(self):
        super().setup()
        self.spacing = Spacing()

    def url_of(self, admission: Admission) -> str:
        return admission.entry.url

    def fetch(self, admission: Admission) -> FetchedPage:
        return fetch_admitted(self.fetcher, admission, self.spacing)

    def fetch_crashed(self, admission: Admission, exc: Exception) -> FetchedPage:
        return super().fetch_crashed(admission.entry, exc)


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
        arguments = (self.policy, self.run_id, self.threads, self.per_host, self.obey_robots,
                     self.max_crawl_delay)
        if self.by_host:
            entries = (entries
                       | "KeyByHost" >> beam.Map(keyed_by_host)
                       | "GroupByHost" >> beam.GroupByKey()
                       | "EachEntry" >> beam.FlatMap(entries_of))
        elif self.obey_robots:
            admitted, admit_errors = run_stage(
                entries | "KeyByHost" >> beam.Map(keyed_by_host).with_output_types(
                    Tuple[str, Any]),
                "AdmitByHost", AdmitByHostFn(self.policy, self.max_crawl_delay), "fetch",
                self.run_id)
            pages, errors = run_stage(admitted, "FetchPages", FetchAdmittedFn(*arguments),
                                      "fetch", self.run_id)
            return pages, (*admit_errors, *errors)
        return run_stage(entries, "FetchPages", FetchArticlesFn(*arguments), "fetch",
                         self.run_id)
