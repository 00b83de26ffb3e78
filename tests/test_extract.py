import datetime as dt
import os
from pathlib import Path

import pytest

from dyad.extract import (ExtractionError, article_from_page, best_date, decode_html,
                          decode_with_charset, extract, fallback_article, html_to_text, metadata,
                          parse_html)
from dyad.extract.body import medoid, token_f1
from dyad.net.fixture_server import Site
from dyad.records import FeedEntry
from tests.conftest import CORPUS, NOW, SAMPLE, needs

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


def test_chinese_article_counts_characters_as_words():
    paragraphs = "".join(f"<p>{line}</p>" for line in (
        "外交部发言人今天在例行记者会上表示，中俄两国元首举行了视频通话，双方就双边关系深入交换意见。",
        "发言人说，两国将继续在联合国等多边框架内加强协调与合作，共同维护地区和平稳定与发展繁荣。",
        "分析人士指出，此次通话释放出两国在能源、贸易和科技领域进一步深化务实合作的明确积极信号。"))
    html = f"<html><head><title>中俄元首视频通话</title></head><body><article><h1>中俄元首视频通话</h1>{paragraphs}</article></body></html>"
    fields = extract("http://127.0.0.1/zh.html", html)
    assert fields["title"] == "中俄元首视频通话" and "多边框架" in fields["text"]


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


def test_latin1_bytes_declared_as_utf8_are_detected():
    page = "<html><body><p>Málaga, Zürich und Kraków: Gespräche über Währungen.</p></body></html>"
    text, encoding = decode_with_charset(page.encode("latin-1", "replace"), "text/html; charset=utf-8")
    assert "Málaga" in text and "Zürich" in text and encoding != "utf-8"


def test_date_sources_vote_and_keep_time_and_offset():
    html = ("<html><head><script type='application/ld+json'>{\"@context\": \"https://schema.org\", "
            "\"@graph\": [{\"@type\": \"NewsArticle\", \"datePublished\": \"2020-02-19T06:10:00+01:00\","
            " \"headline\": \"H\"}]}</script>"
            "<meta property='article:published_time' content='2020-02-19T05:10:00Z'></head><body>"
            "<p>Updated 18 February 2020</p></body></html>")
    tree = parse_html(html)
    value, source = metadata.published(tree, metadata.json_ld_objects(tree), "http://x.example/a")
    assert source == "json-ld" and value.isoformat() == "2020-02-19T06:10:00+01:00"
    # A lone generic meta date loses to two sources that agree on another day.
    tree = parse_html("<html><head><meta name='date' content='2019-01-02'></head><body>"
                      "<time datetime='2019-03-04T10:00:00+00:00'>4 March</time></body></html>")
    value, source = metadata.published(tree, [], "http://x.example/2019/03/04/story.html")
    assert value.date() == dt.date(2019, 3, 4) and source == "time"


ARTICLE_BODY = "<p>" + "The council met on Tuesday and agreed the new budget for the town. " * 12 + "</p>"


def test_the_page_day_is_kept_when_utc_moves_the_time_across_midnight():
    html = ("<html><head><meta property='article:published_time' content='2022-02-03T23:30:00-05:00'>"
            f"</head><body><article><h1>Budget agreed</h1>{ARTICLE_BODY}</article></body></html>")
    article = article_from_page(ENTRY, "http://127.0.0.1/a.html", html, NOW)
    assert article.published_at == dt.datetime(2022, 2, 4, 4, 30, tzinfo=dt.timezone.utc)
    assert article.published_date == dt.date(2022, 2, 3)
    # No date on the page: the feed's (its UTC day); the fallback article has it too.
    bare = f"<html><body><article><h1>Budget agreed</h1>{ARTICLE_BODY}</article></body></html>"
    undated = article_from_page(ENTRY, "http://127.0.0.1/a.html", bare, NOW)
    assert undated.published_date == dt.date(2026, 11, 20)
    assert undated.provenance["published_at"] == "feed"
    assert fallback_article(ENTRY, "page not fetched").published_date == dt.date(2026, 11, 20)


def test_a_date_only_in_the_text_is_found_when_the_markup_has_none():
    html = ("<html><body><article><h1>Budget agreed</h1><div>Posted on May 23, 2019 by staff"
            f"</div>{ARTICLE_BODY}</article></body></html>")
    tree = parse_html(html)
    value, source = metadata.published(tree, [], "http://x.example/news/budget")
    assert value.date() == dt.date(2019, 5, 23) and source == "htmldate-text"
    assert extract("http://x.example/news/budget", html)["provenance"]["published_at"] == \
        "htmldate-text (day only)"


def test_absurd_dates_are_ignored():
    tree = parse_html("<html><head><meta property='article:published_time' content='2999-01-01'>"
                      "</head><body><p>x</p></body></html>")
    assert metadata.published(tree, [], None) == (None, None)


def test_medoid_picks_the_candidate_the_others_agree_with():
    article = "the minister said on friday that talks would resume next week in geneva"
    text, name = medoid({"a": article + " share this article", "b": "read more sport news today",
                         "c": article})
    assert name in ("a", "c") and "geneva" in text
    assert token_f1("x y z", "x y z") == 1.0 and token_f1("x", "") == 0.0


def _paragraphs(n: int, first: int = 0) -> str:
    return "".join(f"<p>Paragraph {i}: the delegation from China met officials in Moscow to "
                   f"discuss energy deal number {i} and border trade over two days.</p>"
                   for i in range(first, first + n))


@pytest.fixture
def extractor_calls(monkeypatch):
    """Counts trafilatura passes (by focus) and readability runs made by extract_body."""
    import trafilatura

    from dyad.extract import body
    calls = []
    real_pass, real_readability = trafilatura.bare_extraction, body.readability_text

    def counted_pass(tree, options, **kw):
        calls.append(options.focus + (" fast" if options.fast else ""))
        return real_pass(tree, options=options, **kw)

    def counted_readability(html, url):
        calls.append("readability")
        return real_readability(html, url)

    monkeypatch.setattr(trafilatura, "bare_extraction", counted_pass)
    monkeypatch.setattr(body, "readability_text", counted_readability)
    return calls


def test_a_clean_article_costs_two_fast_passes_only(extractor_calls):
    from dyad.extract.body import extract_body
    html = f"<html><body><article><h1>Talks</h1>{_paragraphs(7)}</article></body></html>"
    text, source = extract_body(parse_html(html), html, None)
    assert extractor_calls == ["balanced fast", "precision fast"]
    assert source == "trafilatura" and "Paragraph 0:" in text and "Paragraph 6:" in text


def test_fast_passes_that_disagree_call_the_full_precision_pass(extractor_calls):
    from dyad.extract.body import extract_body
    # A bordered box is boilerplate to the precision focus only: the fast passes disagree. The
    # full precision pass compares with readability, keeps the box, and so agrees with the fast
    # pass: no third extractor is needed.
    html = (f"<html><body><article><h1>Talks</h1>{_paragraphs(1)}<div style='border:1px solid'>"
            f"{_paragraphs(6, 10)}</div></article></body></html>")
    text, source = extract_body(parse_html(html), html, None)
    assert extractor_calls == ["balanced fast", "precision fast", "precision"]
    assert source == "trafilatura" and "Paragraph 0:" in text and "Paragraph 15:" in text


def test_extract_records_provenance_of_every_field(sample_page):
    article, html = sample_page
    fields = extract("http://127.0.0.1:8000/" + article["slug"] + ".html", html)
    assert fields["provenance"]["text"] == fields["extraction"]
    assert {"title", "published_at", "authors", "language"} <= set(fields["provenance"])


BYLINE_CASES = {
    "a byline": "<p class='byline'>By Anna Lee</p>",
    "an author link": "<a rel='author' href='/a'>Anna Lee</a>",
    "a byline inside comments is passed over": (
        "<div class='comments'><span class='author'>A Commenter</span></div>"
        "<div class='byline'>By Anna Lee</div>"),
    "a date inside the byline is left out": (
        "<div class='byline'>By Anna<time>12 May</time>Lee</div>"),
    "a figure caption's credit is passed over": (
        "<figure><span class='author'>Photo Agency</span></figure><p class='byline'>Anna Lee</p>"),
    "no byline": "<p>Nothing here names a writer.</p>",
    "a byline too long to be one": f"<p class='byline'>{'word ' * 40}</p>",
}


@pytest.mark.parametrize("case", sorted(BYLINE_CASES))
def test_byline_matches_trafilaturas_extract_author(case):
    from trafilatura.metadata import extract_author as trafilaturas

    from dyad.extract.byline import extract_author
    tree = parse_html(f"<html><body><article><h1>T</h1>{BYLINE_CASES[case]}"
                      f"<p>{'Some words of the article. ' * 20}</p></article></body></html>")
    assert extract_author(tree) == trafilaturas(tree)


@needs(os.path.join(CORPUS, "articles"))
def test_byline_matches_trafilatura_on_every_corpus_page():
    from trafilatura.metadata import extract_author as trafilaturas

    from dyad.extract.byline import extract_author
    pages = [p for p in sorted(Path(CORPUS, "articles").rglob("*.htm*")) if "/html/" in str(p)]
    found = 0
    for page in pages:
        tree = parse_html(decode_html(page.read_bytes()))
        if tree is not None:
            expected = trafilaturas(tree)
            assert extract_author(tree) == expected, page
            found += expected is not None
    assert len(pages) > 300 and found > 150


def test_readability_on_a_page_without_a_body_gives_no_candidate_not_a_crash():
    from dyad.extract.body import readability_text
    # lxml asserts on readability's summary of such a page ("too many bodies: []").
    assert readability_text("<html><head><title>Only a title</title></head></html>", None) == ""
