"""Load the feed list: YAML (`feeds: [{url, name, country, language, tags}]`) or OPML."""
from __future__ import annotations

import os

import listparser
import yaml
from apache_beam.io.filesystem import BeamIOError, CompressionTypes
from apache_beam.io.filesystems import FileSystems

from dyad.records import FeedSpec
from dyad.net.urls import BadURL, canonical_url


class FeedListError(ValueError):
    """The feed list cannot be used; the message says where and why."""


def feed_list_exists(path: str) -> bool:
    """A local file, or an object in a filesystem Beam reads (gs:// on Dataflow)."""
    if "://" in path:
        return FileSystems.exists(path)
    return os.path.isfile(path)


def load_feed_list(path: str) -> list[FeedSpec]:
    """Read a YAML or OPML feed list (a path, or gs://...); duplicate URLs are dropped, bad lines
    raise FeedListError."""
    if not feed_list_exists(path):
        raise FeedListError(f"feed list {path!r} does not exist")
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
            raw = fh.read()
    except (OSError, BeamIOError) as exc:
        raise FeedListError(f"cannot read feed list {path!r}: {exc}") from exc
    head = raw.lstrip()[:200].lower()
    if path.lower().endswith((".opml", ".xml")) or head.startswith(b"<?xml") or b"<opml" in head:
        specs = _from_opml(path, raw)
    else:
        specs = _from_yaml(path, raw)
    if not specs:
        raise FeedListError(f"feed list {path!r} names no feeds")
    unique: dict[str, FeedSpec] = {}
    for spec in specs:
        unique.setdefault(spec.url, spec)
    return list(unique.values())


def _from_yaml(path: str, raw: bytes) -> list[FeedSpec]:
    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise FeedListError(f"feed list {path!r} is not valid YAML{where}") from exc
    items = doc.get("feeds") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise FeedListError(f"feed list {path!r}: expected a list of feeds or a 'feeds:' key")
    return [_spec(path, i, item) for i, item in enumerate(items, 1)]


def _spec(path: str, index: int, item) -> FeedSpec:
    if isinstance(item, str):
        item = {"url": item}
    if not isinstance(item, dict) or not item.get("url"):
        raise FeedListError(f"feed list {path!r}: feed #{index} has no 'url'")
    url = str(item["url"]).strip()
    try:
        canonical_url(url)
    except BadURL as exc:
        raise FeedListError(f"feed list {path!r}: feed #{index}: {exc}") from exc
    tags = item.get("tags") or ()
    if isinstance(tags, str):
        tags = (tags,)
    return FeedSpec(
        url=url,
        name=str(item.get("name") or ""),
        country=str(item.get("country") or ""),
        language=str(item.get("language") or ""),
        tags=tuple(str(t) for t in tags),
    )


def _from_opml(path: str, raw: bytes) -> list[FeedSpec]:
    # listparser fetches nothing when given the document itself, only when given a URL.
    result = listparser.parse(raw.decode("utf-8", errors="replace"))
    if result.bozo and not result.feeds:
        raise FeedListError(f"feed list {path!r} is not valid OPML: {result.bozo_exception}")
    specs = []
    for i, feed in enumerate(result.feeds, 1):
        tags = tuple(t for cat in feed.categories for t in cat if t)
        specs.append(_spec(path, i, {"url": feed.url, "name": feed.title, "tags": tags}))
    return specs
