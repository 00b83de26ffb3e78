"""Stage 3, dedupe: FeedEntry → one FeedEntry per new story, plus a sighting row per feed.

In batch (`DedupeStories`), an outlet's entries that are one story under two links (the same GUID,
or the same title within TITLE_DAYS) first take one `story_id` (`AssignStoryIds`), the stored
story's when the warehouse already holds one of that outlet with the GUID or title (an earlier
run saw it under its first link); then entries are grouped by `story_id` (canonical URL) together
with the ids the warehouse already holds, so a story is fetched once per run and never again in a
later run.
In a stream (`DedupeInState`), an outlet's GUID and title keep in keyed state the story they were
first seen with (or the warehouse's stored story), so a republished entry takes its story_id;
then each story_id keeps when it was first seen, and an entry seen again within the time-to-live
is only a sighting. A backfill's archived pages (`SkipStoredPages`) are only checked against the
stored ids. Every entry still counts: each feed that
carried a story becomes a `story_sightings` row, and duplicates are counted.
"""
import dataclasses
import re
from typing import Any, Callable, Iterable, Literal, Tuple

import apache_beam as beam
from apache_beam.coders import FloatCoder, PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from dyad.records import FeedEntry, FetchedPage, OutletStory
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


def guid_key(entry: FeedEntry | OutletStory) -> tuple[str, str]:
    """(outlet, GUID) when the GUID is not just the link; else a key of the entry alone."""
    if entry.guid and entry.guid not in (entry.url, entry.canonical_url):
        return entry.source, "guid:" + entry.guid
    return entry.story_id, "url:" + entry.url


def title_key(entry: FeedEntry | OutletStory) -> tuple[str, str]:
    title = normalised_title(entry.title)
    if len(title.split()) >= TITLE_WORDS:
        return entry.source, "title:" + title
    return entry.story_id, "url:" + entry.url


def one_story(entries: list[FeedEntry], window: float | None,
              stored: list[OutletStory] = ()) -> list[FeedEntry]:
    """One outlet's entries with one key: those within `window` seconds of the earliest-dated
    (all, when None or undated) take its story_id. The earliest-dated `stored` story of the key
    comes first when an entry is within the window of it: a story is not new twice."""
    if not entries:
        return []  # a stored story that no entry of this run shares a key with
    first = min(stored, key=_date_order) if stored else None
    if first is None or not any(_within(e, first, window) for e in entries):
        first = choose_representative(entries)
    return [dataclasses.replace(e, story_id=first.story_id) if _within(e, first, window) else e
            for e in entries]


def _date_order(story: OutletStory) -> tuple:
    return story.published_at is None, story.published_at.timestamp() if story.published_at else 0


def _within(entry: FeedEntry, first: FeedEntry | OutletStory, window: float | None) -> bool:
    return (window is None or first.published_at is None or entry.published_at is None
            or abs((entry.published_at - first.published_at).total_seconds()) <= window)


def outlet_keyed(stories: list[dict], key: Callable) -> list[tuple[tuple[str, str], OutletStory]]:
    """The warehouse's rows as OutletStory by `key`, leaving out those keyed by their own link
    (no GUID of their own, or a title too short), which no other entry can share."""
    keyed = ((key(story), story) for story in map(lambda row: OutletStory(**row), stories))
    return [(k, story) for k, story in keyed if not k[1].startswith("url:")]


class AssignStoryIds(beam.PTransform):
    """PCollection[FeedEntry] → the entries, an outlet's republished ones under the story_id of
    its first entry of that story: by GUID, then by title. `stored()` gives the warehouse's
    recent stories (warehouse.outlet_stories), which come first."""

    def __init__(self, stored: Callable[[], list[dict]] | None = None):
        super().__init__()
        self.stored = stored

    def expand(self, entries):
        stored = (entries.pipeline
                  | "StoredTrigger" >> beam.Create([None] if self.stored else [])
                  | "ReadStored" >> beam.FlatMap(lambda _, read: read(), self.stored))
        by_guid = (self._join(entries, stored, "Guid", guid_key)
                   | "OneStoryPerGuid" >> beam.FlatMap(
                       lambda kv: one_story(list(kv[1]["entries"]), None, list(kv[1]["stored"]))))
        return (self._join(by_guid, stored, "Title", title_key)
                | "OneStoryPerTitle" >> beam.FlatMap(
                    lambda kv: one_story(list(kv[1]["entries"]), TITLE_DAYS * 86400.0,
                                         list(kv[1]["stored"]))))

    @staticmethod
    def _join(entries, stored, name: str, key: Callable):
        return ({"entries": entries | f"KeyBy{name}" >> beam.Map(lambda e: (key(e), e)),
                 "stored": stored | f"KeyStoredBy{name}" >> beam.FlatMap(
                     lambda row: outlet_keyed([row], key))}
                | f"GroupBy{name}" >> beam.CoGroupByKey())


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

    def __init__(self, run_id: str, stored: Callable[[], list[dict]] | None = None):
        super().__init__()
        self.run_id = run_id
        self.stored = stored

    def expand(self, inputs):
        entries, known_ids = inputs
        keyed = (entries
                 | "AssignStoryIds" >> AssignStoryIds(self.stored)
                 | "KeyByStory" >> beam.Map(lambda e: (e.story_id, e)))
        known = known_ids | "KeyKnown" >> beam.Map(lambda story_id: (story_id, True))
        grouped = {"entries": keyed, "known": known} | "JoinKnown" >> beam.CoGroupByKey()
        return run_stage(grouped, "PickStory", PickStoryFn(), "dedupe", self.run_id,
                         extra_tags=(SIGHTINGS_TAG,))


class SkipStoredPageFn(beam.DoFn):
    """FetchedPage → the page unless its story is stored; a sighting row for every page."""

    def __init__(self, known_ids: Callable[[], Iterable[str]]):
        self.known_ids = known_ids
        self.new = Metrics.counter("dyad", "stories_new")
        self.dup_known = Metrics.counter("dyad", "duplicates_in_warehouse")

    def setup(self):
        self.known = frozenset(self.known_ids())

    def process(self, page) -> Iterable[FetchedPage | SightingOut | ErrorOut]:
        yield TaggedOutput(SIGHTINGS_TAG, sighting_row(page.entry))
        if page.entry.story_id in self.known:
            self.dup_known.inc()
            return
        self.new.inc()
        yield page


class SkipStoredPages(beam.PTransform):
    """PCollection[FetchedPage] → (pages, errors, sightings), for archives: a page whose story
    the warehouse holds (`known_ids()`, read once per worker) is only a sighting (of its archive
    file). Pages wait for nothing, neither a group nor a side input, so an archive streams
    through: a page archived twice in one run is parsed twice, and the warehouse's key keeps one
    row."""

    def __init__(self, run_id: str, known_ids: Callable[[], Iterable[str]]):
        super().__init__()
        self.run_id = run_id
        self.known_ids = known_ids

    def expand(self, pages):
        return run_stage(pages, "SkipStored", SkipStoredPageFn(self.known_ids), "dedupe",
                         self.run_id, extra_tags=(SIGHTINGS_TAG,))


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


class OutletStoryStateFn(beam.DoFn):
    """(outlet key, FeedEntry) → the entry, under the story_id of the key's first entry (or the
    warehouse's stored story of that key) when within `window` seconds of it (always, if None)."""

    FIRST = ReadModifyWriteStateSpec("first", PickleCoder())

    def __init__(self, key: Callable, window: float | None,
                 stored: Callable[[], list[dict]] | None):
        self.key = key
        self.window = window
        self.read_stored = stored

    def setup(self):
        self.stored: dict = {}
        for key, story in outlet_keyed(self.read_stored() if self.read_stored else [], self.key):
            if key not in self.stored or _date_order(story) < _date_order(self.stored[key]):
                self.stored[key] = story

    def process(self, keyed, first=beam.DoFn.StateParam(FIRST)) -> Iterable[FeedEntry]:
        key, entry = keyed
        if key[1].startswith("url:"):
            yield entry  # keyed by its own link: no other entry shares the key
            return
        seen = first.read() or self.stored.get(key)
        if seen is not None and _within(entry, seen, self.window):
            yield dataclasses.replace(entry, story_id=seen.story_id)
            return
        first.write(OutletStory(entry.story_id, entry.source, entry.url, entry.canonical_url,
                                entry.guid, entry.title, entry.published_at))
        yield entry


class DedupeInState(beam.PTransform):
    """PCollection[FeedEntry] → (stories, errors, sightings), for streams.

    A story is new once per `ttl_seconds` of event time. `known_ids()` (called once per worker)
    gives the ids already in the warehouse, which are never new; a story seen again after its TTL
    is fetched again, and the warehouse's own key keeps it from being stored twice.
    """

    def __init__(self, run_id: str, ttl_seconds: float, known_ids: Callable[[], Iterable[str]],
                 stored: Callable[[], list[dict]] | None = None):
        super().__init__()
        self.run_id = run_id
        self.ttl = ttl_seconds
        self.known_ids = known_ids
        self.stored = stored

    def expand(self, entries):
        outlet_key = Tuple[Tuple[str, str], Any]
        keyed = (entries
                 | "KeyByGuid" >> beam.Map(lambda e: (guid_key(e), e)).with_output_types(outlet_key)
                 | "SameGuid" >> beam.ParDo(OutletStoryStateFn(guid_key, None, self.stored))
                 | "KeyByTitle" >> beam.Map(
                     lambda e: (title_key(e), e)).with_output_types(outlet_key)
                 | "SameTitle" >> beam.ParDo(
                     OutletStoryStateFn(title_key, TITLE_DAYS * 86400.0, self.stored))
                 | "KeyByStory" >> beam.Map(
                     lambda e: (e.story_id, e)).with_output_types(Tuple[str, Any]))
        return run_stage(keyed, "FirstSighting", DedupeStateFn(self.ttl, self.known_ids),
                         "dedupe", self.run_id, extra_tags=(SIGHTINGS_TAG,))
