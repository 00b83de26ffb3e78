"""People who speak for countries: the dated gazetteer of heads of state and of government,
ministers and other officials, read from the TSV files shipped beside this module.

`data/people.tsv` is built from the development corpus (`dyad gazetteer build-people`) or
refreshed from Wikidata (`dyad gazetteer update`); `data/people-names.tsv` is a hand file of the
spellings other languages and scripts use for today's leaders. Each row ties one spelling of one
person's name to a country (ISO 3166-1 alpha-3) and a role for a period of office.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

DATA = Path(__file__).resolve().parent / "data"
FILES = ("people.tsv", "people-names.tsv")
COLUMNS = ("code", "role", "valid_from", "valid_to", "lang", "name", "source")
ROLES = ("head_of_state", "head_of_government", "foreign_minister", "defence_minister",
         "central_bank_governor", "official")
# Sources give a year, a month snapshot or a swearing-in day; reports also name a leader-elect
# or one just gone. A month either side absorbs both.
SLACK_DAYS = 31
# A row with no end was in office when its source was taken ("# as-of: SOURCE DAY" in the file's
# header), not forever: it is trusted for two years after that day (about half a term, what is
# left of one on average). Past it, the person counts only where the story names them in full,
# or after `dyad gazetteer update`.
OPEN_TERM = dt.timedelta(days=2 * 365)
AS_OF = "# as-of: "


@dataclass(frozen=True)
class Person:
    code: str
    role: str
    valid_from: dt.date | None  # None: unknown or open
    valid_to: dt.date | None    # None: still in office, or unknown
    lang: str                   # ISO 639-1 of the spelling
    name: str
    source: str
    # for a row with no end: its source's day + OPEN_TERM (derived: not part of equality)
    open_until: dt.date | None = field(default=None, compare=False)


@functools.lru_cache(maxsize=1)
def people() -> tuple[Person, ...]:
    """Every row of the shipped files, in file order."""
    rows: list[Person] = []
    for name in FILES:
        with open(DATA / name, encoding="utf-8") as lines:
            rows.extend(parse_people(lines))
    return tuple(rows)


def in_office(person: Person, on: dt.date, slack_days: int = SLACK_DAYS) -> bool:
    """Whether `person` held the role on `on`, give or take `slack_days`."""
    slack = dt.timedelta(days=slack_days)
    if person.valid_from is not None and on < person.valid_from - slack:
        return False
    end = person.valid_to or person.open_until
    return end is None or on <= end + slack


def parse_people(lines: Iterable[str]) -> Iterator[Person]:
    """Rows of a people TSV: `#` comment lines and the column header are skipped; `# as-of:`
    lines give each source's day, from which its open rows are trusted for OPEN_TERM."""
    as_of: dict[str, dt.date] = {}
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if line.startswith(AS_OF):
            source, _, day = line[len(AS_OF):].partition(" ")
            as_of[source] = dt.date.fromisoformat(day.strip())
            continue
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if tuple(fields) == COLUMNS:
            continue
        if len(fields) != len(COLUMNS):
            raise ValueError(f"line {number}: {len(fields)} columns, expected {len(COLUMNS)}")
        code, role, start, end, lang, name, source = fields
        if role not in ROLES:
            raise ValueError(f"line {number}: unknown role {role!r}")
        valid_to = _date(end)
        open_until = as_of[source] + OPEN_TERM if valid_to is None and source in as_of else None
        yield Person(code, role, _date(start), valid_to, lang, name, source, open_until)


def format_date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
