"""Country gazetteer: surface forms → ISO 3166-1 alpha-3, with what kind of form each is.

Built from countryinfo (names, alternative spellings, demonyms, capitals, US states) and
pycountry (official and common names); the hand lists below hold only what no package has:
short forms as newsrooms write them, seats of government, historical names, compound prefixes,
and the forms that are too ambiguous to count without corroboration.
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

SHORT_FORMS = {
    "USA": ["U.S.", "US", "U.S.A.", "USA", "America", "United States", "American", "Americans"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "England", "Scotland", "Wales",
            "Northern Ireland", "Britons", "English", "Scottish", "Welsh"],
    "RUS": ["Russia", "Soviet Union", "USSR", "U.S.S.R.", "Soviet"],
    "DEU": ["West Germany", "East Germany", "Germans"],
    "ARE": ["UAE", "U.A.E.", "Emirates", "Emirati", "Abu Dhabi", "Dubai"],
    "PRK": ["DPRK", "North Korea", "Pyongyang"],
    "KOR": ["South Korea", "ROK", "Seoul"],
    "CHN": ["PRC", "Mainland China"], "HKG": ["Hong Kong"],
    "TWN": ["Taiwan", "Taipei"],
    "IRN": ["Iran", "Persian Gulf state"],
    "SYR": ["Syria"], "VEN": ["Venezuela"], "BOL": ["Bolivia"], "TZA": ["Tanzania"],
    "VNM": ["Vietnam", "Viet Nam", "Hanoi"], "LAO": ["Laos"], "MDA": ["Moldova"],
    "CZE": ["Czech Republic", "Czechia", "Czechoslovakia"], "CIV": ["Ivory Coast", "Côte d'Ivoire"],
    "NLD": ["Holland", "The Netherlands", "Dutch"], "MMR": ["Burma", "Myanmar"],
    "TUR": ["Türkiye", "Turkiye"], "PSE": ["Palestine", "Gaza", "Gaza Strip", "West Bank",
                                            "Palestinians", "Hamas"],
    "COD": ["DR Congo", "DRC", "Congo-Kinshasa"], "COG": ["Congo-Brazzaville"],
    "VAT": ["Vatican", "Holy See"], "MKD": ["North Macedonia", "Macedonia"],
    "SRB": ["Yugoslavia"], "ISR": ["Israelis"], "SAU": ["Saudi", "Saudis", "Riyadh"],
    "BRA": ["Brasilia", "Brasília"], "AUS": ["Aussie"],
    "NZL": ["New Zealand", "Kiwi"], "PHL": ["Philippines", "Filipino", "Manila"],
    "EGY": ["Cairo"], "LBY": ["Libya"], "KAZ": ["Kazakh"], "BLR": ["Belarus"],
    "IND": ["Indian", "Indians", "New Delhi"], "UKR": ["Kiev", "Ukrainians"],
}

SEATS = {
    "USA": ["White House", "Pentagon", "State Department", "Capitol Hill", "Washington",
            "Federal Reserve", "Oval Office", "U.S. Treasury", "Wall Street", "FBI", "CIA",
            "Securities and Exchange Commission", "Commerce Department", "Justice Department",
            "Nasdaq", "New York Stock Exchange", "NYSE"],
    "RUS": ["Kremlin", "Duma", "Bank of Russia", "Gazprom"],
    "GBR": ["Downing Street", "Whitehall", "Westminster", "Bank of England"],
    "CHN": ["Zhongnanhai", "Great Hall of the People", "People's Bank of China", "Politburo"],
    "FRA": ["Élysée", "Elysee", "Quai d'Orsay", "Banque de France", "Bank of France"],
    "DEU": ["Bundestag", "Chancellery", "Bundesbank", "Bundeswehr"], "JPN": ["Kasumigaseki",
    "Bank of Japan", "MITI", "Nikkei"], "IND": ["South Block", "Reserve Bank of India"],
    "ISR": ["Knesset"], "UKR": ["Verkhovna Rada"], "KOR": ["Blue House", "Bank of Korea"],
    "CAN": ["Bank of Canada", "Parliament Hill"], "AUS": ["Reserve Bank of Australia"],
    "BRA": ["Planalto"], "CHE": ["Swiss National Bank"], "ITA": ["Palazzo Chigi"],
}

PREFIXES = {"CHN": ["Sino-"], "RUS": ["Russo-"], "GBR": ["Anglo-"], "FRA": ["Franco-"],
            "IND": ["Indo-"], "JPN": ["Japano-"], "DEU": ["Germano-"], "ESP": ["Hispano-"]}

# Forms that also name people, US states or ordinary things: they count only when another form
# of the same country appears in the same story.
AMBIGUOUS = {"Georgia", "Jordan", "Chad", "Niger", "Guinea", "Turkey", "Victoria", "Male",
             "Kingston", "Hamilton", "Stanley", "Douglas", "Georgetown", "Lima", "Sofia",
             "Valletta", "Jamestown", "Santiago", "Dominica", "Jersey"}

# Phrases in which a country's form names something else: matched, so that the form inside
# them is not, and then not counted.
NOT_PLACES = ("French fries", "French Fries", "French toast", "Turkish delight", "Brussels sprouts",
              "Danish pastry", "Swiss cheese", "Indian Ocean", "American Express", "Scotch whisky",
              "Chinese checkers", "Dutch auction")

# Forms never to use: wrong country, or mostly something else.
EXCLUDED = {"Georgian", "American Samoa", "Indian Ocean", "Congolese", "Dominican",
            "Saint", "Island", "Islands", "Republic", "Kingdom", "State", "Guinean"}

US_STATES_EXCLUDED = {"Georgia", "Washington"}


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

    def add(text, code, kind, ambiguous=None, codes=None):
        text = fold((text or "").strip())
        codes = tuple(HISTORIC_CODES.get(c, c) for c in codes or ((code,) if code else ()))
        if len(text) < 2 or text in EXCLUDED or text in forms or (not codes and kind != "not"):
            return
        if not any(ch.isalpha() for ch in text):
            return
        script = multilingual.script_of(text)
        ambiguous = text in AMBIGUOUS if ambiguous is None else ambiguous
        forms[text] = Form(codes, kind, ambiguous, script=script)
        if script in ("latin", "cyrillic") and text[0].islower():
            capital = text[0].upper() + text[1:]
            if capital not in forms:
                forms[capital] = Form(codes, kind, ambiguous, True, script)

    for phrase in NOT_PLACES:
        add(phrase, None, "not")
    for table, kind in ((SHORT_FORMS, "short"), (SEATS, "seat"), (PREFIXES, "prefix")):
        for code, texts in table.items():
            for text in texts:
                add(text, code, kind)
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
    for form, codes, kind, flags in multilingual.hand_rows():
        add(form, None, kind, "ambiguous" in flags, codes)
    for name, codes, kind, _flags in multilingual.cldr_forms():
        add(name, None, kind, None, codes)
    for name, code in regions().items():
        if "." not in name and len(name) > 2 and name not in US_STATES_EXCLUDED:
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
