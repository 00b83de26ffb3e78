"""python -m dyad.training.topics [CORPUS] [--out PATH]: train the topic model (`make model`).

Input: the tuning parts of the labelled sets of `CORPUS/topics/`, of the 2026 feed entries and of
the same-story pairs' articles (`evaluation.topic_sets.labelled`; the reported parts are never
read here). Output: `dyad/classify/data/topic-model.npz`.

The sets label stories coarsely and each in its own way ("world", "Inland", "society"), so a
story's label is a set of IPTC codes, any of which is right (`topic_sets.SCORED`, plus
`TRAINING_ONLY` for labels that are not scored but plainly say a code). The model is a
multinomial logistic regression trained on those sets as partial labels: it maximises the
probability of the story's set, Σ P(code) over the set, with an L2 penalty. Each set and language
weighs at most `GROUP_CAP` stories' worth, so that 12,000 Chinese headlines do not outweigh
700 sentences of another language. L-BFGS from the lexicon prior, in a fixed order, on one
thread: on one kind of CPU the same corpus gives the same weights bit for bit (another kind's
SIMD rounding moves them slightly; see docs/classification.md).
"""
from __future__ import annotations

import os
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")   # sums in a fixed order: the same weights every time

import numpy as np  # noqa: E402

from dyad.classify.topic_features import LEXICON_PREFIX, story_features  # noqa: E402
from dyad.classify.topic_model import CODES, MODEL_PATH, feature_vector  # noqa: E402
from dyad.classify.topics import TAXONOMY, lexicon_language  # noqa: E402
from dyad.evaluation import topic_sets  # noqa: E402
from dyad.training import corpus_and_out  # noqa: E402

# Labels that are not scored (issue 18 leaves them out) but say a code any editor would give.
TRAINING_ONLY = {
    "nlpcc": {"travel": topic_sets.iptc_codes(10), "regimen": topic_sets.iptc_codes(7),
              "discovery": topic_sets.iptc_codes(13)},
}
GROUP_CAP = 4000
MIN_DOCUMENTS = 2        # a word feature is kept when this many training stories have it
MAX_SHARE = 0.2          # of a language's stories: a word in more of them is left out
# L2 penalties, against the mean loss per story: word weights are free to follow the data;
# the lexicon's stay near LEXICON_PRIOR (a code's vote per unit of lexicon feature) unless the
# data disagree; the biases near 0, so that no code is ruled out for want of a set of its own.
L2 = 5e-7    # chosen on an inner third of the tuning parts: 1e-4, 2e-5, 2e-6, 5e-7, 1e-7
LEXICON_L2 = 1e-3
LEXICON_PRIOR = 6.0
BIAS_L2 = 1e-3
LEXICON_SCALE = 0.5
ITERATIONS = 300
# A feed entry is a title and a sentence or two; the labelled sets are mostly whole stories.
# Each story with a title and a body of more than twice this many characters is also trained on
# as its short view: the title and the body's first sentences up to this many characters.
SHORT_VIEW = 300


def target_codes(example: topic_sets.Example) -> frozenset[str] | None:
    codes = example.codes
    if codes is None:
        codes = TRAINING_ONLY.get(example.set, {}).get(example.label)
    codes = codes and codes & set(CODES)
    return codes or None


def training_examples(corpus: Path) -> list[tuple[topic_sets.Example, frozenset[str]]]:
    return [(e, codes) for e in topic_sets.labelled(corpus)
            if e.part == topic_sets.TUNE and (codes := target_codes(e))]


def short_view(text: str, limit: int = SHORT_VIEW) -> str:
    """The first sentences of `text` within `limit` characters (the cut itself when no
    sentence ends after the first 40)."""
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[:end + 1] if end > 40 else cut


def with_short_views(pairs: list[tuple[topic_sets.Example, frozenset[str]]]):
    """`pairs`, then the short view of each long story with a title (SHORT_VIEW)."""
    return pairs + [(replace(e, text=short_view(e.text)), codes) for e, codes in pairs
                    if e.title and len(e.text) > 2 * SHORT_VIEW]


def example_features(example: topic_sets.Example) -> tuple[set[str], dict[str, float]]:
    language = lexicon_language(example.language, example.title, example.text)
    return story_features(example.title, example.text, language)


def design(features: list[tuple[set[str], dict]], lexicon_scale: float,
           vocabulary: dict[str, int] | None = None, languages: list[str] | None = None):
    """The feature matrix (scipy CSR) of stories' features (`story_features`), and its
    vocabulary (made when none is given): every label's lexicon feature, and the word features
    of at least MIN_DOCUMENTS stories that are in at most MAX_SHARE of the stories of every
    language (`languages`, one per story): a word in most stories of a language ("the", "und")
    says nothing of the topic, only which set a story came from."""
    from scipy import sparse
    if vocabulary is None:
        vocabulary = make_vocabulary([words for words, _ in features], languages)
    rows, columns, values = [], [], []
    for row, (words, lexicon) in enumerate(features):
        for name, value in zip(*feature_vector(words, lexicon, lexicon_scale)):
            if name in vocabulary:
                rows.append(row)
                columns.append(vocabulary[name])
                values.append(value)
    matrix = sparse.csr_matrix((values, (rows, columns)), shape=(len(features), len(vocabulary)),
                               dtype=np.float64)
    return matrix, vocabulary


def make_vocabulary(stories: list[set[str]], languages: list[str]) -> dict[str, int]:
    documents = Counter(f for words in stories for f in words)
    common: set[str] = set()
    for language, size in Counter(languages).items():
        shares = Counter(f for words, lang in zip(stories, languages) if lang == language
                         for f in words)
        common |= {f for f, n in shares.items() if n > MAX_SHARE * size}
    names = sorted([f for f, n in documents.items() if n >= MIN_DOCUMENTS and f not in common]
                   + [LEXICON_PREFIX + t.label for t in TAXONOMY])
    return {name: i for i, name in enumerate(names)}   # in file order; load() numbers from 1


def lexicon_prior(vocabulary: dict[str, int]) -> np.ndarray:
    """The weights training starts from and is drawn back to: each label's lexicon feature
    votes LEXICON_PRIOR for the label's code, every other weight 0. Where the sets say nothing
    of a code (no set has a label for disasters alone), the lexicon still does."""
    prior = np.zeros((len(vocabulary), len(CODES)))
    for topic in TAXONOMY:
        prior[vocabulary[LEXICON_PREFIX + topic.label], CODES.index(topic.iptc)] = LEXICON_PRIOR
    return prior


def fit(matrix, targets: np.ndarray, weights: np.ndarray, prior: np.ndarray,
        penalties: np.ndarray, iterations: int = ITERATIONS) -> tuple[np.ndarray, np.ndarray]:
    """W (features × codes) and b minimising the mean weighted −log P(target set) plus
    Σ_j penalties_j/2·|W_j − prior_j|² + BIAS_L2/2·|b|².

    `targets` is a stories × codes 0/1 matrix of the codes each story's label allows;
    `penalties` the L2 penalty of each feature's row."""
    from scipy.optimize import minimize
    n_features, n_codes = matrix.shape[1], targets.shape[1]
    total = weights.sum()
    penalties = penalties[:, None]

    def loss(theta):
        w = theta[:-n_codes].reshape(n_features, n_codes)
        b = theta[-n_codes:]
        logits = matrix @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        in_set = (p * targets).sum(axis=1)
        value = -(weights * np.log(np.maximum(in_set, 1e-300))).sum() / total
        # d(-log Σ_S p)/d logit_k = p_k − p_k·[k∈S]/Σ_S p
        grad_logits = (p - p * targets / in_set[:, None]) * (weights / total)[:, None]
        away = w - prior
        grad_w = matrix.T @ grad_logits + penalties * away
        value += 0.5 * (penalties * away * away).sum() + 0.5 * BIAS_L2 * (b @ b)
        return value, np.concatenate([grad_w.ravel(), grad_logits.sum(axis=0) + BIAS_L2 * b])

    theta = np.concatenate([prior.ravel(), np.zeros(n_codes)])
    result = minimize(loss, theta, jac=True, method="L-BFGS-B",
                      options={"maxiter": iterations})
    return result.x[:-n_codes].reshape(n_features, n_codes), result.x[-n_codes:]


def feature_penalties(vocabulary: dict[str, int]) -> np.ndarray:
    return np.array([LEXICON_L2 if name.startswith(LEXICON_PREFIX) else L2
                     for name in sorted(vocabulary, key=vocabulary.get)])


def group_weights(examples: list[topic_sets.Example]) -> np.ndarray:
    sizes = Counter((e.set, e.language) for e in examples)
    return np.array([min(1.0, GROUP_CAP / sizes[(e.set, e.language)]) for e in examples])


def target_matrix(code_sets: list[frozenset[str]]) -> np.ndarray:
    return np.array([[code in codes for code in CODES] for codes in code_sets], dtype=np.float64)


def train(corpus: Path, lexicon_scale: float = LEXICON_SCALE):
    """(vocabulary, W, b, the stories trained on, the design matrix of them and their short
    views)."""
    pairs = training_examples(corpus)
    trained = with_short_views(pairs)
    examples = [e for e, _ in trained]
    features = [example_features(e) for e in examples]
    matrix, vocabulary = design(features, lexicon_scale, languages=[e.language for e in examples])
    w, b = fit(matrix, target_matrix([c for _, c in trained]), group_weights(examples),
               lexicon_prior(vocabulary), feature_penalties(vocabulary))
    return vocabulary, w, b, [e for e, _ in pairs], matrix


def save(path: Path, vocabulary: dict[str, int], w: np.ndarray, b: np.ndarray,
         lexicon_scale: float, sources: list[str]) -> None:
    names = sorted(vocabulary, key=vocabulary.get)
    np.savez_compressed(
        path, vocabulary=np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
        weights=w.astype(np.float16), bias=b.astype(np.float32), codes=np.array(CODES),
        lexicon_scale=np.float64(lexicon_scale), sources=np.array(sources))


def main(argv=None) -> int:
    paths = corpus_and_out(argv, "python -m dyad.training.topics", MODEL_PATH, "model")
    if paths is None:
        return 2
    corpus, out = paths
    vocabulary, w, b, examples, _ = train(corpus)
    groups = defaultdict(int)
    for e in examples:
        groups[f"{e.set}/{e.language}"] += 1
    sources = [f"{name}: {n} stories" for name, n in sorted(groups.items())]
    save(out, vocabulary, w, b, LEXICON_SCALE, sources)
    print(f"{out}: {len(vocabulary)} features × {len(CODES)} codes from "
          f"{len(examples)} stories ({', '.join(sources)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
