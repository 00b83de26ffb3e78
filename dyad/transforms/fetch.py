"""Stage 4a, fetch: FeedEntry → FetchedPage (the article page, or why it could not be had).

Entries are fetched by a thread pool inside the DoFn, many at a time (network-bound work should
not hold a worker idle), with at most `per_host` requests in flight to one host. A failed fetch is not
the end of a story: the page carries the error, parse falls back to the feed's text, and an
`ingest_errors` row with stage `fetch` records why.
"""
import queue
import threading
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue

from dyad.errors import error_row
from dyad.http import Fetcher, FetchError, FetchPolicy
from dyad.records import FeedEntry, FetchedPage
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage

ARTICLE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"


def fetch_page(fetcher: Fetcher, entry: FeedEntry) -> FetchedPage:
    try:
        resp = fetcher.get(entry.url, headers={"Accept": ARTICLE_ACCEPT})
    except FetchError as exc:
        return FetchedPage(entry=entry, final_url=entry.url, status=exc.status, content_type="",
                           body=None, fetched_at=None, error_type=exc.error_type,
                           error_message=str(exc))
    return FetchedPage(entry=entry, final_url=resp.final_url, status=resp.status,
                       content_type=resp.content_type, body=resp.body, fetched_at=resp.fetched_at)


class FetchArticlesFn(beam.DoFn):
    """FeedEntry → FetchedPage, many in flight: `process()` hands each entry to a thread pool and
    returns the pages that are done; `finish_bundle()` returns the rest.

    A host never has more than `per_host` requests in flight; its other entries wait in a queue
    of their own, so a slow host does not hold threads that other hosts could use.
    """

    def __init__(self, policy: FetchPolicy, run_id: str, threads: int, per_host: int):
        self.policy = policy
        self.run_id = run_id
        self.threads = threads
        self.per_host = per_host
        self.ok = Metrics.counter("dyad", "articles_fetched")
        self.failed = Metrics.counter("dyad", "articles_fetch_failed")

    def setup(self):
        self.fetcher = Fetcher(self.policy, pool_maxsize=self.per_host)
        self.pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="dyad-fetch")
        self.lock = threading.Lock()

    def teardown(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()

    def start_bundle(self):
        self.in_flight: dict[str, int] = defaultdict(int)
        self.waiting: dict[str, deque] = defaultdict(deque)
        self.done: queue.SimpleQueue = queue.SimpleQueue()
        self.outstanding = 0

    def process(self, entry: FeedEntry, timestamp=beam.DoFn.TimestampParam,
                window=beam.DoFn.WindowParam) -> Iterable[FetchedPage | ErrorOut]:
        self.outstanding += 1
        self._submit((entry, timestamp, window))
        # Bound the pages held in memory: wait for one when too many are outstanding.
        while self.outstanding > 4 * self.threads:
            yield from self._emit(self.done.get())
        while not self.done.empty():
            yield from self._emit(self.done.get())

    def finish_bundle(self):
        while self.outstanding:
            page, timestamp, window = self.done.get()
            for out in self._emit((page, timestamp, window)):
                if isinstance(out, TaggedOutput):
                    yield TaggedOutput(out.tag, WindowedValue(out.value, timestamp, [window]))
                else:
                    yield WindowedValue(out, timestamp, [window])

    def _emit(self, done) -> Iterable[FetchedPage | ErrorOut]:
        page, _timestamp, _window = done
        self.outstanding -= 1
        if page.error_type:
            self.failed.inc()
            yield error_output(error_row("fetch", page.url, page.feed_url, page.error_type,
                                         page.error_message or "", self.run_id))
        else:
            self.ok.inc()
        yield page

    def _submit(self, item) -> None:
        host = urlsplit(item[0].url).netloc.lower()  # host and port: one server
        with self.lock:
            if self.in_flight[host] >= self.per_host:
                self.waiting[host].append(item)
                return
            self.in_flight[host] += 1
        self.pool.submit(self._fetch, item, host)

    def _fetch(self, item, host: str) -> None:
        entry, timestamp, window = item
        try:
            page = fetch_page(self.fetcher, entry)
        except Exception as exc:  # never lose an entry to a bug in a worker thread
            page = FetchedPage(entry=entry, final_url=entry.url, status=None, content_type="",
                               body=None, fetched_at=None, error_type=type(exc).__name__,
                               error_message=str(exc)[:500])
        with self.lock:
            self.in_flight[host] -= 1
            following = self.waiting[host].popleft() if self.waiting[host] else None
        if following:
            self._submit(following)
        self.done.put((page, timestamp, window))


class FetchArticles(beam.PTransform):
    """PCollection[FeedEntry] → (PCollection[FetchedPage], error row PCollections)."""

    def __init__(self, policy: FetchPolicy, run_id: str, threads: int = 32, per_host: int = 4,
                 spread: bool = True):
        super().__init__()
        # A stream's entries come keyed from the stateful dedupe, already spread by story; a
        # shuffle here would also hold a local runner's output until the stream ends.
        self.spread = spread
        self.policy = policy
        self.run_id = run_id
        self.threads = threads
        self.per_host = per_host

    def expand(self, entries):
        if self.spread:
            entries = entries | "SpreadEntries" >> beam.Reshuffle()
        fn = FetchArticlesFn(self.policy, self.run_id, self.threads, self.per_host)
        return run_stage(entries, "FetchPages", fn, "fetch", self.run_id)
