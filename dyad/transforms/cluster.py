"""Stage 6, cluster: the run's (story_id, Fingerprint) pairs → (story_id, cluster_id) for the
stories that join another story's cluster.

Each row's fingerprint (`clusters.fingerprint`) is taken where the row is classified, in the
classify stage's processes (`fingerprint_outputs`: pure Python, it would otherwise cost the
process that drives the fetching as much again as the clustering). A batch writes every row as
it is classified, a cluster of its own (`cluster_id` = its `story_id`), so that no row waits for
the run's end in memory; the run's fingerprints and those of the warehouse's stories of the last
RECENT_DAYS (which keep their clusters) are then clustered in one place, in time order
(`clusters.assign_clusters`), and the warehouse sets the cluster of each story that joined
another's (`warehouse.set_clusters`), once the rows are written. A story of a later run joins an
earlier run's cluster when it reports the same event, and a re-run assigns the same clusters. A
row whose fingerprint fails stays a cluster of its own, with an error row. A stream
(`ClusterInState`) clusters each story as it arrives, against the articles its keyed state holds.
"""

import logging
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

log = logging.getLogger(__name__)

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


def assign(fingerprints: list, recent: list) -> list[tuple[str, str]]:
    """(story_id, cluster_id) of the run's stories that join another story's cluster (the rest
    are clusters of their own, as written); `recent` are the warehouse's rows (story_id,
    cluster_id, title, text, language, published_at)."""
    run = {story_id for story_id, _ in fingerprints}
    # A runner may read the warehouse after the run's own rows are written: those are not earlier.
    earlier = earlier_articles([row for row in recent if row["story_id"] not in run])
    clusters = assign_clusters(fingerprints, earlier)
    return sorted((story, cluster) for story, cluster in clusters.items() if story != cluster)


def earlier_articles(recent: list[dict]) -> list[tuple[str, Fingerprint, str]]:
    """(story_id, Fingerprint, cluster_id) of the warehouse's rows; a row written before
    clusters existed is a cluster of its own."""
    return [(row["story_id"], story_fingerprint(row), row["cluster_id"] or row["story_id"])
            for row in recent]


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
    """PCollection[(story_id, Fingerprint)] → PCollection[(story_id, cluster_id)] of the stories
    that join another story's cluster, once every fingerprint of the run is in.

    `recent()` (picklable, called once) gives the warehouse's stories since the run's start less
    RECENT_DAYS (`warehouse.recent_stories`)."""

    def __init__(self, recent: Callable[[], list[dict]]):
        super().__init__()
        self.recent = recent

    def expand(self, fingerprints):
        recent = (fingerprints.pipeline
                  | "RecentStoriesTrigger" >> beam.Create([None])
                  | "RecentStories" >> beam.FlatMap(read_recent, self.recent))
        return (fingerprints
                | "AllFingerprints" >> beam.combiners.ToList()
                | "AssignClusters" >> beam.FlatMap(assign, beam.pvalue.AsList(recent)))


class SetClusterIdsFn(beam.DoFn):
    """All the run's (story_id, cluster_id) pairs → the rows changed, once the side inputs (the
    writers' results) say every row is written."""

    def __init__(self, setter: Callable[[list[tuple[str, str]]], int]):
        self.setter = setter
        self.joined = Metrics.counter("dyad", "stories_joined_clusters")

    def process(self, assigned: list, *_writes_done) -> Iterable[int]:
        changed = self.setter(assigned)
        self.joined.inc(changed)
        yield changed


class SetClusterIds(beam.PTransform):
    """PCollection[(story_id, cluster_id)] → the rows changed in the warehouse
    (`warehouse.cluster_setter`), once every PCollection of `after` (the writers' results) is
    complete. Should it fail, the stories stay clusters of their own, and the log says so."""

    def __init__(self, setter: Callable[[list[tuple[str, str]]], int], after: list):
        super().__init__()
        self.setter = setter
        self.after = after

    def expand(self, assigned):
        result = (assigned
                  | "AllAssigned" >> beam.combiners.ToList()
                  | "UpdateClusterIds" >> beam.ParDo(
                      SetClusterIdsFn(self.setter),
                      *[beam.pvalue.AsList(done) for done in self.after]).with_exception_handling())
        result.bad | "LogClusterFailure" >> beam.Map(log_cluster_failure)
        return result.good


def log_cluster_failure(dead_letter) -> None:
    assigned, (_type, message, _tb) = dead_letter
    Metrics.counter("dyad", "cluster_updates_failed").inc()
    log.error("setting the clusters of %d stories failed (%s); they stay clusters of their own",
              len(assigned), message)


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
        yield {**row, "cluster_id": cluster}


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
