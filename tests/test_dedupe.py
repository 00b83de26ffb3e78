import datetime as dt

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from dyad.records import FeedEntry
from dyad.transforms.dedupe import (DedupeInState, DedupeStories, choose_representative,
                                   sighting_rows)
from dyad.net.urls import canonical_url, source_domain, story_id
from tests.conftest import NOW, RUN_ID


def entry(url, feed, published=None, summary="s", seen=NOW):
    canonical = canonical_url(url)
    return FeedEntry(story_id(canonical), url, canonical, source_domain(canonical), feed, "F",
                     url, "T", summary, (), published, seen)


A1 = entry("https://example.com/a?utm_source=rss", "https://f1/rss",
           dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc))
A2 = entry("https://www.example.com/a#top", "https://f2/rss",
           dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))
A3 = entry("https://example.com/a", "https://f2/rss", None, seen=NOW + dt.timedelta(hours=1))
B = entry("https://example.com/b", "https://f1/rss")
C = entry("https://example.com/c", "https://f1/rss")


def test_variants_share_a_story_and_the_earliest_dated_entry_represents_it():
    assert A1.story_id == A2.story_id == A3.story_id != B.story_id
    assert choose_representative([A1, A2, A3]) is A2


def test_one_sighting_per_feed_with_first_and_last_seen():
    rows = sighting_rows([A1, A2, A3])
    assert [(r["feed_url"], r["first_seen_at"], r["last_seen_at"]) for r in rows] == [
        ("https://f1/rss", NOW, NOW), ("https://f2/rss", NOW, NOW + dt.timedelta(hours=1))]


def test_dedupe_stage_against_known_ids():
    with TestPipeline() as p:
        entries = p | "Entries" >> beam.Create([A1, A2, A3, B, C])
        known = p | "Known" >> beam.Create([C.story_id])
        stories, errors, sightings = (entries, known) | DedupeStories(RUN_ID)
        assert_that(stories | beam.Map(lambda e: e.url), equal_to([A2.url, B.url]), label="Stories")
        assert_that(sightings | beam.Map(lambda r: r["story_id"]),
                    equal_to([A1.story_id, A1.story_id, B.story_id, C.story_id]), label="Sightings")
        assert_that(errors | "AllErrors" >> beam.Flatten(), equal_to([]), label="Errors")


def streaming_pipeline():
    options = PipelineOptions(streaming=True)
    return TestPipeline(options=options)


def test_dedupe_in_state_with_ttl_late_and_duplicate_entries():
    ttl = 100
    at = lambda e, t: TimestampedValue(e, t)  # noqa: E731
    d = entry("https://example.com/d", "https://f1/rss")
    late_b = entry("https://example.com/b", "https://f3/rss")
    events = (TestStream()
              .advance_watermark_to(0)
              .add_elements([at(A1, 10), at(B, 10)])
              .add_elements([at(A2, 20), at(C, 20)])      # seen within the TTL; known
              .advance_watermark_to(50)
              .add_elements([at(late_b, 15), at(d, 20)])  # behind the watermark
              .advance_watermark_to(200)
              .add_elements([at(A3, 210)])                # A's TTL is over
              .advance_watermark_to_infinity())
    with streaming_pipeline() as p:
        entries = p | "Entries" >> events
        stories, errors, sightings = entries | DedupeInState(RUN_ID, ttl, lambda: [C.story_id])
        assert_that(stories | beam.Map(lambda e: e.url), equal_to(
            [A1.url, B.url, d.url, A3.url]), label="Stories")
        assert_that(sightings | beam.Map(lambda r: (r["story_id"], r["feed_url"])), equal_to(
            [(e.story_id, e.feed_url) for e in (A1, B, A2, C, late_b, d, A3)]), label="Sightings")
        assert_that(errors | "AllErrors" >> beam.Flatten(), equal_to([]), label="Errors")


def _item(url, title, published, guid=None, feed="https://example.com/rss"):
    import dataclasses
    return dataclasses.replace(entry(url, feed, published), title=title, guid=guid or url)


DAY = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)


def test_an_outlet_republishing_a_story_under_a_new_link_is_one_story():
    """Same outlet: a new link with the same GUID, or the same title within two days, is the
    first entry's story (a sighting); the same title a week later, a short recurring title, or
    another outlet's same title are stories of their own."""
    from dyad.transforms.dedupe import AssignStoryIds
    day, item = DAY, _item
    first = item("https://example.com/a", "Floods cut the road to the port", day, "g-1")
    same_guid = item("https://example.com/a-updated", "Floods cut port road", day, "g-1")
    same_title = item("https://example.com/b", "Floods cut the road to the port!",
                      day + dt.timedelta(hours=30))
    week_later = item("https://example.com/c", "Floods cut the road to the port",
                      day + dt.timedelta(days=7))
    short_a = item("https://example.com/live1", "Live updates", day)
    short_b = item("https://example.com/live2", "Live updates", day + dt.timedelta(hours=2))
    other_outlet = item("https://other.org/x", "Floods cut the road to the port", day,
                        feed="https://other.org/rss")
    given = [first, same_guid, same_title, week_later, short_a, short_b, other_outlet]
    with TestPipeline() as p:
        ids = (p | beam.Create(given) | AssignStoryIds()
               | beam.Map(lambda e: (e.url, e.story_id)))
        assert_that(ids, equal_to(
            [(e.url, first.story_id) for e in (first, same_guid, same_title)]
            + [(e.url, e.story_id) for e in (week_later, short_a, short_b, other_outlet)]))


def _stored(e: FeedEntry) -> dict:
    """A story the warehouse holds, as warehouse.outlet_stories gives it."""
    return {"story_id": e.story_id, "source": e.source, "url": e.url,
            "canonical_url": e.canonical_url, "guid": e.guid, "title": e.title,
            "published_at": e.published_at}


def test_an_outlet_republishing_a_stored_story_under_a_new_link_takes_the_stored_id():
    """An earlier run stored the outlet's story: a later entry with its GUID, or its title
    within two days, is that story; its title a week later, another outlet's same title, and a
    stored story without a GUID of its own or with a short title match nothing."""
    from dyad.transforms.dedupe import AssignStoryIds
    stored = [_item("https://example.com/a", "Floods cut the road to the port", DAY, "g-1"),
              _item("https://example.com/live", "Live updates", DAY),
              _item("https://example.com/n", "A bridge opens over the river", DAY)]
    same_guid = _item("https://example.com/a2", "Port road cut", DAY + dt.timedelta(days=5),
                      "g-1")
    same_title = _item("https://example.com/a3", "Floods cut the road to the port",
                       DAY + dt.timedelta(hours=20))
    week_later = _item("https://example.com/a4", "Floods cut the road to the port",
                       DAY + dt.timedelta(days=7))
    other_outlet = _item("https://other.org/a", "Floods cut the road to the port", DAY,
                         feed="https://other.org/rss")
    short = _item("https://example.com/live-2", "Live updates", DAY)
    with TestPipeline() as p:
        ids = (p | beam.Create([same_guid, same_title, week_later, other_outlet, short])
               | AssignStoryIds(lambda: [_stored(s) for s in stored])
               | beam.Map(lambda e: (e.url, e.story_id)))
        assert_that(ids, equal_to(
            [(same_guid.url, stored[0].story_id), (same_title.url, stored[0].story_id)]
            + [(e.url, e.story_id) for e in (week_later, other_outlet, short)]))


def test_a_republished_entry_of_an_earlier_run_is_a_sighting_of_the_stored_story(tmp_path):
    """Two runs of the dedupe stage against a real DuckDB file: the second run's entry of the
    same outlet under a new link is no new story, only a sighting of the first run's."""
    import functools

    from dyad.extract import fallback_article
    from dyad.transforms.classify import story_row
    from dyad.transforms.sinks import duckdb
    path = str(tmp_path / "w.duckdb")
    first = _item("https://example.com/a", "Floods cut the road to the port", DAY, "g-1")
    row = story_row(fallback_article(first, "from the feed"), "run-1", NOW)
    duckdb.write_batch(path, [("stories", row), ("story_sightings", sighting_rows([first])[0])],
                       "run-1")
    stored = duckdb.outlet_stories(path, DAY - dt.timedelta(days=14))
    assert [(s["story_id"], s["guid"], s["url"]) for s in stored] == [
        (first.story_id, "g-1", first.url)]
    again = _item("https://example.com/a?id=2", "Floods cut the road to the port",
                  DAY + dt.timedelta(hours=3), "g-9")
    fresh = _item("https://example.com/z", "Another story of the same day entirely", DAY)
    with TestPipeline() as p:
        entries = p | "Entries" >> beam.Create([again, fresh])
        known = p | "Known" >> beam.Create(duckdb.known_story_ids(path))
        stories, errors, sightings = (entries, known) | DedupeStories(
            RUN_ID, functools.partial(duckdb.outlet_stories, path, DAY - dt.timedelta(days=14)))
        assert_that(stories | beam.Map(lambda e: e.url), equal_to([fresh.url]), label="Stories")
        assert_that(sightings | beam.Map(lambda r: (r["story_id"], r["entry_url"])), equal_to(
            [(first.story_id, again.url), (fresh.story_id, fresh.url)]), label="Sightings")
        assert_that(errors | "AllErrors" >> beam.Flatten(), equal_to([]), label="Errors")


def test_a_stream_takes_an_outlets_republished_entries_as_sightings():
    """In a stream: the same GUID under a new link, and a stored story's title within two days,
    are sightings of the first story; the same title a week after is a story of its own."""
    stored = _item("https://example.com/s", "Floods cut the road to the port", DAY)
    first = _item("https://example.com/a", "A bridge opens over the river", DAY, "g-1")
    same_guid = _item("https://example.com/a2", "Bridge opens", DAY, "g-1")
    stored_title = _item("https://example.com/s2", "Floods cut the road to the port",
                         DAY + dt.timedelta(hours=5))
    week_later = _item("https://example.com/s3", "Floods cut the road to the port",
                       DAY + dt.timedelta(days=7))
    at = lambda e, t: TimestampedValue(e, t)  # noqa: E731
    events = (TestStream()
              .advance_watermark_to(0)
              .add_elements([at(first, 10)])
              .add_elements([at(same_guid, 20), at(stored_title, 30), at(week_later, 40)])
              .advance_watermark_to_infinity())
    with streaming_pipeline() as p:
        stories, errors, sightings = (p | events) | DedupeInState(
            RUN_ID, 3600, lambda: [stored.story_id], lambda: [_stored(stored)])
        assert_that(stories | beam.Map(lambda e: e.url), equal_to([first.url, week_later.url]),
                    label="Stories")
        assert_that(sightings | beam.Map(lambda r: (r["story_id"], r["entry_url"])), equal_to(
            [(first.story_id, first.url), (first.story_id, same_guid.url),
             (stored.story_id, stored_title.url), (week_later.story_id, week_later.url)]),
            label="Sightings")
        assert_that(errors | "AllErrors" >> beam.Flatten(), equal_to([]), label="Errors")
