"""Writing a people TSV: `#` header lines, the column names, then the rows sorted, so the same
rows always give the same bytes; written beside the target and renamed over it, so a failed
run leaves the old file whole."""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from dyad.classify.people import AS_OF, COLUMNS, Person, format_date

_SPACE = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """One line, single spaces: a name may not break the TSV."""
    return _SPACE.sub(" ", name).strip()


def format_people(rows: Iterable[Person], header: Sequence[str]) -> str:
    """The file's text; each source's `# as-of:` day is the latest date its rows carry (the day
    the source was taken), unless `header` already gives it."""
    rows = list(rows)
    fields = {(p.code, p.role, format_date(p.valid_from), format_date(p.valid_to), p.lang,
               clean_name(p.name), p.source) for p in rows}
    lines = [f"# {line}".rstrip() for line in header]
    given = {line.split()[2] for line in lines if line.startswith(AS_OF)}
    latest: dict[str, dt.date] = {}
    for p in rows:
        for day in (p.valid_from, p.valid_to):
            if day and p.source not in given and day > latest.get(p.source, dt.date.min):
                latest[p.source] = day
    lines += [f"{AS_OF}{source} {day.isoformat()}" for source, day in sorted(latest.items())]
    lines.append("\t".join(COLUMNS))
    lines.extend("\t".join(f) for f in sorted(fields) if f[5])
    return "\n".join(lines) + "\n"


def write_people(path: Path, rows: Iterable[Person], header: Sequence[str]) -> int:
    """Writes the file; returns its number of rows."""
    text = format_people(rows, header)
    write_atomic(path, text)
    return sum(1 for line in text.splitlines() if line and not line.startswith("#")) - 1


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide a shipped file from other users
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
