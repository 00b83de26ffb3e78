"""The sources of the country forms besides countryinfo and pycountry, for the build.

Three sources, each a data package or a data file, never code:
- CLDR (through Babel): every country's name in each language, in its base form;
- the hand files `data/forms/<lang>.tsv` (English's too): what no package has (inflected names, short forms,
  demonyms and adjectives with their inflections, seats of government, Chinese and Japanese
  one-character compounds, and `not` phrases such as language names);
- GeoNames: cities' names in other scripts and languages (`places.alternate_names()`, built by
  dyad.gazetteer.places_build); a Russian one is declined by the noun rules below.
`forms_build` merges them.
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

import babel
import pycountry

from dyad.classify.normalize import fold
from dyad.classify.scripts import LANGUAGES

FORMS_DIR = Path(__file__).parent.parent / "classify" / "data" / "forms"
# CLDR territory keys that are not countries (EU, the euro area, the UN, unknown).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
_CODE_EXCEPTIONS = {"XK": "XKX"}
def alpha3(alpha2: str) -> str | None:
    if alpha2 in _NOT_COUNTRIES or not alpha2.isalpha():
        return None
    if alpha2 in _CODE_EXCEPTIONS:
        return _CODE_EXCEPTIONS[alpha2]
    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country else None


def cldr_forms(languages=LANGUAGES):
    """(name, (code,), 'name', '') for every country in every language CLDR names it in."""
    for language in languages:
        for key, name in babel.Locale(language).territories.items():
            code = alpha3(key)
            if code and name:
                yield name, (code,), "name", ""


# Hand-file kinds that mark a form, whatever source gives it, instead of naming a country.
MARKS = ("ambiguous", "exclude", "exclude-region", "exclude-city")


@functools.lru_cache(maxsize=None)
def _hand_file(language: str) -> tuple[tuple[str, str, str, str], ...]:
    path = FORMS_DIR / f"{language}.tsv"
    if not path.exists():
        return ()
    with path.open(encoding="utf-8") as handle:
        return tuple((*(cell.strip() for cell in row[:3]), row[3].strip() if len(row) > 3 else "")
                     for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                     if len(row) >= 3 and not row[0].startswith("#"))


def hand_rows(language: str) -> list[tuple[str, tuple[str, ...], str, str]]:
    """The forms of one hand file: (form, codes, kind, flags). A form naming two countries (中俄)
    has a row per country in the file and comes out once with both codes."""
    merged: dict[tuple[str, str], list] = {}
    for code, kind, form, flags in _hand_file(language):
        if kind in MARKS:
            continue
        entry = merged.setdefault((form, kind), [form, [], kind, flags])
        if code != "-" and code not in entry[1]:
            entry[1].append(code)
    return [(form, tuple(codes), kind, flags) for form, codes, kind, flags in merged.values()]


@functools.lru_cache(maxsize=1)
def marked_forms() -> dict[str, frozenset[str]]:
    """kind → folded forms, for the marking kinds of every hand file."""
    marks: dict[str, set[str]] = {kind: set() for kind in MARKS}
    for language in ("en", "en-demonyms", *LANGUAGES):
        for _code, kind, form, _flags in _hand_file(language):
            if kind in MARKS:
                marks[kind].add(fold(form))
    return {kind: frozenset(forms) for kind, forms in marks.items()}
