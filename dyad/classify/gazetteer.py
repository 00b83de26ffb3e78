"""Country gazetteer: surface forms → ISO 3166-1 alpha-3, with what kind of form each is, read
from `data/forms.tsv` (built by `python -m dyad.gazetteer build-forms` from countryinfo,
pycountry, CLDR, GeoNames and the hand files `data/forms/<lang>.tsv`: see
dyad.gazetteer.forms_build), and the English names of the codes.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
FORMS = DATA / "forms.tsv"
COUNTRY_NAMES = DATA / "country-names.tsv"
# kind → weight of one mention of that kind of form (a name says more than a city does)
KIND_WEIGHTS = {"name": 1.0, "short": 1.0, "demonym": 0.9, "seat": 0.9, "abbreviation": 0.9,
                "person": 0.9, "capital": 0.8, "prefix": 0.8, "region": 0.6, "city": 0.5,
                "currency": 0.3, "not": 0.0}


@dataclass(frozen=True)
class Form:
    codes: tuple[str, ...]
    kind: str
    ambiguous: bool
    # a lower-case form's capitalised twin: it counts only where a sentence or title begins
    initial_only: bool = False
    script: str = "latin"
    # a Han-script form of one language only: "zh" (not read in text with kana) or "ja"
    language: str = ""

    @property
    def code(self) -> str:
        return self.codes[0] if self.codes else ""


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """alpha-3 → the short English name analysts expect (Russia, not Russian Federation)."""
    with COUNTRY_NAMES.open(encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split("\t") for line in handle if not line.startswith("#"))


def read_forms():
    """Yield (form, Form) for every surface form, folded (normalize.fold) and case-sensitive.
    Forms with the same countries, kind and flags share one Form."""
    shared: dict[str, Form] = {}
    with FORMS.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            text, _, rest = line.partition("\t")
            form = shared.get(rest)
            if form is None:
                codes, kind, flags, script = rest.rstrip("\n").split("\t")
                language = "zh" if "z" in flags else "ja" if "j" in flags else ""
                form = shared[rest] = Form(tuple(codes.split(",")) if codes else (), kind,
                                           "a" in flags, "i" in flags, script, language)
            yield text, form
