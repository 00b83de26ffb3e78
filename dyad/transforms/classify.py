"""Stage 5, classify: Article → a `stories` row (topics, countries, country pair, and the rest),
and in a batch the row's same-story fingerprint (`cluster.fingerprint_outputs`)."""
import datetime as dt
from typing import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from dyad import __version__
from dyad.classify import classify, warm_up
from dyad.records import Article
from dyad.schemas import STORIES, build_row
from dyad.transforms import cpu_pool
from dyad.transforms.cpu_pool import PooledFn
from dyad.transforms.cluster import FINGERPRINTS, FingerprintOut, fingerprint_outputs
from dyad.transforms.dead_letters import ErrorOut, run_stage


def story_row(article: Article, run_id: str, ingested_at: dt.datetime) -> dict:
    """The full `stories` row of an article, classification included."""
    entry = article.entry
    text = article.text or ""
    provenance = {name: article.provenance.get(name) for name in
                  ("title", "published_at", "authors", "language", "top_image")}
    if article.published_at is None:  # every story is filed under a day (BigQuery partitions on it)
        provenance["published_at"] = "ingested_at"
    published_at = article.published_at or ingested_at
    classified = classify(article.title, text, article.lead, published_at, article.language)
    provenance["language"] = classified.pop("language_provenance")
    return build_row(STORIES, {
        "story_id": entry.story_id,
        "cluster_id": entry.story_id,   # its own until clustering says otherwise
        "url": entry.url,
        "canonical_url": entry.canonical_url,
        "source": entry.source,
        "feed_url": entry.feed_url,
        "feed_name": entry.feed_name or None,
        "title": article.title or None,
        "summary": entry.summary or None,
        "text": text or None,
        "authors": list(article.authors),
        "published_at": published_at,
        "published_date": article.published_date or published_at.date(),
        "fetched_at": article.fetched_at,
        "ingested_at": ingested_at,
        **classified,
        "extraction": article.extraction,
        "extraction_note": article.extraction_note,
        "provenance": provenance,
        "top_image": article.top_image,
        "word_count": len(text.split()),
        "pipeline_version": __version__,
        "run_id": run_id,
    })


def story_outputs(article: Article, run_id: str, ingested_at: dt.datetime | None,
                  fingerprints: bool = False) -> list:
    """The row; with `fingerprints`, also its same-story fingerprint (`cluster.FINGERPRINTS`)."""
    row = story_row(article, run_id, ingested_at or dt.datetime.now(dt.timezone.utc))
    return [row, *(fingerprint_outputs(row, run_id) if fingerprints else ())]


class ClassifyStoryFn(PooledFn):
    """Article → `stories` row, in the run's CPU pool when it has one (`cpu_pool`); ingested at
    `ingested_at` (a batch run's start) or (streams) now."""

    stage = "classify"
    work = story_outputs

    def __init__(self, run_id: str, ingested_at: dt.datetime | None, fingerprints: bool):
        super().__init__(run_id)
        self.ingested_at = ingested_at
        self.fingerprints = fingerprints
        self.classified = Metrics.counter("dyad", "stories_classified")

    def work_args(self) -> tuple:
        return (self.run_id, self.ingested_at, self.fingerprints)

    def process(self, element, timestamp=beam.DoFn.TimestampParam,
                window=beam.DoFn.WindowParam) -> Iterable[dict | ErrorOut | FingerprintOut]:
        yield from super().process(element, timestamp, window)

    def setup(self):
        super().setup()
        if not cpu_pool.size():  # the pool's processes have built it, each its own
            warm_up()

    def count(self, output) -> None:
        if isinstance(output, dict):
            self.classified.inc()


class ClassifyStories(beam.PTransform):
    """PCollection[Article] → (PCollection[stories row], error row PCollections, and with
    `fingerprints` the rows' same-story fingerprints, (story_id, Fingerprint), for
    `cluster.ClusterStories`)."""

    def __init__(self, run_id: str, ingested_at: dt.datetime | None, fingerprints: bool = False):
        super().__init__()
        self.run_id = run_id
        self.ingested_at = ingested_at
        self.fingerprints = fingerprints

    def expand(self, articles):
        fn = ClassifyStoryFn(self.run_id, self.ingested_at, self.fingerprints)
        return run_stage(articles, "ClassifyArticles", fn, "classify", self.run_id,
                         extra_tags=(FINGERPRINTS,) if self.fingerprints else ())
