import datetime as dt
import glob
import os
import time

import pytest

from dyad.feeds import EntryProblem, FeedParseError, parse_feed, plausible_date
from dyad.records import FeedDocument, FeedEntry, FeedSpec
from tests.conftest import CORPUS, NOW, needs


def doc(body: bytes, url="http://127.0.0.1/feed.xml", ctype="application/rss+xml"):
    return FeedDocument(FeedSpec(url, "Test"), body, url, ctype, NOW)


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One &amp; only</title><link>https://example.com/a?utm_source=rss</link>
<guid>g1</guid><pubDate>Tue, 17 Nov 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Summary &lt;b&gt;one&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title>Dup guid</title><link>https://example.com/b</link><guid>g1</guid></item>
<item><title>No link</title><guid isPermaLink="false">g2</guid></item>
<item><title>Relative</title><link>/c.html</link><guid>g3</guid><pubDate>Sat, 1 Jan 2999 00:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_rss_entries_with_ids_dates_and_problems():
    items = list(parse_feed(doc(RSS), NOW))
    entries = [i for i in items if isinstance(i, FeedEntry)]
    problems = [i for i in items if isinstance(i, EntryProblem)]
    # A reused GUID with another link is another story: kept, not silently dropped.
    assert [e.title for e in entries] == ["One & only", "Dup guid", "Relative"]
    first = entries[0]
    assert first.canonical_url == "https://example.com/a" and first.summary == "Summary one"
    assert first.published_at == dt.datetime(2026, 11, 17, 10, tzinfo=dt.timezone.utc)
    assert entries[2].url == "http://127.0.0.1/c.html" and entries[2].published_at is None
    assert [p.error_type for p in problems] == ["no_link"]


def test_broken_feed_still_yields_entries():
    broken = RSS.replace(b"<title>T</title>", b"<title>T & U</title>").replace(b"</channel></rss>", b"")
    entries = [i for i in parse_feed(doc(broken), NOW) if isinstance(i, FeedEntry)]
    assert len(entries) == 3


@pytest.mark.parametrize("body, error_type", [
    (b"<html><body><p>not a feed</p></body></html>", "not_a_feed"),
    (b"", "not_a_feed"),
    (b"\x00\x01garbage<<<", "malformed_feed"),
])
def test_non_feeds_raise(body, error_type):
    with pytest.raises(FeedParseError) as err:
        list(parse_feed(doc(body, ctype="text/html"), NOW))
    assert err.value.error_type in (error_type, "malformed_feed", "not_a_feed")


def test_json_feed():
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
            b'{"id": "1", "url": "https://example.com/j1", "title": "Json one", '
            b'"content_text": "Text", "date_published": "2026-11-20T10:00:00Z"}]}')
    entries = list(parse_feed(doc(body, ctype="application/feed+json"), NOW))
    assert [e.title for e in entries] == ["Json one"]


def test_absurd_dates_are_dropped():
    assert plausible_date(time.gmtime(0), NOW) is None
    assert plausible_date(time.strptime("2999", "%Y"), NOW) is None
    assert plausible_date(time.strptime("2026-11-01", "%Y-%m-%d"), NOW).year == 2026


FEEDS = os.path.join(CORPUS, "feeds", "fastfeedparser", "news_feeds_benchmark_data")


@needs(FEEDS)
def test_real_news_feeds_parse_without_crashing():
    """26 captured news feeds: every one yields entries, every entry has a story id."""
    files = [f for f in glob.glob(os.path.join(FEEDS, "*")) if os.path.isfile(f)
             and not f.endswith((".tsv", ".md", ".txt"))]
    assert files
    total = 0
    for path in files:
        with open(path, "rb") as fh:
            body = fh.read()
        try:
            items = list(parse_feed(doc(body, url="https://example.com/feed"), NOW))
        except FeedParseError:
            continue
        entries = [i for i in items if isinstance(i, FeedEntry)]
        assert all(len(e.story_id) == 64 for e in entries)
        total += len(entries)
    assert total > 500
