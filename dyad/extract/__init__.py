"""Article extraction: page bytes to title, text, authors, date, language and image.

The page is decoded once (`decode`), parsed once into an lxml tree that every extractor shares,
its body text chosen by agreement between extractors (`body`), and each metadata field read
from the best source the page offers (`metadata`). Every field records where it came from.
When the page gives too little, the feed entry's own title and summary stand in, and the row
says so.
"""
import datetime as dt
import logging
import re

from dyad.extract import xpath_guard

# Before any extraction: trafilatura's expressions with a cheap first test (same matches).
xpath_guard.guard_trafilatura()

from dyad.extract import body, headline, metadata  # noqa: E402
from dyad.extract.decode import (decode_html, decode_with_charset, html_to_text,  # noqa: E402
                                 parse_html)
from dyad.records import Article, FeedEntry  # noqa: E402

__all__ = ["Article", "ExtractionError", "article_from_page", "best_date", "decode_html",
           "decode_with_charset", "extract", "fallback_article", "html_to_text", "parse_html"]

log = logging.getLogger(__name__)

MIN_WORDS = 25
# Chinese, Japanese and Korean write without spaces: count each ideograph or kana as a word.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
FEED_FALLBACK = "feed_summary"


class ExtractionError(Exception):
    """The page could not be turned into an article; `error_type` names why."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def word_count(text: str) -> int:
    return len(_UNSPACED.findall(text)) + len(_UNSPACED.sub(" ", text).split())


def extract(url: str | None, html: str) -> dict:
    """Every field of an article page, plus `provenance` (field → source); ExtractionError when
    the page has no usable text. `published_at` keeps the page's own UTC offset."""
    tree = parse_html(html)
    if tree is None:
        raise ExtractionError("empty_page", "the page is empty")
    text, text_source = body.extract_body(tree, html, url)
    words = word_count(text)
    if words < MIN_WORDS:
        raise ExtractionError("too_little_text", f"page yields {words} words of text (< {MIN_WORDS})")
    json_ld = metadata.json_ld_objects(tree)
    metas = metadata.meta_index(tree)  # built once: every field below reads it
    fields = {
        "title": headline.title(tree, json_ld, metas, url),
        "authors": metadata.authors(tree),
        "published_at": metadata.published(tree, json_ld, url, metas),
        "language": metadata.language(tree, metas),
        "top_image": metadata.top_image(tree, json_ld, url, metas),
    }
    provenance = {"text": text_source}
    provenance.update({name: source for name, (_value, source) in fields.items() if source})
    values = {name: value for name, (value, _source) in fields.items()}
    if is_bare_day(values["published_at"]):
        provenance["published_at"] += " (day only)"
    return {**values, "text": text, "extraction": text_source, "provenance": provenance}


def article_from_page(entry: FeedEntry, final_url: str, html: str,
                      fetched_at: dt.datetime) -> Article:
    fields = extract(final_url, html)
    provenance = dict(fields["provenance"])
    if not fields["title"]:
        provenance["title"] = "feed"
    if not fields["authors"] and entry.authors:
        provenance["authors"] = "feed"
    page_date = utc(fields["published_at"])
    published = best_date(page_date, entry.published_at)
    if published is not None and published != page_date:
        provenance["published_at"] = "feed"  # the page had no date, or only the day
    # The day as the page states it, before UTC moves it across midnight.
    day = _day(fields["published_at"] or entry.published_at)
    return Article(
        entry=entry,
        title=fields["title"] or entry.title,
        text=fields["text"],
        authors=fields["authors"] or entry.authors,
        published_at=published,
        published_date=day,
        language=fields["language"],
        top_image=fields["top_image"],
        extraction=fields["extraction"],
        fetched_at=fetched_at,
        lead=_lead(fields["text"]),
        provenance=provenance,
    )


def fallback_article(entry: FeedEntry, note: str) -> Article:
    """The feed's own title and summary, for when the page could not be fetched or parsed."""
    return Article(
        entry=entry,
        title=entry.title,
        text=entry.summary,
        authors=entry.authors,
        published_at=entry.published_at,
        language=None,
        top_image=None,
        extraction=FEED_FALLBACK,
        fetched_at=None,
        extraction_note=note[:500],
        published_date=_day(entry.published_at),
        lead=entry.summary,
        provenance={name: "feed" for name in ("text", "title", "authors", "published_at")},
    )


def is_bare_day(value: dt.datetime | None) -> bool:
    """A date the page gave without a time of day (nor an offset)."""
    return value is not None and value.tzinfo is None and value.time() == dt.time(0)


def best_date(page_date: dt.datetime | None, feed_date: dt.datetime | None) -> dt.datetime | None:
    """The page's date, unless it is a bare day (midnight) that the feed's timestamp refines."""
    if page_date is None:
        return feed_date
    if feed_date and page_date.time() == dt.time(0) and page_date.date() == feed_date.date():
        return feed_date
    return page_date


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A page date in UTC; a date without an offset is taken as UTC."""
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _lead(text: str) -> str:
    return text.split("\n", 1)[0][:1500]
