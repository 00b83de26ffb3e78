"""CountStoriesPerHour: running counts per hour of publication, pair and topic (TestStream)."""
import datetime as dt

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from dyad.transforms.aggregate import ALLOWED_LATENESS, CountStoriesPerHour, too_late
from tests.conftest import RUN_ID, story

UTC = dt.timezone.utc
TEN = dt.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def polled(i, published, polled_at, **extra):
    """A story published at `published`, polled and ingested at `polled_at`."""
    return TimestampedValue(story(i, published_at=published, ingested_at=polled_at, **extra),
                            polled_at.timestamp())


def test_too_late_is_measured_from_ingestion():
    late = dt.timedelta(seconds=ALLOWED_LATENESS)
    assert not too_late(story(1, published_at=TEN, ingested_at=TEN + late))
    assert too_late(story(1, published_at=TEN, ingested_at=TEN + late + dt.timedelta(seconds=1)))


def test_running_counts_per_hour_pair_and_topic_with_late_stories():
    minute = dt.timedelta(minutes=1)
    events = (TestStream()
              .advance_watermark_to(TEN.timestamp())
              .add_elements([polled(1, TEN + 5 * minute, TEN + 10 * minute, source="a.com")])
              .add_elements([polled(2, TEN + 20 * minute, TEN + 30 * minute, source="b.com"),
                             polled(3, TEN + 25 * minute, TEN + 30 * minute, source="b.com",
                                    topic="diplomacy")])
              .advance_watermark_to((TEN + 45 * minute).timestamp())
              # Published in the hour before, which has closed: late, but within the lateness.
              .add_elements([polled(4, TEN - 10 * minute, TEN + 50 * minute, source="a.com")])
              # Published three days before it was polled: written, never counted.
              .add_elements([polled(5, TEN - dt.timedelta(days=3), TEN + 50 * minute)])
              .add_elements([polled(6, TEN + 55 * minute, TEN + 55 * minute, country_pair=None,
                                    topic=None)])
              .advance_watermark_to_infinity())
    with TestPipeline(options=PipelineOptions(streaming=True)) as p:
        counts, errors = p | events | CountStoriesPerHour(RUN_ID)
        hour = TEN - dt.timedelta(hours=1)
        assert_that(counts | beam.Map(lambda r: (r["stream_id"], r["hour"], r["country_pair"],
                                                 r["topic"], r["stories"], r["outlets"])),
                    equal_to([(RUN_ID, TEN, "CHN-RUS", "defence", 1, 1),
                              (RUN_ID, TEN, "CHN-RUS", "defence", 2, 2),
                              (RUN_ID, TEN, "CHN-RUS", "diplomacy", 1, 1),
                              (RUN_ID, hour, "CHN-RUS", "defence", 1, 1),
                              (RUN_ID, TEN, "", "", 1, 1)]), label="Counts")
        assert_that(errors | "AllErrors" >> beam.Flatten(), equal_to([]), label="Errors")
