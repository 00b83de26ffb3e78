"""Stage 6, cluster (batch): `stories` rows → the same rows with their `cluster_id`.

Each row's fingerprint (`clusters.fingerprint`) is taken where the row is, in parallel. The run's
fingerprints and those of the warehouse's stories of the last RECENT_DAYS (which keep their
clusters) are then clustered in one place, in time order (`clusters.assign_clusters`), and each
row gets its cluster's id: a story of a later run joins an earlier run's cluster when it reports
the same event, and a re-run assigns the same clusters. A row whose fingerprint fails is a cluster
of its own, with an error row.
"""

from typing import Callable, Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from dyad.clusters.clusters import assign_clusters
from dyad.clusters.fingerprint import Fingerprint, fingerprint
from dyad.transforms.dead_letters import ErrorOut, run_stage

# Days of the warehouse's stories a run's new stories are compared with: the clusters' window and
# the days a feed's entries may lag behind the run.
RECENT_DAYS = 7


def story_fingerprint(row: dict) -> Fingerprint:
    """The row's fingerprint, with the countries classification found (a warehouse row read
    back has none: they are found again)."""
    countries = row.get("countries")
    return fingerprint(row.get("title") or "", row.get("text") or "", row.get("language"),
                       row["published_at"],
                       None if countries is None else [c["code"] for c in countries])


def assign(fingerprints: list[tuple[str, Fingerprint]], recent: list[dict]) -> dict[str, str]:
    """story_id → cluster_id for the run's stories; `recent` are the warehouse's rows
    (story_id, cluster_id, title, text, language, published_at)."""
    earlier = [(row["story_id"], story_fingerprint(row), row["cluster_id"] or row["story_id"])
               for row in recent]
    return assign_clusters(fingerprints, earlier)


def with_cluster(row: dict, clusters: dict[str, str]) -> dict:
    return {**row, "cluster_id": clusters.get(row["story_id"], row["story_id"])}


def read_recent(_, read: Callable[[], list[dict]]) -> list[dict]:
    return read()


class FingerprintStoryFn(beam.DoFn):
    def __init__(self):
        self.taken = Metrics.counter("dyad", "stories_fingerprinted")

    def process(self, row: dict) -> Iterable[tuple[str, Fingerprint] | ErrorOut]:
        self.taken.inc()
        yield row["story_id"], story_fingerprint(row)


class ClusterStories(beam.PTransform):
    """PCollection[stories row] → (the rows with cluster_id, error row PCollections).

    `recent()` (picklable, called once) gives the warehouse's stories since the run's start less
    RECENT_DAYS (`warehouse.recent_stories`)."""

    def __init__(self, run_id: str, recent: Callable[[], list[dict]]):
        super().__init__()
        self.run_id = run_id
        self.recent = recent

    def expand(self, rows):
        fingerprints, errors = run_stage(rows, "FingerprintStories", FingerprintStoryFn(),
                                         "cluster", self.run_id)
        recent = (rows.pipeline
                  | "RecentStoriesTrigger" >> beam.Create([None])
                  | "RecentStories" >> beam.FlatMap(read_recent, self.recent))
        clusters = (fingerprints
                    | "AllFingerprints" >> beam.combiners.ToList()
                    | "AssignClusters" >> beam.Map(assign, beam.pvalue.AsList(recent)))
        clustered = rows | "WithClusterId" >> beam.Map(with_cluster,
                                                       beam.pvalue.AsSingleton(clusters))
        return clustered, errors
