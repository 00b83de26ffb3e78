"""End to end: `dyad stream` polls a loopback feed server that gains entries while it runs."""
import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from tests.conftest import REPO, reply

pytestmark = pytest.mark.e2e

DYAD = os.path.join(os.path.dirname(sys.executable), "dyad")
POLL = 3.0  # seconds
DEADLINE = POLL + 10  # what the issue promises: poll interval + 10 s
TOPICS = [("China", "Russia", "naval drills near Vladivostok"),
          ("India", "Pakistan", "talks on the Indus waters treaty"),
          ("Brazil", "Argentina", "a trade deal on beef and wheat"),
          ("Japan", "South Korea", "a summit on fishing rights"),
          ("France", "Germany", "a joint fighter jet programme"),
          ("Egypt", "Ethiopia", "the filling of the Nile dam")]


def article(n: int) -> bytes:
    a, b, what = TOPICS[n % len(TOPICS)]
    paragraphs = "".join(
        f"<p>Officials from {a} and {b} met on day {i} to discuss {what}, according to "
        f"statements released by both governments after the meeting in the capital.</p>"
        for i in range(5))
    return (f"<html><head><title>{a} and {b}: {what} ({n})</title></head><body><article>"
            f"<h1>{a} and {b}: {what} ({n})</h1>{paragraphs}</article></body></html>").encode()


class Feeds:
    """Two feeds: `growing` has an ETag and answers 304 when unchanged; `static` never changes
    and sends no validators, so dyad can only tell by the body's hash."""

    def __init__(self, server):
        self.server = server
        self.entries = [1]
        self.lock = threading.Lock()
        self.not_modified = 0
        server["/growing.xml"] = self.growing
        server["/static.xml"] = reply(200, self.rss("static", [100]),
                                      {"Content-Type": "application/rss+xml"})
        for n in [100, *range(1, 20)]:
            server[f"/a/{n}.html"] = reply(200, article(n), {"Content-Type": "text/html"})

    def rss(self, name, numbers) -> bytes:
        now = dt.datetime.now(dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
        items = "".join(f"<item><title>Story {n}</title><link>{self.server.base}/a/{n}.html</link>"
                        f"<guid>{name}-{n}</guid><pubDate>{now}</pubDate></item>" for n in numbers)
        return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{name}</title>"
                f"{items}</channel></rss>").encode()

    def add(self, n: int) -> None:
        with self.lock:
            self.entries.append(n)
            self.body = None

    def growing(self, req):
        with self.lock:
            body = self.rss("growing", self.entries) if not getattr(self, "body", None) else \
                self.body
            self.body = body
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if req.headers.get("If-None-Match") == etag:
                self.not_modified += 1
                req.send_response(304)
                req.send_header("ETag", etag)
                req.end_headers()
                return
        reply(200, body, {"ETag": etag, "Content-Type": "application/rss+xml"})(req)


def stories(db: str) -> dict:
    """url → run_id, read from another process than the stream (this one), as an analyst would."""
    try:
        con = duckdb.connect(db, read_only=True)
    except duckdb.Error:
        return {}  # not created yet, or the writer holds it this instant
    try:
        return dict(con.execute("SELECT url, run_id FROM stories").fetchall())
    except duckdb.Error:
        return {}
    finally:
        con.close()


def wait_for(db: str, url: str, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if url in stories(db):
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"{url} not in the warehouse after {seconds} s")


def start_stream(feed_list, db, *extra):
    return subprocess.Popen(
        [DYAD, "stream", "--feeds", feed_list, "--warehouse", f"duckdb:{db}",
         "--poll-interval", str(POLL), "--allow-network", "127.0.0.1/32", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)


def test_stream_writes_each_new_entry_within_a_poll_and_never_twice(http_server, tmp_path):
    feeds = Feeds(http_server)
    feed_list = tmp_path / "feeds.yaml"
    feed_list.write_text(f"feeds:\n  - url: {http_server.base}/growing.xml\n"
                         f"  - url: {http_server.base}/static.xml\n")
    db = str(tmp_path / "stream.duckdb")
    stream = start_stream(str(feed_list), db)
    try:
        wait_for(db, f"{http_server.base}/a/1.html", 120)  # start-up included
        wait_for(db, f"{http_server.base}/a/100.html", DEADLINE)
        delays = []
        for n in (2, 3, 4):
            feeds.add(n)
            delays.append(wait_for(db, f"{http_server.base}/a/{n}.html", DEADLINE))
            assert stream.poll() is None, "the stream must still be running"
        time.sleep(2 * POLL)  # polls of unchanged feeds
        stream.send_signal(signal.SIGINT)
        out, err = stream.communicate(timeout=60)
    finally:
        if stream.poll() is None:
            stream.kill()
    assert stream.returncode == 0, err
    assert max(delays) <= DEADLINE
    counts = dict(part.rsplit(" ", 1) for part in
                  out.split("feed polls: ", 1)[1].strip().split(", "))
    assert int(counts["not modified (304)"]) >= 1 and feeds.not_modified >= 1
    assert int(counts["same body"]) >= 1
    first_run = stories(db)
    assert len(first_run) == 5

    feeds.add(5)
    again = start_stream(str(feed_list), db, "--duration", "20")
    out, err = again.communicate(timeout=180)
    assert again.returncode == 0, err
    con = duckdb.connect(db, read_only=True)
    total, distinct = con.execute("SELECT count(*), count(DISTINCT story_id) FROM stories"
                                  ).fetchall()[0]
    runs = con.execute("SELECT count(DISTINCT run_id) FROM stories").fetchall()[0][0]
    hourly = con.execute("SELECT sum(stories) FROM hourly_pair_topic").fetchall()[0][0]
    cluster = dict(con.execute("SELECT url, cluster_id FROM stories").fetchall())
    con.close()
    assert total == distinct == 6 and runs == 2
    assert stories(db)[f"{http_server.base}/a/5.html"] != first_run[f"{http_server.base}/a/1.html"]
    assert hourly == 6  # each story counted once, across the two stream runs
    # Stories 4 and 100 are one report told twice (France and Germany's jet): one cluster; the
    # others each their own, across the two stream runs.
    by_number = {url.rsplit("/", 1)[1].split(".")[0]: c for url, c in cluster.items()}
    assert by_number["4"] == by_number["100"] and len(set(by_number.values())) == 5
