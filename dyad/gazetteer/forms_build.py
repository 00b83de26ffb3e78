"""Build `dyad/classify/data/forms.tsv` (every country form, folded, with its countries, kind and
flags) and `dyad/classify/data/country-names.tsv` (the English name of each code), which the
classifier loads instead of assembling them from their sources at each start.

`python -m dyad.gazetteer build-forms`, after build-places (its cities are among the forms).
Sources, in the order in which they claim a form (the first keeps it): the English hand file
`data/forms/en.tsv`; countryinfo (names, alternative spellings, demonyms, capitals) and pycountry
(official and common names); the other languages' hand files; CLDR's names through Babel; US
states and Canadian provinces; cities, then their names in other languages (`places.tsv`).
A lower-case form also gets its capitalised twin (flag `i`: it counts only where a sentence
begins), a form of five or more letters its ALL-CAPS twin (headlines, wire slugs).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import babel
import pycountry
from babel.dates import get_day_names, get_month_names
from countryinfo import all_countries

from dyad.classify.gazetteer import COUNTRY_NAMES, FORMS, Form
from dyad.classify.normalize import fold
from dyad.classify.places import alternate_names, city_countries, regions
from dyad.classify.scripts import LANGUAGES, russian_cases, script_of
from dyad.gazetteer import sources
from dyad.gazetteer.tsv import write_atomic

# Pinyin suffixes of Chinese subdivisions in ISO 3166-2 ("Hebei Sheng"): news writes "Hebei".
SUBDIVISION_SUFFIX = re.compile(r" (Sheng|Shi|Zizhiqu|Huizu Zizhiqu|Zhuangzu Zizhiqu|Weiwu'er "
                                r"Zizhiqu|Zangzu Zizhiqu)$")
# English hand files: short forms, seats and marks; adjectives and demonyms.
ENGLISH_FILES = ("en", "en-demonyms")
# Not a country: places in Antarctica refer to none (the labelling rule).
NOT_COUNTRIES = {"ATA"}
# Codes of states that no longer exist → today's code (a gazetteer may still carry them).
HISTORIC_CODES = {"SCG": "SRB", "YUG": "SRB", "SUN": "RUS", "DDR": "DEU", "CSK": "CZE",
                  "ZAR": "COD", "ANT": "CUW", "BUR": "MMR", "TMP": "TLS"}
FORMS_HEADER = (
    "# dyad country forms, folded (dyad.classify.normalize.fold), case-sensitive.",
    "# Built by `python -m dyad.gazetteer build-forms` from data/forms/*.tsv (written for dyad),",
    "# countryinfo (MIT), pycountry (LGPL 2.1, ISO 3166 data), CLDR through Babel (Unicode license),",
    "# us (BSD) and data/places.tsv (GeoNames, CC BY 4.0). Columns: form, codes (comma-separated),",
    "# kind, flags (a: ambiguous, counts only beside another form of the country; i: counts only",
    "# where a sentence or title begins; z, j: a Chinese or Japanese form only, read in text",
    "# without kana or with them), script (latin, cyrillic, arabic, han).",
)
NAMES_HEADER = ("# dyad: the English name analysts expect for each ISO 3166-1 alpha-3 code.",
                "# Built by `python -m dyad.gazetteer build-forms` from pycountry and countryinfo.")


def build_country_names() -> dict[str, str]:
    """alpha-3 → the short English name analysts expect (Russia, not Russian Federation)."""
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    for info in _countryinfo():
        code = info.get("ISO", {}).get("alpha3")
        if code and info.get("name") and "," not in info["name"]:
            names[code] = info["name"]
    names.update({"USA": "United States", "GBR": "United Kingdom", "RUS": "Russia",
                  "PSE": "Palestine", "TWN": "Taiwan"})
    return names


def build_forms() -> dict[str, Form]:
    """Every surface form, folded and case-sensitive, to the countries it names."""
    forms: dict[str, Form] = {}
    marks = sources.marked_forms()
    excluded, ambiguous_forms = marks["exclude"], marks["ambiguous"]
    han_language = _han_languages()

    def add(text, code, kind, ambiguous=None, codes=None):
        text = fold((text or "").strip())
        codes = tuple(HISTORIC_CODES.get(c, c) for c in codes or ((code,) if code else ()))
        if len(text) < 2 or text in excluded or (not codes and kind != "not"):
            return
        if not any(ch.isalpha() for ch in text) or NOT_COUNTRIES & set(codes):
            return
        if text in forms and not forms[text].initial_only:
            return  # a name (Ucraina) does replace an adjective's capitalised twin (ucraina)
        script = script_of(text)
        ambiguous = ambiguous or text in ambiguous_forms
        language = han_language.get(text, "") if script == "han" else ""
        forms[text] = Form(codes, kind, ambiguous, script=script, language=language)
        if script in ("latin", "cyrillic") and text[0].islower():
            capital = text[0].upper() + text[1:]
            if capital not in forms:
                forms[capital] = Form(codes, kind, ambiguous, True, script)
        if script == "arabic" and text.startswith("ال") and "لل" + text[2:] not in forms:
            forms["لل" + text[2:]] = forms[text]  # ل + the article, whose alef is dropped

    for name in ENGLISH_FILES:
        for form, codes, kind, flags in sources.hand_rows(name):
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
    for language in LANGUAGES:
        for form, codes, kind, flags in sources.hand_rows(language):
            add(form, None, kind, "ambiguous" in flags, codes)
    for name, codes, kind, _flags in sources.cldr_forms():
        add(name, None, kind, None, codes)
    for word in calendar_words():
        add(word, None, "not")
    for name, code in regions().items():
        if "." not in name and len(name) > 2 and name not in marks["exclude-region"]:
            add(name, code, "region")
    for name, code in subdivisions().items():
        if name not in marks["exclude-region"]:
            add(name, code, "region")
    for name, code in city_countries().items():
        add(name, code, "city")
    for name, code in alternate_names().items():
        for variant in russian_cases(name) if script_of(name) == "cyrillic" else (name,):
            add(variant, code, "city")
    for text in list(forms):
        form = forms[text]
        if len(text) >= 5 and form.script in ("latin", "cyrillic") and text.upper() != text \
                and text.upper() not in forms:
            forms[text.upper()] = Form(form.codes, form.kind, form.ambiguous, False, form.script)
    return forms


def subdivisions() -> dict[str, str]:
    """The first-level subdivisions of every country (ISO 3166-2 through pycountry: Kerala,
    Tasmania, Bayern) → alpha-3, but names two countries share (Punjab) and names that are common
    English words (wordfreq; "Central", "Western")."""
    from dyad.gazetteer.places_build import common_word_test  # wordfreq: a build dependency

    common = common_word_test()
    found: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None):
            continue
        name = SUBDIVISION_SUFFIX.sub("", sub.name.split(" (")[0].split(";")[0]).strip()
        country = pycountry.countries.get(alpha_2=sub.country_code)
        if country and len(name) > 3 and not common(name, "latin"):
            found.setdefault(name, set()).add(country.alpha_3)
    return {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}


def calendar_words() -> list[str]:
    """Month and day names in the eleven languages (CLDR through Babel), wide and abbreviated:
    `not` forms, so that a surname such as May is not read in their place."""
    words = set()
    for language in ("en", *LANGUAGES):
        locale = babel.Locale(language)
        for width in ("wide", "abbreviated"):
            for names in (get_month_names(width, locale=locale), get_day_names(width, locale=locale)):
                words.update(name.strip(".") for name in names.values())
    return sorted(w for w in words if len(w) > 2)


def _han_languages() -> dict[str, str]:
    """Folded Han-script form → 'zh' or 'ja' when only that language's sources (hand file, CLDR)
    have it: Chinese forms are then not read in Japanese text, nor Japanese ones in Chinese
    (米国 inside 小米国际, 朝方 "early morning" in Japanese)."""
    seen: dict[str, set[str]] = {}
    for language in ("zh", "ja"):
        texts = [form for form, *_ in sources.hand_rows(language)]
        texts += [name for name, *_ in sources.cldr_forms((language,))]
        for text in texts:
            seen.setdefault(fold(text), set()).add(language)
    return {text: next(iter(langs)) for text, langs in seen.items() if len(langs) == 1}


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


def forms_text() -> str:
    lines = list(FORMS_HEADER)
    for text, form in sorted(build_forms().items()):
        flags = ("a" if form.ambiguous else "") + ("i" if form.initial_only else "") + \
            {"zh": "z", "ja": "j", "": ""}[form.language]
        lines.append("\t".join((text, ",".join(form.codes), form.kind, flags, form.script)))
    return "\n".join(lines) + "\n"


def names_text() -> str:
    rows = sorted(build_country_names().items())
    return "\n".join([*NAMES_HEADER, *(f"{code}\t{name}" for code, name in rows)]) + "\n"


def write(output_dir: Path | None = None) -> tuple[Path, int]:
    forms_path = Path(output_dir) / FORMS.name if output_dir else FORMS
    names_path = Path(output_dir) / COUNTRY_NAMES.name if output_dir else COUNTRY_NAMES
    text = forms_text()
    write_atomic(forms_path, text)
    write_atomic(names_path, names_text())
    return forms_path, text.count("\n") - len(FORMS_HEADER)
