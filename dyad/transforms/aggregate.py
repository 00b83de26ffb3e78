"""Stage 7 (streaming), count: `stories` rows → `hourly_pair_topic` rows, updated as stories come.

Each new story is placed in the hour of its `published_at` (fixed one-hour event-time windows) and
counted per (country pair, topic) in keyed state, so every story that arrives re-emits the running
count of its hour: dashboards see the counts move while the stream runs, with no trigger to wait
for and no shuffle (so a local runner streams them too). A story published more than
ALLOWED_LATENESS before it was ingested is written to `stories` but not counted here (its hour's
state is gone); the `stories_too_late_to_count` counter says how many.
"""
import datetime as dt
from typing import Iterable, Tuple

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms import window
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.timestamp import Duration

from dyad.schemas import HOURLY, build_row
from dyad.transforms.dead_letters import ErrorOut, run_stage

HOUR = 3600
ALLOWED_LATENESS = 2 * 24 * HOUR  # seconds


def too_late(row: dict) -> bool:
    """Published more than ALLOWED_LATENESS before it was ingested (element timestamps upstream
    are not the poll time: batching in the fetch stage stamps its output with the window's end)."""
    return (row["ingested_at"] - row["published_at"]).total_seconds() > ALLOWED_LATENESS


class StampPublishedFn(beam.DoFn):
    """A `stories` row → the same row with its publish time as event time (or nothing, too late)."""

    def __init__(self):
        self.late = Metrics.counter("dyad", "stories_too_late_to_count")

    def process(self, row: dict) -> Iterable:
        if too_late(row):
            self.late.inc()
            return
        yield window.TimestampedValue(row, row["published_at"].timestamp())

    def get_allowed_timestamp_skew(self):
        return Duration.of(ALLOWED_LATENESS)  # published before it was polled, by design


class CountHourFn(beam.DoFn):
    """((pair, topic), source) in an hour window → that hour's running `hourly_pair_topic` row."""

    COUNT = ReadModifyWriteStateSpec("count", PickleCoder())

    def __init__(self, stream_id: str):
        self.stream_id = stream_id

    def process(self, keyed, hour=beam.DoFn.WindowParam,
                count=beam.DoFn.StateParam(COUNT)) -> Iterable[dict | ErrorOut]:
        (pair, topic), source = keyed
        stories, sources = count.read() or (0, frozenset())
        stories, sources = stories + 1, sources | {source}
        count.write((stories, sources))
        yield build_row(HOURLY, {
            "stream_id": self.stream_id, "hour": hour.start.to_utc_datetime(has_tz=True),
            "country_pair": pair, "topic": topic, "stories": stories, "outlets": len(sources),
            "updated_at": dt.datetime.now(dt.timezone.utc)})


class CountStoriesPerHour(beam.PTransform):
    """PCollection[stories row] → (PCollection[hourly_pair_topic row], error row PCollections),
    all in the global window."""

    def __init__(self, stream_id: str):
        super().__init__()
        self.stream_id = stream_id

    def expand(self, stories):
        keyed = (
            stories
            | "StampPublished" >> beam.ParDo(StampPublishedFn())
            | "HourWindows" >> beam.WindowInto(window.FixedWindows(HOUR),
                                               allowed_lateness=Duration.of(ALLOWED_LATENESS))
            | "KeyPairTopic" >> beam.Map(
                lambda row: ((row["country_pair"] or "", row["topic"] or ""), row["source"])
            ).with_output_types(Tuple[Tuple[str, str], str])
        )
        counts, errors = run_stage(keyed, "CountHour", CountHourFn(self.stream_id), "count",
                                   self.stream_id)
        return (counts | "GlobalWindow" >> beam.WindowInto(window.GlobalWindows()),
                tuple(rows | f"ErrorsGlobalWindow{i}" >> beam.WindowInto(window.GlobalWindows())
                      for i, rows in enumerate(errors)))
