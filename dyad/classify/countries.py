"""Country mentions: counts, salience and the country pair of one article.

Matching is case-sensitive on the original text (so "china" the porcelain and "turkey" the bird
are not countries) with word boundaries, through one Aho-Corasick automaton built once per process.
Salience weighs each mention by the kind of form and where it stands: title ×3, lead ×2, body ×1.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick

from dyad.classify.gazetteer import KIND_WEIGHTS, country_names, surface_forms
from dyad.classify.places import dateline

TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
# A ticker in angle brackets (<UK> is Union Carbide) names a share, not a place.
_TICKER = re.compile(r"<[A-Z][A-Z.]{0,5}>")
# A dateline says where the story was filed: as strong as a name in the headline.
DATELINE_WEIGHT = 3.0
# The second country joins the pair only when it is at least this salient relative to the first.
PAIR_MIN_RELATIVE_SALIENCE = 0.1


@dataclass(frozen=True)
class CountryMention:
    code: str
    name: str
    mentions: int
    salience: float


@functools.lru_cache(maxsize=1)
def automaton() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for text, form in surface_forms().items():
        auto.add_word(text, (len(text), text, form))
    auto.make_automaton()
    return auto


def _blank(match) -> str:
    return " " * len(match.group(0))  # keeps every offset where it was


def _resolve(name: str) -> str | None:
    form = surface_forms().get(name)
    return form.code if form and not form.ambiguous else None


def find_forms(text: str):
    """Yield (start, surface text, Form) for each whole-word match, longest match winning overlaps."""
    hits = []
    for end, (length, surface, form) in automaton().iter(text):
        start = end - length + 1
        if _bounded(text, start, end, surface):
            hits.append((start, end, surface, form))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    last_end = -1
    for start, end, surface, form in hits:
        if start > last_end:
            last_end = end
            yield start, surface, form


def _bounded(text: str, start: int, end: int, surface: str) -> bool:
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_@#"):
        return False
    if surface.endswith("-"):  # prefixes such as Sino- run into the next word by design
        return True
    after = end + 1
    if after < len(text) and (text[after].isalnum() or text[after] == "_"):
        return False
    return True


def count_countries(title: str, lead: str, body: str) -> list[CountryMention]:
    """Countries most salient first. `lead` is the body's opening, `body` the whole body text."""
    mentions: dict[str, int] = defaultdict(int)
    weight: dict[str, float] = defaultdict(float)
    ambiguous_only: dict[str, bool] = {}
    lead_len = len(lead) if lead and body.startswith(lead) else 0
    filed_from, dateline_end = dateline(body or "", _resolve)
    if filed_from:
        weight[filed_from] += DATELINE_WEIGHT
        mentions.setdefault(filed_from, 0)  # a place, not a mention of its name
        ambiguous_only[filed_from] = False
    for part, text in (("title", title or ""), ("body", body or "")):
        for start, _surface, form in find_forms(_TICKER.sub(_blank, text)):
            if not form.code or part == "body" and start < dateline_end:
                continue  # not a place, or the dateline's, counted above with its region
            position = TITLE_WEIGHT if part == "title" else (
                LEAD_WEIGHT if start < lead_len else BODY_WEIGHT)
            mentions[form.code] += 1
            weight[form.code] += KIND_WEIGHTS[form.kind] * position
            ambiguous_only[form.code] = ambiguous_only.get(form.code, True) and form.ambiguous
    codes = [c for c in mentions if not ambiguous_only[c]]
    if not codes:
        return []
    top = max(weight[c] for c in codes)
    names = country_names()
    ranked = sorted(codes, key=lambda c: (-weight[c], -mentions[c], c))
    return [CountryMention(c, names.get(c, c), mentions[c], round(weight[c] / top, 4)) for c in ranked]


def country_pair(countries: list[CountryMention]) -> tuple[str | None, str | None, str | None]:
    """(pair, a, b): the two most salient codes sorted and joined by '-'; one country gives (None, a, None)."""
    if not countries:
        return None, None, None
    if len(countries) == 1 or countries[1].salience < PAIR_MIN_RELATIVE_SALIENCE:
        return None, countries[0].code, None
    a, b = sorted((countries[0].code, countries[1].code))
    return f"{a}-{b}", a, b
