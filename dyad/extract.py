"""Article extraction: page bytes to title, text, authors, date, language, image.

newspaper3k does the extraction; charset decoding is done first by w3lib (HTTP header, BOM,
<meta charset>, then a UTF-8/cp1252 guess) because newspaper3k's own guess mangles non-UTF-8 pages.
When the page gives too little, the feed entry's own title and summary stand in, and the row says so.
"""
from __future__ import annotations

import datetime as dt
import logging

import lxml.html
from newspaper import Article as NewspaperArticle
from newspaper import Config as NewspaperConfig
from w3lib.encoding import html_to_unicode

from dyad.records import Article, FeedEntry

log = logging.getLogger(__name__)

MIN_WORDS = 25
EXTRACTOR = "newspaper3k"
FEED_FALLBACK = "feed_summary"


class ExtractionError(Exception):
    """The page could not be turned into an article; `error_type` names why."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def decode_html(body: bytes, content_type: str = "") -> str:
    _encoding, text = html_to_unicode(content_type or None, body)
    return text


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment such as a feed summary."""
    if not fragment or "<" not in fragment:
        return (fragment or "").strip()
    try:
        return " ".join(lxml.html.fromstring(fragment).text_content().split())
    except (lxml.etree.ParserError, ValueError):
        return fragment.strip()


def newspaper_config() -> NewspaperConfig:
    config = NewspaperConfig()
    config.fetch_images = False
    config.memoize_articles = False
    config.follow_meta_refresh = False
    return config


def extract(url: str, html: str, config: NewspaperConfig | None = None) -> dict:
    """Run newspaper3k over already-fetched HTML; ExtractionError when nothing usable comes out."""
    if not html.strip():
        raise ExtractionError("empty_page", "the page is empty")
    page = NewspaperArticle(url, config=config or newspaper_config())
    page.download(input_html=html)
    try:
        page.parse()
    except Exception as exc:  # newspaper3k raises bare Exceptions and lxml errors alike
        raise ExtractionError("parse_failed", f"newspaper3k could not parse the page: {exc!r}") from exc
    text = (page.text or "").strip()
    words = len(text.split())
    if words < MIN_WORDS:
        raise ExtractionError("too_little_text", f"page yields {words} words of text (< {MIN_WORDS})")
    return {
        "title": (page.title or "").strip(),
        "text": text,
        "authors": tuple(a.strip() for a in page.authors if a.strip()),
        "published_at": _utc(page.publish_date),
        "language": (page.meta_lang or "").strip().lower()[:2] or None,
        "top_image": page.top_image or page.meta_img or None,
        "extraction": EXTRACTOR,
    }


def article_from_page(entry: FeedEntry, final_url: str, html: str, fetched_at: dt.datetime,
                      config: NewspaperConfig | None = None) -> Article:
    fields = extract(final_url, html, config)
    return Article(
        entry=entry,
        title=fields["title"] or entry.title,
        text=fields["text"],
        authors=fields["authors"] or entry.authors,
        published_at=best_date(fields["published_at"], entry.published_at),
        language=fields["language"],
        top_image=fields["top_image"],
        extraction=EXTRACTOR,
        fetched_at=fetched_at,
        lead=_lead(fields["text"]),
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
        lead=entry.summary,
    )


def best_date(page_date: dt.datetime | None, feed_date: dt.datetime | None) -> dt.datetime | None:
    """The page's date, unless it is a bare day (midnight) that the feed's timestamp refines."""
    if page_date is None:
        return feed_date
    if feed_date and page_date.time() == dt.time(0) and page_date.date() == feed_date.date():
        return feed_date
    return page_date


def _utc(value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _lead(text: str) -> str:
    return text.split("\n\n", 1)[0][:1500]
