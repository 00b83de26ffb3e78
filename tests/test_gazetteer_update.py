"""`dyad gazetteer update` as a user runs it, against a SPARQL endpoint on loopback that replays a
Wikidata answer written for these tests; never the real service."""
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dyad.classify.people import Person, parse_people
from dyad.gazetteer import wikidata
from tests.conftest import REPO
from tests.test_people import D, row

ANSWER = os.path.join(REPO, "tests", "fixtures", "people", "sparql-answer.json")
# What the answer's bindings make: labels cleaned, zh-hans as zh, a month or a year alone as
# its first or last day; Kosovo (no ISO code), a Korean label, an unlabelled item and an unknown
# role dropped.
EXPECTED = {
    row("RUS", "head_of_state", "2012-05-07", "", "Vladimir Putin", "wikidata"),
    row("RUS", "head_of_state", "2012-05-07", "", "Владимир Путин", "wikidata", "ru"),
    row("RUS", "head_of_state", "2012-05-07", "", "弗拉基米尔·普京", "wikidata", "zh"),
    row("GBR", "head_of_government", "2022-10-25", "2024-07-05", "Rishi Sunak", "wikidata"),
    row("ESP", "head_of_state", "2014-06-19", "", "Felipe VI", "wikidata"),
    row("CHN", "defence_minister", "2023-12-01", "", "董军", "wikidata", "zh"),
    row("DEU", "foreign_minister", "2009-01-01", "2013-12-31", "Guido Westerwelle", "wikidata",
        "de"),
    row("USA", "central_bank_governor", "2018-02-05", "", "Jerome Powell", "wikidata"),
}


class Endpoint:
    """A loopback SPARQL endpoint: answers POSTs with `status` and `body` after `delay` seconds
    and keeps what it was sent."""

    def __init__(self, status=200, body=b"", delay=0.0):
        self.status, self.body, self.delay = status, body, delay
        self.requests = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                endpoint.requests.append((self.path, dict(self.headers), self.rfile.read(length)))
                time.sleep(endpoint.delay)
                self.send_response(endpoint.status)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(endpoint.body)))
                self.end_headers()
                self.wfile.write(endpoint.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    servers = []

    def start(**kwargs):
        servers.append(Endpoint(**kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def run_update(url, output, *extra):
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return subprocess.run([sys.executable, "-m", "dyad.cli", "gazetteer", "update", "--endpoint",
                           url, "--output", str(output), *extra], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def answer_bytes():
    with open(ANSWER, "rb") as f:
        return f.read()


def assert_one_line_error(done):
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("dyad gazetteer update: ")


def test_update_writes_the_answer(endpoint, tmp_path):
    server = endpoint(body=answer_bytes())
    out = tmp_path / "people.tsv"
    done = run_update(server.url, out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {len(EXPECTED)} rows to {out}"
    text = out.read_text(encoding="utf-8")
    assert set(parse_people(text.splitlines())) == EXPECTED
    assert "CC0" in text and server.url in text

    [(path, headers, body)] = server.requests
    assert path == "/sparql"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "application/sparql-results+json" in headers["Accept"]
    assert headers["User-Agent"].startswith("dyad/")
    query = urllib.parse.parse_qs(body.decode())["query"][0]
    assert query == wikidata.QUERY
    for term in ("SELECT", "WHERE", "P1906", "P1313", "P39", "P580", "P582", "P298"):
        assert term in query


@pytest.mark.parametrize("status, body, message", [
    (500, b"Internal Server Error", "HTTP 500"),
    (200, b"<html>maintenance</html>", "SPARQL JSON"),
    (200, json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode(), "no usable"),
])
def test_update_refuses_a_bad_answer(endpoint, tmp_path, status, body, message):
    server = endpoint(status=status, body=body)
    out = tmp_path / "people.tsv"
    out.write_text("kept\n", encoding="utf-8")
    done = run_update(server.url, out)
    assert_one_line_error(done)
    assert message in done.stderr
    assert out.read_text(encoding="utf-8") == "kept\n"  # the old file stays whole
    assert server.requests


def test_update_without_a_server(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_update(f"http://127.0.0.1:{port}/sparql", tmp_path / "people.tsv")
    assert_one_line_error(done)
    assert "cannot query" in done.stderr
    assert not (tmp_path / "people.tsv").exists()


def test_update_times_out(endpoint, tmp_path):
    server = endpoint(body=answer_bytes(), delay=3.0)
    started = time.monotonic()
    done = run_update(server.url, tmp_path / "people.tsv", "--timeout", "0.5")
    assert_one_line_error(done)
    assert "Timeout" in done.stderr
    assert time.monotonic() - started < 30


def test_wikidata_time_precision():
    assert wikidata._day("2019-03-04T00:00:00Z", "11", first=False) == D("2019-03-04")
    assert wikidata._day("2019-01-01T00:00:00Z", "9", first=False) == D("2019-12-31")
    assert wikidata._day("2019-01-01T00:00:00Z", "9", first=True) == D("2019-01-01")
    assert wikidata._day("2024-02-01T00:00:00Z", "10", first=False) == D("2024-02-29")
    assert wikidata._day("not a date", "11", first=True) is None
    assert wikidata._day(None, None, first=False) is None


def test_people_of_an_answer_skip_bindings_that_do_not_fit():
    with open(ANSWER, encoding="utf-8") as f:
        rows = set(wikidata.people(json.load(f)))
    assert rows == EXPECTED
    assert all(isinstance(p, Person) for p in rows)
