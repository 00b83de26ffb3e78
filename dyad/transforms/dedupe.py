"""Stage 3, dedupe: FeedEntry → one FeedEntry per new story, plus a sighting row per feed.

In batch (`DedupeStories`), an outlet's entries that are one story under two links (the same GUID,
or the same title within TITLE_DAYS) first take one `story_id` (`AssignStoryIds`); then entries
are grouped by `story_id` (canonical URL) together with the ids the warehouse already holds, so a
story is fetched once per run and never again in a later run.
In a stream (`DedupeInState`), each story_id keeps in keyed state when it was first seen; an entry
seen again within the time-to-live is only a sighting. Every entry still counts: each feed that
carried a story becomes a `story_sightings` row, and duplicates are counted.
"""
import dataclasses
import re
from typing import Any, Callable, Iterable, Literal, Tuple

import apache_beam as beam
from apache_beam.coders import FloatCoder
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from dyad.records import FeedEntry
from dyad.schemas import SIGHTINGS, build_row
from dyad.transforms.dead_letters import ErrorOut, run_stage

SIGHTINGS_TAG = "sightings"
# An outlet that republishes a story under a new link keeps its GUID or its title: the same
# normalised title of at least TITLE_WORDS words within TITLE_DAYS is one story (a shorter one,
# "Live updates", "Morning briefing", recurs and is not).
TITLE_WORDS = 4
TITLE_DAYS = 2
SightingOut = TaggedOutput[Literal["sightings"], dict]


def choose_representative(entries: list[FeedEntry]) -> FeedEntry:
    """The entry a story is written from: the earliest dated, then a clean link (no tracking
    parameters), then the longest summary, then by feed."""
    return min(entries, key=lambda e: (e.published_at is None,
                                       e.published_at.timestamp() if e.published_at else 0,
                                       e.url != e.canonical_url, -len(e.summary), e.feed_url,
                                       e.url))


def sighting_rows(entries: list[FeedEntry]) -> list[dict]:
    """One row per feed that carried the story (first and last time seen there in this run)."""
    by_feed: dict[str, list[FeedEntry]] = {}
    for entry in entries:
        by_feed.setdefault(entry.feed_url, []).append(entry)
    rows = []
    for feed_url, seen in sorted(by_feed.items()):
        first = min(seen, key=lambda e: e.seen_at)
        rows.append(build_row(SIGHTINGS, {
            "story_id": first.story_id,
            "feed_url": feed_url,
            "entry_url": first.url,
            "guid": first.guid,
            "entry_published_at": first.published_at,
            "first_seen_at": first.seen_at,
            "last_seen_at": max(e.seen_at for e in seen),
        }))
    return rows


def normalised_title(title: str) -> str:
    return " ".join(re.findall(r"\w+", (title or "").casefold()))


def guid_key(entry: FeedEntry) -> tuple[str, str]:
    """(outlet, GUID) when the GUID is not just the link; else a key of the entry alone."""
    if entry.guid and entry.guid not in (entry.url, entry.canonical_url):
        return entry.source, "guid:" + entry.guid
    return entry.story_id, "url:" + entry.url


def title_key(entry: FeedEntry) -> tuple[str, str]:
    title = normalised_title(entry.title)
    if len(title.split()) >= TITLE_WORDS:
        return entry.source, "title:" + title
    return entry.story_id, "url:" + entry.url


def one_story(entries: list[FeedEntry], window: float | None) -> list[FeedEntry]:
    """One outlet's entries with one key: those within `window` seconds of the earliest-dated
    (all, when None or undated) take its story_id."""
    first = choose_representative(entries)
    return [dataclasses.replace(e, story_id=first.story_id)
            if window is None or first.published_at is None or e.published_at is None
            or abs((e.published_at - first.published_at).total_seconds()) <= window else e
            for e in entries]


class AssignStoryIds(beam.PTransform):
    """PCollection[FeedEntry] → the entries, an outlet's republished ones under the story_id of
    its first entry of that story: by GUID, then by title."""

    def expand(self, entries):
        by_guid = (entries
                   | "KeyByGuid" >> beam.Map(lambda e: (guid_key(e), e))
                   | "GroupByGuid" >> beam.GroupByKey()
                   | "OneStoryPerGuid" >> beam.FlatMap(lambda kv: one_story(list(kv[1]), None)))
        return (by_guid
                | "KeyByTitle" >> beam.Map(lambda e: (title_key(e), e))
                | "GroupByTitle" >> beam.GroupByKey()
                | "OneStoryPerTitle" >> beam.FlatMap(
                    lambda kv: one_story(list(kv[1]), TITLE_DAYS * 86400.0)))


class PickStoryFn(beam.DoFn):
    def __init__(self):
        self.new = Metrics.counter("dyad", "stories_new")
        self.dup_run = Metrics.counter("dyad", "duplicates_in_run")
        self.dup_known = Metrics.counter("dyad", "duplicates_in_warehouse")

    def process(self, grouped) -> Iterable[FeedEntry | SightingOut | ErrorOut]:
        _story_id, joined = grouped
        entries = list(joined["entries"])
        if not entries:
            return
        for row in sighting_rows(entries):
            yield TaggedOutput(SIGHTINGS_TAG, row)
        if list(joined["known"]):
            self.dup_known.inc(len(entries))
            return
        self.new.inc()
        self.dup_run.inc(len(entries) - 1)
        yield choose_representative(entries)


class DedupeStories(beam.PTransform):
    """(PCollection[FeedEntry], PCollection[known story_id]) → (stories, errors, sightings)."""

    def __init__(self, run_id: str):
        super().__init__()
        self.run_id = run_id

    def expand(self, inputs):
        entries, known_ids = inputs
        keyed = (entries
                 | "AssignStoryIds" >> AssignStoryIds()
                 | "KeyByStory" >> beam.Map(lambda e: (e.story_id, e)))
        known = known_ids | "KeyKnown" >> beam.Map(lambda story_id: (story_id, True))
        grouped = {"entries": keyed, "known": known} | "JoinKnown" >> beam.CoGroupByKey()
        return run_stage(grouped, "PickStory", PickStoryFn(), "dedupe", self.run_id,
                         extra_tags=(SIGHTINGS_TAG,))


def sighting_row(entry: FeedEntry) -> dict:
    """The sighting one entry makes (first = last = when it was seen)."""
    return sighting_rows([entry])[0]


class DedupeStateFn(beam.DoFn):
    """(story_id, FeedEntry) → the entry if its story is new; a sighting row for every entry.

    The TTL is checked when a story is seen again rather than by a timer that clears the state:
    the local runner fires timers at the end of each bundle, not when they are due.
    """

    FIRST_SEEN = ReadModifyWriteStateSpec("first_seen", FloatCoder())

    def __init__(self, ttl_seconds: float, known_ids: Callable[[], Iterable[str]]):
        self.ttl = ttl_seconds
        self.known_ids = known_ids
        self.new = Metrics.counter("dyad", "stories_new")
        self.dup_run = Metrics.counter("dyad", "duplicates_in_run")
        self.dup_known = Metrics.counter("dyad", "duplicates_in_warehouse")

    def setup(self):
        self.known = frozenset(self.known_ids())

    def process(self, keyed, timestamp=beam.DoFn.TimestampParam,
                first_seen=beam.DoFn.StateParam(FIRST_SEEN)
                ) -> Iterable[FeedEntry | SightingOut | ErrorOut]:
        story_id, entry = keyed
        yield TaggedOutput(SIGHTINGS_TAG, sighting_row(entry))
        now = float(timestamp)
        seen = first_seen.read()
        if seen is not None and now - seen < self.ttl:
            self.dup_run.inc()
            return
        first_seen.write(now)
        if story_id in self.known:
            self.dup_known.inc()
            return
        self.new.inc()
        yield entry


class DedupeInState(beam.PTransform):
    """PCollection[FeedEntry] → (stories, errors, sightings), for streams.

    A story is new once per `ttl_seconds` of event time. `known_ids()` (called once per worker)
    gives the ids already in the warehouse, which are never new; a story seen again after its TTL
    is fetched again, and the warehouse's own key keeps it from being stored twice.
    """

    def __init__(self, run_id: str, ttl_seconds: float, known_ids: Callable[[], Iterable[str]]):
        super().__init__()
        self.run_id = run_id
        self.ttl = ttl_seconds
        self.known_ids = known_ids

    def expand(self, entries):
        keyed = entries | "KeyByStory" >> beam.Map(
            lambda e: (e.story_id, e)).with_output_types(Tuple[str, Any])
        return run_stage(keyed, "FirstSighting", DedupeStateFn(self.ttl, self.known_ids),
                         "dedupe", self.run_id, extra_tags=(SIGHTINGS_TAG,))
