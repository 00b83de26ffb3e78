"""Stage 1 (streaming), poll feeds: a clock → FeedDocument of each feed that changed, and errors.

`PollClockFn` is a splittable DoFn that ticks every poll interval, as PeriodicImpulse does, and
also stops when --duration is over, when the process is asked to stop (SIGINT/SIGTERM, locally)
or when Dataflow drains the job. Each tick fans out to one element per host. `PollHostFn`, keyed
by host, polls that host's feeds one after another. It sends conditional GETs (ETag,
Last-Modified) and drops a body whose hash it has already seen, so an unchanged feed is not parsed
again. It backs off per feed (a 404 or a failed parse) and per host (429/503, timeouts, refused
connections), doubling up to MAX_BACKOFF and never earlier than Retry-After.
"""
import dataclasses
import datetime as dt
import hashlib
import threading
import time
from typing import Any, Iterable, Tuple
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.timestamp import Duration, Timestamp

from dyad.errors import error_row
from dyad.net.http import Fetcher, FetchError, FetchPolicy
from dyad.records import FeedDocument, FeedSpec
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage
from dyad.transforms.read_feeds import FEED_ACCEPT

MAX_BACKOFF = 3600.0  # seconds
# How often a waiting clock wakes to see whether it was asked to stop (seconds).
STOP_CHECK = 1.0
HOST_ERRORS = {"http_429", "http_503", "connect_timeout", "read_timeout", "total_timeout",
               "connection_error", "dns_error"}
_UNBOUNDED = 2 ** 62

# Set by `dyad stream` on SIGINT/SIGTERM: every clock in this process stops at its next wake-up.
STOP = threading.Event()


@dataclasses.dataclass
class FeedState:
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    failures: int = 0
    next_poll: float = 0.0


@dataclasses.dataclass
class HostState:
    feeds: dict = dataclasses.field(default_factory=dict)  # feed url → FeedState
    failures: int = 0
    next_poll: float = 0.0


def backoff(failures: int, interval: float, retry_after: float | None = None) -> float:
    """Seconds to wait after `failures` failures in a row: doubling, capped, at least Retry-After."""
    wait = min(MAX_BACKOFF, interval * 2 ** max(failures - 1, 0))
    return max(wait, min(retry_after or 0.0, MAX_BACKOFF))


def conditional_headers(feed: FeedState) -> dict:
    headers = {"Accept": FEED_ACCEPT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


def record_response(feed: FeedState, status: int, headers: dict, body: bytes) -> bool:
    """Update `feed` after a successful GET; True when the body is new and must be parsed."""
    feed.failures, feed.next_poll = 0, 0.0
    if status == 304:
        return False
    feed.etag = headers.get("etag", "")
    feed.last_modified = headers.get("last-modified", "")
    digest = hashlib.sha256(body).hexdigest()
    if digest == feed.body_hash:
        return False
    feed.body_hash = digest
    return True


def record_failure(host: HostState, feed: FeedState, error: FetchError, now: float,
                   interval: float) -> bool:
    """Back off the feed, or the whole host when the host is the trouble; True for the host."""
    if error.error_type in HOST_ERRORS:
        host.failures += 1
        host.next_poll = now + backoff(host.failures, interval, error.retry_after)
        return True
    feed.failures += 1
    feed.next_poll = now + backoff(feed.failures, interval, error.retry_after)
    return False


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class ClockRestrictions(beam.transforms.core.RestrictionProvider):
    def initial_restriction(self, element):
        return OffsetRange(0, _UNBOUNDED)

    def create_tracker(self, restriction):
        return OffsetRestrictionTracker(restriction)

    def restriction_size(self, element, restriction):
        return 1

    def truncate(self, element, restriction):
        return None  # a drained job stops polling at once


class PollClockFn(beam.DoFn):
    """(start, stop or 0) epoch seconds → tick number k at start + k × interval, until stopped."""

    def __init__(self, interval: float):
        self.interval = interval

    @beam.DoFn.unbounded_per_element()
    def process(self, element, tracker=beam.DoFn.RestrictionParam(ClockRestrictions()),
                watermark=beam.DoFn.WatermarkEstimatorParam(
                    ManualWatermarkEstimator.default_provider())):
        start, stop = element
        k = tracker.current_restriction().start
        due = start + k * self.interval
        now = time.time()
        # The first poll happens however late the pipeline started: a short --duration on a
        # slow or busy machine still reads the feeds once, then drains.
        if STOP.is_set() or (stop and k > 0 and max(now, due) >= stop):
            tracker.try_claim(tracker.current_restriction().stop - 1)  # the rest is done
            return
        if due > now:
            watermark.set_watermark(Timestamp.of(min(due, now + STOP_CHECK)))
            tracker.defer_remainder(Duration.of(min(due - now, STOP_CHECK)))
            return
        if tracker.try_claim(k):
            watermark.set_watermark(Timestamp.of(due))
            yield beam.window.TimestampedValue(k, due)
            tracker.defer_remainder(Duration.of(0))


class PollHostFn(beam.DoFn):
    """(host, feeds of that host) → FeedDocument per changed feed; errors on the `errors` tag."""

    STATE = ReadModifyWriteStateSpec("host", PickleCoder())

    def __init__(self, policy: FetchPolicy, interval: float, run_id: str):
        self.policy = policy
        self.interval = interval
        self.run_id = run_id
        self.counters = {name: Metrics.counter("dyad", name) for name in (
            "feeds_fetched", "feeds_failed", "feeds_not_modified", "feeds_unchanged",
            "polls_backed_off")}

    def setup(self):
        self.fetcher = Fetcher(self.policy)

    def teardown(self):
        self.fetcher.close()

    def process(self, host_feeds, state=beam.DoFn.StateParam(STATE)
                ) -> Iterable[FeedDocument | ErrorOut]:
        _host, feeds = host_feeds
        host = state.read() or HostState()
        yield from self.poll(host, feeds, time.time())
        state.write(host)

    def poll(self, host: HostState, feeds: Iterable[FeedSpec], now: float):
        if now < host.next_poll:
            self.counters["polls_backed_off"].inc()
            return
        for spec in feeds:
            feed = host.feeds.setdefault(spec.url, FeedState())
            if now < feed.next_poll:
                self.counters["polls_backed_off"].inc()
                continue
            try:
                resp = self.fetcher.get(spec.url, headers=conditional_headers(feed))
            except FetchError as exc:
                self.counters["feeds_failed"].inc()
                yield error_output(error_row("read_feeds", spec.url, spec.url, exc.error_type,
                                             str(exc), self.run_id))
                if record_failure(host, feed, exc, now, self.interval):
                    return  # the host is the trouble: its other feeds wait too
                continue
            host.failures = 0
            if not record_response(feed, resp.status, resp.headers, resp.body):
                self.counters["feeds_not_modified" if resp.status == 304 else "feeds_unchanged"].inc()
                continue
            self.counters["feeds_fetched"].inc()
            yield FeedDocument(feed=spec, body=resp.body, final_url=resp.final_url,
                               content_type=resp.content_type, fetched_at=resp.fetched_at)


class PollClock(beam.PTransform):
    """PBegin → PCollection[tick number], one every `interval` seconds from `start` until `stop`
    (None: until asked to stop, or drained)."""

    def __init__(self, interval: float, start: dt.datetime, stop: dt.datetime | None):
        super().__init__()
        self.interval = interval
        self.span = (start.timestamp(), stop.timestamp() if stop else 0)

    def expand(self, pbegin):
        return (pbegin
                | "Start" >> beam.Create([self.span])
                | "Tick" >> beam.ParDo(PollClockFn(self.interval)))


class PollFeeds(beam.PTransform):
    """PCollection[tick] → (PCollection[FeedDocument] of changed feeds, error row PCollections)."""

    def __init__(self, feeds: list, policy: FetchPolicy, interval: float, run_id: str):
        super().__init__()
        self.by_host: dict[str, tuple] = {}
        for spec in feeds:
            self.by_host[host_of(spec.url)] = self.by_host.get(host_of(spec.url), ()) + (spec,)
        self.policy = policy
        self.interval = interval
        self.run_id = run_id

    def expand(self, ticks):
        by_host = self.by_host
        hosts = ticks | "FeedsByHost" >> beam.FlatMap(
            lambda _tick: list(by_host.items())).with_output_types(Tuple[str, Any])
        return run_stage(hosts, "PollHosts", PollHostFn(self.policy, self.interval, self.run_id),
                         "read_feeds", self.run_id)
