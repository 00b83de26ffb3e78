"""Country mentions: counts, salience, the main country and the country pair of one article.

Matching is case-sensitive on the folded text (normalize.fold; case is kept, so "china" the
porcelain and "turkey" the bird are not countries), through one Aho-Corasick automaton of every
language's forms, built once per process. Where a match may start and end depends on the form's
script: Latin and Cyrillic forms are whole words; Arabic ones may carry proclitics (و ف ب ل ك and
the article); Chinese and Japanese ones, written without spaces, match anywhere.
Salience weighs each mention by the kind of form and where it stands: title ×3, lead ×2, body ×1;
the headline's first country gets a little more, and ties go to the country named first.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import ahocorasick

from dyad.classify.gazetteer import KIND_WEIGHTS, Form, country_names, read_forms
from dyad.classify.scripts import script_of
from dyad.classify.normalize import fold
from dyad.classify.person_forms import (as_date, full_name_codes, person_index, surname_code,
                                        titled)
from dyad.classify.places import dateline

TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
PEOPLE = ("person", "surname")
# The lead is the story's opening sentence or two: a first paragraph that runs on (a wire story
# without paragraph breaks) weighs as a lead only this far (tuned on Reuters 000-005: 300, 500,
# 800, 1,500 characters).
LEAD_CHARS = 300
# The headline's first country is its subject more often than not: a small push, worth about half
# a body mention (tuned on Reuters 000-005 and the even rows of the 2026 feeds sample).
FIRST_IN_TITLE_WEIGHT = 0.5
# A ticker in angle brackets (<UK> is Union Carbide) names a share, not a place.
_TICKER = re.compile(r"<[A-Z][A-Z.]{0,5}>")
# A dateline says where the story was filed: as strong as a name in the headline.
DATELINE_WEIGHT = 3.0
# The second country joins the pair only when it is at least this salient relative to the first.
PAIR_MIN_RELATIVE_SALIENCE = 0.1
# A country's body mentions (past the lead) add up with diminishing returns, their weight to this
# power past the first: a full story names its setting over and over ("India" 34 times in a report on France's
# president's visit there) while the headline names its subject once. Tuned on Reuters 000-005
# and the feeds sample's even rows (1, 0.75, 0.5, 0.35, 0.25: 0.5 best on both or level).
BODY_EXPONENT = 0.5


@dataclass(frozen=True)
class CountryMention:
    code: str
    name: str
    mentions: int
    salience: float


@functools.lru_cache(maxsize=1)
def automata() -> dict[str, ahocorasick.Automaton]:
    """One automaton per script (latin, cyrillic, arabic, han): every place and country form,
    then the people's names and surnames that are not one (a city's name that is also a surname,
    an ambiguous form, or the capitalised twin of a lower-case adjective, such as Italian
    "Albanese", is read as the surname). Split by script, a text is scanned only by the automata
    of the scripts it contains, and each is several times faster than one of them all."""
    autos = {script: ahocorasick.Automaton() for script in _SCRIPTS}
    for text, form in read_forms():
        autos[form.script].add_word(text, (len(text), text, form))
    index = person_index()
    for kind, names in (("person", index.full), ("surname", index.surnames)):
        for text in names:
            script = script_of(text)
            auto = autos[script]
            place = auto.get(text, None)
            if (place is None or place[2].kind == "city" or place[2].initial_only
                    or place[2].ambiguous) and (
                    kind == "person" or text not in index.full):
                auto.add_word(text, (len(text), text, Form((), kind, False, script=script)))
    for auto in autos.values():
        auto.make_automaton()
    return autos


_SCRIPTS = {"latin": None, "cyrillic": re.compile("[\u0400-\u052f]"),
            "arabic": re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff]"),
            "han": re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")}
# Any of the other scripts: most text is Latin only, and one pass tells so.
_NOT_LATIN = re.compile("[" + "".join(p.pattern[1:-1] for p in _SCRIPTS.values() if p) + "]")


def _blank(match) -> str:
    return " " * len(match.group(0))  # keeps every offset where it was


def _resolve(name: str) -> str | None:
    found = automata()["latin"].get(name, None)
    form = found[2] if found else None
    return form.code if form and not form.ambiguous and form.kind not in PEOPLE else None


def find_forms(text: str):
    """Yield (start, surface text, Form) for each match in folded `text`, in text order. Where
    matches overlap the longest wins, then the earliest (其中美国: 美国, not 中美)."""
    other_scripts = bool(_NOT_LATIN.search(text))
    kana = other_scripts and bool(_KANA.search(text))
    hits = []
    for script, auto in automata().items():
        if _SCRIPTS[script] is not None and not (other_scripts and _SCRIPTS[script].search(text)):
            continue
        for end, (length, surface, form) in auto.iter(text):
            if form.language and (form.language == "ja") != kana:
                continue  # a Chinese form in Japanese text, or the reverse
            start = end - length + 1
            if _bounded(text, start, end, surface, form):
                hits.append((start, end, surface, form))
    if len(hits) > 1:
        hits.sort(key=lambda h: (h[0] - h[1], h[0]))
        taken = bytearray(len(text))
        kept = []
        for hit in hits:
            if taken.find(1, hit[0], hit[1] + 1) < 0:
                taken[hit[0]:hit[1] + 1] = b"\x01" * (hit[1] + 1 - hit[0])
                kept.append(hit)
        hits = sorted(kept, key=lambda h: h[0])
    for start, _end, surface, form in hits:
        yield start, surface, form


_KANA = re.compile("[\u3040-\u30ff]")
_KATAKANA = re.compile("^[\u30a0-\u30ff]+$")
_ARABIC_PROCLITICS = "وفبلك"
_SENTENCE_ENDS = ".!?:;\n"


def _bounded(text: str, start: int, end: int, surface: str, form: Form) -> bool:
    if form.script == "han":
        # a katakana word runs on in katakana: タイ is not in タイプ, nor イラン in アイランド
        if _KATAKANA.match(surface):
            return not (start > 0 and _KATAKANA.match(text[start - 1])) and not (
                end + 1 < len(text) and _KATAKANA.match(text[end + 1]))
        return True
    after = end + 1
    if form.script == "arabic":
        return _arabic_left(text, start) and not (after < len(text) and text[after].isalpha())
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_@#"):
        return False
    if form.initial_only and not _sentence_start(text, start):
        return False
    if surface.endswith("-"):  # prefixes such as Sino- run into the next word by design
        return True
    if after < len(text) and (text[after].isalnum() or text[after] == "_"):
        return False
    return True


def _arabic_left(text: str, start: int) -> bool:
    """A word starts here, or only proclitics (and the article) stand between it and the word's
    start: والصين, بروسيا, للصين, والروسية."""
    i = start
    if text[max(i - 2, 0):i] == "ال":
        i -= 2
    elif text[max(i - 2, 0):i] == "لل":  # ل + the article, whose alef is dropped
        i -= 2
    for _ in range(2):
        if i > 0 and text[i - 1] in _ARABIC_PROCLITICS:
            if i - 1 == 0 or not text[i - 2].isalpha():
                return True
            i -= 1
    return i == 0 or not text[i - 1].isalpha()


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"'«»“”„(–—-"):
        i -= 1
    return i < 0 or text[i] in _SENTENCE_ENDS


def count_countries(title: str, lead: str, body: str, published_at=None) -> list[CountryMention]:
    """Countries most salient first. `lead` is the body's opening, `body` the whole body text;
    people are resolved on `published_at`'s day (today when None)."""
    mentions: dict[str, int] = defaultdict(int)
    weight: dict[str, float] = defaultdict(float)
    body_weight: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}  # where each country is first named: title, then body
    ambiguous_only: dict[str, bool] = {}
    title, body = fold(title or ""), fold(body or "")
    opening = fold((lead or "")[:LEAD_CHARS])  # only this much of the lead weighs as lead
    lead_len = len(opening) if opening and body.startswith(opening) else 0
    filed_from, dateline_end = dateline(body or "", _resolve)
    if filed_from:
        weight[filed_from] += DATELINE_WEIGHT
        mentions.setdefault(filed_from, 0)  # a place, not a mention of its name
        ambiguous_only[filed_from] = False
    names_of_people, currencies = [], []
    for part, text in (("title", title), ("body", body)):
        text = _TICKER.sub(_blank, text)
        for start, surface, form in find_forms(text):
            if part == "body" and start < dateline_end:
                continue  # the dateline's, counted above with its region
            position = TITLE_WEIGHT if part == "title" else (
                LEAD_WEIGHT if start < lead_len else BODY_WEIGHT)
            offset = start if part == "title" else len(title) + 1 + start
            if form.kind in PEOPLE:
                names_of_people.append((text, start, surface, form, position, offset))
            if form.kind == "currency":
                currencies.append((form, position))
                continue
            into = body_weight if position == BODY_WEIGHT else weight
            for code in form.codes:
                mentions[code] += 1
                into[code] += KIND_WEIGHTS[form.kind] * position
                first.setdefault(code, offset)
                ambiguous_only[code] = ambiguous_only.get(code, True) and form.ambiguous
    named = {c for c in mentions if not ambiguous_only[c]}
    if not named:
        _add_currencies(currencies, mentions, weight, ambiguous_only)
    on = as_date(published_at)
    for text, start, surface, form, position, offset in names_of_people:
        for code in _person_codes(text, start, surface, form, on, named):
            into = body_weight if position == BODY_WEIGHT else weight
            mentions[code] += 1
            into[code] += KIND_WEIGHTS["person"] * position
            first[code] = min(first.get(code, offset), offset)
            ambiguous_only[code] = False
    codes = [c for c in mentions if not ambiguous_only[c]]
    if not codes:
        return []
    for code, value in body_weight.items():
        weight[code] += value if value <= 1 else value ** BODY_EXPONENT
    # A headline names its subject first ("France's Macron eyes jet deal in India").
    in_title = [c for c in codes if first.get(c, len(title)) < len(title)]
    if in_title:
        weight[min(in_title, key=lambda c: first[c])] += FIRST_IN_TITLE_WEIGHT
    top = max(weight[c] for c in codes)
    names = country_names()
    ranked = sorted(codes, key=lambda c: (-weight[c], first.get(c, 0), c))
    return [CountryMention(c, names.get(c, c), mentions[c], round(weight[c] / top, 4)) for c in ranked]


def country_mentions(text: str, on=None, named=frozenset()) -> list[tuple[int, int, str]]:
    """(start, end, code) of each reference to a country in folded `text`, in text order: its
    places, peoples and institutions, and its people (a bare surname as `count_countries` reads
    it, with `named` the countries the story names). Ambiguous forms and currencies are left
    out."""
    found, day = [], as_date(on)
    for start, surface, form in find_forms(text):
        if form.kind == "currency" or (form.ambiguous and form.code not in named):
            continue
        codes = _person_codes(text, start, surface, form, day, named) \
            if form.kind in PEOPLE else form.codes
        if codes:
            found.append((start, start + len(surface), codes[0]))
    return found


def _add_currencies(currencies, mentions, weight, ambiguous_only) -> None:
    """A story that names no country is placed by its currencies (yen, US$, Reuters' dlrs):
    weak evidence, so it never outweighs a country's name."""
    for form, position in currencies:
        for code in form.codes:
            mentions[code] += 1
            weight[code] += KIND_WEIGHTS["currency"] * position
            ambiguous_only[code] = False


def _person_codes(text, start, surface, form, on, named) -> tuple[str, ...]:
    index = person_index()
    if form.kind == "person":
        return full_name_codes(index.full[surface], on)
    code = surname_code(surface, index.surnames[surface], on,
                        titled(text, start, start + len(surface) - 1), named)
    return (code,) if code else ()


def country_pair(countries: list[CountryMention]) -> tuple[str | None, str | None, str | None]:
    """(pair, a, b): the two most salient codes sorted and joined by '-'; one country gives (None, a, None)."""
    if not countries:
        return None, None, None
    if len(countries) == 1 or countries[1].salience < PAIR_MIN_RELATIVE_SALIENCE:
        return None, countries[0].code, None
    a, b = sorted((countries[0].code, countries[1].code))
    return f"{a}-{b}", a, b
