"""Stage 3, dedupe: FeedEntry → one FeedEntry per new story, plus a sighting row per feed.

Entries are grouped by `story_id` (canonical URL) together with the ids the warehouse already
holds, so a story is fetched once per run and never again in a later run. Every entry still counts:
each feed that carried a story becomes a `story_sightings` row, and duplicates are counted.
"""
from typing import Iterable, Literal

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

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
