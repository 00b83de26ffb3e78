"""Online same-story clustering: each article joins the cluster of the most similar earlier
article within the time window, or opens its own.

An article is compared with the earlier articles that share one of its rarest features (an
inverted index of each article's `INDEXED` heaviest features), published within `window` of it
(articles without a time are compared with all). It joins the cluster it is most like on average
(over the cluster's latest `LINKED` articles) when that average reaches the threshold
(`SAME_LANGUAGE_THRESHOLD`, or `CROSS_LANGUAGE_THRESHOLD` for two languages).
A cluster's id is the id of its first article. Articles given in time order (then by id) always
get the same clusters; articles older than the window behind the newest are forgotten, so memory
is bounded by the articles of one window.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict, deque
from dataclasses import dataclass

from dyad.clusters.fingerprint import Fingerprint, similarities

# Tuned on the SemEval-2022 Task 8 pairs' tuning part (the best pairwise F1 of each kind).
# Tried as clusters of all of its articles at once: same-language 0.13, 0.15, 0.18, 0.21 (F1 0.80,
# 0.86, 0.76, 0.64), 24 or 48 indexed features, and a check against the cluster's first article,
# which only lost pairs.
SAME_LANGUAGE_THRESHOLD = 0.15
CROSS_LANGUAGE_THRESHOLD = 0.08
WINDOW = dt.timedelta(days=3)
INDEXED = 48          # features per article in the inverted index
# A newcomer joins the cluster it is most like on average over the cluster's latest LINKED
# articles, when that average reaches the threshold: an article like only the last of a chain
# does not pull a whole topic's stories into one cluster (all 2,225 BBC stories clustered at once,
# no dates: the largest cluster 28 stories with the best single article, 17 with the average;
# SemEval's tuning pairs the same).
LINKED = 20
# Bounds on the work per article, whatever the window holds: the latest POSTINGS articles of each
# indexed feature, the CANDIDATES sharing most, the LINK_CLUSTERS clusters of the best of them.
POSTINGS = 64
LINK_CLUSTERS = 3
CANDIDATES = 30       # earlier articles compared, those sharing most indexed features (30 and 100
                      # cluster SemEval's tuning pairs alike)


@dataclass(eq=False)   # one article is one member: hashed and compared by identity
class _Member:
    id: str
    fingerprint: Fingerprint
    cluster: str
    keys: tuple[int, ...]


def index_keys(fp: Fingerprint) -> tuple[int, ...]:
    """The article's INDEXED heaviest features (a fingerprint's features come heaviest first).
    Many weigh the same (words the table has never seen): among equals, those of the lowest
    CRC-32 come first, so that two articles sharing most of their rare words pick mostly the
    same ones (a bottom-k sketch, as MinHash is)."""
    return tuple(fp.features[:INDEXED].tolist())


def threshold(a: Fingerprint, b: Fingerprint) -> float:
    return SAME_LANGUAGE_THRESHOLD if a.language == b.language else CROSS_LANGUAGE_THRESHOLD


def ordered(items):
    """(id, Fingerprint) pairs in the order clusters are built in: by time, untimed last, then id."""
    return sorted(items, key=lambda item: (item[1].published_at is None,
                                           item[1].published_at or dt.datetime.min, item[0]))


class StoryClusters:
    def __init__(self, window: dt.timedelta = WINDOW):
        self.window = window
        self.members: deque[_Member] = deque()   # timed ones in time order
        self.untimed: list[_Member] = []
        self.index: dict[int, deque[_Member]] = defaultdict(deque)
        # Each cluster's latest LINKED members, those a newcomer is compared with on average.
        self.clusters: dict[str, deque[_Member]] = defaultdict(lambda: deque(maxlen=LINKED))

    def add(self, article_id: str, fp: Fingerprint, cluster: str | None = None) -> str:
        """The cluster id of the article (given in `ordered` order); an article whose `cluster`
        is known already (one in the warehouse) keeps it, and later ones may join it."""
        if fp.published_at is not None:
            self._forget_before(fp.published_at - self.window)
        keys = index_keys(fp)
        if cluster is None:
            cluster = self._best_cluster(article_id, fp, keys)
        member = _Member(article_id, fp, cluster, keys)
        (self.untimed if fp.published_at is None else self.members).append(member)
        self.clusters[cluster].append(member)
        for key in keys:
            self.index[key].append(member)
        return cluster

    def _best_cluster(self, article_id: str, fp: Fingerprint, keys: tuple[int, ...]) -> str:
        candidates = self._candidates(fp, keys)
        scores = dict(zip(candidates, similarities(fp, [m.fingerprint for m in candidates])))
        best: dict[str, float] = {}   # the clusters worth a look: their best member's score
        for m in candidates:
            if scores[m] >= threshold(fp, m.fingerprint):
                best[m.cluster] = max(best.get(m.cluster, 0.0), scores[m])
        looked = sorted(best, key=lambda c: (-best[c], c))[:LINK_CLUSTERS]
        others = [m for name in looked for m in self.clusters[name] if m not in scores]
        scores.update(zip(others, similarities(fp, [m.fingerprint for m in others])))
        cluster, best_link = article_id, 0.0
        for name in looked:
            members = self.clusters[name]
            link = sum(scores[m] for m in members) / len(members)
            if link >= threshold(fp, members[-1].fingerprint) and link > best_link:
                cluster, best_link = name, link
        return cluster

    def _candidates(self, fp: Fingerprint, keys: tuple[int, ...]) -> list[_Member]:
        """The earlier articles within the window that share most of `keys` (first come first),
        among the latest POSTINGS articles of each key."""
        shared: Counter = Counter()
        for key in keys:
            postings = self.index.get(key)
            if postings:
                shared.update(itertools.islice(reversed(postings), POSTINGS))
        for member in [m for m in shared if not _within(fp, m.fingerprint, self.window)]:
            del shared[member]
        return [member for member, _ in shared.most_common(CANDIDATES)]

    def _forget_before(self, cutoff: dt.datetime) -> None:
        while self.members and self.members[0].fingerprint.published_at < cutoff:
            old = self.members.popleft()
            members = self.clusters[old.cluster]
            if old in members:
                members.remove(old)
                if not members:
                    del self.clusters[old.cluster]
            for key in old.keys:
                postings = self.index[key]
                if postings[0] is old:   # postings are in the order articles came
                    postings.popleft()
                else:
                    postings.remove(old)
                if not postings:
                    del self.index[key]


def _within(a: Fingerprint, b: Fingerprint, window: dt.timedelta) -> bool:
    if a.published_at is None or b.published_at is None:
        return True
    return abs(a.published_at - b.published_at) <= window


def assign_clusters(items, earlier=()) -> dict[str, str]:
    """article id → cluster id, for (id, Fingerprint) pairs in any order; `earlier` articles
    (id, Fingerprint, cluster id), e.g. the warehouse's recent stories, keep their clusters and
    are not in the result."""
    clusters = StoryClusters()
    known = {article_id: cluster for article_id, _, cluster in earlier}
    everything = [(article_id, fp) for article_id, fp, _ in earlier] + [
        item for item in items if item[0] not in known]
    assigned = {article_id: clusters.add(article_id, fp, known.get(article_id))
                for article_id, fp in ordered(everything)}
    return {article_id: assigned[article_id] for article_id, _ in items}
