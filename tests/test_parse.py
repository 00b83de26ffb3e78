import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from dyad.records import FetchedPage
from dyad.transforms.parse import ParseArticles, parse_page
from tests.conftest import NOW, RUN_ID
from tests.test_dedupe import entry

BODY = ("<html><head><title>Drills begin</title></head><body><article><h1>Drills begin</h1>"
        + "".join(f"<p>China and Russia began naval drills on day {n} near Vladivostok, officials "
                  "said.</p>" for n in range(5)) + "</article></body></html>").encode("utf-8")
PAGE_EXTRACTORS = ("trafilatura", "trafilatura-precision", "readability")
E = entry("http://127.0.0.1/a.html", "f")


def page(body, error_type=None):
    return FetchedPage(E, E.url, 200 if body else 404, "text/html; charset=utf-8", body,
                       NOW if body else None, error_type, "HTTP 404" if error_type else None)


def test_parse_page_extracts_or_falls_back():
    article, problem = parse_page(page(BODY))
    assert problem is None and article.extraction in PAGE_EXTRACTORS and "naval drills" in article.text
    assert article.provenance["text"] == article.extraction and article.provenance["title"] == "h1"
    article, problem = parse_page(page(None, "http_404"))
    assert problem is None and article.extraction == "feed_summary" and "http_404" in article.extraction_note
    article, problem = parse_page(page(b"<html><body></body></html>"))
    assert article.extraction == "feed_summary" and problem.error_type in ("too_little_text", "empty_page")


def test_parse_stage_outputs_and_error_rows():
    with TestPipeline() as p:
        articles, errors = (p | beam.Create([page(BODY), page(None, "http_404"),
                                             page(b"<html><body><nav>x</nav></body></html>")])
                            | ParseArticles(RUN_ID))
        assert_that(articles | beam.Map(lambda a: a.extraction in PAGE_EXTRACTORS),
                    equal_to([True, False, False]), label="Articles")
        assert_that(errors | "AllErrors" >> beam.Flatten() | beam.Map(lambda e: (e["stage"], e["error_type"])),
                    equal_to([("parse", "too_little_text")]), label="Errors")
