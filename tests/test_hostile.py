"""Fault injection: what a broken or hostile server can send, against real loopback servers.

Cases already covered elsewhere: test_http.py (timeouts, slow drip, gzip bomb, declared oversize,
429/503 Retry-After, 500 retries, redirect chains and loops, refused addresses, other schemes),
test_feeds.py (malformed, HTML and JSON feeds, absurd dates), test_extract.py (charsets),
test_cli.py (invocation errors), test_e2e.py (accounting on the sample sites).
"""
import datetime as dt
import time
import zlib

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from dyad.feeds import EntryProblem, FeedParseError, parse_feed
from dyad.net.http import Fetcher, FetchError
from dyad.records import FeedDocument, FeedSpec
from dyad.transforms.fetch import FetchArticles
from dyad.net.urls import BadURL, canonical_url
from tests.conftest import NOW, RUN_ID, InFlight, loopback_policy, reply
from tests.test_dedupe import entry

MB = 1024 * 1024


def doc(body: bytes, url="http://127.0.0.1/feed.xml") -> FeedDocument:
    return FeedDocument(FeedSpec(url), body, url, "application/rss+xml", NOW)


def items(body: bytes, url="http://127.0.0.1/feed.xml") -> list:
    return list(parse_feed(doc(body, url), NOW))


def rss(entries: str, head: bytes = b"") -> bytes:
    return (b"<?xml version='1.0'?>" + head + b"<rss version='2.0'><channel><title>t</title>"
            + entries.encode() + b"</channel></rss>")


def test_billion_laughs_is_not_expanded():
    entities = b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), b"&%s;" % chr(97 + i).encode()
                                                * 10) for i in range(9))
    body = rss("<item><title>&j;</title><link>http://127.0.0.1/a</link></item>",
               b'<!DOCTYPE rss [<!ENTITY a "lol">' + entities + b"]>")
    start = time.monotonic()
    found = items(body)
    assert time.monotonic() - start < 10
    assert len(found) == 1 and len(found[0].title) < 100  # 10^9 "lol"s would be 3 GB


def test_quadratic_blowup_is_not_expanded():
    body = rss("<item><title>" + "&x;" * 50_000 + "</title><link>http://127.0.0.1/a</link></item>",
               b'<!DOCTYPE rss [<!ENTITY x "' + b"A" * 50_000 + b'">]>')
    found = items(body)
    assert len(found) == 1 and "A" * 1000 not in found[0].title


def test_external_entities_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = rss("<item><title>&s;</title><description>&s;</description>"
               "<link>http://127.0.0.1/a</link></item>",
               f'<!DOCTYPE rss [<!ENTITY s SYSTEM "file://{secret}">]>'.encode())
    found = items(body)
    assert found and all("TOPSECRET" not in f.title + f.summary for f in found)


@pytest.mark.parametrize("body", [b"", b"\x00\xff" * 100, b"<rss><channel><item>"],
                         ids=["empty", "binary", "truncated"])
def test_invalid_documents_are_errors_not_crashes(body):
    try:
        found = items(body)
    except FeedParseError as exc:
        assert exc.error_type
        return
    assert all(isinstance(f, EntryProblem) or f.url for f in found)


def test_ten_thousand_entries_with_enormous_titles():
    huge = "T" * 100_000
    entries = "".join(f"<item><title>{huge if i % 1000 == 0 else 'story'}</title>"
                      f"<link>http://127.0.0.1/s/{i}</link><guid>dup</guid></item>"
                      for i in range(10_000))
    found = items(rss(entries))
    assert len(found) == 10_000 and len({f.story_id for f in found}) == 10_000
    assert max(len(f.title) for f in found) <= 1_000


def test_relative_huge_and_idn_links():
    body = rss("<item><title>a</title><link>/news/a.html</link></item>"
               f"<item><title>b</title><link>http://127.0.0.1/{'x' * 10_000}</link></item>")
    relative, huge = items(body, url="http://127.0.0.1:8080/feeds/rss.xml")
    assert relative.url == "http://127.0.0.1:8080/news/a.html"
    assert isinstance(huge, EntryProblem) and huge.error_type == "bad_link"
    assert canonical_url("http://Bücher.example/ä") == canonical_url("http://xn--bcher-kva.example/ä")
    with pytest.raises(BadURL):
        canonical_url("javascript:alert(1)")


def fetch(url: str, **policy):
    fetcher = Fetcher(loopback_policy(**policy))
    try:
        return fetcher.get(url)
    finally:
        fetcher.close()


def test_a_server_that_never_accepts_hits_the_connect_timeout():
    import socket
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)  # a full accept queue: further SYNs go unanswered
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)
    start = time.monotonic()
    try:
        with pytest.raises(FetchError) as err:
            fetch(f"http://127.0.0.1:{port}/", connect_timeout=1, retries=0)
    finally:
        for sock in (*fillers, server):
            sock.close()
    assert err.value.error_type == "connect_timeout" and time.monotonic() - start < 5


def test_deflate_bomb_is_capped(http_server):
    http_server["/deflate"] = reply(200, zlib.compress(b"\0" * (64 * MB), 9),
                                    {"Content-Encoding": "deflate"})
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/deflate", max_bytes=MB)
    assert err.value.error_type == "too_large"


def test_brotli_is_neither_asked_for_nor_decoded(http_server):
    seen = {}

    def br(req):
        seen["accept"] = req.headers.get("Accept-Encoding", "")
        reply(200, b"\x8b\xff\xff" * 100_000, {"Content-Encoding": "br"})(req)

    http_server["/br"] = br
    with pytest.raises(FetchError) as err:  # what arrives is capped as it stands
        fetch(http_server.base + "/br", max_bytes=100_000)
    assert err.value.error_type == "too_large" and "br" not in seen["accept"]


def test_memory_stays_bounded_on_a_one_gigabyte_gzip_bomb(http_server, tmp_path):
    import gzip
    import subprocess
    import sys
    bomb = gzip.compress(b"\0" * (1024 * MB), 9)  # about 1 MB on the wire
    http_server["/gig"] = reply(200, bomb, {"Content-Encoding": "gzip"})
    script = (
        "import resource, sys\n"
        "from dyad.net.http import Fetcher, FetchError, FetchPolicy\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "f = Fetcher(FetchPolicy(allowed_networks=('127.0.0.1/32',), max_bytes=5 * 2**20))\n"
        "try:\n    f.get(sys.argv[1])\nexcept FetchError as e:\n    print(e.error_type)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n")
    out = subprocess.run([sys.executable, "-c", script, http_server.base + "/gig"],
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out[0] == "too_large" and int(out[1]) < 64  # MB of peak RSS growth


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_each_redirect_status_is_followed(http_server, status):
    http_server[f"/moved{status}"] = reply(status, b"", {"Location": "/here"})
    http_server["/here"] = reply(200, b"arrived")
    response = fetch(http_server.base + f"/moved{status}")
    assert response.body == b"arrived" and response.final_url.endswith("/here")


def test_a_feed_whose_content_type_lies_is_still_read(http_server):
    body = rss("<item><title>a</title><link>http://127.0.0.1/a</link></item>")
    http_server["/lie"] = reply(200, body, {"Content-Type": "image/png"})
    response = fetch(http_server.base + "/lie")
    found = list(parse_feed(FeedDocument(FeedSpec(response.url), response.body, response.final_url,
                                         response.content_type, NOW), NOW))
    assert [f.url for f in found] == ["http://127.0.0.1/a"]


def test_410_is_recorded(http_server):
    http_server["/gone"] = reply(410, b"gone")
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/gone")
    assert err.value.error_type == "http_410"


def test_at_most_per_host_requests_in_flight(http_server):
    slow = InFlight(b"<html><body><p>page</p></body></html>", "text/html")
    for i in range(12):
        http_server[f"/p{i}.html"] = slow
    entries = [entry(f"{http_server.base}/p{i}.html", "http://127.0.0.1/feed") for i in range(12)]
    with TestPipeline() as p:
        pages, _errors = (p | beam.Create(entries)
                          | FetchArticles(loopback_policy(), RUN_ID, threads=16, per_host=3))
        assert_that(pages | beam.Map(lambda page: page.status), equal_to([200] * 12))
    assert slow.peak == 3


def test_absurd_feed_dates_do_not_become_story_dates():
    body = rss("".join(f"<item><title>{y}</title><link>http://127.0.0.1/{i}</link>"
                       f"<pubDate>{y}</pubDate></item>" for i, y in enumerate(
                           ["Sat, 01 Jan 0000 00:00:00 GMT", "Tue, 01 Jan 2999 00:00:00 GMT",
                            "yesterday-ish"])))
    assert [f.published_at for f in items(body)] == [None, None, None]
    assert NOW < dt.datetime(2999, 1, 1, tzinfo=dt.timezone.utc)


@pytest.mark.e2e
def test_a_hostile_feed_list_still_runs_and_accounts_for_every_entry(http_server, tmp_path):
    import gzip

    import duckdb

    from dyad.pipelines import batch
    base = http_server.base
    page = (b"<html><head><title>Drills</title></head><body><article><h1>Drills</h1>"
            + b"<p>China and Russia held naval drills in the Sea of Japan, officials said.</p>" * 6
            + b"</article></body></html>")
    http_server["/good.xml"] = reply(200, rss(
        f"<item><title>ok</title><link>{base}/a.html</link><description>d</description></item>"
        f"<item><title>again</title><link>{base}/a.html?utm_source=x</link></item>"
        f"<item><title>dead page</title><link>{base}/dead.html</link><description>Summary of "
        "the dead page about China and Russia.</description></item>"
        f"<item><title>bomb page</title><link>{base}/bomb.html</link></item>"
        "<item><title>no link</title></item>"
        "<item><title>script</title><link>javascript:alert(1)</link></item>"))
    http_server["/a.html"] = reply(200, page, {"Content-Type": "text/html"})
    http_server["/bomb.html"] = reply(200, gzip.compress(b"<p>" * (40 * MB)),
                                      {"Content-Encoding": "gzip", "Content-Type": "text/html"})
    http_server["/html.xml"] = reply(200, b"<html><body>not a feed</body></html>")
    http_server["/bomb.xml"] = reply(200, gzip.compress(b"\0" * (64 * MB)),
                                     {"Content-Encoding": "gzip"})
    http_server["/busy.xml"] = reply(503, b"", {"Retry-After": "1"})
    http_server["/elsewhere.xml"] = reply(302, b"", {"Location": "http://127.0.0.2:9/x.xml"})
    bad_feeds = ["/missing.xml", "/html.xml", "/bomb.xml", "/busy.xml", "/elsewhere.xml"]
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n" + "".join(f"  - url: {base}{path}\n"
                                          for path in ["/good.xml", *bad_feeds]))
    db = str(tmp_path / "hostile.duckdb")
    identity, _settings, result = batch.run(
        ["--feeds", str(feeds), "--warehouse", f"duckdb:{db}", "--allow-network", "127.0.0.1/32",
         "--retries", "1", "--total-timeout", "10"])
    counters = {m.key.metric.name: m.committed for m in result.metrics().query()["counters"]}
    con = duckdb.connect(db, read_only=True)
    errors = con.execute("SELECT stage, error_type, url, feed_url FROM ingest_errors").fetchall()
    stories = con.execute("SELECT url, extraction FROM stories ORDER BY url").fetchall()
    con.close()
    refused_entries = [e for e in errors if e[0] == "parse_feeds" and e[2] != e[3]]
    assert counters["entries_read"] == (counters["stories_new"] + counters["duplicates_in_run"]
                                        + counters.get("duplicates_in_warehouse", 0)
                                        + len(refused_entries))
    assert sorted(e[1] for e in refused_entries) == ["bad_link", "no_link"]
    assert len(stories) == counters["stories_new"] == 3
    assert dict(stories)[f"{base}/dead.html"] == "feed_summary"
    by_feed = {e[3]: e[1] for e in errors if e[0] in ("read_feeds", "parse_feeds") and e[2] == e[3]}
    assert by_feed == {f"{base}/missing.xml": "http_404", f"{base}/html.xml": "not_a_feed",
                       f"{base}/bomb.xml": "too_large", f"{base}/busy.xml": "http_503",
                       f"{base}/elsewhere.xml": "blocked_address"}
    fetch_errors = {e[2]: e[1] for e in errors if e[0] == "fetch"}
    assert fetch_errors == {f"{base}/dead.html": "http_404", f"{base}/bomb.html": "too_large"}
