"""Country codes and names of the people sources → ISO 3166-1 alpha-3, the codes dyad reports.

Codes of states that no longer exist map to today's state, as the country gazetteer does; what
has no ISO code (IGOs, regions, unrecognised or sub-national governments) maps to None.
"""
from __future__ import annotations

import functools

import pycountry

from dyad.classify.gazetteer import country_names
from dyad.gazetteer.forms_build import HISTORIC_CODES

# CAMEO country codes that are not the ISO code of the same place.
CAMEO_CODES = {**HISTORIC_CODES, "USR": "RUS", "FRY": "SRB", "IMY": "IMN"}
# Wikidata country labels that neither pycountry nor the short names spell this way.
LABEL_CODES = {"Republic of Ireland": "IRL", "State of Palestine": "PSE", "Vatican City": "VAT",
               "Holy See": "VAT", "Bailiwick of Guernsey": "GGY"}


@functools.lru_cache(maxsize=1)
def iso_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries)


def from_iso(code: str) -> str | None:
    code = code.strip().upper()
    return code if code in iso_codes() else None


def from_cameo(code: str) -> str | None:
    return from_iso(CAMEO_CODES.get(code, code))


def from_label(label: str) -> str | None:
    return _label_codes().get(label.strip())


@functools.lru_cache(maxsize=1)
def _label_codes() -> dict[str, str]:
    codes = dict(LABEL_CODES)
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if name:
                codes.setdefault(name, c.alpha_3)
    for code, name in country_names().items():
        codes.setdefault(name, code)
    return codes
