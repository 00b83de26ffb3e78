"""Polling: conditional GET, body hashes, backoff per feed and per host, and the clock."""
import threading
import time

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from dyad.net.http import FetchError
from dyad.records import FeedSpec
from dyad.transforms import poll_feeds
from dyad.transforms.poll_feeds import (MAX_BACKOFF, FeedState, HostState, PollClock, PollHostFn,
                                        backoff, record_failure)
from tests.conftest import NOW, RUN_ID, loopback_policy, reply

RSS = b"<rss><channel><title>t</title><item><link>http://127.0.0.1/a</link></item></channel></rss>"


def test_backoff_doubles_is_capped_and_honours_retry_after():
    assert [backoff(n, 60) for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff(30, 60) == MAX_BACKOFF
    assert backoff(1, 60, retry_after=600) == 600
    assert backoff(1, 60, retry_after=10 ** 9) == MAX_BACKOFF


def test_host_trouble_backs_off_the_host_other_trouble_the_feed():
    host, feed = HostState(), FeedState()
    assert record_failure(host, feed, FetchError("http_429", "slow down", 429, 300), 1000, 60)
    assert host.next_poll == 1300 and feed.next_poll == 0
    assert not record_failure(host, feed, FetchError("http_404", "gone", 404), 1000, 60)
    assert feed.next_poll == 1060


@pytest.fixture
def poller():
    fn = PollHostFn(loopback_policy(retries=0), 60, RUN_ID)
    fn.setup()
    yield fn
    fn.teardown()


def validating(etag):
    """A feed that answers 304 to a request carrying its ETag."""
    def handler(req):
        if req.headers.get("If-None-Match") == etag:
            req.send_response(304)
            req.end_headers()
            return
        reply(200, RSS, {"ETag": etag, "Content-Type": "application/rss+xml"})(req)
    return handler


def test_unchanged_feeds_are_not_parsed_again(http_server, poller):
    http_server["/etag.xml"] = validating('"v1"')
    http_server["/plain.xml"] = reply(200, RSS)
    feeds = [FeedSpec(http_server.base + "/etag.xml"), FeedSpec(http_server.base + "/plain.xml")]
    host = HostState()
    first = list(poller.poll(host, feeds, time.time()))
    assert [d.url for d in first] == [f.url for f in feeds]
    assert list(poller.poll(host, feeds, time.time())) == []  # a 304, then a known body hash
    assert http_server.hits == {"/etag.xml": 2, "/plain.xml": 2}
    http_server["/plain.xml"] = reply(200, RSS.replace(b"/a<", b"/b<"))
    assert [d.url for d in poller.poll(host, feeds, time.time())] == [feeds[1].url]


def test_a_host_asking_to_wait_is_left_alone(http_server, poller):
    http_server["/busy.xml"] = reply(429, b"", {"Retry-After": "120"})
    http_server["/ok.xml"] = reply(200, RSS)
    feeds = [FeedSpec(http_server.base + "/busy.xml"), FeedSpec(http_server.base + "/ok.xml")]
    host, now = HostState(), time.time()
    out = list(poller.poll(host, feeds, now))
    assert [o.value["error_type"] for o in out] == ["http_429"]
    assert host.next_poll == pytest.approx(now + 120)
    assert list(poller.poll(host, feeds, now + 60)) == []
    assert http_server.hits == {"/busy.xml": 1}


def test_a_missing_feed_waits_but_its_host_does_not(http_server, poller):
    http_server["/ok.xml"] = reply(200, RSS)
    feeds = [FeedSpec(http_server.base + "/gone.xml"), FeedSpec(http_server.base + "/ok.xml")]
    host, now = HostState(), time.time()
    assert len(list(poller.poll(host, feeds, now))) == 2  # an error row, a document
    http_server["/ok.xml"] = reply(200, RSS.replace(b"/a<", b"/c<"))
    later = list(poller.poll(host, feeds, now + 30))
    assert [d.url for d in later] == [feeds[1].url] and http_server.hits["/gone.xml"] == 1


def test_the_clock_ticks_until_its_stop_time():
    start = time.time()
    stop = NOW.fromtimestamp(start + 2.5, NOW.tzinfo)
    with beam.Pipeline(options=PipelineOptions(streaming=True, runner="FnApiRunner")) as p:
        ticks = p | PollClock(1.0, NOW.fromtimestamp(start, NOW.tzinfo), stop)
        assert_that(ticks, equal_to([0, 1, 2]))
    assert time.time() - start == pytest.approx(2.5, abs=1.5)


def test_the_first_tick_comes_even_when_the_stop_time_passed_before_the_pipeline_started():
    start = time.time() - 60
    stop = NOW.fromtimestamp(start + 5, NOW.tzinfo)
    with beam.Pipeline(options=PipelineOptions(streaming=True, runner="FnApiRunner")) as p:
        ticks = p | PollClock(1.0, NOW.fromtimestamp(start, NOW.tzinfo), stop)
        assert_that(ticks, equal_to([0]))


def test_the_clock_stops_when_asked():
    start = time.time()
    threading.Timer(1.5, poll_feeds.STOP.set).start()  # what SIGINT/SIGTERM do in `dyad stream`
    try:
        with beam.Pipeline(options=PipelineOptions(streaming=True, runner="FnApiRunner")) as p:
            ticks = p | PollClock(1.0, NOW.fromtimestamp(start, NOW.tzinfo), None)
            assert_that(ticks, equal_to([0, 1]))
    finally:
        poll_feeds.STOP.clear()
    assert time.time() - start < 10
