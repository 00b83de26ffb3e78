"""robots.txt (RFC 9309) for article pages: read once per host, kept for a day, obeyed.

The file is fetched through the same guarded client as the pages (allow-list, timeouts) and read
with protego, which implements the RFC's longest match and its `*` and `$` patterns. Only its
first 500 KiB are read, as the RFC allows. The group is chosen by the User-Agent's product token
(what comes before "/", e.g. `dyad`), else `*`.

What a host's answer means (RFC 9309 section 2.3.1): a 4xx other than 429 → everything allowed;
a 429, a 5xx or no answer → the host's pages are not fetched now ("unavailable": a batch run
writes those stories from the feed, with an error row).

Crawl-delay spaces the requests to a host, capped by --max-crawl-delay. `RobotsRules` keeps
answers and spacing for one worker (a batch fetches each host's pages in one worker); a stream
keeps each host's answer and its next free slot in keyed state (`saved`, `restore`, and
`fetch.AdmitByHostFn`), so that all of its workers share them.
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
        self.spacing = Spacing(clock)

    def check(self, url: str):
        """The host's rules (ALLOW_ALL for none) when `url` may be fetched; FetchError
        `robots_disallowed` or `robots_unavailable` (with the reason) when not."""
        answer = self._answer(url)
        if isinstance(answer, FetchError):
            raise FetchError("robots_unavailable", f"robots.txt: {answer}", answer.status,
                             answer.retry_after)
        if answer is not ALLOW_ALL and not answer.can_fetch(url, self.token):
            raise FetchError("robots_disallowed",
                             f"robots.txt of {origin_of(url)} disallows it for {self.token}")
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
        self.spacing.wait(origin_of(url), self.delay(self.check(url), cap))

    def delay(self, rules, cap: float) -> float:
        """Seconds between requests that `rules` (what `check` gave) ask for, at most `cap`."""
        return min((rules.crawl_delay(self.token) if rules is not ALLOW_ALL else None) or 0.0,
                   cap)

    def saved(self, origin: str) -> tuple | None:
        """The host's answer as a picklable value for keyed state (None when not read)."""
        cached = self.hosts.get(origin)
        if cached is None:
            return None
        read_at, answer = cached
        if isinstance(answer, FetchError):
            return read_at, "unavailable", (str(answer), answer.status, answer.retry_after)
        return read_at, "rules", answer

    def restore(self, origin: str, saved: tuple) -> None:
        """Take a host's answer from keyed state (what `saved` gave, maybe another worker's)."""
        read_at, kind, value = saved
        self.hosts[origin] = (read_at, FetchError("robots_unavailable", *value)
                              if kind == "unavailable" else value)

    def _answer(self, url: str):
        origin = origin_of(url)
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


class Spacing:
    """Within one process: requests to each host one at a time, `delay` seconds apart, and not
    before a time another process set (`not_before`, on the wall clock). Thread-safe."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.turn_locks: dict[str, threading.Lock] = {}
        self.last_request: dict[str, float] = {}

    def wait(self, origin: str, delay: float, not_before: float = 0.0) -> None:
        if delay <= 0 and not_before <= 0:
            return
        with self.lock:
            turn_lock = self.turn_locks.setdefault(origin, threading.Lock())
        with turn_lock:   # one request of the host at a time, spaced by the delay
            wait = max(self.last_request.get(origin, -delay) + delay - self.clock(),
                       not_before - time.time())
            if wait > 0:
                time.sleep(wait)
            self.last_request[origin] = self.clock()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
