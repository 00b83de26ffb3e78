"""Builds the shipped `dyad/classify/data/people.tsv` from the development corpus's people/
folder: Wikidata's heads of state and of government (around 2021-22) and foreign ministers
(around 2022), and the state officials of the Phoenix/PETRARCH actor dictionaries (up to 2014).
The output is sorted, so the same corpus always gives the same bytes.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Iterator

from dyad.classify.people import DATA, Person
from dyad.gazetteer import phoenix
from dyad.gazetteer.codes import from_label
from dyad.gazetteer.names import label_name
from dyad.gazetteer.tsv import format_people, write_people

LEADERS = "world-leaders-2021/wikidata.csv"
FOREIGN_MINISTERS = "foreign-ministers/wikidata.csv"
PHOENIX = ("petrarch2/Phoenix.Countries.actors.txt", "petrarch2/Phoenix.International.actors.txt")
PHOENIX_LICENSE = "petrarch2/LICENSE"

# The leaders file does not say which of a country's two offices is which; the title does.
_HEAD_OF_GOVERNMENT = re.compile(r"prime minister|premier|chancellor|taoiseach|chief minister|"
                                 r"minister of state|council of ministers|of the government",
                                 re.I)
# Offices titled "President" that Wikidata gives as the country's head of government (P1313).
HEAD_OF_GOVERNMENT_POSITIONS = {
    "Q838380",   # President of Iran (the Supreme Leader is the head of state)
    "Q2387238",  # President of the Pontifical Commission for the Vatican City State
}

HEADER = [
    "dyad people gazetteer: who speaks for which country, and when (dyad/classify/people.py).",
    "Built by `dyad gazetteer build-people --corpus ../shared/corpus` from the development corpus;",
    "`dyad gazetteer update` replaces it with current data from Wikidata.",
    "Columns: code (ISO 3166-1 alpha-3), role, valid_from and valid_to (ISO dates; empty when open",
    "or unknown; a year alone counts from 1 January to 31 December), lang (ISO 639-1 of the",
    "spelling), name (as running text writes it), source.",
    "Sources:",
    "  wikidata: heads of state and of government about 2021-22 (every-politician-scrapers) and",
    "    foreign ministers about 2022, from Wikidata: CC0 1.0.",
    "  phoenix: the Phoenix/PETRARCH actor dictionaries (Phoenix.Countries and",
    "    Phoenix.International.actors.txt, from CountryInfo.txt, up to 2014), state officials",
    "    (CAMEO roles GOV, MIL, LEG, JUD, SPY, COP) with dated codes: MIT License, as follows.",
]


def build(corpus: Path) -> list[Person]:
    people = Path(corpus) / "people"
    rows = list(leaders(people / LEADERS))
    rows += foreign_ministers(people / FOREIGN_MINISTERS)
    for name in PHOENIX:
        with open(people / name, encoding="utf-8", errors="replace") as lines:
            rows += phoenix.officials(phoenix.parse(lines))
    return rows


def header(corpus: Path) -> list[str]:
    """HEADER, then the Phoenix license text as the corpus carries it (MIT asks for it)."""
    license_path = Path(corpus) / "people" / PHOENIX_LICENSE
    notice = license_path.read_text(encoding="utf-8").splitlines() if license_path.exists() else []
    return HEADER + [f"    {line}".rstrip() for line in notice]


def build_text(corpus: Path) -> str:
    return format_people(build(corpus), header(corpus))


def write(corpus: Path, output: Path | None = None) -> tuple[Path, int]:
    """Builds and writes the file; returns its path and number of rows."""
    output = Path(output) if output else DATA / "people.tsv"
    return output, write_people(output, build(corpus), header(corpus))


def leaders(path: Path) -> Iterator[Person]:
    for row in _rows(path):
        code = from_label(row["country"])
        name = label_name(row["officeholderLabel"], row["country"])
        if not code or not name:
            continue
        hog = (row["position"] in HEAD_OF_GOVERNMENT_POSITIONS
               or _HEAD_OF_GOVERNMENT.search(row["positionLabel"]))
        yield Person(code, "head_of_government" if hog else "head_of_state",
                     _year(row["start_year"], 1, 1), _year(row["end_year"], 12, 31), "en", name,
                     "wikidata")


def foreign_ministers(path: Path) -> Iterator[Person]:
    for row in _rows(path):
        code = from_label(row["countryLabel"])
        name = label_name(row["name"], row["countryLabel"])
        start = row["start"]
        if code and name and start:
            yield Person(code, "foreign_minister", dt.date.fromisoformat(start[:10]), None, "en",
                         name, "wikidata")


def _rows(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _year(text: str, month: int, day: int) -> dt.date | None:
    return dt.date(int(text), month, day) if text.strip() else None
