"""The elements that flow between stages. Plain dataclasses: picklable, cheap, typed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FeedSpec:
    """One line of the feed list."""

    url: str
    name: str = ""
    country: str = ""
    language: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedDocument:
    """A fetched feed body."""

    feed: FeedSpec
    body: bytes
    final_url: str
    content_type: str
    fetched_at: dt.datetime

    @property
    def url(self) -> str:
        return self.feed.url


# The feed name of an archived page's entry (dyad backfill): its "feed" is the WARC file.
ARCHIVE_FEED_NAME = "warc"


@dataclass(frozen=True)
class FeedEntry:
    """One entry of one feed, with the story identity derived from its link."""

    story_id: str
    url: str
    canonical_url: str
    source: str
    feed_url: str
    feed_name: str
    guid: str
    title: str
    summary: str
    authors: tuple[str, ...]
    published_at: dt.datetime | None
    seen_at: dt.datetime


@dataclass(frozen=True)
class OutletStory:
    """A story the warehouse already holds, as its outlet's feed carried it: what a new entry of
    that outlet under another link is matched with (by GUID or title) in dedupe."""

    story_id: str
    source: str
    url: str
    canonical_url: str
    guid: str
    title: str
    published_at: dt.datetime | None


@dataclass(frozen=True)
class Admission:
    """A stream's leave to fetch an entry's page, from its host's keyed state: not before
    `not_before` (wall-clock seconds), `delay` seconds after this worker's previous request to the
    host; or `refused` (error type, message, HTTP status) by the host's robots.txt."""

    entry: FeedEntry
    not_before: float = 0.0
    delay: float = 0.0
    refused: tuple[str, str, int | None] | None = None


@dataclass(frozen=True)
class FetchedPage:
    """The article page of an entry, or why it could not be had (`error_type` set, `body` None)."""

    entry: FeedEntry
    final_url: str
    status: int | None
    content_type: str
    body: bytes | None
    fetched_at: dt.datetime | None
    error_type: str | None = None
    error_message: str | None = None
    # Said of a page that was had in part (an archived record the crawler cut short).
    note: str | None = None

    @property
    def url(self) -> str:
        return self.entry.url

    @property
    def feed_url(self) -> str:
        return self.entry.feed_url


@dataclass(frozen=True)
class Article:
    """An entry with its page parsed, or with the feed's own text when the page was not usable."""

    entry: FeedEntry
    title: str
    text: str
    authors: tuple[str, ...]
    published_at: dt.datetime | None
    language: str | None
    top_image: str | None
    extraction: str
    fetched_at: dt.datetime | None
    extraction_note: str | None = None
    # The day of publication as the page (else the feed) states it; published_at is in UTC.
    published_date: dt.date | None = None
    lead: str = field(default="", compare=False)
    provenance: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def url(self) -> str:
        return self.entry.url

    @property
    def feed_url(self) -> str:
        return self.entry.feed_url
