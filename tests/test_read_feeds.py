import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from dyad.records import FeedSpec
from dyad.transforms.read_feeds import ReadFeeds
from tests.conftest import NOW, RUN_ID, loopback_policy, reply


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
