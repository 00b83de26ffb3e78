"""Stage 4a, fetch: FeedEntry → FetchedPage (the article page, or why it could not be had).

Entries are batched and fetched by a thread pool inside the DoFn (network-bound work should not
hold a worker idle), with at most `per_host` requests in flight to one host. A failed fetch is not
the end of a story: the page carries the error, parse falls back to the feed's text, and an
`ingest_errors` row with stage `fetch` records why.
"""
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.metrics import Metrics

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


class FetchArticleBatchFn(beam.DoFn):
    """list[FeedEntry] → FetchedPage each, fetched concurrently."""

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
        self.host_slots = defaultdict(lambda: threading.BoundedSemaphore(self.per_host))
        self.slots_lock = threading.Lock()

    def teardown(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()

    def _fetch(self, entry: FeedEntry) -> FetchedPage:
        host = (urlsplit(entry.url).hostname or "").lower()
        with self.slots_lock:
            slot = self.host_slots[host]
        with slot:
            return fetch_page(self.fetcher, entry)

    def process(self, batch: list) -> Iterable[FetchedPage | ErrorOut]:
        for page in self.pool.map(self._fetch, batch):
            if page.error_type:
                self.failed.inc()
                yield error_output(error_row("fetch", page.url, page.feed_url, page.error_type,
                                             page.error_message or "", self.run_id))
            else:
                self.ok.inc()
            yield page


class FetchArticles(beam.PTransform):
    """PCollection[FeedEntry] → (PCollection[FetchedPage], error row PCollections)."""

    def __init__(self, policy: FetchPolicy, run_id: str, threads: int = 32, per_host: int = 4,
                 batch_size: int = 64, spread: bool = True):
        super().__init__()
        # A stream's entries come keyed from the stateful dedupe, already spread by story; a
        # shuffle here would also hold a local runner's output until the stream ends.
        self.spread = spread
        self.policy = policy
        self.run_id = run_id
        self.threads = threads
        self.per_host = per_host
        self.batch_size = batch_size

    def expand(self, entries):
        if self.spread:
            entries = entries | "SpreadEntries" >> beam.Reshuffle()
        batches = entries | "BatchEntries" >> beam.BatchElements(
            min_batch_size=1, max_batch_size=self.batch_size)
        fn = FetchArticleBatchFn(self.policy, self.run_id, self.threads, self.per_host)
        return run_stage(batches, "FetchPages", fn, "fetch", self.run_id)
