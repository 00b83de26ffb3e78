"""Same-story pairs of the development corpus (`corpus/stories/`), and how well `dyad.clusters`
tells them apart.

SemEval-2022 Task 8: article pairs scored by people from 1 (same story) to 4 (different) on
"Overall"; pairs of 1-1.5 count as the same story, 3.5-4 as different, the rest are not scored
(as issue 22 says); pair ids with a language suffix are machine-translated copies and left out.
Split by a hash of the pair id: the thresholds are tuned on "tune", "report" is never looked at.
The Telegram contest's pools: pairs labelled OK (same story) or BAD.
"""
from __future__ import annotations

import csv
import hashlib
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dyad.evaluation.topic_sets import REPORT, SEMEVAL, TUNE

TGCONTEST = Path("stories") / "tgcontest"
SAME, DIFFERENT = 1.5, 3.5


@dataclass(frozen=True)
class Document:
    title: str
    text: str
    language: str


@dataclass(frozen=True)
class Pair:
    set: str
    id: str
    first: Document
    second: Document
    same: bool
    part: str

    @property
    def cross_language(self) -> bool:
        return self.first.language != self.second.language


def pair_part(pair_id: str) -> str:
    return REPORT if hashlib.sha256(pair_id.encode()).digest()[0] % 2 else TUNE


def semeval_pairs(corpus: Path) -> list[Pair]:
    path = Path(corpus) / SEMEVAL
    if not path.exists():
        return []
    csv.field_size_limit(sys.maxsize)
    pairs = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            score = float(row["Overall"])
            if re.search("[a-z]", row["pair_id"]) or SAME < score < DIFFERENT:
                continue
            pairs.append(Pair("semeval", row["pair_id"], Document("", row["text1"], row["lang1"]),
                              Document("", row["text2"], row["lang2"]), score <= SAME,
                              pair_part(row["pair_id"])))
    return pairs


def tgcontest_pairs(corpus: Path) -> list[Pair]:
    pairs = []
    for name, language, part in (("en_train_pool", "en", TUNE), ("ru_train_pool", "ru", TUNE),
                                 ("ru_exam_pool", "ru", REPORT)):
        path = Path(corpus) / TGCONTEST / f"{name}.tsv"
        if not path.exists():
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            for n, row in enumerate(csv.DictReader(handle, delimiter="\t")):
                if row.get("GOLDEN:quality") not in ("OK", "BAD"):
                    continue
                pairs.append(Pair(f"tgcontest {language}", f"{name}-{n}",
                                  Document(row["INPUT:first_title"], row["INPUT:first_text"],
                                           language),
                                  Document(row["INPUT:second_title"], row["INPUT:second_text"],
                                           language),
                                  row["GOLDEN:quality"] == "OK", part))
    return pairs


def _key(document: Document) -> tuple[str, str]:
    return document.title, document.text


def pairwise(pairs: list[Pair], clusters: dict, ids: dict) -> dict:
    """Pairwise precision, recall and F1 of "same cluster" against "same story"."""
    together = [clusters[ids[_key(p.first)]] == clusters[ids[_key(p.second)]] for p in pairs]
    tp = sum(1 for p, t in zip(pairs, together) if p.same and t)
    fp = sum(1 for p, t in zip(pairs, together) if not p.same and t)
    fn = sum(1 for p, t in zip(pairs, together) if p.same and not t)
    return {"pair F1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"),
            "pairs": len(pairs), "same-story pairs": sum(p.same for p in pairs)}


def clustered(pairs: list[Pair]) -> tuple[dict, dict, float]:
    """Every article of `pairs` clustered at once, as `dyad cluster --jsonl` does with no dates:
    (cluster by id, id by article, CPU ms per article for fingerprint and clustering)."""
    from dyad.clusters.clusters import assign_clusters
    from dyad.clusters.fingerprint import fingerprint
    ids: dict = {}
    items = []
    start = time.process_time()
    for pair in pairs:
        for document in (pair.first, pair.second):
            if _key(document) not in ids:
                ids[_key(document)] = f"a{len(ids)}"
                items.append((ids[_key(document)],
                              fingerprint(document.title, document.text, document.language)))
    clusters = assign_clusters(items)
    return clusters, ids, (time.process_time() - start) * 1000 / max(1, len(items))


def stories_table(corpus: Path) -> dict:
    semeval, telegram = semeval_pairs(corpus), tgcontest_pairs(corpus)
    rows = {}
    if semeval:
        clusters, ids, cost = clustered(semeval)
        for part in (TUNE, REPORT):
            for cross, kind in ((False, "same language"), (True, "two languages")):
                chosen = [p for p in semeval if p.part == part and p.cross_language == cross]
                rows[f"SemEval {kind}, {part}"] = pairwise(chosen, clusters, ids)
        rows["SemEval all, report"] = pairwise([p for p in semeval if p.part == REPORT],
                                               clusters, ids)
        for row in rows.values():   # fingerprints (countries found in the text) and clusters
            row["CPU ms per article"] = cost
    for name in sorted({p.set for p in telegram}):
        chosen = [p for p in telegram if p.set == name]
        clusters, ids, cost = clustered(chosen)
        for part in sorted({p.part for p in chosen}):
            rows[f"{name}, {part}"] = {**pairwise([p for p in chosen if p.part == part],
                                                  clusters, ids), "CPU ms per article": cost}
    return {"title": "Same-story clusters: pairs in one cluster (all of a set's articles "
                     "clustered at once, no dates; SemEval thresholds tuned on 'tune')",
            "rows": rows}


def bbc_duplicates_table(corpus: Path) -> dict:
    """BBC News's exact duplicate stories (the same text in two files): all in one cluster?"""
    from dyad.clusters.clusters import assign_clusters
    from dyad.clusters.fingerprint import fingerprint
    from dyad.evaluation.topic_sets import bbc
    folder = Path(corpus) / "topics" / "bbc" / "bbc"
    if not folder.is_dir():
        return {"title": "", "rows": {}}
    examples = bbc(Path(corpus) / "topics")
    by_text: dict = {}
    for n, e in enumerate(examples):
        by_text.setdefault((e.title, e.text), []).append(f"bbc{n}")
    items = [(f"bbc{n}", fingerprint(e.title, e.text, "en")) for n, e in enumerate(examples)]
    clusters = assign_clusters(items)
    groups = [ids for ids in by_text.values() if len(ids) > 1]
    pairs = sum(len(ids) - 1 for ids in groups)
    together = sum(len(ids) - 1 for ids in groups if len({clusters[i] for i in ids}) == 1)
    return {"title": "BBC News (2,225 stories, clustered at once): exact duplicates in one cluster",
            "rows": {"bbc": {"duplicate pairs": pairs, "in one cluster": together,
                             "clusters": len(set(clusters.values())), "stories": len(items)}}}


def evaluate(corpus: Path) -> list[dict]:
    tables = [stories_table(corpus), bbc_duplicates_table(corpus)]
    return [table for table in tables if table["rows"]]
