import datetime as dt

import pytest

from dyad.extract import (ExtractionError, best_date, decode_html, extract, fallback_article,
                          html_to_text)
from dyad.fixture_server import Site
from dyad.records import FeedEntry
from tests.conftest import NOW, SAMPLE

ENTRY = FeedEntry("id", "http://127.0.0.1/a.html", "http://127.0.0.1/a.html", "127.0.0.1",
                  "http://127.0.0.1/feed.xml", "Feed", "g", "Feed title", "Feed summary text",
                  ("Feed Author",), dt.datetime(2026, 11, 20, 6, 30, tzinfo=dt.timezone.utc), NOW)


@pytest.fixture(scope="module")
def sample_page():
    site = Site.load(SAMPLE)
    site.ports = {o["id"]: 8000 + i for i, o in enumerate(site.outlets)}
    article = site.articles[0]
    return article, site.render_article(article)


def test_sample_page_extracts_title_text_author_date(sample_page):
    article, html = sample_page
    fields = extract("http://127.0.0.1:8000/" + article["slug"] + ".html", html)
    assert fields["title"] == article["title"]
    assert article["paras"][0][:60] in fields["text"]
    assert "All rights reserved" not in fields["text"] and "More from" not in fields["text"]
    assert fields["authors"] == (article["author"],)
    assert fields["published_at"].date() == dt.date(2026, 11, 20)
    assert fields["language"] == "en"


def test_page_without_text_is_an_extraction_error():
    with pytest.raises(ExtractionError) as err:
        extract("http://x/", "<html><body><nav>Home</nav></body></html>")
    assert err.value.error_type == "too_little_text"
    with pytest.raises(ExtractionError):
        extract("http://x/", "   ")


def test_charset_from_header_meta_and_bom():
    text = "Zürich, São Paulo, Kraków"
    assert text in decode_html(("<p>" + text).encode("latin-1", "replace"), "text/html; charset=iso-8859-1") or \
        "Z\u00fcrich" in decode_html(("<p>" + text).encode("cp1252", "replace"), "text/html; charset=windows-1252")
    meta = '<html><head><meta charset="windows-1252"></head><body><p>Zürich</p></body></html>'
    assert "Zürich" in decode_html(meta.encode("cp1252"))
    assert "Kraków" in decode_html(b"\xef\xbb\xbf<p>" + "Kraków".encode("utf-8"))
    cjk = '<meta charset="gb2312"><p>中国和俄罗斯</p>'
    assert "中国和俄罗斯" in decode_html(cjk.encode("gb18030"))


def test_fallback_uses_feed_fields_and_says_why():
    art = fallback_article(ENTRY, "page not fetched: http_404")
    assert art.extraction == "feed_summary" and art.text == "Feed summary text"
    assert art.title == "Feed title" and "http_404" in art.extraction_note and art.fetched_at is None


def test_best_date_keeps_the_feed_time_for_a_bare_page_day():
    feed = dt.datetime(2026, 11, 20, 6, 30, tzinfo=dt.timezone.utc)
    assert best_date(dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc), feed) == feed
    page = dt.datetime(2026, 11, 19, 23, 0, tzinfo=dt.timezone.utc)
    assert best_date(page, feed) == page and best_date(None, feed) == feed


def test_html_to_text():
    assert html_to_text("<p>A <b>bold</b>\n move</p>") == "A bold move"
    assert html_to_text("plain") == "plain"
