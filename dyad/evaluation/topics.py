"""Topic quality on every labelled set of the corpus (`topic_sets`), per language and part.

A story is right when the IPTC top-level code of its top topic (`classify()["topic_iptc"]`) is
in the set its label maps to (`topic_sets.SCORED`); a story without a topic is wrong. "tune" is
the part the model was trained and tuned on, "report" the part it never saw.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from dyad.classify import classify
from dyad.evaluation import feed_sample, topic_sets


def outcomes(examples: list[topic_sets.Example]) -> dict[tuple[str, str], dict[str, list]]:
    """(set, language) → part → [(right, has a topic)] of the scored examples."""
    results: dict = defaultdict(lambda: defaultdict(list))
    for example in examples:
        if example.codes is None:
            continue
        result = classify(example.title, example.text, language=example.language)
        results[(example.set, example.language)][example.part].append(
            (result["topic_iptc"] in example.codes, result["topic"] is not None))
    return results


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def topics_table(examples: list[topic_sets.Example]) -> dict:
    """One line per set and language (format_table prints a row's values down a column)."""
    results = sorted(outcomes(examples).items())
    report, tune = topic_sets.REPORT, topic_sets.TUNE
    columns = {
        "report accuracy": lambda parts: _share([right for right, _ in parts[report]]),
        "tune accuracy": lambda parts: _share([right for right, _ in parts[tune]]),
        "report, has a topic": lambda parts: _share([has for _, has in parts[report]]),
        "report stories": lambda parts: len(parts[report]),
        "tune stories": lambda parts: len(parts[tune]),
    }
    rows = {column: {f"{name} {language}": measure(parts) for (name, language), parts in results}
            for column, measure in columns.items()}
    return {"title": "Topics: the top topic's IPTC top-level code is in the label's set "
                     "(report = never trained or tuned on; no topic counts as wrong)",
            "rows": rows}


def evaluate(corpus: Path) -> list[dict]:
    examples = topic_sets.labelled(corpus) + topic_sets.feeds2026(
        topic_sets.FEEDS_TOPICS, Path(corpus) / feed_sample.FEEDS_DIR)
    return [topics_table(examples)] if examples else []
