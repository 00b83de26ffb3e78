"""Stage 4b, parse: FetchedPage → Article (see `dyad.extract`), else the feed entry's own text.

A page that was not fetched, or that yields no usable text, becomes an Article built from the
feed's title and summary with `extraction = 'feed_summary'` and a note saying why; a parse failure
is also recorded as an `ingest_errors` row with stage `parse`.
"""
import dataclasses

import apache_beam as beam
from apache_beam.metrics import Metrics

from dyad.errors import error_row
from dyad.extract import ExtractionError, article_from_page, decode_html, fallback_article
from dyad.records import ARCHIVE_FEED_NAME, Article, FetchedPage
from dyad.transforms.cpu_pool import PooledFn
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage


def parse_page(page: FetchedPage) -> tuple[Article, ExtractionError | None]:
    """The article of a page, and the extraction error when it had to fall back."""
    article, problem = _article(page)
    if page.entry.feed_name == ARCHIVE_FEED_NAME:
        article = _as_archived(article, page)
    return article, problem


def _article(page: FetchedPage) -> tuple[Article, ExtractionError | None]:
    if page.body is None:
        note = f"page not fetched: {page.error_type}: {page.error_message}"
        return fallback_article(page.entry, note), None
    try:
        html = decode_html(page.body, page.content_type)
        return article_from_page(page.entry, page.final_url, html, page.fetched_at), None
    except ExtractionError as exc:
        return fallback_article(page.entry, f"page not usable: {exc.error_type}: {exc}"), exc


def _as_archived(article: Article, page: FetchedPage) -> Article:
    """An archived page's article: what the entry gave comes from the WARC record (its date is
    the WARC-Date), and a record cut short says so."""
    provenance = {field: "warc" if source == "feed" else source
                  for field, source in article.provenance.items()}
    note = "; ".join(n for n in (page.note, article.extraction_note) if n) or None
    return dataclasses.replace(article, provenance=provenance, extraction_note=note)


def parse_outputs(page: FetchedPage, run_id: str) -> list[Article | ErrorOut]:
    """The article of a page, after the error row of a page that had to fall back."""
    article, problem = parse_page(page)
    if problem is None:
        return [article]
    return [error_output(error_row("parse", page.url, page.feed_url, problem.error_type,
                                   str(problem), run_id)), article]


class ParseArticleFn(PooledFn):
    """FetchedPage → Article, in the run's CPU pool when it has one (`cpu_pool`)."""

    stage = "parse"
    work = parse_outputs

    def __init__(self, run_id: str):
        super().__init__(run_id)
        self.parsed = Metrics.counter("dyad", "articles_parsed")
        self.fallbacks = Metrics.counter("dyad", "articles_feed_fallback")

    def work_args(self) -> tuple:
        return (self.run_id,)

    def count(self, output) -> None:
        if isinstance(output, Article):
            (self.fallbacks if output.extraction == "feed_summary" else self.parsed).inc()


class ParseArticles(beam.PTransform):
    """PCollection[FetchedPage] → (PCollection[Article], error row PCollections)."""

    def __init__(self, run_id: str):
        super().__init__()
        self.run_id = run_id

    def expand(self, pages):
        return run_stage(pages, "ParsePages", ParseArticleFn(self.run_id), "parse", self.run_id)
