"""Wikidata labels → names as running text writes them."""
from __future__ import annotations

import re

from dyad.gazetteer.tsv import clean_name

_QID = re.compile(r"^Q\d+$")  # an item without a label in that language
_STYLE = re.compile(r",\s+(?:Grand\s+)?(?:Prince|Princess|King|Queen|Duke|Sultan|Emir)\b.*$")


def label_name(label: str, country: str = "") -> str | None:
    """The label without its style: `Felipe VI of Spain` → `Felipe VI`, `Albert II, Prince of
    Monaco` → `Albert II`; None for an unlabelled item (its label is its Q-id). The " of
    <country>" stays where dropping it would leave a single word."""
    name = _STYLE.sub("", clean_name(label))
    if not name or _QID.match(name):
        return None
    head, sep, place = name.rpartition(" of ")
    if sep and " " in head and country and _bare(country).endswith(_bare(place)):
        return head
    return name


def _bare(place: str) -> str:
    return re.sub(r"^(?:the\s+)", "", place.strip(), flags=re.I).casefold()
