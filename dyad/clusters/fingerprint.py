"""An article's fingerprint, and how alike two are.

The words are the topic model's features (`topic_features.text_features`: words, five-letter
stems, Chinese and Japanese characters and pairs, Arabic words without proclitics) of the title and
the opening, without the language's function words. Each weighs its inverse document frequency
in news of the article's language (`data/document-frequency.tsv.gz`, counted by
`dyad.training.document_frequency` from the development corpus): a word every story has says
nothing of which story this is; a name, a place or a number most stories lack says much.
Similarity is the cosine of those weights, unless the two name countries and none in common. Across languages only names, numbers and the words
two languages share overlap, so a pair in two languages is held to a lower threshold
(`clusters.CROSS_LANGUAGE_THRESHOLD`).
"""
from __future__ import annotations

import datetime as dt
import functools
import gzip
import math
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dyad.classify.countries import count_countries
from dyad.classify.language import detect_language
from dyad.classify.topic_features import function_words, text_features
from dyad.classify.topics import normalize

DOCUMENT_FREQUENCY = Path(__file__).parent / "data" / "document-frequency.tsv.gz"
READ_CHARS = 3000   # of the body: the opening says which event a story reports
READ_UNSPACED = 1000
# Numbers of two digits or more: counts, sums and dates two reports of one event share.
_NUMBER = re.compile(r"(?<![\d.,])\d[\d.,]*\d(?![\d])")
OTHER = "*"
# Features kept per article, the heaviest: the rest are common words that barely move the cosine,
# and a window's fingerprints are all held in memory (tried on SemEval's tuning pairs: all, 200,
# 120, 80 features: F1 0.857, 0.857, 0.831, 0.741).
MAX_FEATURES = 200
# An article's most salient countries; two that name countries but share none of these are not
# one story (on SemEval's tuning pairs, same-language F1 0.857 → 0.863).
COUNTRIES = 3
LEAD_CHARS = 300   # the table's row of all languages together, for a language it has no row for


@dataclass(frozen=True)
class Fingerprint:
    """Features as their CRC-32 (uint32), heaviest first (then by CRC-32), and their weights
    (float32): about 2 KB an article, where a dict of strings took 36 KB, so that a window of
    tens of thousands of articles fits in a worker."""
    language: str
    features: np.ndarray
    weights: np.ndarray
    norm: float
    published_at: dt.datetime | None
    countries: frozenset[str] = frozenset()   # its COUNTRIES most salient


@functools.lru_cache(maxsize=1)
def document_frequencies() -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """(documents per language, language → feature → documents with it). Read once per process
    (about half a second: 220,000 rows, split by hand, which is twice as fast as `csv`)."""
    sizes: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {}
    text = gzip.decompress(DOCUMENT_FREQUENCY.read_bytes()).decode("utf-8")
    for line in text.split("\n"):
        if not line or line[0] == "#":
            continue
        language, feature, count = line.split("\t")
        if feature:
            table = counts.get(language)
            if table is None:
                table = counts[language] = {}
            table[feature] = int(count)
        else:
            sizes[language] = int(count)
    return sizes, counts


def article_features(title: str, text: str, language: str | None) -> set[str]:
    """The features an article's title and opening have (also what document frequency counts)."""
    limit = READ_UNSPACED if language in ("zh", "ja") else READ_CHARS
    normalized = normalize(f"{title or ''}\n{(text or '')[:limit]}")
    features = text_features(normalized, function_words(language))
    features.update(_NUMBER.findall(normalized))
    return features


def fingerprint(title: str, text: str, language: str | None = None,
                published_at: dt.datetime | None = None,
                countries: list[str] | None = None) -> Fingerprint:
    """`countries`, most salient first, are found in the text when not given (the pipeline
    gives the row's)."""
    if countries is None:
        countries = [c.code for c in count_countries(title or "", (text or "")[:LEAD_CHARS],
                                                     (text or "")[:READ_CHARS], published_at)]
    if not language:
        language = detect_language(f"{title or ''}\n{(text or '')[:600]}")[0] or OTHER
    sizes, counts = document_frequencies()
    table = language if language in sizes else OTHER
    size, seen = sizes[table], counts.get(table, {})
    # Rarest first (fewest documents: the heaviest), then by CRC-32; a feature every document
    # of the table has weighs nothing.
    ranked = sorted({(seen.get(f, 0), zlib.crc32(f.encode("utf-8")))
                     for f in article_features(title, text, language)})
    kept = [(df, crc) for df, crc in ranked[:MAX_FEATURES] if df < size]
    features = np.array([crc for _, crc in kept], dtype=np.uint32)
    weights = np.array([math.log((size + 1) / (df + 1)) for df, _ in kept], dtype=np.float32)
    return Fingerprint(language, features, weights,
                       float(np.sqrt(np.dot(weights.astype(np.float64), weights))),
                       published_at, frozenset(countries[:COUNTRIES]))


def feature_id(feature: str) -> int:
    """How a fingerprint names a feature (`article_features`' strings)."""
    return zlib.crc32(feature.encode("utf-8"))


def weight_of(fp: Fingerprint, feature: str) -> float:
    found = np.flatnonzero(fp.features == feature_id(feature))
    return float(fp.weights[found[0]]) if found.size else 0.0


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Cosine of the two articles' weighted features, 0 to 1; 0 when each names countries and
    they have none in common (two reports of one event name its place)."""
    return float(similarities(a, [b])[0])


def similarities(fp: Fingerprint, others: list[Fingerprint]) -> np.ndarray:
    """`similarity(fp, other)` for each of `others`, in one pass over their features (a call
    per pair would cost numpy's overhead each time)."""
    result = np.zeros(len(others))
    if not others or not fp.norm:
        return result
    order = np.argsort(fp.features)
    mine, my_weights = fp.features[order], fp.weights[order].astype(np.float64)
    features = np.concatenate([o.features for o in others])
    if not features.size:
        return result
    owner = np.repeat(np.arange(len(others)), [o.features.size for o in others])
    at = np.minimum(np.searchsorted(mine, features), mine.size - 1)
    hit = mine[at] == features
    weights = np.concatenate([o.weights for o in others])[hit] * my_weights[at[hit]]
    dots = np.bincount(owner[hit], weights=weights, minlength=len(others))
    for i, other in enumerate(others):
        if other.norm and not (fp.countries and other.countries and
                               not fp.countries & other.countries):
            result[i] = dots[i] / (fp.norm * other.norm)
    return result
