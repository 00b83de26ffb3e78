"""robots.txt (RFC 9309) for article pages: read once per host, kept for a day, obeyed.

The file is fetched through the same guarded client as the pages (allow-list, timeouts) and read
with protego, which implements the RFC's longest match and its `*` and `$` patterns. Only its
first 500 KiB are read, as the RFC allows. The group is chosen by the User-Agent's product token
(what comes before "/", e.g. `dyad`), else `*`.

What a host's answer means (RFC 9309 section 2.3.1): a 4xx other than 429 → everything allowed;
a 429, a 5xx or no answer → the host's pages are not fetched now ("unavailable": a batch run
writes those stories from the feed, with an error row).

Crawl-delay spaces the requests to a host, within one worker (a local run fetches in one
process), capped by --max-crawl-delay.
"""
from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from protego import Protego

from dyad.net.http import Fetcher, FetchError

MAX_BYTES = 500 * 1024
TTL = 24 * 3600.0     # seconds a host's answer is kept
RETRY_UNAVAILABLE = 300.0   # seconds before a host whose robots.txt could not be read is asked again
ALLOW_ALL = None


def product_token(user_agent: str) -> str:
    return user_agent.split("/", 1)[0].strip() or "*"


class RobotsRules:
    """Per-host robots.txt answers for one worker; thread-safe, one fetch per host at a time."""

    def __init__(self, fetcher: Fetcher, user_agent: str, ttl: float = TTL, clock=time.monotonic):
        self.fetcher = fetcher
        self.token = product_token(user_agent)
        self.ttl = ttl
        self.clock = clock
        self.lock = threading.Lock()
        self.hosts: dict[str, tuple[float, object]] = {}   # origin → (read at, rules or error)
        self.host_locks: dict[str, threading.Lock] = {}
        self.turn_locks: dict[str, threading.Lock] = {}
        self.last_request: dict[str, float] = {}

    def check(self, url: str):
        """The host's rules (ALLOW_ALL for none) when `url` may be fetched; FetchError
        `robots_disallowed` or `robots_unavailable` (with the reason) when not."""
        answer = self._answer(url)
        if isinstance(answer, FetchError):
            raise FetchError("robots_unavailable", f"robots.txt: {answer}", answer.status,
                             answer.retry_after)
        if answer is not ALLOW_ALL and not answer.can_fetch(url, self.token):
            raise FetchError("robots_disallowed",
                             f"robots.txt of {_origin(url)} disallows it for {self.token}")
        return answer

    def crawl_delay(self, url: str) -> float | None:
        answer = self._answer(url)
        if answer is ALLOW_ALL or isinstance(answer, FetchError):
            return None
        return answer.crawl_delay(self.token)

    def admit(self, url: str, cap: float) -> None:
        """Return when `url` may be requested: `check()`, then the host's Crawl-delay after the
        previous request to it, capped at `cap` seconds (a hostile robots.txt cannot stall a
        run). One cache lookup per page."""
        rules = self.check(url)
        delay = min((rules.crawl_delay(self.token) if rules is not ALLOW_ALL else None) or 0.0,
                    cap)
        if delay <= 0:
            return
        origin = _origin(url)
        with self.lock:
            turn_lock = self.turn_locks.setdefault(origin, threading.Lock())
        with turn_lock:   # one request of the host at a time, spaced by the delay
            wait = self.last_request.get(origin, -delay) + delay - self.clock()
            if wait > 0:
                time.sleep(wait)
            self.last_request[origin] = self.clock()

    def _answer(self, url: str):
        origin = _origin(url)
        with self.lock:
            host_lock = self.host_locks.setdefault(origin, threading.Lock())
        with host_lock:
            cached = self.hosts.get(origin)
            if cached:
                keep = RETRY_UNAVAILABLE if isinstance(cached[1], FetchError) else self.ttl
                if self.clock() - cached[0] < keep:
                    return cached[1]
            answer = read_robots(self.fetcher, origin)
            self.hosts[origin] = (self.clock(), answer)
            return answer


def read_robots(fetcher: Fetcher, origin: str):
    """Protego rules, ALLOW_ALL (none, or a 4xx), or the FetchError that leaves it unknown."""
    try:
        response = fetcher.get(origin + "/robots.txt", headers={"Accept": "text/plain"},
                               truncate_at=MAX_BYTES)
    except FetchError as exc:
        if exc.status and 400 <= exc.status < 500 and exc.status != 429:
            return ALLOW_ALL
        return exc
    return Protego.parse(response.body.decode("utf-8", errors="replace"))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
