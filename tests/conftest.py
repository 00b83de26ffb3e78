"""Shared fixtures: the sample sites, a scriptable loopback HTTP server, the shared corpus."""
import datetime as dt
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dyad.net.fixture_server import Fixtures
from dyad.net.http import FetchPolicy
from dyad.schemas import STORIES, build_row

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(REPO, "sample")
SHARED = os.path.join(os.path.dirname(REPO), "shared")
CORPUS = os.path.join(SHARED, "corpus")
SEED = os.path.join(SHARED, "seed", "china-russia-defence-call.txt")
LOOPBACK = ("127.0.0.1/32",)
RUN_ID = "test-run"
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.timezone.utc)


def loopback_policy(**overrides) -> FetchPolicy:
    values = dict(allowed_networks=LOOPBACK, connect_timeout=2, read_timeout=2, total_timeout=5,
                  retries=1, backoff=0.05, max_retry_after=0.5)
    values.update(overrides)
    return FetchPolicy(**values)


def story(i, **extra) -> dict:
    """A valid `stories` row with id `id<i>` (CHN-RUS, defence); `extra` overrides columns."""
    return build_row(STORIES, {"story_id": f"id{i}", "url": f"http://x/{i}", "canonical_url":
                               f"http://x/{i}", "source": "x", "feed_url": "http://x/feed",
                               "published_at": NOW, "ingested_at": NOW, "extraction": "trafilatura",
                               "pipeline_version": "t", "run_id": RUN_ID,
                               "countries": [{"code": "CHN", "name": "China", "mentions": 2,
                                              "salience": 1.0}],
                               "topics": [{"label": "defence", "iptc": "medtop:11000000",
                                           "score": 0.5}], "country_pair": "CHN-RUS",
                               "topic": "defence", **extra})


def needs(path: str):
    """Skip cleanly when a piece of ../shared is absent."""
    return pytest.mark.skipif(not os.path.exists(path), reason=f"{path} not present")


@pytest.fixture(scope="session")
def sample_sites():
    with Fixtures(SAMPLE) as fixtures:
        yield fixtures


class Routes:
    """path → handler(request) for the scriptable server; unknown paths get 404."""

    def __init__(self):
        self.handlers = {}
        self.hits = {}

    def __setitem__(self, path, handler):
        self.handlers[path] = handler


@pytest.fixture
def http_server():
    routes = Routes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            path = self.path.split("?", 1)[0]
            routes.hits[path] = routes.hits.get(path, 0) + 1
            handler = routes.handlers.get(path)
            if handler is None:
                self.send_error(404)
                return
            handler(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    routes.base = f"http://127.0.0.1:{server.server_address[1]}"
    routes.port = server.server_address[1]
    yield routes
    server.shutdown()
    server.server_close()


def reply(status=200, body=b"", headers=None):
    """A route handler that answers with a fixed response."""
    def handler(req):
        req.send_response(status)
        for key, value in (headers or {}).items():
            req.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)
    return handler


class InFlight:
    """A route handler that answers after `delay` seconds and records the most requests it had in
    flight at once (`peak`)."""

    def __init__(self, body: bytes, content_type: str, delay: float = 0.3):
        self.respond = reply(200, body, {"Content-Type": content_type})
        self.delay = delay
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, req):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        self.respond(req)


BQEMULATOR = os.environ.get("DYAD_BQEMULATOR") or os.path.join(REPO, ".venv-bqemulator", "bin",
                                                                 "bqemulator")
BQ_PROJECT = "dyad-test"


@pytest.fixture(scope="session")
def bigquery_emulator():
    """A real bqemulator on loopback for the session, with BIGQUERY_EMULATOR_HOST pointing at it.

    `make test` installs it (and sets DYAD_BQEMULATOR, so its absence is a failure there); a bare
    `pytest` without it skips the BigQuery tests and says how to get it.
    """
    from dyad.bigquery import client as bigquery_client
    from dyad.bigquery.emulator import Emulator
    if not os.path.isfile(BQEMULATOR):
        if os.environ.get("DYAD_BQEMULATOR"):
            pytest.fail(f"DYAD_BQEMULATOR={BQEMULATOR} does not exist")
        pytest.skip("no BigQuery emulator: `make bq-emulator-install` (make test does it)")
    before = os.environ.get(bigquery_client.EMULATOR_ENV)
    with Emulator(BQEMULATOR, project=BQ_PROJECT) as emulator:
        os.environ[bigquery_client.EMULATOR_ENV] = emulator.url
        bigquery_client.configure_beam()
        try:
            yield emulator
        finally:
            if before is None:
                os.environ.pop(bigquery_client.EMULATOR_ENV, None)
            else:
                os.environ[bigquery_client.EMULATOR_ENV] = before
            bigquery_client.configure_beam()


@pytest.fixture
def bq_dataset(bigquery_emulator, request):
    """A fresh dataset name per test (the emulator is shared by the session)."""
    from dyad.transforms.sinks.bigquery_tables import Dataset
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:60]
    return Dataset(BQ_PROJECT, name)
