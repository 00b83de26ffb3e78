"""The sample news sites, served on loopback for `make run` and the end-to-end tests.

Each outlet of `sample/outlets.yaml` gets its own port on 127.0.0.1 (so each is its own host, as
real outlets are) with its feed at /feed.xml and its article pages rendered from
`sample/articles.yaml`. Run a command while the sites are up:

    python -m dyad.net.fixture_server --sample sample --feed-list data/sample-feeds.yaml -- CMD ...
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

log = logging.getLogger(__name__)
DEAD_FEED_PATH = "/gone/feed.xml"


@dataclass
class Site:
    outlets: list[dict]
    articles: list[dict]
    extra: list[dict]
    ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, sample_dir: str) -> "Site":
        with open(os.path.join(sample_dir, "outlets.yaml"), encoding="utf-8") as fh:
            outlets = yaml.safe_load(fh)["outlets"]
        with open(os.path.join(sample_dir, "articles.yaml"), encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        return cls(outlets, doc["articles"], doc.get("feeds_extra") or [])

    def base(self, outlet: str) -> str:
        return f"http://127.0.0.1:{self.ports[outlet]}"

    def article_url(self, article: dict) -> str:
        return f"{self.base(article['outlet'])}/{article['slug']}.html"

    def feed_url(self, outlet: str) -> str:
        return f"{self.base(outlet)}/feed.xml"

    def page(self, outlet: str, path: str) -> tuple[int, str, bytes]:
        if path == "/feed.xml":
            spec = next(o for o in self.outlets if o["id"] == outlet)
            return 200, _FEED_TYPES[spec["format"]], self.render_feed(spec).encode("utf-8")
        for article in self.articles:
            if (article["outlet"] == outlet and path == f"/{article['slug']}.html"
                    and article.get("paras")):
                return 200, "text/html; charset=utf-8", self.render_article(article).encode("utf-8")
        return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"

    def feed_items(self, outlet: str) -> list[tuple[dict, str | None]]:
        items = [(a, None if a.get("no_link") else self.article_url(a))
                 for a in self.articles if a["outlet"] == outlet]
        by_slug = {a["slug"]: a for a in self.articles}
        for extra in self.extra:
            if extra["feed"] == outlet:
                article = by_slug[extra["slug"]]
                items.append((article, self.article_url(article) + extra.get("suffix", "")))
        return items

    def render_feed(self, spec: dict) -> str:
        items = self.feed_items(spec["id"])
        if spec["format"] == "atom":
            return _atom(spec, self.base(spec["id"]), items)
        rss = _rss(spec, self.base(spec["id"]), items)
        if spec["format"] == "broken-rss":
            # A feed as broken as real ones get: a bare ampersand and no closing tags.
            rss = rss.replace("<title>" + html.escape(spec["name"]),
                              "<title>" + spec["name"] + " & Friends", 1)
            rss = rss.replace("</channel>\n</rss>\n", "")
        return rss

    def render_article(self, a: dict) -> str:
        outlet = next(o for o in self.outlets if o["id"] == a["outlet"])
        related = [r for r in self.articles if r["outlet"] == a["outlet"] and r is not a][:4]
        paras = "\n".join(f"      <p>{html.escape(p)}</p>" for p in a["paras"])
        links = "\n".join(f'        <li><a href="/{r["slug"]}.html">{html.escape(r["title"])}</a></li>'
                          for r in related)
        published = _ts(a["published"]).isoformat()
        title = html.escape(a["title"])
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | {html.escape(outlet['name'])}</title>
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="{html.escape(outlet['name'])}">
  <meta property="article:published_time" content="{published}">
  <meta name="author" content="{html.escape(a.get('author', ''))}">
  <link rel="canonical" href="{html.escape(self.article_url(a))}">
</head>
<body>
  <header><nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/markets/">Markets</a>
    <a href="/sport/">Sport</a> <a href="/subscribe">Subscribe</a></nav></header>
  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By <span class="author">{html.escape(a.get('author', ''))}</span>,
        <time datetime="{published}">{_ts(a['published']):%d %B %Y}</time></p>
{paras}
    </article>
    <aside><h2>More from {html.escape(outlet['name'])}</h2>
      <ul>
{links}
      </ul>
    </aside>
  </main>
  <footer><p>&copy; 2026 {html.escape(outlet['name'])}. All rights reserved.
    <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></p></footer>
</body>
</html>
"""

    def feed_list(self) -> dict:
        feeds = [{"url": self.feed_url(o["id"]), "name": o["name"], "tags": ["sample"]}
                 for o in self.outlets]
        first = self.outlets[0]["id"]
        feeds.append({"url": self.base(first) + DEAD_FEED_PATH, "name": "Gone Feed",
                      "tags": ["sample", "dead"]})
        return {"feeds": feeds}


_FEED_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml",
               "broken-rss": "application/rss+xml; charset=utf-8"}


def _ts(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _summary(a: dict) -> str:
    return a.get("summary") or (a["paras"][0] if a.get("paras") else "")


def _rss(spec: dict, base: str, items) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0">', "<channel>",
           f"<title>{html.escape(spec['name'])}</title>", f"<link>{base}/</link>",
           "<description>Sample feed</description>"]
    for a, link in items:
        out += ["<item>", f"<title>{html.escape(a['title'])}</title>"]
        if link:
            out += [f"<link>{html.escape(link)}</link>", f'<guid isPermaLink="true">{html.escape(link)}</guid>']
        else:
            out.append(f'<guid isPermaLink="false">{html.escape(a["slug"])}</guid>')
        out += [f"<pubDate>{format_datetime(_ts(a['published']))}</pubDate>",
                f"<description>{html.escape(_summary(a))}</description>"]
        if a.get("author"):
            out.append(f"<author>{html.escape(a['author'])}</author>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def _atom(spec: dict, base: str, items) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{html.escape(spec['name'])}</title>", f'<link href="{base}/"/>',
           f"<id>{base}/</id>", "<updated>2026-11-20T12:00:00Z</updated>"]
    for a, link in items:
        out += ["<entry>", f"<title>{html.escape(a['title'])}</title>",
                f"<id>{html.escape(link or 'tag:sample,2026:' + a['slug'])}</id>"]
        if link:
            out.append(f'<link rel="alternate" href="{html.escape(link)}"/>')
        out += [f"<updated>{_ts(a['published']).isoformat()}</updated>",
                f"<published>{_ts(a['published']).isoformat()}</published>",
                f"<summary>{html.escape(_summary(a))}</summary>"]
        if a.get("author"):
            out.append(f"<author><name>{html.escape(a['author'])}</name></author>")
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def _handler(site: Site, outlet: str):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            status, ctype, body = site.page(outlet, self.path.split("?", 1)[0].split("#", 1)[0])
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            log.debug("%s %s", outlet, fmt % args)

    return Handler


class Fixtures:
    """The running sample sites; use as a context manager."""

    def __init__(self, sample_dir: str, base_port: int = 0):
        self.site = Site.load(sample_dir)
        self.base_port = base_port
        self._servers: list[ThreadingHTTPServer] = []

    def start(self) -> "Fixtures":
        for i, outlet in enumerate(self.site.outlets):
            port = self.base_port + i if self.base_port else 0
            try:
                server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.site, outlet["id"]))
            except OSError as exc:
                self.stop()
                raise SystemExit(f"cannot serve the sample sites on 127.0.0.1:{port}: "
                                 f"{exc.strerror}; pass another --base-port") from None
            server.daemon_threads = True
            self.site.ports[outlet["id"]] = server.server_address[1]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def write_feed_list(self, path: str) -> str:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump(self.site.feed_list(), fh, sort_keys=False)
        return path

    def __enter__(self) -> "Fixtures":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", default="sample", help="folder with outlets.yaml and articles.yaml")
    parser.add_argument("--feed-list", required=True, help="where to write the feed list (YAML)")
    parser.add_argument("--base-port", type=int, default=0,
                        help="first of consecutive ports, one per outlet; fixed ports keep story "
                             "URLs, and so story ids, the same from run to run (default 0: any)")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="-- CMD ...: run while serving, then stop (default: serve until Ctrl-C)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with Fixtures(args.sample, args.base_port) as fixtures:
        fixtures.write_feed_list(args.feed_list)
        ports = ", ".join(f"{o}:{p}" for o, p in fixtures.site.ports.items())
        print(f"sample sites on 127.0.0.1 ({ports}); feed list {args.feed_list}", file=sys.stderr)
        if not command:
            threading.Event().wait()
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
