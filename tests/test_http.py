"""The guarded client against real loopback servers."""
import gzip
import time

import pytest

from dyad.net.http import Fetcher, FetchError, is_refused
from tests.conftest import loopback_policy, reply


def fetch(url, **policy):
    fetcher = Fetcher(loopback_policy(**policy))
    try:
        return fetcher.get(url)
    finally:
        fetcher.close()


def test_plain_get(http_server):
    http_server["/a"] = reply(200, b"hello", {"Content-Type": "text/plain"})
    resp = fetch(http_server.base + "/a")
    assert resp.status == 200 and resp.body == b"hello" and resp.content_type == "text/plain"


def test_http_errors_become_fetch_errors(http_server):
    http_server["/gone"] = reply(410, b"gone")
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/gone")
    assert err.value.error_type == "http_410" and err.value.status == 410
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(http_server.base + "/missing")


def test_redirect_chain_is_followed(http_server):
    http_server["/r1"] = reply(301, headers={"Location": "/r2"})
    http_server["/r2"] = reply(307, headers={"Location": "/end"})
    http_server["/end"] = reply(200, b"done")
    resp = fetch(http_server.base + "/r1")
    assert resp.body == b"done" and resp.final_url.endswith("/end")


def test_redirect_loop_is_cut(http_server):
    http_server["/loop"] = reply(302, headers={"Location": "/loop"})
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/loop", max_redirects=3)
    assert err.value.error_type == "too_many_redirects"


def test_non_allowed_loopback_alias_is_refused_before_any_request(http_server):
    http_server["/x"] = reply(200, b"secret")
    with pytest.raises(FetchError) as err:
        fetch(f"http://127.0.0.2:{http_server.port}/x")
    assert err.value.error_type == "blocked_address"
    assert http_server.hits.get("/x") is None


def test_redirect_to_a_refused_address_is_refused(http_server):
    http_server["/hop"] = reply(302, headers={"Location": f"http://127.0.0.2:{http_server.port}/x"})
    http_server["/x"] = reply(200, b"secret")
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/hop")
    assert err.value.error_type == "blocked_address" and "/x" not in http_server.hits


def test_default_policy_refuses_loopback(http_server):
    http_server["/a"] = reply(200, b"x")
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/a", allowed_networks=())
    assert err.value.error_type == "blocked_address"


@pytest.mark.parametrize("ip, refused", [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("169.254.169.254", True),
    ("::1", True), ("fe80::1", True), ("::ffff:127.0.0.1", True), ("224.0.0.1", True),
    ("8.8.8.8", False), ("2606:4700::1111", False)])
def test_address_classification(ip, refused):
    assert is_refused(ip, ()) is refused


def test_body_cap_applies_after_decompression(http_server):
    bomb = gzip.compress(b"\0" * (4 * 1024 * 1024))
    http_server["/bomb"] = reply(200, bomb, {"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/bomb", max_bytes=1024 * 1024)
    assert err.value.error_type == "too_large"


def test_declared_oversize_is_refused_without_reading(http_server):
    http_server["/big"] = reply(200, b"x" * 2048, {"Content-Length": "2048"})
    with pytest.raises(FetchError, match="declared 2048"):
        fetch(http_server.base + "/big", max_bytes=1024)


def test_503_with_retry_after_is_retried(http_server):
    calls = []

    def flaky(req):
        calls.append(time.monotonic())
        if len(calls) == 1:
            reply(503, b"busy", {"Retry-After": "100"})(req)  # capped by max_retry_after
        else:
            reply(200, b"ok")(req)
    http_server["/flaky"] = flaky
    resp = fetch(http_server.base + "/flaky", retries=2, max_retry_after=0.3)
    assert resp.body == b"ok" and len(calls) == 2
    assert 0.25 <= calls[1] - calls[0] < 5


def test_persistent_500_fails_after_retries(http_server):
    http_server["/down"] = reply(500, b"no")
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/down", retries=2)
    assert err.value.error_type == "http_500" and http_server.hits["/down"] == 3


def test_silent_server_times_out(http_server):
    def silent(req):
        time.sleep(2)
    http_server["/slow"] = silent
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/slow", read_timeout=0.3, retries=0)
    assert err.value.error_type in ("read_timeout", "connection_error")


def test_slow_drip_hits_the_total_deadline(http_server):
    def drip(req):
        req.send_response(200)
        req.send_header("Content-Length", "100000")
        req.end_headers()
        for _ in range(100):
            req.wfile.write(b"x" * 1000)
            req.wfile.flush()
            time.sleep(0.05)
    http_server["/drip"] = drip
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/drip", total_timeout=0.5, read_timeout=2)
    assert err.value.error_type == "total_timeout"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)"])
def test_other_schemes_are_refused(url):
    with pytest.raises(FetchError) as err:
        fetch(url)
    assert err.value.error_type == "unsupported_scheme"


def test_unresolvable_host():
    with pytest.raises(FetchError) as err:
        fetch("http://no-such-host.invalid/x")
    assert err.value.error_type == "dns_error"


def test_user_agent_names_dyad_and_the_deployers_contact_only():
    from dyad import __version__
    from dyad.net.http import user_agent
    assert user_agent() == f"dyad/{__version__}"          # no invented address
    assert user_agent(contact="mailto:desk@example.org") == \
        f"dyad/{__version__} (+mailto:desk@example.org)"
    assert user_agent("NewsLab/2.0 (+https://lab.example)", "ignored") == \
        "NewsLab/2.0 (+https://lab.example)"
    for bad in ("dyad\r\nX-Injected: 1", "", "dyad/é"):
        with pytest.raises(ValueError, match="User-Agent"):
            user_agent(bad)


@pytest.mark.parametrize("flags, expected", [
    (["--contact", "mailto:desk@example.org"], "dyad/{version} (+mailto:desk@example.org)"),
    (["--user-agent", "NewsLab/2.0 (+https://lab.example)"], "NewsLab/2.0 (+https://lab.example)"),
])
def test_the_configured_user_agent_is_sent_on_feeds_and_pages(http_server, tmp_path, flags,
                                                              expected):
    from dyad import __version__
    from dyad.pipelines import batch
    seen = {}

    def recording(body, content_type):
        def handler(req):
            seen[req.path] = req.headers.get("User-Agent")
            reply(200, body, {"Content-Type": content_type})(req)
        return handler

    story = http_server.base + "/story.html"
    http_server["/feed.xml"] = recording(
        f"<rss><channel><title>T</title><item><title>Harbour strike ends</title><link>{story}"
        "</link></item></channel></rss>".encode(), "application/rss+xml")
    http_server["/story.html"] = recording(
        ("<html><body><article><h1>Harbour strike ends</h1>" + "<p>The strike at the harbour "
         "ended on Tuesday after talks between the union and the port.</p>" * 10 +
         "</article></body></html>").encode(), "text/html; charset=utf-8")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {http_server.base}/feed.xml\n")
    batch.run(["--feeds", str(feeds), "--warehouse", f"duckdb:{tmp_path}/w.duckdb",
               "--allow-network", "127.0.0.1/32", *flags])
    assert seen == {"/feed.xml": expected.format(version=__version__),
                    "/story.html": expected.format(version=__version__)}
