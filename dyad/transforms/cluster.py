"""Stage 6, cluster: `stories` rows → the same rows with their `cluster_id`.

Each row's fingerprint (`clusters.fingerprint`) is taken where the row is classified, in the
classify stage's processes (`fingerprint_outputs`: pure Python, it would otherwise cost the
process that drives the fetching as much again as the clustering). The run's
fingerprints and those of the warehouse's stories of the last RECENT_DAYS (which keep their
clusters) are then clustered in one place, in time order (`clusters.assign_clusters`), and each
row gets its cluster's id: a story of a later run joins an earlier run's cluster when it reports
the same event, and a re-run assigns the same clusters. A row whose fingerprint fails is a cluster
of its own, with an error row. A stream (`ClusterInState`) clusters each story as it arrives,
against the articles its keyed state holds.
"""

from typing import Any, Callable, Iterable, Literal, Tuple

import apache_beam as beam
from apache_beam.coders import PickleCoder, VarIntCoder
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec

from dyad.clusters.clusters import StoryClusters, assign_clusters, ordered
from dyad.clusters.fingerprint import Fingerprint, document_frequencies, fingerprint
from dyad.errors import error_row
from dyad.transforms.dead_letters import ErrorOut, error_output, run_stage

# Days of the warehouse's stories a run's new stories are compared with: the clusters' window and
# the days a feed's entries may lag behind the run.
RECENT_DAYS = 7
# A stream's state is rewritten with only the window's articles once it holds twice as many
# (and this many more).
PRUNE_SLACK = 1000
FINGERPRINTS = "fingerprints"
FingerprintOut = TaggedOutput[Literal["fingerprints"], tuple]


def story_fingerprint(row: dict) -> Fingerprint:
    """The row's fingerprint, with the countries classification found: a new row's, or a
    warehouse row's focus and pair as read back (`summary.RECENT_STORIES_SQL`), so that a week
    of stored stories is not classified again."""
    if row.get("countries") is not None:
        countries = [c["code"] for c in row["countries"]]
    elif "country_focus" in row:
        countries = list(dict.fromkeys(c for c in (row["country_focus"], row["country_a"],
                                                   row["country_b"]) if c))
    else:
        countries = None
    return fingerprint(row.get("title") or "", row.get("text") or "", row.get("language"),
                       row["published_at"], countries)


def assign(fingerprints: list, recent: list) -> dict:
    """story_id → cluster_id for the run's stories; `recent` are the warehouse's rows
    (story_id, cluster_id, title, text, language, published_at)."""
    return assign_clusters(fingerprints, earlier_articles(recent))


def earlier_articles(recent: list[dict]) -> list[tuple[str, Fingerprint, str]]:
    """(story_id, Fingerprint, cluster_id) of the warehouse's rows; a row written before
    clusters existed is a cluster of its own."""
    return [(row["story_id"], story_fingerprint(row), row["cluster_id"] or row["story_id"])
            for row in recent]


def with_cluster(row: dict, clusters: dict[str, str]) -> dict:
    return {**row, "cluster_id": clusters.get(row["story_id"], row["story_id"])}


def read_recent(_, read: Callable[[], list[dict]]) -> list[dict]:
    return read()


def fingerprint_outputs(row: dict, run_id: str) -> list:
    """The row's (story_id, Fingerprint) on the FINGERPRINTS tag; an error row if it fails (the
    story is then a cluster of its own)."""
    try:
        return [TaggedOutput(FINGERPRINTS, (row["story_id"], story_fingerprint(row)))]
    except Exception as exc:  # noqa: BLE001 - a story must not be lost to its fingerprint
        return [error_output(error_row("cluster", row.get("url"), row.get("feed_url"),
                                       type(exc).__name__, repr(exc)[:500], run_id))]


class ClusterStories(beam.PTransform):
    """(PCollection[stories row], PCollection[(story_id, Fingerprint)]) → the rows with
    cluster_id.

    `recent()` (picklable, called once) gives the warehouse's stories since the run's start less
    RECENT_DAYS (`warehouse.recent_stories`)."""

    def __init__(self, recent: Callable[[], list[dict]]):
        super().__init__()
        self.recent = recent

    def expand(self, inputs):
        rows, fingerprints = inputs
        recent = (rows.pipeline
                  | "RecentStoriesTrigger" >> beam.Create([None])
                  | "RecentStories" >> beam.FlatMap(read_recent, self.recent))
        clusters = (fingerprints
                    | "AllFingerprints" >> beam.combiners.ToList()
                    | "AssignClusters" >> beam.Map(assign, beam.pvalue.AsList(recent)))
        return rows | "WithClusterId" >> beam.Map(with_cluster, beam.pvalue.AsSingleton(clusters))


class ClusterInStateFn(beam.DoFn):
    """("", stories row) → the row with its cluster_id, for streams: one key, so one worker sees
    every story in arrival order and keeps the window's clusters in memory; the keyed state
    holds the same articles, so a worker that takes the key over (or restarts) rebuilds them.
    A stream's first story also finds the warehouse's recent stories (`recent()`, once)."""

    SEEN = BagStateSpec("seen", PickleCoder())          # (story_id, Fingerprint, cluster_id)
    ADDED = ReadModifyWriteStateSpec("added", VarIntCoder())

    def __init__(self, recent: Callable[[], list[dict]]):
        self.recent = recent
        self.clustered = Metrics.counter("dyad", "stories_clustered")

    def setup(self):
        document_frequencies()
        self.clusters: StoryClusters | None = None

    def process(self, keyed, seen=beam.DoFn.StateParam(SEEN),
                added=beam.DoFn.StateParam(ADDED)) -> Iterable[dict | ErrorOut]:
        _key, row = keyed
        if self.clusters is None:
            self.clusters = rebuilt(self.recent(), list(seen.read()))
        fp = story_fingerprint(row)
        cluster = self.clusters.add(row["story_id"], fp)
        seen.add((row["story_id"], fp, cluster))
        count = (added.read() or 0) + 1
        if count > 2 * len(self.clusters.members) + PRUNE_SLACK:   # keep the state to the window
            seen.clear()
            for member in self.clusters.members:
                seen.add((member.id, member.fingerprint, member.cluster))
            count = len(self.clusters.members)
        added.write(count)
        self.clustered.inc()
        yield with_cluster(row, {row["story_id"]: cluster})


def rebuilt(recent: list[dict], seen: list[tuple]) -> StoryClusters:
    """The clusters of the warehouse's `recent` rows and the state's `seen` articles."""
    clusters = StoryClusters()
    known = {story_id: (fp, cluster) for story_id, fp, cluster in seen}
    earlier = earlier_articles([row for row in recent if row["story_id"] not in known])
    earlier += [(story_id, fp, cluster) for story_id, (fp, cluster) in known.items()]
    cluster_of = {story_id: cluster for story_id, _, cluster in earlier}
    for story_id, fp in ordered([(story_id, fp) for story_id, fp, _ in earlier]):
        clusters.add(story_id, fp, cluster_of[story_id])
    return clusters


def one_key(row: dict) -> tuple[str, dict]:
    return "", row


class ClusterInState(beam.PTransform):
    """PCollection[stories row] → (the rows with cluster_id, error row PCollections), for
    streams: `ClusterStories`' clusters, kept in keyed state as stories arrive."""

    def __init__(self, run_id: str, recent: Callable[[], list[dict]]):
        super().__init__()
        self.run_id = run_id
        self.recent = recent

    def expand(self, rows):
        keyed = rows | "OneKey" >> beam.Map(one_key).with_output_types(Tuple[str, Any])
        return run_stage(keyed, "AssignCluster", ClusterInStateFn(self.recent), "cluster",
                         self.run_id)
