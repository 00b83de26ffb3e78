"""A guarded HTTP client for untrusted feed and article URLs.

Every connection, including each hop of a redirect, resolves the host itself, refuses loopback,
private, link-local, reserved and multicast addresses unless an allowed network covers them, and
then connects to the address it vetted (so a DNS answer cannot change between check and use).
Responses are capped in size after decompression and in total time, and 429/5xx are retried with
backoff, honouring Retry-After up to a cap.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util.retry import Retry

from dyad import __version__

log = logging.getLogger(__name__)

# Names dyad and its version only: a deployer adds a contact (--contact) or says it all
# (--user-agent); dyad invents no address for anyone.
USER_AGENT = f"dyad/{__version__}"
RETRY_STATUSES = (429, 500, 502, 503, 504)


def user_agent(verbatim: str | None = None, contact: str | None = None) -> str:
    """The User-Agent of every request: `verbatim` as given, else dyad/VERSION with the
    deployer's contact (`dyad/0.1.0 (+mailto:desk@example.org)`); ValueError for one that
    cannot be a header (control characters, non-ASCII)."""
    value = verbatim if verbatim is not None else (
        f"{USER_AGENT} (+{contact})" if contact else USER_AGENT)
    if not value.strip() or not value.isascii() or any(ord(c) < 32 or ord(c) == 127
                                                        for c in value):
        raise ValueError(f"{value!r} cannot be sent as a User-Agent (printable ASCII only)")
    return value


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one kind of fetch (feeds or articles). Seconds and bytes."""

    allowed_networks: tuple[str, ...] = ()
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    user_agent: str = USER_AGENT


class FetchError(Exception):
    """A fetch failed; `error_type` is a stable short code for the errors table."""

    def __init__(self, error_type: str, message: str, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.error_type = error_type
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to wait (429/503), if any


class AddressBlocked(Exception):
    """Raised inside a connection attempt to a refused address; not an OSError, so never retried."""


class NameNotResolved(Exception):
    """The host has no address."""


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int
    headers: dict
    body: bytes
    fetched_at: dt.datetime

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def parse_networks(cidrs) -> tuple:
    """CIDR strings to ip_network objects; ValueError with the offending text otherwise."""
    nets = []
    for cidr in cidrs or ():
        try:
            nets.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not a network in CIDR form: {cidr!r} ({exc})") from exc
    return tuple(nets)


def is_refused(ip: str, allowed: tuple) -> bool:
    """True when `ip` is not a public unicast address and no allowed network covers it."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    if any(addr.version == net.version and addr in net for net in allowed):
        return False
    return not addr.is_global or addr.is_multicast


def vet_host(host: str, port: int, allowed: tuple) -> str:
    """Resolve `host` and return an address to connect to; AddressBlocked if any answer is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise NameNotResolved(f"cannot resolve {host!r}: {exc.strerror}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    refused = [a for a in addresses if is_refused(a, allowed)]
    if refused:
        raise AddressBlocked(
            f"{host!r} resolves to {refused[0]}, a non-public address; "
            "allow its network with --allow-network CIDR if this is intended")
    return addresses[0]


def _guarded_pool_classes(allowed: tuple):
    def new_conn(base):
        def _new_conn(self):
            vetted = vet_host(self._dns_host, self.port, allowed)
            original, self._dns_host = self._dns_host, vetted
            try:
                return base._new_conn(self)
            finally:
                self._dns_host = original
        return _new_conn

    conn = type("GuardedHTTPConnection", (HTTPConnection,), {"_new_conn": new_conn(HTTPConnection)})
    sconn = type("GuardedHTTPSConnection", (HTTPSConnection,),
                 {"_new_conn": new_conn(HTTPSConnection)})
    pool = type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": conn})
    spool = type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": sconn})
    return {"http": pool, "https": spool}


class _CappedRetry(Retry):
    """Retry that honours Retry-After but never sleeps longer than `max_retry_after` seconds."""

    max_retry_after = 30.0

    def get_retry_after(self, response):
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)

    def new(self, **kw):
        fresh = super().new(**kw)
        fresh.max_retry_after = self.max_retry_after
        return fresh


class _GuardedAdapter(HTTPAdapter):
    def __init__(self, allowed: tuple, retry: Retry, pool_maxsize: int):
        self._pool_classes = _guarded_pool_classes(allowed)
        super().__init__(max_retries=retry, pool_maxsize=pool_maxsize)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes


class Fetcher:
    """One per worker (build it in DoFn.setup): holds the connection pools."""

    def __init__(self, policy: FetchPolicy, pool_maxsize: int = 16):
        self.policy = policy
        allowed = parse_networks(policy.allowed_networks)
        retry = _CappedRetry(
            total=policy.retries, connect=policy.retries, read=0, redirect=False,
            status=policy.retries, status_forcelist=RETRY_STATUSES, allowed_methods=["GET"],
            backoff_factor=policy.backoff, respect_retry_after_header=True, raise_on_status=False)
        retry.max_retry_after = policy.max_retry_after
        session = requests.Session()
        session.trust_env = False  # proxies from the environment would bypass the address check
        session.max_redirects = policy.max_redirects
        session.headers["User-Agent"] = policy.user_agent
        adapter = _GuardedAdapter(allowed, retry, pool_maxsize)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._session = session

    def close(self) -> None:
        self._session.close()

    def get(self, url: str, headers: dict | None = None, truncate_at: int | None = None
            ) -> Response:
        """GET `url`; FetchError for every way it can fail, including 4xx/5xx. With
        `truncate_at`, a longer body is cut there and the rest not read (robots.txt)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError("unsupported_scheme", f"refusing {scheme or 'scheme-less'} URL {url[:200]!r}")
        p = self.policy
        started = time.monotonic()
        try:
            with self._session.get(url, headers=headers, stream=True,
                                   timeout=(p.connect_timeout, p.read_timeout)) as resp:
                if resp.status_code >= 400:
                    raise FetchError(f"http_{resp.status_code}",
                                     f"HTTP {resp.status_code} {resp.reason or ''}".strip(),
                                     resp.status_code, _retry_after(resp))
                body = self._read_capped(resp, started, truncate_at)
                return Response(url=url, final_url=resp.url, status=resp.status_code,
                                headers={k.lower(): v for k, v in resp.headers.items()},
                                body=body, fetched_at=dt.datetime.now(dt.timezone.utc))
        except FetchError:
            raise
        except AddressBlocked as exc:
            raise FetchError("blocked_address", str(exc)) from None
        except NameNotResolved as exc:
            raise FetchError("dns_error", str(exc)) from None
        except requests.TooManyRedirects:
            raise FetchError("too_many_redirects",
                             f"more than {p.max_redirects} redirects (or a loop)") from None
        except requests.exceptions.ConnectTimeout:
            raise FetchError("connect_timeout", f"no connection within {p.connect_timeout}s") from None
        except requests.exceptions.ReadTimeout:
            raise FetchError("read_timeout", f"no data for {p.read_timeout}s") from None
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError("bad_encoding", f"cannot decode body: {exc}") from None
        except requests.exceptions.InvalidURL as exc:
            raise FetchError("bad_url", str(exc)) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise FetchError("connection_error", _short(exc)) from None

    def _read_capped(self, resp, started: float, truncate_at: int | None = None) -> bytes:
        p = self.policy
        declared = resp.headers.get("content-length", "")
        if truncate_at is None and declared.isdigit() and int(declared) > p.max_bytes:
            raise FetchError("too_large", f"declared {declared} bytes, cap is {p.max_bytes}")
        chunks, size = [], 0
        for chunk in resp.iter_content(chunk_size=64 * 1024):
            size += len(chunk)
            if truncate_at is not None and size >= truncate_at:
                chunks.append(chunk[:len(chunk) - (size - truncate_at)])
                break
            if size > p.max_bytes:
                raise FetchError("too_large", f"body exceeds {p.max_bytes} bytes (after decompression)")
            if time.monotonic() - started > p.total_timeout:
                raise FetchError("total_timeout", f"body not complete within {p.total_timeout}s")
            chunks.append(chunk)
        return b"".join(chunks)


def _retry_after(resp) -> float | None:
    """Retry-After in seconds (it may be a number or an HTTP date); None when absent or unreadable."""
    value = resp.headers.get("retry-after")
    if not value:
        return None
    try:
        return Retry().parse_retry_after(value)
    except urllib3.exceptions.InvalidHeader:
        return None


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 500 else text[:500] + "…"
