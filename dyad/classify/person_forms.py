"""People as references to their country: the names of the people gazetteer (`people`) as forms
of the country automaton, resolved on the story's day.

A full name ("Vladimir Putin", 普京, "Владимир Путин") counts for the person's country. A bare
surname ("Putin", "Путина") counts only with corroboration, as the labelling rule asks:
- a title beside it ("President Erdogan", "Mr Modi", "プーチン大統領": `data/titles.tsv`);
- or the person's country named elsewhere in the story;
- or the office itself: a head of state or of government, or a foreign or defence minister, by
  that surname is in office on the story's day, all the people by that surname in office then
  are of one country, and the surname is no more often a given name than a surname among the
  gazetteer's heads and ministers. Month and day names are never surnames: the gazetteer holds
  them as `not` forms, so no surname is matched in their place ("May").
A city that shares its name with a surname of the gazetteer ("Bush" in Egypt) is read as the
surname (see countries.automaton).
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dyad.classify.scripts import russian_cases, script_of
from dyad.classify.normalize import fold
from dyad.classify.people import Person, in_office, people

TITLES = Path(__file__).parent / "data" / "titles.tsv"
# Where the family name comes first ("Xi Jinping", "Kim Jong Un", "Lee Jae-myung").
FAMILY_NAME_FIRST = {"CHN", "TWN", "HKG", "MAC", "KOR", "PRK", "VNM", "SGP", "KHM"}
PROMINENT_ROLES = {"head_of_state", "head_of_government", "foreign_minister", "defence_minister"}
# Letters a surname needs to be matched alone; a two-letter family name (Xi) only for a head of
# state, since "It", "He" or Spanish "Su" would otherwise be someone.
MIN_SURNAME = 4
MIN_FAMILY_NAME = 2
TITLE_WINDOW = 40  # characters before the name in which a title may stand


@dataclass(frozen=True)
class PersonIndex:
    full: dict[str, tuple[Person, ...]]      # folded name → the rows of that spelling
    surnames: dict[str, tuple[Person, ...]]  # folded surname (and its case forms) → rows
    well_known: frozenset[str]               # surnames that may stand alone (see module doc)


@functools.lru_cache(maxsize=1)
def person_index() -> PersonIndex:
    full: dict[str, list[Person]] = {}
    surnames: dict[str, list[Person]] = {}
    given: Counter = Counter()
    for person in people():
        name = fold(person.name)
        full.setdefault(name, []).append(person)
        tokens = name.split()
        if len(tokens) < 2 or script_of(name) == "han":
            continue
        family_first = person.code in FAMILY_NAME_FIRST
        surname = (tokens[0] if family_first else tokens[-1]).strip(".,")
        if person.role in PROMINENT_ROLES:
            given.update(set(tokens[1:] if family_first else tokens[:-1]))
        shortest = MIN_SURNAME
        if family_first:
            shortest = MIN_FAMILY_NAME if person.role == "head_of_state" else 3
        if len(surname) < shortest or not surname[0].isupper():
            continue
        forms = russian_cases(surname) if script_of(surname) == "cyrillic" else [surname]
        for form in forms:
            surnames.setdefault(form, []).append(person)
    well_known = frozenset(
        s for s, rows in surnames.items()
        if s not in full
        and given[s] <= len({p.name for p in rows if p.role in PROMINENT_ROLES}))
    return PersonIndex({k: tuple(v) for k, v in full.items()},
                       {k: tuple(v) for k, v in surnames.items()}, well_known)


@functools.lru_cache(maxsize=1)
def titles() -> tuple[re.Pattern, re.Pattern]:
    """(a title ending the text before a name, a title starting the text after one), folded and
    lower-cased; a title that precedes a name is a whole word unless it is Chinese or Japanese."""
    before, after = [], []
    with TITLES.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) == 3 and not row[0].startswith("#"):
                (before if row[1] == "before" else after).append(fold(row[2]).lower())

    def alternation(words):
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    han = [t for t in before if script_of(t) == "han"]
    words = [t for t in before if script_of(t) != "han"]
    ending = re.compile(rf"(?:(?<!\w)(?:{alternation(words)})|{alternation(han)})$")
    return ending, re.compile(alternation(after))


def titled(text: str, start: int, end: int) -> bool:
    """Whether a title stands right before text[start:end + 1] (or right after it, for the
    titles that follow a name)."""
    ending, following = titles()
    window = text[max(0, start - TITLE_WINDOW):start].rstrip(" ,\u00a0").lower()
    return bool(ending.search(window) or following.match(text, end + 1))


def as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.today()


def _one_country(rows) -> str | None:
    """The country of the rows in office: where they name several (Macron is also Andorra's
    co-prince; a namesake in another cabinet), the one whose office is highest, then the one with
    most rows; None on a tie."""
    counts = Counter(p.code for p in rows)
    if len(counts) > 1:
        high = Counter(p.code for p in rows if p.role in PROMINENT_ROLES)
        counts = high or counts
    ranked = counts.most_common(2)
    if not ranked or len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def full_name_codes(rows: tuple[Person, ...], on: dt.date) -> tuple[str, ...]:
    """A full name's country: of its rows in office on the day, else of all its rows (a former
    leader is still of his country)."""
    code = _one_country([p for p in rows if in_office(p, on)]) or _one_country(rows)
    return (code,) if code else ()


def surname_code(surname: str, rows: tuple[Person, ...], on: dt.date, titled_here: bool,
                 named: set[str]) -> str | None:
    """The country a bare surname stands for on the day, if it is corroborated."""
    current = [p for p in rows if in_office(p, on)]
    code = _one_country(current)
    if code is None:
        return None
    if titled_here or code in named:
        return code
    prominent = any(p.role in PROMINENT_ROLES and p.code == code for p in current)
    return code if prominent and surname in person_index().well_known else None
