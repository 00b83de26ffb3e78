"""The Phoenix/PETRARCH actor dictionaries (TABARI format) → dated state officials.

An entry is a name line (`VLADIMIR_PUTIN_  # CountryInfo.txt`), `+VARIANT_` lines and code lines
(`[RUSGOV 991231-080507]`); codes may also follow the name on its line, several to a line, as
in the International file. A code is a CAMEO country, optionally a dependency or former republic
inside it (`GBRVGBGOV`, `USRUKR`), then role codes (`GOV`, `GOVMIL`, ...). Dates are yymmdd or
yyyymmdd: `a-b` a range, `>a` from a on, `<b` until b, none meaning "whenever no range applies".
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Iterator, NamedTuple

from dyad.classify.people import Person
from dyad.gazetteer.codes import from_cameo

# The state's own organs: government, armed forces, legislature, judiciary, intelligence, police.
# ELI marks a person of note out of office (in CountryInfo mostly the years from birth to first
# office), OPP/REB/UNR the opposition, rebels and unrecognised bodies: none speaks for the state.
STATE_ROLES = frozenset({"GOV", "MIL", "LEG", "JUD", "SPY", "COP"})
# Spellings that are a title, a description or a body rather than a name ("PRESIDENT_PUTIN_",
# "RUSSIAN_PRIME_MINISTER_VLADIMIR_PUTIN_", "HATEM_AMOR_SEC._OF_STATE_FOR_...",
# "REAGAN_ADMINISTRATION"): dropped.
NOT_NAME_WORDS = frozenset("""
    PRESIDENT VICE-PRESIDENT VICE PRIME PREMIER MINISTER MIN. SECRETARY SEC. CHANCELLOR KANZLER
    BUNDESKANZLER AMBASSADOR SENATOR SENATE CONGRESSMAN REPRESENTATIVE GOVERNOR GOV. GENERAL GEN.
    COL. ADMIRAL DEPUTY FORMER DEFENSE DEFENCE FOREIGN NATIONAL STATE DEPARTMENT SECURITY CENTRAL
    ASSEMBLY SUPREME FEDERAL HOUSE THE MR MR. MRS MRS. MS DR DR. US U.S. AMERICAN UNITED RUSSIAN
    SOVIET EX-SOVIET COMMUNIST CHINESE ISRAELI PLA KING QUEEN PRINCE PRINCESS EMIR AYATOLLAH CROWN
    CHIEF LEADER CHAIRMAN SPOKESMAN OFFICIAL CHARGE AFFAIRS ADMINISTRATION GOVERNMENT MINISTRY
    CABINET PARLIAMENT COUNCIL COMMITTEE COMMISSION PARTY ARMY NAVY FORCES POLICE AUTHORITY
    MOVEMENT STAFF OFFICE AGENCY BUREAU COURT
""".split())
_NAME_CHARS = frozenset(" .-',")
# A spelling that starts with a title tells the office the person held ("+PRESIDENT_REAGAN",
# "+PRIME_MINISTER_MARGARET_THATCHER"): their state periods get that role instead of "official".
TITLE_ROLES = (("PRESIDENT_", "head_of_state"), ("PRIME_MINISTER_", "head_of_government"),
               ("PREMIER_", "head_of_government"), ("CHANCELLOR_", "head_of_government"),
               ("FOREIGN_MINISTER_", "foreign_minister"), ("SECRETARY_OF_STATE_", "foreign_minister"),
               ("DEFENSE_MINISTER_", "defence_minister"), ("DEFENCE_MINISTER_", "defence_minister"),
               ("DEFENSE_SECRETARY_", "defence_minister"))
# Particles written in lower case inside a name (Luiz Inácio Lula da Silva, Bashar al-Assad).
PARTICLES = frozenset({"al", "bin", "bint", "ibn", "da", "das", "de", "del", "der", "do", "dos",
                       "du", "van", "von"})
ROMAN = re.compile(r"^(?=[IVX])X{0,3}(IX|IV|V?I{0,3})$")
_CODE = re.compile(r"\[([A-Z]{3,})\s*([^\]]*)\]")
_DAY = r"(\d{6}|\d{8})"
_RANGE = re.compile(rf"^(?:{_DAY}-{_DAY}|>\s*{_DAY}|<\s*{_DAY})$")


class Entry(NamedTuple):
    name: str
    variants: tuple[str, ...]
    codes: tuple[tuple[str, str], ...]  # (code, date text)


def parse(lines: Iterable[str]) -> Iterator[Entry]:
    """Entries in file order. Name lines without codes share the codes of the next entry, as
    PETRARCH reads them (`DMITRY_MEDVEDEV_`, then `DMITR_MEDVEDEV_` with the dates)."""
    names: list[str] = []
    codes: list[tuple[str, str]] = []
    for line in lines:
        text = line.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        head = text.split("[", 1)[0].strip()
        if text[0] not in "+ \t[":
            if codes:
                yield Entry(names[0], tuple(names[1:]), tuple(codes))
                names, codes = [], []
            names.append(head)
        elif text[0] == "+":
            names.append(head[1:].strip())
        codes.extend((code, dates.strip()) for code, dates in _CODE.findall(text))
    if names and codes:
        yield Entry(names[0], tuple(names[1:]), tuple(codes))


def officials(entries: Iterable[Entry]) -> Iterator[Person]:
    """One row per full-name spelling and period in a state role, overlapping periods merged."""
    for entry in entries:
        periods: dict[str, list[tuple[dt.date | None, dt.date | None]]] = {}
        for code, dates in entry.codes:
            country = state_country(code)
            period = parse_dates(dates)
            if country and period:
                periods.setdefault(country, []).append(period)
        names = sorted({n for n in map(display_name, (entry.name, *entry.variants)) if n})
        role = title_role(entry)
        for country, spans in periods.items():
            for start, end in merge(spans):
                for name in names:
                    yield Person(country, role, start, end, "en", name, "phoenix")


def title_role(entry: Entry) -> str:
    """The highest office a spelling's title names (see TITLE_ROLES), else "official"."""
    spellings = [s.lstrip("+").upper() for s in (entry.name, *entry.variants)]
    for prefix, role in TITLE_ROLES:
        if any(s.startswith(prefix) for s in spellings):
            return role
    return "official"


def state_country(code: str) -> str | None:
    """The ISO country of a CAMEO code with a state role, else None."""
    parts = [code[i:i + 3] for i in range(0, len(code), 3)]
    if not from_cameo(parts[0]):
        return None  # IGO, NGO, MNC, a region: even when a country code follows
    if len(parts) > 2 and parts[1] not in STATE_ROLES and from_cameo(parts[1]):
        parts = parts[1:]  # a dependency or republic inside the first country
    if len(parts) < 2 or parts[1] not in STATE_ROLES:
        return None
    return from_cameo(parts[0])


def parse_dates(text: str) -> tuple[dt.date | None, dt.date | None] | None:
    """(from, to) of a date field, None for either open end; None when undated or malformed."""
    match = _RANGE.match(text)
    if not match:
        return None
    start, end, since, until = match.groups()
    if since:
        start = since
    if until:
        end = until
    first, last = _day(start), _day(end)
    if (start and not first) or (end and not last) or (first and last and first > last):
        return None
    return first, last


def merge(spans):
    """Overlapping or touching periods joined; None as an open end sorts outside every date."""
    lo, hi = dt.date.min, dt.date.max
    ordered = sorted((a or lo, b or hi) for a, b in spans)
    merged = [list(ordered[0])]
    for a, b in ordered[1:]:
        if merged[-1][1] == hi or a <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(None if a == lo else a, None if b == hi else b) for a, b in merged]


def display_name(raw: str) -> str | None:
    """VLADIMIR_V._PUTIN_ → "Vladimir V. Putin"; None for a single word or a title.

    Nicknames in quotes and remarks after "(" or a comma ("(ACTING", ", BARON ...") go; a
    comma before Jr. or Sr. stays."""
    tokens: list[str] = []
    for token in (t for t in raw.replace(" ", "_").split("_") if t):
        if token.startswith("("):
            break
        if not token.startswith('"'):
            tokens.append(token)
        if token.endswith(",") and tokens:
            tokens[-1] = tokens[-1].rstrip(",")
            suffix = raw.upper().partition(token.upper())[2].strip("_ ")
            if suffix in ("JR.", "SR.", "JR", "SR"):
                tokens[-1] += ","
                tokens.append(suffix.capitalize())
            break
    if len(tokens) < 2 or any(t in NOT_NAME_WORDS for t in tokens):
        return None
    if not all(ch.isalpha() or ch in _NAME_CHARS for ch in "".join(tokens)):
        return None  # digits, backquotes, control and replacement characters
    if not all(any(ch.isalpha() for ch in t) for t in tokens):
        return None
    last = len(tokens) - 1
    return " ".join(t if i == last and ROMAN.match(t) else _word(t, first=i == 0)
                    for i, t in enumerate(tokens))


def _word(token: str, first: bool) -> str:
    parts = token.lower().split("-")
    return "-".join(p if p in PARTICLES and not (first and i == 0) else _capitalize(p)
                    for i, p in enumerate(parts))


def _capitalize(word: str) -> str:
    if word.startswith("mc") and len(word) > 3:
        return "Mc" + word[2:].capitalize()
    if len(word) > 2 and word[1] == "'":  # O'Brien, D'Alema; not Sha'Bi
        return word[0].upper() + "'" + word[2:].capitalize()
    return word.capitalize()


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    if len(text) == 6:  # yymmdd: the file is from 2014 and its oldest yy dates are 1930s
        year = int(text[:2])
        text = f"{2000 + year if year <= 30 else 1900 + year}{text[2:]}"
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
