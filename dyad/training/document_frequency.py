"""python -m dyad.training.document_frequency [CORPUS] [--out PATH]: count, per language, how many
news documents of the development corpus have each feature (`make model`).

Input: the texts (never the labels) of the topic sets (`evaluation.topic_sets`: BBC, MasakhaNEWS,
10kGNAD, NLPCC, SIB-200, the Telegram contest's topic sets). The same-story pairs
(`evaluation.stories`) are not read: their articles' words must weigh as a new story's do. Output: `dyad/clusters/data/document-frequency.tsv.gz`, rows of
language, feature, documents; a row with an empty feature gives the language's number of
documents, and language `*` counts all languages together; a language of fewer than
MIN_LANGUAGE_DOCUMENTS has no rows of its own. Features of one document only are left out (they weigh as unseen ones do). Deterministic: sorted rows, a gzip header without a time.
"""
from __future__ import annotations

import gzip
import sys
from collections import Counter, defaultdict
from pathlib import Path

from dyad.clusters.fingerprint import DOCUMENT_FREQUENCY, OTHER, article_features
from dyad.evaluation import topic_sets
from dyad.training import corpus_and_out

MIN_DOCUMENTS = 2
# A language with fewer documents than this has no table of its own: its articles are weighed by
# all languages' counts together.
MIN_LANGUAGE_DOCUMENTS = 200


def documents(corpus: Path):
    """(language, title, text) of every document counted, each text once."""
    seen: set[str] = set()
    for e in topic_sets.load(corpus):
        key = f"{e.title}\n{e.text}"
        if key not in seen:
            seen.add(key)
            yield e.language, e.title, e.text


def count(corpus: Path) -> tuple[Counter, dict[str, Counter]]:
    sizes: Counter = Counter()
    counts: dict[str, Counter] = defaultdict(Counter)
    for language, title, text in documents(corpus):
        features = article_features(title, text, language)
        for table in (language, OTHER):
            sizes[table] += 1
            counts[table].update(features)
    return sizes, counts


def write(path: Path, sizes: Counter, counts: dict[str, Counter]) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(b"# Documents of dyad's development corpus with each feature, per language "
                     b"(dyad.training.document_frequency).\n# Sources: BBC News, MasakhaNEWS, "
                     b"10kGNAD, NLPCC 2017, SIB-200, IlyaGusev/tgcontest (topic sets); counts only, "
                     b"no text.\n")
        for language in sorted(t for t, n in sizes.items() if n >= MIN_LANGUAGE_DOCUMENTS):
            handle.write(f"{language}\t\t{sizes[language]}\n".encode())
            for feature, n in sorted(counts[language].items()):
                if n >= MIN_DOCUMENTS and "\t" not in feature and "\n" not in feature:
                    handle.write(f"{language}\t{feature}\t{n}\n".encode())


def main(argv=None) -> int:
    paths = corpus_and_out(argv, "python -m dyad.training.document_frequency", DOCUMENT_FREQUENCY,
                           "table")
    if paths is None:
        return 2
    corpus, out = paths
    sizes, counts = count(corpus)
    write(out, sizes, counts)
    print(f"{out}: {dict(sorted(sizes.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
