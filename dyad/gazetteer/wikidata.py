"""`dyad gazetteer update`: the people gazetteer refreshed from Wikidata's public SPARQL service.

One query asks for everyone who has held, since 2000, the office of head of state or of
government of a country (the offices its item names with P1906 and P1313), a foreign or defence
minister's office of that country (subclasses of Q7330070 and Q2518691 that apply to it, P1001),
or the office at the head of its central bank (P2388 of a Q66344 in it): with the start and end
qualifiers of the position statement (P39: P580, P582, and their precision), the country's ISO
alpha-3 code (P298) and the person's labels in the languages dyad reads. Requests go only to the
endpoint given (Wikidata's by default).
"""
from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import Iterator

import requests

from dyad import __version__
from dyad.classify.people import AS_OF, DATA, ROLES, Person
from dyad.gazetteer.codes import from_iso
from dyad.gazetteer.names import label_name
from dyad.gazetteer.tsv import write_people

ENDPOINT = "https://query.wikidata.org/sparql"
LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "ru", "zh", "ja", "ar")
# Chinese labels are often only in a script variant; the file's lang column is ISO 639-1.
LABEL_LANGUAGES = LANGUAGES + ("zh-hans", "zh-hant")
SINCE = "2000-01-01"
USER_AGENT = f"dyad/{__version__} (news gazetteer refresh; python-requests)"
YEAR, MONTH = 9, 10  # Wikidata time precisions

# Wikidata's service declares these prefixes itself; stating them keeps the query standard SPARQL.
QUERY = """
PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT DISTINCT ?iso3 ?role ?start ?startPrecision ?end ?endPrecision ?name ?countryName WHERE {
  ?country wdt:P298 ?iso3 .
  FILTER NOT EXISTS { ?country wdt:P576 [] }
  {
    ?country p:P1906 ?office . ?office ps:P1906 ?position .
    FILTER NOT EXISTS { ?office pq:P582 [] }
    BIND("head_of_state" AS ?role)
  } UNION {
    ?country p:P1313 ?office . ?office ps:P1313 ?position .
    FILTER NOT EXISTS { ?office pq:P582 [] }
    BIND("head_of_government" AS ?role)
  } UNION {
    ?position wdt:P279* wd:Q7330070 ; wdt:P1001 ?country .
    BIND("foreign_minister" AS ?role)
  } UNION {
    ?position wdt:P279* wd:Q2518691 ; wdt:P1001 ?country .
    BIND("defence_minister" AS ?role)
  } UNION {
    ?bank wdt:P31/wdt:P279* wd:Q66344 ; wdt:P17 ?country ; wdt:P2388 ?position .
    FILTER NOT EXISTS { ?bank wdt:P1001 ?area . FILTER(?area != ?country) }
    BIND("central_bank_governor" AS ?role)
  }
  ?person p:P39 ?held .
  ?held ps:P39 ?position ;
        pqv:P580 [ wikibase:timeValue ?start ; wikibase:timePrecision ?startPrecision ] .
  FILTER NOT EXISTS { ?held wikibase:rank wikibase:DeprecatedRank }
  OPTIONAL { ?held pqv:P582 [ wikibase:timeValue ?end ; wikibase:timePrecision ?endPrecision ] }
  FILTER(!BOUND(?end) || ?end >= "%(since)sT00:00:00Z"^^xsd:dateTime)
  ?person wdt:P31 wd:Q5 ; rdfs:label ?name .
  FILTER(LANG(?name) IN (%(languages)s))
  OPTIONAL { ?country rdfs:label ?countryName . FILTER(LANG(?countryName) = "en") }
}
""" % {"since": SINCE, "languages": ", ".join(f'"{lang}"' for lang in LABEL_LANGUAGES)}

HEADER = [
    "dyad people gazetteer: who speaks for which country, and when (dyad/classify/people.py).",
    "Written by `dyad gazetteer update` from {endpoint} on {day}: holders since {since} of",
    "each country's head of state and head of government offices (P1906, P1313), foreign and",
    "defence minister offices and central bank governorships, with their P39 start and end",
    "dates. `dyad gazetteer build-people` rebuilds the shipped file from the development corpus.",
    "Columns: code (ISO 3166-1 alpha-3), role, valid_from and valid_to (ISO dates; empty when open",
    "or unknown; a year alone counts from 1 January to 31 December), lang (ISO 639-1 of the",
    "spelling), name (the Wikidata label), source.",
    "Source: Wikidata (https://www.wikidata.org), CC0 1.0.",
]


class UpdateError(Exception):
    """The service could not be asked or its answer could not be used (one line for the user)."""


def fetch(endpoint: str = ENDPOINT, timeout: float = 120.0) -> dict:
    try:
        response = requests.post(endpoint, data={"query": QUERY}, timeout=timeout,
                                 headers={"Accept": "application/sparql-results+json",
                                          "User-Agent": USER_AGENT})
    except requests.Timeout:
        raise UpdateError(f"cannot query {endpoint}: no answer within {timeout:g} s "
                          "(Timeout)") from None
    except requests.RequestException as exc:
        raise UpdateError(f"cannot query {endpoint}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise UpdateError(f"{endpoint} answered HTTP {response.status_code} {response.reason}")
    try:
        answer = response.json()
        answer["results"]["bindings"]
    except (ValueError, KeyError, TypeError):
        raise UpdateError(f"{endpoint} did not answer with SPARQL JSON results") from None
    return answer


def people(answer: dict) -> Iterator[Person]:
    """The rows of a SPARQL JSON answer to QUERY; bindings that do not fit are skipped."""
    for binding in answer["results"]["bindings"]:
        values = {key: cell.get("value", "") for key, cell in binding.items()}
        code = from_iso(values.get("iso3", ""))
        role = values.get("role")
        lang = binding.get("name", {}).get("xml:lang", "").split("-")[0]
        name = label_name(values.get("name", ""), values.get("countryName", ""))
        start = _day(values.get("start"), values.get("startPrecision"), first=True)
        end = _day(values.get("end"), values.get("endPrecision"), first=False)
        if code and role in ROLES and lang in LANGUAGES and name and start:
            yield Person(code, role, start, end, lang, name, "wikidata")


def update(endpoint: str = ENDPOINT, output: Path | None = None,
           timeout: float = 120.0) -> tuple[Path, int]:
    """Queries, then replaces the file (the shipped people.tsv by default); returns its path and
    number of rows. An answer without usable rows leaves the file as it was."""
    rows = set(people(fetch(endpoint, timeout)))
    if not rows:
        raise UpdateError(f"{endpoint} answered no usable rows; nothing written")
    today = dt.date.today().isoformat()
    header = [line.format(endpoint=endpoint, day=today, since=SINCE) for line in HEADER]
    header.append(f"{AS_OF[2:]}wikidata {today}")
    output = Path(output) if output else DATA / "people.tsv"
    return output, write_people(output, rows, header)


def _day(value: str | None, precision: str | None, first: bool) -> dt.date | None:
    """A Wikidata time as a date: a year or month alone as its first or last day."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.lstrip("+")[:10])
        precision_level = int(precision or 11)
    except ValueError:
        return None
    if precision_level <= YEAR:
        return day.replace(month=1, day=1) if first else day.replace(month=12, day=31)
    if precision_level == MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1 if first else last)
    return day
