"""Stage 4b, parse: FetchedPage → Article (see `dyad.extract`), else the feed entry's own text.

A page that was not fetched, or that yields no usable text, becomes an Article built from the
feed's title and summary with `extraction = 'feed_summary'` and a note saying why; a parse failure
is also recorded as an `ingest_errors` row with stage `parse`.
"""
from typing import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from dyad.errors import error_row
from dyad.extract import ExtractionError, article_from_page, decode_html, fallback_article
from dyad.records import Article, FetchedPage
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage


def parse_page(page: FetchedPage) -> tuple[Article, ExtractionError | None]:
    """The article of a page, and the extraction error when it had to fall back."""
    if page.body is None:
        note = f"page not fetched: {page.error_type}: {page.error_message}"
        return fallback_article(page.entry, note), None
    try:
        html = decode_html(page.body, page.content_type)
        return article_from_page(page.entry, page.final_url, html, page.fetched_at), None
    except ExtractionError as exc:
        return fallback_article(page.entry, f"page not usable: {exc.error_type}: {exc}"), exc


class ParseArticleFn(beam.DoFn):
    def __init__(self, run_id: str):
        self.run_id = run_id
        self.parsed = Metrics.counter("dyad", "articles_parsed")
        self.fallbacks = Metrics.counter("dyad", "articles_feed_fallback")

    def process(self, page: FetchedPage) -> Iterable[Article | ErrorOut]:
        article, problem = parse_page(page)
        if problem is not None:
            yield error_output(error_row("parse", page.url, page.feed_url, problem.error_type,
                                         str(problem), self.run_id))
        (self.fallbacks if article.extraction == "feed_summary" else self.parsed).inc()
        yield article


class ParseArticles(beam.PTransform):
    """PCollection[FetchedPage] → (PCollection[Article], error row PCollections)."""

    def __init__(self, run_id: str):
        super().__init__()
        self.run_id = run_id

    def expand(self, pages):
        return run_stage(pages, "ParsePages", ParseArticleFn(self.run_id), "parse", self.run_id)
