import datetime as dt

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from dyad.records import FeedEntry
from dyad.transforms.dedupe import DedupeStories, choose_representative, sighting_rows
from dyad.urls import canonical_url, source_domain, story_id
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
        assert_that(errors, equal_to([]), label="Errors")
