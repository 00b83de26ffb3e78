"""Country gazetteer: surface forms → ISO 3166-1 alpha-3, with what kind of form each is.

English forms come from countryinfo (names, alternative spellings, demonyms, capitals) and
pycountry (official and common names), US states and cities from `places`; the other languages'
from `multilingual` (CLDR, GeoNames). The hand files `data/forms/<lang>.tsv` hold only what no
package has: short forms as newsrooms write them, seats of government, demonyms and inflections,
the phrases in which a form names something else (`not`), the forms too ambiguous to count
without corroboration (`ambiguous`) and those never to use (`exclude`).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import pycountry
from countryinfo import all_countries

from dyad.classify import multilingual
from dyad.classify.normalize import fold
from dyad.classify.places import city_countries, geonames_cities, regions

# kind → weight of one mention of that kind of form (a name says more than a city does)
KIND_WEIGHTS = {"name": 1.0, "short": 1.0, "demonym": 0.9, "seat": 0.9, "abbreviation": 0.9,
                "person": 0.9, "capital": 0.8, "prefix": 0.8, "region": 0.6, "city": 0.5,
                "not": 0.0}
# Codes of states that no longer exist → today's code (a gazetteer may still carry them).
HISTORIC_CODES = {"SCG": "SRB", "YUG": "SRB", "SUN": "RUS", "DDR": "DEU", "CSK": "CZE",
                  "ZAR": "COD", "ANT": "CUW", "BUR": "MMR", "TMP": "TLS"}

@dataclass(frozen=True)
class Form:
    codes: tuple[str, ...]
    kind: str
    ambiguous: bool
    # a lower-case form's capitalised twin: it counts only where a sentence or title begins
    initial_only: bool = False
    script: str = "latin"

    @property
    def code(self) -> str:
        return self.codes[0] if self.codes else ""


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """alpha-3 → the short English name analysts expect (Russia, not Russian Federation)."""
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    for info in _countryinfo():
        code = info.get("ISO", {}).get("alpha3")
        if code and info.get("name") and "," not in info["name"]:
            names[code] = info["name"]
    names.update({"USA": "United States", "GBR": "United Kingdom", "RUS": "Russia",
                  "PSE": "Palestine", "TWN": "Taiwan"})
    return names


@functools.lru_cache(maxsize=1)
def surface_forms() -> dict[str, Form]:
    """Every surface form, folded (normalize.fold) and case-sensitive, to the countries it names.
    The first source to claim a form keeps it: English lists, then the hand files of the other
    languages, then CLDR's names, then cities."""
    forms: dict[str, Form] = {}
    marks = multilingual.marked_forms()
    excluded, ambiguous_forms = marks["exclude"], marks["ambiguous"]

    def add(text, code, kind, ambiguous=None, codes=None):
        text = fold((text or "").strip())
        codes = tuple(HISTORIC_CODES.get(c, c) for c in codes or ((code,) if code else ()))
        if len(text) < 2 or text in excluded or text in forms or (not codes and kind != "not"):
            return
        if not any(ch.isalpha() for ch in text):
            return
        script = multilingual.script_of(text)
        ambiguous = ambiguous or text in ambiguous_forms
        forms[text] = Form(codes, kind, ambiguous, script=script)
        if script in ("latin", "cyrillic") and text[0].islower():
            capital = text[0].upper() + text[1:]
            if capital not in forms:
                forms[capital] = Form(codes, kind, ambiguous, True, script)

    for form, codes, kind, flags in multilingual.hand_rows("en"):
        add(form, None, kind, "ambiguous" in flags, codes)
    for info in _countryinfo():
        code = info.get("ISO", {}).get("alpha3")
        if not code:
            continue
        add(info.get("name"), code, "name")
        for alt in info.get("altSpellings") or ():
            if alt.upper() != alt and "," not in alt:  # skip 'RU', 'RUS' codes and inverted names
                add(alt, code, "name")
        demonym = info.get("demonym")
        if demonym:
            add(demonym, code, "demonym")
            if not demonym.endswith(("ese", "s", "sh", "ch", "i")):
                add(demonym + "s", code, "demonym")
        capitals = info.get("capital") or ()
        for capital in [capitals] if isinstance(capitals, str) else capitals:
            add(capital.replace(" D.C.", ""), code, "capital")
    for c in pycountry.countries:
        for text in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if text and "," not in text:
                add(text, c.alpha_3, "name")
    for language in multilingual.LANGUAGES:
        for form, codes, kind, flags in multilingual.hand_rows(language):
            add(form, None, kind, "ambiguous" in flags, codes)
    for name, codes, kind, _flags in multilingual.cldr_forms():
        add(name, None, kind, None, codes)
    for name, code in regions().items():
        if "." not in name and len(name) > 2 and name not in marks["exclude-region"]:
            add(name, code, "region")
    for name, code in city_countries().items():
        add(name, code, "city")
    for name, code in multilingual.city_alternates(geonames_cities()).items():
        add(name, code, "city")
    for text in list(forms):
        form = forms[text]
        if len(text) >= 5 and form.script in ("latin", "cyrillic") and text.upper() != text \
                and text.upper() not in forms:
            forms[text.upper()] = Form(form.codes, form.kind, form.ambiguous, False, form.script)
    return forms


@functools.lru_cache(maxsize=1)
def _countryinfo() -> list[dict]:
    # Most populous first: where a territory shares a demonym or capital with its state
    # ("American", "French"), the state wins.
    return [c.info() for c in sorted(all_countries(), key=_population, reverse=True)]


def _population(country) -> int:
    try:
        return int(country.population() or 0)
    except Exception:  # countryinfo raises on entries without data
        return 0
