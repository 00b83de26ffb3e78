import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import apache_beam as beam
from apache_beam.pvalue import TaggedOutput
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import GlobalWindow

from dyad.transforms.fetch import FetchArticles, FetchArticlesFn
from tests.conftest import RUN_ID, loopback_policy, reply
from tests.test_dedupe import entry


def test_fetch_stage_returns_every_page_and_records_failures(http_server):
    http_server["/ok.html"] = reply(200, b"<html><body><p>hi</p></body></html>",
                                    {"Content-Type": "text/html; charset=utf-8"})
    http_server["/moved"] = reply(301, headers={"Location": "/ok.html"})
    ok = entry(http_server.base + "/ok.html", "f")
    moved = entry(http_server.base + "/moved", "f")
    dead = entry(http_server.base + "/dead.html", "f")
    with TestPipeline() as p:
        pages, errors = (p | beam.Create([ok, moved, dead])
                         | FetchArticles(loopback_policy(), RUN_ID, threads=4, per_host=2))
        assert_that(pages | beam.Map(lambda pg: (pg.url.rsplit("/", 1)[1], pg.status, pg.error_type,
                                                 pg.final_url.rsplit("/", 1)[1])),
                    equal_to([("ok.html", 200, None, "ok.html"), ("moved", 200, None, "ok.html"),
                              ("dead.html", 404, "http_404", "dead.html")]), label="Pages")
        assert_that(errors | "AllErrors" >> beam.Flatten() | beam.Map(lambda e: (e["stage"], e["error_type"], e["feed_url"])),
                    equal_to([("fetch", "http_404", "f")]), label="Errors")


def test_a_long_run_of_one_servers_entries_does_not_hold_back_the_next_server(http_server):
    """Entries of server A wait in A's queue; server B's entries behind them are read and
    fetched at once, not after A's queue has drained."""
    hits = []
    lock = threading.Lock()

    def slow(req):
        time.sleep(0.2)
        with lock:
            hits.append("A")
        reply(200, b"<html><body><p>a</p></body></html>", {"Content-Type": "text/html"})(req)

    for i in range(12):
        http_server[f"/a{i}.html"] = slow
    other = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    other.hits, other.lock = hits, lock
    threading.Thread(target=other.serve_forever, daemon=True).start()
    entries = [entry(f"{http_server.base}/a{i}.html", "f") for i in range(12)]
    other_base = f"http://127.0.0.1:{other.server_address[1]}"
    entries += [entry(f"{other_base}/b{i}.html", "f") for i in range(2)]
    fn = FetchArticlesFn(loopback_policy(), RUN_ID, threads=2, per_host=1)
    fn.setup()
    fn.start_bundle()
    try:
        pages = [out for e in entries for out in fn.process(e, 0, GlobalWindow())]
        pages += [out.value for out in fn.finish_bundle()]
    finally:
        fn.teardown()
        other.shutdown()
        other.server_close()
    assert sorted(p.status for p in pages) == [200] * 14
    assert "B" in hits[:3]  # B was served while A still had most of its queue


class _RecordingHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        with self.server.lock:
            self.server.hits.append("B")
        reply(200, b"<html><body><p>b</p></body></html>", {"Content-Type": "text/html"})(self)

    def log_message(self, *args):
        pass


def test_fetching_runs_ahead_of_the_consumer_by_a_bounded_number_of_pages(http_server):
    from dyad.transforms.fetch_pool import HELD_PER_THREAD
    served = []
    for i in range(30):
        http_server[f"/p{i}.html"] = lambda req: (served.append(1), reply(
            200, b"<html><body><p>p</p></body></html>", {"Content-Type": "text/html"})(req))
    fn = FetchArticlesFn(loopback_policy(), RUN_ID, threads=2, per_host=30)
    fn.setup()
    fn.start_bundle()
    ahead = []

    def consume(outputs):  # a slow parse of each page, as in the fused stage downstream
        for _ in outputs:
            time.sleep(0.02)
            ahead.append(len(served) - len(ahead) - 1)

    try:
        for i in range(30):
            consume(fn.process(entry(f"{http_server.base}/p{i}.html", "f"), 0, GlobalWindow()))
        consume(fn.finish_bundle())
    finally:
        fn.teardown()
    assert len(ahead) == 30 and len(served) == 30
    assert max(ahead) <= HELD_PER_THREAD * 2


class _EmitBug(FetchArticlesFn):
    def emit(self, entry, page):
        if entry.url.endswith("/bug.html"):
            raise ValueError("a bug in emit")
        yield from super().emit(entry, page)


def test_a_bug_while_emitting_a_page_becomes_an_error_row(http_server):
    for name in ("ok", "bug"):
        http_server[f"/{name}.html"] = reply(200, b"<html><body><p>x</p></body></html>",
                                             {"Content-Type": "text/html"})
    fn = _EmitBug(loopback_policy(), RUN_ID, threads=2, per_host=2)
    fn.setup()
    fn.start_bundle()
    try:
        out = [o for name in ("ok", "bug")
               for o in fn.process(entry(f"{http_server.base}/{name}.html", "f"), 0, GlobalWindow())]
        # finish_bundle() wraps what it yields in a WindowedValue (inside the tag, if any)
        out += [TaggedOutput(o.tag, o.value.value) if isinstance(o, TaggedOutput) else o.value
                for o in fn.finish_bundle()]
    finally:
        fn.teardown()
    errors = [o.value for o in out if isinstance(o, TaggedOutput)]
    pages = [o for o in out if not isinstance(o, TaggedOutput)]
    assert [p.url.rsplit("/", 1)[1] for p in pages] == ["ok.html"]
    assert [(e["stage"], e["error_type"], e["url"].rsplit("/", 1)[1]) for e in errors] == [
        ("fetch", "ValueError", "bug.html")]
