"""The topic model: a linear classifier over a story's features (`topic_features`) that gives the
probability of each IPTC Media Topic top-level code dyad's taxonomy maps to.

Weights are in `data/topic-model.npz`, trained by `python -m dyad.training.topics` (`make model`)
from the tuning parts of the labelled sets in the development corpus; docs/classification.md
names them and their licenses. The file holds the vocabulary (features in a fixed order, one per
line, as UTF-8), the weights (one row per feature, one column per code), the codes' biases, and
how feature values are scaled; training and prediction share `feature_vector()`, so both read a
story alike.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dyad.classify.topic_features import LEXICON_PREFIX, story_features
from dyad.classify.topics import MIN_SCORE, TAXONOMY, lexicon_language

MODEL_PATH = Path(__file__).parent / "data" / "topic-model.npz"
# The IPTC top-level codes the model tells apart: those of dyad's labels (topics.TAXONOMY).
CODES = tuple(f"medtop:{n:02d}000000" for n in (1, 2, 3, 4, 6, 7, 10, 11, 13, 14, 15, 16))
# Below this, the most probable code is no more than a guess: the story gets no topic. (Of the
# tuning sets' stories held back from a trial training, 2.5 % fell below it, and their best code
# was right about one time in four.)
MIN_CONFIDENCE = 0.3


def feature_vector(features: set[str], lexicon: dict[str, float],
                   lexicon_scale: float) -> tuple[list[str], np.ndarray]:
    """Features and their values: each word feature the story has, 1 / √(how many it has), so
    that a long story weighs no more than a short one; a label's lexicon feature,
    log(1 + weighted hits) times `lexicon_scale`."""
    names = list(features) + [LEXICON_PREFIX + label for label in lexicon]
    hits = np.log1p(np.fromiter(lexicon.values(), np.float64, len(lexicon))) * lexicon_scale
    return names, np.concatenate([np.full(len(features), 1 / math.sqrt(len(features) or 1)), hits])


@dataclass
class TopicModel:
    vocabulary: dict[str, int]
    weights: np.ndarray      # features × codes, float32
    bias: np.ndarray         # codes
    lexicon_scale: float

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "TopicModel":
        with np.load(path, allow_pickle=False) as data:
            names = bytes(data["vocabulary"]).decode("utf-8").split("\n")
            if tuple(str(c) for c in data["codes"]) != CODES:
                raise ValueError(f"{path}: codes {list(data['codes'])} are not {list(CODES)}")
            return cls({name: i for i, name in enumerate(names, 1)},
                       np.vstack([np.zeros((1, len(CODES)), np.float32),
                                  data["weights"].astype(np.float32)]),
                       data["bias"].astype(np.float32),
                       float(data["lexicon_scale"]))

    def probabilities(self, features: set[str], lexicon: dict[str, float]) -> np.ndarray | None:
        """P(code) for each of CODES; None when no feature of the story is known to the model
        (no evidence for any topic). What `feature_vector()` gives, computed for the known
        features only (row 0 of the weights is no feature's, so that 0 is not an index)."""
        # An index array, not a list: numpy reads a list of 400 ints slower than it sums the rows.
        rows = np.fromiter(filter(None, map(self.vocabulary.get, features)), np.intp)
        hits = [(self.vocabulary[LEXICON_PREFIX + label], weight)
                for label, weight in lexicon.items() if weight]
        if not rows.size and not hits:
            return None
        logits = self.bias + self.weights[rows].sum(axis=0) / math.sqrt(len(features) or 1)
        for row, weight in hits:
            logits += self.weights[row] * (self.lexicon_scale * math.log1p(weight))
        logits = np.exp(logits - logits.max())
        return logits / logits.sum()


@functools.lru_cache(maxsize=1)
def model() -> TopicModel:
    return TopicModel.load()


@dataclass(frozen=True)
class TopicScore:
    label: str
    iptc: str
    score: float


# Codes whose labels the lexicon tells apart, not the model: the labelled sets hardly ever tell
# war from politics and government (where one of the two is right, the other is too, but for
# 10kGNAD's Inland), so a story's probability of either goes to defence, diplomacy, politics and
# armed conflict by their lexicon hits.
SHARED_CODES = {"medtop:16000000": "medtop:11000000"}


@functools.lru_cache(maxsize=1)
def _labels_by_group() -> dict[str, tuple[tuple[str, str], ...]]:
    """Code of the group → (label, its IPTC code), the general label first."""
    labels: dict[str, list[tuple[str, str]]] = {}
    for topic in sorted(TAXONOMY, key=lambda t: not t.general):
        labels.setdefault(SHARED_CODES.get(topic.iptc, topic.iptc), []).append(
            (topic.label, topic.iptc))
    return {code: tuple(names) for code, names in labels.items()}


def score_topics(title: str, body: str, language: str | None = None) -> list[TopicScore]:
    """dyad's labels, the most probable IPTC code's best label first, each scored by P(code)
    times its share of the code's lexicon hits (a code's labels split it by their terms; with
    no term, the code's general label takes it all; SHARED_CODES are split as one). Empty when
    nothing is known of the story, or when no code reaches MIN_CONFIDENCE.

    `language` (ISO 639-1) picks the lexicon; without one, the text's script does."""
    code = lexicon_language(language, title or "", body or "")
    features, lexicon = story_features(title, body, code)
    probabilities = model().probabilities(features, lexicon)
    if probabilities is None or probabilities.max() < MIN_CONFIDENCE:
        return []
    groups: dict[str, float] = {}
    for iptc, p in zip(CODES, probabilities.tolist()):
        group = SHARED_CODES.get(iptc, iptc)
        groups[group] = groups.get(group, 0.0) + p
    by_group = _labels_by_group()
    ranked: list[list[TopicScore]] = []
    for group, p in sorted(groups.items(), key=lambda item: -item[1]):
        if p < MIN_SCORE:
            break
        labels = by_group[group]
        hits = [lexicon.get(label, 0.0) for label, _ in labels]
        total = sum(hits)
        shares = [h / total for h in hits] if total else [1.0] + [0.0] * (len(labels) - 1)
        ranked.append(sorted((TopicScore(label, iptc, round(p * share, 4))
                              for (label, iptc), share in zip(labels, shares)
                              if p * share >= MIN_SCORE), key=lambda s: -s.score))
    if not ranked:
        return []
    first, rest = ranked[0][0], [s for group in ranked for s in group][1:]
    return [first] + sorted(rest, key=lambda s: -s.score)
