import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from dyad.transforms.fetch import FetchArticles
from tests.conftest import RUN_ID, loopback_policy, reply
from tests.test_dedupe import entry


def test_fetch_stage_returns_every_page_and_records_failures(http_server):
    http_server["/ok.html"] = reply(200, b"<html><body><p>hi</p></body></html>",
                                    {"Content-Type": "text/html; charset=utf-8"})
    http_server["/moved"] = reply(301, headers={"Location": "/ok.html"})
    ok = entry(http_server.base + "/ok.html", "f")
    moved = entry(http_server.base + "/moved", "f")
    dead = entry(http_server.base + "/dead.html", "f")
    with TestPipeline() as p:
        pages, errors = (p | beam.Create([ok, moved, dead])
                         | FetchArticles(loopback_policy(), RUN_ID, threads=4, per_host=2))
        assert_that(pages | beam.Map(lambda pg: (pg.url.rsplit("/", 1)[1], pg.status, pg.error_type,
                                                 pg.final_url.rsplit("/", 1)[1])),
                    equal_to([("ok.html", 200, None, "ok.html"), ("moved", 200, None, "ok.html"),
                              ("dead.html", 404, "http_404", "dead.html")]), label="Pages")
        assert_that(errors | "AllErrors" >> beam.Flatten() | beam.Map(lambda e: (e["stage"], e["error_type"], e["feed_url"])),
                    equal_to([("fetch", "http_404", "f")]), label="Errors")
