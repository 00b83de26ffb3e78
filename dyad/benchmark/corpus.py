"""A generated news corpus for `make bench`: N articles in F feeds, served on loopback with a delay.

Pages are 30-80 KB like real ones: navigation, a sidebar of links, inline scripts and styles, a
footer, and an article of 6-14 paragraphs naming countries. Everything is deterministic for a
seed. Each feed is its own host (its own port), so per-host limits apply as on the web.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import random
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTRIES = ["China", "Russia", "India", "Pakistan", "Brazil", "Argentina", "Japan", "South Korea",
             "France", "Germany", "Egypt", "Ethiopia", "Iran", "Israel", "Mexico", "Canada",
             "Nigeria", "Kenya", "Turkey", "Ukraine", "Poland", "Vietnam", "Indonesia", "Chile"]
SUBJECTS = ["held talks on trade and tariffs", "signed a defence cooperation pact",
            "traded accusations after a border clash", "agreed to expand gas exports",
            "opened a summit on climate finance", "announced joint naval exercises",
            "disputed fishing rights in shared waters", "launched a rail link project",
            "discussed a prisoner exchange", "met over a water-sharing treaty"]
FILLER = ("Officials said the meeting in the capital lasted several hours and covered security, "
          "investment and the movement of people across the border. Analysts said markets would "
          "watch the outcome closely, as previous rounds ended without agreement. ")


class Corpus:
    """Feeds and pages in memory: `feeds[f]` is (title, [article ids]); pages are rendered once."""

    def __init__(self, articles: int = 2000, feeds: int = 20, seed: int = 7):
        rng = random.Random(seed)
        self.start = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
        self.articles = []
        for i in range(articles):
            a, b = rng.sample(COUNTRIES, 2)
            subject = rng.choice(SUBJECTS)
            paragraphs = [f"{a} and {b} {subject}, according to statements issued on day {i}."]
            paragraphs += [FILLER * rng.randint(2, 4) + f"{rng.choice([a, b])} said it would "
                           f"respond. " for _ in range(rng.randint(6, 14))]
            self.articles.append({"id": i, "feed": i % feeds, "title": f"{a} and {b} {subject}",
                                  "paragraphs": paragraphs, "sidebar": rng.randint(60, 160),
                                  "published": self.start - dt.timedelta(minutes=7 * i)})
        self.feed_count = feeds
        self.pages = {a["id"]: render_page(a, rng) for a in self.articles}

    def feed(self, f: int, base: str) -> bytes:
        items = "".join(
            f"<item><title>{html.escape(a['title'])}</title>"
            f"<link>{base}/news/{a['id']}.html</link><guid>{base}/news/{a['id']}.html</guid>"
            f"<pubDate>{format_datetime(a['published'])}</pubDate>"
            f"<description>{html.escape(a['paragraphs'][0])}</description></item>"
            for a in self.articles if a["feed"] == f)
        return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Outlet "
                f"{f}</title><link>{base}/</link>{items}</channel></rss>").encode()


def write_warc(corpus: Corpus, path: str, copies: int = 1) -> int:
    """The corpus's pages as the gzipped WARC a crawler would write (a request and a response
    record per page), `copies` times over under distinct URLs; returns the file's size."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for copy in range(copies):
            for a in corpus.articles:
                url = f"https://outlet-{a['feed']}.example/news/{copy}-{a['id']}.html"
                date = a["published"].strftime("%Y-%m-%dT%H:%M:%SZ")
                writer.write_record(writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
                    warc_headers_dict={"WARC-Date": date}))
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                        protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    url, "response", payload=io.BytesIO(corpus.pages[a["id"]]),
                    http_headers=http, warc_headers_dict={"WARC-Date": date}))
    return os.path.getsize(path)


def render_page(a: dict, rng: random.Random) -> bytes:
    nav = "".join(f"<li><a href='/section/{n}'>Section {n}</a></li>" for n in range(30))
    sidebar = "".join(f"<li><a href='/news/{rng.randint(0, 10**6)}.html'>Related story {n}: "
                      f"{rng.choice(SUBJECTS)}</a></li>" for n in range(a["sidebar"]))
    script = "<script>window.dataLayer=window.dataLayer||[];" + "var x=1;" * 2500 + "</script>"
    style = "<style>" + ".c{margin:0;padding:0}" * 900 + "</style>"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in a["paragraphs"])
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{html.escape(a['title'])} | Outlet {a['feed']}</title>"
            f"<meta property='og:title' content='{html.escape(a['title'])}'>"
            f"<meta property='article:published_time' content='{a['published'].isoformat()}'>"
            f"{style}{script}</head><body><header><nav><ul>{nav}</ul></nav></header>"
            f"<main><article><h1>{html.escape(a['title'])}</h1><p class='byline'>By Staff "
            f"Reporter</p>{body}</article><aside><ul>{sidebar}</ul></aside></main>"
            f"<footer>{'<p>Copyright and terms of use.</p>' * 40}</footer></body></html>").encode()


class Served:
    """The corpus on loopback, one port per feed, each response after `latency` seconds."""

    def __init__(self, corpus: Corpus, latency: float):
        self.corpus = corpus
        self.latency = latency
        self.servers: list[ThreadingHTTPServer] = []

    def __enter__(self) -> "Served":
        for f in range(self.corpus.feed_count):
            server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(f))
            server.daemon_threads = True
            server.request_queue_size = 128
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)
        return self

    def __exit__(self, *exc) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def wait_until_serving(self, timeout: float = 30.0) -> None:
        """Return once every outlet has answered a request for its feed."""
        import concurrent.futures
        import urllib.request
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only

        def answer(url: str) -> None:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with opener.open(url, timeout=5) as resp:
                        resp.read()
                    return
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

        with concurrent.futures.ThreadPoolExecutor(len(self.servers) or 1) as pool:
            list(pool.map(answer, self.feed_urls()))

    def base(self, f: int) -> str:
        return f"http://127.0.0.1:{self.servers[f].server_address[1]}"

    def feed_urls(self) -> list[str]:
        return [self.base(f) + "/feed.xml" for f in range(self.corpus.feed_count)]

    def _handler(self, f: int):
        served = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # http.server sends the headers and the body in two writes: with Nagle on, a reused
            # connection stalls ~40 ms on the client's delayed ACK. Web servers set TCP_NODELAY.
            disable_nagle_algorithm = True

            def do_GET(self):  # noqa: N802
                time.sleep(served.latency)
                if self.path == "/feed.xml":
                    body, kind = served.corpus.feed(f, served.base(f)), "application/rss+xml"
                elif self.path.startswith("/news/") and self.path.endswith(".html"):
                    page_id = int(self.path[6:-5]) if self.path[6:-5].isdigit() else -1
                    body, kind = served.corpus.pages.get(page_id), "text/html; charset=utf-8"
                else:
                    body = None
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
