"""Places below the country: cities, US states and Canadian provinces, and the dateline a wire
story opens with ("TROY, Mich., March 26 -", "KYIV (Reuters) -").

Cities, US states and Canadian provinces come from `data/places.tsv`, built by `python -m
dyad.gazetteer build-places` (from GeoNames, `us` and pycountry), so that no package is loaded
for them at run time.
"""
import functools
import re
from pathlib import Path

PLACES = Path(__file__).parent / "data" / "places.tsv"
# Abbreviations of US states that wire copy uses besides AP's own.
_OTHER_US_ABBREVIATIONS = ("penn", "wisc", "cal", "n. y")
_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_AGENCIES = r"\((?:Reuters|AP|AFP|dpa|Xinhua|Bloomberg|UPI|IANS|PTI|TASS|Yonhap|Kyodo)\)"
DATELINE = re.compile(
    rf"^\s*(?P<place>[A-Z][A-Za-z.'’ -]{{1,40}}?(?:,\s*[A-Z][A-Za-z.' ]{{1,25}}?)?)\s*"
    rf"(?:,?\s*{_MONTHS}\s+\d{{1,2}})?\s*(?:{_AGENCIES})?\s*[-–—]{{1,2}}\s")


@functools.lru_cache(maxsize=1)
def _places() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {"city": {}, "dateline": {}, "alternate": {}, "region": {}}
    with PLACES.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                code, kind, name = line.rstrip("\n").split("\t")
                found[kind][name] = code
    return found


def city_countries() -> dict[str, str]:
    """City name → alpha-3 of its country, for running text: cities of 100,000 or more whose
    name is not mostly something else."""
    return _places()["city"]


def dateline_cities() -> dict[str, str]:
    """Every city of 15,000 or more: a dateline names a place, however common a word it is."""
    return _places()["dateline"]


def alternate_names() -> dict[str, str]:
    """Cities' names in other languages and scripts → alpha-3."""
    return _places()["alternate"]


def regions() -> dict[str, str]:
    """US state and territory, Canadian province: name, AP abbreviation or postal code → alpha-3."""
    return _places()["region"]


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
    cities = dateline_cities()
    for name in (place, place.title()):
        code = resolve(name) or cities.get(name)
        if code:
            return code
    return None
