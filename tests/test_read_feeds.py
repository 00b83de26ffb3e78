import apache_beam as beam
from apache_beam.pvalue import TaggedOutput
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import GlobalWindow

from dyad.records import FeedSpec
from dyad.transforms.read_feeds import ReadFeeds
from tests.conftest import NOW, RUN_ID, InFlight, loopback_policy, reply


def test_read_feeds_yields_entries_and_error_rows(sample_sites, http_server):
    site = sample_sites.site
    http_server["/html"] = reply(200, b"<html><body><p>not a feed</p></body></html>",
                                 {"Content-Type": "text/html"})
    specs = [FeedSpec(site.feed_url("globalwire"), "Global Wire"),
             FeedSpec(site.feed_url("brokentimes"), "Broken Times"),
             FeedSpec(http_server.base + "/missing.xml"),
             FeedSpec(http_server.base + "/html"),
             FeedSpec(f"http://127.0.0.2:{http_server.port}/feed.xml")]
    expected_urls = {site.article_url(a) for a in site.articles
                     if a["outlet"] in ("globalwire", "brokentimes")}
    with TestPipeline() as p:
        entries, errors = p | beam.Create(specs) | ReadFeeds(loopback_policy(), RUN_ID, NOW)
        assert_that(entries | beam.Map(lambda e: e.url), equal_to(sorted(expected_urls)),
                    label="Entries")
        assert_that(errors | "AllErrors" >> beam.Flatten() | beam.Map(lambda e: (e["stage"], e["error_type"])), equal_to([
            ("read_feeds", "http_404"), ("parse_feeds", "not_a_feed"),
            ("read_feeds", "blocked_address")]), label="Errors")


def test_feeds_are_fetched_many_at_a_time_within_the_per_host_limit(http_server):
    slow = InFlight(b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item>"
                    b"<title>a</title><link>http://127.0.0.1/a</link></item></channel></rss>",
                    "application/rss+xml")
    for i in range(6):
        http_server[f"/f{i}.xml"] = slow
    specs = [FeedSpec(f"{http_server.base}/f{i}.xml") for i in range(6)]
    with TestPipeline() as p:
        entries, _errors = (p | beam.Create(specs)
                            | ReadFeeds(loopback_policy(), RUN_ID, NOW, threads=8, per_host=3))
        assert_that(entries | beam.Map(lambda e: e.feed_url), equal_to([s.url for s in specs]))
    assert slow.peak == 3


def test_a_bug_while_fetching_a_feed_becomes_an_error_row(http_server, monkeypatch):
    from dyad.transforms import read_feeds

    def broken(fetcher, spec):
        raise KeyError("a bug")

    monkeypatch.setattr(read_feeds, "fetch_feed", broken)
    fn = read_feeds.FetchFeedFn(loopback_policy(), RUN_ID, threads=2, per_host=2)
    fn.setup()
    fn.start_bundle()
    out = list(fn.process(FeedSpec(http_server.base + "/f.xml"), 0, GlobalWindow()))
    # finish_bundle() wraps what it yields in a WindowedValue, inside the tag
    out += [TaggedOutput(o.tag, o.value.value) for o in fn.finish_bundle()]
    fn.teardown()
    assert [(o.tag, o.value["stage"], o.value["error_type"]) for o in out] == [
        ("errors", "read_feeds", "KeyError")]
