"""Many requests in flight per worker: the DoFn base that feed and article fetching share.

Fetching is network-bound: a DoFn that makes one blocking request at a time leaves its worker
idle. `HostLimitedFetchFn.process()` hands each element to a thread pool and returns the results
that are ready; `finish_bundle()` returns the rest.

Two bounds. A server (host and port) never has more than `per_host` requests in flight; its other
elements wait in a queue of their own, so a slow server does not hold threads that other servers
could use, and a long run of one server's elements does not stop the next servers' from being
read. And at most HELD_PER_THREAD x threads results (pages) are in flight or done but not yet
emitted: fetching runs ahead of parsing by that much and no more, so memory does not grow with
the input. Servers that could start a request but for that budget queue up for it in turn,
and are started in bursts once half the budget is free again.
"""
import queue
import sys
import threading
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable
from urllib.parse import urlsplit

import apache_beam as beam

from dyad.errors import dead_letter_row
from dyad.net.http import Fetcher, FetchPolicy
from dyad.transforms.dead_letters import ErrorOut, Out, error_output, in_window

# Results (pages) in flight or waiting to be emitted, per thread: how far fetching runs ahead.
HELD_PER_THREAD = 4
# Elements (feed entries, not pages) allowed to wait for their server or the budget, per thread.
WAITING_PER_THREAD = 64
# Seconds a thread may hold the GIL while another waits for it (Python's default is 0.005).
SWITCH_INTERVAL = 0.05


class HostLimitedFetchFn(beam.DoFn):
    """Subclasses say what to fetch (`url_of`), how (`fetch`, in a pool thread) and what to emit
    for a result (`emit`, on the bundle's thread). `fetch` must not raise: `fetch_crashed` turns a
    bug in it into a result, so no element is lost in a pool thread. A bug in `emit` becomes an
    error row of `stage` (most results are emitted from finish_bundle(), which Beam's exception
    handling does not cover)."""

    stage = ""

    def __init__(self, policy: FetchPolicy, run_id: str, threads: int, per_host: int):
        self.policy = policy
        self.run_id = run_id
        self.threads = threads
        self.per_host = per_host

    def url_of(self, element) -> str:
        raise NotImplementedError

    def fetch(self, element):
        raise NotImplementedError

    def fetch_crashed(self, element, exc: Exception):
        raise NotImplementedError

    def emit(self, element, result) -> Iterable:
        raise NotImplementedError

    def setup(self):
        # Pool threads only move bytes and can wait; the bundle's thread parses pages. Python's
        # default makes it hand the GIL over every 5 ms when a pool thread asks, and those
        # handovers cost ~5% of the worker's CPU. Process-wide, as the GIL is.
        sys.setswitchinterval(max(sys.getswitchinterval(), SWITCH_INTERVAL))
        self.fetcher = Fetcher(self.policy, pool_maxsize=self.per_host)
        self.pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="dyad-fetch")
        self.lock = threading.Lock()
        self.budget = HELD_PER_THREAD * self.threads

    def teardown(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()

    def start_bundle(self):
        self.in_flight: dict[str, int] = defaultdict(int)
        self.waiting: dict[str, deque] = defaultdict(deque)
        self.waiting_count = 0
        self.held = 0  # results in flight or done, not yet emitted
        self.stalled: deque = deque()  # servers that could start a request but for the budget
        self.stalled_set: set[str] = set()
        self.done: queue.SimpleQueue = queue.SimpleQueue()
        self.outstanding = 0

    def process(self, element, timestamp=beam.DoFn.TimestampParam,
                window=beam.DoFn.WindowParam) -> Iterable[Out | ErrorOut]:
        self.outstanding += 1
        host = urlsplit(self.url_of(element)).netloc.lower()  # host and port: one server
        with self.lock:
            self.waiting[host].append((element, timestamp, window))
            self.waiting_count += 1
            ready = self._take_ready(host)
        self._start(ready)
        while self.waiting_count > WAITING_PER_THREAD * self.threads:
            yield from self._emit(self.done.get())
        while not self.done.empty():
            yield from self._emit(self.done.get())

    def finish_bundle(self):
        while self.outstanding:
            done = self.done.get()
            _element, timestamp, window, _result = done
            for out in self._emit(done):
                yield in_window(out, timestamp, window)

    def _emit(self, done) -> Iterable:
        element, _timestamp, _window, result = done
        self.outstanding -= 1
        ready = []
        with self.lock:
            self.held -= 1
            # Refill in bursts from half the budget: one request started per page emitted
            # would wake a pool thread in the middle of every parse (measured: ~4% more CPU).
            if self.held <= self.budget // 2:
                while self.stalled and self.held < self.budget:
                    host = self.stalled.popleft()
                    self.stalled_set.discard(host)
                    ready += self._take_ready(host)
        self._start(ready)
        try:
            yield from self.emit(element, result)
        except Exception as exc:  # a bug: an error row like Beam's dead letters, not a lost bundle
            yield error_output(dead_letter_row(self.stage, (element, (type(exc), repr(exc), None)),
                                               self.run_id))

    def _take_ready(self, host: str) -> list:
        """`host`'s waiting elements that the server and the budget let start now (under lock)."""
        queued, ready = self.waiting[host], []
        while queued and self.in_flight[host] < self.per_host:
            if self.held >= self.budget:
                if host not in self.stalled_set:
                    self.stalled.append(host)
                    self.stalled_set.add(host)
                break
            ready.append((queued.popleft(), host))
            self.waiting_count -= 1
            self.in_flight[host] += 1
            self.held += 1
        if not queued:
            del self.waiting[host]
        return ready

    def _start(self, ready: list) -> None:
        for item, host in ready:
            self.pool.submit(self._fetch, item, host)

    def _fetch(self, item, host: str) -> None:
        element, timestamp, window = item
        try:
            result = self.fetch(element)
        except Exception as exc:  # never lose an element to a bug in a pool thread
            result = self.fetch_crashed(element, exc)
        with self.lock:
            self.in_flight[host] -= 1
            self.done.put((element, timestamp, window, result))
            ready = self._take_ready(host)
        self._start(ready)
