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


def test_an_outlet_republishing_a_story_under_a_new_link_is_one_story():
    """Same outlet: a new link with the same GUID, or the same title within two days, is the
    first entry's story (a sighting); the same title a week later, a short recurring title, or
    another outlet's same title are stories of their own."""
    import dataclasses
    from dyad.transforms.dedupe import AssignStoryIds
    day = dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc)

    def item(url, title, published, guid=None, feed="https://example.com/rss"):
        e = entry(url, feed, published)
        return dataclasses.replace(e, title=title, guid=guid or url)

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
