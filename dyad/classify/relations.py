"""What the two countries of a story do to each other: one event per story (issue 19).

The event is read from the sentences that name both countries of the story's pair (their places,
peoples, institutions and people, as `countries` finds them): the title first, then the text in
order. A sentence's event is matched by the language's patterns (`data/relations/<lang>.tsv`, in
the CAMEO/PLOVER tradition); where several match, the one between two different countries is
taken (the verb that links them), else the first. The country named last before the verb acts
(source), the first named after it is acted upon (target); a passive verb ("was demolished by a
Ukrainian protester") turns them round, and two countries both named before the verb ("China and
Russia agreed") act together, given as source and target in the order named. A cooperation verb
under a negation ("would not provide support") is a rejection. The event's quad class and
intensity come from `data/relations/events.tsv`.
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from dyad.classify.countries import country_mentions
from dyad.classify.normalize import fold

DATA = Path(__file__).parent / "data" / "relations"
# Sentences read per story after the title: the relation of a story is in its opening.
MAX_SENTENCES = 12
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_NEGATION = re.compile(r"\b(?:not|never|no longer|n't|refus\w*|declin\w*|no|nunca|jamás)\b\W*"
                       r"(?:\w+\W+){0,2}$", re.IGNORECASE)
# A passive verb and its agent ("was presented by the US", "fue detenido por"): the agent acts.
_PASSIVE_AGENT = re.compile(r"\b(?:was|were|been|being|is|are|be|fue|fueron|sido)\s+(?:\w+\s+)?"
                            r"\w+(?:ed|en|wn|t|do|da|dos|das)\s+(?:by|por)\s+", re.IGNORECASE)
COOPERATION = ("verbal_cooperation", "material_cooperation")


@dataclass(frozen=True)
class Event:
    name: str
    quad_class: str
    score: float


@functools.lru_cache(maxsize=1)
def events() -> dict[str, Event]:
    return {row["event"]: Event(row["event"], row["quad_class"], float(row["score"]))
            for row in _rows(DATA / "events.tsv")}


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def compile_pattern(pattern: str) -> re.Pattern:
    """A lexicon pattern as a regular expression (the syntax of data/relations/en.tsv)."""
    parts = []
    for token in pattern.split():
        if token == "~":
            parts.append(r"(?:\S+\s+){0,3}?")
            continue
        words = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "")
                 for w in token.split("|")]
        parts.append(r"(?:" + "|".join(words) + r")\s+")
    body = "".join(parts)[:-3]  # the last word's trailing \s+
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    """A language's patterns, indexed by the opening letters of their first word: a sentence's
    words each look up the few patterns that can start there (one expression of them all, or
    each over the whole sentence, costs a pass per pattern)."""

    by_opening: dict[str, tuple[tuple[re.Pattern, str], ...]]

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, event) of every pattern that matches at a word's start, in text order;
        at one start the longest."""
        found = []
        for word in _WORD.finditer(text):
            opening = word.group(0)[:OPENING].casefold()
            best = None
            for pattern, event in self.by_opening.get(opening, ()):
                m = pattern.match(text, word.start())
                if m and (best is None or m.end() > best[1]):
                    best = (m.start(), m.end(), event)
            if best:
                found.append(best)
        return found


OPENING = 3
_WORD = re.compile(r"\w[\w'-]*")


@functools.lru_cache(maxsize=None)
def lexicon(language: str) -> Lexicon | None:
    path = DATA / f"{language}.tsv"
    if not path.exists():
        return None
    by_opening: dict[str, list] = {}
    for row in _rows(path):
        compiled = compile_pattern(row["pattern"])
        first = row["pattern"].split()[0]
        for word in first.split("|"):
            by_opening.setdefault(word.rstrip("*")[:OPENING].casefold(), []).append(
                (compiled, row["event"]))
    return Lexicon({k: tuple(v) for k, v in by_opening.items()})


def sentences(title: str, text: str) -> list[str]:
    """The title, then the text's first MAX_SENTENCES sentences."""
    # Sentences are seldom longer than 600 characters: the opening is enough to split.
    found = [s.strip() for s in _SENTENCE_END.split((text or "")[:600 * MAX_SENTENCES]) if s.strip()]
    return [t for t in [(title or "").strip()] if t] + found[:MAX_SENTENCES]


def sentence_event(sentence: str, language: str, on=None, named=frozenset()) -> dict | None:
    """The event of one sentence between two countries, or None: {event, quad_class, score,
    source, target, evidence}."""
    patterns = lexicon(language)
    if patterns is None:
        return None
    folded = fold(sentence)
    mentions = country_mentions(folded, on, named)
    if len({code for _, _, code in mentions}) < 2:
        return None
    matches = patterns.matches(folded)
    if not matches:
        return None
    linking = [m for m in matches if _links(m[0], m[1], mentions)]
    start, end, name = (linking or matches)[0]
    source, target = _direction(folded, start, end, mentions)
    if source is None:
        return None
    event = events()[name]
    if event.quad_class in COOPERATION and _NEGATION.search(folded[:start]):
        event = events()["REJECT"]
    return {"event": event.name, "quad_class": event.quad_class, "score": event.score,
            "source": source, "target": target, "evidence": sentence[:1000]}


def _links(start: int, end: int, mentions) -> bool:
    before = {code for s, _, code in mentions if s < start}
    after = {code for s, _, code in mentions if s >= end}
    return any(a != b for a in before for b in after)


def _direction(text: str, start: int, end: int, mentions) -> tuple[str | None, str | None]:
    before = [code for s, _, code in mentions if s < start]
    after = [code for s, _, code in mentions if s >= end]
    agent = _PASSIVE_AGENT.search(text)
    if agent:
        acting = [code for s, _, code in mentions if agent.end() <= s <= agent.end() + 30]
        others = [code for code in before + after if acting and code != acting[0]]
        if acting and others:
            return acting[0], others[0]
    if before:
        source = before[-1]
        target = next((code for code in after if code != source), None)
        if target is None:  # both named before the verb: they act together
            target = next((code for code in reversed(before) if code != source), None)
            if target is not None:
                source, target = target, source  # in the order named
        return (source, target) if target else (None, None)
    distinct = list(dict.fromkeys(after))
    return (distinct[0], distinct[1]) if len(distinct) > 1 else (None, None)


def relation(title: str, text: str, language: str | None, pair: tuple[str, str] | None,
             on=None, named=frozenset()) -> dict | None:
    """The story's relation between the countries of `pair` (a, b), or None: the first sentence
    whose event joins them. `confidence` is higher in the title and where the verb lies between
    the two countries."""
    if not pair or not language:
        return None
    wanted = set(pair)
    for number, sentence in enumerate(sentences(title, text)):
        found = sentence_event(sentence, language, on, named)
        if found and {found["source"], found["target"]} == wanted:
            confidence = 0.6 + (0.2 if number == 0 else 0.1 if number == 1 else 0.0)
            return {**found, "confidence": round(confidence, 2)}
    return None
