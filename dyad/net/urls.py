"""URL canonicalisation and story identity.

Two links to one story differ in tracking parameters, fragments, host case, `www.` and scheme; the
canonical URL removes what courlan knows to be tracking noise, and the story id also ignores scheme
and `www.` so that http/https and www/bare variants of one article collapse to one story.
"""
from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

import courlan

MAX_URL_LENGTH = 4096


class BadURL(ValueError):
    """A link that cannot name a fetchable web page."""


def canonical_url(url: str) -> str:
    """Normalised http(s) URL without tracking parameters or fragment; BadURL otherwise."""
    url = (url or "").strip()
    if not url:
        raise BadURL("empty link")
    if len(url) > MAX_URL_LENGTH:
        raise BadURL(f"link longer than {MAX_URL_LENGTH} characters")
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise BadURL(f"unsupported scheme {scheme or '(none)'!r} in {url[:200]!r}")
    try:
        normalised = courlan.normalize_url(url, strict=False)
    except Exception as exc:  # courlan raises assorted ValueErrors on malformed authorities
        raise BadURL(f"cannot normalise {url[:200]!r}: {exc}") from exc
    parts = urlsplit(normalised)
    if not parts.hostname:
        raise BadURL(f"no host in {url[:200]!r}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def story_id(canonical: str) -> str:
    """Stable id of a story: sha256 over the canonical URL minus scheme and a leading `www.`."""
    parts = urlsplit(canonical)
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    key = host + (parts.path or "/") + (("?" + parts.query) if parts.query else "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def source_domain(url: str) -> str:
    """The outlet: registered domain (bbc.co.uk); for an IP-literal host, host:port."""
    domain = courlan.extract_domain(url)
    if domain:
        return domain.lower()
    parts = urlsplit(url)
    return (parts.netloc or parts.path).lower()
