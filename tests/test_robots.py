"""dyad.net.robots: robots.txt read, cached and obeyed (RFC 9309), on loopback servers; and a
disallowed page in a real pipeline run."""
import duckdb
import pytest

from dyad.net.http import Fetcher, FetchError
from dyad.net.robots import MAX_BYTES, RobotsRules, product_token
from tests.conftest import loopback_policy, reply

ROBOTS = b"""# written for dyad's tests
User-agent: *
Disallow: /private
Allow: /private/open
Disallow: /*.pdf$

User-agent: dyad
Disallow: /no-dyad/
Allow: /
"""


def rules(http_server, agent="dyad/0.1.0"):
    return RobotsRules(Fetcher(loopback_policy(retries=0)), agent)


def allowed(robots, url) -> bool:
    try:
        robots.check(url)
        return True
    except FetchError as exc:
        assert exc.error_type == "robots_disallowed"
        return False


def test_groups_precedence_and_wildcards(http_server):
    http_server["/robots.txt"] = reply(200, ROBOTS, {"Content-Type": "text/plain"})
    base = http_server.base
    other = rules(http_server, "NewsLab/2.0 (+https://lab.example)")
    # The * group: the longest match wins (Allow /private/open over Disallow /private); $ ends.
    assert not allowed(other, base + "/private/page")
    assert allowed(other, base + "/private/open/page")
    assert not allowed(other, base + "/report.pdf") and allowed(other, base + "/report.pdf?v=2")
    # dyad's own group replaces * entirely.
    dyad = rules(http_server)
    assert not allowed(dyad, base + "/no-dyad/page")
    assert allowed(dyad, base + "/private/page") and allowed(dyad, base + "/report.pdf")
    assert http_server.hits["/robots.txt"] == 2   # once per RobotsRules, whatever the pages
    assert product_token("NewsLab/2.0 (+x)") == "NewsLab" and product_token("") == "*"


def test_a_missing_robots_txt_allows_and_an_unavailable_one_defers(http_server):
    robots = rules(http_server)
    assert allowed(robots, http_server.base + "/anything")            # 404
    for status in (503, 429):
        http_server["/robots.txt"] = reply(status, b"busy")
        robots = rules(http_server)
        with pytest.raises(FetchError) as err:
            robots.check(http_server.base + "/page")
        assert err.value.error_type == "robots_unavailable" and str(status) in str(err.value)


def test_a_huge_robots_txt_is_read_only_to_its_cap(http_server):
    def huge(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/plain")
        req.send_header("Content-Length", str(50 * 2 ** 20 + 100))
        req.end_headers()
        try:
            req.wfile.write(b"User-agent: *\nDisallow: /early\n")
            for _ in range(50 * 16):   # 50 MB of comments, then a rule past the cap
                req.wfile.write(b"#" * 65535 + b"\n")
            req.wfile.write(b"Disallow: /late\n")
        except (BrokenPipeError, ConnectionResetError):
            pass   # the reader stopped at its cap

    http_server["/robots.txt"] = huge
    robots = rules(http_server)
    assert not allowed(robots, http_server.base + "/early")
    assert allowed(robots, http_server.base + "/late")
    assert MAX_BYTES == 500 * 1024


def test_crawl_delay_is_read_for_the_agent(http_server):
    http_server["/robots.txt"] = reply(200, b"User-agent: dyad\nCrawl-delay: 2.5\n")
    assert rules(http_server).crawl_delay(http_server.base + "/x") == 2.5


FEED = """<rss><channel><title>T</title>
<item><title>Harbour strike ends after talks</title><link>{base}/news/strike.html</link>
<description>The strike at the harbour ended on Tuesday.</description></item>
<item><title>Council agrees budget</title><link>{base}/members/budget.html</link>
<description>The council agreed the town's budget.</description></item>
</channel></rss>"""
PAGE = ("<html><body><article><h1>{title}</h1>" + "".join(
    f"<p>Paragraph {n} of the story: the harbour strike ended on Tuesday after talks between "
    "the union and the port authority.</p>" for n in range(8)) + "</article></body></html>")


@pytest.mark.parametrize("ignore", [False, True])
def test_a_disallowed_page_is_not_requested_and_its_story_lands_from_the_feed(
        http_server, tmp_path, ignore):
    from dyad.pipelines import batch
    base = http_server.base
    http_server["/feed.xml"] = reply(200, FEED.format(base=base).encode(),
                                     {"Content-Type": "application/rss+xml"})
    http_server["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /members/\n")
    for path, title in (("/news/strike.html", "Harbour strike ends after talks"),
                        ("/members/budget.html", "Council agrees budget")):
        http_server[path] = reply(200, PAGE.format(title=title).encode(),
                                  {"Content-Type": "text/html; charset=utf-8"})
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {base}/feed.xml\n")
    db = tmp_path / "w.duckdb"
    batch.run(["--feeds", str(feeds), "--warehouse", f"duckdb:{db}", "--allow-network",
               "127.0.0.1/32", *(["--ignore-robots"] if ignore else [])])
    con = duckdb.connect(str(db), read_only=True)
    stories = dict(con.execute("SELECT title, extraction FROM stories").fetchall())
    errors = con.execute("SELECT error_type, url FROM ingest_errors").fetchall()
    assert http_server.hits.get("/news/strike.html") == 1
    if ignore:
        assert http_server.hits.get("/members/budget.html") == 1 and errors == []
        assert "/robots.txt" not in http_server.hits
    else:
        assert "/members/budget.html" not in http_server.hits     # never requested
        assert http_server.hits["/robots.txt"] == 1               # once for the host
        assert stories["Council agrees budget"] == "feed_summary"
        assert errors == [("robots_disallowed", f"{base}/members/budget.html")]
        note = con.execute("SELECT extraction_note FROM stories WHERE title = "
                           "'Council agrees budget'").fetchone()[0]
        assert "robots" in note
    assert stories["Harbour strike ends after talks"] != "feed_summary"


@pytest.mark.parametrize("robots_delay, cap, spacing", [("1", 10.0, 1.0), ("1000", 0.4, 0.4)])
def test_crawl_delay_spaces_the_requests_to_a_host(http_server, robots_delay, cap, spacing):
    import time
    from concurrent.futures import ThreadPoolExecutor
    from dyad.transforms.fetch import fetch_page
    from tests.test_dedupe import entry
    times = []

    def page(req):
        times.append(time.monotonic())
        reply(200, b"<html><body><p>x</p></body></html>", {"Content-Type": "text/html"})(req)

    http_server["/robots.txt"] = reply(200, f"User-agent: *\nCrawl-delay: {robots_delay}\n".encode())
    for n in range(4):
        http_server[f"/p{n}.html"] = page
    fetcher = Fetcher(loopback_policy(retries=0))
    robots = RobotsRules(fetcher, "dyad/0.1.0")
    entries = [entry(f"{http_server.base}/p{n}.html", f"{http_server.base}/feed.xml")
               for n in range(4)]
    with ThreadPoolExecutor(4) as pool:   # as the fetch stage's threads ask at once
        pages = list(pool.map(lambda e: fetch_page(fetcher, e, robots, cap), entries))
    assert [p.error_type for p in pages] == [None] * 4
    gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:])]
    assert len(gaps) == 3 and min(gaps) >= spacing * 0.9
    assert max(gaps) < spacing + 1.0   # the cap holds: 1000 s counts as 0.4 s


def test_worker_processes_share_one_hosts_robots_txt_and_crawl_delay(http_server, tmp_path):
    """Entries are grouped by host before fetching: with two Beam worker processes, the host's
    robots.txt is still read once, and its Crawl-delay spaces all of the host's page requests
    (measured by the server), not each worker's."""
    import time
    from dyad.pipelines import batch
    base = http_server.base
    pages = [f"/news/story-{n}.html" for n in range(5)]
    items = "".join(f"<item><title>Story {n}</title><link>{base}{path}</link>"
                    f"<description>Summary {n}.</description></item>"
                    for n, path in enumerate(pages))
    http_server["/feed.xml"] = reply(200, f'<?xml version="1.0"?><rss version="2.0"><channel>'
                                          f"<title>t</title>{items}</channel></rss>".encode(),
                                     {"Content-Type": "application/rss+xml"})
    http_server["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /members/\nCrawl-delay: 1\n")
    times = []

    def page(n):
        def answer(req):
            times.append(time.monotonic())
            reply(200, PAGE.format(title=f"Story {n}").encode(),
                  {"Content-Type": "text/html; charset=utf-8"})(req)
        return answer

    for n, path in enumerate(pages):
        http_server[path] = page(n)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {base}/feed.xml\n")
    db = tmp_path / "w.duckdb"
    batch.run(["--feeds", str(feeds), "--warehouse", f"duckdb:{db}", "--allow-network",
               "127.0.0.1/32", "--direct_running_mode=multi_processing",
               "--direct_num_workers=2"])
    count = duckdb.connect(str(db), read_only=True).execute(
        "SELECT count(*) FROM stories").fetchone()[0]
    assert count == 5 and all(http_server.hits.get(path) == 1 for path in pages)
    assert http_server.hits["/robots.txt"] == 1
    gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:])]
    assert len(gaps) == 4 and min(gaps) >= 0.9


def test_a_hosts_answer_in_keyed_state_serves_another_worker_without_a_new_read(http_server):
    """What a stream keeps per host (`saved`) is enough for another worker's rules (`restore`):
    the second never asks the server, and obeys the same Disallow and Crawl-delay."""
    import pickle
    from dyad.net.robots import origin_of
    http_server["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /members/\nCrawl-delay: 2\n")
    base = http_server.base
    first, second = rules(http_server), rules(http_server)
    first.check(f"{base}/news/a.html")
    second.restore(origin_of(base), pickle.loads(pickle.dumps(first.saved(origin_of(base)))))
    assert not allowed(second, f"{base}/members/b.html") and allowed(second, f"{base}/news/c")
    assert second.delay(second.check(f"{base}/news/c"), 10.0) == 2.0
    assert http_server.hits["/robots.txt"] == 1


def test_admit_gives_a_host_slots_a_crawl_delay_apart(http_server):
    from dyad.transforms.fetch import admit
    from tests.test_dedupe import entry
    http_server["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /members/\nCrawl-delay: 2\n")
    base = http_server.base
    robots, free, slots = rules(http_server), None, []
    for now, path in ((100.0, "/a"), (100.5, "/b"), (109.0, "/c")):
        admission, free = admit(robots, entry(base + path, base + "/feed.xml"), free, now, 10.0)
        slots.append((admission.not_before, admission.delay, admission.refused))
    assert slots == [(100.0, 2.0, None), (102.0, 2.0, None), (109.0, 2.0, None)] and free == 111.0
    refused, kept = admit(robots, entry(base + "/members/x", base + "/feed.xml"), free, 110.0, 10.0)
    assert refused.refused[0] == "robots_disallowed" and kept == free


def test_a_streams_fetch_spaces_a_hosts_pages_from_keyed_state(http_server):
    """The stream's fetch (TestStream, no grouping): each entry is admitted by its host's keyed
    state, robots.txt is read once, and the server sees the pages a Crawl-delay apart; a
    disallowed page is never requested and comes back as its error."""
    import time
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.test_stream import TestStream
    from apache_beam.testing.util import assert_that, equal_to
    from dyad.transforms.fetch import FetchArticles
    from tests.test_dedupe import entry
    base, times = http_server.base, []

    def page(req):
        times.append(time.monotonic())
        reply(200, b"<html><body><p>x</p></body></html>", {"Content-Type": "text/html"})(req)

    http_server["/robots.txt"] = reply(200, b"User-agent: *\nDisallow: /members/\nCrawl-delay: 1\n")
    paths = [f"/news/{n}.html" for n in range(4)]
    for path in paths:
        http_server[path] = page
    entries = [entry(base + path, base + "/feed.xml") for path in paths + ["/members/m.html"]]
    events = (TestStream().add_elements(entries[:3]).add_elements(entries[3:])
              .advance_watermark_to_infinity())
    with TestPipeline(options=PipelineOptions(streaming=True)) as p:
        pages, errors = (p | events | FetchArticles(loopback_policy(retries=0), "run-1",
                                                    spread=False))
        assert_that(pages | beam.Map(lambda page: (page.url, page.error_type)), equal_to(
            [(base + path, None) for path in paths]
            + [(base + "/members/m.html", "robots_disallowed")]), label="Pages")
        assert_that(errors | beam.Flatten() | beam.Map(lambda row: row["error_type"]),
                    equal_to(["robots_disallowed"]), label="Errors")
    assert http_server.hits["/robots.txt"] == 1 and "/members/m.html" not in http_server.hits
    gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:])]
    assert len(gaps) == 3 and min(gaps) >= 0.9
