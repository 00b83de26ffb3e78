"""Stage 3, dedupe: FeedEntry → one FeedEntry per new story, plus a sighting row per feed.

In batch (`DedupeStories`), entries are grouped by `story_id` (canonical URL) together with the ids
the warehouse already holds, so a story is fetched once per run and never again in a later run.
In a stream (`DedupeInState`), each story_id keeps in keyed state when it was first seen; an entry
seen again within the time-to-live is only a sighting, and an event-time timer clears the state
when the TTL is over. Every entry still counts: each feed that carried a story becomes a
`story_sightings` row, and duplicates are counted.
"""
import datetime as dt
from typing import Any, Iterable, Literal, Tuple

import apache_beam as beam
from apache_beam.coders import BooleanCoder, FloatCoder
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms import window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration, Timestamp

from dyad.records import FeedEntry
from dyad.schemas import SIGHTINGS, build_row
from dyad.transforms.dead_letters import ErrorOut, run_stage

SIGHTINGS_TAG = "sightings"
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
        keyed = entries | "KeyByStory" >> beam.Map(lambda e: (e.story_id, e))
        known = known_ids | "KeyKnown" >> beam.Map(lambda story_id: (story_id, True))
        grouped = {"entries": keyed, "known": known} | "JoinKnown" >> beam.CoGroupByKey()
        return run_stage(grouped, "PickStory", PickStoryFn(), "dedupe", self.run_id,
                         extra_tags=(SIGHTINGS_TAG,))


def sighting_row(entry: FeedEntry) -> dict:
    """The sighting one entry makes (first = last = when it was seen)."""
    return sighting_rows([entry])[0]


class DedupeStateFn(beam.DoFn):
    """(story_id, FeedEntry, or None for "already in the warehouse") → the entry if its story is
    new; a sighting row for every entry."""

    FIRST_SEEN = ReadModifyWriteStateSpec("first_seen", FloatCoder())
    STORED = ReadModifyWriteStateSpec("stored", BooleanCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, ttl_seconds: float):
        self.ttl = ttl_seconds
        self.new = Metrics.counter("dyad", "stories_new")
        self.dup_run = Metrics.counter("dyad", "duplicates_in_run")
        self.dup_known = Metrics.counter("dyad", "duplicates_in_warehouse")

    def process(self, keyed, timestamp=beam.DoFn.TimestampParam,
                first_seen=beam.DoFn.StateParam(FIRST_SEEN),
                stored=beam.DoFn.StateParam(STORED),
                expiry=beam.DoFn.TimerParam(EXPIRY)) -> Iterable[FeedEntry | SightingOut | ErrorOut]:
        _story_id, entry = keyed
        now = float(timestamp)
        if entry is None:
            stored.write(True)
            expiry.set(Timestamp.of(now) + Duration.of(self.ttl))
            return
        yield TaggedOutput(SIGHTINGS_TAG, sighting_row(entry))
        if stored.read():
            self.dup_known.inc()
            return
        seen = first_seen.read()
        if seen is not None and now - seen < self.ttl:
            self.dup_run.inc()
            return
        first_seen.write(now)
        expiry.set(Timestamp.of(now) + Duration.of(self.ttl))
        self.new.inc()
        yield entry

    @on_timer(EXPIRY)
    def expire(self, first_seen=beam.DoFn.StateParam(FIRST_SEEN),
               stored=beam.DoFn.StateParam(STORED)):
        first_seen.clear()
        stored.clear()


class DedupeInState(beam.PTransform):
    """(PCollection[FeedEntry], PCollection[known story_id]) → (stories, errors, sightings).

    For streams: a story is new once per `ttl_seconds` of event time. Ids already in the warehouse
    when the stream starts (`started_at`) count as seen then. A story seen again after its TTL is
    fetched again, and the warehouse's own key keeps it from being stored twice.
    """

    def __init__(self, run_id: str, ttl_seconds: float, started_at: dt.datetime):
        super().__init__()
        self.run_id = run_id
        self.ttl = ttl_seconds
        self.started = started_at.timestamp()

    def expand(self, inputs):
        entries, known_ids = inputs
        started = self.started
        keyed = entries | "KeyByStory" >> beam.Map(
            lambda e: (e.story_id, e)).with_output_types(Tuple[str, Any])
        known = known_ids | "KeyKnown" >> beam.Map(
            lambda story_id: window.TimestampedValue((story_id, None), started)
        ).with_output_types(Tuple[str, Any])
        both = (keyed, known) | "EntriesAndKnown" >> beam.Flatten()
        return run_stage(both, "FirstSighting", DedupeStateFn(self.ttl), "dedupe", self.run_id,
                         extra_tags=(SIGHTINGS_TAG,))
