"""Relations on UniversalPetrarch's hand-checked sentences (`corpus/events/universalpetrarch/`):
the sentences whose coding names two countries, run through `classify()` as a story.

pair right: the relation's two countries (the story's pair when it has no relation) are the
coding's; on the sentences with the pair right, quad class right (the CAMEO root's: 01-05 verbal
cooperation, 06-08 material cooperation, 09-13 verbal conflict, 14-20 material conflict),
cooperation vs conflict right, and where a coding has one source and one target country, source
and target right. Sentences are split in halves by a hash of their id and text: the lexicons'
patterns were written from the CAMEO codebook and checked on "tune"; "report" was not read.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from dyad.classify import classify
from dyad.evaluation.sentences import PETRARCH_FILES, actor_country, petrarch_sentences
from dyad.evaluation.topic_sets import REPORT, TUNE


def quad_class(eventcode: str) -> str | None:
    """The quad class of a CAMEO event code ("042", "1124", "140_Engage..."), None if unknown."""
    digits = eventcode[:2]
    if not digits.isdigit() or not 1 <= int(digits) <= 20:
        return None
    root = int(digits)
    return ("verbal_cooperation" if root <= 5 else "material_cooperation" if root <= 8 else
            "verbal_conflict" if root <= 13 else "material_conflict")


def coded(sentence: dict) -> dict | None:
    """The sentence's two-country codings: {pair, quad classes, directions}; None without."""
    directions, quads = set(), set()
    for coding in sentence["codings"]:
        source = actor_country(coding.get("sourcecode", ""))
        target = actor_country(coding.get("targetcode", ""))
        quad = quad_class(coding.get("eventcode", ""))
        if source and target and source != target and quad:
            directions.add((source, target))
            quads.add(quad)
    pairs = {frozenset(d) for d in directions}
    if len(pairs) != 1:
        return None  # no two-country coding, or codings of different pairs
    return {"pair": next(iter(pairs)), "quads": quads, "directions": directions}


def part(sentence: dict) -> str:
    key = f"{sentence['id']}\n{sentence['text']}".encode("utf-8")
    return REPORT if hashlib.sha1(key).digest()[0] % 2 else TUNE


def outcome(sentence: dict, want: dict) -> dict:
    result = classify("", sentence["text"], published_at=sentence["date"])
    relation = result["relation"]
    got = ({relation["source"], relation["target"]} if relation else
           {result["country_a"], result["country_b"]} - {None})
    right = got == set(want["pair"])
    conflict = {q.endswith("conflict") for q in want["quads"]}
    return {"pair": right, "relation": relation is not None,
            "quad": right and relation is not None and relation["quad_class"] in want["quads"],
            "coop": right and relation is not None and
            relation["quad_class"].endswith("conflict") in conflict,
            "direction": (right and relation is not None and
                          (relation["source"], relation["target"]) in want["directions"])
            if len(want["directions"]) == 1 else None}


def relations_table(root: Path) -> dict:
    rows = {}
    for language, name in PETRARCH_FILES.items():
        if not (root / name).exists():
            continue
        by_part = {TUNE: [], REPORT: []}
        for sentence in petrarch_sentences(root / name):
            want = coded(sentence)
            if want:
                by_part[part(sentence)].append(outcome(sentence, want))
        for part_name, outcomes in (*by_part.items(), ("all", by_part[TUNE] + by_part[REPORT])):
            if outcomes:
                rows[f"{language} {part_name}"] = _row(outcomes)
    return {"title": "Relations on UniversalPetrarch sentences coded with two countries (tune = "
                     "looked at while writing the patterns; report = not)", "rows": rows}


def _row(outcomes: list[dict]) -> dict:
    paired = [o for o in outcomes if o["pair"]]
    directed = [o for o in paired if o["direction"] is not None]

    def share(flags):
        flags = list(flags)
        return sum(flags) / len(flags) if flags else float("nan")
    return {"pair right": share(o["pair"] for o in outcomes),
            "has a relation": share(o["relation"] for o in outcomes),
            "quad class right (pair right)": share(o["quad"] for o in paired),
            "coop vs conflict right (pair right)": share(o["coop"] for o in paired),
            "direction right (one-way codings)": share(o["direction"] for o in directed),
            "sentences": len(outcomes), "one-way codings": len(directed)}


def evaluate(corpus: Path) -> list[dict]:
    root = Path(corpus) / "events" / "universalpetrarch"
    return [relations_table(root)] if root.is_dir() else []
